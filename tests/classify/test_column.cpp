// Column and table classification: ratio, confidence, name hints, schema annotations,
// sampling and the encoding rule.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "civitas/classify.hpp"
#include "civitas/error.hpp"
#include "corpus.hpp"

using namespace civitas;
namespace cl = civitas::classify;

TEST_CASE("the name hint never overrides the values") {
  std::vector<std::string_view> orders = {"202403150000012345", "202312319999999999", "202401010000000002"};
  auto r = cl::classify_column("phone", orders);
  CHECK(r.type == "none");
  CHECK(r.source == "detected");
  std::vector<std::string_view> mobiles = {"13912345678", "13800138000", "15069323974"};
  CHECK(cl::classify_column("备注", mobiles).type == "mobile_phone");
}

TEST_CASE("the name hint lowers the threshold for its own type only") {
  std::vector<std::string_view> vals = {"13912345678", "13800138000", "n/a", "13500001111", "unknown"};  // 60 %
  CHECK(cl::classify_column("手机号码", vals).type == "mobile_phone");
  CHECK(cl::classify_column("col3", vals).type == "none");
  CHECK(cl::classify_column("email", vals).type == "none");
}

TEST_CASE("a column of blanks is decided by its name alone, with source name") {
  std::vector<std::string_view> blanks = {"", " ", ""};
  auto r = cl::classify_column("mobile", blanks);
  CHECK(r.type == "mobile_phone");
  CHECK(r.source == "name");
  CHECK(r.ratio == 0);
  CHECK(r.blank == 3);
  auto n = cl::classify_column("col9", blanks);
  CHECK(n.type == "none");
  CHECK(n.source == "detected");
}

TEST_CASE("confidence grows with the number of values") {
  std::vector<std::string_view> few = {"13912345678", "13800138000"};
  std::vector<std::string_view> many(400, "13912345678");
  auto a = cl::classify_column("x", few), b = cl::classify_column("x", many);
  CHECK(a.ratio == 1.0);
  CHECK(b.ratio == 1.0);
  CHECK(a.confidence < b.confidence);
  CHECK(b.confidence > 0.98);
}

TEST_CASE("name hints in Chinese and English") {
  CHECK(cl::name_hint("手机号") == cl::Type::mobile_phone);
  CHECK(cl::name_hint("身份证号码") == cl::Type::ric);
  CHECK(cl::name_hint("ID_Card") == cl::Type::ric);
  CHECK(cl::name_hint("统一社会信用代码") == cl::Type::uscc);
  CHECK(cl::name_hint("email_address") == cl::Type::email);
  CHECK(cl::name_hint("ip") == cl::Type::ip_address);
  CHECK_FALSE(cl::name_hint("zipper_color"));  // "zip" only as a word
  CHECK_FALSE(cl::name_hint("col2"));
}

TEST_CASE("schema annotations win, reported with source schema") {
  auto s = schema::parse_schema(R"({"fields": [
    {"name": "a", "civitas:identifier": "uscc", "civitas:classification": {"category": "enterprise", "level": "general"}},
    {"name": "b", "civitas:classification": {"category": "contact", "level": "important"}},
    {"name": "c"}]})");
  cl::ScanOptions o;
  o.schema = s;
  auto r = cl::scan_bytes("a,b,c\n13912345678,13912345678,13912345678\n13800138000,13800138000,13800138000\n", o);
  REQUIRE(r.columns.size() == 3);
  CHECK(r.columns[0].type == "uscc");
  CHECK(r.columns[0].source == "schema");
  CHECK(r.columns[0].ratio == 0);           // the values are not USCCs: the ratio says so
  CHECK(r.columns[0].category == "enterprise");
  CHECK(r.columns[1].type == "mobile_phone");  // detected type, schema category and level
  CHECK(r.columns[1].source == "schema");
  CHECK(r.columns[1].level == "important");
  CHECK(r.columns[2].source == "detected");
  CHECK_FALSE(r.columns[2].level);
  CHECK(r.level == "important");
  auto j = cl::to_json(r);
  CHECK(j.dump().rfind(R"({"columns":[{"name":"a","type":"uscc","ratio":0.0,"confidence":1.0,"category":"enterprise","level":"general","source":"schema"})", 0) == 0);
  CHECK(j["level"] == "important");
}

TEST_CASE("table level: the highest column level, or none") {
  std::vector<cl::ColumnResult> cols(3);
  CHECK_FALSE(cl::table_level(cols));
  cols[0].level = "general-2";
  cols[1].level = "general-3";
  CHECK(cl::table_level(cols) == "general-3");
  cols[2].level = "core";
  CHECK(cl::table_level(cols) == "core");
  CHECK(cl::level_rank("重要") > cl::level_rank("一般3级"));
  CHECK(cl::table_level(cols, [](std::string_view l) { return l == "general-2" ? 10.0 : 0.0; }) == "general-2");
}

TEST_CASE("encoding: the explicit one wins, otherwise GB18030 when the bytes are not UTF-8") {
  std::string path = test::corpus_dir() + "tables/enterprises_gbk.csv";
  auto g = cl::scan_file(path);
  CHECK(g.encoding == "gb18030");
  CHECK(g.columns[0].name == "统一社会信用代码");
  cl::ScanOptions o;
  o.encoding = "utf-8";
  CHECK_THROWS_AS(cl::scan_file(path, o), civitas::Error);
  auto u = cl::scan_file(test::corpus_dir() + "tables/people.csv");
  CHECK(u.encoding == "utf-8");
}

TEST_CASE("unreadable input is an error naming the file") {
  try {
    cl::scan_file("/nonexistent/x.csv");
    FAIL("no error");
  } catch (const civitas::Error& e) {
    CHECK(e.code() == Code::io);
    CHECK(e.where().source == "/nonexistent/x.csv");
  }
  CHECK_THROWS_AS(cl::scan_file("/tmp"), civitas::Error);
}

TEST_CASE("a headerless file with a delimiter, and an empty file") {
  cl::ScanOptions o;
  o.dialect.header = false;
  o.dialect.delimiter = ';';
  auto r = cl::scan_bytes("13912345678;x\n13800138000;y\n", o);
  REQUIRE(r.columns.size() == 2);
  CHECK(r.columns[0].type == "mobile_phone");
  CHECK(r.columns[0].name.empty());
  auto e = cl::scan_bytes("", {});
  CHECK(e.columns.empty());
  CHECK_FALSE(e.level);
}

TEST_CASE("dates are birth dates unless the column is named for another date") {
  std::vector<std::string_view> dates = {"1990-01-05", "1985-12-31", "2001-07-07"};
  CHECK(cl::classify_column("出生日期", dates).type == "birth_date");
  CHECK(cl::classify_column("col4", dates).type == "birth_date");
  CHECK(cl::classify_column("成立日期", dates).type == "none");
  CHECK(cl::classify_column("established", dates).type == "none");
}
