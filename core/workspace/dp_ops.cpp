// Differential-privacy budgets of a workspace (docs/dp.md, docs/formats/workspace.md):
// Workspace::dp_set_budget, dp_budget(s) and dp_release, the one audited call that checks the
// budget, computes the release, records the spend with the release and appends the "dp.release"
// entry in one transaction. The tables are module "deid_dp" (deid itself sits below the store in
// the module graph, so its budget tables are migrated here, at the meeting point).
#include <sodium.h>

#include <nlohmann/json.hpp>
#include <optional>

#include "civitas/catalog.hpp"
#include "civitas/deid.hpp"
#include "civitas/workspace.hpp"
#include "impl.hpp"

namespace civitas::workspace {
namespace {

using nlohmann::json;

const std::vector<store::Migration>& dp_migrations() {
  static const std::vector<store::Migration> m = {
      {1, "differential-privacy budgets and releases",
       "CREATE TABLE deid_dp_budget(dataset TEXT PRIMARY KEY, epsilon_total INTEGER NOT NULL, "
       "delta_total INTEGER NOT NULL, updated INTEGER NOT NULL);"
       "CREATE TABLE deid_dp_release(id INTEGER PRIMARY KEY, dataset TEXT NOT NULL, created INTEGER NOT NULL, "
       "statistic TEXT NOT NULL, epsilon INTEGER NOT NULL, delta INTEGER NOT NULL, query TEXT NOT NULL, "
       "result TEXT NOT NULL);"
       "CREATE INDEX deid_dp_release_dataset ON deid_dp_release(dataset);"},
  };
  return m;
}

void migrate_dp(store::Store& s) { store::migrate(s, "deid_dp", dp_migrations()); }

std::optional<deid::DpBudget> load(store::Store& s, std::string_view dataset) {
  store::Statement b(s, "SELECT epsilon_total, delta_total, updated FROM deid_dp_budget WHERE dataset = ?");
  b.bind(1, dataset);
  if (!b.step()) return std::nullopt;
  deid::DpBudget r;
  r.dataset = std::string(dataset);
  r.epsilon_total = b.int64(0);
  r.delta_total = b.int64(1);
  r.updated = b.int64(2);
  store::Statement sp(s, "SELECT COALESCE(SUM(epsilon), 0), COALESCE(SUM(delta), 0), COUNT(*) FROM deid_dp_release WHERE dataset = ?");
  sp.bind(1, dataset);
  sp.step();
  r.epsilon_spent = sp.int64(0);
  r.delta_spent = sp.int64(1);
  r.releases = sp.int64(2);
  return r;
}

std::string amount(std::int64_t units, int dec) { return deid::dp_format_units(units, dec); }

std::string sha256_hex(const std::string& s) {
  unsigned char h[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(h, reinterpret_cast<const unsigned char*>(s.data()), s.size());
  char hex[2 * sizeof h + 1];
  sodium_bin2hex(hex, sizeof hex, h, sizeof h);
  return std::string("sha256:") + hex;
}

}  // namespace

deid::DpBudget Workspace::dp_set_budget(std::string_view dataset, std::string_view epsilon, std::string_view delta) {
  json details = {{"dataset", dataset}, {"epsilon", epsilon}, {"delta", delta.empty() ? "0" : delta}};
  try {
    if (dataset.empty()) throw Error(Code::invalid_argument, "dataset: a catalog resource code is required");
    const std::int64_t e = deid::dp_parse_units(epsilon, deid::kDpEpsilonDecimals, "epsilon");
    const std::int64_t d = deid::dp_parse_units(delta.empty() ? "0" : delta, deid::kDpDeltaDecimals, "delta");
    if (e < 0 || e > 1'000'000'000'000) throw Error(Code::invalid_argument, "epsilon: the total must be in [0, 1000]");
    if (d < 0 || d >= 1'000'000'000'000'000'000) throw Error(Code::invalid_argument, "delta: the total must be in [0, 1)");
    store::Transaction tx(*impl_->store);
    migrate_dp(*impl_->store);
    catalog::CatalogStore cs(*impl_->store);
    if (!cs.get(std::string(dataset)))
      throw Error(Code::not_found, "no catalog entry " + std::string(dataset) + " in this workspace (civitas catalog add)");
    auto before = load(*impl_->store, dataset);
    details["previous"] = before ? json{{"epsilon", amount(before->epsilon_total, deid::kDpEpsilonDecimals)},
                                        {"delta", amount(before->delta_total, deid::kDpDeltaDecimals)}}
                                 : json(nullptr);
    details["epsilon"] = amount(e, deid::kDpEpsilonDecimals);
    details["delta"] = amount(d, deid::kDpDeltaDecimals);
    store::Statement up(*impl_->store,
                        "INSERT OR REPLACE INTO deid_dp_budget(dataset, epsilon_total, delta_total, updated) VALUES (?, ?, ?, ?)");
    up.bind(1, dataset).bind(2, e).bind(3, d).bind(4, now_seconds()).run();
    impl_->audit("dp.budget", dataset, details);
    auto after = *load(*impl_->store, dataset);
    tx.commit();
    return after;
  } catch (const Error& err) {
    impl_->audit_refused("dp.budget", dataset, err, details);
    throw;
  }
}

deid::DpBudget Workspace::dp_budget(std::string_view dataset) const {
  store::Transaction tx(*impl_->store);
  migrate_dp(*impl_->store);
  auto b = load(*impl_->store, dataset);
  tx.commit();
  if (!b) throw Error(Code::not_found, "no privacy budget for dataset " + std::string(dataset) + " (civitas dp budget --dataset " +
                                           std::string(dataset) + " --epsilon E)");
  return *b;
}

std::vector<deid::DpBudget> Workspace::dp_budgets() const {
  store::Transaction tx(*impl_->store);
  migrate_dp(*impl_->store);
  std::vector<std::string> names;
  store::Statement q(*impl_->store, "SELECT dataset FROM deid_dp_budget ORDER BY dataset");
  while (q.step()) names.push_back(q.text(0));
  std::vector<deid::DpBudget> out;
  for (const auto& n : names) out.push_back(*load(*impl_->store, n));
  tx.commit();
  return out;
}

deid::DpRelease Workspace::dp_release(const deid::DpQuery& q, const deid::DpInput& in) {
  json details = {{"statistic", deid::dp_statistic_name(q.statistic)}, {"epsilon", q.epsilon}, {"delta", q.delta.empty() ? "0" : q.delta}};
  try {
    q.validate();
    details["query"] = json::parse(q.to_json());
    const std::int64_t e = deid::dp_parse_units(q.epsilon, deid::kDpEpsilonDecimals, "epsilon");
    const std::int64_t d = deid::dp_parse_units(q.delta.empty() ? "0" : q.delta, deid::kDpDeltaDecimals, "delta");
    store::Transaction tx(*impl_->store);  // BEGIN IMMEDIATE: no other writer between check and spend
    migrate_dp(*impl_->store);
    auto b = load(*impl_->store, q.dataset);
    if (!b)
      throw Error(Code::denied, "no privacy budget for dataset " + q.dataset + ": set one with civitas dp budget --dataset " + q.dataset +
                                    " --epsilon E");
    if (e > b->epsilon_total - b->epsilon_spent || d > b->delta_total - b->delta_spent)
      throw Error(Code::denied, "privacy budget of dataset " + q.dataset + " exceeded: this release needs epsilon " +
                                    amount(e, deid::kDpEpsilonDecimals) + ", delta " + amount(d, deid::kDpDeltaDecimals) +
                                    "; remaining epsilon " +
                                    amount(std::max<std::int64_t>(b->epsilon_total - b->epsilon_spent, 0), deid::kDpEpsilonDecimals) +
                                    ", delta " + amount(std::max<std::int64_t>(b->delta_total - b->delta_spent, 0), deid::kDpDeltaDecimals));
    deid::DpRandom rng;
    deid::DpRelease r = deid::dp_compute(q, in, rng);
    store::Statement ins(*impl_->store,
                         "INSERT INTO deid_dp_release(dataset, created, statistic, epsilon, delta, query, result) "
                         "VALUES (?, ?, ?, ?, ?, ?, ?)");
    ins.bind(1, q.dataset).bind(2, now_seconds()).bind(3, deid::dp_statistic_name(q.statistic));
    ins.bind(4, r.epsilon_units).bind(5, r.delta_units).bind(6, q.to_json()).bind(7, r.json).run();
    store::Statement last(*impl_->store, "SELECT last_insert_rowid()");
    last.step();
    const std::int64_t id = last.int64(0);
    auto after = *load(*impl_->store, q.dataset);
    details["release"] = id;
    details["result_sha256"] = sha256_hex(r.json);
    details["epsilon_remaining"] = amount(after.epsilon_total - after.epsilon_spent, deid::kDpEpsilonDecimals);
    details["delta_remaining"] = amount(after.delta_total - after.delta_spent, deid::kDpDeltaDecimals);
    impl_->audit("dp.release", q.dataset, details);
    tx.commit();
    json out = json::parse(r.json);
    out["release"] = id;
    out["budget"] = json::parse(after.to_json());
    r.json = out.dump(-1, ' ', false, json::error_handler_t::replace);
    return r;
  } catch (const Error& err) {
    impl_->audit_refused("dp.release", q.dataset, err, details);
    throw;
  }
}

}  // namespace civitas::workspace
