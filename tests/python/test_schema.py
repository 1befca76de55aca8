"""Tests of civitas.schema and civitas.catalog, against the build tree (PYTHONPATH)."""

import json
import os
import threading

import pytest

import civitas
from civitas import catalog, schema

DATA = os.path.join(os.path.dirname(__file__), "..", "data", "schema")


def load(name):
    with open(os.path.join(DATA, name), encoding="utf-8") as f:
        return json.load(f)


def test_valid_file_gives_a_valid_frictionless_shaped_report():
    r = schema.validate(os.path.join(DATA, "people_valid.csv"), load("people.v1.json"))
    assert r["valid"] is True
    assert r["tasks"][0]["stats"]["rows"] == 5
    assert schema.errors(r) == []


def test_gbk_file_with_identifier_errors():
    r = schema.validate(os.path.join(DATA, "orgs_gbk.csv"), load("orgs.v2.json"), dialect={"encoding": "gbk"})
    errs = schema.errors(r)
    assert ("identifier-checksum", 4, "uscc") in errs
    assert ("foreign-key", 5, None) in errs
    assert len(errs) == 9


def test_validate_bytes_and_error_limit():
    s = {"fields": [{"name": "id", "type": "integer"}]}
    data = "id\n" + "x\n" * 50
    r = schema.validate_bytes(data, s, limit_errors=3)
    assert len(r["tasks"][0]["errors"]) == 3
    assert r["tasks"][0]["partial"] is True
    assert schema.validate_bytes(b"id\n1\n", json.dumps(s))["valid"] is True


def test_schema_check_lists_every_problem_and_bad_schemas_raise():
    problems = schema.check(load("broken_schema.json"))
    assert len(problems) >= 9
    assert all(p.startswith("/") for p, _ in problems)
    with pytest.raises(civitas.InvalidDataError):
        schema.validate_bytes("a\n1\n", {"fields": [{"name": "a", "type": "nope"}]})
    with pytest.raises(civitas.ParseError):
        schema.normalize("{")
    with pytest.raises(civitas.Error):
        schema.validate("/nonexistent.csv", {"fields": []})


def test_validation_runs_in_threads():
    s = load("people.v1.json")
    path = os.path.join(DATA, "people_broken.csv")
    results = []
    threads = [threading.Thread(target=lambda: results.append(len(schema.validate(path, s)["tasks"][0]["errors"])))
               for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [33] * 4


def test_catalog_check_export_import_round_trip():
    e = load("entry.json")
    assert catalog.check(e) == []
    assert catalog.resource_code(e) == "102003004/000017"
    n = catalog.normalize(e)
    assert n["sharing"]["type"] == "conditional"
    for f in catalog.FORMATS:
        assert catalog.import_(catalog.export(e, f)) == n
        assert catalog.import_(catalog.export(e, f), f) == n


def test_catalog_broken_entry():
    problems = dict(catalog.check(load("entry_broken.json")))
    assert "/provider/uscc" in problems
    assert "/sharing/legalBasis" in problems
    with pytest.raises(civitas.InvalidDataError):
        catalog.export(load("entry_broken.json"), "dcat")
    with pytest.raises(civitas.InvalidArgumentError):
        catalog.export(load("entry.json"), "rdf")


PKG = os.path.join(DATA, "package")


def test_foreign_key_to_another_table_with_resources():
    dp = load("package/datapackage.json")
    staff = dp["resources"][1]["schema"]
    want = [("foreign-key", 3, None), ("foreign-key", 5, None), ("type-error", 6, "org"), ("foreign-key", 7, None)]
    r = schema.validate(os.path.join(PKG, "staff.csv"), staff, resources=[{"name": "orgs", "path": os.path.join(PKG, "orgs.csv")}])
    assert schema.errors(r) == want
    r = schema.validate(os.path.join(PKG, "staff.csv"), staff)
    assert ("foreign-key", 3, None) not in schema.errors(r) and r["tasks"][0]["warnings"]
    with pytest.raises(civitas.InvalidArgumentError, match="orgs"):
        schema.validate(os.path.join(PKG, "staff.csv"), staff, resources=[{"name": "x", "path": "x.csv"}])


def test_validate_package_gives_one_task_per_table():
    r = schema.validate_package(os.path.join(PKG, "datapackage.json"))
    assert [t["name"] for t in r["tasks"]] == ["orgs", "staff"]
    assert r["valid"] is False and r["tasks"][0]["valid"] is True
    with pytest.raises(civitas.CivitasIOError):
        schema.validate_package(os.path.join(PKG, "none.json"))
