#include <cstdlib>
#include <cstring>

#include "civitas/crypto.hpp"
#include "ctx.hpp"

using civitas::Code;
using civitas::Error;
using namespace civitas::capi;
namespace c = civitas::crypto;
namespace ids = civitas::ids;

namespace {

c::FieldContext to_ctx(const civ_field_context* ad) {
  if (!ad) return {};
  if (ad->version != CIV_FIELD_CONTEXT_VERSION)
    throw Error(Code::invalid_argument, "civ_field_context.version must be CIV_FIELD_CONTEXT_VERSION");
  return {view(ad->resource, ad->resource_len, "resource"), view(ad->field, ad->field_len, "field"),
          view(ad->record, ad->record_len, "record")};
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
int column_op(uint8_t** out_data, uint64_t** out_offsets, civ_ctx* ctx, const char* resource, size_t resource_len,
              const char* field, size_t field_len, const uint8_t* data, const uint64_t* offsets, size_t count,
              const uint8_t* record_data, const uint64_t* record_offsets, Fn&& fn) {
  return guard([&] {
    require(out_data, "out_data");
    require(out_offsets, "out_offsets");
    auto& w = ws_of(ctx);
    c::ColumnView v = column(data, offsets, count, "values");
    c::ColumnView r;
    if (record_offsets) r = column(record_data, record_offsets, count, "records");
    c::Column out;
    fn(w, view(resource, resource_len, "resource"), view(field, field_len, "field"), v, record_offsets ? &r : nullptr, out);
    hand_out(out, out_data, out_offsets);
    return CIV_OK;
  });
}

}  // namespace

extern "C" {

int civ_field_context_init(civ_field_context* ctx, unsigned version) {
  return guard([&] {
    require(ctx, "ctx");
    if (version != CIV_FIELD_CONTEXT_VERSION) throw Error(Code::invalid_argument, "unsupported civ_field_context version");
    std::memset(ctx, 0, sizeof *ctx);
    ctx->version = version;
    return CIV_OK;
  });
}

int civ_field_encrypt(uint8_t** out, size_t* out_len, civ_ctx* ctx, const civ_field_context* ad, const char* pt,
                      size_t pt_len) {
  return bytes_op(out, out_len, [&] { return ws_of(ctx).encrypt_field(view(pt, pt_len, "plaintext"), to_ctx(ad)); });
}

int civ_field_decrypt(char** out, size_t* out_len, civ_ctx* ctx, const civ_field_context* ad, const uint8_t* ct,
                      size_t ct_len) {
  return bytes_op(out, out_len, [&] {
    if (!ct && ct_len) throw Error(Code::invalid_argument, "ciphertext is NULL");
    return ws_of(ctx).decrypt_field(ct, ct_len, to_ctx(ad));
  });
}

int civ_field_encrypt_column(uint8_t** out_data, uint64_t** out_offsets, civ_ctx* ctx, const char* resource,
                             size_t resource_len, const char* field, size_t field_len, const uint8_t* data,
                             const uint64_t* offsets, size_t count, const uint8_t* record_data,
                             const uint64_t* record_offsets) {
  return column_op(out_data, out_offsets, ctx, resource, resource_len, field, field_len, data, offsets, count,
                   record_data, record_offsets, [](auto& w, auto res, auto fld, auto& v, auto* r, auto& out) {
                     w.encrypt_column(res, fld, v, r, out);
                   });
}

int civ_field_decrypt_column(uint8_t** out_data, uint64_t** out_offsets, civ_ctx* ctx, const char* resource,
                             size_t resource_len, const char* field, size_t field_len, const uint8_t* data,
                             const uint64_t* offsets, size_t count, const uint8_t* record_data,
                             const uint64_t* record_offsets) {
  return column_op(out_data, out_offsets, ctx, resource, resource_len, field, field_len, data, offsets, count,
                   record_data, record_offsets, [](auto& w, auto res, auto fld, auto& v, auto* r, auto& out) {
                     w.decrypt_column(res, fld, v, r, out);
                   });
}

int civ_token_encode(uint8_t** out, size_t* out_len, civ_ctx* ctx, const char* domain, size_t domain_len,
                     const char* pt, size_t pt_len) {
  return bytes_op(out, out_len,
                  [&] { return ws_of(ctx).tokenize(view(pt, pt_len, "plaintext"), view(domain, domain_len, "domain")); });
}

int civ_token_decode(char** out, size_t* out_len, civ_ctx* ctx, const char* domain, size_t domain_len,
                     const uint8_t* tok, size_t tok_len) {
  return bytes_op(out, out_len, [&] {
    if (!tok && tok_len) throw Error(Code::invalid_argument, "token is NULL");
    return ws_of(ctx).detokenize(tok, tok_len, view(domain, domain_len, "domain"));
  });
}

int civ_identity_key(char* out, civ_ctx* ctx, int kind, const char* domain, size_t domain_len, const char* id,
                     size_t id_len) {
  return guard([&] {
    require(out, "out");
    std::string k = ws_of(ctx).identity_key(to_kind(kind), view(id, id_len, "identifier"), view(domain, domain_len, "domain"));
    std::memcpy(out, k.c_str(), k.size() + 1);
    return CIV_OK;
  });
}

int civ_identity_key_column(char** out, uint8_t* out_reasons, size_t* out_valid_count, civ_ctx* ctx, int kind,
                            const char* domain, size_t domain_len, const char* data, const uint64_t* offsets,
                            size_t count) {
  return guard([&] {
    require(out, "out");
    if (count) require(out_reasons, "out_reasons");
    ids::Kind k = to_kind(kind);
    auto keyer = ws_of(ctx).identity_keyer(view(domain, domain_len, "domain"));
    c::ColumnView v = column(reinterpret_cast<const uint8_t*>(data), offsets, count, "identifiers");
    char* buf = static_cast<char*>(std::calloc(count * CIV_IDENTITY_KEY_LEN + 1, 1));
    if (!buf) throw std::bad_alloc();
    size_t valid = 0;
    for (size_t i = 0; i < count; ++i) {
      ids::Reason r = keyer->key_into(k, v.at(i), buf + i * CIV_IDENTITY_KEY_LEN);
      out_reasons[i] = static_cast<uint8_t>(r);
      valid += r == ids::Reason::ok;
    }
    *out = buf;
    if (out_valid_count) *out_valid_count = valid;
    return CIV_OK;
  });
}

int civ_sign(uint8_t out_signature[64], char* out_key_id, civ_ctx* ctx, const uint8_t* msg, size_t msg_len) {
  return guard([&] {
    require(out_signature, "out_signature");
    if (!msg && msg_len) throw Error(Code::invalid_argument, "msg is NULL");
    c::KeyId id;
    c::Signature s = ws_of(ctx).sign(msg, msg_len, &id);
    std::memcpy(out_signature, s.data(), 64);
    if (out_key_id) std::memcpy(out_key_id, c::key_id_hex(id).c_str(), 17);
    return CIV_OK;
  });
}

int civ_verify(int* out_valid, civ_ctx* ctx, const char* department, size_t department_len, const uint8_t* msg,
               size_t msg_len, const uint8_t signature[64]) {
  return guard([&] {
    require(out_valid, "out_valid");
    require(signature, "signature");
    if (!msg && msg_len) throw Error(Code::invalid_argument, "msg is NULL");
    c::Signature s;
    std::memcpy(s.data(), signature, 64);
    *out_valid = ws_of(ctx).verify(view(department, department_len, "department"), msg, msg_len, s) ? 1 : 0;
    return CIV_OK;
  });
}

int civ_seal(uint8_t** out, size_t* out_len, civ_ctx* ctx, const char* department, size_t department_len,
             const uint8_t* msg, size_t msg_len) {
  return bytes_op(out, out_len, [&] {
    if (!msg && msg_len) throw Error(Code::invalid_argument, "msg is NULL");
    return ws_of(ctx).seal_to(view(department, department_len, "department"), msg, msg_len);
  });
}

int civ_unseal(uint8_t** out, size_t* out_len, civ_ctx* ctx, const uint8_t* box, size_t box_len) {
  return bytes_op(out, out_len, [&] {
    if (!box && box_len) throw Error(Code::invalid_argument, "box is NULL");
    return ws_of(ctx).unseal(box, box_len);
  });
}

}  // extern "C"
