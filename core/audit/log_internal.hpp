// Internal: database access of the stored audit log (tables from audit migrations 1 and 2, tables.cpp).
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

#include "audit_internal.hpp"
#include "civitas/store.hpp"

namespace civitas::audit {

/// Complete-subtree hashes read from the database: level 0 from audit_entry.leaf, higher
/// levels from the tiles of audit_tile (tiles.hpp), each tile read once. A missing node is an
/// integrity error.
class DbNodes : public NodeReader {
 public:
  explicit DbNodes(store::Store& db);
  /// With statements prepared earlier (Log keeps them): "SELECT leaf FROM audit_entry WHERE
  /// idx = ?" and "SELECT hashes FROM audit_tile WHERE id = ?". Reset on exit.
  DbNodes(store::Statement& leaf, store::Statement& tile);
  ~DbNodes() override;
  Hash node(unsigned level, std::uint64_t index) override;

 private:
  const std::vector<std::uint8_t>& tile(std::int64_t id);
  std::unique_ptr<store::Statement> own_leaf_, own_tile_;
  store::Statement* leaf_;
  store::Statement* tile_;
  std::map<std::uint64_t, Hash> leaves_;
  std::map<std::int64_t, std::vector<std::uint8_t>> tiles_;
};

/// Statements a Log prepares once and reuses (under the Store's mutex).
struct LogStatements {
  store::Statement size, leaf, tile;
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
  bool own_;
};

std::uint64_t stored_size(store::Store& db);

}  // namespace civitas::audit
