// Specs (errors name the JSON path), built-in hierarchies and their checks, and runs on
// files (local recoding, actions, suppression in place).
#include <doctest/doctest.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <unistd.h>

#include "civitas/deid.hpp"
#include "deid/run_detail.hpp"

using namespace civitas;
using namespace civitas::deid;

namespace {

std::string spec_error(const std::string& text) {
  try {
    parse_spec(text);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

std::string slurp(const std::string& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string tmp_path(const std::string& name) {
  return "/tmp/civitas_test_deid_" + std::to_string(::getpid()) + "_" + name;
}

}  // namespace

TEST_CASE("spec: the issue's minimum spec and the long forms") {
  const Spec s = parse_spec(R"({"fields": {"age": {"role": "quasi-identifier", "hierarchy": "age.csv"},
      "occupation": {"role": "sensitive"}}, "privacy": {"k": 5, "l": 3, "t": 0.2, "suppression_limit": 0.01}})");
  REQUIRE(s.fields.size() == 2);
  CHECK(s.fields[0].name == "age");
  CHECK(s.privacy.k == 5);
  REQUIRE(s.privacy.l);
  CHECK(s.privacy.l->variant == LVariant::distinct);
  CHECK(s.privacy.l->l == 3);
  REQUIRE(s.privacy.t);
  CHECK(s.privacy.t->distance == TDistance::equal);
  CHECK(s.privacy.suppression_limit == 0.01);
  CHECK(s.privacy.measure == Measure::entropy);
  const Spec r = parse_spec(R"({"fields": {"o": {"role": "sensitive", "hierarchy": "o.csv"}, "b": {"role": "quasi-identifier", "hierarchy": "gb2260"}},
      "privacy": {"l": {"variant": "recursive", "l": 3, "c": 4}, "t": {"t": 0.1, "distance": "hierarchical"},
                  "measure": "discernibility", "recoding": "local"}})");
  CHECK(r.fields[0].name == "o");  // document order
  CHECK(r.privacy.l->c == 4);
  CHECK(r.privacy.t->distance == TDistance::hierarchical);
  CHECK(r.privacy.recoding == Recoding::local);
  CHECK(r.privacy.to_json()["l"]["variant"] == "recursive");
}

TEST_CASE("spec: errors name the JSON path") {
  CHECK(spec_error("[1]").find("$: expected an object") != std::string::npos);
  CHECK(spec_error(R"({"privacy": {}})").find("missing \"fields\"") != std::string::npos);
  CHECK(spec_error(R"({"fields": {"a": {"role": "boss"}}})").find("$.fields.a.role") != std::string::npos);
  CHECK(spec_error(R"({"fields": {"a": {"role": "quasi-identifier"}}})").find("needs a \"hierarchy\"") != std::string::npos);
  CHECK(spec_error(R"({"fields": {}, "privacy": {"k": 2.5}})").find("$.privacy.k") != std::string::npos);
  CHECK(spec_error(R"({"fields": {}, "privacy": {"kk": 2}})").find("$.privacy.kk: unknown key") != std::string::npos);
  CHECK(spec_error(R"({"fields": {"s": {"role": "sensitive"}}, "privacy": {"l": {"variant": "recursive", "l": 3}}})").find("needs \"c\"") != std::string::npos);
  CHECK(spec_error(R"({"fields": {"s": {"role": "sensitive"}}, "privacy": {"t": {"t": 2}}})").find("$.privacy.t") != std::string::npos);
  CHECK(spec_error(R"({"fields": {}, "privacy": {"l": 2}})").find("role \"sensitive\"") != std::string::npos);
  CHECK(spec_error(R"({"fields": {"s": {"role": "sensitive"}}, "privacy": {"t": {"t": 0.2, "distance": "hierarchical"}}})").find("$.fields.s") != std::string::npos);
  CHECK(spec_error(R"({"fields": {"a": {"role": "insensitive", "action": "shred"}}})").find("$.fields.a.action") != std::string::npos);
  CHECK(spec_error(R"({"fields": {}, "privacy": {"measure": "fun"}})").find("$.privacy.measure") != std::string::npos);
  CHECK(spec_error("{\"fields\": ").find("not valid JSON") != std::string::npos);
}

