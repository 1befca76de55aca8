// Free-text scanning: one pass over the bytes. ASCII letter/digit runs are read whole and
// tried against the types their shape allows (explicit digit boundaries); a few Han
// characters trigger the Chinese detectors (plates, division names for addresses, name
// keywords). Custom detectors run as RE2 searches of their own.
#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "civitas/classify.hpp"
#include "civitas/error.hpp"
#include "civitas/ids.hpp"
#include "detectors.hpp"
#include "lexicon.hpp"
#include "utf8.hpp"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define CIVITAS_HAN_AVX2 1
#endif

namespace civitas::classify {
namespace {

using detail::decode_utf8;

inline bool is_digit(unsigned char c) { return c >= '0' && c <= '9'; }
inline bool is_alpha(unsigned char c) { return (c | 0x20) >= 'a' && (c | 0x20) <= 'z'; }
inline bool is_alnum(unsigned char c) { return is_digit(c) || is_alpha(c); }
inline bool is_hex(unsigned char c) { return is_digit(c) || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f'); }
inline bool is_local(unsigned char c) { return is_alnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-'; }

const std::vector<std::string_view> kPostalWords = {"邮编", "邮政编码", "邮码", "Zip", "zip", "ZIP", "postcode", "Postcode"};
const std::vector<std::string_view> kDivisionWords = {"区划", "行政区划", "区划代码", "division"};
const std::vector<std::string_view> kBirthWords = {"出生", "生日", "birth", "Birth", "DOB", "dob", "born"};
const std::vector<std::string_view> kOrgWords = {"机构代码", "组织机构", "orgcode"};
const std::vector<std::string_view> kPhoneWords = {"电话", "座机", "固话", "传真", "Tel", "tel", "TEL", "Fax", "fax"};
const std::vector<std::string_view> kNameKeys = {"姓名", "联系人", "申请人", "法定代表人", "法人代表", "负责人", "经办人",
                                                 "收件人", "收货人", "寄件人", "患者", "户主", "持卡人", "代理人",
                                                 "投保人", "被保险人", "当事人", "委托人", "监护人", "驾驶人", "车主"};
const std::vector<std::string_view> kNameAfter = {"先生", "女士", "同志", "老师", "小姐"};

struct Scanner {
  std::string_view s;
  std::vector<Finding> out;
  const std::size_t n;

  explicit Scanner(std::string_view text) : s(text), n(text.size()) {}

  unsigned char at(std::size_t i) const { return i < n ? static_cast<unsigned char>(s[i]) : 0; }
  void add(Type t, std::size_t off, std::size_t len) { out.push_back({type_name(t), off, len}); }
  bool ctx(std::size_t i, const std::vector<std::string_view>& words, std::size_t back = 30) const {
    return detail::has_keyword(s, i > back ? i - back : 0, i, words);
  }
  std::size_t digits_from(std::size_t i) const {
    std::size_t j = i;
    while (j < n && is_digit(at(j))) ++j;
    return j;
  }

  // An e-mail starting at i (the start of a run of local-part characters). Returns its end.
  std::size_t email_at(std::size_t i) const {
    std::size_t j = i;
    while (j < n && j - i <= 64 && is_local(at(j))) ++j;
    if (at(j) != '@' || j == i) return 0;
    std::size_t k = j + 1, last_dot = 0;
    while (k < n && (is_alnum(at(k)) || at(k) == '-' || at(k) == '.') && k - j < 255) {
      if (at(k) == '.') last_dot = k;
      ++k;
    }
    while (k > j + 1 && (at(k - 1) == '.' || at(k - 1) == '-')) --k;
    last_dot = 0;
    for (std::size_t q = j + 1; q < k; ++q)
      if (at(q) == '.') last_dot = q;
    if (!last_dot) return 0;
    std::string_view v = s.substr(i, k - i);
    return detail::check(Type::email, v) ? k : 0;
  }

  // Runs of digit groups separated by one separator (space or hyphen) starting at i:
  // returns the end of the last group and the digits joined.
  std::size_t grouped(std::size_t i, std::string& digits, char sep, std::size_t max_digits) const {
    digits.clear();
    std::size_t j = i, end = i;
    while (true) {
      std::size_t e = digits_from(j);
      if (e == j) break;
      digits.append(s.substr(j, e - j));
      end = e;
      if (digits.size() > max_digits) return 0;
      if (at(e) == static_cast<unsigned char>(sep) && is_digit(at(e + 1))) j = e + 1;
      else break;
    }
    return end;
  }

  // An organisation code written with its hyphen: XXXXXXXX-C.
  std::size_t orgcode_hyphen(std::size_t i, std::size_t j) {
    if (j - i == 8 && at(j) == '-' && is_alnum(at(j + 1)) && !is_alnum(at(j + 2)) &&
        ids::check(ids::Kind::orgcode, s.substr(i, 10)) == ids::Reason::ok) {
      add(Type::orgcode, i, 10);
      return j + 2;
    }
    return 0;
  }

  // A run of digits [i, j) bounded by non-digits. Returns the end of what was consumed.
  std::size_t digit_run(std::size_t i, std::size_t j) {
    const std::size_t len = j - i;
    std::string_view v = s.substr(i, len);
    unsigned char next = at(j);
    if (std::size_t e = orgcode_hyphen(i, j)) return e;
    // +86 before a mobile number: the prefix is part of the finding.
    if (len == 2 && v == "86" && i > 0 && at(i - 1) == '+' && (next == ' ' || next == '-') && is_digit(at(j + 1))) {
      std::size_t e = digits_from(j + 1);
      if (e - j - 1 == 11 && detail::check(Type::mobile_phone, s.substr(j + 1, 11))) {
        add(Type::mobile_phone, i - 1, e - i + 1);
        return e;
      }
    }
    if (len <= 4 && (next == ':' || next == '-'))
      if (std::size_t e = hex_groups(i, j)) return e;
    // Dotted forms: IPv4, GPS pairs.
    if (next == '.' && is_digit(at(j + 1)) && len <= 3) {
      std::size_t k = j;
      int dots = 0;
      while (k < n && (is_digit(at(k)) || (at(k) == '.' && is_digit(at(k + 1))))) dots += at(k++) == '.';
      if (dots == 3 && detail::check(Type::ip_address, s.substr(i, k - i))) {
        add(Type::ip_address, i, k - i);
        return k;
      }
      if (dots == 1) {
        // GPS: number [,，] optional spaces number
        std::size_t c = k;
        std::size_t cl = at(c) == ',' ? 1 : s.substr(c, 3) == "，" ? 3 : 0;
        if (cl) {
          std::size_t m = c + cl;
          while (at(m) == ' ') ++m;
          std::size_t b = m;
          if (at(b) == '-') ++b;
          std::size_t e = b;
          while (e < n && (is_digit(at(e)) || (at(e) == '.' && is_digit(at(e + 1))))) ++e;
          if (e > b && !is_digit(at(e)) && detail::parse_gps(s.substr(i, e - i))) {
            add(Type::gps_coordinates, (i > 0 && at(i - 1) == '-') ? i - 1 : i, e - ((i > 0 && at(i - 1) == '-') ? i - 1 : i));
            return e;
          }
        }
      }
      return k;
    }
    // Dates: YYYY-MM-DD, YYYY/MM/DD, YYYY.MM.DD, YYYY年M月D日, YYYYMMDD (birth context).
    if (len == 4 && (at(i) == '1' || at(i) == '2') && (next == '-' || next == '/' || next == '.' || s.substr(j, 3) == "年")) {
      std::size_t k = j;
      bool ok = true;
      for (int part = 0; part < 2 && k < n && ok; ++part) {
        k += s.substr(k, 3) == "年" || s.substr(k, 3) == "月" ? 3 : 1;
        std::size_t e = digits_from(k);
        if (e == k || e - k > 2) ok = false;
        else k = e;
      }
      if (ok) {
        if (s.substr(k, 3) == "日") k += 3;
        if (detail::parse_birth_date(s.substr(i, k - i)) && ctx(i, kBirthWords)) {
          add(Type::birth_date, i, k - i);
          return k;
        }
        if (!is_digit(at(k))) return k;
      }
    }
    // Fixed-line phones: 0AA(A)-NNNNNNN(N)[-ext]
    if (at(i) == '0' && (len == 3 || len == 4) && (next == '-' || next == ' ') && is_digit(at(j + 1))) {
      std::size_t e = digits_from(j + 1);
      std::size_t local = e - j - 1;
      if (local >= 7 && local <= 8 && at(j + 1) >= '2') {
        std::size_t end = e;
        if ((at(e) == '-' || at(e) == '#') && is_digit(at(e + 1))) {
          std::size_t x = digits_from(e + 1);
          if (x - e - 1 <= 6) end = x;
        } else if (s.substr(e, 3) == "转" && is_digit(at(e + 3))) {
          std::size_t x = digits_from(e + 3);
          if (x - e - 3 <= 6) end = x;
        }
        add(Type::phone, i, end - i);
        return end;
      }
    }
    if (at(i) == '0' && (len == 3 || len == 4) && i > 0 && (at(i - 1) == '(') && next == ')') {
      std::size_t b = j + 1;
      if (at(b) == ' ') ++b;
      std::size_t e = digits_from(b);
      if (e - b >= 7 && e - b <= 8 && at(b) >= '2') {
        add(Type::phone, i - 1, e - i + 1);
        return e;
      }
    }
    // Grouped mobile (139-1234-5678, 139 1234 5678) and bank cards (6222 0212 3456 7890).
    if ((next == '-' || next == ' ') && is_digit(at(j + 1))) {
      std::string digits;
      std::size_t e = grouped(i, digits, static_cast<char>(next), 19);
      if (e) {
        if (len == 3 && digits.size() == 11 && detail::check(Type::mobile_phone, s.substr(i, e - i))) {
          add(Type::mobile_phone, i, e - i);
          return e;
        }
        if (len == 4 && digits.size() >= 16 && bank_card_valid(digits)) {
          add(Type::bank_card, i, e - i);
          return e;
        }
        if (len <= 6 && digits.size() == 15 && imei_valid(digits) && at(i) != '0') {
          add(Type::imei, i, e - i);
          return e;
        }
      }
    }
    // Whole runs.
    switch (len) {
      case 6:
        if (ctx(i, kPostalWords, 18) && detail::check(Type::postal_code, v)) {
          add(Type::postal_code, i, len);
        } else if (ctx(i, kDivisionWords, 24) && detail::check(Type::gb2260, v)) {
          add(Type::gb2260, i, len);
        }
        break;
      case 7:
      case 8:
        if (len == 8 && ctx(i, kBirthWords) && detail::parse_birth_date(v)) add(Type::birth_date, i, len);
        else if (at(i) >= '2' && ctx(i, kPhoneWords, 15)) add(Type::phone, i, len);
        break;
      case 9:
        if (ctx(i, kOrgWords) && ids::check(ids::Kind::orgcode, v) == ids::Reason::ok) add(Type::orgcode, i, len);
        break;
      case 11:
        // check(mobile_phone) on eleven digits: its pattern leaves only 1[3-9] and nine digits.
        if (v[0] == '1' && v[1] >= '3' && v[1] <= '9') add(Type::mobile_phone, i, len);
        else if (at(i) == '0' && ctx(i, kPhoneWords, 15) && detail::check(Type::phone, v)) add(Type::phone, i, len);
        break;
      case 12:
        if (at(i) == '0' && ctx(i, kPhoneWords, 15) && detail::check(Type::phone, v)) add(Type::phone, i, len);
        break;
      case 15:
        if (imei_valid(v)) add(Type::imei, i, len);
        else if (ids::check(ids::Kind::ric, v) == ids::Reason::ok) add(Type::ric, i, len);
        break;
      case 18:
        if (ids::check(ids::Kind::ric, v) == ids::Reason::ok) add(Type::ric, i, len);
        else if (ids::check(ids::Kind::uscc, v) == ids::Reason::ok) add(Type::uscc, i, len);
        else if (bank_card_valid(v)) add(Type::bank_card, i, len);
        break;
      case 16:
      case 17:
      case 19:
        if (bank_card_valid(v)) add(Type::bank_card, i, len);
        break;
      default:
        break;
    }
    return j;
  }

  // MAC address / IPv6 starting with the run [i, j): hex groups with ':' or '-'. Returns
  // the end of the finding, or 0.
  std::size_t hex_groups(std::size_t i, std::size_t j) {
    const std::size_t len = j - i;
    if (len <= 4 && (at(j) == ':' || at(j) == '-') && (is_hex(at(j + 1)) || at(j + 1) == ':')) {
      std::size_t k = j;
      while (k < n && (is_hex(at(k)) || at(k) == ':' || at(k) == '-' || at(k) == '.') && k - i < 45) ++k;
      while (k > j && !is_hex(at(k - 1))) --k;
      std::string_view cand = s.substr(i, k - i);
      if (cand.size() >= 17 && detail::check(Type::mac_address, cand.substr(0, 17)) && !is_hex(at(i + 17))) {
        add(Type::mac_address, i, 17);
        return i + 17;
      }
      if (cand.find(':') != std::string_view::npos && detail::check(Type::ip_address, cand)) {
        add(Type::ip_address, i, cand.size());
        return k;
      }
    }
    return 0;
  }

  // A run of ASCII letters and digits [i, j) (with at least one letter).
  std::size_t alnum_run(std::size_t i, std::size_t j) {
    const std::size_t len = j - i;
    std::string_view v = s.substr(i, len);
    if (std::size_t e = hex_groups(i, j)) return e;
    if (len == 18 && ids::check(ids::Kind::uscc, v) == ids::Reason::ok) {
      add(Type::uscc, i, len);
      return j;
    }
    if (len == 18 && (v[17] == 'X' || v[17] == 'x') && ids::check(ids::Kind::ric, v) == ids::Reason::ok) {
      add(Type::ric, i, len);
      return j;
    }
    if (len == 17 && vin_valid(v)) {
      add(Type::vin, i, len);
      return j;
    }
    if (len == 9 || len == 11) {
      char c0 = v[0];
      if (c0 == 'E' || c0 == 'G') {
        if (detail::check(Type::passport, v)) return add(Type::passport, i, len), j;
      } else if (c0 == 'C' || c0 == 'W' || c0 == 'H' || c0 == 'M') {
        if (detail::check(Type::hk_macao_permit, v)) return add(Type::hk_macao_permit, i, len), j;
      }
    }
    if (std::size_t e = orgcode_hyphen(i, j)) return e;
    if (len == 9 && ctx(i, kOrgWords) && ids::check(ids::Kind::orgcode, v) == ids::Reason::ok) {
      add(Type::orgcode, i, len);
      return j;
    }
    // Latin names: Given Family (a known given name or surname in the pair).
    if (v[0] >= 'A' && v[0] <= 'Z' && len >= 2 && at(j) == ' ' && at(j + 1) >= 'A' && at(j + 1) <= 'Z') {
      std::size_t k = j + 1;
      while (k < n && (is_alpha(at(k)) || at(k) == '\'' || at(k) == '-')) ++k;
      if (!is_digit(at(k)) && detail::latin_name(s.substr(i, k - i))) {
        add(Type::person_name, i, k - i);
        return k;
      }
    }
    // Digit runs inside the run (letters bound digits too: "Tel13912345678").
    std::size_t p = i;
    while (p < j) {
      if (!is_digit(at(p))) {
        ++p;
        continue;
      }
      std::size_t e = digits_from(p);
      if (e == j) return digit_run(p, e);
      // A digit run followed by letters (not X after 17 digits, handled above): tried alone.
      digit_run(p, e);
      p = e;
    }
    return j;
  }

  // Han trigger characters.
  std::size_t han(std::size_t i, char32_t c, std::size_t clen) {
    // Vehicle plates: province + letter + 5/6.
    const TriggerBits& tb = triggers();
    if (at(i + clen) >= 'A' && at(i + clen) <= 'Z' && has_bit(tb.plate, c)) {
      for (std::size_t total : {std::size_t(8), std::size_t(9), std::size_t(10), std::size_t(11), std::size_t(12)}) {
        // Candidate lengths: 3 + 1 + (5|6) ASCII, optionally a middle dot (2 bytes) or a
        // trailing Han character (3 bytes).
        if (i + total > n) break;
        std::string_view cand = s.substr(i, total);
        if (detail::check(Type::vehicle_plate, cand) && !is_alnum(at(i + total))) {
          // Prefer the longest candidate (a new-energy plate has six characters).
          std::size_t best = total;
          for (std::size_t t2 = total + 1; t2 <= 12 && i + t2 <= n; ++t2)
            if (detail::check(Type::vehicle_plate, s.substr(i, t2)) && !is_alnum(at(i + t2))) best = t2;
          add(Type::vehicle_plate, i, best);
          return i + best;
        }
      }
    }
    // Addresses: a division name ending with this suffix character, then address words.
    if (has_bit(tb.suffix, c)) {
      std::size_t start = detail::division_ending_at(s, i + clen);
      if (start != std::string_view::npos) {
        std::size_t k = i + clen, last_good = 0;
        int words = 0;
        while (k < n && k - start < 300) {
          std::size_t l = 1;
          char32_t d = decode_utf8(s, k, &l);
          bool part = detail::is_han(d) || (d < 0x80 && (is_alnum(static_cast<unsigned char>(d)) || d == '-' || d == '#')) || d == 0xFF03;
          if (!part) break;
          if (detail::is_address_char(d)) {
            ++words;
            last_good = k + l;
            if (d == 0x53F7 /*号*/ || d == 0x5BA4 /*室*/) {
              // An address ends at its house or room number, unless a building/room part follows.
              std::size_t l2 = 1;
              char32_t nx = decode_utf8(s, k + l, &l2);
              if (!(nx < 0x80 && is_digit(static_cast<unsigned char>(nx))) && !detail::is_address_char(nx) && nx != 0x697C) {
                k += l;
                break;
              }
            }
          }
          if (detail::is_name_stop_char(d) && !detail::is_address_char(d) && d != 0x533A && d != 0x5E02 && d != 0x53BF &&
              d != 0x7701 && d != 0x9547 && d != 0x4E61 && d != 0x6751) {
            // characters of prose after the address (的 了 是 …) end it.
            if (d == 0x7684 || d == 0x4E86 || d == 0x662F || d == 0x5728 || d == 0x548C) break;
          }
          k += l;
        }
        if (words >= 2 && last_good > i + clen) {
          add(Type::address, start, last_good - start);
          return last_good;
        }
      }
    }
    // Names after a keyword: 姓名：张三, 联系人张三.
    if (c == 0x540D /*名*/ || c == 0x4EBA /*人*/ || c == 0x8005 /*者*/ || c == 0x4E3B /*主*/) {
      std::size_t e = i + clen;
      bool key = false;
      // The last byte before the keyword's final character rejects most places at once
      // (个人, 人名 …): the keywords are compared only when some keyword has that byte there.
      const std::array<bool, 256>& kKeyByte = key_bytes();
      if (e >= 6 && kKeyByte[static_cast<unsigned char>(s[e - 4])])
        for (std::string_view kw : kNameKeys)
          if (!key && e >= kw.size() && std::memcmp(s.data() + e - kw.size(), kw.data(), kw.size()) == 0) key = true;
      if (key) {
        std::size_t k = e;
        if (at(k) == ':') ++k;
        else if (s.substr(k, 3) == "：") k += 3;
        while (at(k) == ' ') ++k;
        std::size_t name_end = name_at(k);
        if (name_end) {
          add(Type::person_name, k, name_end - k);
          return name_end;
        }
        if (is_alpha(at(k))) {
          std::size_t q = k;
          while (q < n && (is_alpha(at(q)) || at(q) == ' ' || at(q) == '\'' || at(q) == '-')) ++q;
          while (q > k && at(q - 1) == ' ') --q;
          if (detail::latin_name(s.substr(k, q - k))) {
            add(Type::person_name, k, q - k);
            return q;
          }
        }
      }
    }
    // Names before 先生/女士/…: 张三先生.
    if (c == 0x5148 || c == 0x5973 || c == 0x540C || c == 0x8001 || c == 0x5C0F) {
      std::string_view two = s.substr(i, 6);
      bool after = false;
      for (auto w : kNameAfter) after = after || two == w;
      if (after) {
        // The longest name (2–4 characters) that ends here.
        std::size_t best = 0;
        std::size_t b = i;
        for (int k = 1; k <= 4 && b > 0; ++k) {
          std::size_t l = detail::prev_char_len(s, b);
          b -= l;
          if (k >= 2 && detail::chinese_name(s.substr(b, i - b))) best = b + 1;
        }
        if (!best) {
          // A dotted minority name: walk back over Han characters and middle dots.
          std::size_t q = i;
          bool dot = false;
          while (q > 0 && i - q < 48) {
            std::size_t l = detail::prev_char_len(s, q);
            std::size_t l2 = 1;
            char32_t d = decode_utf8(s, q - l, &l2);
            if (d == 0x00B7) dot = true;
            else if (!detail::is_han(d)) break;
            q -= l;
          }
          // Drop leading words that are not part of a name (请阿卜杜·热合曼 → 阿卜杜·热合曼).
          static constexpr std::string_view kLead = "请让由和与及给向对被把是为致叫的了在同";
          while (dot && q < i) {
            std::size_t l = 1;
            char32_t d = decode_utf8(s, q, &l);
            bool lead = false;
            for (std::size_t t = 0; t < kLead.size(); t += 3) {
              std::size_t l3 = 1;
              lead = lead || decode_utf8(kLead, t, &l3) == d;
            }
            if (!lead) break;
            q += l;
          }
          if (dot && detail::chinese_name(s.substr(q, i - q))) best = q + 1;
        }
        if (best) {
          add(Type::person_name, best - 1, i - (best - 1));
          return i;
        }
      }
    }
    return i + clen;
  }

  // A Chinese name of 2–3 characters (4 with a compound surname) at k; returns its end or 0.
  std::size_t name_at(std::size_t k) const {
    {
      // A minority name with a middle dot: Han·Han(·Han).
      std::size_t p = k, dots = 0, hans = 0;
      while (p < n && p - k < 64) {
        std::size_t l = 1;
        char32_t d = decode_utf8(s, p, &l);
        if (d == 0x00B7) {
          if (!hans) break;
          ++dots;
        } else if (!detail::is_han(d)) {
          break;
        } else {
          ++hans;
        }
        p += l;
      }
      while (p > k && (static_cast<unsigned char>(s[p - 1]) == 0xB7)) p -= 2;  // a trailing dot
      if (dots && detail::chinese_name(s.substr(k, p - k))) return p;
    }
    std::size_t ends[5] = {0, 0, 0, 0, 0};
    std::size_t p = k;
    int count = 0;
    while (count < 4 && p < s.size()) {
      std::size_t l = 1;
      char32_t d = decode_utf8(s, p, &l);
      if (!detail::is_han(d)) break;
      p += l;
      ends[++count] = p;
    }
    if (count < 2) return 0;
    // Prefer three characters (张三丰) unless the third is a stop character; a compound
    // surname may take four.
    for (int take : {4, 3, 2}) {
      if (take > count) continue;
      std::string_view cand = s.substr(k, ends[take] - k);
      if (take == 4 && !detail::is_compound_surname(s.substr(k, ends[2] - k))) continue;
      if (detail::chinese_name(cand)) return ends[take];
    }
    return 0;
  }

  void run() {
    const auto* p = reinterpret_cast<const unsigned char*>(s.data());
    const std::uint64_t* trig = trigger_bits().data();
#ifdef CIVITAS_HAN_AVX2
    const bool avx2 = detail::cpu_avx2();  // asked once per text, not per run of Han characters
    const bool avx512 = detail::cpu_avx512_vbmi() && triggers().hash_ok;
#endif
    const bool quiet = detail::vector_code_on();
#ifdef CIVITAS_HAN_AVX2
    const bool wide = detail::cpu_avx512_vbmi();  // (VBMI: the CPUs that have it have BW)
#else
    const bool wide = false;
#endif
    std::size_t i = 0;
    while (i < n) {
      // ASCII prose: past what the loop below would pass without finding anything.
      if (quiet && p[i] < 0x80) {
        i = quiet_ascii(i, wide);
        if (i >= n) return;
      }
      // ASCII bytes other than letters and digits start nothing.
      while (kAscii[p[i]] == kSkip)
        if (++i == n) return;
      unsigned char b = p[i];
      if (b < 0x80) {  // a letter or digit
        std::size_t j = i;
        unsigned kinds = 0;  // kDigit | kLetter of the run
        for (unsigned k; j < n && ((k = kAscii[p[j]]) & (kDigit | kLetter)) != 0; ++j) kinds |= k;
        const bool letters = kinds & kLetter, digits = kinds & kDigit;
        const unsigned char after = j < n ? p[j] : 0;
        // An e-mail's local part is this run followed by '@' or by more local-part characters.
        if (after == '@' || after == '.' || after == '_' || after == '%' || after == '+' || after == '-') {
          if (std::size_t e = email_at(i)) {
            add(Type::email, i, e - i);
            i = e;
            continue;
          }
        }
        // A word of letters only can start a MAC/IPv6 address or a Latin name, nothing else.
        if (!digits && !(after == ':' || after == '-' || (after == ' ' && p[i] >= 'A' && p[i] <= 'Z'))) {
          i = j;
          continue;
        }
        std::size_t next = letters ? alnum_run(i, j) : digit_run(i, j);
        i = std::max(next, i + 1);
        // Resume after the whole alphanumeric run so that no tail is read as a new run.
        while (i < n && is_alnum(p[i]) && i > 0 && is_alnum(p[i - 1])) ++i;
        continue;
      }
      if ((b & 0xF0) == 0xE0 && i + 2 < n) {
        // A run of three-byte characters (Han text): only the trigger characters stop it.
#ifdef CIVITAS_HAN_AVX2
        i = avx512 ? han_run_avx512(p, i, n, trig) : avx2 ? han_run_avx2(p, i, n, trig) : han_run_scalar(p, i, n, trig);
#else
        i = han_run_scalar(p, i, n, trig);
#endif
        if (i + 2 < n && (p[i] & 0xF0) == 0xE0) {  // stopped at a trigger
          const char32_t c = ((p[i] & 0x0Fu) << 12) | ((p[i + 1] & 0x3Fu) << 6) | (p[i + 2] & 0x3Fu);
          i = std::max(han(i, c, 3), i + 1);
        }
        continue;
      }
      ++i;
    }
  }

  // From i (an ASCII byte where run()'s loop is): past the bytes that the loop would pass
  // without a finding, to a place where it must go on. The loop finds nothing in ASCII bytes
  // other than letters and digits, nor in a run of letters with no digit unless the run starts
  // with a capital letter and is followed by a space, or is followed by one of @ . _ % + - :
  // (a run is taken to start at i even if a letter precedes i, as the loop does). Of those
  // followed by . _ % or +, it only tries an e-mail (email_at), which needs an '@' at the end
  // of the run of local-part characters (letters, digits, . _ % + -) from the run's start; so
  // the events are the bytes >= 0x80, digits, capital letters, '@', '-' and ':', and the loop
  // must go on at the start of the run of local-part characters that ends at the first event
  // (no e-mail can reach past a byte that is not one, and none of those before it is an '@').
  // A capital letter is passed with the run of letters it is in when that run does nothing in
  // the loop: no digit, not followed by one of @ . _ % + - :, and when it starts with the
  // capital and is followed by a space, not 9, 11, 17 or 18 letters long (the lengths
  // alnum_run tries identifiers of) nor followed by a capital letter after the space (a Latin
  // name). 64 bytes a step with AVX-512 BW where the CPU has it (`wide`), 16 with SSE2 for
  // fewer bytes or elsewhere on x86-64; elsewhere, and for the last bytes of the text, the
  // loop itself.
  std::size_t quiet_ascii(std::size_t i, [[maybe_unused]] bool wide) const noexcept {
#if defined(__SSE2__)
    const auto* p = reinterpret_cast<const unsigned char*>(s.data());
    const __m128i dbias = _mm_set1_epi8(static_cast<char>(0x80 - '0')), dlim = _mm_set1_epi8(static_cast<char>(0x80 + 10));
    const __m128i ubias = _mm_set1_epi8(static_cast<char>(0x80 - 'A')), ulim = _mm_set1_epi8(static_cast<char>(0x80 + 26));
    std::size_t k = i, floor = i;  // floor: the end of the last run of letters passed (or i)
    while (k + 16 <= n) {
#ifdef CIVITAS_HAN_AVX2
      if (wide && k >= i + 16 && k + 64 <= n) {  // (the first step inline: most stretches are short)
        bool found = false;
        k = quiet_events512(p, k, n, found);
        if (!found) continue;  // fewer than 64 bytes left: 16 a step from k
      } else
#endif
      {
        const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + k));
        // '0'..'9' and 'A'..'Z' moved to -128..-119 and -128..-103: signed compares.
        const __m128i digit = _mm_cmplt_epi8(_mm_add_epi8(v, dbias), dlim);
        const __m128i upper = _mm_cmplt_epi8(_mm_add_epi8(v, ubias), ulim);
        const __m128i sep = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('@')), _mm_cmpeq_epi8(v, _mm_set1_epi8('-'))),
                                         _mm_cmpeq_epi8(v, _mm_set1_epi8(':')));
        // Bytes >= 0x80 by their sign bit.
        const auto events = static_cast<unsigned>(_mm_movemask_epi8(_mm_or_si128(_mm_or_si128(digit, upper), _mm_or_si128(sep, v))));
        if (!events) {
          k += 16;
          continue;
        }
        k += static_cast<std::size_t>(std::countr_zero(events));
      }
      if (p[k] >= 'A' && p[k] <= 'Z') {
        std::size_t start = k, j = k;
        while (start > floor && is_alnum(p[start - 1])) --start;
        bool digits = false;
        for (; j < n && is_alnum(p[j]); ++j) digits = digits || is_digit(p[j]);
        const unsigned char after = j < n ? p[j] : 0;
        bool quiet = !digits && !(after == '@' || after == '.' || after == '_' || after == '%' || after == '+' ||
                                  after == '-' || after == ':');
        if (quiet && after == ' ' && p[start] >= 'A' && p[start] <= 'Z') {
          const std::size_t len = j - start;
          quiet = len != 9 && len != 11 && len != 17 && len != 18 && !(j + 1 < n && p[j + 1] >= 'A' && p[j + 1] <= 'Z');
        }
        if (quiet) {
          k = floor = j;
          continue;
        }
      }
      break;
    }
    while (k > floor && is_local(p[k - 1])) --k;
    return k;
#else
    return i;
#endif
  }

