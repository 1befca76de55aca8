// The stored log: appends, queries, proofs, checkpoints, concurrency and durability.
#include <doctest/doctest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <thread>

#include "civitas/error.hpp"
#include "log_fixture.hpp"

namespace a = civitas::audit;
using civitas::Code;

TEST_CASE("appended entries get consecutive indexes, monotonic times and provable leaves") {
  LogFixture fx;
  CHECK(fx.log->size() == 0);
  CHECK(fx.log->root(0) == a::empty_root());
  CHECK(fx.log->append(LogFixture::event(0)) == 0);
  std::vector<a::Event> batch;
  for (int i = 1; i < 100; ++i) batch.push_back(LogFixture::event(i));
  CHECK(fx.log->append_batch(batch) == 1);
  CHECK(fx.log->size() == 100);
  a::Hash root = fx.log->root(100);

  auto all = fx.log->query({});
  REQUIRE(all.size() == 100);
  a::MemoryTree t;
  for (std::size_t i = 0; i < all.size(); ++i) {
    CHECK(all[i].entry.index == i);
    if (i) CHECK(all[i].entry.time_ms >= all[i - 1].entry.time_ms);
    CHECK(all[i].leaf == a::leaf_hash(all[i].bytes.data(), all[i].bytes.size()));
    t.append(all[i].leaf);
  }
  CHECK(t.root() == root);
  for (std::uint64_t n : {1u, 2u, 3u, 50u, 64u, 99u, 100u})
    for (std::uint64_t i = 0; i < n; i += 7) {
      a::InclusionProof p = fx.log->prove(i, n);
      CHECK(p.hashes == a::inclusion_path(t, i, n));
      CHECK(a::verify_inclusion(i, n, p.leaf_hash, p.hashes, t.root() == root && n == 100 ? root : a::tree_root(t, n)));
    }
  for (std::uint64_t m : {0u, 1u, 17u, 64u, 99u, 100u}) {
    a::ConsistencyProof c = fx.log->consistency(m);
    CHECK(c.second == 100);
    CHECK(a::verify_consistency(m, 100, c.hashes, a::tree_root(t, m), root));
  }
  CHECK_THROWS_AS(fx.log->prove(100), civitas::Error);
  CHECK_THROWS_AS(fx.log->prove(0, 101), civitas::Error);
  CHECK_THROWS_AS(fx.log->consistency(5, 4), civitas::Error);
}

TEST_CASE("queries filter by time range, actor, action and resource") {
  LogFixture fx;
  std::vector<a::Event> batch;
  for (int i = 0; i < 30; ++i) batch.push_back(LogFixture::event(i, i % 2 ? "key.rotate" : "data.read"));
  fx.log->append_batch(batch);
  a::Filter f;
  f.action = "key.rotate";
  CHECK(fx.log->query(f).size() == 15);
  f.resource = "res-1";
  auto r = fx.log->query(f);
  CHECK(r.size() == 3);  // i = 1, 11, 21
  for (auto& e : r) CHECK(e.entry.resource == "res-1");
  a::Filter g;
  g.actor_dept = LogFixture::dept();
  g.actor_user = "user0";
  CHECK(fx.log->query(g).size() == 10);
  a::Filter h;
  std::int64_t t0 = fx.log->get(0).entry.time_ms;
  h.since_ms = t0;
  h.until_ms = t0 + 3600 * 1000;
  CHECK(fx.log->query(h).size() == 30);
  h.since_ms = t0 + 3600 * 1000;
  h.until_ms.reset();
  CHECK(fx.log->query(h).empty());
  a::Filter lim;
  lim.from_index = 10;
  lim.limit = 5;
  auto l = fx.log->query(lim);
  REQUIRE(l.size() == 5);
  CHECK(l[0].entry.index == 10);
  CHECK_THROWS_AS(fx.log->get(30), civitas::Error);
}

