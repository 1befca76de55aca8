"""civitas.workspace from Python: every operation of the workspace and crypto modules."""

import json
import os

import pytest

import civitas
from civitas.workspace import Workspace

FAST = dict(kdf_opslimit=1, kdf_memlimit=1 << 16)
DEPT_A = "91350100M000100Y43"


def dept_b():
    body = "91110000100000007"
    return body + civitas.ids.check_char("uscc", body)


def ric():
    body = "11010519491231002"
    return body + civitas.ids.check_char("ric", body)


def test_create_open_and_wrong_key(tmp_path):
    p = str(tmp_path / "w.db")
    ws = Workspace.create(p, passphrase="pw", department=DEPT_A, name="市场监管", **FAST)
    info = ws.info()
    assert info["department"] == DEPT_A and info["name"] == "市场监管" and info["key_source"] == "passphrase"
    assert len(ws.keys()) == 8
    assert os.path.exists(civitas.workspace.header_path(p))
    Workspace.open(p, passphrase="pw")
    with pytest.raises(civitas.WrongKeyError, match="wrong key, or not a civitas workspace"):
        Workspace.open(p, passphrase="nope")
    with pytest.raises(civitas.ExistsError):
        Workspace.create(p, key=os.urandom(32))
    with pytest.raises(civitas.NotFoundError):
        Workspace.open(str(tmp_path / "none.db"), key=os.urandom(32))
    with pytest.raises(civitas.InvalidArgumentError):
        Workspace.open(p)


def test_field_encryption_round_trip_and_rejections(tmp_path):
    ws = Workspace.create(str(tmp_path / "w.db"), key=os.urandom(32))
    ct = ws.encrypt_field("secret", resource="r", field="f", record="1")
    assert len(ct) == 6 + 49 and ct[0] == 1
    assert ws.decrypt_field(ct, resource="r", field="f", record="1") == b"secret"
    with pytest.raises(civitas.IntegrityError):
        ws.decrypt_field(ct, resource="r", field="f", record="2")
    with pytest.raises(civitas.TruncatedError):
        ws.decrypt_field(ct[:20], resource="r", field="f", record="1")
    bad = bytearray(ct)
    bad[-1] ^= 1
    with pytest.raises(civitas.IntegrityError):
        ws.decrypt_field(bytes(bad), resource="r", field="f", record="1")
    other = Workspace.create(str(tmp_path / "o.db"), key=os.urandom(32))
    with pytest.raises(civitas.UnknownKeyError):
        other.decrypt_field(ct, resource="r", field="f", record="1")


def test_columns(tmp_path):
    ws = Workspace.create(str(tmp_path / "w.db"), key=os.urandom(32))
    vals = [f"value-{i}" for i in range(1000)]
    recs = [str(i) for i in range(1000)]
    cts = ws.encrypt_column(vals, resource="res", field="name", records=recs)
    assert len(cts) == 1000 and all(isinstance(c, bytes) for c in cts)
    assert ws.decrypt_column(cts, resource="res", field="name", records=recs) == [v.encode() for v in vals]
    cts[10] = cts[11]
    with pytest.raises(civitas.IntegrityError, match="row 11"):
        ws.decrypt_column(cts, resource="res", field="name", records=recs)


def test_rotation_destroy_and_change_master(tmp_path):
    p = str(tmp_path / "w.db")
    ws = Workspace.create(p, passphrase="one", **FAST)
    ct = ws.encrypt_field("kept")
    tok = ws.tokenize("kept", "d")
    old = [k["id"] for k in ws.keys() if k["purpose"] == "field"][0]
    new = ws.rotate("field")
    assert new != old
    assert ws.decrypt_field(ct) == b"kept"
    with pytest.raises(civitas.DeniedError):
        ws.destroy_key(new)
    ws.destroy_key(old)
    with pytest.raises(civitas.DeniedError):
        ws.decrypt_field(ct)
    ws.change_master(passphrase="two", **FAST)
    del ws
    with pytest.raises(civitas.WrongKeyError):
        Workspace.open(p, passphrase="one")
    assert Workspace.open(p, passphrase="two").detokenize(tok, "d") == b"kept"


