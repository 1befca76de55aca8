"""The Python API as its users expect it: closing workspaces (and what hangs on them) with
close() and `with`, str or os.PathLike for every path, schemas as a path, a dict or JSON
text, civitas.package with civitas.exchange as a deprecated alias, and a docstring and an
inspectable, resolvable signature on every public class and function."""

import importlib
import inspect
import json
import os
import pathlib
import sys
import threading
import types
import typing
import warnings

import pytest

import civitas
from civitas import audit, catalog, ids, package, schema
from civitas.workspace import Workspace, header_path

DEPT_A = "91350100M000100Y43"
DATA = pathlib.Path(__file__).resolve().parent.parent / "data" / "schema"
SCHEMA = {"fields": [{"name": "id", "type": "integer"}, {"name": "name", "type": "string"}]}
CSV = b"id,name\n1,a\n2,b\n"


def uscc(body):
    return body + ids.check_char("uscc", body)


DEPT_B = uscc("91110000100000007")


def open_fds(path):
    """File descriptors of this process open on `path` (Linux)."""
    real = os.path.realpath(path)
    out = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            if os.readlink(f"/proc/self/fd/{fd}") == real:
                out.append(fd)
        except OSError:
            pass
    return out


@pytest.fixture
def pair(tmp_path):
    a = Workspace.create(tmp_path / "a.db", key=os.urandom(32), department=DEPT_A)
    b = Workspace.create(tmp_path / "b.db", key=os.urandom(32), department=DEPT_B)
    a.import_public(b.export_public())
    b.import_public(a.export_public())
    yield a, b
    a.close()
    b.close()


# ---- close() and with ---------------------------------------------------------------------


def test_close_then_use_raises_a_civitas_error(tmp_path):
    ws = Workspace.create(tmp_path / "w.db", key=os.urandom(32), department=DEPT_A)
    tok = ws.tokenize("x", "d")
    assert not ws.closed
    ws.close()
    assert ws.closed and "closed" in repr(ws)
    for call in (ws.info, ws.keys, lambda: ws.tokenize("x", "d"), lambda: ws.detokenize(tok, "d"),
                 lambda: ws.encrypt_column(["a"]), lambda: ws.sign(b"m"), ws.export_public, ws.refresh,
                 lambda: ws.rotate("field"), lambda: ws.change_master(key=os.urandom(32))):
        with pytest.raises(civitas.InvalidArgumentError, match="the workspace is closed"):
            call()
    with pytest.raises(ValueError):  # InvalidArgumentError is a ValueError, as for a closed file
        ws.info()
    ws.close()  # idempotent
    with pytest.raises(civitas.InvalidArgumentError, match="closed"):
        audit.AuditLog(ws)
    with pytest.raises(civitas.InvalidArgumentError, match="closed"):
        package.PackageReader(ws, tmp_path / "in")


def test_close_destroys_the_native_workspace_not_the_garbage_collector(tmp_path):
    p = tmp_path / "w.db"
    key = os.urandom(32)
    ws = Workspace.create(p, key=key, department=DEPT_A)
    log = audit.AuditLog(ws)
    cat = catalog.Catalog(ws)
    log.append("data.read")
    assert open_fds(p), "the database is open while the workspace is"
    ws.close()
    # Nothing collected (ws, log and cat are alive), yet the database connection is gone:
    # the C++ Workspace and what the log and catalog held of it were destroyed by close().
    assert open_fds(p) == []
    assert log.closed and cat.closed
    with pytest.raises(civitas.InvalidArgumentError, match="the audit log: its workspace is closed"):
        len(log)
    with pytest.raises(civitas.InvalidArgumentError, match="the catalog: its workspace is closed"):
        cat.list()
    # and the workspace opens again, with what was committed
    with Workspace.open(p, key=key) as again:
        assert any(e.action == "data.read" for e in audit.AuditLog(again).query())


def test_with_block_closes_also_on_an_exception(tmp_path):
    key = os.urandom(32)
    with Workspace.create(tmp_path / "w.db", key=key) as ws:
        assert ws.decrypt_field(ws.encrypt_field("v")) == b"v"
    assert ws.closed
    with pytest.raises(RuntimeError):
        with Workspace.open(tmp_path / "w.db", key=key) as ws2:
            raise RuntimeError("boom")
    assert ws2.closed
    assert open_fds(tmp_path / "w.db") == []


