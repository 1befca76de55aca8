// Workspace::catalog_add: a catalog change and its "catalog.add" audit entry in one
// transaction (docs/development.md, "Audited operations"). Storage itself is the catalog
// module's (civitas/catalog.hpp); this file only wraps it.
#include <nlohmann/json.hpp>

#include "civitas/catalog.hpp"
#include "civitas/workspace.hpp"
#include "impl.hpp"

namespace civitas::workspace {

catalog::StoredEntry Workspace::catalog_add(const nlohmann::json& entry, const catalog::CatalogConfig& cfg) {
  catalog::CatalogStore cs(*impl_->store, cfg);
  store::Transaction tx(*impl_->store);  // put()'s own transaction is a savepoint of this one
  const int before = [&] {
    store::Statement q(*impl_->store, "SELECT COUNT(*) FROM catalog_entry");
    q.step();
    return static_cast<int>(q.int64(0));
  }();
  catalog::StoredEntry s = cs.put(entry);
  store::Statement q(*impl_->store, "SELECT COUNT(*) FROM catalog_entry");
  q.step();
  if (q.int64(0) != before)  // a new version (an entry equal to the latest one changes nothing)
    impl_->audit("catalog.add", s.resource_code, nlohmann::json{{"resource_code", s.resource_code}, {"version", s.version}});
  tx.commit();
  return s;
}

}  // namespace civitas::workspace
