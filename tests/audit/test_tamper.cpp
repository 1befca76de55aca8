// Tampering with the database directly (with the page key, as an administrator could) is
// found by verify(), which names the index; queries refuse tampered entries; no new
// checkpoint is signed over a tampered log.
#include <doctest/doctest.h>

#include <algorithm>

#include "civitas/error.hpp"
#include "audit/tiles.hpp"
#include "common/fixtures.hpp"
#include "log_fixture.hpp"

namespace a = civitas::audit;
namespace st = civitas::store;
using civitas::Code;
using civitas::test::code_of;

namespace {

struct Tampered : LogFixture {
  std::unique_ptr<st::Store> admin;
  Tampered() {
    std::vector<a::Event> batch;
    for (int i = 0; i < 40; ++i) batch.push_back(event(i));
    log->append_batch(std::vector<a::Event>(batch.begin(), batch.begin() + 20));
    log->checkpoint(key);
    log->append_batch(std::vector<a::Event>(batch.begin() + 20, batch.end()));
    log->checkpoint(key);
    REQUIRE(log->verify({verifier()}).ok());
    admin = second_connection();
  }
  a::Entry read(std::uint64_t idx) {
    st::Statement s(*admin, "SELECT entry FROM audit_entry WHERE idx = ?");
    s.bind(1, static_cast<std::int64_t>(idx));
    REQUIRE(s.step());
    auto b = s.blob(0);
    return a::decode_entry(b.data(), b.size());
  }
  void write(std::uint64_t row, const a::Entry& e, bool update_leaf) {
    auto b = a::encode_entry(e);
    a::Hash l = a::leaf_hash(b.data(), b.size());
    st::Statement s(*admin, update_leaf ? "UPDATE audit_entry SET entry = ?, resource = ?, leaf = ? WHERE idx = ?"
                                        : "UPDATE audit_entry SET entry = ?, resource = ? WHERE idx = ? + 0 * ?");
    s.bind_blob(1, b.data(), b.size()).bind(2, e.resource);
    if (update_leaf) s.bind_blob(3, l.data(), 32).bind(4, static_cast<std::int64_t>(row));
    else s.bind(3, static_cast<std::int64_t>(row)).bind(4, std::int64_t(0));
    s.run();
  }
  std::vector<a::Problem> problems() { return log->verify({verifier()}).problems; }
};

bool has(const std::vector<a::Problem>& ps, const std::string& kind, std::uint64_t index) {
  bool found = std::any_of(ps.begin(), ps.end(), [&](const a::Problem& p) { return p.kind == kind && p.index == index; });
  if (!found)
    for (auto& p : ps) MESSAGE(p.kind << " @" << (p.index ? std::to_string(*p.index) : "-") << ": " << p.message);
  return found;
}

}  // namespace

TEST_CASE("a changed entry is reported as changed with its index, and queries refuse it") {
  Tampered t;
  a::Entry e = t.read(7);
  e.resource = "something-else";
  t.write(7, e, false);
  CHECK(has(t.problems(), "changed", 7));
  CHECK(code_of([&] { t.log->query({}); }) == Code::integrity);
  CHECK(code_of([&] { t.log->get(7); }) == Code::integrity);
  CHECK(code_of([&] { t.log->checkpoint(t.key); }) == Code::ok);  // 7 is below the last checkpoint...
  t.log->append(LogFixture::event(99));
  CHECK(code_of([&] { t.log->checkpoint(t.key); }) == Code::ok);  // ...the tree nodes still match it
}

TEST_CASE("a changed entry with a rewritten leaf hash is found through the tree and the checkpoints") {
  Tampered t;
  a::Entry e = t.read(7);
  e.outcome = "denied";
  t.write(7, e, true);
  auto ps = t.problems();
  CHECK(has(ps, "node", 6));  // the node over entries 6..7 no longer matches
  CHECK(std::any_of(ps.begin(), ps.end(), [](const a::Problem& p) { return p.kind == "checkpoint"; }));
  CHECK(code_of([&] { t.log->get(7); }) == Code::integrity);
}

TEST_CASE("a tampered entry after the last checkpoint blocks the next checkpoint") {
  Tampered t;
  for (int i = 0; i < 5; ++i) t.log->append(LogFixture::event(i));
  a::Entry e = t.read(42);
  e.purpose = "nothing to see";
  t.write(42, e, false);
  CHECK(code_of([&] { t.log->checkpoint(t.key); }) == Code::integrity);
  CHECK(has(t.problems(), "changed", 42));
}

TEST_CASE("a deleted entry is reported as deleted with its index") {
  Tampered t;
  t.admin->exec("DELETE FROM audit_entry WHERE idx = 12");
  CHECK(has(t.problems(), "deleted", 12));
  CHECK(code_of([&] { t.log->query({}); }) == Code::integrity);
}