def test_closing_the_workspace_abandons_open_writers_and_readers(tmp_path, pair):
    a, b = pair
    out = tmp_path / "out.civpkg"
    w = package.PackageWriter(a, out, to=[DEPT_B])
    w.begin_resource("t", SCHEMA)
    w.write(CSV)
    done = package.create(a, tmp_path / "p.civpkg", to=[DEPT_B], resources={"t": CSV})
    r = package.PackageReader(b, tmp_path / "in")
    r.feed((tmp_path / "p.civpkg").read_bytes()[:100])
    a.close()
    b.close()
    assert w.closed and r.closed
    with pytest.raises(civitas.InvalidArgumentError, match="closed"):
        w.write(CSV)
    with pytest.raises(civitas.InvalidArgumentError, match="closed"):
        w.finish()
    with pytest.raises(civitas.InvalidArgumentError, match="closed"):
        r.feed(b"x")
    assert r.header is None
    # nothing of the unfinished package or of the unfinished output is left
    assert sorted(os.listdir(tmp_path)) == sorted(["a.db", "a.db.header", "b.db", "b.db.header", "p.civpkg"]), \
        os.listdir(tmp_path)
    assert done.package_bytes > 0
    w.close()
    r.close()  # still fine


def test_audit_log_and_catalog_close_and_with(tmp_path):
    with Workspace.create(tmp_path / "w.db", key=os.urandom(32), department=DEPT_A) as ws:
        with audit.AuditLog(ws) as log:
            i = log.append("data.read")
        assert log.closed
        with pytest.raises(civitas.InvalidArgumentError, match="closed"):
            log.get(i)
        with catalog.Catalog(ws) as cat:
            assert cat.list() == []
        assert cat.closed
        assert audit.AuditLog(ws)[i].action == "data.read"  # the workspace itself stays open
        assert not ws.closed


def test_close_while_other_threads_use_the_workspace(tmp_path, pair):
    ws, b = pair
    log = audit.AuditLog(ws)
    w = package.PackageWriter(ws, tmp_path / "big.civpkg", to=[DEPT_B])
    w.begin_resource("t")
    block = os.urandom(1 << 16)
    values = [f"value-{i}" for i in range(20000)]
    outcomes = []
    busy = []

    def work(fn):
        ev = threading.Event()
        busy.append(ev)

        def run():
            try:
                while True:
                    fn()
                    ev.set()
            except civitas.InvalidArgumentError as e:
                outcomes.append(str(e))
            except Exception as e:  # noqa: BLE001 - recorded: the test fails on anything else
                outcomes.append(repr(e))
            finally:
                ev.set()
        return threading.Thread(target=run)

    threads = [work(lambda: ws.encrypt_column(values, field="f")), work(lambda: log.append("data.read")),
               work(lambda: w.write(block)), work(lambda: ws.identity_keys("ric", ["11010519491231002X"] * 5000, "d"))]
    for t in threads:
        t.start()
    for ev in busy:
        assert ev.wait(60)  # every thread has made calls and is making more
    ws.close()
    for t in threads:
        t.join(60)
    assert len(outcomes) == 4 and all("closed" in o for o in outcomes), outcomes
    assert not (tmp_path / "big.civpkg").exists()
    assert open_fds(tmp_path / "a.db") == []


# ---- paths --------------------------------------------------------------------------------


def test_every_path_argument_takes_str_or_pathlike(tmp_path, pair):
    a, b = pair
    p = tmp_path / "w.db"
    key = os.urandom(32)
    ws = Workspace.create(p, key=key)  # pathlib.Path
    assert ws.path == str(p) and ws.info()["path"].endswith("w.db")
    ws.close()
    Workspace.open(p, key=key).close()  # issue 17: used to raise TypeError
    Workspace.open(str(p), key=key).close()
    assert header_path(p) == str(p) + ".header" == civitas.workspace.header_path(str(p))

    class Custom(os.PathLike):
        def __init__(self, p):
            self.p = p

        def __fspath__(self):
            return str(self.p)

    Workspace.open(Custom(p), key=key).close()
    with pytest.raises(TypeError, match="str or os.PathLike"):
        Workspace.open(42, key=key)

    src = tmp_path / "t.csv"
    src.write_bytes(CSV)
    assert schema.validate(src, SCHEMA)["valid"]
    assert schema.validate(Custom(src), SCHEMA)["valid"]
    pkg = tmp_path / "p.civpkg"
    package.create(a, Custom(pkg), to=[DEPT_B], resources={"t": Custom(src)})
    assert package.inspect(pkg).provider == DEPT_A
    package.verify(b, Custom(pkg))
    package.open(b, pkg, Custom(tmp_path / "in"))
    assert (tmp_path / "in" / "data" / "t.csv").read_bytes() == CSV
    with pytest.raises(TypeError, match="out_dir must be str or os.PathLike"):
        package.open(b, pkg, 3)
    assert schema.validate_package(DATA / "package" / "datapackage.json")["tasks"]


