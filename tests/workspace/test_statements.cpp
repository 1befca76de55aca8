// Provider sequence statements (issue 18, docs/formats/sequence-statement.md): after a
// restore, packages from a provider wait for its signed statement of the last sequence number
// it sent; numbers at or below it are refused, above it accepted. Forged statements refused.
#include <doctest/doctest.h>

#include <ctime>
#include <filesystem>
#include <fstream>
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
namespace fs = std::filesystem;
using civitas::test::code_of;
using nlohmann::json;

namespace {

const std::string kA = "91350100M000100Y43";
std::string uscc(const std::string& body17) { return body17 + ids::uscc_check_char(body17); }

std::string message_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

/// Provider A, consumer B, and a third department X; everyone knows everyone's keys.
struct Trio {
  test::TempDir d{"civitas-statements"};
  KeySource ka = KeySource::raw_key(c::SecretBytes::random(32));
  KeySource kb = KeySource::raw_key(c::SecretBytes::random(32));
  KeySource kx = KeySource::raw_key(c::SecretBytes::random(32));
  std::unique_ptr<Workspace> a, b, x;
  std::string B = uscc("91110000100000007"), X = uscc("91110000100000015");
  int n = 0;
  Trio() {
    CreateOptions oa, ob, ox;
    oa.department = kA;
    ob.department = B;
    ox.department = X;
    a = Workspace::create(d.file("a.db"), ka, oa);
    b = Workspace::create(d.file("b.db"), kb, ob);
    x = Workspace::create(d.file("x.db"), kx, ox);
    for (auto* w : {a.get(), b.get(), x.get()})
      for (auto* v : {a.get(), b.get(), x.get()})
        if (w != v) w->import_public(v->export_public());
    std::ofstream(d.file("orgs.csv")) << "id,name\n1,Acme\n";
  }
  std::string package(Workspace& from) {
    const std::string p = d.file("p" + std::to_string(++n) + ".civpkg");
    auto w = from.create_package(p, {B});
    w->add_file("orgs", d.file("orgs.csv"));
    w->finish();
    return p;
  }
  Code open(const std::string& p) {
    return code_of([&] { b->open_package(p, d.file("out" + std::to_string(++n))); });
  }
};

std::string tamper(const std::string& doc, const std::string& key, const json& value) {
  json j = json::parse(doc);
  j[key] = value;
  return j.dump(2);
}

}  // namespace

TEST_CASE("statements: after require, a provider's packages wait for its statement; then only higher numbers open") {
  Trio t;
  std::string p1 = t.package(*t.a), p2 = t.package(*t.a), p3 = t.package(*t.a);
  CHECK(t.open(p1) == Code::ok);
  CHECK(t.open(p2) == Code::ok);  // opened before the "disaster" (not in the backup)
  CHECK(t.b->awaiting_statements().empty());
  t.b->require_sequence_statements();  // what a restore does
  auto waiting = t.b->awaiting_statements();
  CHECK(waiting == std::vector<std::string>{t.X, kA});  // sorted
  CHECK(t.open(p3) == Code::denied);
  CHECK(message_of([&] { t.b->open_package(p3, t.d.file("o")); }).find("civitas package import-statement") != std::string::npos);

  std::string st = t.a->sequence_statement(t.B);
  CHECK(json::parse(st)["last_sequence"] == 3);
  CHECK(t.b->import_sequence_statement(st) == kA);
  CHECK(t.b->awaiting_statements() == std::vector<std::string>{t.X});
  CHECK(t.open(p3) == Code::replay);  // at or below the stated 3: may have been opened before
  CHECK(t.open(p1) == Code::replay);
  std::string p4 = t.package(*t.a);
  CHECK(t.open(p4) == Code::ok);
  CHECK(t.open(p4) == Code::replay);  // the replay memory still works above the floor
  // The same statement again changes nothing; X's packages still wait.
  CHECK(t.b->import_sequence_statement(st) == kA);
  CHECK(t.open(t.package(*t.x)) == Code::denied);

  // The audit log of B has the require, the import and the refusals.
  auto log = audit::WorkspaceLog::open(*t.b);
  int req = 0, imp = 0, denied = 0;
  for (const auto& e : log->log().query({})) {
    if (e.entry.action == "package.require_statements") ++req;
    if (e.entry.action == "package.import_statement" && e.entry.outcome == "ok") ++imp;
    if (e.entry.action == "package.open" && e.entry.outcome == "denied") ++denied;
  }
  CHECK(req == 1);
  CHECK(imp == 1);  // the same statement again writes no second entry
  CHECK(denied == 3);
  int stated = 0;
  for (const auto& e : audit::WorkspaceLog::open(*t.a)->log().query({}))
    if (e.entry.action == "package.statement" && e.entry.resource == t.B) ++stated;
  CHECK(stated == 1);
}

