"""civitas.audit from Python: appends, batches, queries, checkpoints, proofs, verification.

Tampering is done as an administrator holding the database key could: the page key is
derived from the master key as docs/formats/workspace.md says (libsodium through ctypes) and
the `sqlcipher` shell rewrites a row (skipped when either is missing).
"""

import base64
import ctypes
import ctypes.util
import hashlib
import json
import os
import shutil
import subprocess
import threading
from datetime import datetime, timedelta, timezone

import pytest
from gil_probe import gil_probe

import civitas
from civitas.audit import (
    AuditLog,
    ConsistencyProof,
    InclusionProof,
    check_consistency,
    decode_entry,
    leaf_hash,
    open_checkpoint,
    parse_checkpoint,
)
from civitas.workspace import Workspace

DEPT = "91350100M000100Y43"


def _other_dept() -> str:
    body = "91110000100000007"
    return body + civitas.ids.check_char("uscc", body)


@pytest.fixture()
def ws_key(tmp_path):
    key = os.urandom(32)
    path = str(tmp_path / "ws.db")
    ws = Workspace.create(path, key=key, department=DEPT)
    return ws, key, path


@pytest.fixture()
def log(ws_key):
    return AuditLog(ws_key[0])


def test_a_new_workspace_log_starts_with_its_creation(log):
    assert len(log) == 1
    e = log[0]
    assert e.action == "workspace.create" and e.actor_dept == DEPT
    assert log.origin == "civitas/audit/" + DEPT


def test_append_returns_the_index_and_the_entry_reads_back_decoded(log):
    i = log.append("data.read", actor=DEPT + ":alice", resource="110000-000001", purpose="licensing",
                   details={"rows": 12, "name": "许可"})
    assert i == 1 and len(log) == 2
    e = log.get(i)
    assert (e.index, e.actor, e.actor_user, e.action, e.resource, e.purpose, e.outcome) == (
        1, DEPT + ":alice", "alice", "data.read", "110000-000001", "licensing", "ok")
    assert e.details == {"name": "许可", "rows": 12}
    assert e.details_json == '{"name":"许可","rows":12}'  # canonical: sorted, no spaces, UTF-8 as is
    assert e.leaf_hash == hashlib.sha256(b"\x00" + e.entry).digest() == leaf_hash(e.entry)
    assert e.entry[0] == 1 and int.from_bytes(e.entry[1:9], "big") == 1
    assert decode_entry(e.entry) == e
    assert abs(e.time - datetime.now(timezone.utc)) < timedelta(minutes=5)
    d = e.to_dict()
    assert base64.b64decode(d["entry"]) == e.entry and d["leaf_hash"] == e.leaf_hash.hex()
    assert d["time"].endswith("Z") and d["details"]["rows"] == 12


def test_the_default_actor_is_the_workspace_department_and_user(log, monkeypatch):
    i = log.append("data.export", outcome="denied")
    e = log[i]
    assert e.actor_dept == DEPT and e.actor_user == log.default_actor.split(":", 1)[1]
    assert e.outcome == "denied"


def test_batch_appends_in_order_and_is_all_or_nothing(log):
    r = log.append_batch([
        {"action": "a.one", "resource": "r1"},
        {"action": "a.two", "actor": DEPT + ":bob", "details": {"n": 2}},
        {"action": "a.three", "outcome": "error", "purpose": "p"},
    ])
    assert r == range(1, 4)
    assert [e.action for e in log.query(from_index=1)] == ["a.one", "a.two", "a.three"]
    assert log[2].details == {"n": 2} and log[3].outcome == "error"
    with pytest.raises(civitas.InvalidArgumentError, match=r"events\[1\]"):
        log.append_batch([{"action": "ok.one"}, {"action": ""}])
    with pytest.raises(civitas.InvalidArgumentError):
        log.append_batch([{"action": "x", "actor": "not-a-uscc"}])
    with pytest.raises(ValueError, match="unknown field"):
        log.append_batch([{"action": "x", "resourse": "typo"}])
    assert len(log) == 4  # nothing of the failed batches was written


