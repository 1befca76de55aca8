// Field encryption: the AEAD of the key's suite (suite 1: XChaCha20-Poly1305) with associated
// data (resource, field, record id). Format: docs/formats/field-ciphertext.md. The suite is
// looked up once per call (per column for the column functions); each value costs one
// virtual AEAD call, never one per byte.
#include <sodium.h>

#include <cstring>
#include <optional>

#include "civitas/crypto.hpp"
#include "civitas/error.hpp"

namespace civitas::crypto {
namespace {

constexpr char kLabel[] = "civitas field v1";  // 16 bytes, first part of the associated data
constexpr std::size_t kMaxNonce = 32;  // largest nonce of any suite (suite 1: 24)
constexpr std::size_t kBlock = 4096;   // values per randombytes_buf call in column encryption
static_assert(kFieldHeader == 1 + 8 + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
static_assert(kFieldOverhead == kFieldHeader + crypto_aead_xchacha20poly1305_ietf_ABYTES);

// Sizes of a field ciphertext under one suite.
struct Layout {
  const Suite* su;
  std::uint8_t format;
  std::size_t nonce, header, overhead;
  explicit Layout(const Suite& s)
      : su(&s), format(s.field_format()), nonce(s.aead_nonce_size()), header(1 + 8 + nonce),
        overhead(header + s.aead_tag_size()) {
    if (nonce > kMaxNonce) throw Error(Code::internal, "suite nonce longer than 32 bytes");
  }
};

// The suite a ciphertext names; truncated when shorter than that suite's overhead.
Layout layout_of(const std::uint8_t* ct, std::size_t n) {
  if (!ct || n < 1)
    throw Error(Code::truncated, "field ciphertext is shorter than its " + std::to_string(kFieldOverhead) + "-byte overhead");
  Layout l(suite_of_field_format(ct[0]));
  if (n < l.overhead)
    throw Error(Code::truncated, "field ciphertext is shorter than its " + std::to_string(l.overhead) + "-byte overhead");
  return l;
}

void put_len(std::string& ad, std::size_t n) {
  if (n > 0xFFFFFFFFu) throw Error(Code::invalid_argument, "associated data element longer than 4 GiB");
  unsigned char b[4] = {static_cast<unsigned char>(n >> 24), static_cast<unsigned char>(n >> 16),
                        static_cast<unsigned char>(n >> 8), static_cast<unsigned char>(n)};
  ad.append(reinterpret_cast<const char*>(b), 4);
}

// label || version || key id || len(resource) resource || len(field) field   (record follows)
std::string ad_prefix(std::uint8_t format, const KeyId& id, std::string_view resource, std::string_view field) {
  std::string ad;
  ad.reserve(64 + resource.size() + field.size());
  ad.append(kLabel, sizeof kLabel - 1);
  ad.push_back(static_cast<char>(format));
  ad.append(reinterpret_cast<const char*>(id.data()), id.size());
  put_len(ad, resource.size());
  ad.append(resource);
  put_len(ad, field.size());
  ad.append(field);
  return ad;
}

void set_record(std::string& ad, std::size_t prefix_len, std::string_view record) {
  ad.resize(prefix_len);
  put_len(ad, record.size());
  ad.append(record);
}

// The layout of a field key's suite; invalid_argument when it is not a usable field key.
Layout check_field_key(const Key& key) {
  if (key.purpose != Purpose::field) throw Error(Code::invalid_argument, "field encryption needs a field key");
  Layout l(suite_of(key));
  if (key.secret.size() != l.su->aead_key_size()) throw Error(Code::invalid_argument, "field encryption needs a field key");
  return l;
}

// Encrypts m into out (m.size() + overhead bytes) with the given nonce.
inline void seal_one(const Layout& l, const Key& key, const std::string& ad, std::string_view m,
                     const unsigned char* nonce, unsigned char* out) {
  out[0] = l.format;
  std::memcpy(out + 1, key.id.data(), 8);
  std::memcpy(out + 9, nonce, l.nonce);
  l.su->aead_seal(key.secret.data(), out + 9, ad.data(), ad.size(), m.data(), m.size(), out + l.header);
}

// The key a ciphertext names, checked to belong to the suite the ciphertext names.
const Key& key_for(const Keyring& ring, const Layout& l, const KeyId& id) {
  const Key& key = ring.usable(id, Purpose::field);
  if (&suite_of(key) != l.su)
    throw Error(Code::integrity, "field ciphertext names key " + key_id_hex(id) + " of another algorithm (" +
                                     key.algorithm + ")");
  return key;
}

// Decrypts into out (n - overhead bytes). Returns false when the tag does not verify.
inline bool open_one(const Layout& l, const Key& key, const std::string& ad, const std::uint8_t* ct, std::size_t n,
                     unsigned char* out) {
  return l.su->aead_open(key.secret.data(), ct + 9, ad.data(), ad.size(), ct + l.header, n - l.header, out);
}

}  // namespace

KeyId field_key_id(const std::uint8_t* ct, std::size_t n) {
  layout_of(ct, n);
  KeyId id;
  std::memcpy(id.data(), ct + 1, 8);
  return id;
}

std::vector<std::uint8_t> field_encrypt(const Key& key, std::string_view plaintext, const FieldContext& ctx) {
  init();
  const Layout l = check_field_key(key);
  std::string ad = ad_prefix(l.format, key.id, ctx.resource, ctx.field);
  set_record(ad, ad.size(), ctx.record);
  unsigned char nonce[kMaxNonce];
  randombytes_buf(nonce, l.nonce);
  std::vector<std::uint8_t> out(plaintext.size() + l.overhead);
  seal_one(l, key, ad, plaintext, nonce, out.data());
  return out;
}

std::string field_decrypt(const Keyring& ring, const std::uint8_t* ct, std::size_t n, const FieldContext& ctx) {
  init();
  const Layout l = layout_of(ct, n);
  const Key& key = key_for(ring, l, field_key_id(ct, n));
  std::string ad = ad_prefix(l.format, key.id, ctx.resource, ctx.field);
  set_record(ad, ad.size(), ctx.record);
  std::string out(n - l.overhead, '\0');
  if (!open_one(l, key, ad, ct, n, reinterpret_cast<unsigned char*>(out.data())))
    throw Error(Code::integrity,
                "field ciphertext does not verify (wrong resource/field/record, wrong key, or tampered)");
  return out;
}

void check_column(const ColumnView& c, const char* name) {
  if (c.n == 0) return;
  if (!c.offsets) throw Error(Code::invalid_argument, std::string(name) + ": offsets must not be NULL");
  for (std::size_t i = 0; i < c.n; ++i)
    if (c.offsets[i + 1] < c.offsets[i])
      throw Error(Code::invalid_argument, std::string(name) + ": offsets decrease at index " + std::to_string(i + 1));
  if (c.offsets[c.n] > c.offsets[0] && !c.data)
    throw Error(Code::invalid_argument, std::string(name) + ": data must not be NULL");
}

Column Column::from(const std::vector<std::string>& values) {
  Column c;
  c.offsets.reserve(values.size() + 1);
  c.offsets.push_back(0);
  std::size_t total = 0;
  for (const auto& v : values) total += v.size();
  c.data.reserve(total);
  for (const auto& v : values) {
    c.data.insert(c.data.end(), v.begin(), v.end());
    c.offsets.push_back(c.data.size());
  }
  return c;
}

void field_encrypt_column(const Key& key, std::string_view resource, std::string_view field, const ColumnView& values,
                          const ColumnView* records, Column& out) {
  init();
  const Layout l = check_field_key(key);
  check_column(values, "values");
  if (records) {
    check_column(*records, "records");
    if (records->n != values.n) throw Error(Code::invalid_argument, "records must have one id per value");
  }
  const std::size_t n = values.n;
  const std::uint64_t in_bytes = n ? values.offsets[n] - values.offsets[0] : 0;
  out.data.resize(in_bytes + n * l.overhead);
  out.offsets.resize(n + 1);
  out.offsets[0] = 0;
  std::string ad = ad_prefix(l.format, key.id, resource, field);
  const std::size_t prefix = ad.size();
  ad.reserve(prefix + 4 + 64);
  set_record(ad, prefix, {});
  unsigned char nonces[kBlock * kMaxNonce];
  std::uint64_t pos = 0;
  for (std::size_t b = 0; b < n; b += kBlock) {
    const std::size_t m = n - b < kBlock ? n - b : kBlock;
    randombytes_buf(nonces, m * l.nonce);  // one call for the whole block
    for (std::size_t j = 0; j < m; ++j) {
      const std::size_t i = b + j;
      if (records) set_record(ad, prefix, records->at(i));
      std::string_view v = values.at(i);
      seal_one(l, key, ad, v, nonces + j * l.nonce, out.data.data() + pos);
      pos += v.size() + l.overhead;
      out.offsets[i + 1] = pos;
    }
  }
  sodium_memzero(nonces, sizeof nonces);
}

void field_decrypt_column(const Keyring& ring, std::string_view resource, std::string_view field, const ColumnView& cts,
                          const ColumnView* records, Column& out) {
  init();
  check_column(cts, "ciphertexts");
  if (records) {
    check_column(*records, "records");
    if (records->n != cts.n) throw Error(Code::invalid_argument, "records must have one id per value");
  }
  const std::size_t n = cts.n;
  auto at_row = [&](std::size_t i) {
    Location at;
    at.row = i + 1;
    at.field = std::string(field);
    return at;
  };
  // First pass: the suite and size of every value (the layout is looked up again only when
  // the format byte changes from one value to the next).
  std::uint64_t total = 0;
  std::optional<Layout> l;
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint8_t* ct = cts.data + cts.offsets[i];
    const std::uint64_t len = cts.offsets[i + 1] - cts.offsets[i];
    try {
      if (!l || len < 1 || ct[0] != l->format) l.emplace(layout_of(ct, len));
      if (len < l->overhead) layout_of(ct, len);  // throws truncated
    } catch (const Error& e) {
      throw Error(e.code(), e.what(), at_row(i));
    }
    total += len - l->overhead;
  }
  out.data.resize(total);
  out.offsets.resize(n + 1);
  out.offsets[0] = 0;
  const Key* key = nullptr;
  std::string ad;
  std::size_t prefix = 0;
  std::uint64_t pos = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint8_t* ct = cts.data + cts.offsets[i];
    const std::size_t len = cts.offsets[i + 1] - cts.offsets[i];
    try {
      if (ct[0] != l->format) l.emplace(layout_of(ct, len));
      KeyId id;
      std::memcpy(id.data(), ct + 1, 8);
      if (!key || key->id != id || ad[sizeof kLabel - 1] != static_cast<char>(l->format)) {
        key = &key_for(ring, *l, id);
        ad = ad_prefix(l->format, key->id, resource, field);
        prefix = ad.size();
      }
      set_record(ad, prefix, records ? records->at(i) : std::string_view());
      if (!open_one(*l, *key, ad, ct, len, out.data.data() + pos))
        throw Error(Code::integrity,
                    "field ciphertext does not verify (wrong resource/field/record, wrong key, or tampered)");
    } catch (const Error& e) {
      sodium_memzero(out.data.data(), out.data.size());  // never hand back a partial column
      out.data.clear();
      out.offsets.clear();
      throw Error(e.code(), e.what(), at_row(i));
    }
    pos += len - l->overhead;
    out.offsets[i + 1] = pos;
  }
}

}  // namespace civitas::crypto
