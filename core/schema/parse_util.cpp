#include "parse_util.hpp"

#include <cmath>
#include <cstdlib>
#include <cstring>

namespace civitas::schema::detail {
namespace {

bool digit(char c) { return c >= '0' && c <= '9'; }
bool space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }
bool hex(char c) { return digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; }

bool ieq(std::string_view a, const char* b) {
  std::size_t n = std::strlen(b);
  if (a.size() != n) return false;
  for (std::size_t i = 0; i < n; ++i)
    if (lower(a[i]) != b[i]) return false;
  return true;
}

constexpr double kPow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                             1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

// Reads exactly n digits at s[p]; advances p.
bool fixed_digits(std::string_view s, std::size_t& p, int n, int& out) {
  if (p + n > s.size()) return false;
  int v = 0;
  for (int i = 0; i < n; ++i) {
    if (!digit(s[p + i])) return false;
    v = v * 10 + (s[p + i] - '0');
  }
  p += n;
  out = v;
  return true;
}

// Reads 1..max digits (Python strptime's %m/%d/%H… accept one or two).
bool var_digits(std::string_view s, std::size_t& p, int max, int& out) {
  int v = 0, n = 0;
  while (n < max && p < s.size() && digit(s[p])) v = v * 10 + (s[p++] - '0'), ++n;
  out = v;
  return n > 0;
}

// Time part "HH:MM:SS[.ffffff][Z|±HH[:MM]]" from p to the end; microseconds UTC-adjusted.
bool iso_time(std::string_view s, std::size_t p, std::int64_t& us, bool& has_tz) {
  int h, m, sec = 0;
  if (!fixed_digits(s, p, 2, h)) return false;
  if (p >= s.size() || s[p] != ':') return false;
  ++p;
  if (!fixed_digits(s, p, 2, m)) return false;
  if (p < s.size() && s[p] == ':') {
    ++p;
    if (!fixed_digits(s, p, 2, sec)) return false;
  }
  std::int64_t frac = 0;
  if (p < s.size() && (s[p] == '.' || s[p] == ',')) {
    ++p;
    int n = 0;
    while (p < s.size() && digit(s[p])) {
      if (n < 6) frac = frac * 10 + (s[p] - '0');
      ++n, ++p;
    }
    if (n == 0) return false;
    for (; n < 6; ++n) frac *= 10;
  }
  if (h > 23 || m > 59 || sec > 59) return false;
  std::int64_t off = 0;
  has_tz = false;
  if (p < s.size()) {
    if (s[p] == 'Z' || s[p] == 'z') {
      ++p;
      has_tz = true;
    } else if (s[p] == '+' || s[p] == '-') {
      int sign = s[p] == '-' ? -1 : 1;
      ++p;
      int oh, om = 0;
      if (!fixed_digits(s, p, 2, oh)) return false;
      if (p < s.size() && s[p] == ':') ++p;
      if (p < s.size() && !fixed_digits(s, p, 2, om)) return false;
      if (oh > 23 || om > 59) return false;
      off = sign * (oh * 3600 + om * 60);
      has_tz = true;
    }
  }
  if (p != s.size()) return false;
  us = ((h * 3600 + m * 60 + sec) - off) * 1000000LL + frac;
  return true;
}

// A strptime subset. Fills y m d H M S us and tz offset seconds.
struct Tm {
  int y = 1900, m = 1, d = 1, H = 0, M = 0, S = 0;
  std::int64_t us = 0, off = 0;
};
bool strptime_like(const std::string& fmt, std::string_view s, Tm& t) {
  std::size_t p = 0;
  for (std::size_t i = 0; i < fmt.size(); ++i) {
    char c = fmt[i];
    if (c != '%') {
      if (space(c)) {
        while (p < s.size() && space(s[p])) ++p;
        continue;
      }
      if (p >= s.size() || s[p] != c) return false;
      ++p;
      continue;
    }
    if (++i >= fmt.size()) return false;
    switch (fmt[i]) {
      case 'Y': if (!fixed_digits(s, p, 4, t.y)) return false; break;
      case 'y': { int v; if (!fixed_digits(s, p, 2, v)) return false; t.y = v < 69 ? 2000 + v : 1900 + v; break; }
      case 'm': if (!var_digits(s, p, 2, t.m)) return false; break;
      case 'd': if (!var_digits(s, p, 2, t.d)) return false; break;
      case 'H': if (!var_digits(s, p, 2, t.H)) return false; break;
      case 'M': if (!var_digits(s, p, 2, t.M)) return false; break;
      case 'S': if (!var_digits(s, p, 2, t.S)) return false; break;
      case 'f': {
        int n = 0;
        std::int64_t v = 0;
        while (n < 6 && p < s.size() && digit(s[p])) v = v * 10 + (s[p++] - '0'), ++n;
        if (!n) return false;
        for (; n < 6; ++n) v *= 10;
        t.us = v;
        break;
      }
      case 'z': {
        if (p < s.size() && (s[p] == 'Z' || s[p] == 'z')) { ++p; break; }
        if (p >= s.size() || (s[p] != '+' && s[p] != '-')) return false;
        int sign = s[p++] == '-' ? -1 : 1, oh, om;
        if (!fixed_digits(s, p, 2, oh)) return false;
        if (p < s.size() && s[p] == ':') ++p;
        if (!fixed_digits(s, p, 2, om)) return false;
        t.off = sign * (oh * 3600 + om * 60);
        break;
      }
      case '%': if (p >= s.size() || s[p] != '%') return false; ++p; break;
      default: return false;  // unsupported directive
    }
  }
  if (p != s.size()) return false;
  return t.m >= 1 && t.m <= 12 && valid_date(t.y, t.m, t.d) && t.H <= 23 && t.M <= 59 && t.S <= 61;
}

// Date "YYYY-M[M]-D[D]" (Python strptime %Y-%m-%d); advances p.
bool default_date(std::string_view s, std::size_t& p, int& y, int& m, int& d, bool two_digit) {
  if (!fixed_digits(s, p, 4, y)) return false;
  if (p >= s.size() || s[p] != '-') return false;
  ++p;
  if (two_digit ? !fixed_digits(s, p, 2, m) : !var_digits(s, p, 2, m)) return false;
  if (p >= s.size() || s[p] != '-') return false;
  ++p;
  if (two_digit ? !fixed_digits(s, p, 2, d) : !var_digits(s, p, 2, d)) return false;
  return m >= 1 && m <= 12 && valid_date(y, m, d);
}

}  // namespace

