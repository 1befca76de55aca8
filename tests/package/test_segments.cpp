// Format version 2's segments (docs/formats/package.md §1, §1.4 step 5, §1.5, §3): the layout
// at every segment boundary, the segment hashes and D, and the one-pass file reader that
// checks every segment against its signed hash before decrypting it — so a payload that a
// co-recipient re-encrypted under the file key is refused without being decrypted.
#include <random>

#include "package/format.hpp"
#include "helpers.hpp"

using namespace xt;
namespace dt = civitas::package::detail;

namespace {

constexpr std::size_t kC = 1024;  // smallest chunk size: G = 1007 chunks per segment

ex::WriterOptions small_chunks(const Dept& a, const Dept& b) {
  auto o = writer_options(a, {&b});
  o.chunk_size = kC;
  o.threads = 0;
  return o;
}

}  // namespace

TEST_CASE("the payload layout holds at every segment boundary") {
  Scratch s;
  Dept a(1), b(2);
  const std::size_t g = dt::segment_chunks(kC);
  REQUIRE(g == 1048576 / (kC + 17));
  CHECK(dt::segment_chunks(65536) == 15);
  CHECK(dt::segment_chunks(16u << 20) == 1);
  // Payload plaintexts of exact sizes: N = size / C + 1 chunks (the final one may be empty).
  for (std::size_t size : {std::size_t(0), kC - 1, kC, g * kC - kC, g * kC - 1, g * kC, g * kC + 1, 2 * g * kC + 5}) {
    CAPTURE(size);
    std::string payload(size, 'p');
    std::string pkg = dt::raw_payload_for_testing(small_chunks(a, b), payload.data(), payload.size());
    write_file(s.path("p.civpkg"), pkg);
    ex::Summary v = ex::verify(s.path("p.civpkg"), directory({&a}));  // no decryption: the bytes need not be zstd
    const std::uint64_t n_chunks = size / kC + 1, n_segments = (n_chunks + g - 1) / g;
    CHECK(v.chunks == n_chunks);
    CHECK(v.payload_bytes == (n_chunks - 1) * (kC + 17) + (size % kC + 17) + 32 * n_segments);
    dt::Layout l = dt::payload_layout(kC, v.chunks, v.payload_bytes);
    CHECK(l.segments == n_segments);
    CHECK(l.hash_offset(n_segments - 1) + 32 == v.payload_bytes);
    // Each stored hash is the SHA-256 of its segment's chunks.
    const std::size_t hb = ex::inspect(s.path("p.civpkg")).header_bytes;
    for (std::uint64_t k = 0; k < n_segments; ++k) {
      dt::Sha256 h;
      h.update(pkg.data() + hb + l.segment_start(k), static_cast<std::size_t>(l.segment_bytes(k)));
      auto d = h.final();
      CHECK(std::memcmp(d.data(), pkg.data() + hb + l.hash_offset(k), 32) == 0);
    }
  }
  // Lengths that no payload can have are integrity errors, never a crash.
  CHECK_THROWS_AS(dt::payload_layout(kC, 0, 100), civitas::Error);
  CHECK_THROWS_AS(dt::payload_layout(kC, 1, 17 + 31), civitas::Error);
  CHECK_THROWS_AS(dt::payload_layout(kC, ~std::uint64_t{0}, 1000), civitas::Error);
  CHECK_THROWS_AS(dt::payload_layout(kC, 2, (kC + 17) + kC + 17 + 32), civitas::Error);  // L = C
}

