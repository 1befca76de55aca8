// PackageReader: preamble → header (signature checked before anything else) → recipient
// stanza, replay check, file key → segments (each hashed and compared before its chunks are
// decrypted) → secretstream chunks → zstd (second thread) → content entries → files in a
// temporary directory (third thread), renamed to the output directory once the trailer
// signature and every hash, schema and record check passed.
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
// The buffer-less decompression functions (ZSTD_decompressContinue …) are in the "static"
// section of zstd.h; libzstd exports them (Debian 12: 1.5.4).
#define ZSTD_STATIC_LINKING_ONLY
#include <zstd.h>

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <exception>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <mutex>
#include <set>
#include <thread>

#include "civitas/json.hpp"
#include "civitas/schema.hpp"
#include "block_worker.hpp"
#include "format.hpp"

namespace civitas::package {

using nlohmann::json;
using namespace detail;
namespace fs = std::filesystem;

namespace {

std::string errno_text(int e) { return std::error_code(e, std::generic_category()).message(); }

[[noreturn]] void fail_integrity(const std::string& what, std::uint64_t offset) {
  Location l;
  l.offset = offset;
  throw Error(Code::integrity, "package integrity: " + what, l);
}

void remove_stale(const std::string& target) {
  fs::path t(target);
  if (t.filename().empty()) t = t.parent_path();
  if (t.empty()) return;
  fs::path parent = t.parent_path();
  if (parent.empty()) parent = ".";
  const std::string prefix = "." + t.filename().string() + ".tmp-";
  std::error_code ec;
  std::vector<fs::path> stale;
  for (fs::directory_iterator it(parent, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.size() != prefix.size() + 6 || name.compare(0, prefix.size(), prefix) != 0) continue;
    int fd = ::open(it->path().c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) continue;
    if (::flock(fd, LOCK_EX | LOCK_NB) == 0) stale.push_back(it->path());  // nobody is writing it
    ::close(fd);
  }
  for (const fs::path& p : stale) fs::remove_all(p, ec);
}

}  // namespace

void remove_stale_output(const std::string& target) noexcept {
  try {
    remove_stale(target);
  } catch (...) {
  }
}

namespace {

// The output directory, built under a temporary name beside it (mode 0700 while it is being
// written, whatever the caller asked for the result). The temporary directory is locked
// (flock) for as long as its reader lives, so that the next open of the same target can tell
// the leftovers of a killed run (unlocked: removed) from a run still in progress (locked).
class TempDir {
 public:
  TempDir(const std::string& target, unsigned file_mode) : target_(target), file_mode_(file_mode & 0777) {
    fs::path t(target);
    if (t.filename().empty()) t = t.parent_path();
    if (t.empty()) throw Error(Code::invalid_argument, "output directory must not be empty");
    target_ = t.string();
    remove_stale_output(target_);
    std::error_code ec;
    if (fs::exists(t, ec)) {
      if (!fs::is_directory(t, ec)) throw Error(Code::exists, target_ + " exists and is not a directory");
      if (!fs::is_empty(t, ec)) throw Error(Code::exists, target_ + " exists and is not empty");
    }
    fs::path parent = t.parent_path();
    if (parent.empty()) parent = ".";
    std::string tmpl = (parent / ("." + t.filename().string() + ".tmp-XXXXXX")).string();
    std::vector<char> buf(tmpl.begin(), tmpl.end());
    buf.push_back('\0');
    if (!::mkdtemp(buf.data())) throw Error(Code::io, "cannot create a directory beside " + target_ + ": " + errno_text(errno));
    tmp_ = buf.data();  // mkdtemp: mode 0700
    lock_fd_ = ::open(tmp_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (lock_fd_ < 0 || ::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
      int e = errno;
      cleanup();
      throw Error(Code::io, "cannot lock " + tmp_ + ": " + errno_text(e));
    }
    if (::mkdir((tmp_ + "/data").c_str(), 0700) != 0) {
      int e = errno;
      cleanup();
      throw Error(Code::io, "cannot create " + tmp_ + "/data: " + errno_text(e));
    }
  }
  ~TempDir() {
    cleanup();
    if (lock_fd_ >= 0) ::close(lock_fd_);
  }
  const std::string& path() const { return tmp_; }
  unsigned file_mode() const { return file_mode_; }
  /// Forces the directory's entries to disk (the files themselves are synced as they are
  /// closed), before the package counts as received.
  void flush() {
    sync_dir(tmp_ + "/data");
    sync_dir(tmp_);
  }
  /// Renames the directory to its target; `durable`: with the new name forced to disk (call
  /// flush() first). The directories get the caller's file mode plus search permission where
  /// it grants read (0600 → 0700, 0644 → 0755), less the umask.
  void commit(bool durable) {
    const unsigned dmode = dir_mode();
    if (dmode != 0700) {
      const mode_t um = ::umask(0);
      ::umask(um);
      const mode_t m = static_cast<mode_t>(dmode) & ~um;
      if (::chmod((tmp_ + "/data").c_str(), m) != 0 || ::chmod(tmp_.c_str(), m) != 0)
        throw Error(Code::io, "cannot set the mode of " + tmp_ + ": " + errno_text(errno));
    }
    if (::rename(tmp_.c_str(), target_.c_str()) != 0) {
      int e = errno;
      if (e == ENOTEMPTY || e == EEXIST) throw Error(Code::exists, target_ + " appeared meanwhile and is not empty");
      throw Error(Code::io, "cannot rename " + tmp_ + " to " + target_ + ": " + errno_text(e));
    }
    committed_ = true;
    if (durable) {
      fs::path parent = fs::path(target_).parent_path();
      sync_dir(parent.empty() ? "." : parent.string());
    }
  }
  void uncommit() {  // removes the committed output again
    std::error_code ec;
    fs::remove_all(target_, ec);
  }

 private:
  unsigned dir_mode() const {
    unsigned m = file_mode_ | 0700;
    if (file_mode_ & 040) m |= 010;
    if (file_mode_ & 004) m |= 001;
    return m;
  }
  void cleanup() {
    if (committed_ || tmp_.empty()) return;
    std::error_code ec;
    fs::remove_all(tmp_, ec);
  }
  std::string target_, tmp_;
  unsigned file_mode_;
  int lock_fd_ = -1;
  bool committed_ = false;
};

class OutFile {
 public:
  OutFile(const std::string& path, unsigned mode) : path_(path) {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, static_cast<mode_t>(mode & 0777));
    if (fd < 0) throw Error(Code::io, "cannot create " + path + ": " + errno_text(errno));
    f_ = ::fdopen(fd, "wb");
    if (!f_) {
      int e = errno;
      ::close(fd);
      throw Error(Code::io, "cannot create " + path + ": " + errno_text(e));
    }
    std::setvbuf(f_, nullptr, _IOFBF, 1u << 20);
  }
  ~OutFile() {
    if (f_) std::fclose(f_);
  }
  void write(const std::uint8_t* p, std::size_t n) {
    if (n && std::fwrite(p, 1, n, f_) != n) throw Error(Code::io, "cannot write " + path_ + ": " + errno_text(errno));
    wb_.wrote(::fileno(f_), n);
  }
  /// Closes the file, first forcing it to disk when `durable`.
  void close(bool durable) {
    FILE* f = f_;
    f_ = nullptr;
    if (std::fflush(f) != 0) {
      int e = errno;
      std::fclose(f);
      throw Error(Code::io, "cannot write " + path_ + ": " + errno_text(e));
    }
    if (durable) {
      try {
        sync_fd(::fileno(f), path_);
      } catch (...) {
        std::fclose(f);
        throw;
      }
    }
    if (std::fclose(f) != 0) throw Error(Code::io, "cannot write " + path_ + ": " + errno_text(errno));
  }

