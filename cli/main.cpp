#include <sys/prctl.h>
#include <sys/resource.h>

#include <algorithm>
#include <iostream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "civitas/error.hpp"
#include "civitas/ids.hpp"
#include "cli.hpp"

namespace civitas::cli {
namespace {

struct Entry {
  int order;
  std::vector<std::string> commands;
  Setup setup;
};
std::vector<Entry>& registry() {
  static std::vector<Entry> r;
  return r;
}

// Integrity-type failures mean "checked and found bad" (exit 1); anything else means the
// command could not do its work (exit 2).
int exit_for(Code c) {
  switch (c) {
    case Code::integrity:
    case Code::bad_signature:
    case Code::replay:
    case Code::truncated:
    case Code::schema_mismatch:
    case Code::invalid_data:
      return kInvalid;
    default:
      return kUsage;
  }
}

// Repeatable options take one value per occurrence (`--column a --column b`), so that an
// option never swallows the positional arguments after it (`--column NAME IN.csv`).
void one_value_per_occurrence(CLI::App& app) {
  for (CLI::Option* o : app.get_options())
    if (!o->get_positional() && o->get_expected_max() > 1) 
      o->expected(1)->allow_extra_args(false)->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  for (CLI::App* sub : app.get_subcommands({})) one_value_per_occurrence(*sub);
}

}  // namespace

Register::Register(int order, std::initializer_list<const char*> commands, Setup setup) {
  registry().push_back({order, std::vector<std::string>(commands.begin(), commands.end()), std::move(setup)});
}

void Root::check(const std::string& name) const {
  if (std::find(commands_.begin(), commands_.end(), name) == commands_.end())
    throw std::logic_error("civitas cli: a command group uses the command '" + name +
                           "' without naming it in its Register");
}

namespace {

// The command a run names: the first argument that is not a root option or its value. Empty
// when there is none (`civitas`, `civitas --help`, `civitas --version`).
std::string command_of(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (a == "--division-table") {
      ++i;
      continue;
    }
    if (a == "--") return {};
    if (!a.empty() && a[0] == '-') continue;
    return std::string(a);
  }
  return {};
}

// Which groups to set up: those that name `command`, closed over the other commands they
// name (a group that adds `keys escrow` needs the group that creates `keys`). Every group
// when the command is unknown or absent, so that help and errors list all commands.
std::vector<bool> groups_for(const std::vector<Entry>& reg, const std::string& command) {
  std::vector<bool> use(reg.size(), command.empty());
  if (command.empty()) return use;
  std::vector<std::string> wanted{command};
  for (std::size_t w = 0; w < wanted.size(); ++w)
    for (std::size_t g = 0; g < reg.size(); ++g) {
      if (use[g]) continue;
      const auto& cs = reg[g].commands;
      if (std::find(cs.begin(), cs.end(), wanted[w]) == cs.end()) continue;
      use[g] = true;
      for (const auto& c : cs)
        if (std::find(wanted.begin(), wanted.end(), c) == wanted.end()) wanted.push_back(c);
    }
  if (std::find(use.begin(), use.end(), true) == use.end()) use.assign(reg.size(), true);
  return use;
}

}  // namespace

void for_each_line(std::istream& in, const std::function<void(const std::string&)>& fn) {
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    fn(line);
  }
}

int run(int argc, char** argv) {
  CLI::App app{"civitas — the trust core of the city's data-sharing platform", "civitas"};
  app.set_version_flag("--version", std::string("civitas ") + CIVITAS_VERSION);
  app.require_subcommand(1);
  app.fallthrough();
  std::string division_table;
  app.add_option("--division-table", division_table,
                 "Use this GB/T 2260 table (loc.dat format) instead of the built-in one")
      ->check(CLI::ExistingFile);
  app.parse_complete_callback([&] {
    if (!division_table.empty()) ids::load_division_table_file(division_table);
  });

  int result = kOk;
  auto& reg = registry();
  std::stable_sort(reg.begin(), reg.end(), [](const Entry& a, const Entry& b) { return a.order < b.order; });
  try {
    const std::vector<bool> use = groups_for(reg, command_of(argc, argv));
    for (std::size_t g = 0; g < reg.size(); ++g)
      if (use[g]) {
        Root root(app, reg[g].commands);
        reg[g].setup(root, result);
      }
    one_value_per_occurrence(app);
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {  // --help, --version
    app.exit(e);
    return kOk;
  } catch (const CLI::ParseError& e) {
    // The form docs/cli.md promises for every error, with a pointer to the usage.
    std::cerr << "civitas: error: " << e.what() << " (see civitas --help, or COMMAND --help)\n";
    return kUsage;
  } catch (const Error& e) {
    std::cerr << "civitas: error: " << e.what() << "\n";
    return exit_for(e.code());
  } catch (const std::exception& e) {
    std::cerr << "civitas: error: " << e.what() << "\n";
    return kUsage;
  }
  std::cout.flush();
  return result;
}

}  // namespace civitas::cli

namespace {

// Issue 12: a core dump of a running CLI held the page key, decrypted pages and identity
// subkeys. The CLI makes itself non-dumpable (no core file, no ptrace attach by other users'
// processes, /proc/<pid>/mem and friends owned by root) and sets its core size limit to 0, so
// that neither the kernel nor a core handler (systemd-coredump, apport) receives its memory.
// Secret buffers are also MADV_DONTDUMP (crypto::SecretBytes) for library users that stay
// dumpable.
void disable_core_dumps() {
  struct rlimit none{0, 0};
  ::setrlimit(RLIMIT_CORE, &none);
  ::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

}  // namespace

int main(int argc, char** argv) {
  disable_core_dumps();
  return civitas::cli::run(argc, argv);
}