TEST_CASE("a deleted entry with later entries renumbered is reported as deleted") {
  Tampered t;
  t.admin->exec("DELETE FROM audit_entry WHERE idx = 12; UPDATE audit_entry SET idx = -idx + 1 WHERE idx > 12;"
                "UPDATE audit_entry SET idx = -idx WHERE idx < 0");
  CHECK(has(t.problems(), "deleted", 12));
}

TEST_CASE("entries deleted from the end are reported from the first missing index") {
  Tampered t;
  t.admin->exec("DELETE FROM audit_entry WHERE idx >= 35");
  CHECK(has(t.problems(), "deleted", 35));
  CHECK(code_of([&] { t.log->query({}); }) == Code::integrity);
}

TEST_CASE("two swapped entries are reported as reordered at both indexes") {
  Tampered t;
  t.admin->exec("UPDATE audit_entry SET idx = -1 WHERE idx = 5; UPDATE audit_entry SET idx = 5 WHERE idx = 9;"
                "UPDATE audit_entry SET idx = 9 WHERE idx = -1");
  auto ps = t.problems();
  CHECK(has(ps, "reordered", 5));
  CHECK(has(ps, "reordered", 9));
}

TEST_CASE("an inserted entry is reported as inserted at its index") {
  Tampered t;
  t.admin->exec("UPDATE audit_entry SET idx = -idx - 1 WHERE idx >= 15; UPDATE audit_entry SET idx = -idx WHERE idx < 0");
  a::Entry e = t.read(14);
  e.index = 15;
  e.action = "forged";
  auto b = a::encode_entry(e);
  a::Hash l = a::leaf_hash(b.data(), b.size());
  st::Statement s(*t.admin, "INSERT INTO audit_entry VALUES(15, ?, ?, ?, ?, ?, ?, ?)");
  s.bind(1, e.time_ms).bind(2, e.actor_dept).bind(3, e.actor_user).bind(4, e.action).bind(5, e.resource);
  s.bind_blob(6, b.data(), b.size()).bind_blob(7, l.data(), 32);
  s.run();
  CHECK(has(t.problems(), "inserted", 15));
}

TEST_CASE("a tampered checkpoint note or row is reported") {
  Tampered t;
  t.admin->exec("UPDATE audit_checkpoint SET note = replace(note, char(10) || '20' || char(10), char(10) || '21' || char(10)) WHERE size = 20");
  auto sig = t.problems();
  CHECK(std::any_of(sig.begin(), sig.end(), [](const a::Problem& p) { return p.kind == "signature"; }));
  Tampered u;
  u.admin->exec("UPDATE audit_checkpoint SET root = zeroblob(32) WHERE size = 40");
  auto ps = u.problems();
  CHECK(std::any_of(ps.begin(), ps.end(), [](const a::Problem& p) { return p.kind == "checkpoint"; }));
  CHECK(code_of([&] { u.log->query({}); }) == Code::integrity);
}

TEST_CASE("a checkpoint given out earlier exposes a rewritten history") {
  Tampered t;
  std::string old = *t.log->latest_checkpoint();
  // The administrator rewrites entry 3 consistently everywhere and drops the stored checkpoints.
  a::Entry e = t.read(3);
  e.actor_user = "someone-else";
  auto b = a::encode_entry(e);
  a::Hash l = a::leaf_hash(b.data(), b.size());
  {
    st::Statement s(*t.admin, "UPDATE audit_entry SET entry = ?, actor_user = ?, leaf = ? WHERE idx = 3");
    s.bind_blob(1, b.data(), b.size()).bind(2, e.actor_user).bind_blob(3, l.data(), 32).run();
  }
  t.admin->exec("DELETE FROM audit_checkpoint; DELETE FROM audit_tile");
  {
    a::Frontier f;
    a::tiles::Writer w(*t.admin);
    st::Statement q(*t.admin, "SELECT leaf FROM audit_entry ORDER BY idx");
    while (q.step()) {
      auto v = q.blob(0);
      a::Hash h;
      std::copy(v.begin(), v.end(), h.begin());
      f.append(h, [&](unsigned lv, std::uint64_t i, const a::Hash& n) { w.add(lv, i, n); });
    }
    w.flush();
  }
  CHECK(t.problems().empty());  // internally consistent now...
  auto rep = t.log->verify({t.verifier()}, {old});
  CHECK_FALSE(rep.ok());  // ...but not with what was published
  CHECK(code_of([&] { t.log->check_received(old, {t.verifier()}); }) == Code::integrity);
}
