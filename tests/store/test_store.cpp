// The SQLCipher store: keys, versions, damage, concurrency between processes, crash safety.
#include <doctest/doctest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <set>

#include "civitas/error.hpp"
#include "civitas/store.hpp"
#include "common/fixtures.hpp"

using namespace civitas;
using civitas::crypto::SecretBytes;
namespace fs = std::filesystem;

using civitas::test::code_of;

namespace {
struct TempDir : test::TempDir {
  TempDir() : test::TempDir("civitas-store") {}
};
// A new store (OpenOptions::create).
std::unique_ptr<store::Store> create_store(const std::string& path, const SecretBytes& key) {
  store::OpenOptions o;
  o.create = true;
  return std::make_unique<store::Store>(path, key, o);
}
std::int64_t count_rows(store::Store& s, const char* table) {
  store::Statement st(s, std::string("SELECT count(*) FROM ") + table);
  st.step();
  return st.int64(0);
}
void flip_byte(const std::string& path, long at) {
  FILE* f = std::fopen(path.c_str(), "r+b");
  REQUIRE(f);
  std::fseek(f, at, SEEK_SET);
  int b = std::fgetc(f);
  std::fseek(f, at, SEEK_SET);
  std::fputc(b ^ 0x55, f);
  std::fclose(f);
}
}  // namespace

TEST_CASE("a store opens only with its page key and has its module_schema table") {
  TempDir d;
  SecretBytes key = SecretBytes::random(32);
  const std::string path = d.file("w.db");
  {
    auto s = create_store(path, key);
    CHECK(s->module_version("store") == 1);
    CHECK(s->module_version("workspace") == 0);  // each module migrates its own tables
    store::Statement uv(*s, "PRAGMA user_version");
    REQUIRE(uv.step());
    CHECK(uv.int64(0) == store::kUserVersion);
    s->exec("CREATE TABLE t(x TEXT); INSERT INTO t VALUES('hello');");
  }
  {
    store::Store s(path, key);
    CHECK(count_rows(s, "t") == 1);
  }
  try {
    store::Store s(path, SecretBytes::random(32));
    FAIL("opened with a wrong key");
  } catch (const Error& e) {
    CHECK(e.code() == Code::wrong_key);
    CHECK(std::string(e.what()).find("wrong key, or not a civitas workspace") != std::string::npos);
  }
  CHECK(code_of([&] { store::Store s(d.file("none.db"), key); }) == Code::not_found);
  CHECK(code_of([&] { create_store(path, key); }) == Code::exists);
  // a file that is not a database at all
  std::ofstream(d.file("junk.db")) << std::string(8192, 'j');
  CHECK(code_of([&] { store::Store s(d.file("junk.db"), key); }) == Code::wrong_key);
}

TEST_CASE("plain sqlite3 cannot read a store") {
  TempDir d;
  SecretBytes key = SecretBytes::random(32);
  create_store(d.file("w.db"), key);
  std::string cmd = "sqlite3 '" + d.file("w.db") + "' 'SELECT * FROM sqlite_master;' >/dev/null 2>&1";
  int rc = std::system(cmd.c_str());
  CHECK(rc != 0);
}

TEST_CASE("a store written by a newer civitas is refused with unsupported_version") {
  TempDir d;
  SecretBytes key = SecretBytes::random(32);
  create_store(d.file("w.db"), key)->exec("PRAGMA user_version = " + std::to_string(store::kUserVersion + 1));
  try {
    store::Store s(d.file("w.db"), key);
    FAIL("opened a newer file");
  } catch (const Error& e) {
    CHECK(e.code() == Code::unsupported_version);
    CHECK(std::string(e.what()).find("newer civitas") != std::string::npos);
  }
}