TEST_CASE("a changed segment or segment hash is found before decryption, by every reader") {
  Scratch s;
  Dept a(1), b(2);
  std::string csv = "id,v\n";  // random values: about 3 MiB of payload, so at least 3 segments
  std::mt19937 rnd(5);
  for (int i = 0; csv.size() < (6u << 20); ++i) csv += std::to_string(i) + "," + std::to_string(rnd()) + "\n";
  auto o = small_chunks(a, b);
  {
    ex::PackageWriter w(s.path("p.civpkg"), o);
    w.begin_resource("t");
    w.write(csv.data(), csv.size());
    w.end_resource();
    w.finish();
  }
  const std::string good = read_file(s.path("p.civpkg"));
  ex::Summary v = ex::verify(s.path("p.civpkg"), directory({&a}));
  dt::Layout l = dt::payload_layout(kC, v.chunks, v.payload_bytes);
  REQUIRE(l.segments >= 3);
  const std::size_t hb = ex::inspect(s.path("p.civpkg")).header_bytes;
  auto stream = [&](const std::string& bytes) {
    ex::PackageReader r(s.path("out"), reader_keys(b, directory({&a})));
    r.feed(bytes.data(), bytes.size());
    r.finish();
  };
  ex::OpenOptions one;
  one.verify_first = false;

  std::string m = good;  // a byte of segment 1's chunks
  m[hb + l.segment_start(1) + 100] ^= 1;
  write_file(s.path("m.civpkg"), m);
  CHECK(refuses(Code::integrity, [&] { ex::verify(s.path("m.civpkg"), directory({&a})); }).find("segment 1 does not match its signed hash") != std::string::npos);
  CHECK(refuses(Code::integrity, [&] { ex::open(s.path("m.civpkg"), s.path("out"), reader_keys(b, directory({&a}))); })
            .find("segment 1 does not match its signed hash") != std::string::npos);
  CHECK(refuses(Code::integrity, [&] { ex::open(s.path("m.civpkg"), s.path("out"), reader_keys(b, directory({&a})), one); })
            .find("segment 1 does not match its hash") != std::string::npos);
  refuses(Code::integrity, [&] { stream(m); });

  m = good;  // a byte of segment 0's stored hash: D no longer matches
  m[hb + l.hash_offset(0) + 3] ^= 0x80;
  write_file(s.path("m.civpkg"), m);
  CHECK(refuses(Code::integrity, [&] { ex::verify(s.path("m.civpkg"), directory({&a})); }).find("signed digest does not match the segment hashes") != std::string::npos);
  CHECK(refuses(Code::integrity, [&] { ex::open(s.path("m.civpkg"), s.path("out"), reader_keys(b, directory({&a}))); })
            .find("signed digest does not match the segment hashes") != std::string::npos);
  refuses(Code::integrity, [&] { stream(m); });

  m = good;  // segment 1 (chunks and hash) removed: the trailer is there, its lengths disagree
  m.erase(hb + l.segment_start(1), static_cast<std::size_t>(l.segment_start(2) - l.segment_start(1)));
  write_file(s.path("m.civpkg"), m);
  refuses(Code::integrity, [&] { ex::verify(s.path("m.civpkg"), directory({&a})); });
  refuses(Code::integrity, [&] { ex::open(s.path("m.civpkg"), s.path("out"), reader_keys(b, directory({&a}))); });
  refuses(Code::integrity, [&] { stream(m); });
  m = good;  // two segments swapped: the same length, another order
  std::string s0 = good.substr(hb + l.segment_start(0), static_cast<std::size_t>(l.segment_start(1)));
  std::string s1 = good.substr(hb + l.segment_start(1), static_cast<std::size_t>(l.segment_start(1)));
  m.replace(hb, s0.size() + s1.size(), s1 + s0);
  write_file(s.path("m.civpkg"), m);
  refuses(Code::integrity, [&] { ex::verify(s.path("m.civpkg"), directory({&a})); });
  refuses(Code::integrity, [&] { ex::open(s.path("m.civpkg"), s.path("out"), reader_keys(b, directory({&a}))); });
  refuses(Code::integrity, [&] { stream(m); });
  CHECK(s.entries() == std::set<std::string>{"p.civpkg", "m.civpkg"});

  // The good package still opens, by both paths.
  ex::open(s.path("p.civpkg"), s.path("o1"), reader_keys(b, directory({&a})));
  CHECK(read_file(s.path("o1/data/t.csv")) == csv);
  ex::open(s.path("p.civpkg"), s.path("o2"), reader_keys(b, directory({&a})), one);
  CHECK(read_file(s.path("o2/data/t.csv")) == csv);
}

