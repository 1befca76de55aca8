// The workspace schema, as an append-only list of migrations. Migration i (1-based) takes a
// file from schema version i-1 to i; PRAGMA user_version holds the version. Modules that
// need tables (catalog, policies, audit log) append a migration here; never edit a released one.
#include "schema.hpp"

#include "audit/tiles.hpp"

namespace civitas::store {

const std::vector<Migration>& migrations() {
  static const std::vector<Migration> m = {
      {1, "workspace identity, keyring, peer directory",
       R"sql(
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
)sql"},
      {2, "audit log: entries, Merkle tree nodes, signed checkpoints (core/audit, docs/audit.md)",
       R"sql(
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
)sql"},
      {3, "catalog entries, versioned (core/catalog, docs/catalog.md)",
       R"sql(
CREATE TABLE catalog_entry(
  resource_code TEXT NOT NULL,           -- 前段码 + separator + 后段码
  version       INTEGER NOT NULL,        -- 1, 2, … per resource code
  entry         TEXT NOT NULL,           -- the normalised entry (docs/formats/catalog-entry.md)
  created_ms    INTEGER NOT NULL,
  PRIMARY KEY(resource_code, version)
) WITHOUT ROWID;
)sql"},
      {4, "exchange packages: sequence numbers sent, replay memory (core/exchange, docs/formats/package.md)",
       R"sql(
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
)sql"},
      {5, "audit log: tree nodes stored by tiles, time index dropped (core/audit/tiles.hpp, docs/audit.md#storage)",
       R"sql(
CREATE TABLE audit_tile(                 -- inner tree nodes, 2^5 bottom nodes and 5 levels per row
  id     INTEGER PRIMARY KEY,            -- tile level << 56 | tile index
  hashes BLOB NOT NULL                   -- 32-byte node hashes in creation order
);
DROP INDEX audit_entry_time;             -- times never decrease: time ranges by bisection on idx
)sql"},
  };
  return m;
}

void run_migration_code(int version, Store& db) {
  if (version == 5) audit::tiles::migrate_nodes_to_tiles(db);  // audit_node rows into audit_tile
}

}  // namespace civitas::store
