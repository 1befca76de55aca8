// Detached signatures and sealed boxes, through the suite of the key (suite 1: Ed25519 and
// X25519 crypto_box_seal, libsodium).
#include <sodium.h>

#include <cstring>

#include "civitas/crypto.hpp"
#include "civitas/error.hpp"

namespace civitas::crypto {

namespace {
constexpr std::size_t kBoxHeader = 1 + 8;  // format byte, recipient key id
}

std::vector<std::uint8_t> sign_bytes(const Key& k, const void* msg, std::size_t n) {
  init();
  if (!signs(k.purpose)) throw Error(Code::invalid_argument, "signing needs a key of a signing purpose");
  const Suite& su = suite_of(k);
  std::vector<std::uint8_t> s(su.signature_size());
  s.resize(su.sign(k.secret, msg, n, s.data()));
  return s;
}

Signature sign(const Key& k, const void* msg, std::size_t n) {
  init();
  if (!signs(k.purpose)) throw Error(Code::invalid_argument, "signing needs a key of a signing purpose");
  const Suite& su = suite_of(k);
  if (su.signature_size() != std::tuple_size_v<Signature>)
    throw Error(Code::invalid_argument, std::string("a ") + su.algorithm(Purpose::signing) +
                                            " signature does not fit a 64-byte Signature; use sign_bytes");
  Signature s{};
  su.sign(k.secret, msg, n, s.data());
  return s;
}

bool verify(const std::uint8_t* pk, const void* msg, std::size_t n, const Signature& sig) noexcept {
  const Suite& su = default_suite();
  return su.verify(pk, su.public_key_size(Purpose::signing), msg, n, sig.data(), sig.size());
}

std::vector<std::uint8_t> seal(const Suite& su, const std::uint8_t* pk, std::size_t pkn, const void* msg, std::size_t n) {
  init();
  if (!pk) throw Error(Code::invalid_argument, "recipient public key must not be NULL");
  if (pkn != su.public_key_size(Purpose::exchange))
    throw Error(Code::invalid_argument, std::string("an ") + su.algorithm(Purpose::exchange) + " public key is " +
                                            std::to_string(su.public_key_size(Purpose::exchange)) + " bytes");
  std::vector<std::uint8_t> pkv(pk, pk + pkn);
  KeyId id = su.key_id(Purpose::exchange, SecretBytes(), pkv);
  std::vector<std::uint8_t> out(kBoxHeader + su.seal_overhead() + n);
  out[0] = su.box_format();
  std::memcpy(out.data() + 1, id.data(), 8);
  su.seal(pk, pkn, msg, n, out.data() + kBoxHeader);
  return out;
}

std::vector<std::uint8_t> seal(const std::uint8_t* pk, const void* msg, std::size_t n) {
  const Suite& su = default_suite();
  return seal(su, pk, su.public_key_size(Purpose::exchange), msg, n);
}

std::string unseal(const Keyring& ring, const std::uint8_t* box, std::size_t n, Purpose p) {
  init();
  if (!seals(p)) throw Error(Code::invalid_argument, "unsealing needs a key of a sealing purpose");
  if (!box || n < 1) throw Error(Code::truncated, "sealed box is too short");
  const Suite& su = suite_of_box_format(box[0]);  // unsupported_version for an unknown one
  if (n < kBoxHeader + su.seal_overhead()) throw Error(Code::truncated, "sealed box is too short");
  KeyId id;
  std::memcpy(id.data(), box + 1, 8);
  const Key* k = ring.find(id);
  if (!k || k->purpose != p)
    throw Error(Code::not_recipient, std::string("sealed box is for key ") + key_id_hex(id) + ", which this keyring does not hold as a " +
                                         purpose_name(p) + " key");
  const Key& key = ring.usable(id, p);
  if (&suite_of(key) != &su)
    throw Error(Code::integrity, std::string("sealed box names ") + purpose_name(p) + " key " + key_id_hex(id) +
                                     " of another algorithm (" + key.algorithm + ")");
  std::string out(n - kBoxHeader - su.seal_overhead(), '\0');
  if (!su.unseal(key.public_key.data(), key.secret, box + kBoxHeader, n - kBoxHeader,
                 reinterpret_cast<std::uint8_t*>(out.data())))
    throw Error(Code::integrity, "sealed box does not open (tampered)");
  return out;
}

}  // namespace civitas::crypto
