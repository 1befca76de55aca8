"""Independent verification of the civitas audit log, written only from docs/formats/
(audit-entry.md, checkpoint.md, proofs.md): hashlib, base64, json and a pure-Python Ed25519
verifier (RFC 8032 §5.1.7). No civitas code is imported; the `civitas` CLI only produces data.

The CLI is $CIVITAS_CLI, else <build>/bin/civitas next to $PYTHONPATH's <build>/python.
Runs under pytest or as a script.
"""
import base64
import hashlib
import json
import os
import subprocess
import sys
import tempfile

# ---- Ed25519 verification (RFC 8032 §5.1) ------------------------------------------------
P = 2**255 - 19
Q = 2**252 + 27742317777372353535851937790883648493
D = -121665 * pow(121666, P - 2, P) % P
SQRT_M1 = pow(2, (P - 1) // 4, P)


def _add(a, b):
    x1, y1, z1, t1 = a
    x2, y2, z2, t2 = b
    A = (y1 - x1) * (y2 - x2) % P
    B = (y1 + x1) * (y2 + x2) % P
    C = 2 * t1 * t2 * D % P
    Dd = 2 * z1 * z2 % P
    E, F, G, H = B - A, Dd - C, Dd + C, B + A
    return (E * F % P, G * H % P, F * G % P, E * H % P)


def _mul(s, pt):
    q = (0, 1, 1, 0)
    while s:
        if s & 1:
            q = _add(q, pt)
        pt = _add(pt, pt)
        s >>= 1
    return q


def _decode_point(b):
    if len(b) != 32:
        return None
    y = int.from_bytes(b, "little")
    sign = y >> 255
    y &= (1 << 255) - 1
    if y >= P:
        return None
    x2 = (y * y - 1) * pow(D * y * y + 1, P - 2, P) % P
    if x2 == 0:
        if sign:
            return None
        x = 0
    else:
        x = pow(x2, (P + 3) // 8, P)
        if (x * x - x2) % P:
            x = x * SQRT_M1 % P
        if (x * x - x2) % P:
            return None
        if (x & 1) != sign:
            x = P - x
    return (x, y, 1, x * y % P)


def _encode_point(pt):
    x, y, z, _ = pt
    zi = pow(z, P - 2, P)
    x, y = x * zi % P, y * zi % P
    return (y | ((x & 1) << 255)).to_bytes(32, "little")


_GY = 4 * pow(5, P - 2, P) % P
BASE = _decode_point(_GY.to_bytes(32, "little"))


def ed25519_verify(pub, msg, sig):
    if len(sig) != 64:
        return False
    A = _decode_point(pub)
    R = _decode_point(sig[:32])
    if A is None or R is None:
        return False
    s = int.from_bytes(sig[32:], "little")
    if s >= Q:
        return False
    k = int.from_bytes(hashlib.sha512(sig[:32] + pub + msg).digest(), "little") % Q
    return _encode_point(_mul(s, BASE)) == _encode_point(_add(R, _mul(k, A)))


# ---- entries (audit-entry.md) --------------------------------------------------------------
FIELDS = ["actor_dept", "actor_user", "action", "resource", "purpose", "outcome", "details"]


def sha256(b):
    return hashlib.sha256(b).digest()


def canonical_json(v):
    return json.dumps(v, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def decode_entry(b):
    assert len(b) >= 17 and b[0] == 1, "version"
    e = {"index": int.from_bytes(b[1:9], "big"), "time_ms": int.from_bytes(b[9:17], "big")}
    off = 17
    for i, name in enumerate(FIELDS):
        assert off + 4 <= len(b), "truncated length"
        n = int.from_bytes(b[off:off + 4], "big")
        off += 4
        assert n <= (65536 if name == "details" else 4096) and off + n <= len(b), "field length"
        s = b[off:off + n].decode("utf-8")
        if name != "details":
            assert not any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in s), "control character"
        e[name] = s
        off += n
    assert off == len(b), "trailing bytes"
    details = json.loads(e["details"])
    assert isinstance(details, dict)
    assert canonical_json(details) == e["details"], "details not canonical"
    e["details"] = details
    return e


def leaf_hash(entry):
    return sha256(b"\x00" + entry)


def node(l, r):
    return sha256(b"\x01" + l + r)


def mth(leaves):
    if not leaves:
        return sha256(b"")
    if len(leaves) == 1:
        return leaves[0]
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return node(mth(leaves[:k]), mth(leaves[k:]))


# ---- proofs (proofs.md) ---------------------------------------------------------------------
def verify_inclusion(index, size, leaf, hashes, root):
    if index >= size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in hashes:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node(p, r)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(first, second, hashes, first_hash, second_hash):
    if first == second:
        return not hashes and first_hash == second_hash
    if first == 0:
        return not hashes
    if first > second or not hashes:
        return False
    if first & (first - 1) == 0:
        hashes = [first_hash] + hashes
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = hashes[0]
    for c in hashes[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node(c, fr), node(c, sr)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node(sr, c)
        fn >>= 1
        sn >>= 1
    return fr == first_hash and sr == second_hash and sn == 0


# ---- checkpoints (checkpoint.md) -------------------------------------------------------------
def parse_verifier(text):
    name, rest = text.strip().split("+", 1)
    hexhash, key = rest[:8], rest[9:]
    assert rest[8] == "+"
    raw = base64.b64decode(key, validate=True)
    assert len(raw) == 33 and raw[0] == 1
    kh = sha256(name.encode() + b"\n" + raw)[:4]
    assert kh.hex() == hexhash, "key hash"
    return name, kh, raw[1:]


def open_checkpoint(note, verifier):
    name, kh, pub = verifier
    assert note.endswith("\n")
    cut = note.rindex("\n\n")
    body, sigs = note[:cut + 1], note[cut + 2:].splitlines()
    ok = False
    for line in sigs:
        assert line.startswith("\u2014 ")
        sname, sig = line[2:].split(" ")
        raw = base64.b64decode(sig, validate=True)
        if sname == name and raw[:4] == kh:
            if not ed25519_verify(pub, body.encode(), raw[4:]):
                raise AssertionError("bad signature")
            ok = True
    assert ok, "no signature by the key"
    lines = body.split("\n")[:-1]
    origin, size, root = lines[0], lines[1], base64.b64decode(lines[2], validate=True)
    assert size == str(int(size)) and len(root) == 32
    return origin, int(size), root


# ---- driving the CLI -----------------------------------------------------------------------
def cli_path():
    p = os.environ.get("CIVITAS_CLI")
    if p:
        return p
    for d in os.environ.get("PYTHONPATH", "").split(os.pathsep):
        cand = os.path.join(os.path.dirname(os.path.abspath(d)), "bin", "civitas")
        if d and os.path.exists(cand):
            return cand
    raise RuntimeError("set CIVITAS_CLI to the civitas binary")


DEPT = "91110000MA0000000H"


class Workspace:
    def __init__(self, tmp):
        self.env = dict(os.environ, CIVITAS_KEY="cd" * 32, CIVITAS_WORKSPACE=os.path.join(tmp, "ws.db"),
                        CIVITAS_USER="verifier-test")
        self.cli = cli_path()
        self.run("init", "--department", DEPT, "--name", "Independent verification")

    def run(self, *args, stdin=None, check=True):
        r = subprocess.run([self.cli, *args], env=self.env, input=stdin, capture_output=True, text=True)
        if check and r.returncode != 0:
            raise AssertionError(f"civitas {' '.join(args)} failed ({r.returncode}): {r.stderr}")
        return r


def test_independent_verification():
    with tempfile.TemporaryDirectory() as tmp:
        ws = Workspace(tmp)
        ws.run("audit", "append", "--actor", DEPT + ":alice", "--action", "data.read", "--resource", "res-\u7a0e",
               "--purpose", "tax check", "--details", '{"z":[1,"\\n\u00e9"],"a":{"y":null,"b":true}}')
        batch = "".join(json.dumps({"actor": f"{DEPT}:u{i % 4}", "action": "batch.item", "resource": f"r{i % 7}",
                                    "details": {"i": i, "tab": "\t"}}) + "\n" for i in range(37))
        ws.run("audit", "append", "--batch", stdin=batch)
        verifier = parse_verifier(ws.run("audit", "public-key").stdout)
        note1 = ws.run("audit", "checkpoint").stdout
        origin, size1, root1 = open_checkpoint(note1, verifier)
        assert origin == "civitas/audit/" + DEPT and origin == verifier[0]

        lines = [json.loads(l) for l in ws.run("audit", "log", "--json").stdout.splitlines()]
        assert len(lines) == size1 == 39  # workspace.create + 1 + 37
        leaves = []
        prev_time = 0
        for i, j in enumerate(lines):
            raw = base64.b64decode(j["entry"], validate=True)
            e = decode_entry(raw)
            assert e["index"] == j["index"] == i
            assert e["time_ms"] == j["time_ms"] and e["time_ms"] >= prev_time
            prev_time = e["time_ms"]
            for f in FIELDS:
                assert e[f] == j[f], f
            expected_actor = e["actor_dept"] + (":" + e["actor_user"] if e["actor_user"] else "")
            assert j["actor"] == expected_actor
            assert leaf_hash(raw).hex() == j["leaf_hash"]
            leaves.append(leaf_hash(raw))
        assert lines[0]["action"] == "workspace.create"
        assert lines[1]["details"] == {"a": {"b": True, "y": None}, "z": [1, "\n\u00e9"]}
        assert mth(leaves) == root1

        for i in [0, 1, 2, 17, 31, 32, 38]:
            p = json.loads(ws.run("audit", "prove", "--index", str(i), "--json").stdout)
            assert p["leaf_index"] == i and p["tree_size"] == size1
            assert p["leaf_hash"] == leaves[i].hex()
            hs = [bytes.fromhex(h) for h in p["hashes"]]
            assert verify_inclusion(i, size1, leaves[i], hs, root1)
            if hs:
                bad = list(hs)
                bad[0] = bytes([bad[0][0] ^ 1]) + bad[0][1:]
                assert not verify_inclusion(i, size1, leaves[i], bad, root1)
            assert not verify_inclusion(i, size1, leaves[(i + 1) % size1], hs, root1)
        p = json.loads(ws.run("audit", "prove", "--index", "5", "--size", "20", "--json").stdout)
        assert verify_inclusion(5, 20, leaves[5], [bytes.fromhex(h) for h in p["hashes"]], mth(leaves[:20]))

        for i in range(25):
            ws.run("audit", "append", "--actor", DEPT, "--action", "later", "--details", json.dumps({"k": i}))
        note2 = ws.run("audit", "checkpoint").stdout
        _, size2, root2 = open_checkpoint(note2, verifier)
        assert size2 == 64
        for first in [0, 1, 7, 16, 32, 39]:
            c = json.loads(ws.run("audit", "consistency", "--from", str(first), "--to", str(size2), "--json").stdout)
            assert c["first"] == first and c["second"] == size2
            hs = [bytes.fromhex(h) for h in c["hashes"]]
            r1 = mth(leaves[:first]) if first <= size1 else None
            assert verify_consistency(first, size2, hs, r1, root2)
            if hs:
                assert not verify_consistency(first, size2, hs[:-1], r1, root2)
        c = json.loads(ws.run("audit", "consistency", "--from", str(size1), "--json").stdout)
        assert verify_consistency(size1, size2, [bytes.fromhex(h) for h in c["hashes"]], root1, root2)

        # A forged checkpoint does not verify.
        forged = note2.replace("\n64\n", "\n65\n", 1)
        try:
            open_checkpoint(forged, verifier)
            raise RuntimeError("forged checkpoint accepted")
        except AssertionError:
            pass
        # And the CLI agrees that everything checks, including the checkpoint kept from earlier.
        with open(os.path.join(tmp, "cp1"), "w") as f:
            f.write(note1)
        ws.run("audit", "verify", "--checkpoint", os.path.join(tmp, "cp1"))


def test_ed25519_rfc8032_vector():
    # RFC 8032 §7.1 TEST 2
    pub = bytes.fromhex("3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c")
    sig = bytes.fromhex("92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da"
                        "085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00")
    assert ed25519_verify(pub, b"\x72", sig)
    assert not ed25519_verify(pub, b"\x73", sig)


if __name__ == "__main__":
    test_ed25519_rfc8032_vector()
    test_independent_verification()
    print("ok: independent verification passed")
