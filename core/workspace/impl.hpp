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
  std::unique_ptr<store::Store> store;
  mutable std::mutex mu;  // guards ring and sink
  std::shared_ptr<const crypto::Keyring> ring;
  std::shared_ptr<AuditSink> sink;

  void insert_key(const crypto::Key& k);
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

std::int64_t now_seconds();
/// Migrates the workspace's own tables (tables.cpp); create and open call it (after
/// keyring_key is set: it seals the replay memory of a new or upgraded workspace).
void migrate_tables(Workspace::Impl& ws);
/// The replay memory's MAC (replay.cpp, docs/formats/workspace.md): a keyed BLAKE2b over every
/// row of package_received under a subkey of the keyring key, which the page key does not
/// give. seal_ recomputes and stores it (inside the caller's transaction); check_ throws
/// integrity when the rows are not the ones the workspace wrote.
void seal_replay_memory(Workspace::Impl& ws);
void check_replay_memory(Workspace::Impl& ws);
KeyInfo info_of(const crypto::Key& k);

}  // namespace civitas::workspace