#ifdef CIVITAS_HAN_AVX2
  // quiet_ascii's events (bytes >= 0x80, digits, capital letters, @ - :) from k, 64 bytes a
  // step: the first one's place (found), or where fewer than 64 bytes are left (none before).
  [[gnu::noinline]] __attribute__((target("avx512f,avx512bw"))) static std::size_t quiet_events512(
      const unsigned char* p, std::size_t k, const std::size_t n, bool& found) noexcept {
    const __m512i c0 = _mm512_set1_epi8('0'), nine = _mm512_set1_epi8(9), big_a = _mm512_set1_epi8('A');
    const __m512i z = _mm512_set1_epi8(25), at = _mm512_set1_epi8('@'), dash = _mm512_set1_epi8('-');
    const __m512i colon = _mm512_set1_epi8(':');
    for (; k + 64 <= n; k += 64) {
      const __m512i v = _mm512_loadu_si512(p + k);
      const __mmask64 events = _mm512_cmple_epu8_mask(_mm512_sub_epi8(v, c0), nine) |
                               _mm512_cmple_epu8_mask(_mm512_sub_epi8(v, big_a), z) | _mm512_cmpeq_epi8_mask(v, at) |
                               _mm512_cmpeq_epi8_mask(v, dash) | _mm512_cmpeq_epi8_mask(v, colon) | _mm512_movepi8_mask(v);
      if (events) {
        found = true;
        return k + static_cast<std::size_t>(std::countr_zero(static_cast<std::uint64_t>(events)));
      }
    }
    found = false;
    return k;
  }
