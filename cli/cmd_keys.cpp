// civitas keys list|rotate|destroy|revoke|export-public|import-public|peers|remove-peer|share-identity|import-identity|change-master
#include <ctime>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "civitas/crypto.hpp"
#include "civitas/error.hpp"
#include "civitas/workspace.hpp"
#include "cli.hpp"
#include "workspace_args.hpp"

namespace civitas::cli {
namespace {

namespace c = civitas::crypto;
using nlohmann::json;

struct KeysArgs {
  WorkspaceArgs ws;
  bool json_out = false;
  std::vector<std::string> purposes;
  bool all = false;
  std::string key_id;
  bool yes = false;
  std::string output;
  std::string file;
  std::string new_key_file;
  bool new_passphrase = false;
  std::string to;
  bool replace = false;
  std::string reason;
};

std::string iso_time(std::int64_t t) {
  std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char b[32];
  std::strftime(b, sizeof b, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return b;
}

int do_list(const KeysArgs& a) {
  auto w = a.ws.open();
  auto keys = w->keys();
  if (a.json_out) {
    json arr = json::array();
    for (const auto& k : keys) {
      json j = {{"id", k.id_hex()}, {"purpose", c::purpose_name(k.purpose)}, {"algorithm", k.algorithm},
                {"status", c::status_name(k.status)}, {"created", iso_time(k.created)}};
      if (!k.public_key.empty()) j["public_key"] = c::base64(k.public_key.data(), k.public_key.size());
      arr.push_back(j);
    }
    std::cout << arr.dump(2) << "\n";
    return kOk;
  }
  std::cout << "id                purpose       algorithm          status     created\n";
  for (const auto& k : keys) {
    std::string p = c::purpose_name(k.purpose), al = k.algorithm, st = c::status_name(k.status);
    std::cout << k.id_hex() << "  " << p << std::string(p.size() < 14 ? 14 - p.size() : 1, ' ') << al << std::string(al.size() < 19 ? 19 - al.size() : 1, ' ')
              << st << std::string(st.size() < 11 ? 11 - st.size() : 1, ' ') << iso_time(k.created) << "\n";
  }
  return kOk;
}

int do_rotate(const KeysArgs& a) {
  std::vector<c::Purpose> ps;
  if (a.all)
    for (int i = 1; i <= c::kPurposeCount; ++i) ps.push_back(static_cast<c::Purpose>(i));
  for (const auto& p : a.purposes) ps.push_back(c::purpose_from_name(p));
  if (ps.empty()) throw Error(Code::invalid_argument, "name --purpose P (field, token, identity, signing, exchange, checkpoint, user-signing, user-sealing) or --all");
  auto w = a.ws.open();
  for (c::Purpose p : ps) {
    auto k = w->rotate(p);
    std::cout << "rotated " << c::purpose_name(p) << ": new primary " << k.id_hex() << "\n";
  }
  return kOk;
}

int do_destroy(const KeysArgs& a) {
  if (!a.yes) throw Error(Code::invalid_argument, "destroying a key cannot be undone: add --yes");
  auto w = a.ws.open();
  w->destroy_key(c::key_id_from_hex(a.key_id));
  std::cout << "destroyed " << a.key_id << "\n";
  return kOk;
}

int do_export(const KeysArgs& a) {
  auto w = a.ws.open();
  std::string doc = w->export_public();
  if (a.output.empty() || a.output == "-") {
    std::cout << doc;
  } else {
    std::ofstream out(a.output, std::ios::binary);
    if (!out) throw Error(Code::io, "cannot write " + a.output);
    out << doc;
    if (!out) throw Error(Code::io, "cannot write " + a.output);
  }
  return kOk;
}

std::string read_small_file(const std::string& path, std::size_t limit, const char* what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(Code::io, "cannot read " + path);
  std::ostringstream s;
  s << in.rdbuf();
  if (s.str().size() > limit) throw Error(Code::parse, path + " is too large for " + what);
  return s.str();
}

int do_import(const KeysArgs& a) {
  std::string doc = read_small_file(a.file, 1u << 20, "a public-key document");
  auto w = a.ws.open();
  std::string dept = w->import_public(doc, a.replace);
  auto peers = w->peers(dept);
  std::cout << "imported " << dept << (peers.empty() || peers[0].name.empty() ? "" : " (" + peers[0].name + ")") << ": "
            << peers.size() << " public keys\n";
  return kOk;
}

int do_peers(const KeysArgs& a) {
  auto w = a.ws.open();
  auto peers = w->peers(a.to);
  if (a.json_out) {
    json arr = json::array();
    for (const auto& p : peers)
      arr.push_back({{"department", p.department}, {"name", p.name}, {"key_id", c::key_id_hex(p.key_id)},
                     {"purpose", c::purpose_name(p.purpose)}, {"algorithm", p.algorithm},
                     {"public_key", c::base64(p.public_key.data(), p.public_key.size())}, {"status", p.status},
                     {"imported", iso_time(p.imported)},
                     {"revoked", p.revoked ? json(iso_time(p.revoked)) : json(nullptr)}});
    std::cout << arr.dump(2) << "\n";
    return kOk;
  }
  for (const auto& p : peers)
    std::cout << p.department << "  " << c::key_id_hex(p.key_id) << "  " << c::purpose_name(p.purpose) << "  "
              << p.algorithm << "  " << p.status << (p.name.empty() ? "" : "  " + p.name) << "\n";
  return kOk;
}

int do_remove_peer(const KeysArgs& a) {
  auto w = a.ws.open();
  w->remove_peer(a.to);
  std::cout << "removed " << a.to << " from the peer directory\n";
  return kOk;
}

int do_revoke(const KeysArgs& a) {
  auto w = a.ws.open();
  w->revoke_key(c::key_id_from_hex(a.key_id), a.reason);
  std::cout << "revoked " << a.key_id << " (" << a.reason << "); export the public keys again and send them to every peer\n";
  return kOk;
}

// The primary identity-key secret sealed to another department's exchange key. The box is
// binary; only that department's workspace can open it.
int do_share_identity(const KeysArgs& a) {
  auto w = a.ws.open();
  auto box = w->share_identity_secret(a.to);
  std::ofstream out(a.output, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(box.data()), static_cast<std::streamsize>(box.size()));
  out.close();
  if (!out) throw Error(Code::io, "cannot write " + a.output);
  std::cout << "identity-key secret sealed to " << a.to << " in " << a.output << "\n";
  return kOk;
}

int do_import_identity(const KeysArgs& a) {
  std::string box = read_small_file(a.file, 4096, "a sealed identity-key secret");
  auto w = a.ws.open();
  auto k = w->import_identity_secret_sealed(reinterpret_cast<const std::uint8_t*>(box.data()), box.size());
  std::cout << "imported identity key " << k.id_hex() << " (now primary)\n";
  return kOk;
}

int do_change_master(const KeysArgs& a) {
  if (a.new_key_file.empty() == !a.new_passphrase)
    throw Error(Code::invalid_argument, "give the new master key with --new-key-file FILE or --new-passphrase");
  auto w = a.ws.open();  // the current key first (stdin: its line comes first)
  workspace::KeySource next =
      a.new_passphrase ? [] {
        c::SecretBytes p = read_passphrase("New passphrase: ", true);
        return workspace::KeySource::passphrase(std::string_view(reinterpret_cast<const char*>(p.data()), p.size()));
      }()
                       : workspace::KeySource::raw_key(read_key_file(a.new_key_file));
  w->change_master(next);
  std::cout << "master key changed (keys re-wrapped; no data re-encrypted)\n";
  return kOk;
}

Register reg(20, {"keys"}, [](Root& root, int& result) {
  static KeysArgs args;
  auto* keys = root.add_subcommand("keys", "The workspace keyring and the peer directory");
  keys->require_subcommand(1);

  auto* l = keys->add_subcommand("list", "List keys (never their secrets)");
  add_workspace_options(l, args.ws);
  l->add_flag("--json", args.json_out, "JSON output");
  l->callback([&result] { result = do_list(args); });

  auto* r = keys->add_subcommand("rotate", "Make new primary keys; old keys still decrypt and verify");
  add_workspace_options(r, args.ws);
  r->add_option("--purpose,-p", args.purposes, "field, token, identity, signing, exchange, checkpoint, user-signing or user-sealing (repeatable)");
  r->add_flag("--all", args.all, "Rotate every purpose");
  r->callback([&result] { result = do_rotate(args); });

  auto* d = keys->add_subcommand("destroy", "Erase a key's secret for good (data under it becomes unreadable)");
  add_workspace_options(d, args.ws);
  d->add_option("KEY_ID", args.key_id, "Key id (16 hex digits)")->required();
  d->add_flag("--yes", args.yes, "Confirm");
  d->callback([&result] { result = do_destroy(args); });

  auto* e = keys->add_subcommand("export-public", "Print this department's public keys (signed JSON)");
  add_workspace_options(e, args.ws);
  e->add_option("-o,--output", args.output, "Write to a file instead of stdout");
  e->callback([&result] { result = do_export(args); });

  auto* i = keys->add_subcommand("import-public", "Import another department's public keys");
  add_workspace_options(i, args.ws);
  i->add_option("FILE", args.file, "Its export-public document")->required();
  i->add_flag("--replace", args.replace,
              "Replace the keys of a department already known (after checking the document out of band; audited)");
  i->callback([&result] { result = do_import(args); });

  auto* pe = keys->add_subcommand("peers", "List the imported public keys of other departments");
  add_workspace_options(pe, args.ws);
  pe->add_option("--department", args.to, "Only this department (USCC)");
  pe->add_flag("--json", args.json_out, "JSON output");
  pe->callback([&result] { result = do_peers(args); });

  auto* rp = keys->add_subcommand("remove-peer", "Remove a department and its keys from the peer directory (audited)");
  add_workspace_options(rp, args.ws);
  rp->add_option("DEPT", args.to, "Department USCC")->required();
  rp->callback([&result] { result = do_remove_peer(args); });

  auto* rv = keys->add_subcommand("revoke", "Revoke one of this department's signing or exchange keys in its key document");
  add_workspace_options(rv, args.ws);
  rv->add_option("KEY_ID", args.key_id, "Key id (16 hex digits)")->required();
  rv->add_option("--reason", args.reason, "superseded or compromised")->required()->check(CLI::IsMember({"superseded", "compromised"}));
  rv->callback([&result] { result = do_revoke(args); });

  auto* sh = keys->add_subcommand("share-identity",
                                  "Seal the primary identity-key secret to another department (equal identity keys there)");
  add_workspace_options(sh, args.ws);
  sh->add_option("--to", args.to, "Department USCC (its public keys must be imported)")->required();
  sh->add_option("-o,--output", args.output, "File for the sealed secret (binary)")->required();
  sh->callback([&result] { result = do_share_identity(args); });

  auto* ii = keys->add_subcommand("import-identity", "Import an identity-key secret another department sealed to us");
  add_workspace_options(ii, args.ws);
  ii->add_option("FILE", args.file, "The file made by `keys share-identity`")->required();
  ii->callback([&result] { result = do_import_identity(args); });

  auto* m = keys->add_subcommand("change-master", "Re-wrap the keyring under a new master key or passphrase");
  add_workspace_options(m, args.ws);
  m->add_option("--new-key-file", args.new_key_file, "File with the new raw master key");
  m->add_flag("--new-passphrase", args.new_passphrase,
              "Prompt for a new passphrase (stdin: the line after the current passphrase)");
  m->callback([&result] { result = do_change_master(args); });
});

}  // namespace
}  // namespace civitas::cli
