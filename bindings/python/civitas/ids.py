"""Chinese identifiers: validation, parts and check characters.

Kinds (the ``kind`` argument everywhere):

=========== ==========================================================================
``uscc``    Unified Social Credit Code (GB 32100-2015), 18 characters
``orgcode`` organisation code (GB 11714), 8 characters + check digit
``ric``     resident identity number (GB 11643-1999), 18 digits (or legacy 15)
``gb2260``  administrative division code (GB/T 2260), 6 digits
=========== ==========================================================================

An invalid identifier is not an error: :func:`validate` returns a result whose ``reason``
is a stable name (``"length"``, ``"charset"``, ``"checksum"``, ``"authority"``,
``"category"``, ``"region"``, ``"date"``, ``"orgcode-checksum"``). Exceptions are for bad
arguments: an unknown kind raises :class:`civitas.InvalidArgumentError` (a ``ValueError``),
a code that is neither ``str`` nor ``bytes`` raises ``TypeError``.

Input is normalised first as people write codes: trimmed, full-width forms to ASCII,
upper-cased, spaces and hyphens dropped.

Soft rules (USCC authority/category table, known division, the embedded organisation code's
check digit; the resident ID's division) give warnings; ``strict=True`` makes them errors.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Optional, Union

from . import _native
from ._args import path as _path

_ids = _native.ids

__all__ = [
    "KINDS",
    "REASONS",
    "ValidationResult",
    "validate",
    "is_valid",
    "validate_many",
    "reasons_many",
    "check_char",
    "ric_upgrade",
    "normalize",
    "lookup_region",
    "load_division_table",
    "reset_division_table",
    "division_table_source",
    "division_table_size",
]

Code = Union[str, bytes]
"""An identifier as given: ``str`` or UTF-8 ``bytes``."""

#: The identifier kinds: ``("uscc", "orgcode", "ric", "gb2260")``.
KINDS = tuple(_ids.kinds())
#: Every reason name in value order; ``REASONS[0] == "ok"``.
REASONS = tuple(_ids.reason_names())


@dataclass(frozen=True)
class ValidationResult:
    """The outcome of :func:`validate`.

    Attributes:
        kind: the identifier kind ("uscc", "orgcode", "ric", "gb2260").
        valid: True when the code passes (warnings allowed unless strict).
        canonical: the normalised code; the 18-digit form for a valid legacy resident ID;
            empty when the input could not be normalised.
        reason: the first failed rule's stable name, or None when valid.
        warnings: names of soft rules that failed (e.g. ``["region"]``).
        message: a human-readable explanation.
        parts: what the code says, as far as it could be parsed. Keys by kind:
            uscc: ``authority`` {code, name}, ``category`` {code, name}, ``region``,
            ``orgcode``, ``check``; ric: ``region``, ``birth_date`` (YYYY-MM-DD), ``sex``
            ("M"/"F"), ``sequence``, ``legacy`` (the 15-digit input or None), ``check``
            (absent for legacy numbers); gb2260: ``region``; orgcode: ``check``.
            ``region`` is {code, known, province, prefecture, county}; unknown names are None.
    """

    kind: str
    valid: bool
    canonical: str
    reason: Optional[str]
    warnings: List[str] = field(default_factory=list)
    message: str = ""
    parts: Dict[str, Any] = field(default_factory=dict)

    def __repr__(self) -> str:
        s = f"ValidationResult(kind={self.kind!r}, canonical={self.canonical!r}, valid={self.valid}"
        if self.reason is not None:
            s += f", reason={self.reason!r}"
        if self.warnings:
            s += f", warnings={self.warnings!r}"
        return s + ")"

    def to_dict(self) -> Dict[str, Any]:
        """A plain dict (JSON-ready) of all attributes."""
        return {
            "kind": self.kind,
            "valid": self.valid,
            "canonical": self.canonical,
            "reason": self.reason,
            "warnings": list(self.warnings),
            "message": self.message,
            "parts": self.parts,
        }


def validate(kind: str, code: Code, strict: bool = False) -> ValidationResult:
    """Validates one identifier and parses it into parts.

    >>> civitas.ids.validate("uscc", "91350100M000100Y43").valid
    True

    Raises:
        InvalidArgumentError: ``kind`` is unknown.
        TypeError: ``code`` is neither str nor bytes.
    """
    return ValidationResult(**_ids.validate(kind, code, strict))


def is_valid(kind: str, code: Code, strict: bool = False) -> bool:
    """True when ``code`` is a valid identifier of ``kind`` (the fast path: no parts)."""
    return _ids.is_valid(kind, code, strict)


def validate_many(kind: str, codes: Iterable[Code], strict: bool = False) -> List[bool]:
    """Validates many identifiers at once; returns one bool per code, in order.

    ``codes`` is any sequence (or iterable) of ``str``/``bytes``. They are copied into one
    contiguous column and checked by the C++ core with the GIL released, so other Python
    threads run meanwhile and the per-code overhead is a few tens of nanoseconds.

    Raises:
        InvalidArgumentError: ``kind`` is unknown.
        TypeError: ``codes`` is a single str/bytes, or an item is neither str nor bytes.
    """
    return _ids.validate_many(kind, codes, strict)


def reasons_many(kind: str, codes: Iterable[Code], strict: bool = False) -> List[Optional[str]]:
    """As :func:`validate_many`, but returns the reason name per code (None when valid)."""
    return _ids.reasons_many(kind, codes, strict)


def check_char(kind: str, body: Code) -> str:
    """Computes the check character of an identifier body.

    ``body`` is the code without its check character: 17 characters for ``uscc``, 8 for
    ``orgcode``, 17 digits for ``ric`` (normalised first).

    Raises:
        InvalidArgumentError: wrong length or characters, or ``kind`` is ``gb2260``
            (division codes have no check character) or unknown.
    """
    return _ids.check_char(kind, body)


def ric_upgrade(legacy15: Code) -> str:
    """Converts a valid legacy 15-digit resident ID number to its 18-digit form.

    Raises:
        InvalidDataError: the input is not a valid 15-digit number (message says why).
    """
    return _ids.ric_upgrade(legacy15)


def normalize(code: Code) -> str:
    """Normalises an identifier as written by people.

    Trims whitespace (also U+3000), turns full-width forms into ASCII, lower into upper
    case, drops spaces and hyphens: ``normalize(" ９１３５-0100m ") == "91350100M"``.

    Raises:
        InvalidDataError: the result would contain a character outside printable ASCII.
    """
    return _ids.normalize(code)


def lookup_region(code: Code) -> Dict[str, Any]:
    """Resolves a six-digit GB/T 2260 code against the current division table.

    Returns {code, known, province, prefecture, county}; names are None when unknown.
    """
    return _ids.lookup_region(code)


def load_division_table(path: Union[str, "os.PathLike[str]"]) -> None:
    """Replaces the GB/T 2260 division table with the file at ``path``.

    The file is in the python-stdnum ``loc.dat`` text format (docs/formats/division-table.md).
    The table is process-wide; validations already running finish on the old table.

    Raises:
        CivitasIOError: the file cannot be read (also an ``OSError``).
        ParseError: the file is malformed; ``row`` is the line number.
    """
    _ids.load_division_table(_path(path))


def reset_division_table() -> None:
    """Restores the division table built into the library."""
    _ids.reset_division_table()


def division_table_source() -> str:
    """Describes the current division table: ``"builtin: …"`` or the path it was loaded from."""
    return _ids.division_table_source()


def division_table_size() -> int:
    """Number of entries (counties, prefectures, provinces) in the current division table."""
    return _ids.division_table_size()
