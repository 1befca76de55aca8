// Secure discrete noise for differential privacy (docs/dp.md, "Noise"): Bernoulli(p),
// Bernoulli(exp(-gamma)), the discrete Laplace and the discrete Gaussian samplers of Canonne,
// Kamath and Steinke, "The Discrete Gaussian for Differential Privacy" (NeurIPS 2020),
// Algorithms 1-3, in exact integer arithmetic over uniformly random bits from libsodium.
#include <sodium.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "civitas/deid.hpp"

namespace civitas::deid {
namespace {

using u128 = unsigned __int128;

// ---- a small unsigned big integer (little-endian 32-bit limbs), for the Gaussian's gamma ----
struct Big {
  std::vector<std::uint32_t> l;
  Big() = default;
  explicit Big(u128 v) {
    while (v) {
      l.push_back(static_cast<std::uint32_t>(v));
      v >>= 32;
    }
  }
  void trim() {
    while (!l.empty() && l.back() == 0) l.pop_back();
  }
  bool zero() const { return l.empty(); }
  std::size_t bits() const {
    if (l.empty()) return 0;
    std::size_t b = 32 * (l.size() - 1);
    std::uint32_t t = l.back();
    while (t) {
      ++b;
      t >>= 1;
    }
    return b;
  }
};

int cmp(const Big& a, const Big& b) {
  if (a.l.size() != b.l.size()) return a.l.size() < b.l.size() ? -1 : 1;
  for (std::size_t i = a.l.size(); i-- > 0;)
    if (a.l[i] != b.l[i]) return a.l[i] < b.l[i] ? -1 : 1;
  return 0;
}

Big mul(const Big& a, const Big& b) {
  Big r;
  if (a.zero() || b.zero()) return r;
  r.l.assign(a.l.size() + b.l.size(), 0);
  for (std::size_t i = 0; i < a.l.size(); ++i) {
    std::uint64_t carry = 0;
    for (std::size_t j = 0; j < b.l.size(); ++j) {
      std::uint64_t cur = static_cast<std::uint64_t>(a.l[i]) * b.l[j] + r.l[i + j] + carry;
      r.l[i + j] = static_cast<std::uint32_t>(cur);
      carry = cur >> 32;
    }
    std::size_t k = i + b.l.size();
    while (carry) {
      std::uint64_t cur = static_cast<std::uint64_t>(r.l[k]) + carry;
      r.l[k++] = static_cast<std::uint32_t>(cur);
      carry = cur >> 32;
    }
  }
  r.trim();
  return r;
}

void sub_in_place(Big& a, const Big& b) {  // a >= b
  std::int64_t borrow = 0;
  for (std::size_t i = 0; i < a.l.size(); ++i) {
    std::int64_t cur = static_cast<std::int64_t>(a.l[i]) - borrow - (i < b.l.size() ? b.l[i] : 0);
    borrow = cur < 0;
    if (cur < 0) cur += (std::int64_t{1} << 32);
    a.l[i] = static_cast<std::uint32_t>(cur);
  }
  a.trim();
}

Big uniform_below(DpRandom& rng, const Big& n) {  // n > 0
  const std::size_t k = n.bits();
  const std::size_t limbs = (k + 31) / 32;
  for (;;) {
    Big r;
    r.l.resize(limbs);
    for (std::size_t i = 0; i < limbs; ++i) r.l[i] = static_cast<std::uint32_t>(rng.next64());
    if (k % 32) r.l.back() &= (std::uint32_t{1} << (k % 32)) - 1;
    r.trim();
    if (cmp(r, n) < 0) return r;
  }
}

u128 uniform128(DpRandom& rng, u128 n) {  // n > 0
  if (n <= std::numeric_limits<std::uint64_t>::max()) return rng.uniform(static_cast<std::uint64_t>(n));
  int k = 128;
  while (!((n >> (k - 1)) & 1)) --k;
  for (;;) {
    u128 r = (static_cast<u128>(rng.next64()) << 64) | rng.next64();
    if (k < 128) r &= (static_cast<u128>(1) << k) - 1;
    if (r < n) return r;
  }
}

// Bernoulli(exp(-n/d)) for n <= d (Algorithm 1, gamma in [0, 1]): K = 1, 2, … while
// Bernoulli(gamma / K) succeeds; the result is whether the final K is odd.
bool bexp_le1(DpRandom& rng, u128 n, u128 d) {
  for (std::uint64_t k = 1;; ++k) {
    // d * k < 2^128 holds for d < 2^96 and k < 2^32 (P[K > 20] < 1/20!); past that, big integers
    if (d >= (static_cast<u128>(1) << 96) || k >= (std::uint64_t{1} << 32)) {
      Big dk = mul(Big(d), Big(k));
      if (!(cmp(uniform_below(rng, dk), Big(n)) < 0)) return k % 2 == 1;
      continue;
    }
    if (!(uniform128(rng, d * k) < n)) return k % 2 == 1;
  }
}

bool bexp_le1_big(DpRandom& rng, const Big& n, const Big& d) {
  for (std::uint64_t k = 1;; ++k) {
    Big dk = mul(d, Big(k));
    if (!(cmp(uniform_below(rng, dk), n) < 0)) return k % 2 == 1;
  }
}

bool bexp1(DpRandom& rng) { return bexp_le1(rng, 1, 1); }

// Bernoulli(exp(-n/d)), any n >= 0: one Bernoulli(exp(-1)) per whole unit of gamma (stopping at
// the first failure), then the fractional part.
bool bexp_big(DpRandom& rng, Big n, const Big& d) {
  while (cmp(n, d) >= 0) {
    sub_in_place(n, d);
    if (!bexp1(rng)) return false;
  }
  return bexp_le1_big(rng, n, d);
}

// Discrete Laplace with scale t/s (Algorithm 2): X = U + tV is geometric with ratio e^(-1/t),
// Y = floor(X / s) geometric with ratio e^(-s/t), a random sign, and -0 rejected.
std::int64_t dlap(DpRandom& rng, u128 t, u128 s) {
  for (;;) {
    const u128 u = uniform128(rng, t);
    if (!bexp_le1(rng, u, t)) continue;
    std::uint64_t v = 0;
    while (bexp1(rng)) ++v;
    const u128 x = u + t * v;  // t < 2^96 (checked by the callers), v < 2^32 in practice
    const u128 y = x / s;
    const bool neg = rng.next64() & 1;
    if (neg && y == 0) continue;
    if (y > static_cast<u128>(std::numeric_limits<std::int64_t>::max()))
      throw Error(Code::internal, "discrete Laplace sample out of range");
    return neg ? -static_cast<std::int64_t>(y) : static_cast<std::int64_t>(y);
  }
}

std::uint64_t isqrt(std::uint64_t x) {
  auto r = static_cast<std::uint64_t>(std::sqrt(static_cast<long double>(x)));
  while (r > 0 && static_cast<u128>(r) * r > x) --r;
  while (static_cast<u128>(r + 1) * (r + 1) <= x) ++r;
  return r;
}

}  // namespace

// ---- DpRandom ----

DpRandom::DpRandom() {
  if (sodium_init() < 0) throw Error(Code::internal, "libsodium could not be initialised");
}

DpRandom::DpRandom(const std::uint8_t (&seed)[32]) : DpRandom() {
  seeded_ = true;
  std::memcpy(key_, seed, sizeof key_);
}

DpRandom::~DpRandom() {
  sodium_memzero(key_, sizeof key_);
  sodium_memzero(buf_, sizeof buf_);
}

void DpRandom::refill() {
  if (seeded_) {
    std::uint8_t nonce[crypto_stream_chacha20_NONCEBYTES] = {};
    for (std::size_t i = 0; i < 8; ++i) nonce[i] = static_cast<std::uint8_t>(counter_ >> (8 * i));
    ++counter_;
    crypto_stream_chacha20(buf_, sizeof buf_, nonce, key_);
  } else {
    randombytes_buf(buf_, sizeof buf_);
  }
  pos_ = 0;
}

std::uint64_t DpRandom::next64() {
  if (pos_ + 8 > sizeof buf_) refill();
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < 8; ++i) v |= static_cast<std::uint64_t>(buf_[pos_ + i]) << (8 * i);
  pos_ += 8;
  return v;
}

