// Benchmarks of the de-identification transforms and risk measures (issue 14), one core:
// masking and pseudonymising a column of 1,000,000 values, the other column transforms, the
// equivalence classes of three quasi-identifier columns and the risk measures with the Pitman
// model. Reports items/s (values per second).
//
//   bench_deid [--n=COUNT] [google-benchmark flags]     (COUNT values per column, default 1,000,000)
//
// The data come from a fixed-seed generator, so every run sees the same values.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "civitas/crypto.hpp"
#include "civitas/deid.hpp"
#include "civitas/ids.hpp"

namespace deid = civitas::deid;
namespace crypto = civitas::crypto;
namespace ids = civitas::ids;

namespace {

std::size_t g_count = 1'000'000;

struct Rng {  // splitmix64
  std::uint64_t s;
  std::uint64_t next() {
    std::uint64_t z = (s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  std::uint32_t below(std::uint32_t n) { return static_cast<std::uint32_t>(next() % n); }
};

std::vector<std::string> phones() {
  Rng r{1};
  std::vector<std::string> v(g_count);
  for (auto& s : v) {
    s = "13";
    for (int i = 0; i < 9; ++i) s += static_cast<char>('0' + r.below(10));
  }
  return v;
}

std::vector<std::string> names() {
  static const char* family[] = {"张", "王", "李", "赵", "陈", "刘", "欧阳", "司马"};
  static const char* given[] = {"伟", "芳", "娜", "敏", "静", "强", "磊", "军", "洋", "勇"};
  Rng r{2};
  std::vector<std::string> v(g_count);
  for (auto& s : v) {
    s = family[r.below(8)];
    s += given[r.below(10)];
    if (r.below(2)) s += given[r.below(10)];
  }
  return v;
}

std::vector<std::string> rics() {
  Rng r{3};
  std::vector<std::string> v(g_count);
  char body[18];
  for (auto& s : v) {
    std::snprintf(body, sizeof body, "110105%04u%02u%02u%03u", 1950 + r.below(60), 1 + r.below(12), 1 + r.below(28),
                  r.below(1000));
    s.assign(body, 17);
    s += ids::check_char(ids::Kind::ric, s);
  }
  return v;
}

std::vector<std::string> numbers() {
  Rng r{4};
  std::vector<std::string> v(g_count);
  for (auto& s : v) s = std::to_string(r.below(100000)) + "." + std::to_string(r.below(100));
  return v;
}

std::vector<std::string> dates() {
  Rng r{5};
  std::vector<std::string> v(g_count);
  char b[16];
  for (auto& s : v) {
    std::snprintf(b, sizeof b, "%04u-%02u-%02u", 1950 + r.below(70), 1 + r.below(12), 1 + r.below(28));
    s = b;
  }
  return v;
}

deid::ColumnContext ctx() {
  deid::ColumnContext c;
  c.field = "f";
  return c;
}

// Masking in place costs the same every pass (same lengths, same writes), so the column is
// masked again and again without a copy.
void BM_mask_phones(benchmark::State& st) {
  auto v = phones();
  for (auto _ : st) {
    deid::mask_column(v, 3, 4, "*", ctx());
    benchmark::DoNotOptimize(v.data());
  }
  st.SetItemsProcessed(static_cast<std::int64_t>(st.iterations() * v.size()));
}
BENCHMARK(BM_mask_phones)->Unit(benchmark::kMillisecond);

void BM_mask_chinese_names(benchmark::State& st) {
  auto v = names();
  for (auto _ : st) {
    deid::mask_column(v, 1, 0, "*", ctx());  // UTF-8 path (every value has non-ASCII characters)
    benchmark::DoNotOptimize(v.data());
  }
  st.SetItemsProcessed(static_cast<std::int64_t>(st.iterations() * v.size()));
}
BENCHMARK(BM_mask_chinese_names)->Unit(benchmark::kMillisecond);

template <class Fn>
void on_copies(benchmark::State& st, const std::vector<std::string>& src, Fn fn) {
  for (auto _ : st) {
    st.PauseTiming();
    std::vector<std::string> v = src;
    st.ResumeTiming();
    fn(v);
    benchmark::DoNotOptimize(v.data());
  }
  st.SetItemsProcessed(static_cast<std::int64_t>(st.iterations() * src.size()));
}

void BM_pseudonymize_ric_ik1(benchmark::State& st) {
  auto key = crypto::generate_key(crypto::Purpose::identity);
  on_copies(st, rics(), [&](std::vector<std::string>& v) {
    deid::pseudonymize_column(v, key, "health", static_cast<int>(ids::Kind::ric), ctx());
  });
}
BENCHMARK(BM_pseudonymize_ric_ik1)->Unit(benchmark::kMillisecond);

// The bulk path: Arrow-layout column in, one buffer out (no allocation per value).
void BM_pseudonymize_ric_ik1_arrow(benchmark::State& st) {
  auto key = crypto::generate_key(crypto::Purpose::identity);
  auto col = crypto::Column::from(rics());
  crypto::Column out;
  for (auto _ : st) {
    deid::pseudonymize_column(col.view(), key, "health", static_cast<int>(ids::Kind::ric), ctx(), out);
    benchmark::DoNotOptimize(out.data.data());
  }
  st.SetItemsProcessed(static_cast<std::int64_t>(st.iterations() * col.size()));
}
BENCHMARK(BM_pseudonymize_ric_ik1_arrow)->Unit(benchmark::kMillisecond);

void BM_pseudonymize_text_ps1(benchmark::State& st) {
  auto key = crypto::generate_key(crypto::Purpose::identity);
  on_copies(st, names(), [&](std::vector<std::string>& v) { deid::pseudonymize_column(v, key, "health", 0, ctx()); });
}
BENCHMARK(BM_pseudonymize_text_ps1)->Unit(benchmark::kMillisecond);

void BM_tokenize(benchmark::State& st) {
  auto key = crypto::generate_key(crypto::Purpose::token);
  on_copies(st, rics(), [&](std::vector<std::string>& v) { deid::tokenize_column(v, key, "ric", ctx()); });
}
BENCHMARK(BM_tokenize)->Unit(benchmark::kMillisecond);

void BM_date_shift(benchmark::State& st) {
  auto key = crypto::generate_key(crypto::Purpose::identity);
  auto subjects = rics();
  deid::ColumnContext c = ctx();
  c.subject = &subjects;
  on_copies(st, dates(), [&](std::vector<std::string>& v) { deid::date_shift_column(v, key, "visits", 30, c); });
}
BENCHMARK(BM_date_shift)->Unit(benchmark::kMillisecond);

void BM_top_bottom(benchmark::State& st) {
  on_copies(st, numbers(), [&](std::vector<std::string>& v) { deid::top_bottom_column(v, 100.0, 90000.0, -1, ctx()); });
}
BENCHMARK(BM_top_bottom)->Unit(benchmark::kMillisecond);

void BM_microaggregate(benchmark::State& st) {
  on_copies(st, numbers(), [&](std::vector<std::string>& v) { deid::microaggregate_column(v, 5, false, 2, ctx()); });
}
BENCHMARK(BM_microaggregate)->Unit(benchmark::kMillisecond);

void BM_noise_keyed(benchmark::State& st) {
  auto key = crypto::generate_key(crypto::Purpose::identity);
  deid::NoiseOptions o;
  o.decimals = 2;
  on_copies(st, numbers(), [&](std::vector<std::string>& v) { deid::noise_column(v, o, &key, "income", ctx()); });
}
BENCHMARK(BM_noise_keyed)->Unit(benchmark::kMillisecond);

// Equivalence classes of three quasi-identifier columns (age, sex, 3-digit zip).
void BM_equivalence_classes(benchmark::State& st) {
  Rng r{6};
  std::vector<std::string> age(g_count), sex(g_count), zip(g_count);
  for (std::size_t i = 0; i < g_count; ++i) {
    age[i] = std::to_string(18 + r.below(70));
    sex[i] = r.below(2) ? "m" : "f";
    zip[i] = std::to_string(100 + r.below(900));
  }
  for (auto _ : st) {
    auto sizes = deid::equivalence_class_sizes({&age, &sex, &zip});
    benchmark::DoNotOptimize(sizes.data());
  }
  st.SetItemsProcessed(static_cast<std::int64_t>(st.iterations() * g_count));
}
BENCHMARK(BM_equivalence_classes)->Unit(benchmark::kMillisecond);

// Risk measures with the Pitman fit. They work on the class-size histogram (here 250,000
// classes with 20 distinct sizes), so the time does not grow with the number of classes.
void BM_risk_pitman(benchmark::State& st) {
  Rng r{7};
  std::vector<std::uint64_t> sizes(g_count / 4);
  for (auto& s : sizes) s = 1 + r.below(2) * r.below(20);
  auto hist = deid::class_size_histogram(sizes);
  deid::RiskOptions o;
  for (auto _ : st) {
    auto risk = deid::measure_risk(hist, o);
    benchmark::DoNotOptimize(risk.population_uniques.estimate);
  }
  st.counters["classes"] = static_cast<double>(sizes.size());
  st.counters["distinct_sizes"] = static_cast<double>(hist.size());
}
BENCHMARK(BM_risk_pitman)->Unit(benchmark::kMicrosecond);

}  // namespace

int main(int argc, char** argv) {
  std::vector<char*> rest;
  for (int i = 0; i < argc; ++i) {
    if (std::strncmp(argv[i], "--n=", 4) == 0) {
      g_count = std::strtoull(argv[i] + 4, nullptr, 10);
      if (g_count == 0) g_count = 1;
      continue;
    }
    rest.push_back(argv[i]);
  }
  int n = static_cast<int>(rest.size());
  benchmark::Initialize(&n, rest.data());
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
