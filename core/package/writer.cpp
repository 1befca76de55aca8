// PackageWriter: content framing → zstd (streaming, optional worker threads) → secretstream
// chunks → sink, with a running SHA-256 of every byte written for the trailer signature.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include <cerrno>
#include <chrono>
#include <filesystem>
#include <set>

#include "civitas/ids.hpp"
#include "format.hpp"
#include "resource_check.hpp"

namespace civitas::package {

using nlohmann::json;
using namespace detail;

namespace {

std::string errno_text(int e) { return std::error_code(e, std::generic_category()).message(); }

bool valid_package_id(std::string_view s) {
  if (s.empty() || s.size() > 128) return false;
  for (char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
          c == '-' || c == ':'))
      return false;
  return true;
}

// A file written under a temporary name in its target directory and renamed on commit().
class AtomicFile {
 public:
  explicit AtomicFile(const std::string& path) : path_(path) {
    namespace fs = std::filesystem;
    fs::path p(path);
    if (p.filename().empty()) throw Error(Code::invalid_argument, "output path \"" + path + "\" names no file");
    unsigned char r[8];
    randombytes_buf(r, sizeof r);
    fs::path dir = p.parent_path();
    tmp_ = (dir / ("." + p.filename().string() + ".tmp-" + crypto::to_hex(r, sizeof r))).string();
    fd_ = ::open(tmp_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd_ < 0) throw Error(Code::io, "cannot create " + tmp_ + ": " + errno_text(errno));
  }
  ~AtomicFile() {
    if (fd_ >= 0) ::close(fd_);
    if (!committed_) ::unlink(tmp_.c_str());
  }
  // Chunks are gathered into 1 MiB writes (one write() per 64 KiB chunk cost ≈ 0.5 ms each
  // on a busy disk: docs/benchmarks.md, exchange packages).
  void write(const std::uint8_t* p, std::size_t n) {
    if (buf_.size() + n > kBuffer) flush();
    if (n >= kBuffer) return write_all(p, n);
    buf_.insert(buf_.end(), p, p + n);
  }
  void commit() {
    flush();
    commit_file();
  }

 private:
  static constexpr std::size_t kBuffer = 1u << 20;
  void flush() {
    write_all(buf_.data(), buf_.size());
    buf_.clear();
  }
  void write_all(const std::uint8_t* p, std::size_t n) {
    while (n) {
      ssize_t w = ::write(fd_, p, n);
      if (w < 0) {
        if (errno == EINTR) continue;
        throw Error(Code::io, "cannot write " + tmp_ + ": " + errno_text(errno));
      }
      p += w;
      n -= static_cast<std::size_t>(w);
      wb_.wrote(fd_, static_cast<std::size_t>(w));
    }
  }
  void commit_file() {
    sync_fd(fd_, tmp_);
    int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0) throw Error(Code::io, "cannot close " + tmp_ + ": " + errno_text(errno));
    if (::rename(tmp_.c_str(), path_.c_str()) != 0)
      throw Error(Code::io, "cannot rename " + tmp_ + " to " + path_ + ": " + errno_text(errno));
    committed_ = true;
    sync_dir(std::filesystem::path(path_).parent_path().string());  // the new name, durable
  }

  std::string path_, tmp_;
  std::vector<std::uint8_t> buf_;
  int fd_ = -1;
  bool committed_ = false;
  WriteBack wb_;
};

struct ResourceInfo {
  std::string name, path, format;
  json schema;
  std::uint64_t bytes = 0;
  std::string hash;
};

}  // namespace

