"""Interop: civitas validate and frictionless-py report the same errors on shared fixtures.

Each case validates one fixture from tests/data/schema with both implementations and compares
the errors as (type, rowNumber, field) in report order. Where civitas differs on purpose the
difference is named here and explained in docs/schema.md ("Differences from frictionless-py"):

- CIVITAS_EXTENSIONS: errors raised by the civitas extensions that frictionless does not know
  (identifier-checksum, identifier-component, and constraint "civitas:dataLength"); they are
  removed from the civitas side before comparing, and asserted separately.
- DIALECT_SNIFFING: frictionless guesses the CSV delimiter; civitas uses the dialect it is given
  (default ","), so a ";" file is compared with the dialect stated to both.
- JSONL_NEEDS_EXTRA: frictionless reads JSON Lines only with the frictionless[json] extra; when it
  is missing the JSON Lines case checks civitas' errors against the expected list alone.
"""
import json
import os
import subprocess

import frictionless
import pytest
from frictionless import Dialect, Schema, formats

CLI = os.environ.get("CIVITAS_CLI", "civitas")
DATA = os.path.abspath(os.path.join(os.environ.get("CIVITAS_TEST_DATA", os.path.join(os.path.dirname(__file__), "..", "data")), "schema"))

CIVITAS_ONLY_TYPES = {"identifier-checksum", "identifier-component"}


def key(e):
    row = e.get("rowNumber")
    if row is None and e.get("rowNumbers"):
        row = e["rowNumbers"][0]
    field = e.get("fieldName") or e.get("fieldNumber")
    return (e["type"], row, field)


def civitas_errors(schema, data, *args):
    p = subprocess.run([CLI, "validate", "--schema", os.path.join(DATA, schema), os.path.join(DATA, data), "--json",
                        "--limit", "0", *args], capture_output=True, text=True)
    assert p.returncode in (0, 1), p.stderr
    report = json.loads(p.stdout)
    assert report["valid"] == (p.returncode == 0)
    task = report["tasks"][0]
    assert task["stats"]["errors"] == len(task["errors"])
    return task["errors"]


def frictionless_errors(schema, data, encoding=None, delimiter=None):
    # frictionless refuses absolute paths unless trusted; read relative to the fixture folder.
    os.chdir(DATA)
    kwargs = {"schema": Schema.from_descriptor(schema), "limit_errors": 100000}
    if encoding:
        kwargs["encoding"] = encoding
    if delimiter:
        kwargs["dialect"] = Dialect(controls=[formats.CsvControl(delimiter=delimiter)])
    report = frictionless.validate(data, **kwargs)
    return report.tasks[0].to_descriptor()["errors"]


def is_extension(e):
    return e["type"] in CIVITAS_ONLY_TYPES or "civitas:" in e.get("note", "")


CASES = [
    # schema, data, civitas args, frictionless kwargs, expected civitas-extension errors
    ("people.v1.json", "people_valid.csv", [], {}, []),
    ("people.v1.json", "people_broken.csv", [], {}, []),
    ("people.v1.json", "people_header.csv", [], {}, []),
    ("people.v1.json", "people_bom.csv", [], {}, []),
    ("orgs.v2.json", "orgs.csv", [], {}, [
        ("identifier-checksum", 4, "uscc"), ("identifier-component", 5, "uscc"),
        ("identifier-component", 5, "division"), ("constraint-error", 6, "name")]),
    ("orgs.v2.json", "orgs_gbk.csv", ["--encoding", "gbk"], {"encoding": "gbk"}, [
        ("identifier-checksum", 4, "uscc"), ("identifier-component", 5, "uscc"),
        ("identifier-component", 5, "division"), ("constraint-error", 6, "name")]),
    # DIALECT_SNIFFING: the delimiter is stated to both.
    ("people.v1.json", "semicolon.csv", ["--delimiter", ";"], {"delimiter": ";"}, []),
]


@pytest.mark.parametrize("schema,data,args,fkw,extension", CASES, ids=[c[1] for c in CASES])
def test_same_errors_as_frictionless(schema, data, args, fkw, extension):
    ours = civitas_errors(schema, data, *args)
    theirs = frictionless_errors(schema, data, **fkw)
    # CIVITAS_EXTENSIONS
    assert [key(e) for e in ours if is_extension(e)] == extension
    assert [key(e) for e in ours if not is_extension(e)] == [key(e) for e in theirs]


