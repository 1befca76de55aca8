// The reader's pipeline (segment checks and decryption on the calling thread, zstd on a second
// thread, content parsing, hashing and writing on a third, each started by its first full
// block): multi-MiB packages open byte for byte by every path, and refusals found on any
// thread leave nothing behind.
#include "package/format.hpp"
#include "helpers.hpp"

using namespace xt;

namespace {

struct Big {
  Scratch s;
  Dept a{1}, b{2};
  std::string r1, r2, bytes;
  Big() {
    r1 = csv_rows(150000, true);  // ≈ 4 MiB: several output blocks
    r2 = csv_rows(40000, false);
    write_file(s.path("r1.csv"), r1);
    auto o = writer_options(a, {&b});
    o.chunk_size = 16384;
    ex::PackageWriter w(s.path("p.civpkg"), o);
    w.add_file("one", s.path("r1.csv"));
    w.begin_resource("two");
    w.write(r2.data(), r2.size());
    w.end_resource();
    w.finish();
    bytes = read_file(s.path("p.civpkg"));
  }
  std::size_t payload_start() const { return ex::inspect(s.path("p.civpkg")).header_bytes; }
  void check_output(const std::string& dir) const {
    CHECK(read_file(s.path(dir + "/data/one.csv")) == r1);
    CHECK(read_file(s.path(dir + "/data/two.csv")) == r2);
  }
  std::string variant(const std::string& m) const {
    write_file(s.path("v.civpkg"), m);
    return s.path("v.civpkg");
  }
  void streaming(const std::string& m, const std::string& out, std::size_t piece) const {
    ex::PackageReader r(s.path(out), reader_keys(b, directory({&a})));
    for (std::size_t i = 0; i < m.size(); i += piece) r.feed(m.data() + i, std::min(piece, m.size() - i));
    r.finish();
  }
};

}  // namespace

TEST_CASE("a multi-MiB package opens byte for byte with signed segment hashes read first (the default), as a stream from the file, and streaming") {
  Big f;
  REQUIRE(f.r1.size() > 3 * (1u << 20));
  ex::OpenOptions single;
  single.verify_first = false;  // like the streaming reader (the default reads the signed segment hashes first)
  ex::Summary one = ex::open(f.s.path("p.civpkg"), f.s.path("o1"), reader_keys(f.b, directory({&f.a})), single);
  f.check_output("o1");
  CHECK(one.content_bytes > f.r1.size() + f.r2.size());
  ex::Summary t = ex::open(f.s.path("p.civpkg"), f.s.path("o2"), reader_keys(f.b, directory({&f.a})));  // the default
  f.check_output("o2");
  CHECK(t.content_bytes == one.content_bytes);
  CHECK(t.chunks == one.chunks);
  for (std::size_t piece : {std::size_t(1000), std::size_t(65537), std::size_t(3u << 20)}) {
    CAPTURE(piece);
    std::string out = "s" + std::to_string(piece);
    f.streaming(f.bytes, out, piece);
    f.check_output(out);
  }
  json dp = json::parse(read_file(f.s.path("o1/datapackage.json")));
  CHECK(dp["resources"][0]["bytes"] == f.r1.size());
}

TEST_CASE("a modified or dropped chunk deep in a multi-MiB package is refused and leaves nothing") {
  Big f;
  const std::size_t ps = f.payload_start(), full = 16384 + 17;
  const std::size_t n = f.bytes.size();
  REQUIRE(n > ps + 40 * full);
  auto before = f.s.entries();
  ex::OpenOptions single;
  single.verify_first = false;
  for (std::size_t off : {ps + 30 * full + 5, n - 200}) {
    CAPTURE(off);
    std::string m = f.bytes;
    m[off] ^= 0x40;
    std::string msg = refuses(Code::integrity, [&] { ex::open(f.variant(m), f.s.path("out"), reader_keys(f.b, directory({&f.a})), single); });
    CHECK(msg.find("modified") != std::string::npos);
    refuses(Code::integrity, [&] { ex::open(f.variant(m), f.s.path("out"), reader_keys(f.b, directory({&f.a}))); });
    refuses(Code::integrity, [&] { f.streaming(m, "out", 1u << 20); });
    CHECK(!fs::exists(f.s.path("out")));
  }
  {
    std::string m = f.bytes;
    m.erase(ps + 20 * full, full);
    refuses(Code::integrity, [&] { ex::open(f.variant(m), f.s.path("out"), reader_keys(f.b, directory({&f.a}))); });
    refuses(Code::integrity, [&] { ex::open(f.variant(m), f.s.path("out"), reader_keys(f.b, directory({&f.a})), single); });
    refuses(Code::integrity, [&] { f.streaming(m, "out", 1u << 20); });
  }
  {
    std::string m = f.bytes.substr(0, n - 121);
    refuses(Code::truncated, [&] { ex::open(f.variant(m), f.s.path("out"), reader_keys(f.b, directory({&f.a}))); });
    refuses(Code::truncated, [&] { ex::open(f.variant(m), f.s.path("out"), reader_keys(f.b, directory({&f.a})), single); });
    refuses(Code::truncated, [&] { f.streaming(m, "out", 1u << 20); });
  }
  CHECK(!fs::exists(f.s.path("out")));
  before.insert("v.civpkg");
  CHECK(f.s.entries() == before);
}

TEST_CASE("a content error found on the output thread is reported and leaves nothing") {
  Scratch s;
  Dept a(1), b(2);
  // After the envelope: a 3 MiB resource (in 1 MiB segments), then an entry of unknown type.
  std::string tail;
  auto u16 = [&](std::uint16_t v) { tail += static_cast<char>(v & 0xff); tail += static_cast<char>(v >> 8); };
  auto u32 = [&](std::uint32_t v) {
    for (int i = 0; i < 4; ++i) tail += static_cast<char>((v >> (8 * i)) & 0xff);
  };
  tail += 'R';
  const std::string name = "data/big1.csv";
  u16(static_cast<std::uint16_t>(name.size()));
  tail += name;
  for (int i = 0; i < 3; ++i) {
    u32(1u << 20);
    tail += std::string(1u << 20, static_cast<char>('a' + i));
  }
  u32(0);
  tail += 'X';
  auto o = writer_options(a, {&b});
  std::string pkg = ex::detail::raw_package_for_testing(o, tail.data(), tail.size());
  write_file(s.path("p.civpkg"), pkg);
  std::string msg = refuses(Code::integrity, [&] { ex::open(s.path("p.civpkg"), s.path("out"), reader_keys(b, directory({&a}))); });
  CHECK(msg.find("unexpected content entry type") != std::string::npos);
  refuses(Code::integrity, [&] {
    ex::PackageReader r(s.path("out"), reader_keys(b, directory({&a})));
    r.feed(pkg.data(), pkg.size());
    r.finish();
  });
  CHECK(s.entries() == std::set<std::string>{"p.civpkg"});
}
