// civitas::workspace — a department's workspace: one SQLCipher file (the store) plus a small
// plaintext header file beside it (<path>.header), holding the department's identity, its
// keyring and the peer directory. The object behind the C API's civ_ctx.
//
// Key hierarchy (docs/workspace.md, docs/formats/workspace.md):
//   key source (passphrase → Argon2id, or a raw 32-byte key) = master key M
//   M → crypto_kdf subkey "civhead1" wraps the random workspace key W in the header
//   W → crypto_kdf subkey "civpage1" = SQLCipher page key (raw key)
//   W → crypto_kdf subkey "civkeyr1" wraps every keyring key in the database
// Changing the master key re-wraps W only: no page, key or data is re-encrypted.
//
// Thread safety: every member function may be called from many threads at once. Many
// processes may open the same workspace; writers take the database's write lock
// (BEGIN IMMEDIATE) and wait up to the busy timeout.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "civitas/audit.hpp"
#include "civitas/catalog.hpp"
#include "civitas/crypto.hpp"
#include "civitas/deid.hpp"
#include "civitas/package.hpp"
#include "civitas/policy.hpp"
#include "civitas/ids.hpp"
#include "civitas/store.hpp"

namespace civitas::workspace {

/// Argon2id cost of a passphrase. Defaults: 3 passes over 64 MiB (see docs/workspace.md).
struct KdfParams {
  std::uint64_t opslimit = 3;
  std::size_t memlimit = 64u << 20;
};

/// Where the master key comes from. Holds its secret in locked memory.
class KeySource {
 public:
  /// A passphrase (UTF-8, not empty); Argon2id with kdf turns it into the master key.
  static KeySource passphrase(std::string_view pass, KdfParams kdf = {});
  /// A raw 32-byte master key from the caller's KMS/HSM.
  static KeySource raw_key(crypto::SecretBytes key32);
  /// A raw master key as 64 hexadecimal characters.
  static KeySource raw_key_hex(std::string_view hex64);

  bool is_passphrase() const noexcept { return passphrase_; }
  const crypto::SecretBytes& secret() const noexcept { return secret_; }
  const KdfParams& kdf() const noexcept { return kdf_; }

 private:
  bool passphrase_ = false;
  crypto::SecretBytes secret_;
  KdfParams kdf_;
};

struct CreateOptions {
  std::string department;  ///< USCC of the department (validated); may be empty
  std::string name;        ///< human-readable department name
  int busy_timeout_ms = 10000;
};

struct OpenOptions {
  int busy_timeout_ms = 10000;
  /// Read-only and without audit (issue 16: the workspace each Spark executor opens; the
  /// driver writes the job's one audit entry): the database is opened read-only, nothing is
  /// migrated (a workspace that needs it fails with Error(unsupported_version)) and no audit
  /// sink is installed, so actions that only read (encrypt, decrypt, tokenize, detokenize,
  /// identity keys, sign, verify) write no entry: the CALLER records what it did. Anything
  /// that writes the database (rotate, imports, packages, catalog, …) fails with
  /// Error(denied) before it changes anything.
  bool read_only = false;
};

/// One audited action as the workspace reports it to its AuditSink (docs/audit.md lists them).
struct AuditRecord {
  std::string_view action;        ///< e.g. "key.rotate", "package.open"
  std::string_view resource;      ///< key id, package id, department…
  std::string_view details_json;  ///< a JSON object; never contains secrets
  std::string_view purpose;       ///< purpose of use, may be empty
  std::string_view outcome = "ok";  ///< "ok", "intent", or the error code of a refusal
};

/// The seam between the workspace and its audit log. Every sensitive action is one Workspace
/// method that calls record() INSIDE the action's own write transaction (a store::Transaction
/// on store(), held by the calling thread): the sink writes its entry through that store (a
/// nested store::Transaction is a savepoint of it), so that the action and its entry commit
/// together or not at all. An exception from record() rolls the action back and propagates to
/// the caller. A refusal is recorded in a transaction of its own (there is no action to
/// commit). Implementations must be thread-safe.
class AuditSink {
 public:
  virtual ~AuditSink() = default;
  virtual void record(const AuditRecord& r) = 0;
};

struct Info {
  std::string path;
  std::string workspace_id;  ///< 32 hex digits, random at creation
  std::string department;
  std::string name;
  std::int64_t created = 0;
  int schema_version = 0;    ///< version of the workspace module's tables (table module_schema)
  std::string key_source;    ///< "passphrase" or "raw"
};

/// A key without its secret.
struct KeyInfo {
  crypto::KeyId id{};
  crypto::Purpose purpose = crypto::Purpose::field;
  std::string algorithm;
  std::int64_t created = 0;
  crypto::Status status = crypto::Status::active;
  std::vector<std::uint8_t> public_key;
  std::string id_hex() const { return crypto::key_id_hex(id); }
};

/// A public key of another department, from its export-public document.
struct Peer {
  std::string department;  ///< USCC
  std::string name;
  crypto::KeyId key_id{};
  crypto::Purpose purpose = crypto::Purpose::signing;
  std::string algorithm;
  std::vector<std::uint8_t> public_key;
  /// primary | active | retired as the department's last key document lists it, or
  /// superseded | compromised once a key document revoked it (docs/workspace.md, "Rotation and
  /// revocation of a department's keys").
  std::string status;
  std::int64_t imported = 0;
  /// superseded: packages whose signed creation time is at or after this (Unix seconds) are
  /// refused; 0 otherwise.
  std::int64_t revoked = 0;
};

class PackageWriter;
class PackageReader;

class Workspace {
 public:
  /// Creates the database and its header with a fresh keyring (one primary key per purpose).
  /// Errors: exists, invalid_argument (bad key source), invalid_data (department not a valid
  /// USCC), io.
  static std::unique_ptr<Workspace> create(const std::string& path, const KeySource& key,
                                           const CreateOptions& opts = {});
  /// Opens an existing workspace. Errors: not_found, wrong_key ("wrong key, or not a civitas
  /// workspace"), integrity, unsupported_version, busy, io.
  static std::unique_ptr<Workspace> open(const std::string& path, const KeySource& key,
                                         const OpenOptions& opts = {});
  /// The header file of a workspace database: path + ".header".
  static std::string header_path(const std::string& db_path);

