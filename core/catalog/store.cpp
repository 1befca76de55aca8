// Catalog storage: entries, versioned, in table catalog_entry of the workspace store, and the
// catalog module's migrations (module "catalog" of module_schema, docs/formats/workspace.md).
#include <chrono>

#include "civitas/catalog.hpp"
#include "civitas/json.hpp"

namespace civitas::catalog {

using nlohmann::json;

namespace {

const std::vector<store::Migration>& migrations() {
  static const std::vector<store::Migration> m = {
      {1, "catalog entries, versioned (docs/catalog.md)",
       R"sql(
CREATE TABLE catalog_entry(
  resource_code TEXT NOT NULL,           -- 前段码 + separator + 后段码
  version       INTEGER NOT NULL,        -- 1, 2, … per resource code
  entry         TEXT NOT NULL,           -- the normalised entry (docs/formats/catalog-entry.md)
  created_ms    INTEGER NOT NULL,
  PRIMARY KEY(resource_code, version)
) WITHOUT ROWID;
)sql",
       nullptr, 3},
  };
  return m;
}

StoredEntry row(store::Statement& st) {
  StoredEntry e;
  e.resource_code = st.text(0);
  e.version = static_cast<int>(st.int64(1));
  std::optional<json> j = try_parse_json(st.text(2));
  if (!j) throw Error(Code::integrity, "stored catalog entry is not JSON", Location{{}, {}, {}, e.resource_code});
  e.entry = std::move(*j);
  e.created_ms = st.int64(3);
  return e;
}

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

void migrate(store::Store& s) { store::migrate(s, "catalog", migrations()); }

CatalogStore::CatalogStore(store::Store& s, CatalogConfig cfg) : store_(s), cfg_(std::move(cfg)) { migrate(store_); }

StoredEntry CatalogStore::put(const json& entry) {
  json e = normalize_entry(entry, cfg_);
  std::string code = e["resourceCode"];
  std::string text = e.dump(-1, ' ', false, json::error_handler_t::strict);
  store::Transaction tx(store_);
  int version = 1;
  {
    store::Statement st(store_,
                        "SELECT resource_code, version, entry, created_ms FROM catalog_entry WHERE resource_code = ?1 "
                        "ORDER BY version DESC LIMIT 1");
    st.bind(1, code);
    if (st.step()) {
      StoredEntry last = row(st);
      if (last.entry == e) return last;
      version = last.version + 1;
    }
  }
  StoredEntry out{code, version, e, now_ms()};
  store::Statement ins(store_, "INSERT INTO catalog_entry(resource_code, version, entry, created_ms) VALUES (?1, ?2, ?3, ?4)");
  ins.bind(1, code).bind(2, static_cast<std::int64_t>(version)).bind(3, text).bind(4, out.created_ms);
  ins.run();
  tx.commit();
  return out;
}

std::optional<StoredEntry> CatalogStore::get(const std::string& code, int version) {
  std::lock_guard<std::recursive_mutex> lock(store_.mutex());
  store::Statement st(store_, version > 0
                                  ? "SELECT resource_code, version, entry, created_ms FROM catalog_entry "
                                    "WHERE resource_code = ?1 AND version = ?2"
                                  : "SELECT resource_code, version, entry, created_ms FROM catalog_entry "
                                    "WHERE resource_code = ?1 ORDER BY version DESC LIMIT 1");
  st.bind(1, code);
  if (version > 0) st.bind(2, static_cast<std::int64_t>(version));
  if (!st.step()) return std::nullopt;
  return row(st);
}

std::vector<StoredEntry> CatalogStore::list() {
  std::lock_guard<std::recursive_mutex> lock(store_.mutex());
  store::Statement st(store_,
                      "SELECT e.resource_code, e.version, e.entry, e.created_ms FROM catalog_entry e "
                      "WHERE e.version = (SELECT MAX(version) FROM catalog_entry WHERE resource_code = e.resource_code) "
                      "ORDER BY e.resource_code");
  std::vector<StoredEntry> out;
  while (st.step()) out.push_back(row(st));
  return out;
}

std::vector<StoredEntry> CatalogStore::history(const std::string& code) {
  std::lock_guard<std::recursive_mutex> lock(store_.mutex());
  store::Statement st(store_,
                      "SELECT resource_code, version, entry, created_ms FROM catalog_entry WHERE resource_code = ?1 "
                      "ORDER BY version");
  st.bind(1, code);
  std::vector<StoredEntry> out;
  while (st.step()) out.push_back(row(st));
  return out;
}

}  // namespace civitas::catalog
