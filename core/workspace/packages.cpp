// The audited package operations of a workspace: Workspace::create_package / open_package
// (file and streaming forms) and verify_package. Every front end (C API, CLI, Python, Java
// through the C API) calls these and nothing else, so no front end can forget an entry
// (docs/development.md, "Audited operations").
//
// Create: the sequence numbers are reserved when the writer starts; the "package.create"
// entry commits in PackageWriter::finish() before the package is complete (trailer written,
// file renamed into place), through package::WriterOptions::before_commit.
//
// Open: package::OpenOptions::before_commit runs once everything checked out and the output
// is on disk; in ONE transaction it checks the replay memory again (another process may have
// accepted the same package meanwhile), records the sequence number as *pending* with its
// output directory and appends the "package.open" entry. Then the output directory appears
// (the reader's rename) and after_commit marks the record received. If it cannot appear, the
// acceptance is withdrawn: the sequence number is released and the refusal recorded. A refusal
// before the acceptance records its entry and never touches the replay memory. A process
// killed between the two leaves a pending record: the next opening (any package, any
// process) completes it when its output exists and releases it (with an entry) when not, so
// that a package is neither accepted twice nor refused as a replay without its output
// (recover_pending). The replay memory is MACed under a key of the keyring (replay.cpp).
#include <fcntl.h>
#include <sodium.h>
#include <sys/file.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>

#include "civitas/error.hpp"
#include "civitas/package.hpp"
#include "civitas/workspace.hpp"
#include "impl.hpp"
#include "statements.hpp"

