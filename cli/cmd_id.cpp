// civitas id validate|parse|check-char
#include <iostream>
#include <nlohmann/json.hpp>

#include "civitas/error.hpp"
#include "civitas/ids.hpp"
#include "cli.hpp"

namespace civitas::cli {
namespace {

using nlohmann::json;

struct IdArgs {
  std::string type;
  bool strict = false;
  bool json_out = false;
  bool full = false;
  std::vector<std::string> codes;
};

json warnings_json(const ids::Result& r) {
  json w = json::array();
  for (ids::Reason x : r.warning_list()) w.push_back(ids::reason_name(x));
  return w;
}

json parts_json(ids::Kind kind, const ids::Result& r) {
  const ids::Parts& p = r.parts;
  json j = json::object();
  auto region = [&] {
    return json{{"code", p.region.code}, {"known", p.region.known}, {"province", p.region.province},
                {"prefecture", p.region.prefecture}, {"county", p.region.county}};
  };
  switch (kind) {
    case ids::Kind::uscc:
      if (p.authority) {
        j["authority"] = {{"code", std::string(1, p.authority)}, {"name", p.authority_name}};
        j["category"] = {{"code", std::string(1, p.category)}, {"name", p.category_name}};
        j["region"] = region();
        j["orgcode"] = p.orgcode;
      }
      break;
    case ids::Kind::ric:
      if (!p.birth_date.empty()) {
        j["region"] = region();
        j["birth_date"] = p.birth_date;
        j["sex"] = std::string(1, p.sex);
        j["sequence"] = p.sequence;
        if (!p.legacy.empty()) j["legacy"] = p.legacy;
      }
      break;
    case ids::Kind::division:
      if (!p.region.code.empty()) j["region"] = region();
      break;
    case ids::Kind::orgcode:
      break;
  }
  if (p.check) j["check"] = std::string(1, p.check);
  return j;
}

json result_json(ids::Kind kind, const std::string& input, const ids::Result& r, bool with_parts) {
  json j{{"input", input}, {"type", ids::kind_name(kind)}, {"valid", r.valid},
         {"canonical", r.canonical}, {"reason", r.valid ? nullptr : json(ids::reason_name(r.reason))},
         {"warnings", warnings_json(r)}, {"message", r.message}};
  if (with_parts) j["parts"] = parts_json(kind, r);
  return j;
}

// Runs fn over the codes from the arguments, or over stdin lines when there are none.
void each_input(const IdArgs& a, const std::function<void(const std::string&)>& fn) {
  if (!a.codes.empty()) {
    for (const auto& c : a.codes) fn(c);
  } else {
    for_each_line(std::cin, fn);
  }
}

int do_validate(const IdArgs& a) {
  ids::Kind kind = ids::kind_from_name(a.type);
  ids::Options opts;
  opts.strict = a.strict;
  opts.today = ids::today();
  bool all_valid = true;
  each_input(a, [&](const std::string& code) {
    if (a.json_out) {
      ids::Result r = ids::validate(kind, code, opts);
      all_valid &= r.valid;
      std::cout << result_json(kind, code, r, false).dump(-1, ' ', false, json::error_handler_t::replace) << '\n';
      return;
    }
    ids::Reason reason = ids::check(kind, code, opts);
    if (reason == ids::Reason::ok) {
      ids::Result r = ids::validate(kind, code, opts);
      std::cout << "valid\t" << r.canonical << '\n';
    } else {
      all_valid = false;
      std::cout << "invalid\t" << ids::reason_name(reason) << '\t' << printable(code) << '\n';
    }
  });
  return all_valid ? kOk : kInvalid;
}

int do_parse(const IdArgs& a) {
  ids::Kind kind = ids::kind_from_name(a.type);
  ids::Options opts;
  opts.strict = a.strict;
  bool all_valid = true;
  each_input(a, [&](const std::string& code) {
    ids::Result r = ids::validate(kind, code, opts);
    all_valid &= r.valid;
    std::cout << result_json(kind, code, r, true).dump(a.json_out ? -1 : 2, ' ', false,
                                                       json::error_handler_t::replace)
              << '\n';
  });
  return all_valid ? kOk : kInvalid;
}

int do_check_char(const IdArgs& a) {
  ids::Kind kind = ids::kind_from_name(a.type);
  int rc = kOk;
  each_input(a, [&](const std::string& body) {
    try {
      char c = ids::check_char(kind, body);
      if (a.full) std::cout << ids::normalize(body) << c << '\n';
      else std::cout << c << '\n';
    } catch (const Error& e) {
      std::cout << "error\t" << printable(body) << '\n';
      std::cerr << "civitas: error: " << printable(e.what()) << '\n';
      rc = kUsage;
    }
  });
  return rc;
}

Register reg(10, {"id"}, [](Root& root, int& result) {
  auto* id = root.add_subcommand("id", "Identifiers: USCC, organisation codes, resident IDs, division codes");
  id->require_subcommand(1);
  static IdArgs args;
  auto common = [](CLI::App* c, bool codes_are_bodies) {
    c->add_option("--type,-t", args.type, "Identifier type")
        ->required()
        ->check(CLI::IsMember({"uscc", "orgcode", "ric", "gb2260"}));
    c->add_option(codes_are_bodies ? "BODY" : "CODE", args.codes,
                  codes_are_bodies ? "Code bodies without check character (default: one per line on stdin)"
                                   : "Codes to check (default: one per line on stdin)");
  };
  auto* v = id->add_subcommand("validate",
                               "Validate codes: prints 'valid<TAB>canonical' or 'invalid<TAB>reason<TAB>input' "
                               "per input; exit 0 all valid, 1 any invalid, 2 usage error");
  common(v, false);
  v->add_flag("--strict", args.strict, "Treat soft rules (category table, known region, embedded organisation code) as errors");
  v->add_flag("--json", args.json_out, "One JSON object per line");
  v->callback([&result] { result = do_validate(args); });

  auto* p = id->add_subcommand("parse", "Parse codes into their parts (JSON)");
  common(p, false);
  p->add_flag("--strict", args.strict, "Treat soft rules as errors");
  p->add_flag("--json", args.json_out, "Compact JSON, one object per line");
  p->callback([&result] { result = do_parse(args); });

  auto* c = id->add_subcommand("check-char", "Compute the check character of code bodies");
  common(c, true);
  c->add_flag("--full", args.full, "Print the whole code (body + check character)");
  c->callback([&result] { result = do_check_char(args); });
});

}  // namespace
}  // namespace civitas::cli
