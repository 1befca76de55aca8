// RFC 9162 Merkle tree: known roots and proofs (the 8-leaf test tree used by Certificate
// Transparency implementations), proof generation from stored nodes, verification edge cases.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "civitas/audit.hpp"
#include "civitas/error.hpp"

namespace a = civitas::audit;
using civitas::Code;

namespace {

std::vector<std::string> rfc_leaves() {
  return {std::string(), std::string("\x00", 1), "\x10", "\x20\x21", "\x30\x31", "\x40\x41\x42\x43",
          "\x50\x51\x52\x53\x54\x55\x56\x57", "\x60\x61\x62\x63\x64\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f"};
}

a::MemoryTree rfc_tree(std::size_t n) {
  a::MemoryTree t;
  auto l = rfc_leaves();
  for (std::size_t i = 0; i < n; ++i) t.append(a::leaf_hash(l[i].data(), l[i].size()));
  return t;
}

std::vector<std::string> hex(const std::vector<a::Hash>& v) {
  std::vector<std::string> out;
  for (const auto& h : v) out.push_back(a::hash_hex(h));
  return out;
}

// Reference MTH straight from RFC 9162 §2.1.1, over leaf hashes.
a::Hash mth(const std::vector<a::Hash>& d, std::size_t lo, std::size_t hi) {
  if (hi == lo) return a::empty_root();
  if (hi - lo == 1) return d[lo];
  std::size_t k = 1;
  while (k * 2 < hi - lo) k *= 2;
  return a::node_hash(mth(d, lo, lo + k), mth(d, lo + k, hi));
}

}  // namespace

