// civitas::catalog — catalog entries: the metadata of the national government-data catalog
// guideline (发改高技〔2017〕1272号, as carried on by 政务数据共享条例, 国务院令第809号):
// classification (类/项/目/细目) and the resource code built from it, provider, items
// (信息项), sharing and open attributes, update cycle, dates, related resources.
//
// Entries are JSON documents (docs/formats/catalog-entry.md). Validation gives one problem
// per broken rule. Export to a Frictionless Data Package, DCAT 3 / DCAT-AP 3 JSON-LD or a
// CKAN package is lossless: importing an export gives back the same entry. CatalogStore keeps
// entries, versioned, in the workspace store (table catalog_entry, docs/catalog.md).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "civitas/schema.hpp"
#include "civitas/store.hpp"

namespace civitas::catalog {

using schema::Problem;

/// Enumerations whose official values could not be confirmed are configurable; the defaults
/// are documented in docs/catalog.md.
struct CatalogConfig {
  std::string separator = "/";               ///< between 前段码 and 后段码
  std::vector<int> widths{1, 2, 3, 3};       ///< digits of 类, 项, 目, 细目
  int sequence_width = 6;                    ///< digits of the 后段码 (sequence)
  std::vector<std::string> formats{"csv", "json", "jsonl", "xml", "xls", "xlsx", "pdf", "doc",
                                   "docx", "txt", "zip", "api", "database", "other"};
  std::vector<std::string> update_cycles{"realtime", "daily", "weekly", "monthly", "quarterly",
                                         "half-yearly", "yearly", "irregular", "other"};
  std::string base_uri = "urn:civitas:";     ///< prefix of the IRIs minted in DCAT exports

  static CatalogConfig from_json(const nlohmann::json& j);  ///< throws Error(invalid_argument)
  nlohmann::json to_json() const;
};

enum class CatalogFormat { datapackage = 1, dcat = 2, ckan = 3 };
CatalogFormat catalog_format_from_name(std::string_view name);  ///< "datapackage", "dcat", "ckan"

/// Every broken rule of an entry (empty = valid). Accepts the Chinese labels of the
/// enumerations (无条件共享…) as well as the tokens; see normalize_entry.
std::vector<Problem> check_entry(const nlohmann::json& entry, const CatalogConfig& cfg = {});

/// The resource code built from the classification and sequence ("101001001/000001").
/// Throws Error(invalid_data) when the parts are missing or malformed.
std::string resource_code(const nlohmann::json& entry, const CatalogConfig& cfg = {});

/// Canonical form: Chinese enumeration labels turned into tokens, "resourceCode" filled in,
/// "version" set. Throws Error(invalid_data) with the first problem when the entry breaks a rule.
nlohmann::json normalize_entry(const nlohmann::json& entry, const CatalogConfig& cfg = {});

/// Every broken rule of an entry checked together with the Table Schema of its table
/// (docs/formats/catalog-entry.md, "Items and schema fields"): the rules of check_entry, then
/// every item names a field of the schema ("field"), its data type fits the field's type, its
/// length equals the field's civitas:dataLength, and every field is described by an item.
/// Throws Error(invalid_data) when the schema itself is not a valid Table Schema.
std::vector<Problem> check_entry_schema(const nlohmann::json& entry, const nlohmann::json& table_schema,
                                        const CatalogConfig& cfg = {});

/// Exports a (valid) entry. Throws Error(invalid_data) for an invalid entry.
nlohmann::json export_entry(const nlohmann::json& entry, CatalogFormat fmt, const CatalogConfig& cfg = {});
/// Exports an entry describing the real table: the Data Package's resource schema is the Table
/// Schema (each field with the item that describes it, "civitas:item"), the DCAT distributions
/// conform to it (dct:conformsTo a dct:Standard holding it). Throws Error(invalid_data) naming the
/// first problem of check_entry_schema. The CKAN export does not change.
nlohmann::json export_entry(const nlohmann::json& entry, CatalogFormat fmt, const CatalogConfig& cfg,
                            const nlohmann::json& table_schema);
/// Imports an entry from an export; detects the format when fmt is null. Throws
/// Error(invalid_data) naming what is missing.
nlohmann::json import_entry(const nlohmann::json& doc, const CatalogFormat* fmt = nullptr,
                            const CatalogConfig& cfg = {});
/// Detects the format of a document: DCAT (@context/@graph), CKAN (notes/extras), Data Package.
CatalogFormat detect_catalog_format(const nlohmann::json& doc);

/// Table Schema fields for the entry's items (guideline data type → Table Schema type, with
/// civitas:dataType and civitas:dataLength).
nlohmann::json items_to_schema(const nlohmann::json& items);

// ---- storage ------------------------------------------------------------------------------

/// Brings the catalog's tables in the store to this library's version (module "catalog" of
/// table module_schema, docs/formats/workspace.md). CatalogStore calls it; idempotent.
void migrate(store::Store& s);

struct StoredEntry {
  std::string resource_code;
  int version = 0;                 ///< 1, 2, … per resource code
  nlohmann::json entry;            ///< normalised entry
  std::int64_t created_ms = 0;
};

/// Catalog entries kept in the workspace store, versioned: every change to an entry adds a
/// version; earlier versions stay readable. Thread-safe as the Store is (one lock per store).
class CatalogStore {
 public:
  /// Migrates the catalog's tables when needed (migrate()).
  explicit CatalogStore(store::Store& s, CatalogConfig cfg = {});

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
  CatalogConfig cfg_;
};

}  // namespace civitas::catalog
