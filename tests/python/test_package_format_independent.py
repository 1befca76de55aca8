"""Independent verification of civitas packages, written only from the text of
docs/formats/package.md (version 2: §1 layout, §1.1 preamble, §1.2 header, §1.3 header
signature, §1.4 payload, §1.5 trailer, §3 reading): struct, json, base64, hashlib and the
pure-Python Ed25519 verifier of test_audit_verify_independent.py (RFC 8032 §5.1.7).

civitas is used only to CREATE packages and to export the provider's public keys (the
export-public document, docs/workspace.md); every check of the bytes is done here. The library
is then asked about the same (modified) files, and must refuse them with the spec's codes.

Nothing is decrypted: the checks are the platform's `verify` (§3 steps 1, 2 and 4, then every
segment against its signed hash), which needs no secret key.

Runs under pytest (CTest `python.test_package_format_independent`) or as a script.
"""
import base64
import hashlib
import json
import os
import random
import re
import struct
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_audit_verify_independent import ed25519_verify  # noqa: E402  (one copy of Ed25519)

# ---- the format, from docs/formats/package.md ---------------------------------------------
PKG_MAGIC = b"\x89CIVPKG\n"        # §1.1: 89 43 49 56 50 4B 47 0A
END_MAGIC = b"\x89CIVEND\n"        # §1.5: 89 43 49 56 45 4E 44 0A
FORMAT_VERSION = 2                 # §1.1 offset 8
SUITE = 1                          # §1.1 offset 9
PREAMBLE = 24                      # §1.1
HEADER_SIG = 64                    # §1.3
TRAILER = 120                      # §1.5
SEGMENT_HASH = 32                  # §1.4 step 5
ABYTES = 17                        # §1: a chunk of C plaintext bytes is C + 17 bytes of ciphertext
SEGMENT_TARGET = 1048576           # §1: G = max(1, floor(1 048 576 / (C + 17)))
MAX_HEADER = 1048576               # §1.1: header_len 2 … 1 048 576
MIN_CHUNK, MAX_CHUNK = 1024, 16 * 1024 * 1024  # §1.2: chunk_size 1 KiB … 16 MiB
HEADER_CONTEXT = b"civitas package header v1\0"    # §1.3
TRAILER_CONTEXT = b"civitas package trailer v2\0"  # §1.5 offset 56
DIGEST_CONTEXT = b"civitas package digest v2\0"    # §1.5 offset 24
KEY_ID_CONTEXT = b"civitas key id v1"              # §1.1 / docs/crypto.md

PACKAGE_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}\Z")
HEX16 = re.compile(r"[0-9a-f]{16}\Z")
USCC = re.compile(r"[0-9A-Z]{18}\Z")


def sha256(b):
    return hashlib.sha256(b).digest()


def key_id(public_key):
    """§1.1: BLAKE2b-64("civitas key id v1" || public_key), unkeyed, 8-byte output."""
    return hashlib.blake2b(KEY_ID_CONTEXT + public_key, digest_size=8).digest()


