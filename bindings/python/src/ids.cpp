// civitas._native.ids — the binding of civitas::ids (core/include/civitas/ids.hpp).
// The public, documented surface is civitas/ids.py, which wraps these functions.
//
// Codes and kinds may be str or bytes. Batch functions copy the codes into one contiguous
// column (Arrow layout) while holding the GIL, then run ids::check_column without it.
#include <cstdint>
#include <string>
#include <vector>

#include "bindings.hpp"
#include "civitas/error.hpp"
#include "civitas/ids.hpp"

namespace civitas::python {
namespace {

ids::Kind kind_arg(py::handle kind) { return ids::kind_from_name(text_view(kind, "kind")); }

ids::Options options(bool strict) {
  ids::Options o;
  o.strict = strict;
  return o;
}

py::str one_char(char c) { return py::str(&c, 1); }

py::object name_or_none(const std::string& s) { return s.empty() ? py::object(py::none()) : py::object(utf8(s)); }

py::dict region_dict(const ids::Region& r) {
  py::dict d;
  d["code"] = utf8(r.code);
  d["known"] = r.known;
  d["province"] = name_or_none(r.province);
  d["prefecture"] = name_or_none(r.prefecture);
  d["county"] = name_or_none(r.county);
  return d;
}

// The same shape as the CLI's `civitas id parse --json` parts, with None for unknown names.
py::dict parts_dict(ids::Kind kind, const ids::Parts& p) {
  py::dict d;
  switch (kind) {
    case ids::Kind::uscc:
      if (p.authority) {
        d["authority"] = py::dict(py::arg("code") = one_char(p.authority),
                                  py::arg("name") = name_or_none(p.authority_name));
        d["category"] = py::dict(py::arg("code") = one_char(p.category),
                                 py::arg("name") = name_or_none(p.category_name));
        d["region"] = region_dict(p.region);
        d["orgcode"] = utf8(p.orgcode);
      }
      break;
    case ids::Kind::ric:
      if (!p.birth_date.empty()) {
        d["region"] = region_dict(p.region);
        d["birth_date"] = utf8(p.birth_date);
        d["sex"] = one_char(p.sex);
        d["sequence"] = utf8(p.sequence);
        d["legacy"] = name_or_none(p.legacy);
      }
      break;
    case ids::Kind::division:
      if (!p.region.code.empty()) d["region"] = region_dict(p.region);
      break;
    case ids::Kind::orgcode:
      break;
  }
  if (p.check) d["check"] = one_char(p.check);
  return d;
}

py::list warning_names(std::uint32_t bits) {
  py::list out;
  for (unsigned r = 1; r < 32; ++r)
    if (bits & (1u << r)) out.append(ids::reason_name(static_cast<ids::Reason>(r)));
  return out;
}

py::dict validate(py::handle kind, py::handle code, bool strict) {
  const ids::Kind k = kind_arg(kind);
  const ids::Result r = ids::validate(k, text_view(code, "code"), options(strict));
  py::dict d;
  d["kind"] = ids::kind_name(k);
  d["valid"] = r.valid;
  d["canonical"] = utf8(r.canonical);
  d["reason"] = r.valid ? py::object(py::none()) : py::object(py::str(ids::reason_name(r.reason)));
  d["warnings"] = warning_names(r.warnings);
  d["message"] = utf8(r.message);
  d["parts"] = parts_dict(k, r.parts);
  return d;
}

// Runs check_column over the codes without the GIL; one reason byte per code.
std::vector<std::uint8_t> check_many(py::handle kind, py::handle codes, bool strict) {
  const ids::Kind k = kind_arg(kind);
  const Column col = gather_column(codes, "codes");
  std::vector<std::uint8_t> reasons(col.size());
  {
    py::gil_scoped_release nogil;
    ids::check_column(k, col.data.data(), col.offsets.data(), col.size(), options(strict), reasons.data());
  }
  return reasons;
}

py::list validate_many(py::handle kind, py::handle codes, bool strict) {
  const std::vector<std::uint8_t> reasons = check_many(kind, codes, strict);
  py::list out(reasons.size());
  for (std::size_t i = 0; i < reasons.size(); ++i)
    PyList_SET_ITEM(out.ptr(), static_cast<Py_ssize_t>(i), PyBool_FromLong(reasons[i] == 0));
  return out;
}

py::list reasons_many(py::handle kind, py::handle codes, bool strict) {
  const std::vector<std::uint8_t> reasons = check_many(kind, codes, strict);
  std::vector<py::object> names(256);  // one str per reason value, made on first use
  py::list out(reasons.size());
  for (std::size_t i = 0; i < reasons.size(); ++i) {
    py::object v = py::none();
    if (const std::uint8_t r = reasons[i]) {
      if (!names[r]) names[r] = py::str(ids::reason_name(static_cast<ids::Reason>(r)));
      v = names[r];
    }
    PyList_SET_ITEM(out.ptr(), static_cast<Py_ssize_t>(i), v.release().ptr());
  }
  return out;
}

py::str normalize(py::handle code) {
  const std::string_view in = text_view(code, "code");
  std::string out(in.size(), '\0');  // normalising never lengthens the input
  const std::size_t n = ids::normalize(in, out.data(), out.size());
  if (n == SIZE_MAX)
    throw Error(Code::invalid_data, "cannot normalise: the code contains a character outside printable ASCII");
  out.resize(n);
  return utf8(out);
}

}  // namespace

void bind_ids(py::module_ m) {
  m.doc() = "Native part of civitas.ids (use civitas.ids).";

  m.def("validate", &validate, py::arg("kind"), py::arg("code"), py::arg("strict") = false,
        "Validates one code; returns a dict (valid, canonical, reason, warnings, message, parts).");
  m.def(
      "check",
      [](py::handle kind, py::handle code, bool strict) {
        std::uint32_t warnings = 0;
        const ids::Reason r = ids::check(kind_arg(kind), text_view(code, "code"), options(strict), &warnings);
        return py::make_tuple(r == ids::Reason::ok ? py::object(py::none()) : py::object(py::str(ids::reason_name(r))),
                              warning_names(warnings));
      },
      py::arg("kind"), py::arg("code"), py::arg("strict") = false,
      "Allocation-free check: returns (reason or None, [warning names]).");
  m.def(
      "is_valid",
      [](py::handle kind, py::handle code, bool strict) {
        return ids::is_valid(kind_arg(kind), text_view(code, "code"), options(strict));
      },
      py::arg("kind"), py::arg("code"), py::arg("strict") = false);
  m.def("validate_many", &validate_many, py::arg("kind"), py::arg("codes"), py::arg("strict") = false,
        "Validates a sequence of codes with the GIL released; returns a list of bools.");
  m.def("reasons_many", &reasons_many, py::arg("kind"), py::arg("codes"), py::arg("strict") = false,
        "As validate_many, returning the reason name or None per code.");
  m.def(
      "check_char",
      [](py::handle kind, py::handle body) {
        return one_char(ids::check_char(kind_arg(kind), text_view(body, "body")));
      },
      py::arg("kind"), py::arg("body"));
  m.def(
      "ric_upgrade", [](py::handle legacy15) { return utf8(ids::ric_upgrade(text_view(legacy15, "legacy15"))); },
      py::arg("legacy15"));
  m.def("normalize", &normalize, py::arg("code"));
  m.def(
      "lookup_region", [](py::handle code6) { return region_dict(ids::lookup_region(text_view(code6, "code"))); },
      py::arg("code"));
  m.def(
      "load_division_table",
      [](const std::string& path) {
        py::gil_scoped_release nogil;
        ids::load_division_table_file(path);
      },
      py::arg("path"));
  m.def("reset_division_table", &ids::reset_division_table);
  m.def("division_table_source", [] { return utf8(ids::division_table_source()); });
  m.def("division_table_size", &ids::division_table_size);
  m.def("kinds", [] {
    py::list out;
    for (ids::Kind k : {ids::Kind::uscc, ids::Kind::orgcode, ids::Kind::ric, ids::Kind::division})
      out.append(ids::kind_name(k));
    return out;
  });
  m.def("reason_names", [] {
    // Every reason core knows, in value order: appended reasons appear without a change here.
    py::list out;
    for (unsigned r = 0; r < 256; ++r) {
      const char* n = ids::reason_name(static_cast<ids::Reason>(r));
      if (std::string_view(n) == "unknown") break;
      out.append(n);
    }
    return out;
  });
}

}  // namespace civitas::python
