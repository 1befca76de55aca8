// civitas::package — exchange packages between departments: a Frictionless Data Package plus
// an envelope, zstd-compressed, encrypted under a random file key in authenticated chunks
// (libsodium secretstream XChaCha20-Poly1305), the file key sealed to each recipient's X25519
// exchange key, signed by the provider with Ed25519 over the header and over the whole file.
// Byte layout and security argument: docs/formats/package.md.
//
// This layer takes explicit keys; civitas::workspace supplies them from the keyring, the
// peer directory and the replay memory.
//
// Writer and reader stream: memory is bounded by the chunk size and zstd's window, never by
// the package size. On any refusal nothing is left behind: files are written under a
// temporary name in the target directory and renamed on success.
//
// Refusals (civitas::Error codes): bad_signature, unknown_key (provider key not known),
// not_recipient, truncated, integrity (modified or reordered chunks, digest mismatch), replay,
// schema_mismatch (a resource's schema hash), invalid_data (records break their schema),
// parse (not a package / malformed header), unsupported_version.
//
// Thread safety: a PackageWriter or PackageReader is used by one thread at a time; the free
// functions are thread-safe.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "civitas/crypto.hpp"
#include "civitas/error.hpp"

namespace civitas::workspace {
class Workspace;
}

namespace civitas::package {

/// The version this build writes; it reads this one and version 2 (docs/formats/package.md §7).
inline constexpr std::uint8_t kFormatVersion = 3;
/// Plaintext bytes per encrypted chunk (the last chunk is always shorter).
inline constexpr std::size_t kDefaultChunkSize = 64 * 1024;
inline constexpr std::size_t kMinChunkSize = 1024;
inline constexpr std::size_t kMaxChunkSize = 16u << 20;

using PublicKey = std::array<std::uint8_t, 32>;
using KeyId = crypto::KeyId;

/// Key id of an Ed25519 or X25519 public key, as crypto::compute_key_id computes it.
KeyId key_id_of(const PublicKey& pk);

/// One consumer of a package.
struct Recipient {
  std::string department;         ///< USCC of the consumer department
  PublicKey exchange_key{};       ///< its X25519 public key
  std::uint64_t sequence = 0;     ///< sequence number of this provider→consumer pair
};

struct Summary;

/// The refusal of a package (being created or opened) whose records break their schema:
/// Code::invalid_data, with the whole validation report (docs/formats/validation-report.md;
/// tasks named by resource, places inside the package, never a temporary path).
class RecordsError : public Error {
 public:
  RecordsError(const std::string& message, nlohmann::json report)
      : Error(Code::invalid_data, message), report_(std::move(report)) {}
  const nlohmann::json& report() const noexcept { return report_; }

 private:
  nlohmann::json report_;
};

struct WriterOptions {
  std::string provider;           ///< USCC of the providing department
  /// libsodium Ed25519 secret key (64 bytes: seed || public key); borrowed, must outlive
  /// the writer's constructor (it is copied into secure memory).
  const crypto::SecretBytes* signing_key = nullptr;
  std::vector<Recipient> recipients;  ///< at least one
  std::string catalog;            ///< catalog resource code
  std::string purpose;            ///< purpose of use (conditional sharing)
  std::string approval;           ///< approval reference (conditional sharing)
  std::string request_hash;       ///< hash of the request this answers ("sha256:…") or ""
  std::string package_id;         ///< "" = 32 random hex digits
  std::int64_t created = 0;       ///< Unix seconds; 0 = now
  std::size_t chunk_size = kDefaultChunkSize;
  /// zstd compression level. 1 by default: on tabular data it compresses twice as fast as
  /// level 3 and decodes faster, for a package a few per cent larger or smaller
  /// (docs/benchmarks.md, exchange packages).
  int level = 1;
  int threads = 1;                ///< zstd worker threads (0 = compress on the calling thread)
  /// Long-distance matching with a window of 2^window_log bytes, 10…25, as `zstd --long=N`
  /// (readers accept windows up to 2^25); 0 = off, the level's own window (2^21 at level 3 for
  /// large content). Finds repeats far apart; a reader needs about four windows of memory.
  int window_log = 0;
  /// Check every tabular resource that has a schema (csv, tsv, jsonl) against it as it is
  /// written; records that break it refuse the package (RecordsError from end_resource() /
  /// add_file(), nothing is left behind). false: pack the bytes unchecked.
  bool validate = true;
  /// The encoding of the resources' bytes as given ("" = UTF-8): anything else (gb18030,
  /// gbk, …, whatever iconv knows) is transcoded, so that the package holds UTF-8 only.
  /// Bytes not valid in it: Error(parse) naming the byte offset.
  std::string encoding;
  /// Called by finish() with the package's summary once everything but the trailer is
  /// written: the package is complete (trailer given to the sink, or the file renamed into
  /// place) only after it returns. May throw to abandon the package (the workspace commits
  /// the "package.create" audit entry here).
  std::function<void(const Summary&)> before_commit;
};

/// The public header of a package: readable without any key (inspect).
struct Header {
  int version = 0;
  std::string package_id;
  std::int64_t created = 0;
  std::string provider;           ///< USCC
  KeyId provider_key{};           ///< Ed25519 key id
  struct Stanza {
    std::string department;
    KeyId key_id{};               ///< X25519 key id
    std::uint64_t sequence = 0;
    std::vector<std::uint8_t> sealed_key;  ///< crypto_box_seal(file key), 80 bytes
  };
  std::vector<Stanza> recipients;
  std::size_t chunk_size = 0;
  std::string compression;        ///< "zstd"
  std::string cipher;             ///< "xchacha20poly1305-secretstream"
  std::array<std::uint8_t, 24> stream_header{};
  std::uint64_t header_bytes = 0; ///< preamble + header JSON + header signature

