// Build-time generator of the built-in GB/T 2260 table (core/CMakeLists.txt):
//   civitas_division_gen SOURCE LABEL OUT.cpp
// parses SOURCE (loc.dat) with the parser the library uses for loaded tables
// (parse_division_entries) and writes its entries as constant data without pointers
// (PackedDivision, division_table.hpp), so that no process parses the table at run time. The
// names are written as octal escapes, whatever the compiler's source and execution character
// sets.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>

#include "civitas/error.hpp"
#include "ids/division_table.hpp"

namespace {

// A string literal of s's bytes.
std::string quoted(std::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c >= 0x20 && c < 0x7F && c != '"' && c != '\\' && c != '?') {
      out += static_cast<char>(c);
    } else {
      char buf[5];
      std::snprintf(buf, sizeof buf, "\\%03o", c);  // always three digits: no digit after it is taken in
      out += buf;
    }
  }
  return out + "\"";
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::cerr << "usage: civitas_division_gen SOURCE LABEL OUT.cpp\n";
    return 2;
  }
  std::ifstream in(argv[1], std::ios::binary);
  if (!in) {
    std::cerr << "civitas_division_gen: cannot open " << argv[1] << "\n";
    return 1;
  }
  std::ostringstream text;
  text << in.rdbuf();
  const std::string src = text.str();
  try {
    const auto entries = civitas::ids::detail::parse_division_entries(src, argv[1]);
    // Each distinct name once, in order of first use; a name is `offset << 8 | length`.
    std::string names;
    std::map<std::string_view, std::uint32_t> packed;
    auto pack = [&](std::string_view name) -> std::uint32_t {
      if (name.empty()) return 0;
      if (auto it = packed.find(name); it != packed.end()) return it->second;
      if (name.size() > 0xFF || names.size() > 0xFFFFFF - name.size())
        throw civitas::Error(civitas::Code::parse, "division table: a name longer than 255 bytes or 16 MB of names",
                             civitas::Location{{}, {}, {}, argv[1]});
      const auto p = static_cast<std::uint32_t>(names.size() << 8 | name.size());
      names += name;
      packed.emplace(name, p);
      return p;
    };
    std::ostringstream rows;
    for (const auto& e : entries)
      rows << "    {" << e.code << ", " << pack(e.province) << ", " << pack(e.prefecture) << ", " << pack(e.county) << "},\n";
    std::ostringstream out;
    out << "// Generated from " << argv[1] << " by core/ids/gen/division_gen.cpp. Do not edit.\n"
        << "#include \"ids/division_table.hpp\"\n\n"
        << "namespace civitas::ids::detail {\n\n"
        << "constinit const PackedDivision kBuiltinDivisions[] = {\n"
        << rows.str() << "};\n"
        << "constinit const std::size_t kBuiltinDivisionCount = sizeof kBuiltinDivisions / sizeof kBuiltinDivisions[0];\n"
        << "constinit const char kBuiltinDivisionNames[] =";
    for (std::size_t k = 0; k < names.size(); k += 60) out << "\n    " << quoted(std::string_view(names).substr(k, 60));
    out << ";\n"
        << "constinit const char kBuiltinDivisionLabel[] = " << quoted(argv[2]) << ";\n\n"
        << "}  // namespace civitas::ids::detail\n";
    const std::string tmp = std::string(argv[3]) + ".tmp";
    {
      std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
      f << out.str();
      if (!f.flush()) {
        std::cerr << "civitas_division_gen: cannot write " << tmp << "\n";
        return 1;
      }
    }
    if (std::rename(tmp.c_str(), argv[3]) != 0) {
      std::cerr << "civitas_division_gen: cannot rename " << tmp << " to " << argv[3] << "\n";
      return 1;
    }
  } catch (const civitas::Error& e) {
    std::cerr << "civitas_division_gen: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
