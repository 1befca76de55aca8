"""DCAT-AP 3.0.1 conformance: every DCAT export of civitas conforms to the official SHACL shapes.

The shapes (tests/data/dcat-ap/dcat-ap-SHACL.ttl, SEMICeu/DCAT-AP 3.0.1) and the DCAT 3 class
axioms they need (dcat3-axioms.ttl) are committed; pyshacl validates each export with the axioms
as background knowledge (its ontology graph, mixed into the data graph). Entries: the examples'
and the test data's, with and without their Table Schema, and variants that reach every update
cycle, open type and format of the mappings (docs/catalog.md).
"""
import copy
import json
import os

import pytest

from civitas import catalog

pyshacl = pytest.importorskip("pyshacl", reason="pyshacl is installed by scripts/install-deps")
rdflib = pytest.importorskip("rdflib")

SOURCE = os.environ.get("CIVITAS_SOURCE_DIR") or os.path.join(os.path.dirname(__file__), "..", "..")
SHAPES_DIR = os.path.join(SOURCE, "tests", "data", "dcat-ap")
EXAMPLES = os.path.join(SOURCE, "examples", "data")
TEST_DATA = os.path.join(SOURCE, "tests", "data", "schema")


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


@pytest.fixture(scope="module")
def shapes():
    return rdflib.Graph().parse(os.path.join(SHAPES_DIR, "dcat-ap-SHACL.ttl"), format="turtle")


@pytest.fixture(scope="module")
def axioms():
    return rdflib.Graph().parse(os.path.join(SHAPES_DIR, "dcat3-axioms.ttl"), format="turtle")


def conforms(doc, shapes, axioms):
    data = rdflib.Graph().parse(data=json.dumps(doc, ensure_ascii=False), format="json-ld")
    assert len(data) > 20, "the export did not parse as JSON-LD"
    ok, _, text = pyshacl.validate(data, shacl_graph=shapes, ont_graph=axioms, inference="none",
                                   advanced=False, allow_warnings=False)
    return ok, text


def entries():
    """(name, entry, schema or None) for every catalog entry the tree ships."""
    out = []
    for name in sorted(os.listdir(EXAMPLES)):
        if name.endswith(".catalog.json"):
            stem = name[: -len(".catalog.json")]
            schema_path = os.path.join(EXAMPLES, stem + ".schema.json")
            e = load(os.path.join(EXAMPLES, name))
            out.append((name, e, None))
            if os.path.exists(schema_path):
                out.append((name + "+schema", e, load(schema_path)))
    out.append(("tests/entry.json", load(os.path.join(TEST_DATA, "entry.json")), None))
    # Variants: every update cycle, open type, licence and the formats of the configuration.
    base = load(os.path.join(TEST_DATA, "entry.json"))
    cycles = ["realtime", "weekly", "monthly", "quarterly", "half-yearly", "yearly", "irregular", "other"]
    opens = [{"type": "unconditional", "licence": "CC-BY-4.0"}, {"type": "conditional", "condition": "注册后下载"},
             {"type": "none", "licence": ""}]
    formats = [["json", "jsonl", "xml"], ["xls", "xlsx", "pdf"], ["doc", "docx", "txt"], ["zip", "database", "other"]]
    for i, cycle in enumerate(cycles):
        v = copy.deepcopy(base)
        v["updateCycle"] = cycle
        v["open"] = opens[i % len(opens)]
        v["formats"] = formats[i % len(formats)]
        v["related"] = ["101001001/000001"]
        out.append(("variant-" + cycle, v, None))
    return out


ENTRIES = entries()


def test_there_are_several_entries():
    assert len(ENTRIES) >= 10
    assert any(s is not None for _, _, s in ENTRIES)


