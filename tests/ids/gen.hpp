// Test helper: deterministic generators of valid identifiers.
#pragma once

#include <random>
#include <string>

#include "civitas/ids.hpp"

namespace civitas::test {

inline const char* kUsccAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";

/// A valid USCC: authority/category from the table, a known division, a valid embedded
/// organisation code and the right check character.
inline std::string gen_uscc(std::mt19937& rng) {
  static const char* pairs[] = {"11", "12", "13", "19", "21", "31", "35", "41", "51", "52", "53",
                                "61", "71", "72", "81", "91", "92", "93", "A1", "N1", "N2", "Y1"};
  static const char* divisions[] = {"110000", "110105", "371702", "371721", "440300", "100000", "310115"};
  std::string s = pairs[rng() % (sizeof pairs / sizeof *pairs)];
  s += divisions[rng() % (sizeof divisions / sizeof *divisions)];
  std::string org;
  for (int i = 0; i < 8; ++i) org += kUsccAlphabet[rng() % 31];
  org += ids::orgcode_check_char(org);
  s += org;
  s += ids::uscc_check_char(s);
  return s;
}

/// A valid 18-digit resident ID born between 1940 and 2009.
inline std::string gen_ric(std::mt19937& rng) {
  static const char* divisions[] = {"110105", "371702", "371721", "440305", "110103"};
  char buf[32];
  unsigned y = 1940 + rng() % 70, m = 1 + rng() % 12, d = 1 + rng() % 28, seq = rng() % 1000;
  std::snprintf(buf, sizeof buf, "%s%04u%02u%02u%03u", divisions[rng() % 5], y, m, d, seq);
  std::string s = buf;
  s += ids::ric_check_char(s);
  return s;
}

}  // namespace civitas::test