#endif

  // The Han runs, with the functions below: from i (a lead E0..EF with two bytes after it),
  // over three-byte characters that are not triggers, to the first trigger character or the
  // first byte that does not start a three-byte character (or has fewer than two bytes after
  // it). Functions of their own, out of run(), so that their loops have the registers to
  // themselves.
#ifdef CIVITAS_HAN_AVX2
  // Eight characters a step: two 16-byte loads 12 bytes apart, each character's three bytes
  // spread to a 32-bit lane, the code points computed in the lanes and their trigger bits
  // gathered from the bitmap (read as 32-bit words); the last step and the rest go to the
  // scalar loop.
  //
  // It also passes the triggers that han() would pass without doing anything: a plate province
  // not followed by a capital letter (in the lanes: their kind in TriggerBits::kind, the byte
  // after each character spread into its lane too), and, where the loop stops, the others of
  // idle_trigger(); and it goes on past a byte that run() would pass before calling it again
  // (skip_then_han). The caller calls han() at every other trigger, as with the scalar loop.
  [[gnu::noinline]] __attribute__((target("avx2"))) static std::size_t han_run_avx2(
      const unsigned char* p, std::size_t i, const std::size_t n, const std::uint64_t* trig) {
    // Each lane: the character's three bytes, then the byte after it.
    const __m256i spread = _mm256_setr_epi8(0, 1, 2, 3, 3, 4, 5, 6, 6, 7, 8, 9, 9, 10, 11, 12,  //
                                            0, 1, 2, 3, 3, 4, 5, 6, 6, 7, 8, 9, 9, 10, 11, 12);
    const __m256i f0 = _mm256_set1_epi32(0xF0), e0 = _mm256_set1_epi32(0xE0), low4 = _mm256_set1_epi32(0x0F);
    const __m256i mid6 = _mm256_set1_epi32(0xFC0), low6 = _mm256_set1_epi32(0x3F), low4x2 = _mm256_set1_epi32(15);
    const __m256i three = _mm256_set1_epi32(3), two = _mm256_set1_epi32(2), zero = _mm256_setzero_si256();
    const __m256i big_a = _mm256_set1_epi32('A'), span = _mm256_set1_epi32(25);
    // little-endian: the two bits of c are bits 2 (c & 15) of word c >> 4
    const int* kinds = reinterpret_cast<const int*>(triggers().kind.data());
    while (i + 28 <= n) {
      const __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
      const __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i + 12));
      const __m256i d = _mm256_shuffle_epi8(_mm256_inserti128_si256(_mm256_castsi128_si256(a), b, 1), spread);
      const __m256i lead = _mm256_cmpeq_epi32(_mm256_and_si256(d, f0), e0);
      const __m256i c = _mm256_or_si256(_mm256_or_si256(_mm256_slli_epi32(_mm256_and_si256(d, low4), 12),
                                                        _mm256_and_si256(_mm256_srli_epi32(d, 2), mid6)),
                                        _mm256_and_si256(_mm256_srli_epi32(d, 16), low6));
      const __m256i w = _mm256_i32gather_epi32(kinds, _mm256_srli_epi32(c, 4), 4);
      const __m256i kind = _mm256_and_si256(_mm256_srlv_epi32(w, _mm256_slli_epi32(_mm256_and_si256(c, low4x2), 1)), three);
      // 'A'..'Z' after the character: (next - 'A') <= 25, unsigned (min equals the value).
      const __m256i off = _mm256_sub_epi32(_mm256_srli_epi32(d, 24), big_a);
      const __m256i capital = _mm256_cmpeq_epi32(_mm256_min_epu32(off, span), off);
      const __m256i passed = _mm256_or_si256(_mm256_cmpeq_epi32(kind, zero),
                                             _mm256_andnot_si256(capital, _mm256_cmpeq_epi32(kind, two)));
      // The first lane that is not a character the loop passes: where it stops.
      auto stop = static_cast<unsigned>(~_mm256_movemask_ps(_mm256_castsi256_ps(_mm256_and_si256(lead, passed)))) & 0xFFu;
      if (stop) {
        // Each lane not passed, in order: a trigger han() passes without doing anything is
        // passed here (the lanes after it are still the next characters); a byte run() passes
        // before calling this loop again restarts it after that byte; anything else stops it.
        const auto leads = static_cast<unsigned>(_mm256_movemask_ps(_mm256_castsi256_ps(lead)));
        bool stopped = false;
        i = stopped_lanes(p, n, i, stop, leads, 24, stopped);  // (at + 3 < n: at <= i + 21)
        if (stopped) return i;
        continue;
      }
      i += 24;
    }
    return han_run_scalar(p, i, n, trig);
  }
  // Sixteen characters a step (AVX-512 F/BW/VBMI): one 64-byte load, each character's three
  // bytes and the byte after it spread to a 32-bit lane (vpermb), the code points computed in
  // the lanes. No gather: the trigger characters are told by a perfect hash of the code point
  // into 128 slots (slot_of; built only if no two triggers share a slot, the loop is not used
  // otherwise), whose code point and kind are read from byte tables held in registers
  // (vpermi2b): a lane is a trigger exactly when its slot holds its own code point. The lanes
  // passed and where the loop stops are those of han_run_avx2 (the same kinds, the same
  // capital-letter and key-byte tests); fewer than 64 bytes left go to han_run_avx2. (The
  // zero-masking forms of the shifts and vpermb: GCC 12 warns of the unmasked forms' undefined
  // source.)
  [[gnu::noinline]] __attribute__((target("avx512f,avx512bw,avx512vbmi,avx2"))) static std::size_t han_run_avx512(
      const unsigned char* p, std::size_t i, const std::size_t n, const std::uint64_t* trig) {
    const TriggerBits& tb = triggers();
    const __m512i spread = _mm512_loadu_si512(kSpread16.data());
    const __m512i lo0 = _mm512_loadu_si512(tb.slot_lo.data()), lo1 = _mm512_loadu_si512(tb.slot_lo.data() + 64);
    const __m512i hi0 = _mm512_loadu_si512(tb.slot_hi.data()), hi1 = _mm512_loadu_si512(tb.slot_hi.data() + 64);
    const __m512i kd0 = _mm512_loadu_si512(tb.slot_kind.data()), kd1 = _mm512_loadu_si512(tb.slot_kind.data() + 64);
    const __m512i f0 = _mm512_set1_epi32(0xF0), e0 = _mm512_set1_epi32(0xE0), low4 = _mm512_set1_epi32(0x0F);
    const __m512i mid6 = _mm512_set1_epi32(0xFC0), low6 = _mm512_set1_epi32(0x3F);
    const __m512i mult = _mm512_set1_epi32(static_cast<int>(kSlotMul));
    const __m512i word = _mm512_set1_epi32(0xFFFF), byte = _mm512_set1_epi32(0xFF), two = _mm512_set1_epi32(2);
    const __m512i big_a = _mm512_set1_epi32('A'), span = _mm512_set1_epi32(25);
    while (i + 64 <= n) {
      const __m512i d = _mm512_maskz_permutexvar_epi8(~__mmask64{0}, spread, _mm512_loadu_si512(p + i));
      const __mmask16 lead = _mm512_cmpeq_epi32_mask(_mm512_and_si512(d, f0), e0);
      const __m512i c = _mm512_or_si512(_mm512_or_si512(_mm512_maskz_slli_epi32(0xFFFF, _mm512_and_si512(d, low4), 12),
                                                        _mm512_and_si512(_mm512_maskz_srli_epi32(0xFFFF, d, 2), mid6)),
                                        _mm512_and_si512(_mm512_maskz_srli_epi32(0xFFFF, d, 16), low6));
      // The slot (c < 0x10000, so the 16-bit product is in the lane's low word, its high word
      // 0), in the lane's bytes 0 and 1 for the lookups of the slot's code point, low and high byte.
      const __m512i h = _mm512_maskz_srli_epi32(0xFFFF, _mm512_mullo_epi16(c, mult), 16 - kSlotBits);
      const __m512i idx = _mm512_or_si512(h, _mm512_maskz_slli_epi32(0xFFFF, h, 8));
      const __m512i held = _mm512_and_si512(_mm512_mask_blend_epi8(0xAAAAAAAAAAAAAAAAull, _mm512_permutex2var_epi8(lo0, idx, lo1),
                                                                   _mm512_permutex2var_epi8(hi0, idx, hi1)),
                                            word);
      const __mmask16 trigger = _mm512_cmpeq_epi32_mask(held, c);
      const __m512i kind = _mm512_and_si512(_mm512_permutex2var_epi8(kd0, idx, kd1), byte);
      // 'A'..'Z' after the character: (next - 'A') <= 25, unsigned.
      const __mmask16 capital = _mm512_cmple_epu32_mask(_mm512_sub_epi32(_mm512_maskz_srli_epi32(0xFFFF, d, 24), big_a), span);
      const __mmask16 plate_only = _mm512_cmpeq_epi32_mask(kind, two);
      const unsigned passed = static_cast<unsigned>(lead) &
                              (~static_cast<unsigned>(trigger) | (static_cast<unsigned>(plate_only) & ~static_cast<unsigned>(capital)));
      // The first lane that is not a character the loop passes: where it stops.
      unsigned stop = ~passed & 0xFFFFu;
      if (stop) {
        // Each lane not passed, in order, as in han_run_avx2.
        bool stopped = false;
        // (Only a lane with a lead byte is a trigger: the code point of any other lane is made of
        // whatever bytes are there, ASCII "d::" reads as 人.)
        i = stopped_lanes(p, n, i, stop, static_cast<unsigned>(trigger & lead), 48, stopped);  // (at + 3 < n: at <= i + 45)
        if (stopped) return i;
        continue;
      }
      i += 48;
    }
    return han_run_avx2(p, i, n, trig);
  }
  // The AVX-512 loop's lanes: lane k holds bytes 3k..3k+3 of the 64 read.
  static constexpr std::array<unsigned char, 64> kSpread16 = [] {
    std::array<unsigned char, 64> t{};
    for (std::size_t k = 0; k < 16; ++k)
      for (std::size_t b = 0; b < 4; ++b) t[4 * k + b] = static_cast<unsigned char>(3 * k + b);
    return t;
  }();
