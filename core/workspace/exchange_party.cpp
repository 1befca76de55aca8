// exchange::WorkspaceParty (declared in civitas/exchange.hpp): packages with a workspace —
// keys from its keyring, peers from its directory, sequence numbers and replay memory in its
// database (workspace migration 2, tables.cpp), audit entries in its log. It lives in the workspace module
// because it reaches into the workspace, its store and its audit log; core/exchange itself
// depends only on schema, crypto and zstd (docs/development.md, module graph) and takes explicit keys
// and callbacks (ReaderKeys, ProviderLookup, ReplayMemory), which this file fills in.
#include <chrono>
#include <cstring>

#include "civitas/audit.hpp"
#include "civitas/error.hpp"
#include "civitas/exchange.hpp"
#include "civitas/ids.hpp"
#include "civitas/workspace.hpp"

namespace civitas::exchange {

namespace c = civitas::crypto;
using nlohmann::json;

struct WorkspaceParty::Impl {
  workspace::Workspace& ws;
  std::shared_ptr<const c::Keyring> ring;
  std::string department;
  std::string workspace_id;
};

namespace {

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string canonical_consumer(const std::string& s) {
  ids::Result r = ids::validate(ids::Kind::uscc, s);
  if (!r.valid) throw Error(Code::invalid_argument, "consumer department is not a valid USCC: " + r.message);
  return r.canonical;
}

PublicKey pk32(const std::vector<std::uint8_t>& v, const std::string& what) {
  if (v.size() != 32) throw Error(Code::integrity, what + " is not a 32-byte public key");
  PublicKey k;
  std::memcpy(k.data(), v.data(), 32);
  return k;
}

}  // namespace

WorkspaceParty::WorkspaceParty(workspace::Workspace& ws) : impl_(std::make_unique<Impl>(Impl{ws, ws.keyring(), {}, {}})) {
  workspace::Info info = ws.info();
  if (info.department.empty())
    throw Error(Code::invalid_argument, "the workspace has no department (USCC); create it with one to exchange packages");
  impl_->department = info.department;
  impl_->workspace_id = info.workspace_id;
}

WorkspaceParty::~WorkspaceParty() = default;

const std::string& WorkspaceParty::department() const noexcept { return impl_->department; }

WriterOptions WorkspaceParty::writer_options(const std::vector<std::string>& consumers) {
  WriterOptions o;
  o.provider = impl_->department;
  o.signing_key = &impl_->ring->primary(c::Purpose::signing).secret;
  std::vector<std::string> depts;
  for (const std::string& raw : consumers) {
    std::string d = canonical_consumer(raw);
    const workspace::Peer* best = nullptr;
    auto peers = impl_->ws.peers(d);
    for (const auto& p : peers) {
      if (p.purpose != c::Purpose::exchange || p.status == "destroyed" || p.status == "retired") continue;
      if (!best || p.status == "primary" || (best->status != "primary" && p.imported > best->imported)) best = &p;
    }
    if (!best)
      throw Error(Code::unknown_key, "department " + d + " has no exchange key in the peer directory (import its public keys first)");
    o.recipients.push_back({d, pk32(best->public_key, "peer exchange key"), 0});
    depts.push_back(d);
  }
  // Reserve the next sequence number of each pair.
  store::Store& db = impl_->ws.store();
  store::Transaction tx(db);
  for (auto& r : o.recipients) {
    store::Statement q(db, "SELECT last_sequence FROM package_sent WHERE consumer = ?1");
    q.bind(1, r.department);
    std::int64_t next = q.step() ? q.int64(0) + 1 : 1;
    store::Statement u(db, "INSERT OR REPLACE INTO package_sent(consumer, last_sequence) VALUES (?1, ?2)");
    u.bind(1, r.department).bind(2, next).run();
    r.sequence = static_cast<std::uint64_t>(next);
  }
  tx.commit();
  return o;
}

ProviderLookup WorkspaceParty::provider_lookup() {
  std::map<KeyId, ProviderKey> m;
  for (const auto& p : impl_->ws.peers()) {
    if (p.purpose != c::Purpose::signing || p.status == "destroyed" || p.public_key.size() != 32) continue;
    m[p.key_id] = ProviderKey{p.department, pk32(p.public_key, "peer signing key")};
  }
  // The workspace's own signing keys verify packages it wrote itself (verify before sending).
  for (const auto& [id, k] : impl_->ring->all())
    if (k.purpose == c::Purpose::signing && k.public_key.size() == 32) m[id] = ProviderKey{impl_->department, pk32(k.public_key, "signing key")};
  return [m = std::move(m)](const KeyId& id) -> std::optional<ProviderKey> {
    auto it = m.find(id);
    if (it == m.end()) return std::nullopt;
    return it->second;
  };
}

ReaderKeys WorkspaceParty::reader_keys() {
  ReaderKeys k;
  const c::Key& primary = impl_->ring->primary(c::Purpose::exchange);
  k.exchange_secret = &primary.secret;
  k.exchange_public = pk32(primary.public_key, "exchange key");
  for (const auto& [id, key] : impl_->ring->all())
    if (key.purpose == c::Purpose::exchange && id != primary.id && !key.secret.empty() && key.public_key.size() == 32)
      k.older_exchange_keys.emplace_back(pk32(key.public_key, "exchange key"), &key.secret);
  k.provider_key = provider_lookup();
  workspace::Workspace* ws = &impl_->ws;
  k.replay.seen = [ws](const std::string& p, const std::string& cons, std::uint64_t s) {
    store::Statement q(ws->store(), "SELECT 1 FROM package_received WHERE provider = ?1 AND consumer = ?2 AND sequence = ?3");
    q.bind(1, p).bind(2, cons).bind(3, static_cast<std::int64_t>(s));
    return q.step();
  };
  k.replay.remember = [ws](const std::string& p, const std::string& cons, std::uint64_t s, const std::string& id) {
    store::Transaction tx(ws->store());
    store::Statement q(ws->store(), "SELECT 1 FROM package_received WHERE provider = ?1 AND consumer = ?2 AND sequence = ?3");
    q.bind(1, p).bind(2, cons).bind(3, static_cast<std::int64_t>(s));
    if (q.step())  // another process opened the same package meanwhile
      throw Error(Code::replay, "package " + id + ": sequence " + std::to_string(s) + " from " + p + " was accepted meanwhile (replay)");
    store::Statement ins(ws->store(),
                         "INSERT INTO package_received(provider, consumer, sequence, package_id, opened_ms) VALUES (?1, ?2, ?3, ?4, ?5)");
    ins.bind(1, p).bind(2, cons).bind(3, static_cast<std::int64_t>(s)).bind(4, id).bind(5, now_ms()).run();
    tx.commit();
  };
  return k;
}

void WorkspaceParty::audit(const std::string& action, const std::string& package_id, const std::string& outcome,
                           const json& details) {
  // The workspace's own log (core/audit, WorkspaceLog): same origin and actor as every
  // other audited action of this workspace.
  auto wl = audit::WorkspaceLog::open(impl_->ws);
  audit::Event e;
  e.actor_dept = impl_->department;
  e.actor_user = wl->user();
  e.action = action;
  e.resource = package_id;
  e.purpose = details.value("purpose", "");
  e.outcome = outcome;
  e.details = details.dump();
  wl->log().append(std::move(e));
}

namespace {
const json& object_or_empty(const json& j) {
  static const json empty = json::object();
  return j.is_object() ? j : empty;
}
}  // namespace

void WorkspaceParty::audit_created(const Summary& s) {
  const json& env = object_or_empty(s.envelope);
  json res = json::array();
  const json& dp = object_or_empty(s.datapackage);
  if (dp.contains("resources") && dp["resources"].is_array())
    for (const auto& r : dp["resources"])
      if (r.is_object()) res.push_back({{"name", r.value("name", "")}, {"hash", r.value("hash", "")}});
  audit("package.create", s.header.package_id, "ok",
        {{"consumers", env.value("consumers", json::array())},
         {"sequences", env.value("sequences", json::object())},
         {"catalog", env.value("catalog", "")},
         {"purpose", env.value("purpose", "")},
         {"bytes", s.package_bytes},
         {"resources", res}});
}

void WorkspaceParty::audit_opened(const Summary& s, bool validated) {
  const json& env = object_or_empty(s.envelope);
  audit("package.open", s.header.package_id, "ok",
        {{"provider", s.header.provider},
         {"purpose", env.value("purpose", "")},
         {"catalog", env.value("catalog", "")},
         {"validated", validated},
         {"bytes", s.package_bytes}});
}

void WorkspaceParty::audit_on_commit(OpenOptions& o) {
  o.before_commit = [this, validated = o.validate](const Summary& s) { audit_opened(s, validated); };
}

void WorkspaceParty::audit_refused(const std::string& action, const std::string& package_id, const Error& e,
                                   json details) noexcept {
  try {
    if (!details.is_object()) details = json::object();
    details["error"] = e.what();
    audit(action, package_id, code_name(e.code()), details);
  } catch (...) {  // the refusal, not the audit failure, is what the caller reports
  }
}

}  // namespace civitas::exchange
