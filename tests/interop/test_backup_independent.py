"""Independent verification and decryption of civitas backups, written only from the text of
docs/formats/backup.md (§1 recovery keys, §2 layout, §3 header, §4 header signature, §5
payload, §6 trailer, §7 reading) and docs/formats/workspace.md ("Page format"), with what is
installed: hashlib, hmac, sqlite3, and libsodium (Ed25519, sealed boxes, BLAKE2b, secretstream,
crypto_kdf) and OpenSSL's libcrypto (AES-256-CBC) through ctypes.

civitas (the CLI) is used to MAKE the backups, the recovery keys and the department's public-key
document; every check of the bytes is done here: the signatures with the key document, the
hash of the file, the sealed file key with the recovery key's secret, every chunk, and then
the SQLCipher pages of the snapshot (HMAC-SHA1 of each page, AES-256-CBC), so that the plain
database is read with Python's sqlite3: its workspace id, and its audit log's size and Merkle
root (RFC 9162, recomputed from the entries) must be what the signed header says. Changed
files are refused here and by `civitas backup verify` alike.

Runs under pytest (CTest `interop.backup_independent`).
"""
import base64
import ctypes
import ctypes.util
import hashlib
import hmac
import json
import os
import sqlite3
import struct
import subprocess

import pytest

CLI = os.environ.get("CIVITAS_CLI", "civitas")
DEPT = "91350100M000100Y43"
OTHER = "11350100MB00000012"

# ---- the format, from docs/formats/backup.md ------------------------------------------------
MAGIC = b"\x89CIVBAK\n"
END_MAGIC = b"\x89CIVBKE\n"
PREAMBLE, SIG, TRAILER, ABYTES = 24, 64, 112, 17
HEADER_CTX = b"civitas backup header v1\0"
TRAILER_CTX = b"civitas backup trailer v1\0"
FILE_KEY_LABEL = b"civitas backup file key v1\0"
PAYLOAD_CTX = b"civitas backup payload key v1\0"
KEY_ID_CTX = b"civitas key id v1"
PAGE = 4096
RESERVE = 48  # workspace.md, "Page format": IV 16 + HMAC-SHA1 20, rounded up to 48


class Refused(Exception):
    pass


def _lib(name):
    path = ctypes.util.find_library(name)
    if not path:
        pytest.skip("lib%s not found" % name)
    return ctypes.CDLL(path)


NA = _lib("sodium")
assert NA.sodium_init() >= 0
LC = _lib("crypto")
LC.EVP_CIPHER_CTX_new.restype = ctypes.c_void_p
LC.EVP_aes_256_cbc.restype = ctypes.c_void_p
LC.EVP_DecryptInit_ex.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p]
LC.EVP_CIPHER_CTX_set_padding.argtypes = [ctypes.c_void_p, ctypes.c_int]
LC.EVP_DecryptUpdate.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.POINTER(ctypes.c_int), ctypes.c_char_p, ctypes.c_int]
LC.EVP_CIPHER_CTX_free.argtypes = [ctypes.c_void_p]

SS_STATE = 52  # crypto_secretstream_xchacha20poly1305_statebytes()
assert NA.crypto_secretstream_xchacha20poly1305_statebytes() == SS_STATE


def key_id(pk):
    return hashlib.blake2b(KEY_ID_CTX + pk, digest_size=8).digest()


def ed25519_verify(pk, msg, sig):
    return NA.crypto_sign_verify_detached(sig, msg, ctypes.c_ulonglong(len(msg)), pk) == 0


def seal_open(box, pk, sk):
    out = ctypes.create_string_buffer(len(box) - 48)
    if NA.crypto_box_seal_open(out, box, ctypes.c_ulonglong(len(box)), pk, sk) != 0:
        raise Refused("sealed key does not open")
    return out.raw


def kdf(key, sub_id, ctx8):
    out = ctypes.create_string_buffer(32)
    assert NA.crypto_kdf_derive_from_key(out, ctypes.c_size_t(32), ctypes.c_uint64(sub_id), ctx8, key) == 0
    return out.raw


def aes_cbc_decrypt(key, iv, data):
    ctx = LC.EVP_CIPHER_CTX_new()
    try:
        assert LC.EVP_DecryptInit_ex(ctx, LC.EVP_aes_256_cbc(), None, key, iv) == 1
        LC.EVP_CIPHER_CTX_set_padding(ctx, 0)
        out = ctypes.create_string_buffer(len(data) + 32)
        n = ctypes.c_int(0)
        assert LC.EVP_DecryptUpdate(ctx, out, ctypes.byref(n), data, len(data)) == 1
        return out.raw[: n.value]
    finally:
        LC.EVP_CIPHER_CTX_free(ctx)


