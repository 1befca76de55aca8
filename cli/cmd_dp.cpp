// civitas dp count|sum|mean|histogram|quantiles IN.csv … and civitas dp budget: differentially
// private aggregates paid from a dataset's privacy budget in the workspace (docs/dp.md).
// Each release is one call, Workspace::dp_release (audited as "dp.release", refusals too).
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "civitas/deid.hpp"
#include "civitas/error.hpp"
#include "civitas/workspace.hpp"
#include "cli.hpp"
#include "workspace_args.hpp"

namespace civitas::cli {
namespace {

using nlohmann::json;

struct DpArgs {
  WorkspaceArgs ws;
  std::string input, column, by, groups, person, epsilon, delta, noise, bounds, dataset, quantiles;
  std::string delimiter = ",", encoding = "utf-8";
  std::int64_t max_contributions = 0;
  int bins = 10;
  bool json_out = false;
};

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> out;
  std::string cur;
  std::istringstream in(s);
  while (std::getline(in, cur, ',')) out.push_back(cur);
  if (!s.empty() && s.back() == ',') out.emplace_back();
  return out;
}

std::string num(const json& v) {
  if (v.is_number_integer()) return std::to_string(v.get<std::int64_t>());
  std::ostringstream o;
  o.precision(15);
  o << v.get<double>();
  return o.str();
}

int run_release(deid::DpStatistic stat, const DpArgs& a) {
  deid::DpQuery q;
  q.statistic = stat;
  q.dataset = a.dataset;
  q.column = a.column;
  q.by = a.by;
  if (!a.groups.empty()) q.groups = split(a.groups);
  q.person = a.person;
  q.epsilon = a.epsilon;
  q.delta = a.delta.empty() ? "0" : a.delta;
  q.noise = a.noise;
  if (!a.bounds.empty()) {
    auto b = split(a.bounds);
    if (b.size() != 2) throw Error(Code::invalid_argument, "--bounds: give LO,HI (two numbers separated by a comma)");
    q.lower = b[0];
    q.upper = b[1];
  }
  q.max_contributions = a.max_contributions;
  q.bins = a.bins;
  if (!a.quantiles.empty()) q.quantiles = split(a.quantiles);
  if (a.delimiter.size() != 1) throw Error(Code::invalid_argument, "--delimiter: one character");
  q.validate();  // usage errors before the workspace is opened (the workspace records them too)
  deid::DpInput in = deid::dp_read_csv(q, a.input, a.delimiter[0], a.encoding);
  auto w = a.ws.open();
  deid::DpRelease r;
  try {
    r = w->dp_release(q, in);
  } catch (const Error& e) {
    if (e.code() != Code::denied) throw;
    std::cerr << "civitas: refused: " << e.what() << "\n";
    return kInvalid;
  }
  json j = json::parse(r.json);
  if (a.json_out) {
    std::cout << j.dump(2, ' ', false, json::error_handler_t::replace) << '\n';
  } else {
    const bool by = !a.by.empty();
    for (const auto& g : j["groups"]) {
      const std::string key = by ? printable(g["key"].get<std::string>()) + "\t" : "";
      if (g.contains("value")) std::cout << key << num(g["value"]) << '\n';
      if (g.contains("bins"))
        for (const auto& b : g["bins"]) std::cout << key << num(b["lower"]) << '\t' << num(b["upper"]) << '\t' << num(b["count"]) << '\n';
      if (g.contains("quantiles"))
        for (const auto& x : g["quantiles"]) std::cout << key << num(x["q"]) << '\t' << num(x["value"]) << '\n';
    }
    const auto& b = j["budget"];
    std::cerr << "civitas: dataset " << a.dataset << ": epsilon spent " << b["epsilon"]["spent"].get<std::string>() << " of "
              << b["epsilon"]["total"].get<std::string>() << ", delta spent " << b["delta"]["spent"].get<std::string>() << " of "
              << b["delta"]["total"].get<std::string>() << "\n";
  }
  return kOk;
}

void print_budget(const deid::DpBudget& b, bool as_json) {
  json j = json::parse(b.to_json());
  if (as_json) {
    std::cout << j.dump(2, ' ', false, json::error_handler_t::replace) << '\n';
    return;
  }
  std::cout << b.dataset << "\tepsilon " << j["epsilon"]["spent"].get<std::string>() << " of " << j["epsilon"]["total"].get<std::string>()
            << " spent (" << j["epsilon"]["remaining"].get<std::string>() << " remaining)\tdelta " << j["delta"]["spent"].get<std::string>()
            << " of " << j["delta"]["total"].get<std::string>() << " spent\t" << b.releases << " releases\n";
}

int run_budget(const DpArgs& a) {
  auto w = a.ws.open();
  if (!a.epsilon.empty()) {
    if (a.dataset.empty()) throw Error(Code::invalid_argument, "--dataset is required to set a budget");
    print_budget(w->dp_set_budget(a.dataset, a.epsilon, a.delta.empty() ? "0" : a.delta), a.json_out);
    return kOk;
  }
  if (!a.delta.empty()) throw Error(Code::invalid_argument, "--delta needs --epsilon (a budget sets both)");
  if (!a.dataset.empty()) {
    print_budget(w->dp_budget(a.dataset), a.json_out);
    return kOk;
  }
  auto all = w->dp_budgets();
  if (a.json_out) {
    json arr = json::array();
    for (const auto& b : all) arr.push_back(json::parse(b.to_json()));
    std::cout << arr.dump(2, ' ', false, json::error_handler_t::replace) << '\n';
  } else {
    for (const auto& b : all) print_budget(b, false);
  }
  return kOk;
}

Register reg(72, {"dp"}, [](Root& root, int& result) {
  static DpArgs args;
  auto* dp = root.add_subcommand("dp", "Differentially private aggregates paid from a dataset's privacy budget (docs/dp.md)");
  dp->require_subcommand(1);
  for (const char* name : {"count", "sum", "mean", "histogram", "quantiles"}) {
    auto* c = dp->add_subcommand(name, std::string("A differentially private ") + name +
                                           " of a column; exit 1 when the budget refuses it (nothing is released)");
    add_workspace_options(c, args.ws);
    c->add_option("IN", args.input, "Input CSV (header row)")->required();
    c->add_option("--column,-c", args.column, "Value column")->required();
    c->add_option("--by", args.by, "Grouping column");
    c->add_option("--groups", args.groups, "Public group keys K1,K2,... (without: keys selected from the data, needs --delta)");
    c->add_option("--person", args.person, "Column identifying a person (default: each row is a person)");
    c->add_option("--epsilon", args.epsilon, "Epsilon spent by this release (decimal)")->required();
    c->add_option("--delta", args.delta, "Delta spent (decimal; default 0; > 0 selects Gaussian noise)");
    c->add_option("--noise", args.noise, "laplace or gaussian (default: gaussian with --delta, laplace without)")
        ->check(CLI::IsMember({"laplace", "gaussian"}));
    c->add_option("--bounds", args.bounds, "LO,HI: values are clamped to them; their decimals set the resolution");
    c->add_option("--max-contributions", args.max_contributions, "Rows kept per person, at most")->required();
    c->add_option("--dataset", args.dataset, "Catalog resource code whose budget pays")->required();
    if (std::string(name) == "histogram") c->add_option("--bins", args.bins, "Equal-width bins over the bounds (default 10)");
    if (std::string(name) == "quantiles") c->add_option("--quantiles", args.quantiles, "Quantiles q1,q2,... in [0,1] (default 0.25,0.5,0.75)");
    c->add_option("--delimiter", args.delimiter, "CSV delimiter (default ,)");
    c->add_option("--encoding", args.encoding, "Input encoding (default utf-8; gb18030, gbk…)");
    c->add_flag("--json", args.json_out, "The release as JSON");
    const deid::DpStatistic st = deid::dp_statistic_from_name(name);
    c->callback([st, &result] { result = run_release(st, args); });
  }
  auto* b = dp->add_subcommand("budget", "Set (with --epsilon) or show a dataset's privacy budget (all budgets without --dataset)");
  add_workspace_options(b, args.ws);
  b->add_option("--dataset", args.dataset, "Catalog resource code");
  b->add_option("--epsilon", args.epsilon, "Total epsilon to set");
  b->add_option("--delta", args.delta, "Total delta to set (default 0)");
  b->add_flag("--json", args.json_out, "JSON output");
  b->callback([&result] { result = run_budget(args); });
});

}  // namespace
}  // namespace civitas::cli
