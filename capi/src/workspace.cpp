#include <cstddef>
#include <cstdlib>
#include <cstring>
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
constexpr civ_ctx_options kCtxOptionsDefaults = CIV_CTX_OPTIONS_INIT;
// Version 1 ended before read_only.
constexpr std::size_t kCtxOptionsSizes[] = {offsetof(civ_ctx_options, read_only), sizeof(civ_ctx_options)};
constexpr std::size_t kKeyIdSize = 16;

ws::KeySource to_source(const civ_key_source* in, const char* name) {
  require(in, name);
  civ_key_source key = read_versioned(in, kKeySourceDefaults, kKeySourceSizes, "civ_key_source");
  const civ_key_source* k = &key;
  if (!k->secret || !k->secret_len) throw Error(Code::invalid_argument, std::string(name) + "->secret is empty");
  if (k->kind == CIV_KEY_PASSPHRASE) {
    ws::KdfParams p;
    if (k->kdf_opslimit) p.opslimit = k->kdf_opslimit;
    if (k->kdf_memlimit) p.memlimit = k->kdf_memlimit;
    return ws::KeySource::passphrase(std::string_view(k->secret, k->secret_len), p);
  }
  if (k->kind == CIV_KEY_RAW) {
    if (k->secret_len != 32) throw Error(Code::invalid_argument, std::string(name) + ": a raw master key is 32 bytes");
    return ws::KeySource::raw_key(c::SecretBytes(k->secret, 32));
  }
  throw Error(Code::invalid_argument, std::string(name) + "->kind must be CIV_KEY_PASSPHRASE or CIV_KEY_RAW");
}

civ_ctx_options opts_or_default(const civ_ctx_options* o) {
  return read_versioned(o, kCtxOptionsDefaults, kCtxOptionsSizes, "civ_ctx_options");
}

// Writes a key id and its NUL to a caller's buffer (NULL: nothing).
void put_key_id(char* out, size_t cap, const std::string& hex) {
  if (!out) return;
  check_capacity(hex.size() + 1, cap, "out_id");
  std::memcpy(out, hex.c_str(), hex.size() + 1);
}

}  // namespace