  ~Workspace();
  Workspace(const Workspace&) = delete;
  Workspace& operator=(const Workspace&) = delete;

  Info info() const;

  // ---- keyring ----
  std::vector<KeyInfo> keys() const;
  /// Makes a new primary key of a purpose; the old primary becomes active (still decrypts
  /// and verifies). Audited as "key.rotate".
  KeyInfo rotate(crypto::Purpose p);
  /// Erases a key's secret for good (status destroyed). The primary key of a purpose cannot
  /// be destroyed (rotate first): Error(denied). Audited as "key.destroy" (refusals too).
  void destroy_key(const crypto::KeyId& id);
  /// Re-wraps the workspace key under a new master key (passphrase or raw). Nothing else is
  /// re-encrypted. Atomic: the header is replaced by rename. Audited as
  /// "workspace.change_master": an "intent" entry commits first, the "ok" entry in the
  /// transaction that replaces the header (docs/audit.md, "Atomicity").
  void change_master(const KeySource& next);
  /// Re-reads the keyring (sees rotations made by other processes).
  void refresh();
  /// A snapshot of the keyring (immutable; safe to use from any thread).
  std::shared_ptr<const crypto::Keyring> keyring() const;

  /// Adds a shared identity-key secret (32 bytes) as the primary identity key, so that
  /// departments holding the same secret derive equal identity keys. Audited "key.import".
  KeyInfo import_identity_secret(const crypto::SecretBytes& secret,
                                 const crypto::Suite& suite = crypto::default_suite());
  /// The primary identity-key secret sealed to a peer department's exchange key, for
  /// import_identity_secret_sealed() there. Audited as "key.share" (refusals too: unknown
  /// peer, own department).
  std::vector<std::uint8_t> share_identity_secret(std::string_view department) const;
  /// Imports a secret sealed by share_identity_secret() of another department. Audited as
  /// "key.import" (refusals too: not sealed to this workspace, not an identity secret).
  KeyInfo import_identity_secret_sealed(const std::uint8_t* box, std::size_t n);