std::uint64_t DpRandom::uniform(std::uint64_t n) {
  if (n == 0) throw Error(Code::invalid_argument, "uniform: empty range");
  // reject the top (2^64 mod n) values so that every residue is equally likely
  const std::uint64_t limit = std::numeric_limits<std::uint64_t>::max() - (std::numeric_limits<std::uint64_t>::max() % n + 1) % n;
  for (;;) {
    std::uint64_t v = next64();
    if (v <= limit) return v % n;
  }
}

// ---- samplers ----

bool dp_bernoulli(DpRandom& rng, Rational p) {
  if (p.den == 0 || p.num > p.den) throw Error(Code::invalid_argument, "Bernoulli: p must be in [0, 1] with a non-zero denominator");
  return rng.uniform(p.den) < p.num;
}

bool dp_bernoulli_exp(DpRandom& rng, Rational gamma) {
  if (gamma.den == 0) throw Error(Code::invalid_argument, "Bernoulli(exp(-gamma)): zero denominator");
  if (gamma.num <= gamma.den) return bexp_le1(rng, gamma.num, gamma.den);
  return bexp_big(rng, Big(gamma.num), Big(gamma.den));
}

std::int64_t dp_discrete_laplace(DpRandom& rng, Rational scale) {
  if (scale.den == 0 || scale.num == 0) throw Error(Code::invalid_argument, "discrete Laplace: the scale must be a positive rational");
  if (static_cast<u128>(scale.num) > (static_cast<u128>(scale.den) << 52))
    throw Error(Code::invalid_argument, "discrete Laplace: the scale must be at most 2^52");
  return dlap(rng, scale.num, scale.den);
}

