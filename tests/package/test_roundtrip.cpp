// Round trips: packages written and opened again, from files and from streams.
#include "helpers.hpp"

using namespace xt;

TEST_CASE("a package with several resources round-trips byte for byte") {
  Scratch s;
  Dept a(1), b(2);
  std::string big = csv_rows(20000, true);  // several chunks of 4 KiB
  std::string small = csv_rows(3, false);
  write_file(s.path("big.csv"), big);
  auto o = writer_options(a, {&b}, 7);
  o.chunk_size = 4096;
  ex::Summary w;
  {
    ex::PackageWriter pw(s.path("p.civpkg"), o);
    pw.add_file("big", s.path("big.csv"), amount_schema());
    pw.begin_resource("small");
    pw.write(small.data(), 5);
    pw.write(small.data() + 5, small.size() - 5);
    pw.end_resource();
    pw.begin_resource("empty");
    pw.end_resource();
    w = pw.finish();
  }
  CHECK(w.chunks > 3);
  CHECK(s.entries() == std::set<std::string>{"big.csv", "p.civpkg"});
  ex::Summary r = ex::open(s.path("p.civpkg"), s.path("out"), reader_keys(b, directory({&a})));
  CHECK(read_file(s.path("out/data/big.csv")) == big);
  CHECK(read_file(s.path("out/data/small.csv")) == small);
  CHECK(read_file(s.path("out/data/empty.csv")).empty());
  CHECK(r.header.package_id == w.header.package_id);
  CHECK(r.envelope["provider"] == a.id);
  CHECK(r.envelope["consumers"][0] == b.id);
  CHECK(r.envelope["sequences"][b.id] == 7);
  CHECK(r.envelope["catalog"] == "110000-000123");
  CHECK(r.envelope["approval"] == "APPROVAL-1");
  json dp = json::parse(read_file(s.path("out/datapackage.json")));
  REQUIRE(dp["resources"].size() == 3);
  CHECK(dp["resources"][0]["bytes"] == big.size());
  CHECK(dp["resources"][0]["hash"].get<std::string>().rfind("sha256:", 0) == 0);
  CHECK(dp["resources"][0]["civitas:schemaHash"] == ex::schema_hash(amount_schema()));
  CHECK(dp["resources"][2]["bytes"] == 0);
  CHECK(fs::exists(s.path("out/envelope.json")));
  CHECK(r.package_bytes == fs::file_size(s.path("p.civpkg")));
}

TEST_CASE("a package without resources and one exactly filling its chunks both open") {
  Scratch s;
  Dept a(1), b(2);
  for (std::size_t size : {std::size_t(0), std::size_t(1), std::size_t(8192), std::size_t(100000)}) {
    auto o = writer_options(a, {&b});
    o.chunk_size = 1024;
    o.threads = 0;
    o.level = 1;
    std::string pkg = s.path("p" + std::to_string(size));
    std::string data(size, 'x');
    for (std::size_t i = 0; i < size; ++i) data[i] = static_cast<char>((i * 2654435761u) >> 13);
    ex::PackageWriter pw(pkg, o);
    if (size) {
      pw.begin_resource("r");
      pw.write(data.data(), data.size());
      pw.end_resource();
    }
    pw.finish();
    ex::open(pkg, s.path("o" + std::to_string(size)), reader_keys(b, directory({&a})));
    if (size) CHECK(read_file(s.path("o" + std::to_string(size) + "/data/r.csv")) == data);
  }
}

TEST_CASE("every recipient opens the package; the header lists them with their sequences") {
  Scratch s;
  Dept a(1), b(2), c(3);
  auto o = writer_options(a, {&b, &c});
  o.recipients[1].sequence = 42;
  {
    ex::PackageWriter pw(s.path("p"), o);
    pw.begin_resource("x");
    pw.write("a,b\n1,2\n", 8);
    pw.end_resource();
    pw.finish();
  }
  ex::Header h = ex::inspect(s.path("p"));
  REQUIRE(h.recipients.size() == 2);
  CHECK(h.recipients[0].department == b.id);
  CHECK(h.recipients[1].sequence == 42);
  CHECK(h.provider == a.id);
  CHECK(h.provider_key == a.sign_id());
  ex::open(s.path("p"), s.path("ob"), reader_keys(b, directory({&a})));
  ex::open(s.path("p"), s.path("oc"), reader_keys(c, directory({&a})));
  CHECK(read_file(s.path("oc/data/x.csv")) == "a,b\n1,2\n");
  ex::Summary v = ex::verify(s.path("p"), directory({&a}));
  CHECK(v.chunks == 1);
}

TEST_CASE("the streaming reader accepts a package fed in small irregular pieces") {
  Scratch s;
  Dept a(1), b(2);
  std::string pkg;
  auto o = writer_options(a, {&b});
  o.chunk_size = 1024;
  std::string data = csv_rows(5000, true);
  {
    ex::PackageWriter pw([&](const std::uint8_t* p, std::size_t n) { pkg.append(reinterpret_cast<const char*>(p), n); }, o);
    pw.begin_resource("t", amount_schema());
    pw.write(data.data(), data.size());
    pw.end_resource();
    pw.finish();
  }
  ex::PackageReader r(s.path("out"), reader_keys(b, directory({&a})));
  std::size_t pos = 0, step = 1;
  while (pos < pkg.size()) {
    std::size_t k = std::min(step, pkg.size() - pos);
    r.feed(pkg.data() + pos, k);
    pos += k;
    step = step * 3 % 1777 + 1;
  }
  CHECK(r.header() != nullptr);
  ex::Summary sum = r.finish();
  CHECK(read_file(s.path("out/data/t.csv")) == data);
  CHECK(sum.content_bytes > data.size());
}

TEST_CASE("writer options are checked") {
  Scratch s;
  Dept a(1), b(2);
  auto o = writer_options(a, {&b});
  o.recipients.clear();
  refuses(Code::invalid_argument, [&] { ex::PackageWriter(s.path("p"), o); });
  o = writer_options(a, {&b});
  o.recipients[0].department = "91110000100000001X";
  refuses(Code::invalid_argument, [&] { ex::PackageWriter(s.path("p"), o); });
  o = writer_options(a, {&b});
  o.provider = "nonsense";
  refuses(Code::invalid_argument, [&] { ex::PackageWriter(s.path("p"), o); });
  o = writer_options(a, {&b});
  ex::PackageWriter pw(s.path("p"), o);
  refuses(Code::invalid_argument, [&] { pw.begin_resource("../etc/passwd"); });
  refuses(Code::invalid_argument, [&] { pw.write("x", 1); });
  pw.begin_resource("ok");
  refuses(Code::invalid_argument, [&] { pw.finish(); });
  CHECK(s.entries().size() == 1);  // only the temporary file so far
  CHECK((*s.entries().begin()).rfind(".p.tmp-", 0) == 0);
}

TEST_CASE("an abandoned writer leaves no file behind") {
  Scratch s;
  Dept a(1), b(2);
  {
    ex::PackageWriter pw(s.path("p"), writer_options(a, {&b}));
    pw.begin_resource("x");
    pw.write("abc", 3);
  }
  CHECK(s.entries().empty());
}
