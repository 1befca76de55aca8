"""A workspace opened read-only and without audit (workspace::OpenOptions::read_only,
Workspace.open(..., read_only=True); docs/workspace.md, issue 16): the primitives work and
give the same results as a read-write open without writing an audit entry (the caller records
what it does), anything that writes is refused with DeniedError, and the database file and
its audit log are left exactly as they were."""
import hashlib
import os

import pytest

import civitas
from civitas.audit import AuditLog
from civitas.workspace import Workspace

RIC = "11010519491231002X"


def digest(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


@pytest.fixture()
def ws_path(tmp_path):
    key = os.urandom(32)
    p = tmp_path / "ws.db"
    with Workspace.create(p, key=key) as ws:
        ws.identity_key("ric", RIC, "health")
    return p, key


def test_primitives_work_and_match_a_read_write_open(ws_path):
    p, key = ws_path
    with Workspace.open(p, key=key) as rw:
        ik = rw.identity_key("ric", RIC, "health")
        tok = rw.tokenize("abc", "d")
        ct = rw.encrypt_field("secret", resource="r", field="f")
        with AuditLog(rw) as log:
            size = log.size
    # the last connection closed: the WAL is checkpointed, the file's bytes are final
    before = digest(p)
    ro = Workspace.open(p, key=key, read_only=True)
    try:
        assert ro.identity_key("ric", RIC, "health") == ik
        assert ro.identity_keys("ric", [RIC, "bad"], "health") == [ik, None]
        assert ro.tokenize("abc", "d") == tok
        assert ro.decrypt_field(ct, resource="r", field="f") == b"secret"
        ct2 = ro.encrypt_field("x", resource="r", field="f")
        assert ro.decrypt_field(ct2, resource="r", field="f") == b"x"
        assert ro.info()["workspace_id"]
        assert ro.decrypt_column([ct], resource="r", field="f") == [b"secret"]
        assert ro.detokenize(tok, "d") == b"abc"
        # writes are refused before they change anything
        with pytest.raises(civitas.DeniedError, match="read-only"):
            ro.rotate("field")
    finally:
        ro.close()
    assert digest(p) == before
    with Workspace.open(p, key=key) as rw, AuditLog(rw) as log:
        assert log.size == size  # nothing was recorded (decrypt and detokenize would be, read-write)
        assert [k["status"] for k in rw.keys() if k["purpose"] == "field"] == ["primary"]


def test_wrong_key_and_missing_file_still_say_so(ws_path, tmp_path):
    p, key = ws_path
    with pytest.raises(civitas.WrongKeyError):
        Workspace.open(p, key=os.urandom(32), read_only=True)
    with pytest.raises(civitas.NotFoundError):
        Workspace.open(tmp_path / "none.db", key=key, read_only=True)
