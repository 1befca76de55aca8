// Every refusal of the reader: its own code, a clear message, and nothing left behind.
#include <fstream>
#include "helpers.hpp"

using namespace xt;

namespace {

struct Fixture {
  Scratch s;
  Dept a{1}, b{2}, c{3};
  std::string pkg;      // path
  std::string bytes;    // the package
  std::string data = csv_rows(3000, true);
  std::size_t chunk = 1024;

  explicit Fixture(ex::WriterOptions o = {}, bool with_schema = true) {
    if (o.provider.empty()) o = writer_options(a, {&b});
    o.chunk_size = chunk;
    pkg = s.path("p.civpkg");
    ex::PackageWriter pw(pkg, o);
    pw.begin_resource("t", with_schema ? amount_schema() : json(nullptr));
    pw.write(data.data(), data.size());
    pw.end_resource();
    pw.finish();
    bytes = read_file(pkg);
  }
  ex::Header header() const { return ex::inspect(pkg); }
  std::size_t payload_start() const { return header().header_bytes; }
  /// Writes a modified copy and returns its path.
  std::string variant(const std::string& b2) {
    std::string p = s.path("v.civpkg");
    write_file(p, b2);
    return p;
  }
  /// Opens path as b, expects the code, and checks that no output and no temp dir remain.
  std::string refused(Code code, const std::string& path, ex::ReaderKeys keys, ex::OpenOptions opts = {}) {
    auto before = s.entries();
    std::string msg = refuses(code, [&] { ex::open(path, s.path("out"), keys, opts); });
    CHECK(s.entries() == before);
    CHECK(!fs::exists(s.path("out")));
    return msg;
  }
  /// The same through the streaming reader, fed in pieces of 1000 bytes.
  std::string refused_streaming(Code code, const std::string& b2, ex::ReaderKeys keys, ex::OpenOptions opts = {}) {
    auto before = s.entries();
    std::string msg = refuses(code, [&] {
      ex::PackageReader r(s.path("out"), keys, opts);
      for (std::size_t i = 0; i < b2.size(); i += 1000) r.feed(b2.data() + i, std::min<std::size_t>(1000, b2.size() - i));
      r.finish();
    });
    CHECK(s.entries() == before);
    CHECK(!fs::exists(s.path("out")));
    return msg;
  }
};

}  // namespace

TEST_CASE("a bad signature is refused with bad_signature") {
  Fixture f;
  SUBCASE("header modified") {
    std::string m = f.bytes;
    std::size_t at = m.find("\"created\":") + 11;
    m[at] = m[at] == '1' ? '2' : '1';
    std::string msg = f.refused(Code::bad_signature, f.variant(m), reader_keys(f.b, directory({&f.a})));
    CHECK(msg.find("header signature") != std::string::npos);
    f.refused_streaming(Code::bad_signature, m, reader_keys(f.b, directory({&f.a})));
    refuses(Code::bad_signature, [&] { ex::verify(f.s.path("v.civpkg"), directory({&f.a})); });
  }
  SUBCASE("trailer signature modified") {
    std::string m = f.bytes;
    m[m.size() - 10] ^= 0x20;
    std::string msg = f.refused(Code::bad_signature, f.variant(m), reader_keys(f.b, directory({&f.a})));
    CHECK(msg.find("trailer signature") != std::string::npos);
    f.refused_streaming(Code::bad_signature, m, reader_keys(f.b, directory({&f.a})));
  }
  SUBCASE("the directory holds another key under the provider's key id") {
    Dept mallory(1);
    ex::ProviderLookup lie = [&](const ex::KeyId&) { return std::optional<ex::ProviderKey>({f.a.id, mallory.sign_pk}); };
    f.refused(Code::bad_signature, f.pkg, reader_keys(f.b, lie));
    refuses(Code::bad_signature, [&] { ex::verify(f.pkg, lie); });
  }
}

TEST_CASE("an unknown provider key is refused with unknown_key") {
  Fixture f;
  std::string msg = f.refused(Code::unknown_key, f.pkg, reader_keys(f.b, directory({&f.c})));
  CHECK(msg.find("not in the peer directory") != std::string::npos);
  f.refused_streaming(Code::unknown_key, f.bytes, reader_keys(f.b, directory({})));
  // A key registered for another department than the one the package names.
  ex::ProviderLookup other = [&](const ex::KeyId&) { return std::optional<ex::ProviderKey>({f.c.id, f.a.sign_pk}); };
  f.refused(Code::unknown_key, f.pkg, reader_keys(f.b, other));
}

TEST_CASE("a department that is not a recipient is refused with not_recipient") {
  Fixture f;
  std::string msg = f.refused(Code::not_recipient, f.pkg, reader_keys(f.c, directory({&f.a})));
  CHECK(msg.find("not a recipient") != std::string::npos);
  f.refused_streaming(Code::not_recipient, f.bytes, reader_keys(f.c, directory({&f.a})));
}

