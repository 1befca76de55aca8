"""Workspaces: the department's encrypted keyring and the protection primitives that use it.

A workspace is one SQLCipher database plus its header file (``<path>.header``); see
docs/workspace.md and docs/formats/. Open or create it with exactly one key source:
``passphrase=`` (str/bytes; Argon2id) or ``key=`` (32 raw bytes, or 64 hex characters)::

    ws = Workspace.create("civitas.db", key=os.urandom(32), department="91350100M000100Y43")
    ct = ws.encrypt_field("110101199003074477", resource="tax.payers", field="ric", record="17")
    ws.decrypt_field(ct, resource="tax.payers", field="ric", record="17")   # -> bytes
    ws.encrypt_column(["a", "b"], field="name")                            # -> [bytes, bytes]
    ws.tokenize("91350100M000100Y43", "uscc")                              # deterministic
    ws.identity_key("ric", "11010519491231002X", "health")                 # 'ik1:…'

Errors are :class:`civitas.Error` subclasses: ``WrongKeyError`` ("wrong key, or not a
civitas workspace"), ``IntegrityError`` (tampered ciphertext or file), ``UnknownKeyError``,
``DeniedError`` (destroyed key), ``UnsupportedVersionError``, ``ExistsError``…
A Workspace may be used from many threads; the GIL is released around crypto and database work.
"""

from __future__ import annotations

from . import _native

_ws = _native.workspace

#: The workspace class (methods documented in docs/workspace.md and docs/crypto.md):
#: create(path, *, passphrase|key, department, name, kdf_opslimit, kdf_memlimit), open(path, *, passphrase|key),
#: info(), keys(), rotate(purpose), destroy_key(key_id), change_master(*, passphrase|key),
#: refresh(), check_integrity(), export_public(), import_public(doc), peers(department),
#: share_identity_secret(department) -> bytes (sealed to that department), import_identity_secret(box) -> key id,
#: encrypt_field / decrypt_field, encrypt_column / decrypt_column, tokenize / detokenize,
#: identity_key / identity_keys, sign / verify, seal / unseal.
Workspace = _ws.Workspace

#: Key purposes accepted by :meth:`Workspace.rotate`.
PURPOSES = ("field", "token", "identity", "signing", "exchange")


def header_path(path: str) -> str:
    """The header file that belongs to a workspace database (``path + ".header"``)."""
    return _ws.header_path(path)


__all__ = ["Workspace", "PURPOSES", "header_path"]
