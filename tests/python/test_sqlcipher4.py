"""A later SQLCipher 4 still opens today's workspace files (issue 12, docs/formats/workspace.md,
"Page format").

civitas is built against Debian 12's SQLCipher 3.4.1, which writes HMAC-SHA1 pages whatever
cipher_hmac_algorithm says. SQLCipher 4 honours the pragmas and defaults to SHA512, so a file
opens there only with the settings pinned as the format says. The SQLCipher 4 here is the one
the PyPI wheel `sqlcipher3-binary` bundles (scripts/install-deps); the test is skipped when
it is not installed. The page key comes from the forensics procedure of docs/formats/workspace.md.
"""

import base64
import ctypes
import ctypes.util
import json
import os

import pytest

from civitas.workspace import Workspace

sqlcipher3 = pytest.importorskip("sqlcipher3")

DEPT = "91350100M000100Y43"

# docs/formats/workspace.md, "Page format": what a SQLCipher 4 needs to read a civitas file.
PINNED = [
    "PRAGMA cipher_page_size = 4096",
    "PRAGMA kdf_iter = 64000",
    "PRAGMA cipher_hmac_algorithm = HMAC_SHA1",
    "PRAGMA cipher_kdf_algorithm = PBKDF2_HMAC_SHA1",
]


def _page_key(path: str, master: bytes) -> str:
    """docs/formats/workspace.md, "Opening the file by hand"."""
    name = ctypes.util.find_library("sodium")
    if not name:
        pytest.skip("libsodium not found")
    na = ctypes.CDLL(name)
    assert na.sodium_init() >= 0
    h = json.load(open(path + ".header"))
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


@pytest.fixture()
def made(tmp_path):
    master = os.urandom(32)
    path = str(tmp_path / "ws.db")
    with Workspace.create(path, key=master, department=DEPT) as ws:
        ws.rotate("token")
    return path, _page_key(path, master), json.load(open(path + ".header"))["workspace_id"]


def _connect(path, key_hex, pragmas):
    db = sqlcipher3.connect(path)
    db.execute(f"PRAGMA key = \"x'{key_hex}'\"")
    for p in pragmas:
        db.execute(p)
    return db


def test_the_wheel_bundles_sqlcipher_4():
    db = sqlcipher3.connect(":memory:")
    version = db.execute("PRAGMA cipher_version").fetchone()[0]
    assert version.split(".")[0] == "4", version


def test_sqlcipher_4_reads_every_table_with_the_pinned_settings(made):
    path, key, wsid = made
    db = _connect(path, key, PINNED)
    assert db.execute("SELECT value FROM meta WHERE key = 'workspace_id'").fetchone()[0] == wsid
    tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    for t in ("meta", "keys", "peers", "package_received", "module_schema"):
        assert t in tables
    for t in tables:
        db.execute(f'SELECT * FROM "{t}"').fetchall()  # every page of every table authenticates
    assert db.execute("SELECT count(*) FROM keys WHERE purpose = 'token'").fetchone()[0] == 2
    assert db.execute("PRAGMA cipher_integrity_check").fetchall() == []
    db.close()


def test_sqlcipher_4_compatibility_3_with_the_page_size_reads_it_too(made):
    path, key, wsid = made
    db = _connect(path, key, ["PRAGMA cipher_compatibility = 3", "PRAGMA cipher_page_size = 4096"])
    assert db.execute("SELECT value FROM meta WHERE key = 'workspace_id'").fetchone()[0] == wsid
    db.close()


def test_sqlcipher_4_defaults_do_not_read_it(made):
    """Why the settings are pinned: SQLCipher 4's own defaults (SHA512) fail on page 1."""
    path, key, _ = made
    db = _connect(path, key, [])
    with pytest.raises(sqlcipher3.DatabaseError):
        db.execute("SELECT count(*) FROM sqlite_master").fetchone()
    db.close()
    db = _connect(path, key, ["PRAGMA cipher_page_size = 4096", "PRAGMA cipher_hmac_algorithm = HMAC_SHA512",
                              "PRAGMA cipher_kdf_algorithm = PBKDF2_HMAC_SHA512"])
    with pytest.raises(sqlcipher3.DatabaseError):
        db.execute("SELECT count(*) FROM sqlite_master").fetchone()
    db.close()
