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
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "civitas/error.hpp"
#include "civitas/workspace.hpp"

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
/// civitas._native.package: exchange packages with a workspace (package.cpp).
void bind_package(py::module_ m);
/// civitas._native.catalog: catalog entries stored, versioned, in a workspace (catalog.cpp).
void bind_catalog(py::module_ m);
/// civitas._native.audit: the tamper-evident audit log of a workspace (audit.cpp).
void bind_audit(py::module_ m);
/// Issue 18 (escrow.cpp): key escrow and sequence statements, added to workspace.Workspace; takes the
/// workspace submodule, after bind_workspace().
void bind_escrow(py::module_ workspace_module);
/// civitas._native.recovery: backups and restore (recovery.cpp).
void bind_recovery(py::module_ m);
/// civitas._native.classify: detectors, free text, columns and tables (classify.cpp).
void bind_classify(py::module_ m);
/// civitas._native.deid: de-identification runs (deid.cpp).
void bind_deid(py::module_ m);
/// civitas._native.deid_risk: field transforms, risk measures, HTML report (deid_risk.cpp).
void bind_deid_risk(py::module_ m);
/// civitas._native.dp: differential-privacy samplers, budgets and releases (deid_dp.cpp).
void bind_deid_dp(py::module_ m);
/// civitas._native.policy: policy checks, grading, audited decisions (policy.cpp).
void bind_policy(py::module_ m);
/// civitas._native.publish: the open-data publishing job and its verification (publish.cpp).
void bind_publish(py::module_ m);
/// civitas._native.spark: batch functions and the driver-side deid search for civitas.spark (spark.cpp).
void bind_spark(py::module_ m);
// Later modules: void bind_<module>(py::module_ m);  (bindings/python/src/<module>.cpp)

/// The Python Workspace (civitas._native.workspace.Workspace): owns the C++ Workspace until
/// close(), which destroys it (its keys are wiped) instead of waiting for garbage collection.
///
/// Every call that uses the workspace holds a lease (a shared_ptr) for its duration, so a
/// close() from another thread takes effect when calls already running return; calls made
/// after close() raise Error(invalid_argument, "the workspace is closed"). Objects that keep
/// using the workspace after the call that made them (package writers and readers, audit
/// logs, catalog stores) hold an Attachment: close() releases those first, so that nothing
/// keeps keys or a database handle alive past it.
///
/// A native function or method may take `W&` / `const W&` (W = civitas::workspace::Workspace)
/// for this object: the type caster at the end of this file takes the lease.
class WorkspaceHandle {
  struct State;

 public:
  using W = civitas::workspace::Workspace;

  explicit WorkspaceHandle(std::unique_ptr<W> w) : s_(std::make_shared<State>()) { s_->w = std::move(w); }
  ~WorkspaceHandle() { close(); }
  WorkspaceHandle(const WorkspaceHandle&) = delete;
  WorkspaceHandle& operator=(const WorkspaceHandle&) = delete;

  /// The workspace, kept alive while the result lives; Error(invalid_argument) once closed.
  std::shared_ptr<W> lease() const {
    std::lock_guard lock(s_->mu);
    if (!s_->w) throw Error(Code::invalid_argument, "the workspace is closed");
    return s_->w;
  }
  bool closed() const {
    std::lock_guard lock(s_->mu);
    return !s_->w;
  }
  /// Releases every attachment (waiting for a call of theirs in progress), then lets the
  /// workspace go. Idempotent. Call without the GIL when attachments may be in use.
  void close() noexcept {
    std::shared_ptr<W> w;
    std::map<std::uint64_t, std::function<void()>> on_close;
    {
      std::lock_guard lock(s_->mu);
      w = std::move(s_->w);
      on_close.swap(s_->on_close);
    }
    for (auto& [id, release] : on_close) release();
    // w goes here: the workspace is destroyed unless a call still holds a lease.
  }