std::string_view strip(std::string_view s) noexcept {
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}

std::string_view strip_non_bare(std::string_view s) noexcept {
  while (!s.empty() && !digit(s.front()) && s.front() != '-') s.remove_prefix(1);
  while (!s.empty() && !digit(s.back())) s.remove_suffix(1);
  return s;
}

bool parse_py_int(std::string_view s, std::int64_t& out, bool& big, double& d) noexcept {
  std::size_t p = 0;
  bool neg = false;
  if (p < s.size() && (s[p] == '+' || s[p] == '-')) neg = s[p++] == '-';
  if (p >= s.size() || !digit(s[p])) return false;
  unsigned __int128 v = 0;
  bool overflow = false;
  double dv = 0;
  for (; p < s.size(); ++p) {
    char c = s[p];
    if (c == '_') {
      if (p + 1 >= s.size() || !digit(s[p + 1])) return false;
      continue;
    }
    if (!digit(c)) return false;
    v = v * 10 + static_cast<unsigned>(c - '0');
    dv = dv * 10 + (c - '0');
    if (v > (static_cast<unsigned __int128>(1) << 64)) overflow = true, v = static_cast<unsigned __int128>(1) << 64;
  }
  big = overflow || (neg ? v > (static_cast<unsigned __int128>(1) << 63)
                         : v > static_cast<unsigned __int128>(INT64_MAX));
  d = neg ? -dv : dv;
  out = big ? 0 : (neg ? static_cast<std::int64_t>(-static_cast<__int128>(v)) : static_cast<std::int64_t>(v));
  return true;
}

