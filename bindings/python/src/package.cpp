// civitas._native.package — exchange packages (core/include/civitas/package.hpp) with a
// workspace: the audited operations Workspace::create_package / open_package /
// verify_package of a civitas._native.workspace.Workspace (keys, peers, sequence numbers,
// replay memory and audit entries are theirs; this file adds none). The public, documented
// surface is civitas/package.py.
//
// Results cross as (header JSON, envelope JSON, datapackage JSON, counters) tuples that
// civitas/package.py turns into dataclasses. The GIL is released around all crypto and I/O;
// a Writer or Reader serialises its own calls with a mutex (the core objects are
// single-threaded, and releasing the GIL would otherwise let two Python threads in at once).
#include <pybind11/stl.h>

#include <map>
#include <memory>
#include <mutex>
#include <optional>

#include "bindings.hpp"
#include "civitas/error.hpp"
#include "civitas/json.hpp"
#include "civitas/package.hpp"
#include "civitas/workspace.hpp"

namespace civitas::python {
namespace {

namespace ex = civitas::package;
using W = civitas::workspace::Workspace;
using nlohmann::json;

json parse_json(const std::string& text, const char* what) { return civitas::parse_json(text, what); }

/// (header, envelope, datapackage, package_bytes, payload_bytes, chunks, content_bytes).
py::tuple summary_tuple(const ex::Summary& s) {
  auto dump = [](const json& j) { return j.is_null() ? std::string() : j.dump(); };
  return py::make_tuple(s.header.to_json().dump(), dump(s.envelope), dump(s.datapackage), s.package_bytes,
                        s.payload_bytes, s.chunks, s.content_bytes);
}

ex::OpenOptions open_options(bool validate, const std::map<std::string, std::string>& expected, bool sync,
                             bool umask_modes) {
  ex::OpenOptions o;
  o.validate = validate;
  o.sync = sync;
  if (umask_modes) o.file_mode = 0666;
  for (const auto& [name, schema] : expected) o.expected_schemas[name] = parse_json(schema, "expected schema");
  return o;
}


/// Bytes in a buffer (bytes, bytearray, memoryview…); a non-contiguous one is refused.
std::size_t byte_size(const py::buffer_info& b) {
  if (!PyBuffer_IsContiguous(b.view(), 'C')) throw Error(Code::invalid_argument, "data must be a contiguous buffer");
  return static_cast<std::size_t>(b.size) * static_cast<std::size_t>(b.itemsize);
}

json schema_arg(const std::optional<std::string>& schema) {
  return schema ? parse_json(*schema, "schema") : json(nullptr);
}

/// What a writer or reader holds of its workspace; released when the workspace is closed
/// (an unfinished package is then abandoned: its output removed).
template <class Stream>
struct StreamState {
  std::unique_ptr<Stream> s;
};
template <class Stream>
using Attached = WorkspaceHandle::Attachment<StreamState<Stream>>;

/// A streaming writer with the workspace as provider.
struct Writer {
  std::mutex mu;
  std::unique_ptr<Attached<civitas::workspace::PackageWriter>> at;

  /// For one call: the workspace's lease and the writer; Error once finished, closed, or its
  /// workspace closed.
  auto live() {
    if (!at) throw Error(Code::invalid_argument, "the package writer is finished or closed");
    return at->get("the package writer");
  }
};

/// A streaming reader with the workspace as consumer.
struct Reader {
  std::mutex mu;
  std::unique_ptr<Attached<civitas::workspace::PackageReader>> at;