# ---- schemas: a path, a dict or JSON text -------------------------------------------------


def test_schema_as_path_dict_or_json_text(tmp_path):
    sfile = tmp_path / "s.json"
    sfile.write_text(json.dumps(SCHEMA), encoding="utf-8")
    data = tmp_path / "t.csv"
    data.write_bytes(b"id,name\n1,a\nx,b\n")
    forms = [SCHEMA, json.dumps(SCHEMA), json.dumps(SCHEMA).encode(), "\n  " + json.dumps(SCHEMA), sfile, str(sfile)]
    reports = [schema.validate(data, s) for s in forms]
    assert all(schema.errors(r) == [("type-error", 3, "id")] for r in reports)
    assert all(schema.errors(schema.validate_bytes(data.read_bytes(), s)) == [("type-error", 3, "id")] for s in forms)
    assert all(schema.check(s) == [] for s in forms)
    assert all(schema.normalize(s) == schema.normalize(SCHEMA) for s in forms)
    hashes = {package.schema_hash(s) for s in forms}
    assert len(hashes) == 1

    # issue 17: a path string used to give "not valid JSON… last read: '/'"
    with pytest.raises(civitas.CivitasIOError, match="cannot read .*none.json"):
        schema.validate(data, str(tmp_path / "none.json"))
    with pytest.raises(civitas.CivitasIOError, match="is a directory"):
        schema.check(tmp_path)
    bad = tmp_path / "bad.json"
    bad.write_text("{ not json", encoding="utf-8")
    with pytest.raises(civitas.ParseError, match=r"bad.json' is not valid JSON: .*line 1, column 3") as e:
        schema.validate(data, bad)
    assert e.value.source == str(bad) and e.value.row == 1
    with pytest.raises(TypeError, match="a path, a dict or JSON text"):
        schema.check(42)

    # dialects and the schemas of foreign-key resources take the same forms
    dialect = tmp_path / "d.json"
    dialect.write_text('{"delimiter": ";"}', encoding="utf-8")
    semi = tmp_path / "semi.csv"
    semi.write_bytes(b"id;name\n1;a\n")
    assert schema.validate(semi, sfile, dialect=dialect)["valid"]
    pkg = DATA / "package"
    dp = json.loads((pkg / "datapackage.json").read_text(encoding="utf-8"))
    staff = tmp_path / "staff.schema.json"
    staff.write_text(json.dumps(dp["resources"][1]["schema"]), encoding="utf-8")
    r = schema.validate(pkg / "staff.csv", staff,
                        resources=[{"name": "orgs", "path": pkg / "orgs.csv", "schema": pkg / "orgs.schema.json"}])
    assert ("foreign-key", 3, None) in schema.errors(r)


def test_package_schemas_as_path_dict_or_text(tmp_path, pair):
    a, b = pair
    sfile = tmp_path / "s.json"
    sfile.write_text(json.dumps(SCHEMA), encoding="utf-8")
    pkg = tmp_path / "p.civpkg"
    s = package.create(a, pkg, to=[DEPT_B], resources={"t": CSV, "u": CSV, "v": CSV}, schema=sfile,
                       schemas={"u": json.dumps(SCHEMA), "v": SCHEMA})
    hashes = {r["name"]: r.get("civitas:schemaHash") or r.get("schemaHash") for r in s.datapackage["resources"]}
    schemas = [r["schema"] for r in s.datapackage["resources"]]
    assert schemas[0] == schemas[1] == schemas[2], hashes
    opened = package.open(b, pkg, tmp_path / "in", expected_schemas={"t": sfile, "u": str(sfile), "v": SCHEMA})
    assert [r["name"] for r in opened.datapackage["resources"]] == ["t", "u", "v"]


# ---- civitas.package, civitas.exchange ----------------------------------------------------