std::int64_t dp_discrete_gaussian(DpRandom& rng, Rational sigma2) {
  if (sigma2.den == 0 || sigma2.num == 0) throw Error(Code::invalid_argument, "discrete Gaussian: sigma^2 must be a positive rational");
  const std::uint64_t n = sigma2.num, d = sigma2.den;
  const std::uint64_t t = isqrt(n / d) + 1;  // floor(sigma) + 1
  // gamma = (|Y| - sigma^2/t)^2 / (2 sigma^2) = (|Y| d t - n)^2 / (2 n d t^2)
  const Big den = mul(mul(Big(2 * static_cast<u128>(n)), Big(d)), mul(Big(t), Big(t)));
  const Big bn(n);
  for (;;) {
    const std::int64_t y = dlap(rng, t, 1);
    const u128 ay = static_cast<u128>(y < 0 ? -static_cast<u128>(y) : static_cast<u128>(y));
    Big a = mul(Big(ay), mul(Big(d), Big(t)));  // |Y| d t
    Big diff;
    if (cmp(a, bn) >= 0) {
      diff = a;
      sub_in_place(diff, bn);
    } else {
      diff = bn;
      sub_in_place(diff, a);
    }
    if (bexp_big(rng, mul(diff, diff), den)) return y;
  }
}

double dp_rho(double epsilon, double delta) {
  if (!(epsilon > 0) || !(delta > 0) || !(delta < 1))
    throw Error(Code::invalid_argument, "the Gaussian mechanism needs epsilon > 0 and 0 < delta < 1");
  const double l = std::log(1 / delta);
  const double r = std::sqrt(epsilon + l) - std::sqrt(l);
  return r * r;
}

}  // namespace civitas::deid

namespace civitas::deid {
/// The discrete Laplace sampler for a scale t/s with numerators up to 2^96 (dp_aggregate.cpp).
std::int64_t dp_discrete_laplace_wide(DpRandom& rng, unsigned __int128 t, unsigned __int128 s) {
  if (t == 0 || s == 0 || t >= (static_cast<unsigned __int128>(1) << 96))
    throw Error(Code::invalid_argument, "discrete Laplace: scale out of range");
  return dlap(rng, t, s);
}
}  // namespace civitas::deid
