// Package header, trailer and shared helpers (docs/formats/package.md).
#include "format.hpp"

#include <fcntl.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <ctime>

#include "civitas/ids.hpp"
#include "civitas/json.hpp"

namespace civitas::package {

using nlohmann::json;

KeyId key_id_of(const PublicKey& pk) {
  return crypto::compute_key_id(crypto::Purpose::exchange, crypto::SecretBytes(),
                                std::vector<std::uint8_t>(pk.begin(), pk.end()));
}

json Header::to_json() const {
  json r = json::array();
  for (const auto& s : recipients)
    r.push_back({{"department", s.department}, {"key_id", crypto::key_id_hex(s.key_id)}, {"sequence", s.sequence}});
  return {{"format", "civitas-package"},
          {"version", version},
          {"package_id", package_id},
          {"created", created},
          {"created_utc", detail::iso8601(created)},
          {"provider", {{"department", provider}, {"key_id", crypto::key_id_hex(provider_key)}}},
          {"recipients", r},
          {"payload", {{"compression", compression}, {"cipher", cipher}, {"chunk_size", chunk_size}}},
          {"header_bytes", header_bytes}};
}

std::string schema_hash(const json& schema) {
  std::string s = schema.dump(-1, ' ', false, json::error_handler_t::strict);
  detail::Sha256 h;
  h.update(s.data(), s.size());
  return detail::sha256_text(h.final());
}

namespace detail {

Sha256::Sha256() : ctx_(EVP_MD_CTX_new()) {
  if (!ctx_ || EVP_DigestInit_ex(ctx_, EVP_sha256(), nullptr) != 1) {
    EVP_MD_CTX_free(ctx_);
    throw Error(Code::internal, "SHA-256 is not available");
  }
}
Sha256::~Sha256() { EVP_MD_CTX_free(ctx_); }
void Sha256::update(const void* p, std::size_t n) {
  if (n && EVP_DigestUpdate(ctx_, p, n) != 1) throw Error(Code::internal, "SHA-256 update failed");
}
std::array<std::uint8_t, 32> Sha256::final() {
  std::array<std::uint8_t, 32> d{};
  unsigned len = 0;
  if (EVP_DigestFinal_ex(ctx_, d.data(), &len) != 1 || len != 32) throw Error(Code::internal, "SHA-256 final failed");
  return d;
}

void Sha256::reset() {
  if (EVP_DigestInit_ex(ctx_, EVP_sha256(), nullptr) != 1) throw Error(Code::internal, "SHA-256 init failed");
}

std::string sha256_text(const std::array<std::uint8_t, 32>& d) { return "sha256:" + crypto::to_hex(d.data(), d.size()); }

static std::vector<std::uint8_t> with_context(const char* ctx, std::size_t ctx_len, const std::uint8_t* p, std::size_t n) {
  std::vector<std::uint8_t> m(ctx_len + 1 + n);
  std::memcpy(m.data(), ctx, ctx_len);
  m[ctx_len] = 0;
  if (n) std::memcpy(m.data() + ctx_len + 1, p, n);
  return m;
}

std::vector<std::uint8_t> header_signed_message(const std::uint8_t* p, std::size_t n) {
  return with_context(kHeaderContext, sizeof kHeaderContext - 1, p, n);
}

std::vector<std::uint8_t> trailer_signed_message(const std::uint8_t* t56) {
  return with_context(kTrailerContext, sizeof kTrailerContext - 1, t56, 56);
}

void make_preamble(std::uint8_t* out, std::uint32_t header_len, const KeyId& provider_key, std::uint8_t version) {
  std::memcpy(out, kMagic, 8);
  out[8] = version;
  out[9] = kSuite;
  out[10] = out[11] = 0;
  put_u32(out + 12, header_len);
  std::memcpy(out + 16, provider_key.data(), 8);
}

namespace {
// SHA-256(provider key id || package id): the package a version-3 box belongs to.
std::array<std::uint8_t, 32> file_key_binding(const KeyId& provider_key, const std::string& package_id) {
  Sha256 h;
  h.update(provider_key.data(), provider_key.size());
  h.update(package_id.data(), package_id.size());
  return h.final();
}
thread_local const StanzaForTesting* t_stanza_override = nullptr;
}  // namespace

void file_key_content(std::uint8_t out[kFileKeyContentSize], const KeyId& provider_key, const std::string& package_id,
                      const std::uint8_t* file_key) {
  std::memcpy(out, kFileKeyLabel, kFileKeyLabelSize);  // the label and its NUL
  auto b = file_key_binding(provider_key, package_id);
  std::memcpy(out + kFileKeyLabelSize, b.data(), 32);
  std::memcpy(out + kFileKeyLabelSize + 32, file_key, 32);
}

void open_file_key(std::uint8_t* file_key, std::uint8_t version, const std::uint8_t* box, std::size_t n,
                   const PublicKey& exchange_pk, const crypto::SecretBytes& exchange_sk, const KeyId& provider_key,
                   const std::string& package_id) {
  const std::string kid = crypto::key_id_hex(key_id_of(exchange_pk));
  if (n != sealed_key_size(version))
    throw Error(Code::integrity, "the file key sealed to exchange key " + kid + " has the wrong size");
  crypto::SecretBytes content(n - crypto_box_SEALBYTES);
  if (!package_suite().unseal(exchange_pk.data(), exchange_sk, box, n, content.data()))
    throw Error(Code::integrity, "the file key sealed to exchange key " + kid +
                                     " does not open (tampered, or the secret key does not match)");
  if (version == 2) {  // a raw file key: nothing names the protocol or the package (§7)
    std::memcpy(file_key, content.data(), 32);
    return;
  }
  if (std::memcmp(content.data(), kFileKeyLabel, kFileKeyLabelSize) != 0)
    throw Error(Code::integrity, "the box sealed to exchange key " + kid +
                                     " is not a package file key (its content does not begin with \"" +
                                     std::string(kFileKeyLabel) + "\")");
  auto b = file_key_binding(provider_key, package_id);
  if (sodium_memcmp(content.data() + kFileKeyLabelSize, b.data(), 32) != 0)
    throw Error(Code::integrity, "the file key sealed to exchange key " + kid + " belongs to another package (not " +
                                     package_id + " signed by provider key " + crypto::key_id_hex(provider_key) + ")");
  std::memcpy(file_key, content.data() + kFileKeyLabelSize + 32, 32);
}

StanzaOverrideForTesting::StanzaOverrideForTesting(StanzaForTesting s)
    : previous_(t_stanza_override), mine_(std::move(s)) {
  t_stanza_override = &mine_;
}
StanzaOverrideForTesting::~StanzaOverrideForTesting() { t_stanza_override = previous_; }
const StanzaForTesting* stanza_override_for_testing() noexcept { return t_stanza_override; }

void fail_truncated(const std::string& what, std::uint64_t offset) {
  Location l;
  l.offset = offset;
  throw Error(Code::truncated, "package is truncated: " + what, l);
}

std::uint32_t preamble_header_len(const std::uint8_t* p, std::size_t n) {
  std::size_t m = n < 8 ? n : 8;
  if (std::memcmp(p, kMagic, m) != 0) throw Error(Code::parse, "not a civitas package (bad magic)");
  if (n < kPreambleSize) fail_truncated("the preamble is incomplete", n);
  if (p[8] < kOldestReadableVersion || p[8] > kFormatVersion)
    throw Error(Code::unsupported_version, "package format version " + std::to_string(p[8]) +
                                               " is not supported (this build reads versions 2 and 3 and writes 3; version 1 "
                                               "packages, from development builds before 2026-11-29, must be created again)");
  if (p[9] != kSuite || !crypto::find_suite(p[9]))
    throw Error(Code::unsupported_version, "package cipher suite " + std::to_string(p[9]) + " is not supported");
  if (p[10] || p[11]) throw Error(Code::parse, "package preamble: reserved bytes are not zero");
  std::uint32_t len = get_u32(p + 12);
  if (len < 2 || len > kMaxHeader)
    throw Error(Code::parse, "package header length " + std::to_string(len) + " is out of range (2.." + std::to_string(kMaxHeader) + ")");
  return len;
}

std::string canonical_department(std::string_view s, const char* what, Code code) {
  ids::Result r = ids::validate(ids::Kind::uscc, s);
  if (!r.valid) throw Error(code, std::string(what) + " is not a valid USCC: " + r.message);
  return r.canonical;
}

bool valid_resource_name(std::string_view s) noexcept {
  if (s.empty() || s.size() > 128 || s[0] == '.') return false;
  for (char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-')) return false;
  return true;
}

bool valid_resource_path(std::string_view s) noexcept {
  return s.size() > 5 && s.substr(0, 5) == "data/" && valid_resource_name(s.substr(5));
}

std::string iso8601(std::int64_t t) {
  std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  if (!gmtime_r(&tt, &tm)) return "";
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

namespace {

KeyId key_id_field(const json& j, const char* what) {
  if (!j.is_string()) throw Error(Code::parse, std::string("package header: ") + what + " must be a string");
  return crypto::key_id_from_hex(j.get<std::string>());
}

const json& member(const json& o, const char* name, const char* where) {
  auto it = o.find(name);
  if (it == o.end()) throw Error(Code::parse, std::string("package header: ") + where + " has no \"" + name + "\"");
  return *it;
}

std::string str(const json& o, const char* name, const char* where) {
  const json& v = member(o, name, where);
  if (!v.is_string()) throw Error(Code::parse, std::string("package header: ") + where + "." + name + " must be a string");
  return v.get<std::string>();
}

std::uint64_t uint(const json& o, const char* name, const char* where) {
  const json& v = member(o, name, where);
  if (!v.is_number_unsigned()) throw Error(Code::parse, std::string("package header: ") + where + "." + name + " must be an unsigned integer");
  return v.get<std::uint64_t>();
}

}  // namespace

Header parse_header_bytes(const std::uint8_t* data, std::size_t n) {
  std::uint32_t len = preamble_header_len(data, n);
  if (n < kPreambleSize + len) fail_truncated("the header is incomplete", n);
  json j = parse_json(std::string_view(reinterpret_cast<const char*>(data) + kPreambleSize, len), "package header",
                     Location{{}, {}, kPreambleSize, {}});
  if (!j.is_object()) throw Error(Code::parse, "package header is not a JSON object");
  Header h;
  h.version = data[8];
  if (str(j, "format", "header") != "civitas-package") throw Error(Code::parse, "package header: format is not \"civitas-package\"");
  if (uint(j, "version", "header") != static_cast<std::uint64_t>(h.version)) throw Error(Code::parse, "package header: version disagrees with the preamble");
  h.package_id = str(j, "package_id", "header");
  if (h.package_id.empty() || h.package_id.size() > 128) throw Error(Code::parse, "package header: package_id must be 1..128 characters");
  const json& created = member(j, "created", "header");
  if (!created.is_number_integer()) throw Error(Code::parse, "package header: created must be an integer");
  h.created = created.get<std::int64_t>();
  const json& prov = member(j, "provider", "header");
  if (!prov.is_object()) throw Error(Code::parse, "package header: provider must be an object");
  h.provider = canonical_department(str(prov, "department", "provider"), "provider department", Code::parse);
  h.provider_key = key_id_field(member(prov, "key_id", "provider"), "provider.key_id");
  if (std::memcmp(h.provider_key.data(), data + 16, 8) != 0)
    throw Error(Code::parse, "package header: provider key id disagrees with the preamble");
  const json& recs = member(j, "recipients", "header");
  if (!recs.is_array() || recs.empty() || recs.size() > 1024)
    throw Error(Code::parse, "package header: recipients must be an array of 1..1024 entries");
  for (const json& r : recs) {
    if (!r.is_object()) throw Error(Code::parse, "package header: a recipient must be an object");
    Header::Stanza s;
    s.department = canonical_department(str(r, "department", "recipient"), "recipient department", Code::parse);
    s.key_id = key_id_field(member(r, "key_id", "recipient"), "recipient.key_id");
    s.sequence = uint(r, "sequence", "recipient");
    s.sealed_key = crypto::from_base64(str(r, "sealed_key", "recipient"));
    if (s.sealed_key.size() != sealed_key_size(static_cast<std::uint8_t>(h.version)))
      throw Error(Code::parse, "package header: sealed_key must be " + std::to_string(sealed_key_size(static_cast<std::uint8_t>(h.version))) +
                                   " bytes in a version " + std::to_string(h.version) + " package");
    for (const auto& o : h.recipients)
      if (o.department == s.department) throw Error(Code::parse, "package header: recipient " + s.department + " appears twice");
    h.recipients.push_back(std::move(s));
  }
  const json& pl = member(j, "payload", "header");
  if (!pl.is_object()) throw Error(Code::parse, "package header: payload must be an object");
  h.compression = str(pl, "compression", "payload");
  h.cipher = str(pl, "cipher", "payload");
  if (h.compression != "zstd") throw Error(Code::unsupported_version, "package compression \"" + h.compression + "\" is not supported");
  if (h.cipher != "xchacha20poly1305-secretstream")
    throw Error(Code::unsupported_version, "package cipher \"" + h.cipher + "\" is not supported");
  std::uint64_t cs = uint(pl, "chunk_size", "payload");
  if (cs < kMinChunkSize || cs > kMaxChunkSize) throw Error(Code::parse, "package header: chunk_size out of range");
  h.chunk_size = static_cast<std::size_t>(cs);
  auto sh = crypto::from_base64(str(pl, "stream_header", "payload"));
  if (sh.size() != h.stream_header.size()) throw Error(Code::parse, "package header: stream_header must be 24 bytes");
  std::memcpy(h.stream_header.data(), sh.data(), sh.size());
  h.header_bytes = kPreambleSize + len + kSigSize;
  return h;
}

Header verify_header(const std::uint8_t* data, std::size_t header_end, const std::uint8_t* sig,
                     const ProviderLookup& lookup, PublicKey* pk_out) {
  if (!lookup) throw Error(Code::invalid_argument, "no provider key directory given");
  KeyId kid;
  std::memcpy(kid.data(), data + 16, 8);
  std::optional<ProviderKey> pk = lookup(kid);
  if (!pk)
    throw Error(Code::unknown_key, "package is signed by provider key " + crypto::key_id_hex(kid) +
                                       ", which is not in the peer directory");
  auto msg = header_signed_message(data, header_end);
  if (!package_suite().verify(pk->public_key.data(), pk->public_key.size(), msg.data(), msg.size(), sig, kSigSize))
    throw Error(Code::bad_signature, "package header signature does not verify with provider key " + crypto::key_id_hex(kid));
  Header h = parse_header_bytes(data, header_end);
  std::string dept = canonical_department(pk->department, "peer directory department", Code::internal);
  if (dept != h.provider)
    throw Error(Code::unknown_key, "provider key " + crypto::key_id_hex(kid) + " belongs to department " + dept +
                                       ", but the package names " + h.provider);
  // Revocation by the provider's department (its key document, docs/workspace.md): after the
  // signature, so that only a package really signed by the key is refused for it.
  if (pk->compromised)
    throw Error(Code::denied, "package is signed by provider key " + crypto::key_id_hex(kid) + ", which " + dept +
                                  " revoked as compromised: every package it signed is refused");
  if (pk->not_after != 0 && h.created >= pk->not_after)
    throw Error(Code::denied, "package is signed by provider key " + crypto::key_id_hex(kid) + ", which " + dept +
                                  " superseded before the package's time (" + std::to_string(h.created) + " >= " +
                                  std::to_string(pk->not_after) + ")");
  if (pk_out) *pk_out = pk->public_key;
  return h;
}

Trailer check_trailer(const std::uint8_t* t, const PublicKey& provider_pk) {
  if (std::memcmp(t, kTrailerMagic, 8) != 0) fail_truncated("no trailer at the end (the package was cut short)", 0);
  Trailer tr;
  tr.payload_bytes = get_u64(t + 8);
  tr.chunks = get_u64(t + 16);
  std::memcpy(tr.digest.data(), t + 24, 32);
  auto msg = trailer_signed_message(t);
  if (!package_suite().verify(provider_pk.data(), provider_pk.size(), msg.data(), msg.size(), t + 56, kSigSize))
    throw Error(Code::bad_signature, "package trailer signature does not verify with the provider key");
  return tr;
}

void payload_key(std::uint8_t out[32], const std::uint8_t* file_key, const std::string& package_id) {
  // The suite's PRF (suite 1: keyed BLAKE2b-256) over context NUL || package id.
  package_suite().prf(file_key, 32)->compute(kPayloadKeyContext, sizeof kPayloadKeyContext, package_id.data(),
                                             package_id.size(), out);
}

Layout payload_layout(std::size_t chunk_size, std::uint64_t chunks, std::uint64_t payload) {
  Layout l;
  l.full = chunk_size + kABytes;
  l.g = segment_chunks(chunk_size);
  l.chunks = chunks;
  l.payload = payload;
  auto bad = [] { throw Error(Code::integrity, "package integrity: chunk count or payload length disagree with the signed trailer"); };
  if (chunks == 0 || chunks - 1 > payload / l.full) bad();  // (no overflow below)
  l.segments = (chunks + l.g - 1) / l.g;
  // P = (N − 1)·(C + 17) + (L + 17) + 32·n with 0 ≤ L < C
  std::uint64_t fixed = (chunks - 1) * l.full;
  if (l.segments > (payload - fixed) / kHashSize) bad();
  fixed += kHashSize * l.segments;
  if (payload < fixed + kABytes || payload - fixed >= l.full) bad();
  l.last_len = payload - fixed;
  return l;
}

DigestList::DigestList(const std::uint8_t* head, std::size_t n) {
  Sha256 hh;
  hh.update(head, n);
  auto head_hash = hh.final();
  h_.update(kDigestContext, sizeof kDigestContext);  // with its NUL
  h_.update(head_hash.data(), head_hash.size());
}

void WriteBack::wrote(int fd, std::size_t n) noexcept {
  pending_ += n;
  if (pending_ < (8u << 20)) return;
  pending_ = 0;
  ::sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE);  // a hint: errors surface at the fsync
}

static std::string errno_message(int e) { return std::error_code(e, std::generic_category()).message(); }

void sync_fd(int fd, const std::string& path) {
  if (::fsync(fd) != 0) {
    int e = errno;  // before the message is built
    throw Error(Code::io, "cannot sync " + path + " to disk: " + errno_message(e));
  }
}

void sync_dir(const std::string& path) {
  int fd = ::open(path.empty() ? "." : path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    int e = errno;
    throw Error(Code::io, "cannot open directory " + path + ": " + errno_message(e));
  }
  int r = ::fsync(fd);
  int e = errno;
  ::close(fd);
  if (r != 0) throw Error(Code::io, "cannot sync directory " + path + ": " + errno_message(e));
}

}  // namespace detail
}  // namespace civitas::package
