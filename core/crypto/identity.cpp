// Identity keys: keyed, non-reversible pseudonyms of canonical identifiers, per domain, with
// the keyed hash (PRF) of the key's suite (suite 1: keyed BLAKE2b-256, text prefix "ik1").
// Format: docs/formats/identity-key.md.
#include <sodium.h>

#include <cstring>

#include "civitas/crypto.hpp"
#include "civitas/error.hpp"

namespace civitas::crypto {
namespace {
constexpr char kDomainLabel[] = "civitas ik domain v1";
}

struct IdentityKeyer::State {
  std::unique_ptr<Suite::Prf> keyed;  // the suite's PRF keyed with the domain subkey
  char prefix[21] = {};               // "ik1:" + 16 hex + ":"
  ids::Options opts;
};

IdentityKeyer::IdentityKeyer(const Key& key, std::string_view domain) : s_(std::make_unique<State>()) {
  init();
  if (key.purpose != Purpose::identity) throw Error(Code::invalid_argument, "identity keys need an identity key");
  const Suite& su = suite_of(key);
  if (key.secret.size() != su.secret_size(Purpose::identity))
    throw Error(Code::invalid_argument, "identity keys need an identity key");
  if (domain.empty()) throw Error(Code::invalid_argument, "an identity-key domain must not be empty");
  SecretBytes sub(32);
  su.prf(key.secret.data(), key.secret.size())->compute(kDomainLabel, sizeof kDomainLabel - 1, domain.data(),
                                                         domain.size(), sub.data());
  s_->keyed = su.prf(sub.data(), sub.size());
  std::string p = std::string(su.identity_prefix()) + ":" + key.id_hex() + ":";
  if (p.size() != 21) throw Error(Code::internal, "identity-key prefix must be 3 characters");
  std::memcpy(s_->prefix, p.data(), 21);
  s_->opts.today = ids::today();
}

IdentityKeyer::~IdentityKeyer() = default;

ids::Reason IdentityKeyer::key_into(ids::Kind kind, std::string_view identifier, char* out) const noexcept {
  char buf[64];
  std::size_t n = ids::normalize(identifier, buf, sizeof buf);
  if (n == SIZE_MAX) return ids::Reason::charset;
  std::string_view canon(buf, n);
  ids::Reason r = ids::check(kind, canon, s_->opts);
  if (r != ids::Reason::ok) return r;
  std::string upgraded;
  if (kind == ids::Kind::ric && n == 15) {
    try {
      upgraded = ids::ric_upgrade(canon);
    } catch (...) {
      return ids::Reason::length;
    }
    canon = upgraded;
  }
  unsigned char k = static_cast<unsigned char>(kind);
  unsigned char h[32];
  s_->keyed->compute(&k, 1, canon.data(), canon.size(), h);
  char b64[sodium_base64_ENCODED_LEN(32, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
  sodium_bin2base64(b64, sizeof b64, h, sizeof h, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  std::memcpy(out, s_->prefix, 21);
  std::memcpy(out + 21, b64, 43);
  return ids::Reason::ok;
}

std::string IdentityKeyer::key(ids::Kind kind, std::string_view identifier) const {
  std::string out(kTextSize, '\0');
  ids::Reason r = key_into(kind, identifier, out.data());
  if (r != ids::Reason::ok)
    throw Error(Code::invalid_data, std::string("not a valid ") + ids::kind_name(kind) + " (" + ids::reason_name(r) +
                                        "); identity keys are derived only from valid identifiers");
  return out;
}

}  // namespace civitas::crypto
