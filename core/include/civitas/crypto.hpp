// civitas::crypto — secure memory, the keyring model and the primitives every other module
// uses to protect data, chosen through one cipher-suite interface (Suite, docs/crypto.md#suites).
// Suite 1: field encryption (XChaCha20-Poly1305), deterministic tokens (AES-256-SIV, RFC 5297),
// identity keys (keyed BLAKE2b pseudonyms), Ed25519 signatures and sealed boxes to X25519 keys.
// Formats: docs/formats/{field-ciphertext,token,identity-key}.md.
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

/// 8-byte key identifier; text form: 16 lowercase hex digits.
using KeyId = std::array<std::uint8_t, 8>;
std::string key_id_hex(const KeyId& id);
KeyId key_id_from_hex(std::string_view hex);  ///< throws Error(parse)

/// What a key is for. Pinned values (C ABI CIV_PURPOSE_*). Each protocol has keys of its own
/// purpose, so that no operation's output is valid in another (docs/crypto.md, "Key
/// separation"): `signing` signs packages and key documents, `exchange` opens package file
/// keys and identity-secret shares, `checkpoint` signs audit checkpoints only, and
/// `user_signing` / `user_sealing` serve the general-purpose sign/verify and seal/unseal.
enum class Purpose : int {
  field = 1,
  token = 2,
  identity = 3,
  signing = 4,
  exchange = 5,
  checkpoint = 6,    ///< "checkpoint": Ed25519, audit checkpoints only
  user_signing = 7,  ///< "user-signing": Ed25519, general-purpose sign/verify
  user_sealing = 8,  ///< "user-sealing": X25519, general-purpose seal/unseal
};
inline constexpr int kPurposeCount = 8;
/// The purposes whose keys sign (signing, checkpoint, user_signing): Ed25519 in suite 1.
bool signs(Purpose p) noexcept;
/// The purposes whose keys open sealed boxes (exchange, user_sealing): X25519 in suite 1.
bool seals(Purpose p) noexcept;
/// The primitive a purpose's keys use: signing for every signing purpose, exchange for every
/// sealing purpose, the purpose itself otherwise. Suites implement the primitives of these
/// five; key sizes, algorithms and key ids of the others are those of their primitive.
Purpose primitive_of(Purpose p) noexcept;

// ---- cipher suites (docs/crypto.md#suites) ----------------------------------------------

/// Identifies a cipher suite. Pinned values, carried (directly or through a format byte) by
/// every format that holds a signature, a sealed key, a hash or ciphertext.
using SuiteId = std::uint8_t;
/// Suite 1: Ed25519, X25519 sealed boxes, XChaCha20-Poly1305, AES-256-SIV, BLAKE2b, SHA-256
/// (libsodium and OpenSSL 3).
inline constexpr SuiteId kSuite1 = 1;

/// One set of primitives. Every module chooses its primitives through a Suite looked up by
/// the id or algorithm name its format carries; a second suite (e.g. SM2/SM3/SM4) is a second
/// implementation of this interface registered in core/crypto/suite.cpp, with its own format
/// bytes, and needs no change in any caller. Calls are per value, per key or per segment
/// (virtual), never per byte. Implementations are stateless and thread-safe.
class Suite {
 public:
  virtual ~Suite() = default;
  virtual SuiteId id() const noexcept = 0;
  virtual const char* name() const noexcept = 0;  ///< e.g. "civitas-suite-1"

  // -- how the formats name this suite
  /// Algorithm of a purpose, as keyring rows, peer rows and key documents store it.
  virtual const char* algorithm(Purpose p) const noexcept = 0;
  /// First byte of field ciphertexts, tokens and sealed boxes made with this suite.
  virtual std::uint8_t field_format() const noexcept = 0;
  virtual std::uint8_t token_format() const noexcept = 0;
  virtual std::uint8_t box_format() const noexcept = 0;
  /// Prefix of identity keys' text form ("ik1"); exactly 3 characters.
  virtual const char* identity_prefix() const noexcept = 0;
  /// C2SP signed-note signature type of its signing keys (0x01 for Ed25519).
  virtual std::uint8_t note_key_type() const noexcept = 0;

