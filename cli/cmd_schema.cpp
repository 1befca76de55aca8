// civitas schema check SCHEMA.json
// civitas validate --schema SCHEMA.json DATA [--json] [--limit N] [--format csv|jsonl]
//                  [--dialect DIALECT.json] [--encoding ENC] [--delimiter C]
//                  [--resource NAME=FILE]... [--resource-schema NAME=SCHEMA.json]...
// civitas validate --package datapackage.json [--json] [--limit N]
#include <algorithm>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "civitas/error.hpp"
#include "civitas/json.hpp"
#include "civitas/schema.hpp"
#include "cli.hpp"

namespace civitas::cli {
namespace {

using nlohmann::json;
namespace sc = civitas::schema;

// A directory opens as a stream that reads nothing ("unexpected end of input"): say what it is.
void not_a_directory(const std::string& path, const char* what) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    throw Error(Code::io, std::string(what) + " " + path + " is a directory, not a file");
}

std::string read_file(const std::string& path) {
  not_a_directory(path, "input");
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
  std::string schema, data, format, dialect, encoding, delimiter, package;
  std::vector<std::string> resources, resource_schemas;
  bool json_out = false;
  bool no_header = false;
  std::uint64_t limit = 1000;
};

// "NAME=VALUE" split at the first '='.
std::pair<std::string, std::string> name_value(const std::string& s, const char* option) {
  std::size_t eq = s.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == s.size())
    throw Error(Code::invalid_argument, std::string(option) + " takes NAME=FILE, not \"" + s + "\"");
  return {s.substr(0, eq), s.substr(eq + 1)};
}

// The tables foreign keys refer to by "reference.resource" (--resource, --resource-schema).
std::vector<sc::ReferencedResource> referenced(const ValidateArgs& a) {
  std::vector<sc::ReferencedResource> out;
  for (const auto& r : a.resources) {
    auto [name, path] = name_value(r, "--resource");
    sc::ReferencedResource x;
    x.name = name;
    x.path = path;
    out.push_back(std::move(x));
  }
  for (const auto& r : a.resource_schemas) {
    const std::pair<std::string, std::string> nv = name_value(r, "--resource-schema");  // (clang 14: no lambda
    const std::string& name = nv.first;                                                  //  capture of bindings)
    auto it = std::find_if(out.begin(), out.end(), [&](const sc::ReferencedResource& x) { return x.name == name; });
    if (it == out.end()) throw Error(Code::invalid_argument, "--resource-schema " + name + ": no --resource " + name + "=FILE");
    not_a_directory(nv.second, "schema");
    it->schema = sc::load_schema_file(nv.second);
  }
  return out;
}

// Text output, streamed: one line per error as it is found, then the task's summary line
// ("valid|invalid LABEL rows=N errors=N") and its warnings.
class TextSink final : public sc::ReportSink {
 public:
  explicit TextSink(bool package) : package_(package) {}
  void begin_task(const std::string& name, const std::string& place) override {
    label_ = package_ ? name + " (" + place + ")" : place;
  }
  void error(const json& e) override {
    line_ = e["type"].get<std::string>();
    auto rn = e.find("rowNumber");
    if (rn != e.end()) line_ += "\trow " + rn->dump();
    auto fn = e.find("fieldName");
    if (fn != e.end() && fn->is_string() && !fn->get_ref<const std::string&>().empty())
      line_ += "\tfield " + fn->get_ref<const std::string&>();
    line_ += '\t';
    line_ += e["message"].get_ref<const std::string&>();
    line_ += '\n';
    std::cout.write(line_.data(), static_cast<std::streamsize>(line_.size()));
  }
  // Row and cell errors: the same line, written from the record without a JSON object.
  void error_record(const sc::ErrorRecord& e) override {
    line_.assign(e.type);
    line_ += "\trow ";
    char b[24];
    line_.append(b, std::to_chars(b, b + sizeof b, e.row_number).ptr);
    if (e.has_cell && !e.field_name.empty()) {
      line_ += "\tfield ";
      line_ += e.field_name;
    }
    line_ += '\t';
    e.append_message(line_);
    line_ += '\n';
    std::cout.write(line_.data(), static_cast<std::streamsize>(line_.size()));
  }
  void end_task(const json& t) override {
    std::cout << (t["valid"].get<bool>() ? "valid" : "invalid") << '\t' << label_ << "\trows=" << t["stats"]["rows"]
              << "\terrors=" << t["stats"]["errors"] << (t.contains("partial") ? " (limit reached)" : "") << '\n';
    for (const auto& w : t["warnings"]) std::cout << "warning\t" << w.get<std::string>() << '\n';
    std::cout.flush();
  }

