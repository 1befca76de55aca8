// Workspaces written before module_schema (one shared PRAGMA user_version, 1–5) open with
// this library: each is built here from the migrations as they were released, holding data
// of every table that version had, and opened with Workspace::open; every row survives, the
// audit log still verifies (version 4 and older: converted to tiles) and each module's
// tables get their own version.
#include <doctest/doctest.h>

#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "civitas/audit.hpp"
#include "civitas/catalog.hpp"
#include "civitas/error.hpp"
#include "civitas/store.hpp"
#include "civitas/workspace.hpp"
#include "common/fixtures.hpp"
#include "workspace/header.hpp"

using namespace civitas;
namespace w = civitas::workspace;
namespace c = civitas::crypto;
using nlohmann::json;

namespace {

// The shared migrations 1–5 as released (core/store/schema.cpp before module_schema).
const char* const kReleased1 = R"sql(
CREATE TABLE meta(
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
CREATE TABLE keys(
  id         TEXT PRIMARY KEY,           -- 16 hex digits (crypto::KeyId)
  purpose    TEXT NOT NULL,              -- field | token | identity | signing | exchange
  algorithm  TEXT NOT NULL,
  created    INTEGER NOT NULL,           -- Unix seconds
  status     TEXT NOT NULL,              -- primary | active | retired | destroyed
  public_key BLOB,                       -- signing and exchange keys
  wrapped    BLOB,                       -- XChaCha20-Poly1305 under the keyring subkey; NULL when destroyed
  changed    INTEGER NOT NULL
);
CREATE INDEX keys_purpose ON keys(purpose, status);
CREATE TABLE peers(
  department TEXT NOT NULL,              -- USCC of the peer department
  name       TEXT,
  key_id     TEXT NOT NULL,
  purpose    TEXT NOT NULL,              -- signing | exchange
  algorithm  TEXT NOT NULL,
  public_key BLOB NOT NULL,
  status     TEXT NOT NULL,
  imported   INTEGER NOT NULL,
  PRIMARY KEY(department, key_id)
);
)sql";
const char* const kReleased2 = R"sql(
CREATE TABLE audit_entry(
  idx        INTEGER PRIMARY KEY,        -- leaf index, 0-based, no gaps
  time_ms    INTEGER NOT NULL,           -- copies of entry fields, for queries
  actor_dept TEXT NOT NULL,
  actor_user TEXT NOT NULL,
  action     TEXT NOT NULL,
  resource   TEXT NOT NULL,
  entry      BLOB NOT NULL,              -- canonical bytes (docs/formats/audit-entry.md)
  leaf       BLOB NOT NULL               -- SHA-256(0x00 || entry)
);
CREATE INDEX audit_entry_time ON audit_entry(time_ms);
CREATE INDEX audit_entry_actor ON audit_entry(actor_dept, actor_user);
CREATE INDEX audit_entry_action ON audit_entry(action);
CREATE INDEX audit_entry_resource ON audit_entry(resource);
CREATE TABLE audit_node(                 -- complete subtrees, level >= 1
  level INTEGER NOT NULL,
  idx   INTEGER NOT NULL,                -- covers leaves idx*2^level .. (idx+1)*2^level - 1
  hash  BLOB NOT NULL,
  PRIMARY KEY(level, idx)
) WITHOUT ROWID;
CREATE TABLE audit_checkpoint(
  size       INTEGER PRIMARY KEY,        -- tree size
  root       BLOB NOT NULL,
  note       TEXT NOT NULL,              -- the signed note (docs/formats/checkpoint.md)
  created_ms INTEGER NOT NULL
);
)sql";
const char* const kReleased3 = R"sql(
CREATE TABLE catalog_entry(
  resource_code TEXT NOT NULL,           -- 前段码 + separator + 后段码
  version       INTEGER NOT NULL,        -- 1, 2, … per resource code
  entry         TEXT NOT NULL,           -- the normalised entry (docs/formats/catalog-entry.md)
  created_ms    INTEGER NOT NULL,
  PRIMARY KEY(resource_code, version)
) WITHOUT ROWID;
)sql";
const char* const kReleased4 = R"sql(
CREATE TABLE package_sent(
  consumer      TEXT PRIMARY KEY,        -- USCC of the consumer department
  last_sequence INTEGER NOT NULL         -- last sequence number reserved for this pair
) WITHOUT ROWID;
CREATE TABLE package_received(
  provider   TEXT NOT NULL,              -- USCC of the providing department
  consumer   TEXT NOT NULL,              -- USCC of this department as named in the package
  sequence   INTEGER NOT NULL,
  package_id TEXT NOT NULL,
  opened_ms  INTEGER NOT NULL,
  PRIMARY KEY(provider, consumer, sequence)
) WITHOUT ROWID;
)sql";
const char* const kReleased5 = R"sql(
CREATE TABLE audit_tile(                 -- inner tree nodes, 2^5 bottom nodes and 5 levels per row
  id     INTEGER PRIMARY KEY,            -- tile level << 56 | tile index
  hashes BLOB NOT NULL                   -- 32-byte node hashes in creation order
);
DROP INDEX audit_entry_time;             -- times never decrease: time ranges by bisection on idx
)sql";

