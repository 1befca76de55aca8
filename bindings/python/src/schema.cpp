// civitas._native.schema — the binding of civitas::schema (core/include/civitas/schema.hpp
// and catalog.hpp). Documents cross as JSON text; civitas/schema.py and civitas/catalog.py
// turn them into dicts. Validation releases the GIL.
#include <string>

#include "bindings.hpp"
#include "civitas/catalog.hpp"
#include "civitas/error.hpp"
#include "civitas/json.hpp"
#include "civitas/schema.hpp"

namespace civitas::python {
namespace {

using nlohmann::json;
namespace sc = civitas::schema;
namespace cat = civitas::catalog;

json parse(std::string_view text, const char* what) { return civitas::parse_json(text, what); }

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

py::list problems(const std::vector<sc::Problem>& ps) {
  py::list out;
  for (const auto& p : ps) out.append(py::make_tuple(utf8(p.path), utf8(p.message)));
  return out;
}

sc::ValidateOptions options(std::uint64_t limit, const std::string& format, py::object dialect,
                            py::object resources = py::none()) {
  sc::ValidateOptions o;
  o.limit_errors = limit;
  o.format = format;
  if (!dialect.is_none()) o.dialect = sc::Dialect::from_json(parse(text_view(dialect, "dialect"), "dialect"));
  if (!resources.is_none()) o.resources = sc::resources_from_json(parse(text_view(resources, "resources"), "resources"));
  return o;
}

cat::CatalogConfig config(py::object cfg) {
  return cfg.is_none() ? cat::CatalogConfig{} : cat::CatalogConfig::from_json(parse(text_view(cfg, "config"), "config"));
}

}  // namespace

void bind_schema(py::module_ m) {
  m.def("check_schema", [](py::handle text) { return problems(sc::check_schema(text_view(text, "schema"))); },
        py::arg("schema"));
  m.def("normalize_schema",
        [](py::handle text) { return utf8(dump(sc::parse_schema(text_view(text, "schema")).to_json())); },
        py::arg("schema"));
  m.def(
      "validate_file",
      [](py::handle schema, const std::string& path, std::uint64_t limit, const std::string& format, py::object dialect,
         py::object resources) {
        sc::TableSchema s = sc::parse_schema(text_view(schema, "schema"));
        sc::ValidateOptions o = options(limit, format, dialect, resources);
        std::string out;
        {
          py::gil_scoped_release nogil;
          out = dump(sc::validate_file(path, s, o));
        }
        return utf8(out);
      },
      py::arg("schema"), py::arg("path"), py::arg("limit_errors") = 1000, py::arg("format") = "",
      py::arg("dialect") = py::none(), py::arg("resources") = py::none());
  m.def(
      "validate_package",
      [](const std::string& path, std::uint64_t limit) {
        sc::ValidateOptions o;
        o.limit_errors = limit;
        std::string out;
        {
          py::gil_scoped_release nogil;
          out = dump(sc::validate_package(path, o));
        }
        return utf8(out);
      },
      py::arg("path"), py::arg("limit_errors") = 1000);
  m.def(
      "validate_bytes",
      [](py::handle schema, py::handle data, std::uint64_t limit, const std::string& format, py::object dialect) {
        sc::TableSchema s = sc::parse_schema(text_view(schema, "schema"));
        sc::ValidateOptions o = options(limit, format, dialect);
        std::string_view bytes = text_view(data, "data");  // data stays alive: held by the caller
        std::string out;
        {
          py::gil_scoped_release nogil;
          out = dump(sc::validate_bytes(bytes, s, o));
        }
        return utf8(out);
      },
      py::arg("schema"), py::arg("data"), py::arg("limit_errors") = 1000, py::arg("format") = "",
      py::arg("dialect") = py::none());
  // catalog
  m.def("check_entry",
        [](py::handle e, py::object cfg, py::object ts) {
          json entry = parse(text_view(e, "entry"), "entry");
          if (ts.is_none()) return problems(cat::check_entry(entry, config(cfg)));
          return problems(cat::check_entry_schema(entry, parse(text_view(ts, "schema"), "schema"), config(cfg)));
        },
        py::arg("entry"), py::arg("config") = py::none(), py::arg("schema") = py::none());
  m.def("resource_code",
        [](py::handle e, py::object cfg) { return utf8(cat::resource_code(parse(text_view(e, "entry"), "entry"), config(cfg))); },
        py::arg("entry"), py::arg("config") = py::none());
  m.def("normalize_entry",
        [](py::handle e, py::object cfg) {
          return utf8(dump(cat::normalize_entry(parse(text_view(e, "entry"), "entry"), config(cfg))));
        },
        py::arg("entry"), py::arg("config") = py::none());
  m.def("export_entry",
        [](py::handle e, const std::string& fmt, py::object cfg, py::object ts) {
          json entry = parse(text_view(e, "entry"), "entry");
          cat::CatalogFormat f = cat::catalog_format_from_name(fmt);
          if (ts.is_none()) return utf8(dump(cat::export_entry(entry, f, config(cfg))));
          return utf8(dump(cat::export_entry(entry, f, config(cfg), parse(text_view(ts, "schema"), "schema"))));
        },
        py::arg("entry"), py::arg("format"), py::arg("config") = py::none(), py::arg("schema") = py::none());
  m.def("import_entry",
        [](py::handle doc, py::object fmt, py::object cfg) {
          json d = parse(text_view(doc, "document"), "document");
          if (fmt.is_none()) return utf8(dump(cat::import_entry(d, nullptr, config(cfg))));
          cat::CatalogFormat f = cat::catalog_format_from_name(text_view(fmt, "format"));
          return utf8(dump(cat::import_entry(d, &f, config(cfg))));
        },
        py::arg("document"), py::arg("format") = py::none(), py::arg("config") = py::none());
}

}  // namespace civitas::python
