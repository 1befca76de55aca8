// Peer keys under attack (issue 12): rotation and revocation reach the consumer through the
// department's key document (version 3: sequence number, revoked keys, signatures by keys the
// consumer already trusts), a forged document for a known department is refused, and the peer
// directory cannot be changed with the page key alone. Each case is written as the attack.
#include <doctest/doctest.h>

#include <ctime>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "civitas/error.hpp"
#include "civitas/package.hpp"
#include "civitas/store.hpp"
#include "civitas/workspace.hpp"
#include "common/fixtures.hpp"
#include "workspace/header.hpp"

using namespace civitas;
using namespace civitas::workspace;
namespace c = civitas::crypto;
namespace fs = std::filesystem;
using civitas::test::code_of;

namespace {

const std::string kDeptA = "91350100M000100Y43";
std::string dept_b() {
  std::string body = "91110000100000007";
  return body + ids::uscc_check_char(body);
}

struct Recorder : AuditSink {
  std::vector<std::string> actions, outcomes, details;
  void record(const AuditRecord& r) override {
    actions.emplace_back(r.action);
    outcomes.emplace_back(r.outcome);
    details.emplace_back(r.details_json);
  }
};

/// Provider A and consumer B, B knowing A's first key document and A knowing B's.
struct Pair {
  test::TempDir d{"civitas-peerkeys"};
  KeySource ka = KeySource::raw_key(c::SecretBytes::random(32));
  KeySource kb = KeySource::raw_key(c::SecretBytes::random(32));
  std::unique_ptr<Workspace> a, b;
  Pair() {
    CreateOptions oa, ob;
    oa.department = kDeptA;
    oa.name = "Market Regulation";
    ob.department = dept_b();
    ob.name = "Tax";
    a = Workspace::create(d.file("a.db"), ka, oa);
    b = Workspace::create(d.file("b.db"), kb, ob);
    b->import_public(a->export_public());
    a->import_public(b->export_public());
    std::ofstream(d.file("orgs.csv")) << "id,name\n1,Acme\n2,Globex\n";
  }
  /// A package from `from` to B; created: its signed header time (0 = now).
  std::string package(Workspace& from, const std::string& name, std::int64_t created = 0) {
    package::WriterOptions o;
    o.created = created;
    auto w = from.create_package(d.file(name), {dept_b()}, o);
    w->add_file("orgs", d.file("orgs.csv"));
    w->finish();
    return d.file(name);
  }
  const c::Key& primary(Workspace& w, c::Purpose p) { return w.keyring()->primary(p); }
  std::string status_at_b(const c::KeyId& id) {
    for (const Peer& p : b->peers(kDeptA))
      if (p.key_id == id) return p.status;
    return "";
  }
};

}  // namespace

TEST_CASE("attack: a department rotates and destroys its keys; re-importing its document must not leave them primary") {
  Pair p;
  const c::KeyId old_sign = p.primary(*p.a, c::Purpose::signing).id, old_exch = p.primary(*p.a, c::Purpose::exchange).id;
  // Rotate: the old keys stay active; the document is signed by the new primary AND the old key
  // (which B trusts).
  p.a->rotate(c::Purpose::signing);
  p.a->rotate(c::Purpose::exchange);
  auto doc2 = nlohmann::json::parse(p.a->export_public());
  CHECK(doc2["version"] == 3);
  CHECK(doc2["sequence"] == 2);
  CHECK(doc2["signatures"].size() == 2);
  CHECK(p.b->import_public(doc2.dump()) == kDeptA);
  CHECK(p.status_at_b(old_sign) == "active");
  // Destroy the old keys: the next document revokes them as superseded, signed by the new key only.
  p.a->destroy_key(old_sign);
  p.a->destroy_key(old_exch);
  auto doc3 = nlohmann::json::parse(p.a->export_public());
  CHECK(doc3["sequence"] == 3);
  CHECK(doc3["revoked"].size() == 2);
  CHECK(doc3["revoked"][0]["reason"] == "superseded");
  p.b->import_public(doc3.dump());
  CHECK(p.status_at_b(old_sign) == "superseded");
  CHECK(p.status_at_b(old_exch) == "superseded");
  CHECK(p.status_at_b(p.primary(*p.a, c::Purpose::signing).id) == "primary");
  // New packages from B to A are sealed to A's new exchange key, never to the destroyed one.
  package::WriterOptions o;
  auto w = p.b->create_package(p.d.file("to-a.civpkg"), {kDeptA}, o);
  w->add_file("orgs", p.d.file("orgs.csv"));
  w->finish();
  auto h = package::inspect(p.d.file("to-a.civpkg"));
  REQUIRE(h.recipients.size() == 1);
  CHECK(h.recipients[0].key_id == p.primary(*p.a, c::Purpose::exchange).id);
  p.a->open_package(p.d.file("to-a.civpkg"), p.d.file("out-a"));
  // The same document again changes nothing; an older one is refused (rollback).
  CHECK(code_of([&] { p.b->import_public(doc3.dump()); }) == Code::ok);
  CHECK(code_of([&] { p.b->import_public(doc2.dump()); }) == Code::denied);
  CHECK(p.status_at_b(old_sign) == "superseded");
}

