"""Table schemas and record validation.

Schemas are Frictionless Table Schema v1/v2 documents plus the civitas extensions
(``civitas:dataType``, ``civitas:dataLength``, ``civitas:identifier``,
``civitas:classification``; see docs/formats/table-schema-extensions.md). Every function
takes a schema as a path to a JSON file (``str`` or ``os.PathLike``), a ``dict`` or JSON
text (a ``str`` starting with ``{``); dialects likewise. Validation returns the report as a
``dict`` in the frictionless report shape (docs/formats/validation-report.md)::

    from civitas import schema
    report = schema.validate("orgs.csv", "orgs.schema.json")
    report = schema.validate("orgs.csv", {"fields": [{"name": "uscc", "civitas:identifier": "uscc"}]})
    if not report["valid"]:
        for e in report["tasks"][0]["errors"]:
            print(e["rowNumber"], e["fieldName"], e["type"], e["note"])

Invalid data is not an exception. Exceptions: :class:`civitas.ParseError` (malformed JSON),
:class:`civitas.InvalidDataError` (a schema that breaks a rule), :class:`civitas.CivitasIOError`
(an unreadable file, a schema path that is missing or a directory),
:class:`civitas.InvalidArgumentError` (a bad dialect or format).
The GIL is released while a file or buffer is validated.
"""

from __future__ import annotations

import json
from typing import Any, Dict, List, Mapping, Optional, Tuple, Union

from . import _native
from ._args import Document, PathLike, document as _document, document_text as _document_text, path as _path

__all__ = ["check", "normalize", "validate", "validate_bytes", "validate_package", "errors"]

_n = _native.schema



def _text(doc: Optional[Document], what: str = "schema") -> Optional[Union[str, bytes]]:
    return None if doc is None else _document_text(doc, what)


def _resource(r: Any, i: int) -> Any:
    if not isinstance(r, Mapping):
        return r  # the native check names what is wrong
    out = dict(r)
    if "path" in out:
        out["path"] = _path(out["path"], f"resources[{i}].path")
    for key in ("schema", "dialect"):
        if out.get(key) is not None:
            out[key] = _document(out[key], f"resources[{i}].{key}")
    return out


def check(schema: Document) -> List[Tuple[str, str]]:
    """Every broken rule of a schema as ``(json_pointer, message)``; empty when valid."""
    return _n.check_schema(_text(schema))


def normalize(schema: Document) -> Dict[str, Any]:
    """The schema in canonical form (defaults omitted, unknown properties kept)."""
    return json.loads(_n.normalize_schema(_text(schema)))


def validate(path: PathLike, schema: Document, *, limit_errors: int = 1000,
             format: str = "", dialect: Optional[Document] = None,
             resources: Optional[List[Dict[str, Any]]] = None) -> Dict[str, Any]:
    """Validates a CSV or JSON Lines file, streaming; returns the report.

    ``limit_errors=0`` means no limit. ``format`` is ``"csv"`` or ``"jsonl"`` (default: from
    the file name). ``dialect`` is a Table Dialect (``{"delimiter": ";", "encoding": "gbk"}``).
    ``resources`` are the tables foreign keys name in ``reference.resource``:
    ``[{"name": "orgs", "path": "orgs.csv", "schema": {...}}]`` (``schema``, ``dialect``,
    ``format`` optional; see docs/schema.md, "Foreign keys across tables"); their ``path``
    may be an ``os.PathLike``, their ``schema`` and ``dialect`` a path, a dict or JSON text.
    """
    res = None if resources is None else json.dumps([_resource(r, i) for i, r in enumerate(resources)],
                                                    ensure_ascii=False)
    return json.loads(_n.validate_file(_text(schema), _path(path), limit_errors, format, _text(dialect, "dialect"), res))


def validate_package(path: PathLike, *, limit_errors: int = 1000) -> Dict[str, Any]:
    """Validates every table of a Frictionless Data Package (``datapackage.json``), foreign
    keys resolved across its tables; one task per table in the report."""
    return json.loads(_n.validate_package(_path(path), limit_errors))


def validate_bytes(data: Union[str, bytes], schema: Document, *, limit_errors: int = 1000,
                   format: str = "csv", dialect: Optional[Document] = None) -> Dict[str, Any]:
    """Validates CSV or JSON Lines held in memory; returns the report."""
    return json.loads(_n.validate_bytes(_text(schema), data, limit_errors, format, _text(dialect, "dialect")))


def errors(report: Dict[str, Any]) -> List[Tuple[str, Optional[int], Optional[str]]]:
    """``(type, rowNumber, fieldName)`` of every error of a report, in report order."""
    out = []
    for task in report.get("tasks", []):
        for e in task.get("errors", []):
            out.append((e["type"], e.get("rowNumber"), e.get("fieldName") or None))
    return out
