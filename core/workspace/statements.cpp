// Provider sequence statements (issue 18): replay memory after a restore.
//
// The replay memory (package_received, replay.cpp) of a restored workspace ends at the backup:
// packages accepted after it are forgotten and would be accepted again. So a restore calls
// require_sequence_statements(): from then on every provider waits for a statement, signed by
// its department, of the last sequence number it reserved for this department; packages with a
// number at or below it are refused, above it accepted (docs/formats/sequence-statement.md).
//
// Tables of module "sequence" (store::migrate, docs/formats/workspace.md): sequence_state (one
// row: how many times statements were required, when last) and sequence_statement (the latest
// statement per provider). Whoever holds only the page key could delete the requirement or
// raise/lower a floor, so both tables are authenticated by a keyed BLAKE2b-256 in
// sequence_state.mac under a subkey of the keyring key ("civseqs1"), as the replay memory is;
// a missing state row or a wrong MAC refuses every package opening with integrity.
#include "statements.hpp"

#include <sodium.h>

#include <nlohmann/json.hpp>
#include <set>

#include "civitas/error.hpp"
#include "civitas/ids.hpp"
#include "civitas/json.hpp"
#include "civitas/store.hpp"
#include "civitas/workspace.hpp"

namespace civitas::workspace {

using nlohmann::json;
namespace c = civitas::crypto;

namespace {

constexpr char kFormat[] = "civitas-sequence-statement";
constexpr char kSigContext[] = "civitas-sequence-statement v1\n";  // names the protocol of the signature
constexpr std::int64_t kSkew = 600;  // a statement may be dated up to 10 minutes before the requirement

thread_local Workspace::Impl* t_sealing = nullptr;

void put_u64(crypto_generichash_state& st, std::uint64_t v) {
  unsigned char b[8];
  for (int i = 0; i < 8; ++i) b[i] = static_cast<unsigned char>(v >> (8 * i));
  crypto_generichash_update(&st, b, sizeof b);
}

void put_text(crypto_generichash_state& st, const std::string& s) {
  put_u64(st, s.size());
  crypto_generichash_update(&st, reinterpret_cast<const unsigned char*>(s.data()), s.size());
}

std::string state_mac(Workspace::Impl& ws, std::int64_t generation, std::int64_t required) {
  c::SecretBytes key = c::derive_subkey(ws.keyring_key, 1, "civseqs1");
  c::SecretBytes state(sizeof(crypto_generichash_state));
  auto& st = *reinterpret_cast<crypto_generichash_state*>(state.data());
  crypto_generichash_init(&st, key.data(), key.size(), 32);
  const char tag[] = "civitas sequence statements v1";
  crypto_generichash_update(&st, reinterpret_cast<const unsigned char*>(tag), sizeof tag - 1);
  put_u64(st, static_cast<std::uint64_t>(generation));
  put_u64(st, static_cast<std::uint64_t>(required));
  store::Statement q(*ws.store,
                     "SELECT provider, consumer, last_sequence, time, key_id, digest, generation, imported "
                     "FROM sequence_statement ORDER BY provider");
  std::uint64_t rows = 0;
  while (q.step()) {
    put_text(st, q.text(0));
    put_text(st, q.text(1));
    put_u64(st, static_cast<std::uint64_t>(q.int64(2)));
    put_u64(st, static_cast<std::uint64_t>(q.int64(3)));
    put_text(st, q.text(4));
    put_text(st, q.text(5));
    put_u64(st, static_cast<std::uint64_t>(q.int64(6)));
    put_u64(st, static_cast<std::uint64_t>(q.int64(7)));
    ++rows;
  }
  put_u64(st, rows);
  unsigned char out[32];
  crypto_generichash_final(&st, out, sizeof out);
  return c::to_hex(out, sizeof out);
}

void seal_state(Workspace::Impl& ws, std::int64_t generation, std::int64_t required) {
  store::Statement u(*ws.store, "INSERT OR REPLACE INTO sequence_state(id, generation, required, mac) VALUES (1, ?1, ?2, ?3)");
  u.bind(1, generation).bind(2, required).bind(3, state_mac(ws, generation, required)).run();
}

void first_seal(store::Store&) {
  if (!t_sealing) throw Error(Code::internal, "sequence statement tables created without the workspace key");
  seal_state(*t_sealing, 0, 0);
}

const std::vector<store::Migration>& migrations() {
  static const std::vector<store::Migration> m = {
      {1, "provider sequence statements (statements.cpp, docs/formats/sequence-statement.md)",
       R"sql(
CREATE TABLE sequence_state(
  id         INTEGER PRIMARY KEY CHECK (id = 1),
  generation INTEGER NOT NULL,            -- times require_sequence_statements() ran
  required   INTEGER NOT NULL,            -- Unix seconds of the last one (0: never)
  mac        TEXT NOT NULL                -- keyed BLAKE2b-256 of both tables (hex)
);
CREATE TABLE sequence_statement(
  provider      TEXT PRIMARY KEY,         -- USCC of the providing department
  consumer      TEXT NOT NULL,            -- this department as the statement names it
  last_sequence INTEGER NOT NULL,         -- stated last sequence number sent
  time          INTEGER NOT NULL,         -- the statement's signed time (Unix seconds)
  key_id        TEXT NOT NULL,            -- signing key of the provider
  digest        TEXT NOT NULL,            -- hex BLAKE2b-256 of the signed bytes
  generation    INTEGER NOT NULL,         -- sequence_state.generation when imported
  imported      INTEGER NOT NULL          -- Unix seconds
) WITHOUT ROWID;
)sql",
       first_seal, 0},
  };
  return m;
}

struct State {
  std::int64_t generation = 0, required = 0;
};

/// Migrates (first use seals the empty tables) and checks the MAC; returns the state.
State load_state(Workspace::Impl& ws) {
  {
    t_sealing = &ws;
    struct Reset {
      ~Reset() { t_sealing = nullptr; }
    } reset;
    store::migrate(*ws.store, "sequence", migrations());
  }
  store::Statement q(*ws.store, "SELECT generation, required, mac FROM sequence_state WHERE id = 1");
  State s;
  std::string stored;
  if (q.step()) {
    s.generation = q.int64(0);
    s.required = q.int64(1);
    stored = q.text(2);
  }
  const std::string want = state_mac(ws, s.generation, s.required);
  if (stored.size() != want.size() || sodium_memcmp(stored.data(), want.data(), want.size()) != 0)
    throw Error(Code::integrity, "the workspace's sequence statements (sequence_state, sequence_statement) do not "
                                 "authenticate: they were changed without the workspace key (" + ws.path +
                                 "); no package is opened until the workspace is restored from a backup");
  return s;
}

std::string canonical_uscc(std::string_view s, const char* what, Code code) {
  ids::Result r = ids::validate(ids::Kind::uscc, s);
  if (!r.valid)
    throw Error(code, std::string(what) + " '" + std::string(s) + "' is not a valid USCC (" + ids::reason_name(r.reason) + ")");
  return r.canonical;
}

std::string blake2b_hex(std::string_view bytes) {
  unsigned char h[32];
  crypto_generichash(h, sizeof h, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), nullptr, 0);
  return c::to_hex(h, sizeof h);
}