TEST_CASE("attack: a package signed by a compromised key is refused, whatever time it claims") {
  Pair p;
  const c::KeyId k1 = p.primary(*p.a, c::Purpose::signing).id;
  std::string pkg = p.package(*p.a, "early.civpkg", 1000);  // signed with k1, backdated
  p.a->rotate(c::Purpose::signing);
  p.b->import_public(p.a->export_public());  // signed by k1 and k2
  p.a->revoke_key(k1, "compromised");
  auto doc = nlohmann::json::parse(p.a->export_public());
  CHECK(doc["signatures"].size() == 1);  // never signed by a revoked key
  CHECK(doc["revoked"][0]["reason"] == "compromised");
  p.b->import_public(doc.dump());
  CHECK(p.status_at_b(k1) == "compromised");
  CHECK(code_of([&] { p.b->open_package(pkg, p.d.file("out")); }) == Code::denied);
  CHECK(code_of([&] { (void)p.b->verify_package(pkg); }) == Code::denied);
  CHECK_FALSE(fs::exists(p.d.file("out")));
  // The refusal consumed no sequence number: a package of the new key with the next sequence opens.
  p.b->open_package(p.package(*p.a, "later.civpkg"), p.d.file("out2"));
  // The primary key cannot be revoked (rotate first), nor a compromised key downgraded.
  CHECK(code_of([&] { p.a->revoke_key(p.primary(*p.a, c::Purpose::signing).id, "superseded"); }) == Code::denied);
  CHECK(code_of([&] { p.a->revoke_key(k1, "superseded"); }) == Code::denied);
  CHECK(code_of([&] { p.a->revoke_key(k1, "lost"); }) == Code::invalid_argument);
}

TEST_CASE("attack: a superseded key signs after the consumer learned of it; what it signed before still opens") {
  Pair p;
  const c::KeyId k1 = p.primary(*p.a, c::Purpose::signing).id;
  const std::int64_t now = static_cast<std::int64_t>(std::time(nullptr));
  std::string before = p.package(*p.a, "before.civpkg", now - 60);
  // A stale copy of A's workspace keeps k1's secret (a backup, a decommissioned server).
  p.a.reset();
  for (const char* f : {"a.db", "a.db.header"}) fs::copy_file(p.d.file(f), p.d.file(std::string("stale-") + f));
  for (const char* f : {"a.db-wal", "a.db-shm"})
    if (fs::exists(p.d.file(f))) fs::copy_file(p.d.file(f), p.d.file(std::string("stale-") + f));
  p.a = Workspace::open(p.d.file("a.db"), p.ka);
  p.a->rotate(c::Purpose::signing);
  p.b->import_public(p.a->export_public());
  p.a->destroy_key(k1);
  p.b->import_public(p.a->export_public());
  CHECK(p.status_at_b(k1) == "superseded");
  auto stale = Workspace::open(p.d.file("stale-a.db"), p.ka);
  std::string after = p.package(*stale, "after.civpkg", static_cast<std::int64_t>(std::time(nullptr)) + 5);
  CHECK(code_of([&] { p.b->open_package(after, p.d.file("out-after")); }) == Code::denied);
  CHECK_FALSE(fs::exists(p.d.file("out-after")));
  // Signed before the supersession: still opens after the consumer learned of it.
  p.b->open_package(before, p.d.file("out-before"));
  CHECK(fs::exists(p.d.file("out-before/data/orgs.csv")));
}

