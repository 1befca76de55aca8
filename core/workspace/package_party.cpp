// package::WorkspaceParty (declared in civitas/package.hpp): packages with a workspace —
// keys from its keyring, peers from its directory, sequence numbers and the replay check in
// its database (workspace migration 2, tables.cpp). The audited operations that use it are in
// packages.cpp. It lives in the workspace module
// because it reaches into the workspace, its store and its audit log; core/package itself
// depends only on schema, crypto and zstd (docs/development.md, module graph) and takes explicit keys
// and callbacks (ReaderKeys, ProviderLookup, ReplayMemory), which this file fills in.
#include <cstring>

#include "civitas/error.hpp"
#include "civitas/package.hpp"
#include "civitas/ids.hpp"
#include "civitas/workspace.hpp"

namespace civitas::package {

namespace c = civitas::crypto;
using nlohmann::json;

struct WorkspaceParty::Impl {
  workspace::Workspace& ws;
  std::shared_ptr<const c::Keyring> ring;
  std::string department;
  std::string workspace_id;
};

namespace {

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
      // Never seal to a revoked exchange key (superseded or compromised by its department).
      if (p.purpose != c::Purpose::exchange || (p.status != "primary" && p.status != "active")) continue;
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
    ProviderKey k{p.department, pk32(p.public_key, "peer signing key")};
    k.compromised = p.status == "compromised";
    if (p.status == "superseded") k.not_after = p.revoked > 0 ? p.revoked : 1;
    m[p.key_id] = k;
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
  return k;
}

}  // namespace civitas::package