 private:
  std::string path_;
  FILE* f_ = nullptr;
  WriteBack wb_;
};

struct Found {
  std::string path;
  std::uint64_t bytes = 0;
  std::string hash;
};

}  // namespace

struct PackageReader::State {
  ReaderKeys keys;
  std::vector<std::pair<PublicKey, crypto::SecretBytes>> own;  // exchange key pairs, primary first
  OpenOptions opts;
  std::unique_ptr<TempDir> dir;

  enum class Stage { preamble, header, payload, done, failed } stage = Stage::preamble;
  std::vector<std::uint8_t> buf;   // bytes fed and not yet consumed
  std::uint64_t consumed = 0;      // package offset of buf[0]
  // Segments (docs/formats/package.md §1): each is hashed and compared, with the hash stored
  // after it or (open(), `trusted`) with the list already checked against the signed trailer,
  // before any of its chunks is decrypted. D is rebuilt from the stored hashes as they come.
  std::unique_ptr<DigestList> digest;
  Sha256 seg_hash;
  std::size_t g = 1;                                          // chunks per segment
  std::uint64_t segments = 0;                                 // segments checked so far
  std::optional<std::vector<std::array<std::uint8_t, 32>>> trusted;
  Header header;
  bool have_header = false;
  PublicKey provider_pk{};
  const Header::Stanza* mine = nullptr;
  crypto::SecretBytes stream;      // secretstream state
  std::uint64_t payload = 0, chunks = 0;

