#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <tuple>

#include "civitas/crypto.hpp"
#include "ctx.hpp"
#include "versioned.hpp"

using civitas::Code;
using civitas::Error;
using namespace civitas::capi;
namespace c = civitas::crypto;
namespace ids = civitas::ids;

namespace {

constexpr civ_crypto_field_context kFieldContextDefaults = CIV_CRYPTO_FIELD_CONTEXT_INIT;
constexpr std::size_t kFieldContextSizes[] = {sizeof(civ_crypto_field_context)};
constexpr civ_crypto_column_options kColumnDefaults = CIV_CRYPTO_COLUMN_OPTIONS_INIT;
constexpr std::size_t kColumnSizes[] = {sizeof(civ_crypto_column_options)};

constexpr std::size_t kSignatureSize = std::tuple_size_v<c::Signature>;
constexpr std::size_t kIdentityKeySize = c::IdentityKeyer::kTextSize;
constexpr std::size_t kKeyIdSize = 16;

// The associated data; its strings stay borrowed from the caller's struct (copied here).
struct FieldAd {
  civ_crypto_field_context c;
  c::FieldContext get() const {
    return {view(c.resource, c.resource_len, "ad->resource"), view(c.field, c.field_len, "ad->field"),
            view(c.record, c.record_len, "ad->record")};
  }
};

FieldAd to_ad(const civ_crypto_field_context* ad) {
  return {read_versioned(ad, kFieldContextDefaults, kFieldContextSizes, "civ_crypto_field_context")};
}

c::ColumnView column(const uint8_t* data, const uint64_t* offsets, size_t count, const char* name) {
  if (count) require(offsets, name);
  c::ColumnView v{data, offsets, count};
  c::check_column(v, name);
  return v;
}

// Hands a Column to the caller as two malloc'd arrays.
void hand_out(const c::Column& col, uint8_t** out_data, uint64_t** out_offsets) {
  uint8_t* d = dup_bytes<uint8_t>(col.data.data(), col.data.size());
  std::size_t n = col.offsets.empty() ? 1 : col.offsets.size();
  auto* o = static_cast<uint64_t*>(std::malloc(n * sizeof(uint64_t)));
  if (!o) {
    std::free(d);
    throw std::bad_alloc();
  }
  if (col.offsets.empty()) o[0] = 0;
  else std::memcpy(o, col.offsets.data(), n * sizeof(uint64_t));
  *out_data = d;
  *out_offsets = o;
}

ids::Kind to_kind(int kind) {
  if (kind < CIV_ID_USCC || kind > CIV_ID_GB2260)
    throw Error(Code::invalid_argument, "unknown identifier kind " + std::to_string(kind));
  return static_cast<ids::Kind>(kind);
}

// The body of an entry point that hands out one malloc'd buffer: checks out and out_len, then
// copies what fn returns (a byte or char container) into *out and its size into *out_len.
template <class T, class Fn>
int bytes_op(T** out, size_t* out_len, Fn&& fn) {
  return guard([&] {
    require(out, "out");
    require(out_len, "out_len");
    auto b = fn();
    *out = dup_bytes<T>(b.data(), b.size());
    *out_len = b.size();
    return CIV_OK;
  });
}

template <class Fn>
int column_op(uint8_t** out_data, uint64_t** out_offsets, civ_ctx* ctx, const uint8_t* data, const uint64_t* offsets,
              size_t count, const civ_crypto_column_options* opts, Fn&& fn) {
  return guard([&] {
    require(out_data, "out_data");
    require(out_offsets, "out_offsets");
    auto& w = ws_of(ctx);
    civ_crypto_column_options o = read_versioned(opts, kColumnDefaults, kColumnSizes, "civ_crypto_column_options");
    c::ColumnView v = column(data, offsets, count, "values");
    c::ColumnView r;
    if (o.record_offsets) r = column(o.record_data, o.record_offsets, count, "records");
    c::Column out;
    fn(w, view(o.resource, o.resource_len, "opts->resource"), view(o.field, o.field_len, "opts->field"), v,
       o.record_offsets ? &r : nullptr, out);
    hand_out(out, out_data, out_offsets);
    return CIV_OK;
  });
}

}  // namespace

