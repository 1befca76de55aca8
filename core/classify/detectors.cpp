// Built-in detectors: type names, checksums (Luhn, VIN), and the whole-value checks.
#include "detectors.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <memory>
#include <mutex>

#include "civitas/error.hpp"
#include "civitas/ids.hpp"
#include "lexicon.hpp"

namespace civitas::classify {
namespace {

constexpr std::array<const char*, kTypeCount> kNames = {
    "none", "uscc", "orgcode", "ric", "gb2260", "mobile_phone", "phone", "bank_card", "email",
    "ip_address", "mac_address", "vehicle_plate", "passport", "hk_macao_permit", "postal_code",
    "birth_date", "person_name", "address", "gps_coordinates", "imei", "vin"};

RE2::Options re_opts() {
  RE2::Options o;
  o.set_log_errors(false);
  return o;
}

// A pattern compiled on its first use: a text scan needs a few of them, and compiling all
// (the street pattern's \p{Han} above all) is a good part of a short run's time.
class Lazy {
 public:
  explicit Lazy(const char* pattern) : pattern_(pattern) {}
  const RE2& get() const {
    std::call_once(once_, [this] { re_ = std::make_unique<RE2>(pattern_, re_opts()); });
    return *re_;
  }

 private:
  const char* pattern_;
  mutable std::once_flag once_;
  mutable std::unique_ptr<RE2> re_;
};

struct Patterns {
  Lazy mobile{R"((?:\+?86[- ]?)?1[3-9][0-9](?:[0-9]{8}|-[0-9]{4}-[0-9]{4}| [0-9]{4} [0-9]{4}))"};
  Lazy phone{R"((?:\+?86[- ]?)?(?:\(0[1-9][0-9]{1,2}\) ?|（0[1-9][0-9]{1,2}） ?|0[1-9][0-9]{1,2}[- ]?)[2-9][0-9]{6,7}(?:(?:-|转|ext\.?|x|#)[0-9]{1,6})?)"};
  Lazy email{R"([A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.[A-Za-z]{2,24})"};
  Lazy ipv4{R"((?:(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\.){3}(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9]))"};
  Lazy mac{R"((?:[0-9A-Fa-f]{2}:){5}[0-9A-Fa-f]{2}|(?:[0-9A-Fa-f]{2}-){5}[0-9A-Fa-f]{2}|(?:[0-9A-Fa-f]{4}\.){2}[0-9A-Fa-f]{4})"};
  Lazy plate{R"([京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼][A-HJ-NP-Z][·• ]?(?:[DF][A-HJ-NP-Z0-9][0-9]{4}|[0-9]{5}[DF]|[A-HJ-NP-Z0-9]{4}[A-HJ-NP-Z0-9挂学警港澳领试超]))"};
  Lazy passport{R"(E[0-9]{8}|E[A-HJ-NP-Z][0-9]{7}|G[0-9]{8})"};
  Lazy permit{R"([CW][0-9]{8}|C[A-HJ-NP-Z][0-9]{7}|[HM][0-9]{8}(?:[0-9]{2})?)"};
  Lazy postal{R"((?:0[1-9]|[1-7][0-9]|8[0-6])[0-9]{4})"};
  Lazy street{R"(\p{Han}{1,12}(?:路|街|大道|大街|巷|弄|胡同|道)[0-9一二三四五六七八九十百]{1,5}(?:号|號).*)"};
};
const Patterns& pats() {
  static const Patterns p;
  return p;
}

bool all_digits(std::string_view s) noexcept {
  if (s.empty()) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

// Digits with optional single spaces or hyphens between groups; false when anything else.
bool strip_separators(std::string_view v, std::string& out, std::size_t max) {
  out.clear();
  char sep = 0;
  for (std::size_t i = 0; i < v.size(); ++i) {
    char c = v[i];
    if (c >= '0' && c <= '9') {
      out += c;
      if (out.size() > max) return false;
    } else if ((c == ' ' || c == '-') && i > 0 && i + 1 < v.size() && v[i - 1] >= '0' && v[i - 1] <= '9') {
      if (sep && sep != c) return false;
      sep = c;
    } else {
      return false;
    }
  }
  return !out.empty();
}

bool parse_uint(std::string_view s, int& out) noexcept {
  if (s.empty() || s.size() > 4) return false;
  int v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  out = v;
  return true;
}

bool valid_date(int y, int m, int d) noexcept {
  static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m < 1 || m > 12 || d < 1) return false;
  int md = days[m - 1] + (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0) ? 1 : 0);
  return d <= md;
}

bool parse_coord(std::string_view s, double& out) noexcept {
  std::size_t i = 0;
  bool neg = false;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) neg = s[i++] == '-';
  std::size_t int_digits = 0, frac_digits = 0;
  double v = 0;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') v = v * 10 + (s[i++] - '0'), ++int_digits;
  if (int_digits == 0 || int_digits > 3 || i >= s.size() || s[i] != '.') return false;
  ++i;
  double scale = 0.1;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') v += (s[i++] - '0') * scale, scale /= 10, ++frac_digits;
  if (frac_digits < 3 || frac_digits > 15 || i != s.size()) return false;
  out = neg ? -v : v;
  return true;
}

}  // namespace