  // ---- peer directory ----
  /// This department's public-key document (docs/formats/workspace.md, version 3): its
  /// signing and exchange keys, the keys it revoked (destroyed ones as superseded, those given
  /// to revoke_key() with their reason), a sequence number that grows when that content
  /// changes, and a signature by every primary or active signing key. Audited as
  /// "keys.export_public". Error(invalid_argument) when the workspace has no department.
  std::string export_public() const;
  /// Imports another department's key document; returns its department id. A department not
  /// yet known is added (its document's self-signature checked; authenticity is established
  /// out of band). For a known department the document must be version 3, have a higher
  /// sequence number than the last one imported and be signed by a key the directory trusts
  /// for it (primary or active, not revoked); it then replaces the department's keys, and the
  /// keys it revokes or no longer lists become superseded / compromised. The same document
  /// again changes nothing. `replace` skips those rules for a known department (after an out
  /// of band check): its keys are replaced by the document's. Errors: parse, invalid_data,
  /// bad_signature (not self-signed, or no trusted signature), denied (older sequence, version
  /// 1/2 for a known department), invalid_argument (own department), integrity (the directory
  /// was changed outside civitas). Audited as "peer.import" (refusals too; replace: true).
  std::string import_public(std::string_view json, bool replace = false);
  /// Marks one of this department's signing or exchange keys (not the primary) as revoked
  /// with `reason` "superseded" or "compromised"; the next export_public() lists it under
  /// "revoked" and signs with it no more. Destroyed keys are listed as superseded without
  /// this. Errors: invalid_argument, not_found, denied (primary; compromised already).
  /// Audited as "key.revoke" (refusals too).
  void revoke_key(const crypto::KeyId& id, std::string_view reason);
  /// Removes a department and all its keys from the peer directory. Error(not_found).
  /// Audited as "peer.remove" (refusals too).
  void remove_peer(std::string_view department);
  /// The peer directory (one department or all), each key with its status. Error(integrity)
  /// when the directory does not match its MAC.
  std::vector<Peer> peers(std::string_view department = {}) const;

  // ---- exchange packages (docs/formats/package.md); audited, refusals included ----
  /// Starts a package from this department (provider, primary signing key) to `consumers`
  /// (USCCs whose public keys were imported), written to `path` through a temporary file.
  /// opts carries the envelope fields and tuning (catalog, purpose, approval, request_hash,
  /// package_id, created, chunk_size, level, threads, window_log); its provider, signing_key
  /// and recipients must be left empty (Error(invalid_argument)): the workspace fills them and
  /// reserves the next sequence number of each pair. PackageWriter::finish() commits the
  /// "package.create" entry before the package is complete. A refusal (unknown consumer,
  /// I/O…) is recorded as "package.create" with its error code. The writer must not outlive
  /// the workspace.
  std::unique_ptr<PackageWriter> create_package(const std::string& path, const std::vector<std::string>& consumers,
                                                const package::WriterOptions& opts = {});
  /// The same, streaming the package bytes to `sink` as they are produced; the trailer (the
  /// last 120 bytes, without which no reader accepts the package) goes to the sink only after
  /// the "package.create" entry committed.
  std::unique_ptr<PackageWriter> create_package_stream(package::PackageWriter::Sink sink,
                                                       const std::vector<std::string>& consumers,
                                                       const package::WriterOptions& opts = {});
  /// Opens a package addressed to this department into out_dir (package::open with the
  /// keyring, the peer directory and the replay memory). The sequence number is recorded and
  /// the "package.open" entry appended in ONE transaction, committed before out_dir appears;
  /// if out_dir then cannot appear, both are withdrawn (the sequence number is released). A
  /// refusal is recorded as "package.open" with its error code and never consumes the
  /// sequence number. Errors: those of package::open.
  package::Summary open_package(const std::string& path, const std::string& out_dir,
                                 const package::OpenOptions& opts = {});
  /// The same for bytes fed as they arrive (PackageReader::feed / finish).
  std::unique_ptr<PackageReader> open_package_stream(const std::string& out_dir, const package::OpenOptions& opts = {});
  /// Checks a package's signatures against the peer directory (and this workspace's own
  /// signing keys) without decrypting anything. Not audited (nothing is revealed or changed).
  package::Summary verify_package(const std::string& path);

  // ---- catalog (civitas/catalog.hpp) ----
  /// Validates and stores a catalog entry as the next version of its resource code, with a
  /// "catalog.add" entry in the same transaction (none when the entry equals the latest
  /// version: nothing changed). Errors: invalid_data naming the first broken rule.
  catalog::StoredEntry catalog_add(const nlohmann::json& entry, const catalog::CatalogConfig& cfg = {});