#endif
  // Whether han() would do nothing at the trigger character at `at` (a lead E0..EF, the text
  // [p, p + n) having at least three bytes from there) but return at + 3: a name keyword's
  // last character (kind 3) whose byte before is not one of key_bytes(); a division suffix
  // that is no other trigger, where no division name ends; one of 先 女 同 老 小 that is no other
  // trigger, not starting one of kNameAfter. The vector loops pass these (not the scalar loop,
  // after which run() calls han()), the same tests as han()'s, with the same calls.
  static bool idle_trigger(const unsigned char* p, std::size_t n, std::size_t at) {
    const char32_t c = ((p[at] & 0x0Fu) << 12) | ((p[at + 1] & 0x3Fu) << 6) | (p[at + 2] & 0x3Fu);
    const TriggerBits& tb = triggers();
    const unsigned kind = (tb.kind[c >> 4] >> ((c & 15) * 2)) & 3u;
    if (kind == 3) return !(at >= 3 && key_bytes()[p[at - 1]]);
    if (kind != 1 || has_bit(tb.plate, c) || is_key_end(c)) return false;
    const bool suffix = has_bit(tb.suffix, c), after = is_name_after(c);
    const std::string_view s(reinterpret_cast<const char*>(p), n);
    if (suffix && !after) return detail::division_ending_at(s, at + 3) == std::string_view::npos;
    if (after && !suffix) {
      const std::string_view two = s.substr(at, 6);
      for (auto w : kNameAfter)
        if (two == w) return false;
      return true;
    }
    return false;
  }
  // Whether run(), at `at` (where a vector Han loop stopped, at + 3 < n), would pass the byte
  // there and call the Han loop at at + 1: an ASCII byte other than a letter or digit (which
  // quiet_ascii and the loop's skip pass, whatever follows), then a lead E0..EF. The vector
  // loops go on there themselves (a line break or ASCII punctuation inside Han text). (The lead
  // test only spares a step: the loop stops again at once at any other byte.)
  static bool skip_then_han(const unsigned char* p, std::size_t at) noexcept {
    return kAscii[p[at]] == kSkip && (p[at + 1] & 0xF0) == 0xE0;
  }
  // The lanes a vector Han loop stopped at in its step from i (bit k of `stop`: the character
  // at i + 3k; of `triggers`: that character is a trigger), in order: a trigger that
  // idle_trigger() passes is passed; a byte skip_then_han() passes restarts the loop after it
  // (returned); anything else is where the loop stops (returned, with `stopped`). When every
  // lane is passed, the loop goes on after the step (i + step).
  static std::size_t stopped_lanes(const unsigned char* p, std::size_t n, std::size_t i, unsigned stop, unsigned triggers,
                                   std::size_t step, bool& stopped) {
    for (; stop; stop &= stop - 1) {
      const auto lane = static_cast<unsigned>(std::countr_zero(stop));
      const std::size_t at = i + 3 * lane;
      if (((triggers >> lane) & 1u) != 0 && idle_trigger(p, n, at)) continue;
      if (skip_then_han(p, at)) return at + 1;
      stopped = true;
      return at;
    }
    return i + step;
  }
  static constexpr bool is_key_end(char32_t c) noexcept { return c == U'名' || c == U'人' || c == U'者' || c == U'主'; }
  static constexpr bool is_name_after(char32_t c) noexcept {
    return c == U'先' || c == U'女' || c == U'同' || c == U'老' || c == U'小';
  }
  [[gnu::noinline]] static std::size_t han_run_scalar(const unsigned char* p, std::size_t i, const std::size_t n,
                                                      const std::uint64_t* trig) noexcept {
    // Four characters a step (two eight-byte loads, six bytes of each used) while the bytes
    // are there, then one at a time.
    if constexpr (std::endian::native == std::endian::little) {
      // Bytes 0-5 of w: two characters (lead E0..EF, two more bytes). The bitmap word of a
      // character c is c >> 6 (the lead's low four bits, the second byte's low six), its bit c & 63.
      auto two_plain = [trig](std::uint64_t w) -> bool {
        if ((w & 0xF00000F0u) != 0xE00000E0u) return false;
        const std::uint64_t a = trig[((w & 0x0Fu) << 6) | ((w >> 8) & 0x3Fu)] >> ((w >> 16) & 0x3Fu);
        const std::uint64_t b = trig[(((w >> 24) & 0x0Fu) << 6) | ((w >> 32) & 0x3Fu)] >> ((w >> 40) & 0x3Fu);
        return ((a | b) & 1u) == 0;
      };
      while (i + 14 <= n) {
        std::uint64_t w1, w2;
        std::memcpy(&w1, p + i, 8);
        std::memcpy(&w2, p + i + 6, 8);
        if (!two_plain(w1) || !two_plain(w2)) break;
        i += 12;
      }
    }
    while (i + 2 < n && (p[i] & 0xF0) == 0xE0) {
      const char32_t c = ((p[i] & 0x0Fu) << 12) | ((p[i + 1] & 0x3Fu) << 6) | (p[i + 2] & 0x3Fu);
      if ((trig[c >> 6] >> (c & 63)) & 1u) break;
      i += 3;
    }
    return i;
  }

  // Classes of bytes for run(): digits, letters, other ASCII (skipped), and bytes ≥ 0x80 (kHigh).
  static constexpr unsigned kSkip = 0, kDigit = 1, kLetter = 2, kHigh = 4;
  static constexpr std::array<unsigned char, 256> kAscii = [] {
    std::array<unsigned char, 256> t{};
    for (int c = 0x80; c < 0x100; ++c) t[static_cast<std::size_t>(c)] = kHigh;
    for (int c = '0'; c <= '9'; ++c) t[static_cast<std::size_t>(c)] = kDigit;
    for (int c = 'a'; c <= 'z'; ++c) t[static_cast<std::size_t>(c)] = kLetter, t[static_cast<std::size_t>(c - 32)] = kLetter;
    return t;
  }();

  // One bit per BMP character: the triggers (plate provinces, division suffixes, name keyword
  // ends), and the plate provinces and division suffixes among them on their own, for han()
  // (which sees only triggers, all of them in U+3400..U+9FFF).
  struct TriggerBits {
    std::array<std::uint64_t, 0x10000 / 64> any{}, plate{}, suffix{};
    // Two bits per BMP character, for the AVX2 Han loop: 0 not a trigger; 1 a trigger; 2 a plate
    // province that is no other trigger (han() does nothing with it unless a capital letter
    // follows); 3 the last character of a name keyword (名 人 者 主) that is no other trigger
    // (han() does nothing with it unless key_bytes() has the byte before it).
    std::array<std::uint32_t, 0x10000 / 16> kind{};
    // For the AVX-512 Han loop: each slot's trigger (slot_of), its code point's low and high
    // byte and its kind; a slot with no trigger holds another slot's trigger, which no
    // character of this slot can equal. hash_ok when no two triggers share a slot.
    std::array<std::uint8_t, 128> slot_lo{}, slot_hi{}, slot_kind{};
    bool hash_ok = false;
  };
  // The slot of a character c < 0x10000: the top kSlotBits of the low 16 bits of c * kSlotMul
  // (a multiplier found by search to give the 47 triggers 47 slots).
  static constexpr unsigned kSlotBits = 7, kSlotMul = 6021;
  static constexpr unsigned slot_of(char32_t c) noexcept { return ((c * kSlotMul) & 0xFFFFu) >> (16 - kSlotBits); }

  // The bytes that end the character before a name keyword's last character (see han()).
  static const std::array<bool, 256>& key_bytes() {
    static const std::array<bool, 256> t = [] {
      std::array<bool, 256> v{};
      for (std::string_view kw : kNameKeys) v[static_cast<unsigned char>(kw[kw.size() - 4])] = true;
      return v;
    }();
    return t;
  }
  static const TriggerBits& triggers() {
    static const TriggerBits bits = [] {
      TriggerBits t;
      auto set = [](std::array<std::uint64_t, 0x10000 / 64>& v, char32_t x) { v[x >> 6] |= std::uint64_t{1} << (x & 63); };
      // (from the lists themselves: asking is_plate_province and is_division_suffix of every
      // character of U+3400..U+9FFF was a good part of a short text's time)
      for (char32_t x : detail::plate_province_chars())
        if (x >= 0x3400 && x < 0xA000) set(t.plate, x), set(t.any, x);
      for (char32_t x : detail::division_suffix_chars())
        if (x >= 0x3400 && x < 0xA000) set(t.suffix, x), set(t.any, x);
      for (char32_t x : {U'名', U'人', U'者', U'主', U'先', U'女', U'同', U'老', U'小'}) set(t.any, x);
      auto has = [](const std::array<std::uint64_t, 0x10000 / 64>& v, char32_t x) { return ((v[x >> 6] >> (x & 63)) & 1u) != 0; };
      for (std::size_t word = 0; word < t.any.size(); ++word)
        for (std::uint64_t bits = t.any[word]; bits; bits &= bits - 1) {
          const auto x = static_cast<char32_t>(word * 64 + static_cast<std::size_t>(std::countr_zero(bits)));
          const bool plate = has(t.plate, x), suffix = has(t.suffix, x);
          const bool key_end = x == U'名' || x == U'人' || x == U'者' || x == U'主';
          const bool after = x == U'先' || x == U'女' || x == U'同' || x == U'老' || x == U'小';
          std::uint32_t k = 1;
          if (plate && !suffix && !key_end && !after) k = 2;
          else if (key_end && !plate && !suffix && !after) k = 3;
          t.kind[x >> 4] |= k << ((x & 15) * 2);
        }
      // The slots of the perfect hash, each trigger's own.
      std::array<char32_t, 128> held{};
      std::array<bool, 128> used{};
      t.hash_ok = true;
      char32_t first = 0;
      for (std::size_t word = 0; word < t.any.size(); ++word)
        for (std::uint64_t bits = t.any[word]; bits; bits &= bits - 1) {
          const auto x = static_cast<char32_t>(word * 64 + static_cast<std::size_t>(std::countr_zero(bits)));
          const unsigned h = slot_of(x);
          if (used[h]) t.hash_ok = false;
          if (!first) first = x;
          used[h] = true;
          held[h] = x;
          t.slot_kind[h] = static_cast<std::uint8_t>((t.kind[x >> 4] >> ((x & 15) * 2)) & 3u);
        }
      if (!first) t.hash_ok = false;
      for (std::size_t h = 0; h < held.size(); ++h) {
        const char32_t x = used[h] ? held[h] : first;
        t.slot_lo[h] = static_cast<std::uint8_t>(x & 0xFF);
        t.slot_hi[h] = static_cast<std::uint8_t>(x >> 8);
      }
      return t;
    }();
    return bits;
  }
  static const std::array<std::uint64_t, 0x10000 / 64>& trigger_bits() { return triggers().any; }
  static bool has_bit(const std::array<std::uint64_t, 0x10000 / 64>& v, char32_t c) noexcept {
    return c < 0x10000 && ((v[c >> 6] >> (c & 63)) & 1u);
  }
};

