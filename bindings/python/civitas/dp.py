"""Differentially private aggregates paid from a dataset's privacy budget (docs/dp.md).

Count, sum, mean, histogram and quantiles of one column, optionally grouped (``by``), with
the contributions of each person bounded (``person``, ``max_contributions``) and values
clamped to ``bounds``; the noise is the discrete Laplace (``epsilon``) or the discrete
Gaussian (``epsilon`` and ``delta``), sampled exactly from libsodium's random bytes.

Every release is paid from the privacy budget of a dataset (a catalog resource code of the
workspace): :func:`set_budget` sets it, :func:`release` (or :func:`count`, :func:`sum`,
:func:`mean`, :func:`histogram`, :func:`quantiles`) spends it, and a release that would
exceed it raises :class:`civitas.DeniedError` and releases nothing. Each release and refusal
is in the workspace's audit log (``dp.release``). ::

    from civitas import dp
    dp.set_budget(ws, "102003004/000017", epsilon=1)
    r = dp.mean(ws, "people.csv", column="age", bounds=(0, 100), epsilon=0.5,
                max_contributions=1, dataset="102003004/000017")
    r["value"]

``data`` is a CSV path, a mapping of column name to a sequence of values, a
``pandas.DataFrame`` or a ``pyarrow.Table``. Amounts (epsilon, delta, bounds, quantiles) are
``int``, ``float`` (its shortest decimal form), ``decimal.Decimal`` or decimal text.
"""

from __future__ import annotations

import decimal
import json
import os
from dataclasses import dataclass
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple, Union

from . import _native
from ._args import native_workspace as _native_workspace
from ._args import path as _path

__all__ = ["STATISTICS", "Budget", "set_budget", "budget", "budgets", "release", "count", "sum", "mean",
           "histogram", "quantiles", "sample_laplace", "sample_gaussian"]

_n = _native.dp

STATISTICS = ("count", "sum", "mean", "histogram", "quantiles")

#: An amount: int, float, Decimal or decimal text.
Amount = Union[int, float, decimal.Decimal, str]


def _amount(v: Amount, what: str) -> str:
    if isinstance(v, bool) or not isinstance(v, (int, float, decimal.Decimal, str)):
        raise TypeError(f"{what} must be a number or decimal text, not {type(v).__name__}")
    if isinstance(v, float):
        return repr(v)
    return str(v)


@dataclass(frozen=True)
class Budget:
    """A dataset's privacy budget; amounts as decimal text, exact."""

    dataset: str
    epsilon_total: str
    epsilon_spent: str
    epsilon_remaining: str
    delta_total: str
    delta_spent: str
    delta_remaining: str
    releases: int

    @staticmethod
    def _from(text: str) -> "Budget":
        d = json.loads(text)
        e, dl = d["epsilon"], d["delta"]
        return Budget(d["dataset"], e["total"], e["spent"], e["remaining"], dl["total"], dl["spent"],
                      dl["remaining"], int(d["releases"]))


def set_budget(ws: Any, dataset: str, epsilon: Amount, delta: Amount = 0) -> Budget:
    """Sets the total budget of ``dataset`` (audited as ``dp.budget``)."""
    return Budget._from(_n.set_budget(_native_workspace(ws), dataset, _amount(epsilon, "epsilon"), _amount(delta, "delta")))


def budget(ws: Any, dataset: str) -> Budget:
    """The budget of ``dataset``; :class:`civitas.NotFoundError` when none was set."""
    return Budget._from(_n.budget(_native_workspace(ws), dataset))


def budgets(ws: Any) -> List[Budget]:
    """Every dataset's budget, by resource code."""
    return [Budget._from(t) for t in _n.budgets(_native_workspace(ws))]


def _cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        return "" if v != v else repr(v)  # NaN: missing
    if isinstance(v, bytes):
        return v.decode("utf-8", "replace")
    return str(v)


def _column(data: Any, name: str) -> List[str]:
    if hasattr(data, "column_names") and hasattr(data, "column"):  # pyarrow.Table
        if name not in data.column_names:
            from .errors import NotFoundError
            raise NotFoundError(f"no column '{name}' in the table")
        return [_cell(v) for v in data.column(name).to_pylist()]
    if hasattr(data, "columns") and hasattr(data, "__getitem__") and not isinstance(data, Mapping):  # pandas
        if name not in data.columns:
            from .errors import NotFoundError
            raise NotFoundError(f"no column '{name}' in the data frame")
        return [_cell(v) for v in data[name].tolist()]
    if isinstance(data, Mapping):
        if name not in data:
            from .errors import NotFoundError
            raise NotFoundError(f"no column '{name}' in the mapping")
        return [_cell(v) for v in data[name]]
    raise TypeError(f"data must be a CSV path, a mapping of columns, a pandas.DataFrame or a pyarrow.Table, "
                    f"not {type(data).__name__}")


