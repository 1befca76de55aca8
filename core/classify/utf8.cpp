// The UTF-8 check of the encoding guess (see utf8.hpp): a byte-by-byte reference, and a
// vector check of whole 64-byte blocks (AVX-512 BW or AVX2, chosen at run time) that hands the
// last character and the rest of the text to the reference.
//
// The vector check follows the lookup method of Keiser and Lemire ("Validating UTF-8 in less
// than one instruction per byte", 2021): every pair of adjacent bytes is classified by three
// 16-entry tables (high and low nibble of the first byte, high nibble of the second); the AND of
// the three lookups has an error bit set when the pair is one of the forbidden ones; and a
// continuation byte that follows a continuation byte must be the third or fourth byte of a
// sequence, i.e. two bytes after a lead E0..FF or three after F0..FF. The tables here are built
// from the rule of this module (which accepts overlong three- and four-byte forms, unlike the
// paper's), plus one stricter check (F0 80..8F rejected) so that no four-byte form of a
// surrogate passes; whatever the vector check rejects is decided by the reference.
#include "utf8.hpp"

#include <array>
#include <atomic>
#include <bit>
#include <cstdint>
#include <cstring>

#include "lexicon.hpp"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define CIVITAS_UTF8_AVX2 1
#endif

namespace civitas::classify::detail {
namespace {

#ifdef CIVITAS_UTF8_AVX2
// Error bits of a pair (previous byte, byte).
constexpr std::uint8_t kTooShort = 1;    // a lead byte not followed by a continuation byte
constexpr std::uint8_t kTooLong = 2;     // an ASCII byte followed by a continuation byte
constexpr std::uint8_t kOverlong2 = 4;   // C0, C1 followed by a continuation byte
constexpr std::uint8_t kSurrogate = 8;   // ED A0..BF
constexpr std::uint8_t kBadLead = 16;    // F5..FF followed by a continuation byte
constexpr std::uint8_t kOverlong4 = 32;  // F0 80..8F (stricter than the rule: see above)
constexpr std::uint8_t kTwoConts = 128;  // a continuation byte after a continuation byte

struct PairTables {
  std::array<std::uint8_t, 16> hi1{}, lo1{}, hi2{};
};

// Sets of nibble values as 16-bit masks.
constexpr std::uint16_t nibbles(unsigned from, unsigned to) {
  std::uint16_t m = 0;
  for (unsigned v = from; v <= to; ++v) m = static_cast<std::uint16_t>(m | (1u << v));
  return m;
}

constexpr PairTables make_pair_tables() {
  PairTables t;
  auto rule = [&t](std::uint8_t bit, std::uint16_t hi1, std::uint16_t lo1, std::uint16_t hi2) {
    for (unsigned v = 0; v < 16; ++v) {
      if ((hi1 >> v) & 1u) t.hi1[v] = static_cast<std::uint8_t>(t.hi1[v] | bit);
      if ((lo1 >> v) & 1u) t.lo1[v] = static_cast<std::uint8_t>(t.lo1[v] | bit);
      if ((hi2 >> v) & 1u) t.hi2[v] = static_cast<std::uint8_t>(t.hi2[v] | bit);
    }
  };
  const std::uint16_t any = nibbles(0, 15), ascii = nibbles(0, 7), cont = nibbles(8, 11), lead = nibbles(12, 15);
  rule(kTooShort, lead, any, static_cast<std::uint16_t>(ascii | lead));
  rule(kTooLong, ascii, any, cont);
  rule(kOverlong2, nibbles(12, 12), nibbles(0, 1), cont);
  rule(kSurrogate, nibbles(14, 14), nibbles(13, 13), nibbles(10, 11));
  rule(kBadLead, nibbles(15, 15), nibbles(5, 15), cont);
  rule(kOverlong4, nibbles(15, 15), nibbles(0, 0), nibbles(8, 8));
  rule(kTwoConts, cont, any, cont);
  return t;
}
constexpr PairTables kPairs = make_pair_tables();

__attribute__((target("avx2"))) inline __m256i pair_errors(__m256i cur, __m256i prev, __m256i t_hi1, __m256i t_lo1,
                                                           __m256i t_hi2) {
  const __m256i low4 = _mm256_set1_epi8(0x0F);
  // The bytes one, two and three places before each byte of cur (from prev's last bytes).
  const __m256i joined = _mm256_permute2x128_si256(prev, cur, 0x21);
  const __m256i p1 = _mm256_alignr_epi8(cur, joined, 15);
  const __m256i p2 = _mm256_alignr_epi8(cur, joined, 14);
  const __m256i p3 = _mm256_alignr_epi8(cur, joined, 13);
  const __m256i a = _mm256_shuffle_epi8(t_hi1, _mm256_and_si256(_mm256_srli_epi16(p1, 4), low4));
  const __m256i b = _mm256_shuffle_epi8(t_lo1, _mm256_and_si256(p1, low4));
  const __m256i c = _mm256_shuffle_epi8(t_hi2, _mm256_and_si256(_mm256_srli_epi16(cur, 4), low4));
  const __m256i special = _mm256_and_si256(_mm256_and_si256(a, b), c);
  // 0x80 where the byte must be a third or fourth byte: p2 >= E0 or p3 >= F0.
  const __m256i third = _mm256_subs_epu8(p2, _mm256_set1_epi8(static_cast<char>(0xE0 - 0x80)));
  const __m256i fourth = _mm256_subs_epu8(p3, _mm256_set1_epi8(static_cast<char>(0xF0 - 0x80)));
  const __m256i must = _mm256_and_si256(_mm256_or_si256(third, fourth), _mm256_set1_epi8(static_cast<char>(0x80)));
  return _mm256_xor_si256(special, must);
}

__attribute__((target("avx2"))) std::size_t prefix_avx2(const unsigned char* p, std::size_t n) noexcept {
  // (no lambda here: it would not have the target attribute)
  const __m256i t_hi1 = _mm256_broadcastsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(kPairs.hi1.data())));
  const __m256i t_lo1 = _mm256_broadcastsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(kPairs.lo1.data())));
  const __m256i t_hi2 = _mm256_broadcastsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(kPairs.hi2.data())));
  __m256i prev = _mm256_setzero_si256();
  std::size_t i = 0;
  while (i + 64 <= n) {
    const __m256i x = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + i));
    const __m256i y = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + i + 32));
    const __m256i err = _mm256_or_si256(pair_errors(x, prev, t_hi1, t_lo1, t_hi2), pair_errors(y, x, t_hi1, t_lo1, t_hi2));
    if (!_mm256_testz_si256(err, err)) break;
    prev = y;
    i += 64;
  }
  return i;
}