struct PackageWriter::State {
  std::unique_ptr<AtomicFile> file;
  Sink sink;
  WriterOptions opts;
  crypto::SecretBytes sk;       // Ed25519 secret key (64)
  crypto::SecretBytes stream;   // crypto_secretstream_xchacha20poly1305_state
  Header header;
  json envelope;
  ZSTD_CCtx* cctx = nullptr;
  std::vector<std::uint8_t> chunk, ct;
  std::size_t fill = 0;
  std::unique_ptr<DigestList> digest;  // D, from the header hash and the segment hashes
  Sha256 segment;                      // the chunks of the current segment
  std::size_t seg_chunks = 0, g = 1;   // chunks in it so far; G
  std::uint64_t written = 0, payload = 0, chunks = 0, content = 0;
  std::vector<ResourceInfo> resources;
  std::set<std::string> names;
  std::unique_ptr<Sha256> res_hash;
  std::unique_ptr<ResourceCheck> check;  // transcoding and validation of the open resource
  std::string utf8;                      // its decoded bytes, reused
  bool in_resource = false, finished = false, failed = false;

  ~State() { ZSTD_freeCCtx(cctx); }
  void start(Sink* sink, const std::string* path, const WriterOptions& o);
  Summary seal(bool end_frame = true, json datapackage = nullptr);  // ends the zstd frame, writes the final chunk and the trailer

  crypto_secretstream_xchacha20poly1305_state* ss() {
    return reinterpret_cast<crypto_secretstream_xchacha20poly1305_state*>(stream.data());
  }

  void emit(const std::uint8_t* p, std::size_t n) {
    written += n;
    if (file) file->write(p, n);
    else sink(p, n);
  }

  void emit_chunk(unsigned char tag) {
    unsigned long long clen = 0;
    crypto_secretstream_xchacha20poly1305_push(ss(), ct.data(), &clen, chunk.data(), fill, nullptr, 0, tag);
    emit(ct.data(), static_cast<std::size_t>(clen));
    segment.update(ct.data(), static_cast<std::size_t>(clen));
    if (++seg_chunks == g || tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL) {  // the segment's hash
      auto sh = segment.final();
      segment.reset();
      seg_chunks = 0;
      emit(sh.data(), sh.size());
      digest->add(sh.data());
      payload += sh.size();
    }
    payload += clen;
    ++chunks;
    fill = 0;
  }

  void compress(const void* p, std::size_t n, ZSTD_EndDirective mode) {
    ZSTD_inBuffer in{p, n, 0};
    for (;;) {
      ZSTD_outBuffer out{chunk.data(), chunk.size(), fill};
      std::size_t r = ZSTD_compressStream2(cctx, &out, &in, mode);
      if (ZSTD_isError(r)) throw Error(Code::internal, std::string("zstd compression failed: ") + ZSTD_getErrorName(r));
      fill = out.pos;
      if (fill == chunk.size()) emit_chunk(crypto_secretstream_xchacha20poly1305_TAG_MESSAGE);
      if (mode == ZSTD_e_end ? r == 0 : in.pos == in.size) break;
    }
  }

  void content_bytes(const void* p, std::size_t n) {
    content += n;
    compress(p, n, ZSTD_e_continue);
  }

  void begin_entry(char type, const std::string& name) {
    std::uint8_t h[3];
    h[0] = static_cast<std::uint8_t>(type);
    put_u16(h + 1, static_cast<std::uint16_t>(name.size()));
    content_bytes(h, 3);
    content_bytes(name.data(), name.size());
  }
  void segments(const void* data, std::size_t n) {
    auto* p = static_cast<const std::uint8_t*>(data);
    while (n) {
      std::size_t k = n < kMaxSegment ? n : kMaxSegment;
      std::uint8_t l[4];
      put_u32(l, static_cast<std::uint32_t>(k));
      content_bytes(l, 4);
      content_bytes(p, k);
      p += k;
      n -= k;
    }
  }
  void end_entry() {
    std::uint8_t z[4] = {0, 0, 0, 0};
    content_bytes(z, 4);
  }
  void json_entry(char type, const std::string& name, const json& j) {
    std::string s = j.dump(2, ' ', false, json::error_handler_t::strict);
    if (s.size() > kMaxJsonEntry) throw Error(Code::invalid_argument, name + " is larger than 16 MiB");
    begin_entry(type, name);
    segments(s.data(), s.size());
    end_entry();
  }

  void check_usable() const {
    if (finished) throw Error(Code::invalid_argument, "package writer is already finished");
    if (failed) throw Error(Code::invalid_argument, "package writer failed earlier and cannot continue");
  }
};