TEST_CASE("attack: a second self-signed document for a known department is refused; its package burns no sequence number") {
  Pair p;
  // Mallory makes a workspace claiming A's department and sends B its document and a package.
  CreateOptions om;
  om.department = kDeptA;
  auto m = Workspace::create(p.d.file("m.db"), KeySource::raw_key(c::SecretBytes::random(32)), om);
  m->import_public(p.b->export_public());
  const std::string forged = m->export_public();
  Recorder* rec = nullptr;
  {
    auto r = std::make_shared<Recorder>();
    rec = r.get();
    p.b->set_audit_sink(r);
    CHECK(code_of([&] { p.b->import_public(forged); }) == Code::bad_signature);
    REQUIRE(!rec->actions.empty());
    CHECK(rec->actions.back() == "peer.import");
    CHECK(rec->outcomes.back() == "bad-signature");
    CHECK(p.b->peers(kDeptA).size() == 4);  // nothing added (signing, exchange, user-signing, user-sealing)
    std::string fake = p.package(*m, "forged.civpkg");  // sequence 1 from "A" to B
    CHECK(package::inspect(fake).recipients[0].sequence == 1);
    CHECK(code_of([&] { p.b->open_package(fake, p.d.file("out-f")); }) == Code::unknown_key);
    // The real provider's package with sequence 1 still opens.
    std::string real = p.package(*p.a, "real.civpkg");
    CHECK(package::inspect(real).recipients[0].sequence == 1);
    p.b->open_package(real, p.d.file("out-r"));
    // --replace (after an out-of-band check) takes the document, and says so in the log.
    CHECK(p.b->import_public(forged, true) == kDeptA);
    CHECK(rec->actions.back() == "peer.import");
    CHECK(rec->outcomes.back() == "ok");
    CHECK(rec->details.back().find("\"replace\":true") != std::string::npos);
    auto now_keys = p.b->peers(kDeptA);
    REQUIRE(now_keys.size() == 4);
    for (const Peer& k : now_keys) CHECK(k.public_key != p.primary(*p.a, k.purpose).public_key);
    // remove-peer: gone, audited; a second removal is refused.
    p.b->remove_peer(kDeptA);
    CHECK(rec->actions.back() == "peer.remove");
    CHECK(p.b->peers(kDeptA).empty());
    CHECK(code_of([&] { p.b->remove_peer(kDeptA); }) == Code::not_found);
    CHECK(rec->outcomes.back() == "not-found");
    // Unknown again: the next document is a first contact.
    CHECK(p.b->import_public(p.a->export_public()) == kDeptA);
  }
}

TEST_CASE("attack: a document that skips a trusted key, or that re-lists a revoked key, is refused") {
  Pair p;
  const c::KeyId k1 = p.primary(*p.a, c::Purpose::signing).id;
  p.a->rotate(c::Purpose::signing);
  p.a->destroy_key(k1);  // destroyed before B learned of the new key: nothing B trusts signs
  CHECK(code_of([&] { p.b->import_public(p.a->export_public()); }) == Code::bad_signature);
  CHECK(p.status_at_b(k1) == "primary");
  p.b->import_public(p.a->export_public(), true);  // checked out of band
  CHECK(p.status_at_b(k1) == "");
}

TEST_CASE("attack: the peer directory edited with the page key alone is detected") {
  for (int variant = 0; variant < 3; ++variant) {
    CAPTURE(variant);
    Pair p;
    const c::KeyId k1 = p.primary(*p.a, c::Purpose::signing).id;
    p.a->rotate(c::Purpose::signing);
    p.b->import_public(p.a->export_public());
    p.a->revoke_key(k1, "compromised");
    p.b->import_public(p.a->export_public());
    REQUIRE(p.status_at_b(k1) == "compromised");
    p.b.reset();
    {  // the examiner's access (docs/workspace.md, forensics): the page key, no keyring key
      Header h = read_header(Workspace::header_path(p.d.file("b.db")));
      store::Store s(p.d.file("b.db"), c::derive_subkey(open_header(h, p.kb), 1, "civpage1"));
      if (variant == 0) {
        store::Statement u(s, "UPDATE peers SET status = 'primary', revoked = NULL WHERE key_id = ?1");
        u.bind(1, c::key_id_hex(k1)).run();
      } else if (variant == 1) {
        s.exec("INSERT INTO peers SELECT department, name, '0123456789abcdef', purpose, algorithm, public_key, "
               "'primary', imported, NULL FROM peers LIMIT 1");
      } else {
        s.exec("UPDATE peer_documents SET sequence = 0");
      }
    }
    p.b = Workspace::open(p.d.file("b.db"), p.kb);
    CHECK(code_of([&] { (void)p.b->peers(); }) == Code::integrity);
    CHECK(code_of([&] { p.b->import_public(p.a->export_public()); }) == Code::integrity);
    CHECK(code_of([&] { p.b->open_package(p.package(*p.a, "p.civpkg"), p.d.file("out")); }) == Code::integrity);
  }
}
