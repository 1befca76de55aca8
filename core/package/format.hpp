// Internal pieces of the package format shared by writer and reader (docs/formats/package.md).
#pragma once

#include <sodium.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "civitas/crypto.hpp"
#include "civitas/error.hpp"
#include "civitas/package.hpp"

struct evp_md_ctx_st;

namespace civitas::package::detail {

// ---- file layout ---------------------------------------------------------------------------
// preamble (24) | header JSON (header_len) | header signature (64) | segments | trailer (120)
// segment = G chunks (the last: 1…G, the final chunk last) || SHA-256 of those chunks (32)

inline constexpr std::uint8_t kMagic[8] = {0x89, 'C', 'I', 'V', 'P', 'K', 'G', 0x0A};
inline constexpr std::uint8_t kTrailerMagic[8] = {0x89, 'C', 'I', 'V', 'E', 'N', 'D', 0x0A};
// The preamble's suite byte is a crypto::SuiteId. Suite 1: Ed25519, X25519 sealed box,
// secretstream, SHA-256, zstd. The layout below (64-byte signatures, 80-byte sealed keys,
// secretstream chunks) is suite 1's; a second suite brings its own sizes with its id.
inline constexpr std::uint8_t kSuite = crypto::kSuite1;
/// The crypto suite of the packages this build writes and reads; signatures and sealed file
/// keys go through it (one virtual call per package, never per byte).
inline const crypto::Suite& package_suite() { return crypto::suite(kSuite); }
inline constexpr std::size_t kPreambleSize = 24;
inline constexpr std::size_t kSigSize = 64;
inline constexpr std::size_t kMaxHeader = 1u << 20;
inline constexpr std::size_t kTrailerSize = 8 + 8 + 8 + 32 + 64;  // 120
inline constexpr std::size_t kABytes = crypto_secretstream_xchacha20poly1305_ABYTES;  // 17
/// Oldest version a reader accepts: 2 (a raw file key in the stanza's box), then 3 (labelled).
inline constexpr std::uint8_t kOldestReadableVersion = 2;
/// Version 3's box content: "civitas package file key v3" NUL (28) || binding (32) || file key (32).
inline constexpr char kFileKeyLabel[] = "civitas package file key v3";  // + NUL
inline constexpr std::size_t kFileKeyLabelSize = sizeof kFileKeyLabel;  // 28, the NUL included
inline constexpr std::size_t kFileKeyContentSize = kFileKeyLabelSize + 32 + 32;  // 92
/// The stanza's sealed_key: 80 bytes in version 2 (the raw file key), 140 in version 3.
inline constexpr std::size_t sealed_key_size(std::uint8_t version) {
  return crypto_box_SEALBYTES + (version == 2 ? 32 : kFileKeyContentSize);
}
/// Version 3's box content for a package: the label, the binding SHA-256(provider key id ||
/// package id) and the file key.
void file_key_content(std::uint8_t out[kFileKeyContentSize], const KeyId& provider_key, const std::string& package_id,
                      const std::uint8_t* file_key);
/// Opens a stanza's box of a version-`version` package into file_key[32]: the box must open
/// with the exchange key, and in version 3 hold exactly the label, this package's binding and
/// a file key. Throws integrity naming what is wrong.
void open_file_key(std::uint8_t* file_key, std::uint8_t version, const std::uint8_t* box, std::size_t n,
                   const PublicKey& exchange_pk, const crypto::SecretBytes& exchange_sk, const KeyId& provider_key,
                   const std::string& package_id);

/// For tests only: while one lives, the packages this thread writes have preamble and header
/// version `version` and seal `content(file key, provider key id, package id)` in every stanza
/// (the box content of another version, or a forged one) instead of version 3's content.
struct StanzaForTesting {
  std::uint8_t version = 0;
  std::function<std::vector<std::uint8_t>(const std::uint8_t* file_key, const KeyId& provider_key,
                                          const std::string& package_id)>
      content;
};
class StanzaOverrideForTesting {
 public:
  explicit StanzaOverrideForTesting(StanzaForTesting s);
  ~StanzaOverrideForTesting();
  StanzaOverrideForTesting(const StanzaOverrideForTesting&) = delete;
  StanzaOverrideForTesting& operator=(const StanzaOverrideForTesting&) = delete;

