"""Independent verification and opening of civitas packages, written only from the text of
docs/formats/package.md (version 3, and version 2 which readers still accept: §1 layout, §1.1
preamble, §1.2 header and stanza, §1.3 header signature, §1.4 payload, §1.5 trailer, §2
content, §3 reading, §7 versions): struct, json, base64, hashlib, the pure-Python Ed25519 of
test_audit_verify_independent.py (RFC 8032), pure-Python X25519, XSalsa20-Poly1305 sealed
boxes, ChaCha20-Poly1305 secretstream, and the `zstd` command for the compressed content.

civitas is used to CREATE packages and to export public keys (the export-public document,
docs/workspace.md); every check of the bytes is done here. The library is then asked about the
same (modified) files, and must refuse them with the spec's codes. The platform's `verify`
(§3 steps 1, 2 and 4, then every segment against its signed hash) needs no secret key; to
open a package (§3 step 5, the stanza's sealed box), a department whose keys this file makes
(pure Python) is imported into the provider's peer directory, and packages this file writes
from the spec (versions 2 and 3) are opened by the library.

Runs under pytest (CTest `python.test_package_format_independent`) or as a script.
"""
import base64
import hashlib
import json
import os
import random
import re
import shutil
import struct
import subprocess
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_audit_verify_independent import BASE, Q, _encode_point, _mul, ed25519_verify  # noqa: E402

# ---- the format, from docs/formats/package.md ---------------------------------------------
PKG_MAGIC = b"\x89CIVPKG\n"        # §1.1: 89 43 49 56 50 4B 47 0A
END_MAGIC = b"\x89CIVEND\n"        # §1.5: 89 43 49 56 45 4E 44 0A
FORMAT_VERSION = 3                 # §1.1 offset 8: written
READABLE_VERSIONS = (2, 3)         # §1.1, §7: read
SEALED_KEY_SIZE = {2: 80, 3: 140}  # §1.2: crypto_box_seal (48) of the raw file key (v2) or of key_content (v3)
FILE_KEY_LABEL = b"civitas package file key v3\0"  # §1.2: 27 ASCII bytes and a zero byte
PAYLOAD_KEY_CONTEXT = b"civitas package payload key v1\0"  # §1.4 step 2
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


def check_header(h, kid, department, version):
    """§1.2 header fields; returns a description of the first problem, or None."""
    if not isinstance(h, dict):
        return "header is not a JSON object"
    if h.get("format") != "civitas-package":
        return f"format {h.get('format')!r}"
    v = h.get("version")
    if type(v) is not int or v != version:  # the preamble's version byte
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
        if len(sealed) != SEALED_KEY_SIZE[version]:  # ephemeral key (32) + tag (16) + 32 (v2) or 92 (v3)
            return f"recipients[{i}].sealed_key has {len(sealed)} bytes, not {SEALED_KEY_SIZE[version]}"
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
    if version not in READABLE_VERSIONS:
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
    problem = check_header(h, kid, department, version)
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


# ---- opening: pure-Python X25519, XSalsa20-Poly1305, ChaCha20 and secretstream -------------
# §1.2 "sealed_key", §1.4, §3 step 5. The primitives follow their specifications (RFC 7748
# X25519; Salsa20/HSalsa20/XSalsa20 and crypto_box / crypto_box_seal as NaCl and libsodium
# define them; RFC 8439 ChaCha20 and Poly1305; HChaCha20; libsodium's secretstream). The zstd
# frame is decompressed with the `zstd` command (RFC 8878), the one tool taken from outside.
M32 = 0xFFFFFFFF


def _rotl(v, c):
    return ((v << c) & M32) | (v >> (32 - c))


