"""civitas.recovery: recovery keys, backup, verify (own keys and the key document), restore under
a new master key (the log's new epoch), and the refusals (a changed byte, another department,
a key that is not a recipient, an existing path). The backup and the restore are audited by the
Workspace methods the binding calls."""

import json
import os
import stat

import pytest

import civitas
from civitas import recovery
from civitas.audit import AuditLog
from civitas.workspace import Workspace

DEPT = "91350100M000100Y43"
OTHER = "11350100MB00000012"


@pytest.fixture
def ws(tmp_path):
    with Workspace.create(tmp_path / "ws.db", key=b"k" * 32, department=DEPT) as w:
        AuditLog(w).append_batch([{"action": "data.read", "resource": "r%d" % i} for i in range(20)])
        yield w


def test_round_trip(ws, tmp_path):
    kid = recovery.generate_recovery_key(tmp_path / "R.key")
    assert len(kid) == 16
    assert stat.S_IMODE(os.stat(tmp_path / "R.key").st_mode) == 0o600
    assert json.loads((tmp_path / "R.key.pub").read_text())["key_id"] == kid
    info = recovery.backup(ws, tmp_path / "b.civbak", recipients=[tmp_path / "R.key.pub"])
    assert info["recipients"] == [kid]
    assert info["audit"]["size"] == AuditLog(ws).size - 1  # the backup.create entry came after
    assert recovery.verify_backup(tmp_path / "b.civbak", workspace=ws)["backup_id"] == info["backup_id"]
    doc = ws.export_public()
    assert recovery.verify_backup(tmp_path / "b.civbak", public_key=doc)["department"] == DEPT
    with recovery.restore(tmp_path / "b.civbak", recovery_key=tmp_path / "R.key", path=tmp_path / "new.db",
                          key=b"n" * 32, public_key=doc) as r:
        assert r.info()["workspace_id"] == ws.info()["workspace_id"]
        log = AuditLog(r)
        e = log.query(action="backup.restore")
        assert len(e) == 1 and e[0].index == info["audit"]["size"]
        assert json.loads(e[0].details_json)["new_origin"] == "civitas/audit/%s/epoch-2" % DEPT
        assert log.verify().ok
    with pytest.raises(civitas.WrongKeyError):
        Workspace.open(tmp_path / "new.db", key=b"k" * 32)
    with pytest.raises(civitas.ExistsError):
        recovery.restore(tmp_path / "b.civbak", recovery_key=tmp_path / "R.key", path=tmp_path / "new.db", key=b"n" * 32)


def test_refusals(ws, tmp_path):
    recovery.generate_recovery_key(tmp_path / "R.key")
    recovery.generate_recovery_key(tmp_path / "S.key")
    with pytest.raises(civitas.ExistsError):
        recovery.generate_recovery_key(tmp_path / "R.key")
    bk = tmp_path / "b.civbak"
    recovery.backup(ws, bk, recipients=[tmp_path / "R.key.pub"])
    with pytest.raises(civitas.ExistsError):
        recovery.backup(ws, bk, recipients=[tmp_path / "R.key.pub"])
    assert AuditLog(ws).query(action="backup.create")[-1].outcome == "exists"
    data = bytearray(bk.read_bytes())
    data[len(data) // 2] ^= 1
    (tmp_path / "bad.civbak").write_bytes(bytes(data))
    with pytest.raises(civitas.IntegrityError):
        recovery.verify_backup(tmp_path / "bad.civbak", workspace=ws)
    with pytest.raises(civitas.IntegrityError):
        recovery.restore(tmp_path / "bad.civbak", recovery_key=tmp_path / "R.key", path=tmp_path / "x.db", key=b"n" * 32)
    assert not (tmp_path / "x.db").exists()
    with pytest.raises(civitas.NotRecipientError):
        recovery.restore(bk, recovery_key=tmp_path / "S.key", path=tmp_path / "y.db", key=b"n" * 32)
    (tmp_path / "cut.civbak").write_bytes(bk.read_bytes()[:-10])
    with pytest.raises(civitas.TruncatedError):
        recovery.verify_backup(tmp_path / "cut.civbak", workspace=ws)
    with Workspace.create(tmp_path / "o.db", key=b"o" * 32, department=OTHER) as o:
        recovery.backup(o, tmp_path / "o.civbak", recipients=[tmp_path / "R.key.pub"])
        with pytest.raises(civitas.BadSignatureError):
            recovery.verify_backup(tmp_path / "o.civbak", public_key=ws.export_public())
    with pytest.raises(ValueError):
        recovery.verify_backup(bk)
