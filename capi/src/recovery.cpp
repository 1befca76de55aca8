// civitas/recovery.h: backups and restore, each entry point one Workspace call.
#include "civitas/recovery.h"

#include <cstring>
#include <nlohmann/json.hpp>

#include "civitas/json.hpp"
#include "ctx.hpp"
#include "versioned.hpp"

using civitas::Code;
using civitas::Error;
using namespace civitas::capi;
namespace ws = civitas::workspace;

namespace civitas::capi {
workspace::KeySource key_source_of(const civ_key_source* in, const char* name);  // workspace.cpp
}

namespace {

constexpr civ_restore_options kRestoreDefaults = CIV_RESTORE_OPTIONS_INIT;
constexpr std::size_t kRestoreSizes[] = {sizeof(civ_restore_options)};

std::string info_json(const ws::Workspace::BackupInfo& b) {
  nlohmann::json j = {{"path", b.path},
                      {"backup_id", b.backup_id},
                      {"created", b.created},
                      {"workspace_id", b.workspace_id},
                      {"department", b.department},
                      {"signer_key_id", b.signer_key_id},
                      {"audit", {{"origin", b.audit_origin}, {"size", b.audit_size}, {"root", b.audit_root}}},
                      {"snapshot_bytes", b.snapshot_bytes},
                      {"bytes", b.file_bytes},
                      {"recipients", b.recipients}};
  return j.dump();
}

std::vector<ws::Workspace::RecoveryKey> recipients_of(const char* p, size_t n) {
  nlohmann::json j = civitas::parse_json(view(p, n, "recipients_json"), "recipients_json");
  if (j.is_object()) j = nlohmann::json::array({j});
  if (!j.is_array()) throw Error(Code::parse, "recipients_json is not a JSON array of recovery public keys");
  std::vector<ws::Workspace::RecoveryKey> out;
  std::size_t i = 0;
  for (const auto& k : j) out.push_back(ws::Workspace::RecoveryKey::parse(k.dump(), "recipients_json[" + std::to_string(i++) + "]"));
  return out;
}

}  // namespace

extern "C" {

int civ_recovery_key_generate(char* out_key_id, size_t cap, const char* path, size_t path_len) {
  return guard([&] {
    if (out_key_id) check_capacity(17, cap, "out_key_id");
    auto k = ws::Workspace::write_recovery_key(std::string(view(path, path_len, "path")));
    if (out_key_id) std::memcpy(out_key_id, k.id_hex().c_str(), 17);
    return CIV_OK;
  });
}

int civ_backup_create(char** out_json, civ_ctx* ctx, const char* path, size_t path_len, const char* recipients_json,
                      size_t recipients_len) {
  return guard([&] {
    require(out_json, "out_json");
    *out_json = nullptr;
    auto rs = recipients_of(recipients_json, recipients_len);
    auto b = ws_of(ctx).backup(std::string(view(path, path_len, "path")), rs);
    *out_json = dup_out(info_json(b));
    return CIV_OK;
  });
}

int civ_backup_verify(char** out_json, civ_ctx* ctx, const char* path, size_t path_len) {
  return guard([&] {
    require(out_json, "out_json");
    *out_json = nullptr;
    auto b = ws_of(ctx).verify_backup(std::string(view(path, path_len, "path")));
    *out_json = dup_out(info_json(b));
    return CIV_OK;
  });
}

int civ_backup_verify_with(char** out_json, const char* path, size_t path_len, const char* key_document,
                           size_t key_document_len) {
  return guard([&] {
    require(out_json, "out_json");
    *out_json = nullptr;
    auto b = ws::Workspace::verify_backup_with(std::string(view(path, path_len, "path")),
                                               view(key_document, key_document_len, "key_document"));
    *out_json = dup_out(info_json(b));
    return CIV_OK;
  });
}

int civ_restore_options_init(civ_restore_options* opts, unsigned version) {
  return guard([&] {
    init_versioned(opts, version, kRestoreDefaults, kRestoreSizes, "civ_restore_options");
    return CIV_OK;
  });
}

int civ_restore(civ_ctx** out, const char* backup_path, size_t backup_path_len, const char* path, size_t path_len,
                const civ_restore_options* opts) {
  return guard([&] {
    require(out, "out");
    *out = nullptr;
    require(opts, "opts");
    const civ_restore_options o = read_versioned(opts, kRestoreDefaults, kRestoreSizes, "civ_restore_options");
    if (!o.recovery_key_path || !o.recovery_key_path_len)
      throw Error(Code::invalid_argument, "opts->recovery_key_path is required");
    auto rk = ws::Workspace::read_recovery_key(std::string(view(o.recovery_key_path, o.recovery_key_path_len, "opts->recovery_key_path")));
    ws::Workspace::RestoreOptions ro;
    if (o.key_document) ro.key_document = std::string(view(o.key_document, o.key_document_len, "opts->key_document"));
    if (o.checkpoint) ro.witness_checkpoint = std::string(view(o.checkpoint, o.checkpoint_len, "opts->checkpoint"));
    if (o.busy_timeout_ms > 0) ro.busy_timeout_ms = o.busy_timeout_ms;
    auto w = ws::Workspace::restore(std::string(view(backup_path, backup_path_len, "backup_path")), rk,
                                    std::string(view(path, path_len, "path")), key_source_of(o.key, "opts->key"), ro);
    auto* c = new civ_ctx;
    c->ws = std::move(w);
    *out = c;
    return CIV_OK;
  });
}

}  // extern "C"
