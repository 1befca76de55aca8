// civitas risk IN.csv --qi a,b,c [--json] [--html R.html] [--delimiter C] [--encoding E]
//               [--threshold X] [--population N | --sampling-fraction F] [--model pitman|none]
// Re-identification risk of a CSV file's quasi-identifiers (docs/deid-risk.md,
// docs/formats/deid-risk.md). Exit 0 measured; 1 an unknown column or malformed CSV;
// 2 usage error or unreadable file.
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "civitas/deid.hpp"
#include "civitas/error.hpp"
#include "cli.hpp"

namespace civitas::cli {
namespace {

using nlohmann::json;

struct RiskArgs {
  std::string path;
  std::string qi;
  bool json_out = false;
  std::string html;
  std::string delimiter;
  std::string encoding = "utf-8";
  double threshold = 0.2;
  double population = 0;
  double sampling_fraction = 0.01;
  std::string model = "pitman";
};

std::vector<std::string> split_qi(const std::string& s) {
  std::vector<std::string> out;
  std::size_t b = 0;
  while (true) {
    std::size_t e = s.find(',', b);
    std::string name = s.substr(b, e == std::string::npos ? std::string::npos : e - b);
    if (name.empty()) throw Error(Code::invalid_argument, "--qi has an empty column name (write --qi a,b,c)");
    out.push_back(name);
    if (e == std::string::npos) break;
    b = e + 1;
  }
  return out;
}

std::string fmt_pct(double v) {
  char b[32];
  std::snprintf(b, sizeof b, "%.2f%%", v * 100);
  return b;
}

int do_risk(const RiskArgs& a) {
  deid::CsvRiskInput in;
  in.path = a.path;
  in.encoding = a.encoding;
  try {
    in.qi = split_qi(a.qi);
    if (!a.delimiter.empty()) {
      std::string d = a.delimiter == "\\t" || a.delimiter == "tab" ? "\t" : a.delimiter;
      if (d.size() != 1) throw Error(Code::invalid_argument, "--delimiter must be one character (or 'tab')");
      in.delimiter = d[0];
    }
  } catch (const Error& e) {
    std::cerr << "civitas: error: " << printable(e.what()) << '\n';
    return kUsage;
  }
  deid::RiskOptions o;
  o.threshold = a.threshold;
  o.population_size = a.population;
  o.sampling_fraction = a.sampling_fraction;
  o.model = a.model;
  deid::CsvRisk r;
  try {
    r = deid::measure_csv_risk(in, o);
  } catch (const Error& e) {
    std::cerr << "civitas: error: " << printable(e.what()) << '\n';
    return e.code() == Code::not_found || e.code() == Code::parse ? kInvalid : kUsage;
  }
  json rj = deid::risk_to_json(r.risk);
  json out{{"format", "civitas-risk/1"},
           {"input", {{"path", a.path}, {"records", r.risk.records}}},
           {"qi", in.qi},
           {"classes", r.risk.classes},
           {"risk", rj},
           {"class_sizes", deid::class_sizes_to_json(r.class_sizes)}};
  if (!a.html.empty()) {
    json fields = json::array();
    for (const auto& q : in.qi)
      fields.push_back({{"name", q}, {"role", "quasi-identifier"}, {"action", "keep"}, {"detail", "measured as is"}});
    json report{{"format", "civitas-risk/1"},
                {"input", {{"path", a.path}, {"records", r.risk.records}}},
                {"classes", r.risk.classes},
                {"fields", fields},
                {"risk", {{"before", rj}}},
                {"class_sizes", {{"before", out["class_sizes"]}}}};
    std::ofstream f(a.html, std::ios::binary | std::ios::trunc);
    f << deid::report_html(report);
    f.close();
    if (!f) {
      std::cerr << "civitas: error: cannot write " << printable(a.html) << '\n';
      return kUsage;
    }
  }
  if (a.json_out) {
    std::cout << out.dump(2, ' ', false, json::error_handler_t::replace) << '\n';
    return kOk;
  }
  const deid::Risk& k = r.risk;
  std::cout << "records\t" << k.records << "\nclasses\t" << k.classes << "\nsample uniques\t" << k.sample_uniques
            << "\nprosecutor risk\thighest " << fmt_pct(k.prosecutor.max) << ", average " << fmt_pct(k.prosecutor.average)
            << ", " << k.prosecutor.records_at_risk << " records at risk (> " << fmt_pct(o.threshold) << ")"
            << "\njournalist risk\thighest " << fmt_pct(k.journalist.max) << ", average " << fmt_pct(k.journalist.average)
            << "\nmarketer risk\taverage " << fmt_pct(k.marketer) << "\npopulation uniques\t";
  const auto& p = k.population_uniques;
  if (p.model == "none") std::cout << "not estimated";
  else if (!p.converged) std::cout << p.model << ": no estimate (the model does not fit this data)";
  else {
    char b[160];
    std::snprintf(b, sizeof b, "%s: %.4g%% of the population (%.6g records), sampling fraction %.6g", p.model.c_str(),
                  p.estimate * 100, p.count, p.sampling_fraction);
    std::cout << b;
  }
  std::cout << '\n';
  return kOk;
}

Register reg(45, {"risk"}, [](Root& root, int& result) {
  static RiskArgs args;
  auto* c = root.add_subcommand("risk",
                                "Re-identification risk of a CSV file's quasi-identifiers (prosecutor, journalist, "
                                "marketer, uniques); exit 0 measured, 1 unknown column or bad CSV, 2 usage or unreadable");
  c->add_option("IN", args.path, "CSV file")->required();
  c->add_option("--qi", args.qi, "Quasi-identifier columns, comma-separated (one value: --qi a,b,c)")->required();
  c->add_flag("--json", args.json_out, "Print JSON (docs/formats/deid-risk.md)");
  c->add_option("--html", args.html, "Also write a self-contained HTML page of the risk");
  c->add_option("--delimiter", args.delimiter, "CSV delimiter (one character, or 'tab')");
  c->add_option("--encoding", args.encoding, "Input encoding: utf-8 (default), gb18030, gbk…");
  c->add_option("--threshold", args.threshold, "A record is at risk when its risk exceeds this (default 0.2)")
      ->check(CLI::Range(0.0, 1.0));
  auto* pop = c->add_option("--population", args.population, "Population size for the uniqueness model")
                  ->check(CLI::PositiveNumber);
  c->add_option("--sampling-fraction", args.sampling_fraction, "Records / population (default 0.01)")
      ->check(CLI::Range(1e-12, 1.0))
      ->excludes(pop);
  c->add_option("--model", args.model, "Population-uniqueness model: pitman (default) or none")
      ->check(CLI::IsMember({"pitman", "none"}));
  c->callback([&result] { result = do_risk(args); });
});

}  // namespace
}  // namespace civitas::cli
