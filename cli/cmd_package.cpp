// civitas package create|inspect|verify|open — exchange packages between departments
// (docs/formats/package.md). Keys, peers, sequence numbers and replay memory come from the
// workspace (--workspace, --key-file / --passphrase / CIVITAS_KEY); create and open are
// audit-logged there.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "civitas/error.hpp"
#include "civitas/json.hpp"
#include "civitas/package.hpp"
#include "civitas/schema.hpp"
#include "civitas/workspace.hpp"
#include "cli.hpp"
#include "workspace_args.hpp"

namespace civitas::cli {
namespace {

namespace ex = civitas::package;
using nlohmann::json;

struct PackageArgs {
  WorkspaceArgs ws;
  std::vector<std::string> to;
  std::vector<std::string> resources;
  std::vector<std::string> schemas;
  std::string catalog, purpose, approval, request_hash;
  std::string output;
  std::string file;
  std::string encoding;
  std::string dialect;
  int threads = 1;
  int level = 1;
  int long_log = 0;
  bool no_validate = false;
  bool single_pass = false;
  bool no_sync = false;
  bool umask_modes = false;
  bool json_out = false;
};

std::pair<std::string, std::string> split_eq(const std::string& s) {
  auto p = s.find('=');
  if (p == std::string::npos) return {"", s};
  return {s.substr(0, p), s.substr(p + 1)};
}

json load_schema(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) throw Error(Code::io, "schema " + path + " is a directory, not a Table Schema file");
  std::ifstream f(path, std::ios::binary);
  if (!f) throw Error(Code::io, "cannot read schema " + path);
  std::stringstream ss;
  ss << f.rdbuf();
  json j = parse_json(ss.str(), "schema " + path);
  if (!j.is_object()) throw Error(Code::parse, "schema " + path + " is not a JSON object");
  schema::parse_schema(j);  // throws invalid_data naming the first problem
  return j;
}

// The encoding a Table Dialect file (as `validate --dialect` takes it) gives the resources.
// Package resources are stored as comma-separated CSV with a header, so a dialect that asks
// for another layout is refused rather than half applied.
std::string dialect_encoding(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) throw Error(Code::io, "dialect " + path + " is a directory, not a Table Dialect file");
  std::ifstream f(path, std::ios::binary);
  if (!f) throw Error(Code::io, "cannot read dialect " + path);
  std::stringstream ss;
  ss << f.rdbuf();
  schema::Dialect d = schema::Dialect::from_json(parse_json(ss.str(), "dialect " + path));
  json given = d.to_json(), usual = schema::Dialect{}.to_json(), rest = json::object();
  for (auto it = given.begin(); it != given.end(); ++it)
    if (it.key() != "encoding" && (!usual.contains(it.key()) || usual[it.key()] != it.value())) rest[it.key()] = it.value();
  if (!rest.empty())
    throw Error(Code::invalid_argument, "dialect " + path + ": package resources are comma-separated CSV with a header; only a "
                                        "dialect's encoding is applied when packing, not " + rest.dump());
  return d.encoding;
}

/// --schema NAME=FILE for one resource, or FILE for every resource without its own.
std::map<std::string, json> schemas_by_name(const std::vector<std::string>& specs, json* for_all) {
  std::map<std::string, json> m;
  for (const auto& s : specs) {
    auto [name, file] = split_eq(s);
    if (name.empty()) *for_all = load_schema(file);
    else m[name] = load_schema(file);
  }
  return m;
}

// A refusal for records: the report on stdout with --json (docs/formats/validation-report.md),
// else its errors as text on stderr; then the error line, and exit 1.
int records_refused(const ex::RecordsError& e, bool json_out) {
  if (json_out) {
    std::cout << e.report().dump(2, ' ', false, json::error_handler_t::replace) << "\n";
  } else if (auto tasks = e.report().find("tasks"); tasks != e.report().end() && tasks->is_array()) {
    for (const auto& t : *tasks) {
      if (!t.is_object() || t.value("valid", true)) continue;
      for (const auto& x : t.value("errors", json::array())) {
        std::cerr << t.value("name", "") << '\t' << x.value("type", "");
        if (x.contains("rowNumber")) std::cerr << "\trow " << x["rowNumber"];
        if (x.contains("fieldName") && x["fieldName"].is_string() && !x["fieldName"].get<std::string>().empty())
          std::cerr << "\tfield " << x["fieldName"].get<std::string>();
        std::cerr << '\t' << x.value("message", "") << '\n';
      }
    }
  }
  std::cerr << "civitas: error: " << e.what() << "\n";
  return kInvalid;
}