def signing_keys(document):
    """The signing keys of a department's key document (docs/workspace.md), by key id."""
    doc = json.loads(document)
    return {bytes.fromhex(k["id"]): base64.b64decode(k["public_key"]) for k in doc["keys"] if k["purpose"] == "signing"}


def verify(data, keys):
    """§7 'Verifying': returns the header (a dict). Raises Refused for anything wrong."""
    if len(data) < PREAMBLE or data[:8] != MAGIC:
        raise Refused("not a backup (magic)")
    if data[8] != 1 or data[9] != 1:
        raise Refused("unsupported version or suite")
    if data[10:12] != b"\0\0":
        raise Refused("reserved bytes")
    (hlen,) = struct.unpack_from("<I", data, 12)
    if not 2 <= hlen <= 1 << 20 or len(data) < PREAMBLE + hlen + SIG + TRAILER:
        raise Refused("header length / truncated")
    signer = data[16:24]
    if signer not in keys:
        raise Refused("not signed by a signing key of the department")
    pk = keys[signer]
    header_bytes = data[PREAMBLE:PREAMBLE + hlen]
    hsig = data[PREAMBLE + hlen:PREAMBLE + hlen + SIG]
    if not ed25519_verify(pk, HEADER_CTX + data[:PREAMBLE] + header_bytes, hsig):
        raise Refused("header signature")
    h = json.loads(header_bytes.decode("utf-8"))
    if h["format"] != "civitas-backup" or h["version"] != 1 or h["signer"]["key_id"] != signer.hex():
        raise Refused("header fields")
    assert h["snapshot"]["format"] == "sqlcipher3-page-key" and h["snapshot"]["page_size"] == PAGE
    assert h["payload"]["cipher"] == "xchacha20poly1305-secretstream"
    c = h["payload"]["chunk_size"]
    L = 32 + h["snapshot"]["bytes"]
    n = L // c + 1
    P = L + ABYTES * n
    H = PREAMBLE + hlen + SIG
    if len(data) != H + P + TRAILER:
        raise Refused("file size %d, header announces %d" % (len(data), H + P + TRAILER))
    t = data[H + P:]
    if t[:8] != END_MAGIC or struct.unpack_from("<Q", t, 8)[0] != P:
        raise Refused("trailer layout")
    if hashlib.sha256(data[:H + P]).digest() != t[16:48]:
        raise Refused("file hash")
    if not ed25519_verify(pk, TRAILER_CTX + t[:48], t[48:112]):
        raise Refused("trailer signature")
    h["_payload"] = (H, P)
    return h


def decrypt(data, h, recovery):
    """§7 'Restoring': the workspace key W and the snapshot bytes."""
    pk = base64.b64decode(recovery["public_key"])
    sk = base64.b64decode(recovery["secret_key"])
    assert key_id(pk).hex() == recovery["key_id"]
    stanza = [r for r in h["recipients"] if r["key_id"] == recovery["key_id"]]
    if not stanza:
        raise Refused("not a recipient")
    content = seal_open(base64.b64decode(stanza[0]["sealed_key"]), pk, sk)
    binding = hashlib.sha256(bytes.fromhex(h["signer"]["key_id"]) + h["backup_id"].encode()).digest()
    if len(content) != 91 or content[:27] != FILE_KEY_LABEL or content[27:59] != binding:
        raise Refused("sealed key is not this backup's")
    file_key = content[59:]
    payload_key = hashlib.blake2b(PAYLOAD_CTX + h["backup_id"].encode(), key=file_key, digest_size=32).digest()
    st = ctypes.create_string_buffer(SS_STATE)
    sh = base64.b64decode(h["payload"]["stream_header"])
    assert NA.crypto_secretstream_xchacha20poly1305_init_pull(st, sh, payload_key) == 0
    H, P = h["_payload"]
    c = h["payload"]["chunk_size"]
    out = bytearray()
    pos, end, final = H, H + P, False
    while pos < end:
        if final:
            raise Refused("data after the final chunk")
        clen = min(c + ABYTES, end - pos)
        m = ctypes.create_string_buffer(clen)
        mlen = ctypes.c_ulonglong(0)
        tag = ctypes.c_ubyte(0)
        if NA.crypto_secretstream_xchacha20poly1305_pull(st, m, ctypes.byref(mlen), ctypes.byref(tag),
                                                          data[pos:pos + clen], ctypes.c_ulonglong(clen), None,
                                                          ctypes.c_ulonglong(0)) != 0:
            raise Refused("chunk does not authenticate")
        final = tag.value == 3
        if final != (mlen.value < c) or tag.value not in (0, 3):
            raise Refused("chunk tag")
        out += m.raw[: mlen.value]
        pos += clen
    if not final or len(out) != 32 + h["snapshot"]["bytes"]:
        raise Refused("payload ends early")
    return bytes(out[:32]), bytes(out[32:])


