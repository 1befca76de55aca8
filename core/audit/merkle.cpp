// RFC 9162 §2.1 Merkle tree: roots, inclusion and consistency proofs from stored complete
// subtrees (O(log n) node reads), and the verification algorithms of §2.1.3.2 and §2.1.4.2.
#include <bit>

#include "audit_internal.hpp"
#include "civitas/audit.hpp"
#include "civitas/error.hpp"

namespace civitas::audit {
namespace {

// MTH(D[lo:hi]) for the ranges the RFC recursions visit: every left part is an aligned
// perfect subtree (one stored node); only the right edge is split further.
Hash range_hash(NodeReader& r, std::uint64_t lo, std::uint64_t hi) {
  std::uint64_t n = hi - lo;
  if (std::has_single_bit(n) && lo % n == 0) {
    unsigned level = static_cast<unsigned>(std::countr_zero(n));
    return r.node(level, lo >> level);
  }
  std::uint64_t k = split_point(n);
  return node_hash(range_hash(r, lo, lo + k), range_hash(r, lo + k, hi));
}

void path(NodeReader& r, std::uint64_t m, std::uint64_t lo, std::uint64_t hi, std::vector<Hash>& out) {
  std::uint64_t n = hi - lo;
  if (n <= 1) return;
  std::uint64_t k = split_point(n);
  if (m < lo + k) {
    path(r, m, lo, lo + k, out);
    out.push_back(range_hash(r, lo + k, hi));
  } else {
    path(r, m, lo + k, hi, out);
    out.push_back(range_hash(r, lo, lo + k));
  }
}

void subproof(NodeReader& r, std::uint64_t m, std::uint64_t lo, std::uint64_t hi, bool b,
              std::vector<Hash>& out) {
  std::uint64_t n = hi - lo;
  if (m == n) {
    if (!b) out.push_back(range_hash(r, lo, hi));
    return;
  }
  std::uint64_t k = split_point(n);
  if (m <= k) {
    subproof(r, m, lo, lo + k, b, out);
    out.push_back(range_hash(r, lo + k, hi));
  } else {
    subproof(r, m - k, lo + k, hi, false, out);
    out.push_back(range_hash(r, lo, lo + k));
  }
}

}  // namespace

Hash tree_root(NodeReader& nodes, std::uint64_t size) {
  if (size == 0) return empty_root();
  return range_hash(nodes, 0, size);
}

std::vector<Hash> inclusion_path(NodeReader& nodes, std::uint64_t index, std::uint64_t size) {
  if (index >= size)
    throw Error(Code::invalid_argument, "inclusion proof: index " + std::to_string(index) +
                                            " is not below tree size " + std::to_string(size));
  std::vector<Hash> out;
  path(nodes, index, 0, size, out);
  return out;
}

std::vector<Hash> consistency_path(NodeReader& nodes, std::uint64_t first, std::uint64_t second) {
  if (first > second)
    throw Error(Code::invalid_argument, "consistency proof: first size " + std::to_string(first) +
                                            " is larger than second size " + std::to_string(second));
  std::vector<Hash> out;
  if (first == 0 || first == second) return out;
  subproof(nodes, first, 0, second, true, out);
  return out;
}

bool verify_inclusion(std::uint64_t index, std::uint64_t size, const Hash& leaf,
                      const std::vector<Hash>& proof, const Hash& root) noexcept {
  if (index >= size || proof.size() > 64) return false;
  std::uint64_t fn = index, sn = size - 1;
  Hash r = leaf;
  for (const Hash& p : proof) {
    if (sn == 0) return false;
    if ((fn & 1) || fn == sn) {
      r = node_hash(p, r);
      if (!(fn & 1))
        while (!(fn & 1) && fn != 0) fn >>= 1, sn >>= 1;
    } else {
      r = node_hash(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return sn == 0 && r == root;  // public values: plain comparison
}

bool verify_consistency(std::uint64_t first, std::uint64_t second, const std::vector<Hash>& proof,
                        const Hash& first_root, const Hash& second_root) noexcept {
  if (first > second || proof.size() > 128) return false;
  if (first == second) return proof.empty() && first_root == second_root;
  if (first == 0) return proof.empty();
  if (proof.empty()) return false;
  std::size_t i = 0;
  Hash fr, sr;
  if (std::has_single_bit(first)) {
    fr = sr = first_root;  // the proof omits the first tree's root when it is a perfect subtree
  } else {
    fr = sr = proof[0];
    i = 1;
  }
  std::uint64_t fn = first - 1, sn = second - 1;
  while (fn & 1) fn >>= 1, sn >>= 1;
  for (; i < proof.size(); ++i) {
    const Hash& c = proof[i];
    if (sn == 0) return false;
    if ((fn & 1) || fn == sn) {
      fr = node_hash(c, fr);
      sr = node_hash(c, sr);
      if (!(fn & 1))
        while (!(fn & 1) && fn != 0) fn >>= 1, sn >>= 1;
    } else {
      sr = node_hash(sr, c);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return fr == first_root && sr == second_root && sn == 0;
}

// ---- MemoryTree -----------------------------------------------------------------------------

void MemoryTree::append(const Hash& leaf) {
  if (levels_.empty()) levels_.emplace_back();
  levels_[0].push_back(leaf);
  std::uint64_t idx = levels_[0].size() - 1;
  unsigned level = 0;
  while (idx & 1) {
    if (levels_.size() <= level + 1) levels_.emplace_back();
    Hash h = node_hash(levels_[level][idx - 1], levels_[level][idx]);
    levels_[level + 1].push_back(h);
    ++level;
    idx >>= 1;
  }
}

Hash MemoryTree::node(unsigned level, std::uint64_t index) {
  if (level >= levels_.size() || index >= levels_[level].size())
    throw Error(Code::internal, "memory tree: no node (" + std::to_string(level) + ", " + std::to_string(index) + ")");
  return levels_[level][index];
}

// ---- Frontier -------------------------------------------------------------------------------

Frontier::Frontier(NodeReader& nodes, std::uint64_t size) : size_(size) {
  std::uint64_t start = 0;
  for (int bit = 63; bit >= 0; --bit) {
    std::uint64_t w = std::uint64_t(1) << bit;
    if (size & w) {
      stack_.push_back(nodes.node(static_cast<unsigned>(bit), start >> bit));
      start += w;
    }
  }
}

void Frontier::append(const Hash& leaf, const OnNode& on_node) {
  std::uint64_t idx = size_;
  Hash h = leaf;
  unsigned level = 0;
  if (on_node) on_node(0, idx, h);
  while (idx & 1) {
    h = node_hash(stack_.back(), h);
    stack_.pop_back();
    ++level;
    idx >>= 1;
    if (on_node) on_node(level, idx, h);
  }
  stack_.push_back(h);
  ++size_;
}

Hash Frontier::root() const {
  if (stack_.empty()) return empty_root();
  Hash r = stack_.back();
  for (std::size_t i = stack_.size() - 1; i-- > 0;) r = node_hash(stack_[i], r);
  return r;
}

}  // namespace civitas::audit
