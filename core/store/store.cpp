// The SQLCipher workspace database.
#define SQLITE_HAS_CODEC 1
#include <sqlite3.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstring>
#include <optional>

#include "civitas/error.hpp"
#include "civitas/store.hpp"
#include "schema.hpp"

namespace civitas::store {

namespace {
bool file_exists(const std::string& p) {
  struct stat st;
  return ::stat(p.c_str(), &st) == 0;
}
}  // namespace

void Store::fail(int rc, std::string_view what) {
  const int prim = rc & 0xFF;
  std::string msg = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
  std::string w(what);
  switch (prim) {
    case SQLITE_NOTADB:
      if (!opened_) throw Error(Code::wrong_key, "wrong key, or not a civitas workspace: " + path_);
      throw Error(Code::integrity, "workspace file is damaged (a page does not authenticate): " + path_);
    case SQLITE_CORRUPT:
      throw Error(Code::integrity, "workspace file is damaged (" + msg + "): " + path_);
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      throw Error(Code::busy, "workspace is busy (another writer held the lock too long) while " + w + ": " + path_);
    case SQLITE_CANTOPEN:
      throw Error(Code::io, "cannot open workspace file " + path_ + ": " + msg);
    case SQLITE_READONLY:
      if (read_only_) throw Error(Code::denied, "the workspace is open read-only (" + w + " would write it): " + path_);
      [[fallthrough]];
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_PERM:
      throw Error(Code::io, "I/O error while " + w + " (" + msg + "): " + path_);
    case SQLITE_CONSTRAINT:
      throw Error(Code::exists, w + ": " + msg);
    case SQLITE_ERROR:
      // SQLCipher reports a page whose HMAC fails after the file was opened as a generic error.
      if (opened_ && (msg.find("not a database") != std::string::npos || msg.find("malformed") != std::string::npos))
        throw Error(Code::integrity, "workspace file is damaged (" + msg + "): " + path_);
      throw Error(Code::internal, "database error while " + w + ": " + msg);
    default:
      throw Error(Code::internal, "database error while " + w + ": " + msg);
  }
}

Store::Store(const std::string& path, const crypto::SecretBytes& page_key, const OpenOptions& opts) : path_(path) {
  crypto::init();
  if (page_key.size() != 32) throw Error(Code::invalid_argument, "the page key must be 32 bytes");
  const bool exists = file_exists(path);
  if (opts.create && exists) throw Error(Code::exists, "a file already exists at " + path);
  if (!opts.create && !exists) throw Error(Code::not_found, "no workspace at " + path);
  if (opts.create && opts.read_only) throw Error(Code::invalid_argument, "a new workspace cannot be opened read-only");
  read_only_ = opts.read_only;
  int flags = (opts.read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE) | SQLITE_OPEN_FULLMUTEX |
              (opts.create ? SQLITE_OPEN_CREATE : 0);
  int rc = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr);
  try {
    if (rc != SQLITE_OK) fail(rc, "opening");
    sqlite3_extended_result_codes(db_, 1);
    // Raw key: the string x'<64 hex digits>' in locked memory; SQLCipher wipes its own copy.
    crypto::SecretBytes k(67);
    k.data()[0] = 'x';
    k.data()[1] = '\'';
    static const char* digits = "0123456789abcdef";
    for (std::size_t i = 0; i < 32; ++i) {
      k.data()[2 + 2 * i] = static_cast<unsigned char>(digits[page_key.data()[i] >> 4]);
      k.data()[3 + 2 * i] = static_cast<unsigned char>(digits[page_key.data()[i] & 15]);
    }
    k.data()[66] = '\'';
    rc = sqlite3_key(db_, k.data(), static_cast<int>(k.size()));
    if (rc != SQLITE_OK) fail(rc, "setting the page key");
    exec("PRAGMA cipher_page_size = " + std::to_string(CipherSettings::page_size) + ";" +
         "PRAGMA kdf_iter = " + std::to_string(CipherSettings::kdf_iter) + ";" +
         "PRAGMA cipher_use_hmac = ON;" +
         "PRAGMA cipher_hmac_algorithm = " + CipherSettings::hmac_algorithm + ";" +
         "PRAGMA cipher_kdf_algorithm = " + CipherSettings::kdf_algorithm + ";");
    sqlite3_busy_timeout(db_, opts.busy_timeout_ms);
    // First read: authenticates page 1 (or finds an empty new file).
    rc = sqlite3_exec(db_, "SELECT count(*) FROM sqlite_master;", nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) fail(rc, "reading the schema");
    opened_ = true;
    exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA secure_delete = ON;");
    open_tables();
  } catch (...) {
    sqlite3_close_v2(db_);
    db_ = nullptr;
    throw;
  }
}