TEST_CASE("bad events are refused with invalid_argument and nothing is appended") {
  LogFixture fx;
  std::vector<a::Event> batch{LogFixture::event(0), LogFixture::event(1)};
  batch[1].details = "{\"x\":1.5}";
  try {
    fx.log->append_batch(batch);
    FAIL("accepted");
  } catch (const civitas::Error& e) {
    CHECK(e.code() == Code::invalid_argument);
  }
  CHECK(fx.log->size() == 0);
}

TEST_CASE("checkpoints are signed when the tree grew and verify against the tree") {
  LogFixture fx;
  std::string empty = fx.log->checkpoint(fx.key);
  CHECK(a::open_checkpoint(empty, {fx.verifier()}).size == 0);
  for (int i = 0; i < 10; ++i) fx.log->append(LogFixture::event(i));
  std::string c10 = fx.log->checkpoint(fx.key);
  CHECK(fx.log->checkpoint(fx.key) == c10);  // unchanged tree: same note
  a::Checkpoint cp = a::open_checkpoint(c10, {fx.verifier()});
  CHECK(cp.size == 10);
  CHECK(cp.origin == "civitas.test/audit");
  CHECK(cp.root == fx.log->root(10));
  CHECK(*fx.log->latest_checkpoint() == c10);
  for (int i = 10; i < 25; ++i) fx.log->append(LogFixture::event(i));
  std::string c25 = fx.log->checkpoint(fx.key);
  a::ConsistencyProof p = fx.log->consistency(10, 25);
  CHECK(a::check_consistency(c10, c25, p, fx.verifier()).size == 25);
  CHECK(fx.log->check_received(c10, {fx.verifier()}).size == 10);
  auto rep = fx.log->verify({fx.verifier()}, {c10});
  CHECK(rep.ok());
  CHECK(rep.entries == 25);
  CHECK(rep.checkpoints == 4);
  CHECK(rep.root == fx.log->root(25));
}

TEST_CASE("threads appending at once get one total order with nothing lost") {
  LogFixture fx;
  auto db2 = fx.second_connection();
  a::Log log2(*db2, "civitas.test/audit");
  std::vector<std::thread> ts;
  for (int t = 0; t < 4; ++t)
    ts.emplace_back([&, t] {
      a::Log& l = t % 2 ? log2 : *fx.log;
      for (int i = 0; i < 50; ++i) {
        a::Event e = LogFixture::event(i);
        e.details = "{\"t\":" + std::to_string(t) + ",\"i\":" + std::to_string(i) + "}";
        if (i % 10 == 9) l.append_batch({e, e});
        else l.append(e);
      }
    });
  for (auto& t : ts) t.join();
  CHECK(fx.log->size() == 4 * 55);
  CHECK(fx.log->verify({fx.verifier()}).ok());
}

TEST_CASE("processes appending at once, one killed with -9, leave a complete verifiable log") {
  LogFixture fx;
  std::vector<pid_t> kids;
  for (int p = 0; p < 3; ++p) {
    pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      try {
        civitas::store::Store db(fx.path, fx.page_key);
        a::Log l(db, "civitas.test/audit");
        for (int i = 0; i < (p == 2 ? 100000 : 40); ++i) l.append(LogFixture::event(i));
      } catch (...) {
        _exit(1);
      }
      _exit(0);
    }
    kids.push_back(pid);
  }
  // Let the third process get going, then kill it mid-stream.
  for (int i = 0; i < 200 && fx.log->size() < 30; ++i) usleep(10000);
  kill(kids[2], SIGKILL);
  for (pid_t k : kids) {
    int st = 0;
    waitpid(k, &st, 0);
    if (k != kids[2]) CHECK((WIFEXITED(st) && WEXITSTATUS(st) == 0));
  }
  std::uint64_t n = fx.log->size();
  CHECK(n >= 80);
  auto rep = fx.log->verify({fx.verifier()});
  for (auto& p : rep.problems) MESSAGE(p.kind << ": " << p.message);
  CHECK(rep.ok());
  CHECK(rep.entries == n);
  fx.log->append(LogFixture::event(0));  // the log continues after the crash
  CHECK(fx.log->verify({fx.verifier()}).ok());
}