const std::string kDept = "91350100M000100Y43";

struct TempDir : test::TempDir {
  TempDir() : test::TempDir("civitas-legacy") {}
};

std::int64_t scalar(store::Store& s, const std::string& sql) {
  store::Statement q(s, sql);
  REQUIRE(q.step());
  return q.int64(0);
}

json catalog_entry() {
  std::ifstream in(std::string(CIVITAS_TEST_DATA) + "/schema/entry.json", std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return json::parse(ss.str());
}

// What a workspace holds before it is turned into an old version.
struct Before {
  std::size_t keys = 0, peers = 0;
  std::uint64_t audit_entries = 0;
  audit::Hash root{};
  std::string resource_code;
};

// A workspace with data in every table of today's library: keys (one rotated), a peer, audit
// entries and a checkpoint, a catalog entry, package sequence and replay rows.
Before make_workspace(const std::string& path, const w::KeySource& key, const std::string& peer_dir) {
  Before b;
  w::CreateOptions po;
  po.department = "91110000100000007" + std::string(1, ids::uscc_check_char("91110000100000007"));
  auto peer = w::Workspace::create(peer_dir + "/peer.db", key, po);
  w::CreateOptions o;
  o.department = kDept;
  o.name = "市市场监督管理局";
  auto ws = w::Workspace::create(path, key, o);
  ws->rotate(c::Purpose::field);
  for (const auto& k : ws->keys())  // a destroyed key too (keyring version 1 had no tombstones)
    if (k.purpose == c::Purpose::field && k.status == c::Status::active) ws->destroy_key(k.id);
  ws->import_public(peer->export_public());
  catalog::CatalogStore cs(ws->store());
  b.resource_code = cs.put(catalog_entry()).resource_code;
  ws->store().exec("INSERT INTO package_sent VALUES('" + po.department + "', 7);"
                   "INSERT INTO package_received(provider, consumer, sequence, package_id, opened_ms) VALUES('" + po.department +
                   "', '" + kDept + "', 3, 'pkg-3', 1700000000000);");
  auto log = audit::WorkspaceLog::open(*ws);
  log->checkpoint();
  b.keys = ws->keys().size();
  b.peers = ws->peers().size();
  b.audit_entries = log->log().size();
  b.root = log->log().root(b.audit_entries);
  return b;
}

// The keyring as version 1 wrote it (before workspace migration 4): rows wrapped with the AD
// "civitas keyring v1/<id>/<purpose>/<algorithm>/<created>" (no status), destroyed rows
// without a tombstone, no keys of the checkpoint, user-signing and user-sealing purposes, no
// mac column; and the stored checkpoints signed with the signing key, as they were then.
// Returns the public key of the signing key that signed them.
std::vector<std::uint8_t> make_keyring_v1(store::Store& s, const c::SecretBytes& ws_key, bool has_log) {
  c::SecretBytes kr = c::derive_subkey(ws_key, 2, "civkeyr1");
  c::SecretBytes signing;
  std::vector<std::uint8_t> signing_pk;
  struct Row {
    std::string id, purpose, alg, status;
    std::int64_t created;
    std::vector<std::uint8_t> wrapped;
    bool live;
  };
  std::vector<Row> rows;
  {
    store::Statement q(s, "SELECT id, purpose, algorithm, created, status, wrapped FROM keys");
    while (q.step()) rows.push_back({q.text(0), q.text(1), q.text(2), q.text(4), q.int64(3), q.is_null(5) ? std::vector<std::uint8_t>{} : q.blob(5), !q.is_null(5)});
  }
  for (const Row& r : rows) {
    const std::string tail = r.id + "/" + r.purpose + "/" + r.alg + "/" + std::to_string(r.created);
    if (r.purpose == "checkpoint" || r.purpose == "user-signing" || r.purpose == "user-sealing") {
      s.exec("DELETE FROM keys WHERE id = '" + r.id + "'");
      continue;
    }
    if (!r.live) continue;
    c::SecretBytes secret = c::unwrap(kr, r.wrapped.data(), r.wrapped.size(), "civitas keyring v2/" + tail + "/" + r.status);
    if (r.purpose == "signing" && r.status == "primary") {
      signing = secret.clone();
      c::Key k = c::key_from_secret(c::Purpose::signing, secret.clone(), r.created);
      signing_pk = k.public_key;
    }
    auto w1 = c::wrap(kr, secret, "civitas keyring v1/" + tail);
    store::Statement up(s, "UPDATE keys SET wrapped = ? WHERE id = ?");
    up.bind_blob(1, w1.data(), w1.size()).bind(2, r.id).run();
  }
  s.exec(R"sql(
CREATE TEMP TABLE s_keys AS SELECT id, purpose, algorithm, created, status, public_key, wrapped, changed FROM keys;
DROP TABLE keys;
CREATE TABLE keys(
  id         TEXT PRIMARY KEY,           -- 16 hex digits (crypto::KeyId)
  purpose    TEXT NOT NULL,              -- field | token | identity | signing | exchange
  algorithm  TEXT NOT NULL,
  created    INTEGER NOT NULL,           -- Unix seconds
  status     TEXT NOT NULL,              -- primary | active | retired | destroyed
  public_key BLOB,                       -- signing and exchange keys
  wrapped    BLOB,                       -- XChaCha20-Poly1305 under the keyring subkey; NULL when destroyed
  changed    INTEGER NOT NULL
);
CREATE INDEX keys_purpose ON keys(purpose, status);
INSERT INTO keys SELECT * FROM s_keys;
DROP TABLE s_keys;
)sql");
  if (has_log) {
    // Checkpoint key type of the notes: a checkpoint-purpose Key over the signing secret.
    c::Key as_signer = c::key_from_secret(c::Purpose::checkpoint, signing.clone(), 1);
    std::vector<std::pair<std::int64_t, std::string>> notes;
    {
      store::Statement q(s, "SELECT size, note FROM audit_checkpoint");
      while (q.step()) notes.emplace_back(q.int64(0), q.text(1));
    }
    for (auto& [size, note] : notes) {
      audit::Checkpoint cp = audit::parse_checkpoint(note);
      std::string old = audit::sign_checkpoint(cp, cp.origin, as_signer);
      store::Statement up(s, "UPDATE audit_checkpoint SET note = ? WHERE size = ?");
      up.bind(1, old).bind(2, size).run();
    }
  }
  return signing_pk;
}

// Rewrites the workspace's database as civitas wrote it at shared schema version `v`: the
// tables of released migrations 1..v (meta, keys and peers are unchanged since 1 but for the
// keyring's version, make_keyring_v1), today's rows copied into those of them that exist,
// module_schema gone, PRAGMA user_version = v. Returns the old checkpoint signer's public key.
std::vector<std::uint8_t> make_old(const std::string& path, const w::KeySource& key, int v) {
  w::Header h = w::read_header(w::Workspace::header_path(path));
  c::SecretBytes ws_key = w::open_header(h, key);
  c::SecretBytes page = c::derive_subkey(ws_key, 1, "civpage1");
  store::Store s(path, page);
  store::Transaction tx(s);
  s.exec(R"sql(
CREATE TEMP TABLE s_entry AS SELECT * FROM audit_entry;
CREATE TEMP TABLE s_checkpoint AS SELECT * FROM audit_checkpoint;
CREATE TEMP TABLE s_tile AS SELECT * FROM audit_tile;
CREATE TEMP TABLE s_catalog AS SELECT * FROM catalog_entry;
CREATE TEMP TABLE s_sent AS SELECT * FROM package_sent;
CREATE TEMP TABLE s_received AS SELECT * FROM package_received;
DROP TABLE audit_entry; DROP TABLE audit_checkpoint; DROP TABLE audit_tile; DROP TABLE catalog_entry;
DROP TABLE package_sent; DROP TABLE package_received; DROP TABLE module_schema;
CREATE TEMP TABLE s_peers AS
  SELECT department, name, key_id, purpose, algorithm, public_key, status, imported FROM peers;
DROP TABLE peers; DROP TABLE peer_documents; DROP TABLE peer_mac; DROP TABLE key_revocations;
CREATE TABLE peers(
  department TEXT NOT NULL,              -- USCC of the peer department
  name       TEXT,
  key_id     TEXT NOT NULL,
  purpose    TEXT NOT NULL,              -- signing | exchange
  algorithm  TEXT NOT NULL,
  public_key BLOB NOT NULL,
  status     TEXT NOT NULL,
  imported   INTEGER NOT NULL,
  PRIMARY KEY(department, key_id)
);
INSERT INTO peers SELECT * FROM s_peers; DROP TABLE s_peers;
)sql");
  if (v >= 2) {
    s.exec(kReleased2);
    s.exec("INSERT INTO audit_entry SELECT * FROM s_entry; INSERT INTO audit_checkpoint SELECT * FROM s_checkpoint;");
  }
  if (v >= 3) s.exec(std::string(kReleased3) + "INSERT INTO catalog_entry SELECT * FROM s_catalog;");
  if (v >= 4)
    s.exec(std::string(kReleased4) +
           "INSERT INTO package_sent SELECT * FROM s_sent; INSERT INTO package_received "
           "SELECT provider, consumer, sequence, package_id, opened_ms FROM s_received;");
  if (v >= 5) {
    // Released migration 5 moved the audit_node rows into audit_tile and dropped audit_node.
    s.exec(std::string(kReleased5) + "INSERT INTO audit_tile SELECT * FROM s_tile; DROP TABLE audit_node;");
  } else if (v >= 2) {
    audit::MemoryTree t;
    {
      store::Statement q(s, "SELECT leaf FROM s_entry ORDER BY idx");
      while (q.step()) {
        auto l = q.blob(0);
        audit::Hash hh{};
        REQUIRE(l.size() == 32);
        std::copy(l.begin(), l.end(), hh.begin());
        t.append(hh);
      }
    }
    store::Statement ins(s, "INSERT INTO audit_node VALUES(?,?,?)");
    for (unsigned lv = 1; (std::uint64_t(1) << lv) <= t.size(); ++lv)
      for (std::uint64_t i = 0; ((i + 1) << lv) <= t.size(); ++i) {
        audit::Hash n = t.node(lv, i);
        ins.reset();
        ins.bind(1, static_cast<std::int64_t>(lv)).bind(2, static_cast<std::int64_t>(i)).bind_blob(3, n.data(), 32).run();
      }
  }
  s.exec("DROP TABLE s_entry; DROP TABLE s_checkpoint; DROP TABLE s_tile; DROP TABLE s_catalog; DROP TABLE s_sent;"
         "DROP TABLE s_received; PRAGMA user_version = " + std::to_string(v) + ";");
  auto pk = make_keyring_v1(s, ws_key, v >= 2);
  tx.commit();
  return pk;
}

}  // namespace

