// Internal: storage of the Merkle tree's inner nodes by tiles (table audit_tile, audit
// migration 2; docs/audit.md#storage). A tile of tile level t and index k covers the
// 2^kTileHeight nodes of level kTileHeight·t numbered k·2^kTileHeight … and holds every
// complete node of levels kTileHeight·t … kTileHeight·t + kTileHeight − 1 inside that block
// (level 0 excluded: leaf hashes live in audit_entry), in the order the tree creates them
// (post-order). An inclusion proof therefore reads one tile per tile level instead of one row
// per level, and a growing tile is extended at its end.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <vector>

#include "civitas/audit.hpp"
#include "civitas/store.hpp"

namespace civitas::audit::tiles {

constexpr unsigned kTileHeight = 5;
/// Row id of a tile: tile level in the top bits, tile index below.
constexpr unsigned kLevelShift = 56;

struct Slot {
  std::int64_t id;   ///< audit_tile.id
  std::size_t pos;   ///< position of the node's hash in the tile (in hashes)
};

/// Where node (level ≥ 1, index) is stored.
Slot locate(unsigned level, std::uint64_t index) noexcept;
/// Hashes a tile of tile level t holds once `units` of its 2^kTileHeight bottom nodes exist.
std::size_t hashes_for_units(unsigned t, std::uint64_t units) noexcept;
/// Hashes tile (t, k) holds in a tree of `size` leaves.
std::size_t expected_hashes(unsigned t, std::uint64_t k, std::uint64_t size) noexcept;
inline std::int64_t tile_id(unsigned t, std::uint64_t k) noexcept {
  return static_cast<std::int64_t>((std::uint64_t(t) << kLevelShift) | k);
}
inline unsigned tile_level(std::int64_t id) noexcept { return static_cast<unsigned>(std::uint64_t(id) >> kLevelShift); }
inline std::uint64_t tile_index(std::int64_t id) noexcept {
  return std::uint64_t(id) & ((std::uint64_t(1) << kLevelShift) - 1);
}

/// Collects the nodes an append creates and writes each touched tile once (flush()).
class Writer {
 public:
  explicit Writer(store::Store& db);
  /// Frontier::OnNode: level-0 calls are ignored. A node whose slot is taken, or that would
  /// leave a gap in its tile, is an integrity error.
  void add(unsigned level, std::uint64_t index, const Hash& h);
  void flush();

 private:
  struct Tile {
    std::vector<std::uint8_t> hashes;
    bool stored = false;
  };
  store::Store& db_;
  store::Statement read_;
  std::map<std::int64_t, Tile> tiles_;
};

/// Audit migration 2: moves the rows of the former audit_node table into audit_tile, as they
/// are (no recomputation), then drops audit_node.
void migrate_nodes_to_tiles(store::Store& db);

}  // namespace civitas::audit::tiles
