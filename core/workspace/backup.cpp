// Backup and restore (docs/formats/backup.md, docs/recovery.md): Workspace::backup,
// verify_backup, restore, the recovery keys, and the audit epoch a restore starts.
#define OPENSSL_SUPPRESS_DEPRECATED 1
#define SQLITE_HAS_CODEC 1
#include "backup.hpp"

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

using nlohmann::json;
namespace c = civitas::crypto;

namespace {

constexpr unsigned char kMagic[8] = {0x89, 'C', 'I', 'V', 'B', 'A', 'K', '\n'};
constexpr unsigned char kEndMagic[8] = {0x89, 'C', 'I', 'V', 'B', 'K', 'E', '\n'};
constexpr std::uint8_t kVersion = 1;
constexpr std::size_t kPreamble = 24, kSig = 64, kTrailer = 112, kAbytes = 17, kKeyBytes = 32;
constexpr std::size_t kMaxHeader = 1u << 20;
constexpr std::size_t kMinChunk = 4096, kMaxChunk = 16u << 20;
constexpr std::size_t kMaxRecipients = 64;
// Contexts: "text\0" (sizeof includes the zero byte), docs/formats/backup.md §3–§5.
constexpr char kHeaderCtx[] = "civitas backup header v1";
constexpr char kTrailerCtx[] = "civitas backup trailer v1";
constexpr char kFileKeyLabel[] = "civitas backup file key v1";
constexpr char kPayloadCtx[] = "civitas backup payload key v1";
constexpr char kFormat[] = "civitas-backup";
constexpr char kCipher[] = "xchacha20poly1305-secretstream";
constexpr char kRecoveryFormat[] = "civitas-recovery-key";
constexpr char kRecoveryPubFormat[] = "civitas-recovery-public-key";
constexpr std::size_t kKeyContent = sizeof(kFileKeyLabel) + 32 + 32;  // 91

const c::Suite& suite1() { return c::suite(c::kSuite1); }

[[noreturn]] void io_error(const std::string& what, const std::string& path) {
  throw Error(Code::io, what + " " + path + ": " + std::strerror(errno));
}

std::string dir_of(const std::string& p) {
  auto slash = p.rfind('/');
  return slash == std::string::npos ? "." : (slash == 0 ? "/" : p.substr(0, slash));
}

void fsync_dir(const std::string& path) {
  int dfd = ::open(dir_of(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
}

bool exists(const std::string& p) {
  struct stat st;
  return ::stat(p.c_str(), &st) == 0;
}

void put_u32(std::uint8_t* p, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<std::uint8_t>(v >> (8 * i));
}
void put_u64(std::uint8_t* p, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) p[i] = static_cast<std::uint8_t>(v >> (8 * i));
}
std::uint32_t get_u32(const std::uint8_t* p) {
  std::uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}
std::uint64_t get_u64(const std::uint8_t* p) {
  std::uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

// A file descriptor closed on scope exit.
struct Fd {
  int fd = -1;
  Fd() = default;
  explicit Fd(int f) : fd(f) {}
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
};

// Removes a path on scope exit unless released.
struct TempFile {
  std::string path;
  bool keep = false;
  ~TempFile() {
    if (!keep && !path.empty()) ::unlink(path.c_str());
  }
};

void write_all(int fd, const void* p, std::size_t n, const std::string& path) {
  const auto* b = static_cast<const std::uint8_t*>(p);
  while (n) {
    ssize_t w = ::write(fd, b, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      io_error("cannot write", path);
    }
    b += w;
    n -= static_cast<std::size_t>(w);
  }
}

// Reads up to n bytes; returns how many (less only at the end of the file).
std::size_t read_some(int fd, void* p, std::size_t n, const std::string& path) {
  auto* b = static_cast<std::uint8_t*>(p);
  std::size_t got = 0;
  while (got < n) {
    ssize_t r = ::read(fd, b + got, n - got);
    if (r < 0) {
      if (errno == EINTR) continue;
      io_error("cannot read", path);
    }
    if (r == 0) break;
    got += static_cast<std::size_t>(r);
  }
  return got;
}

std::array<std::uint8_t, 32> file_key_binding(const c::KeyId& signer, const std::string& backup_id) {
  std::array<std::uint8_t, 32> h{};
  SHA256_CTX s;
  SHA256_Init(&s);
  SHA256_Update(&s, signer.data(), signer.size());
  SHA256_Update(&s, backup_id.data(), backup_id.size());
  SHA256_Final(h.data(), &s);
  return h;
}

c::SecretBytes payload_key(const c::SecretBytes& file_key, const std::string& backup_id) {
  std::string msg(kPayloadCtx, sizeof(kPayloadCtx));
  msg += backup_id;
  c::SecretBytes k(32);
  crypto_generichash(k.data(), 32, reinterpret_cast<const unsigned char*>(msg.data()), msg.size(), file_key.data(),
                     file_key.size());
  return k;
}

bool is_hex(std::string_view s, std::size_t n) {
  if (s.size() != n) return false;
  for (char ch : s)
    if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f'))) return false;
  return true;
}

bool valid_backup_id(std::string_view s) {
  if (s.empty() || s.size() > 128) return false;
  for (char ch : s)
    if (!(std::isalnum(static_cast<unsigned char>(ch)) || ch == '.' || ch == '_' || ch == ':' || ch == '-')) return false;
  return true;
}

// ---- the front of a backup file: preamble, header, header signature ------------------------

struct Stanza {
  c::KeyId id{};
  std::vector<std::uint8_t> box;
};

struct Front {
  std::array<std::uint8_t, kPreamble> preamble{};
  std::string header_text;
  std::array<std::uint8_t, kSig> header_sig{};
  c::KeyId signer{};
  Workspace::BackupInfo info;
  std::size_t chunk = 0;
  std::vector<std::uint8_t> stream_header;
  std::vector<Stanza> stanzas;
  std::uint64_t payload_off = 0, payload_len = 0, content_len = 0;
};

[[noreturn]] void damaged(const std::string& path, const std::string& why) {
  throw Error(Code::integrity, "backup " + path + " is damaged or was tampered with: " + why);
}

// Reads and checks the layout; nothing here is authenticated yet (the caller checks the
// header signature before it trusts any field, docs/formats/backup.md §6).
Front read_front(int fd, const std::string& path) {
  struct stat st;
  if (::fstat(fd, &st) != 0) io_error("cannot stat", path);
  const std::uint64_t file_size = static_cast<std::uint64_t>(st.st_size);
  Front f;
  if (read_some(fd, f.preamble.data(), kPreamble, path) != kPreamble) {
    if (file_size >= 8 && file_size < kPreamble) throw Error(Code::truncated, "backup " + path + " is truncated (" + std::to_string(file_size) + " bytes)");
    throw Error(Code::parse, path + " is not a civitas backup (too short)");
  }
  if (std::memcmp(f.preamble.data(), kMagic, 8) != 0) {
    // Seven of eight magic bytes right: a damaged backup rather than another file.
    int same = 0;
    for (int i = 0; i < 8; ++i) same += f.preamble[i] == kMagic[i];
    if (same == 7) damaged(path, "its magic bytes were changed");
    throw Error(Code::parse, path + " is not a civitas backup (magic)");
  }
  if (f.preamble[8] != kVersion)
    throw Error(Code::unsupported_version, "backup " + path + " has format version " + std::to_string(f.preamble[8]) +
                                               "; this civitas reads version 1");
  if (f.preamble[9] != c::kSuite1)
    throw Error(Code::unsupported_version, "backup " + path + " uses cipher suite " + std::to_string(f.preamble[9]) +
                                               "; this civitas knows suite 1");
  if (f.preamble[10] || f.preamble[11]) damaged(path, "reserved preamble bytes are not zero");
  const std::uint32_t hlen = get_u32(f.preamble.data() + 12);
  if (hlen < 2 || hlen > kMaxHeader) damaged(path, "header length " + std::to_string(hlen) + " is out of range");
  std::memcpy(f.signer.data(), f.preamble.data() + 16, 8);
  if (file_size < kPreamble + hlen + kSig + kTrailer)
    throw Error(Code::truncated, "backup " + path + " is truncated (" + std::to_string(file_size) + " bytes)");
  f.header_text.resize(hlen);
  if (read_some(fd, f.header_text.data(), hlen, path) != hlen || read_some(fd, f.header_sig.data(), kSig, path) != kSig)
    throw Error(Code::truncated, "backup " + path + " is truncated");
  f.payload_off = kPreamble + hlen + kSig;
  return f;
}

// Parses the header JSON (after its signature verified, or before decrypting when the signer's
// key is inside the backup) and checks the layout it announces against the file size.
void parse_header(Front& f, const std::string& path, std::uint64_t file_size) {
  std::optional<json> pj = try_parse_json(f.header_text);
  if (!pj || !pj->is_object()) damaged(path, "the header is not a JSON object");
  const json& h = *pj;
  Workspace::BackupInfo& i = f.info;
  i.path = path;
  try {
    if (h.at("format").get<std::string>() != kFormat) damaged(path, "header format is not civitas-backup");
    if (h.at("version").get<int>() != kVersion) damaged(path, "header version differs from the preamble's");
    i.backup_id = h.at("backup_id").get<std::string>();
    if (!valid_backup_id(i.backup_id)) damaged(path, "backup_id is not 1..128 of [A-Za-z0-9._:-]");
    i.created = h.at("created").get<std::int64_t>();
    const json& w = h.at("workspace");
    i.workspace_id = w.at("workspace_id").get<std::string>();
    if (!is_hex(i.workspace_id, 32)) damaged(path, "workspace_id is not 32 hex digits");
    i.department = w.at("department").get<std::string>();
    i.name = w.at("name").get<std::string>();
    const json& s = h.at("signer");
    i.signer_key_id = s.at("key_id").get<std::string>();
    if (i.signer_key_id != c::key_id_hex(f.signer)) damaged(path, "signer.key_id differs from the preamble's key id");
    const json& a = h.at("audit");
    i.audit_origin = a.at("origin").get<std::string>();
    i.audit_size = a.at("size").get<std::uint64_t>();
    i.audit_root = a.at("root").get<std::string>();
    if (!is_hex(i.audit_root, 64)) damaged(path, "audit.root is not 64 hex digits");
    i.audit_checkpoint = a.at("checkpoint").get<std::string>();
    const json& sn = h.at("snapshot");
    if (sn.at("format").get<std::string>() != "sqlcipher3-page-key")
      throw Error(Code::unsupported_version, "backup " + path + ": snapshot format '" + sn.at("format").get<std::string>() + "' is not supported");
    i.snapshot_bytes = sn.at("bytes").get<std::uint64_t>();
    if (sn.at("page_size").get<std::uint64_t>() != store::CipherSettings::page_size)
      damaged(path, "snapshot.page_size is not 4096");
    if (i.snapshot_bytes == 0 || i.snapshot_bytes % store::CipherSettings::page_size != 0 || i.snapshot_bytes > (1ull << 46))
      damaged(path, "snapshot.bytes is not a positive multiple of 4096");
    const json& rs = h.at("recipients");
    if (!rs.is_array() || rs.empty() || rs.size() > kMaxRecipients) damaged(path, "recipients is not 1..64 entries");
    for (const json& r : rs) {
      Stanza st;
      const std::string id = r.at("key_id").get<std::string>();
      if (!is_hex(id, 16)) damaged(path, "a recipient key_id is not 16 hex digits");
      st.id = c::key_id_from_hex(id);
      for (const Stanza& o : f.stanzas)
        if (o.id == st.id) damaged(path, "recipient " + id + " is listed twice");
      st.box = c::from_base64(r.at("sealed_key").get<std::string>());
      if (st.box.size() != kKeyContent + crypto_box_SEALBYTES) damaged(path, "a sealed_key is not 139 bytes");
      i.recipients.push_back(id);
      f.stanzas.push_back(std::move(st));
    }
    const json& p = h.at("payload");
    if (p.at("cipher").get<std::string>() != kCipher)
      throw Error(Code::unsupported_version, "backup " + path + ": payload cipher '" + p.at("cipher").get<std::string>() + "' is not supported");
    f.chunk = p.at("chunk_size").get<std::size_t>();
    if (f.chunk < kMinChunk || f.chunk > kMaxChunk) damaged(path, "payload.chunk_size is out of range");
    f.stream_header = c::from_base64(p.at("stream_header").get<std::string>());
    if (f.stream_header.size() != crypto_secretstream_xchacha20poly1305_HEADERBYTES)
      damaged(path, "payload.stream_header is not 24 bytes");
  } catch (const json::exception& e) {
    damaged(path, std::string("a header field is missing or has the wrong type (") + e.what() + ")");
  } catch (const Error& e) {
    if (e.code() == Code::parse) damaged(path, e.what());
    throw;
  }
  f.content_len = kKeyBytes + i.snapshot_bytes;
  const std::uint64_t chunks = f.content_len / f.chunk + 1;  // the final chunk holds the rest, maybe 0 bytes
  f.payload_len = f.content_len + kAbytes * chunks;
  i.file_bytes = f.payload_off + f.payload_len + kTrailer;
  if (file_size < i.file_bytes)
    throw Error(Code::truncated, "backup " + path + " is truncated: " + std::to_string(file_size) + " bytes, its header announces " +
                                     std::to_string(i.file_bytes));
  if (file_size > i.file_bytes)
    damaged(path, std::to_string(file_size - i.file_bytes) + " bytes follow the end its header announces");
}

std::string header_message(const Front& f) {
  std::string m(kHeaderCtx, sizeof(kHeaderCtx));
  m.append(reinterpret_cast<const char*>(f.preamble.data()), kPreamble);
  m += f.header_text;
  return m;
}

// A signing public key by id: whose keys are trusted is the caller's choice.
struct SignerKey {
  c::KeyId id{};
  std::vector<std::uint8_t> pk;
};

const SignerKey& find_signer(const std::vector<SignerKey>& keys, const c::KeyId& id, const std::string& path,
                             const std::string& whose) {
  for (const auto& k : keys)
    if (k.id == id) return k;
  throw Error(Code::bad_signature, "backup " + path + " is not signed by a signing key of " + whose + " (key " +
                                       c::key_id_hex(id) + ")");
}

void check_header_sig(const Front& f, const SignerKey& k, const std::string& path) {
  const std::string m = header_message(f);
  if (!suite1().verify(k.pk.data(), k.pk.size(), m.data(), m.size(), f.header_sig.data(), kSig))
    throw Error(Code::bad_signature, "backup " + path + ": the header signature does not verify");
}

struct Trailer {
  std::array<std::uint8_t, kTrailer> bytes{};
  std::array<std::uint8_t, 32> computed{};
};

// Reads the payload (each chunk to `on_chunk` when given) and the trailer, hashing every byte
// before the trailer; checks the trailer's layout and hash (not its signature).
void read_payload(int fd, const Front& f, const std::string& path,
                  const std::function<void(const std::uint8_t*, std::size_t)>& on_chunk, Trailer& t) {
  SHA256_CTX s;
  SHA256_Init(&s);
  SHA256_Update(&s, f.preamble.data(), kPreamble);
  SHA256_Update(&s, f.header_text.data(), f.header_text.size());
  SHA256_Update(&s, f.header_sig.data(), kSig);
  std::vector<std::uint8_t> buf(f.chunk + kAbytes);
  std::uint64_t left = f.payload_len;
  while (left) {
    const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(left, f.chunk + kAbytes));
    if (read_some(fd, buf.data(), want, path) != want) throw Error(Code::truncated, "backup " + path + " is truncated");
    SHA256_Update(&s, buf.data(), want);
    if (on_chunk) on_chunk(buf.data(), want);
    left -= want;
  }
  if (read_some(fd, t.bytes.data(), kTrailer, path) != kTrailer) throw Error(Code::truncated, "backup " + path + " is truncated");
  SHA256_Final(t.computed.data(), &s);
  if (std::memcmp(t.bytes.data(), kEndMagic, 8) != 0) damaged(path, "the trailer's magic bytes are wrong");
  if (get_u64(t.bytes.data() + 8) != f.payload_len) damaged(path, "the trailer's payload length differs from the header's");
  if (std::memcmp(t.bytes.data() + 16, t.computed.data(), 32) != 0)
    damaged(path, "the SHA-256 of the file does not match its trailer (a byte was changed)");
}

void check_trailer_sig(const Trailer& t, const SignerKey& k, const std::string& path) {
  std::string m(kTrailerCtx, sizeof(kTrailerCtx));
  m.append(reinterpret_cast<const char*>(t.bytes.data()), 48);
  if (!suite1().verify(k.pk.data(), k.pk.size(), m.data(), m.size(), t.bytes.data() + 48, kSig))
    throw Error(Code::bad_signature, "backup " + path + ": the trailer signature does not verify");
}

std::vector<SignerKey> own_signing_keys(const c::Keyring& ring) {
  std::vector<SignerKey> out;
  for (const auto& [id, k] : ring.all())
    if (k.purpose == c::Purpose::signing && k.status != c::Status::destroyed && k.public_key.size() == 32)
      out.push_back({k.id, k.public_key});
  return out;
}

Workspace::BackupInfo verify_file(const std::string& path, const std::vector<SignerKey>& keys, const std::string& whose) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.fd < 0) {
    if (errno == ENOENT) throw Error(Code::not_found, "no backup at " + path);
    io_error("cannot read", path);
  }
  Front f = read_front(fd.fd, path);
  const SignerKey& k = find_signer(keys, f.signer, path, whose);
  check_header_sig(f, k, path);  // before any field of the header is interpreted
  struct stat st;
  ::fstat(fd.fd, &st);
  parse_header(f, path, static_cast<std::uint64_t>(st.st_size));
  Trailer t;
  read_payload(fd.fd, f, path, nullptr, t);
  check_trailer_sig(t, k, path);
  return f.info;
}

