// The UTF-8 check of the encoding guess: the vector prefix check (where the CPU has it) gives
// the same answer as the byte-by-byte reference on generated inputs — every length around the
// 64-byte block edges, bad sequences at every position near them, sequences cut at the end,
// surrogates, overlong forms, code points above U+10FFFF, random bytes.
#include <doctest/doctest.h>

#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "civitas/classify.hpp"
#include "classify/utf8.hpp"

namespace d = civitas::classify::detail;

namespace {

// Characters (and not-quite characters) that texts are made of.
const std::vector<std::string> kGood = {
    "a", " ", "7", "\n", "\xC2\xA0", "\xC3\xA9", "\xDF\xBF",                 // 1- and 2-byte
    "\xE4\xB8\xAD", "\xE6\x96\x87", "\xEF\xBC\x8C", "\xE3\x80\x82",          // Han, punctuation
    "\xE0\xA0\x80", "\xED\x9F\xBF", "\xEE\x80\x80", "\xEF\xBF\xBD",          // edges around surrogates
    "\xF0\x9F\x98\x80", "\xF0\x90\x80\x80", "\xF4\x8F\xBF\xBF",              // 4-byte
    "\xE0\x80\x80", "\xE0\x9F\xBF",                                          // overlong 3-byte (accepted)
    "\xF0\x80\x80\x80", "\xF0\x8F\xBF\xBF", "\xF4\x90\x80\x80", "\xF4\xBF\xBF\xBF",  // accepted by the rule
};
const std::vector<std::string> kBad = {
    "\xED\xA0\x80", "\xED\xBF\xBF",          // surrogates
    "\xF0\x8D\xA0\x80",                      // a surrogate in four bytes
    "\xC0\x80", "\xC1\xBF", "\xC0", "\xC1",  // overlong 2-byte leads
    "\xF5\x80\x80\x80", "\xF8\x80\x80\x80", "\xFF", "\xFE",  // bad leads
    "\x80", "\xBF", "\xE4\xB8\xAD\x80",      // stray continuation bytes
    "\xE4\xB8", "\xE4", "\xF0\x9F\x98", "\xC3",  // cut (bad unless at the end)
    "\xE4\xB8\xAD\xE4\xB8",                  // cut before another lead
};

// valid_utf8 with each vector code the CPU has (AVX-512 BW, AVX2) against the reference.
bool same(const std::string& s) {
  const bool ref = d::valid_utf8_scalar(s, 0);
  d::set_vector_limit(1);
  const bool avx2 = d::valid_utf8(s);
  d::set_vector_limit(2);
  const bool best = d::valid_utf8(s);
  const bool ok = avx2 == ref && best == ref;
  if (!ok) {
    std::string hex;
    for (unsigned char c : s) {
      static const char* k = "0123456789ABCDEF";
      hex += k[c >> 4];
      hex += k[c & 15];
      hex += ' ';
    }
    MESSAGE("differs on ", s.size(), " bytes (reference ", ref, ", AVX2 ", avx2, ", best ", best, "): ", hex);
  }
  return ok;
}

// A valid text of exactly `len` bytes (ASCII padding where a character would not fit).
std::string text_of(std::size_t len, std::mt19937& r) {
  std::string s;
  while (s.size() < len) {
    const std::string& c = kGood[r() % kGood.size()];
    if (s.size() + c.size() <= len) s += c;
    else s += 'x';
  }
  return s;
}

}  // namespace

TEST_CASE("utf8: the reference rule on known inputs") {
  CHECK(d::valid_utf8_scalar("", 0));
  CHECK(d::valid_utf8_scalar("plain ascii", 0));
  CHECK(d::valid_utf8_scalar("中文，标点。", 0));
  for (const auto& g : kGood) CHECK(d::valid_utf8_scalar(g + "x", 0));
  for (const auto& b : {"\xED\xA0\x80", "\xC0\x80", "\xF5\x80\x80\x80", "\x80", "\xE4\xB8x", "\xF0\x8D\xA0\x80"})
    CHECK_FALSE(d::valid_utf8_scalar(std::string(b) + "x", 0));
  // Cut at the end: accepted (segments end anywhere), also after a lead F5..FF.
  CHECK(d::valid_utf8_scalar("ab\xE4\xB8", 0));
  CHECK(d::valid_utf8_scalar("ab\xF8\x80", 0));
  CHECK_FALSE(d::valid_utf8_scalar("ab\xC0", 0));
}

