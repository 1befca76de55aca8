#include <sys/prctl.h>
#include <sys/resource.h>

#include <algorithm>
#include <iostream>
#include <vector>

#include "civitas/error.hpp"
#include "civitas/ids.hpp"
#include "cli.hpp"

namespace civitas::cli {
namespace {

struct Entry {
  int order;
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

Register::Register(int order, Setup setup) { registry().push_back({order, std::move(setup)}); }

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
  for (auto& e : reg) e.setup(app, result);
  one_value_per_occurrence(app);

  try {
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
