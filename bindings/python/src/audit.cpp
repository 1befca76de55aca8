// civitas._native.audit — the binding of the tamper-evident audit log
// (core/include/civitas/audit.hpp): the log of a civitas._native.workspace.Workspace
// (audit::WorkspaceLog) and the pure functions a verifier needs (proof verification, notes,
// entry decoding). The public, documented surface is civitas/audit.py.
//
// Results cross as plain tuples that civitas/audit.py turns into dataclasses; hashes as
// 32-byte bytes. The GIL is released around every database read or write and around
// signing and verification; Python objects are only built once it is held again.
#include <pybind11/stl.h>

#include <memory>
#include <optional>

#include "bindings.hpp"
#include "civitas/audit.hpp"
#include "civitas/error.hpp"
#include "civitas/workspace.hpp"

namespace civitas::python {
namespace {

namespace a = civitas::audit;
using W = civitas::workspace::Workspace;

/// Runs f (C++ work only: no Python objects) with the GIL released and returns its result.
template <class F>
auto without_gil(F&& f) {
  py::gil_scoped_release nogil;
  return f();
}

py::bytes hash_bytes(const a::Hash& h) { return py::bytes(reinterpret_cast<const char*>(h.data()), h.size()); }

/// A hash given as 32 bytes or 64 hex digits.
a::Hash hash_arg(py::handle h, const char* what) {
  if (PyUnicode_Check(h.ptr())) {
    std::string_view s = text_view(h, what);
    if (s.size() != 64) throw Error(Code::invalid_argument, std::string(what) + ": a hash is 64 hex digits");
    try {
      return a::hash_from_hex(s);
    } catch (const Error& e) {
      throw Error(Code::invalid_argument, std::string(what) + ": " + e.what());
    }
  }
  std::string_view b = text_view(h, what);
  if (b.size() != 32)
    throw Error(Code::invalid_argument, std::string(what) + ": a hash is 32 bytes, not " + std::to_string(b.size()));
  a::Hash out;
  std::copy(b.begin(), b.end(), out.begin());
  return out;
}

std::vector<a::Hash> hashes_arg(py::handle seq, const char* what) {
  std::vector<a::Hash> out;
  std::size_t i = 0;
  for (py::handle h : py::iter(seq)) {
    if (++i > a::kMaxProofHashes)
      throw Error(Code::invalid_argument, std::string(what) + ": more than " + std::to_string(a::kMaxProofHashes) + " hashes");
    std::string name = std::string(what) + "[" + std::to_string(i - 1) + "]";
    out.push_back(hash_arg(h, name.c_str()));
  }
  return out;
}

py::list hash_list(const std::vector<a::Hash>& hs) {
  py::list out;
  for (const auto& h : hs) out.append(hash_bytes(h));
  return out;
}

/// (index, time_ms, actor_dept, actor_user, action, resource, purpose, outcome, details, entry, leaf)
py::tuple entry_tuple(const a::Entry& e, const std::vector<std::uint8_t>& bytes, const a::Hash& leaf) {
  return py::make_tuple(e.index, e.time_ms, utf8(e.actor_dept), utf8(e.actor_user), utf8(e.action), utf8(e.resource),
                        utf8(e.purpose), utf8(e.outcome), utf8(e.details),
                        py::bytes(reinterpret_cast<const char*>(bytes.data()), bytes.size()), hash_bytes(leaf));
}

/// (leaf_index, tree_size, leaf_hash, hashes)
py::tuple inclusion_tuple(const a::InclusionProof& p) {
  return py::make_tuple(p.leaf_index, p.tree_size, hash_bytes(p.leaf_hash), hash_list(p.hashes));
}

/// (first, second, hashes)
py::tuple consistency_tuple(const a::ConsistencyProof& p) { return py::make_tuple(p.first, p.second, hash_list(p.hashes)); }

/// (origin, size, root, extensions)
py::tuple checkpoint_tuple(const a::Checkpoint& c) {
  py::list ext;
  for (const auto& x : c.extensions) ext.append(utf8(x));
  return py::make_tuple(utf8(c.origin), c.size, hash_bytes(c.root), ext);
}

/// One verifier key line, or a sequence of them.
std::vector<a::NoteVerifier> verifiers_arg(py::handle keys) {
  std::vector<a::NoteVerifier> out;
  if (PyUnicode_Check(keys.ptr()) || PyBytes_Check(keys.ptr())) {
    out.push_back(a::NoteVerifier::parse(text_view(keys, "public_key")));
    return out;
  }
  for (py::handle k : py::iter(keys)) out.push_back(a::NoteVerifier::parse(text_view(k, "public_key")));
  if (out.empty()) throw Error(Code::invalid_argument, "public_key: no verifier keys given");
  return out;
}

a::Event event_arg(py::handle actor, py::handle action, py::handle resource, py::handle purpose, py::handle outcome,
                   py::handle details) {
  a::Event e;
  a::split_actor(text_view(actor, "actor"), e.actor_dept, e.actor_user);
  e.action = std::string(text_view(action, "action"));
  e.resource = std::string(text_view(resource, "resource"));
  e.purpose = std::string(text_view(purpose, "purpose"));
  e.outcome = std::string(text_view(outcome, "outcome"));
  e.details = std::string(text_view(details, "details"));
  return e;
}

/// The log of one workspace; keeps the Python Workspace alive (keep_alive in the binding).
/// Released by close() or when the workspace is closed; later calls raise invalid_argument.
class PyLog {
 public:
  explicit PyLog(WorkspaceHandle& h) {
    py::gil_scoped_release nogil;
    std::shared_ptr<W> ws = h.lease();
    at_ = std::make_unique<WorkspaceHandle::Attachment<a::WorkspaceLog>>(h, a::WorkspaceLog::open(*ws));
  }
  /// For one call: the log with its workspace kept alive until the call returns.
  struct Use {
    std::pair<std::shared_ptr<W>, std::shared_ptr<a::WorkspaceLog>> p;
    a::WorkspaceLog* operator->() const { return p.second.get(); }
    a::Log& log() const { return p.second->log(); }
  };
  Use wl() const { return Use{at_->get("the audit log")}; }
  void close() { at_->release(); }
  bool closed() const { return at_->released(); }