void PackageWriter::State::start(Sink* sink, const std::string* path, const WriterOptions& o) {
  State& s = *this;
  crypto::init();
  s.opts = o;
  if (!o.signing_key || o.signing_key->size() != crypto_sign_SECRETKEYBYTES)
    throw Error(Code::invalid_argument, "the provider's Ed25519 signing key (64 bytes) is required");
  if (o.recipients.empty()) throw Error(Code::invalid_argument, "a package needs at least one recipient");
  if (o.recipients.size() > 1024) throw Error(Code::invalid_argument, "a package has at most 1024 recipients");
  if (o.chunk_size < kMinChunkSize || o.chunk_size > kMaxChunkSize)
    throw Error(Code::invalid_argument, "chunk size must be 1 KiB .. 16 MiB");
  if (o.threads < 0 || o.threads > 64) throw Error(Code::invalid_argument, "threads must be 0..64");
  if (o.level < 1 || o.level > ZSTD_maxCLevel()) throw Error(Code::invalid_argument, "zstd level out of range");
  if (o.window_log != 0 && (o.window_log < 10 || o.window_log > 25))
    throw Error(Code::invalid_argument, "window_log must be 0 (the level's own) or 10..25");
  Header& h = s.header;
  const StanzaForTesting* test_stanza = stanza_override_for_testing();
  const std::uint8_t version = test_stanza ? test_stanza->version : kFormatVersion;
  h.version = version;
  h.provider = canonical_department(o.provider, "provider department", Code::invalid_argument);
  s.sk = o.signing_key->clone();
  PublicKey spk;
  std::memcpy(spk.data(), s.sk.data() + 32, 32);
  h.provider_key = crypto::compute_key_id(crypto::Purpose::signing, crypto::SecretBytes(),
                                          std::vector<std::uint8_t>(spk.begin(), spk.end()));
  if (o.package_id.empty()) {
    unsigned char r[16];
    randombytes_buf(r, sizeof r);
    h.package_id = crypto::to_hex(r, sizeof r);
  } else {
    if (!valid_package_id(o.package_id))
      throw Error(Code::invalid_argument, "package id must be 1..128 of A-Z a-z 0-9 . _ - :");
    h.package_id = o.package_id;
  }
  h.created = o.created ? o.created
                        : std::chrono::duration_cast<std::chrono::seconds>(
                              std::chrono::system_clock::now().time_since_epoch()).count();
  h.chunk_size = o.chunk_size;
  h.compression = "zstd";
  h.cipher = "xchacha20poly1305-secretstream";

  // File key, payload key and secretstream.
  crypto::SecretBytes file_key = crypto::SecretBytes::random(32);
  crypto::SecretBytes pkey(32);
  payload_key(pkey.data(), file_key.data(), h.package_id);
  s.stream = crypto::SecretBytes(sizeof(crypto_secretstream_xchacha20poly1305_state));
  crypto_secretstream_xchacha20poly1305_init_push(s.ss(), h.stream_header.data(), pkey.data());

  json recs = json::array();
  json consumers = json::array(), sequences = json::object();
  for (const Recipient& r : o.recipients) {
    Header::Stanza st;
    st.department = canonical_department(r.department, "recipient department", Code::invalid_argument);
    for (const auto& x : h.recipients)
      if (x.department == st.department)
        throw Error(Code::invalid_argument, "recipient " + st.department + " is listed twice");
    st.key_id = key_id_of(r.exchange_key);
    st.sequence = r.sequence;
    // Version 3: the box names its protocol and its package (docs/formats/package.md §1.2).
    crypto::SecretBytes content(kFileKeyContentSize);
    if (test_stanza) {
      auto c = test_stanza->content(file_key.data(), h.provider_key, h.package_id);
      content = crypto::SecretBytes(c.data(), c.size());
      sodium_memzero(c.data(), c.size());
    } else {
      file_key_content(content.data(), h.provider_key, h.package_id, file_key.data());
    }
    st.sealed_key.resize(content.size() + package_suite().seal_overhead());
    try {
      package_suite().seal(r.exchange_key.data(), r.exchange_key.size(), content.data(), content.size(),
                           st.sealed_key.data());
    } catch (const Error&) {
      throw Error(Code::invalid_argument, "recipient " + st.department + ": not a usable X25519 public key");
    }
    recs.push_back({{"department", st.department},
                    {"key_id", crypto::key_id_hex(st.key_id)},
                    {"sequence", st.sequence},
                    {"sealed_key", crypto::base64(st.sealed_key.data(), st.sealed_key.size())}});
    consumers.push_back(st.department);
    sequences[st.department] = st.sequence;
    h.recipients.push_back(std::move(st));
  }
  json hj = {{"format", "civitas-package"},
             {"version", version},
             {"package_id", h.package_id},
             {"created", h.created},
             {"provider", {{"department", h.provider}, {"key_id", crypto::key_id_hex(h.provider_key)}}},
             {"recipients", recs},
             {"payload",
              {{"compression", h.compression},
               {"cipher", h.cipher},
               {"chunk_size", h.chunk_size},
               {"stream_header", crypto::base64(h.stream_header.data(), h.stream_header.size())}}}};
  std::string hs = hj.dump();
  if (hs.size() > kMaxHeader) throw Error(Code::invalid_argument, "package header would exceed 1 MiB (too many recipients)");
  std::vector<std::uint8_t> head(kPreambleSize + hs.size() + kSigSize);
  make_preamble(head.data(), static_cast<std::uint32_t>(hs.size()), h.provider_key, version);
  std::memcpy(head.data() + kPreambleSize, hs.data(), hs.size());
  auto msg = header_signed_message(head.data(), kPreambleSize + hs.size());
  package_suite().sign(s.sk, msg.data(), msg.size(), head.data() + kPreambleSize + hs.size());
  h.header_bytes = head.size();

  s.envelope = {{"package_id", h.package_id},
                {"provider", h.provider},
                {"consumers", consumers},
                {"sequences", sequences},
                {"catalog", o.catalog},
                {"purpose", o.purpose},
                {"approval", o.approval},
                {"created", iso8601(h.created)},
                {"request_hash", o.request_hash.empty() ? json(nullptr) : json(o.request_hash)}};

  s.cctx = ZSTD_createCCtx();
  if (!s.cctx) throw std::bad_alloc();
  ZSTD_CCtx_setParameter(s.cctx, ZSTD_c_compressionLevel, o.level);
  ZSTD_CCtx_setParameter(s.cctx, ZSTD_c_checksumFlag, 0);  // chunks are authenticated already
  if (o.window_log) {  // as `zstd --long=N`
    ZSTD_CCtx_setParameter(s.cctx, ZSTD_c_enableLongDistanceMatching, 1);
    ZSTD_CCtx_setParameter(s.cctx, ZSTD_c_windowLog, o.window_log);
  }
  if (o.threads > 0) {
    std::size_t r = ZSTD_CCtx_setParameter(s.cctx, ZSTD_c_nbWorkers, o.threads);
    if (ZSTD_isError(r)) throw Error(Code::invalid_argument, "this zstd library has no multithreading");
  }
  s.chunk.resize(o.chunk_size);
  s.ct.resize(o.chunk_size + kABytes);

  if (path) s.file = std::make_unique<AtomicFile>(*path);
  else s.sink = std::move(*sink);
  s.emit(head.data(), head.size());
  s.digest = std::make_unique<DigestList>(head.data(), head.size());
  s.g = segment_chunks(o.chunk_size);
  s.content_bytes(kContentMagic, sizeof kContentMagic);
  s.json_entry('E', "envelope.json", s.envelope);
}