std::string format_of(const std::string& path) {
  auto dot = path.rfind('.');
  std::string ext = dot == std::string::npos ? "" : path.substr(dot + 1);
  for (auto& ch : ext) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  if (ext == "csv" || ext == "jsonl" || ext == "json" || ext == "tsv") return ext;
  return "csv";
}

int do_create(const PackageArgs& a) {
  json all_schema;
  auto schemas = schemas_by_name(a.schemas, &all_schema);
  std::vector<std::pair<std::string, std::string>> res;
  for (const auto& r : a.resources) {
    auto [name, file] = split_eq(r);
    if (name.empty()) throw Error(Code::invalid_argument, "--resource takes NAME=FILE, got \"" + r + "\"");
    res.emplace_back(name, file);
  }
  for (const auto& [n, _] : schemas) {
    bool known = false;
    for (const auto& r : res) known |= r.first == n;
    if (!known) throw Error(Code::invalid_argument, "--schema names resource " + n + ", which is not given with --resource");
  }
  auto w = a.ws.open();
  ex::WriterOptions o;
  o.catalog = a.catalog;
  o.purpose = a.purpose;
  o.approval = a.approval;
  o.request_hash = a.request_hash;
  o.threads = a.threads;
  o.level = a.level;
  o.window_log = a.long_log;
  o.validate = !a.no_validate;  // records are checked against their schema unless --no-validate
  o.encoding = a.encoding;      // transcoded to UTF-8 inside the package
  if (!a.dialect.empty()) {
    std::string de = dialect_encoding(a.dialect);
    if (!a.encoding.empty() && a.encoding != de)
      throw Error(Code::invalid_argument, "--encoding " + a.encoding + " and the dialect's encoding " + de + " differ");
    o.encoding = de;
  }
  ex::Summary s;
  {
    auto pw = w->create_package(a.output, a.to, o);  // audited "package.create", refusals included
    try {
      for (const auto& [name, file] : res) {
        std::error_code ec;
        if (std::filesystem::is_directory(file, ec)) throw Error(Code::io, "resource " + name + ": " + file + " is a directory");
        auto it = schemas.find(name);
        pw->add_file(name, file, it != schemas.end() ? it->second : all_schema, format_of(file));
      }
      s = pw->finish();
    } catch (const ex::RecordsError& e) {
      return records_refused(e, a.json_out);  // the writer removed its temporary file
    }
  }
  if (a.json_out) {
    std::cout << json{{"package_id", s.header.package_id}, {"file", a.output}, {"bytes", s.package_bytes},
                      {"content_bytes", s.content_bytes}, {"chunks", s.chunks}, {"envelope", s.envelope}}
                     .dump(2)
              << "\n";
  } else {
    std::cout << "package " << s.header.package_id << " -> " << a.output << " (" << s.package_bytes << " bytes, "
              << s.datapackage["resources"].size() << " resource(s), to";
    for (const auto& r : s.header.recipients) std::cout << " " << r.department << "#" << r.sequence;
    std::cout << ")\n";
  }
  return kOk;
}

int do_inspect(const PackageArgs& a) {
  ex::Header h = ex::inspect(a.file);
  std::cout << h.to_json().dump(2) << "\n";
  return kOk;
}

int do_verify(const PackageArgs& a) {
  auto w = a.ws.open();
  ex::Summary s = w->verify_package(a.file);
  if (a.json_out) {
    std::cout << json{{"valid", true}, {"header", s.header.to_json()}, {"chunks", s.chunks}, {"bytes", s.package_bytes}}.dump(2)
              << "\n";
  } else {
    std::cout << "verified: package " << s.header.package_id << " from " << s.header.provider << " (key "
              << crypto::key_id_hex(s.header.provider_key) << "), " << s.chunks << " chunks, " << s.package_bytes
              << " bytes; signatures and digest good\n";
  }
  return kOk;
}

int do_open(const PackageArgs& a) {
  auto w = a.ws.open();
  ex::OpenOptions o;
  o.validate = !a.no_validate;
  o.verify_first = !a.single_pass;
  o.sync = !a.no_sync;
  if (a.umask_modes) o.file_mode = 0666;
  for (const auto& spec : a.schemas) {
    auto [name, file] = split_eq(spec);
    if (name.empty()) throw Error(Code::invalid_argument, "open --schema takes NAME=FILE (the schema the resource must have)");
    o.expected_schemas[name] = load_schema(file);
  }
  // Audited "package.open" (refusals included); the entry and the sequence number commit
  // together before the output directory appears.
  ex::Summary s;
  try {
    s = w->open_package(a.file, a.output, o);
  } catch (const ex::RecordsError& e) {
    return records_refused(e, a.json_out);
  }
  std::size_t with_schema = 0;
  for (const auto& r : s.datapackage.value("resources", json::array()))
    if (r.is_object() && r.contains("schema") && r["schema"].is_object()) ++with_schema;
  if (a.json_out) {
    std::cout << json{{"package_id", s.header.package_id}, {"directory", a.output}, {"envelope", s.envelope},
                      {"datapackage", s.datapackage}}
                     .dump(2)
              << "\n";
  } else {
    std::cout << "opened package " << s.header.package_id << " from " << s.header.provider << " into " << a.output << " ("
              << s.datapackage["resources"].size() << " resource(s)";
    if (!o.validate) std::cout << ", not validated";
    else if (with_schema == 0) std::cout << ", no schema: records not checked";
    else std::cout << ", records of " << with_schema << " with a schema valid";
    std::cout << ")\n";
  }
  return kOk;
}