TEST_CASE("the released migration 1 is the workspace's migration 1 (kept tables are as released)") {
  TempDir d;
  auto key = w::KeySource::raw_key_hex(std::string(64, 'b'));
  auto ws = w::Workspace::create(d.file("ws.db"), key);
  std::string want = kReleased1;
  for (const char* table : {"meta", "keys", "peers"}) {
    store::Statement q(ws->store(), "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?");
    q.bind(1, table);
    REQUIRE(q.step());
    std::string sql = q.text(0);
    // Migration 3 added a column to peers (ALTER TABLE puts it after the last column).
    if (std::string(table) == "peers") {
      const std::string added = ", revoked INTEGER";
      auto at = sql.find(added);
      REQUIRE_MESSAGE(at != std::string::npos, sql);
      sql.erase(at, added.size());
    }
    if (std::string(table) == "keys") {  // workspace migration 4 added one column
      auto at = sql.find(", mac BLOB");
      CHECK(at != std::string::npos);
      if (at != std::string::npos) sql.erase(at, std::string(", mac BLOB").size());
    }
    CHECK_MESSAGE(want.find(sql) != std::string::npos, table);
  }
}

TEST_CASE("workspaces of shared schema versions 1 to 5 open, keep their data and get module versions") {
  for (int v = 1; v <= 5; ++v) {
    CAPTURE(v);
    TempDir d;
    const std::string path = d.file("ws.db");
    auto key = w::KeySource::raw_key_hex(std::string(64, 'a'));
    Before b = make_workspace(path, key, d.file(""));
    const std::vector<std::uint8_t> old_signer = make_old(path, key, v);
    bool had_log = v >= 2, had_catalog = v >= 3;
    for (int round = 0; round < 2; ++round) {  // the second open finds everything current
      auto ws = w::Workspace::open(path, key);
      store::Store& s = ws->store();
      CHECK(ws->info().department == kDept);
      CHECK(ws->info().schema_version == 5);
      CHECK(ws->keys().size() == b.keys);
      CHECK(ws->peers().size() == b.peers);
      CHECK(s.module_version("legacy") == v);
      CHECK(s.module_version("store") == 1);
      CHECK(s.module_version("workspace") == 5);
      // Keyring version 2: keys of the newer purposes were added; every row authenticates.
      for (c::Purpose np : {c::Purpose::checkpoint, c::Purpose::user_signing, c::Purpose::user_sealing})
        CHECK(ws->keyring()->primary(np).purpose == np);
      CHECK(scalar(s, "SELECT count(*) FROM keys WHERE status = 'destroyed' AND length(mac) = 32") == 1);
      CHECK(s.module_version("audit") == 2);  // Workspace::open attaches the audit log
      CHECK(scalar(s, "PRAGMA user_version") == store::kUserVersion);
      CHECK(scalar(s, "SELECT count(*) FROM sqlite_master WHERE name IN ('audit_node', 'audit_entry_time')") == 0);

      auto log = audit::WorkspaceLog::open(*ws);
      // The first open records the three keys the upgrade added (key.rotate, reason upgrade).
      const std::uint64_t upgrade_entries = round == 0 ? 3 : 0;
      if (had_log) {
        CHECK(log->log().size() == b.audit_entries + upgrade_entries);
        CHECK(log->log().root(b.audit_entries) == b.root);
        // The checkpoint signed with the signing key before the upgrade now also carries the
        // checkpoint key's signature: both the old published verifier and the new one accept it.
        if (round == 0) {
          auto note = log->log().latest_checkpoint();
          REQUIRE(note);
          CHECK_NOTHROW(audit::open_checkpoint(*note, {audit::NoteVerifier::from_public_key(log->log().origin(), old_signer.data())}));
          CHECK_NOTHROW(audit::open_checkpoint(*note, log->verifiers()));
        }
      } else {
        CHECK(log->log().size() == 1 + upgrade_entries);  // a new log: its first entry records the workspace
      }
      audit::VerifyReport rep = log->verify();
      CHECK(rep.ok());

      catalog::CatalogStore cs(s);
      CHECK(s.module_version("catalog") == 1);
      if (had_catalog) {
        auto e = cs.get(b.resource_code);
        REQUIRE(e);
        CHECK(e->version == 1);
        CHECK(e->entry["title"] == "企业登记基本信息");
      } else {
        CHECK(cs.list().empty());
      }
      CHECK(scalar(s, "SELECT count(*) FROM package_sent") == (v >= 4 ? 1 : 0));
      CHECK(scalar(s, "SELECT count(*) FROM package_received") == (v >= 4 ? 1 : 0));
      if (round == 0) {
        ws->rotate(c::Purpose::token);  // and it keeps working
        cs.put(catalog_entry());
        b.keys += 1;
        b.audit_entries = log->log().size();
        b.root = log->log().root(b.audit_entries);
        b.resource_code = cs.list().at(0).resource_code;
        had_log = had_catalog = true;
      }
    }
  }
}
