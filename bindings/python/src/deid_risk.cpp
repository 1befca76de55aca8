// civitas._native.deid_risk — the binding of civitas::deid's field transforms, risk measures
// and HTML report (core/include/civitas/deid.hpp, second section). The documented surface is
// civitas/deid_risk.py. JSON goes in and out as text; the wrapper turns it into dicts.
#include <pybind11/stl.h>

#include <nlohmann/json.hpp>

#include "bindings.hpp"
#include "civitas/crypto.hpp"
#include "civitas/deid.hpp"
#include "civitas/json.hpp"

namespace civitas::python {
namespace {

using W = civitas::workspace::Workspace;

deid::RiskOptions options(double threshold, double population_size, double sampling_fraction, const std::string& model) {
  deid::RiskOptions o;
  o.threshold = threshold;
  o.population_size = population_size;
  o.sampling_fraction = sampling_fraction;
  o.model = model;
  return o;
}

std::vector<std::string> strings(py::handle items, const char* what) {
  Column c = gather_column(items, what);
  std::vector<std::string> out(c.size());
  for (std::size_t i = 0; i < c.size(); ++i) out[i].assign(c.data, c.offsets[i], c.offsets[i + 1] - c.offsets[i]);
  return out;
}

std::string dump(const nlohmann::json& j) { return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace); }

py::list to_list(const std::vector<std::string>& v) {
  py::list out(v.size());
  for (std::size_t i = 0; i < v.size(); ++i) out[i] = utf8(v[i]);
  return out;
}

}  // namespace

void bind_deid_risk(py::module_ m) {
  m.def(
      "risk",
      [](const std::vector<std::uint64_t>& sizes, double threshold, double population_size, double sampling_fraction,
         const std::string& model) {
        deid::RiskOptions o = options(threshold, population_size, sampling_fraction, model);
        py::gil_scoped_release nogil;
        return dump(deid::risk_to_json(deid::measure_risk(deid::class_size_histogram(sizes), o)));
      },
      py::arg("sizes"), py::arg("threshold"), py::arg("population_size"), py::arg("sampling_fraction"), py::arg("model"));
  m.def(
      "risk_population",
      [](const std::vector<std::uint64_t>& sample, const std::vector<std::uint64_t>& population, double threshold,
         double population_size, double sampling_fraction, const std::string& model) {
        deid::RiskOptions o = options(threshold, population_size, sampling_fraction, model);
        py::gil_scoped_release nogil;
        return dump(deid::risk_to_json(deid::measure_risk(sample, population, o)));
      },
      py::arg("sample"), py::arg("population"), py::arg("threshold"), py::arg("population_size"),
      py::arg("sampling_fraction"), py::arg("model"));
  m.def(
      "risk_csv",
      [](const std::string& path, const std::vector<std::string>& qi, const std::string& delimiter,
         const std::string& encoding, double threshold, double population_size, double sampling_fraction,
         const std::string& model) {
        if (delimiter.size() != 1) throw Error(Code::invalid_argument, "delimiter must be one character");
        deid::CsvRiskInput in{path, qi, delimiter[0], encoding};
        deid::RiskOptions o = options(threshold, population_size, sampling_fraction, model);
        py::gil_scoped_release nogil;
        deid::CsvRisk r = deid::measure_csv_risk(in, o);
        return dump(nlohmann::json{{"risk", deid::risk_to_json(r.risk)},
                                   {"class_sizes", deid::class_sizes_to_json(r.class_sizes)},
                                   {"records", r.risk.records},
                                   {"classes", r.risk.classes}});
      },
      py::arg("path"), py::arg("qi"), py::arg("delimiter"), py::arg("encoding"), py::arg("threshold"),
      py::arg("population_size"), py::arg("sampling_fraction"), py::arg("model"));
  m.def(
      "class_sizes",
      [](py::sequence columns) {
        std::vector<std::vector<std::string>> cols;
        for (py::handle c : columns) cols.push_back(strings(c, "column"));
        std::vector<const std::vector<std::string>*> ptrs;
        for (const auto& c : cols) ptrs.push_back(&c);
        py::gil_scoped_release nogil;
        return deid::equivalence_class_sizes(ptrs);
      },
      py::arg("columns"));
  m.def(
      "transform",
      [](py::handle values, const std::string& action_json, const std::string& field, py::object subject,
         py::object workspace) {
        deid::Action a = deid::parse_action(parse_json(action_json, "action"), field);
        std::vector<std::string> v = strings(values, "values");
        std::vector<std::string> subj;
        deid::ColumnContext ctx;
        ctx.field = field;
        if (!subject.is_none()) {
          subj = strings(subject, "subject");
          ctx.subject = &subj;
        }
        std::shared_ptr<W> lease;
        std::shared_ptr<const crypto::Keyring> ring;
        deid::TransformKeys keys;
        if (!workspace.is_none()) {
          lease = workspace.cast<WorkspaceHandle&>().lease();
          ring = lease->keyring();
          const bool identity = a.kind == deid::ActionKind::pseudonymize || a.kind == deid::ActionKind::date_shift ||
                                (a.kind == deid::ActionKind::noise && a.keyed);
          if (identity) keys.identity = &ring->primary(crypto::Purpose::identity);
          if (a.kind == deid::ActionKind::tokenize) keys.token = &ring->primary(crypto::Purpose::token);
        }
        {
          py::gil_scoped_release nogil;
          deid::apply_action(a, v, keys, ctx);
        }
        return to_list(v);
      },
      py::arg("values"), py::arg("action"), py::arg("field"), py::arg("subject"), py::arg("workspace"));
  m.def(
      "describe",
      [](const std::string& action_json, const std::string& field) {
        deid::Action a = deid::parse_action(parse_json(action_json, "action"), field);
        return py::make_tuple(dump(deid::action_to_json(a)), deid::describe_action(a));
      },
      py::arg("action"), py::arg("field"));
  m.def(
      "report_html",
      [](const std::string& report_json) {
        nlohmann::json r = parse_json(report_json, "the report");
        py::gil_scoped_release nogil;
        return deid::report_html(r);
      },
      py::arg("report"));
}

}  // namespace civitas::python
