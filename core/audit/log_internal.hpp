// Internal: database access of the stored audit log (tables from store migration 2).
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <utility>

#include "audit_internal.hpp"
#include "civitas/store.hpp"

namespace civitas::audit {

/// Complete-subtree hashes read from the database: level 0 from audit_entry.leaf, higher
/// levels from audit_node. A missing node is an integrity error.
class DbNodes : public NodeReader {
 public:
  explicit DbNodes(store::Store& db);
  /// With statements prepared earlier (Log keeps them): "SELECT leaf FROM audit_entry WHERE
  /// idx = ?" and "SELECT hash FROM audit_node WHERE level = ? AND idx = ?". Reset on exit.
  DbNodes(store::Statement& leaf, store::Statement& inner);
  ~DbNodes() override;
  Hash node(unsigned level, std::uint64_t index) override;

 private:
  std::unique_ptr<store::Statement> own_leaf_, own_inner_;
  store::Statement* leaf_;
  store::Statement* inner_;
  std::map<std::pair<unsigned, std::uint64_t>, Hash> cache_;
};

/// Statements a Log prepares once and reuses (under the Store's mutex).
struct LogStatements {
  store::Statement size, leaf, inner;
  explicit LogStatements(store::Store& db);
};

/// A read snapshot: holds the Store's mutex and a deferred transaction.
class ReadTxn {
 public:
  explicit ReadTxn(store::Store& db);
  ~ReadTxn();
  ReadTxn(const ReadTxn&) = delete;
  ReadTxn& operator=(const ReadTxn&) = delete;

 private:
  store::Store& db_;
  std::unique_lock<std::recursive_mutex> lock_;
};

std::uint64_t stored_size(store::Store& db);

}  // namespace civitas::audit
