// civitas._native.policy — the binding of civitas::policy (core/include/civitas/policy.hpp):
// policy checks, grading, and the audited workspace calls record_classification and decide.
// Documents cross as JSON text; civitas/policy.py turns them into dataclasses. Work releases
// the GIL.
#include <optional>
#include <string>

#include <pybind11/stl.h>

#include "bindings.hpp"
#include "civitas/json.hpp"
#include "civitas/policy.hpp"
#include "civitas/schema.hpp"
#include "civitas/workspace.hpp"

namespace civitas::python {
namespace {

using nlohmann::json;
namespace pl = civitas::policy;

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

pl::Policy policy_of(const std::optional<std::string>& text) {
  return text ? pl::Policy::parse(*text, "policy") : pl::Policy::builtin();
}

}  // namespace

void bind_policy(py::module_ m) {
  m.def(
      "check",
      [](const std::string& text) {
        std::string out;
        {
          py::gil_scoped_release nogil;
          auto ps = pl::check_text(text);
          json a = json::array();
          for (const auto& p : ps) a.push_back({{"path", p.path}, {"message", p.message}});
          json r = {{"valid", ps.empty()}, {"problems", a}, {"id", nullptr}, {"digest", nullptr}};
          if (ps.empty()) {
            pl::Policy p = pl::Policy::parse(text);
            r["id"] = p.id();
            r["digest"] = p.digest();
          }
          out = dump(r);
        }
        return utf8(out);
      },
      py::arg("text"), "Every problem of a policy document: JSON {valid, problems, id, digest}");
  m.def("default_text", [] { return utf8(pl::Policy::builtin_text()); }, "The bundled default city policy (JSON text)");
  m.def(
      "grade",
      [](const std::optional<std::string>& policy, const std::string& scan) {
        std::string out;
        {
          py::gil_scoped_release nogil;
          pl::Policy p = policy_of(policy);
          out = dump(pl::to_json(pl::grading_from_json(p, civitas::parse_json(scan, "scan"))));
        }
        return utf8(out);
      },
      py::arg("policy"), py::arg("scan"), "Grades a scan JSON with a policy (None: the bundled one)");
  m.def(
      "record",
      [](WorkspaceHandle& h, const std::optional<std::string>& policy, const std::string& resource,
         const std::string& scan) {
        std::string out;
        {
          py::gil_scoped_release nogil;
          auto w = h.lease();
          pl::Policy p = policy_of(policy);
          auto s = w->record_classification(resource, civitas::parse_json(scan, "scan"), p);  // audited
          out = dump({{"resource_code", s.resource_code},
                      {"seq", s.seq},
                      {"level", s.level},
                      {"policy", s.policy_id},
                      {"policy_digest", s.policy_digest},
                      {"created_ms", s.created_ms},
                      {"scan", s.scan}});
        }
        return utf8(out);
      },
      py::arg("workspace"), py::arg("policy"), py::arg("resource"), py::arg("scan"),
      "Records a graded scan for a stored catalog entry (audited classify.record)");
  m.def(
      "decide",
      [](WorkspaceHandle& h, const std::optional<std::string>& policy, const std::string& resource,
         const std::string& consumer, const std::string& purpose, bool open, const std::optional<std::string>& schema) {
        std::string out;
        {
          py::gil_scoped_release nogil;
          auto w = h.lease();
          pl::Policy p = policy_of(policy);
          std::optional<schema::TableSchema> s;
          if (schema) s = schema::parse_schema(*schema);
          pl::Decision d = w->decide({resource, consumer, purpose, open}, p, s ? &*s : nullptr);  // audited
          out = dump(pl::to_json(d));
        }
        return utf8(out);
      },
      py::arg("workspace"), py::arg("policy"), py::arg("resource"), py::arg("consumer"), py::arg("purpose"),
      py::arg("open"), py::arg("schema"), "The sharing or opening decision (audited policy.decide): JSON");
}

}  // namespace civitas::python