bool parse_py_decimal(std::string_view s, double& out) noexcept {
  std::size_t p = 0;
  bool neg = false;
  if (p < s.size() && (s[p] == '+' || s[p] == '-')) neg = s[p++] == '-';
  std::string_view rest = s.substr(p);
  if (ieq(rest, "inf") || ieq(rest, "infinity")) return out = neg ? -HUGE_VAL : HUGE_VAL, true;
  if (ieq(rest, "nan") || ieq(rest, "snan")) return out = std::nan(""), true;
  std::uint64_t mant = 0;
  int sig = 0, frac_digits = 0, ndigits = 0;
  bool exact = true;
  char buf[128];
  std::size_t bn = 0;
  auto put = [&](char c) {
    if (bn < sizeof buf - 1) buf[bn++] = c;
    else exact = false, bn = sizeof buf;  // marks "too long for the buffer"
  };
  if (neg) put('-');
  auto digits = [&](bool fraction) {
    int n = 0;
    while (p < s.size()) {
      char c = s[p];
      if (c == '_') {
        if (n == 0 || p + 1 >= s.size() || !digit(s[p + 1])) return -1;
        ++p;
        continue;
      }
      if (!digit(c)) break;
      put(c);
      if (sig < 19 && (mant || c != '0')) mant = mant * 10 + static_cast<unsigned>(c - '0'), ++sig;
      else if (mant || c != '0') exact = false;
      else if (sig == 0) { /* leading zero */ }
      if (fraction && exact) ++frac_digits;
      ++n, ++p;
    }
    return n;
  };
  int a = digits(false);
  if (a < 0) return false;
  ndigits += a;
  if (p < s.size() && s[p] == '.') {
    put('.');
    ++p;
    int b = digits(true);
    if (b < 0) return false;
    ndigits += b;
  }
  if (ndigits == 0) return false;
  bool has_exp = false;
  if (p < s.size() && (s[p] == 'e' || s[p] == 'E')) {
    has_exp = true;
    put('e');
    ++p;
    if (p < s.size() && (s[p] == '+' || s[p] == '-')) put(s[p++]);
    int e = 0;
    while (p < s.size() && digit(s[p])) put(s[p++]), ++e;
    if (!e) return false;
  }
  if (p != s.size()) return false;
  if (!has_exp && exact && sig <= 15 && frac_digits <= 22) {
    double v = static_cast<double>(mant) / kPow10[frac_digits];
    out = neg ? -v : v;
    return true;
  }
  if (bn >= sizeof buf) {
    std::string tmp;
    for (char c : s)
      if (c != '_' && c != '+') tmp += c;
    out = std::strtod(tmp.c_str(), nullptr);
    return true;
  }
  buf[bn] = 0;
  out = std::strtod(buf, nullptr);
  return true;
}

