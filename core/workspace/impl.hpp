// Internal: the state behind a Workspace.
#pragma once

#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

#include "civitas/crypto.hpp"
#include "civitas/error.hpp"
#include "civitas/store.hpp"
#include "civitas/workspace.hpp"

namespace civitas::workspace {

struct Workspace::Impl {
  std::string path;
  crypto::SecretBytes workspace_key;  // W, unwrapped from the header
  crypto::SecretBytes keyring_key;    // subkey of W that wraps keyring keys
  crypto::SecretBytes peers_key;      // subkey "civpeer1" of W: the MAC of the peer directory (peers.cpp)
  crypto::SecretBytes keyring_mac_key;  // subkey of W that authenticates destroyed keyring rows
  std::unique_ptr<store::Store> store;
  mutable std::mutex mu;  // guards ring and sink
  std::shared_ptr<const crypto::Keyring> ring;
  std::shared_ptr<AuditSink> sink;
  // Keys added by workspace migration 4 (purpose, id, algorithm), recorded once the audit log
  // is attached (Workspace::open).
  std::vector<crypto::Key> added_by_upgrade;

  // keyring rows (keyring.cpp), inside the caller's transaction
  void insert_key(const crypto::Key& k);
  /// Changes a key's status, re-binding it into the row (re-wrap, or a tombstone MAC for
  /// destroyed). Error(integrity) when the row's current status does not authenticate.
  void set_status(const std::string& id_hex, crypto::Status to);
  std::vector<std::string> ids_with_status(crypto::Purpose p, crypto::Status s) const;
  /// Loads every row; Error(integrity) naming the key for a row whose status, secret or
  /// tombstone does not authenticate, or a destroyed row whose id is not its public key's.
  std::shared_ptr<const crypto::Keyring> load_ring();
  /// Records an audited action through the sink, inside the caller's store::Transaction when
  /// there is one (the entry then commits or rolls back with the action), else in a
  /// transaction of its own (actions that change nothing in the database: decryption…).
  void audit(std::string_view action, std::string_view resource, const nlohmann::json& details,
             std::string_view outcome = "ok", std::string_view purpose = {}) const;
  /// A refusal: `action` with outcome = the error's code name and details + {"error": message},
  /// in a transaction of its own. Never throws: the refusal, not a failing audit, is what the
  /// caller reports.
  void audit_refused(std::string_view action, std::string_view resource, const Error& e,
                     nlohmann::json details = nlohmann::json::object(), std::string_view purpose = {}) const noexcept;
  std::string meta(const std::string& key) const;
};

/// While alive, workspace migration 4 (convert_keyring_v2) converts the keyring of `im`.
struct ConvertingKeyring {
  explicit ConvertingKeyring(Workspace::Impl& im);
  ~ConvertingKeyring();
};
void convert_keyring_v2(store::Store& db);
/// Derives the keyring keys from the workspace key W (docs/formats/workspace.md).
void derive_keyring_keys(Workspace::Impl& im);

std::int64_t now_seconds();
/// Migrates the workspace's own tables (tables.cpp); create and open call it (after the
/// keyring keys and peers_key are set: migration 3 authenticates the peer rows it finds, and
/// the replay memory of a new or upgraded workspace is sealed).
void migrate_tables(Workspace::Impl& ws);
/// The peer directory's MAC (peers.cpp): seal_peers() stores it inside the caller's
/// transaction after a change; check_peers() throws Error(integrity) when the rows (peers,
/// peer_documents) do not match it: changed with the page key alone.
void seal_peers(store::Store& db, const crypto::SecretBytes& peers_key);
void check_peers(store::Store& db, const crypto::SecretBytes& peers_key);
/// The replay memory's MAC (replay.cpp, docs/formats/workspace.md): a keyed BLAKE2b over every
/// row of package_received under a subkey of the keyring key, which the page key does not
/// give. seal_ recomputes and stores it (inside the caller's transaction); check_ throws
/// integrity when the rows are not the ones the workspace wrote.
void seal_replay_memory(Workspace::Impl& ws);
void check_replay_memory(Workspace::Impl& ws);
KeyInfo info_of(const crypto::Key& k);

}  // namespace civitas::workspace