  // -- keys
  virtual std::size_t secret_size(Purpose p) const noexcept = 0;
  virtual std::size_t public_key_size(Purpose p) const noexcept = 0;  ///< 0 for symmetric keys
  virtual SecretBytes generate_secret(Purpose p) const = 0;
  /// Public key of a signing or exchange secret (empty for symmetric purposes).
  virtual std::vector<std::uint8_t> public_key(Purpose p, const SecretBytes& secret) const = 0;
  virtual KeyId key_id(Purpose p, const SecretBytes& secret, const std::vector<std::uint8_t>& pk) const = 0;
  /// Subkey of a key_size()-byte key: id and an 8-character context separate subkeys.
  virtual SecretBytes kdf(const SecretBytes& key, std::uint64_t id, std::string_view context8, std::size_t n) const = 0;

  // -- hash (package segments and digests; the audit tree stays SHA-256 per RFC 9162)
  virtual std::size_t hash_size() const noexcept = 0;
  virtual void hash(const void* m, std::size_t n, std::uint8_t* out) const noexcept = 0;

  // -- AEAD with a random nonce (field values, wrapped keys)
  virtual std::size_t aead_key_size() const noexcept = 0;
  virtual std::size_t aead_nonce_size() const noexcept = 0;
  virtual std::size_t aead_tag_size() const noexcept = 0;
  /// Writes n + aead_tag_size() bytes (ciphertext then tag) to out.
  virtual void aead_seal(const std::uint8_t* key, const std::uint8_t* nonce, const void* ad, std::size_t adn,
                         const void* m, std::size_t n, std::uint8_t* out) const noexcept = 0;
  /// Opens cn bytes (ciphertext then tag) into out[cn - tag]; false when the tag does not verify.
  [[nodiscard]] virtual bool aead_open(const std::uint8_t* key, const std::uint8_t* nonce, const void* ad,
                                       std::size_t adn, const std::uint8_t* c, std::size_t cn,
                                       std::uint8_t* out) const noexcept = 0;

  // -- deterministic AEAD (tokens): synthetic IV of siv_size() bytes, then ciphertext of n bytes
  virtual std::size_t daead_key_size() const noexcept = 0;
  virtual std::size_t siv_size() const noexcept = 0;
  virtual void daead_seal(const SecretBytes& key, const void* ad, std::size_t adn, const void* m, std::size_t n,
                          std::uint8_t* siv, std::uint8_t* c) const = 0;
  [[nodiscard]] virtual bool daead_open(const SecretBytes& key, const void* ad, std::size_t adn, const std::uint8_t* siv,
                                        const std::uint8_t* c, std::size_t n, std::uint8_t* out) const = 0;

  // -- keyed hash, a PRF with a 32-byte output (identity keys)
  class Prf {
   public:
    virtual ~Prf() = default;
    /// PRF(key, a || b) into out[32].
    virtual void compute(const void* a, std::size_t an, const void* b, std::size_t bn, std::uint8_t* out) const noexcept = 0;
  };
  virtual std::unique_ptr<Prf> prf(const std::uint8_t* key, std::size_t n) const = 0;

  // -- signatures
  virtual std::size_t signature_size() const noexcept = 0;  ///< maximum size
  /// Signs with a signing secret; returns the signature size written to sig[signature_size()].
  virtual std::size_t sign(const SecretBytes& secret, const void* m, std::size_t n, std::uint8_t* sig) const = 0;
  [[nodiscard]] virtual bool verify(const std::uint8_t* pk, std::size_t pkn, const void* m, std::size_t n,
                                    const std::uint8_t* sig, std::size_t sign) const noexcept = 0;

  // -- anonymous public-key encryption (sealed boxes, package file keys)
  virtual std::size_t seal_overhead() const noexcept = 0;
  /// Writes n + seal_overhead() bytes; throws Error(invalid_argument) for an unusable key.
  virtual void seal(const std::uint8_t* pk, std::size_t pkn, const void* m, std::size_t n, std::uint8_t* out) const = 0;
  /// Opens n bytes into out[n - seal_overhead()]; false when the box does not open.
  [[nodiscard]] virtual bool unseal(const std::uint8_t* pk, const SecretBytes& secret, const std::uint8_t* box,
                                    std::size_t n, std::uint8_t* out) const noexcept = 0;
};

