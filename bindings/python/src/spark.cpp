// civitas._native.spark — the native half of civitas.spark (issue 16, docs/spark.md): batch
// functions the Spark executors call once per Arrow batch, and the driver's de-identification
// search over a weighted frequency table counted by Spark (deid::FrequencyTableBuilder with
// weights, deid::search). Every function takes and returns whole columns (lists), never one
// value; the GIL is released around the work.
#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <pybind11/stl.h>

#include "bindings.hpp"
#include "civitas/deid.hpp"
#include "civitas/ids.hpp"
#include "civitas/json.hpp"
#include "civitas/schema.hpp"
#include "civitas/workspace.hpp"

namespace civitas::python {
namespace {

using nlohmann::json;

std::vector<std::string> texts(const py::handle& items, const char* what) {
  std::vector<std::string> out;
  for (py::handle o : items) {
    if (o.is_none()) out.emplace_back();
    else out.emplace_back(text_view(o, what));
  }
  return out;
}

/// What deidentify() does with each column of a DataFrame, derived from the spec exactly as
/// deid::run_files derives it (core/deid/run.cpp): the quasi-identifiers and sensitive fields
/// that are counted, the row-wise actions applied first, the output columns.
struct Plan {
  std::vector<const deid::FieldSpec*> fs_of;         // per input column
  std::vector<std::optional<deid::Action>> actions;  // per input column: row-wise action
  std::vector<std::size_t> qcols, scols, out_cols;
};

Plan make_plan(const deid::Spec& spec, const std::vector<std::string>& header) {
  Plan p;
  const std::size_t ncols = header.size();
  p.fs_of.assign(ncols, nullptr);
  p.actions.resize(ncols);
  for (const auto& f : spec.fields) {
    bool found = false;
    for (std::size_t c = 0; c < ncols; ++c)
      if (header[c] == f.name) {
        p.fs_of[c] = &f;
        found = true;
      }
    if (!found)
      throw Error(Code::not_found, "the spec names field \"" + f.name + "\", which the DataFrame does not have",
                  Location{1, f.name, std::nullopt, std::nullopt});
  }
  for (std::size_t c = 0; c < ncols; ++c) {
    const deid::FieldSpec* f = p.fs_of[c];
    if (!f || f->action.empty() || f->action == "keep" || f->action == "drop") continue;
    if (f->action == "generalize") {
      if (f->role != deid::Role::quasi_identifier)
        throw Error(Code::invalid_argument, "field \"" + f->name +
                                                "\": a fixed-level generalisation of a field that is not a quasi-identifier "
                                                "is not supported by civitas.spark.deidentify (use civitas deid run)");
      continue;
    }
    deid::Action a = deid::parse_action(f->action_json, f->name);
    switch (a.kind) {
      case deid::ActionKind::microaggregate:
      case deid::ActionKind::noise:
        throw Error(Code::invalid_argument, "field \"" + f->name + "\": " + deid::action_name(a.kind) +
                                                " is one-process only (civitas deid run), not in civitas.spark.deidentify");
      case deid::ActionKind::pseudonymize:
      case deid::ActionKind::tokenize:
      case deid::ActionKind::date_shift:
        throw Error(Code::invalid_argument, "field \"" + f->name + "\": the keyed action " + deid::action_name(a.kind) +
                                                " is not supported by civitas.spark.deidentify; apply "
                                                "civitas.spark.identity_keys or tokenize to the column first");
      default:
        break;
    }
    p.actions[c] = a;
  }
  for (std::size_t c = 0; c < ncols; ++c) {
    const deid::FieldSpec* f = p.fs_of[c];
    if (!f) continue;
    const std::string action = f->action.empty() ? (f->role == deid::Role::identifier ? "drop" : f->role == deid::Role::quasi_identifier ? "generalize" : "keep") : f->action;
    if (f->role == deid::Role::quasi_identifier && action != "drop") p.qcols.push_back(c);
    if (f->role == deid::Role::sensitive && action != "drop") p.scols.push_back(c);
  }
  if ((spec.privacy.l || spec.privacy.t) && p.scols.empty())
    throw Error(Code::invalid_argument, "l-diversity and t-closeness need a sensitive field that is not dropped");
  for (std::size_t c = 0; c < ncols; ++c) {
    const deid::FieldSpec* f = p.fs_of[c];
    const std::string action = !f ? "keep" : !f->action.empty() ? f->action : f->role == deid::Role::identifier ? "drop" : "x";
    if (action != "drop") p.out_cols.push_back(c);
  }
  return p;
}

json plan_json(const deid::Spec& spec, const std::vector<std::string>& header) {
  const Plan p = make_plan(spec, header);
  json j = {{"quasi_identifiers", json::array()}, {"sensitive", json::array()}, {"actions", json::object()},
            {"output", json::array()}};
  for (auto c : p.qcols) j["quasi_identifiers"].push_back(header[c]);
  for (auto c : p.scols) j["sensitive"].push_back(header[c]);
  for (auto c : p.out_cols) j["output"].push_back(header[c]);
  for (std::size_t c = 0; c < header.size(); ++c)
    if (p.actions[c]) j["actions"][header[c]] = deid::action_to_json(*p.actions[c]);
  return j;
}

json hist_json(const deid::ClassSizes& h) {
  json a = json::array();
  for (const auto& e : h) a.push_back({e.first, e.second});
  return a;
}

/// The search on the driver: `qi` and `sens` are the weighted groups' columns (one group per
/// distinct combination of quasi-identifier and sensitive values, in the order of the first
/// record of each group), `weights` their counts. Returns the report's members that do not
/// depend on file bytes, and "labels": per group, its released quasi-identifier values, or
/// null when suppressed.
json search_groups(const deid::Spec& spec, const std::vector<std::string>& header,
                   const std::vector<std::vector<std::string>>& qi, const std::vector<std::vector<std::string>>& sens,
                   const std::vector<std::uint64_t>& weights, bool drop_suppressed) {
  using namespace deid;
  const Plan p = make_plan(spec, header);
  if (qi.size() != p.qcols.size() || sens.size() != p.scols.size())
    throw Error(Code::invalid_argument, "frequency table: " + std::to_string(qi.size()) + " quasi-identifier and " +
                                            std::to_string(sens.size()) + " sensitive columns given, the spec has " +
                                            std::to_string(p.qcols.size()) + " and " + std::to_string(p.scols.size()));
  const std::size_t groups = weights.size();
  for (const auto& c : qi)
    if (c.size() != groups) throw Error(Code::invalid_argument, "frequency table: columns of different lengths");
  for (const auto& c : sens)
    if (c.size() != groups) throw Error(Code::invalid_argument, "frequency table: columns of different lengths");
  std::vector<std::string> qn, sn;
  for (auto c : p.qcols) qn.push_back(header[c]);
  for (auto c : p.scols) sn.push_back(header[c]);
  FrequencyTableBuilder builder(qn, sn);
  std::vector<std::uint32_t> row_of(groups);
  std::uint64_t nrows = 0;
  {
    std::vector<std::string_view> qv(qi.size()), sv(sens.size());
    for (std::size_t g = 0; g < groups; ++g) {
      for (std::size_t i = 0; i < qi.size(); ++i) qv[i] = qi[i][g];
      for (std::size_t i = 0; i < sens.size(); ++i) sv[i] = sens[i][g];
      row_of[g] = builder.add(qv, sv, weights[g]);
      nrows += weights[g];
    }
  }
  FrequencyTable table = builder.finish();
  std::vector<Hierarchy> hier;
  for (std::size_t i = 0; i < p.qcols.size(); ++i) {
    const FieldSpec* f = p.fs_of[p.qcols[i]];
    if (!f->action.empty() && f->action != "generalize") {
      std::vector<std::vector<std::string>> rows;
      for (const auto& v : table.qi_values[i]) rows.push_back({v});
      hier.push_back(Hierarchy::from_rows(rows, table.qi_values[i], "the kept values of " + f->name));
    } else {
      hier.push_back(Hierarchy::build(f->hierarchy, spec.base_dir, table.qi_values[i], f->name));
    }
  }
  std::vector<Hierarchy> sh_store;
  sh_store.reserve(p.scols.size());
  std::vector<const Hierarchy*> sh;
  for (std::size_t i = 0; i < p.scols.size(); ++i) {
    const FieldSpec* f = p.fs_of[p.scols[i]];
    if (!f->hierarchy.empty()) {
      sh_store.push_back(Hierarchy::build(f->hierarchy, spec.base_dir, table.sensitive_values[i], f->name));
      sh.push_back(&sh_store.back());
    } else {
      sh.push_back(nullptr);
    }
  }
  SearchResult res = search(table, hier, sh, spec.privacy);
  if (!res.found)
    throw Error(Code::invalid_data, "no generalisation of the quasi-identifiers satisfies the privacy model (even with every quasi-identifier at its top level and the suppression limit)");
  // Local recoding: later passes over the suppressed rows, as run_files does them.
  std::vector<std::uint8_t> sup = res.row_suppressed;
  std::vector<std::uint16_t> row_round(table.rows(), 0);
  std::vector<std::vector<std::uint32_t>> round_levels{res.levels};
  json local = json::array();
  if (spec.privacy.recoding == Recoding::local) {
    for (int round = 1; round <= 16; ++round) {
      std::vector<std::uint32_t> subset;
      for (std::uint32_t r = 0; r < table.rows(); ++r)
        if (sup[r]) subset.push_back(r);
      if (subset.empty()) break;
      FrequencyTable st;
      st.qi_names = table.qi_names;
      st.sensitive_names = table.sensitive_names;
      st.qi_values = table.qi_values;
      st.sensitive_values = table.sensitive_values;
      st.sens_begin.resize(table.sensitive_names.size());
      st.sens.resize(table.sensitive_names.size());
      for (std::size_t s = 0; s < st.sens.size(); ++s) st.sens_begin[s].push_back(0);
      for (auto r : subset) {
        st.codes.insert(st.codes.end(), table.codes.begin() + static_cast<std::ptrdiff_t>(r * table.qis()),
                        table.codes.begin() + static_cast<std::ptrdiff_t>((r + 1) * table.qis()));
        st.weights.push_back(table.weights[r]);
        for (std::size_t s = 0; s < st.sens.size(); ++s) {
          for (auto e = table.sens_begin[s][r]; e < table.sens_begin[s][r + 1]; ++e) st.sens[s].push_back(table.sens[s][e]);
          st.sens_begin[s].push_back(st.sens[s].size());
        }
      }
      const SearchResult r2 = search(st, hier, sh, spec.privacy);
      if (!r2.found) break;
      std::uint64_t recoded = 0;
      for (std::size_t k = 0; k < subset.size(); ++k)
        if (!r2.row_suppressed[k]) {
          sup[subset[k]] = 0;
          row_round[subset[k]] = static_cast<std::uint16_t>(round_levels.size());
          recoded += st.weights[k];
        }
      if (!recoded) break;
      round_levels.push_back(r2.levels);
      res.checks += r2.checks;
      local.push_back({{"levels", r2.levels}, {"records", recoded}});
    }
  }
  // Released labels per table row, the released classes and the suppressed records.
  const std::size_t nq = table.qis();
  std::vector<std::vector<std::string>> labels(table.rows());
  std::map<std::vector<std::string>, std::uint64_t> after;
  std::uint64_t suppressed_records = 0;
  for (std::size_t r = 0; r < table.rows(); ++r) {
    if (sup[r]) {
      suppressed_records += table.weights[r];
      continue;
    }
    const auto& lv = round_levels[row_round[r]];
    labels[r].resize(nq);
    std::vector<std::string> key(nq);
    for (std::size_t i = 0; i < nq; ++i) {
      labels[r][i] = hier[i].label(lv[i], hier[i].of(lv[i], table.codes[r * nq + i]));
      key[i] = std::to_string(lv[i]) + '\x1f' + labels[r][i];
    }
    after[key] += table.weights[r];
  }
  std::vector<std::uint64_t> ws;
  ws.reserve(after.size());
  for (const auto& e : after) ws.push_back(e.second);
  std::sort(ws.begin(), ws.end());
  json out_labels = json::array();
  for (std::size_t g = 0; g < groups; ++g) {
    const auto r = row_of[g];
    out_labels.push_back(sup[r] ? json(nullptr) : json(labels[r]));
  }
  // Report members (docs/formats/deid-report.md), as run_files writes them.
  std::vector<int> qi_index(header.size(), -1);
  for (std::size_t i = 0; i < p.qcols.size(); ++i) qi_index[p.qcols[i]] = static_cast<int>(i);
  json levels = json::object();
  for (std::size_t i = 0; i < p.qcols.size(); ++i) levels[header[p.qcols[i]]] = res.levels[i];
  json fields = json::array();
  for (std::size_t c = 0; c < header.size(); ++c) {
    const FieldSpec* f = p.fs_of[c];
    json fj = {{"name", header[c]}};
    if (!f) {
      fj["role"] = nullptr;
      fj["action"] = "keep";
      fj["detail"] = "not named in the spec: kept as it is";
    } else {
      fj["role"] = role_name(f->role);
      const int qi_i = qi_index[c];
      if (qi_i >= 0) {
        const auto i = static_cast<std::size_t>(qi_i);
        if (p.actions[c]) {
          fj["action"] = action_name(p.actions[c]->kind);
          fj["detail"] = describe_action(*p.actions[c]) + " (then counted by the privacy model as it is)";
        } else {
          fj["action"] = f->action == "keep" ? "keep" : "generalize";
          fj["detail"] = f->action == "keep" ? "kept (quasi-identifier counted by the privacy model)"
                                             : "level " + std::to_string(res.levels[i]) + " of " + f->hierarchy;
        }
      } else if (p.actions[c]) {
        fj["action"] = action_name(p.actions[c]->kind);
        fj["detail"] = describe_action(*p.actions[c]);
      } else {
        const std::string action = !f->action.empty() ? f->action : f->role == Role::identifier ? "drop" : "keep";
        fj["action"] = action;
        fj["detail"] = action == "drop" ? (f->role == Role::identifier ? "identifier: removed" : "removed") : "kept as it is";
      }
    }
    fields.push_back(fj);
  }
  json after_sizes = json::array();
  for (std::size_t i = 0; i < ws.size();) {
    std::size_t j = i;
    while (j < ws.size() && ws[j] == ws[i]) ++j;
    after_sizes.push_back({ws[i], j - i});
    i = j;
  }
  const auto before_hist = table_class_sizes(table);
  std::vector<std::uint64_t> after_classes(ws);
  if (suppressed_records && !drop_suppressed) after_classes.push_back(suppressed_records);
  json report = {
      {"format", "civitas-deid-report/1"},
      {"input", {{"rows", nrows}, {"sha256", nullptr}}},
      {"output", {{"rows", nrows - (drop_suppressed ? suppressed_records : 0)}, {"sha256", nullptr}}},
      {"privacy", spec.privacy.to_json()},
      {"levels", levels},
      {"suppressed", suppressed_records},
      {"classes", ws.size()},
      {"measures", res.measures.to_json()},
      {"search", {{"lattice", res.lattice}, {"checks", res.checks}, {"recoding", spec.privacy.recoding == Recoding::global ? "global" : "local"}}},
      {"fields", fields},
      {"risk", {{"before", risk_to_json(measure_risk(before_hist))},
                {"after", risk_to_json(measure_risk(class_size_histogram(after_classes)))}}},
      {"class_sizes", {{"before", hist_json(before_hist)}, {"after", after_sizes}}},
  };
  if (spec.privacy.recoding == Recoding::local) report["search"]["local"] = local;
  return json{{"report", report}, {"labels", out_labels}};
}

/// Rows of a DataFrame (one Arrow batch, or the candidate rows of a key check) as a
/// schema::RecordReader: the given labels as the header, each row with its row number in the
/// input file, every cell present (a null is an empty cell).
class RowsReader final : public schema::RecordReader {
 public:
  RowsReader(std::vector<std::string> labels, std::vector<std::vector<std::string>> cols,
             std::vector<std::uint64_t> row_numbers)
      : labels_(std::move(labels)), cols_(std::move(cols)), rows_(std::move(row_numbers)) {}
  const std::vector<std::string>& labels() const override { return labels_; }
  bool has_header() const override { return true; }
  bool next(schema::Batch& out, std::size_t ncols, std::size_t max_rows) override {
    out.reset(ncols);
    if (pos_ >= rows_.size()) return false;
    const std::size_t end = std::min(rows_.size(), pos_ + std::max<std::size_t>(max_rows, 1));
    const std::size_t n = end - pos_;
    for (std::size_t c = 0; c < ncols; ++c) out.columns[c].valid.assign((n + 7) / 8, 0);
    for (std::size_t r = pos_; r < end; ++r) {
      const std::size_t i = r - pos_;
      for (std::size_t c = 0; c < ncols; ++c) {
        auto& col = out.columns[c];
        if (c < cols_.size()) {
          col.data += cols_[c][r];
          bytes_ += cols_[c][r].size() + 1;
          col.valid[i >> 3] = static_cast<std::uint8_t>(col.valid[i >> 3] | (1u << (i & 7)));
        }
        col.offsets.push_back(col.data.size());
      }
      out.row_numbers.push_back(rows_[r]);
      out.row_offsets.push_back(bytes_);
      out.cell_counts.push_back(static_cast<std::uint32_t>(std::min(ncols, cols_.size())));
      for (std::size_t c = ncols; c < cols_.size(); ++c) out.add_extra(cols_[c][r]);
      out.end_row();
    }
    out.rows = n;
    pos_ = end;
    return true;
  }
  std::uint64_t bytes_read() const override { return bytes_; }

