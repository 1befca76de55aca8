// civitas._native.workspace, issue 18: key escrow (escrow_key, recover_key) and provider
// sequence statements, added to the Workspace class that workspace.cpp binds. The documented
// surface is civitas/workspace.py.
//
// Share documents are secrets: they cross into Python as bytes (Python's copies are the
// caller's), and into the core in locked memory.
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

ws::KeySource new_source(py::object passphrase, py::object key, std::uint64_t opslimit, std::size_t memlimit) {
  if (passphrase.is_none() == key.is_none())
    throw Error(Code::invalid_argument, "give exactly one of passphrase= or key= (the new master key)");
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

}  // namespace

void bind_escrow(py::module_ m) {
  auto cls = py::reinterpret_borrow<py::class_<WorkspaceHandle>>(m.attr("Workspace"));
  cls.def(
         "escrow_key",
         [](W& w, unsigned shares, unsigned threshold) {
           std::vector<c::SecretBytes> docs;
           {
             py::gil_scoped_release nogil;
             docs = w.escrow_key(shares, threshold);
           }
           py::list out;
           for (const auto& d : docs) out.append(py::bytes(reinterpret_cast<const char*>(d.data()), d.size()));
           return out;
         },
         py::kw_only(), py::arg("shares"), py::arg("threshold"))
      .def_static(
          "recover_key",
          [](const std::string& path, py::list shares, py::object passphrase, py::object key, std::uint64_t opslimit,
             std::size_t memlimit) {
            std::vector<c::SecretBytes> docs;
            for (py::handle s : shares) {
              std::string_view v = text_view(s, "shares[i]");
              docs.emplace_back(v.data(), v.size());
            }
            ws::KeySource next = new_source(passphrase, key, opslimit, memlimit);
            py::gil_scoped_release nogil;
            return std::make_unique<WorkspaceHandle>(W::recover_key(path, docs, next));
          },
          py::arg("path"), py::arg("shares"), py::kw_only(), py::arg("passphrase") = py::none(),
          py::arg("key") = py::none(), py::arg("kdf_opslimit") = 0, py::arg("kdf_memlimit") = 0)
      .def(
          "sequence_statement", [](W& w, const std::string& consumer) { return w.sequence_statement(consumer); },
          py::arg("consumer"), py::call_guard<py::gil_scoped_release>())
      .def(
          "import_sequence_statement",
          [](W& w, py::object doc) {
            std::string d(text_view(doc, "statement"));
            py::gil_scoped_release nogil;
            return w.import_sequence_statement(d);
          },
          py::arg("statement"))
      .def("require_sequence_statements", [](W& w) { w.require_sequence_statements(); },
           py::call_guard<py::gil_scoped_release>())
      .def("awaiting_statements", [](const W& w) { return w.awaiting_statements(); },
           py::call_guard<py::gil_scoped_release>());
}

}  // namespace civitas::python
