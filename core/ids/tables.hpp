// Internal lookup tables of the ids module (not installed).
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <string_view>

namespace civitas::ids::detail {

/// The 31-character USCC code alphabet: digits and upper-case letters without I O Z S V.
inline constexpr char kUsccAlphabet[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";

/// Value of a character in the USCC alphabet, or -1.
inline constexpr std::array<std::int8_t, 256> kUsccValue = [] {
  std::array<std::int8_t, 256> t{};
  for (auto& v : t) v = -1;
  for (int i = 0; kUsccAlphabet[i]; ++i) t[static_cast<unsigned char>(kUsccAlphabet[i])] = static_cast<std::int8_t>(i);
  return t;
}();

/// Value of [0-9A-Z] as in GB 11714 (A=10 … Z=35), or -1.
inline constexpr std::array<std::int8_t, 256> kAlnumValue = [] {
  std::array<std::int8_t, 256> t{};
  for (auto& v : t) v = -1;
  for (int i = 0; i < 10; ++i) t['0' + i] = static_cast<std::int8_t>(i);
  for (int i = 0; i < 26; ++i) t['A' + i] = static_cast<std::int8_t>(10 + i);
  return t;
}();

inline constexpr int kUsccWeights[17] = {1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28};
inline constexpr int kOrgWeights[8] = {3, 7, 9, 10, 5, 8, 4, 2};
inline constexpr int kRicWeights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};

inline bool is_digit(char c) { return c >= '0' && c <= '9'; }

/// Registration authorities and their categories (GB 32100-2015 table 1 and amendment 1).
struct Category { char code; const char* name; };
struct Authority { char code; const char* name; const Category* cats; int ncats; };

const Authority* find_authority(char code) noexcept;

/// Bit c % 64 of word c / 64 of kCategoryMask[authority] is set for each category digit c
/// defined for that authority; 0 for a character that is not an authority (hot path: one load
/// answers both questions).
extern const std::array<std::uint16_t, 256> kCategoryMask;

/// The known-code bitmap of the current GB/T 2260 table (bit c set when code c is known);
/// null until the built-in table is first used. Set with the current table (division.cpp).
extern std::atomic<const std::uint64_t*> g_region_bits;
// Frees every division table but the built-in and the current one (core/ids/division.cpp
// keeps each loaded table until exit, so that a lookup racing a load stays valid). Only for
// a process in which no other thread can be using an old table: the division_table fuzz
// target, which loads one table per input and would otherwise grow without bound.
void release_retired_division_tables();
bool region_known_code_slow(std::uint32_t code) noexcept;

/// Calls fn for every entry of the current GB/T 2260 table, in code order: the counties as
/// listed, the provinces (PP0000) and prefectures (PPCC00) derived from them, and 100000 (the
/// national level). The names are those lookup_region gives (empty where there is none); the
/// views stay valid until exit.
void for_each_region(const std::function<void(std::uint32_t code, std::string_view province, std::string_view prefecture,
                                              std::string_view county)>& fn);

/// region_known() for a code already parsed to its value (0..999999); false otherwise.
inline bool region_known_code(std::uint32_t code) noexcept {
  const std::uint64_t* bits = g_region_bits.load(std::memory_order_acquire);
  if (bits && code < 1000000) return (bits[code >> 6] >> (code & 63)) & 1u;
  return region_known_code_slow(code);
}
const Category* find_category(const Authority& a, char code) noexcept;

}  // namespace civitas::ids::detail