  // ---- classification and policy decisions (civitas/classify.hpp, civitas/policy.hpp) ----
  /// Records a graded scan ({"columns": [...], "level"}, policy::to_json) as the latest
  /// classification of a stored catalog entry, re-graded by `p` (schema-sourced columns keep
  /// their category and level), with its "classify.record" audit entry in the same transaction
  /// (details: resource code, seq, level, policy id and digest, columns). Refusals are recorded:
  /// not_found (no such catalog entry), invalid_data (a scan that is not that shape).
  policy::StoredClassification record_classification(const std::string& resource_code, const nlohmann::json& scan,
                                                     const policy::Policy& p);
  /// The sharing (or, with r.open, opening) decision for a stored catalog entry: its table level
  /// from the latest recorded classification, else from `schema`'s annotations when given, else
  /// from the entry's own "schema" member; unclassified tables are denied. Writes one
  /// "policy.decide" audit entry (outcome ok or denied, purpose = r.purpose) before it returns.
  /// Errors (recorded as refusals): not_found (no such entry), invalid_argument (consumer, purpose).
  policy::Decision decide(const policy::Request& r, const policy::Policy& p,
                          const schema::TableSchema* schema = nullptr);


  // ---- de-identification runs (civitas/deid.hpp) ----
  /// `civitas deid run` with this workspace (docs/deid.md): the keyring's primary identity
  /// and token keys serve the keyed actions, and the run is audit-logged as "deid.run"
  /// (resource: the output path; details: spec, input and output SHA-256, suppressed records,
  /// levels, the risk after). The output file is written (temp + rename) before the entry
  /// commits; when the entry cannot be written the output is removed and the error thrown, so
  /// that no output exists without its entry. `options`: {"delimiter": ",", "encoding": "",
  /// "drop_suppressed": false}. Returns the report (docs/formats/deid-report.md) with
  /// "audit": {"action", "seq"?}. Errors: as deid::run_files; a refused run is audited with
  /// its error.
  nlohmann::json deid_run(std::string_view spec_json, const std::string& spec_dir, const std::string& in_path,
                          const std::string& out_path, const nlohmann::json& options = nlohmann::json::object());


  // ---- differential-privacy budgets (civitas/deid.hpp, docs/formats/workspace.md) ----
  /// Sets the total privacy budget (epsilon, delta; decimal text) of a dataset, a resource code
  /// of this workspace's catalog. Releases already paid stay spent; a total below them refuses
  /// every further release. Audited as "dp.budget" with the previous total (refusals too).
  /// Errors: not_found (no such catalog entry), invalid_argument (amounts).
  deid::DpBudget dp_set_budget(std::string_view dataset, std::string_view epsilon, std::string_view delta = "0");
  /// The budget of a dataset. Error(not_found) when none was set. Not audited.
  deid::DpBudget dp_budget(std::string_view dataset) const;
  /// Every dataset's budget, by resource code.
  std::vector<deid::DpBudget> dp_budgets() const;
  /// One differentially private release (deid::dp_compute with libsodium randomness) paid
  /// from the dataset's budget: the budget check, the spend (a row of deid_dp_release holding
  /// the query and the result) and the "dp.release" audit entry commit in ONE transaction,
  /// before the result is returned. Refused, with nothing computed or released, when the
  /// dataset has no budget or the release would overspend it (Error(denied)); refusals and
  /// invalid queries are recorded as "dp.release" with their error code. The result JSON gets
  /// "budget" (the dataset's budget after the release) and "release" (its number).
  deid::DpRelease dp_release(const deid::DpQuery& q, const deid::DpInput& in);


  // ---- backup and restore (docs/formats/backup.md) ----
  /// An X25519 recovery key (docs/formats/backup.md, "Recovery keys"): backups are encrypted to
  /// its public key; only its secret opens them. secret is empty for a public key.
  struct RecoveryKey {
    crypto::KeyId id{};                   ///< BLAKE2b-64("civitas key id v1" || public_key)
    std::vector<std::uint8_t> public_key;  ///< 32 bytes
    crypto::SecretBytes secret;           ///< 32 bytes, or empty
    RecoveryKey() = default;
    RecoveryKey(const RecoveryKey& o) : id(o.id), public_key(o.public_key), secret(o.secret.clone()) {}
    RecoveryKey& operator=(const RecoveryKey& o) {
      if (this != &o) {
        id = o.id;
        public_key = o.public_key;
        secret = o.secret.clone();
      }
      return *this;
    }
    RecoveryKey(RecoveryKey&&) noexcept = default;
    RecoveryKey& operator=(RecoveryKey&&) noexcept = default;
    std::string id_hex() const { return crypto::key_id_hex(id); }
    /// The public-key file (R.key.pub) and the private-key file (R.key), JSON text.
    std::string public_text() const;
    std::string secret_text() const;  ///< Error(invalid_argument) for a public key
    /// Parses either file; `where` names it in errors. Errors: parse, unsupported_version,
    /// invalid_data (key id does not match, secret does not match the public key).
    static RecoveryKey parse(std::string_view text, const std::string& where);
  };
  static RecoveryKey generate_recovery_key();
  /// Generates a recovery key and writes `path` (the private key, mode 0600) and
  /// `path + ".pub"`; neither may exist (Error(exists)). Returns the key without its secret.
  static RecoveryKey write_recovery_key(const std::string& path);
  /// Reads a recovery-key file (private or public; at most 64 KiB). Errors: not_found, io,
  /// and those of RecoveryKey::parse.
  static RecoveryKey read_recovery_key(const std::string& path);