 private:
  std::vector<std::string> labels_;
  std::vector<std::vector<std::string>> cols_;
  std::vector<std::uint64_t> rows_;
  std::size_t pos_ = 0;
  std::uint64_t bytes_ = 0;
};

/// Validates rows against a schema. mode "rows": the row-wise checks (uniqueness, keys and
/// foreign keys left out: Spark checks keys by an aggregation); "keys": the whole schema (the
/// caller keeps the unique-error and primary-key errors of the candidate rows).
json validate_rows(const std::string& schema_text, const std::string& mode, std::vector<std::string> labels,
                   std::vector<std::vector<std::string>> cols, std::vector<std::uint64_t> row_numbers,
                   std::uint64_t limit_errors, const std::string& name, const std::string& place) {
  schema::TableSchema sc = schema::parse_schema(std::string_view(schema_text));
  if (mode == "rows") {
    for (auto& f : sc.fields) f.constraints.unique = false;
    sc.primary_key.clear();
    sc.unique_keys.clear();
    sc.foreign_keys.clear();
  } else if (mode == "keys") {
    sc.foreign_keys.clear();
  } else {
    throw Error(Code::invalid_argument, "validate_rows: mode must be rows or keys, not \"" + mode + "\"");
  }
  for (const auto& c : cols)
    if (c.size() != row_numbers.size()) throw Error(Code::invalid_argument, "validate_rows: columns of different lengths");
  RowsReader reader(std::move(labels), std::move(cols), std::move(row_numbers));
  schema::ValidateOptions o;
  o.limit_errors = limit_errors;
  return schema::validate(reader, sc, o, name, place);
}

}  // namespace

void bind_spark(py::module_ m) {
  m.def(
      "deid_plan",
      [](const std::string& spec, const std::string& spec_dir, const std::vector<std::string>& header) {
        py::gil_scoped_release nogil;
        return plan_json(deid::parse_spec(spec, spec_dir), header).dump();
      },
      py::arg("spec"), py::arg("spec_dir"), py::arg("header"),
      "The columns a spec counts and transforms (JSON text: quasi_identifiers, sensitive, actions, output).");
  m.def(
      "deid_search",
      [](const std::string& spec, const std::string& spec_dir, const std::vector<std::string>& header, py::list qi,
         py::list sens, const std::vector<std::uint64_t>& weights, bool drop_suppressed) {
        std::vector<std::vector<std::string>> q, s;
        for (py::handle c : qi) q.push_back(texts(c, "quasi-identifier value"));
        for (py::handle c : sens) s.push_back(texts(c, "sensitive value"));
        py::gil_scoped_release nogil;
        const deid::Spec sp = deid::parse_spec(spec, spec_dir);
        return search_groups(sp, header, q, s, weights, drop_suppressed).dump(-1, ' ', false, json::error_handler_t::replace);
      },
      py::arg("spec"), py::arg("spec_dir"), py::arg("header"), py::arg("qi"), py::arg("sensitive"), py::arg("weights"),
      py::arg("drop_suppressed") = false,
      "The optimal search over weighted groups (JSON text: report, labels per group).");
  m.def(
      "apply_action",
      [](const std::string& action_json, const std::string& field, py::handle values) {
        std::vector<std::string> v = texts(values, "value");
        {
          py::gil_scoped_release nogil;
          const deid::Action a = deid::parse_action(parse_json(action_json, "action"), field);
          deid::ColumnContext ctx;
          ctx.field = field;
          ctx.first_row = 1;
          deid::apply_action(a, v, deid::TransformKeys{}, ctx);
        }
        return v;
      },
      py::arg("action"), py::arg("field"), py::arg("values"),
      "Applies a keyless row-wise action (mask, top_bottom, keep) to a column; None reads as empty.");
  m.def(
      "validate_rows",
      [](const std::string& schema_text, const std::string& mode, const std::vector<std::string>& labels,
         py::list cols, const std::vector<std::uint64_t>& row_numbers, std::uint64_t limit_errors,
         const std::string& name, const std::string& place) {
        std::vector<std::vector<std::string>> c;
        for (py::handle col : cols) c.push_back(texts(col, "cell"));
        py::gil_scoped_release nogil;
        return validate_rows(schema_text, mode, labels, std::move(c), row_numbers, limit_errors, name, place)
            .dump(-1, ' ', false, json::error_handler_t::replace);
      },
      py::arg("schema"), py::arg("mode"), py::arg("labels"), py::arg("columns"), py::arg("row_numbers"),
      py::arg("limit_errors"), py::arg("name"), py::arg("place"),
      "Validates rows (columns of text, their row numbers in the input) against a schema (JSON text).");
  m.def(
      "normalize_column",
      [](py::handle values) {
        std::vector<std::string> v = texts(values, "code");
        {
          py::gil_scoped_release nogil;
          for (auto& s : v) s = ids::normalize(s);
        }
        return v;
      },
      py::arg("values"), "ids::normalize over a column (None reads as empty).");
  m.def(
      "tokenize_column",
      [](const workspace::Workspace& w, py::handle values, const std::string& domain) {
        std::vector<std::string> v = texts(values, "value");
        std::vector<std::vector<std::uint8_t>> out(v.size());
        {
          py::gil_scoped_release nogil;
          for (std::size_t i = 0; i < v.size(); ++i) out[i] = w.tokenize(v[i], domain);
        }
        py::list r(v.size());
        for (std::size_t i = 0; i < v.size(); ++i)
          r[i] = py::bytes(reinterpret_cast<const char*>(out[i].data()), out[i].size());
        return r;
      },
      py::arg("workspace"), py::arg("values"), py::arg("domain"),
      "Deterministic tokens of a column (bytes per value), with the workspace's primary token key.");
}

}  // namespace civitas::python
