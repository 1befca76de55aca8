"""Type checkers see the real signatures of the civitas package (it ships py.typed): mypy
accepts the package itself and a correct program under --strict, and reports each misuse in
a wrong one (a checker that saw only Any would report none)."""

import os
import pathlib
import re
import textwrap

import pytest

mypy_api = pytest.importorskip("mypy.api", reason="mypy is installed by scripts/install-deps")

SOURCE = pathlib.Path(os.environ.get("CIVITAS_SOURCE_DIR") or pathlib.Path(__file__).resolve().parents[2])
PKG_DIR = SOURCE / "bindings" / "python"


def mypy(tmp_path, *args):
    env_path = os.environ.get("MYPYPATH")
    os.environ["MYPYPATH"] = str(PKG_DIR)
    try:
        out, err, status = mypy_api.run(["--no-incremental", "--cache-dir", str(tmp_path / ".mypy_cache"),
                                         "--no-error-summary", "--hide-error-context", *args])
    finally:
        if env_path is None:
            del os.environ["MYPYPATH"]
        else:
            os.environ["MYPYPATH"] = env_path
    return out + err, status


def test_the_package_type_checks(tmp_path):
    out, status = mypy(tmp_path, "-p", "civitas")
    assert status == 0, out


GOOD = '''
import os
import pathlib
from typing import Dict, List, Optional

import civitas
from civitas import audit, package, schema
from civitas.workspace import KeyInfo, Workspace, WorkspaceInfo


def run(d: pathlib.Path) -> int:
    with Workspace.create(d / "w.db", key=os.urandom(32), department="91350100M000100Y43") as ws:
        info: WorkspaceInfo = ws.info()
        keys: List[KeyInfo] = ws.keys()
        token: bytes = ws.tokenize("x", "d")
        value: bytes = ws.detokenize(token, "d")
        ik: Optional[str] = ws.identity_keys("ric", ["11010519491231002X"], "health")[0]
        report: Dict[str, object] = schema.validate(d / "t.csv", d / "s.json")
        with audit.AuditLog(ws) as log:
            n: int = log.append("data.read")
        h: package.Header = package.inspect(d / "p.civpkg")
        closed: bool = ws.closed
    return len(info["department"]) + len(keys) + len(value) + n + len(h.recipients) + int(closed)
'''

BAD = '''
import os
import pathlib

from civitas import package, schema
from civitas.workspace import Workspace

ws = Workspace.open(42, key=os.urandom(32))                      # line 7: not a path
ws.tokenize(17, "d")                                             # line 8: not text
n: int = ws.info()["department"]                                 # line 9: a str
package.create(ws, "p.civpkg", to=["x"], resources={}, level="1")  # line 10: level is an int
schema.validate(pathlib.Path("t.csv"), 3.5)                      # line 11: not a schema
ws.token_encode("x")                                             # line 12: no such method
'''


def test_a_correct_program_passes_strict_and_misuse_is_reported(tmp_path):
    good = tmp_path / "good.py"
    good.write_text(textwrap.dedent(GOOD), encoding="utf-8")
    out, status = mypy(tmp_path, "--strict", "--follow-imports=silent", str(good))  # the program, strictly
    assert status == 0, out

    bad = tmp_path / "bad.py"
    bad.write_text(BAD.lstrip("\n"), encoding="utf-8")
    out, status = mypy(tmp_path, str(bad))
    assert status == 1
    lines = sorted({int(m.group(1)) for m in re.finditer(r"bad\.py:(\d+): error", out)})
    assert lines == [7, 8, 9, 10, 11, 12], out
