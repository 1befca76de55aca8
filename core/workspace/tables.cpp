// The workspace's own tables in its database, as the workspace module's list of migrations
// (module "workspace" of module_schema, docs/formats/workspace.md): identity, keyring, peer
// directory, and the exchange party's sequence numbers and replay memory. Never edit a
// released migration; append one.
#include "civitas/store.hpp"
#include "civitas/workspace.hpp"
#include "impl.hpp"

namespace civitas::workspace {

namespace {

const std::vector<store::Migration>& migrations() {
  static const std::vector<store::Migration> m = {
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
)sql",
       nullptr, 1},
      {2, "exchange packages: sequence numbers sent, replay memory (package_party.cpp, docs/formats/package.md)",
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
)sql",
       nullptr, 4},
      {3, "replay memory: pending records and their output directory (issue 12; packages.cpp, replay.cpp)",
       R"sql(
ALTER TABLE package_received ADD COLUMN state TEXT NOT NULL DEFAULT 'received';  -- pending | received
ALTER TABLE package_received ADD COLUMN output TEXT;                             -- absolute output directory
)sql",
       nullptr, 0},
  };
  return m;
}

}  // namespace

void migrate_tables(Workspace::Impl& ws) {
  store::Store& db = *ws.store;
  const int before = db.module_version("workspace");
  store::migrate(db, "workspace", migrations());
  // The replay memory's MAC (replay.cpp) starts with the migration that brought it: a new
  // workspace, or one upgraded from migration 2, whose rows are taken as they are.
  if (before < 3) {
    store::Transaction tx(db);
    seal_replay_memory(ws);
    tx.commit();
  }
}

}  // namespace civitas::workspace
