// Signed-note verifier keys name their signature algorithm in the key-type byte
// (docs/formats/checkpoint.md): 0x01 is Ed25519; every other type is refused with
// unsupported_version, whatever the key's length.
#include <doctest/doctest.h>

#include <cstring>

#include "civitas/audit.hpp"
#include "civitas/crypto.hpp"
#include "civitas/error.hpp"
#include "common/fixtures.hpp"

namespace a = civitas::audit;
namespace c = civitas::crypto;
using civitas::Code;
using civitas::test::code_of;

TEST_CASE("a verifier key of an unknown key type is refused as unsupported_version") {
  c::Key key = c::generate_key(c::Purpose::checkpoint);
  a::NoteVerifier v = a::NoteVerifier::from_public_key("log", key.public_key.data());
  const std::string text = v.text();
  CHECK(a::NoteVerifier::parse(text).key_hash == v.key_hash);
  const std::string prefix = text.substr(0, 13);  // "log+<8 hex>+"
  REQUIRE(prefix.size() == 4 + 9);
  CHECK(c::from_base64(text.substr(prefix.size()))[0] == c::default_suite().note_key_type());
  for (std::size_t len : {33u, 34u, 66u}) {  // Ed25519's size, and others (an SM2 key is 65 bytes)
    for (std::uint8_t type : {0x00, 0x02, 0x04, 0xff}) {
      std::vector<std::uint8_t> raw(len, 0x11);
      raw[0] = type;
      CAPTURE(len);
      CAPTURE(int(type));
      CHECK(code_of([&] { a::NoteVerifier::parse(prefix + c::base64(raw.data(), raw.size())); }) ==
            Code::unsupported_version);
    }
  }
  // type 0x01 with the wrong length is a malformed Ed25519 key
  std::vector<std::uint8_t> raw(34, 0x11);
  raw[0] = 0x01;
  CHECK(code_of([&] { a::NoteVerifier::parse(prefix + c::base64(raw.data(), raw.size())); }) == Code::parse);
}

TEST_CASE("proof documents name their tree hash by version: version 1 (SHA-256, RFC 9162) only") {
  const std::string h(64, 'a');
  std::string inc = R"({"version":1,"leaf_index":0,"tree_size":1,"leaf_hash":")" + h + R"(","hashes":[]})";
  CHECK(a::InclusionProof::from_json(inc).tree_size == 1);
  std::string con = R"({"version":1,"first":1,"second":1,"hashes":[]})";
  CHECK(a::ConsistencyProof::from_json(con).second == 1);
  for (const char* v : {"0", "2", "255"}) {
    CAPTURE(v);
    std::string i2 = inc, c2 = con;
    i2.replace(i2.find("1"), 1, v);
    c2.replace(c2.find("1"), 1, v);
    CHECK(code_of([&] { (void)a::InclusionProof::from_json(i2); }) == Code::unsupported_version);
    CHECK(code_of([&] { (void)a::ConsistencyProof::from_json(c2); }) == Code::unsupported_version);
  }
}
