// civitas::ids — Chinese identifiers: Unified Social Credit Codes (GB 32100-2015 with its
// amendment), organisation codes (GB 11714), resident identity numbers (GB 11643, 18 digits
// and legacy 15), and GB/T 2260 administrative division codes.
//
// Validation never throws for a bad identifier: it returns a Result with a stable Reason.
// Exceptions are for bad arguments (unknown kind, wrong length for a check-character call)
// and for malformed division tables.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace civitas::ids {

enum class Kind : int { uscc = 1, orgcode = 2, ric = 3, division = 4 };

/// Why an identifier fails (or warns). Values are pinned (C ABI CIV_ID_*). Append only.
enum class Reason : std::uint8_t {
  ok = 0,
  length = 1,            ///< wrong number of characters after normalisation
  charset = 2,           ///< a character not allowed at its position
  checksum = 3,          ///< the check character is wrong
  authority = 4,         ///< USCC registration authority not 1-9/A/N/Y
  category = 5,          ///< USCC entity category not allowed (for its authority)
  region = 6,            ///< division code unknown to the GB/T 2260 table
  date = 7,              ///< resident ID birth date impossible or in the future
  orgcode_checksum = 8,  ///< embedded GB 11714 organisation code's own check digit wrong
};

const char* reason_name(Reason r) noexcept;  ///< "ok", "length", "charset", …
const char* kind_name(Kind k) noexcept;      ///< "uscc", "orgcode", "ric", "gb2260"
/// Parses "uscc", "orgcode", "ric", "gb2260" (also "division"); throws Error(invalid_argument).
Kind kind_from_name(std::string_view name);

struct Options {
  /// Soft rules (USCC authority/category table, known division, embedded organisation-code
  /// check; resident ID division) become errors instead of warnings.
  bool strict = false;
  /// "Today" as YYYYMMDD for the resident ID future-birth-date rule; 0 = the system clock (UTC).
  std::uint32_t today = 0;
};

/// One entry of the GB/T 2260 table, resolved to its three levels. Empty names are unknown.
struct Region {
  std::string code;        ///< six digits
  std::string province;
  std::string prefecture;
  std::string county;
  bool known = false;      ///< the code is in the table (current or abolished)
};

struct Parts {
  // USCC
  char authority = 0;              ///< registration authority code (1-9, A, N, Y)
  std::string authority_name;      ///< e.g. "工商"
  char category = 0;               ///< entity category code
  std::string category_name;       ///< e.g. "企业"
  std::string orgcode;             ///< USCC positions 9-17 (the GB 11714 code)
  // USCC, resident ID, division
  Region region;
  // resident ID
  std::string birth_date;          ///< YYYY-MM-DD
  char sex = 0;                    ///< 'M' or 'F'
  std::string sequence;            ///< three-digit order code
  std::string legacy;              ///< the 15-digit input when a legacy number was converted
  // all kinds
  char check = 0;                  ///< the check character as given
};

struct Result {
  bool valid = false;
  Reason reason = Reason::ok;      ///< first failed rule; ok when valid
  std::uint32_t warnings = 0;      ///< bit (1u << Reason) per soft rule that failed
  std::string canonical;           ///< normalised form (18-digit form for legacy RIC)
  std::string message;             ///< human-readable explanation of reason / warnings
  Parts parts;                     ///< filled as far as the code could be parsed

  std::vector<Reason> warning_list() const;
};

/// Today's date as YYYYMMDD in China Standard Time (UTC+8), where birth dates are recorded.
std::uint32_t today() noexcept;

/// Full validation with parts and message.
Result validate(Kind kind, std::string_view code, const Options& opts = {});

/// Allocation-free validation: returns the reason (ok when valid) and sets *warnings.
Reason check(Kind kind, std::string_view code, const Options& opts = {},
             std::uint32_t* warnings = nullptr) noexcept;

inline bool is_valid(Kind kind, std::string_view code, const Options& opts = {}) noexcept {
  return check(kind, code, opts) == Reason::ok;
}

/// Batch validation of a column in Arrow layout: value i is data[offsets[i] .. offsets[i+1]).
/// Writes one reason per value (0 = valid) into out_reasons[n]; out_warnings may be null.
/// No allocation per value. Returns the number of valid values.
std::size_t check_column(Kind kind, const char* data, const std::uint64_t* offsets,
                         std::size_t n, const Options& opts, std::uint8_t* out_reasons,
                         std::uint32_t* out_warnings = nullptr) noexcept;

/// Normalises an identifier as written by people: trims whitespace (also U+3000), turns
/// full-width forms into ASCII, lower into upper case, drops spaces and hyphens. Writes at
/// most cap bytes to out and returns the normalised length, or SIZE_MAX when the result
/// would not fit or contains a character outside printable ASCII.
std::size_t normalize(std::string_view in, char* out, std::size_t cap) noexcept;
/// As above; returns an empty string when normalisation fails.
std::string normalize(std::string_view in);

/// Check characters. The argument is the code without its check character (after
/// normalisation); throws Error(invalid_argument) when its length or characters are wrong.
char uscc_check_char(std::string_view first17);
char orgcode_check_char(std::string_view first8);
char ric_check_char(std::string_view first17);
char check_char(Kind kind, std::string_view body);

/// Converts a valid legacy 15-digit resident ID into its 18-digit form; throws
/// Error(invalid_data) naming the reason when the legacy number is not valid.
std::string ric_upgrade(std::string_view legacy15);

// ---- GB/T 2260 division table -------------------------------------------------------

/// Resolves a six-digit division code against the current table.
Region lookup_region(std::string_view code6);
bool region_known(std::string_view code6) noexcept;

/// Describes the current table: "builtin: <source>" or the label given when loaded.
std::string division_table_source();
std::size_t division_table_size();

/// Replaces the table with one in the stdnum loc.dat text format (docs/formats/division-table.md):
/// '#' comment lines, then `CODE county="…" prefecture="…" province="…"` per county.
/// Province and prefecture entries are derived. Throws Error(parse) with the line number.
/// Thread-safe; lookups in flight keep using the table they started with.
void load_division_table(std::string_view text, std::string_view label);
void load_division_table_file(const std::string& path);
/// Restores the table built into the library.
void reset_division_table();

}  // namespace civitas::ids
