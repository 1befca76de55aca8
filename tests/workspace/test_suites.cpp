// Algorithms in workspace formats: key documents (export-public) name each key's algorithm
// and their own signature's; keyring rows name their key's algorithm; identity-secret shares
// name the identity key's algorithm. Unknown ones are refused with unsupported_version;
// documents and shares of the earlier version are still read.
#include <doctest/doctest.h>

#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>

#include "civitas/error.hpp"
#include "civitas/store.hpp"
#include "civitas/workspace.hpp"
#include "common/fixtures.hpp"

using namespace civitas;
using namespace civitas::workspace;
namespace c = civitas::crypto;
using civitas::test::code_of;
using nlohmann::json;

namespace {
const std::string kDeptA = "91350100M000100Y43";
std::string dept_b() {
  std::string body = "91110000100000007";
  return body + ids::uscc_check_char(body);
}
struct Pair {
  test::TempDir d{"civitas-suites"};
  std::unique_ptr<Workspace> a, b;
  Pair() {
    CreateOptions oa, ob;
    oa.department = kDeptA;
    ob.department = dept_b();
    a = Workspace::create(d.file("a.db"), KeySource::raw_key(c::SecretBytes::random(32)), oa);
    b = Workspace::create(d.file("b.db"), KeySource::raw_key(c::SecretBytes::random(32)), ob);
  }
};
// Signs a key document body the way export-public does (compact dump without "signature").
json signed_doc(const Workspace& w, json doc, bool with_algorithm) {
  doc.erase("signature");
  auto ring = w.keyring();
  const c::Key& sk = ring->primary(c::Purpose::signing);
  std::string body = doc.dump();
  c::Signature s = c::sign(sk, body.data(), body.size());
  doc["signature"] = {{"key_id", sk.id_hex()}, {"value", c::base64(s.data(), s.size())}};
  if (with_algorithm) doc["signature"]["algorithm"] = sk.algorithm;
  return doc;
}
std::vector<std::uint8_t> share_bytes(const std::string& label, const std::string& alg, const c::SecretBytes& s) {
  std::vector<std::uint8_t> m(label.begin(), label.end());
  if (!alg.empty()) {
    m.push_back(static_cast<std::uint8_t>(alg.size()));
    m.insert(m.end(), alg.begin(), alg.end());
  }
  m.insert(m.end(), s.data(), s.data() + s.size());
  return m;
}
}  // namespace

