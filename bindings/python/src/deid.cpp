// civitas._native.deid — `civitas deid run` for Python (Workspace::deid_run, the one audited
// call: every run is logged as "deid.run"): specs and reports cross as JSON text;
// civitas/deid.py wraps them (files, pandas DataFrames, pyarrow tables). The run releases
// the GIL.
#include <string>

#include "bindings.hpp"
#include "civitas/json.hpp"
#include "civitas/workspace.hpp"

namespace civitas::python {

using nlohmann::json;

void bind_deid(py::module_ m) {
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
      "De-identifies a CSV file by a spec (JSON text) in a workspace: its keys for keyed actions, the run\n"
      "audit-logged (deid.run, refusals included); returns the report (JSON text).");
}

}  // namespace civitas::python