 private:
  std::unique_ptr<WorkspaceHandle::Attachment<a::WorkspaceLog>> at_;
};

py::list entries_list(const std::vector<a::StoredEntry>& v) {
  py::list out;
  for (const auto& se : v) out.append(entry_tuple(se.entry, se.bytes, se.leaf));
  return out;
}

py::tuple report_tuple(const a::VerifyReport& r) {
  py::list ps;
  for (const auto& p : r.problems)
    ps.append(py::make_tuple(p.kind, p.index ? py::object(py::int_(*p.index)) : py::object(py::none()), utf8(p.message)));
  return py::make_tuple(r.entries, r.nodes, r.checkpoints, hash_bytes(r.root), ps);
}

std::optional<std::int64_t> opt_i64(py::handle h) {
  if (h.is_none()) return std::nullopt;
  return h.cast<std::int64_t>();
}

std::optional<std::string> opt_str(py::handle h, const char* what) {
  if (h.is_none()) return std::nullopt;
  return std::string(text_view(h, what));
}

}  // namespace

void bind_audit(py::module_ m) {
  m.attr("MAX_PROOF_HASHES") = a::kMaxProofHashes;

  py::class_<PyLog>(m, "Log")
      .def(py::init<WorkspaceHandle&>(), py::arg("workspace"), py::keep_alive<1, 2>())
      .def("close", &PyLog::close, py::call_guard<py::gil_scoped_release>())
      .def_property_readonly("closed", &PyLog::closed)
      .def_property_readonly("origin", [](PyLog& l) { return utf8(l.wl().log().origin()); })
      .def_property_readonly("department", [](PyLog& l) { return l.wl()->department(); })
      .def_property_readonly("user", [](PyLog& l) { return utf8(l.wl()->user()); })
      .def("size", [](PyLog& l) { return l.wl().log().size(); }, py::call_guard<py::gil_scoped_release>())
      .def(
          "append",
          [](PyLog& l, py::handle actor, py::handle action, py::handle resource, py::handle purpose, py::handle outcome,
             py::handle details) {
            a::Event e = event_arg(actor, action, resource, purpose, outcome, details);
            py::gil_scoped_release nogil;
            return l.wl().log().append(std::move(e));
          },
          py::arg("actor"), py::arg("action"), py::arg("resource"), py::arg("purpose"), py::arg("outcome"),
          py::arg("details"))
      .def(
          "append_batch",
          [](PyLog& l, const std::vector<py::tuple>& rows) {
            std::vector<a::Event> events;
            events.reserve(rows.size());
            for (std::size_t i = 0; i < rows.size(); ++i) {
              const py::tuple& t = rows[i];
              if (t.size() != 6) throw Error(Code::invalid_argument, "events[" + std::to_string(i) + "]: expected 6 fields");
              a::Event e = event_arg(t[0], t[1], t[2], t[3], t[4], t[5]);
              try {
                a::check_event(e);
              } catch (const Error& x) {
                throw Error(x.code(), "events[" + std::to_string(i) + "]: " + x.what());
              }
              events.push_back(std::move(e));
            }
            if (events.empty()) throw Error(Code::invalid_argument, "events: nothing to append");
            py::gil_scoped_release nogil;
            return l.wl().log().append_batch(std::move(events));
          },
          py::arg("events"))
      .def(
          "query",
          [](PyLog& l, py::handle since, py::handle until, py::handle actor, py::handle action, py::handle resource,
             std::uint64_t from_index, std::uint64_t limit) {
            a::Filter f;
            f.since_ms = opt_i64(since);
            f.until_ms = opt_i64(until);
            if (!actor.is_none()) {
              std::string_view s = text_view(actor, "actor");
              std::string d, u;
              a::split_actor(s, d, u);
              if (!d.empty()) f.actor_dept = d;
              if (s.find(':') != std::string_view::npos) f.actor_user = u;
            }
            f.action = opt_str(action, "action");
            f.resource = opt_str(resource, "resource");
            f.from_index = from_index;
            f.limit = limit;
            return entries_list(without_gil([&] { return l.wl().log().query(f); }));
          },
          py::arg("since_ms"), py::arg("until_ms"), py::arg("actor"), py::arg("action"), py::arg("resource"),
          py::arg("from_index"), py::arg("limit"))
      .def(
          "get",
          [](PyLog& l, std::uint64_t index) {
            a::StoredEntry se = without_gil([&] { return l.wl().log().get(index); });
            return entry_tuple(se.entry, se.bytes, se.leaf);
          },
          py::arg("index"))
      .def(
          "root",
          [](PyLog& l, std::uint64_t size) { return hash_bytes(without_gil([&] { return l.wl().log().root(size); })); },
          py::arg("size"))
      .def(
          "prove",
          [](PyLog& l, std::uint64_t index, std::uint64_t size) {
            return inclusion_tuple(without_gil([&] { return l.wl().log().prove(index, size); }));
          },
          py::arg("index"), py::arg("size"))
      .def(
          "consistency",
          [](PyLog& l, std::uint64_t first, std::uint64_t second) {
            return consistency_tuple(without_gil([&] { return l.wl().log().consistency(first, second); }));
          },
          py::arg("first"), py::arg("second"))
      .def("checkpoint", [](PyLog& l) { return l.wl()->checkpoint(); }, py::call_guard<py::gil_scoped_release>())
      .def("latest_checkpoint", [](PyLog& l) { return l.wl().log().latest_checkpoint(); },
           py::call_guard<py::gil_scoped_release>())
      .def("public_key", [](PyLog& l) { return l.wl()->verifier().text(); }, py::call_guard<py::gil_scoped_release>())
      .def("public_keys",
           [](PyLog& l) {
             std::vector<std::string> out;
             for (const auto& v : l.wl()->verifiers()) out.push_back(v.text());
             return out;
           },
           py::call_guard<py::gil_scoped_release>())
      .def(
          "verify",
          [](PyLog& l, py::handle checkpoints) {
            std::vector<std::string> extra;
            for (py::handle c : py::iter(checkpoints)) extra.emplace_back(text_view(c, "checkpoints"));
            return report_tuple(without_gil([&] { return l.wl()->verify(extra); }));
          },
          py::arg("checkpoints"))
      .def(
          "check_received",
          [](PyLog& l, py::handle note) {
            std::string n(text_view(note, "checkpoint"));
            return checkpoint_tuple(without_gil([&] { return l.wl().log().check_received(n, l.wl()->verifiers()); }));
          },
          py::arg("checkpoint"));

  // ---- pure functions (no workspace) ----
  m.def(
      "leaf_hash",
      [](py::handle entry) {
        std::string_view b = text_view(entry, "entry");
        return hash_bytes(a::leaf_hash(b.data(), b.size()));
      },
      py::arg("entry"));
  m.def(
      "decode_entry",
      [](py::handle entry) {
        std::string_view b = text_view(entry, "entry");
        a::Entry e = a::decode_entry(reinterpret_cast<const std::uint8_t*>(b.data()), b.size());
        std::vector<std::uint8_t> bytes(b.begin(), b.end());
        return entry_tuple(e, bytes, a::leaf_hash(b.data(), b.size()));
      },
      py::arg("entry"));
  m.def(
      "verify_inclusion",
      [](std::uint64_t index, std::uint64_t size, py::handle leaf, py::handle hashes, py::handle root) {
        a::Hash l = hash_arg(leaf, "leaf_hash"), r = hash_arg(root, "root");
        std::vector<a::Hash> hs = hashes_arg(hashes, "hashes");
        py::gil_scoped_release nogil;
        return a::verify_inclusion(index, size, l, hs, r);
      },
      py::arg("leaf_index"), py::arg("tree_size"), py::arg("leaf_hash"), py::arg("hashes"), py::arg("root"));
  m.def(
      "verify_consistency",
      [](std::uint64_t first, std::uint64_t second, py::handle hashes, py::handle first_root, py::handle second_root) {
        a::Hash r1 = hash_arg(first_root, "first_root"), r2 = hash_arg(second_root, "second_root");
        std::vector<a::Hash> hs = hashes_arg(hashes, "hashes");
        py::gil_scoped_release nogil;
        return a::verify_consistency(first, second, hs, r1, r2);
      },
      py::arg("first"), py::arg("second"), py::arg("hashes"), py::arg("first_root"), py::arg("second_root"));
  m.def(
      "inclusion_from_json",
      [](py::handle json) {
        a::InclusionProof p = a::InclusionProof::from_json(text_view(json, "json"));
        return inclusion_tuple(p);
      },
      py::arg("json"));
  m.def(
      "inclusion_to_json",
      [](std::uint64_t index, std::uint64_t size, py::handle leaf, py::handle hashes) {
        a::InclusionProof p;
        p.leaf_index = index;
        p.tree_size = size;
        p.leaf_hash = hash_arg(leaf, "leaf_hash");
        p.hashes = hashes_arg(hashes, "hashes");
        return p.to_json();
      },
      py::arg("leaf_index"), py::arg("tree_size"), py::arg("leaf_hash"), py::arg("hashes"));
  m.def(
      "consistency_from_json",
      [](py::handle json) {
        a::ConsistencyProof p = a::ConsistencyProof::from_json(text_view(json, "json"));
        return consistency_tuple(p);
      },
      py::arg("json"));
  m.def(
      "consistency_to_json",
      [](std::uint64_t first, std::uint64_t second, py::handle hashes) {
        a::ConsistencyProof p;
        p.first = first;
        p.second = second;
        p.hashes = hashes_arg(hashes, "hashes");
        return p.to_json();
      },
      py::arg("first"), py::arg("second"), py::arg("hashes"));
  m.def(
      "parse_checkpoint", [](py::handle note) { return checkpoint_tuple(a::parse_checkpoint(text_view(note, "checkpoint"))); },
      py::arg("checkpoint"));
  m.def(
      "open_checkpoint",
      [](py::handle note, py::handle keys) {
        std::string n(text_view(note, "checkpoint"));
        std::vector<a::NoteVerifier> vs = verifiers_arg(keys);
        return checkpoint_tuple(without_gil([&] { return a::open_checkpoint(n, vs); }));
      },
      py::arg("checkpoint"), py::arg("public_key"));
  m.def(
      "check_consistency",
      [](py::handle older, py::handle newer, std::uint64_t first, std::uint64_t second, py::handle hashes,
         py::handle key) {
        std::string o(text_view(older, "older")), n(text_view(newer, "newer"));
        a::ConsistencyProof p;
        p.first = first;
        p.second = second;
        p.hashes = hashes_arg(hashes, "hashes");
        a::NoteVerifier v = a::NoteVerifier::parse(text_view(key, "public_key"));
        return checkpoint_tuple(without_gil([&] { return a::check_consistency(o, n, p, v); }));
      },
      py::arg("older"), py::arg("newer"), py::arg("first"), py::arg("second"), py::arg("hashes"), py::arg("public_key"));
  m.def(
      "parse_public_key",
      [](py::handle text) {
        a::NoteVerifier v = a::NoteVerifier::parse(text_view(text, "public_key"));
        return py::make_tuple(utf8(v.name), v.key_hash,
                              py::bytes(reinterpret_cast<const char*>(v.public_key.data()), v.public_key.size()));
      },
      py::arg("public_key"));
}

}  // namespace civitas::python
