"""civitas.deid: runs on files, pandas DataFrames and pyarrow tables, each audit-logged in its
workspace (deid.run, refusals included); no workspace is an error."""
import hashlib
import json
from pathlib import Path

import pytest

import civitas
from civitas import deid
from civitas.audit import AuditLog
from civitas.workspace import Workspace

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "examples" / "data"


@pytest.fixture
def ws(tmp_path):
    with Workspace.create(str(tmp_path / "w.db"), key=bytes(range(32))) as w:
        yield w


def runs(ws):
    return AuditLog(ws).query(action="deid.run")


def test_run_on_files(tmp_path, ws):
    r = deid.run(DATA / "deid_spec.json", DATA / "deid_people.csv", tmp_path / "open.csv", workspace=ws)
    assert r["format"] == "civitas-deid-report/1"
    assert r["levels"] == {"age": 1, "district": 1}
    assert r["audit"]["action"] == "deid.run"
    lines = (tmp_path / "open.csv").read_text().splitlines()
    assert lines[0] == "age,district,diagnosis"
    assert lines[1] == "30-39,110100,flu"
    (e,) = runs(ws)
    d = json.loads(e.details_json)
    assert e.outcome == "ok"
    assert d["spec_sha256"] == hashlib.sha256((DATA / "deid_spec.json").read_bytes()).hexdigest()
    assert d["input"]["sha256"] == hashlib.sha256((DATA / "deid_people.csv").read_bytes()).hexdigest()
    assert d["output"]["sha256"] == hashlib.sha256((tmp_path / "open.csv").read_bytes()).hexdigest()
    assert "prosecutor" in json.dumps(d["risk_after"])


def test_run_on_a_dataframe_and_a_table(ws):
    pd = pytest.importorskip("pandas")
    pa = pytest.importorskip("pyarrow")
    df = pd.read_csv(DATA / "deid_people.csv", dtype=str)
    spec = json.loads((DATA / "deid_spec.json").read_text())
    out, r = deid.run_frame(df, spec, spec_dir=DATA, workspace=ws)
    assert list(out.columns) == ["age", "district", "diagnosis"]
    assert list(out["diagnosis"]) == list(df["diagnosis"])  # input order
    assert r["classes"] == 2
    t, r2 = deid.run_frame(pa.Table.from_pandas(df), spec, spec_dir=DATA, workspace=ws)
    assert t.column_names == ["age", "district", "diagnosis"]
    assert t.column("district").to_pylist()[0] == "110100"
    assert r2["output"]["sha256"] == r["output"]["sha256"]
    assert [e.outcome for e in runs(ws)] == ["ok", "ok"]


def test_errors_are_audited_refusals(tmp_path, ws):
    with pytest.raises(civitas.InvalidArgumentError, match=r"\$\.privacy\.k"):
        deid.run({"fields": {}, "privacy": {"k": 0}}, DATA / "deid_people.csv", tmp_path / "x.csv", workspace=ws)
    spec = json.loads((DATA / "deid_spec.json").read_text())
    spec["privacy"] = {"k": 9}
    with pytest.raises(civitas.InvalidDataError):
        deid.run(spec, DATA / "deid_people.csv", tmp_path / "x.csv", spec_dir=DATA, workspace=ws)
    assert not (tmp_path / "x.csv").exists()
    assert [e.outcome for e in runs(ws)] == ["invalid-argument", "invalid-data"]


def test_no_workspace_is_an_error(tmp_path):
    pd = pytest.importorskip("pandas")
    with pytest.raises(civitas.InvalidArgumentError, match="workspace"):
        deid.run(DATA / "deid_spec.json", DATA / "deid_people.csv", tmp_path / "o.csv")
    with pytest.raises(civitas.InvalidArgumentError, match="workspace"):
        deid.run_frame(pd.read_csv(DATA / "deid_people.csv", dtype=str), DATA / "deid_spec.json")
    assert not (tmp_path / "o.csv").exists()