 private:
  const StanzaForTesting* previous_;
  StanzaForTesting mine_;
};
/// The override of this thread, or null.
const StanzaForTesting* stanza_override_for_testing() noexcept;

inline constexpr char kHeaderContext[] = "civitas package header v1";    // + NUL
inline constexpr char kTrailerContext[] = "civitas package trailer v2";  // + NUL
inline constexpr char kDigestContext[] = "civitas package digest v2";    // + NUL
inline constexpr std::size_t kHashSize = 32;                             // a segment hash
inline constexpr std::size_t kSegmentTarget = 1u << 20;
inline constexpr char kPayloadKeyContext[] = "civitas package payload key v1";

// ---- plaintext content ---------------------------------------------------------------------
// "CIVPKGC1" entry* ; entry = type(1) name_len(u16) name segment* ; segment = len(u32) data,
// len 0 ends the entry. Types: E envelope JSON (first), R resource file, P datapackage.json
// (last before Z), Z end (no name, no segments).
inline constexpr std::uint8_t kContentMagic[8] = {'C', 'I', 'V', 'P', 'K', 'G', 'C', '1'};
inline constexpr std::size_t kMaxJsonEntry = 16u << 20;
inline constexpr std::size_t kMaxSegment = 1u << 20;
inline constexpr std::size_t kMaxWindow = std::size_t{1} << 25;  ///< largest zstd window a reader accepts
inline constexpr std::size_t kMaxResources = 4096;

inline void put_u16(std::uint8_t* p, std::uint16_t v) { p[0] = v & 0xff; p[1] = v >> 8; }
inline void put_u32(std::uint8_t* p, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<std::uint8_t>(v >> (8 * i));
}
inline void put_u64(std::uint8_t* p, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) p[i] = static_cast<std::uint8_t>(v >> (8 * i));
}
inline std::uint16_t get_u16(const std::uint8_t* p) { return static_cast<std::uint16_t>(p[0] | (p[1] << 8)); }
inline std::uint32_t get_u32(const std::uint8_t* p) {
  std::uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}
inline std::uint64_t get_u64(const std::uint8_t* p) {
  std::uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

/// SHA-256 (OpenSSL libcrypto: SHA-NI where the CPU has it).
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  void update(const void* p, std::size_t n);
  std::array<std::uint8_t, 32> final();
  void reset();  ///< starts a new hash

 private:
  evp_md_ctx_st* ctx_;
};
std::string sha256_text(const std::array<std::uint8_t, 32>& d);  ///< "sha256:<hex>"

/// The message the header signature covers: context NUL preamble header_json.
std::vector<std::uint8_t> header_signed_message(const std::uint8_t* preamble_and_header, std::size_t n);
/// The message the trailer signature covers: context NUL trailer[0..56).
std::vector<std::uint8_t> trailer_signed_message(const std::uint8_t* trailer56);

/// Fills the preamble (version byte `version`).
void make_preamble(std::uint8_t* out, std::uint32_t header_len, const KeyId& provider_key,
                   std::uint8_t version = kFormatVersion);

/// Parses preamble + header JSON (the first kPreambleSize + header_len bytes). Throws parse,
/// unsupported_version, truncated.
Header parse_header_bytes(const std::uint8_t* data, std::size_t n);
/// Header JSON length from a preamble (checks magic, version, limits).
std::uint32_t preamble_header_len(const std::uint8_t* preamble, std::size_t n);

/// Checks the header signature with the provider key named in the preamble, then parses the
/// header and checks that the key belongs to the department it names. data holds preamble +
/// header JSON (header_end bytes), sig the 64 bytes after them. Throws unknown_key,
/// bad_signature, parse.
Header verify_header(const std::uint8_t* data, std::size_t header_end, const std::uint8_t* sig,
                     const ProviderLookup& lookup, PublicKey* pk_out);

struct Trailer {
  std::uint64_t payload_bytes = 0;
  std::uint64_t chunks = 0;
  std::array<std::uint8_t, 32> digest{};
};

/// Chunks per segment for a chunk size: G = max(1, floor(1 MiB / (C + 17))).
inline std::size_t segment_chunks(std::size_t chunk_size) {
  std::size_t g = kSegmentTarget / (chunk_size + kABytes);
  return g ? g : 1;
}

