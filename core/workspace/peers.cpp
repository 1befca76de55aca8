// The peer directory: export this department's key document (version 3: sequence number,
// revoked keys, signatures by every signing key in use), import other departments' under the
// supersession rule (docs/formats/workspace.md, "Public-key document"), revocation and
// removal, the directory's MAC (a subkey of W the page key does not give), signatures and
// sealed boxes between departments, sharing the identity-key secret.
#include <sodium.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <map>

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
// Version 3 carries a sequence number, the revoked keys and one signature per signing key in
// use, each over kSigContext || the document without "signatures"; version 2 named the
// algorithm of its one self-signature; version 1 (always Ed25519). Versions 1 and 2 are still
// read, but never supersede a department already known (docs/formats/workspace.md).
constexpr int kKeysVersion = 3;
constexpr char kSigContext[] = "civitas-public-keys v3\n";  // names the protocol of the signature
// Plaintext of an identity-secret share (docs/formats/identity-key.md): version 2 is
// label || u8 len(algorithm) || algorithm || secret; version 1 (still read) is label || the
// 32-byte secret of a blake2b-ik1 key.
constexpr char kShareLabel[] = "civitas identity secret v2";    // 26 bytes
constexpr char kShareLabelV1[] = "civitas identity secret v1";  // 26 bytes

// The purposes whose public keys a key document carries: the protocol keys (signing,
// exchange) and the general-purpose ones (user-signing, user-sealing), which peers need to
// verify a department's signatures and to seal to it. Checkpoint keys are published by
// `civitas audit public-key`.
bool public_purpose(c::Purpose p) {
  return p == c::Purpose::signing || p == c::Purpose::exchange || p == c::Purpose::user_signing ||
         p == c::Purpose::user_sealing;
}

std::string canonical_uscc(std::string_view s, const char* what) {
  ids::Result r = ids::validate(ids::Kind::uscc, s);
  if (!r.valid)
    throw Error(Code::invalid_data,
                std::string(what) + " '" + std::string(s) + "' is not a valid USCC (" + ids::reason_name(r.reason) + ")");
  return r.canonical;
}

std::string blake2b_hex(std::string_view bytes) {
  unsigned char h[32];
  crypto_generichash(h, sizeof h, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), nullptr, 0);
  return c::to_hex(h, sizeof h);
}

bool is_revocation(std::string_view status) { return status == "superseded" || status == "compromised"; }
/// A peer key the consumer trusts to sign the department's next key document.
bool trusted_signer(const Peer& p) {
  return p.purpose == c::Purpose::signing && (p.status == "primary" || p.status == "active");
}

std::array<unsigned char, 32> directory_mac(store::Store& db, const c::SecretBytes& key) {
  if (key.size() != crypto_generichash_KEYBYTES) throw Error(Code::internal, "peer directory key missing");
  crypto_generichash_state st;
  crypto_generichash_init(&st, key.data(), key.size(), 32);
  auto put = [&](std::string_view v) {
    unsigned char len[8];
    std::uint64_t n = v.size();
    for (int i = 0; i < 8; ++i) len[i] = static_cast<unsigned char>(n >> (8 * i));
    crypto_generichash_update(&st, len, sizeof len);
    crypto_generichash_update(&st, reinterpret_cast<const unsigned char*>(v.data()), v.size());
  };
  put("civitas peer directory v1");
  store::Statement q(db,
                     "SELECT department, COALESCE(name, ''), key_id, purpose, algorithm, public_key, status, "
                     "COALESCE(revoked, -1), imported FROM peers ORDER BY department, key_id");
  while (q.step()) {
    put("peer");
    for (int i : {0, 1, 2, 3, 4}) put(q.text(i));
    auto pk = q.blob(5);
    put(std::string_view(reinterpret_cast<const char*>(pk.data()), pk.size()));
    put(q.text(6));
    put(std::to_string(q.int64(7)));
    put(std::to_string(q.int64(8)));
  }
  store::Statement d(db, "SELECT department, sequence, digest, imported FROM peer_documents ORDER BY department");
  while (d.step()) {
    put("document");
    put(d.text(0));
    put(std::to_string(d.int64(1)));
    put(d.text(2));
    put(std::to_string(d.int64(3)));
  }
  std::array<unsigned char, 32> out{};
  crypto_generichash_final(&st, out.data(), out.size());
  return out;
}

