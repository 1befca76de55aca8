"""civitas.package from Python: two departments (two workspaces) exchange public keys, then
a package goes create -> inspect -> verify -> open, and every refusal raises its own class
and leaves nothing behind."""

import io
import json
import os

import pytest
from gil_probe import gil_probe

import civitas
from civitas import package
from civitas.workspace import Workspace

DEPT_A = "91350100M000100Y43"  # provider (tax)
SCHEMA = {
    "fields": [
        {"name": "id", "type": "integer"},
        {"name": "name", "type": "string"},
        {"name": "amount", "type": "integer"},
    ]
}
CSV = b"id,name,amount\n1,\xe5\xbc\xa0\xe4\xb8\x89,10\n2,b,20\n"


def uscc(body):
    return body + civitas.ids.check_char("uscc", body)


DEPT_B = uscc("91110000100000007")  # consumer (market regulation)
DEPT_C = uscc("91110000100000015")  # a third department, not a recipient


def make(tmp_path, name, dept):
    return Workspace.create(str(tmp_path / f"{name}.db"), key=os.urandom(32), department=dept)


@pytest.fixture
def depts(tmp_path):
    a, b, c = make(tmp_path, "a", DEPT_A), make(tmp_path, "b", DEPT_B), make(tmp_path, "c", DEPT_C)
    for x, y in ((a, b), (b, a), (a, c), (c, a)):
        y.import_public(x.export_public())
    return a, b, c


def big_csv(rows=400):
    # Incompressible enough that the payload spans several 1 KiB chunks.
    lines = [b"id,name,amount"] + [b"%d,%s,%d" % (i, os.urandom(12).hex().encode(), i * 7) for i in range(rows)]
    return b"\n".join(lines) + b"\n"


@pytest.fixture
def pkg_file(tmp_path, depts):
    a, _, _ = depts
    p = tmp_path / "p.civpkg"
    package.create(a, p, to=[DEPT_B], resources={"t": big_csv()}, schema=SCHEMA, chunk_size=1024, purpose="test")
    return p


def entries(d):
    return sorted(os.listdir(d))


def assert_refused(cls, ws, pkg, out, **kw):
    """Opening pkg raises exactly cls, out does not appear and no temporary file is left."""
    before = entries(out.parent)
    with pytest.raises(cls) as e:
        package.open(ws, pkg, out, **kw)
    assert type(e.value) is cls, repr(e.value)
    assert not out.exists()
    assert entries(out.parent) == before
    return e.value


def test_create_inspect_verify_open_round_trip(tmp_path, depts):
    a, b, _ = depts
    src = tmp_path / "payers.csv"
    src.write_bytes(CSV)
    pkg = tmp_path / "out.civpkg"
    made = package.create(
        a,
        pkg,
        to=[DEPT_B],
        resources={"payers": src, "extra": b"k,v\n1,x\n", "streamed": io.BytesIO(big_csv(50))},
        schemas={"payers": SCHEMA},
        catalog="110000-000001",
        purpose="licensing check",
        approval="APP-2026-7",
        request_hash="sha256:" + "ab" * 32,
    )
    assert pkg.exists() and os.path.getsize(pkg) == made.package_bytes
    assert made.header.provider == DEPT_A
    assert [r["department"] for r in made.header.recipients] == [DEPT_B]

    h = package.inspect(pkg)
    assert h.package_id == made.package_id and h.provider == DEPT_A and h.version == package.FORMAT_VERSION
    assert h.recipients[0]["department"] == DEPT_B and h.recipients[0]["sequence"] == 1
    assert h.compression == "zstd" and h.cipher.startswith("xchacha20poly1305")

    v = package.verify(b, pkg)
    assert v.package_id == made.package_id and v.envelope == {}

    out = tmp_path / "in"
    s = package.open(b, pkg, out)
    assert (out / "data" / "payers.csv").read_bytes() == CSV
    assert (out / "data" / "extra.csv").read_bytes() == b"k,v\n1,x\n"
    dp = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
    names = [r["name"] for r in dp["resources"]]
    assert names == ["payers", "extra", "streamed"] and names == [r["name"] for r in s.datapackage["resources"]]
    payers = s.datapackage["resources"][0]
    assert payers["bytes"] == len(CSV)
    assert s.envelope["purpose"] == "licensing check" and s.envelope["catalog"] == "110000-000001"
    assert s.envelope["approval"] == "APP-2026-7" and s.envelope["request_hash"] == "sha256:" + "ab" * 32
    assert s.envelope["provider"] == DEPT_A
    assert package.schema_hash(SCHEMA).startswith("sha256:")

    # The next package to the same consumer carries the next sequence number.
    again = package.create(a, tmp_path / "2.civpkg", to=DEPT_B, resources={"x": b"a\n1\n"})
    assert again.header.recipients[0]["sequence"] == 2