 private:
  bool package_;
  std::string label_, line_;
};

int do_validate(const ValidateArgs& a) {
  sc::ValidateOptions o;
  o.limit_errors = a.limit;
  if (!a.package.empty()) {
    if (!a.schema.empty() || !a.data.empty() || !a.resources.empty())
      throw Error(Code::invalid_argument, "--package validates the package's resources: give no --schema, DATA or --resource");
    sc::JsonReportWriter jw(std::cout);
    TextSink tw(true);
    o.sink = a.json_out ? static_cast<sc::ReportSink*>(&jw) : &tw;
    if (a.json_out) jw.begin();
    json report = sc::validate_package(a.package, o);
    bool valid = report["valid"].get<bool>();
    if (a.json_out) jw.end(report);
    else
      for (const auto& w : report["warnings"]) std::cout << "warning\t" << w.get<std::string>() << '\n';
    return valid ? kOk : kInvalid;
  }
  if (a.schema.empty() || a.data.empty()) throw Error(Code::invalid_argument, "give --schema SCHEMA.json and DATA, or --package");
  not_a_directory(a.schema, "schema");
  not_a_directory(a.data, "data");
  sc::TableSchema schema = sc::load_schema_file(a.schema);
  o.resources = referenced(a);
  o.format = a.format;
  if (!a.dialect.empty()) o.dialect = sc::Dialect::from_json(parse_json(read_file(a.dialect), "dialect", Location{{}, {}, {}, a.dialect}));
  if (!a.encoding.empty()) o.dialect.encoding = a.encoding;
  if (!a.delimiter.empty()) {
    std::string d = a.delimiter == "\\t" || a.delimiter == "tab" ? "\t" : a.delimiter;
    if (d.size() != 1) throw Error(Code::invalid_argument, "--delimiter must be one character");
    o.dialect.delimiter = d[0];
  }
  if (a.no_header) o.dialect.header = false;
  // Errors are written as they are found (memory flat in their number); totals come last.
  sc::JsonReportWriter jw(std::cout);
  TextSink tw(false);
  o.sink = a.json_out ? static_cast<sc::ReportSink*>(&jw) : &tw;
  if (a.json_out) jw.begin();
  json report = sc::validate_file(a.data, schema, o);
  bool valid = report["valid"].get<bool>();
  if (a.json_out) jw.end(report);
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
    // Without the JSON library's own tag ("[json.exception.parse_error.101] ").
    std::string m = e.what();
    if (!m.empty() && m[0] == '[') {
      if (auto p = m.find("] "); p != std::string::npos) m.erase(0, p + 2);
    }
    std::cerr << "civitas: error: not valid JSON: " << m << '\n';
    return kUsage;
  }
}

Register reg(30, {"schema", "validate"}, [](Root& root, int& result) {
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
  v->add_option("--schema,-s", vargs.schema, "Table schema (JSON)");
  v->add_option("DATA", vargs.data, "Data file (.csv, .jsonl)");
  v->add_option("--package", vargs.package,
                "Validate every table of a Frictionless Data Package (datapackage.json), foreign keys across them");
  v->add_option("--resource", vargs.resources,
                "NAME=FILE: a table that foreign keys refer to as reference.resource NAME (repeatable)");
  v->add_option("--resource-schema", vargs.resource_schemas,
                "NAME=SCHEMA.json: the schema of --resource NAME (default: columns by header, referenced fields "
                "typed as the fields referring to them)");
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