PackageWriter::PackageWriter(const std::string& path, const WriterOptions& opts) : s_(std::make_unique<State>()) {
  s_->start(nullptr, &path, opts);
}

PackageWriter::PackageWriter(Sink sink, const WriterOptions& opts) : s_(std::make_unique<State>()) {
  if (!sink) throw Error(Code::invalid_argument, "package writer needs a sink");
  s_->start(&sink, nullptr, opts);
}

PackageWriter::~PackageWriter() = default;

void PackageWriter::begin_resource(const std::string& name, const json& schema, const std::string& format) {
  s_->check_usable();
  if (s_->in_resource) throw Error(Code::invalid_argument, "begin_resource: resource " + s_->resources.back().name + " is still open");
  if (!valid_resource_name(name))
    throw Error(Code::invalid_argument, "resource name \"" + name + "\" must be 1..128 of a-z 0-9 . _ - (not starting with .)");
  if (format.empty() || format.size() > 16 || !valid_resource_name(format))
    throw Error(Code::invalid_argument, "resource format \"" + format + "\" must be a short lowercase word");
  if (!schema.is_null() && !schema.is_object()) throw Error(Code::invalid_argument, "a resource schema must be a JSON object");
  if (s_->resources.size() >= kMaxResources) throw Error(Code::invalid_argument, "a package holds at most 4096 resources");
  ResourceInfo r;
  r.name = name;
  r.format = format;
  r.path = "data/" + name + "." + format;
  if (!valid_resource_path(r.path)) throw Error(Code::invalid_argument, "resource name \"" + name + "\" is too long");
  if (!s_->names.insert(r.name).second || !s_->names.insert(r.path).second)
    throw Error(Code::invalid_argument, "resource \"" + name + "\" is added twice");
  r.schema = schema;
  auto check = std::make_unique<ResourceCheck>(name, format, schema, s_->opts.encoding, s_->opts.validate);
  try {
    s_->begin_entry('R', r.path);
  } catch (...) {
    s_->failed = true;
    throw;
  }
  s_->resources.push_back(std::move(r));
  s_->res_hash = std::make_unique<Sha256>();
  s_->check = std::move(check);
  s_->in_resource = true;
}

