// Field encryption, tokens and identity keys with the workspace keyring. A ciphertext that
// names a key this process has not seen (another process rotated) triggers one refresh.
#include "civitas/error.hpp"
#include "civitas/workspace.hpp"
#include "impl.hpp"

namespace civitas::workspace {

namespace c = civitas::crypto;

namespace {
template <class Fn>
auto with_refresh(const Workspace& ws, Fn&& fn) {
  try {
    return fn(*ws.keyring());
  } catch (const Error& e) {
    if (e.code() != Code::unknown_key) throw;
  }
  const_cast<Workspace&>(ws).refresh();
  return fn(*ws.keyring());
}
}  // namespace

std::vector<std::uint8_t> Workspace::encrypt_field(std::string_view pt, const c::FieldContext& ctx) const {
  return c::field_encrypt(keyring()->primary(c::Purpose::field), pt, ctx);
}

std::string Workspace::decrypt_field(const std::uint8_t* ct, std::size_t n, const c::FieldContext& ctx) const {
  std::string pt = with_refresh(*this, [&](const c::Keyring& r) { return c::field_decrypt(r, ct, n, ctx); });
  impl_->audit("field.decrypt", ctx.resource, nlohmann::json{{"field", ctx.field}, {"values", 1}});  // audit (issue 4)
  return pt;
}

void Workspace::encrypt_column(std::string_view resource, std::string_view field, const c::ColumnView& values,
                               const c::ColumnView* records, c::Column& out) const {
  auto ring = keyring();
  c::field_encrypt_column(ring->primary(c::Purpose::field), resource, field, values, records, out);
}

void Workspace::decrypt_column(std::string_view resource, std::string_view field, const c::ColumnView& cts,
                               const c::ColumnView* records, c::Column& out) const {
  with_refresh(*this, [&](const c::Keyring& r) {
    c::field_decrypt_column(r, resource, field, cts, records, out);
    return 0;
  });
  impl_->audit("field.decrypt", resource, nlohmann::json{{"field", field}, {"values", cts.n}});  // audit (issue 4)
}

std::vector<std::uint8_t> Workspace::tokenize(std::string_view pt, std::string_view domain) const {
  return c::token_encode(keyring()->primary(c::Purpose::token), pt, domain);
}

std::string Workspace::detokenize(const std::uint8_t* tok, std::size_t n, std::string_view domain) const {
  std::string pt = with_refresh(*this, [&](const c::Keyring& r) { return c::token_decode(r, tok, n, domain); });
  impl_->audit("token.reverse", domain, nlohmann::json{{"domain", domain}});  // audit (issue 4)
  return pt;
}

void Workspace::detokenize_column(const c::ColumnView& tokens, std::string_view domain, c::Column& out) const {
  c::check_column(tokens, "tokens");
  c::Column res;
  res.offsets.reserve(tokens.n + 1);
  res.offsets.push_back(0);
  auto ring = keyring();
  bool refreshed = false;
  for (std::size_t i = 0; i < tokens.n; ++i) {
    std::string_view t = tokens.at(i);
    std::string pt;
    for (;;) {
      try {
        pt = c::token_decode(*ring, reinterpret_cast<const std::uint8_t*>(t.data()), t.size(), domain);
        break;
      } catch (const Error& e) {
        if (e.code() == Code::unknown_key && !refreshed) {  // another process rotated: once
          const_cast<Workspace&>(*this).refresh();
          ring = keyring();
          refreshed = true;
          continue;
        }
        Location at;
        at.row = i + 1;
        throw Error(e.code(), e.what(), at);
      }
    }
    res.data.insert(res.data.end(), pt.begin(), pt.end());
    res.offsets.push_back(res.data.size());
  }
  // One entry for the operation (not one per value), committed before anything is returned.
  impl_->audit("token.reverse", domain, nlohmann::json{{"domain", domain}, {"values", tokens.n}});
  out = std::move(res);
}

std::unique_ptr<c::IdentityKeyer> Workspace::identity_keyer(std::string_view domain) const {
  auto ring = keyring();
  return std::make_unique<c::IdentityKeyer>(ring->primary(c::Purpose::identity), domain);
}

std::string Workspace::identity_key(ids::Kind kind, std::string_view identifier, std::string_view domain) const {
  return identity_keyer(domain)->key(kind, identifier);
}

c::Signature Workspace::sign(const void* msg, std::size_t n, c::KeyId* key_id) const {
  auto ring = keyring();
  // The general-purpose signature has a key of its own purpose (user-signing): what it signs
  // is the caller's, so it must never be valid as a checkpoint, a package or a key document.
  const c::Key& k = ring->primary(c::Purpose::user_signing);
  if (key_id) *key_id = k.id;
  return c::sign(k, msg, n);
}

}  // namespace civitas::workspace
