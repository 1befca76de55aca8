// The keyring model: purposes, statuses, key ids, generation and wrapping.
#include <sodium.h>

#include <chrono>
#include <cstring>

#include "civitas/crypto.hpp"
#include "civitas/error.hpp"

namespace civitas::crypto {

namespace {
constexpr char kKeyIdLabel[] = "civitas key id v1";
}

std::string key_id_hex(const KeyId& id) { return to_hex(id.data(), id.size()); }

KeyId key_id_from_hex(std::string_view hex) {
  if (hex.size() != 16) throw Error(Code::parse, "a key id is 16 hexadecimal characters");
  auto b = from_hex(hex);
  KeyId id;
  std::memcpy(id.data(), b.data(), id.size());
  return id;
}

const char* purpose_name(Purpose p) noexcept {
  switch (p) {
    case Purpose::field: return "field";
    case Purpose::token: return "token";
    case Purpose::identity: return "identity";
    case Purpose::signing: return "signing";
    case Purpose::exchange: return "exchange";
  }
  return "unknown";
}

Purpose purpose_from_name(std::string_view s) {
  for (int i = 1; i <= 5; ++i)
    if (s == purpose_name(static_cast<Purpose>(i))) return static_cast<Purpose>(i);
  throw Error(Code::invalid_argument,
              "unknown key purpose '" + std::string(s) + "' (field, token, identity, signing, exchange)");
}

const char* status_name(Status s) noexcept {
  switch (s) {
    case Status::primary: return "primary";
    case Status::active: return "active";
    case Status::retired: return "retired";
    case Status::destroyed: return "destroyed";
  }
  return "unknown";
}

Status status_from_name(std::string_view s) {
  for (int i = 1; i <= 4; ++i)
    if (s == status_name(static_cast<Status>(i))) return static_cast<Status>(i);
  throw Error(Code::parse, "unknown key status '" + std::string(s) + "'");
}

const char* algorithm_of(Purpose p) noexcept {
  switch (p) {
    case Purpose::field: return "xchacha20poly1305";
    case Purpose::token: return "aes256siv";
    case Purpose::identity: return "blake2b-ik1";
    case Purpose::signing: return "ed25519";
    case Purpose::exchange: return "x25519";
  }
  return "unknown";
}

std::size_t secret_size(Purpose p) noexcept {
  switch (p) {
    case Purpose::field: return crypto_aead_xchacha20poly1305_ietf_KEYBYTES;
    case Purpose::token: return 64;
    case Purpose::identity: return 32;
    case Purpose::signing: return crypto_sign_SECRETKEYBYTES;
    case Purpose::exchange: return crypto_box_SECRETKEYBYTES;
  }
  return 0;
}

KeyId compute_key_id(Purpose p, const SecretBytes& secret, const std::vector<std::uint8_t>& pk) {
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

static std::int64_t now_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

Key key_from_secret(Purpose p, SecretBytes secret, std::int64_t created) {
  init();
  if (secret.size() != secret_size(p))
    throw Error(Code::invalid_argument, std::string("a ") + purpose_name(p) + " key is " +
                                            std::to_string(secret_size(p)) + " bytes");
  Key k;
  k.purpose = p;
  k.algorithm = algorithm_of(p);
  k.created = created ? created : now_seconds();
  if (p == Purpose::signing) {
    k.public_key.resize(crypto_sign_PUBLICKEYBYTES);
    crypto_sign_ed25519_sk_to_pk(k.public_key.data(), secret.data());
  } else if (p == Purpose::exchange) {
    k.public_key.resize(crypto_box_PUBLICKEYBYTES);
    crypto_scalarmult_base(k.public_key.data(), secret.data());
  }
  k.id = compute_key_id(p, secret, k.public_key);
  k.secret = std::move(secret);
  return k;
}

Key generate_key(Purpose p) {
  init();
  if (p == Purpose::signing) {
    SecretBytes sk(crypto_sign_SECRETKEYBYTES);
    unsigned char pk[crypto_sign_PUBLICKEYBYTES];
    crypto_sign_keypair(pk, sk.data());
    return key_from_secret(p, std::move(sk));
  }
  if (p == Purpose::exchange) {
    SecretBytes sk(crypto_box_SECRETKEYBYTES);
    unsigned char pk[crypto_box_PUBLICKEYBYTES];
    crypto_box_keypair(pk, sk.data());
    return key_from_secret(p, std::move(sk));
  }
  return key_from_secret(p, SecretBytes::random(secret_size(p)));
}

// ---- Keyring -----------------------------------------------------------------------------

void Keyring::add(Key k) {
  KeyId id = k.id;
  keys_.insert_or_assign(id, std::move(k));
}

const Key* Keyring::find(const KeyId& id) const noexcept {
  auto it = keys_.find(id);
  return it == keys_.end() ? nullptr : &it->second;
}

const Key& Keyring::primary(Purpose p) const {
  for (const auto& [id, k] : keys_)
    if (k.purpose == p && k.status == Status::primary && !k.secret.empty()) return k;
  throw Error(Code::not_found, std::string("the keyring has no primary ") + purpose_name(p) + " key");
}

const Key& Keyring::usable(const KeyId& id, Purpose p) const {
  const Key* k = find(id);
  if (!k || k->purpose != p)
    throw Error(Code::unknown_key, std::string(purpose_name(p)) + " key " + key_id_hex(id) + " is not in the keyring");
  if (k->status == Status::destroyed || k->secret.empty())
    throw Error(Code::denied, std::string(purpose_name(p)) + " key " + key_id_hex(id) + " has been destroyed");
  return *k;
}

// ---- wrapping ------------------------------------------------------------------------------

std::vector<std::uint8_t> wrap(const SecretBytes& wrap_key, const SecretBytes& secret, std::string_view ad) {
  init();
  if (wrap_key.size() != crypto_aead_xchacha20poly1305_ietf_KEYBYTES)
    throw Error(Code::internal, "wrapping key must be 32 bytes");
  constexpr std::size_t nb = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
  std::vector<std::uint8_t> out(nb + secret.size() + crypto_aead_xchacha20poly1305_ietf_ABYTES);
  randombytes_buf(out.data(), nb);
  unsigned long long clen = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(out.data() + nb, &clen, secret.data(), secret.size(),
                                             reinterpret_cast<const unsigned char*>(ad.data()), ad.size(),
                                             nullptr, out.data(), wrap_key.data());
  return out;
}

SecretBytes unwrap(const SecretBytes& wrap_key, const std::uint8_t* p, std::size_t n, std::string_view ad) {
  init();
  constexpr std::size_t nb = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
  constexpr std::size_t tb = crypto_aead_xchacha20poly1305_ietf_ABYTES;
  if (wrap_key.size() != crypto_aead_xchacha20poly1305_ietf_KEYBYTES)
    throw Error(Code::internal, "wrapping key must be 32 bytes");
  if (n < nb + tb) throw Error(Code::integrity, "wrapped key is truncated");
  SecretBytes out(n - nb - tb);
  unsigned long long mlen = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(out.data(), &mlen, nullptr, p + nb, n - nb,
                                                 reinterpret_cast<const unsigned char*>(ad.data()), ad.size(), p,
                                                 wrap_key.data()) != 0)
    throw Error(Code::wrong_key, "wrong key, or not a civitas workspace (a wrapped key does not open)");
  return out;
}

}  // namespace civitas::crypto
