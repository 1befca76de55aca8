// Reference implementations of the USCC and resident ID rules, written plainly from the
// standards (GB 32100-2015 with amendment 1, GB 11714, GB 11643) and independent of the
// library's optimised hot paths, which the fuzz targets compare against them.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "civitas/ids.hpp"

namespace civitas::fuzz::reference {

namespace ids = civitas::ids;

inline std::uint32_t bit(ids::Reason r) { return 1u << static_cast<unsigned>(r); }
inline bool digit(char c) { return c >= '0' && c <= '9'; }
inline bool upper_alnum(char c) { return digit(c) || (c >= 'A' && c <= 'Z'); }

inline char orgcode_check(std::string_view first8) {
  static const int w[8] = {3, 7, 9, 10, 5, 8, 4, 2};
  int sum = 0;
  for (int i = 0; i < 8; ++i) sum += (digit(first8[i]) ? first8[i] - '0' : first8[i] - 'A' + 10) * w[i];
  int v = (11 - sum % 11) % 11;
  return v == 10 ? 'X' : static_cast<char>('0' + v);
}

/// USCC rules on a normalised code; returns the hard reason, adds warnings to *warn.
inline ids::Reason uscc(const std::string& c, std::uint32_t* warn) {
  static const std::string alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";
  static const int w[17] = {1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28};
  *warn = 0;
  if (c.size() != 18) return ids::Reason::length;
  for (char ch : c)
    if (!upper_alnum(ch)) return ids::Reason::charset;
  const std::string_view authorities = "123456789ANY";
  std::size_t a = authorities.find(c[0]);
  if (a == std::string_view::npos) return ids::Reason::authority;
  if (c[1] < '1' || c[1] > '9') return ids::Reason::category;
  for (int i = 2; i < 8; ++i)
    if (!digit(c[i])) return ids::Reason::charset;
  for (int i = 8; i < 18; ++i)
    if (alphabet.find(c[i]) == std::string::npos) return ids::Reason::charset;
  int sum = 0;
  for (int i = 0; i < 17; ++i) sum += static_cast<int>(alphabet.find(c[i])) * w[i];
  if (alphabet[(31 - sum % 31) % 31] != c[17]) return ids::Reason::checksum;
  static const char* const categories[] = {"1239", "19", "123459", "19", "1239", "129", "129",
                                           "19",   "123", "19",   "1239", "1"};
  if (std::string_view(categories[a]).find(c[1]) == std::string_view::npos) *warn |= bit(ids::Reason::category);
  if (!ids::region_known(c.substr(2, 6))) *warn |= bit(ids::Reason::region);
  if (orgcode_check(std::string_view(c).substr(8, 8)) != c[16]) *warn |= bit(ids::Reason::orgcode_checksum);
  return ids::Reason::ok;
}

inline bool real_date(int y, int m, int d, std::uint32_t today) {
  static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (y < 1800 || m < 1 || m > 12 || d < 1) return false;
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  if (d > days[m - 1] + (m == 2 && leap)) return false;
  return static_cast<std::uint32_t>(y * 10000 + m * 100 + d) <= today;
}

/// Resident ID rules on a normalised code (18 digits, or legacy 15).
inline ids::Reason ric(const std::string& c, std::uint32_t today, std::uint32_t* warn) {
  static const int w[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
  *warn = 0;
  auto num = [&](std::size_t pos, std::size_t len) { return std::stoi(c.substr(pos, len)); };
  if (c.size() == 18) {
    for (int i = 0; i < 17; ++i)
      if (!digit(c[i])) return ids::Reason::charset;
    if (!digit(c[17]) && c[17] != 'X') return ids::Reason::charset;
    int sum = 0;
    for (int i = 0; i < 17; ++i) sum += (c[i] - '0') * w[i];
    int v = (12 - sum % 11) % 11;
    if ((v == 10 ? 'X' : static_cast<char>('0' + v)) != c[17]) return ids::Reason::checksum;
    if (!real_date(num(6, 4), num(10, 2), num(12, 2), today)) return ids::Reason::date;
  } else if (c.size() == 15) {
    for (char ch : c)
      if (!digit(ch)) return ids::Reason::charset;
    if (!real_date(1900 + num(6, 2), num(8, 2), num(10, 2), today)) return ids::Reason::date;
  } else {
    return ids::Reason::length;
  }
  if (!ids::region_known(c.substr(0, 6))) *warn |= bit(ids::Reason::region);
  return ids::Reason::ok;
}

}  // namespace civitas::fuzz::reference
