"""Independent verification of civitas publication directories, written only from the text of
docs/formats/publication.md ("manifest.json", "Signature", "Verifying") and the public-key
document of docs/formats/workspace.md, with the standard library and libsodium (Ed25519,
BLAKE2b) through ctypes.

civitas (the CLI) MAKES the publication and exports the department's key document; every check
is done here: the key document's signatures and key ids, the manifest's signature, every file's
size and SHA-256, and no file unlisted. Changed publications are refused here and by
`civitas publish verify` alike.

Runs under pytest (CTest `interop.publication_independent`).
"""
import base64
import ctypes
import ctypes.util
import hashlib
import json
import os
import shutil
import subprocess

import pytest

CLI = os.environ.get("CIVITAS_CLI", "civitas")
SRC = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EX = os.path.join(SRC, "examples", "data")
DEPT = "11350100003001527P"
CODE = "105002001/000031"

MANIFEST_CTX = b"civitas-publication v1\n"
KEYDOC_CTX = b"civitas-public-keys v3\n"
KEY_ID_CTX = b"civitas key id v1"
FILES = ["data.csv", "datapackage.json", "dcat.jsonld", "deid-report.json", "deid-report.html"]


class Refused(Exception):
    pass


def _sodium():
    path = ctypes.util.find_library("sodium")
    if not path:
        pytest.skip("libsodium not found")
    lib = ctypes.CDLL(path)
    assert lib.sodium_init() >= 0
    return lib


NA = _sodium()


def ed25519_ok(pk, msg, sig):
    if len(pk) != 32 or len(sig) != 64:
        return False
    return NA.crypto_sign_ed25519_verify_detached(sig, msg, ctypes.c_ulonglong(len(msg)), pk) == 0


def key_id(pk):
    out = ctypes.create_string_buffer(8)
    data = KEY_ID_CTX + pk
    assert NA.crypto_generichash(out, ctypes.c_size_t(8), data, ctypes.c_ulonglong(len(data)), None, ctypes.c_size_t(0)) == 0
    return out.raw.hex()


def canonical(obj):
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def signing_keys(keydoc_text):
    """The signing keys of a version 3 key document, its signatures and key ids checked."""
    doc = json.loads(keydoc_text)
    if doc.get("format") != "civitas-public-keys" or doc.get("version") != 3:
        raise Refused("not a version 3 key document")
    keys = {}
    for k in doc["keys"]:
        pk = base64.b64decode(k["public_key"])
        if key_id(pk) != k["id"]:
            raise Refused("key id does not match its public key")
        keys[k["id"]] = (k["purpose"], k["status"], pk)
    body = {k: v for k, v in doc.items() if k != "signatures"}
    msg = KEYDOC_CTX + canonical(body)
    for s in doc["signatures"]:
        purpose, status, pk = keys[s["key_id"]]
        if purpose != "signing" or not ed25519_ok(pk, msg, base64.b64decode(s["value"])):
            raise Refused("key document signature does not verify")
    return {kid: pk for kid, (purpose, status, pk) in keys.items() if purpose == "signing"}


def verify(directory, trusted):
    """docs/formats/publication.md, "Verifying"."""
    with open(os.path.join(directory, "manifest.json"), "rb") as f:
        raw = f.read((1 << 20) + 1)
    m = json.loads(raw.decode("utf-8"))
    if m.get("format") != "civitas-publication" or m.get("version") != 1:
        raise Refused("not a version 1 manifest")
    for k, t in (("resource", str), ("department", str), ("created", int), ("files", list), ("signatures", list)):
        if not isinstance(m.get(k), t):
            raise Refused("manifest member %s" % k)
    body = {k: v for k, v in m.items() if k != "signatures"}
    msg = MANIFEST_CTX + canonical(body)
    by = None
    for s in m["signatures"]:
        if s.get("algorithm") != "ed25519":
            raise Refused("unknown algorithm")
        pk = trusted.get(s["key_id"])
        if pk is None:
            continue
        if not ed25519_ok(pk, msg, base64.b64decode(s["value"])):
            raise Refused("bad signature")
        by = s["key_id"]
        break
    if by is None:
        raise Refused("unknown key")
    listed = set()
    for f in m["files"]:
        p = f["path"]
        if not p or "/" in p or "\\" in p or p in (".", "..", "manifest.json") or p in listed:
            raise Refused("bad file name %r" % p)
        listed.add(p)
        fp = os.path.join(directory, p)
        if not os.path.isfile(fp):
            raise Refused("missing %s" % p)
        b = open(fp, "rb").read()
        if len(b) != f["bytes"] or hashlib.sha256(b).hexdigest() != f["sha256"]:
            raise Refused("changed %s" % p)
    for n in os.listdir(directory):
        if n != "manifest.json" and n not in listed:
            raise Refused("unlisted %s" % n)
    return m, by


