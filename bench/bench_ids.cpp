// Benchmarks of the ids module: validating a column of 10 million USCCs and 10 million
// resident ID numbers (about 5% corrupted) through ids::check_column (C++) and through
// civ_id_validate_column (C ABI), single-threaded. Reports items/s.
//
//   bench_ids [--n=COUNT] [google-benchmark flags]     run the benchmarks (COUNT codes per column)
//   bench_ids --dump=uscc|ric [--n=COUNT]              print the generated codes, one per line
//   bench_ids --validate=uscc|ric [--repeat=R] < codes validate stdin's lines as one column,
//                                                      print "<valid> <count> <CPU seconds>" (best of R)
//
// The codes come from a fixed-seed generator, so every run (and bench/stdnum_compare.py,
// which uses --dump and --validate) sees the same data.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include <time.h>

#include "civitas/civitas.h"
#include "civitas/ids.hpp"

namespace ids = civitas::ids;

namespace {

std::size_t g_count = 10'000'000;

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

/// A column in Arrow layout.
struct Column {
  std::string data;
  std::vector<std::uint64_t> offsets{0};
  std::size_t size() const { return offsets.size() - 1; }
  void push(std::string_view v) {
    data.append(v);
    offsets.push_back(data.size());
  }
};

/// County-level codes of the built-in GB/T 2260 table.
const std::vector<std::string>& counties() {
  static const std::vector<std::string> pool = [] {
    std::vector<std::string> v;
    char buf[6];
    for (unsigned c = 110000; c < 830000; ++c) {
      if (c % 100 == 0) continue;
      for (unsigned i = 0, x = c; i < 6; ++i, x /= 10) buf[5 - i] = static_cast<char>('0' + x % 10);
      if (ids::region_known(std::string_view(buf, 6))) v.emplace_back(buf, 6);
    }
    return v;
  }();
  return pool;
}

// Corrupts about 5% of the codes: one character replaced by another digit, or two adjacent
// characters swapped (the errors people make).
void corrupt(std::string& code, Rng& rng) {
  if (rng.below(100) >= 5) return;
  std::size_t i = rng.below(static_cast<std::uint32_t>(code.size() - 1));
  if (rng.below(2)) {
    std::swap(code[i], code[i + 1]);
  } else {
    char c = static_cast<char>('0' + rng.below(10));
    code[i] = c == code[i] ? static_cast<char>('0' + (c - '0' + 1) % 10) : c;
  }
}

std::string make_uscc(Rng& rng) {
  // Registration authorities and categories that both civitas and python-stdnum accept
  // (stdnum wants digits in the first 8 characters).
  static constexpr const char* kAuthCat[] = {"11", "12", "13", "19", "31", "51", "52", "53",
                                             "71", "81", "91", "91", "91", "91", "92", "93"};
  static constexpr char kAlpha[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
  const auto& pool = counties();
  std::string s = kAuthCat[rng.below(16)];
  s += pool[rng.below(static_cast<std::uint32_t>(pool.size()))];
  std::string org;
  for (int i = 0; i < 8; ++i) org += kAlpha[rng.below(i == 0 ? 31 : 10 + (i & 1) * 21)];
  org += ids::orgcode_check_char(org);
  s += org;
  s += ids::uscc_check_char(s);
  return s;
}

std::string make_ric(Rng& rng) {
  const auto& pool = counties();
  std::string s = pool[rng.below(static_cast<std::uint32_t>(pool.size()))];
  char date[16];
  std::snprintf(date, sizeof date, "%04u%02u%02u", 1930 + rng.below(90), 1 + rng.below(12), 1 + rng.below(28));
  s += date;
  char seq[8];
  std::snprintf(seq, sizeof seq, "%03u", rng.below(1000));
  s += seq;
  s += ids::ric_check_char(s);
  return s;
}

Column generate(ids::Kind kind, std::size_t n) {
  Rng rng{kind == ids::Kind::uscc ? 0x5553434300000001ull : 0x5249430000000001ull};
  Column col;
  col.data.reserve(n * 18);
  col.offsets.reserve(n + 1);
  for (std::size_t i = 0; i < n; ++i) {
    std::string code = kind == ids::Kind::uscc ? make_uscc(rng) : make_ric(rng);
    corrupt(code, rng);
    col.push(code);
  }
  return col;
}

// Each column is generated on first use only.
const Column& uscc_column() {
  static const Column c = generate(ids::Kind::uscc, g_count);
  return c;
}
const Column& ric_column() {
  static const Column c = generate(ids::Kind::ric, g_count);
  return c;
}
const Column& column(ids::Kind kind) { return kind == ids::Kind::uscc ? uscc_column() : ric_column(); }

void BM_check_column(benchmark::State& state, ids::Kind kind) {
  const Column& col = column(kind);
  std::vector<std::uint8_t> reasons(col.size());
  ids::Options opts;
  opts.today = ids::today();
  std::size_t valid = 0;
  for (auto _ : state) {
    valid = ids::check_column(kind, col.data.data(), col.offsets.data(), col.size(), opts, reasons.data());
    benchmark::DoNotOptimize(valid);
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * col.size()));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * col.data.size()));
  state.counters["valid_pct"] = 100.0 * static_cast<double>(valid) / static_cast<double>(col.size());
}