namespace detail {

const std::array<Type, kTypeCount - 1> kPriority = {
    Type::imei, Type::ric, Type::uscc, Type::bank_card, Type::vin, Type::passport,
    Type::hk_macao_permit, Type::orgcode, Type::mobile_phone, Type::phone, Type::email,
    Type::ip_address, Type::mac_address, Type::vehicle_plate, Type::gps_coordinates,
    Type::birth_date, Type::gb2260, Type::postal_code, Type::person_name, Type::address};

std::string_view trim(std::string_view s) noexcept {
  auto ws = [](std::string_view x, bool front) -> std::size_t {
    if (x.empty()) return 0;
    unsigned char c = static_cast<unsigned char>(front ? x.front() : x.back());
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f') return 1;
    if (x.size() >= 3 && (front ? x.substr(0, 3) : x.substr(x.size() - 3)) == "\u3000") return 3;
    return 0;
  };
  for (std::size_t n; (n = ws(s, true));) s.remove_prefix(n);
  for (std::size_t n; (n = ws(s, false));) s.remove_suffix(n);
  return s;
}

std::string fold_width(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    // U+FF01..U+FF5E are EF BC 81..EF BD 9E.
    if (c == 0xEF && i + 2 < s.size()) {
      auto b1 = static_cast<unsigned char>(s[i + 1]), b2 = static_cast<unsigned char>(s[i + 2]);
      char32_t cp = ((c & 0x0Fu) << 12) | ((b1 & 0x3Fu) << 6) | (b2 & 0x3Fu);
      if (cp >= 0xFF01 && cp <= 0xFF5E && (cp < 0xFF08 || cp > 0xFF09)) {  // keep （ ）: phone uses them
        out += static_cast<char>(cp - 0xFF01 + 0x21);
        i += 3;
        continue;
      }
    }
    out += s[i++];
  }
  return out;
}

