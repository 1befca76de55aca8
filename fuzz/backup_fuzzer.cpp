// Fuzz target: backup files (docs/formats/backup.md) as `civitas restore` reads them without a
// key document: the preamble, the header JSON (parsed before any signature can be checked:
// the signer's key is inside the backup), the stanza, every chunk, the trailer. The seeds in
// fuzz/corpus/backup/ are backups made by the CLI to the recovery key below (a key for this
// target only, never for data). Properties: a restore either succeeds (a workspace appears,
// and is removed again) or throws civitas::Error with an input code, leaving nothing at the
// destination (never another exception, a crash or an internal error). Works in a fresh
// temporary directory, on /dev/shm when there is one.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "civitas/crypto.hpp"
#include "civitas/error.hpp"
#include "civitas/workspace.hpp"
#include "fuzz_check.hpp"

namespace ws = civitas::workspace;
using civitas::Code;

namespace {

// The recovery key the seeds are encrypted to (R.key of `civitas recovery-key generate`).
constexpr char kRecoveryKey[] = R"({
  "format": "civitas-recovery-key",
  "version": 1,
  "algorithm": "x25519",
  "key_id": "4e2a1ea8ff70a5c4",
  "public_key": "JSF2q1zwrLeVOm7xUu5Y+5wbTNHavrqoBGQMzvN9Mis=",
  "secret_key": "OeKdtnsQV1t/9qBEmWxn8IdewwFHYs7lR0xm+7v692Q="
})";

struct Fixture {
  std::filesystem::path dir;
  ws::Workspace::RecoveryKey rk = ws::Workspace::RecoveryKey::parse(kRecoveryKey, "fuzz recovery key");
  Fixture() {
    std::filesystem::path base =
        std::filesystem::is_directory("/dev/shm") ? "/dev/shm" : std::filesystem::temp_directory_path();
    dir = base / ("civitas-fuzz-backup-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
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

bool input_code(Code c) {
  switch (c) {
    case Code::parse:
    case Code::integrity:
    case Code::truncated:
    case Code::bad_signature:
    case Code::unsupported_version:
    case Code::not_recipient:
    case Code::unknown_key:
    case Code::invalid_data:
      return true;
    default:
      return false;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Fixture& f = fixture();
  const std::string in = (f.dir / "in.civbak").string();
  const std::string out = (f.dir / "out.db").string();
  {
    std::ofstream o(in, std::ios::binary | std::ios::trunc);
    o.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  try {
    auto w = ws::Workspace::restore(in, f.rk, out, ws::KeySource::raw_key(civitas::crypto::SecretBytes::random(32)));
    FUZZ_CHECK(w != nullptr);
    w.reset();
    for (const char* s : {"", ".header", "-wal", "-shm"}) std::filesystem::remove(out + s);
  } catch (const civitas::Error& e) {
    if (!input_code(e.code())) std::fprintf(stderr, "unexpected code %s: %s\n", civitas::code_name(e.code()), e.what());
    FUZZ_CHECK(input_code(e.code()));
    FUZZ_CHECK(!std::filesystem::exists(out));
    FUZZ_CHECK(!std::filesystem::exists(out + ".header"));
  }
  return 0;
}