  struct BackupOptions {
    std::string backup_id;              ///< default: 32 random hex digits
    std::size_t chunk_size = 1u << 20;  ///< plaintext bytes per secretstream chunk (4 KiB … 16 MiB)
  };
  /// What a backup file says about itself (its header), once checked.
  struct BackupInfo {
    std::string path;
    std::string backup_id;
    std::int64_t created = 0;
    std::string workspace_id, department, name;
    std::string signer_key_id;       ///< 16 hex
    std::string audit_origin;
    std::uint64_t audit_size = 0;
    std::string audit_root;          ///< 64 hex
    std::string audit_checkpoint;    ///< the signed checkpoint note of the snapshot
    std::uint64_t snapshot_bytes = 0;
    std::uint64_t file_bytes = 0;
    std::vector<std::string> recipients;  ///< recovery key ids (16 hex)
  };
  /// Takes an online, consistent snapshot of the database (SQLite's backup API on a second
  /// connection, one read transaction: other connections and processes keep writing) and
  /// writes it, with the workspace key, as ONE file encrypted to `recipients` and signed with
  /// the department's primary signing key (docs/formats/backup.md). The file is written as
  /// `<path>.tmp-<backup id>` and renamed to `path` only once complete and fsync'd; the
  /// "backup.create" entry commits before the rename (refusals are recorded too). Errors:
  /// invalid_argument (no recipient, duplicate, bad options), exists (path exists), io, busy.
  BackupInfo backup(const std::string& path, const std::vector<RecoveryKey>& recipients,
                    const BackupOptions& opts);
  BackupInfo backup(const std::string& path, const std::vector<RecoveryKey>& recipients);
  /// Checks a backup file without restoring it or decrypting anything: layout, header, both
  /// signatures (against this workspace's signing keys) and the hash of every byte. Errors:
  /// integrity / truncated / bad_signature (tampered), unknown_key (not signed by this
  /// workspace), parse, unsupported_version, io. Not audited.
  BackupInfo verify_backup(const std::string& path) const;
  /// The same against a department's public-key document (civitas keys export-public).
  static BackupInfo verify_backup_with(const std::string& path, std::string_view key_document);

  struct RestoreOptions {
    /// The department's public-key document: the backup must be signed by one of its signing
    /// keys (checked before anything is decrypted). Empty: the signing keys inside the backup
    /// itself are used (integrity, not origin; docs/recovery.md).
    std::string key_document;
    /// The latest checkpoint of the old log that a witness holds (a signed note), if any.
    std::string witness_checkpoint;
    int busy_timeout_ms = 10000;
  };
  /// Rebuilds a workspace at `path` (which must not exist) from a backup: decrypts it with the
  /// recovery key, checks both signatures, the database and its audit log against every
  /// checkpoint it holds (and the witness checkpoint), wraps the workspace key under
  /// `new_master`, and starts a new audit epoch (a new origin) whose first entry,
  /// "backup.restore", names the old origin, its last checkpoint and the entries lost. A
  /// durable row of table restored_from records it (docs/formats/backup.md). Errors: exists,
  /// not_recipient (no stanza for this recovery key), integrity / truncated / bad_signature
  /// (tampered), unknown_key, parse, unsupported_version, io.
  static std::unique_ptr<Workspace> restore(const std::string& backup_path, const RecoveryKey& recovery_key,
                                            const std::string& path, const KeySource& new_master,
                                            const RestoreOptions& opts);
  static std::unique_ptr<Workspace> restore(const std::string& backup_path, const RecoveryKey& recovery_key,
                                            const std::string& path, const KeySource& new_master);


