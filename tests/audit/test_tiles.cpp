// Tiled storage of the tree (core/audit/tiles.hpp, docs/audit.md#storage): the slot layout
// matches the order the tree creates nodes, appends of any batch size give the same tiles,
// proofs read every level, and a log of audit tables version 1 (one audit_node row per node,
// as in workspaces of the former shared schema version 4) is migrated and keeps verifying.
#include <doctest/doctest.h>

#include <algorithm>
#include <bit>
#include <map>

#include "audit/tiles.hpp"
#include "civitas/error.hpp"
#include "log_fixture.hpp"

namespace a = civitas::audit;
namespace tl = civitas::audit::tiles;
namespace st = civitas::store;

namespace {

a::Hash leaf_of(std::uint64_t i) {
  std::string s = "leaf " + std::to_string(i);
  return a::leaf_hash(s.data(), s.size());
}

std::map<std::int64_t, std::vector<std::uint8_t>> all_tiles(st::Store& db) {
  std::map<std::int64_t, std::vector<std::uint8_t>> m;
  st::Statement q(db, "SELECT id, hashes FROM audit_tile ORDER BY id");
  while (q.step()) m[q.int64(0)] = q.blob(1);
  return m;
}

// Turns a log written by this version back into audit tables version 1: tiles replaced by one
// audit_node row per node, the time index restored (audit migration 1 as released).
void downgrade_to_v4(st::Store& db, const a::MemoryTree& t) {
  db.exec("DROP TABLE audit_tile; CREATE INDEX audit_entry_time ON audit_entry(time_ms);"
          "CREATE TABLE audit_node(level INTEGER NOT NULL, idx INTEGER NOT NULL, hash BLOB NOT NULL,"
          " PRIMARY KEY(level, idx)) WITHOUT ROWID;");
  st::Statement ins(db, "INSERT INTO audit_node VALUES(?,?,?)");
  for (unsigned lv = 1; (std::uint64_t(1) << lv) <= t.size(); ++lv)
    for (std::uint64_t i = 0; ((i + 1) << lv) <= t.size(); ++i) {
      a::Hash h = const_cast<a::MemoryTree&>(t).node(lv, i);
      ins.reset();
      ins.bind(1, static_cast<std::int64_t>(lv)).bind(2, static_cast<std::int64_t>(i)).bind_blob(3, h.data(), 32).run();
    }
  db.exec("UPDATE module_schema SET version = 1 WHERE module = 'audit'");
}

}  // namespace

TEST_CASE("every node has its own slot, filled in creation order, and tile sizes follow the tree size") {
  const std::uint64_t n = 3000;  // three tile levels, partial tiles at the right edge
  a::Frontier f;
  std::map<std::int64_t, std::size_t> next;  // per tile: the next slot to fill
  std::size_t nodes = 0;
  for (std::uint64_t i = 0; i < n; ++i)
    f.append(leaf_of(i), [&](unsigned level, std::uint64_t idx, const a::Hash&) {
      if (level == 0) return;
      tl::Slot s = tl::locate(level, idx);
      CHECK(tl::tile_level(s.id) == level / tl::kTileHeight);
      CHECK(s.pos == next[s.id]);
      ++next[s.id];
      ++nodes;
    });
  CHECK(nodes == n - static_cast<std::uint64_t>(std::popcount(n)));  // inner nodes of a tree of n leaves
  for (auto [id, count] : next) CHECK(tl::expected_hashes(tl::tile_level(id), tl::tile_index(id), n) == count);
  CHECK(next[tl::tile_id(0, 0)] == (1u << tl::kTileHeight) - 2);      // a full bottom tile
  CHECK(next[tl::tile_id(1, 0)] == (2u << tl::kTileHeight) - 2);      // a full tile above it
  CHECK(tl::expected_hashes(0, n / 32 + 1, n) == 0);
  CHECK(tl::expected_hashes(1, 100, n) == 0);
}

TEST_CASE("tiles do not depend on how appends were batched, and proofs match the in-memory tree") {
  LogFixture one, many;
  a::MemoryTree t;
  std::vector<a::Event> batch;
  for (int i = 0; i < 1100; ++i) {
    batch.push_back(LogFixture::event(i));
    if (i < 70) many.log->append(LogFixture::event(i));
  }
  one.log->append_batch(batch);
  many.log->append_batch(std::vector<a::Event>(batch.begin() + 70, batch.begin() + 333));
  many.log->append_batch(std::vector<a::Event>(batch.begin() + 333, batch.end()));
  for (const auto& e : one.log->query({})) t.append(e.leaf);
  CHECK(one.log->root(1100) == t.root());
  auto a1 = all_tiles(*one.db), a2 = all_tiles(*many.db);
  REQUIRE(a1.size() == a2.size());
  for (auto it1 = a1.begin(), it2 = a2.begin(); it1 != a1.end(); ++it1, ++it2) {
    CHECK(it1->first == it2->first);
    CHECK(it1->second.size() == it2->second.size());
  }
  for (std::uint64_t size : {1u, 31u, 32u, 33u, 1024u, 1025u, 1100u})
    for (std::uint64_t i = 0; i < size; i += 37) {
      a::InclusionProof p = one.log->prove(i, size);
      CHECK(p.hashes == a::inclusion_path(t, i, size));
    }
  CHECK(one.log->verify({}).ok());
  CHECK(many.log->verify({}).ok());
}

