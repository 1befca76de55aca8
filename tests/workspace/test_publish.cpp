// Workspace::publish and verify_publication (docs/publish.md, docs/formats/publication.md):
// the job on the synthetic employment table, its refusals (nothing left behind, each audited),
// progress, and the manifest's signature and hashes.
#include <doctest/doctest.h>
#include <sodium.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "civitas/audit.hpp"
#include "civitas/error.hpp"
#include "civitas/workspace.hpp"
#include "common/fixtures.hpp"

using namespace civitas;
using namespace civitas::workspace;
namespace fs = std::filesystem;
using civitas::test::code_of;
using nlohmann::json;

namespace {
std::string slurp(const std::string& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}
std::string ex(const std::string& name) { return std::string(CIVITAS_SOURCE_DIR) + "/examples/data/" + name; }
const char* kCode = "105002001/000031";

struct Fixture {
  test::TempDir d{"civitas-publish"};
  std::unique_ptr<Workspace> ws;
  Fixture() {
    CreateOptions o;
    o.department = "11350100003001527P";
    o.name = "人社局";
    crypto::SecretBytes k(32);
    randombytes_buf(k.data(), 32);
    ws = Workspace::create(d.file("w.db"), KeySource::raw_key(std::move(k)), o);
    ws->catalog_add(json::parse(slurp(ex("employment.catalog.json"))));
  }
  Workspace::PublishOptions opts(bool open_policy = true) const {
    Workspace::PublishOptions o;
    o.resource = kCode;
    o.schema_json = slurp(ex("employment.schema.json"));
    if (open_policy) o.policy_json = slurp(ex("employment.policy.json"));
    return o;
  }
  std::vector<std::string> entries(const std::string& outcome) {
    std::vector<std::string> out;
    audit::Filter flt;
    flt.action = "publish.run";
    for (auto& se : audit::WorkspaceLog::open(*ws)->log().query(flt))
      if (se.entry.outcome == outcome) out.push_back(se.entry.details);
    return out;
  }
  /// The names in the temporary directory besides the workspace's files.
  std::vector<std::string> leftovers() const {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(d.p)) {
      const std::string n = e.path().filename().string();
      if (n.rfind("w.db", 0) != 0) out.push_back(n);
    }
    return out;
  }
};

std::string refusal_reason(const std::function<void()>& f) {
  try {
    f();
  } catch (const Workspace::PublishRefused& e) {
    return e.reason + "|" + e.column;
  } catch (const Error& e) {
    return std::string("error:") + code_name(e.code());
  }
  return "none";
}
}  // namespace

TEST_CASE("publish: the employment table, opened under the example policy, verifies") {
  Fixture f;
  std::vector<std::string> steps;
  auto o = f.opts();
  o.progress = [&steps](std::string_view s, double done) {
    CHECK(done >= 0.0);
    CHECK(done <= 1.0);
    steps.emplace_back(s);
  };
  const std::string out = f.d.file("pub");
  json r = f.ws->publish(ex("employment.csv"), out, o);
  CHECK(steps.front() == "validate");
  CHECK(steps.back() == "done");
  CHECK(std::find(steps.begin(), steps.end(), "sign") != steps.end());
  CHECK(r["risk"]["after"]["prosecutor"]["max"].get<double>() <= 0.05);
  CHECK(r["risk"]["before"]["prosecutor"]["max"].get<double>() == 1.0);
  CHECK(r["decision"]["decision"] == "allow_with_obligations");
  for (const char* n : {"data.csv", "datapackage.json", "dcat.jsonld", "deid-report.json", "deid-report.html", "manifest.json"})
    CHECK(fs::exists(fs::path(out) / n));
  CHECK(f.leftovers() == std::vector<std::string>{"pub"});
  const std::string header = slurp(out + "/data.csv").substr(0, slurp(out + "/data.csv").find('\n'));
  CHECK(header.find("ric") == std::string::npos);
  CHECK(header.find("phone") == std::string::npos);
  CHECK(header.find("birth_date") != std::string::npos);
  // the Table Schema describes the columns as published
  json dp = json::parse(slurp(out + "/datapackage.json"));
  json fields = dp["resources"][0]["schema"]["fields"];
  std::string names;
  for (const auto& x : fields) names += x["name"].get<std::string>() + ",";
  CHECK(names + "\n" == std::string(header) + ",\n");
  // one entry, with the manifest's hash
  auto ok = f.entries("ok");
  REQUIRE(ok.size() == 1);
  json det = json::parse(ok[0]);
  CHECK(det["manifest_sha256"].get<std::string>().size() == 64);
  CHECK(det["files"].size() == 5);

  json v = f.ws->verify_publication(out);
  CHECK(v["resource"] == kCode);
  CHECK(v["signer"] == "workspace");
  json v2 = Workspace::verify_publication_with(out, f.ws->export_public());
  CHECK(v2["signer"] == "document");

  // a changed byte, a changed manifest, an extra file
  {
    std::ofstream(out + "/deid-report.html", std::ios::app) << " ";
    CHECK(code_of([&] { f.ws->verify_publication(out); }) == Code::integrity);
  }
  CHECK(code_of([&] { f.ws->publish(ex("employment.csv"), out, f.opts()); }) == Code::exists);
}