void PackageWriter::write(const void* data, std::size_t n) {
  s_->check_usable();
  if (!s_->in_resource) throw Error(Code::invalid_argument, "write: no resource is open (call begin_resource)");
  if (!data && n) throw Error(Code::invalid_argument, "write: data is NULL");
  if (!n) return;
  try {
    s_->utf8.clear();
    s_->check->feed(data, n, s_->utf8);
    if (!s_->utf8.empty()) {
      s_->res_hash->update(s_->utf8.data(), s_->utf8.size());
      s_->resources.back().bytes += s_->utf8.size();
      s_->segments(s_->utf8.data(), s_->utf8.size());
    }
  } catch (...) {
    s_->failed = true;
    throw;
  }
}

void PackageWriter::end_resource() {
  s_->check_usable();
  if (!s_->in_resource) throw Error(Code::invalid_argument, "end_resource: no resource is open");
  try {
    s_->utf8.clear();
    s_->check->finish(s_->utf8);  // RecordsError when the records break their schema
    s_->check.reset();
    if (!s_->utf8.empty()) {
      s_->res_hash->update(s_->utf8.data(), s_->utf8.size());
      s_->resources.back().bytes += s_->utf8.size();
      s_->segments(s_->utf8.data(), s_->utf8.size());
    }
    s_->end_entry();
  } catch (...) {
    s_->failed = true;
    throw;
  }
  s_->resources.back().hash = sha256_text(s_->res_hash->final());
  s_->in_resource = false;
}

void PackageWriter::add_file(const std::string& name, const std::string& path, const json& schema,
                             const std::string& format) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw Error(Code::io, "cannot open " + path + ": " + errno_text(errno));
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  begin_resource(name, schema, format);
  std::vector<std::uint8_t> buf(1u << 20);
  for (;;) {
    ssize_t r = ::read(fd, buf.data(), buf.size());
    if (r < 0) {
      if (errno == EINTR) continue;
      s_->failed = true;
      throw Error(Code::io, "cannot read " + path + ": " + errno_text(errno));
    }
    if (r == 0) break;
    write(buf.data(), static_cast<std::size_t>(r));
  }
  end_resource();
}