TEST_CASE("hierarchies: built-ins") {
  const Hierarchy d = Hierarchy::build("date", ".", {"2024-05-17", "2019-12-31"});
  REQUIRE(d.levels() == 5);
  CHECK(d.label(1, d.of(1, 0)) == "2024-05");
  CHECK(d.label(2, d.of(2, 0)) == "2024");
  CHECK(d.label(3, d.of(3, 1)) == "2010-2019");
  CHECK(d.label(4, d.of(4, 1)) == "*");
  const Hierarchy g = Hierarchy::build("gb2260", ".", {"110105", "110108", "440305"});
  REQUIRE(g.levels() == 4);
  CHECK(g.label(1, g.of(1, 0)) == "110100");
  CHECK(g.of(1, 0) == g.of(1, 1));
  CHECK(g.label(2, g.of(2, 2)) == "440000");
  const Hierarchy iv = Hierarchy::build("interval:5", ".", {"34", "36", "47"});
  CHECK(iv.label(1, iv.of(1, 0)) == "30-34");
  CHECK(iv.label(1, iv.of(1, 1)) == "35-39");
  CHECK(iv.label(iv.levels() - 1, 0) == "*");
  CHECK(iv.labels_at(iv.levels() - 2) == 1);  // one interval holds every value below the top
  const Hierarchy ric = Hierarchy::build("mask:ric", ".", {"11010519491231002X"});
  CHECK(ric.label(1, 0) == "1101051949********");
  CHECK(ric.label(2, 0) == "110105************");
  const Hierarchy uscc = Hierarchy::build("mask:uscc", ".", {"91350100M000100Y43"});
  CHECK(uscc.label(1, 0) == "91350100**********");
  CHECK_THROWS_AS(Hierarchy::build("date", ".", {"2024-13-01"}), Error);
  CHECK_THROWS_AS(Hierarchy::build("gb2260", ".", {"12345"}), Error);
  CHECK_THROWS_AS(Hierarchy::build("interval:0", ".", {"1"}), Error);
  CHECK_THROWS_AS(Hierarchy::build("interval:5", ".", {"ten"}), Error);
  CHECK_THROWS_AS(Hierarchy::build("mask:zip", ".", {"1"}), Error);
}

TEST_CASE("hierarchies: files are checked") {
  CHECK_THROWS_WITH_AS(Hierarchy::from_rows({{"a", "x", "*"}, {"b", "x"}}, {"a", "b"}), doctest::Contains("levels"), Error);
  CHECK_THROWS_WITH_AS(Hierarchy::from_rows({{"a", "x", "*"}, {"a", "y", "*"}}, {"a"}), doctest::Contains("listed twice"), Error);
  CHECK_THROWS_WITH_AS(Hierarchy::from_rows({{"a", "x", "*"}, {"b", "x", "+"}}, {"a", "b"}), doctest::Contains("inconsistent levels"), Error);
  CHECK_THROWS_WITH_AS(Hierarchy::from_rows({{"a", "x", "*"}}, {"a", "c"}), doctest::Contains("\"c\" is not in"), Error);
  const Hierarchy h = Hierarchy::from_rows({{"a", "x", "*"}, {"b", "x", "*"}, {"c", "y", "*"}}, {"c", "a"});
  CHECK(h.values() == 2);
  CHECK(h.labels_at(1) == 2);
}

TEST_CASE("runs: local recoding keeps k on the whole release and suppresses no more than global") {
  const std::string adult = CIVITAS_ADULT_DIR;
  std::string fields;
  for (const char* q : {"age", "education", "marital-status", "native-country", "race", "salary-class", "sex", "workclass"})
    fields += std::string("\"") + q + "\": {\"role\": \"quasi-identifier\", \"hierarchy\": \"adult_hierarchy_" + q + ".csv\"},";
  fields += "\"occupation\": {\"role\": \"sensitive\"}";
  RunOptions o;
  o.delimiter = ';';
  const std::string global_text = "{\"fields\": {" + fields + "}, \"privacy\": {\"k\": 5, \"suppression_limit\": 0.05}}";
  const std::string local_text = "{\"fields\": {" + fields + "}, \"privacy\": {\"k\": 5, \"suppression_limit\": 0.05, \"recoding\": \"local\"}}";
  const std::string out = tmp_path("local.csv");
  const auto g = run_files(parse_spec(global_text, adult), global_text, adult + "/adult.csv", out, o);
  const auto l = run_files(parse_spec(local_text, adult), local_text, adult + "/adult.csv", out, o);
  CHECK(l["suppressed"].get<std::uint64_t>() <= g["suppressed"].get<std::uint64_t>());
  CHECK(l["suppressed"].get<std::uint64_t>() <= 1508);
  for (const auto& sc : l["class_sizes"]["after"]) CHECK(sc[0].get<std::uint64_t>() >= 5);
  CHECK(l["search"]["recoding"] == "local");
  CHECK(l["search"]["local"].is_array());
  std::remove(out.c_str());
}

