// civitas keys escrow|recover (key escrow) and civitas package statement|import-statement|
// require-statements (provider sequence statements after a restore): issue 18,
// docs/recovery-escrow.md. Registered after the `keys` and `package` groups, whose commands
// these join.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "civitas/crypto.hpp"
#include "civitas/error.hpp"
#include "civitas/workspace.hpp"
#include "cli.hpp"
#include "workspace_args.hpp"

namespace civitas::cli {
namespace {

namespace c = civitas::crypto;
namespace fs = std::filesystem;

struct EscrowArgs {
  WorkspaceArgs ws;
  unsigned shares = 0;
  unsigned threshold = 0;
  std::string dir;
  std::vector<std::string> share_files;
  std::string new_key_file;
  bool new_passphrase = false;
  std::string consumer;
  std::string output;
  std::string file;
};

[[noreturn]] void io_error(const std::string& what, const std::string& path) {
  throw Error(Code::io, what + " " + path + ": " + std::strerror(errno));
}

/// DIR for the shares: created 0700, or an existing empty directory (made 0700).
void prepare_dir(const std::string& dir) {
  if (::mkdir(dir.c_str(), 0700) == 0) return;
  if (errno != EEXIST) io_error("cannot create directory", dir);
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) throw Error(Code::exists, dir + " exists and is not a directory");
  if (!fs::is_empty(dir, ec))
    throw Error(Code::exists, "directory " + dir + " is not empty: give a new or empty directory for the shares");
  if (::chmod(dir.c_str(), 0700) != 0) io_error("cannot restrict", dir);
}

void write_secret_file(const std::string& path, const c::SecretBytes& text) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) io_error("cannot create", path);
  std::size_t off = 0;
  while (off < text.size()) {
    ssize_t w = ::write(fd, text.data() + off, text.size() - off);
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) {
      ::close(fd);
      io_error("cannot write", path);
    }
    off += static_cast<std::size_t>(w);
  }
  if (::fsync(fd) != 0) {
    ::close(fd);
    io_error("cannot sync", path);
  }
  ::close(fd);
}

c::SecretBytes read_secret_file(const std::string& path, std::size_t limit) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) io_error("cannot read", path);
  c::SecretBytes buf(limit + 1);
  std::size_t n = 0;
  while (n < buf.size()) {
    ssize_t r = ::read(fd, buf.data() + n, buf.size() - n);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) {
      ::close(fd);
      io_error("cannot read", path);
    }
    if (r == 0) break;
    n += static_cast<std::size_t>(r);
  }
  ::close(fd);
  if (n > limit) throw Error(Code::parse, path + " is too large to be an escrow share");
  return c::SecretBytes(buf.data(), n);
}

std::string read_small(const std::string& path, std::size_t limit, const char* what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(Code::io, "cannot read " + path);
  std::ostringstream s;
  s << in.rdbuf();
  if (s.str().size() > limit) throw Error(Code::parse, path + " is too large for " + what);
  return s.str();
}

int do_escrow(const EscrowArgs& a) {
  auto w = a.ws.open();
  prepare_dir(a.dir);
  auto docs = w->escrow_key(a.shares, a.threshold);
  std::cout << "workspace key split into " << a.shares << " shares; any " << a.threshold << " rebuild it:\n";
  for (std::size_t i = 0; i < docs.size(); ++i) {
    const std::string p = (fs::path(a.dir) / ("share-" + std::to_string(i + 1) + "-of-" + std::to_string(docs.size()) + ".json")).string();
    write_secret_file(p, docs[i]);
    std::cout << "  " << p << "\n";
  }
  std::cout << "give each share to a different holder; keep none beside the workspace\n";
  return kOk;
}

int do_recover(const EscrowArgs& a) {
  if (a.new_key_file.empty() == !a.new_passphrase)
    throw Error(Code::invalid_argument, "give the new master key with --new-key-file FILE or --new-passphrase");
  std::vector<c::SecretBytes> docs;
  for (const std::string& f : a.share_files) docs.push_back(read_secret_file(f, 4096));
  workspace::KeySource next =
      a.new_passphrase ? [] {
        c::SecretBytes p = read_passphrase("New passphrase: ", true);
        return workspace::KeySource::passphrase(std::string_view(reinterpret_cast<const char*>(p.data()), p.size()));
      }()
                       : workspace::KeySource::raw_key(read_key_file(a.new_key_file));
  try {
    auto w = workspace::Workspace::recover_key(a.ws.path(), docs, next);
  } catch (const Error& e) {
    // Name the file: the library counts the shares in the order given.
    std::string msg = e.what();
    for (std::size_t i = 0; i < a.share_files.size(); ++i) {
      const std::string tag = "share " + std::to_string(i + 1) + " of the " + std::to_string(a.share_files.size()) + " given";
      auto pos = msg.find(tag);
      if (pos != std::string::npos) msg.replace(pos, tag.size(), tag + " (" + printable(a.share_files[i]) + ")");
    }
    throw Error(e.code(), msg);
  }
  std::cout << "workspace key rebuilt from " << docs.size() << " shares and wrapped under the new master key\n";
  return kOk;
}

