"""Classification: which identifiers and other personal information a value, a column, a
CSV file or a text holds (docs/classify.md).

Types (the ``type`` of every result; :data:`TYPES` lists them): ``uscc``, ``orgcode``,
``ric``, ``gb2260``, ``mobile_phone``, ``phone``, ``bank_card``, ``email``, ``ip_address``,
``mac_address``, ``vehicle_plate``, ``passport``, ``hk_macao_permit``, ``postal_code``,
``birth_date``, ``person_name``, ``address``, ``gps_coordinates``, ``imei``, ``vin`` and
``none``, plus the names of custom detectors. Checksum-backed types (USCC, organisation code,
resident ID with region and date, bank card, IMEI, VIN) are verified, never a bare pattern.

Custom detectors (the ``detectors`` argument) are :class:`Detector` objects or dicts
``{"name", "pattern", "category", "level"}``; patterns are RE2 (linear time). A bad name or a
pattern RE2 refuses raises :class:`civitas.InvalidArgumentError` (a ``ValueError``).

>>> from civitas import classify
>>> classify.classify_value("11010519491231002X")
'ric'
>>> [(f.type, f.offset, f.length) for f in classify.find("电话13912345678")]
[('mobile_phone', 6, 11)]
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, Iterable, List, Mapping, Optional, Tuple, Union

from . import _native
from ._args import Document, PathLike, document_text, path as _path

_cl = _native.classify

__all__ = [
    "TYPES",
    "Detector",
    "Finding",
    "ColumnResult",
    "TableResult",
    "classify_value",
    "matches",
    "find",
    "find_in_column",
    "scan_column",
    "scan_file",
]

#: The built-in type names, ``("none", "uscc", "orgcode", …, "vin")``.
TYPES = tuple(_cl.type_names())

Text = Union[str, bytes]
"""Text as given: ``str``, or ``bytes`` (UTF-8, GB18030… see :func:`find`)."""


@dataclass(frozen=True)
class Detector:
    """A user-defined detector: a name (lower-case letters, digits, ``_``; not a built-in
    type) and an RE2 pattern; ``category`` and ``level`` are carried to column results."""

    name: str
    pattern: str
    category: Optional[str] = None
    level: Optional[str] = None


DetectorLike = Union[Detector, Mapping[str, Any]]


@dataclass(frozen=True)
class Finding:
    """One occurrence in a text: ``text[offset:offset + length]`` in the units of the input
    (bytes for ``bytes`` input, characters for ``str`` input)."""

    type: str
    offset: int
    length: int


@dataclass(frozen=True)
class ColumnResult:
    """The classification of one column.

    Attributes:
        name: the column name.
        type: the type (``"none"`` when no type covers enough values).
        ratio: the share of the sampled non-blank values of ``type`` (for ``"none"``: the
            share that is of no type).
        confidence: 0..1 (the 95 % lower bound of the ratio, a little more when the name
            agrees; 1 for schema annotations).
        category, level: from schema annotations or a custom detector, else None.
        source: ``"detected"``, ``"schema"`` or ``"name"`` (only the name decided).
        sampled: the number of non-blank values looked at; blank: blank values seen.
    """

    name: str
    type: str
    ratio: float
    confidence: float
    category: Optional[str]
    level: Optional[str]
    source: str
    sampled: int = 0
    blank: int = 0


@dataclass(frozen=True)
class TableResult:
    """The classification of a table: its columns, the highest column level (or None), the
    encoding it was read in, whether it was sampled in segments, and the rows looked at."""

    columns: List[ColumnResult]
    level: Optional[str]
    encoding: str
    sampled: bool
    rows_read: int

    def to_json(self) -> Dict[str, Any]:
        """The shape of ``civitas classify scan --json``."""
        return {
            "columns": [
                {k: getattr(c, k) for k in ("name", "type", "ratio", "confidence", "category", "level", "source")}
                for c in self.columns
            ],
            "level": self.level,
        }


def _detectors(ds: Optional[Iterable[DetectorLike]]) -> Optional[List[Dict[str, Any]]]:
    if ds is None:
        return None
    out = []
    for d in ds:
        if isinstance(d, Detector):
            out.append({"name": d.name, "pattern": d.pattern, "category": d.category, "level": d.level})
        elif isinstance(d, Mapping):
            out.append(dict(d))
        else:
            raise TypeError(f"a detector must be a Detector or a dict, not {type(d).__name__}")
    return out


def _column(d: Mapping[str, Any]) -> ColumnResult:
    return ColumnResult(**d)


def classify_value(value: Text, detectors: Optional[Iterable[DetectorLike]] = None) -> str:
    """The type of one cell value (trimmed; full-width forms read as ASCII): the first type
    whose detector accepts the whole value, ``"none"`` when none does."""
    return str(_cl.classify_value(value, _detectors(detectors)))


def matches(type: str, value: Text, detectors: Optional[Iterable[DetectorLike]] = None) -> bool:
    """Whether the detector called ``type`` accepts the whole value; an unknown type raises
    :class:`civitas.InvalidArgumentError`."""
    return bool(_cl.matches(type, value, _detectors(detectors)))


def find(text: Text, encoding: str = "", detectors: Optional[Iterable[DetectorLike]] = None) -> List[Finding]:
    """Every occurrence in ``text``, in order. For ``bytes``, ``encoding`` is the bytes'
    encoding (``""`` = guess: UTF-8 when valid, else GB18030) and offsets are byte offsets of
    the bytes as given; for ``str``, offsets and lengths are in characters."""
    if isinstance(text, str):
        raw = text.encode("utf-8", "surrogatepass")
        found = _cl.find(raw, "utf-8", _detectors(detectors))
        # Byte offsets of the UTF-8 form to character offsets.
        out = []
        byte_pos = char_pos = 0
        for t, off, n in found:  # in offset order: one pass over the text
            char_pos += len(raw[byte_pos:off].decode("utf-8", "replace"))
            byte_pos = off
            out.append(Finding(t, char_pos, len(raw[off:off + n].decode("utf-8", "replace"))))
        return out
    return [Finding(t, off, n) for t, off, n in _cl.find(text, encoding, _detectors(detectors))]


def find_in_column(values: Any, detectors: Optional[Iterable[DetectorLike]] = None) -> List[Tuple[int, Finding]]:
    """Every occurrence in a column of free text (a list, pandas Series or pyarrow array;
    nulls are blanks): ``(row, Finding)`` pairs in row order, offsets in characters of the
    value for ``str`` values, in bytes for ``bytes`` values."""
    vals = _values(values)
    out: List[Tuple[int, Finding]] = []
    for row, t, off, n in _cl.find_in_column(vals, _detectors(detectors)):
        v = vals[row]
        if isinstance(v, str):
            raw = v.encode("utf-8", "surrogatepass")
            start = len(raw[:off].decode("utf-8", "replace"))
            out.append((row, Finding(t, start, len(raw[off:off + n].decode("utf-8", "replace")))))
        else:
            out.append((row, Finding(t, off, n)))
    return out


def _values(values: Any) -> List[Union[str, bytes]]:
    """A list of str/bytes from a list, tuple, pandas Series or pyarrow Array/ChunkedArray;
    None, NaN and nulls become blanks, other scalars their str()."""
    if hasattr(values, "to_pylist"):  # pyarrow Array / ChunkedArray
        items: Iterable[Any] = values.to_pylist()
    elif hasattr(values, "tolist") and hasattr(values, "dtype"):  # pandas Series, numpy array
        items = values.tolist()
    else:
        items = values
    out: List[Union[str, bytes]] = []
    for v in items:
        if v is None or (isinstance(v, float) and v != v):
            out.append("")
        elif isinstance(v, (str, bytes)):
            out.append(v)
        else:
            out.append(str(v))
    return out


def scan_column(values: Any, name: str = "", detectors: Optional[Iterable[DetectorLike]] = None) -> ColumnResult:
    """Classifies one column from its values: a list or tuple of str/bytes, a pandas Series
    or a pyarrow array (nulls count as blanks). ``name`` is a hint only: it lowers the
    threshold for the type it names and decides alone (``source == "name"``) only when every
    value is blank. A pandas Series' own name is used when ``name`` is not given."""
    if not name and getattr(values, "name", None) is not None and isinstance(values.name, str):
        name = values.name
    return _column(_cl.classify_column(name, _values(values), _detectors(detectors)))


def scan_file(
    path: PathLike,
    schema: Optional[Document] = None,
    encoding: str = "",
    delimiter: str = "",
    full: bool = False,
    detectors: Optional[Iterable[DetectorLike]] = None,
) -> TableResult:
    """Classifies every column of a CSV file, read in segments when it is large (``full``
    reads every row). ``schema`` (a path, dict or JSON text) annotations win:
    ``civitas:identifier`` gives the type, ``civitas:classification`` category and level.
    ``encoding`` ``""`` = guess (UTF-8, or GB18030 when the bytes are not UTF-8)."""
    s = document_text(schema, "schema") if schema is not None else None
    r = _cl.scan_file(_path(path), s, encoding, delimiter, full, _detectors(detectors))
    return TableResult(
        columns=[_column(c) for c in r["columns"]],
        level=r["level"],
        encoding=r["encoding"],
        sampled=r["sampled"],
        rows_read=r["rows_read"],
    )
