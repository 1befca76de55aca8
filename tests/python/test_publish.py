"""civitas.publish / civitas.verify_publication (docs/publish.md): the job on the synthetic
employment table, progress as a callable, refusals as PublishRefusedError with the column and
the rule (nothing left behind, audited), and verification with the workspace, a peer's
directory and a key document; the publication's DCAT is checked in test_dcat_shacl.py."""

import csv
import json
import os
from pathlib import Path

import pytest

import civitas
from civitas.audit import AuditLog
from civitas.catalog import Catalog
from civitas.workspace import Workspace

SRC = Path(__file__).resolve().parents[2]
EX = SRC / "examples" / "data"
CODE = "105002001/000031"
HR = "11350100003001527P"


@pytest.fixture
def ws(tmp_path):
    w = Workspace.create(str(tmp_path / "hr.db"), key=os.urandom(32), department=HR, name="人社局")
    Catalog(w).add(json.loads((EX / "employment.catalog.json").read_text(encoding="utf-8")))
    yield w
    w.close()


def publish(ws, out, **kw):
    args = dict(catalog=CODE, schema=EX / "employment.schema.json", policy=EX / "employment.policy.json")
    args.update(kw)
    return civitas.publish(ws, EX / "employment.csv", out, **args)


def test_publish_and_verify(ws, tmp_path):
    steps = []
    out = tmp_path / "pub"
    s = publish(ws, out, progress=lambda step, done: steps.append((step, done)))
    assert steps[0][0] == "validate" and steps[-1] == ("done", 1.0)
    assert all(0.0 <= d <= 1.0 for _, d in steps)
    assert [f["path"] for f in s["files"]] == ["data.csv", "datapackage.json", "dcat.jsonld",
                                               "deid-report.json", "deid-report.html"]
    assert s["risk"]["after"]["prosecutor"]["max"] <= s["risk"]["threshold"] == 0.05
    assert {"name", "ric", "phone", "address"} <= set(s["removed"])
    with open(out / "data.csv", encoding="utf-8") as f:
        header = next(csv.reader(f))
    assert "ric" not in header and "monthly_wage" in header
    v = civitas.verify_publication(out, workspace=ws)
    assert v["resource"] == CODE and v["signer"] == "workspace" and v["key_id"] == s["key_id"]
    doc = ws.export_public()
    assert civitas.verify_publication(out, public_key=doc)["signer"] == "document"
    entries = list(AuditLog(ws).query(action="publish.run"))
    assert [e.outcome for e in entries] == ["ok"]
    # a changed file is refused
    with open(out / "data.csv", "a", encoding="utf-8") as f:
        f.write("JY209900999,男,*,*,*,*,*,*,1,*\n")
    with pytest.raises(civitas.IntegrityError):
        civitas.verify_publication(out, workspace=ws)


def test_a_peer_verifies(ws, tmp_path):
    publish(ws, tmp_path / "pub")
    other = Workspace.create(str(tmp_path / "o.db"), key=os.urandom(32), department="11350100MB00000012")
    try:
        with pytest.raises(civitas.UnknownKeyError):
            civitas.verify_publication(tmp_path / "pub", workspace=other)
        other.import_public(ws.export_public())
        assert civitas.verify_publication(tmp_path / "pub", workspace=other)["signer"] == "peer"
    finally:
        other.close()


def test_refusals(ws, tmp_path):
    out = tmp_path / "pub"
    with pytest.raises(civitas.PublishRefusedError) as e:
        publish(ws, out, policy=None)
    assert e.value.reason == "policy" and "/rules/2/open" in str(e.value)
    assert isinstance(e.value, civitas.DeniedError)
    spec = {"fields": {"name": {"role": "identifier"}, "ric": {"role": "identifier"}, "address": {"role": "identifier"},
                       "birth_date": {"role": "quasi-identifier", "hierarchy": "date"},
                       "division": {"role": "quasi-identifier", "hierarchy": "gb2260"},
                       "registered": {"role": "quasi-identifier", "hierarchy": "date"}},
            "privacy": {"k": 20}}
    with pytest.raises(civitas.PublishRefusedError) as e:
        publish(ws, out, spec=spec)
    assert (e.value.reason, e.value.column) == ("identifier", "phone")
    spec["fields"]["phone"] = {"role": "identifier"}
    spec["privacy"]["k"] = 2
    with pytest.raises(civitas.PublishRefusedError) as e:
        publish(ws, out, spec=spec)
    assert (e.value.reason, e.value.rule) == ("risk", "/risk/threshold")
    # the progress callable's exception propagates and stops the job
    class Stop(Exception):
        pass

    def stop(step, done):
        if step == "write":
            raise Stop()
    with pytest.raises(Stop):
        publish(ws, out, progress=stop)
    assert not out.exists()
    assert [n for n in sorted(os.listdir(tmp_path)) if not n.startswith("hr.db")] == []
    outcomes = [e.outcome for e in AuditLog(ws).query(action="publish.run")]
    assert outcomes == ["denied", "denied", "denied", "invalid-argument"]
    # the spec as a path, relative hierarchies from its folder
    spec["privacy"]["k"] = 20
    p = tmp_path / "spec.json"
    p.write_text(json.dumps(spec), encoding="utf-8")
    s = publish(ws, tmp_path / "pub2", spec=p)
    assert s["spec"]["privacy"]["k"] == 20