TEST_CASE("utf8: vector prefix and reference agree at every length around the block edges") {
  std::mt19937 r(2026);
  for (std::size_t len = 0; len <= 200; ++len) {
    for (int rep = 0; rep < 8; ++rep) {
      std::string s = text_of(len, r);
      CHECK(same(s));
      CHECK(d::valid_utf8(s));
      // A bad or cut sequence at every position near the edges (and the end).
      for (std::size_t at : {std::size_t(0), len / 2, len >= 3 ? len - 3 : 0, len >= 1 ? len - 1 : 0, len}) {
        const std::string& b = kBad[r() % kBad.size()];
        std::string t = s;
        t.insert(std::min(at, t.size()), b);
        CHECK(same(t));
      }
    }
  }
  // Every bad sequence at every offset of the first three blocks (and straddling them).
  std::string base = text_of(256, r);
  for (const auto& b : kBad) {
    for (std::size_t at = 0; at <= 200; ++at) {
      std::string t = base;
      // insert at a character boundary at or after `at`
      std::size_t p = at;
      while (p < t.size() && (static_cast<unsigned char>(t[p]) & 0xC0) == 0x80) ++p;
      t.insert(p, b);
      CHECK(same(t));
      t.resize(p + b.size());  // cut right after it: ends with the bad sequence
      CHECK(same(t));
    }
  }
}

TEST_CASE("utf8: vector prefix and reference agree on cut texts, flipped bytes and random bytes") {
  std::mt19937 r(13);
  std::string big = text_of(5000, r);
  for (int k = 0; k < 2000; ++k) {
    std::string t = big.substr(0, r() % big.size());
    if (k % 2) {
      for (int f = 0; f < 1 + k % 3; ++f)
        if (!t.empty()) t[r() % t.size()] = static_cast<char>(r() & 0xFF);
    }
    CHECK(same(t));
  }
  for (int k = 0; k < 3000; ++k) {
    std::string t(r() % 300, '\0');
    // bytes drawn mostly from the interesting range
    for (auto& c : t) c = static_cast<char>(r() % 3 == 0 ? r() % 0x80 : 0x80 + r() % 0x80);
    CHECK(same(t));
  }
}

TEST_CASE("utf8: the vector prefix covers valid text (where the CPU has it)") {
  std::mt19937 r(7);
  std::string s;
  while (s.size() < 100000) s += r() % 4 ? "\xE6\x95\xB0\xE6\x8D\xAE\xE5\x85\xB1\xE4\xBA\xAB\xEF\xBC\x8C" : "The report covers data. ";
  for (int level : {1, 2}) {  // AVX2, then the best the CPU has
    d::set_vector_limit(level);
    const std::size_t b = d::utf8_vector_prefix(s);
    if (b > 0) {
      CHECK(b == s.size() / 64 * 64);
      std::string t = s;
      t[70000] = '\xFF';  // never in UTF-8
      CHECK(d::utf8_vector_prefix(t) <= 70000);
      CHECK(d::utf8_vector_prefix(t) > 69000);
      CHECK_FALSE(d::valid_utf8(t));
    }
  }
  d::set_vector_limit(2);
  CHECK(d::valid_utf8(s));
  CHECK(civitas::classify::guess_encoding(s) == "utf-8");
}

TEST_CASE("utf8: with the vector code off, the same answers (and no prefix)") {
  std::mt19937 r(99);
  d::set_vector_limit(0);
  std::string s = text_of(1000, r);
  CHECK(d::utf8_vector_prefix(s) == 0);
  CHECK(d::valid_utf8(s));
  d::set_vector_limit(2);
}