def test_tokens_identity_keys_signatures_and_sealed_boxes(tmp_path):
    a = Workspace.create(str(tmp_path / "a.db"), key=os.urandom(32), department=DEPT_A, name="A")
    b = Workspace.create(str(tmp_path / "b.db"), key=os.urandom(32).hex(), department=dept_b(), name="B")
    t = a.tokenize("x", "dom")
    assert t == a.tokenize("x", "dom") and t != a.tokenize("x", "other")
    assert a.detokenize(t, "dom") == b"x"
    with pytest.raises(civitas.IntegrityError):
        a.detokenize(t, "other")
    k = a.identity_key("ric", ric(), "health")
    assert k.startswith("ik1:") and len(k) == 64
    assert a.identity_keys("ric", [ric(), "bad", ric().lower()], "health") == [k, None, k]
    with pytest.raises(civitas.InvalidDataError):
        a.identity_key("ric", "123", "health")
    assert b.import_public(a.export_public()) == DEPT_A
    doc = json.loads(a.export_public())
    doc["name"] = "forged"
    with pytest.raises(civitas.BadSignatureError):
        b.import_public(json.dumps(doc))
    sig = a.sign(b"contract")
    assert b.verify(b"contract", sig, DEPT_A) and not b.verify(b"contracT", sig, DEPT_A)
    box = b.seal(b"to A", DEPT_A)
    assert a.unseal(box) == b"to A"
    with pytest.raises(civitas.NotRecipientError):
        b.unseal(box)
    assert len(b.peers(DEPT_A)) == 4


def test_sharing_the_identity_key_secret(tmp_path):
    a = Workspace.create(str(tmp_path / "a.db"), key=os.urandom(32), department=DEPT_A, name="A")
    b = Workspace.create(str(tmp_path / "b.db"), key=os.urandom(32), department=dept_b(), name="B")
    a.import_public(b.export_public())
    b.import_public(a.export_public())
    assert a.identity_key("ric", ric(), "health") != b.identity_key("ric", ric(), "health")
    box = a.share_identity_secret(dept_b())
    with pytest.raises(civitas.NotRecipientError):
        a.import_identity_secret(box)
    with pytest.raises(civitas.Error):
        b.import_identity_secret(box[:-1])
    key_id = b.import_identity_secret(box)
    assert len(key_id) == 16
    assert a.identity_key("ric", ric(), "health") == b.identity_key("ric", ric(), "health")
    assert a.identity_key("ric", ric(), "tax") != a.identity_key("ric", ric(), "health")
    primary = [k for k in b.keys() if k["purpose"] == "identity" and k["status"] == "primary"]
    assert [k["id"] for k in primary] == [key_id]
    # Key separation: the general-purpose seal goes to the user-sealing key, the share to the
    # exchange key; neither opens as the other (issue 12).
    with pytest.raises(civitas.NotRecipientError):
        b.import_identity_secret(a.seal(b"not an identity key", dept_b()))
    with pytest.raises(civitas.NotRecipientError):
        b.unseal(box)
    with pytest.raises(civitas.InvalidArgumentError):
        a.share_identity_secret(DEPT_A)


def test_peer_keys_rotation_revocation_replace_remove(tmp_path):
    """Issue 12: a department's rotation and revocation reach its peer through its key
    document; a forged document for a known department is refused; replace and remove."""
    a = Workspace.create(str(tmp_path / "a.db"), key=os.urandom(32), department=DEPT_A, name="A")
    b = Workspace.create(str(tmp_path / "b.db"), key=os.urandom(32), department=dept_b(), name="B")
    m = Workspace.create(str(tmp_path / "m.db"), key=os.urandom(32), department=DEPT_A, name="Impostor")
    b.import_public(a.export_public())
    old = next(k["id"] for k in a.keys() if k["purpose"] == "signing")
    a.rotate("signing")
    doc = json.loads(a.export_public())
    assert doc["version"] == 3 and doc["sequence"] == 2 and len(doc["signatures"]) == 2
    b.import_public(json.dumps(doc))
    a.revoke_key(old, "compromised")
    b.import_public(a.export_public())
    status = {p["key_id"]: p for p in b.peers(DEPT_A)}
    assert status[old]["status"] == "compromised" and status[old]["revoked"] is not None
    new = next(k["id"] for k in a.keys() if k["purpose"] == "signing" and k["status"] == "primary")
    assert status[new]["status"] == "primary" and status[new]["revoked"] is None
    with pytest.raises(civitas.DeniedError):
        a.revoke_key(new, "superseded")  # the primary key: rotate first
    # A second self-signed document for the known department: refused, nothing changed.
    with pytest.raises(civitas.BadSignatureError):
        b.import_public(m.export_public())
    assert {p["key_id"] for p in b.peers(DEPT_A)} == set(status)
    # An older document: refused.
    with pytest.raises(civitas.DeniedError):
        b.import_public(json.dumps(doc))
    # replace=True takes it (after an out-of-band check); remove_peer removes the department.
    assert b.import_public(m.export_public(), replace=True) == DEPT_A
    assert {p["key_id"] for p in b.peers(DEPT_A)} == {k["id"] for k in m.keys() if k["purpose"] in ("signing", "exchange", "user-signing", "user-sealing")}
    b.remove_peer(DEPT_A)
    assert b.peers(DEPT_A) == []
    with pytest.raises(civitas.NotFoundError):
        b.remove_peer(DEPT_A)
    for w in (a, b, m):
        w.close()