TEST_CASE("runs: suppressed records in place, actions, report") {
  const std::string in = tmp_path("in.csv"), out = tmp_path("out.csv"), h = tmp_path("age.csv");
  std::ofstream(in) << "name,age,phone,city\nAnn,34,13800001111,x\nBob,35,13800002222,y\nCid,36,13800003333,z\nDan,47,13800004444,w\n";
  std::ofstream(h) << "34;30-39;*\n35;30-39;*\n36;30-39;*\n47;40-49;*\n";
  const std::string text = "{\"fields\": {\"name\": {\"role\": \"identifier\"}, \"age\": {\"role\": \"quasi-identifier\", \"hierarchy\": \"" + h +
                           "\"}, \"phone\": {\"role\": \"insensitive\", \"action\": {\"action\": \"mask\", \"keep_first\": 3, \"keep_last\": 2}}},"
                           " \"privacy\": {\"k\": 3, \"suppression_limit\": 0.25}}";
  const auto r = run_files(parse_spec(text), text, in, out, RunOptions{});
  CHECK(slurp(out) == "age,phone,city\n30-39,138******11,x\n30-39,138******22,y\n30-39,138******33,z\n*,138******44,w\n");
  CHECK(r["suppressed"] == 1);
  CHECK(r["classes"] == 1);
  CHECK(r["fields"][0]["action"] == "drop");
  CHECK(r["fields"][2]["action"] == "mask");
  CHECK(r["fields"][3]["role"].is_null());
  CHECK(r["risk"]["after"].is_object());
  RunOptions drop;
  drop.drop_suppressed = true;
  run_files(parse_spec(text), text, in, out, drop);
  CHECK(slurp(out) == "age,phone,city\n30-39,138******11,x\n30-39,138******22,y\n30-39,138******33,z\n");
  // keyed actions without keys: an error before anything is written
  std::remove(out.c_str());
  const std::string keyed = "{\"fields\": {\"name\": {\"role\": \"identifier\", \"action\": \"tokenize\"}}}";
  CHECK_THROWS_AS(run_files(parse_spec(keyed), keyed, in, out, RunOptions{}), Error);
  CHECK(!std::ifstream(out).good());
  std::remove(in.c_str());
  std::remove(h.c_str());
}

// A large file is split and interned by two threads (run_detail.hpp); the result must be the
// one thread's, byte for byte, report included. The halves see the values in other orders
// (the second half's ids are mapped onto the first's), and the sensitive values decide the
// search (l-diversity, t-closeness), so a wrong mapping changes the levels or the measures.
TEST_CASE("runs: two threads give the result of one") {
  const std::string in = tmp_path("two_in.csv"), out1 = tmp_path("two_o1.csv"), out2 = tmp_path("two_o2.csv");
  std::uint32_t seed = 11;
  const auto rnd = [&seed](std::uint32_t m) { seed = seed * 1103515245u + 12345u; return (seed >> 16) % m; };
  static const char* const cities[] = {"Harbin", "Wuhan", "Xi'an", "Jinan", "Kunming", "Lhasa"};
  static const char* const diseases[] = {"flu", "asthma", "diabetes", "gout", "measles"};
  bool any_suppressed = false;  // some runs suppress records (written in place, or dropped)
  for (const char* eol : {"\n", "\r\n"}) {
    CAPTURE(std::string(eol));
    std::string f = std::string("name,age,city,disease") + eol;
    for (int r = 0; r < 3000; ++r) {
      const bool late = r >= 1500;  // the second half starts with other values
      f += "P" + std::to_string(r) + "," + std::to_string(late ? 90 - static_cast<int>(rnd(40)) : 18 + static_cast<int>(rnd(60))) + "," +
           cities[late ? 5 - rnd(6) : rnd(6)] + "," + diseases[late ? 4 - rnd(5) : rnd(5)] + eol;
    }
    std::ofstream(in, std::ios::binary) << f;
    for (const std::string privacy : {"{\"k\": 3, \"l\": 3, \"suppression_limit\": 0.02}",
                                      "{\"k\": 2, \"t\": 0.25, \"suppression_limit\": 0.05}"}) {
      CAPTURE(privacy);
      const std::string text = "{\"fields\": {\"name\": {\"role\": \"identifier\"}, \"age\": {\"role\": \"quasi-identifier\", \"hierarchy\": "
                               "\"interval:5\"}, \"city\": {\"role\": \"quasi-identifier\", \"hierarchy\": \"" + tmp_path("two_city.csv") +
                               "\"}, \"disease\": {\"role\": \"sensitive\"}}, \"privacy\": " + privacy + "}";
      std::ofstream(tmp_path("two_city.csv")) << "Harbin;North;*\nJinan;North;*\nXi'an;North;*\nWuhan;South;*\nKunming;South;*\nLhasa;South;*\n";
      for (const bool drop : {false, true}) {
        CAPTURE(drop);
        RunOptions o;
        o.drop_suppressed = drop;
        const auto r1 = run_files(parse_spec(text), text, in, out1, o);
        deid::detail::set_parallel_min(0, 0);
        nlohmann::json r2;
        try {
          r2 = run_files(parse_spec(text), text, in, out2, o);
        } catch (...) {
          deid::detail::set_parallel_min(std::size_t{1} << 20, 16384);
          throw;
        }
        deid::detail::set_parallel_min(std::size_t{1} << 20, 16384);
        CHECK(slurp(out1) == slurp(out2));
        CHECK(r1 == r2);
        CHECK(r1["input"]["rows"] == 3000);
        any_suppressed = any_suppressed || r1["suppressed"].get<std::uint64_t>() > 0;
      }
    }
  }
  CHECK(any_suppressed);
  for (const auto& p : {in, out1, out2, tmp_path("two_city.csv")}) std::remove(p.c_str());
}

