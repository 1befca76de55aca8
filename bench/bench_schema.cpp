// Benchmarks of the schema module on an in-memory CSV of COUNT rows with 10 typed columns
// (two identifier columns: USCC and resident ID), single-threaded, bytes/s:
//   BM_csv_read       the CSV reader alone (columnar batches)
//   BM_validate       reader + validation (schema::validate_bytes)
//   BM_c_validate     the same through the C ABI (civ_schema_validate_buffer)
//
//   bench_schema [--n=COUNT] [google-benchmark flags]      (default COUNT 200000, ~25 MB)
// The whole-process comparison with frictionless-py is bench/schema_vs_frictionless.sh.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "civitas/civitas.h"
#include "civitas/ids.hpp"
#include "civitas/schema.hpp"

namespace sc = civitas::schema;
namespace ids = civitas::ids;

namespace {

std::size_t g_count = 200000;

const char* kSchema = R"({"fields": [
  {"name": "id", "type": "integer"},
  {"name": "uscc", "type": "string", "civitas:identifier": "uscc"},
  {"name": "ric", "type": "string", "civitas:identifier": "ric"},
  {"name": "name", "type": "string", "constraints": {"maxLength": 40}},
  {"name": "amount", "type": "number", "constraints": {"minimum": 0}},
  {"name": "opened", "type": "date"},
  {"name": "updated", "type": "datetime"},
  {"name": "active", "type": "boolean"},
  {"name": "level", "type": "string", "constraints": {"enum": ["core", "important", "general"]}},
  {"name": "staff", "type": "integer", "constraints": {"minimum": 0}}]})";

struct Rng {  // splitmix64
  std::uint64_t s;
  std::uint64_t next() {
    std::uint64_t z = (s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  unsigned below(unsigned n) { return static_cast<unsigned>(next() % n); }
};

const std::string& csv() {
  static const std::string data = [] {
    Rng r{42};
    std::string s = "id,uscc,ric,name,amount,opened,updated,active,level,staff\n";
    const char* levels[] = {"core", "important", "general"};
    char buf[256];
    for (std::size_t i = 1; i <= g_count; ++i) {
      std::string org;
      for (int k = 0; k < 8; ++k) org += "0123456789"[r.below(10)];
      org += ids::orgcode_check_char(org);
      std::string u = "91110108" + org;
      u += ids::uscc_check_char(u);
      char ric[19];
      std::snprintf(ric, sizeof ric, "110105%04u%02u%02u%03u", 1950 + r.below(55), 1 + r.below(12), 1 + r.below(28),
                    r.below(1000));
      std::string p(ric, 17);
      p += ids::ric_check_char(p);
      unsigned y = 1990 + r.below(34), m = 1 + r.below(12), d = 1 + r.below(28);
      int n = std::snprintf(buf, sizeof buf, "%zu,%s,%s,Organisation %u of the city,%u.%02u,%04u-%02u-%02u,%04u-%02u-%02uT%02u:%02u:%02uZ,%s,%s,%u\n",
                            i, u.c_str(), p.c_str(), r.below(99999), r.below(1000000), r.below(100), y, m, d, y, m, d,
                            r.below(24), r.below(60), r.below(60), r.below(2) ? "true" : "false", levels[r.below(3)],
                            r.below(5000));
      s.append(buf, static_cast<std::size_t>(n));
    }
    return s;
  }();
  return data;
}

void BM_csv_read(benchmark::State& st) {
  const std::string& data = csv();
  sc::Batch b;
  for (auto _ : st) {
    auto r = sc::csv_reader(sc::memory_source(data), {});
    std::size_t rows = 0;
    while (r->next(b, 10, 8192)) rows += b.rows;
    benchmark::DoNotOptimize(rows);
  }
  st.SetBytesProcessed(static_cast<std::int64_t>(st.iterations() * data.size()));
}

void BM_validate(benchmark::State& st) {
  const std::string& data = csv();
  sc::TableSchema s = sc::parse_schema(std::string_view(kSchema));
  for (auto _ : st) {
    auto rep = sc::validate_bytes(data, s);
    if (!rep["valid"].get<bool>()) st.SkipWithError("generated data should be valid");
  }
  st.SetBytesProcessed(static_cast<std::int64_t>(st.iterations() * data.size()));
}

void BM_c_validate(benchmark::State& st) {
  const std::string& data = csv();
  for (auto _ : st) {
    char* rep = nullptr;
    if (civ_schema_validate_buffer(&rep, kSchema, std::strlen(kSchema), data.data(), data.size(), nullptr) != CIV_OK)
      st.SkipWithError(civ_error_last()->message);
    civ_free(rep);
  }
  st.SetBytesProcessed(static_cast<std::int64_t>(st.iterations() * data.size()));
}

BENCHMARK(BM_csv_read)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_validate)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_c_validate)->Unit(benchmark::kMillisecond);

}  // namespace

int main(int argc, char** argv) {
  std::vector<char*> rest{argv[0]};
  for (int i = 1; i < argc; ++i) {
    std::string_view a(argv[i]);
    if (a.rfind("--n=", 0) == 0) g_count = std::strtoull(argv[i] + 4, nullptr, 10);
    else rest.push_back(argv[i]);
  }
  int rest_argc = static_cast<int>(rest.size());
  benchmark::Initialize(&rest_argc, rest.data());
  if (benchmark::ReportUnrecognizedArguments(rest_argc, rest.data())) return 2;
  benchmark::AddCustomContext("rows", std::to_string(g_count));
  benchmark::AddCustomContext("csv_bytes", std::to_string(csv().size()));
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