extern "C" {

int civ_key_source_init(civ_key_source* src, unsigned version) {
  return guard([&] {
    init_versioned(src, version, kKeySourceDefaults, kKeySourceSizes, "civ_key_source");
    return CIV_OK;
  });
}

int civ_ctx_options_init(civ_ctx_options* opts, unsigned version) {
  return guard([&] {
    init_versioned(opts, version, kCtxOptionsDefaults, kCtxOptionsSizes, "civ_ctx_options");
    return CIV_OK;
  });
}

int civ_ctx_create(civ_ctx** out, const char* path, size_t path_len, const civ_key_source* key,
                   const civ_ctx_options* opts) {
  return guard([&] {
    require(out, "out");
    *out = nullptr;
    const civ_ctx_options oo = opts_or_default(opts);
    const civ_ctx_options* o = &oo;
    ws::CreateOptions co;
    co.department = std::string(view(o->department, o->department_len, "opts->department"));
    co.name = std::string(view(o->name, o->name_len, "opts->name"));
    if (o->busy_timeout_ms > 0) co.busy_timeout_ms = o->busy_timeout_ms;
    if (o->read_only) throw Error(Code::invalid_argument, "opts->read_only: a new workspace cannot be created read-only");
    auto w = ws::Workspace::create(std::string(view(path, path_len, "path")), to_source(key, "key"), co);
    *out = new civ_ctx{std::move(w)};
    return CIV_OK;
  });
}

int civ_ctx_open(civ_ctx** out, const char* path, size_t path_len, const civ_key_source* key,
                 const civ_ctx_options* opts) {
  return guard([&] {
    require(out, "out");
    *out = nullptr;
    const civ_ctx_options o = opts_or_default(opts);
    ws::OpenOptions oo;
    if (o.busy_timeout_ms > 0) oo.busy_timeout_ms = o.busy_timeout_ms;
    oo.read_only = o.read_only != 0;
    auto w = ws::Workspace::open(std::string(view(path, path_len, "path")), to_source(key, "key"), oo);
    *out = new civ_ctx{std::move(w)};
    return CIV_OK;
  });
}

void civ_ctx_free(civ_ctx* ctx) { delete ctx; }

int civ_ctx_info(char** out_json, civ_ctx* ctx) {
  return guard([&] {
    require(out_json, "out_json");
    ws::Info i = ws_of(ctx).info();
    nlohmann::json j = {{"path", i.path},         {"workspace_id", i.workspace_id},     {"department", i.department},
                        {"name", i.name},         {"created", i.created},               {"schema_version", i.schema_version},
                        {"key_source", i.key_source}};
    *out_json = dup_out(j.dump());
    return CIV_OK;
  });
}

int civ_ctx_change_master(civ_ctx* ctx, const civ_key_source* next) {
  return guard([&] {
    ws_of(ctx).change_master(to_source(next, "next"));
    return CIV_OK;
  });
}

int civ_ctx_check(civ_ctx* ctx) {
  return guard([&] {
    ws_of(ctx).check_integrity();
    return CIV_OK;
  });
}

int civ_ctx_refresh(civ_ctx* ctx) {
  return guard([&] {
    ws_of(ctx).refresh();
    return CIV_OK;
  });
}

size_t civ_keys_id_size(void) { return kKeyIdSize; }

int civ_keys_list(char** out_json, civ_ctx* ctx) {
  return guard([&] {
    require(out_json, "out_json");
    nlohmann::json a = nlohmann::json::array();
    for (const auto& k : ws_of(ctx).keys()) {
      nlohmann::json j = {{"id", k.id_hex()}, {"purpose", c::purpose_name(k.purpose)}, {"algorithm", k.algorithm},
                          {"created", k.created}, {"status", c::status_name(k.status)}};
      if (!k.public_key.empty()) j["public_key"] = c::base64(k.public_key.data(), k.public_key.size());
      a.push_back(j);
    }
    *out_json = dup_out(a.dump());
    return CIV_OK;
  });
}

int civ_keys_rotate(char* out_id, size_t out_id_cap, civ_ctx* ctx, int purpose) {
  return guard([&] {
    if (out_id) check_capacity(kKeyIdSize + 1, out_id_cap, "out_id");
    if (purpose < CIV_PURPOSE_FIELD || purpose > CIV_PURPOSE_USER_SEALING)
      throw Error(Code::invalid_argument, "unknown key purpose " + std::to_string(purpose));
    ws::KeyInfo k = ws_of(ctx).rotate(static_cast<c::Purpose>(purpose));
    put_key_id(out_id, out_id_cap, k.id_hex());
    return CIV_OK;
  });
}

int civ_keys_destroy(civ_ctx* ctx, const char* key_id, size_t key_id_len) {
  return guard([&] {
    ws::Workspace& w = ws_of(ctx);
    w.destroy_key(c::key_id_from_hex(view(key_id, key_id_len, "key_id")));
    return CIV_OK;
  });
}

int civ_keys_export_public(char** out_json, civ_ctx* ctx) {
  return guard([&] {
    require(out_json, "out_json");
    *out_json = dup_out(ws_of(ctx).export_public());
    return CIV_OK;
  });
}

int civ_keys_import_public(char** out_department, civ_ctx* ctx, const char* json, size_t json_len) {
  return guard([&] {
    ws::Workspace& w = ws_of(ctx);
    std::string d = w.import_public(view(json, json_len, "json"));
    if (out_department) *out_department = dup_out(d);
    return CIV_OK;
  });
}

int civ_keys_import_public_flags(char** out_department, civ_ctx* ctx, const char* json, size_t json_len, unsigned flags) {
  return guard([&] {
    if (flags & ~static_cast<unsigned>(CIV_KEYS_IMPORT_REPLACE)) throw Error(Code::invalid_argument, "unknown import flags");
    ws::Workspace& w = ws_of(ctx);
    std::string d = w.import_public(view(json, json_len, "json"), (flags & CIV_KEYS_IMPORT_REPLACE) != 0);
    if (out_department) *out_department = dup_out(d);
    return CIV_OK;
  });
}

int civ_keys_remove_peer(civ_ctx* ctx, const char* department, size_t department_len) {
  return guard([&] {
    ws_of(ctx).remove_peer(view(department, department_len, "department"));
    return CIV_OK;
  });
}

int civ_keys_revoke(civ_ctx* ctx, const char* key_id, size_t key_id_len, const char* reason, size_t reason_len) {
  return guard([&] {
    ws::Workspace& w = ws_of(ctx);
    w.revoke_key(c::key_id_from_hex(view(key_id, key_id_len, "key_id")), view(reason, reason_len, "reason"));
    return CIV_OK;
  });
}

int civ_keys_peers(char** out_json, civ_ctx* ctx, const char* department, size_t department_len) {
  return guard([&] {
    require(out_json, "out_json");
    std::string_view dept = department ? view(department, department_len, "department") : std::string_view();
    nlohmann::json a = nlohmann::json::array();
    for (const auto& p : ws_of(ctx).peers(dept)) {
      nlohmann::json j;
      j["department"] = p.department;
      j["name"] = p.name;
      j["key_id"] = c::key_id_hex(p.key_id);
      j["purpose"] = c::purpose_name(p.purpose);
      j["algorithm"] = p.algorithm;
      j["public_key"] = c::base64(p.public_key.data(), p.public_key.size());
      j["status"] = p.status;
      j["imported"] = p.imported;
      j["revoked"] = p.revoked ? nlohmann::json(p.revoked) : nlohmann::json(nullptr);
      a.push_back(std::move(j));
    }
    *out_json = dup_out(a.dump());
    return CIV_OK;
  });
}

int civ_keys_share_identity(uint8_t** out, size_t* out_len, civ_ctx* ctx, const char* department,
                            size_t department_len) {
  return guard([&] {
    require(out, "out");
    require(out_len, "out_len");
    auto box = ws_of(ctx).share_identity_secret(view(department, department_len, "department"));
    *out = dup_bytes<uint8_t>(box.data(), box.size());
    *out_len = box.size();
    return CIV_OK;
  });
}

int civ_keys_import_identity(char* out_id, size_t out_id_cap, civ_ctx* ctx, const uint8_t* box, size_t box_len) {
  return guard([&] {
    if (!box && box_len) throw Error(Code::invalid_argument, "box is NULL");
    if (out_id) check_capacity(kKeyIdSize + 1, out_id_cap, "out_id");
    ws::KeyInfo k = ws_of(ctx).import_identity_secret_sealed(box, box_len);
    put_key_id(out_id, out_id_cap, k.id_hex());
    return CIV_OK;
  });
}

}  // extern "C"

// For the other C API files that take a key source (recovery.cpp).
namespace civitas::capi {
workspace::KeySource key_source_of(const civ_key_source* in, const char* name) { return to_source(in, name); }
}  // namespace civitas::capi
