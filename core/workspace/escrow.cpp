// Key escrow (issue 18): Workspace::escrow_key splits the workspace key W into Shamir shares
// (crypto::shamir_split), Workspace::recover_key rebuilds it from enough shares and wraps it
// under a new master key. Share documents: docs/formats/escrow-share.md.
//
// W is what the header wraps under the master key, so shares survive change_master and serve
// passphrase and raw-key workspaces alike. A share document carries the workspace id, the id
// of its escrow set (shares of two escrow runs never mix), a key check (BLAKE2b keyed by W:
// tells a wrong rebuild before the database is touched) and a checksum (BLAKE2b over the
// canonical JSON: tells a damaged share). The document text and the share's value live in
// SecretBytes; the value's hex passes through the JSON parser on reading and is wiped in the
// parsed document.
//
// Recovery runs without the master key, so nothing can be logged before the rebuilt key
// opens the workspace. Then, as change_master does: an "intent" entry commits, and the "ok"
// entry commits in the transaction (write lock held) during which the new header replaces the
// old one by rename. A refusal before the workspace opens is reported to the caller only.
#include <sodium.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>

#include "civitas/audit.hpp"
#include "civitas/error.hpp"
#include "civitas/json.hpp"
#include "civitas/workspace.hpp"
#include "header.hpp"
#include "escrow_share.hpp"
#include "impl.hpp"

namespace civitas::workspace {

using nlohmann::json;
namespace c = civitas::crypto;

namespace {

constexpr char kFormat[] = "civitas-escrow-share";
constexpr char kScheme[] = "shamir-gf256";
constexpr char kChecksumContext[] = "civitas-escrow-share v1\n";
constexpr char kKeyCheckContext[] = "civitas escrow key check v1/";

/// Text built in locked memory.
class SecretText {
 public:
  explicit SecretText(std::size_t cap) : buf_(cap) {}
  SecretText& operator<<(std::string_view s) {
    if (n_ + s.size() > buf_.size()) throw Error(Code::internal, "escrow share text overflows its buffer");
    std::memcpy(buf_.data() + n_, s.data(), s.size());
    n_ += s.size();
    return *this;
  }
  SecretText& hex(const c::SecretBytes& v) {
    if (n_ + 2 * v.size() + 1 > buf_.size()) throw Error(Code::internal, "escrow share text overflows its buffer");
    sodium_bin2hex(reinterpret_cast<char*>(buf_.data() + n_), 2 * v.size() + 1, v.data(), v.size());
    n_ += 2 * v.size();
    return *this;
  }
  std::string_view view() const { return {reinterpret_cast<const char*>(buf_.data()), n_}; }
  c::SecretBytes take() const { return c::SecretBytes(buf_.data(), n_); }

