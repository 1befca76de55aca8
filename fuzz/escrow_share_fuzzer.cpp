// Fuzz target: escrow share documents (docs/formats/escrow-share.md), as `civitas keys
// recover` reads them. The input is split at each byte 0x00 into up to 8 share documents and
// given to Workspace::recover_key for one workspace (raw key, on /dev/shm when there is one)
// that lives for the whole run. Properties: a refusal is a civitas::Error with an input code
// (never another exception, never a crash, never an internal error), and the workspace still
// opens with its master key: a refused recovery changes nothing.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "civitas/crypto.hpp"
#include "civitas/error.hpp"
#include "civitas/workspace.hpp"
#include "fuzz_check.hpp"

namespace ws = civitas::workspace;
namespace c = civitas::crypto;
using civitas::Code;

namespace {

struct Fixture {
  std::filesystem::path dir;
  std::string db;
  c::SecretBytes key = c::SecretBytes::random(32);
  unsigned inputs = 0;
  Fixture() {
    std::filesystem::path base =
        std::filesystem::is_directory("/dev/shm") ? "/dev/shm" : std::filesystem::temp_directory_path();
    dir = base / ("civitas-fuzz-escrow-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    db = (dir / "w.db").string();
    ws::Workspace::create(db, ws::KeySource::raw_key(key.clone()));
  }
  ~Fixture() {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
};

Fixture& fixture() {
  static Fixture f;
  return f;
}

bool input_code(Code code) {
  switch (code) {
    case Code::parse:
    case Code::invalid_data:
    case Code::invalid_argument:
    case Code::unsupported_version:
    case Code::integrity:
    case Code::wrong_key:
      return true;
    default:
      return false;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Fixture& f = fixture();
  std::vector<c::SecretBytes> docs;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= size && docs.size() < 8; ++i)
    if (i == size || data[i] == 0) {
      docs.emplace_back(data + start, i - start);
      start = i + 1;
    }
  try {
    ws::Workspace::recover_key(f.db, docs, ws::KeySource::raw_key(f.key.clone()));
  } catch (const civitas::Error& e) {
    if (!input_code(e.code())) std::fprintf(stderr, "unexpected code %s: %s\n", civitas::code_name(e.code()), e.what());
    FUZZ_CHECK(input_code(e.code()));
  }
  if (++f.inputs % 256 == 0) FUZZ_CHECK(ws::Workspace::open(f.db, ws::KeySource::raw_key(f.key.clone())) != nullptr);
  return 0;
}