  // ---- key escrow and provider sequence statements (docs/operations.md) ----
  /// Splits the workspace key W (the key the header wraps under the master key, so shares
  /// outlive change_master() and serve passphrase workspaces too) into `shares` Shamir shares
  /// over GF(2^8), any `threshold` of which rebuild it (docs/formats/escrow-share.md). Returns
  /// the share documents (JSON text, share i at [i-1]), each with the workspace id, the
  /// escrow set's id, a key check and a checksum. 1 <= threshold <= shares <= 255, else
  /// Error(invalid_argument). Audited as "keys.escrow" (escrow_id, shares, threshold),
  /// committed before the shares are returned.
  std::vector<crypto::SecretBytes> escrow_key(unsigned shares, unsigned threshold);
  /// Rebuilds the workspace key of the workspace at `path` from share documents of one
  /// escrow_key() set (any threshold of them; more are checked too), without the master key,
  /// and wraps it under `next` (the header is replaced atomically, as change_master() does;
  /// written anew when it is missing: the shares name the workspace, the database must agree).
  /// Errors (nothing is changed): parse (not a share), integrity (a share's checksum fails),
  /// invalid_data (a share of another workspace or escrow set, the same share twice),
  /// invalid_argument (fewer shares than the threshold), wrong_key (the shares do not
  /// rebuild the key of this workspace). Audited in the workspace once it is open with the
  /// rebuilt key: "workspace.recover_key" with outcome "intent", then "ok" in the
  /// transaction that replaces the header (refusals before that are not in the log: it
  /// cannot be opened without the key). Returns the workspace, open.
  static std::unique_ptr<Workspace> recover_key(const std::string& path, const std::vector<crypto::SecretBytes>& shares,
                                                const KeySource& next, const OpenOptions& opts = {});
  /// A statement, signed with this department's primary signing key, of the last sequence
  /// number this workspace reserved for packages to `consumer` (0 when none), for the
  /// consumer to import after it restored a backup (docs/formats/sequence-statement.md).
  /// Audited as "package.statement". Errors: invalid_argument (no department, bad USCC).
  std::string sequence_statement(std::string_view consumer);
  /// Imports a provider's sequence statement: checked against the peer directory (a signing
  /// key of the provider, primary or active, not revoked), addressed to this department,
  /// dated no earlier than 10 minutes before require_sequence_statements() ran. From then on
  /// packages from that provider with sequence numbers <= the stated one are refused (replay)
  /// and greater ones accepted. Returns the provider's USCC. Errors: parse, unsupported_version,
  /// bad_signature, unknown_key, invalid_data (other consumer), denied (too old, or lower
  /// than a statement already imported). Audited as "package.import_statement" (refusals too).
  std::string import_sequence_statement(std::string_view json);
  /// After a restore: every provider (in the peer directory or not) awaits a sequence
  /// statement; open_package refuses its packages (denied, naming `civitas package
  /// import-statement`) until one is imported. Durable and MACed like the replay memory.
  /// Audited as "package.require_statements" (the peers then in the directory).
  void require_sequence_statements();
  /// The providers in the peer directory that still await a statement (empty when none).
  std::vector<std::string> awaiting_statements() const;


