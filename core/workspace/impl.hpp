// Internal: the state behind a Workspace.
#pragma once

#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

#include "civitas/crypto.hpp"
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
  void audit(std::string_view action, std::string_view resource, const nlohmann::json& details) const;
  std::string meta(const std::string& key) const;
};

std::int64_t now_seconds();
/// Migrates the workspace's own tables (tables.cpp); create and open call it.
void migrate_tables(store::Store& db);
KeyInfo info_of(const crypto::Key& k);

}  // namespace civitas::workspace