// ---- the snapshot ---------------------------------------------------------------------------

// SQLite's online backup from a second connection to the live file into `dest`, a new
// SQLCipher file under the same page key: one sqlite3_backup_step(-1) holds one read
// transaction, so the copy is the database as of one commit while others keep writing (WAL).
void snapshot(const std::string& live, const std::string& dest, const c::SecretBytes& page_key, int busy_ms) {
  store::Store src(live, page_key, store::OpenOptions{false, busy_ms});
  store::OpenOptions dopt;
  dopt.create = true;
  store::Store dst(dest, page_key, dopt);
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

// ---- recovery keys ----------------------------------------------------------------------------

Workspace::RecoveryKey Workspace::generate_recovery_key() {
  c::init();
  RecoveryKey k;
  k.public_key.resize(crypto_box_PUBLICKEYBYTES);
  k.secret = c::SecretBytes(crypto_box_SECRETKEYBYTES);
  crypto_box_keypair(k.public_key.data(), k.secret.data());
  k.id = suite1().key_id(c::Purpose::exchange, c::SecretBytes(), k.public_key);
  return k;
}

std::string Workspace::RecoveryKey::public_text() const {
  json j = {{"format", kRecoveryPubFormat}, {"version", 1}, {"algorithm", "x25519"}, {"key_id", id_hex()},
            {"public_key", c::base64(public_key.data(), public_key.size())}};
  return j.dump(2) + "\n";
}

std::string Workspace::RecoveryKey::secret_text() const {
  if (secret.size() != 32) throw Error(Code::invalid_argument, "recovery key " + id_hex() + " has no secret (a public key)");
  // Built by hand so that the secret goes through no std::string the JSON library would keep.
  return std::string("{\n  \"format\": \"") + kRecoveryFormat + "\",\n  \"version\": 1,\n  \"algorithm\": \"x25519\",\n  \"key_id\": \"" +
         id_hex() + "\",\n  \"public_key\": \"" + c::base64(public_key.data(), public_key.size()) +
         "\",\n  \"secret_key\": \"" + c::base64(secret.data(), secret.size()) + "\"\n}\n";
}

Workspace::RecoveryKey Workspace::RecoveryKey::parse(std::string_view text, const std::string& where) {
  c::init();
  std::optional<json> pj = try_parse_json(text);
  if (!pj || !pj->is_object()) throw Error(Code::parse, where + " is not a civitas recovery key (not a JSON object)");
  const json& j = *pj;
  RecoveryKey k;
  try {
    const std::string fmt = j.at("format").get<std::string>();
    if (fmt != kRecoveryFormat && fmt != kRecoveryPubFormat) throw Error(Code::parse, where + " is not a civitas recovery key (format)");
    if (j.at("version").get<int>() != 1)
      throw Error(Code::unsupported_version, where + ": recovery key version " + j["version"].dump() + " is not supported");
    if (j.at("algorithm").get<std::string>() != "x25519")
      throw Error(Code::unsupported_version, where + ": recovery key algorithm is not x25519");
    k.public_key = c::from_base64(j.at("public_key").get<std::string>());
    if (k.public_key.size() != 32) throw Error(Code::invalid_data, where + ": public_key is not 32 bytes");
    k.id = suite1().key_id(c::Purpose::exchange, c::SecretBytes(), k.public_key);
    if (j.at("key_id").get<std::string>() != k.id_hex()) throw Error(Code::invalid_data, where + ": key_id does not match the public key");
    if (fmt == kRecoveryFormat) {
      std::vector<std::uint8_t> s = c::from_base64(j.at("secret_key").get<std::string>());
      c::SecretBytes sk(s.data(), s.size());
      sodium_memzero(s.data(), s.size());
      if (sk.size() != 32) throw Error(Code::invalid_data, where + ": secret_key is not 32 bytes");
      std::array<std::uint8_t, 32> pk{};
      crypto_scalarmult_base(pk.data(), sk.data());
      if (std::memcmp(pk.data(), k.public_key.data(), 32) != 0)
        throw Error(Code::invalid_data, where + ": secret_key does not belong to public_key");
      k.secret = std::move(sk);
    }
  } catch (const json::exception&) {
    throw Error(Code::parse, where + ": a recovery-key field is missing or has the wrong type");
  }
  return k;
}

namespace {
void write_new_file(const std::string& path, const std::string& text, mode_t mode) {
  Fd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode));
  if (fd.fd < 0) {
    if (errno == EEXIST) throw Error(Code::exists, "a file already exists at " + path);
    io_error("cannot create", path);
  }
  write_all(fd.fd, text.data(), text.size(), path);
  if (::fsync(fd.fd) != 0) io_error("cannot sync", path);
}
}  // namespace

