// Validation rules of USCC (GB 32100), organisation code (GB 11714), resident ID (GB 11643)
// and division codes (GB/T 2260). The hot path (check, check_column) allocates nothing.
#include <ctime>

#include "civitas/error.hpp"
#include "civitas/ids.hpp"
#include "normalize.hpp"
#include "tables.hpp"
#include "uscc_fast.hpp"

namespace civitas::ids {
namespace {
using namespace detail;

constexpr std::uint32_t bit(Reason r) { return 1u << static_cast<unsigned>(r); }

// The longest normalised form any kind accepts is 18; one more detects "too long".
constexpr std::size_t kMaxNorm = 19;

int uscc_check_value(const char* s) noexcept {  // s: 17 chars of the USCC alphabet
  int sum = 0;
  for (int i = 0; i < 17; ++i) sum += kUsccValue[static_cast<unsigned char>(s[i])] * kUsccWeights[i];
  return (31 - sum % 31) % 31;
}

int org_check_value(const char* s) noexcept {  // s: 8 chars of [0-9A-Z]; 10 = 'X'
  int sum = 0;
  for (int i = 0; i < 8; ++i) sum += kAlnumValue[static_cast<unsigned char>(s[i])] * kOrgWeights[i];
  return (11 - sum % 11) % 11;
}
char org_char(int v) noexcept { return v == 10 ? 'X' : static_cast<char>('0' + v); }

int ric_check_value(const char* s) noexcept {  // s: 17 digits; 10 = 'X'
  int sum = 0;
  for (int i = 0; i < 17; ++i) sum += (s[i] - '0') * kRicWeights[i];
  return (12 - sum % 11) % 11;
}

bool all_digits(const char* s, std::size_t n) noexcept {
  for (std::size_t i = 0; i < n; ++i)
    if (!is_digit(s[i])) return false;
  return true;
}

bool leap(unsigned y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

// s: "YYYYMMDD" digits. A real calendar date from 1800-01-01 to today.
bool date_ok(const char* s, std::uint32_t today) noexcept {
  unsigned y = 0, m = 0, d = 0;
  for (int i = 0; i < 4; ++i) y = y * 10 + static_cast<unsigned>(s[i] - '0');
  m = static_cast<unsigned>((s[4] - '0') * 10 + (s[5] - '0'));
  d = static_cast<unsigned>((s[6] - '0') * 10 + (s[7] - '0'));
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (y < 1800 || m < 1 || m > 12 || d < 1) return false;
  unsigned dim = kDays[m - 1] + (m == 2 && leap(y) ? 1 : 0);
  if (d > dim) return false;
  return y * 10000 + m * 100 + d <= today;
}

std::uint32_t resolve_today(const Options& o) noexcept { return o.today ? o.today : today(); }

// True when s[0..17) are digits; *sum gets the GB 11643 weighted sum.
bool ric_digit_sum(const char* s, unsigned* sum) noexcept {
#if defined(__SSE2__)
  const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s));
  const __m128i digit = _mm_and_si128(_mm_cmpgt_epi8(x, _mm_set1_epi8('0' - 1)), _mm_cmplt_epi8(x, _mm_set1_epi8('9' + 1)));
  const unsigned d16 = static_cast<unsigned>(static_cast<unsigned char>(s[16])) - unsigned{'0'};
  if (_mm_movemask_epi8(digit) != 0xFFFF || d16 > 9) return false;
  const __m128i v = _mm_sub_epi8(x, _mm_set1_epi8('0')), zero = _mm_setzero_si128();
  __m128i t = _mm_add_epi32(_mm_madd_epi16(_mm_unpacklo_epi8(v, zero), _mm_setr_epi16(7, 9, 10, 5, 8, 4, 2, 1)),
                            _mm_madd_epi16(_mm_unpackhi_epi8(v, zero), _mm_setr_epi16(6, 3, 7, 9, 10, 5, 8, 4)));
  t = _mm_add_epi32(t, _mm_shuffle_epi32(t, 0x4E));
  t = _mm_add_epi32(t, _mm_shuffle_epi32(t, 0xB1));
  *sum = static_cast<unsigned>(_mm_cvtsi128_si32(t)) + d16 * 2;
  return true;
#else
  unsigned non_digit = 0, total = 0;
  for (int i = 0; i < 17; ++i) {
    unsigned d = static_cast<unsigned>(static_cast<unsigned char>(s[i])) - unsigned{'0'};
    non_digit |= d > 9;
    total += d * static_cast<unsigned>(kRicWeights[i]);
  }
  *sum = total;
  return !non_digit;
#endif
}

// Value of six digits (already checked to be digits).
std::uint32_t six_digit_value(const char* s) noexcept {
  std::uint32_t v = 0;
  for (int i = 0; i < 6; ++i) v = v * 10 + static_cast<std::uint32_t>(s[i] - '0');
  return v;
}

// Each rule function takes a normalised code and returns the hard reason (ok when the hard
// rules pass) and adds soft failures to *warn.

// USCC hard rules in the order their reasons are reported, for a code with a character
// outside the code alphabet (so one of them fails).
Reason uscc_hard_rules_slow(const char* s) noexcept {
  for (int i = 0; i < 18; ++i)
    if (kAlnumValue[static_cast<unsigned char>(s[i])] < 0) return Reason::charset;
  if (!find_authority(s[0])) return Reason::authority;
  if (s[1] < '1' || s[1] > '9') return Reason::category;
  if (!all_digits(s + 2, 6)) return Reason::charset;
  for (int i = 8; i < 18; ++i)
    if (kUsccValue[static_cast<unsigned char>(s[i])] < 0) return Reason::charset;
  return Reason::ok;
}

// USCC rules on 18 characters of the code alphabet; -1 when a character is outside it.
int uscc_fast(const char* s, std::uint32_t* warn) noexcept {
  UsccSums t;
  if (!uscc_sums(s, &t)) return -1;
  const unsigned categories = kCategoryMask[static_cast<unsigned char>(s[0])];
  if (!categories) return static_cast<int>(Reason::authority);
  if (s[1] < '1' || s[1] > '9') return static_cast<int>(Reason::category);
  if ((t.digit_mask & 0xFCu) != 0xFCu) return static_cast<int>(Reason::charset);
  const auto sum = static_cast<unsigned>(t.sum), org_sum = static_cast<unsigned>(t.org_sum);
  if (static_cast<int>((31 - sum % 31) % 31) != kUsccValue[static_cast<unsigned char>(s[17])])
    return static_cast<int>(Reason::checksum);
  if (!((categories >> (s[1] - '0')) & 1u)) *warn |= bit(Reason::category);
  if (!region_known_code(six_digit_value(s + 2))) *warn |= bit(Reason::region);
  if (!(is_digit(s[16]) || s[16] == 'X') || org_char(static_cast<int>((11 - org_sum % 11) % 11)) != s[16])
    *warn |= bit(Reason::orgcode_checksum);
  return static_cast<int>(Reason::ok);
}

Reason uscc_rules(const char* s, std::size_t n, std::uint32_t* warn) noexcept {
  if (n != 18) return Reason::length;
  int r = uscc_fast(s, warn);
  return r >= 0 ? static_cast<Reason>(r) : uscc_hard_rules_slow(s);
}

Reason orgcode_rules(const char* s, std::size_t n) noexcept {
  if (n != 9) return Reason::length;
  for (int i = 0; i < 8; ++i)
    if (kAlnumValue[static_cast<unsigned char>(s[i])] < 0) return Reason::charset;
  if (!is_digit(s[8]) && s[8] != 'X') return Reason::charset;
  if (org_char(org_check_value(s)) != s[8]) return Reason::checksum;
  return Reason::ok;
}

Reason ric_rules(const char* s, std::size_t n, std::uint32_t today, std::uint32_t* warn) noexcept {
  if (n == 18) {
    unsigned sum = 0;
    if (!ric_digit_sum(s, &sum) || !(is_digit(s[17]) || s[17] == 'X')) return Reason::charset;
    if (org_char(static_cast<int>((12 - sum % 11) % 11)) != s[17]) return Reason::checksum;
    if (!date_ok(s + 6, today)) return Reason::date;
  } else if (n == 15) {
    if (!all_digits(s, 15)) return Reason::charset;
    char date[8] = {'1', '9', s[6], s[7], s[8], s[9], s[10], s[11]};
    if (!date_ok(date, today)) return Reason::date;
  } else {
    return Reason::length;
  }
  if (!region_known_code(six_digit_value(s))) *warn |= bit(Reason::region);
  return Reason::ok;
}

Reason division_rules(const char* s, std::size_t n) noexcept {
  if (n != 6) return Reason::length;
  if (!all_digits(s, 6)) return Reason::charset;
  return region_known(std::string_view(s, 6)) ? Reason::ok : Reason::region;
}

// Strict mode turns the first soft failure into the reason.
Reason apply_strictness(Reason hard, std::uint32_t warn, bool strict) noexcept {
  if (hard != Reason::ok || !strict || warn == 0) return hard;
  for (unsigned r = 1; r < 32; ++r)
    if (warn & (1u << r)) return static_cast<Reason>(r);
  return hard;
}

Reason check_normalised(Kind kind, const char* s, std::size_t n, bool strict, std::uint32_t today,
                        std::uint32_t* warn) noexcept {
  Reason hard = Reason::ok;
  switch (kind) {
    case Kind::uscc: hard = uscc_rules(s, n, warn); break;
    case Kind::orgcode: hard = orgcode_rules(s, n); break;
    case Kind::ric: hard = ric_rules(s, n, today, warn); break;
    case Kind::division: hard = division_rules(s, n); break;
    default: return Reason::length;
  }
  if (hard != Reason::ok) *warn = 0;
  return apply_strictness(hard, *warn, strict);
}

Reason check_one(Kind kind, std::string_view code, bool strict, std::uint32_t today,
                 std::uint32_t* warn) noexcept {
  *warn = 0;
  // Hot paths: input already in normalised form is checked in place.
  if (kind == Kind::uscc && code.size() == 18) {
    int r = uscc_fast(code.data(), warn);
    if (r >= 0) {
      if (r != 0) *warn = 0;
      return apply_strictness(static_cast<Reason>(r), *warn, strict);
    }
  }
  if (kind == Kind::ric && code.size() == 18) {
    // The RIC rules accept only digits (and a final X) before any other verdict, so any
    // result but charset means the input was already in normalised form.
    Reason r = check_normalised(kind, code.data(), 18, strict, today, warn);
    if (r != Reason::charset) return r;
    *warn = 0;
  }
  if (code.size() < kMaxNorm && is_canonical(code.data(), code.size()))
    return check_normalised(kind, code.data(), code.size(), strict, today, warn);
  char buf[kMaxNorm];
  std::size_t n = 0;
  switch (normalize_into(code, buf, sizeof buf, &n)) {
    case NormStatus::ok: break;
    case NormStatus::too_long: return Reason::length;
    case NormStatus::bad_char: return Reason::charset;
  }
  return check_normalised(kind, buf, n, strict, today, warn);
}

std::string reason_message(Kind kind, Reason r) {
  switch (r) {
    case Reason::ok: return "valid";
    case Reason::length:
      switch (kind) {
        case Kind::uscc: return "a USCC has 18 characters";
        case Kind::orgcode: return "an organisation code has 9 characters (8 + check digit)";
        case Kind::ric: return "a resident ID number has 18 characters (or 15 for legacy numbers)";
        case Kind::division: return "a division code has 6 digits";
      }
      break;
    case Reason::charset: return "a character is not allowed at its position";
    case Reason::checksum: return "the check character is wrong";
    case Reason::authority: return "the registration authority code is not one of 1-9, A, N, Y";
    case Reason::category: return "the entity category is not defined for this registration authority";
    case Reason::region: return "the division code is not in the GB/T 2260 table";
    case Reason::date: return "the birth date is not a real date, or is in the future";
    case Reason::orgcode_checksum: return "the embedded organisation code's check digit is wrong";
  }
  return "invalid";
}

}  // namespace

