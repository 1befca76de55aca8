"""Catalog entries (政务信息资源目录) with the metadata of the national guideline.

An entry is a ``dict`` (docs/formats/catalog-entry.md): classification (类/项/目/细目),
sequence, title, abstract, provider (name + USCC), formats, items (信息项), sharing and open
attributes, update cycle, dates, related resource codes. ``config`` (optional ``dict``)
overrides the configurable enumerations (separator, code widths, formats, update cycles).

Export formats: ``"datapackage"`` (Frictionless Data Package), ``"dcat"`` (DCAT 3 /
DCAT-AP 3 JSON-LD), ``"ckan"`` (CKAN package). ``import_(export(e, f)) == normalize(e)``.

Versioned storage in a workspace: :class:`Catalog` over a :class:`civitas.workspace.Workspace`::

    from civitas.catalog import Catalog
    cat = Catalog(ws)
    v = cat.add(entry)              # CatalogVersion(resource_code, version=1, created_ms, entry)
    cat.get(v.resource_code)        # the latest entry (a dict); version=1 for an earlier one
    cat.list()                      # the latest CatalogVersion of every entry
    cat.history(v.resource_code)    # every CatalogVersion of one entry, oldest first
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Tuple

from . import _native
from ._args import native_workspace as _native_workspace
from .errors import NotFoundError
from .workspace import Workspace

__all__ = ["FORMATS", "check", "resource_code", "normalize", "export", "import_", "Catalog", "CatalogVersion"]

_n = _native.schema

FORMATS = ("datapackage", "dcat", "ckan")


def _dump(d: Optional[Dict[str, Any]]) -> Optional[str]:
    return None if d is None else json.dumps(d, ensure_ascii=False)


def check(entry: Dict[str, Any], config: Optional[Dict[str, Any]] = None,
          schema: Optional[Dict[str, Any]] = None) -> List[Tuple[str, str]]:
    """Every broken rule as ``(json_pointer, message)``; empty when the entry is valid. With the
    table's Table Schema, also checks that every item names one of its fields (``"field"``) and
    that every field is described (docs/formats/catalog-entry.md)."""
    return _n.check_entry(_dump(entry), _dump(config), _dump(schema))


def resource_code(entry: Dict[str, Any], config: Optional[Dict[str, Any]] = None) -> str:
    """The resource code built from classification and sequence (``"102003004/000017"``)."""
    return _n.resource_code(_dump(entry), _dump(config))


def normalize(entry: Dict[str, Any], config: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
    """Canonical entry: Chinese labels to tokens, resourceCode filled in. Raises
    :class:`civitas.InvalidDataError` naming the first broken rule."""
    return json.loads(_n.normalize_entry(_dump(entry), _dump(config)))


def export(entry: Dict[str, Any], format: str, config: Optional[Dict[str, Any]] = None,
           schema: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
    """The entry as a Data Package, DCAT-AP JSON-LD or CKAN package document. With the table's
    Table Schema the Data Package and DCAT documents describe its real columns."""
    return json.loads(_n.export_entry(_dump(entry), format, _dump(config), _dump(schema)))


def import_(document: Dict[str, Any], format: Optional[str] = None,
            config: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
    """The entry a document describes (format detected when ``None``)."""
    return json.loads(_n.import_entry(_dump(document), format, _dump(config)))


@dataclass(frozen=True)
class CatalogVersion:
    """One stored version of a catalog entry."""

    resource_code: str
    version: int  #: 1, 2, … per resource code
    created_ms: int  #: when it was stored, milliseconds since the Unix epoch (UTC)
    entry: Dict[str, Any]  #: the normalised entry

    @property
    def title(self) -> str:
        """The entry's title (信息资源名称)."""
        return self.entry.get("title", "")


def _version(rec: Tuple[str, int, int, str]) -> CatalogVersion:
    code, version, created_ms, entry = rec
    return CatalogVersion(code, version, created_ms, json.loads(entry))


class Catalog:
    """The catalog entries stored in a workspace, versioned: every change to an entry adds a
    version; earlier versions stay readable. Keeps the workspace alive. Thread-safe as the
    workspace is; the GIL is released around database work. :meth:`close` (or leaving a
    ``with`` block) lets go of the workspace, as closing the workspace does; later calls raise
    :class:`~civitas.InvalidArgumentError`."""

    def __init__(self, workspace: Workspace, config: Optional[Dict[str, Any]] = None) -> None:
        """The catalog stored in ``workspace``; ``config`` overrides the configurable
        enumerations (docs/catalog.md)."""
        self._store = _native.catalog.CatalogStore(_native_workspace(workspace), _dump(config))

    def close(self) -> None:
        """Lets go of the workspace (which stays open). Idempotent."""
        self._store.close()

    @property
    def closed(self) -> bool:
        """True after :meth:`close`, or once the workspace was closed."""
        return bool(self._store.closed)

    def __enter__(self) -> "Catalog":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def add(self, entry: Dict[str, Any]) -> CatalogVersion:
        """Validates and normalises ``entry`` and stores it as the next version of its resource
        code; an entry equal to the latest version is not stored again (that version is
        returned). Raises :class:`civitas.InvalidDataError` naming the first broken rule."""
        return _version(self._store.put(_dump(entry)))

    def get(self, resource_code: str, version: Optional[int] = None) -> Dict[str, Any]:
        """The latest stored entry (or the given ``version``). Raises
        :class:`civitas.NotFoundError` (a ``KeyError``) when there is none."""
        return self.version(resource_code, version).entry

    def version(self, resource_code: str, version: Optional[int] = None) -> CatalogVersion:
        """As :meth:`get`, with the version's number and time."""
        if version is not None and version < 1:
            raise ValueError("version must be 1 or more (None = latest)")
        rec = self._store.get(resource_code, version or 0)
        if rec is None:
            what = f"no catalog entry {resource_code}" + (f" version {version}" if version else "")
            raise NotFoundError(what)
        return _version(rec)

    def list(self) -> List[CatalogVersion]:
        """The latest version of every stored entry, by resource code."""
        return [_version(r) for r in self._store.list()]

    def history(self, resource_code: str) -> List[CatalogVersion]:
        """Every version of one entry, oldest first. Raises :class:`civitas.NotFoundError`
        when there is none."""
        out = [_version(r) for r in self._store.history(resource_code)]
        if not out:
            raise NotFoundError(f"no catalog entry {resource_code}")
        return out

    def __contains__(self, resource_code: object) -> bool:
        return isinstance(resource_code, str) and self._store.get(resource_code, 0) is not None