  // zstd without its own window buffer (the "buffer-less" API): every zstd block decodes
  // straight into an output block, which holds at least window + one zstd block, so the
  // previous output block is the history the next one may refer to (zstd.h: "round buffer").
  // zstd units (frame header, block header, block) that straddle two blocks of compressed
  // content are gathered in `unit`.
  ZSTD_DCtx* dctx = nullptr;
  bool frame_started = false, frame_done = false;
  std::vector<std::uint8_t> unit;
  std::size_t zblock_max = 0;  // the frame's largest block

  // Three stages, so that two cores share the work as evenly as `age -d | zstd -d` does:
  // the calling thread reads, hashes, authenticates and decrypts chunks into blocks of
  // compressed content; `inflate` decompresses them into output blocks (at least 1 MiB, and
  // at least a window and a zstd block: see decompress()); `output` parses the
  // content, hashes every resource and writes it into the temporary directory. Each worker
  // starts with its first full block (small packages stay on the calling thread) and holds
  // at most kBlocks blocks. The content parser (cst … content, out, found) belongs to the
  // output thread until it is finished; dctx and frame_done to the inflate thread.
  static constexpr std::size_t kBlock = 1u << 20, kBlocks = 4;
  std::unique_ptr<BlockWorker> inflate, output;

  // content parser
  enum class C { magic, type, name_len, name, seg_len, seg_data, end } cst = C::magic;
  std::uint8_t fixed[8];
  std::size_t fixed_have = 0;
  char etype = 0;
  std::size_t name_len = 0, seg_left = 0;
  std::string name;
  std::string json_text;
  std::unique_ptr<OutFile> out;
  std::unique_ptr<Sha256> res_hash;
  std::uint64_t res_bytes = 0;
  std::vector<Found> found;
  std::set<std::string> paths;
  std::string envelope_text, datapackage_text;
  int entries = 0;
  std::uint64_t content = 0;
  std::uint64_t coff = 0;  // package offset reported by content errors

  ~State() {
    cancel_workers();
    ZSTD_freeDCtx(dctx);
  }

  // After a refusal: both threads drop what is queued and end (output first, which also
  // wakes an inflate thread waiting for an output block).
  void cancel_workers() noexcept {
    if (output) output->cancel();
    if (inflate) inflate->cancel();
  }

  // Waits until every chunk is decompressed, parsed and written.
  void finish_workers(std::uint64_t off) {
    inflate->finish();
    if (!frame_done) fail_truncated("the compressed content ends early", off);
    output->finish();
  }

  crypto_secretstream_xchacha20poly1305_state* ss() {
    return reinterpret_cast<crypto_secretstream_xchacha20poly1305_state*>(stream.data());
  }

  void on_header() {
    std::size_t header_end = kPreambleSize + preamble_header_len(buf.data(), buf.size());
    header = verify_header(buf.data(), header_end, buf.data() + header_end, keys.provider_key, &provider_pk);
    have_header = true;
    digest = std::make_unique<DigestList>(buf.data(), header.header_bytes);
    g = segment_chunks(header.chunk_size);
    const std::pair<PublicKey, crypto::SecretBytes>* kp = nullptr;
    for (const auto& k : own) {
      KeyId id = key_id_of(k.first);
      for (const auto& s : header.recipients)
        if (!mine && s.key_id == id) {
          mine = &s;
          kp = &k;
        }
    }
    if (!mine) {
      std::string list;
      for (const auto& s : header.recipients) list += (list.empty() ? "" : ", ") + s.department + " (key " + crypto::key_id_hex(s.key_id) + ")";
      throw Error(Code::not_recipient, "this department's exchange key " + crypto::key_id_hex(key_id_of(own[0].first)) +
                                           " is not a recipient of package " + header.package_id + "; recipients: " + list);
    }
    if (keys.replay.seen && keys.replay.seen(header.provider, mine->department, mine->sequence))
      throw Error(Code::replay, "package " + header.package_id + ": sequence " + std::to_string(mine->sequence) + " from " +
                                    header.provider + " to " + mine->department + " was accepted before (replay)");
    crypto::SecretBytes file_key(32);
    open_file_key(file_key.data(), static_cast<std::uint8_t>(header.version), mine->sealed_key.data(),
                  mine->sealed_key.size(), kp->first, kp->second, header.provider_key, header.package_id);
    crypto::SecretBytes pkey(32);
    payload_key(pkey.data(), file_key.data(), header.package_id);
    stream = crypto::SecretBytes(sizeof(crypto_secretstream_xchacha20poly1305_state));
    if (crypto_secretstream_xchacha20poly1305_init_pull(ss(), header.stream_header.data(), pkey.data()) != 0)
      fail_integrity("bad stream header", kPreambleSize);
    output = std::make_unique<BlockWorker>(kBlock, kBlocks, [this](const BlockWorker::Block& b) {
      coff = b.off;
      content_feed(b.data.data(), b.n);
    });
    inflate = std::make_unique<BlockWorker>(std::max<std::size_t>(kBlock, header.chunk_size), kBlocks,
                                            [this](const BlockWorker::Block& b) { decompress(b.data.data(), b.n, b.off); });
    dctx = ZSTD_createDCtx();
    if (!dctx) throw std::bad_alloc();
    if (ZSTD_isError(ZSTD_decompressBegin(dctx))) throw std::bad_alloc();
  }

