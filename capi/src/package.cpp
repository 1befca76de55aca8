#include <cstddef>
#include <cstring>
#include <map>

#define CIV_EXPERIMENTAL 1  // defines the experimental entry points too
#include "civitas/json.hpp"
#include "civitas/package.hpp"
#include "civitas/workspace.hpp"
#include "ctx.hpp"
#include "guard.hpp"
#include "versioned.hpp"

using civitas::Code;
using civitas::Error;
using namespace civitas::capi;
namespace ex = civitas::package;
namespace wsp = civitas::workspace;
using nlohmann::json;

// A writer / reader with explicit keys (ex::) or with a workspace (wsp::, the *_ctx
// functions): the workspace's objects are its audited operations (Workspace::create_package,
// open_package); this file adds no audit entry of its own.
struct civ_package_writer {
  civitas::crypto::SecretBytes sk;
  std::unique_ptr<ex::PackageWriter> w;
  std::unique_ptr<wsp::PackageWriter> ww;  ///< set by civ_package_writer_create_ctx
  std::string sink_error;
};

struct civ_package_reader {
  civitas::crypto::SecretBytes sk;
  std::unique_ptr<ex::PackageReader> r;
  std::unique_ptr<wsp::PackageReader> wr;  ///< set by civ_package_reader_create_ctx
  std::string out_dir;
};