namespace civitas::workspace {

namespace ex = civitas::package;
using nlohmann::json;

namespace {

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

const json& object_or_empty(const json& j) {
  static const json empty = json::object();
  return j.is_object() ? j : empty;
}

json created_details(const ex::Summary& s) {
  const json& env = object_or_empty(s.envelope);
  json res = json::array();
  const json& dp = object_or_empty(s.datapackage);
  if (dp.contains("resources") && dp["resources"].is_array())
    for (const auto& r : dp["resources"])
      if (r.is_object()) res.push_back({{"name", r.value("name", "")}, {"hash", r.value("hash", "")}});
  return {{"consumers", env.value("consumers", json::array())},
          {"sequences", env.value("sequences", json::object())},
          {"catalog", env.value("catalog", "")},
          {"purpose", env.value("purpose", "")},
          {"bytes", s.package_bytes},
          {"resources", res}};
}

std::string purpose_of(const ex::Summary& s) { return object_or_empty(s.envelope).value("purpose", ""); }

/// The recipient stanza the reader opened: the first one sealed to this workspace's exchange
/// keys, primary first (the reader's own order).
const ex::Header::Stanza* stanza_of(const ex::ReaderKeys& k, const ex::Header& h) {
  std::vector<ex::KeyId> ids{ex::key_id_of(k.exchange_public)};
  for (const auto& o : k.older_exchange_keys) ids.push_back(ex::key_id_of(o.first));
  for (const ex::KeyId& id : ids)
    for (const auto& r : h.recipients)
      if (r.key_id == id) return &r;
  return nullptr;
}

bool has_output(const std::string& dir) {
  std::error_code ec;
  return std::filesystem::exists(dir, ec) && !std::filesystem::is_empty(dir, ec);
}

/// The output directory as the pending record names it: absolute, without a trailing slash.
std::string absolute_dir(const std::string& dir) {
  std::filesystem::path p(dir);
  if (p.filename().empty()) p = p.parent_path();
  std::error_code ec;
  std::filesystem::path a = std::filesystem::absolute(p, ec);
  return (ec ? p : a).lexically_normal().string();
}

/// True when a live reader holds one of the temporary directories beside `dir` locked (the
/// package reader's TempDir): its opening is still in progress.
bool opening_in_progress(const std::string& dir) {
  std::filesystem::path t(dir);
  const std::string prefix = "." + t.filename().string() + ".tmp-";
  std::error_code ec;
  for (std::filesystem::directory_iterator it(t.parent_path(), ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.compare(0, prefix.size(), prefix) != 0) continue;
    int fd = ::open(it->path().c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) continue;
    const bool held = ::flock(fd, LOCK_EX | LOCK_NB) != 0;
    ::close(fd);
    if (held) return true;
  }
  return false;
}

/// Completes or releases the pending records that killed openings left (see the top of this
/// file). Checks the replay memory's MAC first.
void recover_pending(Workspace::Impl& ws) {
  store::Store& db = *ws.store;
  check_replay_memory(ws);
  struct Pending {
    std::string provider, consumer, package_id, output;
    std::int64_t sequence;
  };
  std::vector<Pending> pending;
  {
    store::Statement q(db, "SELECT provider, consumer, sequence, package_id, coalesce(output, '') FROM package_received "
                           "WHERE state = 'pending'");
    while (q.step()) pending.push_back({q.text(0), q.text(1), q.text(3), q.text(4), q.int64(2)});
  }
  for (const Pending& p : pending) {
    // Order matters: a live opening holds its temporary directory locked until after its
    // rename, so once none is held, the output either exists or never will.
    if (opening_in_progress(p.output)) continue;
    const bool out = has_output(p.output);
    store::Transaction tx(db);
    check_replay_memory(ws);
    store::Statement still(db, "SELECT 1 FROM package_received WHERE provider = ?1 AND consumer = ?2 AND sequence = ?3 "
                               "AND state = 'pending'");
    still.bind(1, p.provider).bind(2, p.consumer).bind(3, p.sequence);
    if (!still.step()) continue;  // another process recovered it meanwhile
    if (out) {
      store::Statement u(db, "UPDATE package_received SET state = 'received' WHERE provider = ?1 AND consumer = ?2 AND sequence = ?3");
      u.bind(1, p.provider).bind(2, p.consumer).bind(3, p.sequence).run();
    } else {
      store::Statement d(db, "DELETE FROM package_received WHERE provider = ?1 AND consumer = ?2 AND sequence = ?3");
      d.bind(1, p.provider).bind(2, p.consumer).bind(3, p.sequence).run();
      ws.audit("package.open", p.package_id,
               json{{"error", "the opening was interrupted before its output appeared"},
                    {"directory", p.output},
                    {"provider", p.provider},
                    {"released_sequence", p.sequence}},
               "io");
    }
    seal_replay_memory(ws);
    tx.commit();
  }
}

}  // namespace

// ---- opening ----------------------------------------------------------------------------------

/// One opening: the party (keys, peers), the reader keys, and what was accepted.
struct Opening {
  Workspace::Impl& ws;
  std::unique_ptr<ex::WorkspaceParty> party;
  ex::ReaderKeys keys;
  std::string out_dir;
  std::string package_id;
  bool accepted = false;  // the sequence number and the "ok" entry committed
  std::string provider, consumer, purpose;
  std::uint64_t sequence = 0;

  Opening(Workspace& w, Workspace::Impl& impl, const std::string& dir)
      : ws(impl), party(std::make_unique<ex::WorkspaceParty>(w)), keys(party->reader_keys()), out_dir(dir) {
    ex::remove_stale_output(out_dir);
    recover_pending(ws);
    // Provider sequence statements (statements.cpp, issue 18): after a restore a provider's
    // packages wait for its statement, and numbers at or below the stated one are refused;
    // checked with the replay memory, before anything is decrypted.
    auto seen = keys.replay.seen;
    Workspace::Impl* im = &ws;
    keys.replay.seen = [seen, im](const std::string& p, const std::string& c, std::uint64_t s) {
      check_sequence_statement(*im, p, s);
      return seen && seen(p, c, s);
    };
  }

