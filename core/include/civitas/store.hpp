// civitas::store — the workspace database: one SQLCipher file opened with a raw 32-byte page
// key, WAL journal, busy timeout, immediate transactions for writers, and the versions of the
// modules' tables: each module (workspace, audit, catalog, …) keeps its own list of
// migrations and applies it with store::migrate() when it opens; table module_schema holds a
// version per module. The store migrates only its own table (core/store/schema.cpp).
// docs/formats/workspace.md describes the file.
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
#include <utility>
#include <vector>

#include "civitas/crypto.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace civitas::store {

/// PRAGMA user_version of every file that has table module_schema. Files written before it
/// carry 1–5 (one shared version of every table); they are converted on open (the value is
/// kept as module "legacy" of module_schema, see Migration::legacy_user_version). civitas
/// releases of that time refuse a file with a higher user_version, so they never touch a
/// converted file.
inline constexpr int kUserVersion = 6;

struct OpenOptions {
  bool create = false;            ///< create a new file (Error(exists) when it exists)
  int busy_timeout_ms = 10000;    ///< how long to wait for another writer
  /// Opens the file read-only (SQLITE_OPEN_READONLY): a write fails with Error(denied), and a
  /// module whose tables need migrating fails with Error(unsupported_version) (issue 16).
  bool read_only = false;
};

/// SQLCipher settings applied right after the key (they must match to open the file). They
/// are the format SQLCipher 3.4.1 (Debian 12) really writes: it knows neither
/// cipher_hmac_algorithm nor cipher_kdf_algorithm and always uses HMAC-SHA1 and PBKDF2-HMAC-SHA1
/// (earlier civitas asked for SHA512, which 3.4.1 silently ignored). They are pinned
/// explicitly so that a SQLCipher 4 (whose defaults are SHA512, 256,000 iterations, 4096-byte
/// pages) reads the same files (docs/formats/workspace.md, "Page format").
struct CipherSettings {
  static constexpr int page_size = 4096;
  static constexpr int kdf_iter = 64000;  ///< 3.x default; unused for the raw page key itself
  static constexpr const char* hmac_algorithm = "HMAC_SHA1";
  static constexpr const char* kdf_algorithm = "PBKDF2_HMAC_SHA1";
  static constexpr int reserve = 48;     ///< per page: IV 16 + HMAC-SHA1 20 + 12 unauthenticated padding
  static constexpr int padding = 12;     ///< the last bytes of each page, outside the HMAC
};

class Store;
struct Migration;

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
  bool read_only() const noexcept { return read_only_; }
  /// The version of a module's tables (its row of module_schema); 0 when it has none.
  int module_version(std::string_view module);

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
  void open_tables();
  friend void migrate(Store&, std::string_view, const std::vector<Migration>&);
  std::string path_;
  sqlite3* db_ = nullptr;
  std::recursive_mutex mu_;
  bool read_only_ = false;  // opened with OpenOptions::read_only
  bool opened_ = false;  // the first page authenticated
  std::vector<std::pair<std::string, int>> current_;  // (module, version) found current on this connection
};

/// One migration of a module's tables. A module's migrations are numbered 1, 2, … in order;
/// migration i takes its tables from version i-1 to i. A released migration never changes.
struct Migration {
  int version;
  const char* description;
  const char* sql;
  /// Work beyond the SQL (converting rows), run right after it in the same transaction.
  void (*code)(Store&) = nullptr;
  /// For migrations released before module_schema existed: the shared PRAGMA user_version
  /// (1–5) from which on a file already has this migration. 0 for later migrations.
  int legacy_user_version = 0;
};

/// Brings the tables of `module` to the last of `migrations` (in version order): reads the
/// module's row of module_schema (for a file converted from a shared user_version, derives it
/// from Migration::legacy_user_version), runs the missing migrations and records the new
/// version, all in one write transaction, or inside the caller's transaction when one is
/// open. Cheap once a module is current on this connection. Errors: unsupported_version (the
/// file has a newer version of the module: written by a newer civitas), busy, io, integrity.
void migrate(Store& s, std::string_view module, const std::vector<Migration>& migrations);

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
