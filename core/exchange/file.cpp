// Whole-file operations: inspect (header only), verify (both signatures and the digest, no
// decryption), open (the cheap checks, then one pass that hashes, decrypts, decompresses and
// writes into a temporary directory; OpenOptions::verify_first adds a hashing pass first).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "format.hpp"

namespace civitas::exchange {

using namespace detail;

namespace {

std::string errno_text(int e) { return std::error_code(e, std::generic_category()).message(); }

class InFile {
 public:
  explicit InFile(const std::string& path) : path_(path) {
    fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) {
      int e = errno;
      throw Error(e == ENOENT ? Code::not_found : Code::io, "cannot open " + path + ": " + errno_text(e));
    }
    struct stat st {};
    if (::fstat(fd_, &st) != 0 || !S_ISREG(st.st_mode)) {
      ::close(fd_);
      throw Error(Code::io, path + " is not a regular file");
    }
    size_ = static_cast<std::uint64_t>(st.st_size);
  }
  ~InFile() { ::close(fd_); }
  std::uint64_t size() const { return size_; }
  /// Reads up to n bytes at offset; returns how many were read.
  std::size_t pread(std::uint8_t* p, std::size_t n, std::uint64_t off) {
    std::size_t got = 0;
    while (got < n) {
      ssize_t r = ::pread(fd_, p + got, n - got, static_cast<off_t>(off + got));
      if (r < 0) {
        if (errno == EINTR) continue;
        throw Error(Code::io, "cannot read " + path_ + ": " + errno_text(errno));
      }
      if (r == 0) break;
      got += static_cast<std::size_t>(r);
    }
    return got;
  }

 private:
  std::string path_;
  int fd_ = -1;
  std::uint64_t size_ = 0;
};

std::vector<std::uint8_t> read_head(InFile& f, bool with_sig) {
  std::vector<std::uint8_t> pre(kPreambleSize);
  std::size_t n = f.pread(pre.data(), pre.size(), 0);
  if (n == 0) throw Error(Code::parse, "not a civitas package (empty file)");
  std::uint32_t len = preamble_header_len(pre.data(), n);
  std::size_t need = kPreambleSize + len + (with_sig ? kSigSize : 0);
  std::vector<std::uint8_t> head(need);
  if (f.pread(head.data(), need, 0) < need) fail_truncated(with_sig ? "the header or its signature is incomplete" : "the header is incomplete", f.size());
  return head;
}

// Header signature, recipient and replay (with keys), trailer signature and the lengths it
// signs; with full_digest also the digest of everything before the trailer (verify, and the
// first pass of a two-pass open).
Summary verify_file(InFile& f, const ProviderLookup& lookup, const ReaderKeys* keys, bool full_digest) {
  auto head = read_head(f, true);
  std::size_t header_end = head.size() - kSigSize;
  PublicKey pk;
  Summary s;
  s.header = verify_header(head.data(), header_end, head.data() + header_end, lookup, &pk);
  if (keys) {  // cheap refusals before hashing the file
    KeyId own = key_id_of(keys->exchange_public);
    std::vector<KeyId> ids{own};
    for (const auto& k : keys->older_exchange_keys) ids.push_back(key_id_of(k.first));
    const Header::Stanza* mine = nullptr;
    for (const KeyId& id : ids)
      for (const auto& r : s.header.recipients)
        if (!mine && r.key_id == id) mine = &r;
    if (!mine)
      throw Error(Code::not_recipient, "this department's exchange key " + crypto::key_id_hex(own) +
                                           " is not a recipient of package " + s.header.package_id);
    if (keys->replay.seen && keys->replay.seen(s.header.provider, mine->department, mine->sequence))
      throw Error(Code::replay, "package " + s.header.package_id + ": sequence " + std::to_string(mine->sequence) +
                                    " from " + s.header.provider + " to " + mine->department + " was accepted before (replay)");
  }
  const std::uint64_t hb = s.header.header_bytes;
  if (f.size() < hb + kABytes + kTrailerSize) fail_truncated("it ends before its last chunk and trailer", f.size());
  std::uint8_t t[kTrailerSize];
  f.pread(t, kTrailerSize, f.size() - kTrailerSize);
  Trailer tr;
  try {
    tr = check_trailer(t, pk);
  } catch (const Error& e) {
    if (e.code() != Code::truncated) throw;
    fail_truncated("no trailer at the end (the package was cut short)", f.size());
  }
  const std::uint64_t payload = f.size() - kTrailerSize - hb;
  const std::uint64_t full = s.header.chunk_size + kABytes;
  s.payload_bytes = payload;
  s.chunks = tr.chunks;
  s.package_bytes = f.size();
  if (!full_digest) {
    if (tr.payload_bytes != payload || tr.chunks != payload / full + 1)
      throw Error(Code::integrity, "package integrity: chunk count or payload length disagree with the signed trailer");
    return s;
  }
  Sha256 d;
  std::vector<std::uint8_t> buf(4u << 20);
  for (std::uint64_t off = 0, end = f.size() - kTrailerSize; off < end;) {
    std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(buf.size(), end - off));
    std::size_t got = f.pread(buf.data(), want, off);
    if (got < want) fail_truncated("the file shrank while it was read", off + got);
    d.update(buf.data(), got);
    off += got;
  }
  auto digest = d.final();
  if (sodium_memcmp(digest.data(), tr.digest.data(), 32) != 0)
    throw Error(Code::integrity, "package integrity: the signed digest does not match the package (chunks modified, "
                                 "reordered, added or removed)");
  if (tr.payload_bytes != payload || tr.chunks != payload / full + 1)
    throw Error(Code::integrity, "package integrity: chunk count or payload length disagree with the signed trailer");
  return s;
}

}  // namespace

Header parse_header(const std::uint8_t* data, std::size_t n) {
  if (!data && n) throw Error(Code::invalid_argument, "parse_header: data is NULL");
  if (n == 0) throw Error(Code::parse, "not a civitas package (empty)");
  return parse_header_bytes(data, n);
}

Header inspect(const std::string& path) {
  InFile f(path);
  auto head = read_head(f, false);
  Header h = parse_header_bytes(head.data(), head.size());
  return h;
}

Summary verify(const std::string& path, const ProviderLookup& provider_key) {
  crypto::init();
  InFile f(path);
  return verify_file(f, provider_key, nullptr, true);
}

Summary open(const std::string& path, const std::string& out_dir, const ReaderKeys& keys, const OpenOptions& opts) {
  crypto::init();
  InFile f(path);
  // Every check that needs no decryption and no full read: signatures, recipient, replay,
  // lengths (and, with verify_first, the whole-file digest). Then one pass: the reader hashes
  // the ciphertext for the trailer's digest while it authenticates and decrypts each chunk,
  // writes into a temporary directory and renames it only after the digest matched.
  verify_file(f, keys.provider_key, &keys, opts.verify_first);
  PackageReader r(out_dir, keys, opts);
  std::vector<std::uint8_t> buf(4u << 20);
  for (std::uint64_t off = 0; off < f.size();) {
    std::size_t got = f.pread(buf.data(), buf.size(), off);
    if (got == 0) break;
    r.feed(buf.data(), got);
    off += got;
  }
  return r.finish();
}

}  // namespace civitas::exchange