  /// package::OpenOptions::before_commit: replay check, sequence number and entry, one
  /// transaction.
  void accept(const ex::Summary& s, bool validated) {
    const ex::Header::Stanza* mine = stanza_of(keys, s.header);
    if (!mine) throw Error(Code::not_recipient, "package " + s.header.package_id + " is not addressed to this workspace");
    store::Store& db = *ws.store;
    store::Transaction tx(db);
    check_replay_memory(ws);
    check_sequence_statement(ws, s.header.provider, mine->sequence);  // a statement required meanwhile
    store::Statement q(db, "SELECT 1 FROM package_received WHERE provider = ?1 AND consumer = ?2 AND sequence = ?3");
    q.bind(1, s.header.provider).bind(2, mine->department).bind(3, static_cast<std::int64_t>(mine->sequence));
    if (q.step())  // another process opened the same package meanwhile
      throw Error(Code::replay, "package " + s.header.package_id + ": sequence " + std::to_string(mine->sequence) +
                                    " from " + s.header.provider + " was accepted meanwhile (replay)");
    store::Statement ins(db,
                         "INSERT INTO package_received(provider, consumer, sequence, package_id, opened_ms, state, output) "
                         "VALUES (?1, ?2, ?3, ?4, ?5, 'pending', ?6)");
    ins.bind(1, s.header.provider).bind(2, mine->department).bind(3, static_cast<std::int64_t>(mine->sequence));
    ins.bind(4, s.header.package_id).bind(5, now_ms()).bind(6, absolute_dir(out_dir)).run();
    seal_replay_memory(ws);
    const json& env = object_or_empty(s.envelope);
    ws.audit("package.open", s.header.package_id,
             json{{"provider", s.header.provider},
                  {"purpose", env.value("purpose", "")},
                  {"catalog", env.value("catalog", "")},
                  {"validated", validated},
                  {"sequence", mine->sequence},
                  {"bytes", s.package_bytes}},
             "ok", purpose_of(s));
    tx.commit();
    accepted = true;
    provider = s.header.provider;
    consumer = mine->department;
    sequence = mine->sequence;
    purpose = purpose_of(s);
    package_id = s.header.package_id;
  }

  /// package::OpenOptions::after_commit: the output appeared; the pending record becomes
  /// received. A failure here leaves it pending, and the next opening completes it.
  void complete() noexcept {
    if (!accepted) return;
    try {
      store::Store& db = *ws.store;
      store::Transaction tx(db);
      store::Statement u(db, "UPDATE package_received SET state = 'received' WHERE provider = ?1 AND consumer = ?2 AND sequence = ?3");
      u.bind(1, provider).bind(2, consumer).bind(3, static_cast<std::int64_t>(sequence)).run();
      seal_replay_memory(ws);
      tx.commit();
    } catch (...) {
    }
  }

  ex::OpenOptions options(const ex::OpenOptions& given) {
    ex::OpenOptions o = given;
    auto hook = given.before_commit;
    o.before_commit = [this, hook, validated = given.validate](const ex::Summary& s) {
      if (hook) hook(s);
      accept(s, validated);
    };
    auto after = given.after_commit;
    o.after_commit = [this, after](const ex::Summary& s) {
      if (after) after(s);  // before complete(): a test dies here to leave a pending record
      complete();
    };
    return o;
  }

  /// After a failure: withdraws an acceptance whose output did not appear (the sequence
  /// number is released with the refusal entry, one transaction), else records the refusal.
  void refused(const Error& e, json details) noexcept {
    if (!details.is_object()) details = json::object();
    if (accepted && has_output(out_dir)) {  // received after all (a late sync failed); its entry stands
      complete();
      return;
    }
    if (!accepted) {
      ws.audit_refused("package.open", package_id, e, std::move(details));
      return;
    }
    try {
      store::Store& db = *ws.store;
      store::Transaction tx(db);
      store::Statement del(db, "DELETE FROM package_received WHERE provider = ?1 AND consumer = ?2 AND sequence = ?3");
      del.bind(1, provider).bind(2, consumer).bind(3, static_cast<std::int64_t>(sequence)).run();
      seal_replay_memory(ws);
      details["error"] = e.what();
      details["released_sequence"] = sequence;
      ws.audit("package.open", package_id, details, code_name(e.code()), purpose);
      tx.commit();
      accepted = false;
    } catch (...) {
    }
  }
};

ex::Summary Workspace::open_package(const std::string& path, const std::string& out_dir, const ex::OpenOptions& opts) {
  std::unique_ptr<Opening> op;
  std::string id;
  try {
    id = ex::inspect(path).package_id;
  } catch (const Error&) {  // refused below, with its real reason
  }
  try {
    op = std::make_unique<Opening>(*this, *impl_, out_dir);
    op->package_id = id;
    return ex::open(path, out_dir, op->keys, op->options(opts));
  } catch (const Error& e) {
    json d{{"file", path}, {"directory", out_dir}};
    if (op) op->refused(e, d);
    else impl_->audit_refused("package.open", id, e, d);
    throw;
  }
}

struct PackageReader::Impl {
  std::unique_ptr<Opening> op;
  std::unique_ptr<ex::PackageReader> r;

