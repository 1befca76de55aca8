// civitas Python binding (the extension module civitas._native): one bind_<module>()
// function per core module, each in bindings/python/src/<module>.cpp, called from
// module.cpp. Shared helpers for turning Python arguments into views of bytes live here.
//
// Conventions every bind_<module>() follows:
// - Throw civitas::Error (or let core throw it); errors.cpp turns it into the matching
//   civitas.Error subclass. Never translate errors by hand.
// - Release the GIL (py::gil_scoped_release) around work that does not touch Python objects
//   and may take long (batches, files, crypto).
// - Keep the native API small and plain (str, bytes, bool, int, dict, list); the Pythonic
//   surface (docstrings, type hints, result classes) lives in civitas/<module>.py.
#pragma once

#include <pybind11/pybind11.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace civitas::python {

namespace py = pybind11;

/// Registers the exception translator and the error helpers of _native (errors.cpp).
void bind_errors(py::module_ m);
/// civitas._native.ids (ids.cpp).
void bind_ids(py::module_ m);
/// civitas._native.workspace (workspace.cpp).
void bind_workspace(py::module_ m);
/// civitas._native.schema: table schemas, validation, catalog entries (schema.cpp).
void bind_schema(py::module_ m);
/// civitas._native.exchange: exchange packages with a workspace (exchange.cpp).
void bind_exchange(py::module_ m);
/// civitas._native.catalog: catalog entries stored, versioned, in a workspace (catalog.cpp).
void bind_catalog(py::module_ m);
/// civitas._native.audit: the tamper-evident audit log of a workspace (audit.cpp).
void bind_audit(py::module_ m);
// Later modules: void bind_<module>(py::module_ m);  (bindings/python/src/<module>.cpp)

/// The bytes of a str (its UTF-8 form) or of a bytes object, without copying; valid while
/// the object lives. Anything else raises TypeError naming `what`.
inline std::string_view text_view(py::handle h, const char* what) {
  PyObject* o = h.ptr();
  if (PyUnicode_Check(o)) {
    Py_ssize_t n = 0;
    const char* s = PyUnicode_AsUTF8AndSize(o, &n);
    if (!s) throw py::error_already_set();  // e.g. a lone surrogate
    return {s, static_cast<std::size_t>(n)};
  }
  if (PyBytes_Check(o)) return {PyBytes_AS_STRING(o), static_cast<std::size_t>(PyBytes_GET_SIZE(o))};
  throw py::type_error(std::string(what) + " must be str or bytes, not " + Py_TYPE(o)->tp_name);
}

/// A str from UTF-8 bytes; invalid sequences become U+FFFD instead of raising.
inline py::str utf8(std::string_view s) {
  PyObject* o = PyUnicode_DecodeUTF8(s.data(), static_cast<Py_ssize_t>(s.size()), "replace");
  if (!o) throw py::error_already_set();
  return py::reinterpret_steal<py::str>(o);
}

/// A column of byte strings in Arrow layout: value i is data[offsets[i] .. offsets[i+1]).
struct Column {
  std::string data;
  std::vector<std::uint64_t> offsets{0};
  std::size_t size() const noexcept { return offsets.size() - 1; }
};

/// Copies a sequence (or any iterable) of str/bytes into one contiguous Column, reading each
/// item once. A lone str or bytes is refused (it would be a sequence of characters).
/// Needs the GIL; the Column does not.
inline Column gather_column(py::handle items, const char* what) {
  if (PyUnicode_Check(items.ptr()) || PyBytes_Check(items.ptr()))
    throw py::type_error(std::string(what) + " must be a sequence of str or bytes, not a single " +
                         Py_TYPE(items.ptr())->tp_name);
  std::string msg = std::string(what) + " must be a sequence of str or bytes";
  auto seq = py::reinterpret_steal<py::object>(PySequence_Fast(items.ptr(), msg.c_str()));
  if (!seq) throw py::error_already_set();
  const Py_ssize_t n = PySequence_Fast_GET_SIZE(seq.ptr());
  PyObject** elems = PySequence_Fast_ITEMS(seq.ptr());
  Column col;
  col.offsets.reserve(static_cast<std::size_t>(n) + 1);
  col.data.reserve(static_cast<std::size_t>(n) * 20);
  for (Py_ssize_t i = 0; i < n; ++i) {
    PyObject* o = elems[i];
    if (!PyUnicode_Check(o) && !PyBytes_Check(o))
      throw py::type_error(std::string(what) + "[" + std::to_string(i) + "] must be str or bytes, not " +
                           Py_TYPE(o)->tp_name);
    const std::string_view v = text_view(o, what);
    col.data.append(v.data(), v.size());
    col.offsets.push_back(col.data.size());
  }
  return col;
}

}  // namespace civitas::python
