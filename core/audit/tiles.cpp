// Tiled storage of the Merkle tree's inner nodes (tiles.hpp, docs/audit.md#storage).
#include "tiles.hpp"

#include <algorithm>
#include <bit>
#include <cstring>
#include <optional>

#include "civitas/error.hpp"

namespace civitas::audit::tiles {
namespace {

constexpr std::uint64_t kUnits = std::uint64_t(1) << kTileHeight;  // bottom nodes per tile
constexpr std::size_t kMaxHashes = 2 * kUnits - 2;                  // a full tile of level ≥ 1

std::string node_name(unsigned level, std::uint64_t index) {
  return "tree node (level " + std::to_string(level) + ", index " + std::to_string(index) + ")";
}

}  // namespace

std::size_t hashes_for_units(unsigned t, std::uint64_t m) noexcept {
  // Inner levels 1 … kTileHeight−1 of the block: Σ floor(m/2^r) = m − popcount(m), less the
  // block's own root (level kTileHeight, stored in the tile above) once the block is full.
  std::uint64_t inner = m - static_cast<std::uint64_t>(std::popcount(m)) - (m == kUnits ? 1 : 0);
  return static_cast<std::size_t>((t > 0 ? m : 0) + inner);
}

Slot locate(unsigned level, std::uint64_t index) noexcept {
  const unsigned t = level / kTileHeight, r = level % kTileHeight;
  const std::uint64_t k = index >> (kTileHeight - r);
  const std::uint64_t j = index & ((std::uint64_t(1) << (kTileHeight - r)) - 1);
  // The node is created when bottom node m−1 of the block completes, together with the
  // ancestors of that bottom node up to level min(ctz(m), kTileHeight−1) of the tile, which
  // come after it.
  const std::uint64_t m = (j + 1) << r;
  const unsigned top = std::min<unsigned>(static_cast<unsigned>(std::countr_zero(m)), kTileHeight - 1);
  return {tile_id(t, k), hashes_for_units(t, m) - 1 - (top - r)};
}

std::size_t expected_hashes(unsigned t, std::uint64_t k, std::uint64_t size) noexcept {
  if (kTileHeight * t >= 64) return 0;
  const std::uint64_t units = size >> (kTileHeight * t);
  if (units / kUnits < k) return 0;
  return hashes_for_units(t, std::min(units - k * kUnits, kUnits));
}

// ---- Writer ----------------------------------------------------------------------------------

Writer::Writer(store::Store& db) : db_(db), read_(db, "SELECT hashes FROM audit_tile WHERE id = ?") {}

void Writer::add(unsigned level, std::uint64_t index, const Hash& h) {
  if (level == 0) return;
  const Slot s = locate(level, index);
  auto it = tiles_.find(s.id);
  if (it == tiles_.end()) {
    Tile tile;
    read_.reset();
    read_.bind(1, s.id);
    if (read_.step()) {
      tile.hashes = read_.blob(0);
      tile.stored = true;
    }
    read_.reset();
    it = tiles_.emplace(s.id, std::move(tile)).first;
  }
  std::vector<std::uint8_t>& v = it->second.hashes;
  const std::size_t have = v.size() / 32;
  if (s.pos < have)
    throw Error(Code::integrity, "audit log: " + node_name(level, index) + " already exists (were entries deleted?)");
  if (s.pos > have || v.size() % 32 != 0)
    throw Error(Code::integrity, "audit log: the tree nodes stored before " + node_name(level, index) + " are missing");
  v.insert(v.end(), h.begin(), h.end());
}

void Writer::flush() {
  if (tiles_.empty()) return;
  store::Statement ins(db_, "INSERT INTO audit_tile(id, hashes) VALUES(?, ?)");
  store::Statement upd(db_, "UPDATE audit_tile SET hashes = ? WHERE id = ?");
  for (auto& [id, tile] : tiles_) {
    if (tile.stored) {
      upd.reset();
      upd.bind_blob(1, tile.hashes.data(), tile.hashes.size()).bind(2, id).run();
    } else {
      ins.reset();
      ins.bind(1, id).bind_blob(2, tile.hashes.data(), tile.hashes.size()).run();
    }
  }
  tiles_.clear();
}

// ---- migration from audit_node ---------------------------------------------------------------

void migrate_nodes_to_tiles(store::Store& db) {
  store::Statement ins(db, "INSERT INTO audit_tile(id, hashes) VALUES(?, ?)");
  std::vector<std::optional<Hash>> slots(kMaxHashes);
  bool have_current = false;  // (not std::optional: GCC 12 -O3 warns maybe-uninitialized on it)
  std::uint64_t current = 0;
  unsigned t = 0;
  auto flush = [&] {
    if (!have_current) return;
    std::vector<std::uint8_t> blob;
    for (const auto& s : slots) {  // the stored prefix; a node after a gap cannot be kept
      if (!s) break;
      blob.insert(blob.end(), s->begin(), s->end());
    }
    if (!blob.empty()) {
      ins.reset();
      ins.bind(1, tile_id(t, current)).bind_blob(2, blob.data(), blob.size()).run();
    }
    std::fill(slots.begin(), slots.end(), std::nullopt);
    have_current = false;
  };
  for (t = 0; kTileHeight * t < 63; ++t) {
    const unsigned lo = std::max(1u, kTileHeight * t), hi = std::min(62u, kTileHeight * t + kTileHeight - 1);
    store::Statement st(db, "SELECT level, idx, hash FROM audit_node WHERE level BETWEEN ?1 AND ?2 "
                            "ORDER BY idx >> (?3 - level), level, idx");
    st.bind(1, static_cast<std::int64_t>(lo)).bind(2, static_cast<std::int64_t>(hi));
    st.bind(3, static_cast<std::int64_t>(kTileHeight * (t + 1)));
    while (st.step()) {
      const unsigned level = static_cast<unsigned>(st.int64(0));
      const std::int64_t idx = st.int64(1);
      if (idx < 0 || idx >= (std::int64_t(1) << 50)) continue;  // never written by civitas; no tile for it
      const Slot s = locate(level, static_cast<std::uint64_t>(idx));
      const std::uint64_t k = tile_index(s.id);
      if (have_current && current != k) flush();
      current = k;
      have_current = true;
      Hash h{};  // a damaged hash stays damaged (zeros): verification reports the node
      auto b = st.blob(2);
      if (b.size() == 32) std::memcpy(h.data(), b.data(), 32);
      slots[s.pos] = h;
    }
    flush();
  }
  db.exec("DROP TABLE audit_node");
}

}  // namespace civitas::audit::tiles