std::vector<Peer> read_peers(store::Store& db, std::string_view department) {
  std::string sql = "SELECT department, name, key_id, purpose, algorithm, public_key, status, imported, COALESCE(revoked, 0) FROM peers";
  if (!department.empty()) sql += " WHERE department = ?";
  sql += " ORDER BY department, purpose, imported DESC, key_id";
  store::Statement st(db, sql);
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
    p.revoked = st.int64(8);
    out.push_back(std::move(p));
  }
  return out;
}

/// A parsed and self-consistent key document (signatures checked against its own keys).
struct KeyDocument {
  int version = 0;
  std::string department, name;
  std::int64_t sequence = 0;  // 0 for versions 1 and 2
  std::vector<Peer> keys;
  struct Revoked {
    c::KeyId id{};
    c::Purpose purpose = c::Purpose::signing;
    std::string reason;
    std::int64_t at = 0;
  };
  std::vector<Revoked> revoked;
  std::vector<c::KeyId> signers;  // the signing keys whose signatures verified
  std::string digest;             // BLAKE2b-256 hex of the signed bytes
};

Peer parse_key(const json& k, const std::string& dept, const std::string& name, std::size_t i, int version) {
  Location at;
  at.field = "keys[" + std::to_string(i) + "]";
  Peer p;
  p.department = dept;
  p.name = name;
  p.purpose = c::purpose_from_name(k.at("purpose").get<std::string>());
  if (!public_purpose(p.purpose))
    throw Error(Code::invalid_data, "only signing, exchange, user-signing and user-sealing keys are public", at);
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
  if (version >= 3 && p.status != "primary" && p.status != "active" && p.status != "retired")
    throw Error(Code::invalid_data, "a listed key's status is primary, active or retired (revoked keys go to \"revoked\")", at);
  return p;
}

