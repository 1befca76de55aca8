// civitas::audit — the tamper-evident audit log: canonical entries, an RFC 9162 (RFC 6962)
// Merkle tree over them, inclusion and consistency proofs, C2SP signed-note checkpoints, and
// the log itself stored in the workspace database.
//
// Formats (for independent verifiers): docs/formats/audit-entry.md, docs/formats/checkpoint.md,
// docs/formats/proofs.md. Overview: docs/audit.md.
//
// Hashes in this module are public values: they are compared with memcmp, not in constant time.
// Every function is thread-safe unless stated otherwise; a Log may be shared between threads.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "civitas/crypto.hpp"
#include "civitas/error.hpp"

namespace civitas::store {
class Store;
}

namespace civitas::audit {

using Hash = std::array<std::uint8_t, 32>;

std::string hash_hex(const Hash& h);
Hash hash_from_hex(std::string_view hex);  ///< throws Error(parse)

// ---- entries (docs/formats/audit-entry.md) ----------------------------------------------

inline constexpr std::uint8_t kEntryVersion = 1;
/// Upper bounds that keep hostile input bounded.
inline constexpr std::size_t kMaxFieldBytes = 4096;     ///< each text field
inline constexpr std::size_t kMaxDetailsBytes = 65536;  ///< canonical details JSON

/// What a caller appends. The log assigns index and time.
struct Event {
  std::string actor_dept;   ///< department USCC (18 characters, validated); empty only for a
                            ///< workspace without a department (then actor_user is required)
  std::string actor_user;   ///< user id within the department; may be empty
  std::string action;       ///< e.g. "key.rotate", "package.open"; required
  std::string resource;     ///< catalog resource code or package id; may be empty
  std::string purpose;      ///< may be empty
  std::string outcome = "ok";
  std::string details = "{}";  ///< a JSON object; canonicalised on append
};

/// One log entry as encoded. details holds canonical JSON.
struct Entry {
  std::uint64_t index = 0;
  std::int64_t time_ms = 0;  ///< UTC milliseconds since the Unix epoch
  std::string actor_dept, actor_user, action, resource, purpose, outcome;
  std::string details = "{}";

