"""Packages: data handed from one department to another through the platform
(``civitas package`` in the CLI; ``civitas.exchange`` is a deprecated alias of this module).

A package is a Frictionless Data Package plus an envelope (provider, consumers, catalog code,
purpose, approval reference, sequence numbers, request hash), zstd-compressed, encrypted in
authenticated chunks to each consumer's X25519 exchange key and signed by the provider's
Ed25519 key (format: docs/formats/package.md). The workspace supplies everything else: its
department is the provider, consumers' keys come from its peer directory (import their
``export_public()`` document first), sequence numbers and the replay memory live in its
database, and creating and opening are audit-logged in its log::

    summary = civitas.package.create(tax, "out.civpkg", to=[MARKET],
                                     resources={"payers": "payers.csv"}, schema="payers.schema.json",
                                     catalog="110000-000001", purpose="licensing check")
    civitas.package.inspect("out.civpkg")                 # header only, no key needed
    civitas.package.verify(market, "out.civpkg")          # signatures + digest, no decryption
    civitas.package.open(market, "out.civpkg", "in/")     # writes in/datapackage.json, in/data/…

Paths are ``str`` or ``os.PathLike``; schemas a path to a JSON file, a ``dict`` or JSON text.

Refusals raise their own :class:`civitas.Error` subclass and leave no output behind:
:class:`~civitas.BadSignatureError`, :class:`~civitas.UnknownKeyError` (provider key not in the
peer directory), :class:`~civitas.NotRecipientError`, :class:`~civitas.TruncatedError`,
:class:`~civitas.IntegrityError` (modified or reordered chunks), :class:`~civitas.ReplayError`
(sequence number opened before), :class:`~civitas.SchemaMismatchError` (schema hash differs
from the expected one), :class:`~civitas.InvalidDataError` (records break their schema),
:class:`~civitas.ParseError` (not a package).

The GIL is released around all compression, crypto and I/O. A :class:`PackageWriter` or
:class:`PackageReader` may be shared between threads (calls are serialised), but its order of
calls is the caller's business. Both are closed (an unfinished package abandoned) when their
workspace is closed.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import IO, Any, Dict, List, Mapping, Optional, Sequence, Tuple, TypeVar, Union

from . import _native
from ._args import Document, PathLike, document as _document, document_text as _document_text
from ._args import native_workspace as _ws, path as _path
from .errors import InvalidArgumentError
from .workspace import Workspace

_ex = _native.package

#: Plaintext bytes per encrypted chunk by default (64 KiB).
DEFAULT_CHUNK_SIZE: int = _ex.DEFAULT_CHUNK_SIZE
#: The package format version this library writes.
FORMAT_VERSION: int = _ex.FORMAT_VERSION

#: Bytes read at a time from streams given as resources or fed to a reader.
BLOCK_SIZE = 1 << 20

#: A Table Schema: a path to a JSON file, a ``dict`` or JSON text.
Schema = Document
#: A resource's content: a file path, bytes-like data, or a binary stream with ``read()``.
Source = Union[PathLike, bytes, bytearray, memoryview, IO[bytes]]

_FORMATS = ("csv", "tsv", "json", "jsonl")
_S = TypeVar("_S", bound="_Stream")


@dataclass(frozen=True)
class Header:
    """The public header of a package (readable without any key; not verified by itself)."""

    package_id: str
    version: int
    created: int
    created_utc: str
    provider: str
    provider_key_id: str
    #: ``[{"department", "key_id", "sequence"}]``, one per consumer.
    recipients: List[Dict[str, Any]]
    chunk_size: int
    compression: str
    cipher: str
    header_bytes: int
    #: The whole header document, as ``civitas package inspect`` prints it.
    raw: Dict[str, Any] = field(repr=False)

    @classmethod
    def _from_json(cls, text: str) -> "Header":
        d = json.loads(text)
        payload = d.get("payload", {})
        return cls(
            package_id=d["package_id"],
            version=d["version"],
            created=d["created"],
            created_utc=d.get("created_utc", ""),
            provider=d["provider"]["department"],
            provider_key_id=d["provider"]["key_id"],
            recipients=list(d.get("recipients", [])),
            chunk_size=payload.get("chunk_size", 0),
            compression=payload.get("compression", ""),
            cipher=payload.get("cipher", ""),
            header_bytes=d.get("header_bytes", 0),
            raw=d,
        )


@dataclass(frozen=True)
class Summary:
    """What a writer produced, or what a reader found.

    ``envelope`` and ``datapackage`` are empty after :func:`verify` (nothing is decrypted).
    """

    header: Header
    envelope: Dict[str, Any]
    datapackage: Dict[str, Any]
    package_bytes: int
    payload_bytes: int
    chunks: int
    content_bytes: int

    @property
    def package_id(self) -> str:
        """The package's id (``header.package_id``)."""
        return self.header.package_id

    @classmethod
    def _from_native(cls, t: Tuple[str, str, str, int, int, int, int]) -> "Summary":
        header, envelope, datapackage, package_bytes, payload_bytes, chunks, content_bytes = t
        return cls(
            header=Header._from_json(header),
            envelope=json.loads(envelope) if envelope else {},
            datapackage=json.loads(datapackage) if datapackage else {},
            package_bytes=package_bytes,
            payload_bytes=payload_bytes,
            chunks=chunks,
            content_bytes=content_bytes,
        )