  nlohmann::json to_json() const;
};

/// What a writer produced / what a reader found.
struct Summary {
  Header header;
  nlohmann::json envelope;        ///< empty for verify()
  nlohmann::json datapackage;     ///< empty for verify()
  std::uint64_t package_bytes = 0;
  std::uint64_t payload_bytes = 0;  ///< ciphertext bytes
  std::uint64_t chunks = 0;
  std::uint64_t content_bytes = 0;  ///< uncompressed plaintext content bytes
};

/// SHA-256 of a table schema in canonical form (compact JSON, keys sorted): "sha256:<hex>".
std::string schema_hash(const nlohmann::json& schema);

/// Streaming writer. Resources are added one after another; each one is streamed.
class PackageWriter {
 public:
  using Sink = std::function<void(const std::uint8_t*, std::size_t)>;
  /// Writes the package to `path` through a temporary file in the same directory, renamed
  /// by finish(). Throws invalid_argument (options), io.
  PackageWriter(const std::string& path, const WriterOptions& opts);
  /// Writes the package bytes to sink as they are produced.
  PackageWriter(Sink sink, const WriterOptions& opts);
  ~PackageWriter();  ///< without finish(): the temporary file is removed
  PackageWriter(const PackageWriter&) = delete;
  PackageWriter& operator=(const PackageWriter&) = delete;

  /// Starts a resource called `name` (Frictionless name: lowercase letters, digits, '-',
  /// '_', '.'); stored as data/<name>.<format>. schema: a Table Schema or null.
  void begin_resource(const std::string& name, const nlohmann::json& schema = nullptr,
                      const std::string& format = "csv");
  void write(const void* data, std::size_t n);
  void end_resource();
  /// begin_resource + the whole file streamed + end_resource.
  void add_file(const std::string& name, const std::string& path,
                const nlohmann::json& schema = nullptr, const std::string& format = "csv");
  /// Writes datapackage.json, the last chunk and the trailer; renames into place.
  Summary finish();

  struct State;  ///< opaque; internal to the library

