// civitas._native.recovery — backups and restore (core/workspace/backup.cpp,
// docs/recovery.md). The Pythonic surface is civitas/recovery.py.
#include <pybind11/stl.h>

#include <memory>

#include "bindings.hpp"
#include "civitas/workspace.hpp"

namespace civitas::python {

workspace::KeySource key_source_from(py::object passphrase, py::object key);  // workspace.cpp

namespace {

namespace ws = civitas::workspace;
using W = ws::Workspace;

py::dict info_dict(const W::BackupInfo& b) {
  py::dict d;
  d["path"] = b.path;
  d["backup_id"] = b.backup_id;
  d["created"] = b.created;
  d["workspace_id"] = b.workspace_id;
  d["department"] = b.department;
  d["name"] = b.name;
  d["signer_key_id"] = b.signer_key_id;
  py::dict a;
  a["origin"] = b.audit_origin;
  a["size"] = b.audit_size;
  a["root"] = b.audit_root;
  a["checkpoint"] = b.audit_checkpoint;
  d["audit"] = a;
  d["snapshot_bytes"] = b.snapshot_bytes;
  d["bytes"] = b.file_bytes;
  d["recipients"] = b.recipients;
  return d;
}

}  // namespace

void bind_recovery(py::module_ m) {
  m.def(
      "generate_recovery_key",
      [](const std::string& path) {
        py::gil_scoped_release nogil;
        return W::write_recovery_key(path).id_hex();
      },
      py::arg("path"));
  m.def(
      "backup",
      [](W& w, const std::string& path, const std::vector<std::string>& recipients, std::size_t chunk_size) {
        W::BackupInfo b;
        {
          py::gil_scoped_release nogil;
          std::vector<W::RecoveryKey> rs;
          for (const auto& p : recipients) rs.push_back(W::read_recovery_key(p));
          W::BackupOptions o;
          if (chunk_size) o.chunk_size = chunk_size;
          b = w.backup(path, rs, o);
        }
        return info_dict(b);
      },
      py::arg("workspace"), py::arg("path"), py::arg("recipients"), py::arg("chunk_size") = 0);
  m.def(
      "verify_backup",
      [](const W& w, const std::string& path) {
        W::BackupInfo b;
        {
          py::gil_scoped_release nogil;
          b = w.verify_backup(path);
        }
        return info_dict(b);
      },
      py::arg("workspace"), py::arg("path"));
  m.def(
      "verify_backup_with",
      [](const std::string& path, const std::string& key_document) {
        W::BackupInfo b;
        {
          py::gil_scoped_release nogil;
          b = W::verify_backup_with(path, key_document);
        }
        return info_dict(b);
      },
      py::arg("path"), py::arg("key_document"));
  m.def(
      "restore",
      [](const std::string& backup_path, const std::string& recovery_key, const std::string& path, py::object passphrase,
         py::object key, const std::string& key_document, const std::string& checkpoint) {
        ws::KeySource s = key_source_from(passphrase, key);
        py::gil_scoped_release nogil;
        W::RestoreOptions o;
        o.key_document = key_document;
        o.witness_checkpoint = checkpoint;
        W::RecoveryKey rk = W::read_recovery_key(recovery_key);
        return std::make_unique<WorkspaceHandle>(W::restore(backup_path, rk, path, s, o));
      },
      py::arg("backup_path"), py::arg("recovery_key"), py::arg("path"), py::kw_only(), py::arg("passphrase") = py::none(),
      py::arg("key") = py::none(), py::arg("key_document") = "", py::arg("checkpoint") = "");
}

}  // namespace civitas::python
