// civitas::crypto — secure memory, the keyring model and the primitives every other module
// uses to protect data: field encryption (XChaCha20-Poly1305), deterministic tokens
// (AES-256-SIV, RFC 5297), identity keys (keyed BLAKE2b pseudonyms), Ed25519 signatures and
// sealed boxes to X25519 keys. Formats: docs/formats/{field-ciphertext,token,identity-key}.md.
//
// Secrets live only in SecretBytes (sodium_malloc'd, locked, wiped on release) and never
// appear in error messages. Tag and MAC comparisons are constant-time (inside libsodium and
// OpenSSL). Every function is thread-safe; a Keyring is immutable once shared.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "civitas/ids.hpp"

namespace civitas::crypto {

/// Initialises libsodium (idempotent, thread-safe). Every entry point calls it; call it
/// early to fail fast.
void init();

/// A secret in sodium_malloc'd memory: guarded, mlock'ed, zeroed when released. Move-only;
/// never printed. size() may be 0 (then no memory is held).
class SecretBytes {
 public:
  SecretBytes() noexcept = default;
  explicit SecretBytes(std::size_t n);  ///< n zero bytes; throws out_of_memory
  SecretBytes(const void* p, std::size_t n);
  ~SecretBytes();
  SecretBytes(SecretBytes&& o) noexcept;
  SecretBytes& operator=(SecretBytes&& o) noexcept;
  SecretBytes(const SecretBytes&) = delete;
  SecretBytes& operator=(const SecretBytes&) = delete;

  static SecretBytes random(std::size_t n);
  SecretBytes clone() const { return SecretBytes(data_, size_); }

  unsigned char* data() noexcept { return data_; }
  const unsigned char* data() const noexcept { return data_; }
  std::size_t size() const noexcept { return size_; }
  bool empty() const noexcept { return size_ == 0; }
  /// Constant-time equality.
  bool equals(const SecretBytes& o) const noexcept;

 private:
  unsigned char* data_ = nullptr;
  std::size_t size_ = 0;
};

/// Derives a subkey of a 32-byte key with libsodium crypto_kdf (BLAKE2b):
/// crypto_kdf_derive_from_key(out, n, id, context, key). context is exactly 8 characters.
SecretBytes derive_subkey(const SecretBytes& key, std::uint64_t id, std::string_view context8,
                          std::size_t n = 32);

// ---- encoding helpers ------------------------------------------------------------------

std::string to_hex(const void* p, std::size_t n);
/// Throws Error(parse) on odd length or non-hex characters. Not for secrets (see hex_secret).
std::vector<std::uint8_t> from_hex(std::string_view hex);
/// Parses hex into secure memory (sodium_hex2bin); throws Error(invalid_argument) with no
/// part of the input in the message.
SecretBytes secret_from_hex(std::string_view hex, std::size_t expected_bytes);
/// RFC 4648 §5 base64url without padding.
std::string base64url(const void* p, std::size_t n);
/// Decodes base64url without padding; throws Error(parse) naming the offending offset.
std::vector<std::uint8_t> from_base64url(std::string_view s);
/// RFC 4648 §4 base64 with padding (JSON documents).
std::string base64(const void* p, std::size_t n);
std::vector<std::uint8_t> from_base64(std::string_view s);

// ---- keys -------------------------------------------------------------------------------

/// 8-byte key identifier; text form: 16 lowercase hex digits.
using KeyId = std::array<std::uint8_t, 8>;
std::string key_id_hex(const KeyId& id);
KeyId key_id_from_hex(std::string_view hex);  ///< throws Error(parse)

/// What a key is for. Pinned values (C ABI CIV_PURPOSE_*).
enum class Purpose : int { field = 1, token = 2, identity = 3, signing = 4, exchange = 5 };
/// Key life cycle. primary: used for new work; active: still decrypts/verifies; retired:
/// still decrypts/verifies but never becomes primary again; destroyed: secret erased.
enum class Status : int { primary = 1, active = 2, retired = 3, destroyed = 4 };

const char* purpose_name(Purpose p) noexcept;   ///< "field", "token", "identity", "signing", "exchange"
Purpose purpose_from_name(std::string_view s);  ///< throws Error(invalid_argument)
const char* status_name(Status s) noexcept;     ///< "primary", "active", "retired", "destroyed"
Status status_from_name(std::string_view s);
/// Algorithm of a purpose: "xchacha20poly1305", "aes256siv", "blake2b-ik1", "ed25519", "x25519".
const char* algorithm_of(Purpose p) noexcept;
/// Secret length of a purpose: 32, 64, 32, 64 (libsodium seed||pk), 32.
std::size_t secret_size(Purpose p) noexcept;

struct Key {
  KeyId id{};
  Purpose purpose = Purpose::field;
  std::string algorithm;
  std::int64_t created = 0;              ///< Unix seconds
  Status status = Status::active;
  std::vector<std::uint8_t> public_key;  ///< signing and exchange keys: 32 bytes
  SecretBytes secret;                    ///< empty when destroyed

