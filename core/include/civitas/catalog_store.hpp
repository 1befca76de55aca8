// civitas::catalog — catalog entries kept in the workspace store, versioned: every change to
// an entry adds a version; earlier versions stay readable. The model, validation and
// export formats are in civitas/catalog.hpp (module schema); this is only storage.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "civitas/catalog.hpp"
#include "civitas/store.hpp"

namespace civitas::catalog {

struct StoredEntry {
  std::string resource_code;
  int version = 0;                 ///< 1, 2, … per resource code
  nlohmann::json entry;            ///< normalised entry
  std::int64_t created_ms = 0;
};

/// Thread-safe as the Store is (one lock per store).
class CatalogStore {
 public:
  explicit CatalogStore(store::Store& s, schema::CatalogConfig cfg = {});

  /// Validates and normalises the entry and stores it as the next version of its resource
  /// code. An entry equal to the latest version is not stored again (that version is
  /// returned). Throws Error(invalid_data) naming the first broken rule.
  StoredEntry put(const nlohmann::json& entry);
  /// A version of an entry (0 = latest); nullopt when there is none.
  std::optional<StoredEntry> get(const std::string& resource_code, int version = 0);
  /// The latest version of every entry, by resource code.
  std::vector<StoredEntry> list();
  /// Every version of one entry, oldest first.
  std::vector<StoredEntry> history(const std::string& resource_code);

 private:
  store::Store& store_;
  schema::CatalogConfig cfg_;
};

}  // namespace civitas::catalog