std::string command_hint(const std::string& provider, const std::string& self) {
  return "ask " + provider + " for `civitas package statement --consumer " + (self.empty() ? "<this USCC>" : self) +
         " -o FILE` and run `civitas package import-statement FILE`";
}

}  // namespace

void check_sequence_statement(Workspace::Impl& ws, const std::string& provider, std::uint64_t sequence) {
  store::Transaction tx(*ws.store);  // one consistent view (a savepoint inside the caller's)
  const State s = load_state(ws);
  store::Statement q(*ws.store, "SELECT last_sequence, generation FROM sequence_statement WHERE provider = ?1");
  q.bind(1, provider);
  const bool has = q.step();
  const std::int64_t last = has ? q.int64(0) : 0;
  const std::int64_t gen = has ? q.int64(1) : 0;
  if (s.generation > 0 && (!has || gen != s.generation))
    throw Error(Code::denied, "packages from " + provider +
                                  " are refused until its sequence statement is imported (this workspace was restored "
                                  "from a backup and cannot know which packages it accepted after it): " +
                                  command_hint(provider, ws.meta("department")));
  if (has && sequence <= static_cast<std::uint64_t>(last))
    throw Error(Code::replay, "package sequence " + std::to_string(sequence) + " from " + provider +
                                  " is at or below the last sequence number " + std::to_string(last) +
                                  " that the provider stated it had sent: it may have been opened before the restore, "
                                  "so it is refused (the provider must send it again as a new package)");
  tx.commit();
}

