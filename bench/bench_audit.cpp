// Benchmarks of the audit module, each with a peer in the same run:
//   append/single/<sync>     one event per transaction (one commit each), WAL with
//                            synchronous=NORMAL and FULL
//   append/batch             10,000 events per transaction
//   prove+verify/stored      inclusion proof from the stored tree (O(log n) node reads) plus
//                            its verification, random leaves of a log of COUNT entries
//   peer: prove+verify/memory the same on an in-memory tree (no database): the floor
//   verify/full              Log::verify (recompute everything, compare every node and
//                            checkpoint) of a log of min(COUNT, 1,000,000) entries
//   migrate_v4_open          opening the log of a workspace of audit tables version 1 (former
//                            schema 4) with min(COUNT, 1,000,000) entries (audit migration 2:
//                            audit_node rows into tiles)
//   hash/node/openssl|libsodium  one RFC 9162 node hash (65 bytes) with each SHA-256
//
//   bench_audit [--n=COUNT] [google-benchmark flags]     COUNT entries (default 10,000,000)
// The logs are built once per run in $TMPDIR (in batches of 100,000) and removed at exit.
// With CIVITAS_BENCH_CACHE_DIR=DIR the log of the proof benchmark is kept in DIR/audit-COUNT.db
// (with a benchmark-only page key in DIR/audit-COUNT.key) and reused by later runs; a cached
// file of an older schema is migrated when opened. CIVITAS_BENCH_CACHE_MB sets the page cache.
#include <benchmark/benchmark.h>
#include <sodium.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
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
  bool keep = false;  // a cached log (CIVITAS_BENCH_CACHE_DIR) outlives the run
  bool reused = false;
  explicit Db(const char* sync, const char* cache_name = nullptr) {
    fs::path file;
    const char* cache = cache_name ? std::getenv("CIVITAS_BENCH_CACHE_DIR") : nullptr;
    if (cache) {
      // A benchmark-only page key beside the cached file: the data are synthetic.
      dir = cache;
      fs::create_directories(dir);
      file = dir / (std::string(cache_name) + ".db");
      fs::path key_file = dir / (std::string(cache_name) + ".key");
      keep = true;
      if (fs::exists(file) && fs::exists(key_file) && fs::file_size(key_file) == 32) {
        std::ifstream in(key_file, std::ios::binary);
        std::vector<char> k(32);
        in.read(k.data(), 32);
        key = c::SecretBytes(k.data(), 32);
        reused = true;
      } else {
        fs::remove(file);
        std::ofstream out(key_file, std::ios::binary | std::ios::trunc);
        out.write(reinterpret_cast<const char*>(key.data()), 32);
      }
    } else {
      std::random_device rd;
      dir = fs::temp_directory_path() / ("civitas-bench-audit-" + std::to_string(rd()));
      fs::create_directories(dir);
      file = dir / "ws.db";
    }
    st::OpenOptions o;
    o.create = !reused;
    store = std::make_unique<st::Store>(file.string(), key, o);
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
    if (!keep) fs::remove_all(dir, ec);
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
  const std::size_t k = static_cast<std::size_t>(s.range(0));  // entries per transaction
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
BENCHMARK(BM_append_batch)->Arg(10000)->Arg(100000)->Unit(benchmark::kMillisecond)->UseRealTime();

Db& big() {
  static std::string name = "audit-" + std::to_string(g_count);
  static Db db("NORMAL", name.c_str());
  static bool built = [] {
    if (db.reused && db.log->size() == g_count) return true;
    if (db.log->size() != 0) {
      std::fprintf(stderr, "cached log %s has %llu entries, not %zu: remove it\n", name.c_str(),
                   static_cast<unsigned long long>(db.log->size()), g_count);
      std::exit(2);
    }
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
  static c::Key key = c::generate_key(c::Purpose::checkpoint);
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

// Opening the log of a workspace whose audit tables are version 1 (one audit_node row per
// node, a time_ms index; the former shared schema version 4) that holds min(COUNT, 1,000,000)
// entries: audit migration 2 moves the nodes into tiles.
void BM_migrate_v4_open(benchmark::State& s) {
  const std::size_t m = std::min<std::size_t>(g_count, 1'000'000);
  for (auto _ : s) {
    s.PauseTiming();
    Db db("NORMAL");
    fill(*db.log, m);
    a::MemoryTree t;
    {
      st::Statement q(*db.store, "SELECT leaf FROM audit_entry ORDER BY idx");
      while (q.step()) {
        auto v = q.blob(0);
        a::Hash h;
        std::memcpy(h.data(), v.data(), 32);
        t.append(h);
      }
    }
    db.store->exec("BEGIN; DROP TABLE audit_tile; CREATE INDEX audit_entry_time ON audit_entry(time_ms);"
                   "CREATE TABLE audit_node(level INTEGER NOT NULL, idx INTEGER NOT NULL, hash BLOB NOT NULL,"
                   " PRIMARY KEY(level, idx)) WITHOUT ROWID;");
    {
      st::Statement ins(*db.store, "INSERT INTO audit_node VALUES(?,?,?)");
      for (unsigned lv = 1; (std::uint64_t(1) << lv) <= t.size(); ++lv)
        for (std::uint64_t i = 0; ((i + 1) << lv) <= t.size(); ++i) {
          a::Hash h = t.node(lv, i);
          ins.reset();
          ins.bind(1, static_cast<std::int64_t>(lv)).bind(2, static_cast<std::int64_t>(i)).bind_blob(3, h.data(), 32).run();
        }
    }
    db.store->exec("UPDATE module_schema SET version = 1 WHERE module = 'audit'; COMMIT");
    const a::Hash root = t.root();
    db.log.reset();
    db.store.reset();
    s.ResumeTiming();
    st::Store reopened((db.dir / "ws.db").string(), db.key);
    a::Log log(reopened, "civitas.bench/audit");  // migrates
    s.PauseTiming();
    if (log.root(m) != root) s.SkipWithError("the migrated tree has another root");
    s.ResumeTiming();
  }
  s.SetItemsProcessed(static_cast<std::int64_t>(s.iterations() * m));
  s.counters["entries"] = static_cast<double>(m);
}
BENCHMARK(BM_migrate_v4_open)->Unit(benchmark::kMillisecond)->Iterations(1);

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