  // The chunks of one segment (`n` bytes at package offset `off`) and, after them, its stored
  // hash: the chunks' hash must match the trusted list (open()) or the stored hash (streaming)
  // before any of them is decrypted.
  void check_segment(const std::uint8_t* p, std::size_t n, std::uint64_t off) {
    seg_hash.update(p, n);
    auto h = seg_hash.final();
    seg_hash.reset();
    const std::uint8_t* stored = p + n;
    const std::uint8_t* expected = stored;
    if (trusted) {
      if (segments >= trusted->size()) fail_integrity("more segments than the signed trailer lists", off);
      expected = (*trusted)[segments].data();
    }
    if (sodium_memcmp(h.data(), expected, kHashSize) != 0)
      fail_integrity("segment " + std::to_string(segments) + (trusted ? " does not match its signed hash" : " does not match its hash") +
                         " (modified, reordered, added or removed)", off);
    digest->add(stored);
    ++segments;
  }

  // The chunks of a checked segment at package offset `off`: `full_chunks` of C + 17 bytes,
  // then, for the last segment, the final chunk of `final_len` bytes.
  void decrypt_segment(const std::uint8_t* p, std::size_t full_chunks, std::optional<std::size_t> final_len,
                       std::uint64_t off) {
    const std::size_t full = header.chunk_size + kABytes;
    for (std::size_t i = 0; i < full_chunks; ++i) on_chunk(p + i * full, full, false, off + i * full);
    if (final_len) on_chunk(p + full_chunks * full, *final_len, true, off + full_chunks * full);
  }

  // One ciphertext chunk at package offset `off`.
  void on_chunk(const std::uint8_t* c, std::size_t n, bool last, std::uint64_t off) {
    BlockWorker::Block* b = inflate->current(off);
    unsigned long long plen = 0;
    unsigned char tag = 0;
    if (crypto_secretstream_xchacha20poly1305_pull(ss(), b->data.data() + b->n, &plen, &tag, c, n, nullptr, 0) != 0)
      fail_integrity("chunk " + std::to_string(chunks) + " does not authenticate (modified or reordered)", off);
    ++chunks;
    if (last) {
      if (tag != crypto_secretstream_xchacha20poly1305_TAG_FINAL)
        fail_truncated("the last chunk is not marked final", off);
    } else if (tag != crypto_secretstream_xchacha20poly1305_TAG_MESSAGE) {
      fail_integrity("chunk " + std::to_string(chunks - 1) + " is marked final before the end", off);
    }
    b->n += static_cast<std::size_t>(plen);
    if (last || b->room() < header.chunk_size) inflate->submit(last);
  }

  // On the inflate thread (or the calling one for a small package): `n` bytes of compressed
  // content from the chunks that start at package offset `off`.
  void decompress(const std::uint8_t* p, std::size_t n, std::uint64_t off) {
    if (n == 0) return;
    if (frame_done) fail_integrity("data after the end of the compressed content", off);
    if (!frame_started) {  // the frame header: its window size decides the output block size
      std::size_t take = std::min(n, static_cast<std::size_t>(ZSTD_FRAMEHEADERSIZE_MAX) - unit.size());
      unit.insert(unit.end(), p, p + take);
      p += take;
      n -= take;
      ZSTD_frameHeader fh{};
      std::size_t r = ZSTD_getFrameHeader(&fh, unit.data(), unit.size());
      if (ZSTD_isError(r)) fail_integrity(std::string("compressed content is damaged: ") + ZSTD_getErrorName(r), off);
      if (r > 0) return;  // more bytes to come (finish() reports a content that ends here)
      if (fh.frameType != ZSTD_frame) fail_integrity("the compressed content is not a zstd frame", off);
      if (fh.windowSize > kMaxWindow)
        fail_integrity("the compressed content needs a window of " + std::to_string(fh.windowSize) + " bytes (at most " +
                           std::to_string(kMaxWindow) + " allowed)", off);
      zblock_max = fh.blockSizeMax;
      output->set_block_size(std::max<std::size_t>(kBlock, static_cast<std::size_t>(fh.windowSize) + zblock_max));
      frame_started = true;
      std::vector<std::uint8_t> head;
      head.swap(unit);
      units(head.data(), head.size(), off);
    }
    units(p, n, off);
  }

