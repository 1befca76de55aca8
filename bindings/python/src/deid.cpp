// civitas._native.deid — `civitas deid run` for Python (core/include/civitas/deid.hpp,
// Workspace::deid_run): specs and reports cross as JSON text; civitas/deid.py wraps them
// (files, pandas DataFrames, pyarrow tables). The run releases the GIL.
#include <string>

#include "bindings.hpp"
#include "civitas/deid.hpp"
#include "civitas/json.hpp"
#include "civitas/workspace.hpp"

namespace civitas::python {
namespace {

using nlohmann::json;

deid::RunOptions options_of(const json& o) {
  deid::RunOptions r;
  for (auto it = o.begin(); it != o.end(); ++it) {
    if (it.key() == "delimiter" && it.value().is_string() && it.value().get<std::string>().size() == 1)
      r.delimiter = it.value().get<std::string>()[0];
    else if (it.key() == "encoding" && it.value().is_string())
      r.encoding = it.value().get<std::string>();
    else if (it.key() == "drop_suppressed" && it.value().is_boolean())
      r.drop_suppressed = it.value().get<bool>();
    else
      throw Error(Code::invalid_argument, "deid run option \"" + it.key() + "\" is unknown or has the wrong type");
  }
  return r;
}

}  // namespace

void bind_deid(py::module_ m) {
  m.def(
      "run",
      [](const std::string& spec, const std::string& spec_dir, const std::string& in, const std::string& out,
         const std::string& options) {
        std::string report;
        {
          py::gil_scoped_release nogil;
          const json o = parse_json(options, "deid run options");
          const deid::Spec s = deid::parse_spec(spec, spec_dir);
          json r = deid::run_files(s, spec, in, out, options_of(o));
          r["audit"] = nullptr;
          report = r.dump(-1, ' ', false, json::error_handler_t::replace);
        }
        return report;
      },
      py::arg("spec"), py::arg("spec_dir"), py::arg("input"), py::arg("output"), py::arg("options"),
      "De-identifies a CSV file by a spec (JSON text); returns the report (JSON text).");
  m.def(
      "run_in",
      [](workspace::Workspace& ws, const std::string& spec, const std::string& spec_dir, const std::string& in,
         const std::string& out, const std::string& options) {
        std::string report;
        {
          py::gil_scoped_release nogil;
          const json o = parse_json(options, "deid run options");
          report = ws.deid_run(spec, spec_dir, in, out, o).dump(-1, ' ', false, json::error_handler_t::replace);
        }
        return report;
      },
      py::arg("workspace"), py::arg("spec"), py::arg("spec_dir"), py::arg("input"), py::arg("output"),
      py::arg("options"),
      "The same with a workspace: its keys for keyed actions, the run audit-logged (deid.run).");
}

}  // namespace civitas::python
