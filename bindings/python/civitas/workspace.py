"""Workspaces: the department's encrypted keyring and the protection primitives that use it.

A workspace is one SQLCipher database plus its header file (``<path>.header``); the
concepts, the key hierarchy and the CLI are in docs/workspace.md and docs/crypto.md (formats:
docs/formats/workspace.md), the Python API in docs/python.md ("Workspaces and crypto").
Open or create it with exactly one key source: ``passphrase=`` (str/bytes; Argon2id) or
``key=`` (32 raw bytes, or 64 hex characters). Close it when done, best with ``with``: the
keys are wiped from memory at :meth:`Workspace.close`, not whenever the garbage collector
gets to it::

    with Workspace.create("civitas.db", key=os.urandom(32), department="91350100M000100Y43") as ws:
        ct = ws.encrypt_field("110101199003074477", resource="tax.payers", field="ric", record="17")
        ws.decrypt_field(ct, resource="tax.payers", field="ric", record="17")   # -> bytes
        ws.encrypt_column(["a", "b"], field="name")                            # -> [bytes, bytes]
        ws.tokenize("91350100M000100Y43", "uscc")                              # deterministic
        ws.identity_key("ric", "11010519491231002X", "health")                 # 'ik1:…'

Errors are :class:`civitas.Error` subclasses: ``WrongKeyError`` ("wrong key, or not a
civitas workspace"), ``IntegrityError`` (tampered ciphertext or file), ``UnknownKeyError``,
``DeniedError`` (destroyed key), ``UnsupportedVersionError``, ``ExistsError``…; any call on
a closed workspace raises ``InvalidArgumentError`` ("the workspace is closed", also a
``ValueError``, as for a closed file). A Workspace may be used from many threads; the GIL is
released around crypto and database work.
"""

from __future__ import annotations

from types import TracebackType
from typing import Any, Iterable, List, Optional, Sequence, Type, Union

from . import _native
from ._args import PathLike, path as _path

from typing import TypedDict

_ws = _native.workspace

__all__ = ["Workspace", "WorkspaceInfo", "KeyInfo", "PeerKey", "PURPOSES", "header_path"]

#: Key purposes accepted by :meth:`Workspace.rotate`.
PURPOSES = ("field", "token", "identity", "signing", "exchange", "checkpoint", "user-signing", "user-sealing")

#: Text or bytes: ``str`` is taken as its UTF-8 bytes.
Text = Union[str, bytes]


class WorkspaceInfo(TypedDict):
    """What :meth:`Workspace.info` returns."""

    path: str
    workspace_id: str  #: 32 hex digits, random at creation
    department: str  #: USCC, or "" when the workspace has none
    name: str
    created: int  #: seconds since the Unix epoch
    schema_version: int
    key_source: str  #: "passphrase" or "raw"


class KeyInfo(TypedDict):
    """One key of the keyring, without its secret (:meth:`Workspace.keys`)."""

    id: str  #: 16 hex digits
    purpose: str  #: one of :data:`PURPOSES`
    algorithm: str
    created: int
    status: str  #: "primary", "active", "retired" or "destroyed"
    public_key: Optional[bytes]  #: for keys of the signing and sealing purposes


class PeerKey(TypedDict):
    """One public key of another department in the peer directory (:meth:`Workspace.peers`)."""

    department: str
    name: str
    key_id: str
    purpose: str  #: "signing", "exchange", "user-signing" or "user-sealing"
    algorithm: str
    public_key: bytes
    #: "primary", "active", "retired", or once the department's key document revoked it,
    #: "superseded" or "compromised"
    status: str
    imported: int  #: Unix seconds
    #: superseded: packages whose signed time is at or after this (Unix seconds) are refused
    revoked: Optional[int]


def header_path(path: PathLike) -> str:
    """The header file that belongs to a workspace database (``path + ".header"``)."""
    return _ws.header_path(_path(path))


