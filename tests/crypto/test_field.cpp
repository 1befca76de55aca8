// Field encryption: round trips, associated data, key ids, tampering, columns.
#include <doctest/doctest.h>

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
}  // namespace

TEST_CASE("field encryption round-trips one value and names its key") {
  Key k = generate_key(Purpose::field);
  KeyId id = k.id;
  Keyring r = ring_with(std::move(k));
  FieldContext ctx{"tax.payers", "ric", "row-17"};
  auto ct = field_encrypt(*r.find(id), "110101199003074477", ctx);
  CHECK(ct.size() == 18 + kFieldOverhead);
  CHECK(ct[0] == 1);
  CHECK(field_key_id(ct.data(), ct.size()) == id);
  CHECK(field_decrypt(r, ct.data(), ct.size(), ctx) == "110101199003074477");
  auto ct2 = field_encrypt(*r.find(id), "110101199003074477", ctx);
  CHECK(ct2 != ct);  // random nonce
  CHECK(field_decrypt(r, field_encrypt(*r.find(id), "", ctx).data(), kFieldOverhead, ctx) == "");
}

TEST_CASE("field decryption rejects wrong associated data") {
  Key k = generate_key(Purpose::field);
  Keyring r;
  const Key& key = (r.add(std::move(k)), r.all().begin()->second);
  auto ct = field_encrypt(key, "secret", {"res", "f", "1"});
  CHECK(code_of([&] { field_decrypt(r, ct.data(), ct.size(), {"res", "f", "2"}); }) == Code::integrity);
  CHECK(code_of([&] { field_decrypt(r, ct.data(), ct.size(), {"res", "g", "1"}); }) == Code::integrity);
  CHECK(code_of([&] { field_decrypt(r, ct.data(), ct.size(), {"other", "f", "1"}); }) == Code::integrity);
  // length prefixes keep ("ab","c") and ("a","bc") apart
  auto ct2 = field_encrypt(key, "x", {"ab", "c", ""});
  CHECK(code_of([&] { field_decrypt(r, ct2.data(), ct2.size(), {"a", "bc", ""}); }) == Code::integrity);
}

TEST_CASE("field decryption rejects a wrong key, truncation, flipped bytes and unknown versions") {
  Key k = generate_key(Purpose::field);
  Keyring r;
  r.add(key_from_secret(Purpose::field, k.secret.clone()));
  auto ct = field_encrypt(k, "secret value", {"r", "f", ""});
  Keyring other = ring_with(generate_key(Purpose::field));
  CHECK(code_of([&] { field_decrypt(other, ct.data(), ct.size(), {"r", "f", ""}); }) == Code::unknown_key);
  for (std::size_t cut : {std::size_t{0}, std::size_t{1}, kFieldOverhead - 1})
    CHECK(code_of([&] { field_decrypt(r, ct.data(), cut, {"r", "f", ""}); }) == Code::truncated);
  CHECK(code_of([&] { field_decrypt(r, ct.data(), ct.size() - 1, {"r", "f", ""}); }) == Code::integrity);
  for (std::size_t i = 9; i < ct.size(); ++i) {
    auto bad = ct;
    bad[i] ^= 0x01;
    CHECK(code_of([&] { field_decrypt(r, bad.data(), bad.size(), {"r", "f", ""}); }) == Code::integrity);
  }
  auto bad = ct;
  bad[0] = 2;
  CHECK(code_of([&] { field_decrypt(r, bad.data(), bad.size(), {"r", "f", ""}); }) == Code::unsupported_version);
  bad = ct;
  bad[3] ^= 1;  // key id
  CHECK(code_of([&] { field_decrypt(r, bad.data(), bad.size(), {"r", "f", ""}); }) == Code::unknown_key);
  // A key from the same secret but forged into another keyring slot still needs the right tag.
  Key wrong = generate_key(Purpose::field);
  wrong.id = k.id;
  Keyring forged = ring_with(std::move(wrong));
  CHECK(code_of([&] { field_decrypt(forged, ct.data(), ct.size(), {"r", "f", ""}); }) == Code::integrity);
}

TEST_CASE("column encryption round-trips with per-record ids and reports the bad row") {
  Key k = generate_key(Purpose::field);
  Keyring r;
  r.add(key_from_secret(Purpose::field, k.secret.clone()));
  std::vector<std::string> vals, recs;
  for (int i = 0; i < 10000; ++i) {
    vals.push_back(std::string(i % 40, 'a' + i % 26));
    recs.push_back("r" + std::to_string(i));
  }
  Column v = Column::from(vals), rc = Column::from(recs), ct, back;
  ColumnView rv = rc.view();
  field_encrypt_column(k, "res", "name", v.view(), &rv, ct);
  REQUIRE(ct.size() == vals.size());
  for (std::size_t i = 0; i < vals.size(); ++i) CHECK(ct.at(i).size() == vals[i].size() + kFieldOverhead);
  // each value decrypts singly with its record id
  auto one = ct.at(123);
  CHECK(field_decrypt(r, reinterpret_cast<const std::uint8_t*>(one.data()), one.size(), {"res", "name", "r123"}) == vals[123]);
  field_decrypt_column(r, "res", "name", ct.view(), &rv, back);
  REQUIRE(back.size() == vals.size());
  for (std::size_t i = 0; i < vals.size(); ++i) CHECK(back.at(i) == vals[i]);
  // nonces are distinct
  CHECK(ct.at(0).substr(9, 24) != ct.at(1).substr(9, 24));
  // flip a byte in value 500: row 501 is reported
  ct.data[ct.offsets[500] + 40] ^= 1;
  try {
    field_decrypt_column(r, "res", "name", ct.view(), &rv, back);
    FAIL("tampered column decrypted");
  } catch (const Error& e) {
    CHECK(e.code() == Code::integrity);
    CHECK(e.where().row == 501u);
    CHECK(back.size() == 0);
  }
  // wrong record ids
  ct.data[ct.offsets[500] + 40] ^= 1;
  Column other = Column::from(std::vector<std::string>(vals.size(), "x"));
  ColumnView ov = other.view();
  CHECK(code_of([&] { field_decrypt_column(r, "res", "name", ct.view(), &ov, back); }) == Code::integrity);
}

TEST_CASE("column functions reject bad offsets") {
  Key k = generate_key(Purpose::field);
  std::uint8_t data[4] = {1, 2, 3, 4};
  std::uint64_t offs[3] = {0, 3, 2};
  ColumnView v{data, offs, 2};
  Column out;
  CHECK(code_of([&] { field_encrypt_column(k, "r", "f", v, nullptr, out); }) == Code::invalid_argument);
  Key t = generate_key(Purpose::token);
  CHECK(code_of([&] { field_encrypt(t, "x", {}); }) == Code::invalid_argument);
}

TEST_CASE("secret bytes are wiped copies and compare in constant time") {
  SecretBytes a = SecretBytes::random(32);
  SecretBytes b = a.clone();
  CHECK(a.equals(b));
  b.data()[0] ^= 1;
  CHECK_FALSE(a.equals(b));
  SecretBytes c = std::move(a);
  CHECK(a.empty());
  CHECK(c.size() == 32);
  CHECK(code_of([] { secret_from_hex("zz", 1); }) == Code::invalid_argument);
  try {
    secret_from_hex(std::string(63, 'a') + "q", 32);
  } catch (const Error& e) {
    CHECK(std::string(e.what()).find("aaaa") == std::string::npos);  // no part of the secret in messages
  }
}
