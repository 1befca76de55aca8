// Full verification of the stored log: recompute every leaf and node from the entries, compare
// with the stored tree and every checkpoint, and name the index of each changed, deleted,
// inserted or reordered entry (docs/audit.md#verification).
#include <algorithm>
#include <cstring>
#include <set>

#include "civitas/audit.hpp"
#include "civitas/error.hpp"
#include "civitas/store.hpp"
#include "log_internal.hpp"
#include "tiles.hpp"

namespace civitas::audit {
namespace {

constexpr std::size_t kMaxProblems = 1000;

struct Target {
  std::uint64_t size;
  Hash root;
  std::string label;
};

// Reads the tiles of one tile level in index order, alongside the recomputation.
class TileCursor {
 public:
  TileCursor(store::Store& db, unsigned t)
      : st_(db, "SELECT id, hashes FROM audit_tile WHERE id >= ? AND id < ? ORDER BY id"), t_(t) {
    st_.bind(1, tiles::tile_id(t, 0)).bind(2, tiles::tile_id(t + 1, 0));
    advance();
  }
  bool done() const { return done_; }
  std::uint64_t index() const { return tiles::tile_index(id_); }
  const std::vector<std::uint8_t>& hashes() const { return hashes_; }
  void advance() {
    done_ = !st_.step();
    if (!done_) {
      id_ = st_.int64(0);
      hashes_ = st_.blob(1);
    }
  }
  /// Moves to tile k (skipping earlier ones, reported at the end as stray); false when absent.
  bool seek(std::uint64_t k) {
    while (!done_ && index() < k) advance();
    return !done_ && index() == k;
  }
  unsigned level() const { return t_; }