KeyDocument parse_document(std::string_view text, std::string& dept_out) {
  json doc = parse_json(text, "public-key document");
  if (!doc.is_object()) throw Error(Code::parse, "public-key document is not a JSON object");
  auto format = doc.find("format");  // (value() would throw a json type_error for a non-string)
  if (format == doc.end() || !format->is_string() || format->get_ref<const std::string&>() != kFormat)
    throw Error(Code::parse, "not a civitas public-key document (format)");
  const std::optional<std::int64_t> version =
      doc.contains("version") ? json_integer(doc["version"], 1, kKeysVersion) : std::nullopt;
  if (!version) throw Error(Code::unsupported_version, "public-key document version is not 1, 2 or 3");
  KeyDocument d;
  d.version = static_cast<int>(*version);
  try {
    d.department = canonical_uscc(doc.at("department").get<std::string>(), "department id");
    dept_out = d.department;
    d.name = doc.value("name", "");
    std::size_t i = 0;
    for (const json& k : doc.at("keys")) d.keys.push_back(parse_key(k, d.department, d.name, i++, d.version));
    if (d.version >= 3) {
      const json& seq = doc.at("sequence");
      if (!seq.is_number_integer() || seq.get<std::int64_t>() < 1)
        throw Error(Code::invalid_data, "public-key document: sequence is an integer >= 1");
      d.sequence = seq.get<std::int64_t>();
      i = 0;
      for (const json& r : doc.at("revoked")) {
        Location at;
        at.field = "revoked[" + std::to_string(i++) + "]";
        KeyDocument::Revoked rv;
        rv.id = c::key_id_from_hex(r.at("id").get<std::string>());
        rv.purpose = c::purpose_from_name(r.at("purpose").get<std::string>());
        if (!public_purpose(rv.purpose))
          throw Error(Code::invalid_data, "only published keys (signing, exchange, user-signing, user-sealing) are revoked in a key document", at);
        rv.reason = r.at("reason").get<std::string>();
        if (!is_revocation(rv.reason)) throw Error(Code::invalid_data, "reason is superseded or compromised", at);
        if (!r.at("revoked").is_number_integer() || r["revoked"].get<std::int64_t>() < 0)
          throw Error(Code::invalid_data, "revoked is Unix seconds (an integer >= 0)", at);
        rv.at = r["revoked"].get<std::int64_t>();
        for (const Peer& p : d.keys)
          if (p.key_id == rv.id) throw Error(Code::invalid_data, "a key is both listed and revoked", at);
        d.revoked.push_back(rv);
      }
    }
  } catch (const json::exception& e) {
    throw Error(Code::parse, std::string("public-key document: a field is missing or has the wrong type (") + e.what() + ")");
  }
  // Signatures: each names one of the document's own signing keys and must verify.
  auto check = [&](const json& sig, const std::string& bytes, const std::string& alg) {
    const c::Suite& su = c::suite_of_algorithm(c::Purpose::signing, alg);  // unsupported_version
    bool ok = false;
    c::KeyId sid{};
    try {
      sid = c::key_id_from_hex(sig.at("key_id").get<std::string>());
      std::vector<std::uint8_t> sv = c::from_base64(sig.at("value").get<std::string>());
      for (const Peer& p : d.keys)
        if (p.purpose == c::Purpose::signing && p.key_id == sid && p.algorithm == alg && (d.version < 3 || p.status != "retired"))
          ok = su.verify(p.public_key.data(), p.public_key.size(), bytes.data(), bytes.size(), sv.data(), sv.size());
    } catch (const json::exception&) {
      ok = false;
    } catch (const Error&) {
      ok = false;
    }
    if (!ok) throw Error(Code::bad_signature, "public-key document of " + d.department + " is not signed by one of its own signing keys");
    d.signers.push_back(sid);
  };
  if (d.version >= 3) {
    if (!doc.contains("signatures") || !doc["signatures"].is_array() || doc["signatures"].empty())
      throw Error(Code::parse, "public-key document: signatures is missing or empty");
    json body = doc;
    body.erase("signatures");
    const std::string bytes = kSigContext + body.dump();
    d.digest = blake2b_hex(bytes);
    for (const json& sig : doc["signatures"]) {
      if (!sig.is_object() || !sig.contains("algorithm") || !sig["algorithm"].is_string())
        throw Error(Code::parse, "public-key document: a signature has no algorithm");
      check(sig, bytes, sig["algorithm"].get<std::string>());
    }
  } else {
    if (!doc.contains("signature")) throw Error(Code::parse, "public-key document: signature is missing");
    const json& sig = doc["signature"];
    json body = doc;
    body.erase("signature");
    const std::string bytes = body.dump();
    d.digest = blake2b_hex(bytes);
    std::string alg = "ed25519";  // named in version 2, Ed25519 in version 1
    if (d.version >= 2) {
      if (!sig.is_object() || !sig.contains("algorithm") || !sig["algorithm"].is_string())
        throw Error(Code::parse, "public-key document: signature.algorithm is missing");
      alg = sig["algorithm"].get<std::string>();
    }
    check(sig, bytes, alg);
  }
  return d;
}

}  // namespace

void seal_peers(store::Store& db, const c::SecretBytes& key) {
  auto mac = directory_mac(db, key);
  store::Statement st(db, "INSERT OR REPLACE INTO peer_mac(id, mac) VALUES(1, ?)");
  st.bind_blob(1, mac.data(), mac.size()).run();
}

void check_peers(store::Store& db, const c::SecretBytes& key) {
  auto mac = directory_mac(db, key);
  store::Statement st(db, "SELECT mac FROM peer_mac WHERE id = 1");
  if (!st.step() || st.blob(0).size() != mac.size() || sodium_memcmp(st.blob(0).data(), mac.data(), mac.size()) != 0)
    throw Error(Code::integrity,
                "the peer directory does not match its MAC: it was changed outside civitas (with the page key alone); "
                "restore the workspace from a backup");
}

