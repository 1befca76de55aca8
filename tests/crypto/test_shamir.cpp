// Shamir secret sharing over GF(2^8) (core/crypto/shamir.cpp, docs/formats/escrow-share.md).
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <vector>

#include "civitas/crypto.hpp"
#include "civitas/error.hpp"

using namespace civitas;
namespace c = civitas::crypto;

namespace {

/// Reference product: schoolbook with branches, modulo 0x11b.
unsigned ref_mul(unsigned a, unsigned b) {
  unsigned p = 0;
  while (b) {
    if (b & 1) p ^= a;
    a <<= 1;
    if (a & 0x100) a ^= 0x11b;
    b >>= 1;
  }
  return p;
}

std::vector<std::uint8_t> bytes(const c::SecretBytes& s) { return {s.data(), s.data() + s.size()}; }

std::vector<c::ShamirShare> pick(const std::vector<c::ShamirShare>& all, const std::vector<int>& idx) {
  std::vector<c::ShamirShare> out;
  for (int i : idx) out.push_back(c::ShamirShare{all[static_cast<std::size_t>(i)].x, all[static_cast<std::size_t>(i)].y.clone()});
  return out;
}

}  // namespace

TEST_CASE("gf256: the branch-free product equals the schoolbook product for all 65536 pairs") {
  int wrong = 0;
  for (unsigned a = 0; a < 256; ++a)
    for (unsigned b = 0; b < 256; ++b)
      if (c::gf256_mul(static_cast<std::uint8_t>(a), static_cast<std::uint8_t>(b)) != ref_mul(a, b)) ++wrong;
  CHECK(wrong == 0);
  CHECK(c::gf256_mul(0x57, 0x83) == 0xc1);  // FIPS-197 §4.2
  CHECK(c::gf256_mul(0x53, 0xca) == 0x01);
}

TEST_CASE("gf256: every non-zero element times its inverse is 1; 0 maps to 0") {
  CHECK(c::gf256_inv(0) == 0);
  for (unsigned a = 1; a < 256; ++a) REQUIRE(c::gf256_mul(static_cast<std::uint8_t>(a), c::gf256_inv(static_cast<std::uint8_t>(a))) == 1);
}

TEST_CASE("shamir: every 3-subset of 5 shares rebuilds the secret, every 2-subset does not") {
  c::SecretBytes secret = c::SecretBytes::random(32);
  auto shares = c::shamir_split(secret, 5, 3);
  REQUIRE(shares.size() == 5);
  for (int i = 0; i < 5; ++i) CHECK(shares[static_cast<std::size_t>(i)].x == i + 1);
  int rebuilt = 0, wrong = 0;
  for (int a = 0; a < 5; ++a)
    for (int b = a + 1; b < 5; ++b) {
      if (c::shamir_combine(pick(shares, {a, b})).equals(secret)) ++wrong;
      for (int d = b + 1; d < 5; ++d)
        if (c::shamir_combine(pick(shares, {a, b, d})).equals(secret)) ++rebuilt;
    }
  CHECK(rebuilt == 10);
  CHECK(wrong == 0);  // probability 2^-256 per pair of failing by chance
  CHECK(c::shamir_combine(pick(shares, {4, 0, 2, 3})).equals(secret));  // more than K, any order
  CHECK(c::shamir_combine(pick(shares, {0, 1, 2, 3, 4})).equals(secret));
}

