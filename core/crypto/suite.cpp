// Cipher suites: suite 1 (libsodium and OpenSSL 3) and the registry every module looks suites
// up in. A second suite is a second Suite implementation added to kSuites below, with its own
// id, algorithm names and format bytes. docs/crypto.md#suites.
#include <openssl/evp.h>
#include <sodium.h>

#include <cstring>
#include <memory>

#include "civitas/crypto.hpp"
#include "civitas/error.hpp"

namespace civitas::crypto {
namespace {

constexpr char kKeyIdLabel[] = "civitas key id v1";

EVP_CIPHER* siv_cipher() {
  static EVP_CIPHER* c = EVP_CIPHER_fetch(nullptr, "AES-256-SIV", nullptr);
  if (!c) throw Error(Code::internal, "OpenSSL does not provide AES-256-SIV");
  return c;
}

struct CtxFree {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};
using Ctx = std::unique_ptr<EVP_CIPHER_CTX, CtxFree>;

// Keyed BLAKE2b-256 with the key absorbed once; compute() copies the state per value. The
// keyed state is as secret as the key (it is the identity keyer's domain subkey absorbed):
// it lives in locked, guarded, MADV_DONTDUMP memory (SecretBytes) and is wiped when freed.
class Blake2bPrf final : public Suite::Prf {
 public:
  Blake2bPrf(const std::uint8_t* key, std::size_t n) : mem_(sizeof(crypto_generichash_state)) {
    crypto_generichash_init(&keyed(), key, n, 32);
  }
  void compute(const void* a, std::size_t an, const void* b, std::size_t bn, std::uint8_t* out) const noexcept override {
    crypto_generichash_state st = keyed();
    crypto_generichash_update(&st, static_cast<const unsigned char*>(a), an);
    crypto_generichash_update(&st, static_cast<const unsigned char*>(b), bn);
    crypto_generichash_final(&st, out, 32);  // libsodium wipes the state's chaining value and buffer
    sodium_memzero(&st, sizeof st);
  }

 private:
  crypto_generichash_state& keyed() const { return *reinterpret_cast<crypto_generichash_state*>(mem_.data()); }
  mutable SecretBytes mem_;  // the keyed state; sodium_free wipes it
};

// Suite 1: Ed25519, X25519 sealed boxes (crypto_box_seal), XChaCha20-Poly1305 (IETF),
// AES-256-SIV (OpenSSL 3), BLAKE2b (key ids, KDF, identity keys), SHA-256.
class Suite1 final : public Suite {
 public:
  SuiteId id() const noexcept override { return kSuite1; }
  const char* name() const noexcept override { return "civitas-suite-1"; }

  const char* algorithm(Purpose p) const noexcept override {
    p = primitive_of(p);
    switch (p) {
      case Purpose::field: return "xchacha20poly1305";
      case Purpose::token: return "aes256siv";
      case Purpose::identity: return "blake2b-ik1";
      case Purpose::signing: return "ed25519";
      case Purpose::exchange: return "x25519";
      default: break;
    }
    return "unknown";
  }
  std::uint8_t field_format() const noexcept override { return 1; }
  std::uint8_t token_format() const noexcept override { return 1; }
  std::uint8_t box_format() const noexcept override { return 1; }
  const char* identity_prefix() const noexcept override { return "ik1"; }
  std::uint8_t note_key_type() const noexcept override { return 0x01; }