void resolve_overlaps(std::vector<Finding>& f) {
  auto before = [](const Finding& a, const Finding& b) {
    return a.offset != b.offset ? a.offset < b.offset : a.length > b.length;
  };
  // The scanner finds in offset order: the sort is needed only when custom detectors added theirs.
  if (!std::is_sorted(f.begin(), f.end(), before)) std::stable_sort(f.begin(), f.end(), before);
  // In place: `kept` findings stay at the front.
  std::size_t kept = 0;
  for (std::size_t k = 0; k < f.size(); ++k) {
    const Finding x = f[k];
    if (kept && x.offset < f[kept - 1].offset + f[kept - 1].length) {
      if (x.length > f[kept - 1].length && x.offset == f[kept - 1].offset) f[kept - 1] = x;
      continue;
    }
    f[kept++] = x;
  }
  f.resize(kept);
}

}  // namespace

std::vector<Finding> find(std::string_view text, const Detectors& d) {
  Scanner sc(text);
  sc.run();
  const auto& im = d.impl();
  for (std::size_t k = 0; k < im.custom.size(); ++k) {
    const RE2& re = *im.custom_re[k];
    re2::StringPiece input(text.data(), text.size()), m;
    std::size_t pos = 0;
    while (pos <= text.size() && re.Match(input, pos, text.size(), RE2::UNANCHORED, &m, 1)) {
      std::size_t off = static_cast<std::size_t>(m.data() - text.data());
      if (m.size() > 0) sc.out.push_back({im.custom[k].name, off, m.size()});
      pos = off + std::max<std::size_t>(m.size(), 1);
    }
  }
  resolve_overlaps(sc.out);
  return std::move(sc.out);
}