def _schema_text(schema: Optional[Schema], what: str = "schema") -> Optional[str]:
    if schema is None:
        return None
    text = _document_text(schema, what)
    return text.decode("utf-8") if isinstance(text, bytes) else text


def _expected(expected_schemas: Optional[Mapping[str, Schema]]) -> Dict[str, str]:
    return {name: json.dumps(_document(s, f"expected_schemas[{name!r}]"), ensure_ascii=False)
            for name, s in (expected_schemas or {}).items()}


def _format_of(source: Any) -> str:
    if isinstance(source, (str, os.PathLike)):
        ext = os.path.splitext(os.fspath(source))[1].lstrip(".").lower()
        if ext in _FORMATS:
            return ext
    return "csv"


def schema_hash(schema: Schema) -> str:
    """``sha256:<hex>`` of a Table Schema in canonical form (what packages record per resource)."""
    return _ex.schema_hash(_schema_text(schema))


def inspect(path: PathLike) -> Header:
    """Reads a package's public header: no key, no decryption, **not verified**.

    Raises ParseError (not a package), TruncatedError, UnsupportedVersionError, CivitasIOError.
    """
    return Header._from_json(_ex.inspect(_path(path)))


def verify(workspace: Workspace, path: PathLike) -> Summary:
    """Checks the provider's signatures over the header and the segment hashes, and every
    segment against its hash (so every byte of the file), without decrypting anything. The provider's signing key must be in the workspace's peer
    directory (or be the workspace's own).

    Raises UnknownKeyError, BadSignatureError, TruncatedError, IntegrityError, ParseError.
    """
    return Summary._from_native(_ex.verify(_ws(workspace), _path(path)))


def open(  # noqa: A001  (the module's verb; use civitas.package.open)
    workspace: Workspace,
    path: PathLike,
    out_dir: PathLike,
    *,
    validate: bool = True,
    expected_schemas: Optional[Mapping[str, Schema]] = None,
    sync: bool = True,
    umask_modes: bool = False,
) -> Summary:
    """Verifies a package (nothing is decrypted before both signatures check out), decrypts
    it and writes the data package into ``out_dir`` (which must not exist, or be empty).

    Args:
        validate: check every record against its resource's schema (False skips it).
        expected_schemas: ``{resource: schema}`` the consumer expects (from its catalog);
            a package whose schema hash differs raises SchemaMismatchError.
        sync: force the output to disk before it appears and the sequence number is
            remembered (False is faster; after a power loss the output may then be lost while
            reopening the package is refused as a replay).
        umask_modes: write the decrypted files and directories with the usual modes (0666 /
            0777 less the umask); by default they are 0600 / 0700 (owner only).

    The sequence number is remembered in the workspace: opening the same package again
    raises ReplayError. Audit-logged as ``package.open`` (refusals too). On any refusal
    ``out_dir`` is left as it was.
    """
    return Summary._from_native(
        _ex.open(
            _ws(workspace), _path(path), _path(out_dir, "out_dir"), validate, _expected(expected_schemas), sync, umask_modes
        )
    )


