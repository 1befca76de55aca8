// civitas publish run|verify
//
// run: the open-data publishing job (docs/publish.md): validate → classify → the policy's
// opening decision → de-identify → risk check → the publication directory, audit-logged as
// "publish.run". Exit 0 published, 1 the data does not conform to its schema, 2 error,
// 4 the policy does not allow opening, 5 risk above the threshold, 6 an identifier column
// without an action. verify: the manifest's signature and every file's hash (exit 0 verified,
// 1 not verified, 2 error).
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "civitas/error.hpp"
#include "civitas/workspace.hpp"
#include "cli.hpp"
#include "workspace_args.hpp"

namespace civitas::cli {
namespace {

using nlohmann::json;
using workspace::Workspace;

constexpr int kRefusedPolicy = 4;
constexpr int kRefusedRisk = 5;
constexpr int kRefusedIdentifier = 6;

std::string read_text(const std::string& path) {
  if (std::filesystem::is_directory(path)) throw Error(Code::io, "is a directory, not a file", Location{{}, {}, {}, path});
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(Code::io, "cannot open file", Location{{}, {}, {}, path});
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) throw Error(Code::io, "cannot read file", Location{{}, {}, {}, path});
  return ss.str();
}

std::string out(const json& j) { return j.dump(2, ' ', false, json::error_handler_t::replace); }

struct Args {
  WorkspaceArgs ws;
  std::string data, out_dir, catalog, schema, policy, spec, encoding, delimiter = ",", public_key;
  bool json_out = false;
};

/// A progress bar on standard error, only when it is a terminal.
struct Bar {
  bool on = ::isatty(2) == 1;
  void operator()(std::string_view step, double done) const {
    if (!on) return;
    const int width = 30;
    const int fill = static_cast<int>(done * width + 0.5);
    std::fprintf(stderr, "\r[%s%s] %3d%% %-12.*s", std::string(static_cast<std::size_t>(fill), '#').c_str(),
                 std::string(static_cast<std::size_t>(width - fill), ' ').c_str(), static_cast<int>(done * 100 + 0.5),
                 static_cast<int>(step.size()), step.data());
    if (done >= 1.0) std::fputc('\n', stderr);
    std::fflush(stderr);
  }
  void clear() const {
    if (on) std::fputs("\r\033[K", stderr);
  }
};

int do_run(const Args& a) {
  Workspace::PublishOptions o;
  o.resource = a.catalog;
  o.schema_json = read_text(a.schema);
  if (!a.policy.empty()) o.policy_json = read_text(a.policy);
  if (!a.spec.empty()) {
    o.spec_json = read_text(a.spec);
    const auto parent = std::filesystem::path(a.spec).parent_path();
    o.spec_dir = parent.empty() ? "." : parent.string();
  }
  o.encoding = a.encoding;
  if (a.delimiter.size() != 1) throw Error(Code::invalid_argument, "--delimiter must be one character");
  o.delimiter = a.delimiter[0];
  Bar bar;
  if (bar.on) o.progress = [&bar](std::string_view s, double d) { bar(s, d); };
  auto ws = a.ws.open();
  json r;
  try {
    r = ws->publish(a.data, a.out_dir, o);
  } catch (...) {
    bar.clear();
    throw;
  }
  if (a.json_out) {
    std::cout << out(r) << '\n';
    return kOk;
  }
  std::cout << "published\t" << printable(a.out_dir) << '\t' << printable(a.catalog) << '\n';
  for (const auto& f : r["files"]) std::cout << "file\t" << f["sha256"].get<std::string>() << '\t' << printable(f["path"].get<std::string>()) << '\n';
  std::cout << "rows\t" << r["rows"]["input"].dump() << " read\t" << r["rows"]["output"].dump() << " published\t"
            << r["suppressed"].dump() << " suppressed\n";
  for (const auto& n : r["removed"]) std::cout << "changed\t" << printable(n.get<std::string>()) << '\n';
  auto risk_max = [&](const char* when) {
    const json& x = r["risk"][when];
    return x.is_object() && x.contains("prosecutor") ? x["prosecutor"].value("max", 0.0) : 0.0;
  };
  std::cout << "risk\tbefore " << risk_max("before") << "\tafter " << risk_max("after") << "\tthreshold "
            << r["risk"]["threshold"].get<double>() << '\n';
  std::cout << "signed\t" << r["key_id"].get<std::string>() << '\n';
  std::cout << "report\t" << printable((std::filesystem::path(a.out_dir) / "deid-report.html").string()) << '\n';
  return kOk;
}

int do_verify(const Args& a) {
  json r;
  if (a.public_key.empty()) {
    auto ws = a.ws.open();
    r = ws->verify_publication(a.out_dir);
  } else {
    r = Workspace::verify_publication_with(a.out_dir, read_text(a.public_key));
  }
  if (a.json_out) {
    std::cout << out(r) << '\n';
    return kOk;
  }
  std::cout << "verified\t" << printable(a.out_dir) << '\t' << printable(r["resource"].get<std::string>()) << '\t'
            << r["department"].get<std::string>() << '\t' << r["key_id"].get<std::string>() << '\t' << r["signer"].get<std::string>()
            << '\n';
  for (const auto& f : r["files"]) std::cout << "ok\t" << f["sha256"].get<std::string>() << '\t' << printable(f["path"].get<std::string>()) << '\n';
  return kOk;
}

Register reg(36, {"publish"}, [](Root& root, int& result) {
  auto* pub = root.add_subcommand("publish", "Open-data publishing: publish a table (de-identified, signed) and verify a publication");
  pub->require_subcommand(1);
  static Args args;

  auto* run = pub->add_subcommand("run", "Validate, classify, decide, de-identify, check the risk and write a signed publication "
                                         "directory; audit-logged. Exit 0 published, 1 data invalid, 2 error, 4 refused by the "
                                         "policy, 5 risk above the threshold, 6 identifier without an action");
  run->add_option("DATA", args.data, "The table (CSV)")->required();
  run->add_option("-o,--out", args.out_dir, "Output directory (must not exist)")->required();
  run->add_option("--catalog", args.catalog, "Resource code of the table's stored catalog entry")->required();
  run->add_option("--schema", args.schema, "Table Schema of the table as collected")->required();
  run->add_option("--policy", args.policy, "Policy document (default: the bundled city policy)");
  run->add_option("--spec", args.spec, "De-identification spec (default: derived from the policy's obligations)");
  run->add_option("--encoding", args.encoding, "Encoding of DATA (default utf-8)");
  run->add_option("--delimiter", args.delimiter, "Delimiter of DATA (default ,)");
  run->add_flag("--json", args.json_out, "JSON output");
  add_workspace_options(run, args.ws);
  run->callback([&result] {
    try {
      result = do_run(args);
    } catch (const Workspace::PublishRefused& e) {
      std::cerr << "civitas: refused (" << e.reason << "): " << printable(e.what()) << '\n';
      result = e.reason == "risk"         ? kRefusedRisk
               : e.reason == "identifier" ? kRefusedIdentifier
               : e.reason == "invalid"    ? kInvalid
                                          : kRefusedPolicy;
    } catch (const Error& e) {
      std::cerr << "civitas: error: " << printable(e.what()) << '\n';
      result = kUsage;
    }
  });

  auto* ver = pub->add_subcommand("verify", "Check a publication: the manifest's signature and every file's SHA-256. "
                                            "Exit 0 verified, 1 not verified, 2 error");
  ver->add_option("OUTDIR", args.out_dir, "Publication directory")->required();
  ver->add_option("--public-key", args.public_key, "The department's public-key document (civitas keys export-public); "
                                                   "default: the keys of the workspace and its peers");
  ver->add_flag("--json", args.json_out, "JSON output");
  add_workspace_options(ver, args.ws);
  ver->callback([&result] {
    try {
      result = do_verify(args);
    } catch (const Error& e) {
      std::cerr << "civitas: not verified: " << printable(e.what()) << '\n';
      const Code c = e.code();
      const bool tampered = c == Code::bad_signature || c == Code::integrity || c == Code::unknown_key || c == Code::denied ||
                            c == Code::parse || c == Code::unsupported_version;
      result = tampered ? kInvalid : kUsage;
    }
  });
});

}  // namespace
}  // namespace civitas::cli
