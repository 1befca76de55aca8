// civitas id key --type T --domain D [CODE...] — identity keys (keyed pseudonyms) of
// identifiers; adds the `key` subcommand to the `id` command of cmd_id.cpp.
#include <iostream>

#include "civitas/crypto.hpp"
#include "civitas/error.hpp"
#include "civitas/ids.hpp"
#include "civitas/workspace.hpp"
#include "cli.hpp"
#include "workspace_args.hpp"

namespace civitas::cli {
namespace {

struct IdKeyArgs {
  WorkspaceArgs ws;
  std::string type;
  std::string domain;
  std::vector<std::string> codes;
};

int do_key(const IdKeyArgs& a) {
  ids::Kind kind = ids::kind_from_name(a.type);
  auto w = a.ws.open();
  auto keyer = w->identity_keyer(a.domain);
  bool all_valid = true;
  char out[crypto::IdentityKeyer::kTextSize];
  auto one = [&](const std::string& code) {
    ids::Reason r = keyer->key_into(kind, code, out);
    if (r == ids::Reason::ok) {
      std::cout.write(out, sizeof out);
      std::cout << '\n';
    } else {
      all_valid = false;
      std::cout << "invalid\t" << ids::reason_name(r) << '\t' << printable(code) << '\n';
    }
  };
  if (!a.codes.empty()) {
    for (const auto& c : a.codes) one(c);
  } else {
    for_each_line(std::cin, one);
  }
  return all_valid ? kOk : kInvalid;
}

Register reg(11, {"id"}, [](Root& root, int& result) {
  static IdKeyArgs args;
  CLI::App* id = root.get_subcommand("id");  // registered by cmd_id.cpp (order 10)
  auto* k = id->add_subcommand("key",
                               "Identity keys: keyed pseudonyms of identifiers, one per input line "
                               "('ik1:<key id>:<base64url>' or 'invalid<TAB>reason<TAB>input'); exit 1 when any is invalid");
  add_workspace_options(k, args.ws);
  k->add_option("--type,-t", args.type, "Identifier type")->required()->check(CLI::IsMember({"uscc", "orgcode", "ric", "gb2260"}));
  k->add_option("--domain,-d", args.domain, "Domain label: keys of different domains cannot be linked")->required();
  k->add_option("CODE", args.codes, "Identifiers (default: one per line on stdin)");
  k->callback([&result] { result = do_key(args); });
});

}  // namespace
}  // namespace civitas::cli