std::string Workspace::sequence_statement(std::string_view consumer_in) {
  const std::string self = impl_->meta("department");
  if (self.empty())
    throw Error(Code::invalid_argument, "the workspace has no department (USCC); create it with one to exchange packages");
  const std::string consumer = canonical_uscc(consumer_in, "consumer department", Code::invalid_argument);
  if (consumer == self) throw Error(Code::invalid_argument, "a sequence statement is for another department, not for " + self);
  auto ring = keyring();
  const c::Key& sk = ring->primary(c::Purpose::signing);
  store::Transaction tx(*impl_->store);  // the counter cannot move while the statement is made
  store::Statement q(*impl_->store, "SELECT last_sequence FROM package_sent WHERE consumer = ?1");
  q.bind(1, consumer);
  const std::int64_t last = q.step() ? q.int64(0) : 0;
  json doc = {{"format", kFormat}, {"version", 1}, {"provider", self}, {"consumer", consumer},
              {"last_sequence", last}, {"time", now_seconds()}};
  const std::string body = kSigContext + doc.dump();
  std::vector<std::uint8_t> sig = c::sign_bytes(sk, body.data(), body.size());
  doc["signature"] = {{"algorithm", sk.algorithm}, {"key_id", sk.id_hex()}, {"value", c::base64(sig.data(), sig.size())}};
  impl_->audit("package.statement", consumer, json{{"consumer", consumer}, {"last_sequence", last}, {"key_id", sk.id_hex()}});
  tx.commit();
  return doc.dump(2) + "\n";
}

