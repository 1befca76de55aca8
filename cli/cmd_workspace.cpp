// civitas init — create a workspace with a fresh keyring.
#include <iostream>

#include "civitas/crypto.hpp"
#include "civitas/workspace.hpp"
#include "cli.hpp"
#include "workspace_args.hpp"

namespace civitas::cli {
namespace {

struct InitArgs {
  WorkspaceArgs ws;
  std::string department;
  std::string name;
};

int do_init(const InitArgs& a) {
  workspace::CreateOptions o;
  o.department = a.department;
  o.name = a.name;
  auto w = workspace::Workspace::create(a.ws.path(), a.ws.key_source(true), o);
  workspace::Info i = w->info();
  std::cout << "created workspace " << i.path << " (id " << i.workspace_id << ", key source " << i.key_source << ")\n"
            << "header " << workspace::Workspace::header_path(i.path) << " — back it up with the database\n";
  for (const auto& k : w->keys())
    std::cout << "  " << k.id_hex() << "  " << crypto::purpose_name(k.purpose) << "  " << k.algorithm << "  "
              << crypto::status_name(k.status) << "\n";
  return kOk;
}

Register reg(5, {"init"}, [](Root& root, int& result) {
  static InitArgs args;
  auto* init = root.add_subcommand("init", "Create a workspace (SQLCipher file + header) with a fresh keyring");
  add_workspace_options(init, args.ws);
  init->add_option("--department", args.department, "The department's Unified Social Credit Code");
  init->add_option("--name", args.name, "The department's name");
  init->callback([&result] { result = do_init(args); });
});

}  // namespace
}  // namespace civitas::cli