/// The suite with this id; throws Error(unsupported_version) for an unknown one (never guesses).
const Suite& suite(SuiteId id);
/// The suite with this id, or nullptr.
const Suite* find_suite(SuiteId id) noexcept;
/// The suite new keys and new data use (suite 1).
const Suite& default_suite() noexcept;
/// The suite whose algorithm for purpose p is `algorithm` (keyring rows, peer keys, key
/// documents); throws Error(unsupported_version) naming the algorithm when none is.
const Suite& suite_of_algorithm(Purpose p, std::string_view algorithm);
/// The suite a field ciphertext / token / sealed box format byte names; throws
/// Error(unsupported_version) ("<what> version N is not supported").
const Suite& suite_of_field_format(std::uint8_t b);
const Suite& suite_of_token_format(std::uint8_t b);
const Suite& suite_of_box_format(std::uint8_t b);

// ---- keys -------------------------------------------------------------------------------

/// Key life cycle. primary: used for new work; active: still decrypts/verifies; retired:
/// still decrypts/verifies but never becomes primary again; destroyed: secret erased.
enum class Status : int { primary = 1, active = 2, retired = 3, destroyed = 4 };

/// "field", "token", "identity", "signing", "exchange", "checkpoint", "user-signing", "user-sealing"
const char* purpose_name(Purpose p) noexcept;
Purpose purpose_from_name(std::string_view s);  ///< throws Error(invalid_argument)
const char* status_name(Status s) noexcept;     ///< "primary", "active", "retired", "destroyed"
Status status_from_name(std::string_view s);
/// Algorithm of a purpose in the default suite: "xchacha20poly1305", "aes256siv",
/// "blake2b-ik1", "ed25519", "x25519".
const char* algorithm_of(Purpose p) noexcept;
/// Secret length of a purpose in the default suite: 32, 64, 32, 64 (libsodium seed||pk), 32.
std::size_t secret_size(Purpose p) noexcept;

struct Key {
  KeyId id{};
  Purpose purpose = Purpose::field;
  std::string algorithm;                 ///< names the key's suite (Suite::algorithm)
  std::int64_t created = 0;              ///< Unix seconds
  Status status = Status::active;
  std::vector<std::uint8_t> public_key;  ///< signing and exchange keys: 32 bytes
  SecretBytes secret;                    ///< empty when destroyed

  std::string id_hex() const { return key_id_hex(id); }
};

/// A fresh random key of a purpose (id derived from it, created = now, status active), of
/// the default suite or of the given one.
Key generate_key(Purpose p);
Key generate_key(Purpose p, const Suite& s);
/// A key from existing secret material (for shared identity-key secrets and unwrapping).
/// Throws Error(invalid_argument) when the length is wrong.
Key key_from_secret(Purpose p, SecretBytes secret, std::int64_t created = 0);
Key key_from_secret(Purpose p, SecretBytes secret, std::int64_t created, const Suite& s);
/// The suite of a key (by its algorithm); throws Error(unsupported_version) for an unknown one.
const Suite& suite_of(const Key& k);
/// Key id (default suite): symmetric keys BLAKE2b-64(key = secret, "civitas key id v1");
/// signing and exchange keys BLAKE2b-64("civitas key id v1" || public key). See docs/crypto.md.
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

/// Format byte and sizes of suite-1 field ciphertexts (other suites: Suite::field_format and
/// their AEAD's nonce and tag sizes).
inline constexpr std::uint8_t kFieldVersion = 1;
inline constexpr std::size_t kFieldHeader = 1 + 8 + 24;  ///< format byte, key id, nonce
inline constexpr std::size_t kFieldOverhead = kFieldHeader + 16;

/// Encrypts one value with a field key, with the AEAD of the key's suite. Output: plaintext
/// size + kFieldOverhead bytes (suite 1). A key of an unknown algorithm: unsupported_version.
std::vector<std::uint8_t> field_encrypt(const Key& key, std::string_view plaintext,
                                        const FieldContext& ctx);
