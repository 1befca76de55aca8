// C API of issue 18 (capi/include/civitas/workspace.h, block "key escrow and provider sequence
// statements"): each entry point calls the one Workspace method that audits it.
#include <cstdlib>
#include <new>
#include <nlohmann/json.hpp>

#include "civitas/crypto.hpp"
#include "ctx.hpp"
#include "versioned.hpp"

using civitas::Code;
using civitas::Error;
using namespace civitas::capi;
namespace ws = civitas::workspace;
namespace c = civitas::crypto;

namespace {

constexpr civ_key_source kKeySourceDefaults = CIV_KEY_SOURCE_INIT;
constexpr std::size_t kKeySourceSizes[] = {sizeof(civ_key_source)};

// As civ_ctx_open reads its key source (capi/src/workspace.cpp).
ws::KeySource new_source(const civ_key_source* in) {
  require(in, "next");
  civ_key_source k = read_versioned(in, kKeySourceDefaults, kKeySourceSizes, "civ_key_source");
  if (!k.secret || !k.secret_len) throw Error(Code::invalid_argument, "next->secret is empty");
  if (k.kind == CIV_KEY_PASSPHRASE) {
    ws::KdfParams p;
    if (k.kdf_opslimit) p.opslimit = k.kdf_opslimit;
    if (k.kdf_memlimit) p.memlimit = k.kdf_memlimit;
    return ws::KeySource::passphrase(std::string_view(k.secret, k.secret_len), p);
  }
  if (k.kind == CIV_KEY_RAW) {
    if (k.secret_len != 32) throw Error(Code::invalid_argument, "next: a raw master key is 32 bytes");
    return ws::KeySource::raw_key(c::SecretBytes(k.secret, 32));
  }
  throw Error(Code::invalid_argument, "next->kind must be CIV_KEY_PASSPHRASE or CIV_KEY_RAW");
}

}  // namespace

extern "C" {

int civ_keys_escrow(char** out_json, civ_ctx* ctx, unsigned shares, unsigned threshold) {
  return guard([&] {
    require(out_json, "out_json");
    *out_json = nullptr;
    std::vector<c::SecretBytes> docs = ws_of(ctx).escrow_key(shares, threshold);
    // ["<doc>", …]: the documents are JSON without control characters other than \n and
    // quotes, escaped here by hand so that no copy of a share is left in unlocked memory
    // besides the caller's buffer.
    std::size_t need = 3;
    for (const auto& d : docs) need += 2 * d.size() + 3;
    char* out = static_cast<char*>(std::malloc(need));
    if (!out) throw std::bad_alloc();
    std::size_t n = 0;
    out[n++] = '[';
    for (std::size_t i = 0; i < docs.size(); ++i) {
      if (i) out[n++] = ',';
      out[n++] = '"';
      for (std::size_t b = 0; b < docs[i].size(); ++b) {
        const char ch = static_cast<char>(docs[i].data()[b]);
        if (ch == '\n') {
          out[n++] = '\\';
          out[n++] = 'n';
        } else if (ch == '"' || ch == '\\') {
          out[n++] = '\\';
          out[n++] = ch;
        } else {
          out[n++] = ch;
        }
      }
      out[n++] = '"';
    }
    out[n++] = ']';
    out[n] = '\0';
    *out_json = out;
    return CIV_OK;
  });
}

int civ_keys_recover(civ_ctx** out, const char* path, size_t path_len, const char* const* share_docs,
                     const size_t* share_lens, size_t n, const civ_key_source* next) {
  return guard([&] {
    require(out, "out");
    *out = nullptr;
    if (n && (!share_docs || !share_lens)) throw Error(Code::invalid_argument, "share_docs and share_lens must not be NULL");
    std::vector<c::SecretBytes> docs;
    for (size_t i = 0; i < n; ++i) {
      std::string_view d = view(share_docs[i], share_lens[i], "share_docs[i]");
      docs.emplace_back(d.data(), d.size());
    }
    auto w = ws::Workspace::recover_key(std::string(view(path, path_len, "path")), docs, new_source(next));
    *out = new civ_ctx{std::move(w)};
    return CIV_OK;
  });
}

int civ_package_statement(char** out_json, civ_ctx* ctx, const char* consumer, size_t consumer_len) {
  return guard([&] {
    require(out_json, "out_json");
    *out_json = dup_out(ws_of(ctx).sequence_statement(view(consumer, consumer_len, "consumer")));
    return CIV_OK;
  });
}

int civ_package_import_statement(char** out_provider, civ_ctx* ctx, const char* json, size_t json_len) {
  return guard([&] {
    if (out_provider) *out_provider = nullptr;
    std::string p = ws_of(ctx).import_sequence_statement(view(json, json_len, "json"));
    if (out_provider) *out_provider = dup_out(p);
    return CIV_OK;
  });
}

int civ_package_require_statements(civ_ctx* ctx) {
  return guard([&] {
    ws_of(ctx).require_sequence_statements();
    return CIV_OK;
  });
}

}  // extern "C"