class _Stream:
    """Shared by the writer and the reader: close on leaving a ``with`` block."""

    _h: Any

    def close(self) -> None:
        """Abandons an unfinished package: whatever was written is removed (no-op when done)."""
        self._h.close()

    @property
    def closed(self) -> bool:
        """True once finished, refused or closed."""
        return bool(self._h.closed)

    def __enter__(self: _S) -> _S:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


class PackageWriter(_Stream):
    """Streaming writer of a package from ``workspace`` (the provider) to the departments in
    ``to``. Memory stays bounded whatever the size of the resources.

    The file appears at ``path`` only when :meth:`finish` succeeds; closing (or leaving a
    ``with`` block by an exception) before that removes everything written::

        with PackageWriter(ws, "out.civpkg", to=[MARKET], purpose="audit") as w:
            w.begin_resource("payers", schema)
            for block in blocks:
                w.write(block)
            w.end_resource()
            w.add_resource("branches", "branches.csv")
            summary = w.finish()

    A sequence number for each consumer is reserved when the writer is created. Resources
    with a schema are checked against it as they are written (``validate=False`` skips it):
    records that break it make :meth:`end_resource` raise
    :class:`~civitas.InvalidDataError` with the whole validation report in its ``report``,
    and the package is dropped. ``encoding`` ("gbk", "gb18030"…; "" = UTF-8) is the encoding
    of the bytes written; they are transcoded, the package holds UTF-8 only.
    """

    def __init__(
        self,
        workspace: Workspace,
        path: PathLike,
        *,
        to: Sequence[str],
        catalog: str = "",
        purpose: str = "",
        approval: str = "",
        request_hash: str = "",
        chunk_size: int = 0,
        level: int = 1,
        threads: int = 1,
        validate: bool = True,
        encoding: str = "",
    ) -> None:
        if isinstance(to, str):
            to = [to]
        self._h = _ex.Writer(
            _ws(workspace),
            _path(path),
            list(to),
            catalog,
            purpose,
            approval,
            request_hash,
            chunk_size,
            level,
            threads,
            validate,
            encoding,
        )

    def begin_resource(self, name: str, schema: Optional[Schema] = None, format: str = "csv") -> None:
        """Starts resource ``name`` (lowercase letters, digits, ``-_.``), stored as
        ``data/<name>.<format>``, with an optional Table Schema (path, dict or JSON text)."""
        self._h.begin_resource(name, _schema_text(schema), format)

    def write(self, data: Union[bytes, bytearray, memoryview]) -> None:
        """Appends bytes to the current resource."""
        self._h.write(data)

    def end_resource(self) -> None:
        """Ends the current resource (its hash and size go into datapackage.json)."""
        self._h.end_resource()

    def add_resource(self, name: str, source: Source, schema: Optional[Schema] = None, format: Optional[str] = None) -> None:
        """Adds a whole resource from a file path, bytes-like data or a binary stream.
        ``format`` defaults to the file's extension (csv, tsv, json, jsonl), else csv."""
        fmt = format or _format_of(source)
        if isinstance(source, (str, os.PathLike)):
            self._h.add_file(name, _path(source), _schema_text(schema), fmt)
            return
        self.begin_resource(name, schema, fmt)
        if isinstance(source, (bytes, bytearray, memoryview)):
            self._h.write(source)
        elif hasattr(source, "read"):
            while True:
                block = source.read(BLOCK_SIZE)
                if not block:
                    break
                self._h.write(block)
        else:
            raise TypeError(f"resource {name!r}: expected a path, bytes or a binary stream, not {type(source).__name__}")
        self._h.end_resource()

    def finish(self) -> Summary:
        """Writes datapackage.json and the trailer, signs, renames the file into place and
        records ``package.create`` in the audit log."""
        return Summary._from_native(self._h.finish())



