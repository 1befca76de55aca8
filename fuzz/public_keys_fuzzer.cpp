// Fuzz target: the peer public-key document (docs/formats/workspace.md, "Public-key
// document"), as `civitas keys import-public` reads it. One workspace (raw key, in a fresh
// temporary directory, on /dev/shm when there is one) lives for the whole run; every input is
// imported into it. Properties: import either succeeds and names a department that
// `peers()` then lists, or throws civitas::Error with an input code (never another
// exception, never a crash, never an internal error); the workspace stays usable.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "civitas/crypto.hpp"
#include "civitas/error.hpp"
#include "civitas/workspace.hpp"
#include "fuzz_check.hpp"

namespace ws = civitas::workspace;
using civitas::Code;

namespace {

struct Fixture {
  std::filesystem::path dir;
  std::unique_ptr<ws::Workspace> w;
  unsigned inputs = 0;

  Fixture() {
    std::filesystem::path base =
        std::filesystem::is_directory("/dev/shm") ? "/dev/shm" : std::filesystem::temp_directory_path();
    dir = base / ("civitas-fuzz-public-keys-" + std::to_string(::getpid()));
    reset();
  }
  // A fresh workspace: also every 20,000 inputs, so that its log and peer table (every
  // refusal is an audit entry) do not grow without bound over a nightly run.
  void reset() {
    w.reset();
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    ws::CreateOptions o;
    o.department = "911100001000000248";  // not the department of the seeds
    o.name = "fuzz";
    w = ws::Workspace::create((dir / "w.db").string(),
                              ws::KeySource::raw_key(civitas::crypto::SecretBytes::random(32)), o);
  }
  ~Fixture() {
    w.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
};

Fixture& fixture() {
  static Fixture f;
  return f;
}

bool input_code(Code c) {
  switch (c) {
    case Code::parse:
    case Code::invalid_data:
    case Code::invalid_argument:
    case Code::unsupported_version:
    case Code::bad_signature:
    case Code::integrity:
    case Code::exists:
    case Code::denied:
    case Code::unknown_key:
    case Code::replay:
      return true;
    default:
      return false;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Fixture& f = fixture();
  std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    std::string dept = f.w->import_public(text);
    bool listed = false;
    for (const auto& p : f.w->peers())
      if (p.department == dept) listed = true;
    FUZZ_CHECK(listed);
  } catch (const civitas::Error& e) {
    if (!input_code(e.code())) std::fprintf(stderr, "unexpected code %s: %s\n", civitas::code_name(e.code()), e.what());
    FUZZ_CHECK(input_code(e.code()));
  }
  // Every so often: the workspace still works.
  if (++f.inputs % 256 == 0) FUZZ_CHECK(f.w->export_public().size() > 0);
  if (f.inputs % 20000 == 0) f.reset();
  return 0;
}
