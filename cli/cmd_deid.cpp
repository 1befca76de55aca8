// civitas deid run --spec SPEC.json IN.csv -o OUT.csv [--report R.json] [--html R.html]
//                  [--delimiter C] [--encoding E] [--drop-suppressed] [workspace options]
// Exit codes: 0 written; 1 no transformation satisfies the privacy model, or a value breaks
// a hierarchy (invalid data); 2 usage, unreadable input, bad spec, I/O error, no workspace.
// Every run opens the workspace and is audit-logged as "deid.run" (refusals included).
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <unistd.h>

#include "civitas/deid.hpp"
#include "civitas/error.hpp"
#include "cli.hpp"
#include "workspace_args.hpp"

namespace civitas::cli {
namespace {

using nlohmann::json;

struct RunArgs {
  std::string spec, in, out, report, html, delimiter = ",", encoding;
  bool drop_suppressed = false;
  WorkspaceArgs ws;
};

std::string slurp(const std::string& path, const char* what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(Code::io, std::string("cannot read ") + what + " " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write_file_atomic(const std::string& path, const std::string& data) {
  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  {
    std::ofstream o(tmp, std::ios::binary | std::ios::trunc);
    if (!o) throw Error(Code::io, "cannot write " + path);
    o << data;
    o.close();
    if (!o) {
      std::remove(tmp.c_str());
      throw Error(Code::io, "cannot write " + path);
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    throw Error(Code::io, "cannot rename into " + path);
  }
}

char parse_delimiter(const std::string& d) {
  if (d == "tab" || d == "\\t") return '\t';
  if (d.size() != 1 || d[0] == '"' || d[0] == '\n' || d[0] == '\r')
    throw Error(Code::invalid_argument, "--delimiter takes one character (or 'tab'), not \"" + printable(d) + "\"");
  return d[0];
}

int do_run(const RunArgs& a) {
  const std::string spec_text = slurp(a.spec, "the spec");
  std::string dir = ".";
  const auto slash = a.spec.find_last_of('/');
  if (slash != std::string::npos) dir = slash == 0 ? "/" : a.spec.substr(0, slash);
  const char delimiter = parse_delimiter(a.delimiter);
  // Every run is audit-logged ("deid.run"): the workspace (--workspace, CIVITAS_WORKSPACE or
  // ./civitas.db, with its key) is opened first; without one nothing runs (exit 2). The one
  // audited call parses the spec, runs, and records the run or its refusal.
  auto ws = a.ws.open();
  const json report = ws->deid_run(spec_text, dir, a.in, a.out,
                                   json{{"delimiter", std::string(1, delimiter)}, {"encoding", a.encoding},
                                        {"drop_suppressed", a.drop_suppressed}});
  const std::string text = report.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
  if (!a.report.empty()) write_file_atomic(a.report, text);
  if (!a.html.empty()) write_file_atomic(a.html, deid::report_html(report));
  if (a.report.empty()) std::cout << text;
  return kOk;
}

Register reg(60, {"deid"}, [](Root& root, int& result) {
  auto* deid = root.add_subcommand("deid", "De-identification for open data (docs/deid.md)");
  deid->require_subcommand(1);
  static RunArgs args;
  auto* run = deid->add_subcommand(
      "run", "De-identify a CSV file by a spec (optimal generalisation, privacy models); exit 0 written, 1 no "
             "transformation satisfies the model or a value breaks a hierarchy, 2 usage or I/O error");
  run->add_option("--spec", args.spec, "De-identification spec (JSON, docs/formats/deid-spec.md)")->required();
  run->add_option("IN", args.in, "Input CSV (header row)")->required();
  run->add_option("-o,--output", args.out, "Output CSV (written whole or not at all)")->required();
  run->add_option("--report", args.report, "Write the JSON report here (default: standard output)");
  run->add_option("--html", args.html, "Write the HTML report here");
  run->add_option("--delimiter", args.delimiter, "CSV delimiter, input and output (one character or 'tab'; default ',')");
  run->add_option("--encoding", args.encoding, "Input encoding (default UTF-8, never guessed): utf-8, gb18030, gbk…");
  run->add_flag("--drop-suppressed", args.drop_suppressed, "Leave suppressed records out instead of writing them with every quasi-identifier '*'");
  add_workspace_options(run, args.ws);
  run->callback([&result] { result = do_run(args); });
});

}  // namespace
}  // namespace civitas::cli
