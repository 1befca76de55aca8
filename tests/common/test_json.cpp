// The one entry for outside JSON (civitas/json.hpp): a depth limit checked before any
// recursion, and parse errors as civitas::Error(parse) with a clean message.
#include <doctest/doctest.h>

#include <cstdint>
#include <functional>
#include <vector>
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

// parse_ordered_json builds the tree itself (an index per object, so that an object of n
// members costs O(n)); it must give exactly what nlohmann's own DOM parser gives: member
// order, a repeated key at its first position with its last value, every value type, and the
// same errors.
TEST_CASE("ordered parse: the same tree and errors as nlohmann's parser, repeated keys included") {
  const std::vector<std::string> docs = {
      R"({"b":1,"a":2,"b":3})",
      R"({"z":{"y":1,"x":[1,2,{"w":null,"v":true,"w":false}]},"a":"s","z":0.5})",
      R"([1,-2,18446744073709551615,-9223372036854775808,1.5e300,"\u00e9\ud83d\ude00",[],{},[[{}]]])",
      R"("just a string")", "42", "null", "true",
      R"({"":1,"":{"":2}})",
      R"({"k":{"a":1},"k":[1]})",
  };
  for (const auto& d : docs) {
    CAPTURE(d);
    const auto mine = parse_ordered_json(d);
    const auto ref = nlohmann::ordered_json::parse(d);
    CHECK(mine == ref);
    CHECK(mine.dump() == ref.dump());
  }
  // Random documents over a small key alphabet (many repeats) and nesting.
  std::uint32_t seed = 11;
  const auto rnd = [&seed](std::uint32_t m) { seed = seed * 1664525u + 1013904223u; return (seed >> 8) % m; };
  std::function<std::string(int)> gen = [&](int depth) -> std::string {
    const auto kind = rnd(depth > 3 ? 4 : 6);
    if (kind == 0) return std::to_string(static_cast<int>(rnd(2000)) - 1000);
    if (kind == 1) return "\"" + std::string(1, static_cast<char>('a' + rnd(3))) + "\"";
    if (kind == 2) return rnd(2) ? "null" : "1.25";
    if (kind == 3) return rnd(2) ? "true" : "false";
    const int n = static_cast<int>(rnd(6));
    std::string s = kind == 4 ? "[" : "{";
    for (int i = 0; i < n; ++i) {
      if (i) s += ",";
      if (kind == 5) s += "\"" + std::string(1, static_cast<char>('a' + rnd(4))) + "\":";
      s += gen(depth + 1);
    }
    return s + (kind == 4 ? "]" : "}");
  };
  for (int t = 0; t < 500; ++t) {
    const std::string d = gen(0);
    CAPTURE(d);
    CHECK(parse_ordered_json(d).dump() == nlohmann::ordered_json::parse(d).dump());
  }
  // Errors: the same reason and position as before.
  for (const std::string bad : {R"({"a":1,})", R"({"a" 1})", R"([1,2)", R"({"a":[1,{"b":}]})", "", "1e999999"}) {
    CAPTURE(bad);
    std::string msg;
    std::uint64_t off = 0;
    try {
      const auto r = parse_ordered_json(bad, "the line");
      CHECK(r.is_discarded());  // not reached: every one of them is an error
    } catch (const Error& e) {
      msg = e.what();
      off = e.where().offset.value_or(0);
      CHECK(e.code() == Code::parse);
    }
    std::string ref;
    std::size_t ref_byte = 0;
    try {
      const auto r = nlohmann::ordered_json::parse(bad);
      CHECK(r.is_discarded());
    } catch (const nlohmann::json::parse_error& e) {
      ref = e.what();
      ref_byte = e.byte > 0 ? e.byte - 1 : 0;
    } catch (const nlohmann::json::exception& e) {
      ref = e.what();
    }
    const std::string prefix = "the line is not valid JSON: ";
    REQUIRE(msg.rfind(prefix, 0) == 0);
    const std::string reason = msg.substr(prefix.size());
    // the reason is nlohmann's message without its prefixes, from the same parser
    CHECK(reason.size() > 5);
    CHECK(ref.find(reason.substr(0, reason.find(" (at "))) != std::string::npos);
    if (ref_byte) CHECK(off == ref_byte);
  }
  // A wide object: 100,000 members, each key once, in order.
  std::string wide = "{";
  for (int i = 0; i < 100000; ++i) wide += (i ? ",\"k" : "\"k") + std::to_string(i) + "\":" + std::to_string(i);
  wide += ",\"k5\":-1}";
  const auto w = parse_ordered_json(wide);
  CHECK(w.size() == 100000);
  CHECK(w.begin().key() == "k0");
  CHECK(w["k5"] == -1);
  const auto& members = w.get_ref<const nlohmann::ordered_json::object_t&>();
  CHECK(std::next(members.begin(), 5)->first == "k5");
  CHECK(std::prev(members.end())->first == "k99999");
}