  void units(const std::uint8_t* p, std::size_t n, std::uint64_t off) {
    while (n) {
      std::size_t need = ZSTD_nextSrcSizeToDecompress(dctx);
      if (need == 0) {
        frame_done = true;
        fail_integrity("data after the end of the compressed content", off);
      }
      const std::uint8_t* src = p;
      if (unit.empty() && n >= need) {
        p += need;
        n -= need;
      } else {  // gather a unit that straddles blocks of compressed content
        std::size_t take = std::min(n, need - unit.size());
        unit.insert(unit.end(), p, p + take);
        p += take;
        n -= take;
        if (unit.size() < need) return;
        src = unit.data();
      }
      BlockWorker::Block* b = output->current(off);
      std::size_t r = ZSTD_decompressContinue(dctx, b->data.data() + b->n, b->room(), src, need);
      if (ZSTD_isError(r)) fail_integrity(std::string("compressed content is damaged: ") + ZSTD_getErrorName(r), off);
      unit.clear();
      b->n += r;
      if (b->room() < zblock_max) output->submit(false);
      if (ZSTD_nextSrcSizeToDecompress(dctx) == 0) frame_done = true;
    }
  }

  // ---- content entries ----
  void content_feed(const std::uint8_t* p, std::size_t n) {
    content += n;
    while (n) {
      switch (cst) {
        case C::magic:
        case C::name_len:
        case C::seg_len:
        case C::type: {
          std::size_t need = cst == C::magic ? 8 : cst == C::name_len ? 2 : cst == C::seg_len ? 4 : 1;
          std::size_t k = std::min(n, need - fixed_have);
          std::memcpy(fixed + fixed_have, p, k);
          fixed_have += k;
          p += k;
          n -= k;
          if (fixed_have == need) {
            fixed_have = 0;
            on_fixed();
          }
          break;
        }
        case C::name: {
          std::size_t k = std::min(n, name_len - name.size());
          name.append(reinterpret_cast<const char*>(p), k);
          p += k;
          n -= k;
          if (name.size() == name_len) on_name();
          break;
        }
        case C::seg_data: {
          std::size_t k = std::min(n, seg_left);
          on_data(p, k);
          p += k;
          n -= k;
          seg_left -= k;
          if (!seg_left) cst = C::seg_len;
          break;
        }
        case C::end:
          fail_integrity("content continues after its end marker", coff);
      }
    }
  }

  void on_fixed() {
    switch (cst) {
      case C::magic:
        if (std::memcmp(fixed, kContentMagic, 8) != 0) fail_integrity("content does not start with its magic", coff);
        cst = C::type;
        break;
      case C::type: {
        etype = static_cast<char>(fixed[0]);
        ++entries;
        bool ok = (entries == 1) ? etype == 'E' : (etype == 'R' || etype == 'P' || etype == 'Z');
        if (ok && !datapackage_text.empty()) ok = etype == 'Z';
        if (ok && etype == 'Z' && datapackage_text.empty()) ok = false;
        if (!ok) fail_integrity(std::string("unexpected content entry type '") + (etype >= 32 && etype < 127 ? etype : '?') + "'", coff);
        if (etype == 'Z') {
          cst = C::end;
          break;
        }
        cst = C::name_len;
        break;
      }
      case C::name_len:
        name_len = get_u16(fixed);
        name.clear();
        if (name_len == 0 || name_len > 255) fail_integrity("content entry name length out of range", coff);
        cst = C::name;
        break;
      case C::seg_len: {
        std::size_t len = get_u32(fixed);
        if (len == 0) {
          end_entry();
          cst = C::type;
        } else {
          if (len > kMaxSegment) fail_integrity("content segment longer than 1 MiB", coff);
          seg_left = len;
          cst = C::seg_data;
        }
        break;
      }
      default:
        break;
    }
  }

