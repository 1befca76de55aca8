// Workspace::deid_run (core/workspace/deid_ops.cpp), the one audited call of every front end:
// a plain run (no keyed action) writes exactly one "deid.run" entry with the spec, input and
// output hashes and the risk after; a refused run writes its refusal and no output; a
// workspace without its audit log (opened read-only) refuses to run.
#include <doctest/doctest.h>

#include <openssl/evp.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "civitas/audit.hpp"
#include "civitas/deid.hpp"
#include "civitas/error.hpp"
#include "civitas/workspace.hpp"
#include "common/fixtures.hpp"

using namespace civitas;
using namespace civitas::workspace;
using civitas::test::code_of;
using nlohmann::json;

namespace {

crypto::SecretBytes key7() {
  crypto::SecretBytes k(32);
  for (std::size_t i = 0; i < 32; ++i) k.data()[i] = 7;
  return k;
}

std::vector<audit::Entry> runs(Workspace& ws) {
  audit::Filter f;
  f.action = "deid.run";
  std::vector<audit::Entry> out;
  for (auto& se : audit::WorkspaceLog::open(ws)->log().query(f)) out.push_back(se.entry);
  return out;
}

std::string file_text(const std::string& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write(const std::string& p, const std::string& text) { std::ofstream(p, std::ios::binary) << text; }

std::string sha256(const std::string& data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_Digest(data.data(), data.size(), md, &n, EVP_sha256(), nullptr);
  std::string s;
  static const char* hex = "0123456789abcdef";
  for (unsigned int i = 0; i < n; ++i) {
    s += hex[md[i] >> 4];
    s += hex[md[i] & 15];
  }
  return s;
}

}  // namespace

TEST_CASE("deid_run: a plain run writes one deid.run entry; a refusal writes its refusal") {
  test::TempDir d("civitas-deid-audit");
  const std::string in = d.file("in.csv"), out = d.file("out.csv");
  write(in, "name,age,city\nAnn,34,x\nBob,35,y\nCid,36,z\nDan,47,w\n");
  write(d.file("age.csv"), "34;30-39;*\n35;30-39;*\n36;30-39;*\n47;40-49;*\n");
  const std::string spec =
      R"({"fields": {"name": {"role": "identifier"}, "age": {"role": "quasi-identifier", "hierarchy": "age.csv"}},)"
      R"( "privacy": {"k": 3, "suppression_limit": 0.25}})";
  CreateOptions o;
  o.department = "91350100M000100Y43";
  auto ws = Workspace::create(d.file("w.db"), KeySource::raw_key(key7()), o);

  const json report = ws->deid_run(spec, d.p.string(), in, out, json::object());
  CHECK(report["audit"] == json{{"action", "deid.run"}, {"workspace", true}});
  auto e = runs(*ws);
  REQUIRE(e.size() == 1);
  CHECK(e[0].outcome == "ok");
  CHECK(e[0].resource == out);
  const json det = json::parse(e[0].details);
  CHECK(det["spec_sha256"] == sha256(spec));
  CHECK(det["input"]["sha256"] == sha256(file_text(in)));
  CHECK(det["output"]["sha256"] == sha256(file_text(out)));
  CHECK(det["output"]["rows"] == 4);
  CHECK(det["suppressed"] == 1);
  CHECK(det["levels"] == json{{"age", 1}});
  REQUIRE(det["risk_after"].is_object());
  CHECK(det["risk_after"]["records"] == 4);
  CHECK(det["risk_after"].contains("prosecutor"));

  // No transformation satisfies k = 5 (and no suppression): refused, audited, no output.
  std::remove(out.c_str());
  const std::string hard = R"({"fields": {"age": {"role": "quasi-identifier", "hierarchy": "age.csv"}}, "privacy": {"k": 5}})";
  CHECK(code_of([&] { ws->deid_run(hard, d.p.string(), in, out, json::object()); }) == Code::invalid_data);
  CHECK(!std::ifstream(out).good());
  // A bad spec: refused and audited too.
  CHECK(code_of([&] { ws->deid_run(R"({"fields": {}, "privacy": {"k": 0}})", ".", in, out, json::object()); }) ==
        Code::invalid_argument);
  e = runs(*ws);
  REQUIRE(e.size() == 3);
  CHECK(e[1].outcome == "invalid-data");
  CHECK(json::parse(e[1].details)["input"] == in);
  CHECK(json::parse(e[1].details)["error"].get<std::string>().find("no generalisation") != std::string::npos);
  CHECK(e[2].outcome == "invalid-argument");
  ws.reset();

  // Opened read-only there is no audit log to record the run: refused, nothing written.
  OpenOptions ro;
  ro.read_only = true;
  auto rws = Workspace::open(d.file("w.db"), KeySource::raw_key(key7()), ro);
  CHECK(code_of([&] { rws->deid_run(spec, d.p.string(), in, out, json::object()); }) == Code::denied);
  CHECK(!std::ifstream(out).good());
}
