// civitas schema check SCHEMA.json
// civitas validate --schema SCHEMA.json DATA [--json] [--limit N] [--format csv|jsonl]
//                  [--dialect DIALECT.json] [--encoding ENC] [--delimiter C]
#include <fstream>
#include <iostream>
#include <sstream>

#include "civitas/error.hpp"
#include "civitas/schema.hpp"
#include "cli.hpp"

namespace civitas::cli {
namespace {

using nlohmann::json;
namespace sc = civitas::schema;

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(Code::io, "cannot open file", Location{{}, {}, {}, path});
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct CheckArgs {
  std::string path;
  bool json_out = false;
};

int do_check(const CheckArgs& a) {
  std::string text = read_file(a.path);
  auto problems = sc::check_schema(std::string_view(text));
  if (a.json_out) {
    json p = json::array();
    for (const auto& x : problems) p.push_back({{"path", x.path}, {"message", x.message}});
    std::cout << json{{"valid", problems.empty()}, {"problems", p}}.dump(2, ' ', false, json::error_handler_t::replace)
              << '\n';
  } else if (problems.empty()) {
    std::cout << "valid\t" << a.path << '\n';
  } else {
    for (const auto& x : problems) std::cout << "invalid\t" << (x.path.empty() ? "/" : x.path) << '\t' << x.message << '\n';
  }
  return problems.empty() ? kOk : kInvalid;
}

struct ValidateArgs {
  std::string schema, data, format, dialect, encoding, delimiter;
  bool json_out = false;
  bool no_header = false;
  std::uint64_t limit = 1000;
};

int do_validate(const ValidateArgs& a) {
  sc::TableSchema schema = sc::load_schema_file(a.schema);
  sc::ValidateOptions o;
  o.limit_errors = a.limit;
  o.format = a.format;
  if (!a.dialect.empty()) o.dialect = sc::Dialect::from_json(json::parse(read_file(a.dialect)));
  if (!a.encoding.empty()) o.dialect.encoding = a.encoding;
  if (!a.delimiter.empty()) {
    std::string d = a.delimiter == "\\t" || a.delimiter == "tab" ? "\t" : a.delimiter;
    if (d.size() != 1) throw Error(Code::invalid_argument, "--delimiter must be one character");
    o.dialect.delimiter = d[0];
  }
  if (a.no_header) o.dialect.header = false;
  json report = sc::validate_file(a.data, schema, o);
  bool valid = report["valid"].get<bool>();
  if (a.json_out) {
    std::cout << report.dump(2, ' ', false, json::error_handler_t::replace) << '\n';
  } else {
    const json& t = report["tasks"][0];
    std::cout << (valid ? "valid" : "invalid") << '\t' << a.data << "\trows=" << t["stats"]["rows"]
              << "\terrors=" << t["stats"]["errors"] << (t.contains("partial") ? " (limit reached)" : "") << '\n';
    for (const auto& e : t["errors"]) {
      std::cout << e["type"].get<std::string>();
      if (e.contains("rowNumber")) std::cout << "\trow " << e["rowNumber"];
      if (e.contains("fieldName") && !e["fieldName"].get<std::string>().empty())
        std::cout << "\tfield " << e["fieldName"].get<std::string>();
      std::cout << '\t' << e["message"].get<std::string>() << '\n';
    }
    for (const auto& w : t["warnings"]) std::cout << "warning\t" << w.get<std::string>() << '\n';
  }
  return valid ? kOk : kInvalid;
}

// Schema problems and unreadable inputs mean "could not run" (2), not "data invalid" (1).
template <class Fn>
int could_not_run_on_error(Fn&& fn) {
  try {
    return fn();
  } catch (const Error& e) {
    std::cerr << "civitas: error: " << e.what() << '\n';
    return kUsage;
  } catch (const json::exception& e) {
    std::cerr << "civitas: error: " << e.what() << '\n';
    return kUsage;
  }
}

Register reg(30, [](CLI::App& root, int& result) {
  auto* schema = root.add_subcommand("schema", "Table schemas (Frictionless Table Schema + civitas extensions)");
  schema->require_subcommand(1);
  static CheckArgs cargs;
  auto* check = schema->add_subcommand("check", "Check a table schema: prints every broken rule; exit 0 valid, 1 invalid, 2 unreadable");
  check->add_option("SCHEMA", cargs.path, "Table schema (JSON)")->required();
  check->add_flag("--json", cargs.json_out, "JSON output");
  check->callback([&result] {
    result = could_not_run_on_error([] { return do_check(cargs); });
  });

  static ValidateArgs vargs;
  auto* v = root.add_subcommand("validate",
                                "Validate a CSV or JSON Lines file against a table schema; exit 0 valid, 1 invalid, "
                                "2 usage or I/O error");
  v->add_option("--schema,-s", vargs.schema, "Table schema (JSON)")->required();
  v->add_option("DATA", vargs.data, "Data file (.csv, .jsonl)")->required();
  v->add_flag("--json", vargs.json_out, "Print the report as JSON (frictionless report shape)");
  v->add_option("--limit", vargs.limit, "Stop after N errors (0 = no limit; default 1000)");
  v->add_option("--format", vargs.format, "csv or jsonl (default: from the file name)")
      ->check(CLI::IsMember({"csv", "tsv", "jsonl", "ndjson"}));
  v->add_option("--dialect", vargs.dialect, "Table Dialect (JSON) for CSV");
  v->add_option("--encoding", vargs.encoding, "Input encoding: utf-8 (default), gb18030, gbk…");
  v->add_option("--delimiter", vargs.delimiter, "CSV delimiter (one character, or 'tab')");
  v->add_flag("--no-header", vargs.no_header, "The CSV has no header row");
  v->callback([&result] {
    result = could_not_run_on_error([] { return do_validate(vargs); });
  });
});

}  // namespace
}  // namespace civitas::cli
