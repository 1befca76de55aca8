// Key separation and what the page key alone cannot decide (issue 12). Each attack is written
// out as an attacker would do it:
// - the general-purpose sign() signs a checkpoint of a tree that was never logged;
// - the general-purpose unseal() opens a package's sealed file key or an identity share;
// - whoever holds only the page key (the forensics procedure of docs/workspace.md; here the
//   workspace's own store connection, which has exactly that power) changes a key's status,
//   or plants a destroyed key whose public key makes a forged checkpoint verify.
#include <doctest/doctest.h>

#include <sodium.h>

#include <cstring>
#include <functional>
#include <set>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>

#include "civitas/audit.hpp"
#include "civitas/error.hpp"
#include "civitas/package.hpp"
#include "civitas/store.hpp"
#include "civitas/workspace.hpp"
#include "common/fixtures.hpp"

using namespace civitas;
using namespace civitas::workspace;
namespace c = civitas::crypto;
namespace a = civitas::audit;
using civitas::test::code_of;
using nlohmann::json;

namespace {
const std::string kDeptA = "91350100M000100Y43";
std::string dept_b() {
  std::string body = "91110000100000007";
  return body + ids::uscc_check_char(body);
}

struct Pair {
  test::TempDir d{"civitas-keysep"};
  c::SecretBytes ka = c::SecretBytes::random(32), kb = c::SecretBytes::random(32);
  std::unique_ptr<Workspace> a, b;
  Pair() {
    CreateOptions oa, ob;
    oa.department = kDeptA;
    ob.department = dept_b();
    a = Workspace::create(d.file("a.db"), KeySource::raw_key(ka.clone()), oa);
    b = Workspace::create(d.file("b.db"), KeySource::raw_key(kb.clone()), ob);
    a->import_public(b->export_public());
    b->import_public(a->export_public());
  }
  std::unique_ptr<Workspace> reopen_a() {
    a.reset();
    return Workspace::open(d.file("a.db"), KeySource::raw_key(ka.clone()));
  }
};

std::string error_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const Error& e) {
    return e.what();
  }
  return {};
}

// A C2SP note of `body` whose one signature line is `sig` under the verifier `v`'s name and key hash.
std::string note_with(const std::string& body, const a::NoteVerifier& v, const std::uint8_t* sig) {
  std::uint8_t raw[68] = {std::uint8_t(v.key_hash >> 24), std::uint8_t(v.key_hash >> 16), std::uint8_t(v.key_hash >> 8),
                          std::uint8_t(v.key_hash)};
  std::memcpy(raw + 4, sig, 64);
  return body + "\n\xE2\x80\x94 " + v.name + " " + c::base64(raw, sizeof raw) + "\n";
}

// The checkpoint body of a tree of a million entries that was never logged.
std::string forged_body(const std::string& origin) {
  a::Checkpoint cp;
  cp.origin = origin;
  cp.size = 1000000;
  randombytes_buf(cp.root.data(), cp.root.size());
  return cp.body();
}

std::string key_of(Workspace& ws, c::Purpose p, c::Status s) {
  for (const auto& k : ws.keys())
    if (k.purpose == p && k.status == s) return k.id_hex();
  FAIL("no such key");
  return {};
}
}  // namespace

TEST_CASE("a new workspace has one primary key of each of the eight purposes, and sign() uses user-signing") {
  Pair p;
  for (int i = 1; i <= c::kPurposeCount; ++i) {
    CAPTURE(i);
    CHECK(p.a->keyring()->primary(static_cast<c::Purpose>(i)).purpose == static_cast<c::Purpose>(i));
  }
  c::KeyId kid{};
  p.a->sign("m", 1, &kid);
  CHECK(kid == p.a->keyring()->primary(c::Purpose::user_signing).id);
  // No two purposes share a key.
  std::set<std::string> ids;
  for (const auto& k : p.a->keys()) ids.insert(k.id_hex());
  CHECK(ids.size() == p.a->keys().size());
}

