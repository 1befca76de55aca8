// Benchmarks of the crypto, store and workspace modules, each with its peer in the same run:
//   field/column        field_encrypt_column over N 18-byte values (batches of 65,536)
//   peer/libsodium      crypto_aead_xchacha20poly1305_ietf_encrypt on the same values, with the
//                       same associated data, nonces drawn per batch (pure AEAD cost) and
//                       per value (randombytes_buf each call, the naive loop)
//   bulk/field          one 1 MiB value through field_encrypt; peer: the raw libsodium call
//   identity/keys       IdentityKeyer::key_into over resident ID numbers
//   workspace/open      Workspace::open with a raw key and with a passphrase (default Argon2id)
//   store/insert        rows inserted into SQLCipher with PRAGMA key vs SQLCipher with no key
//                       (unencrypted mode: a plain SQLite build cannot be linked beside it)
//
//   bench_crypto [--n=COUNT] [google-benchmark flags]      COUNT values (default 10,000,000)
#include <benchmark/benchmark.h>
#include <sodium.h>
#include <sqlcipher/sqlite3.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "civitas/crypto.hpp"
#include "civitas/ids.hpp"
#include "civitas/workspace.hpp"

namespace c = civitas::crypto;
namespace ws = civitas::workspace;
namespace fs = std::filesystem;

namespace {

std::size_t g_count = 10'000'000;
constexpr std::size_t kBatch = 65536;

// One batch of 18-byte values (digits), Arrow layout.
const c::Column& batch_values() {
  static const c::Column col = [] {
    std::vector<std::string> v;
    v.reserve(kBatch);
    for (std::size_t i = 0; i < kBatch; ++i) {
      char b[19];
      std::snprintf(b, sizeof b, "%018zu", i * 7919u + 110101190001011234u % 1000000007u);
      v.emplace_back(b, 18);
    }
    return c::Column::from(v);
  }();
  return col;
}

const c::Key& field_key() {
  static const c::Key k = c::generate_key(c::Purpose::field);
  return k;
}

void BM_FieldColumn(benchmark::State& state) {
  const c::Column& in = batch_values();
  c::Column out;
  for (auto _ : state) {
    for (std::size_t done = 0; done < g_count; done += kBatch) {
      c::ColumnView v = in.view();
      v.n = std::min(kBatch, g_count - done);
      c::field_encrypt_column(field_key(), "tax.payers", "ric", v, nullptr, out);
      benchmark::DoNotOptimize(out.data.data());
    }
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * g_count));
}
BENCHMARK(BM_FieldColumn)->Name("field/column")->Unit(benchmark::kMillisecond)->UseRealTime();

// Peer: the raw libsodium call on the same values and the same associated data.
void raw_loop(benchmark::State& state, bool nonce_per_value) {
  const c::Column& in = batch_values();
  std::string ad = "civitas field v1";
  ad.push_back(1);
  ad.append(reinterpret_cast<const char*>(field_key().id.data()), 8);
  ad += std::string("\0\0\0\x0a" "tax.payers" "\0\0\0\x03" "ric" "\0\0\0\0", 29);
  std::vector<unsigned char> out(kBatch * (18 + 49));
  std::vector<unsigned char> nonces(kBatch * 24);
  for (auto _ : state) {
    for (std::size_t done = 0; done < g_count; done += kBatch) {
      std::size_t n = std::min(kBatch, g_count - done);
      if (!nonce_per_value) randombytes_buf(nonces.data(), n * 24);
      for (std::size_t i = 0; i < n; ++i) {
        unsigned char* o = out.data() + i * 67;
        unsigned char* nonce = nonces.data() + i * 24;
        if (nonce_per_value) randombytes_buf(nonce, 24);
        unsigned long long cl;
        crypto_aead_xchacha20poly1305_ietf_encrypt(o + 33, &cl, in.data.data() + in.offsets[i], 18,
                                                   reinterpret_cast<const unsigned char*>(ad.data()), ad.size(),
                                                   nullptr, nonce, field_key().secret.data());
      }
      benchmark::DoNotOptimize(out.data());
    }
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * g_count));
}
void BM_RawBatchNonces(benchmark::State& s) { raw_loop(s, false); }
void BM_RawNoncePerValue(benchmark::State& s) { raw_loop(s, true); }
BENCHMARK(BM_RawBatchNonces)->Name("peer/libsodium_batch_nonces")->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_RawNoncePerValue)->Name("peer/libsodium_nonce_per_value")->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_BulkField(benchmark::State& state) {
  std::string big(1 << 20, 'x');
  for (auto _ : state) {
    auto ct = c::field_encrypt(field_key(), big, {"r", "f", "1"});
    benchmark::DoNotOptimize(ct.data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * big.size()));
}
BENCHMARK(BM_BulkField)->Name("bulk/field_1MiB");

void BM_BulkRaw(benchmark::State& state) {
  std::vector<unsigned char> big(1 << 20, 'x'), out(big.size() + 16);
  unsigned char nonce[24];
  randombytes_buf(nonce, sizeof nonce);
  for (auto _ : state) {
    unsigned long long cl;
    crypto_aead_xchacha20poly1305_ietf_encrypt(out.data(), &cl, big.data(), big.size(), nullptr, 0, nullptr, nonce,
                                               field_key().secret.data());
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * big.size()));
}
BENCHMARK(BM_BulkRaw)->Name("peer/libsodium_1MiB");