TEST_CASE("statements: forged, misaddressed, tampered, stale and lowering statements are refused") {
  Trio t;
  t.b->require_sequence_statements();
  const std::string good = t.a->sequence_statement(t.B);
  // Another department signs a statement claiming to be A: the key is not A's.
  std::string by_x = t.x->sequence_statement(t.B);
  CHECK(code_of([&] { t.b->import_sequence_statement(tamper(by_x, "provider", kA)); }) == Code::unknown_key);
  // A statement for another consumer.
  CHECK(code_of([&] { t.b->import_sequence_statement(t.a->sequence_statement(t.X)); }) == Code::invalid_data);
  // Tampered fields.
  CHECK(code_of([&] { t.b->import_sequence_statement(tamper(good, "last_sequence", 100)); }) == Code::bad_signature);
  CHECK(code_of([&] { t.b->import_sequence_statement(tamper(good, "time", 1)); }) == Code::bad_signature);
  CHECK(code_of([&] { t.b->import_sequence_statement(tamper(good, "consumer", t.X)); }) == Code::invalid_data);
  CHECK(code_of([&] { t.b->import_sequence_statement(tamper(good, "version", 2)); }) == Code::unsupported_version);
  CHECK(code_of([&] { t.b->import_sequence_statement(tamper(good, "version", 1e300)); }) == Code::parse);
  CHECK(code_of([&] { t.b->import_sequence_statement(tamper(good, "version", 4294967297ull)); }) == Code::unsupported_version);
  CHECK(code_of([&] { t.b->import_sequence_statement("{}"); }) == Code::parse);
  CHECK(code_of([&] { t.b->import_sequence_statement("[1,"); }) == Code::parse);
  // A statement signed with a revoked key.
  {
    auto old = t.a->keyring()->primary(c::Purpose::signing).id;
    t.a->rotate(c::Purpose::signing);
    // B has not imported A's new document yet: the new key is unknown there.
    CHECK(code_of([&] { t.b->import_sequence_statement(t.a->sequence_statement(t.B)); }) == Code::unknown_key);
    t.b->import_public(t.a->export_public());  // signed by the old and the new key
    t.a->revoke_key(old, "compromised");
    t.b->import_public(t.a->export_public());
    CHECK(code_of([&] { t.b->import_sequence_statement(good); }) == Code::denied);  // signed by the revoked key
    CHECK(message_of([&] { t.b->import_sequence_statement(good); }).find("compromised") != std::string::npos);
  }
  // None of the refusals let A's packages in.
  CHECK(t.open(t.package(*t.a)) == Code::denied);
  // Lowering: a newer statement with a lower number is refused.
  std::string p = t.package(*t.a);
  std::string high = t.a->sequence_statement(t.B);
  CHECK_NOTHROW(t.b->import_sequence_statement(high));
  CHECK(t.open(p) == Code::replay);
  CHECK(t.open(t.package(*t.a)) == Code::ok);
}

