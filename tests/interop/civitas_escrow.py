"""An independent reader and writer of civitas escrow shares (docs/formats/escrow-share.md).

Standard library only, written from the format document, not from the C++ sources: GF(2^8)
arithmetic modulo x^8+x^4+x^3+x+1, Lagrange interpolation at 0, the checksum (BLAKE2b-256
over "civitas-escrow-share v1\\n" and the canonical JSON) and the key check (BLAKE2b-128
keyed by the workspace key).
"""
from __future__ import annotations

import hashlib
import hmac
import json
import os
import re

FORMAT = "civitas-escrow-share"
SCHEME = "shamir-gf256"
CHECKSUM_CONTEXT = b"civitas-escrow-share v1\n"
KEY_CHECK_CONTEXT = b"civitas escrow key check v1/"
FIELDS = {"format", "version", "scheme", "workspace_id", "department", "escrow_id", "created",
          "threshold", "shares", "index", "value", "key_check", "checksum"}


class ShareError(ValueError):
    pass


# ---- GF(2^8) -----------------------------------------------------------------------------

def gf_mul(a: int, b: int) -> int:
    """Product modulo 0x11b (schoolbook; this reader does not need constant time)."""
    p = 0
    while b:
        if b & 1:
            p ^= a
        a <<= 1
        if a & 0x100:
            a ^= 0x11B
        b >>= 1
    return p


def gf_inv(a: int) -> int:
    if a == 0:
        raise ZeroDivisionError("0 has no inverse in GF(2^8)")
    r = 1
    for _ in range(254):  # a^254
        r = gf_mul(r, a)
    return r


def interpolate(points: list[tuple[int, bytes]], x: int) -> bytes:
    """Values at x of the polynomials through (x_i, y_i) byte-wise."""
    xs = [p[0] for p in points]
    if len(set(xs)) != len(xs) or 0 in xs:
        raise ShareError("x coordinates must be distinct and non-zero")
    n = len(points[0][1])
    out = bytearray(n)
    for i, (xi, yi) in enumerate(points):
        num, den = 1, 1
        for j, (xj, _) in enumerate(points):
            if j != i:
                num = gf_mul(num, x ^ xj)
                den = gf_mul(den, xi ^ xj)
        li = gf_mul(num, gf_inv(den))
        for b in range(n):
            out[b] ^= gf_mul(li, yi[b])
    return bytes(out)


def combine(points: list[tuple[int, bytes]]) -> bytes:
    return interpolate(points, 0)


def split(secret: bytes, shares: int, threshold: int, coefficients: bytes | None = None) -> list[tuple[int, bytes]]:
    """Shares x = 1..shares; coefficient of x^d of byte j at coefficients[j*(threshold-1) + d-1]."""
    deg = threshold - 1
    if coefficients is None:
        coefficients = os.urandom(deg * len(secret))
    if len(coefficients) != deg * len(secret):
        raise ShareError("wrong number of coefficient bytes")
    out = []
    for x in range(1, shares + 1):
        y = bytearray()
        for j, s in enumerate(secret):
            acc, xp = s, 1
            for d in range(1, threshold):
                xp = gf_mul(xp, x)
                acc ^= gf_mul(coefficients[j * deg + d - 1], xp)
            y.append(acc)
        out.append((x, bytes(y)))
    return out


# ---- share documents ---------------------------------------------------------------------

def canonical(doc: dict) -> bytes:
    body = {k: v for k, v in doc.items() if k != "checksum"}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def checksum(doc: dict) -> str:
    return hashlib.blake2b(CHECKSUM_CONTEXT + canonical(doc), digest_size=32).hexdigest()


def key_check(w: bytes, workspace_id: str) -> str:
    return hashlib.blake2b(KEY_CHECK_CONTEXT + workspace_id.encode("ascii"), key=w, digest_size=16).hexdigest()


HEX = re.compile(r"^[0-9a-f]+$")


def read_share(text: str | bytes, where: str = "share") -> dict:
    doc = json.loads(text)
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise ShareError(f"{where}: not a civitas escrow share")
    if doc.get("version") != 1 or doc.get("scheme") != SCHEME:
        raise ShareError(f"{where}: unsupported version or scheme")
    if set(doc) != FIELDS:
        raise ShareError(f"{where}: fields {sorted(set(doc) ^ FIELDS)} missing or unknown")
    for k, n in (("workspace_id", 32), ("escrow_id", 32), ("key_check", 32), ("checksum", 64), ("value", 64)):
        if not isinstance(doc[k], str) or len(doc[k]) != n or not HEX.match(doc[k]):
            raise ShareError(f"{where}: {k} must be {n} lowercase hex digits")
    for k in ("threshold", "shares", "index"):
        if not isinstance(doc[k], int) or not 1 <= doc[k] <= 255:
            raise ShareError(f"{where}: {k} must be 1..255")
    if not hmac.compare_digest(checksum(doc), doc["checksum"]):
        raise ShareError(f"{where}: checksum does not match (damaged share)")
    if doc["threshold"] > doc["shares"] or doc["index"] > doc["shares"]:
        raise ShareError(f"{where}: index/threshold/shares do not fit together")
    return doc


def recover(docs: list[dict]) -> bytes:
    """The workspace key from share documents of one escrow set; checked with the key check."""
    first = docs[0]
    for d in docs:
        for k in ("workspace_id", "escrow_id", "threshold", "shares", "key_check"):
            if d[k] != first[k]:
                raise ShareError(f"shares of different escrow sets ({k} differs)")
    if len({d["index"] for d in docs}) != len(docs):
        raise ShareError("the same share is given twice")
    if len(docs) < first["threshold"]:
        raise ShareError(f"{first['threshold']} shares needed, {len(docs)} given")
    w = combine([(d["index"], bytes.fromhex(d["value"])) for d in docs])
    if not hmac.compare_digest(key_check(w, first["workspace_id"]), first["key_check"]):
        raise ShareError("the shares do not rebuild the workspace key")
    return w


def write_share(doc: dict) -> str:
    """The file text in the layout civitas writes (any JSON layout reads the same)."""
    doc = dict(doc)
    doc["checksum"] = checksum(doc)
    order = ["format", "version", "scheme", "workspace_id", "department", "escrow_id", "created",
             "threshold", "shares", "index", "value", "key_check", "checksum"]
    lines = [f'  "{k}": {json.dumps(doc[k])}' for k in order]
    return "{\n" + ",\n".join(lines) + "\n}\n"


def make_shares(w: bytes, workspace_id: str, department: str, escrow_id: str, created: int,
                shares: int, threshold: int, coefficients: bytes | None = None) -> list[str]:
    kc = key_check(w, workspace_id)
    out = []
    for x, y in split(w, shares, threshold, coefficients):
        out.append(write_share({"format": FORMAT, "version": 1, "scheme": SCHEME, "workspace_id": workspace_id,
                                "department": department, "escrow_id": escrow_id, "created": created,
                                "threshold": threshold, "shares": shares, "index": x, "value": y.hex(),
                                "key_check": kc}))
    return out