def release(ws: Any, statistic: str, data: Any, *, column: str, dataset: str, epsilon: Amount,
            max_contributions: int, bounds: Optional[Tuple[Amount, Amount]] = None, delta: Amount = 0,
            by: Optional[str] = None, groups: Optional[Sequence[str]] = None, person: Optional[str] = None,
            bins: int = 10, quantiles: Optional[Sequence[Amount]] = None, noise: Optional[str] = None,
            delimiter: str = ",", encoding: str = "utf-8") -> Dict[str, Any]:
    """One release (docs/dp.md, "Output"), paid from ``dataset``'s budget: a dict with
    ``value`` (count, sum, mean), ``bins`` or ``quantiles`` without ``by``, ``groups`` always,
    ``mechanisms``, ``budget`` (after the release) and ``release`` (its number).

    Raises :class:`civitas.DeniedError` (no budget, or it would be exceeded: nothing is
    released), :class:`civitas.InvalidArgumentError` (a bad parameter, named),
    :class:`civitas.NotFoundError` (a missing column), :class:`civitas.InvalidDataError`
    (a value that is not a number)."""
    if statistic not in STATISTICS:
        raise ValueError(f"statistic must be one of {', '.join(STATISTICS)}")
    if isinstance(max_contributions, bool) or not isinstance(max_contributions, int):
        raise TypeError("max_contributions must be an int")
    q: Dict[str, Any] = {"statistic": statistic, "dataset": dataset, "column": column,
                         "epsilon": _amount(epsilon, "epsilon"), "delta": _amount(delta, "delta"),
                         "max_contributions": max_contributions}
    if bounds is not None:
        if len(bounds) != 2:
            raise ValueError("bounds must be (LO, HI)")
        q["bounds"] = [_amount(bounds[0], "bounds"), _amount(bounds[1], "bounds")]
    if by is not None:
        q["by"] = by
    if groups is not None:
        q["groups"] = [str(g) for g in groups]
    if person is not None:
        q["person"] = person
    if statistic == "histogram":
        q["bins"] = bins
    if quantiles is not None:
        q["quantiles"] = [_amount(x, "quantiles") for x in quantiles]
    if noise is not None:
        q["noise"] = noise
    h = _native_workspace(ws)
    text = json.dumps(q, ensure_ascii=False)
    if isinstance(data, (str, os.PathLike)):
        out = _n.release_csv(h, text, _path(data, "data"), delimiter, encoding)
    else:
        values = _column(data, column)
        persons = _column(data, person) if person is not None else None
        keys = _column(data, by) if by is not None else None
        out = _n.release_columns(h, text, values, persons, keys)
    result: Dict[str, Any] = json.loads(out)
    return result


def count(ws: Any, data: Any, **kw: Any) -> Dict[str, Any]:
    """:func:`release` of a count (rows with a value in ``column``)."""
    return release(ws, "count", data, **kw)


def sum(ws: Any, data: Any, **kw: Any) -> Dict[str, Any]:  # noqa: A001 (the statistic's name)
    """:func:`release` of a sum (``bounds`` required)."""
    return release(ws, "sum", data, **kw)


def mean(ws: Any, data: Any, **kw: Any) -> Dict[str, Any]:
    """:func:`release` of a mean (``bounds`` required)."""
    return release(ws, "mean", data, **kw)


def histogram(ws: Any, data: Any, **kw: Any) -> Dict[str, Any]:
    """:func:`release` of a histogram: ``bins`` equal-width bins over ``bounds``."""
    return release(ws, "histogram", data, **kw)


def quantiles(ws: Any, data: Any, **kw: Any) -> Dict[str, Any]:
    """:func:`release` of quantiles (``quantiles=[0.25, 0.5, 0.75]`` by default)."""
    return release(ws, "quantiles", data, **kw)


def _ratio(v: Union[int, str, decimal.Decimal], what: str) -> Tuple[int, int]:
    if isinstance(v, bool) or not isinstance(v, (int, str, decimal.Decimal)):
        raise TypeError(f"{what} must be an int, Decimal or decimal text (not a float: exact values only)")
    num, den = decimal.Decimal(v).as_integer_ratio()
    if num <= 0:
        raise ValueError(f"{what} must be positive")
    return num, den


def sample_laplace(scale: Union[int, str, decimal.Decimal], n: int) -> List[int]:
    """``n`` samples of the discrete Laplace with the given scale (exact)."""
    num, den = _ratio(scale, "scale")
    samples: List[int] = _n.sample("laplace", num, den, n)
    return samples


def sample_gaussian(sigma2: Union[int, str, decimal.Decimal], n: int) -> List[int]:
    """``n`` samples of the discrete Gaussian with parameter sigma^2 (exact)."""
    num, den = _ratio(sigma2, "sigma2")
    samples: List[int] = _n.sample("gaussian", num, den, n)
    return samples
