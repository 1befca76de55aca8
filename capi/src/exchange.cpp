#include <cstring>
#include <map>

#include "civitas/exchange.hpp"
#include "civitas/workspace.hpp"
#include "ctx.hpp"
#include "guard.hpp"

using civitas::Code;
using civitas::Error;
using namespace civitas::capi;
namespace ex = civitas::exchange;
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

std::string cstr(const char* s) { return s ? std::string(s) : std::string(); }

ex::PublicKey key32(const uint8_t* p, const char* name) {
  require(p, name);
  ex::PublicKey k;
  std::memcpy(k.data(), p, 32);
  return k;
}

void check_version(const civ_package_writer_options* o) {
  if (o->version != CIV_PACKAGE_WRITER_OPTIONS_VERSION)
    throw Error(Code::invalid_argument, "civ_package_writer_options.version must be CIV_PACKAGE_WRITER_OPTIONS_VERSION");
}

/// The envelope fields and tuning knobs, shared by the explicit-key and workspace writers.
void common_options(const civ_package_writer_options* o, ex::WriterOptions& w) {
  w.catalog = cstr(o->catalog);
  w.purpose = cstr(o->purpose);
  w.approval = cstr(o->approval);
  w.request_hash = cstr(o->request_hash);
  if (o->chunk_size) w.chunk_size = o->chunk_size;
  if (o->level) w.level = o->level;
  if (o->threads >= 0) w.threads = o->threads;
}

ex::WriterOptions writer_options(const civ_package_writer_options* o, civitas::crypto::SecretBytes& sk) {
  require(o, "opts");
  check_version(o);
  require(o->signing_key, "opts->signing_key");
  if (!o->recipients || !o->recipient_count) throw Error(Code::invalid_argument, "opts->recipients must name at least one recipient");
  sk = civitas::crypto::SecretBytes(o->signing_key, 64);
  ex::WriterOptions w;
  w.provider = cstr(o->provider);
  w.signing_key = &sk;
  for (size_t i = 0; i < o->recipient_count; ++i) {
    const civ_package_recipient& r = o->recipients[i];
    w.recipients.push_back({cstr(r.department), key32(r.exchange_key, "recipient exchange_key"), r.sequence});
  }
  common_options(o, w);
  return w;
}

/// "A, B" -> {"A", "B"}: consumers of civ_package_writer_create_ctx.
std::vector<std::string> split_consumers(std::string_view list) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= list.size()) {
    std::size_t end = list.find(',', start);
    if (end == std::string_view::npos) end = list.size();
    std::string_view item = list.substr(start, end - start);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (item.empty()) throw Error(Code::invalid_argument, "consumers: empty department in \"" + std::string(list) + "\"");
    out.emplace_back(item);
    start = end + 1;
  }
  return out;
}

ex::OpenOptions ctx_open_options(unsigned flags, const char* expected, size_t expected_len) {
  if (flags & ~(CIV_PACKAGE_SKIP_VALIDATION | CIV_PACKAGE_NO_SYNC)) throw Error(Code::invalid_argument, "flags: unknown bits");
  ex::OpenOptions o;
  o.validate = (flags & CIV_PACKAGE_SKIP_VALIDATION) == 0;
  o.sync = (flags & CIV_PACKAGE_NO_SYNC) == 0;
  std::string_view e = view(expected, expected_len, "expected_schemas_json");
  if (e.empty()) return o;
  json j = json::parse(e, nullptr, false);
  if (j.is_discarded() || !j.is_object())
    throw Error(Code::parse, "expected_schemas_json must be a JSON object {resource name: schema}");
  for (auto& [name, schema] : j.items()) {
    if (!schema.is_object()) throw Error(Code::parse, "expected_schemas_json: the schema of " + name + " is not an object");
    o.expected_schemas[name] = schema;
  }
  return o;
}


ex::ProviderLookup peer_lookup(const civ_package_peer* peers, size_t n) {
  if (n && !peers) throw Error(Code::invalid_argument, "peers is NULL with a non-zero count");
  std::map<ex::KeyId, ex::ProviderKey> m;
  for (size_t i = 0; i < n; ++i) {
    ex::PublicKey pk = key32(peers[i].signing_key, "peer signing_key");
    ex::KeyId id = civitas::crypto::compute_key_id(civitas::crypto::Purpose::signing, {}, {pk.begin(), pk.end()});
    m[id] = ex::ProviderKey{cstr(peers[i].department), pk};
  }
  return [m](const ex::KeyId& id) -> std::optional<ex::ProviderKey> {
    auto it = m.find(id);
    if (it == m.end()) return std::nullopt;
    return it->second;
  };
}