def test_streaming_writer_and_reader(tmp_path, depts):
    a, b, _ = depts
    data = big_csv(300)
    pkg = tmp_path / "s.civpkg"
    with package.PackageWriter(a, pkg, to=[DEPT_B], chunk_size=1024, threads=0) as w:
        w.begin_resource("t", SCHEMA)
        for i in range(0, len(data), 777):
            w.write(memoryview(data)[i : i + 777])
        w.end_resource()
        made = w.finish()
    assert w.closed and pkg.exists()
    out = tmp_path / "in"
    r = package.PackageReader(b, out)
    raw = pkg.read_bytes()
    assert r.header is None
    for i in range(0, len(raw), 1000):
        r.feed(raw[i : i + 1000])
    assert r.header is not None and r.header.package_id == made.package_id
    s = r.finish()
    assert s.content_bytes > 0 and (out / "data" / "t.csv").read_bytes() == data


def test_writer_closed_unfinished_leaves_nothing(tmp_path, depts):
    a, _, _ = depts
    before = entries(tmp_path)
    with pytest.raises(RuntimeError):
        with package.PackageWriter(a, tmp_path / "x.civpkg", to=[DEPT_B]) as w:
            w.begin_resource("t")
            w.write(b"a\n1\n")
            assert len(entries(tmp_path)) == len(before) + 1  # the temporary file
            raise RuntimeError("abandon")
    assert entries(tmp_path) == before
    with pytest.raises(civitas.InvalidArgumentError):
        w.write(b"more")


def test_modified_ciphertext_byte_is_integrity_error(tmp_path, depts, pkg_file):
    _, b, _ = depts
    raw = bytearray(pkg_file.read_bytes())
    raw[package.inspect(pkg_file).header_bytes + 500] ^= 1
    pkg_file.write_bytes(bytes(raw))
    e = assert_refused(civitas.IntegrityError, b, pkg_file, tmp_path / "out")
    assert "modified" in str(e)
    with pytest.raises(civitas.IntegrityError):
        package.verify(b, pkg_file)


def test_reordered_chunks_are_integrity_error(tmp_path, depts, pkg_file):
    _, b, _ = depts
    raw = pkg_file.read_bytes()
    ps, full = package.inspect(pkg_file).header_bytes, 1024 + 17
    assert len(raw) > ps + 3 * full
    swapped = raw[:ps] + raw[ps + full : ps + 2 * full] + raw[ps : ps + full] + raw[ps + 2 * full :]
    pkg_file.write_bytes(swapped)
    assert_refused(civitas.IntegrityError, b, pkg_file, tmp_path / "out")


def test_modified_header_is_bad_signature(tmp_path, depts, pkg_file):
    _, b, _ = depts
    raw = pkg_file.read_bytes()
    at = raw.index(b'"created":') + 11
    raw = raw[:at] + (b"2" if raw[at : at + 1] == b"1" else b"1") + raw[at + 1 :]
    pkg_file.write_bytes(raw)
    assert_refused(civitas.BadSignatureError, b, pkg_file, tmp_path / "out")


