// Fuzz target: exchange packages (docs/formats/package.md). The first byte picks what the
// rest of the input is:
//   0  a package file given to inspect (header parser only, no key)
//   1  a package stream given to the streaming reader with fixed keys (signatures, stanzas,
//      chunk framing, truncation handling)
//   2  content bytes that the harness seals into a correctly signed and encrypted package
//      (after the envelope entry), so that the content parser, the datapackage.json checks
//      and the output directory handling see arbitrary plaintext
//   3  a payload plaintext (meant to be one zstd frame) that the harness signs and encrypts
//      as it is, so that the buffer-less zstd decoder of the reader sees arbitrary bytes
// Properties beyond "no crash, no hang": every failure is a civitas::Error; a refused package
// leaves no output directory; an accepted one has its datapackage.json.
//
// Seeds (fuzz/corpus/package/) are made by this file compiled with -DPACKAGE_FUZZER_MAKE_SEEDS
// (see the end of the file).
#include <sodium.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>

#include "../core/package/format.hpp"
#include "civitas/error.hpp"
#include "civitas/package.hpp"
#include "fuzz_check.hpp"

namespace {

namespace ex = civitas::package;
namespace fs = std::filesystem;

const char* kProvider = "91110000100000016D";
const char* kConsumer = "911100001000000248";

struct Keys {
  civitas::crypto::SecretBytes sign_sk{64};
  ex::PublicKey sign_pk{};
  civitas::crypto::SecretBytes box_sk{32};
  ex::PublicKey box_pk{};
  std::string out;
  Keys() {
    unsigned char seed[32];
    for (int i = 0; i < 32; ++i) seed[i] = static_cast<unsigned char>(i + 1);
    crypto_sign_seed_keypair(sign_pk.data(), sign_sk.data(), seed);
    for (int i = 0; i < 32; ++i) seed[i] = static_cast<unsigned char>(100 + i);
    crypto_box_seed_keypair(box_pk.data(), box_sk.data(), seed);
    out = (fs::temp_directory_path() / ("civitas-package-fuzz-" + std::to_string(::getpid()))).string();
  }
  ex::ReaderKeys reader() const {
    ex::ReaderKeys k;
    k.exchange_secret = &box_sk;
    k.exchange_public = box_pk;
    ex::PublicKey pk = sign_pk;
    k.provider_key = [pk](const ex::KeyId&) { return std::optional<ex::ProviderKey>({kProvider, pk}); };
    return k;
  }
  ex::WriterOptions writer() const {
    ex::WriterOptions o;
    o.provider = kProvider;
    o.signing_key = &sign_sk;
    o.recipients.push_back({kConsumer, box_pk, 1});
    o.package_id = "fuzz";
    o.created = 1700000000;
    o.chunk_size = 1024;
    o.threads = 0;
    return o;
  }
};

const Keys& keys() {
  static Keys k;
  return k;
}

void read_package(const std::uint8_t* data, std::size_t size) {
  const Keys& k = keys();
  std::error_code ec;
  fs::remove_all(k.out, ec);
  bool ok = false;
  try {
    ex::PackageReader r(k.out, k.reader());
    // Irregular pieces exercise the reader's buffering.
    std::size_t pos = 0, step = 1;
    while (pos < size) {
      std::size_t n = std::min(step, size - pos);
      r.feed(data + pos, n);
      pos += n;
      step = step * 5 % 4099 + 1;
    }
    r.finish();
    ok = true;
  } catch (const civitas::Error&) {
  }
  FUZZ_CHECK(fs::exists(k.out + "/datapackage.json", ec) == ok);
  fs::remove_all(k.out, ec);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::uint8_t mode = data[0] % 4;
  ++data;
  --size;
  if (mode == 0) {
    try {
      ex::Header h = ex::parse_header(data, size);
      FUZZ_CHECK(!h.recipients.empty());
      FUZZ_CHECK(h.chunk_size >= ex::kMinChunkSize && h.chunk_size <= ex::kMaxChunkSize);
      FUZZ_CHECK(h.header_bytes <= size + civitas::package::detail::kSigSize);
      (void)h.to_json().dump();
    } catch (const civitas::Error&) {
    }
  } else if (mode == 1) {
    read_package(data, size);
  } else if (mode == 2) {
    if (size > (1u << 20)) return 0;
    std::string pkg = civitas::package::detail::raw_package_for_testing(keys().writer(), data, size);
    read_package(reinterpret_cast<const std::uint8_t*>(pkg.data()), pkg.size());
  } else {
    if (size > (1u << 20)) return 0;
    std::string pkg = civitas::package::detail::raw_payload_for_testing(keys().writer(), data, size);
    read_package(reinterpret_cast<const std::uint8_t*>(pkg.data()), pkg.size());
  }
  return 0;
}

#ifdef PACKAGE_FUZZER_MAKE_SEEDS
// Build and run (from the source tree, after a build in build/):
//   g++ -std=c++20 -DPACKAGE_FUZZER_MAKE_SEEDS -Icore/include fuzz/package_fuzzer.cpp
//     build/core/libcivitas_core.a -lsodium -lzstd -lcrypto -lsqlcipher -lre2 -o /tmp/mkseeds
//   /tmp/mkseeds fuzz/corpus/package
#include <fstream>

namespace {
void put(const std::string& dir, const std::string& name, char mode, const std::string& bytes) {
  std::ofstream f(dir + "/" + name, std::ios::binary);
  f.put(mode);
  f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}
std::string entry(char type, const std::string& name, const std::string& data) {
  std::string s(1, type);
  s += static_cast<char>(name.size() & 0xff);
  s += static_cast<char>(name.size() >> 8);
  s += name;
  for (std::size_t i = 0; i < data.size(); i += 100) {
    std::string seg = data.substr(i, 100);
    std::uint32_t n = static_cast<std::uint32_t>(seg.size());
    for (int b = 0; b < 4; ++b) s += static_cast<char>((n >> (8 * b)) & 0xff);
    s += seg;
  }
  s.append(4, '\0');
  return s;
}
}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  std::string dir = argv[1];
  const Keys& k = keys();
  auto make = [&] {
    std::string pkg;
    ex::PackageWriter w([&](const std::uint8_t* p, std::size_t n) { pkg.append(reinterpret_cast<const char*>(p), n); }, k.writer());
    w.begin_resource("t", nlohmann::json::parse(R"({"fields":[{"name":"a","type":"integer"},{"name":"b","type":"string"}]})"));
    std::string csv = "a,b\n";
    for (int i = 0; i < 300; ++i) csv += std::to_string(i) + ",value" + std::to_string(i * 7919 % 1000) + "\n";
    w.write(csv.data(), csv.size());
    w.end_resource();
    w.begin_resource("empty");
    w.end_resource();
    w.finish();
    return pkg;
  };
  std::string pkg = make();  // format version 3
  {
    // Version 2 (the raw file key in the stanza's box), which readers still accept, and a
    // version 3 package whose box holds no label (refused after the box opens).
    namespace dt = civitas::package::detail;
    dt::StanzaOverrideForTesting v2({2, [](const std::uint8_t* fk, const ex::KeyId&, const std::string&) {
                                       return std::vector<std::uint8_t>(fk, fk + 32);
                                     }});
    put(dir, "package-valid-v2", 1, make());
  }
  {
    namespace dt = civitas::package::detail;
    dt::StanzaOverrideForTesting raw({3, [](const std::uint8_t* fk, const ex::KeyId&, const std::string&) {
                                        std::vector<std::uint8_t> v(fk, fk + 32);
                                        v.resize(dt::kFileKeyContentSize, 0);
                                        return v;
                                      }});
    put(dir, "package-unlabelled-key", 1, make());
  }
  put(dir, "header-valid", 0, pkg);
  put(dir, "header-only", 0, pkg.substr(0, ex::parse_header(reinterpret_cast<const std::uint8_t*>(pkg.data()), pkg.size()).header_bytes - 64));
  put(dir, "package-valid", 1, pkg);
  put(dir, "package-truncated", 1, pkg.substr(0, pkg.size() - 200));
  std::string flipped = pkg;
  flipped[pkg.size() / 2] ^= 4;
  put(dir, "package-flipped", 1, flipped);
  std::string data = "a,b\n1,x\n";
  civitas::package::detail::Sha256 h;
  h.update(data.data(), data.size());
  std::string dp = R"({"resources":[{"name":"x","path":"data/x.csv","bytes":8,"hash":")" +
                   civitas::package::detail::sha256_text(h.final()) + R"("}]})";
  put(dir, "content-valid", 2, entry('R', "data/x.csv", data) + entry('P', "datapackage.json", dp) + "Z");
  put(dir, "content-bad-path", 2, entry('R', "data/../x", data) + entry('P', "datapackage.json", dp) + "Z");
  put(dir, "content-no-end", 2, entry('R', "data/x.csv", data));
  return 0;
}
#endif
