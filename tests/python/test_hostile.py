"""Hostile input from Python (issue #12): JSON nested 100,000 levels deep is a ParseError
naming the depth limit, never a crash of the interpreter; streamed limits hold here too."""

import os

import pytest

import civitas
from civitas import catalog, schema
from civitas.audit import AuditLog
from civitas.workspace import Workspace

DEPT = "91350100M000100Y43"
N = 100_000
DEEP_ARRAY = "[" * N + "]" * N  # 200 KB
DEEP_OBJECT = '{"a":' * N + "1" + "}" * N


def _depth_error(excinfo):
    msg = str(excinfo.value)
    assert "nests deeper than 128 levels" in msg, msg
    assert "json.exception" not in msg


@pytest.fixture()
def ws(tmp_path):
    return Workspace.create(str(tmp_path / "w.db"), key=os.urandom(32), department=DEPT)


def test_deep_public_key_document_is_a_parse_error(ws):
    for doc in (DEEP_ARRAY, DEEP_OBJECT):
        with pytest.raises(civitas.ParseError) as e:
            ws.import_public(doc)
        _depth_error(e)
    assert ws.peers() == []


def test_deep_audit_details_and_catalog_entry(ws):
    log = AuditLog(ws)
    with pytest.raises(civitas.Error) as e:
        log.append("a.b", details=DEEP_ARRAY)
    _depth_error(e)
    assert len(log) == 1
    # Catalog.add takes a dict (json.dumps refuses such depth itself); the text goes to the
    # native layer, which is what a caller of the C API or a hand-written JSON text reaches.
    with catalog.Catalog(ws) as cat, pytest.raises(civitas.ParseError) as e:
        cat._store.put(DEEP_OBJECT)
    _depth_error(e)


def test_deep_schema_and_data():
    with pytest.raises(civitas.ParseError) as e:
        schema.normalize(DEEP_OBJECT.encode())
    _depth_error(e)
    problems = schema.check(DEEP_ARRAY.encode())  # bytes: JSON text (a str may be a path)
    assert len(problems) == 1 and "nests deeper than 128 levels" in problems[0][1]
    r = schema.validate_bytes('{"id": 1}\n{"id": ' + DEEP_ARRAY + "}\n", {"fields": [{"name": "id", "type": "any"}]},
                              format="jsonl")
    errs = r["tasks"][0]["errors"]
    assert r["valid"] is False and errs[0]["type"] == "source-error"
    assert "nests deeper than 128 levels" in errs[0]["note"]


def test_nesting_up_to_the_limit_is_accepted(ws):
    ok = "[" * 127 + "]" * 127  # with the line's object: 128 levels
    s = {"fields": [{"name": "id", "type": "array"}]}
    assert schema.validate_bytes('{"id": ' + ok + "}\n", s, format="jsonl")["valid"] is True
    r = schema.validate_bytes('{"id": [' + ok + "]}\n", s, format="jsonl")
    assert r["valid"] is False and "nests deeper than 128 levels" in r["tasks"][0]["errors"][0]["note"]