  std::string id_hex() const { return key_id_hex(id); }
};

/// A fresh random key of a purpose (id derived from it, created = now, status active).
Key generate_key(Purpose p);
/// A key from existing secret material (for shared identity-key secrets and unwrapping).
/// Throws Error(invalid_argument) when the length is wrong.
Key key_from_secret(Purpose p, SecretBytes secret, std::int64_t created = 0);
/// Key id: symmetric keys BLAKE2b-64(key = secret, "civitas key id v1"); signing and
/// exchange keys BLAKE2b-64("civitas key id v1" || public key). See docs/crypto.md.
KeyId compute_key_id(Purpose p, const SecretBytes& secret, const std::vector<std::uint8_t>& pk);

/// An immutable set of keys, shared between threads through shared_ptr<const Keyring>.
class Keyring {
 public:
  void add(Key k);
  /// The key with this id, or nullptr.
  const Key* find(const KeyId& id) const noexcept;
  /// The primary key of a purpose; throws Error(not_found) when there is none.
  const Key& primary(Purpose p) const;
  /// The key with this id that has this purpose and a secret; throws Error(unknown_key)
  /// ("key <id> is not in the keyring") or Error(denied) (destroyed).
  const Key& usable(const KeyId& id, Purpose p) const;
  const std::map<KeyId, Key>& all() const noexcept { return keys_; }

