#include <doctest/doctest.h>

#include "civitas/schema.hpp"
#include "helpers.hpp"

using namespace civitas;
using namespace civitas::schema;
using namespace schema_test;

namespace {

struct Rows {
  std::vector<std::string> labels;
  std::vector<std::vector<std::string>> rows;
  std::vector<std::uint64_t> numbers;
};

Rows read_all(std::string_view csv, Dialect d = {}, std::size_t ncols = 3, std::size_t batch = 2) {
  auto r = csv_reader(memory_source(csv), d);
  Rows out;
  out.labels = r->labels();
  Batch b;
  while (r->next(b, ncols, batch)) {
    for (std::size_t i = 0; i < b.rows; ++i) {
      std::vector<std::string> row;
      for (std::size_t k = 0; k < std::min<std::size_t>(ncols, b.cell_counts[i]); ++k)
        row.emplace_back(b.columns[k].value(i));
      for (std::size_t e = b.extra_begin[i]; e < b.extra_begin[i + 1]; ++e) row.emplace_back(b.extra(e));
      out.rows.push_back(row);
      out.numbers.push_back(b.row_numbers[i]);
    }
  }
  return out;
}

}  // namespace

TEST_CASE("RFC 4180: quotes, doubled quotes, delimiters and line breaks inside quotes, CRLF") {
  Rows r = read_all("a,b,c\r\n\"x,1\",\"say \"\"hi\"\"\",\"two\r\nlines\"\r\n1,2,3");
  CHECK(r.labels == std::vector<std::string>{"a", "b", "c"});
  REQUIRE(r.rows.size() == 2);
  CHECK(r.rows[0] == std::vector<std::string>{"x,1", "say \"hi\"", "two\r\nlines"});
  CHECK(r.rows[1] == std::vector<std::string>{"1", "2", "3"});
  CHECK(r.numbers == std::vector<std::uint64_t>{2, 3});
}

TEST_CASE("short and long rows keep their cell counts; extra cells are kept") {
  auto rd = csv_reader(memory_source("a,b,c\n1\n1,2,3,4,5\n"), {});
  Batch b;
  REQUIRE(rd->next(b, 3, 10));
  CHECK(b.rows == 2);
  CHECK(b.cell_counts[0] == 1);
  CHECK(b.columns[0].present(0));
  CHECK_FALSE(b.columns[1].present(0));
  CHECK(b.cell_counts[1] == 5);
  // extra cells: row 1 has two, the first at field number ncols + 1 = 4
  REQUIRE(b.extra_ends.size() == 2);
  CHECK(b.extra_begin[0] == 0);
  CHECK(b.extra_begin[1] == 0);
  CHECK(b.extra_begin[2] == 2);
  CHECK(b.extra(0) == "4");
  CHECK(b.extra(1) == "5");
}

TEST_CASE("an empty line is a row with no cells") {
  Rows r = read_all("a,b,c\n1,2,3\n\n4,5,6\n");
  REQUIRE(r.rows.size() == 3);
  CHECK(r.rows[1].empty());
  CHECK(r.numbers[2] == 4);
}

TEST_CASE("dialect: delimiter, quote char, escape char, skipInitialSpace, no header") {
  Dialect d;
  d.delimiter = ';';
  d.quote = '\'';
  d.escape = '\\';
  d.skip_initial_space = true;
  d.header = false;
  Rows r = read_all("'a;b'; c\\;d; 'it\\'s'\n", d);
  CHECK(r.labels.empty());
  REQUIRE(r.rows.size() == 1);
  CHECK(r.rows[0] == std::vector<std::string>{"a;b", "c;d", "it's"});
  CHECK(r.numbers[0] == 1);
}

TEST_CASE("a UTF-8 BOM is dropped from the first label") {
  Rows r = read_all("\xEF\xBB\xBFid,b,c\n1,2,3\n");
  CHECK(r.labels[0] == "id");
}

TEST_CASE("GBK input is decoded to UTF-8 through iconv") {
  Dialect d;
  d.encoding = "gbk";
  auto rd = csv_reader(open_file(data_path("orgs_gbk.csv")), d);
  Batch b;
  REQUIRE(rd->next(b, 8, 100));
  CHECK(b.columns[2].value(0) == "北京数据局");
}

TEST_CASE("invalid UTF-8 is a parse error with its byte offset") {
  try {
    read_all("a,b,c\n1,\xff,3\n");
    FAIL("no throw");
  } catch (const Error& e) {
    CHECK(e.code() == Code::parse);
    REQUIRE(e.where().offset);
    CHECK(*e.where().offset == 8);
  }
}

TEST_CASE("a record longer than the limit is a parse error, not unbounded memory") {
  std::string big = "a\n\"" + std::string(3u << 20, 'x');
  auto rd = csv_reader(memory_source(big), {}, 1u << 20);
  Batch b;
  CHECK_THROWS_AS(rd->next(b, 1, 10), Error);
}

TEST_CASE("rows spanning read chunks are reassembled") {
  std::string csv = "a,b,c\n";
  for (int i = 0; i < 200000; ++i) csv += std::to_string(i) + ",\"q" + std::to_string(i) + "\",z\n";
  Rows r = read_all(csv, {}, 3, 4096);
  REQUIRE(r.rows.size() == 200000);
  CHECK(r.rows[123456][1] == "q123456");
  CHECK(r.numbers.back() == 200001);
}

TEST_CASE("JSON Lines: labels from the first object, missing keys are missing cells") {
  auto rd = jsonl_reader(memory_source("{\"a\":1,\"b\":\"x\"}\n\n{\"a\":2}\n[3,\"y\",true]\n"));
  CHECK(rd->labels() == std::vector<std::string>{"a", "b"});
  Batch b;
  REQUIRE(rd->next(b, 2, 10));
  REQUIRE(b.rows == 3);
  CHECK(b.columns[0].value(0) == "1");
  CHECK(b.columns[1].value(0) == "x");
  CHECK(b.cell_counts[1] == 1);
  CHECK(b.row_numbers[2] == 4);
  REQUIRE(b.extra_ends.size() == 1);
  CHECK(b.extra(0) == "true");
}

TEST_CASE("JSON Lines: a malformed line is a parse error naming the row") {
  auto rd = jsonl_reader(memory_source("{\"a\":1}\n{\"a\":\n"));
  Batch b;
  try {
    rd->next(b, 1, 10);
    FAIL("no throw");
  } catch (const Error& e) {
    CHECK(e.code() == Code::parse);
    CHECK(e.where().row == 3u);
  }
}

TEST_CASE("a batch of long rows ends once it holds its byte budget, and no row is lost") {
  std::string row(1u << 20, 'x');
  std::string csv = "a\n";
  for (int i = 0; i < 40; ++i) csv += row + "\n";
  auto rd = csv_reader(memory_source(csv), {});
  Batch b;
  std::size_t total = 0, batches = 0;
  while (rd->next(b, 1, 1000)) {
    CHECK(b.rows < 40);
    CHECK(b.columns[0].value(0).size() == row.size());
    total += b.rows;
    ++batches;
  }
  CHECK(total == 40);
  CHECK(batches >= 2);
}

TEST_CASE("a record limit above 1 GiB is refused") {
  CHECK_THROWS_AS(csv_reader(memory_source("a\n"), {}, std::size_t{2} << 30), Error);
}
