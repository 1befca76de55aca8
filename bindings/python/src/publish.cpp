// civitas._native.publish — the open-data publishing job for Python (Workspace::publish,
// Workspace::verify_publication[_with]; docs/publish.md): options and results cross as JSON
// text; civitas/publishing.py wraps them (civitas.publish, civitas.verify_publication). The job
// releases the GIL; a progress callable is called with it held.
#include <optional>
#include <string>

#include "bindings.hpp"
#include "civitas/json.hpp"
#include "civitas/workspace.hpp"

namespace civitas::python {

using nlohmann::json;

void bind_publish(py::module_ m) {
  m.def(
      "run",
      [](workspace::Workspace& ws, const std::string& data, const std::string& out, const std::string& options,
         py::object progress) -> py::tuple {
        const json o = parse_json(options, "publish options");
        workspace::Workspace::PublishOptions po;
        for (auto it = o.begin(); it != o.end(); ++it) {
          const std::string& k = it.key();
          if (!it.value().is_string()) throw Error(Code::invalid_argument, "publish option \"" + k + "\" must be a string");
          const std::string v = it.value().get<std::string>();
          if (k == "resource") po.resource = v;
          else if (k == "schema") po.schema_json = v;
          else if (k == "policy") po.policy_json = v;
          else if (k == "spec") po.spec_json = v;
          else if (k == "spec_dir") po.spec_dir = v;
          else if (k == "encoding") po.encoding = v;
          else if (k == "delimiter") {
            if (v.size() != 1) throw Error(Code::invalid_argument, "delimiter must be one character");
            po.delimiter = v[0];
          } else {
            throw Error(Code::invalid_argument, "unknown publish option \"" + k + "\"");
          }
        }
        std::optional<py::error_already_set> raised;
        if (!progress.is_none()) {
          po.progress = [&progress, &raised](std::string_view step, double done) {
            py::gil_scoped_acquire gil;
            try {
              progress(std::string(step), done);
            } catch (py::error_already_set& e) {
              raised.emplace(std::move(e));
              throw Error(Code::invalid_argument, "stopped: the progress callable raised an exception");
            }
          };
        }
        std::string result, refused;
        {
          py::gil_scoped_release nogil;
          try {
            result = ws.publish(data, out, po).dump(-1, ' ', false, json::error_handler_t::replace);
          } catch (const workspace::Workspace::PublishRefused& e) {
            refused = json{{"reason", e.reason}, {"column", e.column}, {"rule", e.rule}, {"message", e.what()},
                           {"code", static_cast<int>(e.code())}}
                          .dump(-1, ' ', false, json::error_handler_t::replace);
          } catch (const Error&) {
            if (!raised) throw;
          }
        }
        if (raised) throw std::move(*raised);
        return py::make_tuple(result, refused);
      },
      py::arg("workspace"), py::arg("data"), py::arg("out"), py::arg("options"), py::arg("progress") = py::none(),
      "Publishes a table (Workspace::publish); returns (summary JSON, \"\") or (\"\", refusal JSON).");
  m.def(
      "verify",
      [](workspace::Workspace& ws, const std::string& dir) {
        py::gil_scoped_release nogil;
        return ws.verify_publication(dir).dump(-1, ' ', false, json::error_handler_t::replace);
      },
      py::arg("workspace"), py::arg("dir"), "Checks a publication against the workspace's and its peers' keys.");
  m.def(
      "verify_with",
      [](const std::string& dir, const std::string& key_document) {
        py::gil_scoped_release nogil;
        return workspace::Workspace::verify_publication_with(dir, key_document)
            .dump(-1, ' ', false, json::error_handler_t::replace);
      },
      py::arg("dir"), py::arg("key_document"), "Checks a publication against a department's public-key document.");
}

}  // namespace civitas::python
