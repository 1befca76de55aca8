// The audit log of a workspace: origin and signing key from the workspace, and the sink the
// workspace reports its sensitive actions to.
#include <pwd.h>
#include <unistd.h>

#include <cstdlib>
#include <nlohmann/json.hpp>

#include "civitas/audit.hpp"
#include "civitas/error.hpp"
#include "civitas/workspace.hpp"
#include "audit/log_internal.hpp"
#include "backup.hpp"  // audit_origin: the epoch after a restore

namespace civitas::audit {

namespace c = civitas::crypto;

struct WorkspaceLog::State {
  workspace::Workspace& ws;
  std::string dept, user;
  Log log;
  State(workspace::Workspace& w, std::string d, std::string u, std::string origin)
      : ws(w), dept(std::move(d)), user(std::move(u)), log(w.store(), std::move(origin)) {}
};

namespace {

// Holds the log's state, so the sink stays valid as long as the workspace keeps it.
class Sink : public workspace::AuditSink {
 public:
  explicit Sink(std::shared_ptr<WorkspaceLog::State> s) : s_(std::move(s)) {}
  void record(const workspace::AuditRecord& r) override;

 private:
  std::shared_ptr<WorkspaceLog::State> s_;
};

// The user behind the library's own entries: $CIVITAS_USER, else the login name, else uid:N.
std::string default_user() {
  if (const char* u = std::getenv("CIVITAS_USER"); u && *u) return std::string(u).substr(0, 256);
  struct passwd pw, *res = nullptr;
  char buf[4096];
  if (getpwuid_r(getuid(), &pw, buf, sizeof buf, &res) == 0 && res && res->pw_name && *res->pw_name)
    return std::string("os:") + res->pw_name;
  return "uid:" + std::to_string(getuid());
}

}  // namespace

// Called inside the action's write transaction (workspace::AuditSink): append's own
// transaction is a savepoint of it, so the entry commits with the action.
void Sink::record(const workspace::AuditRecord& r) {
  Event e;
  e.actor_dept = s_->dept;
  e.actor_user = s_->user;
  e.action = std::string(r.action);
  e.resource = std::string(r.resource.substr(0, kMaxFieldBytes));
  e.purpose = std::string(r.purpose.substr(0, kMaxFieldBytes));
  e.outcome = std::string(r.outcome);
  e.details = std::string(r.details_json);
  s_->log.append(std::move(e));
}

WorkspaceLog::WorkspaceLog(std::shared_ptr<State> s) : s_(std::move(s)) {}
WorkspaceLog::~WorkspaceLog() = default;

std::shared_ptr<WorkspaceLog> WorkspaceLog::attach(workspace::Workspace& ws, std::string user) {
  workspace::Info info = ws.info();
  std::string origin = workspace::audit_origin(ws.store(), info.department, info.workspace_id);
  if (user.empty()) user = default_user();
  auto st = std::make_shared<State>(ws, info.department, user, origin);
  std::shared_ptr<WorkspaceLog> wl(new WorkspaceLog(st));
  Log& log = wl->s_->log;
  if (log.size() == 0) {
    Event e;
    e.actor_dept = info.department;
    e.actor_user = wl->s_->user;
    e.action = "workspace.create";
    e.resource = info.workspace_id;
    nlohmann::json d{{"workspace_id", info.workspace_id}, {"created", info.created}, {"name", info.name}};
    nlohmann::json keys = nlohmann::json::array();
    for (const auto& k : ws.keys()) keys.push_back({{"key_id", k.id_hex()}, {"purpose", c::purpose_name(k.purpose)}});
    d["keys"] = keys;
    e.details = d.dump();
    // Only the first process to get the write lock records the creation.
    store::Transaction tx(ws.store());
    if (stored_size(ws.store()) == 0) log.append_in_transaction(std::move(e));
    tx.commit();
  }
  ws.set_audit_sink(std::make_shared<Sink>(wl->s_));
  wl->cosign_stored();
  return wl;
}

std::shared_ptr<WorkspaceLog> WorkspaceLog::open(workspace::Workspace& ws) {
  workspace::Info info = ws.info();
  std::string origin = workspace::audit_origin(ws.store(), info.department, info.workspace_id);
  return std::shared_ptr<WorkspaceLog>(new WorkspaceLog(std::make_shared<State>(ws, info.department, default_user(), origin)));
}

Log& WorkspaceLog::log() noexcept { return s_->log; }
const std::string& WorkspaceLog::department() const noexcept { return s_->dept; }
const std::string& WorkspaceLog::user() const noexcept { return s_->user; }

// Checkpoints are signed with the workspace's checkpoint key, which signs nothing else
// (docs/crypto.md, "Key separation"): no signature made for another protocol, nor by the
// general-purpose sign(), is a checkpoint.
std::string WorkspaceLog::checkpoint() {
  auto ring = s_->ws.keyring();
  return s_->log.checkpoint(ring->primary(c::Purpose::checkpoint));
}

NoteVerifier WorkspaceLog::verifier() const {
  auto ring = s_->ws.keyring();
  return s_->log.verifier(ring->primary(c::Purpose::checkpoint));
}

// Destroyed keys are never verifiers: a destroyed row carries only a public key, and a
// checkpoint it "verifies" could have been signed by anyone who planted it.
std::vector<NoteVerifier> WorkspaceLog::verifiers() const {
  std::vector<NoteVerifier> out;
  for (const auto& k : s_->ws.keys())
    if (k.purpose == c::Purpose::checkpoint && k.status != c::Status::destroyed && k.public_key.size() == 32)
      out.push_back(NoteVerifier::from_public_key(s_->log.origin(), k.public_key.data()));
  return out;
}

// Checkpoints stored before the workspace had a checkpoint key (signed with its signing key)
// get a cosignature by the checkpoint key, once, when the log is first opened after the
// upgrade: only those whose signature is by one of the workspace's own signing keys that are
// not destroyed and whose root is the root the entries give at that size. Their old
// signature stays, so that whoever holds the old verifier key (audit public-key as it was
// published) still verifies them.
void WorkspaceLog::cosign_stored() {
  auto ring = s_->ws.keyring();
  const c::Key* ck = nullptr;
  try {
    ck = &ring->primary(c::Purpose::checkpoint);
  } catch (const Error&) {
    return;
  }
  Log& log = s_->log;
  auto latest = log.latest_checkpoint();
  if (!latest) return;
  std::vector<NoteVerifier> now{log.verifier(*ck)};
  try {
    open_checkpoint(*latest, verifiers());
    return;  // already signed with a checkpoint key
  } catch (const Error&) {
  }
  std::vector<NoteVerifier> old;
  for (const auto& [id, k] : ring->all())
    if (k.purpose == c::Purpose::signing && k.status != c::Status::destroyed && k.public_key.size() == 32)
      old.push_back(NoteVerifier::from_public_key(log.origin(), k.public_key.data()));
  store::Store& db = s_->ws.store();
  store::Transaction tx(db);
  std::vector<std::pair<std::int64_t, std::string>> notes;
  {
    store::Statement st(db, "SELECT size, note FROM audit_checkpoint ORDER BY size");
    while (st.step()) notes.emplace_back(st.int64(0), st.text(1));
  }
  for (auto& [size, note] : notes) {
    try {
      open_checkpoint(note, now);
      continue;  // cosigned already
    } catch (const Error&) {
    }
    try {
      Checkpoint cp = open_checkpoint(note, old);
      if (cp.origin != log.origin() || cp.size != static_cast<std::uint64_t>(size) || cp.size > log.size() ||
          cp.root != log.root(cp.size))
        continue;
      std::string cosigned = cosign_checkpoint(note, log.origin(), *ck);
      store::Statement up(db, "UPDATE audit_checkpoint SET note = ? WHERE size = ?");
      up.bind(1, cosigned).bind(2, size);
      up.run();
    } catch (const Error&) {
      // not the workspace's own signature, or not the tree: left as it is (verify reports it)
    }
  }
  tx.commit();
}

VerifyReport WorkspaceLog::verify(const std::vector<std::string>& extra) { return s_->log.verify(verifiers(), extra); }

}  // namespace civitas::audit