namespace {

constexpr civ_package_writer_options kWriterDefaults = CIV_PACKAGE_WRITER_OPTIONS_INIT;
constexpr std::size_t kWriterSizes[] = {offsetof(civ_package_writer_options, flags), sizeof(civ_package_writer_options)};

// The validation report of the last refusal for records on this thread
// (civ_package_last_report); cleared by every call that can refuse for records.
thread_local std::string t_last_report;

/// guard() that keeps the report of a refusal for records (ex::RecordsError).
template <class Fn>
int records_guard(Fn&& fn) noexcept {
  t_last_report.clear();
  return guard([&] {
    try {
      return fn();
    } catch (const ex::RecordsError& e) {
      t_last_report = e.report().dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
      throw;
    }
  });
}
constexpr civ_package_writer_keys kWriterKeysDefaults = CIV_PACKAGE_WRITER_KEYS_INIT;
constexpr std::size_t kWriterKeysSizes[] = {sizeof(civ_package_writer_keys)};
constexpr civ_package_recipient kRecipientDefaults = CIV_PACKAGE_RECIPIENT_INIT;
constexpr std::size_t kRecipientSizes[] = {sizeof(civ_package_recipient)};
constexpr civ_package_peer kPeerDefaults = CIV_PACKAGE_PEER_INIT;
constexpr std::size_t kPeerSizes[] = {sizeof(civ_package_peer)};
constexpr civ_package_reader_options kReaderDefaults = CIV_PACKAGE_READER_OPTIONS_INIT;
constexpr std::size_t kReaderSizes[] = {sizeof(civ_package_reader_options)};

std::string str(const char* p, size_t n, const char* name) { return std::string(view(p, n, name)); }

/// A (pointer, length) key of exactly n bytes.
const uint8_t* key_bytes(const uint8_t* p, size_t len, size_t n, const char* name) {
  require(p, name);
  if (len != n)
    throw Error(Code::invalid_argument, std::string(name) + " is " + std::to_string(len) + " bytes, not " + std::to_string(n));
  return p;
}

ex::PublicKey key32(const uint8_t* p, size_t len, const char* name) {
  ex::PublicKey k;
  std::memcpy(k.data(), key_bytes(p, len, 32, name), 32);
  return k;
}

/// The envelope fields and tuning knobs, shared by the explicit-key and workspace writers.
void common_options(const civ_package_writer_options* in, ex::WriterOptions& w) {
  const civ_package_writer_options o = read_versioned(in, kWriterDefaults, kWriterSizes, "civ_package_writer_options");
  w.catalog = str(o.catalog, o.catalog_len, "opts->catalog");
  w.purpose = str(o.purpose, o.purpose_len, "opts->purpose");
  w.approval = str(o.approval, o.approval_len, "opts->approval");
  w.request_hash = str(o.request_hash, o.request_hash_len, "opts->request_hash");
  if (o.chunk_size) w.chunk_size = o.chunk_size;
  if (o.level) w.level = o.level;
  if (o.threads >= 0) w.threads = o.threads;
  if (o.flags & ~CIV_PACKAGE_SKIP_VALIDATION) throw Error(Code::invalid_argument, "opts->flags: unknown flag");
  w.validate = !(o.flags & CIV_PACKAGE_SKIP_VALIDATION);
  w.encoding = str(o.encoding, o.encoding_len, "opts->encoding");
}

ex::WriterOptions writer_options(const civ_package_writer_keys* in, const civ_package_writer_options* opts,
                                 civitas::crypto::SecretBytes& sk) {
  require(in, "keys");
  const civ_package_writer_keys k = read_versioned(in, kWriterKeysDefaults, kWriterKeysSizes, "civ_package_writer_keys");
  if (!k.recipients || !k.recipient_count) throw Error(Code::invalid_argument, "keys->recipients must name at least one recipient");
  sk = civitas::crypto::SecretBytes(key_bytes(k.signing_key, k.signing_key_len, 64, "keys->signing_key"), 64);
  ex::WriterOptions w;
  w.provider = str(k.provider, k.provider_len, "keys->provider");
  w.signing_key = &sk;
  for (const civ_package_recipient& r :
       read_versioned_array(k.recipients, k.recipient_count, kRecipientDefaults, kRecipientSizes, "civ_package_recipient"))
    w.recipients.push_back({str(r.department, r.department_len, "recipient department"),
                            key32(r.exchange_key, r.exchange_key_len, "recipient exchange_key"), r.sequence});
  common_options(opts, w);
  return w;
}

/// The consumers of civ_package_writer_create_ctx: an array of (pointer, length) strings.
std::vector<std::string> consumer_list(const char* const* consumers, const size_t* lens, size_t count) {
  if (!count) throw Error(Code::invalid_argument, "consumers must name at least one department");
  require(consumers, "consumers");
  require(lens, "consumer_lens");
  std::vector<std::string> out;
  for (size_t i = 0; i < count; ++i) {
    std::string c = str(consumers[i], lens[i], "consumers[i]");
    if (c.empty()) throw Error(Code::invalid_argument, "consumers[" + std::to_string(i) + "] is empty");
    out.push_back(std::move(c));
  }
  return out;
}

ex::OpenOptions ctx_open_options(unsigned flags, const char* expected, size_t expected_len) {
  if (flags & ~(CIV_PACKAGE_SKIP_VALIDATION | CIV_PACKAGE_NO_SYNC | CIV_PACKAGE_UMASK_MODES))
    throw Error(Code::invalid_argument, "flags: unknown bits");
  ex::OpenOptions o;
  o.validate = (flags & CIV_PACKAGE_SKIP_VALIDATION) == 0;
  o.sync = (flags & CIV_PACKAGE_NO_SYNC) == 0;
  if (flags & CIV_PACKAGE_UMASK_MODES) o.file_mode = 0666;
  std::string_view e = view(expected, expected_len, "expected_schemas_json");
  if (e.empty()) return o;
  json j = civitas::parse_json(e, "expected_schemas_json");
  if (!j.is_object())
    throw Error(Code::parse, "expected_schemas_json must be a JSON object {resource name: schema}");
  for (auto& [name, schema] : j.items()) {
    if (!schema.is_object()) throw Error(Code::parse, "expected_schemas_json: the schema of " + name + " is not an object");
    o.expected_schemas[name] = schema;
  }
  return o;
}


ex::ProviderLookup peer_lookup(const civ_package_peer* peers, size_t n) {
  std::map<ex::KeyId, ex::ProviderKey> m;
  for (const civ_package_peer& p : read_versioned_array(peers, n, kPeerDefaults, kPeerSizes, "civ_package_peer")) {
    ex::PublicKey pk = key32(p.signing_key, p.signing_key_len, "peer signing_key");
    ex::KeyId id = civitas::crypto::compute_key_id(civitas::crypto::Purpose::signing, {}, {pk.begin(), pk.end()});
    m[id] = ex::ProviderKey{str(p.department, p.department_len, "peer department"), pk};
  }
  return [m](const ex::KeyId& id) -> std::optional<ex::ProviderKey> {
    auto it = m.find(id);
    if (it == m.end()) return std::nullopt;
    return it->second;
  };
}

ex::ReaderKeys reader_keys(const civ_package_reader_options* in, civitas::crypto::SecretBytes& sk, ex::OpenOptions& oo) {
  require(in, "opts");
  const civ_package_reader_options o = read_versioned(in, kReaderDefaults, kReaderSizes, "civ_package_reader_options");
  sk = civitas::crypto::SecretBytes(key_bytes(o.exchange_secret, o.exchange_secret_len, 32, "opts->exchange_secret"), 32);
  ex::ReaderKeys k;
  k.exchange_secret = &sk;
  k.exchange_public = key32(o.exchange_public, o.exchange_public_len, "opts->exchange_public");
  k.provider_key = peer_lookup(o.peers, o.peer_count);
  if (o.seen) {
    auto fn = o.seen;
    void* u = o.replay_user;
    k.replay.seen = [fn, u](const std::string& p, const std::string& c, std::uint64_t s) {
      return fn(u, p.c_str(), c.c_str(), s) != 0;
    };
  }
  if (o.remember) {
    auto fn = o.remember;
    void* u = o.replay_user;
    k.replay.remember = [fn, u](const std::string& p, const std::string& c, std::uint64_t s, const std::string& id) {
      if (fn(u, p.c_str(), c.c_str(), s, id.c_str()) != 0) throw Error(Code::io, "the replay memory could not record the package");
    };
  }
  ex::OpenOptions f = ctx_open_options(o.flags, nullptr, 0);
  oo.validate = f.validate;
  oo.sync = f.sync;
  return k;
}

std::string summary_json(const ex::Summary& s) {
  json j = {{"header", s.header.to_json()},
            {"package_bytes", s.package_bytes},
            {"payload_bytes", s.payload_bytes},
            {"chunks", s.chunks}};
  if (!s.envelope.is_null()) j["envelope"] = s.envelope;
  if (!s.datapackage.is_null()) j["datapackage"] = s.datapackage;
  if (s.content_bytes) j["content_bytes"] = s.content_bytes;
  return j.dump();
}

void put_summary(char** out, const ex::Summary& s) {
  if (out) *out = dup_out(summary_json(s));
}

}  // namespace