  // ---- open-data publishing (docs/publish.md, docs/formats/publication.md) ----
  /// What to publish. `resource`: a catalog entry of this workspace; `schema_json`: the Table
  /// Schema of the table as collected; `policy_json`: "" = the bundled city policy;
  /// `spec_json`: "" = the de-identification spec derived from the policy's obligations, else a
  /// deid spec (hierarchy paths relative to `spec_dir`).
  struct PublishOptions {
    std::string resource;
    std::string schema_json;
    std::string policy_json;
    std::string spec_json;
    std::string spec_dir = ".";
    std::string encoding;   ///< "" = UTF-8
    char delimiter = ',';
    /// Called between the steps: step name ("validate", "classify", "decide", "deidentify",
    /// "risk", "write", "sign") and the share of the job done, in [0, 1]. May be null. An
    /// exception it throws stops the job (nothing is left behind).
    std::function<void(std::string_view step, double done)> progress;
  };
  /// A publication refused (docs/publish.md, "Refusals"): an Error(denied) whose `reason` is
  /// "policy" (the policy does not allow opening, or a spec weaker than its obligations),
  /// "risk" (re-identification risk above the threshold after the transforms) or "identifier"
  /// (a column graded as an identifier that nothing removes or transforms), or an
  /// Error(invalid_data) with reason "invalid" (the table does not conform to its schema);
  /// `column` and `rule` name what broke (either may be empty).
  class PublishRefused : public Error {
   public:
    PublishRefused(std::string reason, std::string column, std::string rule, const std::string& message,
                   Code code = Code::denied)
        : Error(code, message, Location{{}, column.empty() ? std::nullopt : std::optional<std::string>(column), {}, {}}),
          reason(std::move(reason)), column(std::move(column)), rule(std::move(rule)) {}
    std::string reason, column, rule;
  };
  /// The publishing job, ONE audited call: validate `data_path` against the schema (errors:
  /// Error(invalid_data) with the first problem) → classify and record the classification
  /// (audited "classify.record") → the policy's opening decision (audited "policy.decide") →
  /// de-identify (the obligations, or opts.spec_json) → risk check against the policy's
  /// threshold → write `out_dir` (docs/formats/publication.md: the CSV in UTF-8,
  /// datapackage.json, dcat.jsonld, deid-report.json, deid-report.html, manifest.json signed
  /// with the primary signing key), built under a temporary name next to it and renamed only
  /// when complete, in the transaction of the "publish.run" audit entry. Nothing is left
  /// behind on a refusal or an error (recorded as "publish.run" with the error code).
  /// Errors: PublishRefused, exists (out_dir exists), not_found (no such catalog entry),
  /// invalid_data, parse, io, invalid_argument. Returns the summary (docs/publish.md).
  nlohmann::json publish(const std::string& data_path, const std::string& out_dir, const PublishOptions& opts);
  /// Checks a publication directory: the manifest's signature by a signing key this workspace
  /// knows (its own, or a peer's: a superseded peer key for publications dated before its
  /// revocation; never a compromised one) and every file's size and SHA-256, with no file left
  /// out. Errors: bad_signature, unknown_key, denied (revoked key), integrity (a file changed,
  /// missing or not listed), parse, unsupported_version, not_found. Not audited. Returns
  /// {"resource","department","created","key_id","signer","files"}.
  nlohmann::json verify_publication(const std::string& dir) const;
  /// The same against a department's public-key document (civitas keys export-public) alone.
  static nlohmann::json verify_publication_with(const std::string& dir, std::string_view key_document);


  // ---- primitives with the keyring ----
  std::vector<std::uint8_t> encrypt_field(std::string_view plaintext, const crypto::FieldContext& ctx) const;
  std::string decrypt_field(const std::uint8_t* ct, std::size_t n, const crypto::FieldContext& ctx) const;
  void encrypt_column(std::string_view resource, std::string_view field, const crypto::ColumnView& values,
                      const crypto::ColumnView* records, crypto::Column& out) const;
  void decrypt_column(std::string_view resource, std::string_view field, const crypto::ColumnView& cts,
                      const crypto::ColumnView* records, crypto::Column& out) const;
  std::vector<std::uint8_t> tokenize(std::string_view plaintext, std::string_view domain = {}) const;
  std::string detokenize(const std::uint8_t* tok, std::size_t n, std::string_view domain = {}) const;
  /// Reverses a column of tokens of one domain: ONE "token.reverse" audit entry for the whole
  /// column (domain, values: its count), committed before the values are returned. A bad
  /// token throws Error with Location{row = index + 1} and nothing is recorded as revealed.
  void detokenize_column(const crypto::ColumnView& tokens, std::string_view domain, crypto::Column& out) const;
  /// A keyer for one domain with the primary identity key (reuse it for many values).
  std::unique_ptr<crypto::IdentityKeyer> identity_keyer(std::string_view domain) const;
  std::string identity_key(ids::Kind kind, std::string_view identifier, std::string_view domain) const;
  /// Detached Ed25519 signature with the primary signing key; *key_id receives its id.
  crypto::Signature sign(const void* msg, std::size_t n, crypto::KeyId* key_id = nullptr) const;
  /// Verifies with any signing key of a department (empty or own: this workspace's keys).
  [[nodiscard]] bool verify(std::string_view department, const void* msg, std::size_t n,
                            const crypto::Signature& sig) const;
  /// Seals to a department's primary exchange key (own department when empty).
  std::vector<std::uint8_t> seal_to(std::string_view department, const void* msg, std::size_t n) const;
  std::string unseal(const std::uint8_t* box, std::size_t n) const;

  // ---- plumbing ----
  /// Installs the audit sink (Workspace::create and ::open install the workspace's audit log).
  void set_audit_sink(std::shared_ptr<AuditSink> sink);
  store::Store& store() noexcept;
  /// Full integrity check of the database; Error(integrity) when damaged.
  void check_integrity();