def test_wrong_recipient_is_not_recipient(tmp_path, depts, pkg_file):
    _, _, c = depts  # knows the provider's keys, but the package is not for it
    assert_refused(civitas.NotRecipientError, c, pkg_file, tmp_path / "out")


def test_unknown_provider_is_unknown_key(tmp_path, depts, pkg_file):
    stranger = make(tmp_path, "d", uscc("91110000100000023"))
    assert_refused(civitas.UnknownKeyError, stranger, pkg_file, tmp_path / "out")
    with pytest.raises(civitas.UnknownKeyError):
        package.verify(stranger, pkg_file)


def test_opening_twice_is_replay(tmp_path, depts, pkg_file):
    _, b, _ = depts
    package.open(b, pkg_file, tmp_path / "first")
    e = assert_refused(civitas.ReplayError, b, pkg_file, tmp_path / "second")
    assert "replay" in str(e)
    # The streaming reader remembers it too.
    with pytest.raises(civitas.ReplayError):
        with package.PackageReader(b, tmp_path / "third") as r:
            r.feed_from(io.BytesIO(pkg_file.read_bytes()))
            r.finish()
    assert not (tmp_path / "third").exists()


def test_output_is_owner_only_unless_umask_modes(tmp_path, depts):
    a, b, _ = depts
    p1, p2 = tmp_path / "m1.civpkg", tmp_path / "m2.civpkg"
    for p in (p1, p2):
        package.create(a, p, to=[DEPT_B], resources={"t": big_csv(10)}, schema=SCHEMA)
    old = os.umask(0o022)
    try:
        package.open(b, p1, tmp_path / "o1")
        with package.PackageReader(b, tmp_path / "o2", umask_modes=True) as r:
            r.feed_from(io.BytesIO(p2.read_bytes()))
            r.finish()
    finally:
        os.umask(old)
    mode = lambda f: os.stat(f).st_mode & 0o777  # noqa: E731
    assert mode(tmp_path / "o1") == 0o700 and mode(tmp_path / "o1" / "data") == 0o700
    assert {mode(f) for f in (tmp_path / "o1").rglob("*") if f.is_file()} == {0o600}
    assert mode(tmp_path / "o2") == 0o755
    assert {mode(f) for f in (tmp_path / "o2").rglob("*") if f.is_file()} == {0o644}


def test_truncated_package_is_truncated(tmp_path, depts, pkg_file):
    _, b, _ = depts
    raw = pkg_file.read_bytes()
    pkg_file.write_bytes(raw[: len(raw) - 50])
    assert_refused(civitas.TruncatedError, b, pkg_file, tmp_path / "out")
    r = package.PackageReader(b, tmp_path / "s")
    r.feed(raw[: len(raw) - 50])
    with pytest.raises(civitas.TruncatedError):
        r.finish()
    assert r.closed and not (tmp_path / "s").exists()


def test_schema_mismatch_and_invalid_records(tmp_path, depts):
    a, b, _ = depts
    pkg = tmp_path / "p.civpkg"
    # create checks the records: refused with the whole report, nothing left behind
    with pytest.raises(civitas.InvalidDataError) as refused:
        package.create(a, pkg, to=[DEPT_B], resources={"t": b"id,name,amount\n1,a,x\n2,b,y\n"}, schema=SCHEMA)
    assert refused.value.report["valid"] is False
    assert [e["rowNumber"] for e in refused.value.report["tasks"][0]["errors"]] == [2, 3]
    assert not pkg.exists() and not [f for f in tmp_path.iterdir() if ".tmp-" in f.name]
    package.create(a, pkg, to=[DEPT_B], resources={"t": b"id,name,amount\n1,a,x\n"}, schema=SCHEMA, validate=False)
    other = {"fields": [{"name": "id", "type": "string"}]}
    assert_refused(civitas.SchemaMismatchError, b, pkg, tmp_path / "o1", expected_schemas={"t": other})
    assert_refused(civitas.InvalidDataError, b, pkg, tmp_path / "o2")
    with pytest.raises(civitas.InvalidDataError) as opened:
        package.open(b, pkg, tmp_path / "o2")
    assert opened.value.report["tasks"][0]["place"] == "data/t.csv"
    assert len(opened.value.report["tasks"][0]["errors"]) == 1
    # The refusals above did not consume the sequence number; skipping validation opens it.
    s = package.open(b, pkg, tmp_path / "o3", validate=False, expected_schemas={"t": SCHEMA}, sync=False)
    assert (tmp_path / "o3" / "data" / "t.csv").read_bytes() == b"id,name,amount\n1,a,x\n"
    assert s.header.provider == DEPT_A


