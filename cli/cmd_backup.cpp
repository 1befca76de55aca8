// civitas recovery-key generate, civitas backup [verify], civitas restore (docs/recovery.md,
// docs/formats/backup.md). Every action is one Workspace call.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "civitas/error.hpp"
#include "civitas/workspace.hpp"
#include "cli.hpp"
#include "workspace_args.hpp"

namespace civitas::cli {
namespace {

using nlohmann::json;
using RecoveryKey = workspace::Workspace::RecoveryKey;
using BackupInfo = workspace::Workspace::BackupInfo;

std::string read_text(const std::string& path, const char* what, std::size_t limit = std::size_t{1} << 20) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(errno == ENOENT ? Code::not_found : Code::io, std::string("cannot read ") + what + " " + path + ": " + std::strerror(errno));
  std::ostringstream ss;
  ss << in.rdbuf();
  std::string s = ss.str();
  if (s.size() > limit) throw Error(Code::invalid_argument, std::string(what) + " " + path + " is larger than " + std::to_string(limit) + " bytes");
  return s;
}

void print_info(const BackupInfo& b, bool as_json, const char* verb) {
  if (as_json) {
    json j = {{"path", b.path},
              {"backup_id", b.backup_id},
              {"created", b.created},
              {"workspace_id", b.workspace_id},
              {"department", b.department},
              {"signer_key_id", b.signer_key_id},
              {"audit", {{"origin", b.audit_origin}, {"size", b.audit_size}, {"root", b.audit_root}}},
              {"snapshot_bytes", b.snapshot_bytes},
              {"bytes", b.file_bytes},
              {"recipients", b.recipients}};
    std::cout << j.dump() << "\n";
    return;
  }
  std::cout << verb << " " << printable(b.path) << ": backup " << b.backup_id << " of workspace " << b.workspace_id
            << (b.department.empty() ? "" : " (" + b.department + ")") << ", " << b.audit_size << " audit entries (root "
            << b.audit_root.substr(0, 16) << "…), " << b.file_bytes << " bytes, signed by key " << b.signer_key_id
            << ", recovery keys " << json(b.recipients).dump() << "\n";
}

struct KeygenArgs {
  std::string out;
};
struct BackupArgs {
  WorkspaceArgs ws;
  std::vector<std::string> recipients;
  std::string out;
  std::size_t chunk = std::size_t{1} << 20;
  bool json_out = false;
};
struct VerifyArgs {
  WorkspaceArgs ws;
  std::string file, public_key;
  bool json_out = false;
};
struct RestoreArgs {
  WorkspaceArgs ws;
  std::string file, recovery_key, checkpoint, public_key;
  bool json_out = false;
};

int do_keygen(const KeygenArgs& a) {
  RecoveryKey k = workspace::Workspace::write_recovery_key(a.out);
  std::cout << "recovery key " << k.id_hex() << ": private key " << printable(a.out) << " (keep it offline), public key "
            << printable(a.out + ".pub") << " (give it to civitas backup --recipient)\n";
  return kOk;
}

int do_backup(const BackupArgs& a) {
  if (a.out.empty()) throw Error(Code::invalid_argument, "civitas backup needs -o FILE (or the subcommand verify)");
  if (a.recipients.empty()) throw Error(Code::invalid_argument, "civitas backup needs at least one --recipient R.key.pub");
  std::vector<RecoveryKey> rs;
  for (const auto& p : a.recipients) rs.push_back(workspace::Workspace::read_recovery_key(p));
  auto w = a.ws.open();
  workspace::Workspace::BackupOptions o;
  o.chunk_size = a.chunk;
  BackupInfo b = w->backup(a.out, rs, o);
  print_info(b, a.json_out, "wrote");
  return kOk;
}

int do_verify(const VerifyArgs& a) {
  BackupInfo b;
  if (!a.public_key.empty()) {
    b = workspace::Workspace::verify_backup_with(a.file, read_text(a.public_key, "public-key document"));
  } else {
    b = a.ws.open()->verify_backup(a.file);
  }
  print_info(b, a.json_out, "verified");
  return kOk;
}

int do_restore(const RestoreArgs& a) {
  if (a.ws.workspace.empty()) throw Error(Code::invalid_argument, "civitas restore needs -w NEW.db (the workspace to create)");
  RecoveryKey rk = workspace::Workspace::read_recovery_key(a.recovery_key);
  workspace::Workspace::RestoreOptions o;
  if (!a.public_key.empty()) o.key_document = read_text(a.public_key, "public-key document");
  if (!a.checkpoint.empty()) o.witness_checkpoint = read_text(a.checkpoint, "checkpoint");
  auto w = workspace::Workspace::restore(a.file, rk, a.ws.path(), a.ws.key_source(true), o);
  workspace::Info i = w->info();
  // The restore's own entry is the first of the new epoch.
  std::cout << "restored workspace " << printable(i.path) << " (id " << i.workspace_id << ", key source " << i.key_source
            << ") from " << printable(a.file) << "\n";
  return kOk;
}

Register reg(55, {"recovery-key", "backup", "restore"}, [](Root& root, int& result) {
  static KeygenArgs kg;
  auto* rk = root.add_subcommand("recovery-key", "Recovery keys: the X25519 keys backups are encrypted to");
  rk->require_subcommand(1);
  auto* gen = rk->add_subcommand("generate", "Write a new recovery key (private, 0600) and FILE.pub");
  gen->add_option("-o,--output", kg.out, "The private-key file to write (its public key goes to FILE.pub)")->required();
  gen->callback([&result] { result = do_keygen(kg); });

  static BackupArgs ba;
  static VerifyArgs va;
  auto* bk = root.add_subcommand("backup", "Back up the workspace: one file encrypted to recovery keys, signed by the department");
  add_workspace_options(bk, ba.ws);
  bk->add_option("--recipient", ba.recipients, "A recovery public key file (R.key.pub); repeat for several");
  bk->add_option("-o,--output", ba.out, "The backup file to write (must not exist)");
  bk->add_option("--chunk-size", ba.chunk, "Plaintext bytes per encrypted chunk (4096 … 16777216)");
  bk->add_flag("--json", ba.json_out, "Print the summary as JSON");
  bk->require_subcommand(0, 1);
  auto* ver = bk->add_subcommand("verify", "Check a backup's signatures and every byte without restoring it");
  ver->add_option("file", va.file, "The backup file")->required();
  add_workspace_options(ver, va.ws);
  ver->add_option("--public-key", va.public_key, "The department's public-key document (default: this workspace's own keys)");
  ver->add_flag("--json", va.json_out, "Print the summary as JSON");
  ver->callback([&result] { result = do_verify(va); });
  bk->callback([&result, ver] {
    if (ver->parsed()) return;
    result = do_backup(ba);
  });

  static RestoreArgs ra;
  auto* rs = root.add_subcommand("restore", "Rebuild a workspace from a backup under a new master key");
  rs->add_option("file", ra.file, "The backup file")->required();
  rs->add_option("--recovery-key", ra.recovery_key, "The recovery key's private file (R.key)")->required();
  add_workspace_options(rs, ra.ws);
  rs->add_option("--checkpoint", ra.checkpoint, "The latest checkpoint of the old log that a witness holds");
  rs->add_option("--public-key", ra.public_key, "The department's public-key document: the backup must be signed by it");
  rs->callback([&result] { result = do_restore(ra); });
});

}  // namespace
}  // namespace civitas::cli
