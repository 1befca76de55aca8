// C ABI of the audit log (capi/include/civitas/audit.h).
#include <nlohmann/json.hpp>

#include "civitas/audit.hpp"
#include "civitas/json.hpp"
#include "ctx.hpp"
#include "guard.hpp"
#include "versioned.hpp"

using civitas::Code;
using civitas::Error;
using namespace civitas::capi;
namespace a = civitas::audit;
using nlohmann::json;

namespace {

constexpr civ_audit_event kEventDefaults = CIV_AUDIT_EVENT_INIT;
constexpr std::size_t kEventSizes[] = {sizeof(civ_audit_event)};

std::string str_or_empty(const char* p, size_t n, const char* name) { return std::string(view(p, n, name)); }

// An event of the C API: empty details mean "{}".
a::Event c_api_event(std::string_view actor, std::string action, std::string resource, std::string purpose,
                       std::string outcome, std::string details) {
  if (details.empty()) details = "{}";
  return a::make_event(actor, std::move(action), std::move(resource), std::move(purpose), std::move(outcome),
                       std::move(details));
}

}  // namespace

extern "C" {

int civ_audit_event_init(civ_audit_event* event, unsigned version) {
  return guard([&] {
    init_versioned(event, version, kEventDefaults, kEventSizes, "civ_audit_event");
    return CIV_OK;
  });
}

int civ_audit_append(uint64_t* out_index, civ_ctx* ctx, const civ_audit_event* event) {
  return guard([&] {
    auto& ws = ws_of(ctx);
    require(event, "event");
    const civ_audit_event ev = read_versioned(event, kEventDefaults, kEventSizes, "civ_audit_event");
    a::Event e = c_api_event(view(ev.actor, ev.actor_len, "event->actor"), str_or_empty(ev.action, ev.action_len, "event->action"),
                             str_or_empty(ev.resource, ev.resource_len, "event->resource"),
                             str_or_empty(ev.purpose, ev.purpose_len, "event->purpose"), "ok",
                             str_or_empty(ev.details_json, ev.details_len, "event->details_json"));
    std::uint64_t idx = a::WorkspaceLog::open(ws)->log().append(std::move(e));
    if (out_index) *out_index = idx;
    return CIV_OK;
  });
}

int civ_audit_append_batch(uint64_t* out_first, size_t* out_count, civ_ctx* ctx, const char* jsonl, size_t jsonl_len) {
  return guard([&] {
    auto& ws = ws_of(ctx);
    std::string_view text = view(jsonl, jsonl_len, "jsonl");
    std::vector<a::Event> events;
    std::uint64_t line_no = 0;
    std::size_t pos = 0;
    while (pos < text.size()) {
      std::size_t nl = text.find('\n', pos);
      if (nl == std::string_view::npos) nl = text.size();
      std::string_view line = text.substr(pos, nl - pos);
      pos = nl + 1;
      ++line_no;
      if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
      civitas::Location at;
      at.row = line_no;
      a::EventLine l = a::parse_event_line(line, at);
      a::Event e = c_api_event(l.actor, l.action, l.resource, l.purpose, l.outcome, l.details);
      a::check_event_at(e, at);
      events.push_back(std::move(e));
    }
    if (events.empty()) throw Error(Code::invalid_argument, "no entries in jsonl");
    std::size_t n = events.size();
    std::uint64_t first = a::WorkspaceLog::open(ws)->log().append_batch(std::move(events));
    if (out_first) *out_first = first;
    if (out_count) *out_count = n;
    return CIV_OK;
  });
}

int civ_audit_size(uint64_t* out_size, civ_ctx* ctx) {
  return guard([&] {
    require(out_size, "out_size");
    *out_size = a::WorkspaceLog::open(ws_of(ctx))->log().size();
    return CIV_OK;
  });
}

int civ_audit_log(char** out_jsonl, civ_ctx* ctx, const char* filter_json, size_t filter_len) {
  return guard([&] {
    require(out_jsonl, "out_jsonl");
    *out_jsonl = nullptr;
    auto& ws = ws_of(ctx);
    a::Filter f;
    std::string_view ft = view(filter_json, filter_len, "filter_json");
    if (!ft.empty()) {
      json j = civitas::parse_json(ft, "filter");
      if (!j.is_object()) throw Error(Code::parse, "filter: must be a JSON object");
      for (auto it = j.begin(); it != j.end(); ++it) {
        const std::string& k = it.key();
        const json& v = it.value();
        if (k == "since_ms" || k == "until_ms") {
          if (!v.is_number_integer()) throw Error(Code::parse, "filter: \"" + k + "\" must be an integer");
          (k == "since_ms" ? f.since_ms : f.until_ms) = v.get<std::int64_t>();
        } else if (k == "from" || k == "limit") {
          if (!v.is_number_unsigned()) throw Error(Code::parse, "filter: \"" + k + "\" must be a non-negative integer");
          (k == "from" ? f.from_index : f.limit) = v.get<std::uint64_t>();
        } else if (k == "actor" || k == "action" || k == "resource") {
          if (!v.is_string()) throw Error(Code::parse, "filter: \"" + k + "\" must be a string");
          std::string s = v.get<std::string>();
          if (k == "actor") {
            std::string d, u;
            a::split_actor(s, d, u);
            if (!d.empty()) f.actor_dept = d;
            if (s.find(':') != std::string::npos) f.actor_user = u;
          } else {
            (k == "action" ? f.action : f.resource) = s;
          }
        } else {
          throw Error(Code::parse, "filter: unknown member \"" + k + "\"");
        }
      }
    }
    std::string out;
    for (const auto& se : a::WorkspaceLog::open(ws)->log().query(f)) out += a::entry_json(se) + "\n";
    *out_jsonl = dup_out(out);
    return CIV_OK;
  });
}

int civ_audit_checkpoint(char** out_note, civ_ctx* ctx) {
  return guard([&] {
    require(out_note, "out_note");
    *out_note = dup_out(a::WorkspaceLog::open(ws_of(ctx))->checkpoint());
    return CIV_OK;
  });
}

int civ_audit_public_key(char** out_key, civ_ctx* ctx) {
  return guard([&] {
    require(out_key, "out_key");
    *out_key = dup_out(a::WorkspaceLog::open(ws_of(ctx))->verifier().text());
    return CIV_OK;
  });
}

int civ_audit_prove(char** out_json, civ_ctx* ctx, uint64_t index, uint64_t size) {
  return guard([&] {
    require(out_json, "out_json");
    *out_json = dup_out(a::WorkspaceLog::open(ws_of(ctx))->log().prove(index, size).to_json());
    return CIV_OK;
  });
}

int civ_audit_consistency(char** out_json, civ_ctx* ctx, uint64_t first, uint64_t second) {
  return guard([&] {
    require(out_json, "out_json");
    *out_json = dup_out(a::WorkspaceLog::open(ws_of(ctx))->log().consistency(first, second).to_json());
    return CIV_OK;
  });
}

int civ_audit_verify(char** out_report, civ_ctx* ctx, const char* checkpoint, size_t checkpoint_len) {
  return guard([&] {
    if (out_report) *out_report = nullptr;
    std::vector<std::string> extra;
    std::string_view cp = view(checkpoint, checkpoint_len, "checkpoint");
    if (!cp.empty()) extra.emplace_back(cp);
    a::VerifyReport r = a::WorkspaceLog::open(ws_of(ctx))->verify(extra);
    if (out_report) *out_report = dup_out(a::verify_report_json(r, /*with_nodes=*/false));
    if (!r.ok())
      throw Error(Code::integrity, "audit log verification failed: " + r.problems.front().kind + ": " + r.problems.front().message);
    return CIV_OK;
  });
}

int civ_audit_verify_inclusion(const char* proof_json, size_t proof_len, const char* checkpoint, size_t checkpoint_len,
                               const char* verifier_key, size_t key_len) {
  return guard([&] {
    a::NoteVerifier v = a::NoteVerifier::parse(view(verifier_key, key_len, "verifier_key"));
    a::Checkpoint c = a::open_checkpoint(view(checkpoint, checkpoint_len, "checkpoint"), {v});
    a::InclusionProof p = a::InclusionProof::from_json(view(proof_json, proof_len, "proof_json"));
    if (p.tree_size != c.size)
      throw Error(Code::invalid_argument, "the proof is for tree size " + std::to_string(p.tree_size) +
                                              ", the checkpoint for " + std::to_string(c.size));
    if (!a::verify_inclusion(p.leaf_index, p.tree_size, p.leaf_hash, p.hashes, c.root))
      throw Error(Code::integrity, "entry " + std::to_string(p.leaf_index) + " is not in the checkpointed tree");
    return CIV_OK;
  });
}

int civ_audit_checkpoint_open(char** out_json, const char* checkpoint, size_t checkpoint_len, const char* verifier_key,
                              size_t key_len) {
  return guard([&] {
    if (out_json) *out_json = nullptr;
    a::NoteVerifier v = a::NoteVerifier::parse(view(verifier_key, key_len, "verifier_key"));
    a::Checkpoint c = a::open_checkpoint(view(checkpoint, checkpoint_len, "checkpoint"), {v});
    if (out_json)
      *out_json = dup_out(json{{"origin", c.origin}, {"size", c.size}, {"root", a::hash_hex(c.root)}}.dump());
    return CIV_OK;
  });
}

int civ_audit_check_consistency(const char* older_note, size_t older_len, const char* newer_note, size_t newer_len,
                                const char* proof_json, size_t proof_len, const char* verifier_key, size_t key_len) {
  return guard([&] {
    a::NoteVerifier v = a::NoteVerifier::parse(view(verifier_key, key_len, "verifier_key"));
    a::ConsistencyProof p = a::ConsistencyProof::from_json(view(proof_json, proof_len, "proof_json"));
    a::check_consistency(view(older_note, older_len, "older_note"), view(newer_note, newer_len, "newer_note"), p, v);
    return CIV_OK;
  });
}

}  // extern "C"
