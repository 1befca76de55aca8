// Detached Ed25519 signatures and sealed boxes to X25519 keys (libsodium).
#include <sodium.h>

#include <cstring>

#include "civitas/crypto.hpp"
#include "civitas/error.hpp"

namespace civitas::crypto {

Signature sign(const Key& k, const void* msg, std::size_t n) {
  init();
  if (k.purpose != Purpose::signing || k.secret.size() != crypto_sign_SECRETKEYBYTES)
    throw Error(Code::invalid_argument, "signing needs a signing key");
  Signature s{};
  crypto_sign_detached(s.data(), nullptr, static_cast<const unsigned char*>(msg), n, k.secret.data());
  return s;
}

bool verify(const std::uint8_t* pk, const void* msg, std::size_t n, const Signature& sig) noexcept {
  if (sodium_init() < 0 || !pk || (!msg && n)) return false;
  return crypto_sign_verify_detached(sig.data(), static_cast<const unsigned char*>(msg), n, pk) == 0;
}

std::vector<std::uint8_t> seal(const std::uint8_t* pk, const void* msg, std::size_t n) {
  init();
  if (!pk) throw Error(Code::invalid_argument, "recipient public key must not be NULL");
  std::vector<std::uint8_t> pkv(pk, pk + crypto_box_PUBLICKEYBYTES);
  KeyId id = compute_key_id(Purpose::exchange, SecretBytes(), pkv);
  std::vector<std::uint8_t> out(9 + crypto_box_SEALBYTES + n);
  out[0] = 1;
  std::memcpy(out.data() + 1, id.data(), 8);
  if (crypto_box_seal(out.data() + 9, static_cast<const unsigned char*>(msg), n, pk) != 0)
    throw Error(Code::invalid_argument, "not a usable X25519 public key");
  return out;
}

std::string unseal(const Keyring& ring, const std::uint8_t* box, std::size_t n) {
  init();
  if (!box || n < 9 + crypto_box_SEALBYTES) throw Error(Code::truncated, "sealed box is too short");
  if (box[0] != 1) throw Error(Code::unsupported_version, "sealed box version " + std::to_string(box[0]) + " is not supported");
  KeyId id;
  std::memcpy(id.data(), box + 1, 8);
  const Key* k = ring.find(id);
  if (!k || k->purpose != Purpose::exchange)
    throw Error(Code::not_recipient, "sealed box is for exchange key " + key_id_hex(id) + ", which this keyring does not hold");
  const Key& key = ring.usable(id, Purpose::exchange);
  std::string out(n - 9 - crypto_box_SEALBYTES, '\0');
  if (crypto_box_seal_open(reinterpret_cast<unsigned char*>(out.data()), box + 9, n - 9, key.public_key.data(),
                           key.secret.data()) != 0)
    throw Error(Code::integrity, "sealed box does not open (tampered)");
  return out;
}

}  // namespace civitas::crypto