  template <class Fn>
  auto refusing(Fn&& fn) {
    if (!r) throw Error(Code::invalid_argument, "the package reader was refused or finished");
    try {
      return fn();
    } catch (const Error& e) {
      if (r->header() && op->package_id.empty()) op->package_id = r->header()->package_id;
      r.reset();  // removes what was written
      op->refused(e, json{{"directory", op->out_dir}});
      throw;
    }
  }
};

std::unique_ptr<PackageReader> Workspace::open_package_stream(const std::string& out_dir, const ex::OpenOptions& opts) {
  auto impl = std::make_unique<PackageReader::Impl>();
  try {
    impl->op = std::make_unique<Opening>(*this, *impl_, out_dir);
    impl->r = std::make_unique<ex::PackageReader>(out_dir, impl->op->keys, impl->op->options(opts));
  } catch (const Error& e) {
    impl_->audit_refused("package.open", "", e, json{{"directory", out_dir}});
    throw;
  }
  return std::unique_ptr<PackageReader>(new PackageReader(std::move(impl)));
}

PackageReader::PackageReader(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
PackageReader::~PackageReader() = default;

void PackageReader::feed(const void* data, std::size_t n) {
  impl_->refusing([&] {
    impl_->r->feed(data, n);
    return 0;
  });
}

ex::Summary PackageReader::finish() {
  ex::Summary s = impl_->refusing([&] { return impl_->r->finish(); });
  impl_->r.reset();
  return s;
}

const ex::Header* PackageReader::header() const noexcept { return impl_->r ? impl_->r->header() : nullptr; }

// ---- creating ---------------------------------------------------------------------------------

struct PackageWriter::Impl {
  Workspace::Impl* ws = nullptr;
  std::unique_ptr<ex::WorkspaceParty> party;  // holds the signing key the writer borrows: declared first
  std::unique_ptr<ex::PackageWriter> w;
  std::string package_id;
  std::vector<std::string> consumers;
  bool finished = false;

  ex::PackageWriter& live() {
    if (!w) throw Error(Code::invalid_argument, "the package writer is finished or was refused");
    return *w;
  }
};

namespace {

ex::WriterOptions package_options(ex::WorkspaceParty& party, const std::vector<std::string>& consumers,
                                  const ex::WriterOptions& given, Workspace::Impl& ws) {
  if (!given.provider.empty() || given.signing_key || !given.recipients.empty())
    throw Error(Code::invalid_argument, "provider, signing key and recipients must be empty: the workspace supplies them");
  if (consumers.empty()) throw Error(Code::invalid_argument, "name at least one consumer department");
  ex::WriterOptions o = party.writer_options(consumers);  // reserves the sequence numbers
  o.catalog = given.catalog;
  o.purpose = given.purpose;
  o.approval = given.approval;
  o.request_hash = given.request_hash;
  o.package_id = given.package_id;
  o.created = given.created;
  o.chunk_size = given.chunk_size;
  o.level = given.level;
  o.threads = given.threads;
  o.window_log = given.window_log;
  o.validate = given.validate;
  o.encoding = given.encoding;
  auto hook = given.before_commit;
  Workspace::Impl* w = &ws;
  o.before_commit = [w, hook](const ex::Summary& s) {
    if (hook) hook(s);
    w->audit("package.create", s.header.package_id, created_details(s), "ok", purpose_of(s));
  };
  return o;
}

template <class Make>
std::unique_ptr<PackageWriter::Impl> start_writer(Workspace& ws, Workspace::Impl& wi, const std::vector<std::string>& consumers,
                                                  const ex::WriterOptions& opts, json where, Make&& make) {
  auto impl = std::make_unique<PackageWriter::Impl>();
  impl->ws = &wi;
  impl->consumers = consumers;
  impl->package_id = opts.package_id;
  if (impl->package_id.empty()) {  // chosen here, so that a refusal names it too
    unsigned char id[16];
    randombytes_buf(id, sizeof id);
    impl->package_id = crypto::to_hex(id, sizeof id);
  }
  try {
    impl->party = std::make_unique<ex::WorkspaceParty>(ws);
    ex::WriterOptions o = package_options(*impl->party, consumers, opts, wi);
    o.package_id = impl->package_id;
    impl->w = make(o);
  } catch (const Error& e) {
    where["consumers"] = consumers;
    wi.audit_refused("package.create", impl->package_id, e, std::move(where), opts.purpose);
    throw;
  }
  return impl;
}

}  // namespace

std::unique_ptr<PackageWriter> Workspace::create_package(const std::string& path, const std::vector<std::string>& consumers,
                                                         const ex::WriterOptions& opts) {
  auto impl = start_writer(*this, *impl_, consumers, opts, json{{"file", path}},
                           [&](const ex::WriterOptions& o) { return std::make_unique<ex::PackageWriter>(path, o); });
  return std::unique_ptr<PackageWriter>(new PackageWriter(std::move(impl)));
}

std::unique_ptr<PackageWriter> Workspace::create_package_stream(ex::PackageWriter::Sink sink,
                                                                const std::vector<std::string>& consumers,
                                                                const ex::WriterOptions& opts) {
  auto impl = start_writer(*this, *impl_, consumers, opts, json::object(),
                           [&](const ex::WriterOptions& o) { return std::make_unique<ex::PackageWriter>(std::move(sink), o); });
  return std::unique_ptr<PackageWriter>(new PackageWriter(std::move(impl)));
}

PackageWriter::PackageWriter(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
PackageWriter::~PackageWriter() {
  if (impl_) impl_->w.reset();  // before the party whose signing key it borrows
}

void PackageWriter::begin_resource(const std::string& name, const json& schema, const std::string& format) {
  impl_->live().begin_resource(name, schema, format);
}
// Records that break their schema, or bytes not in the declared encoding, refuse the
// package: the writer is dropped (its temporary file removed) and the refusal recorded.
template <class Fn>
void refusing_records(PackageWriter::Impl& impl, Fn&& fn) {
  ex::PackageWriter& w = impl.live();
  try {
    fn(w);
  } catch (const Error& e) {
    if (e.code() != Code::invalid_data && e.code() != Code::parse) throw;
    impl.w.reset();
    impl.ws->audit_refused("package.create", impl.package_id, e, json{{"consumers", impl.consumers}});
    throw;
  }
}

void PackageWriter::write(const void* data, std::size_t n) {
  refusing_records(*impl_, [&](ex::PackageWriter& w) { w.write(data, n); });
}
void PackageWriter::end_resource() {
  refusing_records(*impl_, [&](ex::PackageWriter& w) { w.end_resource(); });
}
void PackageWriter::add_file(const std::string& name, const std::string& path, const json& schema, const std::string& format) {
  refusing_records(*impl_, [&](ex::PackageWriter& w) { w.add_file(name, path, schema, format); });
}

ex::Summary PackageWriter::finish() {
  ex::PackageWriter& w = impl_->live();
  try {
    ex::Summary s = w.finish();
    impl_->w.reset();
    return s;
  } catch (const Error& e) {
    impl_->w.reset();  // removes the temporary file
    impl_->ws->audit_refused("package.create", impl_->package_id, e, json{{"consumers", impl_->consumers}});
    throw;
  }
}

const std::string& PackageWriter::package_id() const noexcept { return impl_->package_id; }

// ---- verifying --------------------------------------------------------------------------------

ex::Summary Workspace::verify_package(const std::string& path) {
  ex::WorkspaceParty party(*this);
  return ex::verify(path, party.provider_lookup());
}

}  // namespace civitas::workspace