std::string Workspace::export_public() const {
  const std::string dept = impl_->meta("department");
  if (dept.empty())
    throw Error(Code::invalid_argument, "this workspace has no department id; create it with a department (--department USCC)");
  auto ring = keyring();
  store::Store& db = *impl_->store;
  store::Transaction tx(db);
  // Revoked: keys marked by revoke_key(), and destroyed signing/exchange keys (superseded at
  // their destruction).
  std::map<std::string, std::pair<std::string, std::int64_t>> rev;
  {
    store::Statement q(db, "SELECT key_id, reason, revoked FROM key_revocations");
    while (q.step()) rev[q.text(0)] = {q.text(1), q.int64(2)};
    store::Statement d(db, "SELECT id, changed FROM keys WHERE status = 'destroyed' AND purpose IN ('signing', 'exchange', 'user-signing', 'user-sealing')");
    while (d.step())
      if (!rev.count(d.text(0))) rev[d.text(0)] = {"superseded", d.int64(1)};
  }
  json keys = json::array(), revoked = json::array();
  std::vector<const c::Key*> signers;
  for (const auto& [id, k] : ring->all()) {
    if (!public_purpose(k.purpose)) continue;
    auto r = rev.find(k.id_hex());
    if (r != rev.end()) {
      revoked.push_back({{"id", k.id_hex()}, {"purpose", c::purpose_name(k.purpose)}, {"reason", r->second.first},
                         {"revoked", r->second.second}});
      continue;
    }
    if (k.status == c::Status::destroyed) continue;
    keys.push_back({{"id", k.id_hex()}, {"purpose", c::purpose_name(k.purpose)}, {"algorithm", k.algorithm},
                    {"public_key", c::base64(k.public_key.data(), k.public_key.size())},
                    {"status", c::status_name(k.status)}, {"created", k.created}});
    if (k.purpose == c::Purpose::signing && (k.status == c::Status::primary || k.status == c::Status::active) && !k.secret.empty())
      signers.push_back(&k);
  }
  std::stable_sort(signers.begin(), signers.end(), [](const c::Key* a, const c::Key* b) {
    return a->status == c::Status::primary && b->status != c::Status::primary;
  });
  // The sequence number grows when the content changes (the same keys: the same document).
  const std::string name = impl_->meta("name");
  const std::string content = blake2b_hex(json{{"department", dept}, {"name", name}, {"keys", keys}, {"revoked", revoked}}.dump());
  std::int64_t seq = 0;
  {
    store::Statement q(db, "SELECT (SELECT value FROM meta WHERE key = 'public_keys_sequence'), "
                           "(SELECT value FROM meta WHERE key = 'public_keys_content')");
    q.step();
    std::string s0 = q.is_null(0) ? "" : q.text(0), c0 = q.is_null(1) ? "" : q.text(1);
    seq = s0.empty() ? 0 : std::stoll(s0);
    if (c0 != content || seq == 0) {
      ++seq;
      store::Statement u(db, "INSERT OR REPLACE INTO meta(key, value) VALUES(?1, ?2)");
      u.bind(1, "public_keys_sequence").bind(2, std::to_string(seq)).run();
      u.reset();
      u.bind(1, "public_keys_content").bind(2, content).run();
    }
  }
  json doc = {{"format", kFormat}, {"version", kKeysVersion}, {"department", dept}, {"name", name},
              {"sequence", seq},   {"keys", keys},              {"revoked", revoked}};
  const std::string body = kSigContext + doc.dump();
  json sigs = json::array();
  for (const c::Key* sk : signers) {
    std::vector<std::uint8_t> sig = c::sign_bytes(*sk, body.data(), body.size());
    sigs.push_back({{"algorithm", sk->algorithm}, {"key_id", sk->id_hex()}, {"value", c::base64(sig.data(), sig.size())}});
  }
  if (sigs.empty()) throw Error(Code::internal, "no signing key to sign the public-key document");
  doc["signatures"] = sigs;
  impl_->audit("keys.export_public", dept, json{{"keys", keys.size()}, {"revoked", revoked.size()}, {"sequence", seq}});
  tx.commit();
  return doc.dump(2) + "\n";
}

