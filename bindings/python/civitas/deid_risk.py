"""De-identification: field transforms, re-identification risk, the HTML report.

Transforms (docs/formats/deid-actions.md) change one column of text values; an action is a
dict as the spec writes it (``{"action": "mask", "keep_last": 4}``) or its name. Keyed actions
(``pseudonymize``, ``tokenize``, ``date_shift``, keyed ``noise``) take the workspace whose
primary identity or token key they use.

Risk (docs/formats/deid-risk.md) is measured from the sizes of the equivalence classes of the
quasi-identifiers: prosecutor, journalist and marketer risk as ARX defines them, sample
uniques and the population uniqueness estimated with Pitman's model. :func:`risk` takes class
sizes, :func:`risk_csv` a CSV file, :func:`risk_of` a pandas DataFrame, a pyarrow Table or a
dict of columns.

:func:`report_html` renders a de-identification report (docs/formats/deid-report.md) as one
self-contained HTML page.
"""

from __future__ import annotations

import json
from typing import Any, Dict, List, Mapping, Optional, Sequence, Union

from . import _native
from ._args import native_workspace as _native_workspace
from ._args import path as _path

_d = _native.deid_risk

__all__ = [
    "ACTIONS",
    "transform",
    "describe_action",
    "class_sizes",
    "class_size_histogram",
    "risk",
    "risk_csv",
    "risk_of",
    "report_html",
]

#: The action names of a field's ``"action"``.
ACTIONS = ("keep", "drop", "mask", "generalize", "pseudonymize", "tokenize", "date_shift",
           "top_bottom", "microaggregate", "noise")

Action = Union[str, Mapping[str, Any]]


def _action_json(action: Action) -> str:
    return json.dumps(action if isinstance(action, str) else dict(action), ensure_ascii=False)


def transform(values: Any, action: Action, *, field: str = "", subject: Optional[Any] = None,
              workspace: Any = None) -> List[str]:
    """Applies a field action to a column and returns the new column of str (same length and
    order; ``drop`` returns an empty list). ``values`` is a sequence of str, or a pandas
    Series or pyarrow array (other cells become str; None and NaN become ""). Empty strings
    are missing values and stay empty. ``subject`` is the subject column of ``date_shift``; ``workspace`` supplies
    the keys of keyed actions. Errors: :class:`civitas.InvalidArgumentError` (bad action,
    missing key), :class:`civitas.InvalidDataError` naming the row (row 2 is values[0], as in
    a CSV file with a header)."""
    ws = None if workspace is None else _native_workspace(workspace)
    subj = None if subject is None else _texts(subject)
    return _d.transform(_texts(values), _action_json(action), field, subj, ws)


def describe_action(action: Action, field: str = "") -> Dict[str, Any]:
    """The action's canonical JSON form and its one-line description (the report's
    ``fields[].detail``): ``{"action": {...}, "detail": "..."}``."""
    canonical, detail = _d.describe(_action_json(action), field)
    return {"action": json.loads(canonical), "detail": detail}


def class_sizes(columns: Sequence[Sequence[str]]) -> List[int]:
    """Sizes of the equivalence classes of quasi-identifier columns (each a sequence of str
    of the same length), in first-seen order."""
    return list(_d.class_sizes(list(columns)))


def class_size_histogram(sizes: Sequence[int]) -> List[List[int]]:
    """``[[size, number of classes of that size], …]``, sizes ascending."""
    hist: Dict[int, int] = {}
    for s in sizes:
        if s:
            hist[int(s)] = hist.get(int(s), 0) + 1
    return [[k, hist[k]] for k in sorted(hist)]


def _opts(threshold: float, population_size: Optional[float], sampling_fraction: float, model: str):
    return (float(threshold), float(population_size or 0), float(sampling_fraction), model)


def risk(sizes: Sequence[int], *, population_sizes: Optional[Sequence[int]] = None, threshold: float = 0.2,
         population_size: Optional[float] = None, sampling_fraction: float = 0.01,
         model: str = "pitman") -> Dict[str, Any]:
    """The RISK object (docs/formats/deid-risk.md) of a release whose classes have these
    sizes. ``population_sizes`` (one per class) gives journalist and marketer risk against a
    known population, as ARX does for a sample."""
    o = _opts(threshold, population_size, sampling_fraction, model)
    if population_sizes is not None:
        return json.loads(_d.risk_population(list(sizes), list(population_sizes), *o))
    return json.loads(_d.risk(list(sizes), *o))


