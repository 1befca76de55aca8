// Column transforms that need no key: mask, top/bottom coding, microaggregation, and the
// number reading and writing they share (docs/formats/deid-actions.md).
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <numeric>

#include "civitas/deid.hpp"

namespace civitas::deid {

namespace {

Location where(const ColumnContext& ctx, std::size_t i) {
  Location l;
  l.row = ctx.first_row + i;
  l.field = ctx.field;
  return l;
}

/// Length of the UTF-8 sequence at s[i] (no overlongs, surrogates or values above
/// U+10FFFF), or 0 when it is not well-formed.
inline std::size_t seq_len(std::string_view s, std::size_t i) noexcept {
  const auto b = static_cast<unsigned char>(s[i]);
  if (b < 0x80) return 1;
  std::size_t n = b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
  if (!n || i + n > s.size()) return 0;
  for (std::size_t k = 1; k < n; ++k)
    if ((static_cast<unsigned char>(s[i + k]) & 0xc0) != 0x80) return 0;
  if (n >= 3) {
    const auto c1 = static_cast<unsigned char>(s[i + 1]);
    if ((b == 0xe0 && c1 < 0xa0) || (b == 0xed && c1 >= 0xa0) || (b == 0xf0 && c1 < 0x90) || (b == 0xf4 && c1 >= 0x90))
      return 0;
  }
  return n;
}

/// Masks v into out (cleared first). Returns the byte offset of the first bad UTF-8 byte, or
/// npos when v is valid.
std::size_t mask_into(std::string_view v, std::size_t kf, std::size_t kl, std::string_view mc, std::string& out) {
  out.clear();
  // Fast path: ASCII value, one-byte mask character.
  bool ascii = true;
  for (unsigned char c : v)
    if (c >= 0x80) {
      ascii = false;
      break;
    }
  if (ascii) {
    out.assign(v);
    const std::size_t n = v.size();
    if (n <= kf + kl) {
      if (mc.size() == 1) {
        std::fill(out.begin(), out.end(), mc[0]);
      } else {
        out.clear();
        for (std::size_t i = 0; i < n; ++i) out.append(mc);
      }
      return std::string_view::npos;
    }
    if (mc.size() == 1) {
      std::fill(out.begin() + static_cast<std::ptrdiff_t>(kf), out.end() - static_cast<std::ptrdiff_t>(kl), mc[0]);
    } else {
      out.assign(v.substr(0, kf));
      for (std::size_t i = kf; i < n - kl; ++i) out.append(mc);
      out.append(v.substr(n - kl));
    }
    return std::string_view::npos;
  }
  // General path: find the code point boundaries (validating as we go).
  std::size_t chars = 0;
  for (std::size_t i = 0; i < v.size();) {
    std::size_t l = seq_len(v, i);
    if (!l) return i;
    i += l;
    ++chars;
  }
  if (chars <= kf + kl) {
    for (std::size_t i = 0; i < chars; ++i) out.append(mc);
    return std::string_view::npos;
  }
  std::size_t i = 0;
  for (std::size_t c = 0; c < kf; ++c) i += seq_len(v, i);
  out.append(v.substr(0, i));
  const std::size_t masked = chars - kf - kl;
  for (std::size_t c = 0; c < masked; ++c) {
    i += seq_len(v, i);
    out.append(mc);
  }
  out.append(v.substr(i));
  return std::string_view::npos;
}

void check_mask_char(std::string_view mc) {
  if (mc.empty() || seq_len(mc, 0) != mc.size())
    throw Error(Code::invalid_argument, "the mask character must be exactly one UTF-8 character");
}

[[noreturn]] void not_number(const ColumnContext& ctx, std::size_t i, std::string_view v) {
  std::string shown(v.substr(0, 40));
  for (char& c : shown)
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x80) c = '?';
  throw Error(Code::invalid_data,
              "not a number: \"" + shown + (v.size() > 40 ? "…" : "") + "\" (numeric actions take decimal numbers)",
              where(ctx, i));
}

}  // namespace

std::string mask_value(std::string_view value, std::size_t keep_first, std::size_t keep_last,
                       std::string_view mask_char) {
  check_mask_char(mask_char);
  std::string out;
  std::size_t bad = mask_into(value, keep_first, keep_last, mask_char, out);
  if (bad != std::string_view::npos) {
    Location l;
    l.offset = bad;
    throw Error(Code::invalid_data, "the value is not valid UTF-8", l);
  }
  return out;
}

