// civitas policy check|show|decide
//
// check: every problem of a policy document with its JSON path (exit 0 valid, 1 invalid,
// 2 unreadable). show: prints a policy (the bundled one by default). decide: the sharing or
// opening decision for a stored catalog entry, audit-logged in the workspace (exit 0 allowed,
// 3 allowed with obligations, 1 denied, 2 error: docs/cli.md, docs/policy.md).
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "civitas/error.hpp"
#include "civitas/json.hpp"
#include "civitas/policy.hpp"
#include "civitas/schema.hpp"
#include "civitas/workspace.hpp"
#include "cli.hpp"
#include "workspace_args.hpp"

namespace civitas::cli {
namespace {

using nlohmann::json;
namespace pl = civitas::policy;

constexpr int kAllowedWithObligations = 3;

std::string read_text(const std::string& path) {
  if (std::filesystem::is_directory(path))
    throw Error(Code::io, "is a directory, not a file", Location{{}, {}, {}, path});
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
  std::string file, policy, schema, resource, consumer, purpose;
  bool open = false, json_out = false;
};

int do_check(const Args& a) {
  std::string text = read_text(a.file);
  auto problems = pl::check_text(text);
  if (a.json_out) {
    json p = json::array();
    for (const auto& x : problems) p.push_back({{"path", x.path}, {"message", x.message}});
    json r = {{"valid", problems.empty()}, {"problems", p}};
    if (problems.empty()) {
      pl::Policy pol = pl::Policy::parse(text);
      r["id"] = pol.id();
      r["digest"] = pol.digest();
    }
    std::cout << out(r) << '\n';
  } else if (problems.empty()) {
    pl::Policy pol = pl::Policy::parse(text);
    std::cout << "valid\t" << pol.id() << '\t' << pol.digest() << '\n';
  } else {
    for (const auto& x : problems)
      std::cout << "invalid\t" << (x.path.empty() ? "/" : printable(x.path)) << '\t' << printable(x.message) << '\n';
  }
  return problems.empty() ? kOk : kInvalid;
}

pl::Policy load_policy(const std::string& path) { return path.empty() ? pl::Policy::builtin() : pl::Policy::load(path); }

int do_show(const Args& a) {
  if (a.file.empty()) std::cout << pl::Policy::builtin_text();
  else std::cout << out(pl::Policy::load(a.file).document()) << '\n';
  return kOk;
}

int do_decide(const Args& a) {
  pl::Policy pol = load_policy(a.policy);
  std::optional<schema::TableSchema> sch;
  if (!a.schema.empty()) sch = schema::parse_schema(read_text(a.schema));
  auto ws = a.ws.open();
  pl::Request r{a.resource, a.consumer, a.purpose, a.open};
  pl::Decision d = ws->decide(r, pol, sch ? &*sch : nullptr);  // audited "policy.decide"
  if (a.json_out) {
    std::cout << out(pl::to_json(d)) << '\n';
  } else {
    std::cout << d.outcome << '\t' << pl::access_name(d.type) << '\t' << (d.level.empty() ? "-" : d.level) << '\n';
    for (const auto& c : d.conditions) std::cout << "condition\t" << printable(c) << '\n';
    if (!d.legal_basis.empty()) std::cout << "legal-basis\t" << printable(d.legal_basis) << '\n';
    for (const auto& f : d.fields)
      if (f.obligation.action != "keep") {
        std::cout << "field\t" << printable(f.name) << '\t' << f.obligation.action;
        if (!f.obligation.params.empty()) std::cout << '\t' << printable(f.obligation.params.dump());
        std::cout << '\n';
      }
    if (d.privacy.contains("k")) std::cout << "privacy\tk=" << d.privacy["k"].dump() << '\n';
    if (d.risk_threshold) std::cout << "risk-threshold\t" << *d.risk_threshold << '\n';
    for (const auto& why : d.reasons) std::cout << "reason\t" << printable(why) << '\n';
  }
  if (!d.allowed()) return kInvalid;
  return d.outcome == "allow" ? kOk : kAllowedWithObligations;
}

/// Every error of decide is 2, so that 1 always means "denied".
template <class Fn>
int errors_are_usage(Fn&& fn) {
  try {
    return fn();
  } catch (const Error& e) {
    std::cerr << "civitas: error: " << e.what() << '\n';
    return kUsage;
  }
}

Register reg(34, {"policy"}, [](Root& root, int& result) {
  auto* pol = root.add_subcommand("policy", "Data policy: check a policy document, decide sharing and opening");
  pol->require_subcommand(1);
  static Args args;

  auto* check = pol->add_subcommand("check", "Check a policy; prints every problem with its JSON path; "
                                             "exit 0 valid, 1 invalid, 2 unreadable");
  check->add_option("POLICY", args.file, "Policy document (JSON)")->required();
  check->add_flag("--json", args.json_out, "JSON output");
  check->callback([&result] { result = errors_are_usage([] { return do_check(args); }); });

  auto* show = pol->add_subcommand("show", "Print a policy document (default: the bundled city policy)");
  show->add_option("POLICY", args.file, "Policy document (JSON)");
  show->callback([&result] { result = do_show(args); });

  auto* dec = pol->add_subcommand("decide", "Decide sharing with a department (or opening, --open) of a stored catalog "
                                            "entry; audit-logged. Exit 0 allowed, 3 allowed with obligations, "
                                            "1 denied, 2 error");
  dec->add_option("--resource", args.resource, "Catalog resource code of a stored entry")->required();
  dec->add_option("--consumer", args.consumer, "USCC of the consumer department")->required();
  dec->add_option("--purpose", args.purpose, "Purpose of use")->required();
  dec->add_flag("--open", args.open, "Decide opening to the public instead of sharing");
  dec->add_option("--policy", args.policy, "Policy document (default: the bundled city policy)");
  dec->add_option("--schema", args.schema,
                  "Table schema whose civitas:classification annotations grade the table when no classification is stored");
  dec->add_flag("--json", args.json_out, "JSON output");
  add_workspace_options(dec, args.ws);
  dec->callback([&result] { result = errors_are_usage([] { return do_decide(args); }); });
});

}  // namespace
}  // namespace civitas::cli