def risk_csv(path: Any, qi: Union[str, Sequence[str]], *, delimiter: str = ",", encoding: str = "utf-8",
             threshold: float = 0.2, population_size: Optional[float] = None, sampling_fraction: float = 0.01,
             model: str = "pitman") -> Dict[str, Any]:
    """Risk of a CSV file's quasi-identifier columns (``qi``: names, or one comma-separated
    str): ``{"risk": RISK, "class_sizes": [[size, count], …], "records": n, "classes": n}``.
    Errors: :class:`civitas.NotFoundError` (unknown column), :class:`civitas.CivitasIOError`
    (unreadable), :class:`civitas.ParseError` (bad CSV or encoding)."""
    names = qi.split(",") if isinstance(qi, str) else list(qi)
    return json.loads(_d.risk_csv(_path(path), names, delimiter, encoding,
                                  *_opts(threshold, population_size, sampling_fraction, model)))


def _text(v: Any) -> str:
    """A cell as text: None, NaN and pandas NA are missing (""), other values str()."""
    if isinstance(v, str):
        return v
    if v is None:
        return ""
    try:
        if v != v:  # NaN, pandas NA
            return ""
    except (TypeError, ValueError):
        return ""
    return str(v)


def _texts(values: Any) -> Any:
    """A column for the native transforms: a list or tuple of str/bytes as it is; a pandas
    Series, a pyarrow Array/ChunkedArray or any other sequence converted with :func:`_text`."""
    if isinstance(values, (str, bytes)):
        raise TypeError("values must be a sequence of str, not a single " + type(values).__name__)
    if isinstance(values, (list, tuple)) and all(isinstance(v, (str, bytes)) for v in values):
        return values
    if hasattr(values, "to_pylist"):
        values = values.to_pylist()
    elif hasattr(values, "tolist"):
        values = values.tolist()
    return [v if isinstance(v, (str, bytes)) else _text(v) for v in values]


def _columns_of(data: Any, qi: Sequence[str]) -> List[List[str]]:
    """The qi columns of a pandas DataFrame, a pyarrow Table/RecordBatch or a mapping of
    sequences, as str (missing values as "")."""
    cols: List[List[str]] = []
    if hasattr(data, "column_names") and hasattr(data, "column"):  # pyarrow
        names = list(data.column_names)
        for q in qi:
            if q not in names:
                raise KeyError(f"no column {q!r}")
            cols.append([_text(v) for v in data.column(q).to_pylist()])
        return cols
    if hasattr(data, "columns") and hasattr(data, "__getitem__") and hasattr(data, "index"):  # pandas
        for q in qi:
            if q not in data.columns:
                raise KeyError(f"no column {q!r}")
            cols.append([_text(v) for v in data[q].tolist()])
        return cols
    for q in qi:
        cols.append([_text(v) for v in data[q]])
    return cols


def risk_of(data: Any, qi: Union[str, Sequence[str]], *, threshold: float = 0.2,
            population_size: Optional[float] = None, sampling_fraction: float = 0.01,
            model: str = "pitman") -> Dict[str, Any]:
    """Risk of the ``qi`` columns of a pandas DataFrame, a pyarrow Table or a dict of
    columns; the same result as :func:`risk_csv`."""
    names = qi.split(",") if isinstance(qi, str) else list(qi)
    sizes = class_sizes(_columns_of(data, names))
    r = risk(sizes, threshold=threshold, population_size=population_size, sampling_fraction=sampling_fraction,
             model=model)
    return {"risk": r, "class_sizes": class_size_histogram(sizes), "records": r["records"], "classes": r["classes"]}


def report_html(report: Union[Mapping[str, Any], str]) -> str:
    """One self-contained HTML page (inline CSS and SVG, no script, nothing from the
    network) of a de-identification report (a dict or its JSON text)."""
    text = report if isinstance(report, str) else json.dumps(report, ensure_ascii=False)
    return _d.report_html(text)