/// The payload a trailer describes, checked for consistency (docs/formats/package.md §1.5).
struct Layout {
  std::uint64_t chunks = 0;     ///< N, the final chunk included
  std::uint64_t segments = 0;   ///< n = ceil(N / G)
  std::uint64_t g = 0;          ///< G, chunks per segment
  std::uint64_t last_len = 0;   ///< L + 17: ciphertext bytes of the final chunk
  std::uint64_t payload = 0;    ///< P
  std::size_t full = 0;         ///< C + 17
  /// Offset from the payload start of segment k's first chunk and of its stored hash.
  std::uint64_t segment_start(std::uint64_t k) const { return k * (g * full + kHashSize); }
  std::uint64_t chunks_in(std::uint64_t k) const { return k + 1 < segments ? g : chunks - k * g; }
  std::uint64_t segment_bytes(std::uint64_t k) const {  // chunk bytes, without the hash
    std::uint64_t c = chunks_in(k);
    return k + 1 < segments ? c * full : (c - 1) * full + last_len;
  }
  std::uint64_t hash_offset(std::uint64_t k) const { return segment_start(k) + segment_bytes(k); }
};
/// Throws integrity when N and P cannot describe a payload of chunk size C.
Layout payload_layout(std::size_t chunk_size, std::uint64_t chunks, std::uint64_t payload);

/// D = SHA-256("civitas package digest v2\0" || SHA-256(preamble || header || signature) ||
/// S_0 || … || S_{n−1}), built up as the segment hashes come. `head`: preamble, header and
/// header signature (header_bytes bytes).
class DigestList {
 public:
  DigestList(const std::uint8_t* head, std::size_t n);
  void add(const std::uint8_t* segment_hash) { h_.update(segment_hash, kHashSize); }
  std::array<std::uint8_t, 32> final() { return h_.final(); }

 private:
  Sha256 h_;
};
/// Parses and verifies a trailer against the provider key. Throws truncated (no trailer
/// magic), bad_signature.
Trailer check_trailer(const std::uint8_t* t, const PublicKey& provider_pk);

/// Payload key = BLAKE2b-256(key = file key, "civitas package payload key v1" || package id).
void payload_key(std::uint8_t out[32], const std::uint8_t* file_key, const std::string& package_id);

/// Canonical USCC or Error(invalid_argument / parse) naming `what`.
std::string canonical_department(std::string_view s, const char* what, Code code);
/// A resource name is safe as a file name: [a-z0-9._-]{1,128}, not starting with '.'.
bool valid_resource_name(std::string_view s) noexcept;
/// A package path "data/<name>" with a safe name.
bool valid_resource_path(std::string_view s) noexcept;

std::string iso8601(std::int64_t unix_seconds);

/// For tests and fuzzing: a correctly signed and encrypted package whose content is the
/// content magic, the envelope entry, then `content_tail` as given (any bytes).
std::string raw_package_for_testing(const WriterOptions& o, const void* content_tail, std::size_t n);
/// A correctly signed and encrypted package whose payload plaintext is `compressed` as given
/// (meant to be one zstd frame; tests and the fuzzer give the decoder arbitrary bytes).
std::string raw_payload_for_testing(const WriterOptions& o, const void* compressed, std::size_t n);

/// Throws the error the reader reports for an input that is too short.
[[noreturn]] void fail_truncated(const std::string& what, std::uint64_t offset);

/// Durable output. Writers call WriteBack::wrote() as their bytes reach the kernel: every
/// 8 MiB it starts the disk writes of what came so far (sync_file_range, not waiting), so
/// that the fsync at the end finds little left to do instead of the whole file (the page
/// cache would otherwise hold it all: dirty_background_ratio is 10 % of memory).
class WriteBack {
 public:
  void wrote(int fd, std::size_t n) noexcept;
 private:
  std::uint64_t pending_ = 0;
};
/// fsync of a file descriptor; Code::io naming `path` on failure.
void sync_fd(int fd, const std::string& path);
/// fsync of a directory, so that the names created or renamed in it are durable.
void sync_dir(const std::string& path);

}  // namespace civitas::package::detail
