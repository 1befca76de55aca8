// The store's own table: module_schema, the version of every module's tables. Each module
// keeps the migrations of the tables it owns beside its code and applies them with
// store::migrate() when it opens (workspace: core/workspace/tables.cpp, audit:
// core/audit/tables.cpp, catalog: core/catalog/store.cpp); never edit a released migration.
#include "schema.hpp"

#include "civitas/store.hpp"

namespace civitas::store {

namespace {

// Files written before module_schema have one shared PRAGMA user_version (1–5): it is kept
// as module "legacy", from which each module derives the version of its own tables.
void convert_user_version(Store& db) {
  Statement q(db, "PRAGMA user_version");
  q.step();
  const std::int64_t legacy = q.int64(0);
  if (legacy > 0) {
    Statement ins(db, "INSERT INTO module_schema(module, version) VALUES('legacy', ?)");
    ins.bind(1, legacy).run();
  }
  db.exec("PRAGMA user_version = " + std::to_string(kUserVersion));
}

}  // namespace

const std::vector<Migration>& own_migrations() {
  static const std::vector<Migration> m = {
      {1, "module_schema: the version of each module's tables (docs/formats/workspace.md)",
       R"sql(
CREATE TABLE module_schema(
  module  TEXT PRIMARY KEY,              -- store, workspace, audit, catalog, … ('legacy': see below)
  version INTEGER NOT NULL               -- migrations of that module applied
) WITHOUT ROWID;
)sql",
       convert_user_version},
  };
  return m;
}

}  // namespace civitas::store
