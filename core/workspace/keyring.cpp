// The keyring rows of a workspace (table keys; docs/formats/workspace.md, "Keyring rows").
// Version 2 binds each row's status into what authenticates it, so that whoever holds only
// the page key (an examiner, docs/workspace.md) cannot change a key's status, nor plant a
// destroyed key, without the keyring refusing to load:
//   live rows:      wrapped = XChaCha20-Poly1305(keyring key, AD = "civitas keyring v2/<id>/<purpose>/<algorithm>/<created>/<status>")
//   destroyed rows: wrapped = NULL, mac = BLAKE2b-256(key = keyring MAC key, that AD with status
//                   "destroyed" || "/" || hex(public key))
// Workspace migration 4 (tables.cpp) converts version-1 rows; it runs with the keyring keys
// of the opening workspace (ConvertingKeyring).
#include <sodium.h>

#include "civitas/error.hpp"
#include "civitas/workspace.hpp"
#include "impl.hpp"

namespace civitas::workspace {

namespace c = civitas::crypto;

namespace {

thread_local Workspace::Impl* t_converting = nullptr;

std::string ad_v1(const std::string& id, c::Purpose p, const std::string& alg, std::int64_t created) {
  return "civitas keyring v1/" + id + "/" + c::purpose_name(p) + "/" + alg + "/" + std::to_string(created);
}

std::string ad_v2(const std::string& id, c::Purpose p, const std::string& alg, std::int64_t created, c::Status s) {
  return "civitas keyring v2/" + id + "/" + c::purpose_name(p) + "/" + alg + "/" + std::to_string(created) + "/" +
         c::status_name(s);
}

std::vector<std::uint8_t> tombstone(const c::SecretBytes& mac_key, const std::string& id, c::Purpose p,
                                    const std::string& alg, std::int64_t created, const std::vector<std::uint8_t>& pk) {
  const std::string m = ad_v2(id, p, alg, created, c::Status::destroyed) + "/" + c::to_hex(pk.data(), pk.size());
  std::vector<std::uint8_t> out(32);
  crypto_generichash(out.data(), out.size(), reinterpret_cast<const unsigned char*>(m.data()), m.size(), mac_key.data(),
                     mac_key.size());
  return out;
}

struct Row {
  std::string id;
  c::Purpose purpose = c::Purpose::field;
  std::string algorithm;
  std::int64_t created = 0;
  c::Status status = c::Status::active;
  std::vector<std::uint8_t> public_key, wrapped, mac;
  bool has_wrapped = false;
};

std::vector<Row> read_rows(store::Store& db, const std::string& only_id = {}) {
  std::string sql = "SELECT id, purpose, algorithm, created, status, public_key, wrapped, mac FROM keys";
  if (!only_id.empty()) sql += " WHERE id = ?";
  store::Statement st(db, sql);
  if (!only_id.empty()) st.bind(1, only_id);
  std::vector<Row> rows;
  while (st.step()) {
    Row r;
    r.id = st.text(0);
    try {
      r.purpose = c::purpose_from_name(st.text(1));
      r.status = c::status_from_name(st.text(4));
    } catch (const Error&) {
      throw Error(Code::integrity, "keyring entry " + r.id + " has an unknown purpose or status (tampered)");
    }
    r.algorithm = st.text(2);
    r.created = st.int64(3);
    r.public_key = st.blob(5);
    r.has_wrapped = !st.is_null(6);
    if (r.has_wrapped) r.wrapped = st.blob(6);
    if (!st.is_null(7)) r.mac = st.blob(7);
    rows.push_back(std::move(r));
  }
  return rows;
}

// A destroyed row of a public-key purpose must name the key its public key is: an id that
// does not match would let a planted row pass for a key the workspace once had.
void check_destroyed_identity(const Row& r, const c::Suite& su) {
  if (!c::signs(r.purpose) && !c::seals(r.purpose)) return;
  if (r.public_key.size() != su.public_key_size(r.purpose) ||
      c::key_id_hex(su.key_id(r.purpose, c::SecretBytes(), r.public_key)) != r.id)
    throw Error(Code::integrity, "destroyed keyring entry " + r.id + " does not match its public key (tampered)");
}

// The secret of a live version-2 row; Error(integrity) naming the key when it does not open.
c::SecretBytes open_row(const Workspace::Impl& im, const Row& r) {
  if (!r.has_wrapped) throw Error(Code::integrity, "keyring entry " + r.id + " is " + c::status_name(r.status) + " but holds no secret (tampered)");
  try {
    return c::unwrap(im.keyring_key, r.wrapped.data(), r.wrapped.size(), ad_v2(r.id, r.purpose, r.algorithm, r.created, r.status));
  } catch (const Error&) {
    throw Error(Code::integrity, "keyring entry " + r.id + ": its status (" + c::status_name(r.status) +
                                     ") or secret does not authenticate (tampered)");
  }
}

bool opens_v2(const Workspace::Impl& im, const Row& r) {
  if (!r.has_wrapped || r.status == c::Status::destroyed) return false;
  try {
    c::unwrap(im.keyring_key, r.wrapped.data(), r.wrapped.size(), ad_v2(r.id, r.purpose, r.algorithm, r.created, r.status));
    return true;
  } catch (const Error&) {
    return false;
  }
}

}  // namespace

void derive_keyring_keys(Workspace::Impl& im) {
  im.keyring_key = c::derive_subkey(im.workspace_key, 2, "civkeyr1");
  im.keyring_mac_key = c::derive_subkey(im.workspace_key, 3, "civkmac1");
}

ConvertingKeyring::ConvertingKeyring(Workspace::Impl& im) { t_converting = &im; }
ConvertingKeyring::~ConvertingKeyring() { t_converting = nullptr; }

void Workspace::Impl::insert_key(const c::Key& k) {
  std::string id = k.id_hex();
  store::Statement st(*store,
                      "INSERT INTO keys(id, purpose, algorithm, created, status, public_key, wrapped, changed, mac) "
                      "VALUES(?,?,?,?,?,?,?,?,?)");
  st.bind(1, id).bind(2, c::purpose_name(k.purpose)).bind(3, k.algorithm).bind(4, k.created);
  st.bind(5, c::status_name(k.status));
  if (k.public_key.empty()) st.bind_null(6);
  else st.bind_blob(6, k.public_key.data(), k.public_key.size());
  if (k.status == c::Status::destroyed) {
    auto mac = tombstone(keyring_mac_key, id, k.purpose, k.algorithm, k.created, k.public_key);
    st.bind_null(7).bind(8, now_seconds()).bind_blob(9, mac.data(), mac.size());
  } else {
    std::vector<std::uint8_t> wrapped =
        c::wrap(keyring_key, k.secret, ad_v2(id, k.purpose, k.algorithm, k.created, k.status));
    st.bind_blob(7, wrapped.data(), wrapped.size()).bind(8, now_seconds()).bind_null(9);
  }
  st.run();
}

void Workspace::Impl::set_status(const std::string& id, c::Status to) {
  auto rows = read_rows(*store, id);
  if (rows.empty()) throw Error(Code::not_found, "key " + id + " is not in the keyring");
  const Row& r = rows.front();
  if (r.status == to) return;
  if (r.status == c::Status::destroyed)
    throw Error(Code::denied, std::string(c::purpose_name(r.purpose)) + " key " + id + " has been destroyed");
  c::SecretBytes secret = open_row(*this, r);  // refuses a row whose status was tampered with
  if (to == c::Status::destroyed) {
    check_destroyed_identity(r, c::suite_of_algorithm(r.purpose, r.algorithm));
    auto mac = tombstone(keyring_mac_key, id, r.purpose, r.algorithm, r.created, r.public_key);
    store::Statement up(*store, "UPDATE keys SET status = 'destroyed', wrapped = NULL, mac = ?, changed = ? WHERE id = ?");
    up.bind_blob(1, mac.data(), mac.size()).bind(2, now_seconds()).bind(3, id);
    up.run();
    return;
  }
  auto wrapped = c::wrap(keyring_key, secret, ad_v2(id, r.purpose, r.algorithm, r.created, to));
  store::Statement up(*store, "UPDATE keys SET status = ?, wrapped = ?, mac = NULL, changed = ? WHERE id = ?");
  up.bind(1, c::status_name(to)).bind_blob(2, wrapped.data(), wrapped.size()).bind(3, now_seconds()).bind(4, id);
  up.run();
}

std::vector<std::string> Workspace::Impl::ids_with_status(c::Purpose p, c::Status s) const {
  store::Statement q(*store, "SELECT id FROM keys WHERE purpose = ? AND status = ?");
  q.bind(1, c::purpose_name(p)).bind(2, c::status_name(s));
  std::vector<std::string> out;
  while (q.step()) out.push_back(q.text(0));
  return out;
}

std::shared_ptr<const c::Keyring> Workspace::Impl::load_ring() {
  std::lock_guard lk(store->mutex());
  auto ring = std::make_shared<c::Keyring>();
  for (Row& r : read_rows(*store)) {
    // The algorithm column names the key's suite (and is bound into the row's AD); a key of
    // an algorithm this build does not know is refused, never guessed.
    const c::Suite& su = c::suite_of_algorithm(r.purpose, r.algorithm);
    c::Key k;
    if (r.status == c::Status::destroyed) {
      if (r.has_wrapped) throw Error(Code::integrity, "keyring entry " + r.id + " is marked destroyed but holds a secret (tampered)");
      auto want = tombstone(keyring_mac_key, r.id, r.purpose, r.algorithm, r.created, r.public_key);
      if (r.mac.size() != want.size() || sodium_memcmp(r.mac.data(), want.data(), want.size()) != 0)
        throw Error(Code::integrity, "keyring entry " + r.id + ": its status (destroyed) does not authenticate (tampered)");
      check_destroyed_identity(r, su);
      k.id = c::key_id_from_hex(r.id);
      k.purpose = r.purpose;
      k.algorithm = r.algorithm;
      k.created = r.created;
      k.public_key = r.public_key;
    } else {
      k = c::key_from_secret(r.purpose, open_row(*this, r), r.created, su);
      if (k.id_hex() != r.id) throw Error(Code::integrity, "keyring entry " + r.id + " holds a different key");
    }
    k.status = r.status;
    ring->add(std::move(k));
  }
  return ring;
}

// Workspace migration 4: version-1 rows (AD without the status, destroyed rows without a MAC)
// become version 2, and a workspace without keys of the newer purposes (checkpoint,
// user-signing, user-sealing) gets a primary key of each. A keyring that already holds a
// version-2 row is left as it is (load_ring then checks every row strictly): rolling the
// module's version back does not let a tampered row be converted.
void convert_keyring_v2(store::Store& db) {
  Workspace::Impl* im = t_converting;
  if (!im) throw Error(Code::internal, "the keyring is converted only by Workspace::open");
  auto rows = read_rows(db);
  if (rows.empty()) return;  // a workspace being created: Workspace::create writes version-2 rows
  for (const Row& r : rows)
    if (opens_v2(*im, r)) return;
  bool has_primary[c::kPurposeCount + 1] = {};
  for (const Row& r : rows) {
    const c::Suite& su = c::suite_of_algorithm(r.purpose, r.algorithm);
    if (r.status == c::Status::destroyed || !r.has_wrapped) {
      check_destroyed_identity(r, su);
      auto mac = tombstone(im->keyring_mac_key, r.id, r.purpose, r.algorithm, r.created, r.public_key);
      store::Statement up(db, "UPDATE keys SET status = 'destroyed', wrapped = NULL, mac = ? WHERE id = ?");
      up.bind_blob(1, mac.data(), mac.size()).bind(2, r.id);
      up.run();
      continue;
    }
    c::SecretBytes secret;
    try {
      secret = c::unwrap(im->keyring_key, r.wrapped.data(), r.wrapped.size(), ad_v1(r.id, r.purpose, r.algorithm, r.created));
    } catch (const Error&) {
      throw Error(Code::integrity, "keyring entry " + r.id + " does not authenticate (tampered)");
    }
    c::Key k = c::key_from_secret(r.purpose, secret.clone(), r.created, su);
    if (k.id_hex() != r.id) throw Error(Code::integrity, "keyring entry " + r.id + " holds a different key");
    auto wrapped = c::wrap(im->keyring_key, secret, ad_v2(r.id, r.purpose, r.algorithm, r.created, r.status));
    store::Statement up(db, "UPDATE keys SET wrapped = ?, mac = NULL WHERE id = ?");
    up.bind_blob(1, wrapped.data(), wrapped.size()).bind(2, r.id);
    up.run();
    if (r.status == c::Status::primary) has_primary[static_cast<int>(r.purpose)] = true;
  }
  for (c::Purpose p : {c::Purpose::checkpoint, c::Purpose::user_signing, c::Purpose::user_sealing}) {
    if (has_primary[static_cast<int>(p)]) continue;
    c::Key k = c::generate_key(p);
    k.status = c::Status::primary;
    im->insert_key(k);
    c::Key info;  // no secret: only what the audit entry names
    info.id = k.id;
    info.purpose = k.purpose;
    info.algorithm = k.algorithm;
    im->added_by_upgrade.push_back(std::move(info));
  }
}

}  // namespace civitas::workspace
