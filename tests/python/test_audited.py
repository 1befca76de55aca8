"""The Python front end of the audited operations (docs/development.md, "Audited operations"):
package create and open (file and streaming forms, a refusal included), a key rotation and a
catalog addition each leave their audit entry, written by the Workspace method the binding
calls; the binding adds none of its own. A refused open consumes no sequence number."""

import json
import os
import pathlib

import pytest

import civitas
from civitas import package
from civitas.audit import AuditLog
from civitas.catalog import Catalog
from civitas.workspace import Workspace

DEPT_A = "91350100M000100Y43"
DATA = pathlib.Path(__file__).resolve().parent.parent / "data"


def uscc(body):
    return body + civitas.ids.check_char("uscc", body)


DEPT_B = uscc("91110000100000007")


@pytest.fixture
def depts(tmp_path):
    a = Workspace.create(str(tmp_path / "a.db"), key=os.urandom(32), department=DEPT_A)
    b = Workspace.create(str(tmp_path / "b.db"), key=os.urandom(32), department=DEPT_B)
    b.import_public(a.export_public())
    a.import_public(b.export_public())
    return a, b


def actions(ws, action):
    return [(e.resource, e.outcome) for e in AuditLog(ws).query(action=action)]


def test_rotation_is_recorded(depts):
    a, _ = depts
    new = a.rotate("token")
    assert actions(a, "key.rotate") == [(new, "ok")]


def test_package_create_open_and_refusals_are_recorded(tmp_path, depts):
    a, b = depts
    pkg = tmp_path / "p.civpkg"
    s = package.create(a, pkg, to=[DEPT_B], resources={"t": b"id\n1\n"}, purpose="audit")
    pid = s.package_id
    assert actions(a, "package.create") == [(pid, "ok")]
    assert AuditLog(a).query(action="package.create")[0].purpose == "audit"

    # A create to an unknown consumer is refused and recorded.
    with pytest.raises(civitas.Error):
        package.create(a, tmp_path / "x.civpkg", to=[uscc("91110000100000015")], resources={"t": b"id\n1\n"})
    assert [o for _, o in actions(a, "package.create")] == ["ok", "unknown-key"]

    # A tampered copy: refused, recorded, no sequence number consumed.
    data = bytearray(pkg.read_bytes())
    data[package.inspect(pkg).header_bytes + 5] ^= 1  # inside the first encrypted chunk
    bad = tmp_path / "bad.civpkg"
    bad.write_bytes(bytes(data))
    with pytest.raises(civitas.IntegrityError):
        package.open(b, bad, tmp_path / "out")
    assert actions(b, "package.open") == [(pid, "integrity")]

    package.open(b, pkg, tmp_path / "out")
    assert actions(b, "package.open")[-1] == (pid, "ok")
    details = AuditLog(b).query(action="package.open")[-1].details
    assert details["provider"] == DEPT_A and details["sequence"] == 1


def test_streaming_forms_are_recorded(tmp_path, depts):
    a, b = depts
    pkg = tmp_path / "s.civpkg"
    with package.PackageWriter(a, pkg, to=[DEPT_B]) as w:
        w.begin_resource("t")
        w.write(b"id\n1\n2\n")
        w.end_resource()
        pid = w.finish().package_id
    assert actions(a, "package.create") == [(pid, "ok")]
    data = pkg.read_bytes()
    with package.PackageReader(b, tmp_path / "in") as r:
        r.feed(data)
        r.finish()
    assert actions(b, "package.open") == [(pid, "ok")]
    with pytest.raises(civitas.ReplayError):
        with package.PackageReader(b, tmp_path / "in2") as r:
            r.feed(data)
            r.finish()
    assert actions(b, "package.open") == [(pid, "ok"), (pid, "replay")]
    assert not (tmp_path / "in2" / "data").exists()


def test_catalog_addition_is_recorded(depts):
    a, _ = depts
    entry = json.loads((DATA / "schema" / "entry.json").read_text(encoding="utf-8"))
    v = Catalog(a).add(entry)
    Catalog(a).add(entry)  # unchanged: no new version, no entry
    assert actions(a, "catalog.add") == [(v.resource_code, "ok")]
