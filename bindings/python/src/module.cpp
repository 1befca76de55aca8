// civitas._native: the pybind11 extension behind the `civitas` package.
// Each core module has one submodule, bound by bind_<module>() in src/<module>.cpp and
// wrapped by civitas/<module>.py. To add a module, add one line below (see docs/python.md).
#include "bindings.hpp"

#ifndef CIVITAS_VERSION
#error "CIVITAS_VERSION must be defined by the build (cmake/python.cmake)"
#endif

PYBIND11_MODULE(_native, m) {
  namespace cp = civitas::python;
  m.doc() = "Native extension of the civitas package (pybind11 over the C++ core). Use `civitas`.";
  m.attr("__version__") = CIVITAS_VERSION;

  cp::bind_errors(m);  // first: the exception translator every module relies on
  cp::bind_ids(m.def_submodule("ids", "Identifiers: USCC, organisation code, resident ID, GB/T 2260"));
  cp::bind_workspace(m.def_submodule("workspace", "Workspaces, keyring, field encryption, tokens, identity keys"));
  cp::bind_schema(m.def_submodule("schema", "Table schemas, record validation, catalog entries"));
  cp::bind_package(m.def_submodule("package", "Exchange packages between departments"));
  cp::bind_catalog(m.def_submodule("catalog", "Catalog entries stored, versioned, in a workspace"));
  cp::bind_audit(m.def_submodule("audit", "The tamper-evident audit log of a workspace"));
  cp::bind_escrow(m.attr("workspace"));  // issue 18: escrow and sequence statements on workspace.Workspace
  cp::bind_recovery(m.def_submodule("recovery", "Backups and restore of a workspace"));
  cp::bind_classify(m.def_submodule("classify", "Classification: identifiers and personal information in values, columns, tables, texts"));
  cp::bind_deid(m.def_submodule("deid", "De-identification runs: specs, optimal generalisation, reports"));
  cp::bind_deid_risk(m.def_submodule("deid_risk", "De-identification: field transforms, risk measures, HTML report"));
  cp::bind_deid_dp(m.def_submodule("dp", "Differential privacy: secure noise, budgets, releases"));
  cp::bind_policy(m.def_submodule("policy", "Policy: grading, sharing and opening decisions"));
  cp::bind_publish(m.def_submodule("publish", "Open-data publishing: publish a table, verify a publication"));
  cp::bind_spark(m.def_submodule("spark", "Batch functions and the frequency-table search behind civitas.spark (issue 16)"));
  // cp::bind_<module>(m.def_submodule("<module>", "…"));
}
