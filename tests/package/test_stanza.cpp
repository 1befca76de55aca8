// The recipient stanza's sealed box names its protocol and its package (format version 3,
// docs/formats/package.md §1.2, issue 12 "Key separation"); version 2 packages, whose boxes hold
// the raw file key, still open. Each refusal is written out as the attacker would build it: a
// correctly signed package whose stanza holds another box content.
#include <cstring>

#include "package/format.hpp"
#include "helpers.hpp"

using namespace xt;
namespace d = civitas::package::detail;

namespace {

const std::string kLabel = std::string("civitas package file key v3") + '\0';  // 28 bytes

std::string make(const Scratch& s, const std::string& name, const Dept& from, std::initializer_list<const Dept*> to,
                 const std::string& package_id = {}) {
  auto o = writer_options(from, to);
  o.chunk_size = 1024;
  o.package_id = package_id;
  std::string p = s.path(name);
  ex::PackageWriter w(p, o);
  w.begin_resource("t", amount_schema());
  std::string data = csv_rows(200, true);
  w.write(data.data(), data.size());
  w.end_resource();
  w.finish();
  return p;
}

// The stanza of `to` in a package's header, decoded.
std::vector<std::uint8_t> sealed_key_of(const std::string& bytes, const std::string& department) {
  std::uint32_t hl = d::get_u32(reinterpret_cast<const std::uint8_t*>(bytes.data()) + 12);
  json h = json::parse(bytes.substr(24, hl));
  for (const auto& r : h["recipients"])
    if (r["department"] == department) return civitas::crypto::from_base64(r["sealed_key"].get<std::string>());
  FAIL("no stanza for " << department);
  return {};
}

// Opens through the file reader and the streaming reader; both must refuse with `code` and
// leave nothing behind. Returns the file reader's message.
std::string refused_both(Code code, const Scratch& s, const std::string& path, const ex::ReaderKeys& keys) {
  auto before = s.entries();
  std::string msg = refuses(code, [&] { ex::open(path, s.path("refused"), keys); });
  refuses(code, [&] {
    std::string b = read_file(path);
    ex::PackageReader r(s.path("refused"), keys);
    for (std::size_t i = 0; i < b.size(); i += 700) r.feed(b.data() + i, std::min<std::size_t>(700, b.size() - i));
    r.finish();
  });
  CHECK(s.entries() == before);
  CHECK(!fs::exists(s.path("refused")));
  return msg;
}

std::vector<std::uint8_t> bytes_of(const std::string& a, const std::uint8_t* b = nullptr, std::size_t n = 0) {
  std::vector<std::uint8_t> v(a.begin(), a.end());
  if (b) v.insert(v.end(), b, b + n);
  return v;
}

}  // namespace

TEST_CASE("version 3: the box holds the label, SHA-256(provider key id || package id) and the file key") {
  Scratch s;
  Dept a{1}, b{2}, c{3};
  std::string p = make(s, "p.civpkg", a, {&b, &c}, "pkg-42");
  std::string bytes = read_file(p);
  CHECK(static_cast<int>(static_cast<std::uint8_t>(bytes[8])) == 3);
  ex::Header h = ex::inspect(p);
  CHECK(h.version == 3);
  CHECK(ex::kFormatVersion == 3);
  for (const Dept* r : {&b, &c}) {
    auto box = sealed_key_of(bytes, r->id);
    REQUIRE(box.size() == 140);  // 48 bytes of crypto_box_seal + 92 of content
    // Opened with libsodium directly, as the spec says: label NUL || binding || file key.
    std::vector<std::uint8_t> m(92);
    REQUIRE(crypto_box_seal_open(m.data(), box.data(), box.size(), r->box_pk.data(), r->box_sk.data()) == 0);
    CHECK(std::string(m.begin(), m.begin() + 28) == kLabel);
    std::uint8_t binding[32];
    std::string in(reinterpret_cast<const char*>(a.sign_id().data()), 8);
    in += "pkg-42";
    crypto_hash_sha256(binding, reinterpret_cast<const std::uint8_t*>(in.data()), in.size());
    CHECK(std::memcmp(m.data() + 28, binding, 32) == 0);
  }
  // Both recipients open it.
  CHECK(ex::open(p, s.path("ob"), reader_keys(b, directory({&a}))).header.version == 3);
  CHECK(ex::open(p, s.path("oc"), reader_keys(c, directory({&a}))).datapackage["resources"].size() == 1);
}

TEST_CASE("attack: a version 3 stanza whose box holds the raw file key (no label) is refused") {
  Scratch s;
  Dept a{1}, b{2};
  std::string p;
  {
    // What a version 2 writer seals, in a package that says it is version 3: the box is 80
    // bytes, and a version 3 header must carry 140.
    d::StanzaOverrideForTesting raw({3, [](const std::uint8_t* fk, const ex::KeyId&, const std::string&) {
                                       return std::vector<std::uint8_t>(fk, fk + 32);
                                     }});
    p = make(s, "raw.civpkg", a, {&b});
  }
  CHECK(sealed_key_of(read_file(p), b.id).size() == 80);
  std::string msg = refused_both(Code::parse, s, p, reader_keys(b, directory({&a})));
  CHECK(msg.find("140 bytes in a version 3 package") != std::string::npos);
  refuses(Code::parse, [&] { ex::verify(p, directory({&a})); });

  // The raw file key padded to the right size (zeros after it): the box opens, but its
  // content does not begin with the label.
  {
    d::StanzaOverrideForTesting padded({3, [](const std::uint8_t* fk, const ex::KeyId&, const std::string&) {
                                          std::vector<std::uint8_t> v(fk, fk + 32);
                                          v.resize(92, 0);
                                          return v;
                                        }});
    p = make(s, "padded.civpkg", a, {&b});
  }
  CHECK(sealed_key_of(read_file(p), b.id).size() == 140);
  msg = refused_both(Code::integrity, s, p, reader_keys(b, directory({&a})));
  CHECK(msg.find("is not a package file key") != std::string::npos);
  // The platform's verify (no secret key) does not open boxes: it accepts the signed file.
  CHECK(ex::verify(p, directory({&a})).header.version == 3);

  // Another protocol's label (an identity-share-like content of the same size).
  {
    d::StanzaOverrideForTesting other({3, [](const std::uint8_t* fk, const ex::KeyId&, const std::string&) {
                                         auto v = bytes_of("civitas identity secret v2");
                                         v.resize(60, 0);
                                         v.insert(v.end(), fk, fk + 32);
                                         return v;
                                       }});
    p = make(s, "other.civpkg", a, {&b});
  }
  msg = refused_both(Code::integrity, s, p, reader_keys(b, directory({&a})));
  CHECK(msg.find("is not a package file key") != std::string::npos);
}

