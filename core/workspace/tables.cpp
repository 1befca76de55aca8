// The workspace's own tables in its database, as the workspace module's list of migrations
// (module "workspace" of module_schema, docs/formats/workspace.md): identity, keyring, peer
// directory, and the exchange party's sequence numbers and replay memory. Never edit a
// released migration; append one.
#include "civitas/store.hpp"
#include "civitas/workspace.hpp"
#include "impl.hpp"

namespace civitas::workspace {

namespace {

thread_local const crypto::SecretBytes* g_peers_key = nullptr;

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
      {3, "peer key documents: sequence, revocation, the directory's MAC (peers.cpp, docs/formats/workspace.md)",
       R"sql(
ALTER TABLE peers ADD COLUMN revoked INTEGER;  -- superseded: packages created from then on are refused
CREATE TABLE peer_documents(
  department TEXT PRIMARY KEY,           -- USCC of the peer department
  sequence   INTEGER NOT NULL,           -- of its last imported key document (0: version 1 or 2)
  digest     TEXT NOT NULL,              -- hex BLAKE2b-256 of that document's signed bytes
  imported   INTEGER NOT NULL            -- Unix seconds
) WITHOUT ROWID;
INSERT INTO peer_documents(department, sequence, digest, imported)
  SELECT department, 0, '', MAX(imported) FROM peers GROUP BY department;
CREATE TABLE peer_mac(
  id  INTEGER PRIMARY KEY CHECK (id = 1),
  mac BLOB NOT NULL                      -- keyed BLAKE2b-256 of peers + peer_documents (peers.cpp)
);
CREATE TABLE key_revocations(
  key_id  TEXT PRIMARY KEY,              -- a signing or exchange key of this workspace
  reason  TEXT NOT NULL,                 -- superseded | compromised
  revoked INTEGER NOT NULL               -- Unix seconds
) WITHOUT ROWID;
)sql",
       [](store::Store& db) { seal_peers(db, *g_peers_key); }, 0},
      {4, "keyring version 2: status bound into every row, tombstone MACs of destroyed keys, keys of the "
          "checkpoint, user-signing and user-sealing purposes (keyring.cpp, docs/formats/workspace.md)",
       R"sql(
ALTER TABLE keys ADD COLUMN mac BLOB;    -- destroyed keys: BLAKE2b-256 tombstone under the keyring MAC key
)sql",
       convert_keyring_v2, 0},
      {5, "replay memory: pending records and their output directory (issue 12; packages.cpp, replay.cpp)",
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
  // Migration 3 seals the peer rows it finds with the directory key; a migration's code is a
  // plain function, so the key reaches it through this thread's pointer for the call.
  g_peers_key = &ws.peers_key;
  struct Reset {
    ~Reset() { g_peers_key = nullptr; }
  } reset;
  store::migrate(db, "workspace", migrations());
  // The replay memory's MAC (replay.cpp) starts with the migration that brought it (5): a new
  // workspace, or one upgraded from an earlier version, whose rows are taken as they are.
  if (before < 5) {
    store::Transaction tx(db);
    seal_replay_memory(ws);
    tx.commit();
  }
}

}  // namespace civitas::workspace
