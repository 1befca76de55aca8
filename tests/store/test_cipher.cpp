// The page format SQLCipher 3.4.1 really writes (docs/formats/workspace.md, "Page format"):
// 4096-byte pages whose last 48 bytes are IV (16), HMAC-SHA1 (20) and 12 bytes of padding that
// no HMAC covers. Every byte of a page is flipped in turn: each flip is detected when the page
// is read, except in those 12 bytes, where it changes nothing that is read back.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "civitas/error.hpp"
#include "civitas/store.hpp"
#include "common/fixtures.hpp"

using namespace civitas;
using civitas::crypto::SecretBytes;
namespace fs = std::filesystem;

namespace {

constexpr int kPage = store::CipherSettings::page_size;

/// Everything in the file, read through SQLite: "ok" from integrity_check (every page of
/// every b-tree) and the table's contents.
std::string read_all(const std::string& path, const SecretBytes& key) {
  store::Store s(path, key);
  store::Statement ic(s, "SELECT group_concat(name || ':' || sql, ';') FROM sqlite_master");
  std::string out;
  while (ic.step()) out += ic.text(0) + ";";
  store::Statement q(s, "SELECT group_concat(v, ',') FROM (SELECT v FROM t ORDER BY rowid)");
  if (q.step()) out += q.text(0);
  return out;
}

void put(int fd, const std::vector<char>& b, off_t at) { REQUIRE(::pwrite(fd, b.data(), b.size(), at) == static_cast<ssize_t>(b.size())); }

/// Flips every byte of page `page` (1-based) in turn and opens the file: the set of positions
/// where the flip went unnoticed, and whether each noticed one was the expected error.
std::vector<int> undetected_in_page(const std::string& path, const SecretBytes& key, int page, const std::string& want) {
  const int fd = ::open(path.c_str(), O_RDWR);
  REQUIRE(fd >= 0);
  std::vector<char> orig(kPage);
  const off_t at = static_cast<off_t>(page - 1) * kPage;
  REQUIRE(::pread(fd, orig.data(), kPage, at) == kPage);
  std::vector<int> undetected;
  int wrong_errors = 0;
  for (int i = 0; i < kPage; ++i) {
    std::vector<char> b = orig;
    b[i] = static_cast<char>(b[i] ^ 0x01);
    put(fd, b, at);
    try {
      std::string got = read_all(path, key);
      if (got != want) ++wrong_errors;  // read back different data: the worst case
      undetected.push_back(i);
    } catch (const Error& e) {
      if (e.code() != Code::integrity && !(page == 1 && e.code() == Code::wrong_key)) {
        ++wrong_errors;
        if (wrong_errors < 5) MESSAGE("byte " << i << ": " << std::string(code_name(e.code())) << ": " << std::string(e.what()));
      }
    }
    put(fd, orig, at);
    for (const char* sfx : {"-wal", "-shm"}) fs::remove(path + sfx);
  }
  ::close(fd);
  CHECK(wrong_errors == 0);
  return undetected;
}

}  // namespace

TEST_CASE("a flipped byte anywhere in a page is detected, except the 12 padding bytes at its end") {
  CHECK(store::CipherSettings::reserve == 48);
  CHECK(store::CipherSettings::padding == 12);
  test::TempDir d("civitas-cipher");
  SecretBytes key = SecretBytes::random(32);
  // 8,192 openings: in memory when /dev/shm is there (each opening syncs), else beside d.
  std::string path = d.file("w.db");
  char shm[] = "/dev/shm/civitas-cipher-XXXXXX";
  const bool in_shm = fs::is_directory("/dev/shm") && ::mkdtemp(shm);
  if (in_shm) path = std::string(shm) + "/w.db";
  struct Cleanup {
    std::string dir;
    ~Cleanup() {
      std::error_code ec;
      if (!dir.empty()) fs::remove_all(dir, ec);
    }
  } cleanup{in_shm ? std::string(shm) : std::string()};
  {
    store::OpenOptions o;
    o.create = true;
    store::Store s(path, key, o);
    s.exec("CREATE TABLE t(v TEXT)");
    for (int i = 0; i < 40; ++i) s.exec("INSERT INTO t(v) VALUES ('" + std::string(100, static_cast<char>('a' + i % 26)) + "')");
  }
  for (const char* sfx : {"-wal", "-shm"}) REQUIRE_FALSE(fs::exists(path + sfx));  // checkpointed on close
  const std::string want = read_all(path, key);
  REQUIRE(want.find("CREATE TABLE t(v TEXT)") != std::string::npos);
  const int pages = static_cast<int>(fs::file_size(path) / kPage);
  REQUIRE(pages >= 3);
  std::vector<int> padding;
  for (int i = kPage - store::CipherSettings::padding; i < kPage; ++i) padding.push_back(i);
  SUBCASE("the last page (a leaf of t)") { CHECK(undetected_in_page(path, key, pages, want) == padding); }
  SUBCASE("page 1 (salt, schema), refused as wrong key or damage") { CHECK(undetected_in_page(path, key, 1, want) == padding); }
}