  /// "<dept>" or "<dept>:<user>".
  std::string actor() const;
};

/// An entry read from the log with its bytes and leaf hash.
struct StoredEntry {
  Entry entry;
  std::vector<std::uint8_t> bytes;  ///< canonical encoding
  Hash leaf{};
};

/// Splits "<dept>[:<user>]".
void split_actor(std::string_view actor, std::string& dept, std::string& user);

/// An event from its fields as given (the actor as "<dept>[:<user>]", split with
/// split_actor()); nothing is checked here (check_event() does that on append).
Event make_event(std::string_view actor, std::string action, std::string resource, std::string purpose,
                 std::string outcome, std::string details);

/// Canonical JSON (docs/formats/audit-entry.md §details): keys sorted by UTF-8 bytes, no
/// whitespace, integers only (|n| ≤ 2^53), minimal string escapes, UTF-8 kept as is.
/// Throws Error(parse) for malformed JSON, non-integer numbers or invalid UTF-8;
/// require_object demands a JSON object at the top.
std::string canonical_json(std::string_view json, bool require_object = true);

/// Checks an event's fields (USCC, lengths, UTF-8, details) and canonicalises its details.
/// Throws Error(invalid_argument) naming the field.
void check_event(Event& e);

/// The fields of one line of a batch of events (`civitas audit append --batch`,
/// civ_audit_append_jsonl): a JSON object with string members actor, action, resource,
/// purpose, outcome (default "ok") and details (an object, or its JSON text; default "{}").
struct EventLine {
  std::string actor, action, resource, purpose, outcome = "ok", details = "{}";
};
/// Parses one such line. Throws Error(parse) at `at` for malformed JSON, a non-object or a
/// member of the wrong type.
EventLine parse_event_line(std::string_view line, const Location& at);
/// check_event(), with its error reported at `at` (the line of a batch).
void check_event_at(Event& e, const Location& at);

/// Canonical bytes of an entry. Throws Error(invalid_argument) for fields out of bounds.
std::vector<std::uint8_t> encode_entry(const Entry& e);
/// Parses canonical bytes; throws Error(parse) / Error(truncated) / Error(unsupported_version)
/// with the byte offset. Also rejects non-canonical details.
Entry decode_entry(const std::uint8_t* p, std::size_t n);

// ---- Merkle tree (RFC 9162 §2.1) -----------------------------------------------------------

Hash leaf_hash(const void* entry, std::size_t n);  ///< SHA-256(0x00 ‖ entry)
Hash node_hash(const Hash& left, const Hash& right);  ///< SHA-256(0x01 ‖ left ‖ right)
Hash empty_root();  ///< SHA-256 of the empty string: the root of the empty tree

/// Hashes of complete subtrees: node(level, index) is the root of the 2^level leaves starting
/// at index·2^level. Proof generation reads O(log n) of them.
class NodeReader {
 public:
  virtual ~NodeReader() = default;
  virtual Hash node(unsigned level, std::uint64_t index) = 0;
};

/// MTH(D[0:size]) from stored complete subtrees: O(log size) reads.
Hash tree_root(NodeReader& nodes, std::uint64_t size);
/// RFC 9162 §2.1.3.1 PATH(index, D[0:size]); throws Error(invalid_argument) when index ≥ size.
std::vector<Hash> inclusion_path(NodeReader& nodes, std::uint64_t index, std::uint64_t size);
/// RFC 9162 §2.1.4.1 PROOF(first, D[0:second]); throws Error(invalid_argument) unless
/// first ≤ second. Empty for first = 0 or first = second.
std::vector<Hash> consistency_path(NodeReader& nodes, std::uint64_t first, std::uint64_t second);

/// RFC 9162 §2.1.3.2. False for any mismatch or malformed proof.
[[nodiscard]] bool verify_inclusion(std::uint64_t index, std::uint64_t size, const Hash& leaf,
                                    const std::vector<Hash>& path, const Hash& root) noexcept;
/// RFC 9162 §2.1.4.2; first = 0 and first = second are accepted with an empty proof (and
/// equal roots for first = second).
[[nodiscard]] bool verify_consistency(std::uint64_t first, std::uint64_t second,
                                      const std::vector<Hash>& path, const Hash& first_root,
                                      const Hash& second_root) noexcept;

/// An in-memory tree keeping every complete subtree (tests, verification, small logs).
class MemoryTree : public NodeReader {
 public:
  void append(const Hash& leaf);
  std::uint64_t size() const noexcept { return levels_.empty() ? 0 : levels_[0].size(); }
  Hash root() { return tree_root(*this, size()); }
  Hash node(unsigned level, std::uint64_t index) override;

 private:
  std::vector<std::vector<Hash>> levels_;
};

/// Keeps only the right edge of a growing tree (O(log n) memory): the roots of the perfect
/// subtrees of the current size. Reports every completed node to a callback.
class Frontier {
 public:
  /// Called for every complete subtree formed by an append, level ≥ 0.
  using OnNode = std::function<void(unsigned level, std::uint64_t index, const Hash& h)>;
  Frontier() = default;
  /// Rebuilds the frontier of a tree of `size` leaves from stored nodes (O(log size) reads).
  Frontier(NodeReader& nodes, std::uint64_t size);
  void append(const Hash& leaf, const OnNode& on_node = nullptr);
  std::uint64_t size() const noexcept { return size_; }
  Hash root() const;