  auto live() {
    if (!at) throw Error(Code::invalid_argument, "the package reader is finished or closed");
    return at->get("the package reader");
  }
  /// Runs fn(reader); on a refusal (audited by Workspace::open_package_stream, its output
  /// removed) the reader is dropped.
  template <class Fn>
  auto refusing(Fn&& fn) {
    auto [ws, st] = live();
    try {
      return fn(*st->s);
    } catch (const Error&) {
      st->s.reset();
      at.reset();
      throw;
    }
  }
};

}  // namespace

void bind_package(py::module_ m) {
  m.attr("DEFAULT_CHUNK_SIZE") = ex::kDefaultChunkSize;
  m.attr("FORMAT_VERSION") = ex::kFormatVersion;

  m.def(
      "inspect",
      [](const std::string& path) {
        ex::Header h;
        {
          py::gil_scoped_release nogil;
          h = ex::inspect(path);
        }
        return h.to_json().dump();
      },
      py::arg("path"), "The public header of a package as JSON (no key, no verification).");

  m.def(
      "schema_hash", [](const std::string& schema) { return ex::schema_hash(parse_json(schema, "schema")); },
      py::arg("schema"), "sha256:<hex> of a Table Schema in canonical form.");

  m.def(
      "verify",
      [](W& ws, const std::string& path) {
        ex::Summary s;
        {
          py::gil_scoped_release nogil;
          s = ws.verify_package(path);
        }
        return summary_tuple(s);
      },
      py::arg("workspace"), py::arg("path"));

  m.def(
      "open",
      [](W& ws, const std::string& path, const std::string& out_dir, bool validate,
         const std::map<std::string, std::string>& expected, bool sync, bool umask_modes) {
        ex::OpenOptions o = open_options(validate, expected, sync, umask_modes);
        ex::Summary s;
        {
          py::gil_scoped_release nogil;
          s = ws.open_package(path, out_dir, o);  // audited "package.open", refusals included
        }
        return summary_tuple(s);
      },
      py::arg("workspace"), py::arg("path"), py::arg("out_dir"), py::arg("validate") = true,
      py::arg("expected_schemas") = std::map<std::string, std::string>{}, py::arg("sync") = true,
      py::arg("umask_modes") = false);

  py::class_<Writer>(m, "Writer")
      .def(py::init([](WorkspaceHandle& handle, const std::string& path, const std::vector<std::string>& to,
                       const std::string& catalog, const std::string& purpose, const std::string& approval,
                       const std::string& request_hash, std::size_t chunk_size, int level, int threads, bool validate,
                       const std::string& encoding) {
             auto h = std::make_unique<Writer>();
             py::gil_scoped_release nogil;
             std::shared_ptr<W> ws = handle.lease();
             auto st = std::make_shared<StreamState<civitas::workspace::PackageWriter>>();
             ex::WriterOptions o;
             o.catalog = catalog;
             o.purpose = purpose;
             o.approval = approval;
             o.request_hash = request_hash;
             if (chunk_size) o.chunk_size = chunk_size;
             o.level = level;
             o.threads = threads;
             o.validate = validate;
             o.encoding = encoding;
             st->s = ws->create_package(path, to, o);  // audited "package.create", refusals included
             h->at = std::make_unique<Attached<civitas::workspace::PackageWriter>>(handle, std::move(st));
             return h;
           }),
           py::arg("workspace"), py::arg("path"), py::arg("to"), py::arg("catalog") = "", py::arg("purpose") = "",
           py::arg("approval") = "", py::arg("request_hash") = "", py::arg("chunk_size") = 0, py::arg("level") = 3,
           py::arg("threads") = 1, py::arg("validate") = true, py::arg("encoding") = "", py::keep_alive<1, 2>())
      .def(
          "begin_resource",
          [](Writer& w, const std::string& name, std::optional<std::string> schema, const std::string& format) {
            json s = schema_arg(schema);
            py::gil_scoped_release nogil;
            std::lock_guard lock(w.mu);
            w.live().second->s->begin_resource(name, s, format);
          },
          py::arg("name"), py::arg("schema") = py::none(), py::arg("format") = "csv")
      .def(
          "write",
          [](Writer& w, py::buffer data) {
            py::buffer_info b = data.request();
            const std::size_t n = byte_size(b);
            py::gil_scoped_release nogil;
            std::lock_guard lock(w.mu);
            w.live().second->s->write(b.ptr, n);
          },
          py::arg("data"))
      .def(
          "end_resource",
          [](Writer& w) {
            std::lock_guard lock(w.mu);
            w.live().second->s->end_resource();
          },
          py::call_guard<py::gil_scoped_release>())
      .def(
          "add_file",
          [](Writer& w, const std::string& name, const std::string& path, std::optional<std::string> schema,
             const std::string& format) {
            json s = schema_arg(schema);
            py::gil_scoped_release nogil;
            std::lock_guard lock(w.mu);
            w.live().second->s->add_file(name, path, s, format);
          },
          py::arg("name"), py::arg("path"), py::arg("schema") = py::none(), py::arg("format") = "csv")
      .def(
          "finish",
          [](Writer& w) {
            ex::Summary s;
            {
              py::gil_scoped_release nogil;
              std::lock_guard lock(w.mu);
              auto [ws, st] = w.live();
              s = st->s->finish();
              st->s.reset();
              w.at.reset();
            }
            return summary_tuple(s);
          })
      .def(
          "close",
          [](Writer& w) {
            std::lock_guard lock(w.mu);
            w.at.reset();  // an unfinished package is removed
          },
          py::call_guard<py::gil_scoped_release>())
      .def_property_readonly("closed", [](Writer& w) {
        std::lock_guard lock(w.mu);
        return !w.at || w.at->released();
      });

  py::class_<Reader>(m, "Reader")
      .def(py::init([](WorkspaceHandle& handle, const std::string& out_dir, bool validate,
                       const std::map<std::string, std::string>& expected, bool sync, bool umask_modes) {
             auto h = std::make_unique<Reader>();
             ex::OpenOptions o = open_options(validate, expected, sync, umask_modes);
             py::gil_scoped_release nogil;
             std::shared_ptr<W> ws = handle.lease();
             auto st = std::make_shared<StreamState<civitas::workspace::PackageReader>>();
             st->s = ws->open_package_stream(out_dir, o);  // audited "package.open", refusals included
             h->at = std::make_unique<Attached<civitas::workspace::PackageReader>>(handle, std::move(st));
             return h;
           }),
           py::arg("workspace"), py::arg("out_dir"), py::arg("validate") = true,
           py::arg("expected_schemas") = std::map<std::string, std::string>{}, py::arg("sync") = true,
           py::arg("umask_modes") = false, py::keep_alive<1, 2>())
      .def(
          "feed",
          [](Reader& r, py::buffer data) {
            py::buffer_info b = data.request();
            const std::size_t n = byte_size(b);
            py::gil_scoped_release nogil;
            std::lock_guard lock(r.mu);
            r.refusing([&](civitas::workspace::PackageReader& pr) {
              pr.feed(b.ptr, n);
              return 0;
            });
          },
          py::arg("data"))
      .def("finish",
           [](Reader& r) {
             ex::Summary s;
             {
               py::gil_scoped_release nogil;
               std::lock_guard lock(r.mu);
               s = r.refusing([](civitas::workspace::PackageReader& pr) { return pr.finish(); });
               r.at.reset();
             }
             return summary_tuple(s);
           })
      .def(
          "header",
          [](Reader& r) -> py::object {
            std::lock_guard lock(r.mu);
            if (!r.at || r.at->released()) return py::none();
            auto [ws, st] = r.at->get("the package reader");
            if (!st->s->header()) return py::none();
            return py::str(st->s->header()->to_json().dump());
          })
      .def(
          "close",
          [](Reader& r) {
            std::lock_guard lock(r.mu);
            r.at.reset();  // the output of an unfinished package is removed
          },
          py::call_guard<py::gil_scoped_release>())
      .def_property_readonly("closed", [](Reader& r) {
        std::lock_guard lock(r.mu);
        return !r.at || r.at->released();
      });
}

}  // namespace civitas::python
