// The replay memory's MAC (issue 12, "What the page key alone must not decide"). The rows of
// package_received (received and pending sequence numbers) decide whether a package is
// accepted; whoever holds only the page key (the forensics procedure of docs/workspace.md) can
// rewrite them. So the workspace keeps, in meta row "package_received_mac", a keyed BLAKE2b-256
// over all rows in key order under a subkey of the keyring key (derive_subkey(keyring key, 1,
// "civrply1")), which comes from the workspace key W, not from the page key. Every write of
// the table reseals it in the same transaction; every package opening checks it first, and a
// mismatch refuses the opening as an integrity failure (docs/formats/workspace.md).
#include <sodium.h>

#include <cstring>

#include "civitas/crypto.hpp"
#include "civitas/error.hpp"
#include "impl.hpp"

namespace civitas::workspace {

namespace {

constexpr const char* kMetaKey = "package_received_mac";

void put_u64(crypto_generichash_state& st, std::uint64_t v) {
  unsigned char b[8];
  for (int i = 0; i < 8; ++i) b[i] = static_cast<unsigned char>(v >> (8 * i));
  crypto_generichash_update(&st, b, sizeof b);
}

void put_text(crypto_generichash_state& st, const std::string& s) {
  put_u64(st, s.size());
  crypto_generichash_update(&st, reinterpret_cast<const unsigned char*>(s.data()), s.size());
}

std::string replay_mac(Workspace::Impl& ws) {
  crypto::SecretBytes key = crypto::derive_subkey(ws.keyring_key, 1, "civrply1");
  // The hash state holds key material: in locked memory, wiped after.
  crypto::SecretBytes state(sizeof(crypto_generichash_state));
  auto& st = *reinterpret_cast<crypto_generichash_state*>(state.data());
  crypto_generichash_init(&st, key.data(), key.size(), 32);
  const char tag[] = "civitas replay memory v1";
  crypto_generichash_update(&st, reinterpret_cast<const unsigned char*>(tag), sizeof tag - 1);
  store::Statement q(*ws.store,
                     "SELECT provider, consumer, sequence, package_id, opened_ms, state, coalesce(output, '') "
                     "FROM package_received ORDER BY provider, consumer, sequence");
  std::uint64_t rows = 0;
  while (q.step()) {
    put_text(st, q.text(0));
    put_text(st, q.text(1));
    put_u64(st, static_cast<std::uint64_t>(q.int64(2)));
    put_text(st, q.text(3));
    put_u64(st, static_cast<std::uint64_t>(q.int64(4)));
    put_text(st, q.text(5));
    put_text(st, q.text(6));
    ++rows;
  }
  put_u64(st, rows);
  unsigned char out[32];
  crypto_generichash_final(&st, out, sizeof out);
  return crypto::to_hex(out, sizeof out);
}

}  // namespace

void seal_replay_memory(Workspace::Impl& ws) {
  store::Statement u(*ws.store, "INSERT OR REPLACE INTO meta(key, value) VALUES (?1, ?2)");
  u.bind(1, kMetaKey).bind(2, replay_mac(ws)).run();
}

void check_replay_memory(Workspace::Impl& ws) {
  store::Statement q(*ws.store, "SELECT value FROM meta WHERE key = ?1");
  q.bind(1, kMetaKey);
  const std::string stored = q.step() ? q.text(0) : std::string();
  const std::string want = replay_mac(ws);
  if (stored.size() != want.size() || sodium_memcmp(stored.data(), want.data(), want.size()) != 0)
    throw Error(Code::integrity,
                "the workspace's replay memory (package_received) does not authenticate: it was changed without the "
                "workspace key (" + ws.path + "); no package is opened until it is restored from a backup");
}

}  // namespace civitas::workspace