void Workspace::revoke_key(const c::KeyId& id_in, std::string_view reason) {
  // A copy: the caller's id may live in a key of the keyring that refresh() below replaces.
  const c::KeyId id = id_in;
  const std::string hex = c::key_id_hex(id);
  try {
    if (!is_revocation(reason)) throw Error(Code::invalid_argument, "the reason of a revocation is superseded or compromised");
    refresh();
    auto ring = keyring();
    const c::Key* k = ring->find(id);
    if (!k) throw Error(Code::not_found, "no key " + hex + " in this workspace");
    if (!public_purpose(k->purpose))
      throw Error(Code::invalid_argument, "only published keys (signing, exchange, user-signing, user-sealing) are revoked");
    if (k->status == c::Status::primary)
      throw Error(Code::denied, "key " + hex + " is the primary " + c::purpose_name(k->purpose) + " key; rotate first");
    store::Store& db = *impl_->store;
    store::Transaction tx(db);
    store::Statement q(db, "SELECT reason FROM key_revocations WHERE key_id = ?1");
    q.bind(1, hex);
    if (q.step() && q.text(0) == "compromised" && reason != "compromised")
      throw Error(Code::denied, "key " + hex + " is already revoked as compromised");
    store::Statement ins(db, "INSERT OR REPLACE INTO key_revocations(key_id, reason, revoked) VALUES(?1, ?2, ?3)");
    ins.bind(1, hex).bind(2, reason).bind(3, now_seconds()).run();
    impl_->audit("key.revoke", hex, json{{"key_id", hex}, {"purpose", c::purpose_name(k->purpose)}, {"reason", reason}});
    tx.commit();
  } catch (const Error& e) {
    if (e.code() != Code::io && e.code() != Code::busy)
      impl_->audit_refused("key.revoke", hex, e, json{{"key_id", hex}, {"reason", reason}});
    throw;
  }
}

std::string Workspace::import_public(std::string_view text, bool replace) {
  std::string dept;  // once known
  try {
    return import_public_checked(text, dept, replace);
  } catch (const Error& e) {
    impl_->audit_refused("peer.import", dept, e, json{{"department", dept}, {"replace", replace}});
    throw;
  }
}