def chunks_per_segment(c):
    """§1: G = max(1, floor(1 048 576 / (C + 17)))."""
    return max(1, SEGMENT_TARGET // (c + ABYTES))


def strict_b64(s):
    """RFC 4648 §4 with padding; anything else (no padding, other alphabet, junk) is refused."""
    if not isinstance(s, str):
        raise ValueError("not a string")
    raw = base64.b64decode(s, validate=True)
    if base64.b64encode(raw).decode("ascii") != s:
        raise ValueError("not canonical base64")
    return raw


class Report:
    """What the independent verifier found: ok, or the first failed check (and segment)."""

    def __init__(self):
        self.ok = False
        self.check = None     # name of the failed check
        self.segment = None   # segment index for check == "segment"
        self.detail = ""
        self.header = None    # parsed header JSON once its signature verified
        self.layout = {}      # H, C, G, P, N, n, L, file_size
        self.segment_hashes = []  # stored S_k
        self.segments = []    # [(absolute start, chunk bytes, chunks)] per segment

    def __repr__(self):
        if self.ok:
            return f"Report(ok, {self.layout})"
        seg = "" if self.segment is None else f" segment={self.segment}"
        return f"Report(FAILED {self.check}{seg}: {self.detail})"


def check_header(h, kid, department):
    """§1.2 header fields; returns a description of the first problem, or None."""
    if not isinstance(h, dict):
        return "header is not a JSON object"
    if h.get("format") != "civitas-package":
        return f"format {h.get('format')!r}"
    v = h.get("version")
    if type(v) is not int or v != FORMAT_VERSION:
        return f"version {v!r}"
    pid = h.get("package_id")
    if not isinstance(pid, str) or not PACKAGE_ID.match(pid):
        return f"package_id {pid!r}"
    if type(h.get("created")) is not int or h["created"] < 0:
        return f"created {h.get('created')!r}"
    prov = h.get("provider")
    if not isinstance(prov, dict):
        return "provider missing"
    if prov.get("key_id") != kid.hex():
        return f"provider.key_id {prov.get('key_id')!r} != preamble key id {kid.hex()}"
    if prov.get("department") != department:  # §3 step 2: the key's department is the provider
        return f"provider.department {prov.get('department')!r} != key's department {department}"
    rec = h.get("recipients")
    if not isinstance(rec, list) or not 1 <= len(rec) <= 1024:
        return "recipients: 1 … 1024 entries"
    seen = set()
    for i, r in enumerate(rec):
        if not isinstance(r, dict):
            return f"recipients[{i}] is not an object"
        d = r.get("department")
        if not isinstance(d, str) or not USCC.match(d):
            return f"recipients[{i}].department {d!r}"
        if d in seen:
            return f"recipients: department {d} twice"
        seen.add(d)
        if not isinstance(r.get("key_id"), str) or not HEX16.match(r["key_id"]):
            return f"recipients[{i}].key_id {r.get('key_id')!r}"
        if type(r.get("sequence")) is not int or r["sequence"] < 0:
            return f"recipients[{i}].sequence {r.get('sequence')!r}"
        try:
            sealed = strict_b64(r.get("sealed_key"))
        except (ValueError, TypeError) as e:
            return f"recipients[{i}].sealed_key: {e}"
        if len(sealed) != 80:  # ephemeral X25519 key (32) + file key (32) + tag (16)
            return f"recipients[{i}].sealed_key has {len(sealed)} bytes, not 80"
    p = h.get("payload")
    if not isinstance(p, dict):
        return "payload missing"
    if p.get("compression") != "zstd":
        return f"payload.compression {p.get('compression')!r}"
    if p.get("cipher") != "xchacha20poly1305-secretstream":
        return f"payload.cipher {p.get('cipher')!r}"
    c = p.get("chunk_size")
    if type(c) is not int or not MIN_CHUNK <= c <= MAX_CHUNK:
        return f"payload.chunk_size {c!r}"
    try:
        sh = strict_b64(p.get("stream_header"))
    except (ValueError, TypeError) as e:
        return f"payload.stream_header: {e}"
    if len(sh) != 24:
        return f"payload.stream_header has {len(sh)} bytes, not 24"
    return None


def walk_segments(data, h_off, c, g):
    """§1: the payload is self-delimiting — the segment that starts at an offset is a full one
    (G full chunks) exactly when at least G·(C + 17) + 32 + 17 + 152 bytes follow that offset;
    otherwise it is the last one and the end of the file tells its size. Walks the file without
    the trailer's N and P; returns (N, L), or None if the last segment's size is impossible."""
    full = g * (c + ABYTES)
    pos, n_chunks = h_off, 0
    while len(data) - pos >= full + SEGMENT_HASH + ABYTES + SEGMENT_HASH + TRAILER:
        pos += full + SEGMENT_HASH
        n_chunks += g
    last = len(data) - pos - SEGMENT_HASH - TRAILER  # chunk bytes of the last segment
    if last < ABYTES:
        return None
    full_chunks, final = divmod(last - ABYTES, c + ABYTES)  # final = L
    if final >= c or full_chunks + 1 > g:
        return None
    return n_chunks + full_chunks + 1, final


def verify_package(data, directory):
    """Verifies package bytes against the spec. `directory` maps a key id (16 hex digits) to
    (department, Ed25519 public key) — the peer directory of §3 step 2. Returns a Report."""
    r = Report()
    data = memoryview(bytes(data))

    def fail(check, detail, segment=None):
        r.check, r.detail, r.segment = check, detail, segment
        return r

    # §3 step 1, §1.1: the preamble
    if len(data) < PREAMBLE:
        return fail("preamble", f"{len(data)} bytes, shorter than the preamble")
    pre = bytes(data[:PREAMBLE])
    magic, version, suite, reserved, header_len, kid = struct.unpack("<8sBBHI8s", pre)
    if magic != PKG_MAGIC:
        return fail("magic", magic.hex())
    if version != FORMAT_VERSION:
        return fail("version", f"version byte {version}")
    if suite != SUITE:
        return fail("suite", f"suite byte {suite}")
    if reserved != 0:
        return fail("reserved", f"reserved bytes {reserved:#x}")
    if not 2 <= header_len <= MAX_HEADER:
        return fail("header_len", f"header_len {header_len}")
    h_off = PREAMBLE + header_len + HEADER_SIG  # H = 88 + header_len
    if len(data) < h_off:
        return fail("size", f"{len(data)} bytes, shorter than preamble + header + signature ({h_off})")

    # §3 step 2: look up the key, verify the header signature, only then parse the JSON
    entry = directory.get(kid.hex())
    if entry is None:
        return fail("key_id", f"provider key id {kid.hex()} is not in the directory")
    department, pub = entry
    if key_id(pub) != kid:
        return fail("key_id", f"the directory's key does not hash to {kid.hex()}")
    header = bytes(data[PREAMBLE:PREAMBLE + header_len])
    hsig = bytes(data[PREAMBLE + header_len:h_off])
    if not ed25519_verify(pub, HEADER_CONTEXT + pre + header, hsig):
        return fail("header_signature", "Ed25519 over the header context, preamble and header")
    try:
        h = json.loads(header.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        return fail("header_json", str(e))
    r.header = h
    problem = check_header(h, kid, department)
    if problem:
        return fail("header_fields", problem)
    c = h["payload"]["chunk_size"]

    # §3 step 4, §1.5: the trailer
    if len(data) < h_off + TRAILER:
        return fail("size", f"{len(data)} bytes, no room for a trailer after {h_off}")
    tr = bytes(data[len(data) - TRAILER:])
    tmagic, p_len, n_chunks, digest = struct.unpack("<8sQQ32s", tr[:56])
    if tmagic != END_MAGIC:
        return fail("trailer_magic", f"last 120 bytes start with {tmagic.hex()}")
    if not ed25519_verify(pub, TRAILER_CONTEXT + tr[:56], tr[56:]):
        return fail("trailer_signature", "Ed25519 over the trailer context and trailer[0..56)")
    if n_chunks < 1:
        return fail("layout", "N = 0")
    g = chunks_per_segment(c)
    n = -(-n_chunks // g)
    last_len = p_len - SEGMENT_HASH * n - (n_chunks - 1) * (c + ABYTES) - ABYTES
    r.layout = dict(H=h_off, C=c, G=g, P=p_len, N=n_chunks, n=n, L=last_len, file_size=len(data))
    if not 0 <= last_len < c:
        return fail("layout", f"L = {last_len} not in [0, C = {c})")
    if h_off + p_len + TRAILER != len(data):
        return fail("size", f"H + P + 120 = {h_off + p_len + TRAILER} != file size {len(data)}")

    # §1 segment layout; two of the spec's formulas are checked against each other
    stored = []
    for k in range(n):
        start = h_off + k * (g * (c + ABYTES) + SEGMENT_HASH)
        if k < n - 1:
            count = g
            nbytes = g * (c + ABYTES)
            hash_at = start + nbytes
            if hash_at != h_off + (k + 1) * g * (c + ABYTES) + k * SEGMENT_HASH:
                return fail("layout_formula", f"segment {k}: the two hash offset formulas differ", k)
        else:
            count = n_chunks - k * g
            nbytes = (count - 1) * (c + ABYTES) + last_len + ABYTES
            hash_at = start + nbytes
            if hash_at != len(data) - TRAILER - SEGMENT_HASH:
                return fail("layout_formula", "the last segment's hash is not the 32 bytes before the trailer", k)
        if not 1 <= count <= g:
            return fail("layout_formula", f"segment {k} holds {count} chunks (G = {g})", k)
        r.segments.append((start, nbytes, count))
        stored.append(bytes(data[hash_at:hash_at + SEGMENT_HASH]))
    r.segment_hashes = stored

    # §1 the payload is self-delimiting: the walk must find the same N and L
    walked = walk_segments(data, h_off, c, g)
    if walked != (n_chunks, last_len):
        return fail("self_delimiting", f"walk found (N, L) = {walked}, trailer says {(n_chunks, last_len)}")

    # §1.5: D over the head and the stored segment hashes
    d = sha256(DIGEST_CONTEXT + sha256(bytes(data[:h_off])) + b"".join(stored))
    if d != digest:
        return fail("digest", f"computed D {d.hex()} != trailer D {digest.hex()}")

    # §1.4 step 5, §3: each segment against its signed hash
    for k, (start, nbytes, _) in enumerate(r.segments):
        if sha256(data[start:start + nbytes]) != stored[k]:
            return fail("segment", f"segment {k} (bytes {start} … {start + nbytes}) does not match S_{k}", k)
    r.ok = True
    return r


# ---- creating packages with civitas (only that) ---------------------------------------------
import civitas  # noqa: E402
from civitas import package  # noqa: E402
from civitas.workspace import Workspace  # noqa: E402

DEPT_A = "91350100M000100Y43"  # provider
SCHEMA = {"fields": [{"name": "id", "type": "integer"}, {"name": "name", "type": "string"}]}
CSV = b"id,name\n1,\xe5\xbc\xa0\xe4\xb8\x89\n2,b\n"


def uscc(body):
    return body + civitas.ids.check_char("uscc", body)


DEPT_B = uscc("91110000100000007")
DEPT_C = uscc("91110000100000015")


def public_keys(export_text):
    """Parses an export-public document (docs/workspace.md) independently: Ed25519 signing
    keys as {key id hex: (department, public key)}; X25519 exchange key ids as a set."""
    doc = json.loads(export_text)
    assert doc["format"] == "civitas-public-keys"
    signing, exchange_ids = {}, set()
    for k in doc["keys"]:
        pub = strict_b64(k["public_key"])
        assert len(pub) == 32
        assert key_id(pub).hex() == k["id"], "key id is BLAKE2b-64(context || public key)"
        if k["purpose"] == "signing":
            assert k["algorithm"] == "ed25519"
            signing[k["id"]] = (doc["department"], pub)
        elif k["purpose"] == "exchange":
            exchange_ids.add(k["id"])
    assert signing and exchange_ids
    # The document's signatures (docs/formats/workspace.md, "Public-key document", version 3):
    # one per primary or active signing key of "keys", primary first, each over the 23-byte
    # context "civitas-public-keys v3\n" followed by the compact, key-sorted JSON of the
    # document without "signatures". "sequence" is an integer >= 1; "revoked" lists keys that
    # are not in "keys", with reason superseded or compromised and an integer time.
    assert doc["version"] == 3
    assert isinstance(doc["sequence"], int) and doc["sequence"] >= 1
    listed = {k["id"] for k in doc["keys"]}
    for r in doc["revoked"]:
        assert r["id"] not in listed and r["purpose"] in ("signing", "exchange")
        assert r["reason"] in ("superseded", "compromised") and isinstance(r["revoked"], int)
    statuses = {k["id"]: k["status"] for k in doc["keys"]}
    body = {k: v for k, v in doc.items() if k != "signatures"}
    context = b"civitas-public-keys v3\n"
    assert len(context) == 23
    body_bytes = context + json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    sigs = doc["signatures"]
    assert sigs, "at least one signature"
    signers = [sig["key_id"] for sig in sigs]
    assert statuses[signers[0]] == "primary"
    assert set(signers) == {i for i in signing if statuses[i] in ("primary", "active")}
    for sig in sigs:
        assert sig["algorithm"] == "ed25519"
        assert ed25519_verify(signing[sig["key_id"]][1], body_bytes, strict_b64(sig["value"]))
        # The context is part of what is signed: without it the signature does not verify.
        assert not ed25519_verify(signing[sig["key_id"]][1], body_bytes[len(context):], strict_b64(sig["value"]))
    return signing, exchange_ids


@pytest.fixture
def depts(tmp_path):
    ws = {d: Workspace.create(str(tmp_path / f"{d}.db"), key=os.urandom(32), department=d)
          for d in (DEPT_A, DEPT_B, DEPT_C)}
    for x, y in ((DEPT_A, DEPT_B), (DEPT_B, DEPT_A), (DEPT_A, DEPT_C), (DEPT_C, DEPT_A)):
        ws[y].import_public(ws[x].export_public())
    return ws


@pytest.fixture
def directory(depts):
    signing, _ = public_keys(depts[DEPT_A].export_public())
    return signing


def verified(path, directory):
    rep = verify_package(path.read_bytes(), directory)
    assert rep.ok, rep
    return rep


def check_agrees(made, rep, path):
    """What the library says it wrote agrees with what the bytes say."""
    assert made.package_bytes == rep.layout["file_size"] == os.path.getsize(path)
    assert made.chunks == rep.layout["N"]
    assert made.header.header_bytes in (0, rep.layout["H"])
    assert made.header.version == FORMAT_VERSION
    assert package.FORMAT_VERSION == FORMAT_VERSION


def sized_package(ws, path, to, chunk_size, n_chunks, last_len, exact=True):
    """Creates a package of incompressible data whose payload has exactly N = n_chunks chunks
    and a final chunk of L = last_len bytes (exactly, or within 4096 bytes if not `exact`),
    adjusting the resource size: zstd stores random data as raw blocks, so the compressed
    size follows the input size; the data are seeded so that only the envelope's random
    package id and time vary between attempts. Returns (summary, L)."""
    target = (n_chunks - 1) * chunk_size + last_len
    size, got = target, None
    for attempt in range(40):
        if path.exists():
            path.unlink()
        data = random.Random(attempt).randbytes(size)
        made = package.create(ws, path, to=to, resources={"blob": data}, chunk_size=chunk_size)
        tr = path.read_bytes()[-TRAILER:]
        _, p_len, n = struct.unpack("<8sQQ", tr[:24])
        segs = -(-n // chunks_per_segment(chunk_size))
        final = p_len - SEGMENT_HASH * segs - (n - 1) * (chunk_size + ABYTES) - ABYTES
        got = (n - 1) * chunk_size + final  # compressed bytes
        if n == n_chunks and (final == last_len if exact else abs(final - last_len) <= 4096):
            return made, final
        size += target - got
    raise AssertionError(f"could not hit N = {n_chunks}, L = {last_len} (last: {got} compressed bytes for {target})")


# ---- packages the library writes verify independently ------------------------------------
def test_verifier_rejects_garbage_and_knows_the_rfc8032_vector(directory):
    # The reused Ed25519 verifier (RFC 8032 §7.1 TEST 1, empty message).
    pub = bytes.fromhex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")
    sig = bytes.fromhex("e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
                        "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b")
    assert ed25519_verify(pub, b"", sig) and not ed25519_verify(pub, b"x", sig)
    assert verify_package(b"", directory).check == "preamble"
    assert verify_package(b"hello world, this is not a package at all", directory).check == "magic"
    assert chunks_per_segment(65536) == 15 and 15 * (65536 + 17) == 983295  # §1's example
    assert chunks_per_segment(1024) == 1007
    assert chunks_per_segment(1 << 20) == 1 and chunks_per_segment(MAX_CHUNK) == 1


def test_small_csv_default_chunks(tmp_path, depts, directory):
    p = tmp_path / "small.civpkg"
    made = package.create(depts[DEPT_A], p, to=[DEPT_B], resources={"payers": CSV}, schema=SCHEMA,
                           catalog="110000-000001", purpose="licensing check")
    rep = verified(p, directory)
    lay = rep.layout
    assert lay["C"] == package.DEFAULT_CHUNK_SIZE == 65536 and lay["G"] == 15
    assert lay["N"] == 1 and lay["n"] == 1 and 0 < lay["L"] < lay["C"]
    assert lay["P"] == lay["L"] + ABYTES + SEGMENT_HASH
    check_agrees(made, rep, p)
    # The library's own check and reader agree that the file is good.
    assert package.verify(depts[DEPT_B], p).package_id == rep.header["package_id"]
    package.open(depts[DEPT_B], p, tmp_path / "in")
    assert (tmp_path / "in" / "data" / "payers.csv").read_bytes() == CSV


def test_empty_resource(tmp_path, depts, directory):
    p = tmp_path / "empty.civpkg"
    made = package.create(depts[DEPT_A], p, to=[DEPT_B], resources={"empty": b""})
    rep = verified(p, directory)
    assert rep.layout["N"] == 1 and rep.layout["n"] == 1
    check_agrees(made, rep, p)
    package.verify(depts[DEPT_B], p)


def test_header_fields(tmp_path, depts, directory):
    _, ex_b = public_keys(depts[DEPT_B].export_public())
    _, ex_c = public_keys(depts[DEPT_C].export_public())
    p = tmp_path / "h.civpkg"
    package.create(depts[DEPT_A], p, to=[DEPT_B, DEPT_C], resources={"t": CSV}, chunk_size=4096)
    raw = p.read_bytes()
    rep = verified(p, directory)
    h = rep.header
    assert h["format"] == "civitas-package" and h["version"] == 2 and raw[8] == 2 and raw[9] == 1
    assert raw[10:12] == b"\0\0"
    assert PACKAGE_ID.match(h["package_id"]) and re.fullmatch(r"[0-9a-f]{32}", h["package_id"])
    assert isinstance(h["created"], int) and h["created"] > 1_700_000_000
    assert h["provider"]["department"] == DEPT_A and h["provider"]["key_id"] == raw[16:24].hex()
    assert raw[16:24].hex() in directory
    assert [r["department"] for r in h["recipients"]] == [DEPT_B, DEPT_C]
    assert h["recipients"][0]["key_id"] in ex_b and h["recipients"][1]["key_id"] in ex_c
    for r in h["recipients"]:
        assert type(r["sequence"]) is int and r["sequence"] == 1
        assert len(strict_b64(r["sealed_key"])) == 80
    # the two sealed boxes use distinct ephemeral keys
    assert strict_b64(h["recipients"][0]["sealed_key"])[:32] != strict_b64(h["recipients"][1]["sealed_key"])[:32]
    pl = h["payload"]
    assert pl["compression"] == "zstd" and pl["cipher"] == "xchacha20poly1305-secretstream"
    assert pl["chunk_size"] == 4096 and len(strict_b64(pl["stream_header"])) == 24
    # header_len is the header's exact byte length: the signature follows it directly
    header_len = struct.unpack("<I", raw[12:16])[0]
    assert json.loads(raw[24:24 + header_len]) == h
    # the next package to B carries the next sequence number
    p2 = tmp_path / "h2.civpkg"
    package.create(depts[DEPT_A], p2, to=[DEPT_B], resources={"t": CSV})
    assert verified(p2, directory).header["recipients"][0]["sequence"] == 2


@pytest.mark.parametrize(
    "case, chunk_size, n_chunks, last_len, two",
    [
        # C = 1024: G = 1007. N = 3G + 1: four segments, the last holds only the final chunk.
        ("last-segment-one-chunk", 1024, 3 * 1007 + 1, 512, False),
        # N = 3G: three full segments, and an empty final chunk (compressed size = (N−1)·C).
        ("last-segment-full-empty-final", 1024, 3 * 1007, 0, False),
        # N = 2G + 300, two recipients.
        ("two-recipients", 1024, 2 * 1007 + 300, 700, True),
        # C = 1 MiB: floor(1 MiB / (C + 17)) = 0, so G = max(1, 0) = 1: one chunk per segment.
        ("one-chunk-segments", 1 << 20, 3, 1 << 19, False),
    ],
)
def test_multi_segment_packages(tmp_path, depts, directory, case, chunk_size, n_chunks, last_len, two):
    p = tmp_path / f"{case}.civpkg"
    to = [DEPT_B, DEPT_C] if two else [DEPT_B]
    made, last_len = sized_package(depts[DEPT_A], p, to, chunk_size, n_chunks, last_len, exact=chunk_size == 1024)
    rep = verified(p, directory)
    lay = rep.layout
    g = chunks_per_segment(chunk_size)
    assert (lay["N"], lay["L"], lay["G"]) == (n_chunks, last_len, g)
    assert lay["n"] == -(-n_chunks // g) >= 3
    counts = [cnt for _, _, cnt in rep.segments]
    assert sum(counts) == n_chunks and all(cnt == g for cnt in counts[:-1])
    if case == "last-segment-one-chunk":
        assert counts[-1] == 1 and lay["n"] == 4
    if case == "last-segment-full-empty-final":
        assert counts[-1] == g and lay["n"] == 3 and lay["L"] == 0
    assert lay["P"] == (n_chunks - 1) * (chunk_size + ABYTES) + last_len + ABYTES + SEGMENT_HASH * lay["n"]
    check_agrees(made, rep, p)
    assert [r["department"] for r in rep.header["recipients"]] == to
    for ws in (depts[d] for d in to):
        assert package.verify(ws, p).chunks == n_chunks


# ---- modified packages: the independent verifier and the library refuse them -------------
@pytest.fixture
def segmented(tmp_path, depts):
    """A package with C = 1024 (G = 1007) and about 2.5 G chunks: three segments."""
    p = tmp_path / "seg.civpkg"
    package.create(depts[DEPT_A], p, to=[DEPT_B], resources={"blob": os.urandom(int(2.5 * 1007 * 1024))},
                    chunk_size=1024)
    return p


def flip(raw, at):
    b = bytearray(raw)
    b[at] ^= 0x01
    return bytes(b)


def library_refuses(ws, path, cls, tmp_path):
    """package.verify and package.open both raise exactly cls; open leaves no output."""
    with pytest.raises(civitas.Error) as e:
        package.verify(ws, path)
    assert type(e.value) is cls, f"verify: {e.value!r}"
    parent = tmp_path / "opened"
    parent.mkdir(exist_ok=True)
    out = parent / "out"
    with pytest.raises(civitas.Error) as e:
        package.open(ws, path, out)
    assert type(e.value) is cls, f"open: {e.value!r}"
    assert os.listdir(parent) == [], "a refused open left something behind"


def write_modified(tmp_path, name, raw):
    q = tmp_path / name
    q.write_bytes(raw)
    return q


def test_modified_chunk_byte_is_that_segments_mismatch(tmp_path, depts, directory, segmented):
    raw = segmented.read_bytes()
    rep = verified(segmented, directory)
    assert rep.layout["n"] == 3
    for k in range(1, rep.layout["n"]):
        start, nbytes, _ = rep.segments[k]
        for at in (start, start + nbytes // 2, start + nbytes - 1):
            bad = verify_package(flip(raw, at), directory)
            assert (bad.check, bad.segment) == ("segment", k), bad
        q = write_modified(tmp_path, f"chunk{k}.civpkg", flip(raw, start + 100))
        library_refuses(depts[DEPT_B], q, civitas.IntegrityError, tmp_path)
        # the streaming reader too (it checks the segment against the hash that follows it)
        with pytest.raises(civitas.IntegrityError):
            with package.PackageReader(depts[DEPT_B], tmp_path / f"stream{k}") as r:
                r.feed(q.read_bytes())
                r.finish()
        assert not (tmp_path / f"stream{k}").exists()
    # segment 0 too
    bad = verify_package(flip(raw, rep.layout["H"] + 5), directory)
    assert (bad.check, bad.segment) == ("segment", 0)


def test_modified_segment_hash_is_digest_mismatch(tmp_path, depts, directory, segmented):
    raw = segmented.read_bytes()
    rep = verified(segmented, directory)
    for k in range(rep.layout["n"]):
        start, nbytes, _ = rep.segments[k]
        bad = verify_package(flip(raw, start + nbytes + 7), directory)
        assert bad.check == "digest", bad
    start, nbytes, _ = rep.segments[1]
    q = write_modified(tmp_path, "hash1.civpkg", flip(raw, start + nbytes))
    library_refuses(depts[DEPT_B], q, civitas.IntegrityError, tmp_path)
    # Two full segments swapped, each with its own (correct) hash: the hash list is ordered.
    (s0, n0, _), (s1, n1, _) = rep.segments[0], rep.segments[1]
    assert n0 == n1 and s1 == s0 + n0 + SEGMENT_HASH
    seg0, seg1 = raw[s0:s1], raw[s1:s1 + n1 + SEGMENT_HASH]
    swapped = raw[:s0] + seg1 + seg0 + raw[s1 + n1 + SEGMENT_HASH:]
    assert len(swapped) == len(raw)
    assert verify_package(swapped, directory).check == "digest"
    library_refuses(depts[DEPT_B], write_modified(tmp_path, "swap.civpkg", swapped), civitas.IntegrityError, tmp_path)


def test_cut_short_fails_trailer_or_size(tmp_path, depts, directory, segmented):
    raw = segmented.read_bytes()
    rep = verified(segmented, directory)
    for cut in (1, 50, 119, 120, 121, 152, 1041, len(raw) - rep.layout["H"]):
        bad = verify_package(raw[:len(raw) - cut], directory)
        assert bad.check in ("trailer_magic", "size"), (cut, bad)
    q = write_modified(tmp_path, "cut.civpkg", raw[:len(raw) - 50])
    library_refuses(depts[DEPT_B], q, civitas.TruncatedError, tmp_path)
    # One whole chunk cut out of segment 1, the signed trailer kept: H + P + 120 > file size.
    start = rep.segments[1][0]
    shorter = raw[:start] + raw[start + 1024 + ABYTES:]
    bad = verify_package(shorter, directory)
    assert bad.check == "size", bad
    with pytest.raises((civitas.TruncatedError, civitas.IntegrityError)):  # exact code: next test
        package.verify(depts[DEPT_B], write_modified(tmp_path, "nochunk.civpkg", shorter))
    # A byte appended after the trailer: the last 120 bytes are no trailer (§3 step 4: truncated).
    bad = verify_package(raw + b"\0", directory)
    assert bad.check == "trailer_magic", bad
    library_refuses(depts[DEPT_B], write_modified(tmp_path, "longer.civpkg", raw + b"\0"), civitas.TruncatedError,
                    tmp_path)


def test_chunk_removed_with_trailer_kept_is_integrity(tmp_path, depts, directory, segmented):
    """§3 step 4: "check N, P and the file size against each other (integrity: with the
    trailer in place, a length that disagrees means chunks were removed or added, not that the
    file was cut short)". One chunk removed, the signed trailer kept."""
    raw = segmented.read_bytes()
    rep = verified(segmented, directory)
    start = rep.segments[1][0]
    shorter = raw[:start] + raw[start + 1024 + ABYTES:]
    assert verify_package(shorter, directory).check == "size"
    library_refuses(depts[DEPT_B], write_modified(tmp_path, "nochunk.civpkg", shorter), civitas.IntegrityError, tmp_path)


def test_modified_header_fails_header_signature(tmp_path, depts, directory, segmented):
    raw = segmented.read_bytes()
    header_len = struct.unpack("<I", raw[12:16])[0]
    at = raw.index(b'"package_id":"') + len(b'"package_id":"') + 3
    assert at < PREAMBLE + header_len
    bad = verify_package(flip(raw, at), directory)
    assert bad.check == "header_signature", bad
    library_refuses(depts[DEPT_B], write_modified(tmp_path, "hdr.civpkg", flip(raw, at)), civitas.BadSignatureError,
                    tmp_path)
    # the header signature itself
    sig_at = PREAMBLE + header_len + 10
    assert verify_package(flip(raw, sig_at), directory).check == "header_signature"
    library_refuses(depts[DEPT_B], write_modified(tmp_path, "hsig.civpkg", flip(raw, sig_at)),
                    civitas.BadSignatureError, tmp_path)
    # the reserved preamble bytes must be zero (§1.1; no code given, and the signature covers them)
    assert verify_package(flip(raw, 10), directory).check == "reserved"
    with pytest.raises(civitas.Error):
        package.verify(depts[DEPT_B], write_modified(tmp_path, "reserved.civpkg", flip(raw, 10)))


def test_modified_trailer_and_preamble(tmp_path, depts, directory, segmented):
    raw = segmented.read_bytes()
    end = len(raw)
    # P, N, D and the signature are all covered by the trailer signature.
    for off in (8, 16, 24 + 5, 56 + 3, 119):
        bad = verify_package(flip(raw, end - TRAILER + off), directory)
        assert bad.check == "trailer_signature", (off, bad)
    library_refuses(depts[DEPT_B], write_modified(tmp_path, "tsig.civpkg", flip(raw, end - 20)),
                    civitas.BadSignatureError, tmp_path)
    library_refuses(depts[DEPT_B], write_modified(tmp_path, "tn.civpkg", flip(raw, end - TRAILER + 16)),
                    civitas.BadSignatureError, tmp_path)
    bad = verify_package(flip(raw, end - TRAILER), directory)  # trailer magic
    assert bad.check == "trailer_magic"
    # version 1 is refused (§1.1), as is another suite
    v1 = raw[:8] + b"\x01" + raw[9:]
    assert verify_package(v1, directory).check == "version"
    library_refuses(depts[DEPT_B], write_modified(tmp_path, "v1.civpkg", v1), civitas.UnsupportedVersionError, tmp_path)
    s2 = raw[:9] + b"\x02" + raw[10:]
    assert verify_package(s2, directory).check == "suite"
    library_refuses(depts[DEPT_B], write_modified(tmp_path, "s2.civpkg", s2), civitas.UnsupportedVersionError, tmp_path)
    # another provider key id: not in the directory
    kid = flip(raw, 16)
    assert verify_package(kid, directory).check == "key_id"
    library_refuses(depts[DEPT_B], write_modified(tmp_path, "kid.civpkg", kid), civitas.UnknownKeyError, tmp_path)
    # the magic
    assert verify_package(flip(raw, 1), directory).check == "magic"
    library_refuses(depts[DEPT_B], write_modified(tmp_path, "magic.civpkg", flip(raw, 1)), civitas.ParseError, tmp_path)


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q", "-p", "no:cacheprovider"]))
