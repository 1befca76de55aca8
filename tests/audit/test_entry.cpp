// Canonical entry encoding (docs/formats/audit-entry.md) and canonical JSON.
#include <doctest/doctest.h>

#include "civitas/audit.hpp"
#include "civitas/error.hpp"
#include "civitas/ids.hpp"

namespace a = civitas::audit;
using civitas::Code;

namespace {

std::string dept() {
  static std::string d = std::string("91110000MA0000000") + civitas::ids::uscc_check_char("91110000MA0000000");
  return d;
}

a::Entry sample() {
  a::Entry e;
  e.index = 258;
  e.time_ms = 1764382800123;
  e.actor_dept = dept();
  e.actor_user = "alice";
  e.action = "package.open";
  e.resource = "pkg-1";
  e.purpose = "tax audit";
  e.outcome = "ok";
  e.details = "{\"rows\":12}";
  return e;
}

}  // namespace

TEST_CASE("an entry encodes to the documented bytes and decodes back") {
  a::Entry e = sample();
  auto b = a::encode_entry(e);
  // version, index 258, time, then u32-length-prefixed fields in fixed order
  REQUIRE(b.size() == 1 + 8 + 8 + 7 * 4 + 18 + 5 + 12 + 5 + 9 + 2 + 11);
  CHECK(b[0] == 1);
  CHECK(b[7] == 1);
  CHECK(b[8] == 2);
  CHECK(b[17] == 0);
  CHECK(b[20] == 18);
  CHECK(std::string(b.begin() + 21, b.begin() + 39) == dept());
  a::Entry d = a::decode_entry(b.data(), b.size());
  CHECK(d.index == 258);
  CHECK(d.time_ms == e.time_ms);
  CHECK(d.actor() == dept() + ":alice");
  CHECK(d.action == "package.open");
  CHECK(d.resource == "pkg-1");
  CHECK(d.purpose == "tax audit");
  CHECK(d.outcome == "ok");
  CHECK(d.details == "{\"rows\":12}");
  CHECK(a::encode_entry(d) == b);
}

TEST_CASE("canonical JSON sorts keys by bytes, drops whitespace and keeps UTF-8") {
  CHECK(a::canonical_json(" { \"b\" : 1, \"a\" : [true, null, -5, \"x\"], \"\xC3\xA9\": {\"z\":{}, \"y\":[]} } ") ==
        "{\"a\":[true,null,-5,\"x\"],\"b\":1,\"\xC3\xA9\":{\"y\":[],\"z\":{}}}");
  CHECK(a::canonical_json("{\"s\":\"q\\\"\\\\/\\n\\u0001\\u00e9\\t\"}") == "{\"s\":\"q\\\"\\\\/\\n\\u0001\xC3\xA9\\t\"}");
  CHECK(a::canonical_json("{\"B\":1,\"a\":2,\"_\":3}") == "{\"B\":1,\"_\":3,\"a\":2}");
  CHECK(a::canonical_json("{\"n\":9007199254740992}") == "{\"n\":9007199254740992}");
}

TEST_CASE("canonical JSON: text already canonical is kept; near misses are canonicalised, not accepted") {
  // Already canonical (the one-pass check accepts these as they are).
  for (const char* ok : {"{}", "{\"a\":[],\"b\":{},\"c\":[1,-2,0,true,false,null]}", "{\"\":1,\"A\":2,\"a\":3,\"\xC3\xA9\":4}",
                         "{\"s\":\"q\\\"\\\\\\b\\f\\n\\r\\t\\u0001\\u001f\x7f\xE2\x82\xAC\"}", "{\"n\":-9007199254740992}",
                         "{\"d\":[[[{\"x\":[0]}]]]}"}) {
    CAPTURE(ok);
    CHECK(a::canonical_json(ok) == ok);
  }
  // Not canonical: the result differs from the input and is itself canonical.
  const std::pair<const char*, const char*> fixed[] = {
      {"{\"a\":-0}", "{\"a\":0}"},
      {"{\"a\":\"\\u0041\"}", "{\"a\":\"A\"}"},
      {"{\"a\":\"\\u000a\"}", "{\"a\":\"\\n\"}"},
      {"{\"a\":\"\\u001F\"}", "{\"a\":\"\\u001f\"}"},
      {"{\"a\":\"\\/\"}", "{\"a\":\"/\"}"},
      {"{\"b\":1,\"a\":2}", "{\"a\":2,\"b\":1}"},
      {"{\"\\u0062\":1,\"a\":2}", "{\"a\":2,\"b\":1}"},
      {"{\"a\": 1}", "{\"a\":1}"},
  };
  for (const auto& f : fixed) {
    const char* in = f.first;
    const char* out = f.second;
    CAPTURE(in);
    CHECK(a::canonical_json(in) == out);
    CHECK(a::canonical_json(out) == out);
  }
  for (const char* bad : {"{\"a\":01}", "{\"a\":-}", "{\"a\":\"\\x\"}", "{\"a\":\"\\u00\"}", "{\"a\":\"x}", "{\"a\":1,}",
                          "{\"a\":tru}", "{\"a\":\"\x01\"}", "{\"a\":-9007199254740993}"}) {
    CAPTURE(bad);
    CHECK_THROWS_AS(a::canonical_json(bad), civitas::Error);
  }
}

TEST_CASE("canonical JSON rejects what two implementations could encode differently") {
  for (const char* bad : {"{\"n\":1.5}", "{\"n\":1e3}", "{\"n\":9007199254740993}", "[1]", "\"s\"", "{", "{\"a\":\"\xff\"}",
                          "{\"a\":1} x"}) {
    CAPTURE(bad);
    CHECK_THROWS_AS(a::canonical_json(bad), civitas::Error);
  }
  std::string deep(100, '[');
  deep = "{\"a\":" + deep + std::string(100, ']') + "}";
  CHECK_THROWS_AS(a::canonical_json(deep), civitas::Error);
}