ex::ReaderKeys reader_keys(const civ_package_reader_options* o, civitas::crypto::SecretBytes& sk, ex::OpenOptions& oo) {
  require(o, "opts");
  if (o->version != CIV_PACKAGE_READER_OPTIONS_VERSION)
    throw Error(Code::invalid_argument, "civ_package_reader_options.version must be CIV_PACKAGE_READER_OPTIONS_VERSION");
  require(o->exchange_secret, "opts->exchange_secret");
  sk = civitas::crypto::SecretBytes(o->exchange_secret, 32);
  ex::ReaderKeys k;
  k.exchange_secret = &sk;
  k.exchange_public = key32(o->exchange_public, "opts->exchange_public");
  k.provider_key = peer_lookup(o->peers, o->peer_count);
  if (o->seen) {
    auto fn = o->seen;
    void* u = o->replay_user;
    k.replay.seen = [fn, u](const std::string& p, const std::string& c, std::uint64_t s) {
      return fn(u, p.c_str(), c.c_str(), s) != 0;
    };
  }
  if (o->remember) {
    auto fn = o->remember;
    void* u = o->replay_user;
    k.replay.remember = [fn, u](const std::string& p, const std::string& c, std::uint64_t s, const std::string& id) {
      if (fn(u, p.c_str(), c.c_str(), s, id.c_str()) != 0) throw Error(Code::io, "the replay memory could not record the package");
    };
  }
  oo.validate = o->skip_validation == 0;
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
    require(opts, "opts");
    if (version != CIV_PACKAGE_WRITER_OPTIONS_VERSION) throw Error(Code::invalid_argument, "unsupported options version");
    civ_package_writer_options d = CIV_PACKAGE_WRITER_OPTIONS_INIT;
    *opts = d;
    return CIV_OK;
  });
}

int civ_package_reader_options_init(civ_package_reader_options* opts, unsigned version) {
  return guard([&] {
    require(opts, "opts");
    if (version != CIV_PACKAGE_READER_OPTIONS_VERSION) throw Error(Code::invalid_argument, "unsupported options version");
    civ_package_reader_options d = CIV_PACKAGE_READER_OPTIONS_INIT;
    *opts = d;
    return CIV_OK;
  });
}

int civ_package_writer_create(civ_package_writer** out, const char* path, size_t path_len,
                              const civ_package_writer_options* opts) {
  return guard([&] {
    require(out, "out");
    *out = nullptr;
    auto h = std::make_unique<civ_package_writer>();
    ex::WriterOptions o = writer_options(opts, h->sk);
    std::string p(view(path, path_len, "path"));
    if (p.empty()) throw Error(Code::invalid_argument, "path must not be empty");
    h->w = std::make_unique<ex::PackageWriter>(p, o);
    *out = h.release();
    return CIV_OK;
  });
}

int civ_package_writer_create_stream(civ_package_writer** out, civ_package_sink sink, void* user,
                                     const civ_package_writer_options* opts) {
  return guard([&] {
    require(out, "out");
    *out = nullptr;
    if (!sink) throw Error(Code::invalid_argument, "sink must not be NULL");
    auto h = std::make_unique<civ_package_writer>();
    ex::WriterOptions o = writer_options(opts, h->sk);
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
      schema = json::parse(sj, nullptr, false);
      if (schema.is_discarded()) throw Error(Code::parse, "schema_json is not valid JSON");
    }
    std::string n(view(name, name_len, "name"));
    if (w->ww) w->ww->begin_resource(n, schema);
    else w->w->begin_resource(n, schema);
    return CIV_OK;
  });
}

int civ_package_writer_write(civ_package_writer* w, const void* data, size_t len) {
  return guard([&] {
    require(w, "w");
    if (w->ww) w->ww->write(data, len);
    else w->w->write(data, len);
    return CIV_OK;
  });
}

int civ_package_writer_end_resource(civ_package_writer* w) {
  return guard([&] {
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
  return guard([&] {
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
  return guard([&] {
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
  return guard([&] {
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
                                  const char* consumers, size_t consumers_len, const civ_package_writer_options* opts) {
  return guard([&] {
    require(out, "out");
    *out = nullptr;
    auto& ws = ws_of(ctx);
    civ_package_writer_options defaults = CIV_PACKAGE_WRITER_OPTIONS_INIT;
    if (!opts) opts = &defaults;
    check_version(opts);
    if (opts->provider || opts->signing_key || opts->recipients || opts->recipient_count)
      throw Error(Code::invalid_argument, "opts->provider, signing_key and recipients must be NULL: the workspace supplies them");
    std::string p(view(path, path_len, "path"));
    if (p.empty()) throw Error(Code::invalid_argument, "path must not be empty");
    std::vector<std::string> to = split_consumers(view(consumers, consumers_len, "consumers"));
    ex::WriterOptions o;
    common_options(opts, o);
    auto h = std::make_unique<civ_package_writer>();
    h->ww = ws.create_package(p, to, o);
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
  return guard([&] {
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
