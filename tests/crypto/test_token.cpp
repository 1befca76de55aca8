// Deterministic tokens, identity keys, signatures, sealed boxes, wrapping.
#include <doctest/doctest.h>

#include <cctype>
#include <set>

#include "civitas/crypto.hpp"
#include "civitas/error.hpp"
#include "common/fixtures.hpp"

using namespace civitas;
using namespace civitas::crypto;
using civitas::test::code_of;

TEST_CASE("tokens are deterministic per key and domain and decode only with the key") {
  Keyring r;
  r.add(generate_key(Purpose::token));
  const Key& k = r.all().begin()->second;
  auto a = token_encode(k, "91350100M000100Y43", "uscc");
  auto b = token_encode(k, "91350100M000100Y43", "uscc");
  CHECK(a == b);
  CHECK(a.size() == kTokenOverhead + 1 + 18);
  CHECK(token_encode(k, "91350100M000100Y43", "other") != a);
  CHECK(token_encode(k, "91350100M000100Y44", "uscc") != a);
  CHECK(token_decode(r, a.data(), a.size(), "uscc") == "91350100M000100Y43");
  CHECK(code_of([&] { token_decode(r, a.data(), a.size(), "other"); }) == Code::integrity);
  auto e = token_encode(k, "", "");
  CHECK(token_decode(r, e.data(), e.size(), "") == "");
  Keyring other;
  other.add(generate_key(Purpose::token));
  CHECK(code_of([&] { token_decode(other, a.data(), a.size(), "uscc"); }) == Code::unknown_key);
  for (std::size_t i = 9; i < a.size(); ++i) {
    auto bad = a;
    bad[i] ^= 0x80;
    CHECK(code_of([&] { token_decode(r, bad.data(), bad.size(), "uscc"); }) == Code::integrity);
  }
  CHECK(code_of([&] { token_decode(r, a.data(), kTokenOverhead, "uscc"); }) == Code::truncated);
  CHECK(code_of([&] { token_decode(r, a.data(), a.size() - 1, "uscc"); }) == Code::integrity);
}

TEST_CASE("identity keys are canonical, domain-separated, keyed and equal for equal secrets") {
  Key k = generate_key(Purpose::identity);
  Key same = key_from_secret(Purpose::identity, k.secret.clone());
  Key other = generate_key(Purpose::identity);
  IdentityKeyer a(k, "health"), a2(same, "health"), b(k, "tax"), c(other, "health");
  const std::string body = "11010519491231002";
  const std::string ric = body + ids::ric_check_char(body);
  std::string lower = ric;
  lower.back() = static_cast<char>(std::tolower(lower.back()));
  std::string wrong = ric;
  wrong.back() = wrong.back() == '1' ? '2' : '1';
  std::string ka = a.key(ids::Kind::ric, ric);
  CHECK(ka.size() == 64);
  CHECK(ka.rfind("ik1:" + k.id_hex() + ":", 0) == 0);
  CHECK(a.key(ids::Kind::ric, " " + lower.substr(0, 6) + " " + lower.substr(6) + " ") == ka);  // normalised first
  CHECK(a2.key(ids::Kind::ric, ric) == ka);                         // same secret, another department
  CHECK(b.key(ids::Kind::ric, ric) != ka);                          // other domain
  CHECK(c.key(ids::Kind::ric, ric).substr(21) != ka.substr(21));    // other key
  CHECK(code_of([&] { a.key(ids::Kind::ric, wrong); }) == Code::invalid_data);
  char out[64];
  CHECK(a.key_into(ids::Kind::ric, "123", out) == ids::Reason::length);
  CHECK(code_of([&] { IdentityKeyer bad(k, ""); }) == Code::invalid_argument);
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    std::string seq = std::to_string(100 + i);
    std::string b = "11010519491231" + seq;
    std::string code = b + ids::ric_check_char(b);
    seen.insert(a.key(ids::Kind::ric, code));
  }
  CHECK(seen.size() == 100);
}

TEST_CASE("legacy 15-digit resident ids get the identity key of their 18-digit form") {
  Key k = generate_key(Purpose::identity);
  IdentityKeyer a(k, "d");
  std::string upgraded = ids::ric_upgrade("110105491231002");
  CHECK(a.key(ids::Kind::ric, "110105491231002") == a.key(ids::Kind::ric, upgraded));
}

TEST_CASE("detached signatures verify only the signed message with the right key") {
  Key s = generate_key(Purpose::signing);
  Key s2 = generate_key(Purpose::signing);
  Signature sig = sign(s, "hello", 5);
  CHECK(verify(s.public_key.data(), "hello", 5, sig));
  CHECK_FALSE(verify(s.public_key.data(), "hellp", 5, sig));
  CHECK_FALSE(verify(s2.public_key.data(), "hello", 5, sig));
  sig[10] ^= 1;
  CHECK_FALSE(verify(s.public_key.data(), "hello", 5, sig));
}

TEST_CASE("sealed boxes open only for their recipient") {
  Keyring r;
  r.add(generate_key(Purpose::exchange));
  const Key& x = r.all().begin()->second;
  auto box = seal(x.public_key.data(), "payload", 7);
  CHECK(unseal(r, box.data(), box.size()) == "payload");
  Keyring other;
  other.add(generate_key(Purpose::exchange));
  CHECK(code_of([&] { unseal(other, box.data(), box.size()); }) == Code::not_recipient);
  box.back() ^= 1;
  CHECK(code_of([&] { unseal(r, box.data(), box.size()); }) == Code::integrity);
  CHECK(code_of([&] { unseal(r, box.data(), 10); }) == Code::truncated);
}

TEST_CASE("wrapped keys need the wrapping key and the same associated data") {
  SecretBytes wk = SecretBytes::random(32), secret = SecretBytes::random(32);
  auto w = wrap(wk, secret, "ad");
  CHECK(unwrap(wk, w.data(), w.size(), "ad").equals(secret));
  CHECK(code_of([&] { unwrap(wk, w.data(), w.size(), "ae"); }) == Code::wrong_key);
  CHECK(code_of([&] { unwrap(SecretBytes::random(32), w.data(), w.size(), "ad"); }) == Code::wrong_key);
}

TEST_CASE("key ids, purposes and encodings") {
  Key k = generate_key(Purpose::field);
  CHECK(key_id_from_hex(k.id_hex()) == k.id);
  CHECK(key_from_secret(Purpose::field, k.secret.clone()).id == k.id);
  CHECK(code_of([] { key_id_from_hex("xyz"); }) == Code::parse);
  CHECK(purpose_from_name("exchange") == Purpose::exchange);
  CHECK(code_of([] { purpose_from_name("nope"); }) == Code::invalid_argument);
  CHECK(code_of([] { key_from_secret(Purpose::token, SecretBytes::random(32)); }) == Code::invalid_argument);
  std::string s = "\x01\x02\xff";
  CHECK(from_base64url(base64url(s.data(), s.size())) == std::vector<std::uint8_t>{1, 2, 255});
  CHECK(code_of([] { from_base64url("a*b"); }) == Code::parse);
}
