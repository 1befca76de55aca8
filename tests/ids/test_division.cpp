#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <tuple>
#include <vector>

#include "civitas/error.hpp"
#include "civitas/ids.hpp"
#include "ids/tables.hpp"

using namespace civitas;
using ids::Kind;
using ids::Reason;

TEST_CASE("built-in division table resolves three levels and names its source") {
  auto r = ids::lookup_region("371702");
  CHECK(r.known);
  CHECK(r.province == "山东省");
  CHECK(r.prefecture == "菏泽市");
  CHECK(r.county == "牡丹区");
  auto p = ids::lookup_region("371700");
  CHECK(p.known);
  CHECK(p.prefecture == "菏泽市");
  CHECK(p.county.empty());
  CHECK(ids::lookup_region("370000").province == "山东省");
  CHECK_FALSE(ids::lookup_region("999999").known);
  CHECK_FALSE(ids::lookup_region("37170").known);
  CHECK(ids::division_table_source().find("builtin") == 0);
  CHECK(ids::division_table_size() > 3000);
}

#ifdef CIVITAS_DIVISION_SOURCE
TEST_CASE("the built-in table (generated at build time) is its source parsed at run time") {
  using Row = std::tuple<std::uint32_t, std::string, std::string, std::string>;
  auto rows = [] {
    std::vector<Row> out;
    ids::detail::for_each_region([&](std::uint32_t code, std::string_view p, std::string_view f, std::string_view c) {
      out.emplace_back(code, std::string(p), std::string(f), std::string(c));
    });
    return out;
  };
  ids::reset_division_table();
  const std::vector<Row> built_in = rows();
  const std::size_t size = ids::division_table_size();
  ids::load_division_table_file(CIVITAS_DIVISION_SOURCE);
  const std::vector<Row> parsed = rows();
  CHECK(ids::division_table_size() == size);
  ids::reset_division_table();
  REQUIRE(built_in.size() == parsed.size());
  CHECK(built_in == parsed);
  CHECK(built_in.size() > 3000);
  // Every known code is a key of the table, and only those (the bitmap of the generated table).
  std::size_t known = 0;
  for (std::uint32_t c = 0; c < 1000000; ++c) known += ids::detail::region_known_code(c) ? 1 : 0;
  CHECK(known == built_in.size());
  for (const auto& r : built_in) CHECK(ids::detail::region_known_code(std::get<0>(r)));
}
#endif

TEST_CASE("gb2260 kind validates division codes") {
  CHECK(ids::validate(Kind::division, "371702").valid);
  CHECK(ids::validate(Kind::division, "999999").reason == Reason::region);
  CHECK(ids::validate(Kind::division, "37170").reason == Reason::length);
  CHECK(ids::validate(Kind::division, "37170A").reason == Reason::charset);
}

TEST_CASE("a newer table can be loaded and the built-in one restored") {
  ids::load_division_table("# test table\n990101 county=\"新区\" prefecture=\"新市\" province=\"新省\"\n", "test");
  CHECK(ids::division_table_source() == "test");
  CHECK(ids::lookup_region("990101").county == "新区");
  CHECK(ids::lookup_region("990100").prefecture == "新市");
  CHECK_FALSE(ids::region_known("371702"));
  ids::reset_division_table();
  CHECK(ids::region_known("371702"));
  CHECK_FALSE(ids::region_known("990101"));
}

TEST_CASE("a loaded table keeps its own copy of the text its names come from") {
  {
    std::string text = "990101 county=\"新区\" prefecture=\"新市\" province=\"新省\"\n";
    ids::load_division_table(text, "copied");
    std::fill(text.begin(), text.end(), 'x');  // the caller's buffer changes, then goes
  }
  const ids::Region r = ids::lookup_region("990101");
  CHECK(r.known);
  CHECK(r.county == "新区");
  CHECK(r.prefecture == "新市");
  CHECK(r.province == "新省");
  CHECK(ids::lookup_region("990000").province == "新省");
  ids::reset_division_table();
}

TEST_CASE("malformed division tables are refused with the line number, keeping the old table") {
  auto bad = [](const char* text) {
    try {
      ids::load_division_table(text, "bad.dat");
    } catch (const Error& e) {
      CHECK(e.code() == Code::parse);
      return std::string(e.what());
    }
    FAIL("no error");
    return std::string();
  };
  CHECK(bad("# c\n12345 county=\"x\"\n").find("row 2") != std::string::npos);
  CHECK(bad("110101 county=\"x\n").find("unterminated") != std::string::npos);
  CHECK(bad("110101 county\n").find("key=") != std::string::npos);
  CHECK(bad("110100 county=\"x\"\n").find("county-level") != std::string::npos);
  CHECK(bad("# only comments\n").find("no entries") != std::string::npos);
  CHECK(ids::region_known("371702"));
  CHECK_THROWS_AS(ids::load_division_table_file("/nonexistent/loc.dat"), Error);
}