def test_bad_events_are_refused_with_the_field_named(log):
    with pytest.raises(civitas.InvalidArgumentError):
        log.append("")
    with pytest.raises(civitas.Error):
        log.append("x", details={"f": 1.5})  # integers only
    with pytest.raises(civitas.Error):
        log.append("x", details="[1]")  # an object is required
    with pytest.raises(civitas.InvalidArgumentError):
        log.append("x", actor="91350100M000100Y44")  # bad check character
    assert len(log) == 1


def test_queries_by_actor_action_resource_and_time(log):
    log.append("data.read", actor=DEPT + ":alice", resource="r1")
    log.append("data.read", actor=DEPT + ":bob", resource="r2")
    mid = log[2].time_ms
    log.append("data.write", actor=DEPT + ":alice", resource="r2")
    assert [e.index for e in log.query(action="data.read")] == [1, 2]
    assert [e.index for e in log.query(actor=DEPT + ":alice")] == [1, 3]
    assert len(log.query(actor=DEPT)) == 4  # the whole department, creation included
    assert [e.index for e in log.query(resource="r2")] == [2, 3]
    assert [e.index for e in log.query(resource="r2", action="data.write")] == [3]
    assert all(e.time_ms >= mid for e in log.query(since=mid))
    assert all(e.time_ms < mid for e in log.query(until=mid))
    t = datetime.fromtimestamp(mid / 1000, tz=timezone.utc)
    assert [e.index for e in log.query(since=t)] == [e.index for e in log.query(since=mid)]
    assert [e.index for e in log.query(from_index=1, limit=2)] == [1, 2]
    assert log.query(action="nothing") == []
    with pytest.raises(ValueError):
        log.query(since=datetime(2026, 1, 1))  # naive datetime


def test_inclusion_proofs_verify_against_the_checkpoint_and_tampered_ones_do_not(log):
    log.append_batch([{"action": f"e{i}"} for i in range(20)])
    note = log.checkpoint()
    key = log.public_key()
    cp = open_checkpoint(note, key)
    assert cp.size == len(log) == 21 and cp.root == log.root() and cp.origin == log.origin
    for i in range(cp.size):
        p = log.prove(i, cp.size)
        assert p.leaf_hash == log[i].leaf_hash and p.tree_size == 21
        assert p.verify(cp.root) and p.verify(cp.root.hex()) and p.verify_entry(log[i].entry, cp.root)
        assert InclusionProof.from_json(p.to_json()) == p
    p = log.prove(7, cp.size)
    bad = InclusionProof(p.leaf_index, p.tree_size, p.leaf_hash,
                         (bytes([p.hashes[0][0] ^ 1]) + p.hashes[0][1:],) + p.hashes[1:])
    assert not bad.verify(cp.root)
    assert not InclusionProof(8, p.tree_size, p.leaf_hash, p.hashes).verify(cp.root)  # wrong position
    assert not InclusionProof(7, p.tree_size, p.leaf_hash, p.hashes[:-1]).verify(cp.root)  # too short
    assert not p.verify_entry(log[8].entry, cp.root)
    assert not p.verify(bytes(32))
    j = json.loads(p.to_json())
    assert j["version"] == 1 and j["leaf_index"] == 7 and j["hashes"] == [h.hex() for h in p.hashes]
    with pytest.raises(civitas.ParseError):
        InclusionProof.from_json('{"version":1,"leaf_index":7}')
    with pytest.raises(civitas.ParseError):
        InclusionProof.from_json("not json")
    with pytest.raises(civitas.InvalidArgumentError):
        p.verify(b"short")
    with pytest.raises(civitas.InvalidArgumentError):
        log.prove(21, 21)  # index beyond the tree