/// Decrypts one value; the key is picked from the keyring by the id in the ciphertext.
/// Errors: truncated (shorter than the overhead), unsupported_version (a format byte or key
/// algorithm no suite provides), unknown_key, integrity (wrong associated data, wrong key,
/// tampered, a key of another suite than the format byte names).
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

/// Format byte and overhead of suite-1 tokens.
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

/// A suite-1 (Ed25519) signature. Suites with other sizes use sign_bytes / Suite::verify.
using Signature = std::array<std::uint8_t, 64>;
/// Signs with a suite-1 key of a signing purpose (signs(); Error(invalid_argument) for another key).
/// Callers choose the key of their protocol: nothing here decides what a signature means.
Signature sign(const Key& signing_key, const void* msg, std::size_t n);
/// Signs with a signing key of any suite; the signature's size is the suite's.
std::vector<std::uint8_t> sign_bytes(const Key& signing_key, const void* msg, std::size_t n);
/// Constant-time verification with a suite-1 (Ed25519) public key; false for any mismatch.
[[nodiscard]] bool verify(const std::uint8_t* public_key32, const void* msg, std::size_t n,
                          const Signature& sig) noexcept;

/// Sealed box to an X25519 public key (suite 1): format byte (1) || recipient key id(8) ||
/// crypto_box_seal. The format byte names the suite (Suite::box_format).
std::vector<std::uint8_t> seal(const std::uint8_t* recipient_pk32, const void* msg, std::size_t n);
/// Sealed box to an exchange public key of the given suite.
std::vector<std::uint8_t> seal(const Suite& s, const std::uint8_t* recipient_pk, std::size_t pkn, const void* msg,
                               std::size_t n);
/// Opens a sealed box with the key of purpose `p` (exchange or user_sealing) it names; a box
/// naming a key of another purpose is not opened. Errors: truncated, unsupported_version,
/// not_recipient (names a key of that purpose not in the ring), denied (destroyed), integrity.
std::string unseal(const Keyring& ring, const std::uint8_t* box, std::size_t n, Purpose p = Purpose::exchange);

// ---- Shamir secret sharing over GF(2^8) (issue 18, key escrow; docs/formats/escrow-share.md) ----

/// One share of a secret: its x coordinate (1..255, public) and one byte per byte of the
/// secret, y[i] = f_i(x) where f_i is the random polynomial of degree threshold-1 whose
/// constant term is byte i of the secret. Arithmetic in GF(2^8) modulo x^8+x^4+x^3+x+1
/// (0x11b, the AES field), branch-free and without tables indexed by secret bytes.
struct ShamirShare {
  std::uint8_t x = 0;
  SecretBytes y;
};

/// Splits `secret` (1..4096 bytes) into `shares` shares (x = 1..shares), any `threshold` of
/// which rebuild it, fewer revealing nothing about it. 1 <= threshold <= shares <= 255.
/// Coefficients come from libsodium's randombytes. Error(invalid_argument) otherwise.
std::vector<ShamirShare> shamir_split(const SecretBytes& secret, unsigned shares, unsigned threshold);
/// The same with the caller's coefficients: (threshold-1) * secret.size() bytes, byte
/// j*(threshold-1) + (d-1) being the coefficient of x^d of the polynomial of secret byte j.
/// For test vectors only; real splits use shamir_split.
std::vector<ShamirShare> shamir_split_with(const SecretBytes& secret, unsigned shares, unsigned threshold,
                                           const SecretBytes& coefficients);
/// The value at `x` of the polynomials of lowest degree through all the given shares
/// (Lagrange interpolation); x = 0 is the secret when at least threshold shares of one split
/// are given. Error(invalid_argument): no share, x = 0 or repeated in the shares, shares of
/// different lengths.
SecretBytes shamir_interpolate(const std::vector<ShamirShare>& shares, std::uint8_t x);
/// shamir_interpolate(shares, 0): the secret.
SecretBytes shamir_combine(const std::vector<ShamirShare>& shares);
/// GF(2^8) product and inverse (inverse of 0 is 0), constant time; exposed for tests.
std::uint8_t gf256_mul(std::uint8_t a, std::uint8_t b) noexcept;
std::uint8_t gf256_inv(std::uint8_t a) noexcept;

}  // namespace civitas::crypto