TEST_CASE("a package truncated at any offset is refused with truncated") {
  Fixture f;
  const std::size_t n = f.bytes.size();
  std::vector<std::size_t> cuts;
  for (std::size_t i = 1; i < 40; ++i) cuts.push_back(i);
  for (std::size_t i = 40; i < n; i += 97) cuts.push_back(i);
  std::size_t ps = f.payload_start();
  for (std::size_t d : {0, 1, 17, 1024, 1040, 1041, 1042, 2082, 2083}) cuts.push_back(ps + d);
  for (std::size_t d = 1; d <= 130; ++d) cuts.push_back(n - d);
  for (std::size_t cut : cuts) {
    if (cut == 0 || cut >= n) continue;
    CAPTURE(cut);
    std::string m = f.bytes.substr(0, cut);
    std::string p = f.variant(m);
    try {
      ex::open(p, f.s.path("out"), reader_keys(f.b, directory({&f.a})));
      FAIL("opened a truncated package");
    } catch (const civitas::Error& e) {
      CHECK_MESSAGE(e.code() == Code::truncated, civitas::code_name(e.code()) << ": " << e.what());
    }
    try {
      ex::PackageReader r(f.s.path("out"), reader_keys(f.b, directory({&f.a})));
      r.feed(m.data(), m.size());
      r.finish();
      FAIL("streaming reader accepted a truncated package");
    } catch (const civitas::Error& e) {
      CHECK_MESSAGE(e.code() == Code::truncated, civitas::code_name(e.code()) << ": " << e.what());
    }
    CHECK(!fs::exists(f.s.path("out")));
  }
  CHECK(f.s.entries() == std::set<std::string>{"p.civpkg", "v.civpkg"});
}

TEST_CASE("a modified chunk is refused with integrity") {
  Fixture f;
  std::size_t ps = f.payload_start();
  for (std::size_t off : {ps, ps + 500, ps + 1040, ps + 2 * 1041 + 7, f.bytes.size() - 121}) {
    CAPTURE(off);
    std::string m = f.bytes;
    m[off] ^= 1;
    std::string msg = f.refused(Code::integrity, f.variant(m), reader_keys(f.b, directory({&f.a})));
    CHECK(msg.find("modified") != std::string::npos);
    f.refused_streaming(Code::integrity, m, reader_keys(f.b, directory({&f.a})));
  }
}

TEST_CASE("reordered, dropped or duplicated chunks are refused with integrity") {
  Fixture f;
  const std::size_t ps = f.payload_start(), full = 1024 + 17;
  REQUIRE(f.bytes.size() > ps + 3 * full + 120);
  std::string c0 = f.bytes.substr(ps, full), c1 = f.bytes.substr(ps + full, full);
  SUBCASE("swapped") {
    std::string m = f.bytes;
    m.replace(ps, full, c1);
    m.replace(ps + full, full, c0);
    f.refused(Code::integrity, f.variant(m), reader_keys(f.b, directory({&f.a})));
    f.refused_streaming(Code::integrity, m, reader_keys(f.b, directory({&f.a})));
  }
  SUBCASE("dropped") {
    std::string m = f.bytes;
    m.erase(ps + full, full);
    f.refused(Code::integrity, f.variant(m), reader_keys(f.b, directory({&f.a})));
    f.refused_streaming(Code::integrity, m, reader_keys(f.b, directory({&f.a})));
  }
  SUBCASE("duplicated") {
    std::string m = f.bytes;
    m.insert(ps + full, c1);
    f.refused(Code::integrity, f.variant(m), reader_keys(f.b, directory({&f.a})));
    f.refused_streaming(Code::integrity, m, reader_keys(f.b, directory({&f.a})));
  }
}

TEST_CASE("a replayed sequence number is refused with replay") {
  Fixture f;
  Memory mem;
  ex::open(f.pkg, f.s.path("first"), reader_keys(f.b, directory({&f.a}), mem.hooks()));
  CHECK(mem.seen.size() == 1);
  std::string msg = f.refused(Code::replay, f.pkg, reader_keys(f.b, directory({&f.a}), mem.hooks()));
  CHECK(msg.find("sequence 1") != std::string::npos);
  f.refused_streaming(Code::replay, f.bytes, reader_keys(f.b, directory({&f.a}), mem.hooks()));
  // A refused package is not remembered: a later good package with the same sequence opens.
  Memory fresh;
  std::string m = f.bytes;
  m[m.size() - 3] ^= 1;
  f.refused(Code::bad_signature, f.variant(m), reader_keys(f.b, directory({&f.a}), fresh.hooks()));
  CHECK(fresh.seen.empty());
}

TEST_CASE("a schema hash that does not match is refused with schema_mismatch") {
  Fixture f;
  ex::OpenOptions o;
  json other = amount_schema();
  other["fields"][2]["type"] = "number";
  o.expected_schemas["t"] = other;
  std::string msg = f.refused(Code::schema_mismatch, f.pkg, reader_keys(f.b, directory({&f.a})), o);
  CHECK(msg.find("not the expected") != std::string::npos);
  f.refused_streaming(Code::schema_mismatch, f.bytes, reader_keys(f.b, directory({&f.a})), o);
  o.expected_schemas.clear();
  o.expected_schemas["missing"] = amount_schema();
  f.refused(Code::schema_mismatch, f.pkg, reader_keys(f.b, directory({&f.a})), o);
  o.expected_schemas.clear();
  o.expected_schemas["t"] = amount_schema();  // the same schema opens
  ex::open(f.pkg, f.s.path("ok"), reader_keys(f.b, directory({&f.a})), o);
}

