// Shared by the workspace commands (init, keys, encrypt/decrypt, id key): where the workspace
// is and where its master key comes from. Never from a plain argument: --key-file,
// CIVITAS_KEY (64 hex characters) or --passphrase (prompted without echo on a terminal, read
// as one line from stdin otherwise).
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <string>

#include "civitas/workspace.hpp"

namespace civitas::cli {

struct WorkspaceArgs {
  std::string workspace;  ///< --workspace, else CIVITAS_WORKSPACE, else ./civitas.db
  std::string key_file;
  bool passphrase = false;

  std::string path() const;
  /// The key source from --key-file, --passphrase or CIVITAS_KEY; throws Error(invalid_argument).
  /// confirm: ask twice on a terminal (creating a workspace, a new passphrase).
  workspace::KeySource key_source(bool confirm = false) const;
  std::unique_ptr<workspace::Workspace> open() const;
};

/// Adds --workspace, --key-file and --passphrase to a command.
void add_workspace_options(CLI::App* cmd, WorkspaceArgs& args);

/// Reads a passphrase: from the terminal without echo when stdin is a tty, else one line of stdin.
crypto::SecretBytes read_passphrase(const char* prompt, bool confirm);
/// Reads a key file: 32 raw bytes, or 64 hexadecimal characters (surrounding whitespace ignored).
crypto::SecretBytes read_key_file(const std::string& path);

}  // namespace civitas::cli
