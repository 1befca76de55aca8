// The package names its primitives in the preamble's suite byte (a crypto::SuiteId) and in
// the header's payload cipher and compression; a reader refuses values it does not know with
// unsupported_version, also in a header whose signature is valid.
#include <functional>

#include "package/format.hpp"
#include "helpers.hpp"

using namespace xt;
namespace d = civitas::package::detail;

namespace {
struct Pkg {
  Scratch s;
  Dept a{1}, b{2};
  std::string bytes;
  Pkg() {
    auto o = writer_options(a, {&b});
    o.chunk_size = 1024;
    ex::PackageWriter w(s.path("p.civpkg"), o);
    std::string data = csv_rows(200, true);
    w.begin_resource("t");
    w.write(data.data(), data.size());
    w.end_resource();
    w.finish();
    bytes = read_file(s.path("p.civpkg"));
  }
  std::string variant(const std::string& b2) {
    std::string p = s.path("v.civpkg");
    write_file(p, b2);
    return p;
  }
  // The package with its header JSON changed by fn and signed again by the provider.
  std::string resigned(const std::function<void(json&)>& fn) {
    const std::uint32_t len = d::get_u32(reinterpret_cast<const std::uint8_t*>(bytes.data()) + 12);
    json h = json::parse(bytes.substr(d::kPreambleSize, len));
    fn(h);
    std::string hs = h.dump();
    std::string head(d::kPreambleSize + hs.size() + d::kSigSize, '\0');
    auto* p = reinterpret_cast<std::uint8_t*>(head.data());
    d::make_preamble(p, static_cast<std::uint32_t>(hs.size()), a.sign_id());
    std::memcpy(p + d::kPreambleSize, hs.data(), hs.size());
    auto msg = d::header_signed_message(p, d::kPreambleSize + hs.size());
    crypto_sign_detached(p + d::kPreambleSize + hs.size(), nullptr, msg.data(), msg.size(), a.sign_sk.data());
    return head + bytes.substr(d::kPreambleSize + len + d::kSigSize);
  }
};
}  // namespace

TEST_CASE("the preamble's suite byte is a crypto suite id; unknown suites are refused") {
  Pkg k;
  CHECK(static_cast<std::uint8_t>(k.bytes[9]) == civitas::crypto::kSuite1);
  CHECK(&d::package_suite() == &civitas::crypto::default_suite());
  for (int suite : {0, 2, 3, 0xff}) {
    std::string m = k.bytes;
    m[9] = static_cast<char>(suite);
    CAPTURE(suite);
    std::string msg = refuses(Code::unsupported_version, [&] { ex::inspect(k.variant(m)); });
    CHECK(msg.find("suite") != std::string::npos);
    refuses(Code::unsupported_version,
            [&] { ex::open(k.variant(m), k.s.path("out"), reader_keys(k.b, directory({&k.a}))); });
  }
}

TEST_CASE("the header's payload cipher and compression are honoured, even under a valid signature") {
  Pkg k;
  // re-signing an unchanged header gives a package that still opens up to the trailer digest
  std::string same = k.resigned([](json&) {});
  CHECK(same == k.bytes);
  std::string c = k.resigned([](json& h) { h["payload"]["cipher"] = "sm4-gcm-stream"; });
  refuses(Code::unsupported_version, [&] { ex::inspect(k.variant(c)); });
  refuses(Code::unsupported_version, [&] { ex::open(k.variant(c), k.s.path("o1"), reader_keys(k.b, directory({&k.a}))); });
  std::string z = k.resigned([](json& h) { h["payload"]["compression"] = "brotli"; });
  refuses(Code::unsupported_version, [&] { ex::open(k.variant(z), k.s.path("o2"), reader_keys(k.b, directory({&k.a}))); });
}