 private:
  c::SecretBytes buf_;
  std::size_t n_ = 0;
};

std::string q(const std::string& s) { return "\"" + s + "\""; }

/// The compact JSON of the document without "checksum", keys sorted (what the checksum covers).
SecretText canonical(const ShareDoc& d) {
  SecretText t(1024);
  t << "{\"created\":" << std::to_string(d.created) << ",\"department\":" << q(d.department)
    << ",\"escrow_id\":" << q(d.escrow_id) << ",\"format\":" << q(kFormat) << ",\"index\":" << std::to_string(d.index)
    << ",\"key_check\":" << q(d.key_check) << ",\"scheme\":" << q(kScheme) << ",\"shares\":" << std::to_string(d.shares)
    << ",\"threshold\":" << std::to_string(d.threshold) << ",\"value\":\"";
  t.hex(d.value);
  t << "\",\"version\":1,\"workspace_id\":" << q(d.workspace_id) << "}";
  return t;
}

}  // namespace

std::string escrow_checksum(const ShareDoc& d) {
  SecretText body = canonical(d);
  crypto_generichash_state st;
  crypto_generichash_init(&st, nullptr, 0, 32);
  crypto_generichash_update(&st, reinterpret_cast<const unsigned char*>(kChecksumContext), sizeof kChecksumContext - 1);
  crypto_generichash_update(&st, reinterpret_cast<const unsigned char*>(body.view().data()), body.view().size());
  unsigned char out[32];
  crypto_generichash_final(&st, out, sizeof out);
  sodium_memzero(&st, sizeof st);
  return c::to_hex(out, sizeof out);
}

std::string escrow_key_check(const c::SecretBytes& w, const std::string& workspace_id) {
  const std::string m = kKeyCheckContext + workspace_id;
  unsigned char out[16];
  crypto_generichash(out, sizeof out, reinterpret_cast<const unsigned char*>(m.data()), m.size(), w.data(), w.size());
  return c::to_hex(out, sizeof out);
}

c::SecretBytes format_escrow_share(ShareDoc& d) {
  d.checksum = escrow_checksum(d);
  SecretText t(1536);
  t << "{\n  \"format\": " << q(kFormat) << ",\n  \"version\": 1,\n  \"scheme\": " << q(kScheme)
    << ",\n  \"workspace_id\": " << q(d.workspace_id) << ",\n  \"department\": " << q(d.department)
    << ",\n  \"escrow_id\": " << q(d.escrow_id) << ",\n  \"created\": " << std::to_string(d.created)
    << ",\n  \"threshold\": " << std::to_string(d.threshold) << ",\n  \"shares\": " << std::to_string(d.shares)
    << ",\n  \"index\": " << std::to_string(d.index) << ",\n  \"value\": \"";
  t.hex(d.value);
  t << "\",\n  \"key_check\": " << q(d.key_check) << ",\n  \"checksum\": " << q(d.checksum) << "\n}\n";
  return t.take();
}

namespace {

bool is_hex(const std::string& s, std::size_t n) {
  return s.size() == n && std::all_of(s.begin(), s.end(), [](char ch) { return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f'); });
}

std::string ordinal(std::size_t i, std::size_t n) {
  return "share " + std::to_string(i + 1) + " of the " + std::to_string(n) + " given";
}

}  // namespace

ShareDoc parse_escrow_share(const c::SecretBytes& text, const std::string& where) {
  if (text.size() > 4096) throw Error(Code::parse, where + " is too large to be an escrow share");
  json j = parse_json(std::string_view(reinterpret_cast<const char*>(text.data()), text.size()), where);
  struct Wipe {  // the value's hex in the parsed document
    json& j;
    ~Wipe() {
      if (j.is_object() && j.contains("value") && j["value"].is_string()) {
        auto& v = j["value"].get_ref<std::string&>();
        sodium_memzero(v.data(), v.size());
      }
    }
  } wipe{j};
  if (!j.is_object() || j.value("format", json()) != kFormat)
    throw Error(Code::parse, where + " is not a civitas escrow share (format is not \"" + std::string(kFormat) + "\")");
  ShareDoc d;
  try {
    const std::int64_t version = json_integer_at(j, "version", where);
    if (version != 1)
      throw Error(Code::unsupported_version,
                  where + " is an escrow share of version " + std::to_string(version) + "; this civitas reads version 1");
    if (j.at("scheme").get<std::string>() != kScheme)
      throw Error(Code::unsupported_version, where + ": unknown scheme '" + j.at("scheme").get<std::string>() + "'");
    d.workspace_id = j.at("workspace_id").get<std::string>();
    d.department = j.at("department").get<std::string>();
    d.escrow_id = j.at("escrow_id").get<std::string>();
    d.created = json_integer_at(j, "created", where);
    const auto num = [&](const char* k) {
      const json& v = j.at(k);
      if (!v.is_number_unsigned() || v.get<std::uint64_t>() < 1 || v.get<std::uint64_t>() > 255)
        throw Error(Code::parse, where + ": \"" + k + "\" must be an integer from 1 to 255");
      return static_cast<unsigned>(v.get<std::uint64_t>());
    };
    d.threshold = num("threshold");
    d.shares = num("shares");
    d.index = num("index");
    d.key_check = j.at("key_check").get<std::string>();
    d.checksum = j.at("checksum").get<std::string>();
    const std::string& v = j.at("value").get_ref<const std::string&>();
    if (!is_hex(v, 64)) throw Error(Code::parse, where + ": \"value\" must be 64 lowercase hexadecimal digits");
    d.value = c::secret_from_hex(v, 32);
  } catch (const json::exception&) {
    throw Error(Code::parse, where + ": a field of the escrow share is missing or has the wrong type");
  }
  if (!is_hex(d.workspace_id, 32) || !is_hex(d.escrow_id, 32) || !is_hex(d.key_check, 32) || !is_hex(d.checksum, 64))
    throw Error(Code::parse, where + ": workspace_id, escrow_id, key_check (32) and checksum (64) must be lowercase hex");
  if (d.department.size() > 18 ||
      !std::all_of(d.department.begin(), d.department.end(), [](char ch) { return (ch >= '0' && ch <= '9') || (ch >= 'A' && ch <= 'Z'); }))
    throw Error(Code::parse, where + ": \"department\" must be a USCC (digits and capital letters) or empty");
  if (d.created < 0) throw Error(Code::parse, where + ": \"created\" must not be negative");
  const std::string want = escrow_checksum(d);
  if (sodium_memcmp(want.data(), d.checksum.data(), want.size()) != 0)
    throw Error(Code::integrity, where + " is damaged: its checksum does not match its content");
  if (d.threshold > d.shares || d.index > d.shares)
    throw Error(Code::invalid_data, where + ": index " + std::to_string(d.index) + ", threshold " + std::to_string(d.threshold) +
                                        " and shares " + std::to_string(d.shares) + " do not fit together");
  return d;
}

namespace {

bool exists(const std::string& p) {
  std::error_code ec;
  return std::filesystem::exists(p, ec);
}

}  // namespace

std::vector<c::SecretBytes> Workspace::escrow_key(unsigned shares, unsigned threshold) {
  if (threshold < 1 || shares < threshold || shares > 255)
    throw Error(Code::invalid_argument, "key escrow needs 1 <= threshold <= shares <= 255 (threshold " +
                                            std::to_string(threshold) + ", shares " + std::to_string(shares) + ")");
  const Info info = this->info();
  unsigned char idb[16];
  randombytes_buf(idb, sizeof idb);
  const std::string escrow_id = c::to_hex(idb, sizeof idb);
  std::vector<c::ShamirShare> parts = c::shamir_split(impl_->workspace_key, shares, threshold);
  const std::string check = escrow_key_check(impl_->workspace_key, info.workspace_id);
  std::vector<c::SecretBytes> out;
  for (auto& p : parts) {
    ShareDoc d;
    d.workspace_id = info.workspace_id;
    d.department = info.department;
    d.escrow_id = escrow_id;
    d.created = now_seconds();
    d.threshold = threshold;
    d.shares = shares;
    d.index = p.x;
    d.value = std::move(p.y);
    d.key_check = check;
    out.push_back(format_escrow_share(d));
  }
  store::Transaction tx(*impl_->store);
  impl_->audit("keys.escrow", info.workspace_id,
               json{{"escrow_id", escrow_id}, {"shares", shares}, {"threshold", threshold}, {"scheme", kScheme}});
  tx.commit();
  return out;
}

std::unique_ptr<Workspace> Workspace::recover_key(const std::string& path, const std::vector<c::SecretBytes>& docs,
                                                  const KeySource& next, const OpenOptions& opts) {
  c::init();
  if (!exists(path)) throw Error(Code::not_found, "no workspace at " + path);
  const std::string hp = header_path(path);
  if (docs.empty()) throw Error(Code::invalid_argument, "no escrow share given");
  // The header may be lost too: the shares then name the workspace, the database must agree
  // (step 3), and a new header is written.
  std::optional<Header> h0;
  if (exists(hp)) h0 = read_header(hp);

  // 1. Every share: well-formed, intact, of this workspace and of one escrow set, no repeats.
  std::vector<ShareDoc> shares;
  for (std::size_t i = 0; i < docs.size(); ++i) shares.push_back(parse_escrow_share(docs[i], ordinal(i, docs.size())));
  const ShareDoc& first = shares[0];
  const std::string wid = h0 ? h0->workspace_id : first.workspace_id;
  std::set<unsigned> seen;
  for (std::size_t i = 0; i < shares.size(); ++i) {
    const ShareDoc& s = shares[i];
    if (s.workspace_id != wid)
      throw Error(Code::invalid_data, ordinal(i, shares.size()) + " belongs to workspace " + s.workspace_id + ", not to " +
                                          path + " (workspace " + wid + ")");
    if (s.escrow_id != first.escrow_id || s.threshold != first.threshold || s.shares != first.shares ||
        s.key_check != first.key_check)
      throw Error(Code::invalid_data, ordinal(i, shares.size()) + " is of escrow set " + s.escrow_id +
                                          ", share 1 of escrow set " + first.escrow_id +
                                          ": shares of different escrow runs cannot be combined");
    if (!seen.insert(s.index).second)
      throw Error(Code::invalid_data, ordinal(i, shares.size()) + " is share number " + std::to_string(s.index) +
                                          " again: give different shares");
  }
  if (shares.size() < first.threshold)
    throw Error(Code::invalid_argument, "escrow set " + first.escrow_id + " needs " + std::to_string(first.threshold) +
                                            " shares; " + std::to_string(shares.size()) + " given");

  // 2. Rebuild W from all shares given and check it.
  std::vector<c::ShamirShare> pts;
  for (auto& s : shares) pts.push_back(c::ShamirShare{static_cast<std::uint8_t>(s.index), s.value.clone()});
  c::SecretBytes w = c::shamir_combine(pts);
  const std::string check = escrow_key_check(w, wid);
  if (sodium_memcmp(check.data(), first.key_check.data(), check.size()) != 0)
    throw Error(Code::wrong_key, "the escrow shares do not rebuild the workspace key of " + path +
                                     " (a share was altered or does not belong with the others); nothing was changed");

  // 3. Open the workspace with the rebuilt key (as Workspace::open does after the header).
  auto impl = std::make_unique<Impl>();
  impl->path = path;
  impl->workspace_key = std::move(w);
  derive_keyring_keys(*impl);
  impl->peers_key = c::derive_subkey(impl->workspace_key, 1, "civpeer1");
  store::OpenOptions so;
  so.busy_timeout_ms = opts.busy_timeout_ms;
  try {
    impl->store = std::make_unique<store::Store>(path, c::derive_subkey(impl->workspace_key, 1, "civpage1"), so);
  } catch (const Error& e) {
    if (e.code() == Code::wrong_key)
      throw Error(Code::wrong_key, "the key rebuilt from the escrow shares does not open " + path +
                                       " (the file is damaged or not the escrowed workspace); nothing was changed");
    throw;
  }
  if (impl->meta("workspace_id") != wid)
    throw Error(Code::integrity, "workspace file " + path + " is not workspace " + wid + " (its workspace id differs)");
  {
    ConvertingKeyring conv(*impl);
    migrate_tables(*impl);
  }
  impl->ring = impl->load_ring();
  std::unique_ptr<Workspace> ws(new Workspace(std::move(impl)));
  audit::WorkspaceLog::attach(*ws);
  Impl& im = *ws->impl_;
  for (const c::Key& k : im.added_by_upgrade)
    im.audit("key.rotate", k.id_hex(),
             json{{"purpose", c::purpose_name(k.purpose)}, {"key_id", k.id_hex()}, {"algorithm", k.algorithm},
                  {"reason", "workspace upgrade (migration 4)"}});
  im.added_by_upgrade.clear();

  // 4. Intent, then the header replacement with its "ok" entry (change_master's pattern).
  json indices = json::array();
  for (const auto& s : shares) indices.push_back(s.index);
  const std::string to = next.is_passphrase() ? "passphrase" : "raw";
  json details{{"escrow_id", first.escrow_id}, {"threshold", first.threshold}, {"shares_used", indices},
               {"from", h0 ? h0->key_source : std::string("missing header")}, {"to", to}};
  {
    store::Transaction tx(*im.store);
    im.audit("workspace.recover_key", path, details, "intent");
    tx.commit();
  }
  bool renamed = false;
  try {
    store::Transaction tx(*im.store);
    Header h;
    if (h0) {
      h = read_header(hp);
      if (h.workspace_id != wid) throw Error(Code::integrity, "the header of " + path + " changed during the recovery");
    } else {
      if (exists(hp)) throw Error(Code::exists, "a header appeared at " + hp + " during the recovery");
      h.workspace_id = wid;  // version 1, a new wrap
    }
    seal_header(h, next, im.workspace_key);
    store::Statement st(*im.store, "INSERT OR REPLACE INTO meta(key, value) VALUES('master_changed', ?)");
    st.bind(1, std::to_string(now_seconds()));
    st.run();
    im.audit("workspace.recover_key", path, details);
    write_header(hp, h);
    renamed = true;
    tx.commit();
  } catch (const Error& e) {
    if (!renamed) {
      im.audit_refused("workspace.recover_key", path, e, details);
    } else {
      try {
        im.audit("workspace.recover_key", path, details);
      } catch (...) {
      }
    }
    throw;
  }
  return ws;
}

}  // namespace civitas::workspace
