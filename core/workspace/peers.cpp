// The peer directory: export this department's public keys, import other departments',
// signatures and sealed boxes between departments, sharing the identity-key secret.
#include <sodium.h>

#include <cstring>

#include <nlohmann/json.hpp>

#include "civitas/error.hpp"
#include "civitas/json.hpp"
#include "civitas/workspace.hpp"
#include "impl.hpp"

namespace civitas::workspace {

using nlohmann::json;
namespace c = civitas::crypto;

namespace {
constexpr char kFormat[] = "civitas-public-keys";
// Version 2 names the algorithm of the document's own signature; version 1 (no
// signature.algorithm, always Ed25519) is still read (docs/formats/workspace.md).
constexpr int kKeysVersion = 2;
// Plaintext of an identity-secret share (docs/formats/identity-key.md): version 2 is
// label || u8 len(algorithm) || algorithm || secret; version 1 (still read) is label || the
// 32-byte secret of a blake2b-ik1 key.
constexpr char kShareLabel[] = "civitas identity secret v2";    // 26 bytes
constexpr char kShareLabelV1[] = "civitas identity secret v1";  // 26 bytes

std::string canonical_uscc(std::string_view s, const char* what) {
  ids::Result r = ids::validate(ids::Kind::uscc, s);
  if (!r.valid)
    throw Error(Code::invalid_data,
                std::string(what) + " '" + std::string(s) + "' is not a valid USCC (" + ids::reason_name(r.reason) + ")");
  return r.canonical;
}
}  // namespace

std::string Workspace::export_public() const {
  const std::string dept = impl_->meta("department");
  if (dept.empty())
    throw Error(Code::invalid_argument, "this workspace has no department id; create it with a department (--department USCC)");
  auto ring = keyring();
  json keys = json::array();
  for (const auto& [id, k] : ring->all()) {
    if ((k.purpose != c::Purpose::signing && k.purpose != c::Purpose::exchange) || k.status == c::Status::destroyed) continue;
    keys.push_back({{"id", k.id_hex()}, {"purpose", c::purpose_name(k.purpose)}, {"algorithm", k.algorithm},
                    {"public_key", c::base64(k.public_key.data(), k.public_key.size())},
                    {"status", c::status_name(k.status)}, {"created", k.created}});
  }
  json doc = {{"format", kFormat}, {"version", kKeysVersion}, {"department", dept}, {"name", impl_->meta("name")}, {"keys", keys}};
  const c::Key& sk = ring->primary(c::Purpose::signing);
  const std::string body = doc.dump();
  std::vector<std::uint8_t> sig = c::sign_bytes(sk, body.data(), body.size());
  doc["signature"] = {{"algorithm", sk.algorithm}, {"key_id", sk.id_hex()}, {"value", c::base64(sig.data(), sig.size())}};
  impl_->audit("keys.export_public", dept, json{{"keys", keys.size()}});
  return doc.dump(2) + "\n";
}

std::string Workspace::import_public(std::string_view text) {
  std::string dept;  // once known
  try {
    return import_public_checked(text, dept);
  } catch (const Error& e) {
    impl_->audit_refused("peer.import", dept, e, json{{"department", dept}});
    throw;
  }
}

// import_public without the refusal entry; `dept` receives the department once it is read.
std::string Workspace::import_public_checked(std::string_view text, std::string& dept_out) {
  json doc = parse_json(text, "public-key document");
  if (!doc.is_object()) throw Error(Code::parse, "public-key document is not a JSON object");
  auto format = doc.find("format");  // (value() would throw a json type_error for a non-string)
  if (format == doc.end() || !format->is_string() || format->get_ref<const std::string&>() != kFormat)
    throw Error(Code::parse, "not a civitas public-key document (format)");
  if (!doc.contains("version") || !doc["version"].is_number_integer() || doc["version"].get<int>() < 1 ||
      doc["version"].get<int>() > kKeysVersion)
    throw Error(Code::unsupported_version, "public-key document version is not 1 or 2");
  const int version = doc["version"].get<int>();
  std::string dept, name;
  std::vector<Peer> keys;
  json sig;
  try {
    dept = canonical_uscc(doc.at("department").get<std::string>(), "department id");
    name = doc.value("name", "");
    sig = doc.at("signature");
    std::size_t i = 0;
    for (const json& k : doc.at("keys")) {
      ++i;
      Location at;
      at.field = "keys[" + std::to_string(i - 1) + "]";
      Peer p;
      p.department = dept;
      p.name = name;
      p.purpose = c::purpose_from_name(k.at("purpose").get<std::string>());
      if (p.purpose != c::Purpose::signing && p.purpose != c::Purpose::exchange)
        throw Error(Code::invalid_data, "only signing and exchange keys are public", at);
      p.algorithm = k.at("algorithm").get<std::string>();
      const c::Suite* su = nullptr;
      try {
        su = &c::suite_of_algorithm(p.purpose, p.algorithm);  // never guesses: unknown ones are refused
      } catch (const Error& e) {
        throw Error(e.code(), e.what(), at);
      }
      p.public_key = c::from_base64(k.at("public_key").get<std::string>());
      if (p.public_key.size() != su->public_key_size(p.purpose))
        throw Error(Code::invalid_data, "an " + p.algorithm + " public key is " + std::to_string(su->public_key_size(p.purpose)) + " bytes", at);
      p.key_id = c::key_id_from_hex(k.at("id").get<std::string>());
      if (su->key_id(p.purpose, c::SecretBytes(), p.public_key) != p.key_id)
        throw Error(Code::invalid_data, "key id does not match the public key", at);
      p.status = k.value("status", "active");
      c::status_from_name(p.status);
      keys.push_back(std::move(p));
    }
  } catch (const json::exception& e) {
    throw Error(Code::parse, std::string("public-key document: a field is missing or has the wrong type (") + e.what() + ")");
  }
  dept_out = dept;
  if (dept == impl_->meta("department")) throw Error(Code::invalid_argument, "the document is this department's own");
  // Self-signature: proves the document is whole (authenticity is established out of band).
  json body = doc;
  body.erase("signature");
  const std::string bytes = body.dump();
  // The signature's algorithm: named in version 2, Ed25519 in version 1.
  std::string sig_alg = "ed25519";
  if (version >= 2) {
    if (!sig.is_object() || !sig.contains("algorithm") || !sig["algorithm"].is_string())
      throw Error(Code::parse, "public-key document: signature.algorithm is missing");
    sig_alg = sig["algorithm"].get<std::string>();
  }
  const c::Suite& sig_suite = c::suite_of_algorithm(c::Purpose::signing, sig_alg);  // unsupported_version
  bool ok = false;
  try {
    c::KeyId sid = c::key_id_from_hex(sig.at("key_id").get<std::string>());
    std::vector<std::uint8_t> sv = c::from_base64(sig.at("value").get<std::string>());
    for (const Peer& p : keys)
      if (p.purpose == c::Purpose::signing && p.key_id == sid && p.algorithm == sig_alg)
        ok = sig_suite.verify(p.public_key.data(), p.public_key.size(), bytes.data(), bytes.size(), sv.data(), sv.size());
  } catch (const json::exception&) {
    ok = false;
  } catch (const Error&) {
    ok = false;
  }
  if (!ok) throw Error(Code::bad_signature, "public-key document of " + dept + " is not signed by one of its own signing keys");
  {
    store::Transaction tx(*impl_->store);
    store::Statement st(*impl_->store,
                        "INSERT OR REPLACE INTO peers(department, name, key_id, purpose, algorithm, public_key, status, imported) "
                        "VALUES(?,?,?,?,?,?,?,?)");
    for (const Peer& p : keys) {
      st.reset();
      st.bind(1, p.department).bind(2, p.name).bind(3, c::key_id_hex(p.key_id)).bind(4, c::purpose_name(p.purpose));
      st.bind(5, p.algorithm).bind_blob(6, p.public_key.data(), p.public_key.size()).bind(7, p.status).bind(8, now_seconds());
      st.run();
    }
    impl_->audit("peer.import", dept, json{{"department", dept}, {"name", name}, {"keys", keys.size()}});
    tx.commit();
  }
  return dept;
}

std::vector<Peer> Workspace::peers(std::string_view department) const {
  std::lock_guard lk(impl_->store->mutex());
  std::string sql = "SELECT department, name, key_id, purpose, algorithm, public_key, status, imported FROM peers";
  if (!department.empty()) sql += " WHERE department = ?";
  sql += " ORDER BY department, purpose, imported DESC";
  store::Statement st(*impl_->store, sql);
  if (!department.empty()) st.bind(1, department);
  std::vector<Peer> out;
  while (st.step()) {
    Peer p;
    p.department = st.text(0);
    p.name = st.text(1);
    p.key_id = c::key_id_from_hex(st.text(2));
    p.purpose = c::purpose_from_name(st.text(3));
    p.algorithm = st.text(4);
    p.public_key = st.blob(5);
    p.status = st.text(6);
    p.imported = st.int64(7);
    out.push_back(std::move(p));
  }
  return out;
}

static bool is_own(const std::string& own, std::string_view department) {
  return department.empty() || department == own;
}

bool Workspace::verify(std::string_view department, const void* msg, std::size_t n, const c::Signature& sig) const {
  if (is_own(impl_->meta("department"), department)) {
    auto ring = keyring();
    for (const auto& [id, k] : ring->all())
      if (k.purpose == c::Purpose::signing && k.status != c::Status::destroyed &&
          c::suite_of(k).verify(k.public_key.data(), k.public_key.size(), msg, n, sig.data(), sig.size()))
        return true;
    return false;
  }
  auto ps = peers(department);
  if (ps.empty()) throw Error(Code::unknown_key, "no public keys of department " + std::string(department) + "; import them first");
  for (const Peer& p : ps)
    if (p.purpose == c::Purpose::signing && p.status != "destroyed" &&
        c::suite_of_algorithm(p.purpose, p.algorithm).verify(p.public_key.data(), p.public_key.size(), msg, n, sig.data(), sig.size()))
      return true;
  return false;
}

std::vector<std::uint8_t> Workspace::seal_to(std::string_view department, const void* msg, std::size_t n) const {
  if (is_own(impl_->meta("department"), department)) {
    auto ring = keyring();
    const c::Key& k = ring->primary(c::Purpose::exchange);
    return c::seal(c::suite_of(k), k.public_key.data(), k.public_key.size(), msg, n);
  }
  const Peer* best = nullptr;
  auto ps = peers(department);
  for (const Peer& p : ps)
    if (p.purpose == c::Purpose::exchange && p.status == "primary") {
      best = &p;
      break;
    }
  if (!best) throw Error(Code::unknown_key, "no exchange key of department " + std::string(department) + "; import its public keys first");
  return c::seal(c::suite_of_algorithm(best->purpose, best->algorithm), best->public_key.data(), best->public_key.size(), msg, n);
}

std::string Workspace::unseal(const std::uint8_t* box, std::size_t n) const {
  auto ring = keyring();
  try {
    return c::unseal(*ring, box, n);
  } catch (const Error& e) {
    if (e.code() != Code::not_recipient) throw;
  }
  const_cast<Workspace*>(this)->refresh();
  return c::unseal(*keyring(), box, n);
}

std::vector<std::uint8_t> Workspace::share_identity_secret(std::string_view department) const {
  try {
    return share_identity_checked(department);
  } catch (const Error& e) {
    if (e.code() != Code::io && e.code() != Code::busy)  // a refusal, not a failing log
      impl_->audit_refused("key.share", "", e, json{{"purpose", "identity"}, {"to", department}});
    throw;
  }
}

std::vector<std::uint8_t> Workspace::share_identity_checked(std::string_view department) const {
  if (is_own(impl_->meta("department"), department)) throw Error(Code::invalid_argument, "name another department to share the identity key with");
  auto ring = keyring();
  const c::Key& k = ring->primary(c::Purpose::identity);
  const std::size_t ln = sizeof kShareLabel - 1, an = k.algorithm.size();
  if (an == 0 || an > 255) throw Error(Code::internal, "identity key algorithm name must be 1..255 bytes");
  c::SecretBytes msg(ln + 1 + an + k.secret.size());
  std::memcpy(msg.data(), kShareLabel, ln);
  msg.data()[ln] = static_cast<unsigned char>(an);
  std::memcpy(msg.data() + ln + 1, k.algorithm.data(), an);
  std::memcpy(msg.data() + ln + 1 + an, k.secret.data(), k.secret.size());
  auto box = seal_to(department, msg.data(), msg.size());
  // Nothing changes in the database: the entry commits (its own transaction) before the box
  // is handed out, so no shared secret leaves without its entry.
  impl_->audit("key.share", k.id_hex(), json{{"purpose", "identity"}, {"key_id", k.id_hex()}, {"to", department}});
  return box;
}

KeyInfo Workspace::import_identity_secret_sealed(const std::uint8_t* box, std::size_t n) {
  try {
    return import_identity_sealed_checked(box, n);
  } catch (const Error& e) {
    if (e.code() != Code::io && e.code() != Code::busy)  // a refusal (not for us, tampered…), not a failing log
      impl_->audit_refused("key.import", "", e, json{{"purpose", "identity"}});
    throw;
  }
}

KeyInfo Workspace::import_identity_sealed_checked(const std::uint8_t* box, std::size_t n) {
  std::string m = unseal(box, n);
  struct Wipe {
    std::string& m;
    ~Wipe() { sodium_memzero(m.data(), m.size()); }
  } wipe{m};
  const std::size_t ln = sizeof kShareLabel - 1;
  if (m.size() >= ln && m.compare(0, ln, kShareLabelV1) == 0) {  // version 1: blake2b-ik1, 32 bytes
    if (m.size() != ln + 32) throw Error(Code::invalid_data, "the sealed box does not hold an identity-key secret");
    return import_identity_secret(c::SecretBytes(m.data() + ln, 32), c::suite_of_algorithm(c::Purpose::identity, "blake2b-ik1"));
  }
  if (m.size() < ln + 1 || m.compare(0, ln, kShareLabel) != 0) {
    if (m.size() >= ln - 2 && m.compare(0, ln - 2, kShareLabel, ln - 2) == 0)
      throw Error(Code::unsupported_version, "identity-secret share version '" + m.substr(ln - 2, 2) + "' is not supported");
    throw Error(Code::invalid_data, "the sealed box does not hold an identity-key secret");
  }
  const std::size_t an = static_cast<unsigned char>(m[ln]);
  if (an == 0 || m.size() < ln + 1 + an) throw Error(Code::invalid_data, "the sealed box does not hold an identity-key secret");
  const c::Suite& su = c::suite_of_algorithm(c::Purpose::identity, m.substr(ln + 1, an));  // unsupported_version
  if (m.size() != ln + 1 + an + su.secret_size(c::Purpose::identity))
    throw Error(Code::invalid_data, "the sealed box does not hold an identity-key secret of its algorithm's size");
  return import_identity_secret(c::SecretBytes(m.data() + ln + 1 + an, m.size() - ln - 1 - an), su);
}

}  // namespace civitas::workspace