 private:
  store::Statement st_;
  unsigned t_;
  bool done_ = false;
  std::int64_t id_ = 0;
  std::vector<std::uint8_t> hashes_;
};

}  // namespace

VerifyReport Log::verify(const std::vector<NoteVerifier>& verifiers, const std::vector<std::string>& extra) {
  VerifyReport rep;
  auto problem = [&](std::string kind, std::optional<std::uint64_t> index, std::string msg) {
    if (rep.problems.size() < kMaxProblems) rep.problems.push_back({std::move(kind), index, std::move(msg)});
  };
  ReadTxn txn(db_);

  // Checkpoints: stored ones and extra ones, each signature-checked.
  std::vector<Target> targets;
  {
    store::Statement st(db_, "SELECT size, root, note FROM audit_checkpoint ORDER BY size");
    while (st.step()) {
      std::uint64_t size = static_cast<std::uint64_t>(st.int64(0));
      ++rep.checkpoints;
      std::string label = "stored checkpoint of size " + std::to_string(size);
      try {
        Checkpoint c = open_checkpoint(st.text(2), verifiers);
        auto root = st.blob(1);
        if (c.size != size || root.size() != 32 || std::memcmp(root.data(), c.root.data(), 32) != 0)
          problem("checkpoint", std::nullopt, label + ": the row does not match its signed note");
        if (c.origin != origin_) problem("checkpoint", std::nullopt, label + ": signed for log '" + c.origin + "'");
        targets.push_back({c.size, c.root, label});
      } catch (const Error& e) {
        problem("signature", std::nullopt, label + ": " + e.what());
      }
    }
  }
  for (std::size_t i = 0; i < extra.size(); ++i) {
    std::string label = "given checkpoint " + std::to_string(i + 1);
    try {
      Checkpoint c = open_checkpoint(extra[i], verifiers);
      if (c.origin != origin_) {
        problem("checkpoint", std::nullopt, label + ": for log '" + c.origin + "', not '" + origin_ + "'");
        continue;
      }
      ++rep.checkpoints;
      targets.push_back({c.size, c.root, label + " (size " + std::to_string(c.size) + ")"});
    } catch (const Error& e) {
      problem("signature", std::nullopt, label + ": " + e.what());
    }
  }
  std::stable_sort(targets.begin(), targets.end(), [](const Target& a, const Target& b) { return a.size < b.size; });

  // Stored nodes are compared tile by tile as the recomputation completes them.
  std::vector<std::unique_ptr<TileCursor>> cursors;
  std::uint64_t node_problems = 0;
  auto on_node = [&](unsigned level, std::uint64_t idx, const Hash& h) {
    if (level == 0) return;
    ++rep.nodes;
    const tiles::Slot slot = tiles::locate(level, idx);
    const unsigned t = tiles::tile_level(slot.id);
    while (cursors.size() <= t) cursors.push_back(std::make_unique<TileCursor>(db_, static_cast<unsigned>(cursors.size())));
    TileCursor& c = *cursors[t];
    std::uint64_t first_leaf = idx << level;
    auto name = [&] { return "tree node (level " + std::to_string(level) + ", index " + std::to_string(idx) + ")"; };
    if (!c.seek(tiles::tile_index(slot.id)) || (slot.pos + 1) * 32 > c.hashes().size()) {
      if (node_problems++ < 10) problem("node", first_leaf, name() + " is missing");
      return;
    }
    if (std::memcmp(c.hashes().data() + slot.pos * 32, h.data(), 32) != 0) {
      if (node_problems++ < 10)
        problem("node", first_leaf, name() + " does not match entries " + std::to_string(first_leaf) + ".." +
                                        std::to_string(first_leaf + (std::uint64_t(1) << level) - 1));
    }
  };

  // Entries in stored order.
  struct Moved {
    std::uint64_t row, embedded;
  };
  std::vector<Moved> moved;
  std::set<std::uint64_t> bad_rows;
  Frontier f;
  std::size_t next_target = 0;
  std::uint64_t expect = 0;
  std::int64_t last_time = 0;
  std::uint64_t last_good_checkpoint = 0;
  while (next_target < targets.size() && targets[next_target].size == 0) {
    if (targets[next_target].root != empty_root()) problem("checkpoint", std::nullopt, targets[next_target].label + " has a wrong empty-tree root");
    ++next_target;
  }
  store::Statement st(db_,
                      "SELECT idx, entry, leaf, time_ms, actor_dept, actor_user, action, resource FROM audit_entry ORDER BY idx");
  while (st.step()) {
    const std::uint64_t idx = static_cast<std::uint64_t>(st.int64(0));
    if (idx > expect) {
      problem("deleted", expect, idx - expect == 1 ? "entry " + std::to_string(expect) + " was deleted"
                                                   : "entries " + std::to_string(expect) + ".." + std::to_string(idx - 1) + " were deleted");
    }
    expect = idx + 1;
    auto bytes = st.blob(1);
    Hash leaf = leaf_hash(bytes.data(), bytes.size());
    bool row_ok = true;
    Entry e;
    try {
      e = decode_entry(bytes.data(), bytes.size());
    } catch (const Error& x) {
      problem("changed", idx, "entry " + std::to_string(idx) + " is damaged: " + x.what());
      row_ok = false;
    }
    if (row_ok && e.index != idx) {
      moved.push_back({idx, e.index});
      row_ok = false;
    }
    auto stored_leaf = st.blob(2);
    if (row_ok && (stored_leaf.size() != 32 || std::memcmp(stored_leaf.data(), leaf.data(), 32) != 0)) {
      problem("changed", idx, "entry " + std::to_string(idx) + " was changed (its bytes no longer hash to the recorded leaf)");
      row_ok = false;
    }
    if (row_ok && (st.int64(3) != e.time_ms || st.text(4) != e.actor_dept || st.text(5) != e.actor_user ||
                   st.text(6) != e.action || st.text(7) != e.resource)) {
      problem("changed", idx, "entry " + std::to_string(idx) + " was changed (its indexed columns differ from the entry)");
      row_ok = false;
    }
    if (row_ok && e.time_ms < last_time) {
      problem("reordered", idx, "entry " + std::to_string(idx) + " is older than the entry before it (reordered)");
      row_ok = false;
    }
    if (!row_ok) bad_rows.insert(idx);
    if (row_ok) last_time = e.time_ms;
    f.append(leaf, on_node);
    ++rep.entries;
    while (next_target < targets.size() && targets[next_target].size == f.size()) {
      const Target& t = targets[next_target++];
      if (f.root() != t.root) {
        auto first_bad = bad_rows.lower_bound(last_good_checkpoint);
        problem("checkpoint", first_bad != bad_rows.end() ? std::optional<std::uint64_t>(*first_bad) : std::nullopt,
                t.label + " does not match the entries: an entry in " + std::to_string(last_good_checkpoint) + ".." +
                    std::to_string(t.size - 1) + " was changed, deleted, inserted or reordered");
      } else {
        last_good_checkpoint = t.size;
      }
    }
  }
  for (; next_target < targets.size(); ++next_target) {
    const Target& t = targets[next_target];
    problem("deleted", rep.entries, t.label + " covers " + std::to_string(t.size) + " entries but the log has only " +
                                        std::to_string(rep.entries) + ": entries " + std::to_string(rep.entries) + ".." +
                                        std::to_string(t.size - 1) + " were deleted");
  }

  // Classify entries found under another index.
  std::set<std::uint64_t> rows, embedded;
  for (const Moved& m : moved) rows.insert(m.row), embedded.insert(m.embedded);
  std::int64_t last_shift = 0;
  for (const Moved& m : moved) {
    std::int64_t shift = static_cast<std::int64_t>(m.row) - static_cast<std::int64_t>(m.embedded);
    if (embedded.count(m.row) && rows.count(m.embedded)) {
      problem("reordered", m.row, "entry " + std::to_string(m.embedded) + " was moved to index " + std::to_string(m.row) + " (reordered)");
    } else if (shift != last_shift) {
      if (shift > 0)
        problem("inserted", m.row - static_cast<std::uint64_t>(shift),
                std::to_string(shift) + " entr" + (shift == 1 ? "y was" : "ies were") + " inserted at index " +
                    std::to_string(m.row - static_cast<std::uint64_t>(shift)) + " (later entries shifted)");
      else
        problem("deleted", m.row, "entry " + std::to_string(m.row) + " was deleted (later entries renumbered)");
    }
    last_shift = shift;
  }

  // Stored node hashes the recomputation never produced (left over from deleted entries): a
  // tile holds tiles::expected_hashes of them for the log's size, and no tile lies beyond.
  {
    store::Statement tiles_st(db_, "SELECT id, length(hashes) FROM audit_tile WHERE id >= ? ORDER BY id LIMIT 1");
    for (unsigned t = 0; tiles::kTileHeight * t < 63; ++t) {
      // The first tile of level t that is not full in a log of rep.entries entries, and all after it.
      const std::uint64_t units = rep.entries >> (tiles::kTileHeight * t);
      const std::uint64_t k = units >> tiles::kTileHeight;
      tiles_st.reset();
      tiles_st.bind(1, tiles::tile_id(t, k));
      if (!tiles_st.step() || tiles::tile_level(tiles_st.int64(0)) != t) continue;
      const std::uint64_t found = tiles::tile_index(tiles_st.int64(0));
      const std::size_t expect = tiles::expected_hashes(t, found, rep.entries);
      const std::uint64_t stored = static_cast<std::uint64_t>(tiles_st.int64(1)) / 32;
      const bool more_tiles = [&] {
        if (found != k) return true;
        store::Statement next(db_, "SELECT 1 FROM audit_tile WHERE id > ? AND id < ?");
        next.bind(1, tiles::tile_id(t, k)).bind(2, tiles::tile_id(t + 1, 0));
        return next.step();
      }();
      if (stored > expect || more_tiles) {
        problem("deleted", rep.entries, "tree tile (level " + std::to_string(t) + ", index " + std::to_string(found) +
                                            ") holds nodes of entries the log no longer has (entries from " +
                                            std::to_string(rep.entries) + " on were deleted)");
        break;
      }
    }
  }
  rep.root = f.root();
  std::stable_sort(rep.problems.begin(), rep.problems.end(), [](const Problem& a, const Problem& b) {
    return a.index.value_or(UINT64_MAX) < b.index.value_or(UINT64_MAX);
  });
  return rep;
}

}  // namespace civitas::audit