Register reg(40, {"package"}, [](Root& root, int& result) {
  static PackageArgs args;
  auto* pkg = root.add_subcommand("package", "Exchange packages: compressed, encrypted to consumers, signed by the provider");
  pkg->require_subcommand(1);

  auto* c = pkg->add_subcommand("create", "Create a package of CSV resources for one or more consumer departments");
  add_workspace_options(c, args.ws);
  c->add_option("--to", args.to, "Consumer department USCC (repeatable; its keys must be imported)")->required();
  c->add_option("--resource", args.resources, "NAME=FILE.csv (repeatable)")->required();
  c->add_option("--schema", args.schemas, "Table Schema file: NAME=FILE for one resource, FILE for all");
  c->add_option("--catalog", args.catalog, "Catalog resource code");
  c->add_option("--purpose", args.purpose, "Purpose of use");
  c->add_option("--approval", args.approval, "Approval reference (conditional sharing)");
  c->add_option("--request-hash", args.request_hash, "Hash of the request this package answers");
  c->add_option("--threads", args.threads, "zstd worker threads (0 = none)")->check(CLI::Range(0, 64));
  c->add_option("--level", args.level, "zstd level (1 = fastest; 3 = zstd's own default)")->check(CLI::Range(1, 19));
  c->add_option("--long", args.long_log, "zstd long-distance matching with a 2^N-byte window, as zstd --long=N")
      ->check(CLI::Range(10, 25));
  c->add_option("--encoding", args.encoding,
                 "Encoding of the resource files: utf-8 (default), gb18030, gbk… (transcoded to UTF-8 in the package)");
  c->add_option("--dialect", args.dialect,
                 "Table Dialect file of the resources (as validate --dialect): its encoding is used as --encoding");
  c->add_flag("--no-validate", args.no_validate, "Do not check records against their schemas (they are by default)");
  c->add_option("-o,--output", args.output, "Package file")->required();
  c->add_flag("--json", args.json_out, "JSON output (with a refusal for records: the validation report)");
  c->callback([&result] { result = do_create(args); });

  auto* i = pkg->add_subcommand("inspect", "Print a package's public header (no key, no decryption, not verified)");
  i->add_option("FILE", args.file, "Package file")->required();
  i->callback([&result] { result = do_inspect(args); });

  auto* v = pkg->add_subcommand("verify", "Check the provider's signatures and the digest (no decryption)");
  add_workspace_options(v, args.ws);
  v->add_option("FILE", args.file, "Package file")->required();
  v->add_flag("--json", args.json_out, "JSON output");
  v->callback([&result] { result = do_verify(args); });

  auto* o = pkg->add_subcommand("open", "Verify, decrypt and check a package; write its data package into DIR");
  add_workspace_options(o, args.ws);
  o->add_option("FILE", args.file, "Package file")->required();
  o->add_option("-o,--output", args.output, "Output directory (must not exist, or be empty)")->required();
  o->add_option("--schema", args.schemas, "NAME=FILE: the schema a resource must have (else schema-mismatch)");
  o->add_flag("--no-validate", args.no_validate, "Do not check records against their schemas");
  o->add_flag("--single-pass", args.single_pass,
              "Read the file as a stream: check each segment against the hash after it and the signature at the end, instead of checking the signed segment hashes first (output still appears only after it checks)");
  o->add_flag("--no-sync", args.no_sync,
              "Do not force the output to disk before it appears and the sequence number is remembered (faster; a power loss may then lose output of a package that is refused as a replay afterwards)");
  o->add_flag("--umask-modes", args.umask_modes,
              "Write the decrypted files and directories with the usual modes (0666/0777 less the umask) instead of 0600/0700 (owner only)");
  o->add_flag("--json", args.json_out, "JSON output");
  o->callback([&result] { result = do_open(args); });
});

}  // namespace
}  // namespace civitas::cli