void BM_IdentityKeys(benchmark::State& state) {
  // resident ID numbers with valid check characters
  std::vector<std::string> rics;
  for (int i = 0; i < 4096; ++i) {
    char b[18];
    std::snprintf(b, sizeof b, "1101051980%02d%02d%03d", 1 + i % 12, 1 + i % 28, i % 1000);
    std::string body(b, 17);
    rics.push_back(body + civitas::ids::ric_check_char(body));
  }
  c::Key k = c::generate_key(c::Purpose::identity);
  c::IdentityKeyer keyer(k, "health");
  char out[64];
  const std::size_t n = std::min<std::size_t>(g_count, 1'000'000);
  for (auto _ : state) {
    for (std::size_t i = 0; i < n; ++i) {
      auto r = keyer.key_into(civitas::ids::Kind::ric, rics[i & 4095], out);
      benchmark::DoNotOptimize(r);
    }
    benchmark::DoNotOptimize(out);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * n));
}
BENCHMARK(BM_IdentityKeys)->Name("identity/keys")->Unit(benchmark::kMillisecond)->UseRealTime();

struct TempDir {
  fs::path p;
  TempDir() {
    char t[] = "/tmp/civitas-bench-XXXXXX";
    p = mkdtemp(t);
  }
  ~TempDir() { fs::remove_all(p); }
};

void BM_OpenRaw(benchmark::State& state) {
  TempDir d;
  std::string path = (d.p / "w.db").string();
  c::SecretBytes mk = c::SecretBytes::random(32);
  ws::Workspace::create(path, ws::KeySource::raw_key(mk.clone()));
  for (auto _ : state) {
    auto w = ws::Workspace::open(path, ws::KeySource::raw_key(mk.clone()));
    benchmark::DoNotOptimize(w.get());
  }
}
BENCHMARK(BM_OpenRaw)->Name("workspace/open_raw_key")->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_OpenPassphrase(benchmark::State& state) {
  TempDir d;
  std::string path = (d.p / "w.db").string();
  ws::Workspace::create(path, ws::KeySource::passphrase("bench passphrase"));  // default Argon2id cost
  for (auto _ : state) {
    auto w = ws::Workspace::open(path, ws::KeySource::passphrase("bench passphrase"));
    benchmark::DoNotOptimize(w.get());
  }
}
BENCHMARK(BM_OpenPassphrase)->Name("workspace/open_passphrase_argon2id_t3_64MiB")->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(5);

// Same rows, same settings (WAL, synchronous FULL, one transaction of 100,000 inserts).
void insert_rows(benchmark::State& state, bool keyed) {
  const std::size_t rows = std::min<std::size_t>(g_count, 100'000);
  for (auto _ : state) {
    state.PauseTiming();
    TempDir d;
    std::string path = (d.p / "s.db").string();
    sqlite3* db = nullptr;
    sqlite3_open(path.c_str(), &db);
    if (keyed) {
      std::string k = "PRAGMA key = \"x'" + std::string(64, 'a') + "'\"; PRAGMA cipher_page_size = 4096; "
                      "PRAGMA cipher_hmac_algorithm = HMAC_SHA512; PRAGMA cipher_kdf_algorithm = PBKDF2_HMAC_SHA512;";
      sqlite3_exec(db, k.c_str(), nullptr, nullptr, nullptr);
    } else {
      sqlite3_exec(db, "PRAGMA page_size = 4096;", nullptr, nullptr, nullptr);
    }
    sqlite3_exec(db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; CREATE TABLE t(id INTEGER PRIMARY KEY, ric TEXT, name TEXT, payload BLOB);",
                 nullptr, nullptr, nullptr);
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(db, "INSERT INTO t(ric, name, payload) VALUES(?, ?, ?)", -1, &st, nullptr);
    const c::Column& vals = batch_values();
    std::string payload(67, 'p');
    state.ResumeTiming();
    sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr);
    for (std::size_t i = 0; i < rows; ++i) {
      std::string_view v = vals.at(i % kBatch);
      sqlite3_bind_text(st, 1, v.data(), static_cast<int>(v.size()), SQLITE_STATIC);
      sqlite3_bind_text(st, 2, "Zhang San", 9, SQLITE_STATIC);
      sqlite3_bind_blob(st, 3, payload.data(), static_cast<int>(payload.size()), SQLITE_STATIC);
      sqlite3_step(st);
      sqlite3_reset(st);
    }
    sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
    state.PauseTiming();
    sqlite3_finalize(st);
    sqlite3_close(db);
    state.ResumeTiming();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * rows));
}
void BM_InsertKeyed(benchmark::State& s) { insert_rows(s, true); }
void BM_InsertPlain(benchmark::State& s) { insert_rows(s, false); }
BENCHMARK(BM_InsertKeyed)->Name("store/insert_sqlcipher_keyed")->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_InsertPlain)->Name("store/insert_sqlcipher_no_key")->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

int main(int argc, char** argv) {
  std::vector<char*> rest;
  for (int i = 0; i < argc; ++i) {
    std::string a = argv[i];
    if (a.rfind("--n=", 0) == 0) g_count = std::strtoull(argv[i] + 4, nullptr, 10);
    else rest.push_back(argv[i]);
  }
  if (g_count == 0) g_count = 1;
  if (sodium_init() < 0) return 2;
  int rest_argc = static_cast<int>(rest.size());
  benchmark::Initialize(&rest_argc, rest.data());
  benchmark::AddCustomContext("values", std::to_string(g_count));
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
