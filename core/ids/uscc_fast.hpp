// Internal: the USCC hot path. For 18 bytes that are all characters of the USCC code alphabet
// (so already in normalised form) it applies exactly the rules of uscc_rules() in
// validate.cpp, in the same order, with SSE2 where available (baseline on x86-64).
// Anything else — lower case, separators, full-width forms, other characters — returns -1
// and takes the general path (normalise, then uscc_rules()).
#pragma once

#include <cstdint>

#include "tables.hpp"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace civitas::ids::detail {

/// Weighted sum of the USCC body, the GB 11714 sum of positions 9-16, the digit mask of the
/// first 16 characters; false when a character is outside the code alphabet.
struct UsccSums {
  int sum;       ///< sum of value(s[i]) * kUsccWeights[i], i < 17
  int org_sum;   ///< sum of alnum(s[8 + i]) * kOrgWeights[i], i < 8
  unsigned digit_mask;  ///< bit i set when s[i] is a digit, i < 16
};

#if defined(__SSE2__)
inline bool uscc_sums(const char* p, UsccSums* out) noexcept {
  const int v16 = kUsccValue[static_cast<unsigned char>(p[16])];
  const int v17 = kUsccValue[static_cast<unsigned char>(p[17])];
  if ((v16 | v17) < 0) return false;
  const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  auto set = [](char c) { return _mm_set1_epi8(c); };
  // Signed byte compares: bytes >= 0x80 are negative and fall outside every range.
  const __m128i digit = _mm_and_si128(_mm_cmpgt_epi8(x, set('0' - 1)), _mm_cmplt_epi8(x, set('9' + 1)));
  const __m128i letter = _mm_and_si128(_mm_cmpgt_epi8(x, set('A' - 1)), _mm_cmplt_epi8(x, set('Y' + 1)));
  const __m128i excluded = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, set('I')), _mm_cmpeq_epi8(x, set('O'))),
                                        _mm_or_si128(_mm_cmpeq_epi8(x, set('S')), _mm_cmpeq_epi8(x, set('V'))));
  const __m128i ok = _mm_andnot_si128(excluded, _mm_or_si128(digit, letter));
  if (_mm_movemask_epi8(ok) != 0xFFFF) return false;
  // GB 11714 value: digits 0-9, letters A=10 … Z=35.
  const __m128i alnum = _mm_sub_epi8(_mm_sub_epi8(x, set('0')), _mm_and_si128(letter, set(7)));
  // Code-alphabet value: one less for each of I O S V below the letter (compares give -1).
  const __m128i below = _mm_add_epi8(_mm_add_epi8(_mm_cmpgt_epi8(x, set('I')), _mm_cmpgt_epi8(x, set('O'))),
                                     _mm_add_epi8(_mm_cmpgt_epi8(x, set('S')), _mm_cmpgt_epi8(x, set('V'))));
  const __m128i value = _mm_add_epi8(alnum, below);
  const __m128i zero = _mm_setzero_si128();
  const __m128i w_lo = _mm_setr_epi16(1, 3, 9, 27, 19, 26, 16, 17);
  const __m128i w_hi = _mm_setr_epi16(20, 29, 25, 13, 8, 24, 10, 30);
  const __m128i w_org = _mm_setr_epi16(3, 7, 9, 10, 5, 8, 4, 2);
  __m128i s = _mm_add_epi32(_mm_madd_epi16(_mm_unpacklo_epi8(value, zero), w_lo),
                            _mm_madd_epi16(_mm_unpackhi_epi8(value, zero), w_hi));
  __m128i o = _mm_madd_epi16(_mm_unpackhi_epi8(alnum, zero), w_org);
  // Horizontal sums of both: interleave so that one pair of shuffles serves both.
  __m128i so = _mm_add_epi32(_mm_unpacklo_epi64(s, o), _mm_unpackhi_epi64(s, o));  // s0+s2 s1+s3 o0+o2 o1+o3
  so = _mm_add_epi32(so, _mm_shuffle_epi32(so, 0xB1));                            // s, s, o, o
  out->sum = _mm_cvtsi128_si32(so) + v16 * kUsccWeights[16];
  out->org_sum = _mm_cvtsi128_si32(_mm_shuffle_epi32(so, 0x02));
  out->digit_mask = static_cast<unsigned>(_mm_movemask_epi8(digit));
  return true;
}
#else
inline bool uscc_sums(const char* p, UsccSums* out) noexcept {
  int v[18];
  int any_bad = 0;
  for (int i = 0; i < 18; ++i) {
    v[i] = kUsccValue[static_cast<unsigned char>(p[i])];
    any_bad |= v[i];
  }
  if (any_bad < 0) return false;
  int sum = 0, org = 0;
  unsigned digits = 0;
  for (int i = 0; i < 17; ++i) sum += v[i] * kUsccWeights[i];
  for (int i = 0; i < 8; ++i) org += kAlnumValue[static_cast<unsigned char>(p[8 + i])] * kOrgWeights[i];
  for (int i = 0; i < 16; ++i) digits |= static_cast<unsigned>(v[i] < 10) << i;
  *out = UsccSums{sum, org, digits};
  return true;
}
#endif

}  // namespace civitas::ids::detail
