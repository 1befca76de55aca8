// Benchmarks of the audit module, each with a peer in the same run:
//   append/single/<sync>     one event per transaction (one commit each), WAL with
//                            synchronous=NORMAL and FULL
//   append/batch             10,000 events per transaction
//   prove+verify/stored      inclusion proof from the stored tree (O(log n) node reads) plus
//                            its verification, random leaves of a log of COUNT entries
//   peer: prove+verify/memory the same on an in-memory tree (no database): the floor
//   verify/full              Log::verify (recompute everything, compare every node and
//                            checkpoint) of a log of min(COUNT, 1,000,000) entries
//   hash/node/openssl|libsodium  one RFC 9162 node hash (65 bytes) with each SHA-256
//
//   bench_audit [--n=COUNT] [google-benchmark flags]     COUNT entries (default 10,000,000)
// The logs are built once per run in $TMPDIR (in batches of 100,000) and removed at exit.
#include <benchmark/benchmark.h>
#include <sodium.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "civitas/audit.hpp"
#include "civitas/crypto.hpp"
#include "civitas/ids.hpp"
#include "civitas/store.hpp"

namespace a = civitas::audit;
namespace c = civitas::crypto;
namespace st = civitas::store;
namespace fs = std::filesystem;

namespace {

std::size_t g_count = 10'000'000;

struct Db {
  fs::path dir;
  c::SecretBytes key = c::SecretBytes::random(32);
  std::unique_ptr<st::Store> store;
  std::unique_ptr<a::Log> log;
  explicit Db(const char* sync) {
    std::random_device rd;
    dir = fs::temp_directory_path() / ("civitas-bench-audit-" + std::to_string(rd()));
    fs::create_directories(dir);
    st::OpenOptions o;
    o.create = true;
    store = std::make_unique<st::Store>((dir / "ws.db").string(), key, o);
    store->exec(std::string("PRAGMA synchronous = ") + sync);
    // 256 MiB page cache: the index B-trees of a 10-million-entry log do not fit SQLite's
    // default 8 MiB, and every uncached page costs a SQLCipher decryption.
    // CIVITAS_BENCH_CACHE_MB overrides the size.
    const char* mb = std::getenv("CIVITAS_BENCH_CACHE_MB");
    store->exec("PRAGMA cache_size = -" + std::to_string((mb ? std::strtoull(mb, nullptr, 10) : 256) * 1024));
    log = std::make_unique<a::Log>(*store, "civitas.bench/audit");
  }
  ~Db() {
    log.reset();
    store.reset();
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
};

const std::string& dept() {
  static std::string d = std::string("91110000MA0000000") + civitas::ids::uscc_check_char("91110000MA0000000");
  return d;
}

a::Event event(std::size_t i) {
  a::Event e;
  e.actor_dept = dept();
  e.actor_user = "user" + std::to_string(i % 100);
  e.action = i % 3 ? "data.read" : "field.decrypt";
  e.resource = "res-" + std::to_string(i % 1000);
  e.purpose = "benchmark";
  e.details = "{\"rows\":" + std::to_string(i % 5000) + "}";
  return e;
}

void fill(a::Log& log, std::size_t n) {
  for (std::size_t done = 0; done < n;) {
    std::size_t k = std::min<std::size_t>(100000, n - done);
    std::vector<a::Event> v;
    v.reserve(k);
    for (std::size_t i = 0; i < k; ++i) v.push_back(event(done + i));
    log.append_batch(std::move(v));
    done += k;
  }
}

void BM_append_single(benchmark::State& s, const char* sync) {
  Db db(sync);
  std::size_t i = 0;
  for (auto _ : s) db.log->append(event(i++));
  s.SetItemsProcessed(static_cast<std::int64_t>(i));
}
BENCHMARK_CAPTURE(BM_append_single, NORMAL, "NORMAL")->Unit(benchmark::kMicrosecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_append_single, FULL, "FULL")->Unit(benchmark::kMicrosecond)->UseRealTime();

void BM_append_batch(benchmark::State& s) {
  Db db("NORMAL");
  const std::size_t k = 10000;
  std::size_t i = 0;
  for (auto _ : s) {
    s.PauseTiming();
    std::vector<a::Event> v;
    v.reserve(k);
    for (std::size_t j = 0; j < k; ++j) v.push_back(event(i + j));
    s.ResumeTiming();
    db.log->append_batch(std::move(v));
    i += k;
  }
  s.SetItemsProcessed(static_cast<std::int64_t>(i));
}
BENCHMARK(BM_append_batch)->Unit(benchmark::kMillisecond)->UseRealTime();

Db& big() {
  static Db db("NORMAL");
  static bool built = [] {
    fill(*db.log, g_count);
    return true;
  }();
  (void)built;
  return db;
}

void BM_prove_verify_stored(benchmark::State& s) {
  Db& db = big();
  std::uint64_t n = db.log->size();
  a::Hash root = db.log->root(n);
  std::mt19937_64 rng(42);
  std::int64_t ok = 0;
  for (auto _ : s) {
    std::uint64_t i = rng() % n;
    a::InclusionProof p = db.log->prove(i, n);
    ok += a::verify_inclusion(p.leaf_index, p.tree_size, p.leaf_hash, p.hashes, root);
  }
  if (ok != s.iterations()) s.SkipWithError("a proof did not verify");
  s.SetItemsProcessed(static_cast<std::int64_t>(s.iterations()));
  s.counters["tree_size"] = static_cast<double>(n);
}
BENCHMARK(BM_prove_verify_stored)->Unit(benchmark::kMicrosecond)->UseRealTime();

void BM_peer_prove_verify_memory(benchmark::State& s) {
  static a::MemoryTree t = [] {
    a::MemoryTree m;
    for (std::size_t i = 0; i < g_count; ++i) {
      std::uint64_t v = i;
      m.append(a::leaf_hash(&v, sizeof v));
    }
    return m;
  }();
  std::uint64_t n = t.size();
  a::Hash root = t.root();
  std::mt19937_64 rng(42);
  std::int64_t ok = 0;
  for (auto _ : s) {
    std::uint64_t i = rng() % n;
    auto path = a::inclusion_path(t, i, n);
    ok += a::verify_inclusion(i, n, t.node(0, i), path, root);
  }
  if (ok != s.iterations()) s.SkipWithError("a proof did not verify");
  s.SetItemsProcessed(static_cast<std::int64_t>(s.iterations()));
}
BENCHMARK(BM_peer_prove_verify_memory)->Unit(benchmark::kMicrosecond);

void BM_verify_full(benchmark::State& s) {
  static Db db("NORMAL");
  static c::Key key = c::generate_key(c::Purpose::signing);
  static std::size_t n = [] {
    std::size_t m = std::min<std::size_t>(g_count, 1'000'000);
    fill(*db.log, m);
    db.log->checkpoint(key);
    return m;
  }();
  std::vector<a::NoteVerifier> v{db.log->verifier(key)};
  for (auto _ : s) {
    a::VerifyReport r = db.log->verify(v);
    if (!r.ok()) s.SkipWithError("verification failed");
  }
  s.SetItemsProcessed(static_cast<std::int64_t>(s.iterations() * n));
  s.counters["entries"] = static_cast<double>(n);
}
BENCHMARK(BM_verify_full)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(1);

void BM_hash_node_openssl(benchmark::State& s) {
  a::Hash l{}, r{};
  for (auto _ : s) {
    l = a::node_hash(l, r);
    benchmark::DoNotOptimize(l);
  }
  s.SetItemsProcessed(static_cast<std::int64_t>(s.iterations()));
}
BENCHMARK(BM_hash_node_openssl);

void BM_hash_node_libsodium(benchmark::State& s) {
  unsigned char buf[65] = {1};
  unsigned char out[32];
  for (auto _ : s) {
    crypto_hash_sha256(out, buf, sizeof buf);
    std::memcpy(buf + 1, out, 32);
    benchmark::DoNotOptimize(out);
  }
  s.SetItemsProcessed(static_cast<std::int64_t>(s.iterations()));
}
BENCHMARK(BM_hash_node_libsodium);

}  // namespace

int main(int argc, char** argv) {
  std::vector<char*> rest;
  for (int i = 0; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg.rfind("--n=", 0) == 0) g_count = std::strtoull(argv[i] + 4, nullptr, 10);
    else rest.push_back(argv[i]);
  }
  if (g_count == 0) g_count = 1;
  if (sodium_init() < 0) return 2;
  int rest_argc = static_cast<int>(rest.size());
  benchmark::Initialize(&rest_argc, rest.data());
  benchmark::AddCustomContext("entries", std::to_string(g_count));
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
