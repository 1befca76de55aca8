// Word lists and small helpers of the classify module: surnames, given names, keywords,
// the GB/T 2260 division names (from civitas::ids), UTF-8 decoding.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace civitas::classify::detail {

/// Decodes the UTF-8 character at s[i] (valid or not); sets *len (≥ 1). Invalid → 0xFFFD.
char32_t decode_utf8(std::string_view s, std::size_t i, std::size_t* len) noexcept;
/// Length of the UTF-8 character ending just before s[i] (0 when i == 0).
std::size_t prev_char_len(std::string_view s, std::size_t i) noexcept;

bool is_han(char32_t c) noexcept;  ///< CJK unified ideographs (basic block and extension A)

/// Chinese single surnames (common ones) and compound surnames (欧阳, 司马…).
bool is_single_surname(char32_t c) noexcept;
bool is_compound_surname(std::string_view two_chars_utf8) noexcept;
/// Characters that make a Han string unlikely to be a given name (机, 司, 店, 品, 号…).
bool is_name_stop_char(char32_t c) noexcept;
/// Latin given names (John, Mary…), Latin/pinyin surnames (Smith, Zhang…).
bool is_latin_given_name(std::string_view w) noexcept;
bool is_latin_surname(std::string_view w) noexcept;

/// Province abbreviations of vehicle plates (京 津 沪 …).
bool is_plate_province(char32_t c) noexcept;
/// The characters of is_plate_province and is_division_suffix, sorted.
const std::vector<char32_t>& plate_province_chars() noexcept;
const std::vector<char32_t>& division_suffix_chars() noexcept;

/// The GB/T 2260 division names (full forms: 福建省, 福州市, 鼓楼区 …) of the current table,
/// and the short forms of provinces and prefectures (福建, 福州).
struct Divisions {
  std::unordered_set<std::string> full;
  std::vector<bool> before_suffix = std::vector<bool>(0x10000, false);  ///< last character before the suffix
  std::unordered_set<std::string> short_forms;
  std::size_t max_chars = 0;  ///< longest full name, in characters
  /// The full names again, for division_ending_at: an open-addressing table of their hashes
  /// taken backwards from the last byte (see back_hash), each with its name to confirm a hit.
  struct Slot {
    std::uint64_t hash = 0;
    const std::string* name = nullptr;  ///< into `full`; null = empty slot
  };
  std::vector<Slot> table;
  unsigned shift = 64;  ///< slot of a hash: (hash * kMix) >> shift
  /// Every character of every full name (BMP), and whether some name has a character beyond
  /// the BMP: division_ending_at stops walking back at a character of no name.
  std::vector<bool> in_names = std::vector<bool>(0x10000, false);
  bool beyond_bmp = false;
};
const Divisions& divisions();
/// Division suffix characters: 省 市 区 县 州 旗 盟.
bool is_division_suffix(char32_t c) noexcept;
/// If a division full name ends at byte `end` (exclusive) of s, its start, else npos. The
/// longest name wins.
std::size_t division_ending_at(std::string_view s, std::size_t end);
/// Address words: 路 街 道 巷 弄 号 村 镇 乡 组 栋 幢 楼 室 层 单元 小区 大厦 里 胡同.
bool is_address_char(char32_t c) noexcept;

/// Whether any of the keywords occurs in s[from, to).
bool has_keyword(std::string_view s, std::size_t from, std::size_t to,
                 const std::vector<std::string_view>& words) noexcept;

}  // namespace civitas::classify::detail
