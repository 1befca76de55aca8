// Whole-file operations: inspect (header only), verify (both signatures, the segment hashes
// and every segment, no decryption), open (the checks that need no decryption, then one pass
// that checks each segment against its signed hash before it decrypts, decompresses and
// writes it into a temporary directory).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "format.hpp"

namespace civitas::package {

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

// Header signature, recipient and replay (with keys), trailer signature, the lengths it signs
// and D over the segment hashes (read from the file: 32 bytes per segment); with
// check_segments also every segment against its hash (verify). The checked hashes go to
// *hashes_out (open() then checks each segment against them before decrypting it).
Summary verify_file(InFile& f, const ProviderLookup& lookup, const ReaderKeys* keys, bool check_segments,
                    std::vector<std::array<std::uint8_t, 32>>* hashes_out) {
  auto head = read_head(f, true);
  std::size_t header_end = head.size() - kSigSize;
  PublicKey pk;
  Summary s;
  s.header = verify_header(head.data(), header_end, head.data() + header_end, lookup, &pk);
  if (keys) {  // cheap refusals before reading the rest
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
  if (f.size() < hb + kABytes + kHashSize + kTrailerSize) fail_truncated("it ends before its last chunk and trailer", f.size());
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
  if (tr.payload_bytes != payload)
    throw Error(Code::integrity, "package integrity: chunk count or payload length disagree with the signed trailer");
  Layout l = payload_layout(s.header.chunk_size, tr.chunks, tr.payload_bytes);
  s.payload_bytes = payload;
  s.chunks = tr.chunks;
  s.package_bytes = f.size();

  // D from the stored segment hashes.
  std::vector<std::array<std::uint8_t, 32>> hashes(l.segments);
  {
    DigestList d(head.data(), head.size());
    for (std::uint64_t k = 0; k < l.segments; ++k) {
      std::uint64_t at = hb + l.hash_offset(k);
      if (f.pread(hashes[k].data(), kHashSize, at) < kHashSize) fail_truncated("the file shrank while it was read", at);
      d.add(hashes[k].data());
    }
    auto digest = d.final();
    if (sodium_memcmp(digest.data(), tr.digest.data(), 32) != 0)
      throw Error(Code::integrity, "package integrity: the signed digest does not match the segment hashes (segments "
                                   "modified, reordered, added or removed)");
  }
  if (check_segments) {
    std::vector<std::uint8_t> buf;
    Sha256 h;
    for (std::uint64_t k = 0; k < l.segments; ++k) {
      std::uint64_t at = hb + l.segment_start(k);
      std::size_t n = static_cast<std::size_t>(l.segment_bytes(k));
      buf.resize(n);
      if (f.pread(buf.data(), n, at) < n) fail_truncated("the file shrank while it was read", at);
      h.update(buf.data(), n);
      auto got = h.final();
      h.reset();
      if (sodium_memcmp(got.data(), hashes[k].data(), 32) != 0) {
        Location loc;
        loc.offset = at;
        throw Error(Code::integrity, "package integrity: segment " + std::to_string(k) +
                                         " does not match its signed hash (modified, reordered, added or removed)", loc);
      }
    }
  }
  if (hashes_out) *hashes_out = std::move(hashes);
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
  return verify_file(f, provider_key, nullptr, true, nullptr);
}

Summary open(const std::string& path, const std::string& out_dir, const ReaderKeys& keys, const OpenOptions& opts) {
  crypto::init();
  InFile f(path);
  // Every check that needs no decryption: signatures, recipient, replay, lengths and (with
  // verify_first) the segment hashes against the signed digest. Then one pass: each segment
  // is hashed and compared with its checked hash before any of it is decrypted, into a
  // temporary directory that is renamed only when everything checked out.
  std::vector<std::array<std::uint8_t, 32>> hashes;
  verify_file(f, keys.provider_key, &keys, false, opts.verify_first ? &hashes : nullptr);
  PackageReader r(out_dir, keys, opts);
  if (opts.verify_first) r.trust_segment_hashes(std::move(hashes));
  std::vector<std::uint8_t> buf(4u << 20);
  for (std::uint64_t off = 0; off < f.size();) {
    std::size_t got = f.pread(buf.data(), buf.size(), off);
    if (got == 0) break;
    r.feed(buf.data(), got);
    off += got;
  }
  return r.finish();
}

}  // namespace civitas::package