  struct Impl;  ///< internal (core/workspace/impl.hpp)

 private:
  explicit Workspace(std::unique_ptr<Impl> impl);
  std::string import_public_checked(std::string_view json, std::string& department, bool replace);
  std::vector<std::uint8_t> share_identity_checked(std::string_view department) const;
  KeyInfo import_identity_sealed_checked(const std::uint8_t* box, std::size_t n);
  std::unique_ptr<Impl> impl_;
  friend class PackageWriter;
  friend class PackageReader;
};

/// A package being written by Workspace::create_package / create_package_stream. Used by one
/// thread at a time; must not outlive its workspace. Destroyed unfinished, the package is
/// removed (file) or left without its trailer (stream), and nothing is recorded.
class PackageWriter {
 public:
  ~PackageWriter();
  PackageWriter(const PackageWriter&) = delete;
  PackageWriter& operator=(const PackageWriter&) = delete;

  void begin_resource(const std::string& name, const nlohmann::json& schema = nullptr, const std::string& format = "csv");
  void write(const void* data, std::size_t n);
  void end_resource();
  void add_file(const std::string& name, const std::string& path, const nlohmann::json& schema = nullptr,
                const std::string& format = "csv");
  /// Completes the package: the "package.create" entry (consumers, sequences, catalog,
  /// purpose, bytes, resources) commits first, then the trailer is written and the file
  /// renamed into place. A failure is recorded as "package.create" with its error code.
  package::Summary finish();
  const std::string& package_id() const noexcept;

  struct Impl;  ///< internal

 private:
  friend class Workspace;
  explicit PackageWriter(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

/// A package being read by Workspace::open_package_stream. A refusal (an exception from
/// feed() or finish()) removes everything written, is recorded as "package.open" with its
/// error code, and ends the reader (later calls: Error(invalid_argument)).
class PackageReader {
 public:
  ~PackageReader();
  PackageReader(const PackageReader&) = delete;
  PackageReader& operator=(const PackageReader&) = delete;

  void feed(const void* data, std::size_t n);
  /// Checks the end of the package; records the sequence number and the "package.open" entry
  /// in one transaction, then lets the output directory appear.
  package::Summary finish();
  /// The verified header once enough bytes were fed (nullptr before, and after a refusal).
  const package::Header* header() const noexcept;

  struct Impl;  ///< internal

 private:
  friend class Workspace;
  explicit PackageReader(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace civitas::workspace

namespace civitas::audit {

// ---- the log of a workspace -------------------------------------------------------------------

/// A workspace's audit log: a Log over the workspace database with origin
/// "civitas/audit/<department USCC or workspace id>", checkpoints signed with the workspace's
/// primary checkpoint key (a key that signs nothing else), and the workspace's sensitive actions recorded through its AuditSink.
class WorkspaceLog {
 public:
  /// Opens the log of `ws` (which must outlive it) and installs it as the workspace's audit
  /// sink (replacing any earlier one), so that key rotation/destruction, decryption, token
  /// reversal… are appended with actor (department, user). user defaults to $CIVITAS_USER, else
  /// "os:<login name>". When the log is empty, its first entry records the workspace's
  /// creation (workspace.create). Workspace::create and ::open call this.
  static std::shared_ptr<WorkspaceLog> attach(workspace::Workspace& ws, std::string user = {});
  /// The log of `ws` without installing a sink or recording anything (for API calls on a
  /// workspace that attach() already hooked up).
  static std::shared_ptr<WorkspaceLog> open(workspace::Workspace& ws);
  ~WorkspaceLog();

  Log& log() noexcept;
  const std::string& department() const noexcept;
  const std::string& user() const noexcept;
  /// Signs a checkpoint with the primary checkpoint key when the tree grew; returns the latest.
  std::string checkpoint();
  /// The note-verifier key of the primary checkpoint key.
  NoteVerifier verifier() const;
  /// Verifiers of every checkpoint key the workspace has (rotated keys included, destroyed
  /// keys never).
  std::vector<NoteVerifier> verifiers() const;
  /// Log::verify with verifiers().
  VerifyReport verify(const std::vector<std::string>& extra = {});

  struct State;

 private:
  explicit WorkspaceLog(std::shared_ptr<State> s);
  void cosign_stored();
  std::shared_ptr<State> s_;
};

}  // namespace civitas::audit
