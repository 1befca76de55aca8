// The one entry for outside JSON (civitas/json.hpp): a depth limit checked before any
// recursion, and parse errors as civitas::Error(parse) with a clean message.
#include <doctest/doctest.h>

#include <cstdint>
#include <string>

#include "civitas/error.hpp"
#include "civitas/json.hpp"
#include "civitas/schema.hpp"

using namespace civitas;

namespace {
std::string nested(std::size_t depth, char open = '[', char close = ']') {
  return std::string(depth, open) + std::string(depth, close);
}
// {"a":{"a":…{"a":1}…}}
std::string nested_objects(std::size_t depth) {
  std::string s;
  for (std::size_t i = 0; i < depth; ++i) s += "{\"a\":";
  s += "1";
  s += std::string(depth, '}');
  return s;
}
}  // namespace

TEST_CASE("nesting up to the limit parses; one level more is a parse error at the bracket") {
  CHECK(parse_json(nested(kMaxJsonDepth)).is_array());
  CHECK(parse_json(nested_objects(kMaxJsonDepth)).is_object());
  CHECK(json_depth_ok(nested(kMaxJsonDepth)));
  CHECK_FALSE(json_depth_ok(nested(kMaxJsonDepth + 1)));
  try {
    parse_json(nested(kMaxJsonDepth + 1), "the document", Location{{}, {}, 10, "f.json"});
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(e.code() == Code::parse);
    CHECK(e.where().offset == 10 + kMaxJsonDepth);  // the bracket that opens level 129
    CHECK(std::string(e.what()) == "the document nests deeper than 128 levels (at f.json, byte 138)");
  }
}

TEST_CASE("100,000 levels (200 KB) are refused without recursion, in every shape") {
  for (const std::string& doc : {nested(100000), nested(100000, '{', '}'), nested_objects(100000),
                                 std::string(100000, '[')}) {  // unclosed, too
    CHECK_FALSE(json_depth_ok(doc));
    CHECK_THROWS_AS(parse_json(doc), Error);
    CHECK_THROWS_AS(parse_ordered_json(doc), Error);
    CHECK_FALSE(try_parse_json(doc).has_value());
  }
  // Through readers of outside JSON: schemas and JSON Lines data.
  const std::string deep = nested_objects(100000);
  CHECK_THROWS_AS(schema::parse_schema(deep), Error);
  auto problems = schema::check_schema(deep);
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].message.find("nests deeper than 128 levels") != std::string::npos);
  schema::TableSchema s = schema::parse_schema(R"({"fields":[{"name":"a","type":"object"}]})");
  schema::ValidateOptions o;
  o.format = "jsonl";
  auto report = schema::validate_bytes("{\"a\":{}}\n{\"a\":" + nested_objects(100000) + "}\n", s, o);
  CHECK_FALSE(report["valid"].get<bool>());
  CHECK(report["tasks"][0]["errors"][0]["type"] == "source-error");
  // A CSV cell of an "array" field that nests too deep is a type error, not a crash.
  schema::TableSchema sa = schema::parse_schema(R"({"fields":[{"name":"a","type":"array"}]})");
  auto r2 = schema::validate_bytes("a\n\"" + nested(100000) + "\"\n", sa, {});
  CHECK(r2["tasks"][0]["errors"][0]["type"] == "type-error");
}

TEST_CASE("brackets inside strings do not count; escapes are skipped") {
  std::string s = "[\"" + std::string(1000, '[') + "\\\"" + std::string(1000, '{') + "\"]";
  CHECK(json_depth_ok(s));
  CHECK(parse_json(s).size() == 1);
}

TEST_CASE("a malformed document: code parse, a clean message, the position once") {
  try {
    parse_json("{\"a\": tru}", "config");
    FAIL("no error");
  } catch (const Error& e) {
    std::string m = e.what();
    CHECK(e.code() == Code::parse);
    CHECK(m.rfind("config is not valid JSON: syntax error while parsing value", 0) == 0);
    CHECK(m.find("json.exception") == std::string::npos);
    CHECK(m.find("line 1") == std::string::npos);
    CHECK(e.where().offset == 9);
  }
  CHECK_THROWS_AS(parse_json(""), Error);
  CHECK_THROWS_AS(parse_json("[1e999999]"), Error);
  CHECK_FALSE(try_parse_json("{").has_value());
}

TEST_CASE("integers from outside JSON: floats, huge values and wrong types are refused, not cast") {
  // The escrow-share fuzzer found "version": 2.2e119 going through get<int>(): undefined
  // behaviour. 4294967297 through get<int>() would read as 1.
  CHECK_FALSE(json_integer(parse_json("2.22222e+119")).has_value());
  CHECK_FALSE(json_integer(parse_json("1.0")).has_value());
  CHECK_FALSE(json_integer(parse_json("\"1\"")).has_value());
  CHECK_FALSE(json_integer(parse_json("true")).has_value());
  CHECK_FALSE(json_integer(parse_json("4294967297"), 1, 3).has_value());
  CHECK_FALSE(json_integer(parse_json("18446744073709551615")).has_value());
  CHECK(json_integer(parse_json("-5")).value() == -5);
  CHECK(json_integer(parse_json("9223372036854775807")).value() == INT64_MAX);
  CHECK_FALSE(json_integer(parse_json("0"), 1, 3).has_value());
  CHECK(json_integer(parse_json("3"), 1, 3).value() == 3);
  CHECK(json_unsigned(parse_json("18446744073709551615")).value() == UINT64_MAX);
  CHECK_FALSE(json_unsigned(parse_json("-1")).has_value());
  CHECK_FALSE(json_unsigned(parse_json("1e3")).has_value());
  CHECK_FALSE(json_unsigned(parse_json("4097"), 4096).has_value());

  const nlohmann::json o = parse_json(R"({"version": 2.5, "n": 7})");
  CHECK(json_integer_at(o, "n", "doc", 1, 9) == 7);
  try {
    json_integer_at(o, "version", "escrow share", 1, 9);
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(e.code() == Code::parse);
    CHECK(std::string(e.what()) == "escrow share: \"version\" must be an integer from 1 to 9");
  }
  try {
    json_unsigned_at(o, "size", "audit");
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(e.code() == Code::parse);
    CHECK(std::string(e.what()).find("\"size\" is missing") != std::string::npos);
  }
}