def test_package_module_and_the_deprecated_exchange_alias():
    assert "package" in civitas.__all__ and "exchange" not in civitas.__all__
    with pytest.warns(DeprecationWarning, match="use civitas.package"):
        import civitas.exchange as ex
        create = ex.create
    assert create is package.create
    with pytest.warns(DeprecationWarning):
        from civitas.exchange import PackageWriter
    assert PackageWriter is package.PackageWriter
    with pytest.warns(DeprecationWarning):
        assert civitas.exchange.FORMAT_VERSION == package.FORMAT_VERSION
    assert importlib.import_module("civitas.exchange") is sys.modules["civitas.exchange"]
    assert set(package.__all__) <= set(dir(civitas.exchange))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        importlib.import_module("civitas.package")  # the new name does not warn


def test_token_functions_are_named_tokenize_and_detokenize():
    names = {n for n in dir(Workspace) if "token" in n}
    assert names == {"tokenize", "detokenize"}


# ---- docstrings and signatures ------------------------------------------------------------


def public_api():
    """(qualified name, object) of every public module, class, function, method and property."""
    mods = [civitas] + [getattr(civitas, m) for m in civitas.__all__ if isinstance(getattr(civitas, m), types.ModuleType)]
    seen = set()
    for mod in mods:
        yield mod.__name__, mod
        for name in mod.__all__:
            obj = getattr(mod, name)
            if isinstance(obj, types.ModuleType) or id(obj) in seen:
                continue
            if not (inspect.isclass(obj) or inspect.isfunction(obj)):
                continue  # constants
            seen.add(id(obj))
            yield f"{mod.__name__}.{name}", obj
            if inspect.isclass(obj):
                for klass in obj.__mro__:
                    if klass.__module__.split(".")[0] != "civitas":
                        continue
                    for attr, member in vars(klass).items():
                        if attr.startswith("_"):
                            continue
                        if isinstance(member, (staticmethod, classmethod)):
                            member = member.__func__
                        if inspect.isfunction(member) or isinstance(member, property):
                            yield f"{mod.__name__}.{name}.{attr}", member


def test_every_public_class_and_function_has_a_docstring():
    missing = [q for q, obj in public_api() if not (inspect.getdoc(obj) or "").strip()]
    assert missing == []
    names = [q for q, _ in public_api()]
    for q in ("civitas.workspace.Workspace.close", "civitas.workspace.Workspace.tokenize", "civitas.package.create",
              "civitas.audit.AuditLog.close", "civitas.schema.validate", "civitas.catalog.Catalog.close"):
        assert q in names


def test_signatures_are_real_and_their_annotations_resolve():
    bad = []
    for q, obj in public_api():
        if not inspect.isfunction(obj):
            continue
        sig = inspect.signature(obj)
        hints = typing.get_type_hints(obj)  # raises if an annotation names something unknown
        for p in sig.parameters.values():
            if p.name in ("self", "cls") or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
                continue
            if p.name not in hints:
                bad.append(f"{q}({p.name})")
        if "return" not in hints and obj.__name__ != "__init__":
            bad.append(f"{q} -> ?")
    assert bad == []
    sig = inspect.signature(Workspace.open)
    assert list(sig.parameters) == ["path", "passphrase", "key", "read_only"]
    assert "Workspace" in str(sig.return_annotation)
    import pydoc
    text = pydoc.render_doc(Workspace, renderer=pydoc.plaintext)
    assert "close(self) -> " in text and "tokenize(self, value: " in text


def test_docs_python_md_names_every_public_class_and_function():
    root = os.environ.get("CIVITAS_SOURCE_DIR") or str(pathlib.Path(__file__).resolve().parents[2])
    text = pathlib.Path(root, "docs", "python.md").read_text(encoding="utf-8")
    import re
    missing = []
    for q, _ in public_api():
        name = q.rsplit(".", 1)[-1]
        if q.startswith("civitas.errors.") or q == "civitas":
            continue  # the Errors section lists the classes by code; checked below
        if not re.search(r"(?<![\w])" + re.escape(name) + r"(?![\w])", text):
            missing.append(q)
    assert missing == []
    for cls in ("InvalidArgumentError", "CivitasIOError", "error_class", "CODE_NAMES"):
        assert cls in text
    for section in ("## Workspaces and crypto: `civitas.workspace`", "## Packages: `civitas.package`",
                    "## Audit log: `civitas.audit`", "## Conventions"):
        assert section in text