TEST_CASE("key documents: version 3 names each signature's algorithm; versions 1 and 2 are still read") {
  Pair p;
  json doc = json::parse(p.a->export_public());
  CHECK(doc["version"] == 3);
  CHECK(doc["signatures"][0]["algorithm"] == "ed25519");
  for (const json& k : doc["keys"]) CHECK((k["algorithm"] == "ed25519" || k["algorithm"] == "x25519"));
  CHECK(p.b->import_public(doc.dump()) == kDeptA);

  // versions 1 and 2 (one "signature", no context, no sequence): read at first contact
  json old = doc;
  old.erase("signatures");
  old.erase("sequence");
  old.erase("revoked");
  for (int version : {1, 2}) {
    CAPTURE(version);
    json v = old;
    v["version"] = version;
    v = signed_doc(*p.a, v, version == 2);
    CHECK(code_of([&] { p.b->import_public(v.dump()); }) == Code::denied);  // a known department
    p.b->remove_peer(kDeptA);
    CHECK(p.b->import_public(v.dump()) == kDeptA);
    // the algorithm is signed: changing it breaks the signature (here: refused as unknown first)
    if (version == 2) {
      json t = v;
      t["signature"]["algorithm"] = "sm2";
      CHECK(code_of([&] { p.b->import_public(t.dump()); }) == Code::unsupported_version);
      t = v;
      t["signature"].erase("algorithm");
      CHECK(code_of([&] { p.b->import_public(t.dump()); }) == Code::parse);
    }
  }
  // A version that wraps to 1 through an int cast (4294967297), or a float: refused.
  for (const json& bad : {json(4294967297ull), json(1.0), json(1e300)}) {
    json w = doc;
    w["version"] = bad;
    CHECK(code_of([&] { p.b->import_public(w.dump()); }) == Code::unsupported_version);
  }
  json t = doc;
  t["signatures"][0]["algorithm"] = "sm2";
  CHECK(code_of([&] { p.b->import_public(t.dump()); }) == Code::unsupported_version);
  t = doc;
  t["signatures"][0].erase("algorithm");
  CHECK(code_of([&] { p.b->import_public(t.dump()); }) == Code::parse);
  t = doc;
  t["version"] = 4;
  CHECK(code_of([&] { p.b->import_public(t.dump()); }) == Code::unsupported_version);
  // a signature over the document without the context (a version-2 style signature) fails
  t = doc;
  t.erase("signatures");
  t = signed_doc(*p.a, t, true);
  t["signatures"] = json::array({t["signature"]});
  t.erase("signature");
  CHECK(code_of([&] { p.b->import_public(t.dump()); }) == Code::bad_signature);
  // a key of an unknown algorithm, in a document that is otherwise whole and signed
  for (int version : {1, 2}) {
    t = old;
    t["version"] = version;
    t["keys"][0]["algorithm"] = "sm2";
    t = signed_doc(*p.a, t, version == 2);
    CAPTURE(version);
    CHECK(code_of([&] { p.b->import_public(t.dump()); }) == Code::unsupported_version);
  }
  // signatures made with the peer's key are verified through the key's algorithm
  auto sig = p.a->sign("m", 1);
  CHECK(p.b->verify(kDeptA, "m", 1, sig));
}

TEST_CASE("keyring rows: the algorithm column is honoured; an unknown algorithm is refused") {
  test::TempDir d{"civitas-suites"};
  const std::string path = d.file("w.db");
  c::SecretBytes mk = c::SecretBytes::random(32);
  CreateOptions o;
  o.department = kDeptA;
  {
    auto w = Workspace::create(path, KeySource::raw_key(mk.clone()), o);
    for (const auto& k : w->keys()) CHECK(k.algorithm == c::algorithm_of(k.purpose));
    // an algorithm that is not one of the purpose's is refused before the row is unwrapped
    w->store().exec("UPDATE keys SET algorithm = 'aes256siv' WHERE purpose = 'field'");
    CHECK(code_of([&] { w->refresh(); }) == Code::unsupported_version);
  }
  CHECK(code_of([&] { Workspace::open(path, KeySource::raw_key(mk.clone())); }) == Code::unsupported_version);
  {
    test::TempDir d2{"civitas-suites"};
    auto w = Workspace::create(d2.file("w.db"), KeySource::raw_key(mk.clone()), o);
    w->store().exec("UPDATE keys SET algorithm = 'sm4-gcm' WHERE purpose = 'field'");
    CHECK(code_of([&] { w->refresh(); }) == Code::unsupported_version);
  }
}

