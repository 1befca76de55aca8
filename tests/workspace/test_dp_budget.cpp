// Differential-privacy budgets of a workspace (core/workspace/dp_ops.cpp): a budget per catalog
// dataset, releases that spend it with their "dp.release" entry in the same transaction, and
// refusals (no budget, overspending, bad query) that release nothing and are recorded.
#include <doctest/doctest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "civitas/audit.hpp"
#include "civitas/catalog.hpp"
#include "civitas/deid.hpp"
#include "civitas/error.hpp"
#include "civitas/workspace.hpp"
#include "common/fixtures.hpp"

using namespace civitas;
using namespace civitas::workspace;
using civitas::test::code_of;
using nlohmann::json;

namespace {

struct Dir : test::TempDir {
  Dir() : test::TempDir("civitas-dp") {}
};

std::unique_ptr<Workspace> make(const std::string& path) {
  crypto::SecretBytes k(32);
  for (std::size_t i = 0; i < 32; ++i) k.data()[i] = 5;
  CreateOptions o;
  o.department = "91350100M000100Y43";
  return Workspace::create(path, KeySource::raw_key(std::move(k)), o);
}

std::string add_dataset(Workspace& w) {
  std::ifstream in(std::string(CIVITAS_TEST_DATA) + "/schema/entry.json");
  std::stringstream ss;
  ss << in.rdbuf();
  return w.catalog_add(json::parse(ss.str())).resource_code;
}

std::vector<audit::Entry> entries(Workspace& ws, const std::string& action) {
  audit::Filter f;
  f.action = action;
  std::vector<audit::Entry> out;
  for (auto& se : audit::WorkspaceLog::open(ws)->log().query(f)) out.push_back(se.entry);
  return out;
}

std::int64_t releases(Workspace& w) {
  store::Statement q(w.store(), "SELECT COUNT(*) FROM deid_dp_release");
  q.step();
  return q.int64(0);
}

deid::DpQuery count_query(const std::string& dataset, const std::string& eps) {
  deid::DpQuery q;
  q.statistic = deid::DpStatistic::count;
  q.dataset = dataset;
  q.column = "v";
  q.epsilon = eps;
  return q;
}

deid::DpInput rows(const deid::DpQuery& q, int n) {
  deid::DpInput in(q);
  for (int i = 0; i < n; ++i) in.add("1", {}, {}, static_cast<std::uint64_t>(i + 2));
  return in;
}

struct Refusing : AuditSink {
  void record(const AuditRecord& r) override {
    if (r.action == std::string_view("dp.release")) throw Error(Code::io, "audit log unavailable");
  }
};

}  // namespace

TEST_CASE("a budget is set for a catalog dataset only, and recorded") {
  Dir d;
  auto w = make(d.file("w.db"));
  CHECK(code_of([&] { w->dp_set_budget("NO-SUCH-CODE", "1"); }) == Code::not_found);
  const std::string ds = add_dataset(*w);
  CHECK(code_of([&] { (void)w->dp_budget(ds); }) == Code::not_found);
  CHECK(code_of([&] { w->dp_set_budget(ds, "-1"); }) == Code::invalid_argument);
  CHECK(code_of([&] { w->dp_set_budget(ds, "1", "1"); }) == Code::invalid_argument);
  auto b = w->dp_set_budget(ds, "1.5", "1e-6");
  CHECK(b.epsilon_total == 1'500'000'000);
  CHECK(b.delta_total == 1'000'000'000'000);
  CHECK(w->dp_budget(ds).epsilon_spent == 0);
  CHECK(w->dp_budgets().size() == 1);
  auto e = entries(*w, "dp.budget");
  REQUIRE(e.size() == 4);  // two refusals, not_found first, and the change
  CHECK(e[0].outcome == "not-found");
  CHECK(e[3].outcome == "ok");
  CHECK(e[3].resource == ds);
}

TEST_CASE("releases spend the budget; the one that would overspend it is refused and recorded") {
  Dir d;
  auto w = make(d.file("w.db"));
  const std::string ds = add_dataset(*w);
  auto q = count_query(ds, "0.4");
  auto in = rows(q, 100);
  // no budget yet: refused, nothing released
  CHECK(code_of([&] { w->dp_release(q, in); }) == Code::denied);
  w->dp_set_budget(ds, "1");
  auto r1 = json::parse(w->dp_release(q, in).json);
  CHECK(r1["release"] == 1);
  CHECK(r1["budget"]["epsilon"]["spent"] == "0.4");
  w->dp_release(q, in);
  CHECK(w->dp_budget(ds).epsilon_spent == 800'000'000);
  // 0.8 + 0.4 > 1: refused
  try {
    w->dp_release(q, in);
    FAIL("overspent");
  } catch (const Error& e) {
    CHECK(e.code() == Code::denied);
    CHECK(std::string(e.what()).find("remaining epsilon 0.2") != std::string::npos);
  }
  CHECK(releases(*w) == 2);
  CHECK(w->dp_budget(ds).epsilon_spent == 800'000'000);
  // what remains can still be spent exactly
  w->dp_release(count_query(ds, "0.2"), in);
  CHECK(w->dp_budget(ds).epsilon_spent == 1'000'000'000);
  auto e = entries(*w, "dp.release");
  REQUIRE(e.size() == 5);
  CHECK(e[0].outcome == "denied");
  CHECK(e[1].outcome == "ok");
  CHECK(e[3].outcome == "denied");
  CHECK(e[4].outcome == "ok");
  CHECK(e[1].resource == ds);
  json det = json::parse(e[1].details);
  CHECK(det["release"] == 1);
  CHECK(det["epsilon_remaining"] == "0.6");
  CHECK(det["result_sha256"].get<std::string>().rfind("sha256:", 0) == 0);
  // lowering the total below what was spent refuses every release
  w->dp_set_budget(ds, "0.5");
  CHECK(code_of([&] { w->dp_release(count_query(ds, "0.000000001"), in); }) == Code::denied);
}

TEST_CASE("delta is a budget too") {
  Dir d;
  auto w = make(d.file("w.db"));
  const std::string ds = add_dataset(*w);
  w->dp_set_budget(ds, "10", "1e-5");
  auto q = count_query(ds, "1");
  q.delta = "1e-5";
  auto in = rows(q, 10);
  auto r = json::parse(w->dp_release(q, in).json);
  CHECK(r["noise"] == "gaussian");
  CHECK(code_of([&] { w->dp_release(q, in); }) == Code::denied);
  CHECK(releases(*w) == 1);
}

TEST_CASE("an invalid query is recorded as a refusal and spends nothing") {
  Dir d;
  auto w = make(d.file("w.db"));
  const std::string ds = add_dataset(*w);
  w->dp_set_budget(ds, "1");
  auto q = count_query(ds, "0.5");
  auto in = rows(q, 10);
  q.epsilon = "0";
  CHECK(code_of([&] { w->dp_release(q, in); }) == Code::invalid_argument);
  CHECK(releases(*w) == 0);
  CHECK(entries(*w, "dp.release").at(0).outcome == "invalid-argument");
}

TEST_CASE("a release whose audit entry fails is not spent (one transaction)") {
  Dir d;
  auto w = make(d.file("w.db"));
  const std::string ds = add_dataset(*w);
  w->dp_set_budget(ds, "1");
  auto q = count_query(ds, "0.5");
  auto in = rows(q, 10);
  w->set_audit_sink(std::make_shared<Refusing>());
  CHECK(code_of([&] { w->dp_release(q, in); }) == Code::io);
  CHECK(releases(*w) == 0);
  CHECK(w->dp_budget(ds).epsilon_spent == 0);
}