TEST_CASE("tree roots of the RFC 6962 test tree match the published values") {
  const char* roots[] = {
      "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
      "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
      "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
      "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
      "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
      "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
      "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"};
  a::MemoryTree t = rfc_tree(8);
  for (std::uint64_t n = 1; n <= 8; ++n) CHECK(a::hash_hex(a::tree_root(t, n)) == roots[n - 1]);
  CHECK(a::hash_hex(a::empty_root()) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST_CASE("inclusion proofs of the RFC 6962 test tree match the published values") {
  a::MemoryTree t = rfc_tree(8);
  CHECK(hex(a::inclusion_path(t, 0, 8)) ==
        std::vector<std::string>{"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                                 "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                                 "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"});
  CHECK(hex(a::inclusion_path(t, 5, 8)) ==
        std::vector<std::string>{"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                                 "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                                 "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"});
  CHECK(a::inclusion_path(t, 0, 1).empty());
}

TEST_CASE("consistency proofs of the RFC 6962 test tree match the published values") {
  a::MemoryTree t = rfc_tree(8);
  CHECK(hex(a::consistency_path(t, 1, 8)) ==
        std::vector<std::string>{"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                                 "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                                 "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"});
  CHECK(hex(a::consistency_path(t, 6, 8)) ==
        std::vector<std::string>{"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                                 "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                                 "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"});
  CHECK(hex(a::consistency_path(t, 2, 5)) ==
        std::vector<std::string>{"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                                 "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"});
  CHECK(a::consistency_path(t, 8, 8).empty());
  CHECK(a::consistency_path(t, 0, 8).empty());
}

TEST_CASE("every inclusion and consistency proof up to 70 leaves verifies, and a changed one does not") {
  a::MemoryTree t;
  std::vector<a::Hash> leaves;
  for (int i = 0; i < 70; ++i) {
    std::string s = "leaf " + std::to_string(i);
    leaves.push_back(a::leaf_hash(s.data(), s.size()));
    t.append(leaves.back());
  }
  for (std::uint64_t n = 1; n <= 70; ++n) {
    a::Hash root = a::tree_root(t, n);
    REQUIRE(root == mth(leaves, 0, n));
    for (std::uint64_t i = 0; i < n; ++i) {
      auto p = a::inclusion_path(t, i, n);
      REQUIRE(a::verify_inclusion(i, n, leaves[i], p, root));
      CHECK_FALSE(a::verify_inclusion(i, n, leaves[(i + 1) % 70], p, root));
      if (n > 1) CHECK_FALSE(a::verify_inclusion((i + 1) % n, n, leaves[i], p, root));
      if (!p.empty()) {
        auto bad = p;
        bad.back()[0] ^= 1;
        CHECK_FALSE(a::verify_inclusion(i, n, leaves[i], bad, root));
        bad = p;
        bad.pop_back();
        CHECK_FALSE(a::verify_inclusion(i, n, leaves[i], bad, root));
      }
      auto longer = p;
      longer.push_back(root);
      CHECK_FALSE(a::verify_inclusion(i, n, leaves[i], longer, root));
    }
    for (std::uint64_t m = 0; m <= n; ++m) {
      auto c = a::consistency_path(t, m, n);
      a::Hash r1 = a::tree_root(t, m);
      REQUIRE(a::verify_consistency(m, n, c, r1, root));
      if (m > 0 && m < n) {
        CHECK_FALSE(a::verify_consistency(m, n, c, root, root));
        auto bad = c;
        bad[0][5] ^= 0x40;
        CHECK_FALSE(a::verify_consistency(m, n, bad, r1, root));
        CHECK_FALSE(a::verify_consistency(m, n, {}, r1, root));
        if (n > m + 1) CHECK_FALSE(a::verify_consistency(m, n - 1, c, r1, a::tree_root(t, n - 1)));
      }
    }
  }
  CHECK_FALSE(a::verify_inclusion(5, 5, leaves[0], {}, leaves[0]));
  CHECK_FALSE(a::verify_consistency(3, 2, {}, leaves[0], leaves[0]));
  CHECK_THROWS_AS(a::inclusion_path(t, 70, 70), civitas::Error);
  CHECK_THROWS_AS(a::consistency_path(t, 5, 4), civitas::Error);
}

TEST_CASE("a frontier rebuilt from stored nodes continues the tree and reports every node") {
  a::MemoryTree t;
  a::Frontier f;
  std::size_t nodes = 0;
  for (int i = 0; i < 100; ++i) {
    std::string s = std::to_string(i);
    a::Hash l = a::leaf_hash(s.data(), s.size());
    t.append(l);
    f.append(l, [&](unsigned level, std::uint64_t idx, const a::Hash& h) {
      CHECK(h == t.node(level, idx));
      ++nodes;
    });
    CHECK(f.root() == t.root());
    a::Frontier g(t, t.size());
    CHECK(g.root() == t.root());
  }
  CHECK(nodes == 100 + 50 + 25 + 12 + 6 + 3 + 1);  // every leaf and perfect-subtree node
}

TEST_CASE("hash hex parsing rejects bad input") {
  CHECK_THROWS_AS(a::hash_from_hex("abc"), civitas::Error);
  CHECK_THROWS_AS(a::hash_from_hex(std::string(64, 'g')), civitas::Error);
  CHECK(a::hash_hex(a::hash_from_hex(std::string(64, 'a'))) == std::string(64, 'a'));
}

TEST_CASE("proof JSON round-trips and rejects malformed documents") {
  a::MemoryTree t = rfc_tree(8);
  a::InclusionProof p{5, 8, t.node(0, 5), a::inclusion_path(t, 5, 8)};
  auto q = a::InclusionProof::from_json(p.to_json());
  CHECK(q.leaf_index == 5);
  CHECK(q.tree_size == 8);
  CHECK(q.leaf_hash == p.leaf_hash);
  CHECK(q.hashes == p.hashes);
  a::ConsistencyProof c{2, 5, a::consistency_path(t, 2, 5)};
  auto d = a::ConsistencyProof::from_json(c.to_json());
  CHECK(d.first == 2);
  CHECK(d.second == 5);
  CHECK(d.hashes == c.hashes);
  for (const char* bad : {"", "[]", "{", "{\"leaf_index\":-1,\"tree_size\":2,\"leaf_hash\":\"00\",\"hashes\":[]}",
                          "{\"leaf_index\":1,\"tree_size\":2,\"leaf_hash\":\"zz\",\"hashes\":[]}",
                          "{\"leaf_index\":1,\"tree_size\":2,\"hashes\":[]}",
                          "{\"version\":2,\"leaf_index\":1,\"tree_size\":2,\"leaf_hash\":\"00\",\"hashes\":[]}"}) {
    CAPTURE(bad);
    CHECK_THROWS_AS(a::InclusionProof::from_json(bad), civitas::Error);
  }
  CHECK_THROWS_AS(a::ConsistencyProof::from_json("{\"first\":1,\"second\":2,\"hashes\":[1]}"), civitas::Error);
}
