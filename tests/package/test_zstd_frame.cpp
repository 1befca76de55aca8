// The reader's zstd decoder (buffer-less: every zstd block decodes straight into an output
// block that holds at least one window, docs/formats/package.md §1.4): repeats that reach back
// into the previous output block decode byte for byte at every window a reader accepts, and a
// payload that is not exactly one sound zstd frame is refused, whatever the bytes.
#include <zstd.h>

#include <random>

#include "package/format.hpp"
#include "helpers.hpp"

using namespace xt;

namespace {

std::string random_bytes(std::size_t n, std::uint32_t seed) {
  std::mt19937 g(seed);
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>('a' + g() % 26);  // 4.7 bits a byte: compressible only by repeats
  return s;
}

std::string zstd_frame(const std::string& data, int window_log) {
  ZSTD_CCtx* c = ZSTD_createCCtx();
  ZSTD_CCtx_setParameter(c, ZSTD_c_compressionLevel, 1);
  if (window_log) ZSTD_CCtx_setParameter(c, ZSTD_c_windowLog, window_log);
  std::string out(ZSTD_compressBound(data.size()) + 64, '\0');
  ZSTD_outBuffer o{out.data(), out.size(), 0};
  ZSTD_inBuffer i{data.data(), data.size(), 0};
  ZSTD_compressStream2(c, &o, &i, ZSTD_e_continue);  // streaming: the frame does not state its size,
  ZSTD_inBuffer none{nullptr, 0, 0};                 // so the window stays as set
  while (ZSTD_compressStream2(c, &o, &none, ZSTD_e_end) != 0) {
  }
  ZSTD_freeCCtx(c);
  out.resize(o.pos);
  return out;
}

}  // namespace

TEST_CASE("repeats that reach back into the previous output block decode byte for byte") {
  Scratch s;
  Dept a(1), b(2);
  // A random block, then the same block again with a few changes: every match of the second
  // copy lies one block back, across output blocks (the reader's blocks are window + 128 KiB).
  for (auto wb : {std::pair{21, std::size_t(1500) << 10}, std::pair{23, std::size_t(7) << 20},
                  std::pair{25, std::size_t(30) << 20}}) {
    const int window_log = wb.first;  // (not a structured binding: clang 14 cannot capture those)
    const std::size_t block = wb.second;
    CAPTURE(window_log);
    std::string data = random_bytes(block, 7u + static_cast<unsigned>(window_log));
    std::string copy = data;
    for (std::size_t i = 4096; i < copy.size(); i += 1u << 20) copy[i] = '#';
    data += copy + data.substr(0, 100000);
    write_file(s.path("r.csv"), data);
    auto o = writer_options(a, {&b});
    o.level = 1;
    o.window_log = window_log;
    std::string pkg = s.path("w" + std::to_string(window_log) + ".civpkg");
    ex::Summary w;
    {
      ex::PackageWriter pw(pkg, o);
      pw.add_file("r", s.path("r.csv"));
      w = pw.finish();
    }
    // The package is far smaller than its content only because the repeats were found.
    CHECK(w.payload_bytes < data.size() * 2 / 5);
    std::string out = "o" + std::to_string(window_log);
    ex::open(pkg, s.path(out), reader_keys(b, directory({&a})));
    CHECK(read_file(s.path(out + "/data/r.csv")) == data);
    fs::remove_all(s.path(out));
  }
  CHECK_THROWS_AS([&] {
    auto o = writer_options(a, {&b});
    o.window_log = 26;
    ex::PackageWriter pw(s.path("x.civpkg"), o);
  }(), civitas::Error);
}

TEST_CASE("a payload that is not exactly one sound zstd frame is refused and leaves nothing") {
  Scratch s;
  Dept a(1), b(2);
  auto o = writer_options(a, {&b});
  const std::string content = std::string("CIVPKGC1") + "E";  // never parsed far: the frame fails first
  const std::string frame = zstd_frame(content + random_bytes(300000, 1), 0);
  const std::string skippable = std::string("\x50\x2a\x4d\x18\x04\x00\x00\x00", 8) + "abcd";
  struct Case {
    const char* what;
    std::string payload;
    Code code;
    const char* message;
  };
  const Case cases[] = {
      {"not zstd at all", random_bytes(5000, 2), Code::integrity, "compressed content is damaged"},
      {"a skippable frame", skippable + frame, Code::integrity, "not a zstd frame"},
      {"a window larger than 2^25", zstd_frame(random_bytes(1000, 3), 26), Code::integrity, "window of 67108864 bytes"},
      {"a second frame after the first", frame + frame, Code::integrity, "data after the end of the compressed content"},
      {"bytes after the frame", frame + "x", Code::integrity, "data after the end of the compressed content"},
      {"a frame cut short", frame.substr(0, frame.size() - 1000), Code::truncated, "compressed content ends early"},
      {"a frame header cut short", frame.substr(0, 3), Code::truncated, "compressed content ends early"},
      {"a damaged block", [&] {
         std::string f = frame;
         for (std::size_t i = 20; i < f.size(); i += 997) f[i] = static_cast<char>(f[i] ^ 0x5a);
         return f;
       }(), Code::integrity, ""},  // zstd, or the content parser when the damage still decodes
  };
  for (const Case& c : cases) {
    CAPTURE(c.what);
    std::string pkg = ex::detail::raw_payload_for_testing(o, c.payload.data(), c.payload.size());
    write_file(s.path("p.civpkg"), pkg);
    std::string msg = refuses(c.code, [&] { ex::open(s.path("p.civpkg"), s.path("out"), reader_keys(b, directory({&a}))); });
    CHECK(msg.find(c.message) != std::string::npos);
    refuses(c.code, [&] {  // the streaming reader, in pieces that split zstd units
      ex::PackageReader r(s.path("out"), reader_keys(b, directory({&a})));
      for (std::size_t i = 0; i < pkg.size(); i += 7001) r.feed(pkg.data() + i, std::min<std::size_t>(7001, pkg.size() - i));
      r.finish();
    });
    CHECK(s.entries() == std::set<std::string>{"p.civpkg"});
  }
}
