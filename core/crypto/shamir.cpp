// Shamir secret sharing over GF(2^8) (issue 18: key escrow, docs/formats/escrow-share.md).
//
// Each byte of the secret is the constant term of its own random polynomial of degree
// threshold-1; share x holds the value of every polynomial at x. The field is GF(2^8) modulo
// x^8+x^4+x^3+x+1 (0x11b). Products are computed by shift-and-add with masks derived from the
// bits (no branch and no table lookup depends on a secret byte), inverses as a^254 by the same
// product, so the time taken does not depend on the secret, the coefficients or the shares.
// The x coordinates are public, but they go through the same code.
#include <sodium.h>

#include <set>
#include <string>

#include "civitas/crypto.hpp"
#include "civitas/error.hpp"

namespace civitas::crypto {

std::uint8_t gf256_mul(std::uint8_t a, std::uint8_t b) noexcept {
  unsigned p = 0;
  unsigned x = a;
  unsigned y = b;
  for (int i = 0; i < 8; ++i) {
    p ^= x & (0u - (y & 1u));            // add x when the low bit of y is set
    const unsigned carry = 0u - ((x >> 7) & 1u);
    x = ((x << 1) ^ (0x1bu & carry)) & 0xffu;  // x *= 2 modulo 0x11b
    y >>= 1;
  }
  return static_cast<std::uint8_t>(p);
}

std::uint8_t gf256_inv(std::uint8_t a) noexcept {
  // a^254 = a^-1 for a != 0 (the multiplicative group has order 255); 0 maps to 0.
  std::uint8_t a2 = gf256_mul(a, a);       // a^2
  std::uint8_t a3 = gf256_mul(a2, a);      // a^3
  std::uint8_t a6 = gf256_mul(a3, a3);     // a^6
  std::uint8_t a12 = gf256_mul(a6, a6);    // a^12
  std::uint8_t a15 = gf256_mul(a12, a3);   // a^15
  std::uint8_t a30 = gf256_mul(a15, a15);  // a^30
  std::uint8_t a60 = gf256_mul(a30, a30);  // a^60
  std::uint8_t a63 = gf256_mul(a60, a3);   // a^63
  std::uint8_t a126 = gf256_mul(a63, a63);   // a^126
  std::uint8_t a252 = gf256_mul(a126, a126); // a^252
  return gf256_mul(a252, a2);                // a^254
}

namespace {

void check_counts(std::size_t len, unsigned shares, unsigned threshold) {
  if (len == 0 || len > 4096) throw Error(Code::invalid_argument, "a secret to split has 1 to 4096 bytes");
  if (threshold < 1 || shares < threshold || shares > 255)
    throw Error(Code::invalid_argument, "Shamir split: need 1 <= threshold <= shares <= 255 (threshold " +
                                            std::to_string(threshold) + ", shares " + std::to_string(shares) + ")");
}

}  // namespace

std::vector<ShamirShare> shamir_split_with(const SecretBytes& secret, unsigned shares, unsigned threshold,
                                           const SecretBytes& coefficients) {
  check_counts(secret.size(), shares, threshold);
  const std::size_t deg = threshold - 1;
  if (coefficients.size() != deg * secret.size())
    throw Error(Code::invalid_argument, "Shamir split: " + std::to_string(deg * secret.size()) +
                                            " coefficient bytes expected");
  std::vector<ShamirShare> out;
  out.reserve(shares);
  for (unsigned s = 1; s <= shares; ++s) {
    ShamirShare sh;
    sh.x = static_cast<std::uint8_t>(s);
    sh.y = SecretBytes(secret.size());
    for (std::size_t j = 0; j < secret.size(); ++j) {
      // Horner: ((c_deg x + c_deg-1) x + …) x + secret[j]
      std::uint8_t acc = 0;
      for (std::size_t d = deg; d >= 1; --d) acc = gf256_mul(acc, sh.x) ^ coefficients.data()[j * deg + (d - 1)];
      acc = gf256_mul(acc, sh.x) ^ secret.data()[j];
      sh.y.data()[j] = acc;
    }
    out.push_back(std::move(sh));
  }
  return out;
}

std::vector<ShamirShare> shamir_split(const SecretBytes& secret, unsigned shares, unsigned threshold) {
  check_counts(secret.size(), shares, threshold);
  init();
  SecretBytes coeff((threshold - 1) * secret.size());
  if (!coeff.empty()) randombytes_buf(coeff.data(), coeff.size());
  return shamir_split_with(secret, shares, threshold, coeff);
}

SecretBytes shamir_interpolate(const std::vector<ShamirShare>& shares, std::uint8_t x) {
  if (shares.empty()) throw Error(Code::invalid_argument, "Shamir: no share given");
  const std::size_t len = shares[0].y.size();
  std::set<unsigned> seen;
  for (const auto& s : shares) {
    if (s.x == 0) throw Error(Code::invalid_argument, "Shamir: a share has x = 0");
    if (!seen.insert(s.x).second)
      throw Error(Code::invalid_argument, "Shamir: share x = " + std::to_string(s.x) + " is given twice");
    if (s.y.size() != len || len == 0) throw Error(Code::invalid_argument, "Shamir: the shares have different lengths");
  }
  // Lagrange basis at x: l_i(x) = prod_{j != i} (x - x_j) / (x_i - x_j); minus is xor.
  std::vector<std::uint8_t> basis(shares.size());
  for (std::size_t i = 0; i < shares.size(); ++i) {
    std::uint8_t num = 1, den = 1;
    for (std::size_t j = 0; j < shares.size(); ++j) {
      if (j == i) continue;
      num = gf256_mul(num, static_cast<std::uint8_t>(x ^ shares[j].x));
      den = gf256_mul(den, static_cast<std::uint8_t>(shares[i].x ^ shares[j].x));
    }
    basis[i] = gf256_mul(num, gf256_inv(den));
  }
  SecretBytes out(len);
  for (std::size_t b = 0; b < len; ++b) {
    std::uint8_t acc = 0;
    for (std::size_t i = 0; i < shares.size(); ++i) acc ^= gf256_mul(basis[i], shares[i].y.data()[b]);
    out.data()[b] = acc;
  }
  return out;
}

SecretBytes shamir_combine(const std::vector<ShamirShare>& shares) { return shamir_interpolate(shares, 0); }

}  // namespace civitas::crypto