// import_public without the refusal entry; `dept` receives the department once it is read.
std::string Workspace::import_public_checked(std::string_view text, std::string& dept_out, bool replace) {
  KeyDocument d = parse_document(text, dept_out);
  const std::string& dept = d.department;
  if (dept == impl_->meta("department")) throw Error(Code::invalid_argument, "the document is this department's own");
  store::Store& db = *impl_->store;
  store::Transaction tx(db);
  check_peers(db, impl_->peers_key);
  const std::vector<Peer> known = read_peers(db, dept);
  std::int64_t known_seq = -1;
  std::string known_digest;
  {
    store::Statement q(db, "SELECT sequence, digest FROM peer_documents WHERE department = ?1");
    q.bind(1, dept);
    if (q.step()) {
      known_seq = q.int64(0);
      known_digest = q.text(1);
    }
  }
  const bool is_known = known_seq >= 0 || !known.empty();
  const std::int64_t now = now_seconds();
  json details{{"department", dept}, {"name", d.name}, {"keys", d.keys.size()}, {"version", d.version}, {"sequence", d.sequence}};
  auto insert_all = [&] {
    store::Statement st(db,
                        "INSERT OR REPLACE INTO peers(department, name, key_id, purpose, algorithm, public_key, status, imported, revoked) "
                        "VALUES(?,?,?,?,?,?,?,?,NULL)");
    for (const Peer& p : d.keys) {
      std::int64_t imported = now;
      for (const Peer& k : known)
        if (k.key_id == p.key_id) imported = k.imported;
      st.reset();
      st.bind(1, p.department).bind(2, p.name).bind(3, c::key_id_hex(p.key_id)).bind(4, c::purpose_name(p.purpose));
      st.bind(5, p.algorithm).bind_blob(6, p.public_key.data(), p.public_key.size()).bind(7, p.status).bind(8, imported);
      st.run();
    }
    store::Statement doc(db, "INSERT OR REPLACE INTO peer_documents(department, sequence, digest, imported) VALUES(?1, ?2, ?3, ?4)");
    doc.bind(1, dept).bind(2, d.sequence).bind(3, d.digest).bind(4, now).run();
  };
  if (!is_known) {
    insert_all();  // first contact: authenticity is established out of band (docs/workspace.md)
  } else if (replace) {
    json previous = json::array();
    for (const Peer& p : known) previous.push_back(c::key_id_hex(p.key_id));
    store::Statement del(db, "DELETE FROM peers WHERE department = ?1");
    del.bind(1, dept).run();
    insert_all();
    details["replace"] = true;
    details["previous_keys"] = previous;
  } else if (!known_digest.empty() && known_digest == d.digest) {
    details["unchanged"] = true;  // the same document again
  } else {
    if (d.version < 3)
      throw Error(Code::denied, "department " + dept + " is already known; a version " + std::to_string(d.version) +
                                    " key document (no sequence number) cannot supersede its keys. Check it with the "
                                    "department out of band and import it with --replace");
    bool trusted = false;
    for (const c::KeyId& s : d.signers)
      for (const Peer& k : known)
        if (k.key_id == s && trusted_signer(k)) trusted = true;
    if (!trusted) {
      std::string have;
      for (const Peer& k : known)
        if (trusted_signer(k)) have += (have.empty() ? "" : ", ") + c::key_id_hex(k.key_id);
      throw Error(Code::bad_signature, "key document of " + dept + " is not signed by a key trusted for it (" +
                                           (have.empty() ? std::string("none") : have) +
                                           "); import the documents in between, or check it out of band and use --replace");
    }
    if (d.sequence <= known_seq)
      throw Error(Code::denied, "key document " + std::to_string(d.sequence) + " of " + dept + " is not newer than the one imported (" +
                                    std::to_string(known_seq) + ")");
    for (const Peer& p : d.keys)
      for (const Peer& k : known)
        if (k.key_id == p.key_id && is_revocation(k.status))
          throw Error(Code::invalid_data, "key document of " + dept + " lists key " + c::key_id_hex(p.key_id) +
                                              ", which it revoked before (" + k.status + ")");
    insert_all();
    // Revocations of keys the consumer knows; known keys the document no longer lists are
    // superseded from now on.
    store::Statement up(db, "UPDATE peers SET status = ?1, revoked = ?2 WHERE department = ?3 AND key_id = ?4 AND status != 'compromised'");
    json revoked = json::array();
    for (const Peer& k : known) {
      bool listed = false;
      for (const Peer& p : d.keys) listed = listed || p.key_id == k.key_id;
      if (listed) continue;
      std::string reason = "superseded";
      std::int64_t at = now;
      for (const auto& r : d.revoked)
        if (r.id == k.key_id) {
          reason = r.reason;
          at = std::min(r.at, now);
        }
      if (k.status == reason) continue;
      if (k.status == "superseded" && reason == "superseded") continue;
      up.reset();
      up.bind(1, reason).bind(2, at).bind(3, dept).bind(4, c::key_id_hex(k.key_id)).run();
      revoked.push_back({{"key_id", c::key_id_hex(k.key_id)}, {"reason", reason}});
    }
    details["revoked"] = revoked;
  }
  seal_peers(db, impl_->peers_key);
  impl_->audit("peer.import", dept, details);
  tx.commit();
  return dept;
}

std::vector<Peer> Workspace::peers(std::string_view department) const {
  store::Transaction tx(*impl_->store);  // one snapshot for the rows and their MAC
  check_peers(*impl_->store, impl_->peers_key);
  return read_peers(*impl_->store, department);
}

void Workspace::remove_peer(std::string_view department) {
  const std::string dept(department);
  try {
    store::Store& db = *impl_->store;
    store::Transaction tx(db);
    check_peers(db, impl_->peers_key);
    auto known = read_peers(db, dept);
    store::Statement q(db, "SELECT 1 FROM peer_documents WHERE department = ?1");
    q.bind(1, dept);
    if (known.empty() && !q.step()) throw Error(Code::not_found, "department " + dept + " is not in the peer directory");
    json ids = json::array();
    for (const Peer& p : known) ids.push_back(c::key_id_hex(p.key_id));
    store::Statement d1(db, "DELETE FROM peers WHERE department = ?1");
    d1.bind(1, dept).run();
    store::Statement d2(db, "DELETE FROM peer_documents WHERE department = ?1");
    d2.bind(1, dept).run();
    seal_peers(db, impl_->peers_key);
    impl_->audit("peer.remove", dept, json{{"department", dept}, {"keys", ids}});
    tx.commit();
  } catch (const Error& e) {
    if (e.code() != Code::io && e.code() != Code::busy) impl_->audit_refused("peer.remove", dept, e, json{{"department", dept}});
    throw;
  }
}

static bool is_own(const std::string& own, std::string_view department) {
  return department.empty() || department == own;
}

