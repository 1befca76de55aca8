// class Workspace: the store, the keyring and the primitives that use it.
#include "civitas/workspace.hpp"

#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <cstring>
#include <nlohmann/json.hpp>

#include "civitas/audit.hpp"  // issue 4: the workspace's audit log
#include "civitas/error.hpp"
#include "header.hpp"
#include "impl.hpp"

namespace civitas::workspace {

using nlohmann::json;
namespace c = civitas::crypto;

// ---- KeySource --------------------------------------------------------------------------

KeySource KeySource::passphrase(std::string_view pass, KdfParams kdf) {
  if (pass.empty()) throw Error(Code::invalid_argument, "the passphrase must not be empty");
  KeySource k;
  k.passphrase_ = true;
  k.secret_ = c::SecretBytes(pass.data(), pass.size());
  k.kdf_ = kdf;
  return k;
}

KeySource KeySource::raw_key(c::SecretBytes key32) {
  if (key32.size() != 32) throw Error(Code::invalid_argument, "a raw master key is 32 bytes");
  KeySource k;
  k.secret_ = std::move(key32);
  return k;
}

KeySource KeySource::raw_key_hex(std::string_view hex64) { return raw_key(c::secret_from_hex(hex64, 32)); }

// ---- helpers ------------------------------------------------------------------------------

std::int64_t now_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

KeyInfo info_of(const c::Key& k) {
  KeyInfo i;
  i.id = k.id;
  i.purpose = k.purpose;
  i.algorithm = k.algorithm;
  i.created = k.created;
  i.status = k.status;
  i.public_key = k.public_key;
  return i;
}

void Workspace::Impl::audit(std::string_view action, std::string_view resource, const json& details,
                            std::string_view outcome, std::string_view purpose) const {
  std::shared_ptr<AuditSink> s;
  {
    std::lock_guard lk(mu);
    s = sink;
  }
  if (!s) return;
  const std::string d = details.dump();
  store::Transaction tx(*store);  // a savepoint of the action's transaction when there is one
  s->record(AuditRecord{action, resource, d, purpose, outcome});
  tx.commit();
}

void Workspace::Impl::audit_refused(std::string_view action, std::string_view resource, const Error& e, json details,
                                    std::string_view purpose) const noexcept {
  try {
    if (!details.is_object()) details = json::object();
    details["error"] = e.what();
    audit(action, resource, details, code_name(e.code()), purpose);
  } catch (...) {
  }
}

std::string Workspace::Impl::meta(const std::string& key) const {
  std::lock_guard lk(store->mutex());
  store::Statement st(*store, "SELECT value FROM meta WHERE key = ?");
  st.bind(1, key);
  return st.step() ? st.text(0) : std::string();
}

// ---- create / open ------------------------------------------------------------------------

Workspace::Workspace(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Workspace::~Workspace() = default;

std::string Workspace::header_path(const std::string& db_path) { return db_path + ".header"; }

static bool exists(const std::string& p) {
  struct stat st;
  return ::stat(p.c_str(), &st) == 0;
}

static std::string canonical_department(std::string_view dept) {
  ids::Result r = ids::validate(ids::Kind::uscc, dept);
  if (!r.valid)
    throw Error(Code::invalid_data, "department id '" + std::string(dept) + "' is not a valid USCC (" +
                                        ids::reason_name(r.reason) + ")");
  return r.canonical;
}

std::unique_ptr<Workspace> Workspace::create(const std::string& path, const KeySource& key, const CreateOptions& opts) {
  c::init();
  if (path.empty()) throw Error(Code::invalid_argument, "the workspace path must not be empty");
  std::string dept = opts.department.empty() ? std::string() : canonical_department(opts.department);
  const std::string hp = header_path(path);
  if (exists(path)) throw Error(Code::exists, "a file already exists at " + path);
  if (exists(hp)) throw Error(Code::exists, "a workspace header already exists at " + hp);

  auto impl = std::make_unique<Impl>();
  impl->path = path;
  impl->workspace_key = c::SecretBytes::random(32);
  Header h;
  unsigned char idb[16];
  randombytes_buf(idb, sizeof idb);
  h.workspace_id = c::to_hex(idb, sizeof idb);
  seal_header(h, key, impl->workspace_key);
  write_header(hp, h);
  try {
    derive_keyring_keys(*impl);
    impl->peers_key = c::derive_subkey(impl->workspace_key, 1, "civpeer1");
    store::OpenOptions so;
    so.create = true;
    so.busy_timeout_ms = opts.busy_timeout_ms;
    impl->store = std::make_unique<store::Store>(path, c::derive_subkey(impl->workspace_key, 1, "civpage1"), so);
    {
      ConvertingKeyring conv(*impl);
      migrate_tables(*impl);
    }
    store::Transaction tx(*impl->store);
    store::Statement m(*impl->store, "INSERT INTO meta(key, value) VALUES(?, ?)");
    auto put = [&](const char* k, const std::string& v) {
      m.reset();
      m.bind(1, k).bind(2, v);
      m.run();
    };
    put("format", "civitas-workspace");
    put("workspace_id", h.workspace_id);
    put("department", dept);
    put("name", opts.name);
    put("created", std::to_string(now_seconds()));
    for (int p = 1; p <= c::kPurposeCount; ++p) {
      c::Key k = c::generate_key(static_cast<c::Purpose>(p));
      k.status = c::Status::primary;
      impl->insert_key(k);
    }
    tx.commit();
    impl->ring = impl->load_ring();
  } catch (...) {
    impl->store.reset();
    for (const char* suffix : {"", "-wal", "-shm"}) ::unlink((path + suffix).c_str());
    ::unlink(hp.c_str());
    throw;
  }
  std::unique_ptr<Workspace> ws(new Workspace(std::move(impl)));
  audit::WorkspaceLog::attach(*ws);  // audit log (issue 4): records workspace.create, installs the sink
  return ws;
}

std::unique_ptr<Workspace> Workspace::open(const std::string& path, const KeySource& key, const OpenOptions& opts) {
  c::init();
  if (!exists(path)) throw Error(Code::not_found, "no workspace at " + path);
  {
    // A directory, or a file that cannot be a workspace database, is named as such rather
    // than reported as a lost header (which would send the user to a backup for nothing).
    namespace fs = std::filesystem;
    std::error_code ec;
    if (fs::is_directory(path, ec))
      throw Error(Code::invalid_argument, path + " is a directory, not a civitas workspace file");
    const bool has_header = fs::exists(header_path(path), ec);
    const auto size = fs::file_size(path, ec);
    if (!has_header && (ec || size < 1024 || size % 512 != 0))
      throw Error(Code::invalid_argument, path + " is not a civitas workspace (no " + header_path(path) +
                                              " beside it, and not a database file)");
  }
  Header h = read_header(header_path(path));
  auto impl = std::make_unique<Impl>();
  impl->path = path;
  impl->workspace_key = open_header(h, key);  // wrong_key when the key source is wrong
  derive_keyring_keys(*impl);
  impl->peers_key = c::derive_subkey(impl->workspace_key, 1, "civpeer1");
  store::OpenOptions so;
  so.busy_timeout_ms = opts.busy_timeout_ms;
  so.read_only = opts.read_only;
  try {
    impl->store = std::make_unique<store::Store>(path, c::derive_subkey(impl->workspace_key, 1, "civpage1"), so);
  } catch (const Error& e) {
    // The header already proved the key right: a first page that does not authenticate is damage.
    if (e.code() == Code::wrong_key)
      throw Error(Code::integrity, "workspace file " + path + " is damaged or does not belong to its header");
    throw;
  }
  if (impl->meta("workspace_id") != h.workspace_id)
    throw Error(Code::integrity, "workspace file " + path + " does not belong to its header (workspace id differs)");
  {
    ConvertingKeyring conv(*impl);  // migration 4 converts the keyring with this workspace's keys
    migrate_tables(*impl);
  }
  impl->ring = impl->load_ring();
  std::unique_ptr<Workspace> ws(new Workspace(std::move(impl)));
  if (opts.read_only) return ws;  // no audit sink: the caller records its own entry (OpenOptions::read_only)
  audit::WorkspaceLog::attach(*ws);  // audit log (issue 4): installs the sink
  // Keys that workspace migration 4 added (before the log could record them).
  for (const c::Key& k : ws->impl_->added_by_upgrade)
    ws->impl_->audit("key.rotate", k.id_hex(),
                     json{{"purpose", c::purpose_name(k.purpose)}, {"key_id", k.id_hex()}, {"algorithm", k.algorithm},
                          {"reason", "workspace upgrade (migration 4)"}});
  ws->impl_->added_by_upgrade.clear();
  return ws;
}

Info Workspace::info() const {
  Info i;
  i.path = impl_->path;
  i.workspace_id = impl_->meta("workspace_id");
  i.department = impl_->meta("department");
  i.name = impl_->meta("name");
  std::string created = impl_->meta("created");
  i.created = created.empty() ? 0 : std::stoll(created);
  i.schema_version = impl_->store->module_version("workspace");
  try {
    i.key_source = read_header(header_path(impl_->path)).key_source;
  } catch (const Error&) {
    i.key_source = "unknown";
  }
  return i;
}

store::Store& Workspace::store() noexcept { return *impl_->store; }
void Workspace::check_integrity() { impl_->store->check_integrity(); }

void Workspace::set_audit_sink(std::shared_ptr<AuditSink> sink) {
  std::lock_guard lk(impl_->mu);
  impl_->sink = std::move(sink);
}

// ---- keyring ------------------------------------------------------------------------------

std::shared_ptr<const c::Keyring> Workspace::keyring() const {
  std::lock_guard lk(impl_->mu);
  return impl_->ring;
}

void Workspace::refresh() {
  auto ring = impl_->load_ring();
  std::lock_guard lk(impl_->mu);
  impl_->ring = std::move(ring);
}

std::vector<KeyInfo> Workspace::keys() const {
  std::vector<KeyInfo> out;
  auto ring = keyring();
  for (const auto& [id, k] : ring->all()) out.push_back(info_of(k));
  std::stable_sort(out.begin(), out.end(), [](const KeyInfo& a, const KeyInfo& b) {
    return a.purpose != b.purpose ? a.purpose < b.purpose : a.created > b.created;
  });
  return out;
}

KeyInfo Workspace::rotate(c::Purpose p) {
  c::Key k = c::generate_key(p);
  k.status = c::Status::primary;
  {
    store::Transaction tx(*impl_->store);
    for (const std::string& id : impl_->ids_with_status(p, c::Status::primary)) impl_->set_status(id, c::Status::active);
    impl_->insert_key(k);
    impl_->audit("key.rotate", k.id_hex(), json{{"purpose", c::purpose_name(p)}, {"key_id", k.id_hex()}, {"algorithm", k.algorithm}});
    tx.commit();
  }
  refresh();
  return info_of(k);
}

void Workspace::destroy_key(const c::KeyId& id) {
  const std::string hex = c::key_id_hex(id);
  std::string purpose;
  try {
    store::Transaction tx(*impl_->store);
    store::Statement q(*impl_->store, "SELECT status, purpose FROM keys WHERE id = ?");
    q.bind(1, hex);
    if (!q.step()) throw Error(Code::not_found, "key " + hex + " is not in the keyring");
    std::string status = q.text(0);
    purpose = q.text(1);
    if (status == "primary")
      throw Error(Code::denied, "key " + hex + " is the primary " + purpose + " key; rotate before destroying it");
    if (status == "destroyed") return;
    impl_->set_status(hex, c::Status::destroyed);
    impl_->audit("key.destroy", hex, json{{"key_id", hex}, {"purpose", purpose}});
    tx.commit();
  } catch (const Error& e) {
    if (e.code() == Code::not_found || e.code() == Code::denied)
      impl_->audit_refused("key.destroy", hex, e, json{{"key_id", hex}, {"purpose", purpose}});
    throw;
  }
  refresh();
}

// The header file lives outside the database, so the change cannot commit in one transaction
// with its entry. Order (docs/audit.md, "Master-key changes"): (1) an "intent" entry commits;
// (2) under the write lock, the new header replaces the old one by rename, and the "ok" entry
// commits with the meta row. A crash between leaves an intent without its "ok": the header
// is then either the old or the new one (the rename is atomic), and the log says a change
// was under way. A failed rename is recorded with its error code instead of "ok".
void Workspace::change_master(const KeySource& next) {
  const std::string hp = header_path(impl_->path);
  const std::string to = next.is_passphrase() ? "passphrase" : "raw";
  std::string from = read_header(hp).key_source;
  {
    store::Transaction tx(*impl_->store);
    impl_->audit("workspace.change_master", impl_->path, json{{"from", from}, {"to", to}}, "intent");
    tx.commit();
  }
  bool renamed = false;
  try {
    // The write lock serialises master-key changes between processes.
    store::Transaction tx(*impl_->store);
    Header h = read_header(hp);
    from = h.key_source;
    seal_header(h, next, impl_->workspace_key);
    store::Statement st(*impl_->store, "INSERT OR REPLACE INTO meta(key, value) VALUES('master_changed', ?)");
    st.bind(1, std::to_string(now_seconds()));
    st.run();
    impl_->audit("workspace.change_master", impl_->path, json{{"from", from}, {"to", h.key_source}});
    write_header(hp, h);  // fsync'd, renamed, directory fsync'd
    renamed = true;
    tx.commit();
  } catch (const Error& e) {
    if (!renamed) {
      impl_->audit_refused("workspace.change_master", impl_->path, e, json{{"from", from}, {"to", to}});
    } else {  // the new header is in place but its entry did not commit: record it again
      try {
        impl_->audit("workspace.change_master", impl_->path, json{{"from", from}, {"to", to}});
      } catch (...) {
      }
    }
    throw;
  }
}

KeyInfo Workspace::import_identity_secret(const c::SecretBytes& secret, const c::Suite& suite) {
  c::Key k = c::key_from_secret(c::Purpose::identity, secret.clone(), 0, suite);
  k.status = c::Status::primary;
  {
    store::Transaction tx(*impl_->store);
    store::Statement q(*impl_->store, "SELECT status FROM keys WHERE id = ?");
    q.bind(1, k.id_hex());
    const bool known = q.step();
    if (known && q.text(0) == "destroyed") throw Error(Code::denied, "identity key " + k.id_hex() + " was destroyed here");
    for (const std::string& id : impl_->ids_with_status(c::Purpose::identity, c::Status::primary))
      if (id != k.id_hex()) impl_->set_status(id, c::Status::active);
    if (known) {
      impl_->set_status(k.id_hex(), c::Status::primary);
    } else {
      impl_->insert_key(k);
    }
    impl_->audit("key.import", k.id_hex(), json{{"purpose", "identity"}, {"key_id", k.id_hex()}});
    tx.commit();
  }
  refresh();
  return info_of(k);
}

}  // namespace civitas::workspace