TEST_CASE("a tile cut short or extended is found by verify and refused by proofs and appends") {
  LogFixture fx;
  std::vector<a::Event> batch;
  for (int i = 0; i < 100; ++i) batch.push_back(LogFixture::event(i));
  fx.log->append_batch(batch);
  auto admin = fx.second_connection();
  admin->exec("UPDATE audit_tile SET hashes = substr(hashes, 1, 320) WHERE id = 0");
  auto rep = fx.log->verify({});
  CHECK_FALSE(rep.ok());
  CHECK(std::any_of(rep.problems.begin(), rep.problems.end(), [](const a::Problem& p) { return p.kind == "node"; }));
  CHECK_THROWS_AS(fx.log->prove(30, 100), civitas::Error);

  LogFixture gx;
  gx.log->append_batch(batch);
  auto admin2 = gx.second_connection();
  // Entries deleted at the end: the tiles still hold their nodes.
  admin2->exec("DELETE FROM audit_entry WHERE idx >= 70");
  auto rep2 = gx.log->verify({});
  CHECK(std::any_of(rep2.problems.begin(), rep2.problems.end(),
                    [](const a::Problem& p) { return p.kind == "deleted" && p.index == 70u; }));
  std::vector<a::Event> two{LogFixture::event(1), LogFixture::event(2)};  // 71 completes node (1, 35)
  CHECK_THROWS_AS(gx.log->append_batch(two), civitas::Error);
  CHECK(gx.log->size() == 70);
}

TEST_CASE("audit tables of version 1 are migrated to tiles and keep verifying") {
  LogFixture fx;
  std::vector<a::Event> batch;
  for (int i = 0; i < 1500; ++i) batch.push_back(LogFixture::event(i));
  fx.log->append_batch(std::vector<a::Event>(batch.begin(), batch.begin() + 1000));
  std::string cp = fx.log->checkpoint(fx.key);
  fx.log->append_batch(std::vector<a::Event>(batch.begin() + 1000, batch.end()));
  a::MemoryTree t;
  std::vector<std::int64_t> times;
  for (const auto& e : fx.log->query({})) t.append(e.leaf), times.push_back(e.entry.time_ms);
  const auto tiles_before = all_tiles(*fx.db);
  downgrade_to_v4(*fx.db, t);
  fx.log.reset();
  fx.db.reset();

  fx.db = fx.second_connection();
  CHECK(fx.db->module_version("audit") == 1);
  fx.log = std::make_unique<a::Log>(*fx.db, "civitas.test/audit");  // opening the log migrates
  CHECK(fx.db->module_version("audit") == 2);
  CHECK(all_tiles(*fx.db) == tiles_before);  // the same tiles as a log written with tiles
  {
    st::Statement q(*fx.db, "SELECT count(*) FROM sqlite_master WHERE name IN ('audit_node', 'audit_entry_time')");
    REQUIRE(q.step());
    CHECK(q.int64(0) == 0);
  }
  auto rep = fx.log->verify({fx.verifier()}, {cp});
  CHECK(rep.ok());
  CHECK(rep.entries == 1500);
  CHECK(rep.root == t.root());
  for (std::uint64_t i = 0; i < 1500; i += 97) CHECK(fx.log->prove(i).hashes == a::inclusion_path(t, i, 1500));
  CHECK(fx.log->check_received(cp, {fx.verifier()}).size == 1000);
  a::Filter f;  // a time range by bisection over the index
  f.since_ms = times[700];
  f.until_ms = times[1400] + 1;
  auto got = fx.log->query(f);
  REQUIRE_FALSE(got.empty());
  CHECK(got.front().entry.time_ms >= times[700]);
  CHECK(got.back().entry.time_ms <= times[1400]);
  fx.log->append(LogFixture::event(1));  // and it keeps growing
  CHECK(fx.log->verify({fx.verifier()}).ok());
}

TEST_CASE("a node changed before the migration is still reported after it") {
  LogFixture fx;
  std::vector<a::Event> batch;
  for (int i = 0; i < 200; ++i) batch.push_back(LogFixture::event(i));
  fx.log->append_batch(batch);
  a::MemoryTree t;
  for (const auto& e : fx.log->query({})) t.append(e.leaf);
  downgrade_to_v4(*fx.db, t);
  fx.db->exec("UPDATE audit_node SET hash = zeroblob(32) WHERE level = 3 AND idx = 7");
  fx.log.reset();
  fx.db.reset();
  fx.db = fx.second_connection();
  fx.log = std::make_unique<a::Log>(*fx.db, "civitas.test/audit");
  auto rep = fx.log->verify({});
  CHECK(std::any_of(rep.problems.begin(), rep.problems.end(),
                    [](const a::Problem& p) { return p.kind == "node" && p.index == 56u; }));
}
