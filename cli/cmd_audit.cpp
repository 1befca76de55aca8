// civitas audit append|log|checkpoint|prove|consistency|public-key|verify|witness
#include <ctime>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "civitas/audit.hpp"
#include "civitas/crypto.hpp"
#include "civitas/error.hpp"
#include "civitas/workspace.hpp"
#include "cli.hpp"
#include "workspace_args.hpp"

namespace civitas::cli {
namespace {

namespace a = civitas::audit;
namespace c = civitas::crypto;
using nlohmann::json;

struct AuditArgs {
  WorkspaceArgs ws;
  std::string user;
  // append
  std::string actor, action, resource, purpose, outcome = "ok", details = "{}";
  bool batch = false;
  // log
  bool json_out = false;
  std::string since, until, filter_actor, filter_action, filter_resource;
  std::uint64_t from = 0, limit = 0;
  // prove / consistency
  std::uint64_t index = 0, size = 0, first = 0, second = 0;
  // verify / witness
  std::string checkpoint_file, old_file, new_file, proof_file, key, entry;
};

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(Code::io, "cannot read " + path);
  std::ostringstream s;
  s << in.rdbuf();
  std::string out = s.str();
  if (out.size() > (1u << 20)) throw Error(Code::invalid_argument, path + " is larger than 1 MiB");
  return out;
}

// Milliseconds since the epoch, or YYYY-MM-DD[THH:MM[:SS[.mmm]]][Z] in UTC.
std::int64_t parse_time(const std::string& s, const char* what) {
  if (!s.empty() && s.find_first_not_of("0123456789") == std::string::npos && s.size() <= 15) return std::stoll(s);
  std::tm tm{};
  int ms = 0;
  const char* rest = strptime(s.c_str(), "%Y-%m-%d", &tm);
  if (rest && *rest == 'T') {
    const char* r2 = strptime(rest + 1, "%H:%M:%S", &tm);
    if (!r2) r2 = strptime(rest + 1, "%H:%M", &tm);
    rest = r2;
    if (rest && *rest == '.') {
      int digits = 0;
      ++rest;
      while (*rest >= '0' && *rest <= '9' && digits < 3) ms = ms * 10 + (*rest++ - '0'), ++digits;
      while (digits++ < 3) ms *= 10;
    }
  }
  if (rest && *rest == 'Z') ++rest;
  if (!rest || *rest) throw Error(Code::invalid_argument, std::string(what) + ": expected milliseconds or an ISO 8601 UTC time, got '" + s + "'");
  return static_cast<std::int64_t>(timegm(&tm)) * 1000 + ms;
}

std::shared_ptr<a::WorkspaceLog> open_log(const AuditArgs& x, std::unique_ptr<workspace::Workspace>& w) {
  w = x.ws.open();
  return a::WorkspaceLog::attach(*w, x.user);
}

int do_append(const AuditArgs& x) {
  std::vector<a::Event> events;
  if (x.batch) {
    std::uint64_t line_no = 0;
    for_each_line(std::cin, [&](const std::string& line) {
      ++line_no;
      if (line.find_first_not_of(" \t") == std::string::npos) return;
      Location at;
      at.row = line_no;
      at.source = "stdin";
      a::EventLine l = a::parse_event_line(line, at);
      a::Event e = a::make_event(l.actor, l.action, l.resource, l.purpose, l.outcome, l.details);
      a::check_event_at(e, at);
      events.push_back(std::move(e));
    });
    if (events.empty()) throw Error(Code::invalid_argument, "no entries on stdin");
  } else {
    if (x.actor.empty() || x.action.empty())
      throw Error(Code::invalid_argument, "--actor and --action are required (or --batch)");
    events.push_back(a::make_event(x.actor, x.action, x.resource, x.purpose, x.outcome, x.details));
  }
  std::unique_ptr<workspace::Workspace> w;
  auto log = open_log(x, w);
  std::size_t n = events.size();
  std::uint64_t first = log->log().append_batch(std::move(events));
  if (x.json_out) std::cout << json{{"first", first}, {"count", n}}.dump() << "\n";
  else if (n == 1) std::cout << first << "\n";
  else std::cout << "appended " << n << " entries: " << first << ".." << first + n - 1 << "\n";
  return kOk;
}

int do_log(const AuditArgs& x) {
  a::Filter f;
  if (!x.since.empty()) f.since_ms = parse_time(x.since, "--since");
  if (!x.until.empty()) f.until_ms = parse_time(x.until, "--until");
  if (!x.filter_actor.empty()) {
    std::string d, u;
    a::split_actor(x.filter_actor, d, u);
    if (!d.empty()) f.actor_dept = d;
    if (x.filter_actor.find(':') != std::string::npos) f.actor_user = u;
  }
  if (!x.filter_action.empty()) f.action = x.filter_action;
  if (!x.filter_resource.empty()) f.resource = x.filter_resource;
  f.from_index = x.from;
  f.limit = x.limit;
  std::unique_ptr<workspace::Workspace> w;
  auto log = open_log(x, w);
  for (const auto& se : log->log().query(f)) {
    if (x.json_out) {
      std::cout << a::entry_json(se) << "\n";
    } else {
      const a::Entry& e = se.entry;
      std::cout << e.index << '\t' << a::iso_time_ms(e.time_ms) << '\t' << e.actor() << '\t' << e.action << '\t' << e.resource
                << '\t' << e.purpose << '\t' << e.outcome << '\t' << e.details << "\n";
    }
  }
  return kOk;
}

int do_checkpoint(const AuditArgs& x) {
  std::unique_ptr<workspace::Workspace> w;
  auto log = open_log(x, w);
  std::cout << log->checkpoint();
  return kOk;
}

int do_prove(const AuditArgs& x) {
  std::unique_ptr<workspace::Workspace> w;
  auto log = open_log(x, w);
  std::cout << log->log().prove(x.index, x.size).to_json() << "\n";
  return kOk;
}

int do_consistency(const AuditArgs& x) {
  std::unique_ptr<workspace::Workspace> w;
  auto log = open_log(x, w);
  std::cout << log->log().consistency(x.first, x.second).to_json() << "\n";
  return kOk;
}

int do_public_key(const AuditArgs& x) {
  std::unique_ptr<workspace::Workspace> w;
  auto log = open_log(x, w);
  std::cout << log->verifier().text() << "\n";
  return kOk;
}

int do_verify(const AuditArgs& x) {
  std::vector<std::string> extra;
  if (!x.checkpoint_file.empty()) extra.push_back(read_file(x.checkpoint_file));
  std::unique_ptr<workspace::Workspace> w;
  auto log = open_log(x, w);
  a::VerifyReport r = log->verify(extra);
  if (x.json_out) {
    std::cout << a::verify_report_json(r) << "\n";
  } else {
    for (const auto& p : r.problems)
      std::cout << p.kind << '\t' << (p.index ? std::to_string(*p.index) : "-") << '\t' << p.message << "\n";
    std::cout << (r.ok() ? "ok" : "FAILED") << ": " << r.entries << " entries, " << r.checkpoints << " checkpoints, root "
              << a::hash_hex(r.root) << "\n";
  }
  return r.ok() ? kOk : kInvalid;
}

// Witnessing another department's log: no workspace needed.
int do_witness(const AuditArgs& x) {
  a::NoteVerifier v = a::NoteVerifier::parse(x.key);
  a::ConsistencyProof p = a::ConsistencyProof::from_json(read_file(x.proof_file));
  a::Checkpoint c = a::check_consistency(read_file(x.old_file), read_file(x.new_file), p, v);
  std::cout << "consistent: " << c.origin << " grew from " << p.first << " to " << c.size << " entries\n";
  return kOk;
}

// Offline check of one entry: no workspace. The checkpoint must verify with the key, the proof
// be for its tree size, and the entry (base64, as `audit log --json` prints it) hash to a leaf
// that the proof puts under the checkpoint's root. 0 included, 1 not, 2 unreadable input.
int do_verify_proof(const AuditArgs& x) {
  a::NoteVerifier v = a::NoteVerifier::parse(x.key);
  a::InclusionProof p = a::InclusionProof::from_json(read_file(x.proof_file));
  std::vector<std::uint8_t> entry;
  try {
    entry = c::from_base64(x.entry);
  } catch (const Error&) {
    throw Error(Code::invalid_argument, "--entry takes the entry as `audit log --json` prints it (base64)");
  }
  a::Checkpoint cp;
  try {
    cp = a::open_checkpoint(read_file(x.checkpoint_file), {v});
  } catch (const Error& e) {
    if (e.code() != Code::unknown_key && e.code() != Code::bad_signature) throw;
    std::cout << "NOT VERIFIED: the checkpoint " << e.what() << "\n";
    return kInvalid;
  }
  const a::Hash leaf = a::leaf_hash(entry.data(), entry.size());
  if (p.tree_size != cp.size) {
    std::cout << "NOT VERIFIED: the proof is for a tree of " << p.tree_size << " entries, the checkpoint has " << cp.size << "\n";
    return kInvalid;
  }
  if (leaf != p.leaf_hash) {
    std::cout << "NOT VERIFIED: the entry is not the one the proof is for (leaf hash differs)\n";
    return kInvalid;
  }
  if (!a::verify_inclusion(p.leaf_index, p.tree_size, leaf, p.hashes, cp.root)) {
    std::cout << "NOT VERIFIED: the proof does not lead to the checkpoint's root\n";
    return kInvalid;
  }
  std::cout << "included: entry " << p.leaf_index << " of " << cp.origin << " (checkpoint of " << cp.size << " entries)\n";
  return kOk;
}

Register reg(60, {"audit"}, [](Root& root, int& result) {
  auto* au = root.add_subcommand("audit", "Tamper-evident audit log: append, query, checkpoints, proofs, verification");
  au->require_subcommand(1);
  static AuditArgs x;
  auto ws = [](CLI::App* cmd) {
    add_workspace_options(cmd, x.ws);
    cmd->add_option("--user", x.user, "User id recorded for the library's own entries (default: $CIVITAS_USER or the login name)");
  };

  auto* ap = au->add_subcommand("append", "Append an entry (or --batch: JSON objects, one per line, on stdin); prints its index");
  ws(ap);
  ap->add_option("--actor", x.actor, "Department USCC, optionally ':<user id>'");
  ap->add_option("--action", x.action, "What was done (e.g. data.read)");
  ap->add_option("--resource", x.resource, "Catalog resource code or package id");
  ap->add_option("--purpose", x.purpose, "Why");
  ap->add_option("--outcome", x.outcome, "Outcome (default ok)");
  ap->add_option("--details", x.details, "A JSON object");
  ap->add_flag("--batch", x.batch, "Read entries from stdin, one JSON object per line; appended in one transaction");
  ap->add_flag("--json", x.json_out, "Print {\"first\",\"count\"}");
  ap->callback([&result] { result = do_append(x); });

  auto* lg = au->add_subcommand("log", "List entries in index order; --json: one object per line");
  ws(lg);
  lg->add_flag("--json", x.json_out, "One JSON object per line (index, entry, leaf_hash and the decoded fields)");
  lg->add_option("--since", x.since, "Entries at or after this time (ms since the epoch, or ISO 8601 UTC)");
  lg->add_option("--until", x.until, "Entries before this time");
  lg->add_option("--actor", x.filter_actor, "Department USCC, or USCC:user");
  lg->add_option("--action", x.filter_action, "Action");
  lg->add_option("--resource", x.filter_resource, "Resource");
  lg->add_option("--from", x.from, "First index");
  lg->add_option("--limit", x.limit, "At most this many entries");
  lg->callback([&result] { result = do_log(x); });

  auto* cp = au->add_subcommand("checkpoint", "Print the latest signed checkpoint (signing a new one if the log grew)");
  ws(cp);
  cp->callback([&result] { result = do_checkpoint(x); });

  auto* pr = au->add_subcommand("prove", "Inclusion proof of an entry as JSON (docs/formats/proofs.md)");
  ws(pr);
  pr->add_option("--index", x.index, "Entry index")->required();
  pr->add_option("--size", x.size, "Tree size (default: the current size)");
  pr->add_flag("--json", x.json_out, "JSON output (the only format)");
  pr->callback([&result] { result = do_prove(x); });

  auto* co = au->add_subcommand("consistency", "Consistency proof between two tree sizes as JSON");
  ws(co);
  co->add_option("--from", x.first, "Older tree size")->required();
  co->add_option("--to", x.second, "Newer tree size (default: the current size)");
  co->add_flag("--json", x.json_out, "JSON output (the only format)");
  co->callback([&result] { result = do_consistency(x); });

  auto* pk = au->add_subcommand("public-key", "Print the note-verifier key of the checkpoint signing key");
  ws(pk);
  pk->callback([&result] { result = do_public_key(x); });

  auto* ve = au->add_subcommand("verify", "Recompute the whole log and check every checkpoint; exit 0 only when all checks");
  ws(ve);
  ve->add_option("--checkpoint", x.checkpoint_file, "Also check this checkpoint (e.g. one given out earlier)");
  ve->add_flag("--json", x.json_out, "JSON report");
  ve->callback([&result] { result = do_verify(x); });

  auto* wi = au->add_subcommand("witness", "Check that another log's newer checkpoint extends an older one (no workspace needed)");
  wi->add_option("--key", x.key, "The log's note-verifier key")->required();
  wi->add_option("--old", x.old_file, "Older checkpoint file")->required();
  wi->add_option("--new", x.new_file, "Newer checkpoint file")->required();
  wi->add_option("--proof", x.proof_file, "Consistency proof JSON from the log (civitas audit consistency)")->required();
  wi->callback([&result] { result = do_witness(x); });

  auto* vp = au->add_subcommand("verify-proof",
                                "Check offline (no workspace) that an entry is in a log: its inclusion proof against a "
                                "signed checkpoint; exit 0 included, 1 not, 2 bad input");
  vp->add_option("--key", x.key, "The log's note verifier key (`audit public-key`)")->required();
  vp->add_option("--checkpoint", x.checkpoint_file, "Signed checkpoint note (`audit checkpoint`)")->required();
  vp->add_option("--proof", x.proof_file, "Inclusion proof JSON (`audit prove --index I --size N`)")->required();
  vp->add_option("--entry", x.entry, "The entry, base64, as `audit log --json` prints it")->required();
  vp->callback([&result] { result = do_verify_proof(x); });
});

}  // namespace
}  // namespace civitas::cli