 private:
  std::map<KeyId, Key> keys_;
};

// ---- wrapping (keyring keys at rest, workspace header) ----------------------------------

/// XChaCha20-Poly1305 of a secret under a 32-byte wrapping key: nonce(24) || ct || tag(16).
std::vector<std::uint8_t> wrap(const SecretBytes& wrap_key, const SecretBytes& secret,
                               std::string_view ad);
/// Throws Error(wrong_key) when the tag does not verify (wrong key or tampered).
SecretBytes unwrap(const SecretBytes& wrap_key, const std::uint8_t* p, std::size_t n,
                   std::string_view ad);

// ---- field encryption (docs/formats/field-ciphertext.md) ---------------------------------

/// Associated data of a field value: which resource, field and record it belongs to.
struct FieldContext {
  std::string_view resource;
  std::string_view field;
  std::string_view record;
};

inline constexpr std::uint8_t kFieldVersion = 1;
inline constexpr std::size_t kFieldHeader = 1 + 8 + 24;  ///< version, key id, nonce
inline constexpr std::size_t kFieldOverhead = kFieldHeader + 16;

/// Encrypts one value with a field key. Output: plaintext size + kFieldOverhead bytes.
std::vector<std::uint8_t> field_encrypt(const Key& key, std::string_view plaintext,
                                        const FieldContext& ctx);
/// Decrypts one value; the key is picked from the keyring by the id in the ciphertext.
/// Errors: truncated (shorter than the overhead), unsupported_version, unknown_key,
/// integrity (wrong associated data, wrong key, tampered).
std::string field_decrypt(const Keyring& ring, const std::uint8_t* ct, std::size_t n,
                          const FieldContext& ctx);
/// The key id a field ciphertext names; throws truncated / unsupported_version.
KeyId field_key_id(const std::uint8_t* ct, std::size_t n);

/// A column in Arrow layout: value i is data[offsets[i] .. offsets[i+1]).
struct ColumnView {
  const std::uint8_t* data = nullptr;
  const std::uint64_t* offsets = nullptr;  ///< n + 1 entries, non-decreasing
  std::size_t n = 0;
  std::string_view at(std::size_t i) const {
    return {reinterpret_cast<const char*>(data) + offsets[i], static_cast<std::size_t>(offsets[i + 1] - offsets[i])};
  }
};
/// Throws Error(invalid_argument) naming the index when offsets decrease or data is NULL.
void check_column(const ColumnView& c, const char* name);

struct Column {
  std::vector<std::uint8_t> data;
  std::vector<std::uint64_t> offsets;  ///< n + 1 entries
  std::size_t size() const noexcept { return offsets.empty() ? 0 : offsets.size() - 1; }
  std::string_view at(std::size_t i) const {
    return {reinterpret_cast<const char*>(data.data()) + offsets[i], static_cast<std::size_t>(offsets[i + 1] - offsets[i])};
  }
  static Column from(const std::vector<std::string>& values);
  ColumnView view() const { return {data.data(), offsets.data(), size()}; }
};

/// Encrypts a column: one nonce per value, all drawn in one call per block of values; no
/// allocation per value. records, when non-null, gives the record id of each value (same n).
void field_encrypt_column(const Key& key, std::string_view resource, std::string_view field,
                          const ColumnView& values, const ColumnView* records, Column& out);
/// Decrypts a column. A bad value throws Error with Location{row = index + 1, field}.
void field_decrypt_column(const Keyring& ring, std::string_view resource, std::string_view field,
                          const ColumnView& cts, const ColumnView* records, Column& out);

// ---- deterministic tokens (docs/formats/token.md) ----------------------------------------

inline constexpr std::uint8_t kTokenVersion = 1;
inline constexpr std::size_t kTokenOverhead = 1 + 8 + 16;

/// AES-256-SIV (RFC 5297) with associated data ["civitas token v1", header, domain]. Equal
/// (key, domain, plaintext) give equal tokens.
std::vector<std::uint8_t> token_encode(const Key& key, std::string_view plaintext,
                                       std::string_view domain = {});
/// Errors as field_decrypt.
std::string token_decode(const Keyring& ring, const std::uint8_t* tok, std::size_t n,
                         std::string_view domain = {});

// ---- identity keys (docs/formats/identity-key.md) ----------------------------------------

/// Derives keyed pseudonyms of identifiers for one domain: "ik1:<key id>:<base64url 32 bytes>".
/// The identifier is normalised and validated by civitas::ids first (legacy 15-digit RIC is
/// upgraded); an invalid one throws Error(invalid_data) with the reason.
class IdentityKeyer {
 public:
  IdentityKeyer(const Key& key, std::string_view domain);
  ~IdentityKeyer();
  IdentityKeyer(const IdentityKeyer&) = delete;
  IdentityKeyer& operator=(const IdentityKeyer&) = delete;

  std::string key(ids::Kind kind, std::string_view identifier) const;
  /// Writes the 64-character text form into out[64]; returns the ids reason (ok on success,
  /// then out is filled; otherwise out is untouched). No allocation.
  ids::Reason key_into(ids::Kind kind, std::string_view identifier, char* out) const noexcept;
  static constexpr std::size_t kTextSize = 64;

 private:
  struct State;
  std::unique_ptr<State> s_;
};

// ---- signatures and sealed boxes ----------------------------------------------------------

using Signature = std::array<std::uint8_t, 64>;
Signature sign(const Key& signing_key, const void* msg, std::size_t n);
/// Constant-time verification; false for any mismatch.
[[nodiscard]] bool verify(const std::uint8_t* public_key32, const void* msg, std::size_t n,
                          const Signature& sig) noexcept;

/// Sealed box to an X25519 public key: version(1) || recipient key id(8) || crypto_box_seal.
std::vector<std::uint8_t> seal(const std::uint8_t* recipient_pk32, const void* msg, std::size_t n);
/// Opens a sealed box with the exchange key it names. Errors: truncated, unsupported_version,
/// not_recipient (names a key not in the ring), integrity.
std::string unseal(const Keyring& ring, const std::uint8_t* box, std::size_t n);

}  // namespace civitas::crypto
