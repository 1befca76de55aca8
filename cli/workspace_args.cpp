#include "workspace_args.hpp"

#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <iostream>

#include "civitas/error.hpp"

namespace civitas::cli {

namespace c = civitas::crypto;

std::string WorkspaceArgs::path() const {
  if (!workspace.empty()) return workspace;
  if (const char* e = std::getenv("CIVITAS_WORKSPACE"); e && *e) return e;
  return "civitas.db";
}

void add_workspace_options(CLI::App* cmd, WorkspaceArgs& a) {
  cmd->add_option("--workspace,-w", a.workspace, "Workspace file (default: $CIVITAS_WORKSPACE or ./civitas.db)");
  cmd->add_option("--key-file", a.key_file, "File holding the raw master key (32 bytes, or 64 hex characters)");
  cmd->add_flag("--passphrase", a.passphrase,
                "Use a passphrase: prompted without echo, or read as one line from stdin when it is not a terminal");
}

c::SecretBytes read_key_file(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw Error(Code::io, "cannot read key file " + path + ": " + std::strerror(errno));
  c::SecretBytes buf(256);
  std::size_t n = 0;
  while (n < buf.size()) {
    ssize_t r = ::read(fd, buf.data() + n, buf.size() - n);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    n += static_cast<std::size_t>(r);
  }
  ::close(fd);
  if (n == 32) return c::SecretBytes(buf.data(), 32);
  std::size_t b = 0, e = n;
  while (b < e && std::isspace(buf.data()[b])) ++b;
  while (e > b && std::isspace(buf.data()[e - 1])) --e;
  try {
    return c::secret_from_hex(std::string_view(reinterpret_cast<const char*>(buf.data()) + b, e - b), 32);
  } catch (const Error&) {
    throw Error(Code::invalid_argument, "key file " + path + " must hold 32 raw bytes or 64 hexadecimal characters");
  }
}

namespace {
c::SecretBytes read_line_secret(int fd) {
  c::SecretBytes buf(4096);
  std::size_t n = 0;
  char ch;
  while (n < buf.size()) {
    ssize_t r = ::read(fd, &ch, 1);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0 || ch == '\n') break;
    buf.data()[n++] = static_cast<unsigned char>(ch);
  }
  if (n && buf.data()[n - 1] == '\r') --n;
  return c::SecretBytes(buf.data(), n);
}

c::SecretBytes prompt_tty(const char* prompt) {
  int tty = ::open("/dev/tty", O_RDWR | O_CLOEXEC);
  int fd = tty >= 0 ? tty : STDIN_FILENO;
  termios old{};
  bool restore = tcgetattr(fd, &old) == 0;
  if (restore) {
    termios quiet = old;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(fd, TCSAFLUSH, &quiet);
  }
  if (::write(fd, prompt, std::strlen(prompt)) < 0) {
  }
  c::SecretBytes s = read_line_secret(fd);
  if (restore) tcsetattr(fd, TCSAFLUSH, &old);
  if (::write(fd, "\n", 1) < 0) {
  }
  if (tty >= 0) ::close(tty);
  return s;
}
}  // namespace

c::SecretBytes read_passphrase(const char* prompt, bool confirm) {
  if (!isatty(STDIN_FILENO)) {
    c::SecretBytes s = read_line_secret(STDIN_FILENO);
    if (s.empty()) throw Error(Code::invalid_argument, "no passphrase on stdin");
    return s;
  }
  c::SecretBytes s = prompt_tty(prompt);
  if (s.empty()) throw Error(Code::invalid_argument, "the passphrase must not be empty");
  if (confirm) {
    c::SecretBytes again = prompt_tty("Repeat passphrase: ");
    if (!s.equals(again)) throw Error(Code::invalid_argument, "the passphrases do not match");
  }
  return s;
}

workspace::KeySource WorkspaceArgs::key_source(bool confirm) const {
  if (!key_file.empty() && passphrase) throw Error(Code::invalid_argument, "give either --key-file or --passphrase, not both");
  if (!key_file.empty()) return workspace::KeySource::raw_key(read_key_file(key_file));
  if (passphrase) {
    c::SecretBytes p = read_passphrase("Workspace passphrase: ", confirm);
    return workspace::KeySource::passphrase(std::string_view(reinterpret_cast<const char*>(p.data()), p.size()));
  }
  if (const char* e = std::getenv("CIVITAS_KEY"); e && *e) {
    try {
      return workspace::KeySource::raw_key_hex(e);
    } catch (const Error&) {
      throw Error(Code::invalid_argument, "CIVITAS_KEY must be 64 hexadecimal characters");
    }
  }
  throw Error(Code::invalid_argument, "no master key: use --key-file FILE, CIVITAS_KEY (64 hex characters) or --passphrase");
}

std::unique_ptr<workspace::Workspace> WorkspaceArgs::open() const {
  return workspace::Workspace::open(path(), key_source());
}

}  // namespace civitas::cli
