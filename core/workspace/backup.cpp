// Backup and restore (docs/formats/backup.md, docs/recovery.md): Workspace::backup,
// verify_backup, restore, and the audit epoch a restore starts. The file format's parts are
// in backup_file.cpp, the recovery keys in recovery_key.cpp.
#define OPENSSL_SUPPRESS_DEPRECATED 1
#define SQLITE_HAS_CODEC 1
#include "backup.hpp"
#include "backup_file.hpp"

#include <fcntl.h>
#include <openssl/sha.h>
#include <sodium.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>

#include "civitas/audit.hpp"
#include "civitas/error.hpp"
#include "civitas/json.hpp"
#include "header.hpp"
#include "impl.hpp"

namespace civitas::workspace {

using namespace backup_file;

using nlohmann::json;
namespace c = civitas::crypto;

namespace {

// ---- the snapshot ---------------------------------------------------------------------------

// SQLite's online backup from a second connection to the live file into `dest`, a new
// SQLCipher file under the same page key: one sqlite3_backup_step(-1) holds one read
// transaction, so the copy is the database as of one commit while others keep writing (WAL).
// SQLCipher decrypts each page of the source and encrypts it again for the destination.
void snapshot(const std::string& live, const std::string& dest, const c::SecretBytes& page_key, int busy_ms) {
  store::Store src(live, page_key, store::OpenOptions{false, busy_ms});
  store::OpenOptions dopt;
  dopt.create = true;
  store::Store dst(dest, page_key, dopt);
  // The copy is written once, straight into the file (no WAL to checkpoint afterwards, no
  // fsync per step): it is a temporary file, and the backup file made from it is fsync'd.
  dst.exec("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;");
  for (int attempt = 0;; ++attempt) {
    sqlite3_backup* b = sqlite3_backup_init(dst.handle(), "main", src.handle(), "main");
    if (!b) dst.fail(sqlite3_errcode(dst.handle()), "starting the backup");
    int rc = sqlite3_backup_step(b, -1);
    int fin = sqlite3_backup_finish(b);
    if (rc == SQLITE_DONE && fin == SQLITE_OK) return;
    if ((rc == SQLITE_BUSY || rc == SQLITE_LOCKED) && attempt * 10 < busy_ms) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
      continue;
    }
    src.fail(rc == SQLITE_DONE ? fin : rc, "copying the database (backup API)");
  }
}

std::uint64_t file_size_of(const std::string& p) {
  struct stat st;
  if (::stat(p.c_str(), &st) != 0) io_error("cannot stat", p);
  return static_cast<std::uint64_t>(st.st_size);
}

// ---- the backup tables (module "backup" of module_schema) -----------------------------------

const std::vector<store::Migration>& backup_migrations() {
  static const std::vector<store::Migration> m = {
      {1, "restored_from: the restores this workspace went through; backup_epoch_checkpoint",
       R"sql(
CREATE TABLE restored_from(
  epoch             INTEGER PRIMARY KEY,   -- the audit epoch the restore started (2, 3, ...)
  backup_id         TEXT NOT NULL,
  backup_created    INTEGER NOT NULL,      -- Unix seconds, from the backup's header
  restored_ms       INTEGER NOT NULL,      -- when the restore committed
  workspace_id      TEXT NOT NULL,
  old_origin        TEXT NOT NULL,
  new_origin        TEXT NOT NULL,
  audit_size        INTEGER NOT NULL,      -- entries in the backup
  audit_root        TEXT NOT NULL,         -- hex
  last_checkpoint   TEXT NOT NULL,         -- the old origin's last checkpoint known at restore
  checkpoint_source TEXT NOT NULL,         -- 'witness' or 'backup'
  lost              INTEGER                -- entries the witness saw that the backup lacks; NULL: unknown
);
CREATE TABLE backup_epoch_checkpoint(      -- checkpoints of earlier epochs, moved at restore
  origin TEXT NOT NULL,
  size   INTEGER NOT NULL,
  root   BLOB NOT NULL,
  note   TEXT NOT NULL,
  PRIMARY KEY(origin, size)
);
)sql"},
  };
  return m;
}

}  // namespace