TEST_CASE("identity-secret shares name the key's algorithm; version 1 shares are still read") {
  Pair p;
  p.a->import_public(p.b->export_public());
  p.b->import_public(p.a->export_public());
  std::string body = "11010519491231002";
  std::string ric = body + ids::ric_check_char(body);
  auto ring = p.a->keyring();
  const c::Key& ik = ring->primary(c::Purpose::identity);
  // Shares are sealed to the consumer's exchange key (the general-purpose seal_to goes to its
  // user-sealing key and is never read as a share).
  auto bring = p.b->keyring();
  const c::Key& bx = bring->primary(c::Purpose::exchange);
  auto to_exchange = [&](const std::vector<std::uint8_t>& m) {
    return c::seal(c::suite_of(bx), bx.public_key.data(), bx.public_key.size(), m.data(), m.size());
  };

  // version 1: label || 32-byte secret (blake2b-ik1)
  auto m1 = share_bytes("civitas identity secret v1", "", ik.secret);
  auto box1 = to_exchange(m1);
  CHECK(p.b->import_identity_secret_sealed(box1.data(), box1.size()).algorithm == "blake2b-ik1");
  CHECK(p.a->identity_key(ids::Kind::ric, ric, "health") == p.b->identity_key(ids::Kind::ric, ric, "health"));

  // version 2 (what share_identity_secret writes) round-trips
  auto box2 = p.a->share_identity_secret(dept_b());
  CHECK(p.b->import_identity_secret_sealed(box2.data(), box2.size()).id == ik.id);

  // unknown algorithm, unknown version
  auto m3 = share_bytes("civitas identity secret v2", "sm3-ik1", ik.secret);
  auto box3 = to_exchange(m3);
  CHECK(code_of([&] { p.b->import_identity_secret_sealed(box3.data(), box3.size()); }) == Code::unsupported_version);
  auto m4 = share_bytes("civitas identity secret v9", "blake2b-ik1", ik.secret);
  auto box4 = to_exchange(m4);
  CHECK(code_of([&] { p.b->import_identity_secret_sealed(box4.data(), box4.size()); }) == Code::unsupported_version);
  // a known algorithm with a secret of the wrong size
  auto m5 = share_bytes("civitas identity secret v2", "blake2b-ik1", c::SecretBytes::random(31));
  auto box5 = to_exchange(m5);
  CHECK(code_of([&] { p.b->import_identity_secret_sealed(box5.data(), box5.size()); }) == Code::invalid_data);
  // an unknown sealed-box format byte
  auto bad = box2;
  bad[0] = 2;
  CHECK(code_of([&] { p.b->import_identity_secret_sealed(bad.data(), bad.size()); }) == Code::unsupported_version);
}

TEST_CASE("peer rows: the algorithm column chooses the suite; an unknown one is refused") {
  Pair p;
  p.b->import_public(p.a->export_public());
  auto sig = p.a->sign("m", 1);
  CHECK(p.b->verify(kDeptA, "m", 1, sig));
  auto box = p.b->seal_to(kDeptA, "x", 1);
  CHECK(p.a->unseal(box.data(), box.size()) == "x");
  // A row changed outside civitas is refused before its algorithm is used: the directory's MAC
  // (an unknown algorithm in a signed document: the test above).
  p.b->store().exec("UPDATE peers SET algorithm = 'sm2'");
  CHECK(code_of([&] { (void)p.b->verify(kDeptA, "m", 1, sig); }) == Code::integrity);
  CHECK(code_of([&] { (void)p.b->seal_to(kDeptA, "x", 1); }) == Code::integrity);
}

TEST_CASE("workspace header: version 1 names the wrap, kdf.algorithm the passphrase KDF; unknown ones are refused") {
  test::TempDir d{"civitas-suites"};
  const std::string path = d.file("w.db");
  auto pass = [] { return KeySource::passphrase("pw", KdfParams{1, 1u << 16}); };
  Workspace::create(path, pass(), {});
  const std::string hp = Workspace::header_path(path);
  json h;
  {
    std::ifstream in(hp);
    in >> h;
  }
  CHECK(h["version"] == 1);
  CHECK(h["kdf"]["algorithm"] == "argon2id13");
  auto write = [&](const json& j) {
    std::ofstream out(hp, std::ios::trunc);
    out << j.dump(2) << "\n";
  };
  json t = h;
  t["kdf"]["algorithm"] = "sm3-pbkdf2";
  write(t);
  CHECK(code_of([&] { Workspace::open(path, pass()); }) == Code::unsupported_version);
  t = h;
  t["version"] = 2;
  write(t);
  CHECK(code_of([&] { Workspace::open(path, pass()); }) == Code::unsupported_version);
  write(h);
  CHECK(Workspace::open(path, pass())->info().key_source == "passphrase");
}
