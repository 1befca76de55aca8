// civitas._native.dp — differential privacy (civitas/deid.hpp, "differential privacy"):
// the secure samplers, a dataset's privacy budget and releases, each one core call
// (deid::dp_* / Workspace::dp_*). Queries, budgets and releases cross as JSON text;
// civitas/dp.py gives the Pythonic surface. Work on data releases the GIL.
#include <string>
#include <vector>

#include <pybind11/stl.h>

#include "bindings.hpp"
#include "civitas/deid.hpp"
#include "civitas/error.hpp"
#include "civitas/workspace.hpp"

namespace civitas::python {

void bind_deid_dp(py::module_ m) {
  m.def(
      "sample",
      [](const std::string& mechanism, std::uint64_t num, std::uint64_t den, std::size_t n) {
        if (mechanism != "laplace" && mechanism != "gaussian")
          throw Error(Code::invalid_argument, "mechanism: 'laplace' or 'gaussian'");
        if (n > (std::size_t{1} << 28)) throw Error(Code::invalid_argument, "n: at most 2^28 samples per call");
        std::vector<std::int64_t> out(n);
        {
          py::gil_scoped_release nogil;
          deid::DpRandom rng;
          for (auto& x : out)
            x = mechanism == "laplace" ? deid::dp_discrete_laplace(rng, {num, den}) : deid::dp_discrete_gaussian(rng, {num, den});
        }
        return out;
      },
      py::arg("mechanism"), py::arg("num"), py::arg("den"), py::arg("n"));
  m.def(
      "set_budget",
      [](workspace::Workspace& w, const std::string& dataset, const std::string& eps, const std::string& delta) {
        py::gil_scoped_release nogil;
        return w.dp_set_budget(dataset, eps, delta).to_json();
      },
      py::arg("ws"), py::arg("dataset"), py::arg("epsilon"), py::arg("delta"));
  m.def(
      "budget",
      [](workspace::Workspace& w, const std::string& dataset) {
        py::gil_scoped_release nogil;
        return w.dp_budget(dataset).to_json();
      },
      py::arg("ws"), py::arg("dataset"));
  m.def(
      "budgets",
      [](workspace::Workspace& w) {
        std::vector<std::string> out;
        py::gil_scoped_release nogil;
        for (const auto& b : w.dp_budgets()) out.push_back(b.to_json());
        return out;
      },
      py::arg("ws"));
  m.def(
      "release_csv",
      [](workspace::Workspace& w, const std::string& query, const std::string& path, const std::string& delimiter,
         const std::string& encoding) {
        if (delimiter.size() != 1) throw Error(Code::invalid_argument, "delimiter: one character");
        py::gil_scoped_release nogil;
        deid::DpQuery q = deid::dp_query_from_json(query);
        deid::DpInput in = deid::dp_read_csv(q, path, delimiter[0], encoding);
        return w.dp_release(q, in).json;
      },
      py::arg("ws"), py::arg("query"), py::arg("path"), py::arg("delimiter"), py::arg("encoding"));
  m.def(
      "release_columns",
      [](workspace::Workspace& w, const std::string& query, py::handle values, py::handle persons, py::handle groups) {
        deid::DpQuery q = deid::dp_query_from_json(query);
        Column v = gather_column(values, "values");
        Column p, g;
        const bool has_p = !persons.is_none(), has_g = !groups.is_none();
        if (has_p) p = gather_column(persons, "persons");
        if (has_g) g = gather_column(groups, "groups");
        if ((has_p && p.size() != v.size()) || (has_g && g.size() != v.size()))
          throw Error(Code::invalid_argument, "values, persons and groups must have the same length");
        if (!q.person.empty() && !has_p) throw Error(Code::invalid_argument, "the query names a person column: give persons");
        if (!q.by.empty() && !has_g) throw Error(Code::invalid_argument, "the query groups by a column: give groups");
        py::gil_scoped_release nogil;
        auto cell = [](const Column& c, std::size_t i) {
          return std::string_view(c.data.data() + c.offsets[i], static_cast<std::size_t>(c.offsets[i + 1] - c.offsets[i]));
        };
        deid::DpInput in(q);
        for (std::size_t i = 0; i < v.size(); ++i)
          in.add(cell(v, i), has_p ? cell(p, i) : std::string_view{}, has_g ? cell(g, i) : std::string_view{}, i + 1);
        return w.dp_release(q, in).json;
      },
      py::arg("ws"), py::arg("query"), py::arg("values"), py::arg("persons"), py::arg("groups"));
}

}  // namespace civitas::python