def test_a_checkpoint_verifies_with_the_public_key_and_a_forged_one_does_not(log, tmp_path):
    log.append("data.read")
    note = log.checkpoint()
    key = log.public_key()
    pk = civitas.audit.PublicKey.parse(key)
    assert pk.name == log.origin and len(pk.public_key) == 32 and key.startswith(log.origin + "+")
    assert key.split("+")[1] == f"{pk.key_hash:08x}"
    assert parse_checkpoint(note) == open_checkpoint(note, [key])
    assert log.checkpoint() == note  # no growth, no new signature
    assert log.latest_checkpoint() == note
    lines = note.split("\n")
    forged = "\n".join([lines[0], lines[1], base64.b64encode(bytes(32)).decode()] + lines[3:])
    with pytest.raises(civitas.BadSignatureError):
        open_checkpoint(forged, key)
    other = AuditLog(Workspace.create(str(tmp_path / "o.db"), key=os.urandom(32), department=_other_dept()))
    with pytest.raises(civitas.UnknownKeyError):
        open_checkpoint(note, other.public_key())
    with pytest.raises(civitas.ParseError):
        open_checkpoint("garbage", key)


def test_consistency_between_two_checkpoints_and_witnessing(log):
    log.append_batch([{"action": f"e{i}"} for i in range(5)])
    note1 = log.checkpoint()
    log.append_batch([{"action": f"f{i}"} for i in range(9)])
    note2 = log.checkpoint()
    key = log.public_key()
    cp1, cp2 = open_checkpoint(note1, key), open_checkpoint(note2, key)
    assert (cp1.size, cp2.size) == (6, 15)
    proof = log.consistency(cp1.size, cp2.size)
    assert proof.verify(cp1.root, cp2.root)
    assert ConsistencyProof.from_json(proof.to_json()) == proof
    assert check_consistency(note1, note2, proof, key) == cp2
    assert log.check_received(note1) == cp1
    bad = ConsistencyProof(proof.first, proof.second, (bytes(32),) + proof.hashes[1:])
    assert not bad.verify(cp1.root, cp2.root)
    with pytest.raises(civitas.IntegrityError):
        check_consistency(note1, note2, bad, key)
    with pytest.raises(civitas.Error):
        check_consistency(note2, note1, proof, key)
    assert log.consistency(6) == proof  # second defaults to the current size


def test_verify_of_an_intact_log_is_ok(log):
    log.append_batch([{"action": f"e{i}"} for i in range(40)])
    note = log.checkpoint()
    log.append("later")
    r = log.verify([note])
    assert r.ok and bool(r) and r.problems == () and r.first_index is None
    assert r.entries == 42 and r.checkpoints >= 2 and r.root == log.root()


def test_verify_names_a_forged_extra_checkpoint(log):
    note = log.checkpoint()
    lines = note.split("\n")
    forged = "\n".join([lines[0], lines[1], base64.b64encode(bytes(32)).decode()] + lines[3:])
    r = log.verify([forged])
    assert not r.ok and not bool(r)
    assert {p.kind for p in r.problems} & {"signature", "checkpoint"}


