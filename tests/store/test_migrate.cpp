// store::migrate: each module's tables carry their own version in module_schema; missing
// migrations run once, in order, in one transaction; a newer version is refused; files of the
// former shared PRAGMA user_version map it to module versions.
#include <doctest/doctest.h>

#include <memory>
#include <string>

#include "civitas/error.hpp"
#include "civitas/store.hpp"
#include "common/fixtures.hpp"

using namespace civitas;
using civitas::crypto::SecretBytes;
using civitas::test::code_of;

namespace {

struct TempDir : test::TempDir {
  TempDir() : test::TempDir("civitas-migrate") {}
};

std::unique_ptr<store::Store> open_store(const std::string& path, const SecretBytes& key, bool create = false) {
  store::OpenOptions o;
  o.create = create;
  return std::make_unique<store::Store>(path, key, o);
}

int code_runs = 0;
void fill(store::Store& s) {
  ++code_runs;
  s.exec("INSERT INTO t1(x) VALUES('from code')");
}

const std::vector<store::Migration> kV1 = {
    {1, "t1", "CREATE TABLE t1(x TEXT);", fill, 2},
};
const std::vector<store::Migration> kV2 = {
    {1, "t1", "CREATE TABLE t1(x TEXT);", fill, 2},
    {2, "t2", "CREATE TABLE t2(y TEXT); INSERT INTO t2 SELECT x FROM t1;", nullptr, 5},
};
// A migration that fails half-way: nothing of it may stay.
const std::vector<store::Migration> kBroken = {
    {1, "t1", "CREATE TABLE t1(x TEXT);", fill, 2},
    {2, "t2", "CREATE TABLE t2(y TEXT); CREATE TABLE t1(x TEXT);", nullptr, 5},
};

std::int64_t scalar(store::Store& s, const std::string& sql) {
  store::Statement q(s, sql);
  REQUIRE(q.step());
  return q.int64(0);
}

}  // namespace

TEST_CASE("a module's migrations run once, in order, and its version is recorded") {
  TempDir d;
  SecretBytes key = SecretBytes::random(32);
  const std::string path = d.file("w.db");
  code_runs = 0;
  {
    auto s = open_store(path, key, true);
    store::migrate(*s, "m", kV1);
    CHECK(s->module_version("m") == 1);
    store::migrate(*s, "m", kV1);  // current: nothing runs again
    CHECK(code_runs == 1);
  }
  {
    auto s = open_store(path, key);
    store::migrate(*s, "m", kV1);
    CHECK(code_runs == 1);
    store::migrate(*s, "m", kV2);  // a later library adds migration 2
    CHECK(s->module_version("m") == 2);
    CHECK(scalar(*s, "SELECT count(*) FROM t2 WHERE y = 'from code'") == 1);
    CHECK(code_runs == 1);
    CHECK(s->module_version("other") == 0);
  }
  {
    // This library knows only migration 1 of "m": the file is newer.
    auto s = open_store(path, key);
    try {
      store::migrate(*s, "m", kV1);
      FAIL("migrated a newer module");
    } catch (const Error& e) {
      CHECK(e.code() == Code::unsupported_version);
      CHECK(std::string(e.what()).find("the m tables") != std::string::npos);
      CHECK(std::string(e.what()).find("newer civitas") != std::string::npos);
    }
  }
}

TEST_CASE("a failing migration leaves the module as it was") {
  TempDir d;
  SecretBytes key = SecretBytes::random(32);
  auto s = open_store(d.file("w.db"), key, true);
  store::migrate(*s, "m", kV1);
  CHECK(code_of([&] { store::migrate(*s, "m", kBroken); }) != Code::ok);
  CHECK(s->module_version("m") == 1);
  CHECK(scalar(*s, "SELECT count(*) FROM sqlite_master WHERE name = 't2'") == 0);
}

TEST_CASE("inside the caller's transaction a migration commits with it, or not at all") {
  TempDir d;
  SecretBytes key = SecretBytes::random(32);
  auto s = open_store(d.file("w.db"), key, true);
  {
    store::Transaction tx(*s);
    store::migrate(*s, "m", kV1);
    CHECK(s->module_version("m") == 1);
  }  // rolled back
  CHECK(s->module_version("m") == 0);
  CHECK(scalar(*s, "SELECT count(*) FROM sqlite_master WHERE name = 't1'") == 0);
  {
    store::Transaction tx(*s);
    store::migrate(*s, "m", kV1);  // not taken as current after the rollback
    tx.commit();
  }
  CHECK(s->module_version("m") == 1);
}

TEST_CASE("a file of the former shared user_version gets module versions from it") {
  TempDir d;
  SecretBytes key = SecretBytes::random(32);
  const std::string path = d.file("w.db");
  {
    // What a civitas of that time left: its tables and PRAGMA user_version, no module_schema.
    auto s = open_store(path, key, true);
    s->exec("DROP TABLE module_schema; CREATE TABLE t1(x TEXT); INSERT INTO t1 VALUES('old'); PRAGMA user_version = 4;");
  }
  code_runs = 0;
  {
    auto s = open_store(path, key);
    CHECK(s->module_version("legacy") == 4);
    CHECK(scalar(*s, "PRAGMA user_version") == store::kUserVersion);
    store::migrate(*s, "m", kV2);  // migration 1 was in the file from user_version 2 on; 2 from 5
    CHECK(code_runs == 0);
    CHECK(s->module_version("m") == 2);
    CHECK(scalar(*s, "SELECT count(*) FROM t2 WHERE y = 'old'") == 1);
  }
}
