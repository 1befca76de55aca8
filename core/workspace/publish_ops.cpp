// Workspace::publish and Workspace::verify_publication: the open-data publishing job of
// docs/publish.md as ONE audited call ("publish.run"), and the check of what it wrote
// (docs/formats/publication.md). Validation is the schema module's, classification the
// classify module's, grading and the decision the policy module's, the transforms and the
// HTML report the deid module's, the Data Package and DCAT-AP documents the catalog's export;
// this file chains them, derives the deid spec from the policy's obligations, checks the
// risk, signs the manifest and moves the directory into place.
#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "civitas/catalog.hpp"
#include "civitas/classify.hpp"
#include "civitas/crypto.hpp"
#include "civitas/deid.hpp"
#include "civitas/json.hpp"
#include "civitas/policy.hpp"
#include "civitas/schema.hpp"
#include "civitas/workspace.hpp"
#include "backup.hpp"
#include "impl.hpp"

namespace civitas::workspace {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;
namespace c = civitas::crypto;
using PublishRefused = Workspace::PublishRefused;

/// The context that names the protocol in the manifest's signed bytes.
constexpr std::string_view kContext = "civitas-publication v1\n";
constexpr std::size_t kMaxManifest = 1u << 20;

// The files of a publication, in manifest order.
constexpr const char* kData = "data.csv";
constexpr const char* kPackage = "datapackage.json";
constexpr const char* kDcat = "dcat.jsonld";
constexpr const char* kReport = "deid-report.json";
constexpr const char* kHtml = "deid-report.html";
constexpr const char* kManifest = "manifest.json";

std::string read_file(const std::string& path, std::size_t limit = 0) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (!fs::exists(path)) throw Error(Code::not_found, "no file " + path);
    throw Error(Code::io, "cannot read " + path);
  }
  std::ostringstream ss;
  if (limit) {
    std::string buf(limit + 1, '\0');
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    buf.resize(static_cast<std::size_t>(in.gcount()));
    if (buf.size() > limit) throw Error(Code::invalid_data, path + " is larger than " + std::to_string(limit) + " bytes");
    return buf;
  }
  ss << in.rdbuf();
  if (in.bad()) throw Error(Code::io, "cannot read " + path);
  return ss.str();
}

std::string sha256_hex(std::string_view data) {
  unsigned char h[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(h, reinterpret_cast<const unsigned char*>(data.data()), data.size());
  return c::to_hex(h, sizeof h);
}

void fsync_path(const std::string& path, bool dir) {
  const int fd = ::open(path.c_str(), (dir ? O_RDONLY | O_DIRECTORY : O_RDONLY) | O_CLOEXEC);
  if (fd < 0) return;
  (void)::fsync(fd);
  ::close(fd);
}

void write_file(const std::string& path, std::string_view bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw Error(Code::io, "cannot write " + path);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) throw Error(Code::io, "cannot write " + path);
  fsync_path(path, false);
}

