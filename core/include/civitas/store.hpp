// civitas::store — the workspace database: one SQLCipher file opened with a raw 32-byte page
// key, WAL journal, busy timeout, immediate transactions for writers, and a versioned schema
// with migrations (core/store/schema.cpp). docs/formats/workspace.md describes the file.
//
// A Store is one connection. Its member functions are safe to call from many threads (the
// connection is serialised by SQLite's full mutex; a Transaction additionally holds the
// Store's mutex, so statements of one transaction are not interleaved with another
// thread's). Many processes may open the same file at once.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "civitas/crypto.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace civitas::store {

/// The schema version this library writes. A file with a higher version is refused with
/// Error(unsupported_version).
int latest_schema_version() noexcept;

struct OpenOptions {
  bool create = false;            ///< create a new file (Error(exists) when it exists)
  int busy_timeout_ms = 10000;    ///< how long to wait for another writer
};

/// SQLCipher settings applied right after the key (they must match to open the file).
struct CipherSettings {
  static constexpr int page_size = 4096;
  static constexpr const char* hmac_algorithm = "HMAC_SHA512";
  static constexpr const char* kdf_algorithm = "PBKDF2_HMAC_SHA512";
};

class Store;

/// A prepared statement. Bind indexes are 1-based, column indexes 0-based.
class Statement {
 public:
  Statement(Store& store, std::string_view sql);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& bind(int i, std::string_view text);
  Statement& bind(int i, std::int64_t v);
  Statement& bind_blob(int i, const void* p, std::size_t n);
  Statement& bind_null(int i);
  /// Steps; true when a row is available, false when done.
  bool step();
  /// Runs to completion (for statements without results).
  void run();
  void reset();

  std::string text(int col) const;
  std::int64_t int64(int col) const;
  std::vector<std::uint8_t> blob(int col) const;
  bool is_null(int col) const;

 private:
  Store& store_;
  sqlite3_stmt* st_ = nullptr;
};

class Store {
 public:
  /// Opens (or creates) the database with the raw page key, applies CipherSettings, WAL,
  /// busy timeout and migrations. Errors: not_found (no file), exists (create over a file),
  /// wrong_key ("wrong key, or not a civitas workspace"), integrity (damaged),
  /// unsupported_version (written by a newer civitas), busy, io.
  Store(const std::string& path, const crypto::SecretBytes& page_key, const OpenOptions& opts = {});
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  const std::string& path() const noexcept { return path_; }
  int schema_version();

  /// Executes SQL without results (several statements allowed).
  void exec(std::string_view sql);

  /// Runs a full PRAGMA integrity_check; throws Error(integrity) on any problem.
  void check_integrity();

  /// Throws the civitas::Error for an SQLite result code (never returns).
  [[noreturn]] void fail(int rc, std::string_view what);

  sqlite3* handle() noexcept { return db_; }
  /// True while this connection is inside a transaction (call with mutex() held: then it is
  /// the calling thread's own transaction).
  bool in_transaction() noexcept;
  std::recursive_mutex& mutex() noexcept { return mu_; }

 private:
  void migrate();
  std::string path_;
  sqlite3* db_ = nullptr;
  std::recursive_mutex mu_;
  bool opened_ = false;  // the first page authenticated
};

/// A write transaction: BEGIN IMMEDIATE (takes the write lock at once, waiting up to the busy
/// timeout), COMMIT on commit(), ROLLBACK when destroyed uncommitted. Holds the Store's mutex.
///
/// Nested: a Transaction opened on the same Store while another one is open on this thread
/// is a SAVEPOINT inside it. Its commit() releases the savepoint into the outer transaction
/// (nothing is durable until the outermost commit()); destroyed uncommitted, it rolls back its
/// own statements only. This is how an action and its audit entry commit together: the audit
/// sink appends inside the action's transaction (docs/development.md, "Audited operations").
class Transaction {
 public:
  explicit Transaction(Store& s);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  void commit();
  /// True when this transaction is a savepoint inside an outer one.
  bool nested() const noexcept { return nested_; }

 private:
  Store& s_;
  std::unique_lock<std::recursive_mutex> lock_;
  bool nested_ = false;
  bool done_ = false;
};

}  // namespace civitas::store