TEST_CASE("records that break their schema are refused unless validation is skipped") {
  Scratch s;
  Dept a(1), b(2);
  const std::string bad = "id,name,amount\n1,x,5\n2,y,-3\n3,z,-4\n";
  {  // the writer checks them: RecordsError with the whole report, no file left behind
    ex::PackageWriter pw(s.path("p"), writer_options(a, {&b}));
    pw.begin_resource("t", amount_schema());
    pw.write(bad.data(), bad.size());
    try {
      pw.end_resource();
      FAIL("end_resource accepted records that break their schema");
    } catch (const ex::RecordsError& e) {
      CHECK(e.code() == Code::invalid_data);
      CHECK(e.report()["tasks"][0]["errors"].size() == 2);
    }
  }
  CHECK(!fs::exists(s.path("p")));
  CHECK(fs::is_empty(s.path("")));
  {
    ex::WriterOptions wo = writer_options(a, {&b});
    wo.validate = false;
    ex::PackageWriter pw(s.path("p"), wo);
    pw.begin_resource("t", amount_schema());
    pw.write(bad.data(), bad.size());
    pw.end_resource();
    pw.finish();
  }
  std::string msg = refuses(Code::invalid_data, [&] { ex::open(s.path("p"), s.path("out"), reader_keys(b, directory({&a}))); });
  CHECK(msg.find("resource t") != std::string::npos);
  CHECK(msg.find(".tmp") == std::string::npos);  // no temporary directory named
  CHECK(!fs::exists(s.path("out")));
  try {
    ex::open(s.path("p"), s.path("out"), reader_keys(b, directory({&a})));
  } catch (const ex::RecordsError& e) {
    CHECK(e.report()["tasks"][0]["place"] == "data/t.csv");
    CHECK(e.report()["tasks"][0]["errors"].size() == 2);  // every error, not the first only
  }
  ex::OpenOptions o;
  o.validate = false;
  ex::open(s.path("p"), s.path("out"), reader_keys(b, directory({&a})), o);
  CHECK(fs::exists(s.path("out/data/t.csv")));
}

TEST_CASE("a writer transcodes its encoding to UTF-8, cut characters included") {
  Scratch s;
  Dept a(1), b(2);
  ex::WriterOptions wo = writer_options(a, {&b});
  wo.encoding = "gbk";
  const std::string gbk = "id,name,amount\n1,\xb1\xb1\xbe\xa9,5\n";  // 北京
  {
    ex::PackageWriter pw(s.path("p"), wo);
    pw.begin_resource("t", amount_schema());
    for (char c : gbk) pw.write(&c, 1);  // every multi-byte character cut in two
    pw.end_resource();
    pw.finish();
  }
  ex::open(s.path("p"), s.path("out"), reader_keys(b, directory({&a})));
  std::ifstream in(s.path("out/data/t.csv"), std::ios::binary);
  std::string got((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  CHECK(got == "id,name,amount\n1,\xe5\x8c\x97\xe4\xba\xac,5\n");
  {  // bytes not valid in the encoding: parse, with the offset
    ex::PackageWriter pw(s.path("q"), wo);
    pw.begin_resource("t");
    const std::string junk = "a,\xff\xff\n";
    CHECK_THROWS_AS(pw.write(junk.data(), junk.size()), civitas::Error);
  }
  CHECK(!fs::exists(s.path("q")));
}

TEST_CASE("garbage, other versions and a non-empty output directory are refused") {
  Fixture f;
  refuses(Code::parse, [&] { ex::inspect(f.variant("hello world, this is not a package at all")); });
  refuses(Code::parse, [&] { ex::inspect(f.variant("")); });
  std::string m = f.bytes;
  for (char v : {0, 1, 4}) {  // version 1 (development builds, whole-file digest) and a future one
    m[8] = v;
    std::string msg = refuses(Code::unsupported_version, [&] { ex::inspect(f.variant(m)); });
    CHECK(msg.find("reads versions 2 and 3") != std::string::npos);
  }
  fs::create_directories(f.s.path("full"));
  write_file(f.s.path("full/x"), "x");
  refuses(Code::exists, [&] { ex::open(f.pkg, f.s.path("full"), reader_keys(f.b, directory({&f.a}))); });
  fs::create_directories(f.s.path("empty"));
  ex::open(f.pkg, f.s.path("empty"), reader_keys(f.b, directory({&f.a})));
  CHECK(fs::exists(f.s.path("empty/data/t.csv")));
  refuses(Code::not_found, [&] { ex::open(f.s.path("nope"), f.s.path("o2"), reader_keys(f.b, directory({&f.a}))); });
}