def test_report_shape_matches_frictionless():
    ours = civitas_errors("people.v1.json", "people_broken.csv")
    theirs = frictionless_errors("people.v1.json", "people_broken.csv")
    for a, b in zip(ours, theirs):
        assert set(b) <= set(a), (a["type"], set(b) - set(a))
        for k in ("type", "title", "message", "note", "cells", "cell", "rowNumber", "fieldName", "fieldNumber"):
            if k in b:
                assert a[k] == b[k], (k, a[k], b[k])


def test_jsonl_errors():
    # JSONL_NEEDS_EXTRA: compare with frictionless when it can read JSON Lines.
    ours = [key(e) for e in civitas_errors("orgs.v2.json", "orgs.jsonl")]
    expected = [("identifier-checksum", 4, "uscc"), ("constraint-error", 4, "staff"), ("type-error", 4, "period"),
                ("primary-key", 4, None), ("foreign-key", 4, None)]
    assert ours == expected
    theirs = frictionless_errors("orgs.v2.json", "orgs.jsonl")
    if theirs and theirs[0]["type"] == "error" and "frictionless[json]" in theirs[0]["message"]:
        pytest.skip("JSONL_NEEDS_EXTRA: frictionless[json] is not installed")
    assert [k for k in ours if k[0] not in CIVITAS_ONLY_TYPES] == [key(e) for e in theirs]


# ---- foreign keys across the resources of a data package -------------------------------------

PACKAGE = os.path.join(DATA, "package")


def frictionless_package_errors():
    os.chdir(PACKAGE)
    report = frictionless.validate("datapackage.json", limit_errors=100000)
    return {t.name: [key(e) for e in t.to_descriptor()["errors"]] for t in report.tasks}


def test_package_foreign_keys_same_as_frictionless():
    p = subprocess.run([CLI, "validate", "--package", os.path.join(PACKAGE, "datapackage.json"), "--json",
                        "--limit", "0"], capture_output=True, text=True)
    assert p.returncode == 1, p.stderr
    report = json.loads(p.stdout)
    ours = {t["name"]: [key(e) for e in t["errors"]] for t in report["tasks"]}
    theirs = frictionless_package_errors()
    assert ours == theirs
    # what both must find: a key to another resource, a self-reference, a type error in a key
    assert ("foreign-key", 3, None) in ours["staff"] and ("foreign-key", 5, None) in ours["staff"]
    assert ("type-error", 6, "org") in ours["staff"] and ("foreign-key", 7, None) in ours["staff"]


def test_single_table_with_named_resource_same_as_frictionless(tmp_path):
    with open(os.path.join(PACKAGE, "datapackage.json"), encoding="utf-8") as f:
        staff = json.load(f)["resources"][1]["schema"]
    schema = str(tmp_path / "staff.schema.json")
    with open(schema, "w", encoding="utf-8") as f:
        json.dump(staff, f)
    for extra in ([], ["--resource-schema", "orgs=" + os.path.join(PACKAGE, "orgs.schema.json")]):
        p = subprocess.run([CLI, "validate", "--schema", schema, os.path.join(PACKAGE, "staff.csv"), "--json",
                            "--limit", "0", "--resource", "orgs=" + os.path.join(PACKAGE, "orgs.csv"), *extra],
                           capture_output=True, text=True)
        assert p.returncode == 1, p.stderr
        ours = [key(e) for e in json.loads(p.stdout)["tasks"][0]["errors"]]
        assert ours == frictionless_package_errors()["staff"], extra
    # without the resource the key is not checked, and the report says so
    p = subprocess.run([CLI, "validate", "--schema", schema, os.path.join(PACKAGE, "staff.csv"), "--json"],
                       capture_output=True, text=True)
    task = json.loads(p.stdout)["tasks"][0]
    assert not any(e["type"] == "foreign-key" and e.get("referenceName") == "orgs" for e in task["errors"])
    assert any("orgs" in w for w in task["warnings"])