Store::~Store() {
  if (db_) sqlite3_close_v2(db_);
}

void Store::exec(std::string_view sql) {
  std::string s(sql);
  char* err = nullptr;
  int rc = sqlite3_exec(db_, s.c_str(), nullptr, nullptr, &err);
  if (err) sqlite3_free(err);
  if (rc != SQLITE_OK) fail(rc, "executing SQL");
}

namespace {

// The module's row of module_schema; nullopt when there is none (or no table yet).
std::optional<int> row_version(Store& s, const std::string& module) {
  {
    Statement t(s, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'module_schema'");
    if (!t.step()) return std::nullopt;
  }
  Statement q(s, "SELECT version FROM module_schema WHERE module = ?");
  q.bind(1, module);
  if (!q.step()) return std::nullopt;
  return static_cast<int>(q.int64(0));
}

}  // namespace

int Store::module_version(std::string_view module) {
  std::lock_guard lk(mu_);
  return row_version(*this, std::string(module)).value_or(0);
}

void Store::open_tables() {
  Statement q(*this, "PRAGMA user_version");
  q.step();
  const std::int64_t v = q.int64(0);
  if (v > kUserVersion)
    throw Error(Code::unsupported_version, "workspace file layout " + std::to_string(v) +
                                               " was written by a newer civitas (this one knows up to " +
                                               std::to_string(kUserVersion) + "): " + path_);
  migrate(*this, "store", own_migrations());
}

void migrate(Store& s, std::string_view module, const std::vector<Migration>& migrations) {
  std::lock_guard lk(s.mu_);
  const std::string name(module);
  const int latest = migrations.empty() ? 0 : migrations.back().version;
  if (std::find(s.current_.begin(), s.current_.end(), std::make_pair(name, latest)) != s.current_.end()) return;
  // (version, recorded): a file converted from a shared user_version has no row for a module
  // yet; its version follows from the legacy value.
  auto current = [&]() -> std::pair<int, bool> {
    if (auto v = row_version(s, name)) return {*v, true};
    const int legacy = row_version(s, "legacy").value_or(0);
    int v = 0;
    for (const auto& m : migrations)
      if (m.legacy_user_version > 0 && m.legacy_user_version <= legacy) v = std::max(v, m.version);
    return {v, false};
  };
  auto check = [&](int v) {
    if (v > latest)
      throw Error(Code::unsupported_version, "the " + name + " tables of " + s.path() + " have schema version " +
                                                 std::to_string(v) + ", written by a newer civitas (this one knows up to " +
                                                 std::to_string(latest) + ")");
  };
  auto [v, recorded] = current();
  check(v);
  if (v == latest && recorded) {
    s.current_.emplace_back(name, latest);
    return;
  }
  if (s.read_only())
    throw Error(Code::unsupported_version, "the " + name + " tables of " + s.path() + " need migrating to version " +
                                               std::to_string(latest) + ": open the workspace once read-write first");
  std::optional<Transaction> tx;
  if (sqlite3_get_autocommit(s.handle())) tx.emplace(s);  // else: inside the caller's transaction
  std::tie(v, recorded) = current();  // another process may have migrated meanwhile
  check(v);
  for (const auto& m : migrations)
    if (m.version > v) {
      s.exec(m.sql);
      if (m.code) m.code(s);
    }
  {
    Statement up(s, "INSERT OR REPLACE INTO module_schema(module, version) VALUES(?, ?)");
    up.bind(1, name).bind(2, static_cast<std::int64_t>(latest)).run();
  }
  if (tx) {
    tx->commit();
    s.current_.emplace_back(name, latest);
  }
}

void Store::check_integrity() {
  std::lock_guard lk(mu_);
  std::string problems;
  try {
    Statement st(*this, "PRAGMA integrity_check");
    while (st.step()) {
      std::string r = st.text(0);
      if (r != "ok") problems += (problems.empty() ? "" : "; ") + r;
    }
  } catch (const Error& e) {
    if (e.code() == Code::integrity) throw;
    throw Error(Code::integrity, std::string("workspace integrity check failed: ") + e.what());
  }
  if (!problems.empty()) throw Error(Code::integrity, "workspace integrity check failed: " + problems.substr(0, 400));
}

// ---- Statement ----------------------------------------------------------------------------

Statement::Statement(Store& s, std::string_view sql) : store_(s) {
  int rc = sqlite3_prepare_v2(s.handle(), sql.data(), static_cast<int>(sql.size()), &st_, nullptr);
  if (rc != SQLITE_OK) s.fail(rc, "preparing a statement");
}

Statement::~Statement() { sqlite3_finalize(st_); }

Statement& Statement::bind(int i, std::string_view t) {
  int rc = sqlite3_bind_text(st_, i, t.data(), static_cast<int>(t.size()), SQLITE_TRANSIENT);
  if (rc != SQLITE_OK) store_.fail(rc, "binding a value");
  return *this;
}
Statement& Statement::bind(int i, std::int64_t v) {
  int rc = sqlite3_bind_int64(st_, i, v);
  if (rc != SQLITE_OK) store_.fail(rc, "binding a value");
  return *this;
}
Statement& Statement::bind_blob(int i, const void* p, std::size_t n) {
  int rc = sqlite3_bind_blob(st_, i, p ? p : "", static_cast<int>(n), SQLITE_TRANSIENT);
  if (rc != SQLITE_OK) store_.fail(rc, "binding a value");
  return *this;
}
Statement& Statement::bind_null(int i) {
  int rc = sqlite3_bind_null(st_, i);
  if (rc != SQLITE_OK) store_.fail(rc, "binding a value");
  return *this;
}

bool Statement::step() {
  int rc = sqlite3_step(st_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  sqlite3_reset(st_);
  store_.fail(rc, "running a statement");
}

void Statement::run() {
  while (step()) {
  }
}

void Statement::reset() {
  sqlite3_reset(st_);
  sqlite3_clear_bindings(st_);
}

std::string Statement::text(int c) const {
  const unsigned char* p = sqlite3_column_text(st_, c);
  return p ? std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(sqlite3_column_bytes(st_, c)))
           : std::string();
}
std::int64_t Statement::int64(int c) const { return sqlite3_column_int64(st_, c); }
std::vector<std::uint8_t> Statement::blob(int c) const {
  const auto* p = static_cast<const std::uint8_t*>(sqlite3_column_blob(st_, c));
  int n = sqlite3_column_bytes(st_, c);
  return p ? std::vector<std::uint8_t>(p, p + n) : std::vector<std::uint8_t>();
}
bool Statement::is_null(int c) const { return sqlite3_column_type(st_, c) == SQLITE_NULL; }

// ---- Transaction --------------------------------------------------------------------------

bool Store::in_transaction() noexcept { return db_ && sqlite3_get_autocommit(db_) == 0; }

// The mutex is recursive: with it held, an open transaction on the connection is this
// thread's own, and a second Transaction becomes a savepoint inside it.
Transaction::Transaction(Store& s) : s_(s), lock_(s.mutex()) {
  nested_ = s_.in_transaction();
  s_.exec(nested_ ? "SAVEPOINT civ_nested" : "BEGIN IMMEDIATE");
}

Transaction::~Transaction() {
  if (done_) return;
  if (nested_) {
    // Undo this savepoint's statements, then drop it; the outer transaction goes on.
    sqlite3_exec(s_.handle(), "ROLLBACK TO civ_nested; RELEASE civ_nested", nullptr, nullptr, nullptr);
  } else {
    sqlite3_exec(s_.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
  }
}

void Transaction::commit() {
  s_.exec(nested_ ? "RELEASE civ_nested" : "COMMIT");
  done_ = true;
}

}  // namespace civitas::store