/// The directory under construction: removed with everything in it unless kept.
struct TempDir {
  std::string path;
  bool keep = false;
  ~TempDir() {
    if (keep || path.empty()) return;
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

std::string parent_of(const std::string& p) {
  fs::path parent = fs::path(p).parent_path();
  return parent.empty() ? std::string(".") : parent.string();
}

/// The built-in hierarchy that generalises values of a detector type, or "".
std::string hierarchy_for(std::string_view type) {
  if (type == "birth_date") return "date";
  if (type == "gb2260") return "gb2260";
  if (type == "ric") return "mask:ric";
  if (type == "uscc") return "mask:uscc";
  return "";
}

std::string join(const std::vector<std::string>& v, std::string_view sep) {
  std::string out;
  for (const auto& s : v) {
    if (!out.empty()) out += sep;
    out += s;
  }
  return out;
}

/// The action a spec field takes, as deid does (an identifier without one is dropped…).
std::string spec_action(const deid::FieldSpec& f) {
  if (!f.action.empty()) return f.action;
  switch (f.role) {
    case deid::Role::identifier: return "drop";
    case deid::Role::quasi_identifier: return "generalize";
    default: return "keep";
  }
}

/// The deid spec the policy's obligations ask for (docs/publish.md, "From obligations to a spec").
json spec_from_decision(const policy::Decision& d) {
  json fields = json::object();
  for (const auto& f : d.fields) {
    const std::string& a = f.obligation.action;
    const std::string role = policy::role_name(f.role);
    if (a == "keep") {
      if (f.role == policy::Role::identifier)
        throw PublishRefused("identifier", f.name, f.rule,
                             "column \"" + f.name + "\" is graded as an identifier (type " + f.type + ") and rule " + f.rule +
                                 " gives it no action: an identifier is never published as it is (give a spec that drops or transforms it)");
      if (f.role == policy::Role::quasi_identifier) fields[f.name] = {{"role", role}, {"action", "keep"}};
      continue;
    }
    if (a == "encrypt")
      throw Error(Code::invalid_data, "column \"" + f.name + "\": rule " + f.rule +
                                          " asks to encrypt, which is for sharing, not for opening (fix the policy, or give a spec)");
    if (a == "drop") {
      fields[f.name] = {{"role", role}, {"action", "drop"}};
    } else if (a == "generalize") {
      const std::string h = hierarchy_for(f.type);
      if (h.empty())
        throw Error(Code::invalid_data, "column \"" + f.name + "\": rule " + f.rule + " asks to generalize a column of type " + f.type +
                                            ", for which civitas has no built-in hierarchy (give a spec with a hierarchy file: --spec)");
      fields[f.name] = {{"role", "quasi-identifier"}, {"hierarchy", h}};
    } else {
      json act = f.obligation.params.is_object() ? f.obligation.params : json::object();
      act["action"] = a;
      fields[f.name] = {{"role", role}, {"action", act}};
    }
  }
  json privacy = json::object();
  for (const char* k : {"k", "l", "t", "suppression_limit"})
    if (d.privacy.contains(k)) privacy[k] = d.privacy[k];
  json spec = {{"fields", fields}};
  if (!privacy.empty()) spec["privacy"] = privacy;
  return spec;
}

/// A given spec is checked against the decision: every identifier removed or transformed, no
/// field treated less strictly than its obligation.
void check_spec(const deid::Spec& spec, const policy::Decision& d) {
  for (const auto& f : d.fields) {
    const deid::FieldSpec* s = spec.field(f.name);
    const std::string act = s ? spec_action(*s) : "keep";
    if (f.role == policy::Role::identifier && act == "keep")
      throw PublishRefused("identifier", f.name, f.rule,
                           "column \"" + f.name + "\" is graded as an identifier (type " + f.type + ") and the spec " +
                               (s ? "keeps it" : "does not name it") + ": an identifier is never published as it is (drop or transform it)");
    const std::string& need = f.obligation.action;
    if (need == "keep" || need == "encrypt") continue;
    if (policy::action_rank(act) > policy::action_rank(need))
      throw PublishRefused("policy", f.name, f.rule,
                           "column \"" + f.name + "\": rule " + f.rule + " asks for " + need + ", and the spec's " + act +
                               " is less strict");
  }
}

/// The longest value of every column of a CSV (RFC 4180 quoting), in Unicode characters,
/// by header name.
std::map<std::string, std::size_t> column_widths(std::string_view csv, char delim) {
  std::vector<std::string> header;
  std::vector<std::size_t> width;
  std::string cell;
  std::size_t col = 0, chars = 0;
  bool quoted = false, first_row = true;
  auto end_cell = [&] {
    if (first_row) {
      header.push_back(cell);
      width.push_back(0);
    } else if (col < width.size() && chars > width[col]) {
      width[col] = chars;
    }
    cell.clear();
    chars = 0;
    ++col;
  };
  for (std::size_t i = 0; i < csv.size(); ++i) {
    const char ch = csv[i];
    if (quoted) {
      if (ch == '"') {
        if (i + 1 < csv.size() && csv[i + 1] == '"') {
          ++i;
          ++chars;
          if (first_row) cell += '"';
        } else {
          quoted = false;
        }
      } else {
        if ((static_cast<unsigned char>(ch) & 0xc0) != 0x80) ++chars;
        if (first_row) cell += ch;
      }
      continue;
    }
    if (ch == '"') {
      quoted = true;
    } else if (ch == delim) {
      end_cell();
    } else if (ch == '\n' || ch == '\r') {
      if (ch == '\r' && i + 1 < csv.size() && csv[i + 1] == '\n') ++i;
      end_cell();
      first_row = false;
      col = 0;
    } else {
      if ((static_cast<unsigned char>(ch) & 0xc0) != 0x80) ++chars;
      if (first_row) cell += ch;
    }
  }
  if (!cell.empty() || chars) end_cell();
  std::map<std::string, std::size_t> out;
  for (std::size_t k = 0; k < header.size(); ++k) out[header[k]] = std::max<std::size_t>(width[k], 1);
  return out;
}

/// The schema of the table as published: dropped columns left out, transformed ones as strings
/// with the transform named (civitas:deid); keys that no longer hold removed.
json published_schema(const json& schema_doc, const json& report, const std::map<std::string, std::size_t>& widths,
                      std::vector<std::string>& changed) {
  json levels = report.value("levels", json::object());
  std::map<std::string, json> by_name;
  for (const auto& f : report["fields"]) by_name[f["name"].get<std::string>()] = f;
  json out = schema_doc;
  json fields = json::array();
  for (const auto& f : schema_doc["fields"]) {
    const std::string name = f.value("name", "");
    auto it = by_name.find(name);
    const std::string action = it == by_name.end() ? "keep" : it->second.value("action", "keep");
    if (action == "drop") {
      changed.push_back(name);
      continue;
    }
    const bool same = action == "keep" || (action == "generalize" && levels.contains(name) && levels[name] == 0);
    if (same) {
      fields.push_back(f);
      continue;
    }
    changed.push_back(name);
    json g = {{"name", name}, {"type", "string"}, {"civitas:dataType", "C"}};
    if (auto w = widths.find(name); w != widths.end()) g["civitas:dataLength"] = w->second;
    for (const char* k : {"title", "description"})
      if (f.contains(k)) g[k] = f[k];
    g["civitas:deid"] = {{"action", action}, {"detail", it->second.value("detail", "")}};
    fields.push_back(g);
  }
  out["fields"] = fields;
  auto touches = [&](const json& names) {
    const json list = names.is_string() ? json::array({names}) : names;
    for (const auto& n : list)
      if (n.is_string() && std::find(changed.begin(), changed.end(), n.get<std::string>()) != changed.end()) return true;
    return false;
  };
  if (out.contains("primaryKey") && touches(out["primaryKey"])) out.erase("primaryKey");
  if (out.contains("foreignKeys") && out["foreignKeys"].is_array()) {
    json keep = json::array();
    for (const auto& k : out["foreignKeys"])
      if (!touches(k.value("fields", json::array()))) keep.push_back(k);
    out["foreignKeys"] = keep;
  }
  return out;
}

/// The catalog entry describing the published table: its items are the published columns
/// (a transformed column is character data without its collected length), its format CSV.
json published_entry(const json& entry, const json& pub_schema, const std::vector<std::string>& changed) {
  json out = entry;
  json items = json::array();
  std::map<std::string, bool> present;
  for (const auto& f : pub_schema["fields"]) present[f.value("name", "")] = true;
  for (const auto& it : entry.value("items", json::array())) {
    const std::string field = it.value("field", "");
    if (!present.count(field)) continue;
    json i = it;
    if (std::find(changed.begin(), changed.end(), field) != changed.end()) {
      i["dataType"] = "C";
      i.erase("length");
      for (const auto& f : pub_schema["fields"])
        if (f.value("name", "") == field && f.contains("civitas:dataLength")) i["length"] = f["civitas:dataLength"];
    }
    items.push_back(i);
  }
  out["items"] = items;
  out["formats"] = json::array({"csv"});
  return out;
}

struct Signer {
  c::KeyId id{};
  std::vector<std::uint8_t> pk;
  std::string source;  ///< "workspace", "peer" or "document"
  std::string status;
  std::int64_t revoked = 0;
};

/// Checks dir against a set of signing keys (docs/formats/publication.md, "Verifying").
json verify_dir(const std::string& dir, const std::vector<Signer>& keys, const std::string& whose) {
  c::init();
  if (!fs::is_directory(dir)) throw Error(Code::not_found, "no publication directory " + dir);
  const std::string mpath = (fs::path(dir) / kManifest).string();
  if (!fs::exists(mpath)) throw Error(Code::integrity, dir + " has no " + kManifest);
  const std::string text = read_file(mpath, kMaxManifest);
  json m = parse_json(text, mpath);
  if (!m.is_object() || m.value("format", "") != "civitas-publication")
    throw Error(Code::parse, mpath + " is not a civitas publication manifest (format)");
  if (!m.contains("version") || !m["version"].is_number_integer()) throw Error(Code::parse, mpath + ": version is missing");
  if (m["version"] != 1) throw Error(Code::unsupported_version, mpath + ": version " + m["version"].dump() + " is not 1");
  for (const char* k : {"resource", "department"})
    if (!m.contains(k) || !m[k].is_string()) throw Error(Code::parse, mpath + ": \"" + k + "\" is missing or not a string");
  if (!m.contains("created") || !m["created"].is_number_integer()) throw Error(Code::parse, mpath + ": \"created\" is missing or not an integer");
  if (!m.contains("files") || !m["files"].is_array()) throw Error(Code::parse, mpath + ": \"files\" is missing or not an array");
  if (!m.contains("signatures") || !m["signatures"].is_array() || m["signatures"].empty())
    throw Error(Code::parse, mpath + ": \"signatures\" is missing or empty");
  const std::int64_t created = m["created"].get<std::int64_t>();

  // 1. The signature, before anything the manifest says is believed.
  json body = m;
  body.erase("signatures");
  std::string msg(kContext);
  msg += body.dump();
  const Signer* by = nullptr;
  std::string unknown;
  for (const auto& s : m["signatures"]) {
    if (!s.is_object() || !s.contains("key_id") || !s["key_id"].is_string() || !s.contains("value") || !s["value"].is_string())
      throw Error(Code::parse, mpath + ": a signature lacks key_id or value");
    if (s.value("algorithm", "") != "ed25519")
      throw Error(Code::unsupported_version, mpath + ": signature algorithm \"" + s.value("algorithm", "") + "\" is not ed25519");
    const std::string kid = s["key_id"].get<std::string>();
    const Signer* k = nullptr;
    for (const auto& cand : keys)
      if (c::key_id_hex(cand.id) == kid) k = &cand;
    if (!k) {
      unknown = kid;
      continue;
    }
    const std::vector<std::uint8_t> sig = c::from_base64(s["value"].get<std::string>());
    c::Signature sg{};
    if (sig.size() != sg.size() || k->pk.size() != 32) throw Error(Code::bad_signature, mpath + ": the signature by key " + kid + " has the wrong size");
    std::memcpy(sg.data(), sig.data(), sg.size());
    if (!c::verify(k->pk.data(), msg.data(), msg.size(), sg))
      throw Error(Code::bad_signature, mpath + ": the signature by key " + kid + " does not verify (the manifest was changed)");
    if (k->status == "compromised")
      throw Error(Code::denied, mpath + ": signed by key " + kid + ", which its department revoked as compromised");
    if (k->status == "superseded" && created >= k->revoked)
      throw Error(Code::denied, mpath + ": signed by key " + kid + ", superseded at " + std::to_string(k->revoked) +
                                    ", and dated " + std::to_string(created) + ", not before that");
    by = k;
    break;
  }
  if (!by)
    throw Error(Code::unknown_key, mpath + ": not signed by a signing key of " + whose + (unknown.empty() ? "" : " (signed by key " + unknown + ")"));

  // 2. Every file, and nothing else.
  std::map<std::string, bool> listed;
  json files = json::array();
  for (const auto& f : m["files"]) {
    if (!f.is_object() || !f.contains("path") || !f["path"].is_string() || !f.contains("sha256") || !f["sha256"].is_string() ||
        !f.contains("bytes") || !f["bytes"].is_number_unsigned())
      throw Error(Code::parse, mpath + ": a file entry lacks path, bytes or sha256");
    const std::string p = f["path"].get<std::string>();
    if (p.empty() || p.find('/') != std::string::npos || p.find('\\') != std::string::npos || p == "." || p == ".." || p == kManifest)
      throw Error(Code::integrity, mpath + ": file name \"" + p + "\" is not a plain file name of the directory");
    if (listed.count(p)) throw Error(Code::integrity, mpath + ": \"" + p + "\" is listed twice");
    listed[p] = true;
    const std::string fp = (fs::path(dir) / p).string();
    if (!fs::is_regular_file(fp)) throw Error(Code::integrity, p + " is listed in the manifest and missing from " + dir);
    const std::string bytes = read_file(fp);
    if (bytes.size() != f["bytes"].get<std::uint64_t>() || sha256_hex(bytes) != f["sha256"].get<std::string>())
      throw Error(Code::integrity, p + " in " + dir + " is not the file the manifest lists (its SHA-256 differs: changed after publication)");
    files.push_back({{"path", p}, {"sha256", f["sha256"]}, {"bytes", f["bytes"]}});
  }
  for (const auto& e : fs::directory_iterator(dir)) {
    const std::string n = e.path().filename().string();
    if (n != kManifest && !listed.count(n)) throw Error(Code::integrity, dir + " holds \"" + n + "\", which the manifest does not list");
  }
  return {{"resource", m["resource"]},   {"department", m["department"]}, {"created", created},
          {"key_id", c::key_id_hex(by->id)}, {"signer", by->source},        {"files", files}};
}

}  // namespace

json Workspace::publish(const std::string& data_path, const std::string& out_dir, const PublishOptions& opts) {
  c::init();
  json details = {{"input", data_path}, {"out", out_dir}};
  const auto step = [&](std::string_view name, int k) {
    if (opts.progress) opts.progress(name, k / 8.0);
  };
  TempDir tmp;
  try {
    if (out_dir.empty()) throw Error(Code::invalid_argument, "the output directory must not be empty");
    if (opts.resource.empty()) throw Error(Code::invalid_argument, "publishing needs the catalog resource code (--catalog)");
    if (fs::exists(fs::symlink_status(out_dir))) throw Error(Code::exists, out_dir + " already exists (publishing never replaces a directory)");
    const Info in = info();
    if (in.department.empty()) throw Error(Code::invalid_argument, "publishing needs a workspace of a department (civitas init --department)");
    const policy::Policy pol = opts.policy_json.empty() ? policy::Policy::builtin() : policy::Policy::parse(opts.policy_json);
    details["policy"] = pol.id();
    if (opts.schema_json.empty()) throw Error(Code::invalid_argument, "publishing needs the table's Table Schema (--schema)");
    const json schema_doc = parse_json(opts.schema_json, "table schema");
    const schema::TableSchema sch = schema::parse_schema(schema_doc);
    std::optional<catalog::StoredEntry> entry;
    {
      catalog::CatalogStore cs(*impl_->store);
      entry = cs.get(opts.resource);
    }
    if (!entry) throw Error(Code::not_found, "no catalog entry " + opts.resource + " (civitas catalog add it first)");
    details["catalog_version"] = entry->version;
    {
      const auto problems = catalog::check_entry_schema(entry->entry, schema_doc);
      if (!problems.empty())
        throw Error(Code::invalid_data, "catalog entry " + opts.resource + " does not describe the schema: " + problems[0].path + ": " +
                                            problems[0].message);
    }

    // 1. validate
    step("validate", 0);
    schema::Dialect dialect;
    dialect.delimiter = opts.delimiter;
    if (!opts.encoding.empty()) dialect.encoding = opts.encoding;
    {
      schema::ValidateOptions vo;
      vo.dialect = dialect;
      vo.limit_errors = 100;
      vo.format = "csv";
      const json vr = schema::validate_file(data_path, sch, vo);
      if (!vr.value("valid", false)) {
        std::string first = "invalid", column;
        std::uint64_t n = 0;
        if (vr.contains("tasks") && !vr["tasks"].empty()) {
          const json& t = vr["tasks"][0];
          if (t.contains("errors") && !t["errors"].empty()) {
            first = t["errors"][0].value("message", first);
            if (t["errors"][0].contains("fieldName") && t["errors"][0]["fieldName"].is_string())
              column = t["errors"][0]["fieldName"].get<std::string>();
          }
          n = t.value("stats", json::object()).value("errors", 0);
        }
        throw PublishRefused("invalid", column, "schema", data_path + " does not conform to its Table Schema: " + first + " (" + std::to_string(n) +
                                            (n == 1 ? " error" : " errors") + "; civitas validate lists them)",
                             Code::invalid_data);
      }
    }

    // 2. classify (recorded: "classify.record")
    step("classify", 1);
    {
      classify::ScanOptions so;
      so.schema = sch;
      so.dialect = dialect;
      so.encoding = dialect.encoding;
      so.encoding_explicit = true;
      so.full = true;
      so.detectors = &pol.classify_detectors();
      const classify::TableResult scan = classify::scan_file(data_path, so);
      const policy::Grading g = policy::grade(pol, scan, &sch);
      const policy::StoredClassification sc = record_classification(opts.resource, policy::to_json(g), pol);
      details["classification_seq"] = sc.seq;
    }

    // 3. decide opening (recorded: "policy.decide")
    step("decide", 2);
    policy::Request rq;
    rq.resource = opts.resource;
    rq.consumer = in.department;
    rq.purpose = "open data publication";
    rq.open = true;
    const policy::Decision d = decide(rq, pol, &sch);
    details["level"] = d.level;
    details["decision"] = d.outcome;
    if (!d.allowed()) {
      std::string rule;
      for (const auto& r : d.reasons)
        if (auto p = r.find("/rules/"); p != std::string::npos && rule.empty()) rule = r.substr(p, r.find(' ', p) - p);
      throw PublishRefused("policy", "", rule,
                           "the policy " + pol.id() + " does not allow opening " + opts.resource + ": " + join(d.reasons, "; "));
    }

    // 4. the spec: the obligations, or the one given (checked against them)
    step("deidentify", 3);
    std::string spec_text;
    std::string spec_dir = opts.spec_dir;
    if (opts.spec_json.empty()) {
      spec_text = spec_from_decision(d).dump();
      spec_dir = ".";
      details["spec"] = "policy";
    } else {
      spec_text = opts.spec_json;
      details["spec"] = "given";
    }
    const deid::Spec spec = deid::parse_spec(spec_text, spec_dir);
    check_spec(spec, d);

    // 5. de-identify into the temporary directory
    {
      std::string rnd(8, '\0');
      randombytes_buf(rnd.data(), rnd.size());
      const fs::path target(out_dir);
      tmp.path = (target.parent_path() / ("." + target.filename().string() + ".tmp-" + c::to_hex(rnd.data(), rnd.size()))).string();
      if (target.filename().empty()) throw Error(Code::invalid_argument, "the output directory \"" + out_dir + "\" has no name");
      std::error_code ec;
      if (!fs::create_directory(tmp.path, ec) || ec)
        throw Error(Code::io, "cannot create " + tmp.path + (ec ? ": " + ec.message() : std::string()));
    }
    const auto dpath = [&](const char* name) { return (fs::path(tmp.path) / name).string(); };
    json report;
    {
      const std::shared_ptr<const c::Keyring> ring = keyring();
      deid::TransformKeys keys;
      try {
        keys.identity = &ring->primary(c::Purpose::identity);
      } catch (const Error&) {
      }
      try {
        keys.token = &ring->primary(c::Purpose::token);
      } catch (const Error&) {
      }
      deid::RunOptions ro;
      ro.delimiter = opts.delimiter;
      ro.encoding = opts.encoding;
      ro.drop_suppressed = true;  // suppressed records are not published
      ro.keys = &keys;
      report = deid::run_files(spec, spec_text, data_path, dpath(kData), ro);
    }

    // 6. the risk check
    step("risk", 4);
    const double threshold = d.risk_threshold.value_or(pol.risk().threshold);
    double risk = 0;
    if (report.contains("risk") && report["risk"].contains("after"))
      risk = report["risk"]["after"].value("prosecutor", json::object()).value("max", 0.0);
    details["risk_after"] = json(risk).dump();
    details["threshold"] = json(threshold).dump();
    if (risk > threshold) {
      std::vector<std::string> qis;
      for (const auto& f : spec.fields)
        if (f.role == deid::Role::quasi_identifier) qis.push_back(f.name);
      std::ostringstream m;
      m << "the re-identification risk after the transforms is " << risk << " (prosecutor, highest), above the threshold " << threshold
        << " of policy " << pol.id() << " (/risk/threshold); quasi-identifiers: " << (qis.empty() ? "none" : join(qis, ", "))
        << " (raise k, generalise more, or drop a column)";
      throw PublishRefused("risk", qis.size() == 1 ? qis[0] : "", "/risk/threshold", m.str());
    }

    // 7. the documents
    step("write", 5);
    std::vector<std::string> changed;
    const std::string data_bytes = read_file(dpath(kData));
    const json pub_schema = published_schema(schema_doc, report, column_widths(data_bytes, opts.delimiter), changed);
    const json pub_entry = published_entry(entry->entry, pub_schema, changed);
    const std::string data_sha = sha256_hex(data_bytes);
    json dp = catalog::export_entry(pub_entry, catalog::CatalogFormat::datapackage, catalog::CatalogConfig{}, pub_schema);
    if (dp.contains("resources") && dp["resources"].is_array() && !dp["resources"].empty()) {
      json& r = dp["resources"][0];
      r["path"] = kData;
      r["format"] = "csv";
      r["mediatype"] = "text/csv";
      r["encoding"] = "utf-8";
      r["bytes"] = data_bytes.size();
      r["hash"] = "sha256:" + data_sha;
      if (opts.delimiter != ',') r["dialect"] = {{"delimiter", std::string(1, opts.delimiter)}};
    }
    const json dcat = catalog::export_entry(pub_entry, catalog::CatalogFormat::dcat, catalog::CatalogConfig{}, pub_schema);
    write_file(dpath(kPackage), dp.dump(2, ' ', false, json::error_handler_t::strict) + "\n");
    write_file(dpath(kDcat), dcat.dump(2, ' ', false, json::error_handler_t::strict) + "\n");
    write_file(dpath(kReport), report.dump(2, ' ', false, json::error_handler_t::replace) + "\n");
    write_file(dpath(kHtml), deid::report_html(report));

    // 8. the manifest, signed with the primary signing key
    step("sign", 6);
    const std::shared_ptr<const c::Keyring> ring = keyring();
    const c::Key& sk = ring->primary(c::Purpose::signing);
    if (sk.algorithm != "ed25519") throw Error(Code::unsupported_version, "the primary signing key is " + sk.algorithm + ", not ed25519");
    json files = json::array();
    for (const char* n : {kData, kPackage, kDcat, kReport, kHtml}) {
      const std::string b = n == kData ? data_bytes : read_file(dpath(n));
      files.push_back({{"path", n}, {"bytes", b.size()}, {"sha256", sha256_hex(b)}});
    }
    const std::int64_t created =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    json manifest = {{"format", "civitas-publication"},
                     {"version", 1},
                     {"resource", opts.resource},
                     {"title", entry->entry.value("title", "")},
                     {"department", in.department},
                     {"name", in.name},
                     {"created", created},
                     {"policy", {{"id", pol.id()}, {"digest", pol.digest()}}},
                     {"files", files}};
    std::string msg(kContext);
    msg += manifest.dump();
    const c::Signature sig = c::sign(sk, msg.data(), msg.size());
    manifest["signatures"] = json::array({{{"algorithm", "ed25519"}, {"key_id", sk.id_hex()}, {"value", c::base64(sig.data(), sig.size())}}});
    const std::string mtext = manifest.dump(2) + "\n";
    write_file(dpath(kManifest), mtext);
    fsync_path(tmp.path, true);

    // 9. the entry commits with the rename
    step("commit", 7);
    details["manifest_sha256"] = sha256_hex(mtext);
    details["key_id"] = sk.id_hex();
    details["files"] = files;
    details["suppressed"] = report.value("suppressed", json(0));
    details["levels"] = report.value("levels", json::object());
    details["rows"] = {{"input", report["input"]["rows"]}, {"output", report["output"]["rows"]}};
    {
      store::Transaction tx(*impl_->store);
      impl_->audit("publish.run", opts.resource, details);
      if (fs::exists(fs::symlink_status(out_dir))) throw Error(Code::exists, out_dir + " appeared while publishing");
      if (::rename(tmp.path.c_str(), out_dir.c_str()) != 0)
        throw Error(Code::io, "cannot move the publication into place at " + out_dir + ": " + std::strerror(errno));
      tmp.keep = true;
      try {
        tx.commit();
      } catch (...) {
        std::error_code ec;
        fs::remove_all(out_dir, ec);  // no publication without its entry
        throw;
      }
    }
    fsync_path(parent_of(out_dir), true);
    if (opts.progress) opts.progress("done", 1.0);
    json decision = policy::to_json(d);
    return {{"out", out_dir},
            {"resource", opts.resource},
            {"department", in.department},
            {"created", created},
            {"key_id", sk.id_hex()},
            {"files", files},
            {"decision", decision},
            {"spec", parse_json(spec_text, "deid spec")},
            {"risk", {{"before", report["risk"]["before"]}, {"after", report["risk"]["after"]}, {"threshold", threshold}}},
            {"rows", details["rows"]},
            {"suppressed", details["suppressed"]},
            {"removed", changed},
            {"audit", {{"action", "publish.run"}}}};
  } catch (const PublishRefused& e) {
    details["reason"] = e.reason;
    if (!e.column.empty()) details["column"] = e.column;
    if (!e.rule.empty()) details["rule"] = e.rule;
    impl_->audit_refused("publish.run", opts.resource, e, details);
    throw;
  } catch (const Error& e) {
    impl_->audit_refused("publish.run", opts.resource, e, details);
    throw;
  }
}

json Workspace::verify_publication(const std::string& dir) const {
  std::vector<Signer> keys;
  for (const auto& [id, k] : keyring()->all())
    if (k.purpose == c::Purpose::signing && k.status != c::Status::destroyed && k.public_key.size() == 32)
      keys.push_back({id, k.public_key, "workspace", "active", 0});
  for (const Peer& p : peers())
    if (p.purpose == c::Purpose::signing && p.algorithm == "ed25519" && p.public_key.size() == 32)
      keys.push_back({p.key_id, p.public_key, "peer", p.status, p.revoked});
  return verify_dir(dir, keys, "this workspace or its peers");
}

json Workspace::verify_publication_with(const std::string& dir, std::string_view key_document) {
  c::init();
  std::vector<Signer> keys;
  for (const Peer& p : document_signing_keys(key_document))
    if (p.algorithm == "ed25519" && p.public_key.size() == 32) keys.push_back({p.key_id, p.public_key, "document", p.status, p.revoked});
  return verify_dir(dir, keys, "the department of the key document");
}

}  // namespace civitas::workspace