int do_statement(const EscrowArgs& a) {
  auto w = a.ws.open();
  std::string doc = w->sequence_statement(a.consumer);
  if (a.output.empty() || a.output == "-") {
    std::cout << doc;
    return kOk;
  }
  std::ofstream out(a.output, std::ios::binary | std::ios::trunc);
  out << doc;
  out.close();
  if (!out) throw Error(Code::io, "cannot write " + a.output);
  std::cout << "sequence statement for " << a.consumer << " written to " << a.output << "\n";
  return kOk;
}

int do_import_statement(const EscrowArgs& a) {
  std::string doc = read_small(a.file, 65536, "a sequence statement");
  auto w = a.ws.open();
  std::string provider = w->import_sequence_statement(doc);
  std::cout << "imported the sequence statement of " << provider << "; its packages are accepted again above the stated number\n";
  auto left = w->awaiting_statements();
  if (!left.empty()) {
    std::cout << "still awaiting statements from:";
    for (const auto& d : left) std::cout << " " << d;
    std::cout << "\n";
  }
  return kOk;
}

int do_require(const EscrowArgs& a) {
  auto w = a.ws.open();
  w->require_sequence_statements();
  auto left = w->awaiting_statements();
  std::cout << "packages are refused from every provider until its sequence statement is imported";
  if (!left.empty()) {
    std::cout << "; peers awaiting:";
    for (const auto& d : left) std::cout << " " << d;
  }
  std::cout << "\n";
  return kOk;
}

Register reg(41, {"keys", "package"}, [](Root& root, int& result) {
  static EscrowArgs args;
  CLI::App* keys = root.get_subcommand("keys");
  CLI::App* pkg = root.get_subcommand("package");

  auto* e = keys->add_subcommand("escrow", "Split the workspace key into Shamir shares (any K of N rebuild it)");
  add_workspace_options(e, args.ws);
  e->add_option("--shares", args.shares, "Number of shares N (1..255)")->required();
  e->add_option("--threshold", args.threshold, "Shares needed to rebuild the key K (1..N)")->required();
  e->add_option("-o,--output", args.dir, "New (or empty) directory for the share files (mode 0700, files 0600)")->required();
  e->callback([&result] { result = do_escrow(args); });

  auto* r = keys->add_subcommand("recover", "Rebuild the workspace key from escrow shares and set a new master key");
  r->add_option("--workspace,-w", args.ws.workspace, "Workspace file (default: $CIVITAS_WORKSPACE or ./civitas.db)");
  r->add_option("SHARE", args.share_files, "Share files made by `keys escrow` (at least the threshold)")->required();
  r->add_option("--new-key-file", args.new_key_file, "File with the new raw master key");
  r->add_flag("--new-passphrase", args.new_passphrase, "Prompt for the new passphrase (stdin: one line)");
  r->callback([&result] { result = do_recover(args); });

  auto* s = pkg->add_subcommand("statement",
                                "Write a signed statement of the last sequence number sent to a consumer (for its restore)");
  add_workspace_options(s, args.ws);
  s->add_option("--consumer", args.consumer, "Consumer department (USCC)")->required();
  s->add_option("-o,--output", args.output, "File for the statement (default: stdout)");
  s->callback([&result] { result = do_statement(args); });

  auto* i = pkg->add_subcommand("import-statement", "Import a provider's sequence statement (after a restore)");
  add_workspace_options(i, args.ws);
  i->add_option("FILE", args.file, "The statement made by `package statement`")->required();
  i->callback([&result] { result = do_import_statement(args); });

  auto* q = pkg->add_subcommand("require-statements",
                                "Refuse packages from every provider until its sequence statement is imported (after a restore)");
  add_workspace_options(q, args.ws);
  q->callback([&result] { result = do_require(args); });
});

}  // namespace
}  // namespace civitas::cli
