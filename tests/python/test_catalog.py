"""civitas.catalog.Catalog: catalog entries stored, versioned, in a workspace."""

import json
import os
import threading

import pytest

import civitas
from civitas import catalog
from civitas.catalog import Catalog, CatalogVersion
from civitas.workspace import Workspace

DATA = os.path.join(os.path.dirname(__file__), "..", "data", "schema")
CODE = "102003004/000017"


def entry():
    with open(os.path.join(DATA, "entry.json"), encoding="utf-8") as f:
        return json.load(f)


@pytest.fixture
def ws(tmp_path):
    return Workspace.create(str(tmp_path / "w.db"), key=os.urandom(32))


def test_add_stores_versions_and_skips_an_unchanged_entry(ws):
    cat = Catalog(ws)
    v1 = cat.add(entry())
    assert isinstance(v1, CatalogVersion)
    assert (v1.resource_code, v1.version) == (CODE, 1)
    assert v1.entry == catalog.normalize(entry())
    assert v1.entry["sharing"]["type"] == "conditional"  # 有条件共享, normalised
    assert v1.created_ms > 1_600_000_000_000
    assert cat.add(entry()).version == 1  # same entry: no new version
    e = entry()
    e["title"] = "企业登记信息（第二版）"
    v2 = cat.add(e)
    assert v2.version == 2 and v2.title == "企业登记信息（第二版）"
    assert [v.version for v in cat.history(CODE)] == [1, 2]


def test_get_latest_a_given_version_and_missing(ws):
    cat = Catalog(ws)
    cat.add(entry())
    e = entry()
    e["abstract"] = "新的摘要"
    cat.add(e)
    assert cat.get(CODE)["abstract"] == "新的摘要"
    assert cat.get(CODE, version=1)["abstract"] == entry()["abstract"]
    assert cat.version(CODE, 2).version == 2
    assert CODE in cat and "999999999/000001" not in cat
    with pytest.raises(civitas.NotFoundError, match="version 3"):
        cat.get(CODE, version=3)
    with pytest.raises(KeyError):
        cat.get("999999999/000001")
    with pytest.raises(civitas.NotFoundError):
        cat.history("999999999/000001")
    with pytest.raises(ValueError):
        cat.get(CODE, version=0)


def test_list_gives_the_latest_of_every_entry_by_code(ws):
    cat = Catalog(ws)
    assert cat.list() == []
    a = entry()
    b = entry()
    b["sequence"] = "000001"
    cat.add(a)
    cat.add(b)
    a["title"] = "v2"
    cat.add(a)
    listed = cat.list()
    assert [(v.resource_code, v.version) for v in listed] == [("102003004/000001", 1), (CODE, 2)]
    assert listed[1].title == "v2"


def test_invalid_entry_is_refused_with_the_rule(ws):
    cat = Catalog(ws)
    bad = entry()
    del bad["title"]
    with pytest.raises(civitas.InvalidDataError, match="/title"):
        cat.add(bad)
    assert cat.list() == []


def test_entries_survive_reopening_and_a_stored_entry_exports(tmp_path):
    p = str(tmp_path / "w.db")
    key = os.urandom(32)
    Catalog(Workspace.create(p, key=key)).add(entry())
    cat = Catalog(Workspace.open(p, key=key))
    stored = cat.get(CODE)
    for f in catalog.FORMATS:
        assert catalog.import_(catalog.export(stored, f), f) == stored


def test_catalog_keeps_its_workspace_alive(tmp_path):
    cat = Catalog(Workspace.create(str(tmp_path / "w.db"), key=os.urandom(32)))
    import gc

    gc.collect()
    assert cat.add(entry()).version == 1


def test_concurrent_adds_give_distinct_versions(ws):
    cat = Catalog(ws)
    errors = []

    def add(i):
        try:
            e = entry()
            e["title"] = f"t{i}"
            cat.add(e)
        except Exception as x:  # pragma: no cover - reported below
            errors.append(x)

    ts = [threading.Thread(target=add, args=(i,)) for i in range(8)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert errors == []
    assert [v.version for v in cat.history(CODE)] == list(range(1, 9))