TEST_CASE("a damaged page is an integrity error, never data") {
  TempDir d;
  SecretBytes key = SecretBytes::random(32);
  const std::string path = d.file("w.db");
  {
    auto db = create_store(path, key);
    store::Store& s = *db;
    s.exec("CREATE TABLE t(x TEXT)");
    store::Transaction tx(s);
    store::Statement ins(s, "INSERT INTO t VALUES(?)");
    for (int i = 0; i < 2000; ++i) {
      ins.reset();
      ins.bind(1, std::string(100, static_cast<char>('a' + i % 26)));
      ins.run();
    }
    tx.commit();
    s.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  }
  REQUIRE(fs::file_size(path) > 10 * 4096);
  CHECK((!fs::exists(path + "-wal") || fs::file_size(path + "-wal") == 0));
  // the last page is one of t's leaves (t was filled last)
  flip_byte(path, static_cast<long>(fs::file_size(path)) - 4096 + 1000);
  Code got = code_of([&] {
    store::Store s(path, key);
    store::Statement st(s, "SELECT x FROM t");
    while (st.step()) {
    }
  });
  CHECK(got == Code::integrity);
  Code chk = code_of([&] {
    store::Store s(path, key);
    s.check_integrity();
  });
  CHECK(chk == Code::integrity);
  // page 1 damaged: the key cannot be told from damage at this level; wrong_key or integrity
  flip_byte(path, 100);
  Code first = code_of([&] { store::Store s(path, key); });
  CHECK((first == Code::wrong_key || first == Code::integrity));
}

TEST_CASE("two processes write at once and lose nothing") {
  TempDir d;
  SecretBytes key = SecretBytes::random(32);
  const std::string path = d.file("w.db");
  create_store(path, key)->exec("CREATE TABLE t(who INTEGER, n INTEGER)");
  const int kRows = 150;
  test::in_child_processes(2, [&](int who) {
    store::Store s(path, key);
    for (int i = 0; i < kRows; ++i) {
      store::Transaction tx(s);
      store::Statement ins(s, "INSERT INTO t VALUES(?, ?)");
      ins.bind(1, std::int64_t{who}).bind(2, std::int64_t{i});
      ins.run();
      tx.commit();
    }
  });
  store::Store s(path, key);
  CHECK(count_rows(s, "t") == 2 * kRows);
}

TEST_CASE("a writer killed with SIGKILL loses nothing it had committed") {
  TempDir d;
  SecretBytes key = SecretBytes::random(32);
  const std::string path = d.file("w.db");
  create_store(path, key)->exec("CREATE TABLE t(n INTEGER PRIMARY KEY, pad TEXT)");
  int fds[2];
  REQUIRE(pipe(fds) == 0);
  pid_t kid = fork();
  REQUIRE(kid >= 0);
  if (kid == 0) {
    close(fds[0]);
    try {
      store::Store s(path, key);
      for (std::int64_t i = 1;; ++i) {
        store::Transaction tx(s);
        store::Statement ins(s, "INSERT INTO t VALUES(?, ?)");
        ins.bind(1, i).bind(2, std::string(500, 'p'));
        ins.run();
        tx.commit();
        // reported only after COMMIT returned
        if (write(fds[1], &i, sizeof i) != sizeof i) _exit(2);
      }
    } catch (...) {
      _exit(1);
    }
  }
  close(fds[1]);
  std::set<std::int64_t> committed;
  std::int64_t v = 0;
  while (committed.size() < 60 && read(fds[0], &v, sizeof v) == sizeof v) committed.insert(v);
  kill(kid, SIGKILL);
  while (read(fds[0], &v, sizeof v) == sizeof v) committed.insert(v);
  close(fds[0]);
  int st = 0;
  waitpid(kid, &st, 0);
  CHECK(WIFSIGNALED(st));
  REQUIRE(committed.size() >= 60);
  store::Store s(path, key);
  for (std::int64_t n : committed) {
    store::Statement q(s, "SELECT count(*) FROM t WHERE n = ?");
    q.bind(1, n);
    q.step();
    CHECK(q.int64(0) == 1);
  }
  s.check_integrity();
}
