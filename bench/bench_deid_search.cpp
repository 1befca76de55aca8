// bench_deid_search: benchmarks of the deid search on ARX's Adult (tests/data/adult): the optimal search for
// 5-anonymity without suppression and with a 1 % limit, recursive-(4,3)-diversity and
// 0.2-closeness (equal distance) on occupation, over a weighted frequency table built once;
// and building that table from the records. Figures: docs/benchmarks.md, "De-identification
// (issue 14)". The data folder is CIVITAS_ADULT (default: tests/data/adult of the source tree).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "civitas/deid.hpp"

namespace deid = civitas::deid;

namespace {

const std::vector<std::string> kQi = {"age", "education", "marital-status", "native-country",
                                      "race", "salary-class", "sex", "workclass"};

std::string dir() {
  const char* d = std::getenv("CIVITAS_ADULT");
  if (d) return d;
  std::string f = __FILE__;  // <source>/bench/bench_deid.cpp (as the compiler was given it)
  return f.substr(0, f.find_last_of('/')) + "/../tests/data/adult";
}

std::vector<std::vector<std::string>> rows() {
  static const std::vector<std::vector<std::string>> r = [] {
    std::ifstream in(dir() + "/adult.csv");
    if (!in) {  // e.g. __FILE__ relative to another build folder: name the data with CIVITAS_ADULT
      std::fprintf(stderr, "bench_deid_search: cannot read %s/adult.csv (set CIVITAS_ADULT to tests/data/adult)\n",
                   dir().c_str());
      std::exit(2);
    }
    std::vector<std::vector<std::string>> out;
    std::string line;
    while (std::getline(in, line)) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      std::vector<std::string> cells;
      std::stringstream ss(line);
      std::string c;
      while (std::getline(ss, c, ';')) cells.push_back(c);
      out.push_back(cells);
    }
    return out;
  }();
  return r;
}

deid::FrequencyTable build() {
  const auto& r = rows();
  std::vector<std::size_t> qc;
  for (const auto& q : kQi) qc.push_back(static_cast<std::size_t>(std::find(r[0].begin(), r[0].end(), q) - r[0].begin()));
  const auto oc = static_cast<std::size_t>(std::find(r[0].begin(), r[0].end(), "occupation") - r[0].begin());
  deid::FrequencyTableBuilder b(kQi, {"occupation"});
  std::vector<std::string_view> qv(kQi.size());
  for (std::size_t i = 1; i < r.size(); ++i) {
    for (std::size_t k = 0; k < qc.size(); ++k) qv[k] = r[i][qc[k]];
    b.add(qv, {r[i][oc]});
  }
  return b.finish();
}

struct Fixture {
  deid::FrequencyTable table = build();
  std::vector<deid::Hierarchy> hier;
  Fixture() {
    for (std::size_t i = 0; i < kQi.size(); ++i)
      hier.push_back(deid::Hierarchy::build("adult_hierarchy_" + kQi[i] + ".csv", dir(), table.qi_values[i], kQi[i]));
  }
};

const Fixture& fixture() {
  static Fixture f;
  return f;
}

void run(benchmark::State& st, const deid::Privacy& p) {
  const Fixture& f = fixture();
  std::uint64_t checks = 0;
  for (auto _ : st) {
    deid::SearchResult r = deid::search(f.table, f.hier, {nullptr}, p);
    checks = r.checks;
    benchmark::DoNotOptimize(r.levels);
  }
  st.counters["checks"] = static_cast<double>(checks);
}

void BM_Search_K5(benchmark::State& st) {
  deid::Privacy p;
  p.k = 5;
  run(st, p);
}
void BM_Search_K5_Suppression1(benchmark::State& st) {
  deid::Privacy p;
  p.k = 5;
  p.suppression_limit = 0.01;
  run(st, p);
}
void BM_Search_RecursiveL43(benchmark::State& st) {
  deid::Privacy p;
  p.l = deid::LDiversity{deid::LVariant::recursive, 3, 4};
  run(st, p);
}
void BM_Search_T02Equal(benchmark::State& st) {
  deid::Privacy p;
  p.t = deid::TCloseness{0.2, deid::TDistance::equal};
  run(st, p);
}
void BM_BuildFrequencyTable(benchmark::State& st) {
  rows();
  for (auto _ : st) {
    deid::FrequencyTable t = build();
    benchmark::DoNotOptimize(t.weights);
  }
  st.SetItemsProcessed(st.iterations() * 30162);
}

}  // namespace

BENCHMARK(BM_Search_K5)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Search_K5_Suppression1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Search_RecursiveL43)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Search_T02Equal)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_BuildFrequencyTable)->Unit(benchmark::kMillisecond);
// bench.smoke passes --n=<count> to every bench program (cmake/bench.cmake); the data here is
// Adult as it is, so the flag is accepted and has no effect.
int main(int argc, char** argv) {
  std::vector<char*> rest;
  for (int i = 0; i < argc; ++i)
    if (i == 0 || std::string(argv[i]).rfind("--n=", 0) != 0) rest.push_back(argv[i]);
  int n = static_cast<int>(rest.size());
  benchmark::Initialize(&n, rest.data());
  if (benchmark::ReportUnrecognizedArguments(n, rest.data())) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
