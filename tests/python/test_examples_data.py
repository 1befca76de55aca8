"""The bundled synthetic department table (examples/data/employment.*): the committed CSV is
what its generator writes, it is valid against its schema, and the catalog entry's items name
the schema's fields."""
import json
import os
import subprocess
import sys

from civitas import catalog, ids, schema

SOURCE = os.environ.get("CIVITAS_SOURCE_DIR") or os.path.join(os.path.dirname(__file__), "..", "..")
DATA = os.path.join(SOURCE, "examples", "data")


def load(name):
    with open(os.path.join(DATA, name), encoding="utf-8") as f:
        return json.load(f)


def test_the_committed_table_is_what_the_generator_writes(tmp_path):
    out = tmp_path / "employment.csv"
    subprocess.run([sys.executable, os.path.join(DATA, "gen_employment.py"), "-o", str(out)], check=True)
    with open(os.path.join(DATA, "employment.csv"), "rb") as f:
        assert out.read_bytes() == f.read()


def test_the_table_is_valid_against_its_schema_and_has_people_in_it():
    report = schema.validate(os.path.join(DATA, "employment.csv"), os.path.join(DATA, "employment.schema.json"))
    assert report["valid"], schema.errors(report)
    with open(os.path.join(DATA, "employment.csv"), encoding="utf-8") as f:
        header, *rows = [line.rstrip("\n").split(",") for line in f]
    assert len(rows) == 240
    col = {n: i for i, n in enumerate(header)}
    names = [r[col["name"]] for r in rows]
    assert any(n[:2] in ("欧阳", "司马", "诸葛", "上官", "东方", "慕容", "皇甫", "令狐", "司徒", "端木") for n in names)
    for r in rows:
        ric = r[col["ric"]]
        assert ids.validate("ric", ric, strict=True).valid
        assert ric[6:14] == r[col["birth_date"]].replace("-", "")              # birth date as in the ID
        assert (int(ric[16]) % 2 == 1) == (r[col["gender"]] == "男")          # order code: odd for men
        assert ids.validate("uscc", r[col["employer_uscc"]], strict=True).valid
        assert r[col["phone"]][0] == "1" and len(r[col["phone"]]) == 11


def test_the_catalog_entry_names_the_schema_fields():
    entry, s = load("employment.catalog.json"), load("employment.schema.json")
    assert catalog.check(entry, schema=s) == []
    assert [i["field"] for i in entry["items"]] == [f["name"] for f in s["fields"]]
    broken = dict(entry, items=entry["items"][:-1])
    assert catalog.check(broken, schema=s) == [("/items", 'schema field "registered" is described by no item')]


def test_the_data_package_export_with_the_schema_describes_the_real_file(tmp_path):
    """The Data Package exported with the table's schema is one frictionless-py (the reference
    implementation) accepts and validates the real CSV with: the columns it describes are the
    file's. The export without the schema describes the items instead, and does not fit."""
    import shutil

    import pytest
    frictionless = pytest.importorskip("frictionless")
    entry, s = load("employment.catalog.json"), load("employment.schema.json")
    for with_schema, expect in ((True, True), (False, False)):
        d = tmp_path / str(with_schema)
        d.mkdir()
        dp = catalog.export(entry, "datapackage", schema=s if with_schema else None)
        shutil.copy(os.path.join(DATA, "employment.csv"), d / dp["resources"][0]["path"])
        (d / "datapackage.json").write_text(json.dumps(dp, ensure_ascii=False), encoding="utf-8")
        cwd = os.getcwd()
        os.chdir(d)  # frictionless reads paths relative to the descriptor only when trusted
        try:
            report = frictionless.validate("datapackage.json")
        finally:
            os.chdir(cwd)
        assert report.valid == expect, report.flatten(["type", "message"])[:5]
