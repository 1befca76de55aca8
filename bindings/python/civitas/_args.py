"""Argument normalisation shared by the civitas modules (private).

- Paths: every path argument takes ``str`` or ``os.PathLike`` (:func:`path`).
- Documents (Table Schemas, dialects): a path to a JSON file, a ``dict`` (any mapping), or
  JSON text (:func:`document_text`, :func:`document`). A ``str`` whose first non-blank
  character is ``{`` is JSON text; any other ``str``, and every ``os.PathLike``, is a path.
  ``bytes`` are JSON text.
- Workspaces: :func:`native_workspace` gives the native handle of a
  :class:`civitas.workspace.Workspace`.
"""

from __future__ import annotations

import json
import os
from typing import Any, Mapping, Union

from .errors import CivitasIOError, ParseError

#: A file system path: ``str`` or ``os.PathLike`` (``pathlib.Path``…).
PathLike = Union[str, "os.PathLike[str]"]
#: A JSON document (Table Schema, dialect…): a path to a JSON file, a mapping, or JSON text.
Document = Union[Mapping[str, Any], str, bytes, "os.PathLike[str]"]


def path(p: Any, what: str = "path") -> str:
    """``p`` as a ``str`` path; TypeError naming ``what`` for anything but str / os.PathLike."""
    if isinstance(p, str):
        return p
    if isinstance(p, os.PathLike):
        s = os.fspath(p)
        if isinstance(s, bytes):
            s = os.fsdecode(s)
        return s
    raise TypeError(f"{what} must be str or os.PathLike, not {type(p).__name__}")


def _is_json_text(s: str) -> bool:
    return s.lstrip(" \t\r\n\ufeff").startswith("{")


def _read(p: str, what: str) -> str:
    if os.path.isdir(p):
        raise CivitasIOError(f"{what}: {p!r} is a directory, not a JSON file", source=p)
    try:
        with open(p, "rb") as f:
            data = f.read()
    except OSError as e:
        raise CivitasIOError(
            f"{what}: cannot read {p!r} ({e.strerror or e}); give a path to a JSON file, a dict or JSON text",
            source=p,
        ) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise ParseError(f"{what}: {p!r} is not UTF-8 text (byte {e.start})", source=p, offset=e.start) from None
    try:
        json.loads(text)  # so that an error names the file, line and column
    except ValueError as e:
        line = getattr(e, "lineno", None)
        msg = getattr(e, "msg", str(e))
        where = f" (line {line}, column {getattr(e, 'colno', '?')})" if line else ""
        raise ParseError(f"{what}: {p!r} is not valid JSON: {msg}{where}", source=p, row=line) from None
    return text


def document_text(doc: Document, what: str = "schema") -> Union[str, bytes]:
    """The JSON text of a document given as a path, a mapping or JSON text (parsed later by
    the native library, which reports malformed JSON as :class:`civitas.ParseError`)."""
    if isinstance(doc, Mapping):
        return json.dumps(dict(doc), ensure_ascii=False)
    if isinstance(doc, bytes):
        return doc
    if isinstance(doc, str):
        return doc if _is_json_text(doc) else _read(doc, what)
    if isinstance(doc, os.PathLike):
        return _read(path(doc, what), what)
    raise TypeError(f"{what} must be a path, a dict or JSON text, not {type(doc).__name__}")


def document(doc: Document, what: str = "schema") -> Any:
    """The parsed document (a ``dict`` for a schema) of a path, a mapping or JSON text;
    :class:`civitas.ParseError` when the text is not JSON."""
    if isinstance(doc, Mapping):
        return dict(doc)
    text = document_text(doc, what)
    try:
        return json.loads(text)
    except ValueError as e:
        src = None if isinstance(doc, (bytes, Mapping)) or (isinstance(doc, str) and _is_json_text(doc)) else path(doc)
        where = f" in {src!r}" if src else ""
        raise ParseError(f"{what}{where} is not valid JSON: {e}", source=src) from None


def native_workspace(ws: Any, what: str = "workspace") -> Any:
    """The native handle behind a :class:`civitas.workspace.Workspace`."""
    h = getattr(ws, "_native_handle", None)
    if h is None and type(ws).__module__ == "civitas._native.workspace":
        return ws
    if h is None:
        raise TypeError(f"{what} must be a civitas.workspace.Workspace, not {type(ws).__name__}")
    return h