TEST_CASE("a payload a co-recipient re-encrypted under the file key is refused before it is decrypted") {
  Scratch s;
  Dept a(1), b(2), c(3);
  auto o = writer_options(a, {&b, &c});
  o.chunk_size = kC;
  {
    ex::PackageWriter w(s.path("p.civpkg"), o);
    w.begin_resource("t");
    std::string csv = "id\n1\n2\n";
    w.write(csv.data(), csv.size());
    w.end_resource();
    w.finish();
  }
  const std::string good = read_file(s.path("p.civpkg"));
  ex::Header h = ex::inspect(s.path("p.civpkg"));
  // Co-recipient c opens its sealed file key and encrypts a payload of its own choosing with
  // the package's own stream header: every chunk authenticates, every segment hash is right;
  // only the provider's signature over D cannot be made.
  // (Version 3: the box holds the 28-byte label, the 32-byte binding, then the file key.)
  civitas::crypto::SecretBytes content(dt::kFileKeyContentSize), pkey(32);
  REQUIRE(h.recipients[1].sealed_key.size() == dt::sealed_key_size(3));
  REQUIRE(crypto_box_seal_open(content.data(), h.recipients[1].sealed_key.data(), h.recipients[1].sealed_key.size(),
                               c.box_pk.data(), c.box_sk.data()) == 0);
  civitas::crypto::SecretBytes file_key(content.data() + dt::kFileKeyLabelSize + 32, 32);
  dt::payload_key(pkey.data(), file_key.data(), h.package_id);
  crypto_secretstream_xchacha20poly1305_state st;
  REQUIRE(crypto_secretstream_xchacha20poly1305_init_pull(&st, h.stream_header.data(), pkey.data()) == 0);
  // A payload of the original length (so the original trailer's signed lengths still fit) but
  // random plaintext: decrypted and decompressed, it would be refused as damaged compressed
  // content; refused before decryption, the refusal names the signed digest.
  ex::Summary v = ex::verify(s.path("p.civpkg"), directory({&a}));
  dt::Layout l = dt::payload_layout(kC, v.chunks, v.payload_bytes);
  std::string plain((v.chunks - 1) * kC + (l.last_len - 17), '\0');
  randombytes_buf(plain.data(), plain.size());
  std::string payload;
  const std::size_t g = dt::segment_chunks(kC);
  dt::Sha256 seg;
  std::size_t in_seg = 0;
  for (std::uint64_t i = 0; i < v.chunks; ++i) {
    bool last = i + 1 == v.chunks;
    std::size_t n = last ? plain.size() - i * kC : kC;
    std::string ct(n + 17, '\0');
    crypto_secretstream_xchacha20poly1305_push(&st, reinterpret_cast<unsigned char*>(ct.data()), nullptr,
                                               reinterpret_cast<const unsigned char*>(plain.data() + i * kC), n, nullptr, 0,
                                               last ? crypto_secretstream_xchacha20poly1305_TAG_FINAL : 0);
    payload += ct;
    seg.update(ct.data(), ct.size());
    if (++in_seg == g || last) {
      auto d = seg.final();
      seg.reset();
      in_seg = 0;
      payload.append(reinterpret_cast<const char*>(d.data()), d.size());
    }
  }
  REQUIRE(payload.size() == v.payload_bytes);
  const std::string forged = good.substr(0, h.header_bytes) + payload + good.substr(good.size() - 120);
  write_file(s.path("f.civpkg"), forged);
  auto keys = [&] { return reader_keys(b, directory({&a})); };
  CHECK(refuses(Code::integrity, [&] { ex::open(s.path("f.civpkg"), s.path("out"), keys()); })
            .find("signed digest does not match the segment hashes") != std::string::npos);
  CHECK(refuses(Code::integrity, [&] { ex::verify(s.path("f.civpkg"), directory({&a})); })
            .find("signed digest does not match the segment hashes") != std::string::npos);
  // Without the look-ahead (--single-pass, and the streaming reader) the forged chunks
  // authenticate and are decrypted; the refusal comes from what they hold (damaged compressed
  // content) or from the trailer, whichever is reached first; either way nothing appears.
  ex::OpenOptions one;
  one.verify_first = false;
  refuses(Code::integrity, [&] { ex::open(s.path("f.civpkg"), s.path("out"), keys(), one); });
  refuses(Code::integrity, [&] {
    ex::PackageReader r(s.path("out"), keys());
    r.feed(forged.data(), forged.size());
    r.finish();
  });
  CHECK(!fs::exists(s.path("out")));
  ex::open(s.path("p.civpkg"), s.path("out"), keys());  // the original still opens
  CHECK(fs::exists(s.path("out/data/t.csv")));
}
