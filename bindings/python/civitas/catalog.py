"""Catalog entries (政务信息资源目录) with the metadata of the national guideline.

An entry is a ``dict`` (docs/formats/catalog-entry.md): classification (类/项/目/细目),
sequence, title, abstract, provider (name + USCC), formats, items (信息项), sharing and open
attributes, update cycle, dates, related resource codes. ``config`` (optional ``dict``)
overrides the configurable enumerations (separator, code widths, formats, update cycles).

Export formats: ``"datapackage"`` (Frictionless Data Package), ``"dcat"`` (DCAT 3 /
DCAT-AP 3 JSON-LD), ``"ckan"`` (CKAN package). ``import_(export(e, f)) == normalize(e)``.

Versioned storage in a workspace is available from C++ (``civitas::catalog::CatalogStore``)
and the CLI (``civitas catalog add|show|list|history``).
"""

from __future__ import annotations

import json
from typing import Any, Dict, List, Optional, Tuple

from . import _native

__all__ = ["FORMATS", "check", "resource_code", "normalize", "export", "import_"]

_n = _native.schema

FORMATS = ("datapackage", "dcat", "ckan")


def _dump(d: Optional[Dict[str, Any]]) -> Optional[str]:
    return None if d is None else json.dumps(d, ensure_ascii=False)


def check(entry: Dict[str, Any], config: Optional[Dict[str, Any]] = None) -> List[Tuple[str, str]]:
    """Every broken rule as ``(json_pointer, message)``; empty when the entry is valid."""
    return _n.check_entry(_dump(entry), _dump(config))


def resource_code(entry: Dict[str, Any], config: Optional[Dict[str, Any]] = None) -> str:
    """The resource code built from classification and sequence (``"102003004/000017"``)."""
    return _n.resource_code(_dump(entry), _dump(config))


def normalize(entry: Dict[str, Any], config: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
    """Canonical entry: Chinese labels to tokens, resourceCode filled in. Raises
    :class:`civitas.InvalidDataError` naming the first broken rule."""
    return json.loads(_n.normalize_entry(_dump(entry), _dump(config)))


def export(entry: Dict[str, Any], format: str, config: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
    """The entry as a Data Package, DCAT-AP JSON-LD or CKAN package document."""
    return json.loads(_n.export_entry(_dump(entry), format, _dump(config)))


def import_(document: Dict[str, Any], format: Optional[str] = None,
            config: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
    """The entry a document describes (format detected when ``None``)."""
    return json.loads(_n.import_entry(_dump(document), format, _dump(config)))