void mask_column(std::vector<std::string>& values, std::size_t keep_first, std::size_t keep_last,
                 std::string_view mask_char, const ColumnContext& ctx) {
  check_mask_char(mask_char);
  std::string buf;
  const bool simple = mask_char.size() == 1;
  for (std::size_t i = 0; i < values.size(); ++i) {
    std::string& v = values[i];
    if (v.empty()) continue;
    if (simple) {
      // In place when the value is ASCII (the common case: phone numbers, ids, codes).
      bool ascii = true;
      for (unsigned char c : v) ascii &= c < 0x80;
      if (ascii) {
        const std::size_t n = v.size();
        if (n <= keep_first + keep_last)
          std::fill(v.begin(), v.end(), mask_char[0]);
        else
          std::fill(v.begin() + static_cast<std::ptrdiff_t>(keep_first), v.end() - static_cast<std::ptrdiff_t>(keep_last),
                    mask_char[0]);
        continue;
      }
    }
    std::size_t bad = mask_into(v, keep_first, keep_last, mask_char, buf);
    if (bad != std::string_view::npos) {
      Location l = where(ctx, i);
      l.offset = bad;
      throw Error(Code::invalid_data, "the value is not valid UTF-8", l);
    }
    v.swap(buf);
  }
}

std::optional<double> parse_number(std::string_view s) noexcept {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  if (s.empty()) return std::nullopt;
  bool plus = false;
  if (s.front() == '+') {
    plus = true;
    s.remove_prefix(1);
  }
  if (s.empty() || s.front() == '+' || (plus && s.front() == '-')) return std::nullopt;
  // Decimal only: no "inf", "nan", hex.
  for (char c : s)
    if (!((c >= '0' && c <= '9') || c == '.' || c == '-' || c == 'e' || c == 'E' || c == '+')) return std::nullopt;
  double v = 0;
  auto r = std::from_chars(s.data(), s.data() + s.size(), v, std::chars_format::general);
  if (r.ec != std::errc() || r.ptr != s.data() + s.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

std::string format_number(double v, int decimals) {
  if (v == 0) v = 0;  // no "-0"
  char buf[512];
  if (decimals >= 0) {
    int n = std::snprintf(buf, sizeof buf, "%.*f", std::min(decimals, 15), v);
    std::string s(buf, static_cast<std::size_t>(n > 0 ? std::min<int>(n, sizeof buf - 1) : 0));
    if (s.size() > 1 && s[0] == '-' && s.find_first_not_of("-0.") == std::string::npos) s.erase(0, 1);
    return s;
  }
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

void top_bottom_column(std::vector<std::string>& values, std::optional<double> bottom, std::optional<double> top,
                       int decimals, const ColumnContext& ctx) {
  if (bottom && top && *bottom > *top) throw Error(Code::invalid_argument, "bottom is greater than top");
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (values[i].empty()) continue;
    auto x = parse_number(values[i]);
    if (!x) not_number(ctx, i, values[i]);
    double y = *x;
    if (bottom && y < *bottom) y = *bottom;
    if (top && y > *top) y = *top;
    if (y != *x || decimals >= 0) values[i] = format_number(y, decimals);
  }
}

void microaggregate_column(std::vector<std::string>& values, std::size_t k, bool median, int decimals,
                           const ColumnContext& ctx) {
  if (k < 1) throw Error(Code::invalid_argument, "microaggregation needs groups of at least 1");
  std::vector<std::pair<double, std::size_t>> xs;
  xs.reserve(values.size());
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (values[i].empty()) continue;
    auto x = parse_number(values[i]);
    if (!x) not_number(ctx, i, values[i]);
    xs.emplace_back(*x, i);
  }
  std::sort(xs.begin(), xs.end());
  const std::size_t n = xs.size();
  for (std::size_t b = 0; b < n;) {
    // Groups of k; the last takes the remainder (k..2k-1 values), so that none is smaller than k.
    std::size_t e = b + k;
    if (e > n || n - e < k) e = n;
    double agg = 0;
    if (median) {
      const std::size_t m = e - b;
      agg = m % 2 ? xs[b + m / 2].first : (xs[b + m / 2 - 1].first + xs[b + m / 2].first) / 2;
    } else {
      // Kahan-free but stable enough: mean of the group with long double accumulation.
      long double s = 0;
      for (std::size_t i = b; i < e; ++i) s += xs[i].first;
      agg = static_cast<double>(s / static_cast<long double>(e - b));
    }
    std::string text = format_number(agg, decimals);
    for (std::size_t i = b; i < e; ++i) values[xs[i].second] = text;
    b = e;
  }
}

}  // namespace civitas::deid