  void on_name() {
    if (etype == 'E' && name != "envelope.json") fail_integrity("envelope entry is not called envelope.json", coff);
    if (etype == 'P' && name != "datapackage.json") fail_integrity("datapackage entry is not called datapackage.json", coff);
    if (etype == 'R') {
      if (!valid_resource_path(name)) fail_integrity("resource path \"" + name + "\" is not allowed", coff);
      if (!paths.insert(name).second) fail_integrity("resource " + name + " appears twice", coff);
      if (found.size() >= kMaxResources) fail_integrity("more than 4096 resources", coff);
      out = std::make_unique<OutFile>(dir->path() + "/" + name, dir->file_mode());
      res_hash = std::make_unique<Sha256>();
      res_bytes = 0;
    }
    json_text.clear();
    cst = C::seg_len;
  }

  void on_data(const std::uint8_t* p, std::size_t n) {
    if (etype == 'R') {
      out->write(p, n);
      res_hash->update(p, n);
      res_bytes += n;
    } else {
      if (json_text.size() + n > kMaxJsonEntry) fail_integrity(name + " is larger than 16 MiB", coff);
      json_text.append(reinterpret_cast<const char*>(p), n);
    }
  }

  void end_entry() {
    if (etype == 'R') {
      out->close(opts.sync);
      out.reset();
      found.push_back({name, res_bytes, sha256_text(res_hash->final())});
    } else if (etype == 'E') {
      envelope_text = std::move(json_text);
    } else if (etype == 'P') {
      datapackage_text = std::move(json_text);
      if (datapackage_text.empty()) fail_integrity("datapackage.json is empty", coff);
    }
    json_text.clear();
  }

  // ---- stream of package bytes ----
  void process() {
    std::size_t pos = 0;
    if (stage == Stage::preamble) {
      if (buf.size() >= 8 || buf.size() >= kPreambleSize) {
        std::size_t m = std::min<std::size_t>(buf.size(), 8);
        if (std::memcmp(buf.data(), kMagic, m) != 0) throw Error(Code::parse, "not a civitas package (bad magic)");
      }
      if (buf.size() < kPreambleSize) return;
      preamble_header_len(buf.data(), buf.size());
      stage = Stage::header;
    }
    if (stage == Stage::header) {
      std::size_t need = kPreambleSize + preamble_header_len(buf.data(), buf.size()) + kSigSize;
      if (buf.size() < need) return;
      on_header();
      pos = need;
      stage = Stage::payload;
    }
    if (stage == Stage::payload) {
      // A segment of G full chunks is complete, and none of its chunks is the final one, once
      // its hash and at least the smallest possible end follow it: an empty final chunk, its
      // segment hash and the trailer (a last segment is always shorter than that).
      const std::size_t full = header.chunk_size + kABytes;
      const std::size_t bytes = g * full;
      while (buf.size() - pos >= bytes + kHashSize + kABytes + kHashSize + kTrailerSize) {
        check_segment(buf.data() + pos, bytes, consumed + pos);
        decrypt_segment(buf.data() + pos, g, std::nullopt, consumed + pos);
        payload += bytes + kHashSize;
        pos += bytes + kHashSize;
      }
    }
    if (pos) {
      buf.erase(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(pos));
      consumed += pos;
    }
  }

  Summary finish() {
    if (stage == Stage::preamble || stage == Stage::header) {
      if (buf.size() >= 8 || stage == Stage::header) fail_truncated("the header is incomplete", consumed + buf.size());
      if (buf.empty() || std::memcmp(buf.data(), kMagic, buf.size()) != 0)
        throw Error(Code::parse, "not a civitas package (too short or bad magic)");
      fail_truncated("the preamble is incomplete", buf.size());
    }
    if (buf.size() < kABytes + kHashSize + kTrailerSize)
      fail_truncated("it ends before its last chunk and trailer", consumed + buf.size());
    const std::uint8_t* t = buf.data() + buf.size() - kTrailerSize;
    Trailer tr;
    try {
      tr = check_trailer(t, provider_pk);
    } catch (const Error& e) {
      if (e.code() != Code::truncated) throw;
      fail_truncated("no trailer at the end (the package was cut short)", consumed + buf.size());
    }
    // What is left: the last segment (m full chunks, m < G, then the final chunk), its hash.
    const std::size_t full = header.chunk_size + kABytes;
    const std::size_t rest = buf.size() - kTrailerSize - kHashSize;
    const std::size_t m = rest / full, last = rest % full;
    if (m >= g || last < kABytes || tr.payload_bytes != payload + rest + kHashSize || tr.chunks != chunks + m + 1)
      fail_integrity("chunk count or payload length disagree with the signed trailer", consumed);
    check_segment(buf.data(), rest, consumed);
    auto d = digest->final();
    if (sodium_memcmp(d.data(), tr.digest.data(), 32) != 0)
      fail_integrity("the signed digest does not match the segment hashes (segments modified, reordered, added or removed)",
                     consumed);
    decrypt_segment(buf.data(), m, last, consumed);
    payload += rest + kHashSize;
    finish_workers(consumed);
    if (cst != C::end) fail_truncated("the content ends before its end marker", consumed);
    return complete();
  }