TEST_CASE("attack: sign() output presented as a checkpoint of a tree that was never logged is refused") {
  Pair p;
  auto log = a::WorkspaceLog::open(*p.a);
  log->checkpoint();
  const std::string body = forged_body(log->log().origin());
  // The attacker signs the forged body with the general-purpose signature and names every key
  // the workspace publishes: the checkpoint verifier (audit public-key), and a note key built
  // from each public key in the keyring.
  c::Signature sig = p.a->sign(body.data(), body.size());
  std::vector<std::string> notes{note_with(body, log->verifier(), sig.data())};
  for (const auto& k : p.a->keys())
    if (k.public_key.size() == 32)
      notes.push_back(note_with(body, a::NoteVerifier::from_public_key(log->log().origin(), k.public_key.data()), sig.data()));
  for (const std::string& n : notes) {
    CHECK_THROWS_AS(a::open_checkpoint(n, log->verifiers()), Error);
    CHECK_THROWS_AS(log->log().check_received(n, log->verifiers()), Error);
    a::VerifyReport rep = log->verify({n});
    CHECK_FALSE(rep.ok());
  }
  // The real checkpoint verifies; the checkpoint key signs nothing else.
  CHECK(a::open_checkpoint(log->checkpoint(), log->verifiers()).size == log->log().size());
  CHECK(p.a->keyring()->primary(c::Purpose::checkpoint).id != p.a->keyring()->primary(c::Purpose::user_signing).id);
  CHECK(p.a->verify("", body.data(), body.size(), sig));  // the signature itself is fine as what it is
}

