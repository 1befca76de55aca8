// civitas._native.workspace — the binding of civitas::workspace::Workspace and the crypto
// primitives that use its keyring (core/include/civitas/{workspace,crypto}.hpp). The public,
// documented surface is civitas/workspace.py.
//
// Secrets given from Python (passphrase, raw key) are copied into locked memory at once;
// Python's own copies are the caller's. The GIL is released around crypto and database work.
#include <pybind11/stl.h>

#include <memory>

#include "bindings.hpp"
#include "civitas/crypto.hpp"
#include "civitas/error.hpp"
#include "civitas/workspace.hpp"

namespace civitas::python {
namespace {

namespace c = civitas::crypto;
namespace ws = civitas::workspace;
using W = ws::Workspace;

ws::KeySource source(py::object passphrase, py::object key, std::uint64_t opslimit, std::size_t memlimit) {
  if (passphrase.is_none() == key.is_none())
    throw Error(Code::invalid_argument, "give exactly one of passphrase= or key=");
  if (!passphrase.is_none()) {
    ws::KdfParams p;
    if (opslimit) p.opslimit = opslimit;
    if (memlimit) p.memlimit = memlimit;
    return ws::KeySource::passphrase(text_view(passphrase, "passphrase"), p);
  }
  std::string_view k = text_view(key, "key");
  if (k.size() == 64) return ws::KeySource::raw_key_hex(k);
  if (k.size() != 32) throw Error(Code::invalid_argument, "key must be 32 bytes (or 64 hex characters)");
  return ws::KeySource::raw_key(c::SecretBytes(k.data(), k.size()));
}

py::bytes as_bytes(const void* p, std::size_t n) { return py::bytes(static_cast<const char*>(p), n); }

py::dict key_dict(const ws::KeyInfo& k) {
  py::dict d;
  d["id"] = k.id_hex();
  d["purpose"] = c::purpose_name(k.purpose);
  d["algorithm"] = k.algorithm;
  d["created"] = k.created;
  d["status"] = c::status_name(k.status);
  d["public_key"] = k.public_key.empty() ? py::object(py::none()) : py::object(as_bytes(k.public_key.data(), k.public_key.size()));
  return d;
}

py::list column_list(const c::Column& col) {
  py::list out(col.size());
  for (std::size_t i = 0; i < col.size(); ++i) {
    auto v = col.at(i);
    out[i] = py::bytes(v.data(), v.size());
  }
  return out;
}

py::list column_op(const W& w, py::handle values, std::string_view resource, std::string_view field, py::object records,
                   bool encrypt) {
  Column in = gather_column(values, "values");
  Column rec;
  bool have = !records.is_none();
  if (have) {
    rec = gather_column(records, "records");
    if (rec.size() != in.size()) throw Error(Code::invalid_argument, "records must have one id per value");
  }
  c::Column out;
  {
    py::gil_scoped_release nogil;
    c::ColumnView v{reinterpret_cast<const std::uint8_t*>(in.data.data()), in.offsets.data(), in.size()};
    c::ColumnView r{reinterpret_cast<const std::uint8_t*>(rec.data.data()), rec.offsets.data(), rec.size()};
    if (encrypt) w.encrypt_column(resource, field, v, have ? &r : nullptr, out);
    else w.decrypt_column(resource, field, v, have ? &r : nullptr, out);
  }
  return column_list(out);
}

const std::uint8_t* u8(std::string_view s) { return reinterpret_cast<const std::uint8_t*>(s.data()); }

}  // namespace

void bind_workspace(py::module_ m) {
  // The class is the WorkspaceHandle (close() destroys the C++ Workspace); methods take
  // `const W&`/`W&`, loaded through its lease (bindings.hpp).
  py::class_<WorkspaceHandle>(m, "Workspace")
      .def_static(
          "create",
          [](const std::string& path, py::object passphrase, py::object key, const std::string& department,
             const std::string& name, std::uint64_t opslimit, std::size_t memlimit) {
            ws::KeySource s = source(passphrase, key, opslimit, memlimit);
            ws::CreateOptions o;
            o.department = department;
            o.name = name;
            py::gil_scoped_release nogil;
            return std::make_unique<WorkspaceHandle>(W::create(path, s, o));
          },
          py::arg("path"), py::kw_only(), py::arg("passphrase") = py::none(), py::arg("key") = py::none(),
          py::arg("department") = "", py::arg("name") = "", py::arg("kdf_opslimit") = 0, py::arg("kdf_memlimit") = 0)
      .def_static(
          "open",
          [](const std::string& path, py::object passphrase, py::object key, bool read_only) {
            ws::KeySource s = source(passphrase, key, 0, 0);
            ws::OpenOptions o;
            o.read_only = read_only;
            py::gil_scoped_release nogil;
            return std::make_unique<WorkspaceHandle>(W::open(path, s, o));
          },
          py::arg("path"), py::kw_only(), py::arg("passphrase") = py::none(), py::arg("key") = py::none(),
          py::arg("read_only") = false)
      .def("info",
           [](const W& w) {
             ws::Info i = w.info();
             py::dict d;
             d["path"] = i.path;
             d["workspace_id"] = i.workspace_id;
             d["department"] = i.department;
             d["name"] = utf8(i.name);
             d["created"] = i.created;
             d["schema_version"] = i.schema_version;
             d["key_source"] = i.key_source;
             return d;
           })
      .def("keys",
           [](const W& w) {
             py::list out;
             for (const auto& k : w.keys()) out.append(key_dict(k));
             return out;
           })
      .def(
          "rotate", [](W& w, const std::string& purpose) { return w.rotate(c::purpose_from_name(purpose)).id_hex(); },
          py::arg("purpose"), py::call_guard<py::gil_scoped_release>())
      .def(
          "destroy_key", [](W& w, const std::string& id) { w.destroy_key(c::key_id_from_hex(id)); }, py::arg("key_id"),
          py::call_guard<py::gil_scoped_release>())
      .def(
          "change_master",
          [](W& w, py::object passphrase, py::object key, std::uint64_t opslimit, std::size_t memlimit) {
            ws::KeySource s = source(passphrase, key, opslimit, memlimit);
            py::gil_scoped_release nogil;
            w.change_master(s);
          },
          py::kw_only(), py::arg("passphrase") = py::none(), py::arg("key") = py::none(), py::arg("kdf_opslimit") = 0,
          py::arg("kdf_memlimit") = 0)
      .def("close", &WorkspaceHandle::close, py::call_guard<py::gil_scoped_release>())
      .def_property_readonly("closed", &WorkspaceHandle::closed)
      .def("refresh", [](W& w) { w.refresh(); }, py::call_guard<py::gil_scoped_release>())
      .def("check_integrity", [](W& w) { w.check_integrity(); }, py::call_guard<py::gil_scoped_release>())
      .def("export_public", [](const W& w) { return w.export_public(); })
      .def(
          "import_public",
          [](W& w, py::handle doc, bool replace) { return w.import_public(text_view(doc, "document"), replace); },
          py::arg("document"), py::kw_only(), py::arg("replace") = false)
      .def(
          "remove_peer", [](W& w, const std::string& dept) { w.remove_peer(dept); }, py::arg("department"),
          py::call_guard<py::gil_scoped_release>())
      .def(
          "revoke_key",
          [](W& w, const std::string& id, const std::string& reason) { w.revoke_key(c::key_id_from_hex(id), reason); },
          py::arg("key_id"), py::arg("reason"), py::call_guard<py::gil_scoped_release>())
      .def(
          "peers",
          [](const W& w, const std::string& dept) {
            py::list out;
            for (const auto& p : w.peers(dept)) {
              py::dict d;
              d["department"] = p.department;
              d["name"] = utf8(p.name);
              d["key_id"] = c::key_id_hex(p.key_id);
              d["purpose"] = c::purpose_name(p.purpose);
              d["algorithm"] = p.algorithm;
              d["public_key"] = as_bytes(p.public_key.data(), p.public_key.size());
              d["status"] = p.status;
              d["imported"] = p.imported;
              d["revoked"] = p.revoked ? py::object(py::int_(p.revoked)) : py::object(py::none());
              out.append(d);
            }
            return out;
          },
          py::arg("department") = "")
      .def(
          "encrypt_field",
          [](const W& w, py::handle value, const std::string& resource, const std::string& field, py::handle record) {
            std::string_view v = text_view(value, "value"), r = text_view(record, "record");
            auto ct = w.encrypt_field(v, {resource, field, r});
            return as_bytes(ct.data(), ct.size());
          },
          py::arg("value"), py::kw_only(), py::arg("resource") = "", py::arg("field") = "", py::arg("record") = "")
      .def(
          "decrypt_field",
          [](const W& w, py::handle ct, const std::string& resource, const std::string& field, py::handle record) {
            std::string_view v = text_view(ct, "ciphertext"), r = text_view(record, "record");
            std::string m = w.decrypt_field(u8(v), v.size(), {resource, field, r});
            return py::bytes(m);
          },
          py::arg("ciphertext"), py::kw_only(), py::arg("resource") = "", py::arg("field") = "", py::arg("record") = "")
      .def(
          "encrypt_column",
          [](const W& w, py::handle values, const std::string& resource, const std::string& field, py::object records) {
            return column_op(w, values, resource, field, records, true);
          },
          py::arg("values"), py::kw_only(), py::arg("resource") = "", py::arg("field") = "", py::arg("records") = py::none())
      .def(
          "decrypt_column",
          [](const W& w, py::handle values, const std::string& resource, const std::string& field, py::object records) {
            return column_op(w, values, resource, field, records, false);
          },
          py::arg("ciphertexts"), py::kw_only(), py::arg("resource") = "", py::arg("field") = "",
          py::arg("records") = py::none())
      .def(
          "tokenize",
          [](const W& w, py::handle value, py::handle domain) {
            auto t = w.tokenize(text_view(value, "value"), text_view(domain, "domain"));
            return as_bytes(t.data(), t.size());
          },
          py::arg("value"), py::arg("domain") = "")
      .def(
          "detokenize",
          [](const W& w, py::handle tok, py::handle domain) {
            std::string_view t = text_view(tok, "token");
            return py::bytes(w.detokenize(u8(t), t.size(), text_view(domain, "domain")));
          },
          py::arg("token"), py::arg("domain") = "")
      .def(
          "identity_key",
          [](const W& w, py::handle kind, py::handle identifier, py::handle domain) {
            return w.identity_key(ids::kind_from_name(text_view(kind, "kind")), text_view(identifier, "identifier"),
                                  text_view(domain, "domain"));
          },
          py::arg("kind"), py::arg("identifier"), py::arg("domain"))
      .def(
          "identity_keys",
          [](const W& w, py::handle kind, py::handle identifiers, py::handle domain) {
            ids::Kind k = ids::kind_from_name(text_view(kind, "kind"));
            Column in = gather_column(identifiers, "identifiers");
            auto keyer = w.identity_keyer(text_view(domain, "domain"));
            std::string out(in.size() * c::IdentityKeyer::kTextSize, '\0');
            std::vector<std::uint8_t> ok(in.size());
            {
              py::gil_scoped_release nogil;
              for (std::size_t i = 0; i < in.size(); ++i) {
                std::string_view v(in.data.data() + in.offsets[i], in.offsets[i + 1] - in.offsets[i]);
                ok[i] = keyer->key_into(k, v, out.data() + i * c::IdentityKeyer::kTextSize) == ids::Reason::ok;
              }
            }
            py::list res(in.size());
            for (std::size_t i = 0; i < in.size(); ++i)
              res[i] = ok[i] ? py::object(py::str(out.data() + i * c::IdentityKeyer::kTextSize, c::IdentityKeyer::kTextSize))
                             : py::object(py::none());
            return res;
          },
          py::arg("kind"), py::arg("identifiers"), py::arg("domain"))
      .def(
          "sign",
          [](const W& w, py::handle msg) {
            std::string_view v = text_view(msg, "message");
            c::Signature s = w.sign(v.data(), v.size());
            return as_bytes(s.data(), s.size());
          },
          py::arg("message"))
      .def(
          "verify",
          [](const W& w, py::handle msg, py::handle sig, const std::string& dept) {
            std::string_view v = text_view(msg, "message"), s = text_view(sig, "signature");
            if (s.size() != 64) return false;
            c::Signature sg;
            std::copy(s.begin(), s.end(), sg.begin());
            return w.verify(dept, v.data(), v.size(), sg);
          },
          py::arg("message"), py::arg("signature"), py::arg("department") = "")
      .def(
          "seal",
          [](const W& w, py::handle msg, const std::string& dept) {
            std::string_view v = text_view(msg, "message");
            auto b = w.seal_to(dept, v.data(), v.size());
            return as_bytes(b.data(), b.size());
          },
          py::arg("message"), py::arg("department") = "")
      .def(
          "unseal",
          [](const W& w, py::handle box) {
            std::string_view b = text_view(box, "box");
            return py::bytes(w.unseal(u8(b), b.size()));
          },
          py::arg("box"))
      .def(
          "share_identity_secret",
          [](const W& w, const std::string& dept) {
            std::vector<std::uint8_t> b;
            {
              py::gil_scoped_release nogil;
              b = w.share_identity_secret(dept);
            }
            return as_bytes(b.data(), b.size());
          },
          py::arg("department"))
      .def(
          "import_identity_secret",
          [](W& w, py::bytes box) {
            std::string b = box;
            py::gil_scoped_release nogil;
            return w.import_identity_secret_sealed(u8(b), b.size()).id_hex();
          },
          py::arg("box"));
  m.def("header_path", &W::header_path, py::arg("path"));
}

}  // namespace civitas::python

// For the other native modules that take a master key (recovery.cpp).
namespace civitas::python {
workspace::KeySource key_source_from(py::object passphrase, py::object key) { return source(passphrase, key, 0, 0); }
}  // namespace civitas::python