bool parse_birth_date(std::string_view v) noexcept {
  int y = 0, m = 0, d = 0;
  if (v.size() == 8 && all_digits(v)) {
    if (!parse_uint(v.substr(0, 4), y) || !parse_uint(v.substr(4, 2), m) || !parse_uint(v.substr(6, 2), d)) return false;
  } else {
    // YYYY sep M sep D [日]
    if (v.size() < 8 || !parse_uint(v.substr(0, 4), y)) return false;
    std::string_view rest = v.substr(4);
    std::string_view s1, s2;
    bool cn = false;
    if (rest.substr(0, 3) == "年") {
      s1 = "年", s2 = "月", cn = true;
    } else if (!rest.empty() && (rest[0] == '-' || rest[0] == '/' || rest[0] == '.')) {
      s1 = s2 = rest.substr(0, 1);
    } else {
      return false;
    }
    rest.remove_prefix(s1.size());
    std::size_t p = rest.find(s2);
    if (p == std::string_view::npos || p == 0 || p > 2 || !parse_uint(rest.substr(0, p), m)) return false;
    rest.remove_prefix(p + s2.size());
    if (cn && rest.size() >= 3 && rest.substr(rest.size() - 3) == "日") rest.remove_suffix(3);
    if (rest.empty() || rest.size() > 2 || !parse_uint(rest, d)) return false;
  }
  if (y < 1900 || !valid_date(y, m, d)) return false;
  std::uint32_t ymd = static_cast<std::uint32_t>(y * 10000 + m * 100 + d);
  return ymd <= ids::today();
}

bool parse_gps(std::string_view v) noexcept {
  std::size_t c = v.find(',');
  std::size_t clen = 1;
  if (c == std::string_view::npos) {
    c = v.find("，");
    clen = 3;
  }
  if (c == std::string_view::npos) return false;
  double a = 0, b = 0;
  if (!parse_coord(trim(v.substr(0, c)), a) || !parse_coord(trim(v.substr(c + clen)), b)) return false;
  bool lat_lon = std::abs(a) <= 90 && std::abs(b) <= 180;
  bool lon_lat = std::abs(b) <= 90 && std::abs(a) <= 180;
  return (lat_lon || lon_lat) && !(a == 0 && b == 0);
}

bool chinese_name(std::string_view v) noexcept {
  // 2–4 Han characters (or a minority name with a middle dot), starting with a surname,
  // without characters that mark products, places or organisations.
  // At most 17 characters are read (more is no name): fixed arrays, no allocation.
  std::array<char32_t, 17> chars{};
  std::array<std::size_t, 17> offs{};
  std::size_t count = 0;
  for (std::size_t i = 0; i < v.size();) {
    std::size_t n = 1;
    char32_t c = detail::decode_utf8(v, i, &n);
    offs[count] = i;
    chars[count++] = c;
    i += n;
    if (count > 16) return false;
  }
  const std::u32string_view cs(chars.data(), count);
  bool dotted = false;
  for (char32_t c : cs) {
    if (c == 0x00B7 || c == 0x2022 || c == 0x30FB) dotted = true;
    else if (!is_han(c)) return false;
  }
  if (dotted) {
    if (cs.size() < 4 || cs.front() == 0x00B7 || cs.back() == 0x00B7) return false;
    // Transliterated names use characters the stop list has (买买提): only organisation and
    // place characters exclude them here.
    static constexpr std::u32string_view kOrg = U"公司店厂局院部省市区县路街号";
    for (char32_t c : cs)
      if (kOrg.find(c) != std::u32string_view::npos) return false;
    return true;
  }
  if (cs.size() < 2 || cs.size() > 4) return false;
  for (std::size_t i = 1; i < cs.size(); ++i)
    if (is_name_stop_char(cs[i])) return false;
  bool compound = cs.size() >= 3 && is_compound_surname(v.substr(0, offs[2]));
  if (compound) return true;
  if (!is_single_surname(cs[0])) return false;
  return cs.size() <= 3;
}