std::string audit_origin(store::Store& db, const std::string& department, const std::string& workspace_id) {
  std::string base = "civitas/audit/" + (department.empty() ? workspace_id : department);
  std::lock_guard lk(db.mutex());
  {
    store::Statement t(db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'restored_from'");
    if (!t.step()) return base;
  }
  store::Statement q(db, "SELECT MAX(epoch) FROM restored_from");
  if (!q.step() || q.is_null(0)) return base;
  return base + "/epoch-" + std::to_string(q.int64(0));
}

// ---- backup -----------------------------------------------------------------------------------

Workspace::BackupInfo Workspace::backup(const std::string& path, const std::vector<RecoveryKey>& recipients,
                                        const BackupOptions& opts) {
  std::string backup_id = opts.backup_id;
  if (backup_id.empty()) {
    unsigned char idb[16];
    randombytes_buf(idb, sizeof idb);
    backup_id = c::to_hex(idb, sizeof idb);
  }
  json details = {{"backup_id", backup_id}, {"path", path}};
  try {
    if (!valid_backup_id(backup_id)) throw Error(Code::invalid_argument, "a backup id is 1..128 of [A-Za-z0-9._:-]");
    if (recipients.empty()) throw Error(Code::invalid_argument, "a backup needs at least one recovery public key (--recipient)");
    if (recipients.size() > kMaxRecipients) throw Error(Code::invalid_argument, "a backup has at most 64 recipients");
    if (opts.chunk_size < kMinChunk || opts.chunk_size > kMaxChunk)
      throw Error(Code::invalid_argument, "chunk_size is 4 KiB … 16 MiB");
    json rids = json::array();
    for (std::size_t i = 0; i < recipients.size(); ++i) {
      if (recipients[i].public_key.size() != 32) throw Error(Code::invalid_argument, "a recovery public key is 32 bytes");
      for (std::size_t j = 0; j < i; ++j)
        if (recipients[j].id == recipients[i].id)
          throw Error(Code::invalid_argument, "recovery key " + recipients[i].id_hex() + " is given twice");
      rids.push_back(recipients[i].id_hex());
    }
    details["recipients"] = rids;
    if (path.empty()) throw Error(Code::invalid_argument, "the backup path must not be empty");
    if (exists(path)) throw Error(Code::exists, "a file already exists at " + path);

    auto ring = keyring();
    const c::Key& signer = ring->primary(c::Purpose::signing);
    const c::Key& cpkey = ring->primary(c::Purpose::checkpoint);
    const Info inf = info();
    const c::SecretBytes page_key = c::derive_subkey(impl_->workspace_key, 1, "civpage1");

    // 1. The snapshot, beside the output (encrypted under the page key like the workspace).
    TempFile snap{path + ".snap-" + backup_id};
    TempFile snap_wal{snap.path + "-wal"}, snap_shm{snap.path + "-shm"};
    snapshot(impl_->path, snap.path, page_key, 10000);
    // The snapshot's own checkpoint: its log at the moment of the copy, signed (docs/recovery.md).
    std::string note;
    audit::Checkpoint cp;
    {
      store::Store s(snap.path, page_key);
      audit::Log log(s, audit_origin(s, inf.department, inf.workspace_id));
      note = log.checkpoint(cpkey);
      cp = audit::parse_checkpoint(note);
    }
    const std::uint64_t snap_bytes = file_size_of(snap.path);
    if (snap_bytes == 0 || snap_bytes % store::CipherSettings::page_size != 0)
      throw Error(Code::internal, "the snapshot has " + std::to_string(snap_bytes) + " bytes, not whole pages");

    // 2. File key, stanzas, header.
    c::SecretBytes file_key = c::SecretBytes::random(32);
    const auto binding = file_key_binding(signer.id, backup_id);
    c::SecretBytes content(kKeyContent);
    std::memcpy(content.data(), kFileKeyLabel, sizeof(kFileKeyLabel));
    std::memcpy(content.data() + sizeof(kFileKeyLabel), binding.data(), 32);
    std::memcpy(content.data() + sizeof(kFileKeyLabel) + 32, file_key.data(), 32);
    json stanzas = json::array();
    for (const RecoveryKey& r : recipients) {
      std::vector<std::uint8_t> box(kKeyContent + suite1().seal_overhead());
      suite1().seal(r.public_key.data(), r.public_key.size(), content.data(), content.size(), box.data());
      stanzas.push_back({{"key_id", r.id_hex()}, {"sealed_key", c::base64(box.data(), box.size())}});
    }
    c::SecretBytes pkey = payload_key(file_key, backup_id);
    crypto_secretstream_xchacha20poly1305_state ss;
    std::array<std::uint8_t, crypto_secretstream_xchacha20poly1305_HEADERBYTES> sh{};
    crypto_secretstream_xchacha20poly1305_init_push(&ss, sh.data(), pkey.data());
    const std::int64_t created = now_seconds();
    json h = {{"format", kFormat},
              {"version", kVersion},
              {"backup_id", backup_id},
              {"created", created},
              {"workspace", {{"workspace_id", inf.workspace_id}, {"department", inf.department}, {"name", inf.name}}},
              {"signer", {{"department", inf.department}, {"key_id", signer.id_hex()}}},
              {"audit", {{"origin", cp.origin}, {"size", cp.size}, {"root", audit::hash_hex(cp.root)}, {"checkpoint", note}}},
              {"snapshot", {{"format", "sqlcipher3-page-key"}, {"bytes", snap_bytes}, {"page_size", store::CipherSettings::page_size}}},
              {"recipients", stanzas},
              {"payload", {{"cipher", kCipher}, {"chunk_size", opts.chunk_size}, {"stream_header", c::base64(sh.data(), sh.size())}}}};
    Front f;
    f.header_text = h.dump();
    if (f.header_text.size() > kMaxHeader) throw Error(Code::invalid_argument, "the backup header would exceed 1 MiB");
    std::memcpy(f.preamble.data(), kMagic, 8);
    f.preamble[8] = kVersion;
    f.preamble[9] = c::kSuite1;
    put_u32(f.preamble.data() + 12, static_cast<std::uint32_t>(f.header_text.size()));
    std::memcpy(f.preamble.data() + 16, signer.id.data(), 8);
    {
      const std::string m = header_message(f);
      c::suite_of(signer).sign(signer.secret, m.data(), m.size(), f.header_sig.data());
    }

    // 3. The file, through a temporary name.
    TempFile tmp{path + ".tmp-" + backup_id};
    Fd out(::open(tmp.path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
    if (out.fd < 0) io_error("cannot create", tmp.path);
    SHA256_CTX hs;
    SHA256_Init(&hs);
    std::uint64_t payload_len = 0;
    std::vector<std::uint8_t> obuf;
    obuf.reserve(std::size_t{4} << 20);
    auto emit = [&](const void* p, std::size_t n) {
      SHA256_Update(&hs, p, n);
      const auto* b = static_cast<const std::uint8_t*>(p);
      obuf.insert(obuf.end(), b, b + n);
      if (obuf.size() >= (std::size_t{4} << 20)) {
        write_all(out.fd, obuf.data(), obuf.size(), tmp.path);
        obuf.clear();
      }
    };
    emit(f.preamble.data(), kPreamble);
    emit(f.header_text.data(), f.header_text.size());
    emit(f.header_sig.data(), kSig);
    {
      Fd in(::open(snap.path.c_str(), O_RDONLY | O_CLOEXEC));
      if (in.fd < 0) io_error("cannot read", snap.path);
      c::SecretBytes plain(opts.chunk_size);  // the first chunk holds the workspace key
      std::vector<std::uint8_t> ct(opts.chunk_size + kAbytes);
      std::memcpy(plain.data(), impl_->workspace_key.data(), kKeyBytes);
      std::size_t fill = kKeyBytes;
      const std::uint64_t total = kKeyBytes + snap_bytes;
      std::uint64_t done = 0;
      for (;;) {
        fill += read_some(in.fd, plain.data() + fill, opts.chunk_size - fill, snap.path);
        const bool last = done + fill == total;
        if (!last && fill < opts.chunk_size) throw Error(Code::io, "the snapshot " + snap.path + " changed size while being read");
        // A full chunk that ends the content is followed by an empty final chunk.
        const unsigned char tag = (last && fill < opts.chunk_size) ? crypto_secretstream_xchacha20poly1305_TAG_FINAL : 0;
        unsigned long long cl = 0;
        crypto_secretstream_xchacha20poly1305_push(&ss, ct.data(), &cl, plain.data(), fill, nullptr, 0, tag);
        emit(ct.data(), static_cast<std::size_t>(cl));
        payload_len += cl;
        done += fill;
        fill = 0;
        if (tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL) break;
      }
      if (done != total) throw Error(Code::io, "the snapshot " + snap.path + " changed size while being read");
    }
    std::array<std::uint8_t, kTrailer> tr{};
    std::memcpy(tr.data(), kEndMagic, 8);
    put_u64(tr.data() + 8, payload_len);
    SHA256_Final(tr.data() + 16, &hs);
    {
      std::string m(kTrailerCtx, sizeof(kTrailerCtx));
      m.append(reinterpret_cast<const char*>(tr.data()), 48);
      c::suite_of(signer).sign(signer.secret, m.data(), m.size(), tr.data() + 48);
    }
    write_all(out.fd, obuf.data(), obuf.size(), tmp.path);
    write_all(out.fd, tr.data(), tr.size(), tmp.path);
    if (::fsync(out.fd) != 0) io_error("cannot sync", tmp.path);

    BackupInfo bi;
    bi.path = path;
    bi.backup_id = backup_id;
    bi.created = created;
    bi.workspace_id = inf.workspace_id;
    bi.department = inf.department;
    bi.name = inf.name;
    bi.signer_key_id = signer.id_hex();
    bi.audit_origin = cp.origin;
    bi.audit_size = cp.size;
    bi.audit_root = audit::hash_hex(cp.root);
    bi.audit_checkpoint = note;
    bi.snapshot_bytes = snap_bytes;
    bi.file_bytes = kPreamble + f.header_text.size() + kSig + payload_len + kTrailer;
    for (const auto& r : recipients) bi.recipients.push_back(r.id_hex());

    // 4. The entry commits, then the file appears under its name.
    details["audit_size"] = cp.size;
    details["audit_root"] = bi.audit_root;
    details["bytes"] = bi.file_bytes;
    details["sha256"] = c::to_hex(tr.data() + 16, 32);
    if (exists(path)) throw Error(Code::exists, "a file already exists at " + path);
    impl_->audit("backup.create", backup_id, details);
    if (::link(tmp.path.c_str(), path.c_str()) != 0) {  // never replaces a file that appeared meanwhile
      const int err = errno;
      errno = err;
      io_error("cannot move the backup into place at", path);
    }
    ::unlink(tmp.path.c_str());
    tmp.keep = true;
    fsync_dir(path);
    return bi;
  } catch (const Error& e) {
    impl_->audit_refused("backup.create", backup_id, e, details);
    throw;
  }
}

Workspace::BackupInfo Workspace::backup(const std::string& path, const std::vector<RecoveryKey>& recipients) {
  return backup(path, recipients, BackupOptions{});
}

std::unique_ptr<Workspace> Workspace::restore(const std::string& backup_path, const RecoveryKey& rk, const std::string& path,
                                              const KeySource& new_master) {
  return restore(backup_path, rk, path, new_master, RestoreOptions{});
}

Workspace::BackupInfo Workspace::verify_backup(const std::string& path) const {
  return verify_file(path, own_signing_keys(*keyring()), "this workspace");
}

Workspace::BackupInfo Workspace::verify_backup_with(const std::string& path, std::string_view key_document) {
  c::init();
  std::vector<SignerKey> keys;
  for (const Peer& p : document_signing_keys(key_document))
    if (p.algorithm == "ed25519" && p.public_key.size() == 32) keys.push_back({p.key_id, p.public_key});
  return verify_file(path, keys, "the department of the key document");
}

// ---- restore ----------------------------------------------------------------------------------

std::unique_ptr<Workspace> Workspace::restore(const std::string& backup_path, const RecoveryKey& rk, const std::string& path,
                                              const KeySource& new_master, const RestoreOptions& opts) {
  c::init();
  if (path.empty()) throw Error(Code::invalid_argument, "the workspace path must not be empty");
  if (rk.secret.size() != 32) throw Error(Code::invalid_argument, "restoring needs the recovery key's secret (R.key, not R.key.pub)");
  if (exists(path)) throw Error(Code::exists, "a file already exists at " + path);
  if (exists(header_path(path))) throw Error(Code::exists, "a workspace header already exists at " + header_path(path));

  Fd fd(::open(backup_path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.fd < 0) {
    if (errno == ENOENT) throw Error(Code::not_found, "no backup at " + backup_path);
    io_error("cannot read", backup_path);
  }
  struct stat st;
  if (::fstat(fd.fd, &st) != 0) io_error("cannot stat", backup_path);
  Front f = read_front(fd.fd, backup_path);
  std::optional<SignerKey> signer;
  if (!opts.key_document.empty()) {
    std::vector<SignerKey> keys;
    for (const Peer& p : document_signing_keys(opts.key_document))
      if (p.algorithm == "ed25519" && p.public_key.size() == 32) keys.push_back({p.key_id, p.public_key});
    signer = find_signer(keys, f.signer, backup_path, "the department of the key document");
    check_header_sig(f, *signer, backup_path);
  }
  parse_header(f, backup_path, static_cast<std::uint64_t>(st.st_size));
  const BackupInfo& bi = f.info;

  // The stanza of this recovery key.
  const Stanza* mine = nullptr;
  for (const Stanza& s : f.stanzas)
    if (s.id == rk.id) mine = &s;
  if (!mine)
    throw Error(Code::not_recipient, "backup " + backup_path + " is not encrypted to recovery key " + rk.id_hex() +
                                         " (its recipients: " + json(bi.recipients).dump() + ")");
  c::SecretBytes content(kKeyContent);
  if (!suite1().unseal(rk.public_key.data(), rk.secret, mine->box.data(), mine->box.size(), content.data()))
    damaged(backup_path, "the sealed key of recovery key " + rk.id_hex() + " does not open");
  const auto binding = file_key_binding(f.signer, bi.backup_id);
  if (std::memcmp(content.data(), kFileKeyLabel, sizeof(kFileKeyLabel)) != 0 ||
      std::memcmp(content.data() + sizeof(kFileKeyLabel), binding.data(), 32) != 0)
    damaged(backup_path, "the sealed key is not this backup's file key");
  c::SecretBytes file_key(content.data() + sizeof(kFileKeyLabel) + 32, 32);
  c::SecretBytes pkey = payload_key(file_key, bi.backup_id);
  crypto_secretstream_xchacha20poly1305_state ss;
  if (crypto_secretstream_xchacha20poly1305_init_pull(&ss, f.stream_header.data(), pkey.data()) != 0)
    damaged(backup_path, "the stream header is invalid");

  // Decrypt into <path>.restoring-<id>; the workspace appears under `path` only at the end.
  const std::string tmp = path + ".restoring-" + bi.backup_id;
  TempFile tdb{tmp}, thdr{header_path(tmp)}, twal{tmp + "-wal"}, tshm{tmp + "-shm"};
  c::SecretBytes wkey(kKeyBytes);
  {
    Fd out(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
    if (out.fd < 0) io_error("cannot create", tmp);
    c::SecretBytes plain(f.chunk);
    std::uint64_t produced = 0;
    bool final_seen = false;
    std::size_t chunk_no = 0;
    auto on_chunk = [&](const std::uint8_t* ct, std::size_t n) {
      if (final_seen) damaged(backup_path, "data follows the final chunk");
      unsigned long long pl = 0;
      unsigned char tag = 0;
      if (crypto_secretstream_xchacha20poly1305_pull(&ss, plain.data(), &pl, &tag, ct, n, nullptr, 0) != 0)
        damaged(backup_path, "chunk " + std::to_string(chunk_no) + " does not authenticate");
      ++chunk_no;
      const bool is_final = tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL;
      if (is_final != (pl < f.chunk) || (tag != 0 && !is_final)) damaged(backup_path, "a chunk has the wrong tag");
      final_seen = is_final;
      std::size_t off = 0;
      if (produced < kKeyBytes) {
        const std::size_t k = static_cast<std::size_t>(std::min<std::uint64_t>(kKeyBytes - produced, pl));
        std::memcpy(wkey.data() + produced, plain.data(), k);
        off = k;
      }
      write_all(out.fd, plain.data() + off, static_cast<std::size_t>(pl) - off, tmp);
      produced += pl;
    };
    Trailer t;
    read_payload(fd.fd, f, backup_path, on_chunk, t);
    if (!final_seen || produced != f.content_len) damaged(backup_path, "the payload ends early");
    if (::fsync(out.fd) != 0) io_error("cannot sync", tmp);
    if (signer) check_trailer_sig(t, *signer, backup_path);
    // 2. The header under the new master key; the workspace id is the backup's.
    Header h;
    h.workspace_id = bi.workspace_id;
    seal_header(h, new_master, wkey);
    write_header(header_path(tmp), h);
    std::unique_ptr<Workspace> ws;
    try {
      ws = open(tmp, new_master, OpenOptions{opts.busy_timeout_ms});
    } catch (const Error& e) {
      damaged(backup_path, std::string("the restored database does not open: ") + e.what());
    }
    if (!signer) {  // the backup's own keys: integrity, not origin (docs/recovery.md)
      signer = find_signer(own_signing_keys(*ws->keyring()), f.signer, backup_path, "the workspace inside the backup");
      check_header_sig(f, *signer, backup_path);
      check_trailer_sig(t, *signer, backup_path);
    }
    const Info inf = ws->info();
    if (inf.department != bi.department) damaged(backup_path, "the header's department is not the database's");
    ws->check_integrity();

    // 3. The audit log: consistent with every checkpoint it holds and the backup's own.
    auto wl = audit::WorkspaceLog::open(*ws);
    audit::Log& log = wl->log();
    const std::string old_origin = log.origin();
    if (old_origin != bi.audit_origin) damaged(backup_path, "audit.origin is not the restored log's origin");
    audit::VerifyReport rep = wl->verify({bi.audit_checkpoint});
    if (!rep.ok())
      throw Error(Code::integrity, "the restored audit log is not consistent with its checkpoints: " + rep.problems.front().message);
    audit::Checkpoint bcp = log.check_received(bi.audit_checkpoint, wl->verifiers());
    if (bcp.size != bi.audit_size || audit::hash_hex(bcp.root) != bi.audit_root || log.size() != bi.audit_size)
      damaged(backup_path, "audit.size/root differ from the restored log");
    std::string last_note = bi.audit_checkpoint;
    std::string source = "backup";
    std::optional<std::uint64_t> lost;
    if (!opts.witness_checkpoint.empty()) {
      audit::Checkpoint wc = audit::open_checkpoint(opts.witness_checkpoint, wl->verifiers());  // bad_signature, unknown_key
      if (wc.origin != old_origin)
        throw Error(Code::invalid_argument, "the witness checkpoint is for log '" + wc.origin + "', not '" + old_origin + "'");
      if (wc.size <= bi.audit_size) {
        log.check_received(opts.witness_checkpoint, wl->verifiers());  // integrity: a fork
        lost = 0;
      } else {
        lost = wc.size - bi.audit_size;
      }
      last_note = opts.witness_checkpoint;
      source = "witness";
      if (wc.size < bcp.size) {  // the backup knows more than the witness: its checkpoint is the last
        last_note = bi.audit_checkpoint;
        source = "backup";
      }
    }
    audit::Checkpoint lastc = audit::parse_checkpoint(last_note);

    // 4. The new epoch: restored_from, the old checkpoints moved, and its first entry.
    store::Store& db = ws->store();
    store::migrate(db, "backup", backup_migrations());
    {
      store::Transaction tx(db);
      std::int64_t epoch = 2;
      {
        store::Statement q(db, "SELECT MAX(epoch) FROM restored_from");
        if (q.step() && !q.is_null(0)) epoch = q.int64(0) + 1;
      }
      const std::string base = "civitas/audit/" + (inf.department.empty() ? inf.workspace_id : inf.department);
      const std::string new_origin = base + "/epoch-" + std::to_string(epoch);
      const std::int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                      std::chrono::system_clock::now().time_since_epoch()).count();
      {
        store::Statement ins(db, "INSERT INTO restored_from(epoch, backup_id, backup_created, restored_ms, workspace_id, old_origin, "
                                 "new_origin, audit_size, audit_root, last_checkpoint, checkpoint_source, lost) "
                                 "VALUES(?,?,?,?,?,?,?,?,?,?,?,?)");
        ins.bind(1, epoch).bind(2, bi.backup_id).bind(3, bi.created).bind(4, now_ms).bind(5, bi.workspace_id).bind(6, old_origin);
        ins.bind(7, new_origin).bind(8, static_cast<std::int64_t>(bi.audit_size)).bind(9, bi.audit_root).bind(10, last_note);
        ins.bind(11, source);
        if (lost) ins.bind(12, static_cast<std::int64_t>(*lost));
        else ins.bind_null(12);
        ins.run();
      }
      {
        store::Statement mv(db, "INSERT OR REPLACE INTO backup_epoch_checkpoint(origin, size, root, note) "
                                "SELECT ?, size, root, note FROM audit_checkpoint");
        mv.bind(1, old_origin).run();
      }
      db.exec("DELETE FROM audit_checkpoint");
      json d = {{"backup_id", bi.backup_id},
                {"backup_created", bi.created},
                {"workspace_id", bi.workspace_id},
                {"epoch", epoch},
                {"old_origin", old_origin},
                {"new_origin", new_origin},
                {"audit_size", bi.audit_size},
                {"audit_root", bi.audit_root},
                {"last_checkpoint", {{"size", lastc.size}, {"root", audit::hash_hex(lastc.root)}, {"source", source}, {"note", last_note}}},
                {"lost", lost ? json(*lost) : json(nullptr)}};
      ws->impl_->audit("backup.restore", bi.backup_id, d);
      // The replay memory cannot know what arrived after the backup: in this transaction,
      // every provider waits for its signed sequence statement (docs/recovery-escrow.md)
      // before any package from it is accepted again.
      ws->require_sequence_statements();
      tx.commit();
    }
  }
  // 5. Into place: the header first, then the database (docs/recovery.md, "Crashes").
  if (::rename(header_path(tmp).c_str(), header_path(path).c_str()) != 0) io_error("cannot move the header to", header_path(path));
  thdr.keep = true;
  if (::link(tmp.c_str(), path.c_str()) != 0) io_error("cannot move the restored workspace to", path);
  ::unlink(tmp.c_str());
  tdb.keep = true;
  fsync_dir(path);
  return open(path, new_master, OpenOptions{opts.busy_timeout_ms});
}

}  // namespace civitas::workspace
