"""civitas.deid: runs on files, pandas DataFrames and pyarrow tables, with and without a
workspace; errors."""
import json
from pathlib import Path

import pytest

import civitas
from civitas import deid

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "examples" / "data"


def test_run_on_files(tmp_path):
    r = deid.run(DATA / "deid_spec.json", DATA / "deid_people.csv", tmp_path / "open.csv")
    assert r["format"] == "civitas-deid-report/1"
    assert r["levels"] == {"age": 1, "district": 1}
    assert r["audit"] is None
    lines = (tmp_path / "open.csv").read_text().splitlines()
    assert lines[0] == "age,district,diagnosis"
    assert lines[1] == "30-39,110100,flu"


def test_run_on_a_dataframe_and_a_table():
    pd = pytest.importorskip("pandas")
    pa = pytest.importorskip("pyarrow")
    df = pd.read_csv(DATA / "deid_people.csv", dtype=str)
    spec = json.loads((DATA / "deid_spec.json").read_text())
    out, r = deid.run_frame(df, spec, spec_dir=DATA)
    assert list(out.columns) == ["age", "district", "diagnosis"]
    assert list(out["diagnosis"]) == list(df["diagnosis"])  # input order
    assert r["classes"] == 2
    t, r2 = deid.run_frame(pa.Table.from_pandas(df), spec, spec_dir=DATA)
    assert t.column_names == ["age", "district", "diagnosis"]
    assert t.column("district").to_pylist()[0] == "110100"
    assert r2["output"]["sha256"] == r["output"]["sha256"]


def test_errors(tmp_path):
    with pytest.raises(civitas.InvalidArgumentError, match=r"\$\.privacy\.k"):
        deid.run({"fields": {}, "privacy": {"k": 0}}, DATA / "deid_people.csv", tmp_path / "x.csv")
    spec = json.loads((DATA / "deid_spec.json").read_text())
    spec["privacy"] = {"k": 9}
    with pytest.raises(civitas.InvalidDataError):
        deid.run(spec, DATA / "deid_people.csv", tmp_path / "x.csv", spec_dir=DATA)
    assert not (tmp_path / "x.csv").exists()


def test_with_a_workspace(tmp_path):
    from civitas.workspace import Workspace

    key = bytes(range(32))
    with Workspace.create(str(tmp_path / "w.db"), key=key) as ws:
        r = deid.run(DATA / "deid_spec.json", DATA / "deid_people.csv", tmp_path / "o.csv", workspace=ws)
        assert r["audit"]["action"] == "deid.run"