extern "C" {

int civ_package_writer_options_init(civ_package_writer_options* opts, unsigned version) {
  return guard([&] {
    init_versioned(opts, version, kWriterDefaults, kWriterSizes, "civ_package_writer_options");
    return CIV_OK;
  });
}

int civ_package_reader_options_init(civ_package_reader_options* opts, unsigned version) {
  return guard([&] {
    init_versioned(opts, version, kReaderDefaults, kReaderSizes, "civ_package_reader_options");
    return CIV_OK;
  });
}

int civ_package_writer_create(civ_package_writer** out, const char* path, size_t path_len,
                              const civ_package_writer_keys* keys, const civ_package_writer_options* opts) {
  return guard([&] {
    require(out, "out");
    *out = nullptr;
    auto h = std::make_unique<civ_package_writer>();
    ex::WriterOptions o = writer_options(keys, opts, h->sk);
    std::string p(view(path, path_len, "path"));
    if (p.empty()) throw Error(Code::invalid_argument, "path must not be empty");
    h->w = std::make_unique<ex::PackageWriter>(p, o);
    *out = h.release();
    return CIV_OK;
  });
}

int civ_package_writer_create_stream(civ_package_writer** out, civ_package_sink sink, void* user,
                                     const civ_package_writer_keys* keys, const civ_package_writer_options* opts) {
  return guard([&] {
    require(out, "out");
    *out = nullptr;
    if (!sink) throw Error(Code::invalid_argument, "sink must not be NULL");
    auto h = std::make_unique<civ_package_writer>();
    ex::WriterOptions o = writer_options(keys, opts, h->sk);
    h->w = std::make_unique<ex::PackageWriter>(
        [sink, user](const std::uint8_t* p, std::size_t n) {
          if (sink(user, p, n) != 0) throw Error(Code::io, "the package sink refused the bytes");
        },
        o);
    *out = h.release();
    return CIV_OK;
  });
}

int civ_package_writer_begin_resource(civ_package_writer* w, const char* name, size_t name_len, const char* schema_json,
                                      size_t schema_len) {
  return guard([&] {
    require(w, "w");
    json schema = nullptr;
    std::string_view sj = view(schema_json, schema_len, "schema_json");
    if (!sj.empty()) {
      schema = civitas::parse_json(sj, "schema_json");
    }
    std::string n(view(name, name_len, "name"));
    if (w->ww) w->ww->begin_resource(n, schema);
    else w->w->begin_resource(n, schema);
    return CIV_OK;
  });
}

int civ_package_writer_write(civ_package_writer* w, const void* data, size_t len) {
  return records_guard([&] {
    require(w, "w");
    if (w->ww) w->ww->write(data, len);
    else w->w->write(data, len);
    return CIV_OK;
  });
}

int civ_package_writer_end_resource(civ_package_writer* w) {
  return records_guard([&] {
    require(w, "w");
    if (w->ww) w->ww->end_resource();
    else w->w->end_resource();
    return CIV_OK;
  });
}

int civ_package_writer_finish(civ_package_writer* w, char** out_summary_json) {
  return guard([&] {
    require(w, "w");
    if (out_summary_json) *out_summary_json = nullptr;
    put_summary(out_summary_json, w->ww ? w->ww->finish() : w->w->finish());  // ww: audited "package.create"
    return CIV_OK;
  });
}

void civ_package_writer_free(civ_package_writer* w) { delete w; }

int civ_package_reader_create(civ_package_reader** out, const char* out_dir, size_t out_dir_len,
                              const civ_package_reader_options* opts) {
  return guard([&] {
    require(out, "out");
    *out = nullptr;
    auto h = std::make_unique<civ_package_reader>();
    ex::OpenOptions oo;
    ex::ReaderKeys k = reader_keys(opts, h->sk, oo);
    std::string d(view(out_dir, out_dir_len, "out_dir"));
    if (d.empty()) throw Error(Code::invalid_argument, "out_dir must not be empty");
    h->r = std::make_unique<ex::PackageReader>(d, k, oo);
    *out = h.release();
    return CIV_OK;
  });
}

int civ_package_reader_write(civ_package_reader* r, const void* data, size_t len) {
  return records_guard([&] {
    require(r, "r");
    if (r->wr) {
      r->wr->feed(data, len);  // a refusal is audited and ends the reader
    } else {
      if (!r->r) throw Error(Code::invalid_argument, "the package reader was refused or finished");
      r->r->feed(data, len);
    }
    return CIV_OK;
  });
}

int civ_package_reader_finish(civ_package_reader* r, char** out_summary_json) {
  return records_guard([&] {
    require(r, "r");
    if (out_summary_json) *out_summary_json = nullptr;
    if (r->wr) {
      put_summary(out_summary_json, r->wr->finish());  // audited "package.open"
    } else {
      if (!r->r) throw Error(Code::invalid_argument, "the package reader was refused or finished");
      put_summary(out_summary_json, r->r->finish());
    }
    return CIV_OK;
  });
}

void civ_package_reader_free(civ_package_reader* r) { delete r; }

int civ_package_open(char** out_summary_json, const char* path, size_t path_len, const char* out_dir, size_t out_dir_len,
                     const civ_package_reader_options* opts) {
  return records_guard([&] {
    if (out_summary_json) *out_summary_json = nullptr;
    civitas::crypto::SecretBytes sk;
    ex::OpenOptions oo;
    ex::ReaderKeys k = reader_keys(opts, sk, oo);
    std::string d(view(out_dir, out_dir_len, "out_dir"));
    if (d.empty()) throw Error(Code::invalid_argument, "out_dir must not be empty");
    put_summary(out_summary_json, ex::open(std::string(view(path, path_len, "path")), d, k, oo));
    return CIV_OK;
  });
}

int civ_package_verify(char** out_summary_json, const char* path, size_t path_len, const civ_package_peer* peers,
                       size_t peer_count) {
  return guard([&] {
    if (out_summary_json) *out_summary_json = nullptr;
    put_summary(out_summary_json, ex::verify(std::string(view(path, path_len, "path")), peer_lookup(peers, peer_count)));
    return CIV_OK;
  });
}

int civ_package_inspect(char** out_header_json, const char* path, size_t path_len) {
  return guard([&] {
    require(out_header_json, "out_header_json");
    *out_header_json = nullptr;
    *out_header_json = dup_out(ex::inspect(std::string(view(path, path_len, "path"))).to_json().dump());
    return CIV_OK;
  });
}

int civ_package_writer_create_ctx(civ_package_writer** out, civ_ctx* ctx, const char* path, size_t path_len,
                                  const char* const* consumers, const size_t* consumer_lens, size_t consumer_count,
                                  const civ_package_writer_options* opts) {
  return guard([&] {
    require(out, "out");
    *out = nullptr;
    auto& ws = ws_of(ctx);
    std::string p(view(path, path_len, "path"));
    if (p.empty()) throw Error(Code::invalid_argument, "path must not be empty");
    std::vector<std::string> to = consumer_list(consumers, consumer_lens, consumer_count);
    ex::WriterOptions o;
    common_options(opts, o);  // bad options fail before any sequence number is reserved
    auto h = std::make_unique<civ_package_writer>();
    h->ww = ws.create_package(p, to, o);  // audited "package.create", refusals included
    *out = h.release();
    return CIV_OK;
  });
}

int civ_package_reader_create_ctx(civ_package_reader** out, civ_ctx* ctx, const char* out_dir, size_t out_dir_len,
                                  unsigned flags, const char* expected_schemas_json, size_t expected_schemas_len) {
  return guard([&] {
    require(out, "out");
    *out = nullptr;
    auto& ws = ws_of(ctx);
    ex::OpenOptions oo = ctx_open_options(flags, expected_schemas_json, expected_schemas_len);
    auto h = std::make_unique<civ_package_reader>();
    h->out_dir = std::string(view(out_dir, out_dir_len, "out_dir"));
    if (h->out_dir.empty()) throw Error(Code::invalid_argument, "out_dir must not be empty");
    h->wr = ws.open_package_stream(h->out_dir, oo);
    *out = h.release();
    return CIV_OK;
  });
}

int civ_package_open_ctx(char** out_summary_json, civ_ctx* ctx, const char* path, size_t path_len, const char* out_dir,
                         size_t out_dir_len, unsigned flags, const char* expected_schemas_json, size_t expected_schemas_len) {
  return records_guard([&] {
    if (out_summary_json) *out_summary_json = nullptr;
    auto& ws = ws_of(ctx);
    ex::OpenOptions oo = ctx_open_options(flags, expected_schemas_json, expected_schemas_len);
    std::string p(view(path, path_len, "path")), d(view(out_dir, out_dir_len, "out_dir"));
    if (d.empty()) throw Error(Code::invalid_argument, "out_dir must not be empty");
    put_summary(out_summary_json, ws.open_package(p, d, oo));
    return CIV_OK;
  });
}

int civ_package_verify_ctx(char** out_summary_json, civ_ctx* ctx, const char* path, size_t path_len) {
  return guard([&] {
    if (out_summary_json) *out_summary_json = nullptr;
    put_summary(out_summary_json, ws_of(ctx).verify_package(std::string(view(path, path_len, "path"))));
    return CIV_OK;
  });
}

}  // extern "C"

int civ_package_last_report(char** out_report_json) {
  return guard([&] {
    require(out_report_json, "out_report_json");
    *out_report_json = nullptr;
    if (t_last_report.empty())
      throw Error(Code::not_found, "no package refusal for records on this thread since the last package call");
    *out_report_json = dup_out(t_last_report);
    return CIV_OK;
  });
}