  std::size_t secret_size(Purpose p) const noexcept override {
    p = primitive_of(p);
    switch (p) {
      case Purpose::field: return crypto_aead_xchacha20poly1305_ietf_KEYBYTES;
      case Purpose::token: return 64;
      case Purpose::identity: return 32;
      case Purpose::signing: return crypto_sign_SECRETKEYBYTES;
      case Purpose::exchange: return crypto_box_SECRETKEYBYTES;
      default: break;
    }
    return 0;
  }
  std::size_t public_key_size(Purpose p) const noexcept override {
    p = primitive_of(p);
    if (p == Purpose::signing) return crypto_sign_PUBLICKEYBYTES;
    if (p == Purpose::exchange) return crypto_box_PUBLICKEYBYTES;
    return 0;
  }
  SecretBytes generate_secret(Purpose p) const override {
    p = primitive_of(p);
    init();
    if (p == Purpose::signing) {
      SecretBytes sk(crypto_sign_SECRETKEYBYTES);
      unsigned char pk[crypto_sign_PUBLICKEYBYTES];
      crypto_sign_keypair(pk, sk.data());
      return sk;
    }
    if (p == Purpose::exchange) {
      SecretBytes sk(crypto_box_SECRETKEYBYTES);
      unsigned char pk[crypto_box_PUBLICKEYBYTES];
      crypto_box_keypair(pk, sk.data());
      return sk;
    }
    return SecretBytes::random(secret_size(p));
  }
  std::vector<std::uint8_t> public_key(Purpose p, const SecretBytes& secret) const override {
    p = primitive_of(p);
    std::vector<std::uint8_t> pk;
    if (p == Purpose::signing) {
      pk.resize(crypto_sign_PUBLICKEYBYTES);
      crypto_sign_ed25519_sk_to_pk(pk.data(), secret.data());
    } else if (p == Purpose::exchange) {
      pk.resize(crypto_box_PUBLICKEYBYTES);
      crypto_scalarmult_base(pk.data(), secret.data());
    }
    return pk;
  }
  KeyId key_id(Purpose p, const SecretBytes& secret, const std::vector<std::uint8_t>& pk) const override {
    p = primitive_of(p);
    init();
    KeyId id;
    if (p == Purpose::signing || p == Purpose::exchange) {
      crypto_generichash_state st;
      crypto_generichash_init(&st, nullptr, 0, id.size());
      crypto_generichash_update(&st, reinterpret_cast<const unsigned char*>(kKeyIdLabel), sizeof kKeyIdLabel - 1);
      crypto_generichash_update(&st, pk.data(), pk.size());
      crypto_generichash_final(&st, id.data(), id.size());
    } else {
      crypto_generichash(id.data(), id.size(), reinterpret_cast<const unsigned char*>(kKeyIdLabel),
                         sizeof kKeyIdLabel - 1, secret.data(), secret.size());
    }
    return id;
  }
  SecretBytes kdf(const SecretBytes& key, std::uint64_t id, std::string_view context8, std::size_t n) const override {
    init();
    if (key.size() != crypto_kdf_KEYBYTES) throw Error(Code::invalid_argument, "subkey derivation needs a 32-byte key");
    if (context8.size() != crypto_kdf_CONTEXTBYTES) throw Error(Code::internal, "kdf context must be 8 characters");
    if (n < crypto_kdf_BYTES_MIN || n > crypto_kdf_BYTES_MAX) throw Error(Code::internal, "bad subkey length");
    SecretBytes out(n);
    char ctx[crypto_kdf_CONTEXTBYTES];
    std::memcpy(ctx, context8.data(), sizeof ctx);
    if (crypto_kdf_derive_from_key(out.data(), n, id, ctx, key.data()) != 0)
      throw Error(Code::internal, "subkey derivation failed");
    return out;
  }

  std::size_t hash_size() const noexcept override { return crypto_hash_sha256_BYTES; }
  void hash(const void* m, std::size_t n, std::uint8_t* out) const noexcept override {
    crypto_hash_sha256(out, static_cast<const unsigned char*>(m), n);
  }

  std::size_t aead_key_size() const noexcept override { return crypto_aead_xchacha20poly1305_ietf_KEYBYTES; }
  std::size_t aead_nonce_size() const noexcept override { return crypto_aead_xchacha20poly1305_ietf_NPUBBYTES; }
  std::size_t aead_tag_size() const noexcept override { return crypto_aead_xchacha20poly1305_ietf_ABYTES; }
  void aead_seal(const std::uint8_t* key, const std::uint8_t* nonce, const void* ad, std::size_t adn, const void* m,
                 std::size_t n, std::uint8_t* out) const noexcept override {
    unsigned long long clen = 0;
    crypto_aead_xchacha20poly1305_ietf_encrypt(out, &clen, static_cast<const unsigned char*>(m), n,
                                               static_cast<const unsigned char*>(ad), adn, nullptr, nonce, key);
  }
  bool aead_open(const std::uint8_t* key, const std::uint8_t* nonce, const void* ad, std::size_t adn,
                 const std::uint8_t* c, std::size_t cn, std::uint8_t* out) const noexcept override {
    unsigned long long mlen = 0;
    return crypto_aead_xchacha20poly1305_ietf_decrypt(out, &mlen, nullptr, c, cn, static_cast<const unsigned char*>(ad),
                                                      adn, nonce, key) == 0;
  }

  std::size_t daead_key_size() const noexcept override { return 64; }
  std::size_t siv_size() const noexcept override { return 16; }
  void daead_seal(const SecretBytes& key, const void* ad, std::size_t adn, const void* m, std::size_t n,
                  std::uint8_t* siv, std::uint8_t* c) const override {
    if (key.size() != 64 || n == 0 || n > (1u << 30) || adn > (1u << 30))
      throw Error(Code::internal, "AES-SIV: bad key or message size");
    Ctx ctx(EVP_CIPHER_CTX_new());
    int len = 0, len2 = 0;
    bool ok = ctx && EVP_EncryptInit_ex2(ctx.get(), siv_cipher(), key.data(), nullptr, nullptr) == 1 &&
              EVP_EncryptUpdate(ctx.get(), nullptr, &len, static_cast<const unsigned char*>(ad), static_cast<int>(adn)) == 1 &&
              EVP_EncryptUpdate(ctx.get(), c, &len, static_cast<const unsigned char*>(m), static_cast<int>(n)) == 1 &&
              EVP_EncryptFinal_ex(ctx.get(), c + len, &len2) == 1 &&
              EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_GET_TAG, 16, siv) == 1;
    if (!ok || static_cast<std::size_t>(len + len2) != n) throw Error(Code::internal, "AES-SIV encryption failed");
  }
  bool daead_open(const SecretBytes& key, const void* ad, std::size_t adn, const std::uint8_t* siv, const std::uint8_t* c,
                  std::size_t n, std::uint8_t* out) const override {
    if (key.size() != 64 || n == 0 || n > (1u << 30) || adn > (1u << 30)) return false;
    unsigned char tag[16];
    std::memcpy(tag, siv, 16);
    Ctx ctx(EVP_CIPHER_CTX_new());
    int len = 0, len2 = 0;
    return ctx && EVP_DecryptInit_ex2(ctx.get(), siv_cipher(), key.data(), nullptr, nullptr) == 1 &&
           EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_SET_TAG, 16, tag) == 1 &&
           EVP_DecryptUpdate(ctx.get(), nullptr, &len, static_cast<const unsigned char*>(ad), static_cast<int>(adn)) == 1 &&
           EVP_DecryptUpdate(ctx.get(), out, &len, c, static_cast<int>(n)) == 1 &&
           EVP_DecryptFinal_ex(ctx.get(), out + len, &len2) == 1 && static_cast<std::size_t>(len + len2) == n;
  }

