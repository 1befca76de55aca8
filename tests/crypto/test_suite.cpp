// Cipher suites: the registry, suite 1 against bare libsodium/OpenSSL calls, and every crypto
// format refusing a suite/algorithm it does not know with unsupported_version.
#include <doctest/doctest.h>
#include <sodium.h>

#include <cstring>

#include "civitas/crypto.hpp"
#include "civitas/error.hpp"
#include "common/fixtures.hpp"

using namespace civitas;
using namespace civitas::crypto;
using civitas::test::code_of;

namespace {
Keyring ring_with(Key k) {
  Keyring r;
  r.add(std::move(k));
  return r;
}
// A key that claims an algorithm no suite of this build provides (as a row written by a
// later civitas with an SM suite would).
Key with_algorithm(const Key& k, const char* alg) {
  Key o;
  o.id = k.id;
  o.purpose = k.purpose;
  o.algorithm = alg;
  o.created = k.created;
  o.status = k.status;
  o.public_key = k.public_key;
  o.secret = k.secret.clone();
  return o;
}
const std::uint8_t kUnknown[] = {0, 2, 7, 0xff};
}  // namespace

TEST_CASE("suite registry: suite 1 is the default, unknown ids and algorithms are refused") {
  const Suite& s = default_suite();
  CHECK(s.id() == kSuite1);
  CHECK(&suite(1) == &s);
  CHECK(find_suite(1) == &s);
  CHECK(std::string(s.name()) == "civitas-suite-1");
  for (std::uint8_t id : kUnknown) {
    CHECK(find_suite(id) == nullptr);
    CHECK(code_of([&] { (void)suite(id); }) == Code::unsupported_version);
  }
  for (int p = 1; p <= 5; ++p) {
    Purpose pp = static_cast<Purpose>(p);
    CHECK(std::string(s.algorithm(pp)) == algorithm_of(pp));
    CHECK(&suite_of_algorithm(pp, algorithm_of(pp)) == &s);
    CHECK(s.secret_size(pp) == secret_size(pp));
  }
  CHECK(code_of([] { (void)suite_of_algorithm(Purpose::field, "sm4-gcm"); }) == Code::unsupported_version);
  CHECK(code_of([] { (void)suite_of_algorithm(Purpose::signing, "sm2"); }) == Code::unsupported_version);
  // an algorithm of another purpose is not this purpose's
  CHECK(code_of([] { (void)suite_of_algorithm(Purpose::signing, "x25519"); }) == Code::unsupported_version);
  CHECK(s.field_format() == kFieldVersion);
  CHECK(s.token_format() == kTokenVersion);
  CHECK(s.box_format() == 1);
  CHECK(std::string(s.identity_prefix()) == "ik1");
  CHECK(s.note_key_type() == 0x01);
}

TEST_CASE("suite 1 primitives are the libsodium ones the formats name") {
  const Suite& s = default_suite();
  // AEAD = crypto_aead_xchacha20poly1305_ietf
  SecretBytes key = SecretBytes::random(32);
  std::uint8_t nonce[24];
  randombytes_buf(nonce, sizeof nonce);
  const char m[] = "value", ad[] = "ad";
  std::uint8_t c1[5 + 16], c2[5 + 16];
  s.aead_seal(key.data(), nonce, ad, 2, m, 5, c1);
  unsigned long long cl = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(c2, &cl, reinterpret_cast<const unsigned char*>(m), 5,
                                             reinterpret_cast<const unsigned char*>(ad), 2, nullptr, nonce, key.data());
  CHECK(std::memcmp(c1, c2, sizeof c1) == 0);
  std::uint8_t back[5];
  CHECK(s.aead_open(key.data(), nonce, ad, 2, c1, sizeof c1, back));
  CHECK(std::memcmp(back, m, 5) == 0);
  c1[0] ^= 1;
  CHECK_FALSE(s.aead_open(key.data(), nonce, ad, 2, c1, sizeof c1, back));
  // signatures = Ed25519 detached; sign_bytes and sign agree
  Key sk = generate_key(Purpose::signing);
  auto sb = sign_bytes(sk, "msg", 3);
  CHECK(sb.size() == 64);
  Signature sa = sign(sk, "msg", 3);
  CHECK(std::memcmp(sa.data(), sb.data(), 64) == 0);
  CHECK(crypto_sign_verify_detached(sb.data(), reinterpret_cast<const unsigned char*>("msg"), 3, sk.public_key.data()) == 0);
  CHECK(s.verify(sk.public_key.data(), 32, "msg", 3, sb.data(), sb.size()));
  CHECK_FALSE(s.verify(sk.public_key.data(), 32, "msG", 3, sb.data(), sb.size()));
  CHECK_FALSE(s.verify(sk.public_key.data(), 31, "msg", 3, sb.data(), sb.size()));
  CHECK_FALSE(s.verify(sk.public_key.data(), 32, "msg", 3, sb.data(), 63));
  // hash = SHA-256
  std::uint8_t h1[32], h2[32];
  s.hash("abc", 3, h1);
  crypto_hash_sha256(h2, reinterpret_cast<const unsigned char*>("abc"), 3);
  CHECK(std::memcmp(h1, h2, 32) == 0);
  // PRF = keyed BLAKE2b-256 over a || b
  std::uint8_t p1[32], p2[32];
  s.prf(key.data(), 32)->compute("ab", 2, "c", 1, p1);
  crypto_generichash(p2, 32, reinterpret_cast<const unsigned char*>("abc"), 3, key.data(), 32);
  CHECK(std::memcmp(p1, p2, 32) == 0);
  // KDF = crypto_kdf_derive_from_key
  SecretBytes d1 = s.kdf(key, 7, "civtest1", 32);
  SecretBytes d2(32);
  crypto_kdf_derive_from_key(d2.data(), 32, 7, "civtest1", key.data());
  CHECK(d1.equals(d2));
  // keys carry their suite's algorithm and generate through it
  Key f = generate_key(Purpose::field, s);
  CHECK(f.algorithm == "xchacha20poly1305");
  CHECK(&suite_of(f) == &s);
}