def test_gbk_table_is_transcoded(tmp_path, depts):
    a, b, _ = depts
    pkg = tmp_path / "g.civpkg"
    text = "id,name,amount\n1,北京,10\n"
    package.create(a, pkg, to=[DEPT_B], resources={"t": text.encode("gbk")}, schema=SCHEMA, encoding="gbk")
    package.open(b, pkg, tmp_path / "g", sync=False)
    assert (tmp_path / "g" / "data" / "t.csv").read_bytes() == text.encode("utf-8")
    with pytest.raises(civitas.InvalidDataError):  # GBK bytes declared UTF-8: not valid UTF-8
        package.create(a, tmp_path / "h.civpkg", to=[DEPT_B], resources={"t": text.encode("gbk")}, schema=SCHEMA)
    assert not (tmp_path / "h.civpkg").exists()


def test_bad_arguments(tmp_path, depts):
    a, b, _ = depts
    with pytest.raises(civitas.UnknownKeyError):  # no keys imported for that department
        package.create(a, tmp_path / "p", to=[uscc("91110000100000023")], resources={"t": b"x\n"})
    with pytest.raises(civitas.InvalidArgumentError):
        package.create(a, tmp_path / "p", to=[DEPT_B], resources={})
    with pytest.raises(civitas.InvalidArgumentError):
        package.create(a, tmp_path / "p", to=[DEPT_B], resources={"t": b"x\n"}, schemas={"u": SCHEMA})
    with pytest.raises(TypeError):
        package.create(a, tmp_path / "p", to=[DEPT_B], resources={"t": 42})
    with pytest.raises(civitas.ParseError):
        (tmp_path / "junk").write_bytes(b"hello world, this is not a package at all")
        package.inspect(tmp_path / "junk")
    with pytest.raises(civitas.NotFoundError):
        package.inspect(tmp_path / "nope")
    assert not (tmp_path / "p").exists()


def test_gil_is_released_during_open(tmp_path, depts):
    a, b, _ = depts
    pkg = tmp_path / "big.civpkg"
    package.create(a, pkg, to=[DEPT_B], resources={"t": big_csv(40000)})
    with gil_probe() as ticks:
        before = ticks()
        package.open(b, pkg, tmp_path / "in", validate=False)
        during = ticks() - before
    assert during > 0


def test_create_and_open_are_audit_logged_on_both_sides(tmp_path, depts, pkg_file):
    audit = pytest.importorskip("civitas.audit")
    if not hasattr(audit, "AuditLog"):
        pytest.skip("civitas.audit.AuditLog is not bound in this build")
    a, b, _ = depts
    pid = package.inspect(pkg_file).package_id
    package.open(b, pkg_file, tmp_path / "in")
    with pytest.raises(civitas.ReplayError):
        package.open(b, pkg_file, tmp_path / "in2")
    created = audit.AuditLog(a).query(action="package.create")
    assert [(e.resource, e.outcome) for e in created] == [(pid, "ok")]
    assert created[0].details["consumers"] == [DEPT_B]
    opened = audit.AuditLog(b).query(action="package.open")
    assert [(e.resource, e.outcome) for e in opened] == [(pid, "ok"), (pid, "replay")]
    assert opened[0].actor_dept == DEPT_B