def civ(*args, check=True):
    r = subprocess.run([CLI, *args], capture_output=True)
    if check and r.returncode != 0:
        raise AssertionError("civitas %s: exit %d: %s" % (" ".join(args), r.returncode, r.stderr.decode()))
    return r


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    d = tmp_path_factory.mktemp("pub")
    ws = ["-w", str(d / "hr.db"), "--key-file", str(d / "hr.key")]
    (d / "hr.key").write_bytes(os.urandom(32))
    civ("init", *ws, "--department", DEPT, "--name", "人社局")
    civ("catalog", "add", *ws, os.path.join(EX, "employment.catalog.json"))
    out = d / "pub"
    civ("publish", "run", *ws, "--catalog", CODE, "--schema", os.path.join(EX, "employment.schema.json"),
        "--policy", os.path.join(EX, "employment.policy.json"), os.path.join(EX, "employment.csv"), "-o", str(out))
    keydoc = civ("keys", "export-public", *ws).stdout.decode("utf-8")
    return d, out, keydoc


def test_verifies_independently(published):
    d, out, keydoc = published
    m, by = verify(str(out), signing_keys(keydoc))
    assert m["resource"] == CODE and m["department"] == DEPT
    assert [f["path"] for f in m["files"]] == FILES
    # the Data Package's hash is the manifest's
    dp = json.load(open(out / "datapackage.json", encoding="utf-8"))
    assert dp["resources"][0]["hash"] == "sha256:" + m["files"][0]["sha256"]
    # and civitas agrees
    (d / "keys.json").write_text(keydoc, encoding="utf-8")
    r = civ("publish", "verify", str(out), "--public-key", str(d / "keys.json"), "--json")
    assert json.loads(r.stdout)["key_id"] == by


@pytest.mark.parametrize("change", ["data", "manifest", "extra", "missing", "resign"])
def test_changes_are_refused_by_both(published, tmp_path, change):
    d, out, keydoc = published
    t = tmp_path / "t"
    shutil.copytree(out, t)
    if change == "data":
        with open(t / "data.csv", "ab") as f:
            f.write(b"JY209900999,\xe7\x94\xb7,*,*,*,*,*,*,1,*\n")
    elif change == "manifest":
        m = json.load(open(t / "manifest.json", encoding="utf-8"))
        m["title"] = "另一个数据集"
        (t / "manifest.json").write_text(json.dumps(m, ensure_ascii=False), encoding="utf-8")
    elif change == "extra":
        (t / "readme.txt").write_text("added later")
    elif change == "missing":
        os.remove(t / "deid-report.html")
    elif change == "resign":
        # a manifest re-signed by another key (listed under the department's key id) is refused
        m = json.load(open(t / "manifest.json", encoding="utf-8"))
        pk = ctypes.create_string_buffer(32)
        sk = ctypes.create_string_buffer(64)
        NA.crypto_sign_ed25519_keypair(pk, sk)
        body = {k: v for k, v in m.items() if k != "signatures"}
        body["files"][0]["bytes"] += 0
        msg = MANIFEST_CTX + canonical(body)
        sig = ctypes.create_string_buffer(64)
        NA.crypto_sign_ed25519_detached(sig, None, msg, ctypes.c_ulonglong(len(msg)), sk)
        m["signatures"][0]["value"] = base64.b64encode(sig.raw).decode()
        (t / "manifest.json").write_text(json.dumps(m, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(Refused):
        verify(str(t), signing_keys(keydoc))
    (tmp_path / "keys.json").write_text(keydoc, encoding="utf-8")
    r = civ("publish", "verify", str(t), "--public-key", str(tmp_path / "keys.json"), check=False)
    assert r.returncode == 1, r.stderr


def test_a_key_document_whose_signature_is_broken_is_refused(published):
    d, out, keydoc = published
    doc = json.loads(keydoc)
    doc["name"] = "冒名"
    with pytest.raises(Refused):
        signing_keys(json.dumps(doc, ensure_ascii=False))
