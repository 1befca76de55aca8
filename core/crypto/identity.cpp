// Identity keys: keyed, non-reversible pseudonyms of canonical identifiers, per domain.
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
  crypto_generichash_state keyed{};  // BLAKE2b-256 keyed with the domain subkey, nothing absorbed yet
  char prefix[21] = {};              // "ik1:" + 16 hex + ":"
  ids::Options opts;
  ~State() { sodium_memzero(&keyed, sizeof keyed); }
};

IdentityKeyer::IdentityKeyer(const Key& key, std::string_view domain) : s_(std::make_unique<State>()) {
  init();
  if (key.purpose != Purpose::identity || key.secret.size() != 32)
    throw Error(Code::invalid_argument, "identity keys need an identity key");
  if (domain.empty()) throw Error(Code::invalid_argument, "an identity-key domain must not be empty");
  SecretBytes sub(32);
  crypto_generichash_state st;
  crypto_generichash_init(&st, key.secret.data(), key.secret.size(), 32);
  crypto_generichash_update(&st, reinterpret_cast<const unsigned char*>(kDomainLabel), sizeof kDomainLabel - 1);
  crypto_generichash_update(&st, reinterpret_cast<const unsigned char*>(domain.data()), domain.size());
  crypto_generichash_final(&st, sub.data(), 32);
  crypto_generichash_init(&s_->keyed, sub.data(), sub.size(), 32);
  std::string p = "ik1:" + key.id_hex() + ":";
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
  crypto_generichash_state st = s_->keyed;
  unsigned char k = static_cast<unsigned char>(kind);
  unsigned char h[32];
  crypto_generichash_update(&st, &k, 1);
  crypto_generichash_update(&st, reinterpret_cast<const unsigned char*>(canon.data()), canon.size());
  crypto_generichash_final(&st, h, sizeof h);
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