extern "C" {

size_t civ_crypto_field_overhead(void) { return c::kFieldOverhead; }

size_t civ_crypto_signature_size(void) { return kSignatureSize; }

size_t civ_crypto_identity_key_size(void) { return kIdentityKeySize; }

int civ_crypto_field_context_init(civ_crypto_field_context* ad, unsigned version) {
  return guard([&] {
    init_versioned(ad, version, kFieldContextDefaults, kFieldContextSizes, "civ_crypto_field_context");
    return CIV_OK;
  });
}

int civ_crypto_column_options_init(civ_crypto_column_options* opts, unsigned version) {
  return guard([&] {
    init_versioned(opts, version, kColumnDefaults, kColumnSizes, "civ_crypto_column_options");
    return CIV_OK;
  });
}

int civ_crypto_field_encrypt(uint8_t** out, size_t* out_len, civ_ctx* ctx, const civ_crypto_field_context* ad,
                             const char* pt, size_t pt_len) {
  return bytes_op(out, out_len, [&] {
    FieldAd a = to_ad(ad);
    return ws_of(ctx).encrypt_field(view(pt, pt_len, "plaintext"), a.get());
  });
}

int civ_crypto_field_decrypt(char** out, size_t* out_len, civ_ctx* ctx, const civ_crypto_field_context* ad,
                             const uint8_t* ct, size_t ct_len) {
  return bytes_op(out, out_len, [&] {
    if (!ct && ct_len) throw Error(Code::invalid_argument, "ciphertext is NULL");
    FieldAd a = to_ad(ad);
    return ws_of(ctx).decrypt_field(ct, ct_len, a.get());
  });
}

int civ_crypto_field_encrypt_column(uint8_t** out_data, uint64_t** out_offsets, civ_ctx* ctx, const uint8_t* data,
                                    const uint64_t* offsets, size_t count, const civ_crypto_column_options* opts) {
  return column_op(out_data, out_offsets, ctx, data, offsets, count, opts,
                   [](auto& w, auto res, auto fld, auto& v, auto* r, auto& out) { w.encrypt_column(res, fld, v, r, out); });
}

int civ_crypto_field_decrypt_column(uint8_t** out_data, uint64_t** out_offsets, civ_ctx* ctx, const uint8_t* data,
                                    const uint64_t* offsets, size_t count, const civ_crypto_column_options* opts) {
  return column_op(out_data, out_offsets, ctx, data, offsets, count, opts,
                   [](auto& w, auto res, auto fld, auto& v, auto* r, auto& out) { w.decrypt_column(res, fld, v, r, out); });
}

int civ_crypto_tokenize(uint8_t** out, size_t* out_len, civ_ctx* ctx, const char* domain, size_t domain_len,
                        const char* pt, size_t pt_len) {
  return bytes_op(out, out_len,
                  [&] { return ws_of(ctx).tokenize(view(pt, pt_len, "plaintext"), view(domain, domain_len, "domain")); });
}

int civ_crypto_detokenize(char** out, size_t* out_len, civ_ctx* ctx, const char* domain, size_t domain_len,
                          const uint8_t* tok, size_t tok_len) {
  return bytes_op(out, out_len, [&] {
    if (!tok && tok_len) throw Error(Code::invalid_argument, "token is NULL");
    return ws_of(ctx).detokenize(tok, tok_len, view(domain, domain_len, "domain"));
  });
}

int civ_crypto_identity_key(char* out, size_t out_cap, civ_ctx* ctx, int kind, const char* domain, size_t domain_len,
                            const char* id, size_t id_len) {
  return guard([&] {
    require(out, "out");
    std::string k = ws_of(ctx).identity_key(to_kind(kind), view(id, id_len, "identifier"), view(domain, domain_len, "domain"));
    check_capacity(k.size() + 1, out_cap, "out");
    std::memcpy(out, k.c_str(), k.size() + 1);
    return CIV_OK;
  });
}

int civ_crypto_identity_key_column(char* out, size_t out_cap, uint8_t* out_reasons, civ_ctx* ctx, int kind,
                                   const char* domain, size_t domain_len, const char* data, const uint64_t* offsets,
                                   size_t count) {
  return guard([&] {
    if (count) {
      require(out, "out");
      require(out_reasons, "out_reasons");
    }
    if (count > SIZE_MAX / kIdentityKeySize) throw Error(Code::invalid_argument, "count is too large");
    check_capacity(count * kIdentityKeySize, out_cap, "out");
    ids::Kind k = to_kind(kind);
    auto keyer = ws_of(ctx).identity_keyer(view(domain, domain_len, "domain"));
    c::ColumnView v = column(reinterpret_cast<const uint8_t*>(data), offsets, count, "identifiers");
    for (size_t i = 0; i < count; ++i) {
      char* slot = out + i * kIdentityKeySize;
      ids::Reason r = keyer->key_into(k, v.at(i), slot);
      if (r != ids::Reason::ok) std::memset(slot, 0, kIdentityKeySize);
      out_reasons[i] = static_cast<uint8_t>(r);
    }
    return CIV_OK;
  });
}

int civ_crypto_sign(uint8_t* out_signature, size_t signature_cap, size_t* out_signature_len, char* out_key_id,
                    size_t key_id_cap, civ_ctx* ctx, const uint8_t* msg, size_t msg_len) {
  return guard([&] {
    require(out_signature, "out_signature");
    require(out_signature_len, "out_signature_len");
    if (!msg && msg_len) throw Error(Code::invalid_argument, "msg is NULL");
    auto& w = ws_of(ctx);
    if (out_key_id) check_capacity(kKeyIdSize + 1, key_id_cap, "out_key_id");
    c::KeyId id;
    c::Signature s = w.sign(msg, msg_len, &id);
    check_capacity(s.size(), signature_cap, "out_signature");
    std::memcpy(out_signature, s.data(), s.size());
    *out_signature_len = s.size();
    if (out_key_id) {
      std::string hex = c::key_id_hex(id);
      std::memcpy(out_key_id, hex.c_str(), hex.size() + 1);
    }
    return CIV_OK;
  });
}

int civ_crypto_verify(civ_ctx* ctx, const char* department, size_t department_len, const uint8_t* msg, size_t msg_len,
                      const uint8_t* signature, size_t signature_len) {
  return guard([&] {
    require(signature, "signature");
    if (!msg && msg_len) throw Error(Code::invalid_argument, "msg is NULL");
    auto& w = ws_of(ctx);
    std::string_view dept = view(department, department_len, "department");
    c::Signature s{};
    bool ok = signature_len == s.size();
    if (ok) std::memcpy(s.data(), signature, s.size());
    // The department's keys are looked up even for a signature of the wrong length, so that an
    // unknown department is CIV_EUNKNOWNKEY either way.
    if (!w.verify(dept, msg, msg_len, s) || !ok)
      throw Error(Code::bad_signature, signature_len == s.size() ? "the signature does not verify"
                                                                  : "the signature has the wrong length (" +
                                                                        std::to_string(signature_len) + " bytes)");
    return CIV_OK;
  });
}

int civ_crypto_seal(uint8_t** out, size_t* out_len, civ_ctx* ctx, const char* department, size_t department_len,
                    const uint8_t* msg, size_t msg_len) {
  return bytes_op(out, out_len, [&] {
    if (!msg && msg_len) throw Error(Code::invalid_argument, "msg is NULL");
    return ws_of(ctx).seal_to(view(department, department_len, "department"), msg, msg_len);
  });
}

int civ_crypto_unseal(uint8_t** out, size_t* out_len, civ_ctx* ctx, const uint8_t* box, size_t box_len) {
  return bytes_op(out, out_len, [&] {
    if (!box && box_len) throw Error(Code::invalid_argument, "box is NULL");
    return ws_of(ctx).unseal(box, box_len);
  });
}

}  // extern "C"