bool latin_name(std::string_view v) noexcept {
  // Two or three words "Given [Middle] Family" (or "FAMILY Given", "Family, Given"), each a
  // capitalised word of letters, with a known given name or surname among them.
  std::vector<std::string_view> words;
  std::size_t i = 0;
  while (i < v.size()) {
    while (i < v.size() && (v[i] == ' ' || v[i] == ',')) ++i;
    std::size_t s = i;
    while (i < v.size() && v[i] != ' ' && v[i] != ',') ++i;
    if (i > s) words.push_back(v.substr(s, i - s));
  }
  if (words.size() < 2 || words.size() > 3) return false;
  bool known = false;
  const bool comma = v.find(',') != std::string_view::npos;
  for (std::size_t wi = 0; wi < words.size(); ++wi) {
    std::string_view w = words[wi];
    if (w.size() < 2 || w.size() > 20 || !std::isupper(static_cast<unsigned char>(w[0]))) return false;
    bool upper = true;
    for (std::size_t k = 1; k < w.size(); ++k) {
      unsigned char c = static_cast<unsigned char>(w[k]);
      if (!std::isalpha(c) && c != '\'' && c != '-' && c < 0x80) return false;
      if (std::islower(c)) upper = false;
    }
    std::string norm(w);
    upper = upper && w.size() > 1;
    if (upper)
      for (std::size_t k = 1; k < norm.size(); ++k) norm[k] = static_cast<char>(std::tolower(static_cast<unsigned char>(norm[k])));
    // Given Family, FAMILY Given, Family, Given.
    if (wi == 0 && (is_latin_given_name(norm) || ((upper || comma) && is_latin_surname(norm)))) known = true;
    if (wi + 1 == words.size() && (is_latin_surname(norm) || ((upper || comma) && is_latin_given_name(norm)))) known = true;
  }
  return known;
}

bool address_value(std::string_view v) {
  if (v.size() < 12) return false;  // four Han characters at least
  if (RE2::FullMatch(v, pats().street.get())) return true;
  // A division name (full form anywhere, or a short province/prefecture form at the start)
  // followed by address words.
  const Divisions& d = divisions();
  std::size_t after = std::string_view::npos;
  for (std::size_t i = 0; i < v.size();) {
    std::size_t n = 1;
    char32_t c = decode_utf8(v, i, &n);
    if (is_division_suffix(c) && division_ending_at(v, i + n) != std::string_view::npos) {
      after = i + n;
      break;
    }
    i += n;
  }
  if (after == std::string_view::npos) {
    for (std::size_t len = 6; len <= 12 && len <= v.size(); len += 3)
      if (d.short_forms.count(std::string(v.substr(0, len)))) after = len;
  }
  if (after == std::string_view::npos || after >= v.size()) return false;
  int words = 0;
  bool digit = false;
  for (std::size_t i = after; i < v.size();) {
    std::size_t n = 1;
    char32_t c = decode_utf8(v, i, &n);
    if (is_address_char(c)) ++words;
    if (c >= '0' && c <= '9') digit = true;
    i += n;
  }
  return words >= 2 || (words >= 1 && digit);
}