TEST_CASE("statements: a statement made before the restore is refused; a second restore needs new statements") {
  Trio t;
  const std::string before = t.a->sequence_statement(t.B);
  t.b->require_sequence_statements();
  CHECK(code_of([&] { t.b->import_sequence_statement(before); }) == Code::ok);  // within 10 minutes: accepted
  // A statement dated an hour before the requirement cannot cover what came since. Signed here
  // as docs/formats/sequence-statement.md says: context || compact JSON without the signature.
  t.b->require_sequence_statements();
  const c::Key& sk = t.a->keyring()->primary(c::Purpose::signing);
  json doc = {{"format", "civitas-sequence-statement"}, {"version", 1}, {"provider", kA}, {"consumer", t.B},
              {"last_sequence", 0}, {"time", std::time(nullptr) - 3600}};
  const std::string body = "civitas-sequence-statement v1\n" + doc.dump();
  std::vector<std::uint8_t> sig = c::sign_bytes(sk, body.data(), body.size());
  doc["signature"] = {{"algorithm", "ed25519"}, {"key_id", sk.id_hex()}, {"value", c::base64(sig.data(), sig.size())}};
  CHECK(code_of([&] { t.b->import_sequence_statement(doc.dump()); }) == Code::denied);
  CHECK(message_of([&] { t.b->import_sequence_statement(doc.dump()); }).find("before this workspace was restored") !=
        std::string::npos);
  doc["time"] = std::time(nullptr);  // the same, dated now, but the signature covers the old time
  CHECK(code_of([&] { t.b->import_sequence_statement(doc.dump()); }) == Code::bad_signature);
  {
    json fresh = doc;
    fresh.erase("signature");
    const std::string b2 = "civitas-sequence-statement v1\n" + fresh.dump();
    std::vector<std::uint8_t> s2 = c::sign_bytes(sk, b2.data(), b2.size());
    fresh["signature"] = {{"algorithm", "ed25519"}, {"key_id", sk.id_hex()}, {"value", c::base64(s2.data(), s2.size())}};
    CHECK(code_of([&] { t.b->import_sequence_statement(fresh.dump()); }) == Code::ok);  // an independent signer
    // Without the context prefix the same signature scheme is refused (the context names the protocol).
    std::vector<std::uint8_t> s3 = c::sign_bytes(sk, b2.data() + 30, b2.size() - 30);
    fresh["signature"]["value"] = c::base64(s3.data(), s3.size());
    fresh["last_sequence"] = 0;
    CHECK(code_of([&] { t.b->import_sequence_statement(fresh.dump()); }) == Code::bad_signature);
  }
  t.b->require_sequence_statements();
  CHECK(t.open(t.package(*t.a)) == Code::denied);  // generation 2: the first statement no longer counts
  CHECK(t.b->awaiting_statements().size() == 2);
}

TEST_CASE("statements: the tables are authenticated; a change with the page key alone refuses every opening") {
  Trio t;
  t.b->require_sequence_statements();
  std::string p = t.package(*t.a);
  {
    // Whoever holds only the page key resets the requirement.
    store::Statement u(t.b->store(), "UPDATE sequence_state SET generation = 0, required = 0");
    u.run();
  }
  CHECK(t.open(p) == Code::integrity);
  CHECK(code_of([&] { t.b->import_sequence_statement(t.a->sequence_statement(t.B)); }) == Code::integrity);
  {
    store::Statement u(t.b->store(), "DELETE FROM sequence_state");
    u.run();
  }
  CHECK(t.open(p) == Code::integrity);
}

TEST_CASE("statements: the provider side refuses itself, bad USCCs and a workspace without department") {
  Trio t;
  CHECK(code_of([&] { t.a->sequence_statement(kA); }) == Code::invalid_argument);
  CHECK(code_of([&] { t.a->sequence_statement("not a uscc"); }) == Code::invalid_argument);
  auto none = Workspace::create(t.d.file("n.db"), KeySource::raw_key(c::SecretBytes::random(32)));
  CHECK(code_of([&] { none->sequence_statement(t.B); }) == Code::invalid_argument);
  // A statement with 0 when nothing was sent yet.
  CHECK(json::parse(t.x->sequence_statement(t.B))["last_sequence"] == 0);
}