TEST_CASE("field ciphertexts: an unknown format byte is refused as unsupported_version, for one value and in a column") {
  Key k = generate_key(Purpose::field);
  Keyring r = ring_with(with_algorithm(k, k.algorithm.c_str()));
  FieldContext ctx{"res", "f", "rec"};
  auto ct = field_encrypt(k, "secret value", ctx);
  CHECK(field_decrypt(r, ct.data(), ct.size(), ctx) == "secret value");
  for (std::uint8_t b : kUnknown) {
    auto bad = ct;
    bad[0] = b;
    CHECK(code_of([&] { (void)field_key_id(bad.data(), bad.size()); }) == Code::unsupported_version);
    CHECK(code_of([&] { (void)field_decrypt(r, bad.data(), bad.size(), ctx); }) == Code::unsupported_version);
    // in a column: the second value names an unknown suite; the error names its row
    Column cts = Column::from({std::string(ct.begin(), ct.end()), std::string(bad.begin(), bad.end())});
    Column out;
    try {
      field_decrypt_column(r, "res", "f", cts.view(), nullptr, out);
      FAIL("an unknown format byte was accepted");
    } catch (const Error& e) {
      CHECK(e.code() == Code::unsupported_version);
      CHECK(e.where().row == 2u);
    }
    CHECK(out.data.empty());
  }
  // a key of an algorithm no suite provides is refused, for encryption and decryption
  Key alien = with_algorithm(k, "sm4-gcm");
  CHECK(code_of([&] { (void)field_encrypt(alien, "x", ctx); }) == Code::unsupported_version);
  Column vals = Column::from({"a", "b"}), out;
  CHECK(code_of([&] { field_encrypt_column(alien, "res", "f", vals.view(), nullptr, out); }) == Code::unsupported_version);
  Keyring ar = ring_with(with_algorithm(k, "sm4-gcm"));
  CHECK(code_of([&] { (void)field_decrypt(ar, ct.data(), ct.size(), ctx); }) == Code::unsupported_version);
}

TEST_CASE("tokens: an unknown format byte or key algorithm is refused as unsupported_version") {
  Key k = generate_key(Purpose::token);
  Keyring r = ring_with(with_algorithm(k, k.algorithm.c_str()));
  auto tok = token_encode(k, "110101199003074477", "ric");
  CHECK(token_decode(r, tok.data(), tok.size(), "ric") == "110101199003074477");
  for (std::uint8_t b : kUnknown) {
    auto bad = tok;
    bad[0] = b;
    CHECK(code_of([&] { (void)token_decode(r, bad.data(), bad.size(), "ric"); }) == Code::unsupported_version);
  }
  CHECK(code_of([&] { (void)token_encode(with_algorithm(k, "sm4-siv"), "x"); }) == Code::unsupported_version);
  Keyring ar = ring_with(with_algorithm(k, "sm4-siv"));
  CHECK(code_of([&] { (void)token_decode(ar, tok.data(), tok.size(), "ric"); }) == Code::unsupported_version);
}

TEST_CASE("identity keys: the text prefix names the suite; a key of an unknown algorithm is refused") {
  Key k = generate_key(Purpose::identity);
  IdentityKeyer ik(k, "health");
  std::string body = "11010519491231002";
  std::string v = ik.key(ids::Kind::ric, body + ids::ric_check_char(body));
  CHECK(v.substr(0, 4) == "ik1:");
  CHECK(code_of([&] { IdentityKeyer x(with_algorithm(k, "sm3-ik1"), "health"); }) == Code::unsupported_version);
}

TEST_CASE("sealed boxes: an unknown format byte is refused as unsupported_version") {
  Key x = generate_key(Purpose::exchange);
  auto box = seal(x.public_key.data(), "hello", 5);
  CHECK(box[0] == default_suite().box_format());
  auto box2 = seal(default_suite(), x.public_key.data(), x.public_key.size(), "hello", 5);
  CHECK(box2.size() == box.size());
  CHECK(code_of([&] { (void)seal(default_suite(), x.public_key.data(), 31, "hello", 5); }) == Code::invalid_argument);
  Keyring r = ring_with(with_algorithm(x, x.algorithm.c_str()));
  CHECK(unseal(r, box.data(), box.size()) == "hello");
  CHECK(unseal(r, box2.data(), box2.size()) == "hello");
  for (std::uint8_t b : kUnknown) {
    auto bad = box;
    bad[0] = b;
    CHECK(code_of([&] { (void)unseal(r, bad.data(), bad.size()); }) == Code::unsupported_version);
  }
  Keyring ar = ring_with(with_algorithm(x, "sm2-encrypt"));
  CHECK(code_of([&] { (void)unseal(ar, box.data(), box.size()); }) == Code::unsupported_version);
}

TEST_CASE("signatures: a signing key of an unknown algorithm is refused") {
  Key k = generate_key(Purpose::signing);
  CHECK(code_of([&] { (void)sign(with_algorithm(k, "sm2"), "m", 1); }) == Code::unsupported_version);
  CHECK(code_of([&] { (void)sign_bytes(with_algorithm(k, "sm2"), "m", 1); }) == Code::unsupported_version);
  CHECK(code_of([&] { (void)sign(generate_key(Purpose::field), "m", 1); }) == Code::invalid_argument);
}