Summary PackageWriter::finish() {
  State& s = *s_;
  s.check_usable();
  if (s.in_resource) throw Error(Code::invalid_argument, "finish: resource " + s.resources.back().name + " is still open");
  s.failed = true;  // until the end
  json res = json::array();
  for (const auto& r : s.resources) {
    json j = {{"name", r.name}, {"path", r.path}, {"format", r.format}, {"encoding", "utf-8"},
              {"bytes", r.bytes}, {"hash", r.hash}};
    if (r.format == "csv") j["mediatype"] = "text/csv";
    if (!r.schema.is_null()) {
      j["type"] = "table";
      j["schema"] = r.schema;
      j["civitas:schemaHash"] = schema_hash(r.schema);
    }
    res.push_back(std::move(j));
  }
  json dp = {{"$schema", "https://datapackage.org/profiles/2.0/datapackage.json"},
             {"name", "package-" + s.header.package_id},
             {"id", s.header.package_id},
             {"created", iso8601(s.header.created)},
             {"resources", res}};
  if (!s.opts.catalog.empty()) dp["civitas:catalog"] = s.opts.catalog;
  s.json_entry('P', "datapackage.json", dp);
  std::uint8_t z = 'Z';
  s.content_bytes(&z, 1);
  return s.seal(true, std::move(dp));
}

Summary PackageWriter::State::seal(bool end_frame, json datapackage) {
  State& s = *this;
  if (end_frame) s.compress(nullptr, 0, ZSTD_e_end);
  s.emit_chunk(crypto_secretstream_xchacha20poly1305_TAG_FINAL);  // always shorter than a chunk

  std::uint8_t t[kTrailerSize];
  std::memcpy(t, kTrailerMagic, 8);
  put_u64(t + 8, s.payload);
  put_u64(t + 16, s.chunks);
  auto d = s.digest->final();
  std::memcpy(t + 24, d.data(), 32);
  auto msg = trailer_signed_message(t);
  package_suite().sign(s.sk, msg.data(), msg.size(), t + 56);
  Summary out;
  out.header = s.header;
  out.envelope = s.envelope;
  out.datapackage = std::move(datapackage);
  out.package_bytes = s.written + kTrailerSize;
  out.payload_bytes = s.payload;
  out.chunks = s.chunks;
  out.content_bytes = s.content;
  // The package is not complete (no trailer, no name) until the hook has returned.
  if (s.opts.before_commit) s.opts.before_commit(out);
  if (s.file) s.file->write(t, kTrailerSize);
  else s.sink(t, kTrailerSize);
  s.written += kTrailerSize;
  if (s.file) s.file->commit();
  s.finished = true;
  s.failed = false;
  return out;
}

namespace detail {

std::string raw_package_for_testing(const WriterOptions& o, const void* content_tail, std::size_t n) {
  std::string out;
  PackageWriter::State s;
  PackageWriter::Sink sink = [&out](const std::uint8_t* p, std::size_t k) { out.append(reinterpret_cast<const char*>(p), k); };
  s.start(&sink, nullptr, o);
  s.content_bytes(content_tail, n);
  s.seal();
  return out;
}

std::string raw_payload_for_testing(const WriterOptions& o, const void* compressed, std::size_t n) {
  std::string out;
  PackageWriter::State s;
  PackageWriter::Sink sink = [&out](const std::uint8_t* p, std::size_t k) { out.append(reinterpret_cast<const char*>(p), k); };
  s.start(&sink, nullptr, o);
  if (s.chunks != 0) throw Error(Code::internal, "raw_payload_for_testing: the envelope filled a chunk");
  s.fill = 0;  // drop what zstd made of the envelope so far: the payload is `compressed` alone
  auto* p = static_cast<const std::uint8_t*>(compressed);
  while (n) {
    std::size_t k = std::min(n, s.chunk.size() - s.fill);
    std::memcpy(s.chunk.data() + s.fill, p, k);
    s.fill += k;
    p += k;
    n -= k;
    if (s.fill == s.chunk.size()) s.emit_chunk(crypto_secretstream_xchacha20poly1305_TAG_MESSAGE);
  }
  s.seal(false);
  return out;
}

}  // namespace detail
}  // namespace civitas::package