void BM_c_validate_column(benchmark::State& state, int kind) {
  const Column& col = column(static_cast<ids::Kind>(kind));
  std::vector<std::uint8_t> reasons(col.size());
  std::size_t valid = 0;
  for (auto _ : state) {
    if (civ_id_validate_column(reasons.data(), nullptr, &valid, kind, col.data.data(), col.offsets.data(),
                               col.size(), 0) != CIV_OK) {
      state.SkipWithError(civ_error_last()->message);
      break;
    }
    benchmark::DoNotOptimize(valid);
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * col.size()));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * col.data.size()));
  state.counters["valid_pct"] = 100.0 * static_cast<double>(valid) / static_cast<double>(col.size());
}

// One call per code through the allocation-free single-value API, for comparison.
void BM_check_each(benchmark::State& state, ids::Kind kind) {
  const Column& col = column(kind);
  ids::Options opts;
  opts.today = ids::today();
  for (auto _ : state) {
    std::size_t valid = 0;
    for (std::size_t i = 0; i < col.size(); ++i) {
      std::string_view v(col.data.data() + col.offsets[i], col.offsets[i + 1] - col.offsets[i]);
      valid += ids::check(kind, v, opts) == ids::Reason::ok;
    }
    benchmark::DoNotOptimize(valid);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * col.size()));
}

BENCHMARK_CAPTURE(BM_check_column, uscc, ids::Kind::uscc)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_c_validate_column, uscc, CIV_ID_USCC)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_check_each, uscc, ids::Kind::uscc)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_check_column, ric, ids::Kind::ric)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_c_validate_column, ric, CIV_ID_RIC)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_check_each, ric, ids::Kind::ric)->Unit(benchmark::kMillisecond);

int dump(ids::Kind kind) {
  Column col = generate(kind, g_count);
  std::string out;
  out.reserve(col.data.size() + col.size());
  for (std::size_t i = 0; i < col.size(); ++i) {
    out.append(col.data, col.offsets[i], col.offsets[i + 1] - col.offsets[i]);
    out += '\n';
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}

int validate_stdin(ids::Kind kind, int repeat) {
  Column col;
  std::string line;
  while (std::getline(std::cin, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    col.push(line);
  }
  std::vector<std::uint8_t> reasons(col.size());
  ids::Options opts;
  opts.today = ids::today();
  double best = 1e300;
  std::size_t valid = 0;
  for (int r = 0; r < repeat; ++r) {
    // CPU time of this thread: what the work costs, also on a shared machine.
    timespec t0{}, t1{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t0);
    valid = ids::check_column(kind, col.data.data(), col.offsets.data(), col.size(), opts, reasons.data());
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t1);
    best = std::min(best, static_cast<double>(t1.tv_sec - t0.tv_sec) + 1e-9 * static_cast<double>(t1.tv_nsec - t0.tv_nsec));
  }
  std::printf("%zu %zu %.9f\n", valid, col.size(), best);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string dump_kind, validate_kind;
  int repeat = 5;
  std::vector<char*> rest{argv[0]};
  for (int i = 1; i < argc; ++i) {
    std::string_view a(argv[i]);
    if (a.rfind("--n=", 0) == 0) g_count = std::strtoull(argv[i] + 4, nullptr, 10);
    else if (a.rfind("--dump=", 0) == 0) dump_kind = std::string(a.substr(7));
    else if (a.rfind("--validate=", 0) == 0) validate_kind = std::string(a.substr(11));
    else if (a.rfind("--repeat=", 0) == 0) repeat = std::max(1, std::atoi(argv[i] + 9));
    else rest.push_back(argv[i]);
  }
  try {
    if (!dump_kind.empty()) return dump(ids::kind_from_name(dump_kind));
    if (!validate_kind.empty()) return validate_stdin(ids::kind_from_name(validate_kind), repeat);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_ids: %s\n", e.what());
    return 2;
  }
  int rest_argc = static_cast<int>(rest.size());
  benchmark::Initialize(&rest_argc, rest.data());
  if (benchmark::ReportUnrecognizedArguments(rest_argc, rest.data())) return 2;
  benchmark::AddCustomContext("codes_per_column", std::to_string(g_count));
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