  /// Something that keeps using the workspace beyond one call (see the class comment).
  /// `T` is built on the workspace; both are released at close() or when this is destroyed.
  template <class T>
  class Attachment {
   public:
    Attachment(const WorkspaceHandle& h, std::shared_ptr<T> obj) : slot_(std::make_shared<Slot>()), state_(h.s_) {
      slot_->w = h.lease();
      slot_->obj = std::move(obj);
      std::lock_guard lock(state_->mu);
      if (!state_->w) throw Error(Code::invalid_argument, "the workspace is closed");
      id_ = state_->next_id++;
      state_->on_close.emplace(id_, [weak = std::weak_ptr<Slot>(slot_)] {
        if (auto s = weak.lock()) s->release();
      });
    }
    ~Attachment() {
      {
        std::lock_guard lock(state_->mu);
        state_->on_close.erase(id_);
      }
      slot_->release();
    }
    Attachment(const Attachment&) = delete;
    Attachment& operator=(const Attachment&) = delete;

    /// For one call: the workspace and T (T goes first when the pair is destroyed), or
    /// Error(invalid_argument) naming `what` once released.
    std::pair<std::shared_ptr<W>, std::shared_ptr<T>> get(const char* what) const {
      std::lock_guard lock(slot_->mu);
      if (!slot_->obj) throw Error(Code::invalid_argument, std::string(what) + ": its workspace is closed");
      return {slot_->w, slot_->obj};
    }
    /// Lets go of T and the workspace (calls in progress keep their own references).
    void release() { slot_->release(); }
    bool released() const {
      std::lock_guard lock(slot_->mu);
      return !slot_->obj;
    }

   private:
    struct Slot {
      std::mutex mu;
      std::shared_ptr<W> w;
      std::shared_ptr<T> obj;
      void release() {
        std::shared_ptr<W> w2;
        std::shared_ptr<T> o2;
        {
          std::lock_guard lock(mu);
          w2 = std::move(w);
          o2 = std::move(obj);
        }
        o2.reset();  // T before the workspace it refers to
      }
    };
    std::shared_ptr<Slot> slot_;
    std::shared_ptr<State> state_;
    std::uint64_t id_ = 0;
  };

  /// Runs `release` at close() (before the workspace goes) until detach(id); for objects that
  /// manage their own lock. `release` must not need the GIL.
  std::uint64_t on_close(std::function<void()> release) const {
    std::lock_guard lock(s_->mu);
    if (!s_->w) throw Error(Code::invalid_argument, "the workspace is closed");
    std::uint64_t id = s_->next_id++;
    s_->on_close.emplace(id, std::move(release));
    return id;
  }
  void detach(std::uint64_t id) const noexcept {
    std::lock_guard lock(s_->mu);
    s_->on_close.erase(id);
  }

 private:
  struct State {
    std::mutex mu;
    std::shared_ptr<W> w;
    std::map<std::uint64_t, std::function<void()>> on_close;
    std::uint64_t next_id = 1;
  };
  std::shared_ptr<State> s_;
};

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

namespace pybind11::detail {

/// `W&` / `const W&` / `W*` arguments (W = civitas::workspace::Workspace) are loaded from a
/// civitas._native.workspace.Workspace (a WorkspaceHandle) and hold its lease for the call:
/// a closed workspace raises civitas.InvalidArgumentError, never a dangling reference.
template <>
class type_caster<civitas::workspace::Workspace> {
  using W = civitas::workspace::Workspace;

 public:
  static constexpr auto name = const_name("civitas._native.workspace.Workspace");

  bool load(handle src, bool convert) {
    make_caster<civitas::python::WorkspaceHandle> h;
    if (!h.load(src, convert)) return false;
    lease_ = cast_op<civitas::python::WorkspaceHandle&>(h).lease();  // throws once closed
    return true;
  }
  template <typename T_>
  using cast_op_type = pybind11::detail::cast_op_type<T_>;
  operator W&() { return *lease_; }
  operator W*() { return lease_.get(); }

 private:
  std::shared_ptr<W> lease_;
};

}  // namespace pybind11::detail