TEST_CASE("check_event validates the actor, required fields and canonicalises details") {
  a::Event ev;
  ev.actor_dept = dept();
  ev.action = "x";
  ev.details = "{ \"b\":2, \"a\":1 }";
  a::check_event(ev);
  CHECK(ev.details == "{\"a\":1,\"b\":2}");
  a::Event bad = ev;
  bad.actor_dept = "911100000000000000";
  CHECK_THROWS_AS(a::check_event(bad), civitas::Error);
  bad = ev;
  bad.action.clear();
  CHECK_THROWS_AS(a::check_event(bad), civitas::Error);
  bad = ev;
  bad.resource = "a\nb";
  CHECK_THROWS_AS(a::check_event(bad), civitas::Error);
  bad = ev;
  bad.purpose = std::string(5000, 'p');
  CHECK_THROWS_AS(a::check_event(bad), civitas::Error);
  bad = ev;
  bad.details = "[]";
  try {
    a::check_event(bad);
    FAIL("accepted");
  } catch (const civitas::Error& e) {
    CHECK(e.code() == Code::invalid_argument);
  }
}

TEST_CASE("decoding rejects truncated, trailing, unknown-version and non-canonical bytes with the offset") {
  auto b = a::encode_entry(sample());
  for (std::size_t n = 0; n < b.size(); ++n) CHECK_THROWS_AS(a::decode_entry(b.data(), n), civitas::Error);
  auto t = b;
  t.push_back(0);
  CHECK_THROWS_AS(a::decode_entry(t.data(), t.size()), civitas::Error);
  t = b;
  t[0] = 2;
  try {
    a::decode_entry(t.data(), t.size());
    FAIL("accepted");
  } catch (const civitas::Error& e) {
    CHECK(e.code() == Code::unsupported_version);
  }
  a::Entry e = sample();
  e.details = "{\"rows\": 12}";  // a space: not canonical
  auto nc = a::encode_entry(e);
  CHECK_THROWS_AS(a::decode_entry(nc.data(), nc.size()), civitas::Error);
  t = b;
  t[20] = 0xff;  // huge length
  try {
    a::decode_entry(t.data(), t.size());
    FAIL("accepted");
  } catch (const civitas::Error& x) {
    CHECK(x.where().offset.has_value());
  }
}

TEST_CASE("split_actor separates department and user at the first colon") {
  std::string d, u;
  a::split_actor("91110000MA0000000X:bob:x", d, u);
  CHECK(d == "91110000MA0000000X");
  CHECK(u == "bob:x");
  a::split_actor("D", d, u);
  CHECK(d == "D");
  CHECK(u.empty());
}

TEST_CASE("a batch line parses into event fields; bad lines are parse errors at their line") {
  civitas::Location at;
  at.row = 7;
  auto l = civitas::audit::parse_event_line(
      R"({"actor":"91350100M000100Y43:u","action":"x","details":{"b":1,"a":2},"resource":null})", at);
  CHECK(l.actor == "91350100M000100Y43:u");
  CHECK(l.action == "x");
  CHECK(l.resource.empty());
  CHECK(l.outcome == "ok");
  CHECK(l.details == R"({"a":2,"b":1})");
  CHECK(civitas::audit::parse_event_line(R"({"details":"{\"k\":true}"})", at).details == R"({"k":true})");
  for (const char* bad : {"{", "[1]", "42", R"({"action":5})", R"({"outcome":["ok"]})"}) {
    CAPTURE(bad);
    try {
      civitas::audit::parse_event_line(bad, at);
      FAIL("accepted");
    } catch (const civitas::Error& e) {
      CHECK(e.code() == civitas::Code::parse);
      CHECK(e.where().row == 7);
    }
  }
  civitas::audit::Event e;
  e.actor_dept = "not a uscc";
  e.action = "x";
  try {
    civitas::audit::check_event_at(e, at);
    FAIL("accepted");
  } catch (const civitas::Error& x) {
    CHECK(x.where().row == 7);
  }
}

TEST_CASE("make_event splits the actor and keeps the other fields as given") {
  a::Event e = a::make_event(dept() + ":alice", "data.read", "res-1", "audit", "denied", "");
  CHECK(e.actor_dept == dept());
  CHECK(e.actor_user == "alice");
  CHECK(e.action == "data.read");
  CHECK(e.resource == "res-1");
  CHECK(e.purpose == "audit");
  CHECK(e.outcome == "denied");
  CHECK(e.details.empty());  // not defaulted, not checked: check_event() does that
  CHECK(a::make_event(dept(), "x", "", "", "ok", "{}").actor_user.empty());
}

TEST_CASE("a verify report renders as the JSON of audit verify --json, with or without nodes") {
  a::VerifyReport r;
  r.entries = 3;
  r.nodes = 2;
  r.checkpoints = 1;
  r.problems.push_back({"changed", 1, "entry 1 changed"});
  r.problems.push_back({"checkpoint", std::nullopt, "bad \"note\""});
  const std::string root = a::hash_hex(r.root);
  CHECK(a::verify_report_json(r) ==
        R"({"checkpoints":1,"entries":3,"nodes":2,"ok":false,"problems":[{"index":1,"kind":"changed","message":"entry 1 changed"},)"
        R"({"index":null,"kind":"checkpoint","message":"bad \"note\""}],"root":")" + root + R"("})");
  r.problems.clear();
  CHECK(a::verify_report_json(r, false) == R"({"checkpoints":1,"entries":3,"ok":true,"problems":[],"root":")" + root + R"("})");
}