@pytest.mark.parametrize("name,entry,schema", ENTRIES, ids=[n for n, _, _ in ENTRIES])
def test_dcat_export_conforms_to_dcat_ap_3_0_1(name, entry, schema, shapes, axioms):
    doc = catalog.export(entry, "dcat", schema=schema)
    ok, text = conforms(doc, shapes, axioms)
    assert ok, text
    # and the export is still lossless
    assert catalog.import_(doc, "dcat") == catalog.normalize(entry)


def test_the_shapes_catch_an_untyped_vocabulary_value(shapes, axioms):
    """The check can fail: the export as it was before the fix (vocabulary values without
    their class) breaks the frequency, access-rights and format shapes."""
    doc = catalog.export(load(os.path.join(EXAMPLES, "enterprises.catalog.json")), "dcat")
    for node in doc["@graph"]:
        for prop in ("dct:accrualPeriodicity", "dct:accessRights", "dct:format"):
            if prop in node:
                node[prop].pop("@type")
    ok, text = conforms(doc, shapes, axioms)
    assert not ok
    messages = [line for line in text.splitlines() if "Value does not have class" in line]
    for cls in ("Frequency", "RightsStatement", "MediaTypeOrExtent"):
        assert any(line.endswith(":" + cls) for line in messages), (cls, messages)


def test_the_axioms_are_needed(shapes):
    """Without DCAT 3's class hierarchy the record's primary topic (a dcat:Dataset) is not a
    dcat:Resource: the axioms file is what makes it conform, not a loosened check."""
    doc = catalog.export(load(os.path.join(EXAMPLES, "enterprises.catalog.json")), "dcat")
    data = rdflib.Graph().parse(data=json.dumps(doc, ensure_ascii=False), format="json-ld")
    ok, _, text = pyshacl.validate(data, shacl_graph=shapes, inference="none")
    assert not ok
    assert "dcat:Resource" in text


def test_schema_export_describes_the_table(shapes, axioms):
    e = load(os.path.join(EXAMPLES, "enterprises.catalog.json"))
    s = load(os.path.join(EXAMPLES, "enterprises.schema.json"))
    doc = catalog.export(e, "dcat", schema=s)
    std = [n for n in doc["@graph"] if n.get("@type") == "dct:Standard"]
    assert len(std) == 1
    table = std[0]["civitas:tableSchema"]["@value"]
    assert [f["name"] for f in table["fields"]] == [f["name"] for f in s["fields"]]
    dists = [n for n in doc["@graph"] if n.get("@type") == "dcat:Distribution"]
    assert dists and all(d["dct:conformsTo"] == {"@id": std[0]["@id"]} for d in dists)


# ---- issue 15: the publication's DCAT-AP (civitas publish run) ----
def test_publication_dcat_conforms_to_dcat_ap_3_0_1(shapes, axioms, tmp_path):
    """The dcat.jsonld of a publication (the employment table, de-identified) conforms too, and
    describes the table as published: its distribution's schema lists the published columns."""
    import civitas
    from civitas.catalog import Catalog
    from civitas.workspace import Workspace

    ws = Workspace.create(str(tmp_path / "hr.db"), key=os.urandom(32), department="11350100003001527P")
    try:
        Catalog(ws).add(load(os.path.join(EXAMPLES, "employment.catalog.json")))
        civitas.publish(ws, os.path.join(EXAMPLES, "employment.csv"), tmp_path / "pub", catalog="105002001/000031",
                        schema=os.path.join(EXAMPLES, "employment.schema.json"),
                        policy=os.path.join(EXAMPLES, "employment.policy.json"))
    finally:
        ws.close()
    doc = load(tmp_path / "pub" / "dcat.jsonld")
    ok, text = conforms(doc, shapes, axioms)
    assert ok, text
    assert "ric" not in [i["field"] for i in catalog.import_(doc, "dcat")["items"]]
    with open(tmp_path / "pub" / "data.csv", encoding="utf-8") as f:
        header = f.readline().strip().split(",")
    assert [i["field"] for i in catalog.import_(doc, "dcat")["items"]] == header