  std::unique_ptr<Prf> prf(const std::uint8_t* key, std::size_t n) const override {
    init();
    if (n < crypto_generichash_KEYBYTES_MIN || n > crypto_generichash_KEYBYTES_MAX)
      throw Error(Code::internal, "BLAKE2b key must be 16..64 bytes");
    return std::make_unique<Blake2bPrf>(key, n);
  }

  std::size_t signature_size() const noexcept override { return crypto_sign_BYTES; }
  std::size_t sign(const SecretBytes& secret, const void* m, std::size_t n, std::uint8_t* sig) const override {
    init();
    if (secret.size() != crypto_sign_SECRETKEYBYTES) throw Error(Code::invalid_argument, "signing needs a signing key");
    crypto_sign_detached(sig, nullptr, static_cast<const unsigned char*>(m), n, secret.data());
    return crypto_sign_BYTES;
  }
  bool verify(const std::uint8_t* pk, std::size_t pkn, const void* m, std::size_t n, const std::uint8_t* sig,
              std::size_t sign) const noexcept override {
    if (sodium_init() < 0 || !pk || pkn != crypto_sign_PUBLICKEYBYTES || !sig || sign != crypto_sign_BYTES || (!m && n))
      return false;
    return crypto_sign_verify_detached(sig, static_cast<const unsigned char*>(m), n, pk) == 0;
  }

  std::size_t seal_overhead() const noexcept override { return crypto_box_SEALBYTES; }
  void seal(const std::uint8_t* pk, std::size_t pkn, const void* m, std::size_t n, std::uint8_t* out) const override {
    init();
    if (!pk || pkn != crypto_box_PUBLICKEYBYTES) throw Error(Code::invalid_argument, "an X25519 public key is 32 bytes");
    if (crypto_box_seal(out, static_cast<const unsigned char*>(m), n, pk) != 0)
      throw Error(Code::invalid_argument, "not a usable X25519 public key");
  }
  bool unseal(const std::uint8_t* pk, const SecretBytes& secret, const std::uint8_t* box, std::size_t n,
              std::uint8_t* out) const noexcept override {
    if (sodium_init() < 0 || !pk || secret.size() != crypto_box_SECRETKEYBYTES || n < crypto_box_SEALBYTES) return false;
    return crypto_box_seal_open(out, box, n, pk, secret.data()) == 0;
  }
};

const Suite1 kSuite1Impl;
// Every suite this build knows, by id. A second suite is added here and nowhere else.
const Suite* const kSuites[] = {&kSuite1Impl};

}  // namespace

const Suite* find_suite(SuiteId id) noexcept {
  for (const Suite* s : kSuites)
    if (s->id() == id) return s;
  return nullptr;
}

const Suite& suite(SuiteId id) {
  if (const Suite* s = find_suite(id)) return *s;
  throw Error(Code::unsupported_version, "cipher suite " + std::to_string(id) + " is not supported");
}

const Suite& default_suite() noexcept { return kSuite1Impl; }

const Suite& suite_of_algorithm(Purpose p, std::string_view algorithm) {
  for (const Suite* s : kSuites)
    if (algorithm == s->algorithm(p)) return *s;
  throw Error(Code::unsupported_version, std::string(purpose_name(p)) + " key algorithm '" + std::string(algorithm) +
                                             "' is not supported");
}

const Suite& suite_of_field_format(std::uint8_t b) {
  for (const Suite* s : kSuites)
    if (s->field_format() == b) return *s;
  throw Error(Code::unsupported_version, "field ciphertext version " + std::to_string(b) + " is not supported");
}

const Suite& suite_of_token_format(std::uint8_t b) {
  for (const Suite* s : kSuites)
    if (s->token_format() == b) return *s;
  throw Error(Code::unsupported_version, "token version " + std::to_string(b) + " is not supported");
}

const Suite& suite_of_box_format(std::uint8_t b) {
  for (const Suite* s : kSuites)
    if (s->box_format() == b) return *s;
  throw Error(Code::unsupported_version, "sealed box version " + std::to_string(b) + " is not supported");
}

const Suite& suite_of(const Key& k) { return suite_of_algorithm(k.purpose, k.algorithm); }

}  // namespace civitas::crypto
