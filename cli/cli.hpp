// Shared plumbing of the `civitas` command: self-registering command groups, exit codes,
// and helpers for reading inputs.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <initializer_list>
#include <istream>
#include <string>
#include <string_view>
#include <vector>

namespace civitas::cli {

/// Exit codes (a contract with department scripts; see docs/cli.md).
enum Exit : int {
  kOk = 0,        ///< success; everything checked is valid
  kInvalid = 1,   ///< ran, and found something invalid / not verified / tampered
  kUsage = 2,     ///< bad usage, unreadable input, or could not run
};

/// The root app as a command group sees it: it may add or extend only the top-level
/// commands it names in its `Register` (a mistake throws std::logic_error on every run that
/// sets the group up, `civitas --help` included, so the CLI tests catch it).
class Root {
 public:
  Root(CLI::App& app, const std::vector<std::string>& commands) : app_(app), commands_(commands) {}
  CLI::App* add_subcommand(const std::string& name, const std::string& description) {
    check(name);
    return app_.add_subcommand(name, description);
  }
  CLI::App* get_subcommand(const std::string& name) {
    check(name);
    return app_.get_subcommand(name);
  }

 private:
  void check(const std::string& name) const;
  CLI::App& app_;
  const std::vector<std::string>& commands_;
};

/// A command group adds its subcommands to the root app. `result` is where a subcommand
/// callback stores its exit code.
using Setup = std::function<void(Root& root, int& result)>;

/// Registers a command group at static-initialisation time; `order` sorts --help output.
/// `commands` names every top-level command the group adds or adds to: a run of one command
/// sets up only the groups that name it (and, transitively, the groups those extend), so that
/// a `civitas deid run` does not build the option tables of every other command.
/// tests/cli/test_commands.sh checks that every command in `civitas --help` is reachable.
struct Register {
  Register(int order, std::initializer_list<const char*> commands, Setup setup);
};

/// Runs the CLI; returns the process exit code.
int run(int argc, char** argv);

/// Input echoed back as text: valid UTF-8 without control characters is kept; a control
/// character, a byte that is not UTF-8, and the backslash itself become \xNN / \\.
inline std::string printable(std::string_view in) {
  static const char* hex = "0123456789abcdef";
  std::string out;
  out.reserve(in.size());
  auto esc = [&](unsigned char b) {
    out += "\\x";
    out += hex[b >> 4];
    out += hex[b & 15];
  };
  for (std::size_t i = 0; i < in.size();) {
    const auto b = static_cast<unsigned char>(in[i]);
    if (b == '\\') {
      out += "\\\\";
      ++i;
      continue;
    }
    if (b < 0x20 || b == 0x7f) {
      esc(b);
      ++i;
      continue;
    }
    if (b < 0x80) {
      out += static_cast<char>(b);
      ++i;
      continue;
    }
    // A well-formed UTF-8 sequence (no overlongs, surrogates or values above U+10FFFF).
    std::size_t n = b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    bool ok = n && i + n <= in.size();
    for (std::size_t k = 1; ok && k < n; ++k) ok = (static_cast<unsigned char>(in[i + k]) & 0xc0) == 0x80;
    if (ok && n >= 3) {
      const auto c1 = static_cast<unsigned char>(in[i + 1]);
      if ((b == 0xe0 && c1 < 0xa0) || (b == 0xed && c1 >= 0xa0) || (b == 0xf0 && c1 < 0x90) || (b == 0xf4 && c1 >= 0x90)) ok = false;
    }
    if (!ok) {
      esc(b);
      ++i;
      continue;
    }
    out.append(in.substr(i, n));
    i += n;
  }
  return out;
}

/// Calls fn for each line of in (without the line ending).
void for_each_line(std::istream& in, const std::function<void(const std::string&)>& fn);

}  // namespace civitas::cli