  Summary complete() {
    Summary s;
    s.header = header;
    s.payload_bytes = payload;
    s.chunks = chunks;
    s.content_bytes = content;
    s.package_bytes = header.header_bytes + payload + kTrailerSize;
    json env = parse_json(envelope_text, "envelope.json");
    json dp = parse_json(datapackage_text, "datapackage.json");
    if (!env.is_object()) throw Error(Code::parse, "envelope.json is not a JSON object");
    if (!dp.is_object()) throw Error(Code::parse, "datapackage.json is not a JSON object");
    check_envelope(env);
    check_datapackage(dp);
    s.envelope = std::move(env);
    s.datapackage = std::move(dp);
    write_json_file("envelope.json", envelope_text);
    write_json_file("datapackage.json", datapackage_text);
    if (opts.sync) dir->flush();  // the data is on disk before it counts as received
    if (opts.before_commit) opts.before_commit(s);
    dir->commit(opts.sync);
    try {
      if (keys.replay.remember) keys.replay.remember(header.provider, mine->department, mine->sequence, header.package_id);
    } catch (...) {
      dir->uncommit();
      throw;
    }
    if (opts.after_commit) opts.after_commit(s);
    stage = Stage::done;
    return s;
  }

  void write_json_file(const std::string& n, const std::string& text) {
    OutFile f(dir->path() + "/" + n, dir->file_mode());
    f.write(reinterpret_cast<const std::uint8_t*>(text.data()), text.size());
    f.close(opts.sync);
  }

  void check_envelope(const json& env) {
    auto s = [&](const char* k) -> std::string {
      auto it = env.find(k);
      return it != env.end() && it->is_string() ? it->get<std::string>() : std::string();
    };
    if (s("package_id") != header.package_id || s("provider") != header.provider)
      fail_integrity("envelope names another package or provider than the header", 0);
    auto cons = env.find("consumers");
    auto seqs = env.find("sequences");
    if (cons == env.end() || !cons->is_array() || cons->size() != header.recipients.size() || seqs == env.end() ||
        !seqs->is_object())
      fail_integrity("envelope consumers disagree with the header's recipients", 0);
    for (std::size_t i = 0; i < header.recipients.size(); ++i) {
      const auto& r = header.recipients[i];
      auto q = seqs->find(r.department);
      if (!(*cons)[i].is_string() || (*cons)[i].get<std::string>() != r.department || q == seqs->end() ||
          !q->is_number_unsigned() || q->get<std::uint64_t>() != r.sequence)
        fail_integrity("envelope consumers or sequences disagree with the header's recipients", 0);
    }
  }

  void check_datapackage(const json& dp) {
    auto res = dp.find("resources");
    if (res == dp.end() || !res->is_array()) fail_integrity("datapackage.json has no resources array", 0);
    if (res->size() != found.size()) fail_integrity("datapackage.json lists another number of resources than the package holds", 0);
    std::map<std::string, const Found*> by_path;
    for (const auto& f : found) by_path[f.path] = &f;
    std::set<std::string> names;
    for (const json& r : *res) {
      if (!r.is_object()) fail_integrity("a datapackage.json resource is not an object", 0);
      auto str = [&](const char* k) {
        auto it = r.find(k);
        return it != r.end() && it->is_string() ? it->get<std::string>() : std::string();
      };
      std::string name = str("name"), path = str("path");
      auto it = by_path.find(path);
      if (it == by_path.end()) fail_integrity("datapackage.json names a resource file \"" + path + "\" the package does not hold", 0);
      names.insert(name);
      auto b = r.find("bytes");
      if (b == r.end() || !b->is_number_unsigned() || b->get<std::uint64_t>() != it->second->bytes)
        fail_integrity("resource " + name + ": byte count disagrees with datapackage.json", 0);
      if (str("hash") != it->second->hash) fail_integrity("resource " + name + ": SHA-256 disagrees with datapackage.json", 0);
      auto sc = r.find("schema");
      if (sc == r.end() || sc->is_null()) {
        if (opts.expected_schemas.count(name))
          throw Error(Code::schema_mismatch, "resource " + name + " has no schema, but one is expected");
        continue;
      }
      if (!sc->is_object()) throw Error(Code::schema_mismatch, "resource " + name + ": schema is not inline JSON");
      std::string h = schema_hash(*sc);
      auto declared = r.find("civitas:schemaHash");
      if (declared != r.end() && (!declared->is_string() || declared->get<std::string>() != h))
        throw Error(Code::schema_mismatch, "resource " + name + ": schema does not match its declared hash");
      auto ex = opts.expected_schemas.find(name);
      if (ex != opts.expected_schemas.end() && schema_hash(ex->second) != h)
        throw Error(Code::schema_mismatch, "resource " + name + ": schema hash " + h + " is not the expected " +
                                               schema_hash(ex->second));
      if (opts.validate) validate_records(name, dir->path() + "/" + path, path, *sc);
    }
    for (const auto& [n, _] : opts.expected_schemas)
      if (!names.count(n)) throw Error(Code::schema_mismatch, "expected resource " + n + " is not in the package");
  }

