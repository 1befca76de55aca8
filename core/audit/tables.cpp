// The audit log's tables in the workspace database (docs/audit.md#storage), as the audit
// module's own list of migrations (module "audit" of module_schema). Never edit a released
// migration; append one.
#include "civitas/audit.hpp"
#include "civitas/store.hpp"
#include "tiles.hpp"

namespace civitas::audit {

namespace {

const std::vector<store::Migration>& migrations() {
  static const std::vector<store::Migration> m = {
      {1, "entries, Merkle tree nodes, signed checkpoints",
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
)sql",
       nullptr, 2},
      {2, "tree nodes stored by tiles (tiles.hpp), time index dropped",
       R"sql(
CREATE TABLE audit_tile(                 -- inner tree nodes, 2^5 bottom nodes and 5 levels per row
  id     INTEGER PRIMARY KEY,            -- tile level << 56 | tile index
  hashes BLOB NOT NULL                   -- 32-byte node hashes in creation order
);
DROP INDEX audit_entry_time;             -- times never decrease: time ranges by bisection on idx
)sql",
       tiles::migrate_nodes_to_tiles, 5},
  };
  return m;
}

}  // namespace

void migrate(store::Store& db) { store::migrate(db, "audit", migrations()); }

}  // namespace civitas::audit
