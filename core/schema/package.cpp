// Validation of a Frictionless Data Package: every tabular resource against its schema, with
// foreign keys resolved across the package's resources (ValidateOptions::resources).
#include <filesystem>
#include <fstream>
#include <sstream>

#include "civitas/json.hpp"
#include "civitas/schema.hpp"

namespace civitas::schema {

using nlohmann::json;

namespace {

Location at(const std::string& path) { return Location{{}, {}, {}, path}; }

json read_json_file(const std::string& path, const char* what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(Code::io, std::string("cannot open ") + what, at(path));
  std::ostringstream ss;
  ss << in.rdbuf();
  return parse_json(ss.str(), what, at(path));
}

// A path inside the package: relative, no "..", no URL (as frictionless-py requires).
std::string inside(const std::filesystem::path& base, const json& p, const std::string& where) {
  if (!p.is_string() || p.get<std::string>().empty())
    throw Error(Code::invalid_data, where + " must be a non-empty string (one file)");
  std::string s = p.get<std::string>();
  std::filesystem::path rel(s);
  bool unsafe = rel.is_absolute() || s.find("://") != std::string::npos;
  for (const auto& part : rel) unsafe |= part == "..";
  if (unsafe) throw Error(Code::invalid_data, where + " \"" + s + "\" must be a relative path inside the package");
  return (base / rel).string();
}

// An inline object or a path (relative to the package) to a JSON file.
json inline_or_file(const std::filesystem::path& base, const json& v, const std::string& where) {
  if (v.is_object()) return v;
  return read_json_file(inside(base, v, where), where.c_str());
}

}  // namespace

std::vector<ReferencedResource> resources_from_json(const json& a) {
  if (!a.is_array()) throw Error(Code::invalid_argument, "resources must be a JSON array");
  std::vector<ReferencedResource> out;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const json& r = a[i];
    std::string where = "resources[" + std::to_string(i) + "]";
    if (!r.is_object() || !r.contains("name") || !r["name"].is_string() || !r.contains("path") || !r["path"].is_string())
      throw Error(Code::invalid_argument, where + " needs \"name\" and \"path\" strings");
    ReferencedResource x;
    x.name = r["name"].get<std::string>();
    x.path = r["path"].get<std::string>();
    if (r.contains("schema")) x.schema = parse_schema(r["schema"]);
    if (r.contains("dialect")) x.dialect = Dialect::from_json(r["dialect"]);
    if (r.contains("format")) {
      if (!r["format"].is_string()) throw Error(Code::invalid_argument, where + ".format must be a string");
      x.format = r["format"].get<std::string>();
    }
    out.push_back(std::move(x));
  }
  return out;
}

json validate_package(const std::string& descriptor_path, const ValidateOptions& opts) {
  json dp = read_json_file(descriptor_path, "data package descriptor");
  if (!dp.is_object() || !dp.contains("resources") || !dp["resources"].is_array())
    throw Error(Code::invalid_data, "a data package needs a \"resources\" array", at(descriptor_path));
  std::filesystem::path base = std::filesystem::path(descriptor_path).parent_path();
  std::vector<ReferencedResource> tables;
  json warnings = json::array();
  try {
    for (std::size_t i = 0; i < dp["resources"].size(); ++i) {
      const json& r = dp["resources"][i];
      std::string where = "resources/" + std::to_string(i);
      if (!r.is_object() || !r.contains("name") || !r["name"].is_string())
        throw Error(Code::invalid_data, where + " needs a \"name\"", at(descriptor_path));
      ReferencedResource t;
      t.name = r["name"].get<std::string>();
      if (!r.contains("schema")) {
        // Not validated, but still a table foreign keys may name (its columns come from its
        // header, as for ValidateOptions::resources without a schema).
        warnings.push_back("resource \"" + t.name + "\" has no table schema: not validated");
        if (!r.contains("path")) continue;
      } else if (!r.contains("path")) {
        throw Error(Code::invalid_data, where + " needs a \"path\"", at(descriptor_path));
      }
      t.path = inside(base, r["path"], where + "/path");
      if (r.contains("schema")) t.schema = parse_schema(inline_or_file(base, r["schema"], where + "/schema"));
      if (r.contains("dialect")) t.dialect = Dialect::from_json(inline_or_file(base, r["dialect"], where + "/dialect"));
      if (r.contains("encoding") && r["encoding"].is_string()) t.dialect.encoding = r["encoding"].get<std::string>();
      if (r.contains("format") && r["format"].is_string()) t.format = r["format"].get<std::string>();
      tables.push_back(std::move(t));
    }
  } catch (const json::exception& e) {
    throw Error(Code::invalid_data, std::string("data package descriptor: ") + e.what(), at(descriptor_path));
  }
  json report = {{"valid", true}, {"errors", json::array()}, {"warnings", warnings}, {"tasks", json::array()},
                 {"version", 1}};
  std::uint64_t errors = 0, warns = warnings.size();
  double seconds = 0;
  std::size_t validated = 0;
  for (const auto& t : tables) {
    if (!t.schema) continue;
    ++validated;
    ValidateOptions o = opts;
    o.resources = tables;
    o.dialect = t.dialect;
    o.format = t.format;
    o.name = t.name;
    o.place = t.path;
    json r = validate_file(t.path, *t.schema, o);
    json& task = r["tasks"][0];
    report["valid"] = report["valid"].get<bool>() && task["valid"].get<bool>();
    errors += task["stats"]["errors"].get<std::uint64_t>();
    warns += task["stats"]["warnings"].get<std::uint64_t>();
    seconds += task["stats"]["seconds"].get<double>();
    report["tasks"].push_back(std::move(task));
  }
  report["stats"] = {{"tasks", validated}, {"errors", errors}, {"warnings", warns}, {"seconds", seconds}};
  return report;
}

}  // namespace civitas::schema
