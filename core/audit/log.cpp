// The stored audit log: appends, queries, proofs and checkpoints (docs/audit.md).
#include <sqlite3.h>

#include <algorithm>
#include <cstring>

#include "civitas/audit.hpp"
#include "civitas/error.hpp"
#include "civitas/store.hpp"
#include "log_internal.hpp"
#include "tiles.hpp"

namespace civitas::audit {

// ---- helpers ---------------------------------------------------------------------------------

namespace {
const char* const kLeafSql = "SELECT leaf FROM audit_entry WHERE idx = ?";
const char* const kTileSql = "SELECT hashes FROM audit_tile WHERE id = ?";
const char* const kSizeSql = "SELECT MAX(idx) FROM audit_entry";

std::string node_name(unsigned level, std::uint64_t index) {
  return "tree node (level " + std::to_string(level) + ", index " + std::to_string(index) + ")";
}
}  // namespace

DbNodes::DbNodes(store::Store& db)
    : own_leaf_(std::make_unique<store::Statement>(db, kLeafSql)),
      own_tile_(std::make_unique<store::Statement>(db, kTileSql)),
      leaf_(own_leaf_.get()),
      tile_(own_tile_.get()) {}

DbNodes::DbNodes(store::Statement& leaf, store::Statement& tile) : leaf_(&leaf), tile_(&tile) {}

DbNodes::~DbNodes() {
  leaf_->reset();
  tile_->reset();
}

LogStatements::LogStatements(store::Store& db) : size(db, kSizeSql), leaf(db, kLeafSql), tile(db, kTileSql) {}

const std::vector<std::uint8_t>& DbNodes::tile(std::int64_t id) {
  if (auto it = tiles_.find(id); it != tiles_.end()) return it->second;
  if (tiles_.size() > 4096) tiles_.clear();
  tile_->reset();
  tile_->bind(1, id);
  std::vector<std::uint8_t> v;
  if (tile_->step()) v = tile_->blob(0);
  tile_->reset();
  return tiles_.emplace(id, std::move(v)).first->second;
}

Hash DbNodes::node(unsigned level, std::uint64_t index) {
  Hash h;
  if (level == 0) {
    if (auto it = leaves_.find(index); it != leaves_.end()) return it->second;
    leaf_->reset();
    leaf_->bind(1, static_cast<std::int64_t>(index));
    if (!leaf_->step()) throw Error(Code::integrity, "audit log: entry " + std::to_string(index) + " is missing");
    auto b = leaf_->blob(0);
    leaf_->reset();
    if (b.size() != 32)
      throw Error(Code::integrity, "audit log: stored leaf hash of entry " + std::to_string(index) + " is not 32 bytes");
    std::memcpy(h.data(), b.data(), 32);
    if (leaves_.size() > 65536) leaves_.clear();
    leaves_.emplace(index, h);
    return h;
  }
  if (level > 62) throw Error(Code::integrity, "audit log: " + node_name(level, index) + " is missing");
  const tiles::Slot s = tiles::locate(level, index);
  const std::vector<std::uint8_t>& t = tile(s.id);
  if (t.size() % 32 != 0)
    throw Error(Code::integrity, "audit log: the stored tile of " + node_name(level, index) + " is damaged (" +
                                     std::to_string(t.size()) + " bytes)");
  if ((s.pos + 1) * 32 > t.size()) throw Error(Code::integrity, "audit log: " + node_name(level, index) + " is missing");
  std::memcpy(h.data(), t.data() + s.pos * 32, 32);
  return h;
}

// Inside a transaction of this thread (an audited action reading the log) the reads see that
// transaction: nothing to begin or end.
ReadTxn::ReadTxn(store::Store& db) : db_(db), lock_(db.mutex()), own_(!db.in_transaction()) {
  if (own_) db_.exec("BEGIN");
}
ReadTxn::~ReadTxn() {
  if (own_) sqlite3_exec(db_.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
}

std::uint64_t stored_size(store::Store& db) {
  store::Statement st(db, kSizeSql);
  if (!st.step() || st.is_null(0)) return 0;
  return static_cast<std::uint64_t>(st.int64(0)) + 1;
}

namespace {
std::uint64_t cached_size(store::Statement& st) {
  st.reset();
  std::uint64_t n = st.step() && !st.is_null(0) ? static_cast<std::uint64_t>(st.int64(0)) + 1 : 0;
  st.reset();
  return n;
}
}  // namespace

LogStatements& Log::statements() {
  if (!stmts_) stmts_ = std::make_unique<LogStatements>(db_);
  return *stmts_;
}

namespace {

struct LatestCheckpoint {
  std::uint64_t size = 0;
  Hash root{};
  std::string note;
};

std::optional<LatestCheckpoint> latest(store::Store& db) {
  store::Statement st(db, "SELECT size, root, note FROM audit_checkpoint ORDER BY size DESC LIMIT 1");
  if (!st.step()) return std::nullopt;
  LatestCheckpoint c;
  c.size = static_cast<std::uint64_t>(st.int64(0));
  auto r = st.blob(1);
  if (r.size() != 32) throw Error(Code::integrity, "audit log: stored checkpoint root is not 32 bytes");
  std::memcpy(c.root.data(), r.data(), 32);
  c.note = st.text(2);
  return c;
}

// The stored tree must extend the latest checkpoint (whose note must match its row).
void check_against_latest(store::Store& db, DbNodes& nodes, std::uint64_t size) {
  auto cp = latest(db);
  if (!cp) return;
  Checkpoint parsed = parse_checkpoint(cp->note);
  if (parsed.size != cp->size || parsed.root != cp->root)
    throw Error(Code::integrity, "audit log: checkpoint row " + std::to_string(cp->size) + " does not match its note");
  if (cp->size > size)
    throw Error(Code::integrity, "audit log: a checkpoint covers " + std::to_string(cp->size) +
                                     " entries but the log has only " + std::to_string(size) + " (entries deleted)");
  if (tree_root(nodes, cp->size) != cp->root)
    throw Error(Code::integrity, "audit log: the stored tree does not match the checkpoint of size " +
                                     std::to_string(cp->size) + " (entries or nodes changed)");
}

}  // namespace

// ---- Log -------------------------------------------------------------------------------------

Log::Log(store::Store& db, std::string origin) : db_(db), origin_(std::move(origin)) {
  check_note_name(origin_);
  migrate(db_);
}

Log::~Log() {
  std::lock_guard lock(db_.mutex());
  stmts_.reset();
}

std::uint64_t Log::append(Event e) {
  std::vector<Event> v;
  v.push_back(std::move(e));
  return append_batch(std::move(v));
}

std::uint64_t Log::append_batch(std::vector<Event> events) {
  for (Event& e : events) check_event(e);
  store::Transaction tx(db_);
  std::uint64_t first = append_locked(events);
  tx.commit();
  return first;
}

std::uint64_t Log::append_in_transaction(Event e) {
  check_event(e);
  std::vector<Event> v;
  v.push_back(std::move(e));
  return append_locked(v);
}

std::uint64_t Log::append_locked(std::vector<Event>& events) {
  std::lock_guard lock(db_.mutex());
  const std::uint64_t size = stored_size(db_);
  std::int64_t last_time = 0;
  if (size > 0) {
    store::Statement t(db_, "SELECT time_ms FROM audit_entry WHERE idx = ?");
    t.bind(1, static_cast<std::int64_t>(size - 1));
    if (t.step()) last_time = t.int64(0);
  }
  std::int64_t now = std::max(now_ms(), last_time);  // times never go backwards in the log
  DbNodes nodes(db_);
  Frontier f(nodes, size);
  store::Statement ins(db_,
                       "INSERT INTO audit_entry(idx, time_ms, actor_dept, actor_user, action, resource, entry, leaf) "
                       "VALUES(?,?,?,?,?,?,?,?)");
  tiles::Writer tiles(db_);
  auto on_node = [&](unsigned level, std::uint64_t idx, const Hash& h) { tiles.add(level, idx, h); };
  Entry en;
  for (std::size_t i = 0; i < events.size(); ++i) {
    Event& ev = events[i];
    en.index = size + i;
    en.time_ms = now;
    en.actor_dept = std::move(ev.actor_dept);
    en.actor_user = std::move(ev.actor_user);
    en.action = std::move(ev.action);
    en.resource = std::move(ev.resource);
    en.purpose = std::move(ev.purpose);
    en.outcome = std::move(ev.outcome);
    en.details = std::move(ev.details);
    std::vector<std::uint8_t> bytes = encode_entry(en);
    Hash leaf = leaf_hash(bytes.data(), bytes.size());
    ins.reset();
    ins.bind(1, static_cast<std::int64_t>(en.index))
        .bind(2, en.time_ms)
        .bind(3, en.actor_dept)
        .bind(4, en.actor_user)
        .bind(5, en.action)
        .bind(6, en.resource)
        .bind_blob(7, bytes.data(), bytes.size())
        .bind_blob(8, leaf.data(), 32);
    try {
      ins.run();
    } catch (const Error& e) {
      if (e.code() != Code::exists) throw;
      throw Error(Code::integrity, "audit log: entry " + std::to_string(en.index) + " already exists");
    }
    f.append(leaf, on_node);
  }
  tiles.flush();
  return size;
}

std::uint64_t Log::size() {
  ReadTxn r(db_);
  return stored_size(db_);
}

Hash Log::root(std::uint64_t size) {
  ReadTxn r(db_);
  std::uint64_t n = stored_size(db_);
  if (size > n)
    throw Error(Code::invalid_argument, "tree size " + std::to_string(size) + " is larger than the log (" + std::to_string(n) + ")");
  DbNodes nodes(db_);
  return tree_root(nodes, size);
}

namespace {

bool matches(const Filter& f, const Entry& e) {
  if (f.since_ms && e.time_ms < *f.since_ms) return false;
  if (f.until_ms && e.time_ms >= *f.until_ms) return false;
  if (f.actor_dept && e.actor_dept != *f.actor_dept) return false;
  if (f.actor_user && e.actor_user != *f.actor_user) return false;
  if (f.action && e.action != *f.action) return false;
  if (f.resource && e.resource != *f.resource) return false;
  return e.index >= f.from_index;
}

}  // namespace

std::vector<StoredEntry> Log::query(const Filter& f) {
  ReadTxn r(db_);
  const std::uint64_t n = stored_size(db_);
  DbNodes nodes(db_);
  check_against_latest(db_, nodes, n);
  const Hash root = tree_root(nodes, n);
  // Times never decrease along the index (append_locked; Log::verify reports an entry older
  // than its predecessor), so a time range is an index range found by bisection.
  std::uint64_t lo = std::min<std::uint64_t>(f.from_index, n), hi = n;
  if (f.since_ms || f.until_ms) {
    store::Statement t(db_, "SELECT time_ms FROM audit_entry WHERE idx = ?");
    auto first_at = [&](std::int64_t ms, std::uint64_t a, std::uint64_t b) {  // first idx in [a, b) with time ≥ ms
      while (a < b) {
        std::uint64_t mid = a + (b - a) / 2;
        t.reset();
        t.bind(1, static_cast<std::int64_t>(mid));
        if (!t.step()) throw Error(Code::integrity, "audit log: entry " + std::to_string(mid) + " is missing");
        if (t.int64(0) < ms) a = mid + 1;
        else b = mid;
      }
      return a;
    };
    if (f.since_ms) lo = first_at(*f.since_ms, lo, hi);
    if (f.until_ms) hi = std::max(lo, first_at(*f.until_ms, lo, hi));
  }
  std::string sql =
      "SELECT idx, entry, leaf, time_ms, actor_dept, actor_user, action, resource FROM audit_entry WHERE idx >= ? AND idx < ?";
  if (f.since_ms) sql += " AND time_ms >= ?";
  if (f.until_ms) sql += " AND time_ms < ?";
  if (f.actor_dept) sql += " AND actor_dept = ?";
  if (f.actor_user) sql += " AND actor_user = ?";
  if (f.action) sql += " AND action = ?";
  if (f.resource) sql += " AND resource = ?";
  sql += " ORDER BY idx";
  if (f.limit) sql += " LIMIT " + std::to_string(f.limit);
  store::Statement st(db_, sql);
  int b = 1;
  st.bind(b++, static_cast<std::int64_t>(lo));
  st.bind(b++, static_cast<std::int64_t>(hi));
  if (f.since_ms) st.bind(b++, *f.since_ms);
  if (f.until_ms) st.bind(b++, *f.until_ms);
  if (f.actor_dept) st.bind(b++, *f.actor_dept);
  if (f.actor_user) st.bind(b++, *f.actor_user);
  if (f.action) st.bind(b++, *f.action);
  if (f.resource) st.bind(b++, *f.resource);
  std::vector<StoredEntry> out;
  while (st.step()) {
    std::uint64_t idx = static_cast<std::uint64_t>(st.int64(0));
    auto fail = [&](const std::string& why) {
      throw Error(Code::integrity, "audit log: entry " + std::to_string(idx) + " " + why);
    };
    StoredEntry se;
    se.bytes = st.blob(1);
    try {
      se.entry = decode_entry(se.bytes.data(), se.bytes.size());
    } catch (const Error& e) {
      fail(std::string("is damaged: ") + e.what());
    }
    if (se.entry.index != idx) fail("carries index " + std::to_string(se.entry.index) + " (moved or reordered)");
    se.leaf = leaf_hash(se.bytes.data(), se.bytes.size());
    auto stored_leaf = st.blob(2);
    if (stored_leaf.size() != 32 || std::memcmp(stored_leaf.data(), se.leaf.data(), 32) != 0)
      fail("was changed (its leaf hash does not match)");
    if (st.int64(3) != se.entry.time_ms || st.text(4) != se.entry.actor_dept || st.text(5) != se.entry.actor_user ||
        st.text(6) != se.entry.action || st.text(7) != se.entry.resource)
      fail("was changed (its indexed columns do not match the entry)");
    if (!matches(f, se.entry)) fail("was changed (it does not match the query it was found by)");
    if (!verify_inclusion(idx, n, se.leaf, inclusion_path(nodes, idx, n), root))
      fail("is not in the tree (entries or tree nodes changed)");
    out.push_back(std::move(se));
  }
  return out;
}

StoredEntry Log::get(std::uint64_t index) {
  Filter f;
  f.from_index = index;
  f.limit = 1;
  auto v = query(f);
  if (v.empty() || v[0].entry.index != index)
    throw Error(Code::not_found, "audit log has no entry " + std::to_string(index));
  return std::move(v[0]);
}

InclusionProof Log::prove(std::uint64_t index, std::uint64_t size) {
  ReadTxn r(db_);
  LogStatements& ls = statements();
  const std::uint64_t n = cached_size(ls.size);
  if (size == 0) size = n;
  if (size > n)
    throw Error(Code::invalid_argument, "tree size " + std::to_string(size) + " is larger than the log (" + std::to_string(n) + ")");
  if (index >= size)
    throw Error(Code::invalid_argument, "entry index " + std::to_string(index) + " is not below tree size " + std::to_string(size));
  DbNodes nodes(ls.leaf, ls.tile);
  InclusionProof p;
  p.leaf_index = index;
  p.tree_size = size;
  p.leaf_hash = nodes.node(0, index);
  p.hashes = inclusion_path(nodes, index, size);
  return p;
}

ConsistencyProof Log::consistency(std::uint64_t first, std::uint64_t second) {
  ReadTxn r(db_);
  const std::uint64_t n = stored_size(db_);
  if (second == 0) second = n;
  if (second > n)
    throw Error(Code::invalid_argument, "tree size " + std::to_string(second) + " is larger than the log (" + std::to_string(n) + ")");
  if (first > second)
    throw Error(Code::invalid_argument, "first size " + std::to_string(first) + " is larger than second size " + std::to_string(second));
  DbNodes nodes(db_);
  ConsistencyProof p;
  p.first = first;
  p.second = second;
  p.hashes = consistency_path(nodes, first, second);
  return p;
}

NoteVerifier Log::verifier(const crypto::Key& key) const {
  if (key.purpose != crypto::Purpose::checkpoint || key.public_key.size() != 32)
    throw Error(Code::invalid_argument, "the audit log is signed with an Ed25519 checkpoint key");
  return NoteVerifier::from_public_key(origin_, key.public_key.data());
}

std::optional<std::string> Log::latest_checkpoint() {
  ReadTxn r(db_);
  auto cp = latest(db_);
  if (!cp) return std::nullopt;
  return cp->note;
}

std::string Log::checkpoint(const crypto::Key& key) {
  store::Transaction tx(db_);
  const std::uint64_t n = stored_size(db_);
  auto prev = latest(db_);
  if (prev && prev->size == n) return prev->note;
  DbNodes nodes(db_);
  // Never sign a tree that does not extend the last signed one: recompute every entry since
  // the previous checkpoint from its bytes and check the stored nodes agree.
  std::uint64_t from = 0;
  Frontier f;
  if (prev) {
    Checkpoint pc = parse_checkpoint(prev->note);
    if (pc.size != prev->size || pc.root != prev->root || pc.origin != origin_)
      throw Error(Code::integrity, "audit log: the latest checkpoint row does not match its note");
    if (prev->size > n)
      throw Error(Code::integrity, "audit log: the latest checkpoint covers " + std::to_string(prev->size) +
                                       " entries but the log has only " + std::to_string(n) + " (entries deleted)");
    f = Frontier(nodes, prev->size);
    if (f.root() != prev->root)
      throw Error(Code::integrity, "audit log: the stored tree does not match the checkpoint of size " + std::to_string(prev->size));
    from = prev->size;
  }
  store::Statement st(db_, "SELECT idx, entry, leaf FROM audit_entry WHERE idx >= ? ORDER BY idx");
  st.bind(1, static_cast<std::int64_t>(from));
  std::uint64_t expect = from;
  while (st.step()) {
    std::uint64_t idx = static_cast<std::uint64_t>(st.int64(0));
    if (idx != expect) throw Error(Code::integrity, "audit log: entry " + std::to_string(expect) + " is missing");
    auto bytes = st.blob(1);
    Entry e;
    try {
      e = decode_entry(bytes.data(), bytes.size());
    } catch (const Error& x) {
      throw Error(Code::integrity, "audit log: entry " + std::to_string(idx) + " is damaged: " + x.what());
    }
    if (e.index != idx) throw Error(Code::integrity, "audit log: entry " + std::to_string(idx) + " carries index " + std::to_string(e.index));
    Hash leaf = leaf_hash(bytes.data(), bytes.size());
    auto stored = st.blob(2);
    if (stored.size() != 32 || std::memcmp(stored.data(), leaf.data(), 32) != 0)
      throw Error(Code::integrity, "audit log: entry " + std::to_string(idx) + " was changed");
    f.append(leaf);
    ++expect;
  }
  Hash root = f.root();
  if (root != tree_root(nodes, n)) throw Error(Code::integrity, "audit log: stored tree nodes do not match the entries");
  Checkpoint c;
  c.origin = origin_;
  c.size = n;
  c.root = root;
  std::string note = sign_checkpoint(c, origin_, key);
  store::Statement ins(db_, "INSERT INTO audit_checkpoint(size, root, note, created_ms) VALUES(?,?,?,?)");
  ins.bind(1, static_cast<std::int64_t>(n)).bind_blob(2, root.data(), 32).bind(3, note).bind(4, now_ms());
  ins.run();
  tx.commit();
  return note;
}

Checkpoint Log::check_received(std::string_view note, const std::vector<NoteVerifier>& verifiers) {
  Checkpoint c = open_checkpoint(note, verifiers);
  if (c.origin != origin_)
    throw Error(Code::invalid_argument, "checkpoint is for log '" + c.origin + "', not '" + origin_ + "'");
  ReadTxn r(db_);
  const std::uint64_t n = stored_size(db_);
  if (c.size > n)
    throw Error(Code::integrity, "checkpoint covers " + std::to_string(c.size) + " entries but the log has only " +
                                     std::to_string(n) + " (entries deleted, or a fork)");
  DbNodes nodes(db_);
  if (tree_root(nodes, c.size) != c.root)
    throw Error(Code::integrity, "the log does not match the checkpoint of size " + std::to_string(c.size) +
                                     " (entries changed, or a fork)");
  return c;
}

}  // namespace civitas::audit
