// Classifications per catalog resource code: table policy_classification (module "policy" of
// module_schema, docs/formats/workspace.md). Workspace::record_classification writes through
// this with its audit entry in the same transaction.
#include <chrono>
#include <mutex>

#include "civitas/json.hpp"
#include "civitas/policy.hpp"

namespace civitas::policy {

using nlohmann::json;

namespace {

const std::vector<store::Migration>& migrations() {
  static const std::vector<store::Migration> m = {
      {1, "classifications of catalog resources (docs/policy.md)",
       R"sql(
CREATE TABLE policy_classification(
  resource_code TEXT NOT NULL,           -- catalog resource code
  seq           INTEGER NOT NULL,        -- 1, 2, … per resource code
  scan          TEXT NOT NULL,           -- the graded scan JSON {"columns": […], "level"}
  level         TEXT NOT NULL,           -- the table's level (a level id of the policy)
  policy_id     TEXT NOT NULL,
  policy_digest TEXT NOT NULL,           -- sha256:… of the policy that graded it
  created_ms    INTEGER NOT NULL,
  PRIMARY KEY(resource_code, seq)
) WITHOUT ROWID;
)sql",
       nullptr, 0},
  };
  return m;
}

StoredClassification row(store::Statement& st) {
  StoredClassification c;
  c.resource_code = st.text(0);
  c.seq = static_cast<int>(st.int64(1));
  std::optional<json> j = try_parse_json(st.text(2));
  if (!j) throw Error(Code::integrity, "stored classification is not JSON", Location{{}, {}, {}, c.resource_code});
  c.scan = std::move(*j);
  c.level = st.text(3);
  c.policy_id = st.text(4);
  c.policy_digest = st.text(5);
  c.created_ms = st.int64(6);
  return c;
}

constexpr const char* kCols = "resource_code, seq, scan, level, policy_id, policy_digest, created_ms";

}  // namespace

void migrate(store::Store& s) { store::migrate(s, "policy", migrations()); }

ClassificationStore::ClassificationStore(store::Store& s) : store_(s) { migrate(store_); }

StoredClassification ClassificationStore::put(const std::string& code, const json& scan, const Policy& p) {
  Grading g = grading_from_json(p, scan);  // checks the shape and that the levels are the policy's
  StoredClassification out;
  out.resource_code = code;
  out.scan = to_json(g);
  out.level = g.level;
  out.policy_id = p.id();
  out.policy_digest = p.digest();
  out.created_ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
                       .count();
  store::Transaction tx(store_);
  {
    store::Statement st(store_, "SELECT COALESCE(MAX(seq), 0) FROM policy_classification WHERE resource_code = ?1");
    st.bind(1, code);
    st.step();
    out.seq = static_cast<int>(st.int64(0)) + 1;
  }
  store::Statement ins(store_, std::string("INSERT INTO policy_classification(") + kCols +
                                   ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
  ins.bind(1, code)
      .bind(2, static_cast<std::int64_t>(out.seq))
      .bind(3, out.scan.dump(-1, ' ', false, json::error_handler_t::replace))
      .bind(4, out.level)
      .bind(5, out.policy_id)
      .bind(6, out.policy_digest)
      .bind(7, out.created_ms);
  ins.run();
  tx.commit();
  return out;
}

std::optional<StoredClassification> ClassificationStore::latest(const std::string& code) {
  std::lock_guard<std::recursive_mutex> lock(store_.mutex());
  store::Statement st(store_, std::string("SELECT ") + kCols +
                                  " FROM policy_classification WHERE resource_code = ?1 ORDER BY seq DESC LIMIT 1");
  st.bind(1, code);
  if (!st.step()) return std::nullopt;
  return row(st);
}

std::vector<StoredClassification> ClassificationStore::history(const std::string& code) {
  std::lock_guard<std::recursive_mutex> lock(store_.mutex());
  store::Statement st(store_, std::string("SELECT ") + kCols +
                                  " FROM policy_classification WHERE resource_code = ?1 ORDER BY seq");
  st.bind(1, code);
  std::vector<StoredClassification> out;
  while (st.step()) out.push_back(row(st));
  return out;
}

}  // namespace civitas::policy