def _words(b):
    return list(struct.unpack("<%dI" % (len(b) // 4), b))


def x25519(k, u):
    """RFC 7748 §5 (scalar multiplication on Curve25519, u-coordinate only)."""
    p = 2**255 - 19
    kk = bytearray(k)
    kk[0] &= 248
    kk[31] &= 127
    kk[31] |= 64
    k_int = int.from_bytes(kk, "little")
    x1 = int.from_bytes(u, "little") & ((1 << 255) - 1)
    x2, z2, x3, z3, swap = 1, 0, x1, 1, 0
    for t in reversed(range(255)):
        bit = (k_int >> t) & 1
        swap ^= bit
        if swap:
            x2, x3, z2, z3 = x3, x2, z3, z2
        swap = bit
        a, b = (x2 + z2) % p, (x2 - z2) % p
        aa, bb = a * a % p, b * b % p
        e = (aa - bb) % p
        c, d = (x3 + z3) % p, (x3 - z3) % p
        da, cb = d * a % p, c * b % p
        x3 = (da + cb) ** 2 % p
        z3 = x1 * (da - cb) ** 2 % p
        x2 = aa * bb % p
        z2 = e * (aa + 121665 * e) % p
    if swap:
        x2, z2 = x3, z3
    return (x2 * pow(z2, p - 2, p) % p).to_bytes(32, "little")


X25519_BASE = (9).to_bytes(32, "little")


def _salsa_rounds(x):
    x = list(x)

    def qr(a, b, c, d):
        x[b] ^= _rotl((x[a] + x[d]) & M32, 7)
        x[c] ^= _rotl((x[b] + x[a]) & M32, 9)
        x[d] ^= _rotl((x[c] + x[b]) & M32, 13)
        x[a] ^= _rotl((x[d] + x[c]) & M32, 18)
    for _ in range(10):
        qr(0, 4, 8, 12); qr(5, 9, 13, 1); qr(10, 14, 2, 6); qr(15, 3, 7, 11)
        qr(0, 1, 2, 3); qr(5, 6, 7, 4); qr(10, 11, 8, 9); qr(15, 12, 13, 14)
    return x


SIGMA = _words(b"expand 32-byte k")


def _salsa_state(key, inp16):
    k, i = _words(key), _words(inp16)
    return [SIGMA[0], *k[:4], SIGMA[1], *i, SIGMA[2], *k[4:], SIGMA[3]]


def hsalsa20(key, inp16):
    x = _salsa_rounds(_salsa_state(key, inp16))
    return struct.pack("<8I", x[0], x[5], x[10], x[15], x[6], x[7], x[8], x[9])


def xsalsa20_stream(key, nonce24, n):
    sub = hsalsa20(key, nonce24[:16])
    out = bytearray()
    for ctr in range((n + 63) // 64):
        s = _salsa_state(sub, nonce24[16:24] + struct.pack("<Q", ctr))
        x = _salsa_rounds(s)
        out += struct.pack("<16I", *((a + b) & M32 for a, b in zip(x, s)))
    return bytes(out[:n])


def poly1305(key, msg):
    """RFC 8439 §2.5."""
    r = int.from_bytes(key[:16], "little") & 0x0ffffffc0ffffffc0ffffffc0fffffff
    s = int.from_bytes(key[16:32], "little")
    p, acc = (1 << 130) - 5, 0
    for i in range(0, len(msg), 16):
        acc = (acc + int.from_bytes(msg[i:i + 16] + b"\x01", "little")) * r % p
    return ((acc + s) & ((1 << 128) - 1)).to_bytes(16, "little")


def xor(a, b):
    return bytes(x ^ y for x, y in zip(a, b))


def box_seal(m, pk, esk=None):
    """crypto_box_seal: epk || crypto_box(m, nonce = BLAKE2b-192(epk || pk), pk, esk)."""
    esk = esk or os.urandom(32)
    epk = x25519(esk, X25519_BASE)
    nonce = hashlib.blake2b(epk + pk, digest_size=24).digest()
    k = hsalsa20(x25519(esk, pk), bytes(16))  # crypto_box_beforenm
    stream = xsalsa20_stream(k, nonce, 32 + len(m))
    c = xor(m, stream[32:])
    return epk + poly1305(stream[:32], c) + c


def box_seal_open(box, sk):
    """The inverse of box_seal, or None when the box does not authenticate."""
    if len(box) < 48:
        return None
    epk, mac, c = box[:32], box[32:48], box[48:]
    pk = x25519(sk, X25519_BASE)
    nonce = hashlib.blake2b(epk + pk, digest_size=24).digest()
    k = hsalsa20(x25519(sk, epk), bytes(16))
    stream = xsalsa20_stream(k, nonce, 32 + len(c))
    if not hmac_compare(poly1305(stream[:32], c), mac):
        return None
    return xor(c, stream[32:])


def hmac_compare(a, b):
    import hmac
    return hmac.compare_digest(a, b)


def _chacha_rounds(x):
    x = list(x)

    def qr(a, b, c, d):
        x[a] = (x[a] + x[b]) & M32; x[d] = _rotl(x[d] ^ x[a], 16)
        x[c] = (x[c] + x[d]) & M32; x[b] = _rotl(x[b] ^ x[c], 12)
        x[a] = (x[a] + x[b]) & M32; x[d] = _rotl(x[d] ^ x[a], 8)
        x[c] = (x[c] + x[d]) & M32; x[b] = _rotl(x[b] ^ x[c], 7)
    for _ in range(10):
        qr(0, 4, 8, 12); qr(1, 5, 9, 13); qr(2, 6, 10, 14); qr(3, 7, 11, 15)
        qr(0, 5, 10, 15); qr(1, 6, 11, 12); qr(2, 7, 8, 13); qr(3, 4, 9, 14)
    return x


def hchacha20(key, inp16):
    x = _chacha_rounds(SIGMA + _words(key) + _words(inp16))
    return struct.pack("<8I", *x[:4], *x[12:])


def chacha20_ietf(key, nonce12, counter, n):
    """RFC 8439 §2.4 keystream of n bytes from block `counter`."""
    out = bytearray()
    for i in range((n + 63) // 64):
        s = SIGMA + _words(key) + [counter + i] + _words(nonce12)
        x = _chacha_rounds(s)
        out += struct.pack("<16I", *((a + b) & M32 for a, b in zip(x, s)))
    return bytes(out[:n])


TAG_MESSAGE, TAG_FINAL = 0, 3


class SecretStream:
    """libsodium's crypto_secretstream_xchacha20poly1305 (no associated data here): the key
    and nonce come from HChaCha20 over the 24-byte header; each message is one tag byte,
    the ciphertext and a 16-byte Poly1305 tag; the 8-byte inner nonce is XORed with the tag
    and the 4-byte counter incremented after each message (rekeying only on counter wrap,
    which a test package never reaches)."""

    def __init__(self, key, header):
        self.k = hchacha20(key, header[:16])
        self.counter, self.inonce = 1, header[16:24]

    def _nonce(self):
        return struct.pack("<I", self.counter) + self.inonce

    def _mac(self, block, c):
        poly_key = chacha20_ietf(self.k, self._nonce(), 0, 64)[:32]
        pad = (0x10 - 64 + len(c)) & 0xF  # libsodium's padding after the ciphertext
        msg = block + c + bytes(pad) + struct.pack("<QQ", 0, 64 + len(c))
        return poly1305(poly_key, msg)

    def _advance(self, mac):
        self.inonce = xor(self.inonce, mac[:8])
        self.counter = (self.counter + 1) & M32
        assert self.counter, "counter wrap (rekey) is not needed for test packages"

    def push(self, m, tag):
        block = bytearray(chacha20_ietf(self.k, self._nonce(), 1, 64))
        block[0] ^= tag
        c = xor(m, chacha20_ietf(self.k, self._nonce(), 2, len(m)))
        mac = self._mac(bytes(block), c)
        self._advance(mac)
        return bytes(block[:1]) + c + mac

    def pull(self, chunk):
        """(tag, plaintext), or None when the chunk does not authenticate."""
        if len(chunk) < ABYTES:
            return None
        c, mac = chunk[1:-16], chunk[-16:]
        block = bytearray(chacha20_ietf(self.k, self._nonce(), 1, 64))
        tag = block[0] ^ chunk[0]
        block[0] = chunk[0]
        if not hmac_compare(self._mac(bytes(block), c), mac):
            return None
        m = xor(c, chacha20_ietf(self.k, self._nonce(), 2, len(c)))
        self._advance(mac)
        return tag, m


def ed25519_public(seed):
    h = hashlib.sha512(seed).digest()
    a = int.from_bytes(h[:32], "little")
    a = (a & ((1 << 254) - 8)) | (1 << 254)
    return _encode_point(_mul(a, BASE))


def ed25519_sign(seed, msg):
    """RFC 8032 §5.1.6."""
    h = hashlib.sha512(seed).digest()
    a = (int.from_bytes(h[:32], "little") & ((1 << 254) - 8)) | (1 << 254)
    pub = _encode_point(_mul(a, BASE))
    r = int.from_bytes(hashlib.sha512(h[32:] + msg).digest(), "little") % Q
    R = _encode_point(_mul(r, BASE))
    k = int.from_bytes(hashlib.sha512(R + pub + msg).digest(), "little") % Q
    return R + ((r + k * a) % Q).to_bytes(32, "little")


def payload_key(file_key, package_id):
    """§1.4 step 2: BLAKE2b-256(key = file_key, "civitas package payload key v1\\0" || id)."""
    return hashlib.blake2b(PAYLOAD_KEY_CONTEXT + package_id.encode(), key=file_key, digest_size=32).digest()


def file_key_binding(provider_kid, package_id):
    """§1.2: SHA-256(provider_key_id || package_id)."""
    return sha256(provider_kid + package_id.encode("ascii"))


def zstd(data, decompress):
    exe = shutil.which("zstd")
    if not exe:
        pytest.skip("the zstd command is needed to (de)compress the content independently")
    args = [exe, "-d" if decompress else "-1", "-c", "-q"] + (["--memory=32MB"] if decompress else ["--no-check"])
    return subprocess.run(args, input=data, capture_output=True, check=True).stdout


class Opened:
    """What the independent opener found: the failed check, or the files of a package."""

    def __init__(self):
        self.check = None
        self.detail = ""
        self.version = None
        self.file_key = None
        self.envelope = None
        self.datapackage = None
        self.files = {}       # "data/<name>" -> bytes

    def __repr__(self):
        return f"Opened({'ok' if self.check is None else 'FAILED ' + self.check}: {self.detail})"


def open_package(data, directory, exchange_sk):
    """§3 steps 1–6 for the recipient whose X25519 secret is exchange_sk (no schema validation:
    the records are the library's business). Returns an Opened."""
    o = Opened()
    rep = verify_package(data, directory)
    if not rep.ok:
        o.check, o.detail = "verify:" + rep.check, rep.detail
        return o
    data = bytes(data)
    h, lay = rep.header, rep.layout
    o.version = data[8]
    my_kid = key_id(x25519(exchange_sk, X25519_BASE)).hex()
    mine = [r for r in h["recipients"] if r["key_id"] == my_kid]
    if not mine:
        o.check = "not_recipient"
        return o
    content = box_seal_open(strict_b64(mine[0]["sealed_key"]), exchange_sk)
    if content is None:
        o.check = "box"
        return o
    if o.version == 2:
        if len(content) != 32:
            o.check, o.detail = "box_content", f"{len(content)} bytes"
            return o
        file_key = content
    else:
        if len(content) != 92 or content[:28] != FILE_KEY_LABEL:
            o.check, o.detail = "box_label", content[:28].hex()
            return o
        if content[28:60] != file_key_binding(data[16:24], h["package_id"]):
            o.check = "box_binding"
            return o
        file_key = content[60:]
    o.file_key = file_key
    ss = SecretStream(payload_key(file_key, h["package_id"]), strict_b64(h["payload"]["stream_header"]))
    c = lay["C"]
    compressed = bytearray()
    index = 0
    for start, nbytes, count in rep.segments:  # each already matched its signed hash
        for j in range(count):
            clen = c + ABYTES if index < lay["N"] - 1 else lay["L"] + ABYTES
            off = start + j * (c + ABYTES)
            got = ss.pull(data[off:off + clen])
            if got is None:
                o.check, o.detail = "chunk", f"chunk {index}"
                return o
            tag, m = got
            if tag != (TAG_FINAL if index == lay["N"] - 1 else TAG_MESSAGE):
                o.check, o.detail = "tag", f"chunk {index} tag {tag}"
                return o
            compressed += m
            index += 1
    plain = zstd(bytes(compressed), decompress=True)
    # §2: "CIVPKGC1" entry* "Z"
    if plain[:8] != b"CIVPKGC1":
        o.check = "content_magic"
        return o
    pos, entries = 8, []
    while True:
        t = plain[pos:pos + 1]
        pos += 1
        if t == b"Z":
            break
        (name_len,) = struct.unpack("<H", plain[pos:pos + 2])
        name = plain[pos + 2:pos + 2 + name_len].decode()
        pos += 2 + name_len
        body = bytearray()
        while True:
            (n,) = struct.unpack("<I", plain[pos:pos + 4])
            pos += 4
            if n == 0:
                break
            body += plain[pos:pos + n]
            pos += n
        entries.append((t.decode(), name, bytes(body)))
    if pos != len(plain):
        o.check = "after_end"
        return o
    types = "".join(t for t, _, _ in entries)
    if not re.fullmatch(r"ER*P", types) or entries[0][1] != "envelope.json" or entries[-1][1] != "datapackage.json":
        o.check, o.detail = "entries", types
        return o
    o.envelope, o.datapackage = json.loads(entries[0][2]), json.loads(entries[-1][2])
    o.files = {name: body for t, name, body in entries if t == "R"}
    env = o.envelope
    if (env["package_id"], env["provider"]) != (h["package_id"], h["provider"]["department"]) or \
            env["consumers"] != [r["department"] for r in h["recipients"]] or \
            env["sequences"] != {r["department"]: r["sequence"] for r in h["recipients"]}:
        o.check = "envelope"
        return o
    for res in o.datapackage["resources"]:
        body = o.files.get(res["path"])
        if body is None or res["bytes"] != len(body) or res["hash"] != "sha256:" + sha256(body).hex():
            o.check, o.detail = "datapackage", res["path"]
            return o
    if len(o.datapackage["resources"]) != len(o.files):
        o.check = "datapackage"
        return o
    return o


def build_package(provider, provider_seed, recipients, files, version=FORMAT_VERSION, box_content=None,
                  chunk_size=1024, package_id=None, created=None):
    """Writes a package from the spec alone: §1 layout, §1.2 header and stanzas, §1.3, §1.4
    (zstd level 1, secretstream), §1.5, §2 content. recipients: [(department, X25519 public
    key, sequence)]; files: {"<name>.csv": bytes}. box_content(file_key, provider_kid,
    package_id) replaces the stanza content of `version` (for forged stanzas)."""
    pub = ed25519_public(provider_seed)
    kid = key_id(pub)
    package_id = package_id or os.urandom(16).hex()
    created = created or 1796000000
    file_key = os.urandom(32)
    header_stream = os.urandom(24)
    if box_content is None:
        def box_content(fk, pk_id, pid):
            return fk if version == 2 else FILE_KEY_LABEL + file_key_binding(pk_id, pid) + fk
    stanzas = [{"department": d, "key_id": key_id(pk).hex(), "sequence": seq,
                "sealed_key": base64.b64encode(box_seal(box_content(file_key, kid, package_id), pk)).decode()}
               for d, pk, seq in recipients]
    header = json.dumps({
        "format": "civitas-package", "version": version, "package_id": package_id, "created": created,
        "provider": {"department": provider, "key_id": kid.hex()}, "recipients": stanzas,
        "payload": {"compression": "zstd", "cipher": "xchacha20poly1305-secretstream", "chunk_size": chunk_size,
                    "stream_header": base64.b64encode(header_stream).decode()}}, separators=(",", ":")).encode()
    pre = PKG_MAGIC + struct.pack("<BBHI", version, SUITE, 0, len(header)) + kid
    head = pre + header + ed25519_sign(provider_seed, HEADER_CONTEXT + pre + header)

    def entry(t, name, body):
        out = t + struct.pack("<H", len(name)) + name.encode()
        for i in range(0, len(body), 4096):
            out += struct.pack("<I", len(body[i:i + 4096])) + body[i:i + 4096]
        return out + b"\0\0\0\0"
    envelope = {"package_id": package_id, "provider": provider, "consumers": [d for d, _, _ in recipients],
                "sequences": {d: s for d, _, s in recipients}, "catalog": "110000-000001", "purpose": "independent",
                "approval": "A-1", "created": "2026-12-07T00:00:00Z", "request_hash": None}
    resources = [{"name": n.rsplit(".", 1)[0], "path": "data/" + n, "format": "csv", "encoding": "utf-8",
                  "bytes": len(b), "hash": "sha256:" + sha256(b).hex()} for n, b in files.items()]
    content = b"CIVPKGC1" + entry(b"E", "envelope.json", json.dumps(envelope).encode())
    for n, b in files.items():
        content += entry(b"R", "data/" + n, b)
    content += entry(b"P", "datapackage.json", json.dumps({"name": "p", "resources": resources}).encode()) + b"Z"
    compressed = zstd(content, decompress=False)
    ss = SecretStream(payload_key(file_key, package_id), header_stream)
    pieces = [compressed[i:i + chunk_size] for i in range(0, len(compressed), chunk_size)]
    if not pieces or len(pieces[-1]) == chunk_size:
        pieces.append(b"")  # §1: the final chunk is shorter than C, possibly empty
    chunks = [ss.push(p, TAG_FINAL if i == len(pieces) - 1 else TAG_MESSAGE) for i, p in enumerate(pieces)]
    g = chunks_per_segment(chunk_size)
    payload, hashes = b"", []
    for k in range(0, len(chunks), g):
        seg = b"".join(chunks[k:k + g])
        hashes.append(sha256(seg))
        payload += seg + hashes[-1]
    d = sha256(DIGEST_CONTEXT + sha256(head) + b"".join(hashes))
    t56 = END_MAGIC + struct.pack("<QQ", len(payload), len(chunks)) + d
    return head + payload + t56 + ed25519_sign(provider_seed, TRAILER_CONTEXT + t56)


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
    assert h["format"] == "civitas-package" and h["version"] == 3 and raw[8] == 3 and raw[9] == 1
    assert raw[10:12] == b"\0\0"
    assert PACKAGE_ID.match(h["package_id"]) and re.fullmatch(r"[0-9a-f]{32}", h["package_id"])
    assert isinstance(h["created"], int) and h["created"] > 1_700_000_000
    assert h["provider"]["department"] == DEPT_A and h["provider"]["key_id"] == raw[16:24].hex()
    assert raw[16:24].hex() in directory
    assert [r["department"] for r in h["recipients"]] == [DEPT_B, DEPT_C]
    assert h["recipients"][0]["key_id"] in ex_b and h["recipients"][1]["key_id"] in ex_c
    for r in h["recipients"]:
        assert type(r["sequence"]) is int and r["sequence"] == 1
        assert len(strict_b64(r["sealed_key"])) == 140
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


# ---- opening (§3 step 5): the stanza's box, v3 and v2, both ways -------------------------
class Independent:
    """A department whose keys exist only here (pure Python): an Ed25519 signing key and an
    X25519 exchange key, published as a version 3 key document (docs/formats/workspace.md)."""

    def __init__(self, department):
        self.department = department
        self.seed = os.urandom(32)
        self.sign_pk = ed25519_public(self.seed)
        self.box_sk = os.urandom(32)
        self.box_pk = x25519(self.box_sk, X25519_BASE)

    def document(self):
        keys = [{"id": key_id(pk).hex(), "purpose": purpose, "algorithm": alg,
                 "public_key": base64.b64encode(pk).decode(), "status": "primary", "created": 1796000000}
                for purpose, alg, pk in (("signing", "ed25519", self.sign_pk), ("exchange", "x25519", self.box_pk))]
        body = {"format": "civitas-public-keys", "version": 3, "department": self.department,
                "name": "independent", "sequence": 1, "keys": keys, "revoked": []}
        msg = b"civitas-public-keys v3\n" + json.dumps(body, sort_keys=True, separators=(",", ":"),
                                                       ensure_ascii=False).encode()
        body["signatures"] = [{"algorithm": "ed25519", "key_id": key_id(self.sign_pk).hex(),
                               "value": base64.b64encode(ed25519_sign(self.seed, msg)).decode()}]
        return json.dumps(body)


def exchange_public(ws):
    doc = json.loads(ws.export_public())
    return next(strict_b64(k["public_key"]) for k in doc["keys"]
                if k["purpose"] == "exchange" and k["status"] == "primary")


@pytest.fixture
def indep(depts):
    org8 = "10000002"
    e = Independent(uscc("91110000" + org8 + civitas.ids.check_char("orgcode", org8)))
    for d in (DEPT_A, DEPT_B):
        depts[d].import_public(e.document())
    return e


def test_primitives_against_known_answers():
    # RFC 7748 §6.1 (X25519 Diffie-Hellman), RFC 8439 §2.5.2 (Poly1305), §2.4.2 (ChaCha20).
    a_sk = bytes.fromhex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a")
    b_pk = bytes.fromhex("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f")
    assert x25519(a_sk, X25519_BASE).hex() == "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a"
    assert x25519(a_sk, b_pk).hex() == "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742"
    assert poly1305(bytes.fromhex("85d6be7857556d337f4452fe42d506a80103808afb0db2fd4abff6af4149f51b"),
                    b"Cryptographic Forum Research Group").hex() == "a8061dc1305136c6c22b8baf0c0127a9"
    ks = chacha20_ietf(bytes(range(32)), bytes.fromhex("000000000000004a00000000"), 1, 16)
    assert xor(ks, b"Ladies and Gentl").hex() == "6e2e359a2568f98041ba0728dd0d6981"
    # Sealed boxes and the secretstream round-trip; a flipped byte does not open.
    sk = os.urandom(32)
    box = box_seal(b"x" * 92, x25519(sk, X25519_BASE))
    assert len(box) == 140 and box_seal_open(box, sk) == b"x" * 92
    assert box_seal_open(flip(box, 60), sk) is None and box_seal_open(box, os.urandom(32)) is None
    key, hdr = os.urandom(32), os.urandom(24)
    w, r = SecretStream(key, hdr), SecretStream(key, hdr)
    c1, c2 = w.push(b"hello", TAG_MESSAGE), w.push(b"", TAG_FINAL)
    assert len(c1) == 5 + ABYTES and r.pull(c1) == (TAG_MESSAGE, b"hello") and r.pull(c2) == (TAG_FINAL, b"")
    assert SecretStream(key, hdr).pull(flip(c1, 3)) is None
    # RFC 8032 §7.1 TEST 1: the signer makes the published signature.
    seed = bytes.fromhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
    assert ed25519_public(seed).hex() == "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
    assert ed25519_sign(seed, b"").hex().startswith("e5564300c360ac729086e2cc806e828a")


def test_library_v3_package_opens_independently(tmp_path, depts, directory, indep):
    p = tmp_path / "to-indep.civpkg"
    made = package.create(depts[DEPT_A], p, to=[DEPT_B, indep.department], resources={"payers": CSV}, schema=SCHEMA)
    raw = p.read_bytes()
    assert raw[8] == 3
    h = verified(p, directory).header
    stanza = h["recipients"][1]
    assert stanza["department"] == indep.department and stanza["key_id"] == key_id(indep.box_pk).hex()
    # §1.2: the box holds the label, SHA-256(provider key id || package id) and the file key.
    content = box_seal_open(strict_b64(stanza["sealed_key"]), indep.box_sk)
    assert len(content) == 92 and content[:28] == FILE_KEY_LABEL and len(FILE_KEY_LABEL) == 28
    assert content[28:60] == sha256(raw[16:24] + made.package_id.encode())
    o = open_package(raw, directory, indep.box_sk)
    assert o.check is None, o
    assert o.version == 3 and o.file_key == content[60:]
    assert o.files == {"data/payers.csv": CSV}
    assert o.envelope["provider"] == DEPT_A and o.envelope["consumers"] == [DEPT_B, indep.department]
    assert o.datapackage["resources"][0]["schema"] == SCHEMA
    # The library agrees: B opens the same package to the same bytes.
    package.open(depts[DEPT_B], p, tmp_path / "b")
    assert (tmp_path / "b" / "data" / "payers.csv").read_bytes() == o.files["data/payers.csv"]
    # Another key is no recipient; a changed stanza breaks the header signature.
    assert open_package(raw, directory, os.urandom(32)).check == "not_recipient"
    at = raw.index(stanza["sealed_key"].encode()) + 10
    assert open_package(flip(raw, at), directory, indep.box_sk).check == "verify:header_signature"


def test_spec_built_packages_open_in_the_library(tmp_path, depts, indep):
    """Packages written here from the spec, version 3 and version 2 (§7: still read)."""
    b_pk = exchange_public(depts[DEPT_B])
    dir_e = {key_id(indep.sign_pk).hex(): (indep.department, indep.sign_pk)}
    data = CSV * 200
    for seq, version in ((1, 3), (2, 2)):
        raw = build_package(indep.department, indep.seed, [(DEPT_B, b_pk, seq), (indep.department, indep.box_pk, seq)],
                            {"rows.csv": data}, version=version)
        assert raw[8] == version
        rep = verify_package(raw, dir_e)
        assert rep.ok, rep
        assert len(strict_b64(rep.header["recipients"][0]["sealed_key"])) == SEALED_KEY_SIZE[version]
        o = open_package(raw, dir_e, indep.box_sk)  # the independent opener reads its own package
        assert o.check is None and o.files == {"data/rows.csv": data}, o
        q = tmp_path / f"v{version}.civpkg"
        q.write_bytes(raw)
        assert package.inspect(q).version == version
        assert package.verify(depts[DEPT_B], q).chunks == rep.layout["N"]
        package.open(depts[DEPT_B], q, tmp_path / f"out{version}")
        assert (tmp_path / f"out{version}" / "data" / "rows.csv").read_bytes() == data


def library_open_refuses(ws, path, cls, tmp_path):
    parent = tmp_path / "refused"
    parent.mkdir(exist_ok=True)
    with pytest.raises(civitas.Error) as e:
        package.open(ws, path, parent / "out")
    assert type(e.value) is cls, f"open: {e.value!r}"
    assert os.listdir(parent) == []
    return str(e.value)


def test_forged_stanzas_are_refused_by_both(tmp_path, depts, indep):
    """§1.2, §3 step 5: a version 3 box must hold the label and this package's binding."""
    b_pk = exchange_public(depts[DEPT_B])
    dir_e = {key_id(indep.sign_pk).hex(): (indep.department, indep.sign_pk)}
    to = [(DEPT_B, b_pk, 1), (indep.department, indep.box_pk, 1)]
    cases = [
        # the raw file key, as version 2 seals it, in a version 3 header: 80 bytes, not 140
        ("raw", 3, lambda fk, kid, pid: fk, "verify:header_fields", civitas.ParseError),
        # the raw file key padded to the size: the box opens, its content has no label
        ("unlabelled", 3, lambda fk, kid, pid: fk + bytes(60), "box_label", civitas.IntegrityError),
        # another protocol's label
        ("identity-label", 3, lambda fk, kid, pid: b"civitas identity secret v2".ljust(60, b"\0") + fk, "box_label",
         civitas.IntegrityError),
        # bound to another provider key (a co-recipient re-sending a provider's box as its own)
        ("other-provider", 3, lambda fk, kid, pid: FILE_KEY_LABEL + file_key_binding(bytes(8), pid) + fk, "box_binding",
         civitas.IntegrityError),
        # bound to another package id
        ("other-package", 3, lambda fk, kid, pid: FILE_KEY_LABEL + file_key_binding(kid, pid + "x") + fk, "box_binding",
         civitas.IntegrityError),
        # a version 3 content in a version 2 header: 140 bytes, not 80
        ("v2-with-v3-box", 2, lambda fk, kid, pid: FILE_KEY_LABEL + file_key_binding(kid, pid) + fk,
         "verify:header_fields", civitas.ParseError),
    ]
    for name, version, content, check, cls in cases:
        raw = build_package(indep.department, indep.seed, to, {"rows.csv": CSV}, version=version, box_content=content)
        assert open_package(raw, dir_e, indep.box_sk).check == check, name
        q = write_modified(tmp_path, name + ".civpkg", raw)
        msg = library_open_refuses(depts[DEPT_B], q, cls, tmp_path)
        if cls is civitas.IntegrityError:
            assert ("not a package file key" if check == "box_label" else "belongs to another package") in msg, msg
            package.verify(depts[DEPT_B], q)  # verify opens no box: the signed file itself is sound
    # A refused package did not burn B's sequence number: the same number opens now.
    good = write_modified(tmp_path, "good.civpkg", build_package(indep.department, indep.seed, to, {"rows.csv": CSV}))
    package.open(depts[DEPT_B], good, tmp_path / "good")


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q", "-p", "no:cacheprovider"]))