  void validate_records(const std::string& name, const std::string& file, const std::string& path, const json& sc) {
    schema::TableSchema ts;
    try {
      ts = schema::parse_schema(sc);
    } catch (const Error& e) {
      throw Error(Code::schema_mismatch, "resource " + name + ": schema is not usable: " + e.what());
    }
    schema::ValidateOptions vo;
    vo.name = name;
    vo.place = path;  // the file's place inside the package, not the temporary directory
    json report;
    try {
      report = schema::validate_file(file, ts, vo);
    } catch (const Error& e) {
      std::string msg = e.what();
      if (auto p = msg.find(file); p != std::string::npos) msg.replace(p, file.size(), path);
      throw RecordsError("resource " + name + ": " + msg,
                         json{{"valid", false}, {"errors", json::array({json{{"message", msg}}})}, {"tasks", json::array()}});
    }
    if (report.value("valid", false)) return;
    std::string first;
    std::uint64_t count = 0;
    if (auto tasks = report.find("tasks"); tasks != report.end() && tasks->is_array()) {
      for (const json& t : *tasks) {
        if (auto errs = t.find("errors"); errs != t.end() && errs->is_array()) {
          count += errs->size();
          if (first.empty() && !errs->empty()) first = (*errs)[0].value("message", "");
        }
      }
    }
    throw RecordsError("resource " + name + ": records do not match their schema (" + std::to_string(count) +
                           " error(s); first: " + first + ")",
                       std::move(report));
  }
};

PackageReader::PackageReader(const std::string& out_dir, const ReaderKeys& keys, const OpenOptions& opts)
    : s_(std::make_unique<State>()) {
  crypto::init();
  if (!keys.exchange_secret || keys.exchange_secret->size() != crypto_box_SECRETKEYBYTES)
    throw Error(Code::invalid_argument, "the reader's X25519 exchange secret key (32 bytes) is required");
  if (!keys.provider_key) throw Error(Code::invalid_argument, "the reader needs a provider key directory");
  s_->keys = keys;
  s_->own.emplace_back(keys.exchange_public, keys.exchange_secret->clone());
  for (const auto& [pk, sk] : keys.older_exchange_keys) {
    if (!sk || sk->size() != crypto_box_SECRETKEYBYTES) throw Error(Code::invalid_argument, "an older exchange secret key is not 32 bytes");
    s_->own.emplace_back(pk, sk->clone());
  }
  s_->keys.exchange_secret = nullptr;
  s_->keys.older_exchange_keys.clear();
  s_->opts = opts;
  s_->dir = std::make_unique<TempDir>(out_dir, s_->opts.file_mode);
}

PackageReader::~PackageReader() = default;

void PackageReader::feed(const void* data, std::size_t n) {
  using St = State::Stage;
  if (s_->stage == St::done) throw Error(Code::invalid_argument, "package reader is already finished");
  if (s_->stage == St::failed) throw Error(Code::invalid_argument, "package reader failed earlier");
  if (!data && n) throw Error(Code::invalid_argument, "feed: data is NULL");
  try {
    auto* p = static_cast<const std::uint8_t*>(data);
    s_->buf.insert(s_->buf.end(), p, p + n);
    s_->process();
  } catch (...) {
    s_->stage = St::failed;
    s_->cancel_workers();
    throw;
  }
}

Summary PackageReader::finish() {
  using St = State::Stage;
  if (s_->stage == St::done) throw Error(Code::invalid_argument, "package reader is already finished");
  if (s_->stage == St::failed) throw Error(Code::invalid_argument, "package reader failed earlier");
  try {
    return s_->finish();
  } catch (...) {
    s_->stage = St::failed;
    s_->cancel_workers();
    throw;
  }
}

void PackageReader::trust_segment_hashes(std::vector<std::array<std::uint8_t, 32>> hashes) {
  s_->trusted = std::move(hashes);
}

const Header* PackageReader::header() const noexcept { return s_->have_header ? &s_->header : nullptr; }

}  // namespace civitas::package
