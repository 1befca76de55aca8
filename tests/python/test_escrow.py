"""Issue 18 from Python: key escrow (escrow_key / recover_key) and provider sequence statements."""

import json
import os

import pytest

import civitas
from civitas import package
from civitas.workspace import Workspace

FAST = dict(kdf_opslimit=1, kdf_memlimit=1 << 16)
DEPT_A = "91350100M000100Y43"


def dept_b():
    body = "91110000100000007"
    return body + civitas.ids.check_char("uscc", body)


def test_escrow_and_recover_onto_a_passphrase(tmp_path):
    p = str(tmp_path / "w.db")
    ws = Workspace.create(p, key=os.urandom(32), department=DEPT_A)
    ct = ws.encrypt_field("kept", resource="r", field="f")
    shares = ws.escrow_key(shares=4, threshold=2)
    assert len(shares) == 4 and all(isinstance(s, bytes) for s in shares)
    doc = json.loads(shares[0])
    assert doc["format"] == "civitas-escrow-share" and doc["threshold"] == 2 and doc["index"] == 1
    assert doc["workspace_id"] == ws.info()["workspace_id"]
    ws.close()
    back = Workspace.recover_key(p, [shares[3], shares[1]], passphrase="new one", **FAST)
    assert back.decrypt_field(ct, resource="r", field="f") == b"kept"
    back.close()
    assert Workspace.open(p, passphrase="new one").info()["key_source"] == "passphrase"
    # refusals, each with its error class; nothing changes
    with pytest.raises(civitas.InvalidArgumentError, match="needs 2 shares; 1 given"):
        Workspace.recover_key(p, [shares[0]], key=os.urandom(32))
    with pytest.raises(civitas.InvalidDataError, match="again"):
        Workspace.recover_key(p, [shares[0], shares[0]], key=os.urandom(32))
    damaged = shares[2].replace(b'"index": 3', b'"index": 4')
    with pytest.raises(civitas.IntegrityError, match="checksum"):
        Workspace.recover_key(p, [shares[0], damaged], key=os.urandom(32))
    with pytest.raises(civitas.ParseError):
        Workspace.recover_key(p, [b"{}", shares[0]], key=os.urandom(32))
    with pytest.raises(civitas.InvalidArgumentError):
        Workspace.recover_key(p, shares[:2])  # no new key source
    Workspace.open(p, passphrase="new one")


def test_sequence_statements(tmp_path):
    b_dept = dept_b()
    a = Workspace.create(str(tmp_path / "a.db"), key=os.urandom(32), department=DEPT_A)
    b = Workspace.create(str(tmp_path / "b.db"), key=os.urandom(32), department=b_dept)
    a.import_public(b.export_public())
    b.import_public(a.export_public())
    p1 = str(tmp_path / "1.civpkg")
    package.create(a, p1, to=[b_dept], resources={"t": b"x\n1\n"})
    b.require_sequence_statements()
    assert b.awaiting_statements() == [DEPT_A]
    with pytest.raises(civitas.DeniedError, match="civitas package import-statement"):
        package.open(b, p1, tmp_path / "o1")
    st = a.sequence_statement(b_dept)
    assert json.loads(st)["last_sequence"] == 1
    forged = json.loads(st)
    forged["last_sequence"] = 0
    with pytest.raises(civitas.BadSignatureError):
        b.import_sequence_statement(json.dumps(forged))
    assert b.import_sequence_statement(st) == DEPT_A
    assert b.awaiting_statements() == []
    with pytest.raises(civitas.ReplayError):
        package.open(b, p1, tmp_path / "o1")
    p2 = str(tmp_path / "2.civpkg")
    package.create(a, p2, to=[b_dept], resources={"t": b"x\n2\n"})
    package.open(b, p2, tmp_path / "o2")
