// Fuzz target: provider sequence statements (docs/formats/sequence-statement.md), as `civitas
// package import-statement` reads them. One consumer workspace (raw key, on /dev/shm when there
// is one) that knows one provider's keys lives for the whole run. Properties: an import either
// succeeds and names a provider of the peer directory, or throws civitas::Error with an input
// code (never another exception, never a crash, never an internal error).
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

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
  std::unique_ptr<ws::Workspace> consumer;
  unsigned inputs = 0;
  Fixture() {
    std::filesystem::path base =
        std::filesystem::is_directory("/dev/shm") ? "/dev/shm" : std::filesystem::temp_directory_path();
    dir = base / ("civitas-fuzz-statement-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    ws::CreateOptions oc, op;
    oc.department = "911100001000000248";  // the consumer the seeds name
    op.department = "91350100M000100Y43";
    consumer = ws::Workspace::create((dir / "c.db").string(), ws::KeySource::raw_key(c::SecretBytes::random(32)), oc);
    auto provider = ws::Workspace::create((dir / "p.db").string(), ws::KeySource::raw_key(c::SecretBytes::random(32)), op);
    consumer->import_public(provider->export_public());
    consumer->require_sequence_statements();
  }
  ~Fixture() {
    consumer.reset();
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
    case Code::unsupported_version:
    case Code::bad_signature:
    case Code::unknown_key:
    case Code::denied:
      return true;
    default:
      return false;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Fixture& f = fixture();
  try {
    std::string provider = f.consumer->import_sequence_statement(std::string_view(reinterpret_cast<const char*>(data), size));
    FUZZ_CHECK(!f.consumer->peers(provider).empty());
  } catch (const civitas::Error& e) {
    if (!input_code(e.code())) std::fprintf(stderr, "unexpected code %s: %s\n", civitas::code_name(e.code()), e.what());
    FUZZ_CHECK(input_code(e.code()));
  }
  if (++f.inputs % 256 == 0) FUZZ_CHECK(f.consumer->awaiting_statements().size() <= 1);
  return 0;
}