// The same with AVX-512 (BW): 64 bytes a vector; the bytes before each byte from the previous
// vector's last 16-byte lane (valignq) and per-lane byte shifts.
__attribute__((target("avx512f,avx512bw"))) inline __m512i pair_errors512(__m512i cur, __m512i prev, __m512i t_hi1,
                                                                         __m512i t_lo1, __m512i t_hi2) {
  const __m512i low4 = _mm512_set1_epi8(0x0F);
  // (the zero-masking forms here and below: GCC 12 warns of the unmasked forms' undefined source)
  const __m512i joined = _mm512_maskz_alignr_epi64(0xFF, cur, prev, 6);  // prev's last lane, cur's first three
  const __m512i p1 = _mm512_alignr_epi8(cur, joined, 15);
  const __m512i p2 = _mm512_alignr_epi8(cur, joined, 14);
  const __m512i p3 = _mm512_alignr_epi8(cur, joined, 13);
  const __m512i a = _mm512_shuffle_epi8(t_hi1, _mm512_and_si512(_mm512_srli_epi16(p1, 4), low4));
  const __m512i b = _mm512_shuffle_epi8(t_lo1, _mm512_and_si512(p1, low4));
  const __m512i c = _mm512_shuffle_epi8(t_hi2, _mm512_and_si512(_mm512_srli_epi16(cur, 4), low4));
  const __m512i special = _mm512_and_si512(_mm512_and_si512(a, b), c);
  const __m512i third = _mm512_subs_epu8(p2, _mm512_set1_epi8(static_cast<char>(0xE0 - 0x80)));
  const __m512i fourth = _mm512_subs_epu8(p3, _mm512_set1_epi8(static_cast<char>(0xF0 - 0x80)));
  const __m512i must = _mm512_and_si512(_mm512_or_si512(third, fourth), _mm512_set1_epi8(static_cast<char>(0x80)));
  return _mm512_xor_si512(special, must);
}

__attribute__((target("avx512f,avx512bw"))) std::size_t prefix_avx512(const unsigned char* p, std::size_t n) noexcept {
  const __m512i t_hi1 = _mm512_maskz_broadcast_i32x4(0xFFFF, _mm_loadu_si128(reinterpret_cast<const __m128i*>(kPairs.hi1.data())));
  const __m512i t_lo1 = _mm512_maskz_broadcast_i32x4(0xFFFF, _mm_loadu_si128(reinterpret_cast<const __m128i*>(kPairs.lo1.data())));
  const __m512i t_hi2 = _mm512_maskz_broadcast_i32x4(0xFFFF, _mm_loadu_si128(reinterpret_cast<const __m128i*>(kPairs.hi2.data())));
  __m512i prev = _mm512_setzero_si512();
  std::size_t i = 0;
  // Two vectors a step, then one.
  while (i + 128 <= n) {
    const __m512i x = _mm512_loadu_si512(p + i);
    const __m512i y = _mm512_loadu_si512(p + i + 64);
    const __m512i err = _mm512_or_si512(pair_errors512(x, prev, t_hi1, t_lo1, t_hi2), pair_errors512(y, x, t_hi1, t_lo1, t_hi2));
    if (_mm512_test_epi64_mask(err, err) != 0) {
      // The prefix ends before the first of the two with an error.
      const __m512i ex = pair_errors512(x, prev, t_hi1, t_lo1, t_hi2);
      return _mm512_test_epi64_mask(ex, ex) != 0 ? i : i + 64;
    }
    prev = y;
    i += 128;
  }
  if (i + 64 <= n) {
    const __m512i x = _mm512_loadu_si512(p + i);
    const __m512i err = pair_errors512(x, prev, t_hi1, t_lo1, t_hi2);
    if (_mm512_test_epi64_mask(err, err) == 0) i += 64;
  }
  return i;
}