def plain_database(snapshot, w):
    """workspace.md 'Page format': checks every page's HMAC-SHA1 and decrypts it."""
    page_key = kdf(w, 1, b"civpage1")
    salt = snapshot[:16]
    hmac_key = hashlib.pbkdf2_hmac("sha1", page_key, bytes(b ^ 0x3A for b in salt), 2, 32)
    out = bytearray()
    for i in range(len(snapshot) // PAGE):
        page = snapshot[i * PAGE:(i + 1) * PAGE]
        start = 16 if i == 0 else 0
        body, iv, mac = page[start:PAGE - RESERVE], page[PAGE - RESERVE:PAGE - RESERVE + 16], page[PAGE - 32:PAGE - 12]
        want = hmac.new(hmac_key, body + iv + struct.pack("<I", i + 1), hashlib.sha1).digest()
        if want != mac:
            raise Refused("page %d does not authenticate" % (i + 1))
        plain = aes_cbc_decrypt(page_key, iv, body)
        if i == 0:
            plain = bytearray(b"SQLite format 3\0" + plain)
            plain[18] = plain[19] = 1  # rollback journal: read the copy without WAL files
            plain = bytes(plain)
        out += plain + b"\0" * RESERVE
    return bytes(out)


def merkle_root(leaves):
    """RFC 9162 §2.1.1 MTH."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return leaves[0]
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return hashlib.sha256(b"\x01" + merkle_root(leaves[:k]) + merkle_root(leaves[k:])).digest()


# ---- the tests ------------------------------------------------------------------------------


def run(*args, check=True, inp=None):
    p = subprocess.run([CLI, *args], capture_output=True, text=True, input=inp)
    if check:
        assert p.returncode == 0, p.stderr
    return p


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    d = tmp_path_factory.mktemp("backup")
    key = d / "mr.key"
    key.write_bytes(os.urandom(32))
    ws = str(d / "mr.db")
    opts = ["-w", ws, "--key-file", str(key)]
    run("init", *opts, "--department", DEPT, "--name", "Market regulation")
    lines = "".join(json.dumps({"actor": DEPT + ":clerk", "action": "data.read", "resource": "r%d" % i}) + "\n"
                    for i in range(300))
    run("audit", "append", *opts, "--batch", inp=lines)
    run("audit", "checkpoint", *opts)
    run("recovery-key", "generate", "-o", str(d / "r1.key"))
    run("recovery-key", "generate", "-o", str(d / "r2.key"))
    bk = str(d / "b.civbak")
    run("backup", *opts, "--recipient", str(d / "r1.key.pub"), "--recipient", str(d / "r2.key.pub"), "-o", bk,
        "--chunk-size", "65536")
    doc = run("keys", "export-public", *opts).stdout
    (d / "mr.pub.json").write_text(doc)
    return {"dir": d, "ws": ws, "opts": opts, "backup": bk, "doc": doc}


def test_recovery_key_files(made):
    d = made["dir"]
    assert oct(os.stat(d / "r1.key").st_mode & 0o777) == "0o600"
    priv = json.loads((d / "r1.key").read_text())
    pub = json.loads((d / "r1.key.pub").read_text())
    assert priv["format"] == "civitas-recovery-key" and pub["format"] == "civitas-recovery-public-key"
    assert "secret_key" not in pub and pub["public_key"] == priv["public_key"]
    assert key_id(base64.b64decode(pub["public_key"])).hex() == pub["key_id"]
    q = ctypes.create_string_buffer(32)
    assert NA.crypto_scalarmult_base(q, base64.b64decode(priv["secret_key"])) == 0
    assert q.raw == base64.b64decode(priv["public_key"])


def test_verify_decrypt_and_read_the_snapshot(made):
    data = open(made["backup"], "rb").read()
    h = verify(data, signing_keys(made["doc"]))
    assert h["workspace"]["department"] == DEPT
    assert len(h["recipients"]) == 2
    for name in ("r1.key", "r2.key"):  # either recovery key opens it
        w, snap = decrypt(data, h, json.loads((made["dir"] / name).read_text()))
    db = made["dir"] / "plain.db"
    db.write_bytes(plain_database(snap, w))
    con = sqlite3.connect(str(db))
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert con.execute("SELECT value FROM meta WHERE key = 'workspace_id'").fetchone()[0] == h["workspace"]["workspace_id"]
    rows = con.execute("SELECT idx, entry, leaf FROM audit_entry ORDER BY idx").fetchall()
    assert [r[0] for r in rows] == list(range(len(rows)))
    leaves = [hashlib.sha256(b"\x00" + r[1]).digest() for r in rows]
    assert all(bytes(r[2]) == leaf for r, leaf in zip(rows, leaves))
    assert len(rows) == h["audit"]["size"] >= 301
    assert merkle_root(leaves).hex() == h["audit"]["root"]
    # The header's checkpoint names that size and root (docs/formats/checkpoint.md body).
    body = h["audit"]["checkpoint"].split("\n\n")[0].split("\n")
    assert body[0] == h["audit"]["origin"] == "civitas/audit/" + DEPT
    assert int(body[1]) == h["audit"]["size"] and base64.b64decode(body[2]).hex() == h["audit"]["root"]
    con.close()


def flip(data, pos):
    b = bytearray(data)
    b[pos] ^= 0x01
    return bytes(b)


def test_changed_files_are_refused_here_and_by_civitas(made):
    data = open(made["backup"], "rb").read()
    keys = signing_keys(made["doc"])
    (hlen,) = struct.unpack_from("<I", data, 12)
    H = PREAMBLE + hlen + SIG
    cases = {
        "header": flip(data, PREAMBLE + 10),
        "header signature": flip(data, PREAMBLE + hlen + 3),
        "key id": flip(data, 17),
        "payload": flip(data, H + 100),
        "last chunk": flip(data, len(data) - TRAILER - 5),
        "trailer hash": flip(data, len(data) - 90),
        "trailer signature": flip(data, len(data) - 1),
        "truncated": data[:-1],
        "appended": data + b"\0",
    }
    t = made["dir"] / "t.civbak"
    for name, bad in cases.items():
        with pytest.raises(Refused):
            verify(bad, keys)
        t.write_bytes(bad)
        p = run("backup", "verify", str(t), "--public-key", str(made["dir"] / "mr.pub.json"), check=False)
        assert p.returncode == 1, (name, p.stderr)
    # A payload change that keeps the file hash cannot exist; one that fixes the hash is caught
    # by the trailer signature; one that fixes nothing fails the chunk's authentication.
    bad = flip(data, H + 100)
    h = verify(data, keys)
    with pytest.raises(Refused):
        decrypt(bad, h, json.loads((made["dir"] / "r1.key").read_text()))


def test_a_stanza_is_bound_to_its_backup(made):
    """A sealed key moved from one backup into another (re-signed by the same department) does
    not open there: the binding hash names the backup id (§3)."""
    d = made["dir"]
    bk2 = str(d / "b2.civbak")
    run("backup", *made["opts"], "--recipient", str(d / "r1.key.pub"), "-o", bk2)
    a = verify(open(made["backup"], "rb").read(), signing_keys(made["doc"]))
    b = verify(open(bk2, "rb").read(), signing_keys(made["doc"]))
    rec = json.loads((d / "r1.key").read_text())
    stanza_a = [r for r in a["recipients"] if r["key_id"] == rec["key_id"]][0]
    content = seal_open(base64.b64decode(stanza_a["sealed_key"]), base64.b64decode(rec["public_key"]),
                        base64.b64decode(rec["secret_key"]))
    binding_b = hashlib.sha256(bytes.fromhex(b["signer"]["key_id"]) + b["backup_id"].encode()).digest()
    assert content[27:59] != binding_b


def test_another_departments_backup_is_refused(made):
    d = made["dir"]
    key = d / "o.key"
    key.write_bytes(os.urandom(32))
    ws = str(d / "o.db")
    run("init", "-w", ws, "--key-file", str(key), "--department", OTHER)
    run("backup", "-w", ws, "--key-file", str(key), "--recipient", str(d / "r1.key.pub"), "-o", str(d / "o.civbak"))
    with pytest.raises(Refused):
        verify(open(d / "o.civbak", "rb").read(), signing_keys(made["doc"]))
    p = run("backup", "verify", str(d / "o.civbak"), "--public-key", str(d / "mr.pub.json"), check=False)
    assert p.returncode == 1 and "not signed by a signing key" in p.stderr