def test_threads_appending_at_once_get_one_order_and_lose_nothing(log):
    def work(t):
        for i in range(25):
            log.append("thread.append", details={"t": t, "i": i})

    ts = [threading.Thread(target=work, args=(t,)) for t in range(4)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert len(log) == 101
    seen = {(e.details["t"], e.details["i"]) for e in log.query(action="thread.append")}
    assert len(seen) == 100
    assert log.verify().ok


def test_the_gil_is_released_during_batch_append_and_verify(log):
    events = [{"action": "bulk", "details": {"i": i}} for i in range(20000)]
    with gil_probe() as ticks:
        before = ticks()
        log.append_batch(events)
        during_append = ticks() - before
        before = ticks()
        r = log.verify()
        during_verify = ticks() - before
    assert r.ok and r.entries == 20001
    assert during_append > 0 and during_verify > 0


# ---- tampering with the database, as an administrator with the page key could ------------

def _sodium():
    name = ctypes.util.find_library("sodium")
    if not name:
        pytest.skip("libsodium not found")
    return ctypes.CDLL(name)


def _page_key(path: str, master: bytes) -> str:
    """docs/formats/workspace.md, "Opening the file by hand"."""
    na = _sodium()
    assert na.sodium_init() >= 0
    h = json.load(open(path + ".header"))
    assert h["key_source"] == "raw"
    ad = ("civitas-workspace-header/1/" + h["workspace_id"] + "/raw/-").encode()
    wrapped = base64.b64decode(h["wrapped_key"])
    hk, w, pk = (ctypes.create_string_buffer(32) for _ in range(3))
    assert na.crypto_kdf_derive_from_key(hk, ctypes.c_size_t(32), ctypes.c_uint64(1), b"civhead1", master) == 0
    mlen = ctypes.c_ulonglong(0)
    c = wrapped[24:]
    assert na.crypto_aead_xchacha20poly1305_ietf_decrypt(
        w, ctypes.byref(mlen), None, c, ctypes.c_ulonglong(len(c)), ad, ctypes.c_ulonglong(len(ad)),
        wrapped[:24], hk) == 0
    assert na.crypto_kdf_derive_from_key(pk, ctypes.c_size_t(32), ctypes.c_uint64(1), b"civpage1", w.raw) == 0
    return pk.raw.hex()


def _sql(path: str, key_hex: str, sql: str) -> str:
    if not shutil.which("sqlcipher"):
        pytest.skip("the sqlcipher shell is not installed")
    script = (f"PRAGMA key = \"x'{key_hex}'\";\nPRAGMA cipher_page_size = 4096;\n"
              "PRAGMA cipher_hmac_algorithm = HMAC_SHA1;\nPRAGMA cipher_kdf_algorithm = PBKDF2_HMAC_SHA1;\n"
              "PRAGMA busy_timeout = 10000;\n" + sql + "\n")
    r = subprocess.run(["sqlcipher", path], input=script, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and "Error" not in r.stderr, r.stderr
    return r.stdout


def _tampered(ws_key):
    ws, master, path = ws_key
    log = AuditLog(ws)
    log.append_batch([{"action": "data.read", "purpose": "audit", "resource": f"r{i}"} for i in range(30)])
    log.checkpoint()
    log.append_batch([{"action": "data.read", "purpose": "audit", "resource": f"s{i}"} for i in range(10)])
    assert log.verify().ok
    return log, path, _page_key(path, master)


def test_verify_names_the_index_of_a_changed_entry(ws_key):
    log, path, key = _tampered(ws_key)
    out = _sql(path, key, "SELECT 'X:' || hex(entry) FROM audit_entry WHERE idx = 12;")
    entry = bytes.fromhex([line for line in out.splitlines() if line.startswith("X:")][0][2:])
    assert b"audit" in entry
    changed = entry.replace(b"audit", b"AUDIT")  # same length: still a well-formed entry
    _sql(path, key, f"UPDATE audit_entry SET entry = X'{changed.hex()}' WHERE idx = 12;")
    r = log.verify()
    assert not r.ok
    assert any(p.kind == "changed" and p.index == 12 for p in r.problems), r.problems
    assert r.first_index == 12
    with pytest.raises(civitas.IntegrityError):
        log.query()
    with pytest.raises(civitas.IntegrityError):
        log.get(12)
    assert [e.index for e in log.query(limit=5)] == [0, 1, 2, 3, 4]  # untouched entries still read


def test_verify_names_the_index_of_a_deleted_entry(ws_key):
    log, path, key = _tampered(ws_key)
    _sql(path, key, "DELETE FROM audit_entry WHERE idx = 20;")
    r = log.verify()
    assert not r.ok and any(p.kind == "deleted" and p.index == 20 for p in r.problems), r.problems
    assert r.first_index == 20
