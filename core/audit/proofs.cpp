// Inclusion and consistency proofs as JSON documents (docs/formats/proofs.md).
#include <ctime>
#include <nlohmann/json.hpp>

#include "civitas/audit.hpp"
#include "civitas/error.hpp"
#include "civitas/json.hpp"

namespace civitas::audit {
namespace {

using nlohmann::json;

json hashes_json(const std::vector<Hash>& hs) {
  json a = json::array();
  for (const Hash& h : hs) a.push_back(hash_hex(h));
  return a;
}

json parse_doc(std::string_view text, const char* what) {
  if (text.size() > 64 * 1024) throw Error(Code::parse, std::string(what) + ": larger than 64 KiB");
  json j = parse_json(text, what);
  try {
    if (!j.is_object()) throw Error(Code::parse, std::string(what) + ": must be a JSON object");
    if (j.contains("version") && !(j["version"].is_number_unsigned() && j["version"].get<std::uint64_t>() == 1))
      throw Error(Code::unsupported_version, std::string(what) + ": unsupported version");
    return j;
  } catch (const json::exception& e) {
    throw Error(Code::parse, std::string(what) + ": malformed JSON: " + e.what());
  }
}

std::uint64_t get_u64(const json& j, const char* key, const char* what) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_number_unsigned())
    throw Error(Code::parse, std::string(what) + ": \"" + key + "\" must be a non-negative integer");
  return it->get<std::uint64_t>();
}

std::vector<Hash> get_hashes(const json& j, const char* what) {
  auto it = j.find("hashes");
  if (it == j.end() || !it->is_array()) throw Error(Code::parse, std::string(what) + ": \"hashes\" must be an array");
  if (it->size() > kMaxProofHashes) throw Error(Code::parse, std::string(what) + ": too many hashes");
  std::vector<Hash> out;
  for (std::size_t i = 0; i < it->size(); ++i) {
    const json& h = (*it)[i];
    if (!h.is_string()) throw Error(Code::parse, std::string(what) + ": hashes[" + std::to_string(i) + "] must be a hex string");
    try {
      out.push_back(hash_from_hex(h.get<std::string>()));
    } catch (const Error& e) {
      throw Error(Code::parse, std::string(what) + ": hashes[" + std::to_string(i) + "]: " + e.what());
    }
  }
  return out;
}

}  // namespace

std::string InclusionProof::to_json() const {
  json j{{"version", 1}, {"leaf_index", leaf_index}, {"tree_size", tree_size},
         {"leaf_hash", hash_hex(leaf_hash)}, {"hashes", hashes_json(hashes)}};
  return j.dump();
}

InclusionProof InclusionProof::from_json(std::string_view text) {
  const char* what = "inclusion proof";
  json j = parse_doc(text, what);
  InclusionProof p;
  p.leaf_index = get_u64(j, "leaf_index", what);
  p.tree_size = get_u64(j, "tree_size", what);
  auto it = j.find("leaf_hash");
  if (it == j.end() || !it->is_string()) throw Error(Code::parse, "inclusion proof: \"leaf_hash\" must be a hex string");
  p.leaf_hash = hash_from_hex(it->get<std::string>());
  p.hashes = get_hashes(j, what);
  return p;
}

std::string ConsistencyProof::to_json() const {
  json j{{"version", 1}, {"first", first}, {"second", second}, {"hashes", hashes_json(hashes)}};
  return j.dump();
}

ConsistencyProof ConsistencyProof::from_json(std::string_view text) {
  const char* what = "consistency proof";
  json j = parse_doc(text, what);
  ConsistencyProof p;
  p.first = get_u64(j, "first", what);
  p.second = get_u64(j, "second", what);
  p.hashes = get_hashes(j, what);
  return p;
}

std::string iso_time_ms(std::int64_t ms) {
  std::time_t tt = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char b[64];
  std::size_t n = std::strftime(b, sizeof b, "%Y-%m-%dT%H:%M:%S", &tm);
  std::snprintf(b + n, sizeof b - n, ".%03dZ", static_cast<int>(ms % 1000));
  return b;
}

std::string entry_json(const StoredEntry& se) {
  const Entry& e = se.entry;
  json j{{"index", e.index},
         {"time_ms", e.time_ms},
         {"time", iso_time_ms(e.time_ms)},
         {"actor", e.actor()},
         {"actor_dept", e.actor_dept},
         {"actor_user", e.actor_user},
         {"action", e.action},
         {"resource", e.resource},
         {"purpose", e.purpose},
         {"outcome", e.outcome},
         {"details", parse_json(e.details, "details")},
         {"entry", crypto::base64(se.bytes.data(), se.bytes.size())},
         {"leaf_hash", hash_hex(se.leaf)}};
  return j.dump();
}

std::string verify_report_json(const VerifyReport& r, bool with_nodes) {
  json ps = json::array();
  for (const auto& p : r.problems)
    ps.push_back({{"kind", p.kind}, {"index", p.index ? json(*p.index) : json(nullptr)}, {"message", p.message}});
  json j{{"ok", r.ok()}, {"entries", r.entries}, {"checkpoints", r.checkpoints}, {"root", hash_hex(r.root)}, {"problems", ps}};
  if (with_nodes) j["nodes"] = r.nodes;
  return j.dump();
}

}  // namespace civitas::audit