 private:
  std::uint64_t size_ = 0;
  std::vector<Hash> stack_;  // perfect subtree roots, largest first
};

// ---- proofs as JSON (docs/formats/proofs.md) ------------------------------------------------

struct InclusionProof {
  std::uint64_t leaf_index = 0;
  std::uint64_t tree_size = 0;
  Hash leaf_hash{};
  std::vector<Hash> hashes;
  /// {"version":1,"leaf_index","tree_size","leaf_hash","hashes":[hex…]}
  std::string to_json() const;
  static InclusionProof from_json(std::string_view json);  ///< throws Error(parse)
};

struct ConsistencyProof {
  std::uint64_t first = 0;
  std::uint64_t second = 0;
  std::vector<Hash> hashes;
  /// {"version":1,"first","second","hashes":[hex…]}
  std::string to_json() const;
  static ConsistencyProof from_json(std::string_view json);  ///< throws Error(parse)
};

inline constexpr std::size_t kMaxProofHashes = 128;

/// One entry as the JSON object of `civitas audit log --json` (docs/audit.md): index, time_ms,
/// time (ISO 8601 UTC), actor, actor_dept, actor_user, action, resource, purpose, outcome,
/// details (object), entry (base64 of the canonical bytes), leaf_hash (hex).
std::string entry_json(const StoredEntry& e);
/// UTC milliseconds as "YYYY-MM-DDTHH:MM:SS.mmmZ".
std::string iso_time_ms(std::int64_t ms);

// ---- checkpoints: C2SP signed notes (docs/formats/checkpoint.md) ----------------------------

struct Checkpoint {
  std::string origin;
  std::uint64_t size = 0;
  Hash root{};
  std::vector<std::string> extensions;  ///< extra body lines, kept verbatim
  /// The note body: origin, size, base64 root, extension lines, each ending in '\n'.
  std::string body() const;
};

/// A note verifier key: "<name>+<hex key hash>+<base64(0x01 ‖ Ed25519 public key)>".
struct NoteVerifier {
  std::string name;
  std::uint32_t key_hash = 0;
  std::array<std::uint8_t, 32> public_key{};

  static NoteVerifier from_public_key(std::string_view name, const std::uint8_t* pk32);
  /// Throws Error(parse) naming the part that is wrong.
  static NoteVerifier parse(std::string_view text);
  std::string text() const;
};

/// First four bytes (big-endian) of SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key).
std::uint32_t note_key_hash(std::string_view name, const std::uint8_t* pk32);
/// Checks a key/log name: non-empty, printable ASCII or UTF-8 without spaces and '+'.
void check_note_name(std::string_view name);

/// Signs a checkpoint with an Ed25519 signing key; the signature line names `name`.
std::string sign_checkpoint(const Checkpoint& c, std::string_view name, const crypto::Key& key);
/// Verifies a signed note of any content: returns its text (ending in '\n') when a signature
/// by one of `verifiers` verifies. Errors: parse, unknown_key, bad_signature (a signature by
/// a known key that does not verify rejects the note).
std::string open_note(std::string_view note, const std::vector<NoteVerifier>& verifiers);
/// Parses a note without checking signatures (Error(parse) with the line).
Checkpoint parse_checkpoint(std::string_view note);
/// Adds a signature by `key` (a checkpoint key, as sign_checkpoint) to a signed note; its
/// existing signatures stay, so verifiers of either key accept it (C2SP signed-note
/// cosignatures). Used when a workspace's checkpoints move to a key of their own.
std::string cosign_checkpoint(std::string_view note, std::string_view name, const crypto::Key& key);
/// Parses a note and verifies it with one of `verifiers` (matched by name and key hash).
/// Errors: parse (malformed), unknown_key (no signature by a known key), bad_signature.
Checkpoint open_checkpoint(std::string_view note, const std::vector<NoteVerifier>& verifiers);

/// Witnessing another log: checks `older` and `newer` (both signed by `verifier`, same
/// origin) and that `proof` proves newer's tree extends older's. Returns the newer checkpoint.
/// Errors: parse, unknown_key, bad_signature, integrity ("not consistent").
Checkpoint check_consistency(std::string_view older_note, std::string_view newer_note,
                             const ConsistencyProof& proof, const NoteVerifier& verifier);

// ---- the stored log ---------------------------------------------------------------------------

struct Filter {
  std::optional<std::int64_t> since_ms;  ///< time ≥ since
  std::optional<std::int64_t> until_ms;  ///< time < until
  std::optional<std::string> actor_dept;
  std::optional<std::string> actor_user;
  std::optional<std::string> action;
  std::optional<std::string> resource;
  std::uint64_t from_index = 0;
  std::uint64_t limit = 0;  ///< 0 = no limit
};

/// A problem found by Log::verify. kind: "changed", "deleted", "inserted", "reordered",
/// "node", "checkpoint", "signature".
struct Problem {
  std::string kind;
  std::optional<std::uint64_t> index;  ///< the entry index, when one can be named
  std::string message;
};

struct VerifyReport {
  std::uint64_t entries = 0;
  std::uint64_t nodes = 0;
  std::uint64_t checkpoints = 0;
  Hash root{};
  std::vector<Problem> problems;
  bool ok() const noexcept { return problems.empty(); }
};

/// A report as the JSON object of `civitas audit verify --json`: ok, entries, nodes,
/// checkpoints, root (hex) and problems [{kind, index (or null), message}]. with_nodes = false
/// leaves out "nodes" (civ_audit_verify's report).
std::string verify_report_json(const VerifyReport& r, bool with_nodes = true);

/// Brings the audit log's tables in the store to this library's version (module "audit" of
/// table module_schema, docs/formats/workspace.md). Log's constructor calls it; idempotent.
void migrate(store::Store& db);

/// The audit log in a workspace database (tables audit_entry, audit_tile, audit_checkpoint;
/// docs/audit.md); constructing a Log migrates those tables when needed. Appends run in BEGIN IMMEDIATE transactions, so threads and processes
/// appending at once get one total order; an append that returned is committed.
struct LogStatements;

class Log {
 public:
  /// origin names the log in checkpoints (and is the note key name).
  Log(store::Store& db, std::string origin);
  ~Log();
  Log(const Log&) = delete;
  Log& operator=(const Log&) = delete;

