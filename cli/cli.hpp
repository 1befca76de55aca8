// Shared plumbing of the `civitas` command: self-registering command groups, exit codes,
// and helpers for reading inputs.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <istream>
#include <string>

namespace civitas::cli {

/// Exit codes (a contract with department scripts; see docs/cli.md).
enum Exit : int {
  kOk = 0,        ///< success; everything checked is valid
  kInvalid = 1,   ///< ran, and found something invalid / not verified / tampered
  kUsage = 2,     ///< bad usage, unreadable input, or could not run
};

/// A command group adds its subcommands to the root app. `result` is where a subcommand
/// callback stores its exit code.
using Setup = std::function<void(CLI::App& root, int& result)>;

/// Registers a command group at static-initialisation time; `order` sorts --help output.
struct Register {
  Register(int order, Setup setup);
};

/// Runs the CLI; returns the process exit code.
int run(int argc, char** argv);

/// Calls fn for each line of in (without the line ending).
void for_each_line(std::istream& in, const std::function<void(const std::string&)>& fn);

}  // namespace civitas::cli
