// Internal: a string interner (open addressing) and a hash of small integer tuples, used by
// the frequency-table builder and the search.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace civitas::deid::detail {

inline std::uint64_t mix64(std::uint64_t x) noexcept {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  x ^= x >> 33;
  return x;
}

// Short strings (the cells of a quasi-identifier: "Male", "39", "Married-civ-spouse") in a few
// loads: 1-3 bytes as first/middle/last, 4-7 as two overlapping 4-byte words, longer ones 8
// bytes a step and the last 8 (overlapping). Ids never depend on the hash, only lookups do.
inline std::uint64_t hash_bytes(std::string_view s) noexcept {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const std::size_t n = s.size();
  std::uint64_t h = 0x9e3779b97f4a7c15ULL * (n + 1);
  if (n >= 8) {
    std::uint64_t w;
    for (std::size_t i = 0; i + 8 < n; i += 8) {
      __builtin_memcpy(&w, p + i, 8);
      h = (h ^ w) * 0xff51afd7ed558ccdULL;
      h ^= h >> 32;
    }
    __builtin_memcpy(&w, p + n - 8, 8);
    return mix64(h ^ w);
  }
  std::uint64_t w = 0;
  if (n >= 4) {
    std::uint32_t x, y;
    __builtin_memcpy(&x, p, 4);
    __builtin_memcpy(&y, p + n - 4, 4);
    w = (static_cast<std::uint64_t>(x) << 32) | y;
  } else if (n) {
    w = (static_cast<std::uint64_t>(p[0]) << 16) | (static_cast<std::uint64_t>(p[n >> 1]) << 8) | p[n - 1];
  }
  return mix64(h ^ w);
}

/// Strings → dense ids in first-seen order.
class Interner {
 public:
  Interner() { slots_.assign(64, kEmpty); }
  std::uint32_t intern(std::string_view s) {
    if ((values_.size() + 1) * 2 > slots_.size()) grow();
    const std::size_t mask = slots_.size() - 1;
    std::size_t i = hash_bytes(s) & mask;
    while (slots_[i] != kEmpty) {
      if (values_[slots_[i]] == s) return slots_[i];
      i = (i + 1) & mask;
    }
    const auto id = static_cast<std::uint32_t>(values_.size());
    values_.emplace_back(s);
    slots_[i] = id;
    return id;
  }
  const std::vector<std::string>& values() const noexcept { return values_; }
  std::vector<std::string> take() { return std::move(values_); }

 private:
  static constexpr std::uint32_t kEmpty = 0xffffffffu;
  void grow() {
    std::vector<std::uint32_t> s(slots_.size() * 2, kEmpty);
    const std::size_t mask = s.size() - 1;
    for (std::uint32_t id = 0; id < values_.size(); ++id) {
      std::size_t i = hash_bytes(values_[id]) & mask;
      while (s[i] != kEmpty) i = (i + 1) & mask;
      s[i] = id;
    }
    slots_.swap(s);
  }
  std::vector<std::uint32_t> slots_;
  std::vector<std::string> values_;
};

/// Tuples of `width` uint32 → dense ids; the tuples are kept in `keys` (row-major).
class TupleIndex {
 public:
  explicit TupleIndex(std::size_t width, std::size_t expected = 64) : w_(width) {
    std::size_t cap = 64;
    while (cap < expected * 2) cap <<= 1;
    slots_.assign(cap, kEmpty);
  }
  static std::uint64_t hash(const std::uint32_t* t, std::size_t w) noexcept {
    std::uint64_t h = 0x243f6a8885a308d3ULL;
    for (std::size_t i = 0; i < w; ++i) h = (h ^ t[i]) * 0x9e3779b97f4a7c15ULL + (h >> 29);
    return mix64(h);
  }
  /// Returns (id, inserted).
  std::pair<std::uint32_t, bool> insert(const std::uint32_t* t) {
    if ((count_ + 1) * 2 > slots_.size()) grow();
    const std::size_t mask = slots_.size() - 1;
    std::size_t i = hash(t, w_) & mask;
    while (slots_[i] != kEmpty) {
      const std::uint32_t* k = keys.data() + static_cast<std::size_t>(slots_[i]) * w_;
      bool eq = true;
      for (std::size_t j = 0; j < w_ && eq; ++j) eq = k[j] == t[j];
      if (eq) return {slots_[i], false};
      i = (i + 1) & mask;
    }
    const auto id = static_cast<std::uint32_t>(count_++);
    keys.insert(keys.end(), t, t + w_);
    slots_[i] = id;
    return {id, true};
  }
  std::size_t size() const noexcept { return count_; }
  std::vector<std::uint32_t> keys;

 private:
  static constexpr std::uint32_t kEmpty = 0xffffffffu;
  void grow() {
    std::vector<std::uint32_t> s(slots_.size() * 2, kEmpty);
    const std::size_t mask = s.size() - 1;
    for (std::uint32_t id = 0; id < count_; ++id) {
      std::size_t i = hash(keys.data() + static_cast<std::size_t>(id) * w_, w_) & mask;
      while (s[i] != kEmpty) i = (i + 1) & mask;
      s[i] = id;
    }
    slots_.swap(s);
  }
  std::size_t w_;
  std::size_t count_ = 0;
  std::vector<std::uint32_t> slots_;
};

}  // namespace civitas::deid::detail