TEST_CASE("attack: unseal() of a package's sealed file key is refused") {
  Pair p;
  std::ofstream(p.d.file("orgs.csv")) << "id,name\n1,Acme\n";
  auto w = p.a->create_package(p.d.file("p.civpkg"), {dept_b()});
  w->add_file("orgs", p.d.file("orgs.csv"));
  w->finish();
  // The header (JSON at offset 24, its length at offset 12) names the recipient key and the
  // 140-byte sealed file key (format version 3: its content names the protocol and the
  // package); a sealed box is format byte 1 || key id || crypto_box_seal.
  std::ifstream in(p.d.file("p.civpkg"), std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::uint32_t hl = 0;
  std::memcpy(&hl, bytes.data() + 12, 4);
  json h = json::parse(bytes.substr(24, hl));
  const json& r = h["recipients"][0];
  std::vector<std::uint8_t> box{1};
  auto kid = c::from_hex(r["key_id"].get<std::string>());
  auto sealed = c::from_base64(r["sealed_key"].get<std::string>());
  CHECK(h["version"] == 3);
  CHECK(sealed.size() == 140);
  box.insert(box.end(), kid.begin(), kid.end());
  box.insert(box.end(), sealed.begin(), sealed.end());
  CHECK(code_of([&] { p.b->unseal(box.data(), box.size()); }) == Code::not_recipient);
  // The package itself still opens for its consumer.
  CHECK(p.b->open_package(p.d.file("p.civpkg"), p.d.file("out")).datapackage["resources"].size() == 1);
}

TEST_CASE("attack: unseal() of an identity-secret share is refused; the share still imports") {
  Pair p;
  auto box = p.a->share_identity_secret(dept_b());
  CHECK(code_of([&] { p.b->unseal(box.data(), box.size()); }) == Code::not_recipient);
  KeyInfo k = p.b->import_identity_secret_sealed(box.data(), box.size());
  CHECK(k.id == p.a->keyring()->primary(c::Purpose::identity).id);
  // And the other way round: a user-sealed box is not an identity share.
  auto user = p.a->seal_to(dept_b(), "hello", 5);
  CHECK(p.b->unseal(user.data(), user.size()) == "hello");
  CHECK(code_of([&] { p.b->import_identity_secret_sealed(user.data(), user.size()); }) == Code::not_recipient);
}

TEST_CASE("user-facing sign/verify and seal/unseal work across departments with user keys") {
  Pair p;
  c::Signature s = p.a->sign("doc", 3);
  CHECK(p.b->verify(kDeptA, "doc", 3, s));
  CHECK_FALSE(p.b->verify(kDeptA, "dox", 3, s));
  // A package header signature (by the signing key) is not a user signature.
  auto ring = p.a->keyring();
  c::Signature byproto = c::sign(ring->primary(c::Purpose::signing), "doc", 3);
  CHECK_FALSE(p.b->verify(kDeptA, "doc", 3, byproto));
  CHECK_FALSE(p.a->verify("", "doc", 3, byproto));
  bool has_user_keys = false;
  for (const auto& peer : p.b->peers(kDeptA)) has_user_keys = has_user_keys || peer.purpose == c::Purpose::user_signing;
  CHECK(has_user_keys);
}

TEST_CASE("page key: a key's status changed in the database is detected, naming the key") {
  const std::vector<std::pair<const char*, c::Status>> cases = {
      {"active -> primary", c::Status::active}, {"primary -> retired", c::Status::primary}, {"active -> destroyed", c::Status::active}};
  for (const auto& one : cases) {  // (no structured binding: clang 14 cannot capture one in CAPTURE)
    const char* what = one.first;
    const c::Status from = one.second;
    CAPTURE(what);
    Pair p;
    p.a->rotate(c::Purpose::signing);
    const std::string id = key_of(*p.a, c::Purpose::signing, from);
    std::string sql;
    if (std::string(what) == "active -> primary") sql = "UPDATE keys SET status = 'primary' WHERE id = '" + id + "'";
    else if (std::string(what) == "primary -> retired") sql = "UPDATE keys SET status = 'retired' WHERE id = '" + id + "'";
    else sql = "UPDATE keys SET status = 'destroyed', wrapped = NULL WHERE id = '" + id + "'";
    p.a->store().exec(sql);
    CHECK(code_of([&] { p.a->refresh(); }) == Code::integrity);
    CHECK(error_of([&] { p.a->refresh(); }).find(id) != std::string::npos);
    CHECK(code_of([&] { p.reopen_a(); }) == Code::integrity);
  }
}

TEST_CASE("page key: a destroyed key cannot be brought back or changed") {
  Pair p;
  p.a->rotate(c::Purpose::checkpoint);
  const std::string old = key_of(*p.a, c::Purpose::checkpoint, c::Status::active);
  p.a->destroy_key(c::key_id_from_hex(old));
  p.a->refresh();  // a genuine destroyed row loads
  SUBCASE("status back to active") {
    p.a->store().exec("UPDATE keys SET status = 'active' WHERE id = '" + old + "'");
  }
  SUBCASE("its public key replaced by the attacker's (id no longer matches)") {
    c::Key mine = c::generate_key(c::Purpose::checkpoint);
    store::Statement up(p.a->store(), "UPDATE keys SET public_key = ? WHERE id = ?");
    up.bind_blob(1, mine.public_key.data(), 32).bind(2, old).run();
  }
  SUBCASE("its tombstone MAC removed") {
    p.a->store().exec("UPDATE keys SET mac = NULL WHERE id = '" + old + "'");
  }
  CHECK(code_of([&] { p.a->refresh(); }) == Code::integrity);
  CHECK(error_of([&] { p.a->refresh(); }).find(old) != std::string::npos);
}

TEST_CASE("attack: a planted destroyed checkpoint key does not make a forged checkpoint verify") {
  Pair p;
  auto log = a::WorkspaceLog::open(*p.a);
  c::Key mine = c::generate_key(c::Purpose::checkpoint);
  const std::string body = forged_body(log->log().origin());
  c::Signature sig = c::sign(mine, body.data(), body.size());
  const std::string note = note_with(body, a::NoteVerifier::from_public_key(log->log().origin(), mine.public_key.data()), sig.data());
  SUBCASE("a row with a made-up tombstone") {
    // The planted row copies the tombstone of a genuine destroyed row; it authenticates nothing.
    p.a->rotate(c::Purpose::checkpoint);
    p.a->destroy_key(c::key_id_from_hex(key_of(*p.a, c::Purpose::checkpoint, c::Status::active)));
    store::Statement st(p.a->store(),
                        "INSERT INTO keys(id, purpose, algorithm, created, status, public_key, wrapped, changed, mac) "
                        "SELECT ?, purpose, algorithm, created, status, ?, NULL, changed, mac FROM keys WHERE status = 'destroyed'");
    st.bind(1, mine.id_hex()).bind_blob(2, mine.public_key.data(), 32).run();
    CHECK(code_of([&] { p.a->refresh(); }) == Code::integrity);
    CHECK(error_of([&] { p.a->refresh(); }).find(mine.id_hex()) != std::string::npos);
  }
  SUBCASE("a row without a tombstone, as version 1 wrote them") {
    store::Statement st(p.a->store(),
                        "INSERT INTO keys(id, purpose, algorithm, created, status, public_key, wrapped, changed) "
                        "VALUES(?, 'checkpoint', 'ed25519', 1, 'destroyed', ?, NULL, 1)");
    st.bind(1, mine.id_hex()).bind_blob(2, mine.public_key.data(), 32).run();
    CHECK(code_of([&] { p.a->refresh(); }) == Code::integrity);
    CHECK(code_of([&] { Workspace::open(p.d.file("a.db"), KeySource::raw_key(p.ka.clone())); }) == Code::integrity);
  }
  CHECK_THROWS_AS(a::open_checkpoint(note, log->verifiers()), Error);
}

TEST_CASE("a destroyed checkpoint key is not a verifier; a rotated one still is") {
  Pair p;
  auto log = a::WorkspaceLog::open(*p.a);
  std::string first = log->checkpoint();
  p.a->rotate(c::Purpose::checkpoint);
  p.a->rotate(c::Purpose::field);  // the tree grows
  std::string second = log->checkpoint();
  CHECK(log->verifiers().size() == 2);
  CHECK(a::open_checkpoint(first, log->verifiers()).size >= 1);
  const std::string old = key_of(*p.a, c::Purpose::checkpoint, c::Status::active);
  p.a->destroy_key(c::key_id_from_hex(old));
  CHECK(log->verifiers().size() == 1);
  CHECK_THROWS_AS(a::open_checkpoint(first, log->verifiers()), Error);
  CHECK(a::open_checkpoint(second, log->verifiers()).size >= 2);
}

TEST_CASE("status changes through the workspace keep the keyring loading (rotate, destroy, identity import)") {
  Pair p;
  for (int i = 0; i < 2; ++i) p.a->rotate(c::Purpose::field);
  p.a->destroy_key(c::key_id_from_hex(key_of(*p.a, c::Purpose::field, c::Status::active)));
  auto box = p.a->share_identity_secret(dept_b());
  p.b->import_identity_secret_sealed(box.data(), box.size());
  auto ring = p.b->keyring();
  const c::Key* earlier = ring->find(c::key_id_from_hex(key_of(*p.b, c::Purpose::identity, c::Status::active)));
  REQUIRE(earlier);
  p.b->import_identity_secret(earlier->secret);  // the earlier identity key becomes primary again
  CHECK(p.b->keyring()->primary(c::Purpose::identity).id == earlier->id);
  auto a2 = p.reopen_a();
  CHECK(a2->keys().size() == 10);
  auto b2 = Workspace::open(p.d.file("b.db"), KeySource::raw_key(p.kb.clone()));
  CHECK(b2->keys().size() == 9);
}