bool have_avx512bw() noexcept {
  static const bool yes = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") != 0 && __builtin_cpu_supports("avx512bw") != 0;
  }();
  return yes;
}
#endif

}  // namespace


namespace {
std::atomic<int> g_vector_limit{2};
}  // namespace

bool cpu_avx2() noexcept {
#ifdef CIVITAS_UTF8_AVX2
  static const bool yes = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") != 0;
  }();
  return yes && g_vector_limit.load(std::memory_order_relaxed) >= 1;
#else
  return false;
#endif
}

bool cpu_avx512_vbmi() noexcept {
#ifdef CIVITAS_UTF8_AVX2
  static const bool yes = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") != 0 && __builtin_cpu_supports("avx512bw") != 0 &&
           __builtin_cpu_supports("avx512vbmi") != 0;
  }();
  return yes && g_vector_limit.load(std::memory_order_relaxed) >= 2;
#else
  return false;
#endif
}

bool vector_code_on() noexcept { return g_vector_limit.load(std::memory_order_relaxed) >= 1; }

void set_vector_limit(int level) noexcept { g_vector_limit.store(level, std::memory_order_relaxed); }

std::size_t utf8_vector_prefix(std::string_view s) noexcept {
#ifdef CIVITAS_UTF8_AVX2
  if (s.size() >= 64 && cpu_avx2()) {
    const auto* p = reinterpret_cast<const unsigned char*>(s.data());
    return have_avx512bw() && g_vector_limit.load(std::memory_order_relaxed) >= 2 ? prefix_avx512(p, s.size())
                                                                                  : prefix_avx2(p, s.size());
  }
#endif
  (void)s;
  return 0;
}

bool valid_utf8(std::string_view s) noexcept {
  const std::size_t b = utf8_vector_prefix(s);
  std::size_t from = 0;
  if (b > 0) {
    // The start of the last character that begins before b: a byte that is not a continuation
    // byte, at most three bytes back from b - 1 in the checked prefix.
    const auto* p = reinterpret_cast<const unsigned char*>(s.data());
    from = b - 1;
    while (from > 0 && b - from < 4 && (p[from] & 0xC0) == 0x80) --from;
  }
  return valid_utf8_scalar(s, from);
}

bool valid_utf8_scalar(std::string_view s, std::size_t from) noexcept {
  std::size_t i = from;
  const std::size_t n = s.size();
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  while (i < n) {
    // Fast paths for what the slow path below accepts with the same length, each in a tight
    // loop of its own: ASCII (eight bytes at a time), and runs of three-byte sequences with a
    // lead E0..EF other than ED (ED may start a surrogate) and two continuation bytes.
    for (;;) {
      while (i + 8 <= n) {
        std::uint64_t w;
        std::memcpy(&w, p + i, 8);
        if (w & 0x8080808080808080ull) break;
        i += 8;
      }
      while (i + 3 <= n && p[i] < 0x80) ++i;
      bool three = false;
      if constexpr (std::endian::native == std::endian::little) {
        // Two three-byte sequences per eight-byte load (bytes 0-5: lead, two continuations, twice).
        while (i + 8 <= n) {
          std::uint64_t w;
          std::memcpy(&w, p + i, 8);
          if ((w & 0x0000C0C0F0C0C0F0ull) != 0x00008080E08080E0ull || (w & 0xFF) == 0xED || ((w >> 24) & 0xFF) == 0xED) break;
          i += 6;
          three = true;
        }
      }
      while (i + 3 <= n) {
        const unsigned b0 = p[i];
        if ((b0 & 0xF0) != 0xE0 || b0 == 0xED || (p[i + 1] & 0xC0) != 0x80 || (p[i + 2] & 0xC0) != 0x80) break;
        i += 3;
        three = true;
      }
      if (i + 3 > n) break;
      if (p[i] < 0x80) continue;
      if (!three) break;
    }
    if (i >= n) break;
    if (p[i] < 0x80) {
      ++i;
      continue;
    }
    std::size_t len = 1;
    char32_t c = decode_utf8(s, i, &len);
    if (c == 0xFFFD && len == 1) {
      // A sequence cut at the very end is allowed (segments end anywhere).
      std::size_t k = p[i] >= 0xF0 ? 4 : p[i] >= 0xE0 ? 3 : p[i] >= 0xC2 ? 2 : 0;
      if (k && i + k > n) {
        bool cont = true;
        for (std::size_t j = i + 1; j < n; ++j) cont = cont && (p[j] & 0xC0) == 0x80;
        if (cont) return true;
      }
      return false;
    }
    if (c >= 0xD800 && c <= 0xDFFF) return false;
    i += len;
  }
  return true;
}

}  // namespace civitas::classify::detail