class Workspace:
    """An open workspace: the keyring of one department and the operations that use it.

    Get one with :meth:`create` or :meth:`open` (not the constructor). Close it with
    :meth:`close` or a ``with`` block: the C++ workspace is destroyed there and its keys wiped;
    package writers and readers, audit logs and catalogs made on it are released with it, and
    every later call raises :class:`civitas.InvalidArgumentError`. Calls running in other
    threads at that moment finish first.
    """

    __slots__ = ("_native_handle", "_path", "__weakref__")

    def __init__(self, _handle: Any, _path_: str = "") -> None:
        """Internal: use :meth:`Workspace.create` or :meth:`Workspace.open`."""
        if not isinstance(_handle, _ws.Workspace):
            raise TypeError("use Workspace.create(...) or Workspace.open(...)")
        self._native_handle = _handle
        self._path = _path_

    # ---- life cycle -------------------------------------------------------------------

    @classmethod
    def create(
        cls,
        path: PathLike,
        *,
        passphrase: Optional[Text] = None,
        key: Optional[Text] = None,
        department: str = "",
        name: str = "",
        kdf_opslimit: int = 0,
        kdf_memlimit: int = 0,
    ) -> "Workspace":
        """Creates a workspace (database and header) with a fresh keyring, one primary key per
        purpose, and returns it open.

        Args:
            path: the database file; the header is ``path + ".header"``.
            passphrase: the master passphrase (Argon2id), or
            key: a raw 32-byte master key (``bytes``, or 64 hex characters) — exactly one.
            department: the department's USCC (needed for packages and public keys).
            name: the department's name, free text.
            kdf_opslimit, kdf_memlimit: Argon2id costs (0 = the library's defaults).

        Raises ExistsError (the file exists), InvalidArgumentError (no or two key sources, bad
        key), InvalidDataError (department not a valid USCC), CivitasIOError.
        """
        p = _path(path)
        return cls(_ws.Workspace.create(p, passphrase=passphrase, key=key, department=department, name=name,
                                        kdf_opslimit=kdf_opslimit, kdf_memlimit=kdf_memlimit), p)

    @classmethod
    def open(cls, path: PathLike, *, passphrase: Optional[Text] = None, key: Optional[Text] = None,  # noqa: A003
             read_only: bool = False) -> "Workspace":
        """Opens an existing workspace with its passphrase or raw key (exactly one).

        ``read_only=True`` (issue 16: one per Spark executor) opens the database read-only,
        migrates nothing and attaches no audit log: actions that only read (encrypt, decrypt,
        tokenize, detokenize, identity keys, sign, verify) write no audit entry (the caller
        records what it does), anything that writes the database raises DeniedError. A
        workspace whose tables need migrating raises UnsupportedVersionError.

        Raises NotFoundError, WrongKeyError ("wrong key, or not a civitas workspace"),
        IntegrityError, UnsupportedVersionError, BusyError, CivitasIOError.
        """
        p = _path(path)
        return cls(_ws.Workspace.open(p, passphrase=passphrase, key=key, read_only=bool(read_only)), p)

    def close(self) -> None:
        """Closes the workspace now: the C++ workspace is destroyed and its keys wiped from
        memory; package writers/readers, audit logs and catalogs on it are released (an
        unfinished package is abandoned). Later calls raise InvalidArgumentError. Idempotent."""
        self._native_handle.close()

    @property
    def closed(self) -> bool:
        """True once :meth:`close` was called."""
        return bool(self._native_handle.closed)

    def __enter__(self) -> "Workspace":
        return self

    def __exit__(self, exc_type: Optional[Type[BaseException]], exc: Optional[BaseException],
                 tb: Optional[TracebackType]) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "closed" if self.closed else "open"
        return f"<civitas.workspace.Workspace {self._path!r} ({state})>"

    @property
    def path(self) -> str:
        """The database path the workspace was created or opened with."""
        return self._path

    # ---- the workspace and its keyring --------------------------------------------------

    def info(self) -> WorkspaceInfo:
        """Path, workspace id, department, name, creation time, schema version, key source."""
        return self._native_handle.info()

    def keys(self) -> List[KeyInfo]:
        """Every key of the keyring, without secrets, oldest first."""
        return self._native_handle.keys()

    def rotate(self, purpose: str) -> str:
        """Makes a new primary key for ``purpose`` (one of :data:`PURPOSES`) and returns its id;
        the old primary stays active (still decrypts and verifies). Audited as ``key.rotate``."""
        return self._native_handle.rotate(purpose)

    def destroy_key(self, key_id: str) -> None:
        """Erases a key's secret for good (status ``destroyed``); what it encrypted cannot be
        decrypted any more. The primary key of a purpose cannot be destroyed (rotate first):
        DeniedError. Audited as ``key.destroy``."""
        self._native_handle.destroy_key(key_id)

    def change_master(self, *, passphrase: Optional[Text] = None, key: Optional[Text] = None,
                      kdf_opslimit: int = 0, kdf_memlimit: int = 0) -> None:
        """Re-wraps the workspace key under a new passphrase or raw key (exactly one); nothing
        else is re-encrypted. Atomic. Audited as ``workspace.change_master``."""
        self._native_handle.change_master(passphrase=passphrase, key=key, kdf_opslimit=kdf_opslimit,
                                          kdf_memlimit=kdf_memlimit)

    def refresh(self) -> None:
        """Re-reads the keyring (sees rotations made by other processes)."""
        self._native_handle.refresh()

    def check_integrity(self) -> None:
        """Full integrity check of the database; IntegrityError when it is damaged."""
        self._native_handle.check_integrity()

    # ---- peer directory ----------------------------------------------------------------

    def export_public(self) -> str:
        """This department's public keys (signing and exchange) as self-signed JSON, for other
        departments' :meth:`import_public`. InvalidArgumentError without a department."""
        return self._native_handle.export_public()

    def import_public(self, document: Text, *, replace: bool = False) -> str:
        """Imports another department's :meth:`export_public` document; returns its USCC.
        A department already known takes only a document that supersedes the last one
        (version 3, higher sequence number, signed by a key trusted for it); ``replace=True``
        replaces its keys after an out-of-band check (audited with ``replace: true``).
        Raises ParseError, InvalidDataError, BadSignatureError (not signed by a trusted key),
        DeniedError (older document), IntegrityError (the directory was changed outside
        civitas), InvalidArgumentError (own department). Audited as ``peer.import``."""
        return self._native_handle.import_public(document, replace=replace)

    def remove_peer(self, department: str) -> None:
        """Removes a department and its keys from the peer directory. NotFoundError when it is
        not there. Audited as ``peer.remove``."""
        self._native_handle.remove_peer(department)

    def revoke_key(self, key_id: str, reason: str) -> None:
        """Revokes one of this department's signing or exchange keys (not the primary) with
        ``reason`` "superseded" or "compromised"; the next :meth:`export_public` lists it as
        revoked, and peers that import it stop trusting it. Audited as ``key.revoke``."""
        self._native_handle.revoke_key(key_id, reason)

    def peers(self, department: str = "") -> List[PeerKey]:
        """The public keys in the peer directory (of one department, or all), each with its
        ``status``; IntegrityError when the directory was changed outside civitas."""
        return self._native_handle.peers(department)

    def share_identity_secret(self, department: str) -> bytes:
        """The primary identity-key secret sealed to ``department``'s exchange key, for its
        :meth:`import_identity_secret` (departments holding the same secret derive equal
        identity keys). Audited as ``key.share``."""
        return self._native_handle.share_identity_secret(department)

    def import_identity_secret(self, box: bytes) -> str:
        """Unseals an identity-key secret from :meth:`share_identity_secret` and makes it the
        primary identity key; returns its key id. NotRecipientError when not sealed to this
        workspace. Audited as ``key.import``."""
        return self._native_handle.import_identity_secret(box)

    # ---- field encryption ----------------------------------------------------------------

    def encrypt_field(self, value: Text, *, resource: str = "", field: str = "", record: Text = "") -> bytes:
        """Encrypts one value (XChaCha20-Poly1305 under the primary field key) bound to its
        context: decrypting needs the same ``resource``, ``field`` and ``record``."""
        return self._native_handle.encrypt_field(value, resource=resource, field=field, record=record)

    def decrypt_field(self, ciphertext: bytes, *, resource: str = "", field: str = "", record: Text = "") -> bytes:
        """Decrypts :meth:`encrypt_field` output. IntegrityError for another context or a changed
        ciphertext, TruncatedError, UnknownKeyError, DeniedError (destroyed key)."""
        return self._native_handle.decrypt_field(ciphertext, resource=resource, field=field, record=record)

    def encrypt_column(self, values: Sequence[Text], *, resource: str = "", field: str = "",
                       records: Optional[Sequence[Text]] = None) -> List[bytes]:
        """:meth:`encrypt_field` over a column (one ``records`` id per value, if given), in one
        call with the GIL released."""
        return self._native_handle.encrypt_column(values, resource=resource, field=field, records=records)

    def decrypt_column(self, ciphertexts: Sequence[bytes], *, resource: str = "", field: str = "",
                       records: Optional[Sequence[Text]] = None) -> List[bytes]:
        """:meth:`decrypt_field` over a column; an error names the row that failed."""
        return self._native_handle.decrypt_column(ciphertexts, resource=resource, field=field, records=records)

    # ---- tokens and identity keys -------------------------------------------------------

    def tokenize(self, value: Text, domain: Text = "") -> bytes:
        """A deterministic, reversible token (AES-256-SIV) of ``value`` in ``domain``: equal
        values give equal tokens within a domain, so tokenised columns still join."""
        return self._native_handle.tokenize(value, domain)

    def detokenize(self, token: bytes, domain: Text = "") -> bytes:
        """The value behind a :meth:`tokenize` token of the same domain (IntegrityError for
        another domain or a changed token). Audited."""
        return self._native_handle.detokenize(token, domain)

    def identity_key(self, kind: str, identifier: Text, domain: Text) -> str:
        """The one-way identity key (``ik1:…``) of an identifier (``kind`` as in
        :mod:`civitas.ids`) in ``domain``; InvalidDataError for an invalid identifier."""
        return self._native_handle.identity_key(kind, identifier, domain)

    def identity_keys(self, kind: str, identifiers: Iterable[Text], domain: Text) -> List[Optional[str]]:
        """:meth:`identity_key` over a column; None for each invalid identifier."""
        return self._native_handle.identity_keys(kind, identifiers, domain)

    # ---- signatures and sealed boxes ------------------------------------------------------

    def sign(self, message: Text) -> bytes:
        """A detached Ed25519 signature (64 bytes) with the primary user-signing key (never a package or checkpoint key)."""
        return self._native_handle.sign(message)

    def verify(self, message: Text, signature: bytes, department: str = "") -> bool:
        """True when ``signature`` is by a user-signing key of ``department`` (from the peer
        directory; empty: this workspace's own keys)."""
        return self._native_handle.verify(message, signature, department)

    def seal(self, message: Text, department: str = "") -> bytes:
        """Encrypts ``message`` to ``department``'s primary exchange key (empty: this
        workspace's own) as an anonymous sealed box."""
        return self._native_handle.seal(message, department)

    def unseal(self, box: bytes) -> bytes:
        """Opens a sealed box made for this workspace; NotRecipientError otherwise."""
        return self._native_handle.unseal(box)

    # ---- key escrow and provider sequence statements (issue 18, docs/recovery-escrow.md) ----

    def escrow_key(self, *, shares: int, threshold: int) -> List[bytes]:
        """Splits the workspace key into ``shares`` Shamir shares, any ``threshold`` of which
        rebuild it (docs/formats/escrow-share.md): one JSON document (bytes) per share, share
        i at [i-1]. Shares outlive master-key changes. Keep each with a different holder.
        Audited as ``keys.escrow``. InvalidArgumentError unless 1 <= threshold <= shares <= 255."""
        return self._native_handle.escrow_key(shares=shares, threshold=threshold)

    @classmethod
    def recover_key(cls, path: PathLike, shares: Sequence[Text], *, passphrase: Optional[Text] = None,
                    key: Optional[Text] = None, kdf_opslimit: int = 0, kdf_memlimit: int = 0) -> "Workspace":
        """Rebuilds the workspace key of ``path`` from escrow share documents (at least the
        threshold, of one escrow run), without the master key, wraps it under the new
        ``passphrase`` or raw ``key`` (exactly one) and returns the workspace, open. Audited as
        ``workspace.recover_key`` (intent, then ok). Nothing changes on failure: ParseError (not
        a share), IntegrityError (a damaged share), InvalidDataError (another workspace or
        escrow run, a share twice), InvalidArgumentError (too few), WrongKeyError (the shares
        do not rebuild this workspace's key)."""
        p = _path(path)
        return cls(_ws.Workspace.recover_key(p, list(shares), passphrase=passphrase, key=key,
                                             kdf_opslimit=kdf_opslimit, kdf_memlimit=kdf_memlimit), p)

    def sequence_statement(self, consumer: str) -> str:
        """This department's signed statement of the last sequence number it used for packages
        to ``consumer`` (docs/formats/sequence-statement.md), for the consumer to import after
        it restored a backup. Audited as ``package.statement``."""
        return self._native_handle.sequence_statement(consumer)

    def import_sequence_statement(self, statement: Text) -> str:
        """Imports a provider's sequence statement (checked against the peer directory) and
        returns the provider; from then on its packages numbered at or below the stated number
        are refused (ReplayError), those above accepted. Audited as
        ``package.import_statement`` (refusals too: BadSignatureError, UnknownKeyError,
        InvalidDataError for another consumer, DeniedError for a revoked key or a statement
        made before the restore)."""
        return self._native_handle.import_sequence_statement(statement)

    def require_sequence_statements(self) -> None:
        """After a restore: every provider's packages are refused (DeniedError) until its
        sequence statement is imported. Audited as ``package.require_statements``."""
        self._native_handle.require_sequence_statements()

    def awaiting_statements(self) -> List[str]:
        """The departments of the peer directory whose sequence statement is still awaited."""
        return self._native_handle.awaiting_statements()