 private:
  std::unique_ptr<State> s_;
};

/// The provider key directory: the department and Ed25519 public key of a key id, or nullopt.
struct ProviderKey {
  std::string department;
  PublicKey public_key{};
  /// Revoked by its department as compromised: every package it signed is refused
  /// (Error(denied)), whatever time its header claims.
  bool compromised = false;
  /// Superseded: a package whose signed header time (`created`) is at or after this (Unix
  /// seconds) is refused (Error(denied)); 0 = no limit.
  std::int64_t not_after = 0;
};
using ProviderLookup = std::function<std::optional<ProviderKey>(const KeyId&)>;

/// Replay memory. `seen` answers whether (provider, consumer, sequence) was accepted before;
/// `remember` records it once a package has been opened successfully.
struct ReplayMemory {
  std::function<bool(const std::string& provider, const std::string& consumer,
                     std::uint64_t sequence)> seen;
  std::function<void(const std::string& provider, const std::string& consumer,
                     std::uint64_t sequence, const std::string& package_id)> remember;
};

struct ReaderKeys {
  /// This department's X25519 secret key (32 bytes); borrowed for the reader's lifetime.
  const crypto::SecretBytes* exchange_secret = nullptr;
  PublicKey exchange_public{};
  /// Older exchange key pairs that still decrypt (after a rotation); secrets borrowed.
  std::vector<std::pair<PublicKey, const crypto::SecretBytes*>> older_exchange_keys;
  ProviderLookup provider_key;
  ReplayMemory replay;            ///< both empty = no replay check (tests, tools)
};

struct OpenOptions {
  bool validate = true;           ///< check records against their schemas
  /// Schemas the consumer expects per resource name (from its catalog): the package's
  /// schema must have the same schema_hash(), else schema_mismatch.
  std::map<std::string, nlohmann::json> expected_schemas;
  /// Called once everything checked out and (with `sync`) the output is on disk, before
  /// out_dir appears; may throw to refuse. Workspace::open_package records the sequence
  /// number and the "package.open" audit entry here, in one transaction.
  std::function<void(const Summary&)> before_commit;
  /// Called once out_dir appeared (after the rename). Workspace::open_package completes the
  /// pending replay record here; it must not throw (the output stands).
  std::function<void(const Summary&)> after_commit;
  /// Mode of the decrypted files (less the umask); the directories get it plus search
  /// permission where it grants read (0600 → 0700). While being written, the temporary
  /// directory is 0700 whatever this says.
  unsigned file_mode = 0600;
  /// open() only: read the segment hashes first and check them against the signed trailer,
  /// then check every segment against its signed hash before decrypting any of it (the
  /// default: the file is read once, and nothing a co-recipient could have forged is ever
  /// decrypted). false: like the streaming reader, check each segment against the hash that
  /// follows it and the trailer signature at the end (`civitas package open --single-pass`);
  /// either way nothing appears in out_dir unless both signatures verified.
  bool verify_first = true;
  /// Force every output file and directory to disk before the output appears under its name
  /// and before the sequence number is remembered, so that a power loss after open() returned
  /// cannot leave a package refused as a replay whose data never reached the disk. false
  /// (`civitas package open --no-sync`): for output that is re-creatable anyway.
  bool sync = true;
};

/// Removes the temporary directories that killed openings left beside `out_dir`
/// (".NAME.tmp-XXXXXX", decrypted data in them) and that no live reader holds locked. open()
/// and PackageReader call it for their own out_dir; Workspace::open_package calls it first,
/// so that a refused opening cleans up too. Never throws.
void remove_stale_output(const std::string& out_dir) noexcept;

/// Reads the public header (no key, no verification). Errors: parse, truncated,
/// unsupported_version, io.
Header inspect(const std::string& path);
Header parse_header(const std::uint8_t* data, std::size_t n);

/// Verifies the provider's signatures over the header and, through the segment hashes, every
/// byte of the file, without decrypting anything. Errors: unknown_key, bad_signature,
/// truncated, integrity, parse, io.
Summary verify(const std::string& path, const ProviderLookup& provider_key);

/// Checks the header and trailer signatures, recipient, replay, lengths and (with
/// OpenOptions::verify_first, the default) the signed segment hashes, all before decrypting
/// anything; then reads the file once, checking each segment before it decrypts it, into a
/// temporary directory. out_dir must not exist or be empty; it appears only when everything
/// checked out.
Summary open(const std::string& path, const std::string& out_dir, const ReaderKeys& keys,
             const OpenOptions& opts = {});

/// Push-style streaming reader (for sockets and the C API): feed bytes as they arrive, then
/// finish(). The header signature is checked before anything is decrypted; each segment is
/// checked against the hash after it and its chunks authenticated as they arrive; the
/// trailing signature over all segment hashes is checked in finish() before out_dir appears.
class PackageReader {
 public:
  PackageReader(const std::string& out_dir, const ReaderKeys& keys, const OpenOptions& opts = {});
  ~PackageReader();  ///< without a successful finish(): everything written is removed
  PackageReader(const PackageReader&) = delete;
  PackageReader& operator=(const PackageReader&) = delete;

  void feed(const void* data, std::size_t n);
  Summary finish();
  /// The verified header, once enough bytes were fed (nullptr before).
  const Header* header() const noexcept;

 private:
  friend Summary open(const std::string&, const std::string&, const ReaderKeys&, const OpenOptions&);
  /// open(): segment hashes already checked against the signed trailer; each segment must
  /// match its entry before it is decrypted.
  void trust_segment_hashes(std::vector<std::array<std::uint8_t, 32>> hashes);
  struct State;
  std::unique_ptr<State> s_;
};

// ---- with a workspace -----------------------------------------------------------------------

/// The keys, peers and sequence numbers of a workspace for packages: internal glue of
/// Workspace::create_package / open_package / verify_package (implemented by the workspace
/// module, core/workspace/package_party.cpp, so that core/package does not depend on the
/// workspace; only this declaration and a forward declaration of Workspace are here). Front
/// ends call those Workspace methods, which add the audit entries (docs/development.md,
/// "Audited operations"); this class writes none. Holds a keyring snapshot: one per operation.
class WorkspaceParty {
 public:
  explicit WorkspaceParty(workspace::Workspace& ws);
  ~WorkspaceParty();
  WorkspaceParty(const WorkspaceParty&) = delete;
  WorkspaceParty& operator=(const WorkspaceParty&) = delete;

  /// Writer options to these consumers (USCCs): this department as provider, its primary
  /// signing key, each consumer's exchange key from the peer directory (Error(unknown_key)
  /// when the peer has none) and the next sequence number of each pair, reserved now.
  WriterOptions writer_options(const std::vector<std::string>& consumers);
  /// Reader keys: the exchange keys of the keyring, the peer directory, and the replay check
  /// (`seen`; no `remember`: Workspace::open_package records the sequence number together
  /// with its audit entry).
  ReaderKeys reader_keys();
  ProviderLookup provider_lookup();
  const std::string& department() const noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace civitas::package
