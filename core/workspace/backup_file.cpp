// The backup file format (docs/formats/backup.md): reading and checking its parts.
#define OPENSSL_SUPPRESS_DEPRECATED 1
#define SQLITE_HAS_CODEC 1
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

namespace civitas::workspace::backup_file {

using nlohmann::json;
namespace c = civitas::crypto;



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
    if (json_integer_at(h, "version", "backup " + path + ": header") != kVersion) damaged(path, "header version differs from the preamble's");
    i.backup_id = h.at("backup_id").get<std::string>();
    if (!valid_backup_id(i.backup_id)) damaged(path, "backup_id is not 1..128 of [A-Za-z0-9._:-]");
    i.created = json_integer_at(h, "created", "backup " + path + ": header");
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
    i.audit_size = json_unsigned_at(a, "size", "backup " + path + ": audit");
    i.audit_root = a.at("root").get<std::string>();
    if (!is_hex(i.audit_root, 64)) damaged(path, "audit.root is not 64 hex digits");
    i.audit_checkpoint = a.at("checkpoint").get<std::string>();
    const json& sn = h.at("snapshot");
    if (sn.at("format").get<std::string>() != "sqlcipher3-page-key")
      throw Error(Code::unsupported_version, "backup " + path + ": snapshot format '" + sn.at("format").get<std::string>() + "' is not supported");
    i.snapshot_bytes = json_unsigned_at(sn, "bytes", "backup " + path + ": snapshot");
    if (json_unsigned_at(sn, "page_size", "backup " + path + ": snapshot") != store::CipherSettings::page_size)
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
    f.chunk = static_cast<std::size_t>(json_unsigned_at(p, "chunk_size", "backup " + path + ": payload", SIZE_MAX));
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

}  // namespace civitas::workspace::backup_file
