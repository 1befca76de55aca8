// civitas._native.classify — the binding of civitas::classify (core/include/civitas/classify.hpp).
// The public, documented surface is civitas/classify.py, which wraps these functions.
//
// Detectors cross as a list of dicts {name, pattern, category?, level?} (None = built-in);
// results as plain dicts and lists. Long work (texts, files, columns) runs without the GIL.
#include <memory>
#include <string>
#include <vector>

#include "bindings.hpp"
#include "civitas/classify.hpp"
#include "civitas/error.hpp"

namespace civitas::python {
namespace {

namespace cl = civitas::classify;

std::unique_ptr<cl::Detectors> detectors_arg(py::handle h) {
  if (h.is_none()) return nullptr;
  std::vector<cl::CustomDetector> out;
  for (py::handle item : h) {
    if (!py::isinstance<py::dict>(item)) throw py::type_error("each detector must be a dict {name, pattern, category?, level?}");
    py::dict d = py::reinterpret_borrow<py::dict>(item);
    auto get = [&](const char* k, bool required) -> std::string {
      if (!d.contains(k) || d[k].is_none()) {
        if (required) throw Error(Code::invalid_argument, std::string("a detector has no \"") + k + "\"");
        return "";
      }
      return std::string(text_view(d[k], k));
    };
    out.push_back({get("name", true), get("pattern", true), get("category", false), get("level", false)});
  }
  return std::make_unique<cl::Detectors>(std::move(out));
}

const cl::Detectors& or_builtin(const std::unique_ptr<cl::Detectors>& d) { return d ? *d : cl::builtin(); }

py::object opt(const std::optional<std::string>& s) { return s ? py::object(utf8(*s)) : py::object(py::none()); }

py::dict column_dict(const cl::ColumnResult& c) {
  py::dict d;
  d["name"] = utf8(c.name);
  d["type"] = utf8(c.type);
  d["ratio"] = c.ratio;
  d["confidence"] = c.confidence;
  d["category"] = opt(c.category);
  d["level"] = opt(c.level);
  d["source"] = utf8(c.source);
  d["sampled"] = c.sampled;
  d["blank"] = c.blank;
  return d;
}

}  // namespace

void bind_classify(py::module_ m) {
  m.def("type_names", [] {
    py::list out;
    for (const auto& n : cl::type_names()) out.append(utf8(n));
    return out;
  });

  m.def(
      "classify_value",
      [](py::handle value, py::handle detectors) {
        auto d = detectors_arg(detectors);
        return std::string(cl::classify_value(text_view(value, "value"), or_builtin(d)));
      },
      py::arg("value"), py::arg("detectors") = py::none());

  m.def(
      "matches",
      [](py::handle type, py::handle value, py::handle detectors) {
        auto d = detectors_arg(detectors);
        return cl::matches(text_view(type, "type"), text_view(value, "value"), or_builtin(d));
      },
      py::arg("type"), py::arg("value"), py::arg("detectors") = py::none());

  m.def(
      "find",
      [](py::handle text, const std::string& encoding, py::handle detectors) {
        auto d = detectors_arg(detectors);
        std::string_view t = text_view(text, "text");
        std::vector<cl::Finding> f;
        {
          py::gil_scoped_release nogil;
          f = cl::find_encoded(t, encoding, or_builtin(d));
        }
        py::list out;
        for (const auto& x : f) out.append(py::make_tuple(utf8(x.type), x.offset, x.length));
        return out;
      },
      py::arg("text"), py::arg("encoding") = "", py::arg("detectors") = py::none());

  m.def(
      "find_in_column",
      [](py::handle values, py::handle detectors) {
        auto d = detectors_arg(detectors);
        Column col = gather_column(values, "values");
        std::vector<cl::CellFinding> f;
        {
          py::gil_scoped_release nogil;
          std::vector<std::string_view> vals;
          vals.reserve(col.size());
          for (std::size_t i = 0; i < col.size(); ++i)
            vals.emplace_back(col.data.data() + col.offsets[i], static_cast<std::size_t>(col.offsets[i + 1] - col.offsets[i]));
          f = cl::find_in_column(vals, or_builtin(d));
        }
        py::list out;
        for (const auto& x : f) out.append(py::make_tuple(x.row, utf8(x.finding.type), x.finding.offset, x.finding.length));
        return out;
      },
      py::arg("values"), py::arg("detectors") = py::none());

  m.def(
      "classify_column",
      [](py::handle name, py::handle values, py::handle detectors) {
        auto d = detectors_arg(detectors);
        std::string n(text_view(name, "name"));
        Column col = gather_column(values, "values");
        py::gil_scoped_release nogil;
        std::vector<std::string_view> vals;
        vals.reserve(col.size());
        for (std::size_t i = 0; i < col.size(); ++i)
          vals.emplace_back(col.data.data() + col.offsets[i], static_cast<std::size_t>(col.offsets[i + 1] - col.offsets[i]));
        cl::ColumnResult r = cl::classify_column(n, vals, or_builtin(d));
        py::gil_scoped_acquire gil;
        return column_dict(r);
      },
      py::arg("name"), py::arg("values"), py::arg("detectors") = py::none());

  m.def(
      "scan_file",
      [](const std::string& path, py::handle schema_json, const std::string& encoding, const std::string& delimiter,
         bool full, py::handle detectors) {
        cl::ScanOptions o;
        auto d = detectors_arg(detectors);
        o.detectors = d.get();
        if (!schema_json.is_none()) o.schema = schema::parse_schema(text_view(schema_json, "schema"));
        o.encoding = encoding;
        if (!delimiter.empty()) {
          if (delimiter.size() != 1) throw Error(Code::invalid_argument, "delimiter must be one character");
          o.dialect.delimiter = delimiter[0];
        }
        o.full = full;
        cl::TableResult r;
        {
          py::gil_scoped_release nogil;
          r = cl::scan_file(path, o);
        }
        py::dict out;
        py::list cols;
        for (const auto& c : r.columns) cols.append(column_dict(c));
        out["columns"] = cols;
        out["level"] = opt(r.level);
        out["encoding"] = utf8(r.encoding);
        out["sampled"] = r.sampled;
        out["rows_read"] = r.rows_read;
        return out;
      },
      py::arg("path"), py::arg("schema") = py::none(), py::arg("encoding") = "", py::arg("delimiter") = "",
      py::arg("full") = false, py::arg("detectors") = py::none());
}

}  // namespace civitas::python