class PackageReader(_Stream):
    """Push-style streaming reader for packages that arrive in pieces (sockets, queues).

    The header signature is checked before anything is decrypted; chunks are authenticated as
    they arrive; the signature over the whole package is checked in :meth:`finish`, before
    ``out_dir`` appears. A refusal is raised as soon as the evidence is there; the reader is
    then closed and nothing is left in ``out_dir``.
    """

    def __init__(
        self,
        workspace: Workspace,
        out_dir: PathLike,
        *,
        validate: bool = True,
        expected_schemas: Optional[Mapping[str, Schema]] = None,
        sync: bool = True,
        umask_modes: bool = False,
    ) -> None:
        self._h = _ex.Reader(
            _ws(workspace), _path(out_dir, "out_dir"), validate, _expected(expected_schemas), sync, umask_modes
        )

    def feed(self, data: Union[bytes, bytearray, memoryview]) -> None:
        """Feeds the next bytes of the package."""
        self._h.feed(data)

    def feed_from(self, stream: IO[bytes]) -> None:
        """Feeds everything a binary stream yields, a block at a time."""
        while True:
            block = stream.read(BLOCK_SIZE)
            if not block:
                return
            self._h.feed(block)

    @property
    def header(self) -> Optional[Header]:
        """The verified header, once enough bytes were fed (None before)."""
        h = self._h.header()
        return None if h is None else Header._from_json(h)

    def finish(self) -> Summary:
        """Checks the whole-package signature and commits ``out_dir`` (audit-logged)."""
        return Summary._from_native(self._h.finish())



def create(
    workspace: Workspace,
    path: PathLike,
    *,
    to: Sequence[str],
    resources: Mapping[str, Source],
    schema: Optional[Schema] = None,
    schemas: Optional[Mapping[str, Schema]] = None,
    catalog: str = "",
    purpose: str = "",
    approval: str = "",
    request_hash: str = "",
    chunk_size: int = 0,
    level: int = 1,
    threads: int = 1,
    validate: bool = True,
    encoding: str = "",
) -> Summary:
    """Creates a package in one call.

    Args:
        to: consumer department USCCs; each one's public keys must be imported.
        resources: ``{name: source}`` in order; a source is a path, bytes or a binary stream.
        schema: Table Schema (a path, a dict or JSON text) for every resource without its
            own in ``schemas``.
        schemas: ``{name: schema}`` per resource.
        catalog, purpose, approval, request_hash: the envelope's fields.
        level, threads, chunk_size: zstd level, zstd worker threads (0 = none), chunk size.
        validate: check the records of every resource with a schema against it (the default);
            records that break it raise :class:`~civitas.InvalidDataError` whose ``report``
            is the whole validation report, and no package is left behind.
        encoding: the encoding of the resources (``"gbk"``, ``"gb18030"``…; "" = UTF-8): they
            are transcoded, the package holds UTF-8 only.
    """
    if not resources:
        raise InvalidArgumentError("a package needs at least one resource")
    schemas = dict(schemas or {})
    unknown = sorted(set(schemas) - set(resources))
    if unknown:
        raise InvalidArgumentError(f"schemas name resources that are not given: {', '.join(unknown)}")
    with PackageWriter(
        workspace,
        path,
        to=to,
        catalog=catalog,
        purpose=purpose,
        approval=approval,
        request_hash=request_hash,
        chunk_size=chunk_size,
        level=level,
        threads=threads,
        validate=validate,
        encoding=encoding,
    ) as w:
        for name, source in resources.items():
            w.add_resource(name, source, schemas.get(name, schema))
        return w.finish()


__all__ = [
    "DEFAULT_CHUNK_SIZE",
    "FORMAT_VERSION",
    "Header",
    "Summary",
    "PackageWriter",
    "PackageReader",
    "create",
    "inspect",
    "verify",
    "open",
    "schema_hash",
]