std::string Workspace::import_sequence_statement(std::string_view text) {
  std::string provider;
  json details = json::object();
  try {
    if (text.size() > 65536) throw Error(Code::parse, "a sequence statement is at most 64 KiB");
    json j = parse_json(text, "sequence statement");
    if (!j.is_object() || j.value("format", json()) != kFormat)
      throw Error(Code::parse, "not a civitas sequence statement (format is not \"" + std::string(kFormat) + "\")");
    json body;
    std::string alg, key_id, value;
    std::int64_t time = 0;
    std::uint64_t last = 0;
    std::string consumer;
    try {
      const std::int64_t version = json_integer_at(j, "version", "sequence statement");
      if (version != 1)
        throw Error(Code::unsupported_version,
                    "sequence statement of version " + std::to_string(version) + "; this civitas reads version 1");
      provider = j.at("provider").get<std::string>();
      consumer = j.at("consumer").get<std::string>();
      const json& ls = j.at("last_sequence");
      if (!ls.is_number_unsigned() || ls.get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX))
        throw Error(Code::parse, "sequence statement: last_sequence must be a non-negative integer");
      last = ls.get<std::uint64_t>();
      const json& tm = j.at("time");
      if (!tm.is_number_integer()) throw Error(Code::parse, "sequence statement: time must be an integer (Unix seconds)");
      time = tm.get<std::int64_t>();
      const json& sg = j.at("signature");
      alg = sg.at("algorithm").get<std::string>();
      key_id = sg.at("key_id").get<std::string>();
      value = sg.at("value").get<std::string>();
      body = j;
      body.erase("signature");
      if (body.size() != 6)
        throw Error(Code::parse, "sequence statement: unknown fields (expected format, version, provider, consumer, "
                                 "last_sequence, time, signature)");
    } catch (const json::exception&) {
      throw Error(Code::parse, "sequence statement: a field is missing or has the wrong type");
    }
    details = json{{"provider", provider}, {"consumer", consumer}, {"last_sequence", last}, {"time", time}, {"key_id", key_id}};
    provider = canonical_uscc(provider, "sequence statement: provider", Code::invalid_data);
    const std::string self = impl_->meta("department");
    if (canonical_uscc(consumer, "sequence statement: consumer", Code::invalid_data) != self || self.empty())
      throw Error(Code::invalid_data, "the sequence statement of " + provider + " is addressed to " + consumer +
                                          ", not to this department (" + (self.empty() ? "none" : self) + ")");
    // The signature: by a signing key the directory holds for the provider, not revoked.
    const c::Suite& su = c::suite_of_algorithm(c::Purpose::signing, alg);  // unsupported_version
    const Peer* signer = nullptr;
    auto peers = this->peers(provider);
    for (const auto& p : peers)
      if (p.purpose == c::Purpose::signing && c::key_id_hex(p.key_id) == key_id) signer = &p;
    if (!signer)
      throw Error(Code::unknown_key, "the sequence statement is signed by key " + key_id + ", which the peer directory "
                                     "does not hold for " + provider + " (import its public keys first)");
    if (signer->status != "primary" && signer->status != "active")
      throw Error(Code::denied, "the sequence statement is signed by key " + key_id + " of " + provider + ", which is " +
                                    signer->status + ": a revoked key signs no statement");
    std::vector<std::uint8_t> sig;
    try {
      sig = c::from_base64(value);
    } catch (const Error&) {
      throw Error(Code::bad_signature, "the sequence statement's signature is not base64");
    }
    const std::string bytes = kSigContext + body.dump();
    if (signer->algorithm != alg ||
        !su.verify(signer->public_key.data(), signer->public_key.size(), bytes.data(), bytes.size(), sig.data(), sig.size()))
      throw Error(Code::bad_signature, "the sequence statement does not verify with " + provider + "'s key " + key_id +
                                           " (altered, or not signed by that department)");
    // Record it.
    store::Transaction tx(*impl_->store);
    const State s = load_state(*impl_);
    if (s.generation > 0 && time < s.required - kSkew)
      throw Error(Code::denied, "the sequence statement of " + provider + " was made at " + std::to_string(time) +
                                    ", before this workspace was restored (" + std::to_string(s.required) +
                                    "): it cannot cover packages sent since; " + command_hint(provider, self));
    store::Statement q(*impl_->store, "SELECT last_sequence, generation, digest FROM sequence_statement WHERE provider = ?1");
    q.bind(1, provider);
    const std::string digest = blake2b_hex(bytes);
    if (q.step() && q.int64(1) == s.generation) {
      if (q.text(2) == digest) {  // the same statement again: nothing changes
        tx.commit();
        return provider;
      }
      if (static_cast<std::uint64_t>(q.int64(0)) > last)
        throw Error(Code::denied, "the sequence statement of " + provider + " states " + std::to_string(last) +
                                      ", lower than the " + std::to_string(q.int64(0)) + " already imported");
    }
    store::Statement u(*impl_->store,
                       "INSERT OR REPLACE INTO sequence_statement(provider, consumer, last_sequence, time, key_id, digest, "
                       "generation, imported) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
    u.bind(1, provider).bind(2, self).bind(3, static_cast<std::int64_t>(last)).bind(4, time).bind(5, key_id);
    u.bind(6, digest).bind(7, s.generation).bind(8, now_seconds()).run();
    seal_state(*impl_, s.generation, s.required);
    impl_->audit("package.import_statement", provider, details);
    tx.commit();
    return provider;
  } catch (const Error& e) {
    impl_->audit_refused("package.import_statement", provider, e, details);
    throw;
  }
}

void Workspace::require_sequence_statements() {
  std::set<std::string> depts;
  for (const auto& p : peers())
    if (p.purpose == c::Purpose::signing) depts.insert(p.department);
  store::Transaction tx(*impl_->store);
  const State s = load_state(*impl_);
  const std::int64_t generation = s.generation + 1;
  const std::int64_t required = now_seconds();
  store::Statement u(*impl_->store, "UPDATE sequence_state SET generation = ?1, required = ?2 WHERE id = 1");
  u.bind(1, generation).bind(2, required).run();
  seal_state(*impl_, generation, required);
  impl_->audit("package.require_statements", impl_->meta("workspace_id"),
               json{{"generation", generation}, {"required", required}, {"providers", depts}});
  tx.commit();
}

std::vector<std::string> Workspace::awaiting_statements() const {
  std::set<std::string> depts;
  for (const auto& p : peers())
    if (p.purpose == c::Purpose::signing) depts.insert(p.department);
  std::vector<std::string> out;
  store::Transaction tx(*impl_->store);
  const State s = load_state(*impl_);
  if (s.generation == 0) return out;
  for (const std::string& d : depts) {
    store::Statement q(*impl_->store, "SELECT generation FROM sequence_statement WHERE provider = ?1");
    q.bind(1, d);
    if (!q.step() || q.int64(0) != s.generation) out.push_back(d);
  }
  tx.commit();
  return out;
}

}  // namespace civitas::workspace