bool check(Type t, std::string_view v) {
  const Patterns& p = pats();
  std::string buf;
  switch (t) {
    case Type::none:
      return v.empty();
    case Type::uscc:
      return v.size() >= 18 && v.size() <= 24 && ids::check(ids::Kind::uscc, v) == ids::Reason::ok;
    case Type::orgcode:
      return v.size() >= 9 && v.size() <= 11 && ids::check(ids::Kind::orgcode, v) == ids::Reason::ok;
    case Type::ric:
      return (v.size() == 15 || v.size() == 18) && ids::check(ids::Kind::ric, v) == ids::Reason::ok;
    case Type::gb2260:
      return v.size() == 6 && all_digits(v) && ids::region_known(v);
    case Type::mobile_phone:
      return v.size() >= 11 && v.size() <= 17 && RE2::FullMatch(v, p.mobile.get());
    case Type::phone:
      return v.size() >= 10 && v.size() <= 32 && RE2::FullMatch(v, p.phone.get());
    case Type::bank_card:
      return v.size() >= 16 && v.size() <= 23 && strip_separators(v, buf, 19) && bank_card_valid(buf);
    case Type::email:
      return v.size() <= 254 && v.find('@') != std::string_view::npos && RE2::FullMatch(v, p.email.get());
    case Type::ip_address: {
      if (v.size() < 2 || v.size() > 45) return false;
      if (v.find(':') != std::string_view::npos) {
        char tmp[46];
        std::memcpy(tmp, v.data(), v.size());
        tmp[v.size()] = 0;
        unsigned char out[16];
        return inet_pton(AF_INET6, tmp, out) == 1 && !RE2::FullMatch(v, p.mac.get());
      }
      return RE2::FullMatch(v, p.ipv4.get());
    }
    case Type::mac_address:
      return v.size() >= 14 && v.size() <= 17 && RE2::FullMatch(v, p.mac.get());
    case Type::vehicle_plate:
      return v.size() >= 8 && v.size() <= 14 && RE2::FullMatch(v, p.plate.get());
    case Type::passport:
      return v.size() == 9 && RE2::FullMatch(v, p.passport.get());
    case Type::hk_macao_permit:
      return (v.size() == 9 || v.size() == 11) && RE2::FullMatch(v, p.permit.get());
    case Type::postal_code:
      return v.size() == 6 && RE2::FullMatch(v, p.postal.get());
    case Type::birth_date:
      return v.size() >= 8 && v.size() <= 17 && parse_birth_date(v);
    case Type::person_name:
      return v.size() >= 4 && v.size() <= 64 && (static_cast<unsigned char>(v[0]) >= 0x80 ? chinese_name(v) : latin_name(v));
    case Type::address:
      return v.size() <= 400 && static_cast<unsigned char>(v[0]) >= 0x80 && address_value(v);
    case Type::gps_coordinates:
      return v.size() >= 9 && v.size() <= 64 && parse_gps(v);
    case Type::imei:
      return v.size() >= 15 && v.size() <= 18 && strip_separators(v, buf, 15) && buf.size() == 15 && imei_valid(buf);
    case Type::vin:
      return v.size() == 17 && vin_valid(v);
  }
  return false;
}

}  // namespace detail

const char* type_name(Type t) noexcept {
  auto i = static_cast<std::size_t>(t);
  return i < kNames.size() ? kNames[i] : "none";
}

std::optional<Type> type_from_name(std::string_view name) noexcept {
  for (std::size_t i = 0; i < kNames.size(); ++i)
    if (name == kNames[i]) return static_cast<Type>(i);
  return std::nullopt;
}

std::vector<std::string> type_names() { return {kNames.begin(), kNames.end()}; }

bool luhn_valid(std::string_view d) noexcept {
  if (d.size() < 2) return false;
  int sum = 0;
  bool dbl = false;
  for (std::size_t i = d.size(); i-- > 0;) {
    char c = d[i];
    if (c < '0' || c > '9') return false;
    int x = c - '0';
    if (dbl) x = x * 2 > 9 ? x * 2 - 9 : x * 2;
    sum += x;
    dbl = !dbl;
  }
  return sum % 10 == 0;
}

bool imei_valid(std::string_view d) noexcept { return d.size() == 15 && luhn_valid(d); }

bool bank_card_valid(std::string_view d) noexcept {
  if (d.size() < 16 || d.size() > 19 || !luhn_valid(d)) return false;
  auto pre = [&](std::size_t n) {
    int v = 0;
    for (std::size_t i = 0; i < n; ++i) v = v * 10 + (d[i] - '0');
    return v;
  };
  int p2 = pre(2), p4 = pre(4);
  if (p2 == 62 || p2 == 60 || p2 == 81 || d[0] == '4') return true;  // UnionPay, domestic debit, Visa
  if (p2 >= 51 && p2 <= 55) return true;                             // Mastercard
  if (p4 >= 2221 && p4 <= 2720) return true;                         // Mastercard 2-series
  if (p4 >= 3528 && p4 <= 3589) return true;                         // JCB
  if (p4 == 6011 || p2 == 65) return true;                           // Discover
  return false;
}

