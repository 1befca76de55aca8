// civitas._native.catalog — the binding of civitas::catalog::CatalogStore
// (core/include/civitas/catalog.hpp): catalog entries stored, versioned, in a
// workspace. Entries cross as JSON text; civitas/catalog.py turns them into dicts and
// CatalogVersion records. Database work releases the GIL.
#include <memory>
#include <optional>
#include <string>

#include "bindings.hpp"
#include "civitas/catalog.hpp"
#include "civitas/error.hpp"
#include "civitas/json.hpp"
#include "civitas/workspace.hpp"

namespace civitas::python {
namespace {

using nlohmann::json;
namespace cat = civitas::catalog;

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

/// (resource_code, version, created_ms, entry JSON)
py::tuple record(const cat::StoredEntry& s) {
  return py::make_tuple(s.resource_code, s.version, s.created_ms, utf8(dump(s.entry)));
}

py::list records(const std::vector<cat::StoredEntry>& all) {
  py::list out;
  for (const auto& s : all) out.append(record(s));
  return out;
}

/// A CatalogStore over a workspace's store; the Python object keeps the workspace alive.
/// Released when the workspace is closed (later calls raise invalid_argument).
struct Store {
  Store(WorkspaceHandle& h, const cat::CatalogConfig& cfg) : config(cfg) {
    std::shared_ptr<workspace::Workspace> w = h.lease();
    at = std::make_unique<WorkspaceHandle::Attachment<cat::CatalogStore>>(
        h, std::make_shared<cat::CatalogStore>(w->store(), cfg));
  }
  /// For one call: the store, with its workspace kept alive until the call returns.
  auto use() const { return at->get("the catalog"); }
  std::unique_ptr<WorkspaceHandle::Attachment<cat::CatalogStore>> at;
  cat::CatalogConfig config;  ///< for put(): the workspace's audited Workspace::catalog_add
};

}  // namespace

void bind_catalog(py::module_ m) {
  py::class_<Store>(m, "CatalogStore")
      .def(py::init([](WorkspaceHandle& w, py::object cfg) {
             cat::CatalogConfig c;
             if (!cfg.is_none()) {
               std::string_view t = text_view(cfg, "config");
               json j = civitas::parse_json(t, "config");
               c = cat::CatalogConfig::from_json(j);
             }
             return std::make_unique<Store>(w, c);
           }),
           py::arg("workspace"), py::arg("config") = py::none(), py::keep_alive<1, 2>())
      .def("close", [](Store& s) { s.at->release(); }, py::call_guard<py::gil_scoped_release>())
      .def_property_readonly("closed", [](Store& s) { return s.at->released(); })
      .def(
          "put",
          [](Store& s, py::handle entry) {
            std::string_view t = text_view(entry, "entry");
            json e = civitas::parse_json(t, "catalog entry");
            cat::StoredEntry r;
            {
              py::gil_scoped_release nogil;
              auto u = s.use();
              r = u.first->catalog_add(e, s.config);  // audited "catalog.add"
            }
            return record(r);
          },
          py::arg("entry"))
      .def(
          "get",
          [](Store& s, const std::string& code, int version) -> py::object {
            if (version < 0) throw Error(Code::invalid_argument, "version must be 0 (latest) or positive");
            std::optional<cat::StoredEntry> r;
            {
              py::gil_scoped_release nogil;
              r = s.use().second->get(code, version);
            }
            if (!r) return py::none();
            return record(*r);
          },
          py::arg("resource_code"), py::arg("version") = 0)
      .def("list",
           [](Store& s) {
             std::vector<cat::StoredEntry> all;
             {
               py::gil_scoped_release nogil;
               all = s.use().second->list();
             }
             return records(all);
           })
      .def(
          "history",
          [](Store& s, const std::string& code) {
            std::vector<cat::StoredEntry> all;
            {
              py::gil_scoped_release nogil;
              all = s.use().second->history(code);
            }
            return records(all);
          },
          py::arg("resource_code"));
}

}  // namespace civitas::python