  const std::string& origin() const noexcept { return origin_; }

  /// Appends one event in its own transaction; returns its index.
  std::uint64_t append(Event e);
  /// Appends events in one transaction; returns the first index (size before the batch).
  std::uint64_t append_batch(std::vector<Event> events);
  /// Appends inside a transaction the caller holds (store::Transaction on the same Store).
  std::uint64_t append_in_transaction(Event e);

  std::uint64_t size();
  Hash root(std::uint64_t size);

  /// Entries matching the filter, in index order. Each returned entry is checked against the
  /// tree (leaf hash, inclusion in the current root, current root consistent with the latest
  /// checkpoint); a mismatch throws Error(integrity) naming the index.
  std::vector<StoredEntry> query(const Filter& f);
  StoredEntry get(std::uint64_t index);

  /// size 0 means the current size.
  InclusionProof prove(std::uint64_t index, std::uint64_t size = 0);
  ConsistencyProof consistency(std::uint64_t first, std::uint64_t second = 0);

  /// The latest signed checkpoint note; signs (and stores) a new one when the tree grew
  /// since, or when there is none.
  std::string checkpoint(const crypto::Key& signing_key);
  /// The latest stored checkpoint note, if any (no signing).
  std::optional<std::string> latest_checkpoint();
  NoteVerifier verifier(const crypto::Key& signing_key) const;

  /// Recomputes everything from the entries; checks stored nodes and every stored checkpoint
  /// (signatures by `verifiers`), and `extra` checkpoints (e.g. given out earlier).
  VerifyReport verify(const std::vector<NoteVerifier>& verifiers,
                      const std::vector<std::string>& extra = {});

  /// A checkpoint of this log received back from someone: verifies its signature and that
  /// it is consistent with the current tree. Errors: bad_signature, unknown_key, integrity.
  Checkpoint check_received(std::string_view note, const std::vector<NoteVerifier>& verifiers);

 private:
  std::uint64_t append_locked(std::vector<Event>& events);
  LogStatements& statements();  // prepared once, used under the Store's mutex
  store::Store& db_;
  std::string origin_;
  std::unique_ptr<LogStatements> stmts_;
};

}  // namespace civitas::audit