bool vin_valid(std::string_view v) noexcept {
  if (v.size() != 17) return false;
  static const int weights[17] = {8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2};
  int sum = 0;
  bool letter = false;
  for (std::size_t i = 0; i < 17; ++i) {
    char c = v[i];
    int val;
    if (c >= '0' && c <= '9') {
      val = c - '0';
    } else if (c >= 'A' && c <= 'Z' && c != 'I' && c != 'O' && c != 'Q') {
      letter = true;
      static const int tr[26] = {1, 2, 3, 4, 5, 6, 7, 8, 0, 1, 2, 3, 4, 5, 0, 7, 0, 9, 2, 3, 4, 5, 6, 7, 8, 9};
      val = tr[c - 'A'];
    } else {
      return false;
    }
    sum += val * weights[i];
  }
  int r = sum % 11;
  char want = r == 10 ? 'X' : static_cast<char>('0' + r);
  return letter && v[8] == want;
}

// ---- Detectors --------------------------------------------------------------------------

Detectors::Detectors() : impl_(std::make_unique<Impl>()) {}

Detectors::Detectors(std::vector<CustomDetector> custom) : impl_(std::make_unique<Impl>()) {
  for (auto& c : custom) {
    bool ok_name = !c.name.empty() && c.name.size() <= 64;
    for (char ch : c.name)
      if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_')) ok_name = false;
    if (!ok_name)
      throw Error(Code::invalid_argument, "custom detector name \"" + c.name + "\" must be 1-64 lower-case letters, digits or '_'");
    if (type_from_name(c.name))
      throw Error(Code::invalid_argument, "custom detector \"" + c.name + "\" has the name of a built-in type");
    for (const auto& o : impl_->custom)
      if (o.name == c.name) throw Error(Code::invalid_argument, "custom detector \"" + c.name + "\" is defined twice");
    if (c.pattern.empty()) throw Error(Code::invalid_argument, "custom detector \"" + c.name + "\" has an empty pattern");
    auto re = std::make_unique<RE2>(c.pattern, re_opts());
    if (!re->ok())
      throw Error(Code::invalid_argument, "custom detector \"" + c.name + "\": pattern does not compile (RE2): " + re->error());
    impl_->custom_re.push_back(std::move(re));
    impl_->custom.push_back(std::move(c));
  }
}

Detectors::~Detectors() = default;
Detectors::Detectors(Detectors&&) noexcept = default;
Detectors& Detectors::operator=(Detectors&&) noexcept = default;

const std::vector<CustomDetector>& Detectors::custom() const noexcept { return impl_->custom; }
const CustomDetector* Detectors::find_custom(std::string_view name) const noexcept {
  for (const auto& c : impl_->custom)
    if (c.name == name) return &c;
  return nullptr;
}

const Detectors& builtin() {
  static const Detectors d;
  return d;
}

std::string_view classify_value(std::string_view value, const Detectors& d) {
  std::string folded = detail::fold_width(detail::trim(value));
  std::string_view v = detail::trim(folded);
  if (v.empty()) return "none";
  for (Type t : detail::kPriority)
    if (detail::check(t, v)) return type_name(t);
  const auto& im = d.impl();
  for (std::size_t i = 0; i < im.custom.size(); ++i)
    if (RE2::FullMatch(v, *im.custom_re[i])) return im.custom[i].name;
  return "none";
}

bool matches(std::string_view type, std::string_view value, const Detectors& d) {
  std::string folded = detail::fold_width(detail::trim(value));
  std::string_view v = detail::trim(folded);
  if (auto t = type_from_name(type)) return detail::check(*t, v);
  const auto& im = d.impl();
  for (std::size_t i = 0; i < im.custom.size(); ++i)
    if (im.custom[i].name == type) return !v.empty() && RE2::FullMatch(v, *im.custom_re[i]);
  throw Error(Code::invalid_argument, "unknown classification type \"" + std::string(type) + "\"");
}

}  // namespace civitas::classify
