// Field encryption: XChaCha20-Poly1305 with associated data (resource, field, record id).
// Format: docs/formats/field-ciphertext.md.
#include <sodium.h>

#include <cstring>

#include "civitas/crypto.hpp"
#include "civitas/error.hpp"

namespace civitas::crypto {
namespace {

constexpr char kLabel[] = "civitas field v1";  // 16 bytes, first part of the associated data
constexpr std::size_t kNonce = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
[[maybe_unused]] constexpr std::size_t kTag = crypto_aead_xchacha20poly1305_ietf_ABYTES;
constexpr std::size_t kBlock = 4096;  // values per randombytes_buf call in column encryption
static_assert(kFieldHeader == 1 + 8 + kNonce);

void put_len(std::string& ad, std::size_t n) {
  if (n > 0xFFFFFFFFu) throw Error(Code::invalid_argument, "associated data element longer than 4 GiB");
  unsigned char b[4] = {static_cast<unsigned char>(n >> 24), static_cast<unsigned char>(n >> 16),
                        static_cast<unsigned char>(n >> 8), static_cast<unsigned char>(n)};
  ad.append(reinterpret_cast<const char*>(b), 4);
}

// label || version || key id || len(resource) resource || len(field) field   (record follows)
std::string ad_prefix(const KeyId& id, std::string_view resource, std::string_view field) {
  std::string ad;
  ad.reserve(64 + resource.size() + field.size());
  ad.append(kLabel, sizeof kLabel - 1);
  ad.push_back(static_cast<char>(kFieldVersion));
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

void check_field_key(const Key& key) {
  if (key.purpose != Purpose::field || key.secret.size() != crypto_aead_xchacha20poly1305_ietf_KEYBYTES)
    throw Error(Code::invalid_argument, "field encryption needs a field key");
}

// Encrypts m into out (m.size() + kFieldOverhead bytes) with the given nonce.
inline void seal_one(const Key& key, const std::string& ad, std::string_view m, const unsigned char* nonce,
                     unsigned char* out) {
  out[0] = kFieldVersion;
  std::memcpy(out + 1, key.id.data(), 8);
  std::memcpy(out + 9, nonce, kNonce);
  unsigned long long clen = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(out + kFieldHeader, &clen, reinterpret_cast<const unsigned char*>(m.data()),
                                             m.size(), reinterpret_cast<const unsigned char*>(ad.data()), ad.size(),
                                             nullptr, out + 9, key.secret.data());
}

const Key& key_for(const Keyring& ring, const std::uint8_t* ct, std::size_t n) {
  return ring.usable(field_key_id(ct, n), Purpose::field);
}

// Decrypts into out (n - overhead bytes). Returns false when the tag does not verify.
inline bool open_one(const Key& key, const std::string& ad, const std::uint8_t* ct, std::size_t n, unsigned char* out) {
  unsigned long long mlen = 0;
  return crypto_aead_xchacha20poly1305_ietf_decrypt(out, &mlen, nullptr, ct + kFieldHeader, n - kFieldHeader,
                                                    reinterpret_cast<const unsigned char*>(ad.data()), ad.size(), ct + 9,
                                                    key.secret.data()) == 0;
}

}  // namespace

KeyId field_key_id(const std::uint8_t* ct, std::size_t n) {
  if (!ct || n < kFieldOverhead)
    throw Error(Code::truncated, "field ciphertext is shorter than its " + std::to_string(kFieldOverhead) + "-byte overhead");
  if (ct[0] != kFieldVersion)
    throw Error(Code::unsupported_version, "field ciphertext version " + std::to_string(ct[0]) + " is not supported (expected 1)");
  KeyId id;
  std::memcpy(id.data(), ct + 1, 8);
  return id;
}

std::vector<std::uint8_t> field_encrypt(const Key& key, std::string_view plaintext, const FieldContext& ctx) {
  init();
  check_field_key(key);
  std::string ad = ad_prefix(key.id, ctx.resource, ctx.field);
  set_record(ad, ad.size(), ctx.record);
  unsigned char nonce[kNonce];
  randombytes_buf(nonce, sizeof nonce);
  std::vector<std::uint8_t> out(plaintext.size() + kFieldOverhead);
  seal_one(key, ad, plaintext, nonce, out.data());
  return out;
}

std::string field_decrypt(const Keyring& ring, const std::uint8_t* ct, std::size_t n, const FieldContext& ctx) {
  init();
  const Key& key = key_for(ring, ct, n);
  std::string ad = ad_prefix(key.id, ctx.resource, ctx.field);
  set_record(ad, ad.size(), ctx.record);
  std::string out(n - kFieldOverhead, '\0');
  if (!open_one(key, ad, ct, n, reinterpret_cast<unsigned char*>(out.data())))
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
  check_field_key(key);
  check_column(values, "values");
  if (records) {
    check_column(*records, "records");
    if (records->n != values.n) throw Error(Code::invalid_argument, "records must have one id per value");
  }
  const std::size_t n = values.n;
  const std::uint64_t in_bytes = n ? values.offsets[n] - values.offsets[0] : 0;
  out.data.resize(in_bytes + n * kFieldOverhead);
  out.offsets.resize(n + 1);
  out.offsets[0] = 0;
  std::string ad = ad_prefix(key.id, resource, field);
  const std::size_t prefix = ad.size();
  ad.reserve(prefix + 4 + 64);
  set_record(ad, prefix, {});
  unsigned char nonces[kBlock * kNonce];
  std::uint64_t pos = 0;
  for (std::size_t b = 0; b < n; b += kBlock) {
    const std::size_t m = n - b < kBlock ? n - b : kBlock;
    randombytes_buf(nonces, m * kNonce);  // one call for the whole block
    for (std::size_t j = 0; j < m; ++j) {
      const std::size_t i = b + j;
      if (records) set_record(ad, prefix, records->at(i));
      std::string_view v = values.at(i);
      seal_one(key, ad, v, nonces + j * kNonce, out.data.data() + pos);
      pos += v.size() + kFieldOverhead;
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
  std::uint64_t total = 0;
  for (std::size_t i = 0; i < n; ++i) {
    std::uint64_t len = cts.offsets[i + 1] - cts.offsets[i];
    if (len < kFieldOverhead) {
      Location at;
      at.row = i + 1;
      at.field = std::string(field);
      throw Error(Code::truncated, "field ciphertext is shorter than its overhead", at);
    }
    total += len - kFieldOverhead;
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
      KeyId id = field_key_id(ct, len);
      if (!key || key->id != id) {
        key = &ring.usable(id, Purpose::field);
        ad = ad_prefix(key->id, resource, field);
        prefix = ad.size();
      }
      set_record(ad, prefix, records ? records->at(i) : std::string_view());
      if (!open_one(*key, ad, ct, len, out.data.data() + pos))
        throw Error(Code::integrity,
                    "field ciphertext does not verify (wrong resource/field/record, wrong key, or tampered)");
    } catch (const Error& e) {
      sodium_memzero(out.data.data(), out.data.size());  // never hand back a partial column
      out.data.clear();
      out.offsets.clear();
      Location at;
      at.row = i + 1;
      at.field = std::string(field);
      throw Error(e.code(), e.what(), at);
    }
    pos += len - kFieldOverhead;
    out.offsets[i + 1] = pos;
  }
}

}  // namespace civitas::crypto
