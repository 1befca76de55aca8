// Nested store transactions: a Transaction inside another one on the same thread is a
// savepoint of it (the path by which an action and its audit entry commit together).
#include <doctest/doctest.h>

#include <memory>

#include "civitas/error.hpp"
#include "civitas/store.hpp"
#include "common/fixtures.hpp"

using namespace civitas;

namespace {
struct Db {
  test::TempDir dir{"civitas-txn"};
  std::unique_ptr<store::Store> s;
  Db() {
    store::OpenOptions o;
    o.create = true;
    s = std::make_unique<store::Store>(dir.file("t.db"), crypto::SecretBytes::random(32), o);
    s->exec("CREATE TABLE t(v INTEGER)");
  }
  void put(int v) {
    store::Statement st(*s, "INSERT INTO t(v) VALUES(?)");
    st.bind(1, static_cast<std::int64_t>(v)).run();
  }
  std::int64_t rows() {
    store::Statement st(*s, "SELECT count(*) FROM t");
    st.step();
    return st.int64(0);
  }
};
}  // namespace

TEST_CASE("a nested transaction commits only with the outer one") {
  Db db;
  {
    store::Transaction outer(*db.s);
    CHECK_FALSE(outer.nested());
    db.put(1);
    {
      store::Transaction inner(*db.s);
      CHECK(inner.nested());
      db.put(2);
      inner.commit();
    }
    // outer destroyed uncommitted: both rows are gone
  }
  CHECK(db.rows() == 0);
  CHECK_FALSE(db.s->in_transaction());
  {
    store::Transaction outer(*db.s);
    db.put(1);
    {
      store::Transaction inner(*db.s);
      db.put(2);
      inner.commit();
    }
    outer.commit();
  }
  CHECK(db.rows() == 2);
}

TEST_CASE("a nested transaction that fails rolls back its own statements only") {
  Db db;
  {
    store::Transaction outer(*db.s);
    db.put(1);
    try {
      store::Transaction inner(*db.s);
      db.put(2);
      throw Error(Code::io, "the inner step fails");
    } catch (const Error&) {
    }
    db.put(3);
    outer.commit();
  }
  CHECK(db.rows() == 2);
  store::Statement st(*db.s, "SELECT sum(v) FROM t");
  st.step();
  CHECK(st.int64(0) == 4);
}