// run_files reads a file without quote characters by splitting it in place (split_plain) and
// any other file with the CSV reader. The same records written both ways (one cell quoted, which
// the reader takes as the same value) must give the same output, the same report apart from
// the input's hash, and the same errors.
TEST_CASE("runs: the in-place split of a plain file agrees with the CSV reader") {
  const std::string h = tmp_path("plain_age.csv"), out1 = tmp_path("plain_o1.csv"), out2 = tmp_path("plain_o2.csv");
  std::ofstream(h) << "34;30-39;*\n35;30-39;*\n36;30-39;*\n47;40-49;*\n";
  const std::string text = "{\"fields\": {\"name\": {\"role\": \"identifier\"}, \"age\": {\"role\": \"quasi-identifier\", \"hierarchy\": \"" + h +
                           "\"}, \"city\": {\"role\": \"sensitive\"}}, \"privacy\": {\"k\": 2, \"suppression_limit\": 0.5}}";
  // {plain file, the same with the first data cell quoted}
  struct Case { const char* what; std::string plain; };
  static const char kNul[] = "name,age,city,note\nA\0n,34,x,\xE4\xB8\xAD\nBob,35,y,\nCid,36,x,\nDan,47,w,\n";
  const std::vector<Case> cases = {
      {"LF", "name,age,city,note\nAnn,34,x,\nBob,35,y,a b\nCid,36,x,\nDan,47,w,z\n"},
      {"CRLF", "name,age,city,note\r\nAnn,34,x,\r\nBob,35,y,a b\r\nCid,36,x,\r\nDan,47,w,z\r\n"},
      {"lone CR", "name,age,city,note\rAnn,34,x,\rBob,35,y,a b\rCid,36,x,\rDan,47,w,z"},
      {"BOM, no final newline", "\xEF\xBB\xBFname,age,city,note\nAnn,34,x,1\nBob,35,y,2\nCid,36,x,3\nDan,47,w,"},
      {"NUL and UTF-8 in cells", std::string(kNul, sizeof kNul - 1)},
      {"header only", "name,age,city,note\n"},
      {"mixed endings (more rows than either count)", "name,age,city,note\rAnn,34,x,1\nBob,35,y,2\rCid,36,x,3\nDan,47,w,4"},
  };
  // And random files: rows of random cells and line endings, each row starting with a word
  // (the one that gets quoted), some rows with a wrong number of cells.
  std::uint32_t seed = 7;
  const auto rnd = [&seed](std::uint32_t m) { seed = seed * 1103515245u + 12345u; return (seed >> 16) % m; };
  std::vector<Case> generated;
  std::vector<std::string> names;
  for (int t = 0; t < 150; ++t) {
    static const char* const ends[] = {"\n", "\r\n", "\r"};
    static const char* const cells[] = {"", "x", "y", "34", "35", "36", "47", "a b", "\xE4\xB8\xAD", std::string_view("\0", 1).data()};
    std::string f = std::string("name,age,city,note") + ends[rnd(3)];
    const int rows = static_cast<int>(rnd(6));
    for (int r = 0; r < rows; ++r) {
      f += "P" + std::to_string(r);
      const int extra = rnd(10) == 0 ? static_cast<int>(rnd(5)) : 3;
      for (int c = 0; c < extra; ++c) f += std::string(",") + (c == 0 ? std::string(cells[3 + rnd(4)]) : std::string(cells[rnd(9)]));
      if (r + 1 < rows || rnd(2)) f += ends[rnd(3)];
    }
    names.push_back("random " + std::to_string(t));
    generated.push_back({nullptr, f});
  }
  for (std::size_t g = 0; g < generated.size(); ++g) generated[g].what = names[g].c_str();
  std::vector<Case> all = cases;
  all.insert(all.end(), generated.begin(), generated.end());
  for (const auto& c : all) {
    CAPTURE(std::string(c.what));
    std::string quoted = c.plain;
    const auto at = quoted.find_first_of("\r\n");
    if (at != std::string::npos && at + 1 < quoted.size()) {
      std::size_t s = at + 1;
      while (s < quoted.size() && (quoted[s] == '\r' || quoted[s] == '\n')) ++s;
      if (s < quoted.size()) {
        auto e = quoted.find_first_of(",\r\n", s);
        if (e == std::string::npos) e = quoted.size();
        quoted.insert(e, "\"");
        quoted.insert(s, "\"");
      }
    }
    const std::string in = tmp_path("plain_in.csv");  // one path: errors name it
    std::string e1, e2, e3;
    nlohmann::json r1, r2, r3;
    std::ofstream(in, std::ios::binary) << c.plain;
    try { r1 = run_files(parse_spec(text), text, in, out1, RunOptions{}); } catch (const Error& e) { e1 = e.what(); }
    // The plain file again, split and interned by two threads (split_plain's second part
    // starts after the first '\n' from the middle), then the quoted one (the CSV reader, and
    // interning by two threads).
    deid::detail::set_parallel_min(0, 0);
    const std::string out3 = tmp_path("plain_o3.csv");
    try { r3 = run_files(parse_spec(text), text, in, out3, RunOptions{}); } catch (const Error& e) { e3 = e.what(); }
    std::ofstream(in, std::ios::binary) << quoted;
    try { r2 = run_files(parse_spec(text), text, in, out2, RunOptions{}); } catch (const Error& e) { e2 = e.what(); }
    deid::detail::set_parallel_min(std::size_t{1} << 20, 16384);
    CHECK(e1 == e2);
    CHECK(e1 == e3);
    if (e1.empty()) {
      CHECK(slurp(out1) == slurp(out2));
      CHECK(slurp(out1) == slurp(out3));
      CHECK(r1 == r3);
      r1["input"].erase("sha256");
      r2["input"].erase("sha256");
      CHECK(r1.dump() == r2.dump());
    }
    std::remove(in.c_str());
    std::remove(out3.c_str());
  }
  // Errors: a short row, a long row, an empty line; each named by its row, as the reader does.
  for (const std::string bad : {"name,age,city,note\nAnn,34,x\n", "name,age,city,note\nAnn,34,x,1,2\n", "name,age,city,note\nAnn,34,x,1\n\nBob,35,y,2\n",
                                "name,age,city,note\r\nAnn,34,x,1\r\n\r\nBob,35,y,2\r\n"}) {
    const std::string in = tmp_path("plain_bad.csv");
    std::string q = bad;
    q.insert(q.find("Ann"), "\"");
    q.insert(q.find("Ann") + 3, "\"");
    std::string e1, e2, e3;
    std::ofstream(in, std::ios::binary) << bad;
    try { run_files(parse_spec(text), text, in, out1, RunOptions{}); } catch (const Error& e) { e1 = std::string(e.what()) + " @" + std::to_string(e.where().row.value_or(0)); }
    deid::detail::set_parallel_min(0, 0);
    try { run_files(parse_spec(text), text, in, out1, RunOptions{}); } catch (const Error& e) { e3 = std::string(e.what()) + " @" + std::to_string(e.where().row.value_or(0)); }
    deid::detail::set_parallel_min(std::size_t{1} << 20, 16384);
    std::ofstream(in, std::ios::binary) << q;
    try { run_files(parse_spec(text), text, in, out2, RunOptions{}); } catch (const Error& e) { e2 = std::string(e.what()) + " @" + std::to_string(e.where().row.value_or(0)); }
    CAPTURE(bad);
    CHECK(!e1.empty());
    CHECK(e1 == e2);
    CHECK(e1 == e3);
    std::remove(in.c_str());
  }
  std::remove(out1.c_str());
  std::remove(out2.c_str());
  std::remove(h.c_str());
}
