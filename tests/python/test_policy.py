"""civitas.policy: checks with JSON paths, grading (classify results, dicts), and the audited
record/decide calls with their dataclass results."""

import json
import os
from pathlib import Path

import pytest

import civitas
from civitas import classify, policy
from civitas.audit import AuditLog
from civitas.catalog import Catalog
from civitas.workspace import Workspace

SRC = Path(__file__).resolve().parents[2]
EX = SRC / "examples" / "data"
CODE = "102003004/000017"
TAX = "11350100MB00000012"


@pytest.fixture
def ws(tmp_path):
    w = Workspace.create(str(tmp_path / "w.db"), key=os.urandom(32), department="91350100M000100Y43")
    Catalog(w).add(json.loads((EX / "enterprises.catalog.json").read_text(encoding="utf-8")))
    yield w
    w.close()


def outcomes(ws, action):
    return [e.outcome for e in AuditLog(ws).query(action=action)]


def test_the_bundled_policy_is_valid():
    d = policy.default_policy()
    r = policy.check(d)
    assert r.valid and r.problems == []
    assert r.id == "civitas-default-city-2026" and r.digest.startswith("sha256:")
    assert [lv["id"] for lv in d["levels"]][:2] == ["core", "important"]


def test_check_reports_every_problem_with_its_path(tmp_path):
    d = policy.default_policy()
    d["risk"]["threshold"] = 3
    del d["types"]["email"]
    d["rules"][0]["sharing"] = {"type": "none"}
    r = policy.check(d)
    assert not r.valid
    assert {p.path for p in r.problems} == {"/risk/threshold", "/types/email", "/rules/0/sharing/legalBasis"}
    assert r.id is None
    f = tmp_path / "p.json"
    f.write_text("{", encoding="utf-8")
    r = policy.check(f)
    assert not r.valid and r.problems[0].path == "" and "byte" in r.problems[0].message
    with pytest.raises(civitas.Error):
        policy.check(tmp_path / "missing.json")


def test_grade_a_classify_result_and_a_dict():
    t = classify.scan_file(str(EX / "enterprises.csv"))
    g = policy.grade(t)
    by = {c.name: c for c in g.columns}
    assert by["uscc"].category == "legal-person" and by["uscc"].level == "general-1"
    assert by["legal_rep_ric"].level == "general-4"
    assert g.level == "general-4"
    assert list(g.to_json()) == ["columns", "level"]
    two = {"columns": [{"name": "who", "type": "person_name", "ratio": 1, "confidence": 1, "category": None,
                        "level": None, "source": "detected"},
                       {"name": "at", "type": "gps_coordinates", "ratio": 1, "confidence": 1, "category": None,
                        "level": None, "source": "detected"}], "level": None}
    assert policy.grade(two).level == "general-4"  # a person's name + coordinates (就高从严)
    with pytest.raises(civitas.InvalidDataError):
        policy.grade({"columns": 3})
    with pytest.raises(civitas.InvalidDataError):
        policy.grade(two, policy={"civitas:policy": 1})


def test_decide_record_and_audit(ws):
    d = policy.decide(ws, CODE, TAX, "登记核验")
    assert isinstance(d, policy.Decision)
    assert (d.decision, d.type, d.level_source, d.allowed) == ("deny", "none", "none", False)
    c = policy.record(ws, CODE, classify.scan_file(str(EX / "enterprises.csv")))
    assert (c.resource_code, c.seq, c.level) == (CODE, 1, "general-4")
    assert c.policy == "civitas-default-city-2026"
    d = policy.decide(ws, CODE, TAX, "登记核验")
    assert (d.decision, d.type, d.catalog_type, d.level) == ("allow_with_obligations", "conditional", "conditional",
                                                           "general-4")
    assert "仅限税务部门办理登记核验使用" in d.conditions
    ric = next(f for f in d.fields if f.name == "legal_rep_ric")
    assert (ric.role, ric.action, ric.rule) == ("identifier", "encrypt", "/rules/2/sharing/fields/identifier")
    o = policy.decide(ws, CODE, TAX, "开放", open=True)
    assert (o.decision, o.risk_threshold, o.fields) == ("deny", 0.05, [])
    assert outcomes(ws, "policy.decide") == ["denied", "ok", "denied"]
    assert outcomes(ws, "classify.record") == ["ok"]


def test_decide_with_a_schema_and_refusals(ws):
    d = policy.decide(ws, CODE, TAX, "x", schema=EX / "enterprises.schema.json")
    assert d.level_source == "schema" and d.level == "general-4"
    with pytest.raises(civitas.InvalidArgumentError):
        policy.decide(ws, CODE, "91350100M000100Y44", "x")  # bad check character
    with pytest.raises(civitas.NotFoundError):
        policy.decide(ws, "999999999/000001", TAX, "x")
    with pytest.raises(civitas.NotFoundError):
        policy.record(ws, "999999999/000001", {"columns": [], "level": None})
    assert outcomes(ws, "policy.decide") == ["ok", "invalid-argument", "not-found"]
    ws.close()
    with pytest.raises(civitas.Error):
        policy.decide(ws, CODE, TAX, "x")