TEST_CASE("shamir: K-1 shares are consistent with every candidate secret (they reveal nothing)") {
  // Two different secrets and two share sets that agree on shares 1 and 2: with K = 3, shares
  // 1 and 2 alone cannot tell the secrets apart. For any candidate, the polynomial through
  // (0, candidate) and the two known shares gives a valid third share.
  c::SecretBytes secret = c::SecretBytes::random(16);
  auto shares = c::shamir_split(secret, 5, 3);
  auto known = pick(shares, {0, 1});
  for (int trial = 0; trial < 4; ++trial) {
    c::SecretBytes candidate = c::SecretBytes::random(16);
    REQUIRE_FALSE(candidate.equals(secret));
    // The polynomial of degree 2 through (0, candidate), (1, y1), (2, y2), evaluated at 3
    // by Lagrange: f(3) = l0(3)·candidate + l1(3)·y1 + l2(3)·y2.
    std::vector<c::ShamirShare> pts = pick(shares, {0, 1});
    const std::uint8_t x0 = 0, x1 = 1, x2 = 2, x = 3;
    auto basis = [&](std::uint8_t xi, std::uint8_t xa, std::uint8_t xb) {
      return c::gf256_mul(c::gf256_mul(x ^ xa, x ^ xb), c::gf256_inv(c::gf256_mul(xi ^ xa, xi ^ xb)));
    };
    c::ShamirShare third{3, c::SecretBytes(16)};
    for (std::size_t b = 0; b < 16; ++b)
      third.y.data()[b] = c::gf256_mul(basis(x0, x1, x2), candidate.data()[b]) ^
                          c::gf256_mul(basis(x1, x0, x2), pts[0].y.data()[b]) ^
                          c::gf256_mul(basis(x2, x0, x1), pts[1].y.data()[b]);
    std::vector<c::ShamirShare> forged = pick(shares, {0, 1});
    forged.push_back(std::move(third));
    CHECK(c::shamir_combine(forged).equals(candidate));  // the same 2 shares, another secret
  }
  CHECK(c::shamir_combine(pick(shares, {0, 1, 2})).equals(secret));
}

TEST_CASE("shamir: with K = 2 one share is uniform whatever the secret (exhaustive over one byte)") {
  // For K = 2 and a secret byte s, share x holds s + a·x for the random coefficient a: for
  // every secret s, the 256 coefficients give each share value exactly once, so a single share
  // says nothing about s. One split per s covers all 256 coefficients (one per secret byte).
  c::SecretBytes coeff(256);
  for (int a = 0; a < 256; ++a) coeff.data()[a] = static_cast<std::uint8_t>(a);
  for (unsigned s = 0; s < 256; ++s) {
    c::SecretBytes sec(256);
    std::fill(sec.data(), sec.data() + 256, static_cast<std::uint8_t>(s));
    auto shares = c::shamir_split_with(sec, 3, 2, coeff);
    for (const auto& sh : shares) {
      int seen[256] = {};
      for (int a = 0; a < 256; ++a) ++seen[sh.y.data()[a]];
      REQUIRE(std::all_of(std::begin(seen), std::end(seen), [](int n) { return n == 1; }));
    }
  }
}

TEST_CASE("shamir: threshold 1 copies the secret; bad parameters are refused") {
  c::SecretBytes secret = c::SecretBytes::random(32);
  auto one = c::shamir_split(secret, 3, 1);
  for (const auto& s : one) CHECK(s.y.equals(secret));
  CHECK_THROWS_AS(c::shamir_split(secret, 2, 3), Error);
  CHECK_THROWS_AS(c::shamir_split(secret, 256, 3), Error);
  CHECK_THROWS_AS(c::shamir_split(secret, 3, 0), Error);
  CHECK_THROWS_AS(c::shamir_split(c::SecretBytes(), 3, 2), Error);
  auto shares = c::shamir_split(secret, 3, 2);
  CHECK_THROWS_AS(c::shamir_combine({}), Error);
  CHECK_THROWS_AS(c::shamir_combine(pick(shares, {0, 0})), Error);  // the same x twice
  std::vector<c::ShamirShare> zero = pick(shares, {0, 1});
  zero[0].x = 0;
  CHECK_THROWS_AS(c::shamir_combine(zero), Error);
  std::vector<c::ShamirShare> ragged = pick(shares, {0});
  ragged.push_back(c::ShamirShare{9, c::SecretBytes(5)});
  CHECK_THROWS_AS(c::shamir_combine(ragged), Error);
}

TEST_CASE("shamir: the deterministic split reproduces the test vector's share 2 of docs/formats/escrow-share.md") {
  c::SecretBytes secret(32), coeff(64);
  for (int i = 0; i < 32; ++i) secret.data()[i] = static_cast<std::uint8_t>(i);
  for (int i = 0; i < 64; ++i) coeff.data()[i] = static_cast<std::uint8_t>((7 * i + 0x35) & 0xff);
  auto shares = c::shamir_split_with(secret, 5, 3, coeff);
  CHECK(c::to_hex(shares[1].y.data(), 32) == "9ab4db3e15cd797cdfaa9efb1025e7394aff906ec5301f1a0f7ad5b040f51a5f");
  CHECK(c::shamir_combine(pick(shares, {0, 2, 4})).equals(secret));
  CHECK(bytes(c::shamir_interpolate(pick(shares, {0, 2, 4}), 2)) == bytes(shares[1].y));
}
