// civitas catalog check|add|show|list|history|export|import
//
// Entries are stored (versioned) in a workspace, opened as every workspace command opens it
// (workspace_args.hpp: --workspace / $CIVITAS_WORKSPACE, --key-file / --passphrase / $CIVITAS_KEY).
// check, export --file and import without --workspace need no workspace. check and export take
// the table's Table Schema (--schema): the items name its fields (docs/formats/catalog-entry.md).
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>

#include "civitas/catalog.hpp"
#include "civitas/error.hpp"
#include "civitas/json.hpp"
#include "civitas/workspace.hpp"
#include "cli.hpp"
#include "workspace_args.hpp"

namespace civitas::cli {
namespace {

using nlohmann::json;
namespace sc = civitas::catalog;

struct Args {
  WorkspaceArgs ws;
  std::string config, file, code, as, schema;
  int version = 0;
  bool json_out = false;
};

std::string read_text(const std::string& path) {
  if (path == "-") {
    std::ostringstream ss;
    ss << std::cin.rdbuf();
    return ss.str();
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(Code::io, "cannot open file", Location{{}, {}, {}, path});
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

json read_json(const std::string& path) {
  std::string t = read_text(path);
  return parse_json(t, "the file", Location{{}, {}, {}, path});
}

sc::CatalogConfig config(const Args& a) {
  return a.config.empty() ? sc::CatalogConfig{} : sc::CatalogConfig::from_json(read_json(a.config));
}

std::string out(const json& j) { return j.dump(2, ' ', false, json::error_handler_t::replace); }

std::unique_ptr<workspace::Workspace> open_workspace(const Args& a) { return a.ws.open(); }

int do_check(const Args& a) {
  json e = read_json(a.file);
  // With --schema: the entry's items are checked against the table's schema too.
  auto ps = a.schema.empty() ? sc::check_entry(e, config(a)) : sc::check_entry_schema(e, read_json(a.schema), config(a));
  if (a.json_out) {
    json p = json::array();
    for (const auto& x : ps) p.push_back({{"path", x.path}, {"message", x.message}});
    json r = {{"valid", ps.empty()}, {"problems", p}};
    if (ps.empty()) r["resourceCode"] = sc::resource_code(e, config(a));
    std::cout << out(r) << '\n';
  } else if (ps.empty()) {
    std::cout << "valid\t" << sc::resource_code(e, config(a)) << '\n';
  } else {
    for (const auto& x : ps) std::cout << "invalid\t" << x.path << '\t' << x.message << '\n';
  }
  return ps.empty() ? kOk : kInvalid;
}

int do_add(const Args& a) {
  json e = read_json(a.file);
  auto ws = open_workspace(a);
  auto s = ws->catalog_add(e, config(a));  // audited "catalog.add"
  std::cout << "stored\t" << s.resource_code << "\tversion " << s.version << '\n';
  return kOk;
}

int do_show(const Args& a) {
  auto ws = open_workspace(a);
  catalog::CatalogStore cs(ws->store(), config(a));
  auto s = cs.get(a.code, a.version);
  if (!s) throw Error(Code::not_found, "no catalog entry " + a.code + (a.version ? " version " + std::to_string(a.version) : ""));
  std::cout << out(s->entry) << '\n';
  return kOk;
}

int do_list(const Args& a, bool history) {
  auto ws = open_workspace(a);
  catalog::CatalogStore cs(ws->store(), config(a));
  auto all = history ? cs.history(a.code) : cs.list();
  if (history && all.empty()) throw Error(Code::not_found, "no catalog entry " + a.code);
  if (a.json_out) {
    json arr = json::array();
    for (const auto& s : all)
      arr.push_back({{"resourceCode", s.resource_code}, {"version", s.version}, {"created_ms", s.created_ms},
                     {"title", s.entry.value("title", "")}});
    std::cout << out(arr) << '\n';
  } else {
    for (const auto& s : all)
      std::cout << s.resource_code << "\tv" << s.version << '\t' << s.entry.value("title", "") << '\n';
  }
  return kOk;
}

int do_export(const Args& a) {
  sc::CatalogFormat f = sc::catalog_format_from_name(a.as);
  json e;
  if (!a.file.empty()) {
    e = read_json(a.file);
  } else {
    if (a.code.empty()) throw Error(Code::invalid_argument, "give a resource code (with a workspace) or --file ENTRY.json");
    auto ws = open_workspace(a);
    catalog::CatalogStore cs(ws->store(), config(a));
    auto s = cs.get(a.code, a.version);
    if (!s) throw Error(Code::not_found, "no catalog entry " + a.code);
    e = s->entry;
  }
  json doc = a.schema.empty() ? sc::export_entry(e, f, config(a)) : sc::export_entry(e, f, config(a), read_json(a.schema));
  std::cout << out(doc) << '\n';
  return kOk;
}

int do_import(const Args& a) {
  json doc = read_json(a.file);
  sc::CatalogFormat f{};
  if (!a.as.empty()) f = sc::catalog_format_from_name(a.as);
  json e = sc::import_entry(doc, a.as.empty() ? nullptr : &f, config(a));
  bool store = !a.ws.workspace.empty() || std::getenv("CIVITAS_WORKSPACE");
  if (store) {
    auto ws = open_workspace(a);
    auto s = ws->catalog_add(e, config(a));  // audited "catalog.add"
    std::cout << "stored\t" << s.resource_code << "\tversion " << s.version << '\n';
  } else {
    std::cout << out(e) << '\n';
  }
  return kOk;
}

Register reg(31, {"catalog"}, [](Root& root, int& result) {
  auto* cat = root.add_subcommand("catalog", "Catalog entries (政务信息资源目录): check, store (versioned), export, import");
  cat->require_subcommand(1);
  static Args args;
  auto ws = [](CLI::App* c) { add_workspace_options(c, args.ws); };
  auto cfg = [](CLI::App* c) {
    c->add_option("--config", args.config, "Catalog configuration (JSON: separator, widths, formats, updateCycles)");
  };
  auto* check = cat->add_subcommand("check", "Check an entry; prints every broken rule; exit 0 valid, 1 invalid");
  check->add_option("ENTRY", args.file, "Catalog entry (JSON)")->required();
  check->add_flag("--json", args.json_out, "JSON output");
  check->add_option("--schema", args.schema, "Table Schema of the table: check that the items name its fields");
  cfg(check);
  check->callback([&result] { result = do_check(args); });

  auto* add = cat->add_subcommand("add", "Validate an entry and store it as the next version in the workspace");
  add->add_option("ENTRY", args.file, "Catalog entry (JSON)")->required();
  ws(add);
  cfg(add);
  add->callback([&result] { result = do_add(args); });

  auto* show = cat->add_subcommand("show", "Print a stored entry");
  show->add_option("CODE", args.code, "Resource code")->required();
  show->add_option("--version", args.version, "Version (default: latest)");
  ws(show);
  cfg(show);
  show->callback([&result] { result = do_show(args); });

  auto* list = cat->add_subcommand("list", "List stored entries (latest versions)");
  list->add_flag("--json", args.json_out, "JSON output");
  ws(list);
  cfg(list);
  list->callback([&result] { result = do_list(args, false); });

  auto* hist = cat->add_subcommand("history", "List every version of an entry");
  hist->add_option("CODE", args.code, "Resource code")->required();
  hist->add_flag("--json", args.json_out, "JSON output");
  ws(hist);
  cfg(hist);
  hist->callback([&result] { result = do_list(args, true); });

  auto* exp = cat->add_subcommand("export", "Export an entry as a Data Package, DCAT-AP JSON-LD or CKAN package");
  exp->add_option("--as", args.as, "datapackage, dcat or ckan")
      ->required()
      ->check(CLI::IsMember({"datapackage", "dcat", "ckan"}));
  exp->add_option("CODE", args.code, "Resource code of a stored entry");
  exp->add_option("--file,-f", args.file, "Export this entry file instead of a stored one");
  exp->add_option("--version", args.version, "Version (default: latest)");
  exp->add_option("--schema", args.schema, "Table Schema of the table: describe its real columns (datapackage, dcat)");
  ws(exp);
  cfg(exp);
  exp->callback([&result] { result = do_export(args); });

  auto* imp = cat->add_subcommand("import", "Import an entry from a Data Package, DCAT JSON-LD or CKAN package; "
                                            "stores it when a workspace is given, else prints it");
  imp->add_option("FILE", args.file, "Document (JSON; - for stdin)")->required();
  imp->add_option("--as", args.as, "datapackage, dcat or ckan (default: detect)")
      ->check(CLI::IsMember({"datapackage", "dcat", "ckan"}));
  ws(imp);
  cfg(imp);
  imp->callback([&result] { result = do_import(args); });
});

}  // namespace
}  // namespace civitas::cli