TEST_CASE("attack: a co-recipient re-sends a package's file key under its own signature; the binding refuses it") {
  // P sends package X to B and M. M (a co-recipient, and a provider B trusts) knows X's file
  // key and can compute X's binding; it signs a package Y with X's package id whose stanza for
  // B holds exactly the content P sealed for X. B refuses the stanza: it is bound to P's key.
  Scratch s;
  Dept pdept{1}, b{2}, m{3};
  std::string x = make(s, "x.civpkg", pdept, {&b, &m}, "shared-id");
  const ex::KeyId p_kid = pdept.sign_id();
  std::string y;
  {
    d::StanzaOverrideForTesting lifted({3, [&](const std::uint8_t* fk, const ex::KeyId&, const std::string& pid) {
                                          std::vector<std::uint8_t> v(92);
                                          d::file_key_content(v.data(), p_kid, pid, fk);  // P's binding, not M's
                                          return v;
                                        }});
    y = make(s, "y.civpkg", m, {&b}, "shared-id");
  }
  auto keys = reader_keys(b, directory({&pdept, &m}));
  std::string msg = refused_both(Code::integrity, s, y, keys);
  CHECK(msg.find("belongs to another package") != std::string::npos);
  // The binding names the package id too: P's own key, another id.
  {
    d::StanzaOverrideForTesting other_id({3, [&](const std::uint8_t* fk, const ex::KeyId& kid, const std::string&) {
                                            std::vector<std::uint8_t> v(92);
                                            d::file_key_content(v.data(), kid, "another-package", fk);
                                            return v;
                                          }});
    y = make(s, "z.civpkg", pdept, {&b}, "shared-id");
  }
  msg = refused_both(Code::integrity, s, y, keys);
  CHECK(msg.find("belongs to another package") != std::string::npos);
  // X itself opens for both of its recipients.
  CHECK(ex::open(x, s.path("xb"), keys).header.package_id == "shared-id");
  CHECK(ex::open(x, s.path("xm"), reader_keys(m, directory({&pdept}))).header.package_id == "shared-id");
}

TEST_CASE("version 2 packages (raw file key in an 80-byte box) still open; versions 1 and 4 are refused") {
  Scratch s;
  Dept a{1}, b{2};
  std::string p;
  {
    // The version 2 layout as the released writer made it: version byte 2, header version 2,
    // crypto_box_seal of the 32-byte file key.
    d::StanzaOverrideForTesting v2({2, [](const std::uint8_t* fk, const ex::KeyId&, const std::string&) {
                                      return std::vector<std::uint8_t>(fk, fk + 32);
                                    }});
    p = make(s, "v2.civpkg", a, {&b});
  }
  std::string bytes = read_file(p);
  CHECK(static_cast<int>(static_cast<std::uint8_t>(bytes[8])) == 2);
  CHECK(sealed_key_of(bytes, b.id).size() == 80);
  CHECK(ex::inspect(p).version == 2);
  CHECK(ex::verify(p, directory({&a})).header.version == 2);
  Memory mem;
  auto sum = ex::open(p, s.path("out"), reader_keys(b, directory({&a}), mem.hooks()));
  CHECK(sum.header.version == 2);
  CHECK(read_file(s.path("out") + "/data/t.csv") == csv_rows(200, true));
  // The streaming reader too (a fresh replay memory: the sequence was recorded above).
  Memory mem2;
  {
    ex::PackageReader r(s.path("out2"), reader_keys(b, directory({&a}), mem2.hooks()));
    r.feed(bytes.data(), bytes.size());
    CHECK(r.finish().header.version == 2);
  }
  // A version 2 header with a version 3 box (140 bytes) is refused: each version has its size.
  {
    d::StanzaOverrideForTesting mixed({2, [](const std::uint8_t* fk, const ex::KeyId& kid, const std::string& pid) {
                                         std::vector<std::uint8_t> v(92);
                                         d::file_key_content(v.data(), kid, pid, fk);
                                         return v;
                                       }});
    p = make(s, "mixed.civpkg", a, {&b});
  }
  CHECK(refused_both(Code::parse, s, p, reader_keys(b, directory({&a}))).find("80 bytes in a version 2 package") !=
        std::string::npos);
  // Versions 1 and 4: unsupported_version before anything else.
  for (std::uint8_t v : {std::uint8_t{1}, std::uint8_t{4}}) {
    std::string other = bytes;
    other[8] = static_cast<char>(v);
    std::string q = s.path("v" + std::to_string(v) + ".civpkg");
    write_file(q, other);
    refused_both(Code::unsupported_version, s, q, reader_keys(b, directory({&a})));
  }
}