std::uint32_t today() noexcept {
  std::time_t t = std::time(nullptr) + 8 * 3600;
  std::tm tm{};
  gmtime_r(&t, &tm);
  return static_cast<std::uint32_t>((tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday);
}

const char* reason_name(Reason r) noexcept {
  switch (r) {
    case Reason::ok: return "ok";
    case Reason::length: return "length";
    case Reason::charset: return "charset";
    case Reason::checksum: return "checksum";
    case Reason::authority: return "authority";
    case Reason::category: return "category";
    case Reason::region: return "region";
    case Reason::date: return "date";
    case Reason::orgcode_checksum: return "orgcode-checksum";
  }
  return "unknown";
}

const char* kind_name(Kind k) noexcept {
  switch (k) {
    case Kind::uscc: return "uscc";
    case Kind::orgcode: return "orgcode";
    case Kind::ric: return "ric";
    case Kind::division: return "gb2260";
  }
  return "unknown";
}

Kind kind_from_name(std::string_view name) {
  if (name == "uscc") return Kind::uscc;
  if (name == "orgcode") return Kind::orgcode;
  if (name == "ric") return Kind::ric;
  if (name == "gb2260" || name == "division") return Kind::division;
  throw Error(Code::invalid_argument,
              "unknown identifier kind '" + std::string(name) + "' (expected uscc, orgcode, ric or gb2260)");
}

std::vector<Reason> Result::warning_list() const {
  std::vector<Reason> out;
  for (unsigned r = 1; r < 32; ++r)
    if (warnings & (1u << r)) out.push_back(static_cast<Reason>(r));
  return out;
}

Reason check(Kind kind, std::string_view code, const Options& opts, std::uint32_t* warnings) noexcept {
  std::uint32_t w = 0;
  std::uint32_t today = kind == Kind::ric ? resolve_today(opts) : 0;
  Reason r = check_one(kind, code, opts.strict, today, &w);
  if (warnings) *warnings = w;
  return r;
}

std::size_t check_column(Kind kind, const char* data, const std::uint64_t* offsets, std::size_t n,
                         const Options& opts, std::uint8_t* out_reasons, std::uint32_t* out_warnings) noexcept {
  std::uint32_t today = resolve_today(opts);
  std::size_t valid = 0;
  for (std::size_t i = 0; i < n; ++i) {
    std::uint32_t w = 0;
    std::string_view code(data + offsets[i], static_cast<std::size_t>(offsets[i + 1] - offsets[i]));
    Reason r = check_one(kind, code, opts.strict, today, &w);
    out_reasons[i] = static_cast<std::uint8_t>(r);
    if (out_warnings) out_warnings[i] = w;
    valid += r == Reason::ok;
  }
  return valid;
}

Result validate(Kind kind, std::string_view code, const Options& opts) {
  Result res;
  std::uint32_t today = resolve_today(opts);
  res.reason = check_one(kind, code, opts.strict, today, &res.warnings);
  res.valid = res.reason == Reason::ok;

  char buf[kMaxNorm];
  std::size_t n = 0;
  if (normalize_into(code, buf, sizeof buf, &n) == NormStatus::ok) res.canonical.assign(buf, n);

  // Parts, as far as the characters allow.
  const std::string s = res.canonical;  // a copy: canonical may become the 18-digit form
  Parts& p = res.parts;
  if (!s.empty()) p.check = s.back();
  if (kind == Kind::uscc && s.size() == 18) {
    p.authority = s[0];
    p.category = s[1];
    if (const Authority* a = find_authority(s[0])) {
      p.authority_name = a->name;
      if (const Category* c = find_category(*a, s[1])) p.category_name = c->name;
    }
    p.region = lookup_region(std::string_view(s).substr(2, 6));
    p.orgcode = s.substr(8, 9);
  } else if (kind == Kind::ric && (s.size() == 18 || s.size() == 15) && all_digits(s.data(), 15)) {
    std::string full = s;
    if (s.size() == 15) {
      p.legacy = s;
      full = s.substr(0, 6) + "19" + s.substr(6);
      full += org_char(ric_check_value(full.data()));
      if (res.valid) res.canonical = full;
    }
    p.region = lookup_region(std::string_view(full).substr(0, 6));
    p.birth_date = full.substr(6, 4) + "-" + full.substr(10, 2) + "-" + full.substr(12, 2);
    p.sequence = full.substr(14, 3);
    p.sex = ((full[16] - '0') % 2) ? 'M' : 'F';
    if (s.size() == 15) p.check = 0;
  } else if (kind == Kind::division && s.size() == 6) {
    p.region = lookup_region(s);
    p.check = 0;
  } else if (kind == Kind::orgcode && s.size() != 9) {
    p.check = 0;
  }

  res.message = reason_message(kind, res.reason);
  if (res.valid && res.warnings) {
    res.message = "valid, with warnings:";
    for (Reason w : res.warning_list()) {  // appends, not operator+: GCC 12 -O3 -Wrestrict false positive
      res.message += ' ';
      res.message += reason_message(kind, w);
      res.message += ';';
    }
    res.message.pop_back();
  }
  return res;
}

char uscc_check_char(std::string_view first17) {
  char buf[kMaxNorm];
  std::size_t n = 0;
  if (normalize_into(first17, buf, sizeof buf, &n) != NormStatus::ok || n != 17)
    throw Error(Code::invalid_argument, "USCC check character: expected the first 17 characters");
  for (std::size_t i = 0; i < n; ++i)
    if (kUsccValue[static_cast<unsigned char>(buf[i])] < 0)
      throw Error(Code::invalid_argument, std::string("USCC check character: '") + buf[i] +
                                              "' at position " + std::to_string(i + 1) + " is not in the code alphabet");
  return kUsccAlphabet[uscc_check_value(buf)];
}

char orgcode_check_char(std::string_view first8) {
  char buf[kMaxNorm];
  std::size_t n = 0;
  if (normalize_into(first8, buf, sizeof buf, &n) != NormStatus::ok || n != 8)
    throw Error(Code::invalid_argument, "organisation code check digit: expected the first 8 characters");
  for (std::size_t i = 0; i < n; ++i)
    if (kAlnumValue[static_cast<unsigned char>(buf[i])] < 0)
      throw Error(Code::invalid_argument, "organisation code check digit: position " + std::to_string(i + 1) +
                                              " must be a digit or letter");
  return org_char(org_check_value(buf));
}

char ric_check_char(std::string_view first17) {
  char buf[kMaxNorm];
  std::size_t n = 0;
  if (normalize_into(first17, buf, sizeof buf, &n) != NormStatus::ok || n != 17 || !all_digits(buf, 17))
    throw Error(Code::invalid_argument, "resident ID check character: expected the first 17 digits");
  return org_char(ric_check_value(buf));
}

char check_char(Kind kind, std::string_view body) {
  switch (kind) {
    case Kind::uscc: return uscc_check_char(body);
    case Kind::orgcode: return orgcode_check_char(body);
    case Kind::ric: return ric_check_char(body);
    case Kind::division: break;
  }
  throw Error(Code::invalid_argument, "division codes have no check character");
}

std::string ric_upgrade(std::string_view legacy15) {
  Result r = validate(Kind::ric, legacy15);
  if (r.canonical.size() != 15 && r.parts.legacy.empty())
    throw Error(Code::invalid_data, "not a 15-digit legacy resident ID number");
  if (!r.valid)
    throw Error(Code::invalid_data, std::string("invalid legacy resident ID number (") +
                                        reason_name(r.reason) + "): " + r.message);
  return r.canonical;
}

}  // namespace civitas::ids