std::vector<CellFinding> find_in_column(const std::vector<std::string_view>& values, const Detectors& d) {
  std::vector<CellFinding> out;
  for (std::size_t r = 0; r < values.size(); ++r)
    for (const auto& f : find(values[r], d)) out.push_back({r, f});
  return out;
}

std::vector<Finding> find_encoded(std::string_view bytes, const std::string& encoding, const Detectors& d) {
  std::string enc = encoding.empty() ? guess_encoding(bytes) : encoding;
  std::string lower = enc;
  for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower == "utf-8" || lower == "utf8") {
    std::size_t bom = bytes.substr(0, 3) == "\xEF\xBB\xBF" ? 3 : 0;
    auto f = find(bytes.substr(bom), d);
    for (auto& x : f) x.offset += bom;
    return f;
  }
  // Decode, scan, and map UTF-8 offsets back: each character of the input is one code point,
  // so walking both texts character by character maps offsets exactly.
  auto src = schema::decode_to_utf8(schema::memory_source(bytes, "<input>"), enc);
  std::string utf8;
  std::vector<char> buf(1 << 16);
  for (std::size_t n; (n = src->read(buf.data(), buf.size()));) utf8.append(buf.data(), n);
  auto f = find(utf8, d);
  if (f.empty()) return f;
  // Boundaries to map, sorted.
  std::vector<std::uint64_t> pts;
  for (const auto& x : f) pts.push_back(x.offset), pts.push_back(x.offset + x.length);
  std::vector<std::uint64_t> sorted = pts;
  std::sort(sorted.begin(), sorted.end());
  sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
  std::vector<std::uint64_t> mapped(sorted.size());
  const bool gb = lower == "gb18030" || lower == "gbk" || lower == "gb2312" || lower == "cp936";
  std::size_t u = 0, o = 0, k = 0;
  const auto* ob = reinterpret_cast<const unsigned char*>(bytes.data());
  while (k < sorted.size()) {
    if (sorted[k] == u) {
      mapped[k++] = o;
      continue;
    }
    if (u >= utf8.size()) break;
    std::size_t ul = 1;
    decode_utf8(utf8, u, &ul);
    u += ul;
    // Length of one character of the original encoding.
    std::size_t ol = 1;
    if (gb) {
      if (ob[o] >= 0x81 && ob[o] <= 0xFE && o + 1 < bytes.size()) ol = (ob[o + 1] >= 0x30 && ob[o + 1] <= 0x39) ? 4 : 2;
    } else {
      throw Error(Code::invalid_argument, "offsets can be mapped back for UTF-8 and GB18030/GBK input only, not " + enc);
    }
    o += ol;
  }
  while (k < sorted.size()) mapped[k++] = o;
  auto map = [&](std::uint64_t x) {
    return mapped[static_cast<std::size_t>(std::lower_bound(sorted.begin(), sorted.end(), x) - sorted.begin())];
  };
  for (auto& x : f) {
    std::uint64_t b = map(x.offset), e = map(x.offset + x.length);
    x.offset = b;
    x.length = e - b;
  }
  return f;
}

}  // namespace civitas::classify