std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) noexcept {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

bool valid_date(std::int64_t y, unsigned m, unsigned d) noexcept {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (y < 1 || y > 9999 || m < 1 || m > 12 || d < 1) return false;
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return d <= kDays[m - 1] + (m == 2 && leap ? 1 : 0);
}

bool parse_date(const std::string& format, std::string_view s, std::int64_t& out) noexcept {
  int y, m, d;
  std::size_t p = 0;
  if (format == "default" || format.empty()) {
    if (!default_date(s, p, y, m, d, false) || p != s.size()) return false;
    out = days_from_civil(y, m, d);
    return true;
  }
  if (format == "any") {
    std::int64_t us;
    if (parse_datetime("default", s, us)) return out = us / 86400000000LL, true;
    std::string_view t = strip(s);
    for (const char* f : {"%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%d/%m/%Y", "%m/%d/%Y"}) {
      Tm tm;
      if (strptime_like(f, t, tm)) return out = days_from_civil(tm.y, tm.m, tm.d), true;
    }
    return false;
  }
  Tm tm;
  if (!strptime_like(format, s, tm)) return false;
  out = days_from_civil(tm.y, tm.m, tm.d);
  return true;
}

bool parse_time(const std::string& format, std::string_view s, std::int64_t& out) noexcept {
  bool tz;
  if (format == "default" || format.empty()) {
    if (s.size() < 8 || s[5] != ':') return false;
    return iso_time(s, 0, out, tz);
  }
  if (format == "any") {
    std::string_view t = strip(s);
    return iso_time(t, 0, out, tz);
  }
  Tm tm;
  if (!strptime_like(format, s, tm)) return false;
  out = (tm.H * 3600 + tm.M * 60 + tm.S - tm.off) * 1000000LL + tm.us;
  return true;
}

bool parse_datetime(const std::string& format, std::string_view s, std::int64_t& out) noexcept {
  if (format == "default" || format.empty() || format == "any") {
    std::string_view t = format == "any" ? strip(s) : s;
    if (t.size() < 19 || t[16] != ':') return false;
    int y, m, d;
    std::size_t p = 0;
    if (!default_date(t, p, y, m, d, true) || p != 10) return false;
    if (static_cast<unsigned char>(t[10]) >= 0x80) return false;  // one-character separator
    std::int64_t us;
    bool tz;
    if (!iso_time(t, 11, us, tz)) return false;
    out = days_from_civil(y, m, d) * 86400000000LL + us;
    return true;
  }
  Tm tm;
  if (!strptime_like(format, s, tm)) return false;
  out = days_from_civil(tm.y, tm.m, tm.d) * 86400000000LL +
        (tm.H * 3600 + tm.M * 60 + tm.S - tm.off) * 1000000LL + tm.us;
  return true;
}

bool parse_duration(std::string_view s) noexcept {
  std::size_t p = 0;
  if (p < s.size() && (s[p] == '+' || s[p] == '-')) ++p;
  if (p >= s.size() || s[p] != 'P') return false;
  ++p;
  bool in_time = false, any = false;
  const char* date_units = "YMWD";
  const char* time_units = "HMS";
  int last = -1;
  while (p < s.size()) {
    if (s[p] == 'T') {
      if (in_time) return false;
      in_time = true;
      last = -1;
      ++p;
      if (p >= s.size()) return false;
      continue;
    }
    std::size_t start = p;
    while (p < s.size() && digit(s[p])) ++p;
    if (p < s.size() && (s[p] == '.' || s[p] == ',')) {
      ++p;
      while (p < s.size() && digit(s[p])) ++p;
    }
    if (p == start || p >= s.size()) return false;
    const char* units = in_time ? time_units : date_units;
    const char* u = std::strchr(units, s[p]);
    if (!u || s[p] == 0) return false;
    int idx = static_cast<int>(u - units);
    if (idx <= last) return false;
    last = idx;
    any = true;
    ++p;
  }
  return any;
}

bool parse_geopoint(const std::string& format, std::string_view s) noexcept {
  auto num = [](std::string_view x, double& d) { return parse_py_decimal(strip(x), d); };
  double lon, lat;
  if (format == "default" || format.empty()) {
    std::size_t c = s.find(',');
    if (c == std::string_view::npos || s.find(',', c + 1) != std::string_view::npos) return false;
    if (!num(s.substr(0, c), lon) || !num(s.substr(c + 1), lat)) return false;
  } else if (format == "array") {
    std::string_view t = strip(s);
    if (t.size() < 2 || t.front() != '[' || t.back() != ']') return false;
    t = t.substr(1, t.size() - 2);
    std::size_t c = t.find(',');
    if (c == std::string_view::npos || t.find(',', c + 1) != std::string_view::npos) return false;
    if (!num(t.substr(0, c), lon) || !num(t.substr(c + 1), lat)) return false;
  } else if (format == "object") {
    // {"lon": x, "lat": y} in either order
    std::string_view t = strip(s);
    if (t.size() < 2 || t.front() != '{' || t.back() != '}') return false;
    t = t.substr(1, t.size() - 2);
    std::size_t c = t.find(',');
    if (c == std::string_view::npos || t.find(',', c + 1) != std::string_view::npos) return false;
    bool got_lon = false, got_lat = false;
    for (std::string_view part : {t.substr(0, c), t.substr(c + 1)}) {
      std::size_t colon = part.find(':');
      if (colon == std::string_view::npos) return false;
      std::string_view key = strip(part.substr(0, colon));
      double v;
      if (!num(part.substr(colon + 1), v)) return false;
      if (key == "\"lon\"") lon = v, got_lon = true;
      else if (key == "\"lat\"") lat = v, got_lat = true;
      else return false;
    }
    if (!got_lon || !got_lat) return false;
  } else {
    return false;
  }
  return lon >= -180 && lon <= 180 && lat >= -90 && lat <= 90;
}

bool check_string_format(const std::string& format, std::string_view s) noexcept {
  if (format == "default" || format.empty()) return true;
  if (format == "email") {
    std::size_t at = s.rfind('@');
    if (at == std::string_view::npos || at == 0 || at + 1 >= s.size()) return false;
    std::string_view local = s.substr(0, at), domain = s.substr(at + 1);
    if (local.size() > 64 || local.front() == '.' || local.back() == '.') return false;
    for (char c : local)
      if (space(c) || c == '@' || c == '"' || c == '(' || c == ')' || c == ',' || c == ':' || c == ';' ||
          c == '<' || c == '>' || c == '[' || c == ']' || c == '\\')
        return false;
    std::size_t dot = domain.rfind('.');
    if (dot == std::string_view::npos || dot + 2 > domain.size()) return false;
    std::size_t label = 0;
    for (std::size_t i = 0; i < domain.size(); ++i) {
      char c = domain[i];
      if (c == '.') {
        if (label == 0 || domain[i - 1] == '-') return false;
        label = 0;
        continue;
      }
      bool ok = digit(c) || (lower(c) >= 'a' && lower(c) <= 'z') || c == '-' || static_cast<unsigned char>(c) >= 0x80;
      if (!ok || (label == 0 && c == '-')) return false;
      ++label;
    }
    for (std::size_t i = dot + 1; i < domain.size(); ++i)
      if (digit(domain[i])) return false;
    return label > 0;
  }
  if (format == "uri") {
    std::size_t colon = s.find(':');
    if (colon == std::string_view::npos || colon == 0) return false;
    if (!(lower(s[0]) >= 'a' && lower(s[0]) <= 'z')) return false;
    for (std::size_t i = 1; i < colon; ++i) {
      char c = lower(s[i]);
      if (!((c >= 'a' && c <= 'z') || digit(c) || c == '+' || c == '-' || c == '.')) return false;
    }
    for (char c : s)
      if (space(c) || c == '<' || c == '>' || c == '"' || c == '{' || c == '}' || c == '|' || c == '\\' ||
          c == '^' || c == '`')
        return false;
    return true;
  }
  if (format == "uuid") {
    std::string_view t = s;
    if (t.size() == 36) {
      for (std::size_t i = 0; i < 36; ++i) {
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? t[i] != '-' : !hex(t[i])) return false;
      }
      return true;
    }
    if (t.size() == 32) {
      for (char c : t)
        if (!hex(c)) return false;
      return true;
    }
    return false;
  }
  if (format == "binary") {
    // Python's b64decode (non-strict): drops characters outside the alphabet, then needs
    // correct padding.
    std::size_t n = 0, pad = 0;
    for (char c : s) {
      bool alpha = digit(c) || (lower(c) >= 'a' && lower(c) <= 'z') || c == '+' || c == '/';
      if (c == '=') ++pad;
      else if (alpha) {
        if (pad) return false;
        ++n;
      }
    }
    return (n + pad) % 4 == 0 || (pad == 0 && n % 4 == 0);
  }
  return true;
}

}  // namespace civitas::schema::detail