Workspace::RecoveryKey Workspace::write_recovery_key(const std::string& path) {
  if (path.empty()) throw Error(Code::invalid_argument, "the recovery-key path must not be empty");
  const std::string pub = path + ".pub";
  if (exists(pub)) throw Error(Code::exists, "a file already exists at " + pub);
  RecoveryKey k = generate_recovery_key();
  {
    std::string text = k.secret_text();
    try {
      write_new_file(path, text, 0600);
    } catch (...) {
      sodium_memzero(text.data(), text.size());
      throw;
    }
    sodium_memzero(text.data(), text.size());
  }
  try {
    write_new_file(pub, k.public_text(), 0644);
  } catch (...) {
    ::unlink(path.c_str());
    throw;
  }
  fsync_dir(path);
  RecoveryKey out;
  out.id = k.id;
  out.public_key = k.public_key;
  return out;
}

Workspace::RecoveryKey Workspace::read_recovery_key(const std::string& path) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.fd < 0) {
    if (errno == ENOENT) throw Error(Code::not_found, "no recovery key at " + path);
    io_error("cannot read", path);
  }
  c::SecretBytes buf(65537);
  const std::size_t n = read_some(fd.fd, buf.data(), buf.size(), path);
  if (n > 65536) throw Error(Code::parse, path + " is not a civitas recovery key (larger than 64 KiB)");
  return RecoveryKey::parse(std::string_view(reinterpret_cast<const char*>(buf.data()), n), path);
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
