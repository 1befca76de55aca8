// The one place where C++ exceptions become Python exceptions.
//
// The exception classes are defined in Python (civitas/errors.py: `civitas.Error` and one
// subclass per civitas::Code, each also the matching built-in exception, as pygit2 does).
// errors.py hands them to _register_error_classes() when the package is imported; from then
// on the translator below turns every civitas::Error thrown by any bound function into the
// class registered for its code, carrying .code, .code_name and the location (row, field,
// offset, source). A bind_<module>() therefore never translates errors itself.
#include <new>
#include <string>

#include <pybind11/stl.h>

#include "bindings.hpp"
#include "civitas/error.hpp"
#include "civitas/package.hpp"

namespace civitas::python {
namespace {

// Set once by civitas/errors.py. Strong references kept for the life of the process on
// purpose: the translator may run late during interpreter shutdown.
PyObject* g_base = nullptr;     // civitas.Error
PyObject* g_classes = nullptr;  // dict: int code -> class

// The class for a code: the registered one, else civitas.Error, else RuntimeError (when
// _native is used without the civitas package).
py::object class_for(int code) {
  if (g_classes) {
    py::int_ key(code);
    if (PyObject* cls = PyDict_GetItemWithError(g_classes, key.ptr()))
      return py::reinterpret_borrow<py::object>(cls);
    if (PyErr_Occurred()) throw py::error_already_set();
  }
  return py::reinterpret_borrow<py::object>(g_base ? g_base : PyExc_RuntimeError);
}

py::object opt_int(const std::optional<std::uint64_t>& v) {
  return v ? py::object(py::int_(*v)) : py::object(py::none());
}
py::object opt_str(const std::optional<std::string>& v) {
  return v ? py::object(utf8(*v)) : py::object(py::none());
}

void set_python_error(int code, const char* message, const Location* where, const std::string* report = nullptr) {
  py::object cls = class_for(code);
  py::object exc;
  if (g_base) {
    py::dict kw;
    kw["code"] = code;
    if (where) {
      kw["row"] = opt_int(where->row);
      kw["field"] = opt_str(where->field);
      kw["offset"] = opt_int(where->offset);
      kw["source"] = opt_str(where->source);
    }
    if (report) kw["report"] = py::module_::import("json").attr("loads")(utf8(*report));
    exc = cls(utf8(message), **kw);
  } else {
    exc = cls(utf8(message));
  }
  PyErr_SetObject(cls.ptr(), exc.ptr());
}

void translate(std::exception_ptr p) {
  if (!p) return;
  try {
    std::rethrow_exception(p);
  } catch (const civitas::package::RecordsError& e) {
    try {
      const std::string report = e.report().dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
      set_python_error(static_cast<int>(e.code()), e.what(), &e.where(), &report);
    } catch (py::error_already_set& err) {
      err.restore();
    }
  } catch (const civitas::Error& e) {
    try {
      set_python_error(static_cast<int>(e.code()), e.what(), &e.where());
    } catch (py::error_already_set& err) {
      err.restore();  // building the exception failed: report that instead
    }
  } catch (const std::bad_alloc&) {
    try {
      set_python_error(static_cast<int>(Code::out_of_memory), "out of memory", nullptr);
    } catch (py::error_already_set& err) {
      err.restore();
    }
  }
  // Anything else propagates to pybind11's own translators (RuntimeError and friends).
}

}  // namespace

void bind_errors(py::module_ m) {
  m.def(
      "_register_error_classes",
      [](py::object base, py::dict classes) {
        if (!PyType_Check(base.ptr()) || !PyObject_IsSubclass(base.ptr(), PyExc_Exception))
          throw py::type_error("base must be an Exception subclass");
        Py_XDECREF(g_base);
        Py_XDECREF(g_classes);
        g_base = base.release().ptr();
        g_classes = classes.release().ptr();
      },
      py::arg("base"), py::arg("classes"),
      "Installs the exception classes (civitas.errors calls this on import).");

  m.def(
      "error_code_names",
      [] {
        // Every code core knows, from 0 down to the last one with a name: appended codes
        // appear here without a change to the binding.
        py::dict names;
        for (int c = 0;; --c) {
          const char* n = code_name(static_cast<Code>(c));
          if (std::string_view(n) == "unknown") break;
          names[py::int_(c)] = n;
        }
        return names;
      },
      "Returns {code: name} for every civitas error code (0 = ok).");

  m.def(
      "_raise_error",
      [](int code, const std::string& message, std::optional<std::uint64_t> row,
         std::optional<std::string> field, std::optional<std::uint64_t> offset,
         std::optional<std::string> source) {
        throw Error(static_cast<Code>(code), message, Location{row, field, offset, source});
      },
      py::arg("code"), py::arg("message"), py::kw_only(), py::arg("row") = py::none(),
      py::arg("field") = py::none(), py::arg("offset") = py::none(), py::arg("source") = py::none(),
      "Throws a C++ civitas::Error with this code (to test the translation).");

  py::register_local_exception_translator(&translate);
}

}  // namespace civitas::python
