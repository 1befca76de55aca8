// The keyring model: purposes, statuses, key ids, generation and wrapping.
#include <sodium.h>

#include <chrono>
#include <cstring>

#include "civitas/crypto.hpp"
#include "civitas/error.hpp"

namespace civitas::crypto {

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
    case Purpose::checkpoint: return "checkpoint";
    case Purpose::user_signing: return "user-signing";
    case Purpose::user_sealing: return "user-sealing";
  }
  return "unknown";
}

bool signs(Purpose p) noexcept {
  return p == Purpose::signing || p == Purpose::checkpoint || p == Purpose::user_signing;
}

bool seals(Purpose p) noexcept { return p == Purpose::exchange || p == Purpose::user_sealing; }

Purpose primitive_of(Purpose p) noexcept {
  if (signs(p)) return Purpose::signing;
  if (seals(p)) return Purpose::exchange;
  return p;
}

Purpose purpose_from_name(std::string_view s) {
  for (int i = 1; i <= kPurposeCount; ++i)
    if (s == purpose_name(static_cast<Purpose>(i))) return static_cast<Purpose>(i);
  throw Error(Code::invalid_argument, "unknown key purpose '" + std::string(s) +
                                          "' (field, token, identity, signing, exchange, checkpoint, user-signing, "
                                          "user-sealing)");
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

const char* algorithm_of(Purpose p) noexcept { return default_suite().algorithm(p); }

std::size_t secret_size(Purpose p) noexcept { return default_suite().secret_size(p); }

KeyId compute_key_id(Purpose p, const SecretBytes& secret, const std::vector<std::uint8_t>& pk) {
  return default_suite().key_id(p, secret, pk);
}

static std::int64_t now_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

Key key_from_secret(Purpose p, SecretBytes secret, std::int64_t created, const Suite& su) {
  init();
  if (secret.size() != su.secret_size(p))
    throw Error(Code::invalid_argument, std::string("a ") + purpose_name(p) + " key is " +
                                            std::to_string(su.secret_size(p)) + " bytes");
  Key k;
  k.purpose = p;
  k.algorithm = su.algorithm(p);
  k.created = created ? created : now_seconds();
  k.public_key = su.public_key(p, secret);
  k.id = su.key_id(p, secret, k.public_key);
  k.secret = std::move(secret);
  return k;
}

Key key_from_secret(Purpose p, SecretBytes secret, std::int64_t created) {
  return key_from_secret(p, std::move(secret), created, default_suite());
}

Key generate_key(Purpose p, const Suite& su) { return key_from_secret(p, su.generate_secret(p), 0, su); }

Key generate_key(Purpose p) { return generate_key(p, default_suite()); }

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

// Key wrapping uses the default suite's AEAD; the formats that hold wrapped keys (workspace
// header version 1, keyring rows) name it through their version (docs/formats/workspace.md).
std::vector<std::uint8_t> wrap(const SecretBytes& wrap_key, const SecretBytes& secret, std::string_view ad) {
  init();
  const Suite& su = default_suite();
  if (wrap_key.size() != su.aead_key_size()) throw Error(Code::internal, "wrapping key has the wrong size");
  const std::size_t nb = su.aead_nonce_size();
  std::vector<std::uint8_t> out(nb + secret.size() + su.aead_tag_size());
  randombytes_buf(out.data(), nb);
  su.aead_seal(wrap_key.data(), out.data(), ad.data(), ad.size(), secret.data(), secret.size(), out.data() + nb);
  return out;
}

SecretBytes unwrap(const SecretBytes& wrap_key, const std::uint8_t* p, std::size_t n, std::string_view ad) {
  init();
  const Suite& su = default_suite();
  const std::size_t nb = su.aead_nonce_size(), tb = su.aead_tag_size();
  if (wrap_key.size() != su.aead_key_size()) throw Error(Code::internal, "wrapping key has the wrong size");
  if (!p || n < nb + tb) throw Error(Code::integrity, "wrapped key is truncated");
  SecretBytes out(n - nb - tb);
  if (!su.aead_open(wrap_key.data(), p, ad.data(), ad.size(), p + nb, n - nb, out.data()))
    throw Error(Code::wrong_key, "wrong key, or not a civitas workspace (a wrapped key does not open)");
  return out;
}

}  // namespace civitas::crypto