// General-purpose signatures and sealed boxes use the user-signing and user-sealing keys, of
// this workspace or of a peer, never the protocol keys (docs/crypto.md, "Key separation").
bool Workspace::verify(std::string_view department, const void* msg, std::size_t n, const c::Signature& sig) const {
  if (is_own(impl_->meta("department"), department)) {
    auto ring = keyring();
    for (const auto& [id, k] : ring->all())
      if (k.purpose == c::Purpose::user_signing && k.status != c::Status::destroyed &&
          c::suite_of(k).verify(k.public_key.data(), k.public_key.size(), msg, n, sig.data(), sig.size()))
        return true;
    return false;
  }
  auto ps = peers(department);
  if (ps.empty()) throw Error(Code::unknown_key, "no public keys of department " + std::string(department) + "; import them first");
  bool any = false;
  for (const Peer& p : ps) any = any || p.purpose == c::Purpose::user_signing;
  if (!any)
    throw Error(Code::unknown_key, "no user-signing key of department " + std::string(department) +
                                       "; import its current public keys (documents of before 2026-12 have none)");
  for (const Peer& p : ps)
    if (p.purpose == c::Purpose::user_signing && p.status != "destroyed" && p.status != "compromised" &&
        c::suite_of_algorithm(p.purpose, p.algorithm).verify(p.public_key.data(), p.public_key.size(), msg, n, sig.data(), sig.size()))
      return true;
  return false;
}

namespace {
// A sealed box to the primary key of purpose `p` (user-sealing or exchange) of a department;
// a revoked peer key is never primary, so nothing is sealed to it.
std::vector<std::uint8_t> seal_to_purpose(const Workspace& ws, const std::string& own, std::string_view department,
                                          c::Purpose p, const void* msg, std::size_t n) {
  if (is_own(own, department)) {
    auto ring = ws.keyring();
    const c::Key& k = ring->primary(p);
    return c::seal(c::suite_of(k), k.public_key.data(), k.public_key.size(), msg, n);
  }
  const Peer* best = nullptr;
  auto ps = ws.peers(department);
  for (const Peer& q : ps)
    if (q.purpose == p && q.status == "primary") {
      best = &q;
      break;
    }
  if (!best)
    throw Error(Code::unknown_key, std::string("no ") + c::purpose_name(p) + " key of department " + std::string(department) +
                                       "; import its current public keys first");
  return c::seal(c::suite_of_algorithm(best->purpose, best->algorithm), best->public_key.data(), best->public_key.size(), msg, n);
}

std::string unseal_purpose(const Workspace& ws, const std::uint8_t* box, std::size_t n, c::Purpose p) {
  try {
    return c::unseal(*ws.keyring(), box, n, p);
  } catch (const Error& e) {
    if (e.code() != Code::not_recipient) throw;
  }
  const_cast<Workspace&>(ws).refresh();
  return c::unseal(*ws.keyring(), box, n, p);
}
}  // namespace

std::vector<std::uint8_t> Workspace::seal_to(std::string_view department, const void* msg, std::size_t n) const {
  return seal_to_purpose(*this, impl_->meta("department"), department, c::Purpose::user_sealing, msg, n);
}

// Opens only boxes sealed to a user-sealing key: a package's sealed file key or an identity
// share (sealed to the exchange key) names a key this call does not use (not_recipient).
std::string Workspace::unseal(const std::uint8_t* box, std::size_t n) const {
  return unseal_purpose(*this, box, n, c::Purpose::user_sealing);
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
  auto box = seal_to_purpose(*this, impl_->meta("department"), department, c::Purpose::exchange, msg.data(), msg.size());
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
  std::string m = unseal_purpose(*this, box, n, c::Purpose::exchange);
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

// ---- for backup verification (backup.cpp) -------------------------------------------------
namespace civitas::workspace {
// The signing keys a department's public-key document lists, once its self-signature checked.
std::vector<Peer> document_signing_keys(std::string_view text) {
  std::string dept;
  KeyDocument d = parse_document(text, dept);
  std::vector<Peer> out;
  for (Peer& p : d.keys)
    if (p.purpose == c::Purpose::signing) out.push_back(std::move(p));
  return out;
}
}  // namespace civitas::workspace
