// Shared helpers of the schema tests.
#pragma once

#include <fstream>
#include <sstream>
#include <string>

#include "civitas/schema.hpp"

namespace schema_test {

inline std::string data_path(const std::string& name) { return std::string(CIVITAS_TEST_DATA) + "/schema/" + name; }

inline std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

/// (type, rowNumber, fieldName) of every error of a report's task, as one string per error.
inline std::vector<std::string> error_keys(const nlohmann::json& report) {
  std::vector<std::string> out;
  for (const auto& e : report["tasks"][0]["errors"]) {
    std::string k = e["type"].get<std::string>();
    if (e.contains("rowNumber")) k += " " + e["rowNumber"].dump();
    if (e.contains("fieldName") && !e["fieldName"].get<std::string>().empty()) k += " " + e["fieldName"].get<std::string>();
    out.push_back(k);
  }
  return out;
}

}  // namespace schema_test