TEST_CASE("publish: a tampered manifest or another department's key does not verify") {
  Fixture f;
  const std::string out = f.d.file("pub");
  f.ws->publish(ex("employment.csv"), out, f.opts());
  const std::string m = slurp(out + "/manifest.json");
  {
    std::string t = m;
    const auto p = t.find("\"title\": \"");
    REQUIRE(p != std::string::npos);
    t.insert(p + 10, "X");
    std::ofstream(out + "/manifest.json", std::ios::trunc) << t;
    CHECK(code_of([&] { f.ws->verify_publication(out); }) == Code::bad_signature);
    std::ofstream(out + "/manifest.json", std::ios::trunc) << m;
  }
  CHECK(code_of([&] { f.ws->verify_publication(out); }) == Code::ok);
  Fixture other;
  CHECK(code_of([&] { Workspace::verify_publication_with(out, other.ws->export_public()); }) == Code::unknown_key);
  std::ofstream(out + "/notes.txt") << "x";
  CHECK(code_of([&] { f.ws->verify_publication(out); }) == Code::integrity);
}

TEST_CASE("publish: refusals name the column and the rule, leave nothing, and are audited") {
  Fixture f;
  const std::string out = f.d.file("pub");
  // the bundled policy does not open a general-4 table
  CHECK(refusal_reason([&] { f.ws->publish(ex("employment.csv"), out, f.opts(false)); }) == "policy|");
  // a spec that keeps the phone numbers
  auto o = f.opts();
  o.spec_json = R"({"fields": {"name": {"role": "identifier"}, "ric": {"role": "identifier"},
                               "address": {"role": "identifier"}, "phone": {"role": "identifier", "action": "keep"},
                               "birth_date": {"role": "quasi-identifier", "hierarchy": "date"},
                               "division": {"role": "quasi-identifier", "hierarchy": "gb2260"},
                               "registered": {"role": "quasi-identifier", "hierarchy": "date"}},
                    "privacy": {"k": 20}})";
  CHECK(refusal_reason([&] { f.ws->publish(ex("employment.csv"), out, o); }) == "identifier|phone");
  // k = 2: classes under 20 remain
  o.spec_json = R"({"fields": {"name": {"role": "identifier"}, "ric": {"role": "identifier"},
                               "address": {"role": "identifier"}, "phone": {"role": "identifier"},
                               "birth_date": {"role": "quasi-identifier", "hierarchy": "date"},
                               "division": {"role": "quasi-identifier", "hierarchy": "gb2260"},
                               "registered": {"role": "quasi-identifier", "hierarchy": "date"}},
                    "privacy": {"k": 2}})";
  try {
    f.ws->publish(ex("employment.csv"), out, o);
    FAIL("published above the threshold");
  } catch (const Workspace::PublishRefused& e) {
    CHECK(e.reason == "risk");
    CHECK(e.rule == "/risk/threshold");
    CHECK(e.code() == Code::denied);
  }
  // data that breaks its schema
  {
    std::string csv = slurp(ex("employment.csv"));
    const auto p = csv.find(",女,");
    REQUIRE(p != std::string::npos);
    csv.replace(p, 5, ",X,");
    std::ofstream(f.d.file("bad.csv")) << csv;
    CHECK(refusal_reason([&] { f.ws->publish(f.d.file("bad.csv"), out, f.opts()); }) == "invalid|gender");
  }
  // a progress callback that throws stops the job
  {
    auto p = f.opts();
    p.progress = [](std::string_view s, double) {
      if (s == "sign") throw Error(Code::io, "stopped");
    };
    CHECK(code_of([&] { f.ws->publish(ex("employment.csv"), out, p); }) == Code::io);
  }
  CHECK(!fs::exists(out));
  CHECK(f.leftovers() == std::vector<std::string>{"bad.csv"});
  CHECK(f.entries("denied").size() == 3);
  CHECK(f.entries("invalid-data").size() == 1);
  CHECK(f.entries("io").size() == 1);
  CHECK(f.entries("ok").empty());
}
