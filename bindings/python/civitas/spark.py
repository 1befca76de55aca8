"""civitas inside Apache Spark (docs/spark.md, issue 16): column functions over PySpark
DataFrames, run by the executors on Arrow batches (``DataFrame.mapInArrow``) with the
binding's batch functions (one native call per batch and column, never one per row), and
de-identification whose counting and rewriting run in Spark while the optimal search runs
once, on the driver, over the weighted frequency table::

    from civitas import spark as cs
    df = cs.validate_ids(df, "uscc", "uscc")          # + uscc_valid, uscc_reason
    df = cs.identity_keys(df, "ric", "ric", "health", workspace="ws.db", key_file="ws.key")
    out, report = cs.deidentify(df, "spec.json")      # the report of `civitas deid run`

PySpark is an optional dependency: ``import civitas`` never imports it; this module imports
it when a function is called. Keyed functions take the workspace's PATH and the path of a
FILE holding its master key (32 raw bytes or 64 hex characters, as ``--key-file``): each
Python worker opens the workspace once and keeps it; the master key never travels in a
closure. The driver writes one audit entry per job (the DataFrame's definition).
"""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import threading
from typing import Any, Callable, Dict, Iterator, List, Optional, Sequence, Tuple

from . import _native
from ._args import PathLike, path as _path

__all__ = [
    "validate_ids",
    "normalize_ids",
    "identity_keys",
    "tokenize",
    "encrypt",
    "decrypt",
    "deidentify",
]

_ROW = "__civitas_row"


def _mod(name: str) -> Any:
    try:
        return importlib.import_module(name)
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise ImportError(f"civitas.spark needs {name.split('.')[0]} (pip install pyspark): {e}") from e


def _types() -> Any:
    return _mod("pyspark.sql.types")


def _fn() -> Any:
    return _mod("pyspark.sql.functions")


def _check_column(df: Any, column: str, new: Sequence[str]) -> None:
    if column not in df.columns:
        raise ValueError(f"the DataFrame has no column {column!r} (columns: {', '.join(df.columns)})")
    for n in new:
        if n in df.columns:
            raise ValueError(f"the DataFrame already has a column {n!r}")


def _with_columns(df: Any, column: str, new: Sequence[Tuple[str, Any]],
                  compute: Callable[[List[Optional[str]]], List[Any]]) -> Any:
    """Adds columns computed from one text column, batch by batch, in the executors.
    ``compute`` gets the column as a list (None for null) and returns one list per new column
    (pyarrow arrays or lists). Input rows and their order are kept."""
    T = _types()
    _check_column(df, column, [n for n, _ in new])
    schema = T.StructType(list(df.schema.fields) + [T.StructField(n, t, True) for n, t in new])
    index = df.columns.index(column)
    arrow_types = [_arrow_type(t) for _, t in new]

    def run(batches: Iterator[Any]) -> Iterator[Any]:
        pa = importlib.import_module("pyarrow")
        pc = importlib.import_module("pyarrow.compute")
        for b in batches:
            col = b.column(index)
            if not pa.types.is_string(col.type) and not pa.types.is_large_string(col.type):
                col = pc.cast(col, pa.string())
            outs = compute(col.to_pylist())
            arrays = list(b.columns) + [o if isinstance(o, pa.Array) else pa.array(o, type=at)
                                        for o, at in zip(outs, arrow_types)]
            yield pa.RecordBatch.from_arrays(arrays, names=list(b.schema.names) + [n for n, _ in new])

    return df.mapInArrow(run, schema)


def _arrow_type(t: Any) -> Any:
    pa = importlib.import_module("pyarrow")
    name = type(t).__name__
    return {"BooleanType": pa.bool_(), "StringType": pa.string(), "BinaryType": pa.binary(),
            "LongType": pa.int64()}[name]


# ---- identifiers ---------------------------------------------------------------------------


def validate_ids(df: Any, column: str, kind: str, *, strict: bool = False) -> Any:
    """Adds ``<column>_valid`` (boolean) and ``<column>_reason`` (the reason code of
    ``civitas id validate``, null when valid) for identifiers of ``kind`` (``uscc``,
    ``orgcode``, ``ric``, ``gb2260``). A null value is read as the empty text (not valid)."""
    if kind not in _native.ids.kinds():
        raise ValueError(f"unknown identifier kind {kind!r} (known: {', '.join(_native.ids.kinds())})")
    T = _types()

    def compute(values: List[Optional[str]]) -> List[Any]:
        reasons = _native.ids.reasons_many(kind, ["" if v is None else v for v in values], strict)
        return [[r is None for r in reasons], reasons]

    return _with_columns(df, column, [(f"{column}_valid", T.BooleanType()), (f"{column}_reason", T.StringType())],
                         compute)


def normalize_ids(df: Any, column: str) -> Any:
    """Adds ``<column>_normalized``: the code as people write it, normalised (trimmed,
    full-width forms to ASCII, upper-cased, spaces and hyphens dropped; null stays null)."""
    T = _types()

    def compute(values: List[Optional[str]]) -> List[Any]:
        norm = _native.spark.normalize_column(values)
        return [[None if v is None else n for v, n in zip(values, norm)]]

    return _with_columns(df, column, [(f"{column}_normalized", T.StringType())], compute)


# ---- keyed functions: a workspace per Python worker ---------------------------------------

_open_lock = threading.Lock()
_open: Dict[Tuple[str, str], Any] = {}


def _read_key(key_file: str) -> bytes:
    with open(key_file, "rb") as f:
        data = f.read(256)
    stripped = data.strip()
    if len(stripped) == 64:
        return stripped
    if len(data) == 32:
        return data
    raise ValueError(f"key file {key_file} holds neither 32 raw bytes nor 64 hex characters")


def _worker_workspace(workspace: str, key_file: str) -> Any:
    """The workspace of this Python worker, opened once from its path and key file."""
    with _open_lock:
        ws = _open.get((workspace, key_file))
        if ws is None or ws.closed:
            from .workspace import Workspace

            ws = Workspace.open(workspace, key=_read_key(key_file))
            _open[(workspace, key_file)] = ws
        return ws


def _paths(workspace: PathLike, key_file: PathLike) -> Tuple[str, str]:
    w, k = os.path.abspath(_path(workspace, "workspace")), os.path.abspath(_path(key_file, "key_file"))
    if not os.path.exists(w):
        raise FileNotFoundError(f"no workspace at {w}")
    if not os.path.exists(k):
        raise FileNotFoundError(f"no key file at {k}")
    return w, k


def _audit(workspace: str, key_file: str, action: str, resource: str, details: Dict[str, Any]) -> int:
    """The driver's one audit entry for a job (the DataFrame it defines)."""
    from .audit import AuditLog
    from .workspace import Workspace

    with Workspace.open(workspace, key=_read_key(key_file)) as ws, AuditLog(ws) as log:
        return log.append(action, resource=resource, details=details)


def identity_keys(df: Any, column: str, kind: str, domain: str, *, workspace: PathLike, key_file: PathLike) -> Any:
    """Adds ``<column>_ik``: the identity key (``ik1:…``) of each identifier of ``kind`` in
    ``domain``, null for an invalid identifier or a null value; equal to
    ``Workspace.identity_keys`` and ``civitas idkey``. The driver records one
    ``spark.identity_keys`` audit entry."""
    if kind not in _native.ids.kinds():
        raise ValueError(f"unknown identifier kind {kind!r} (known: {', '.join(_native.ids.kinds())})")
    w, k = _paths(workspace, key_file)
    T = _types()

    def compute(values: List[Optional[str]]) -> List[Any]:
        ws = _worker_workspace(w, k)
        keys = ws.identity_keys(kind, ["" if v is None else v for v in values], domain)
        return [[None if v is None else ik for v, ik in zip(values, keys)]]

    out = _with_columns(df, column, [(f"{column}_ik", T.StringType())], compute)
    _audit(w, k, "spark.identity_keys", domain, {"column": column, "kind": kind, "domain": domain})
    return out


def tokenize(df: Any, column: str, domain: str = "", *, workspace: PathLike, key_file: PathLike) -> Any:
    """Adds ``<column>_token`` (binary): deterministic, reversible tokens (AES-256-SIV,
    ``Workspace.tokenize``) of the values in ``domain``; null stays null."""
    w, k = _paths(workspace, key_file)
    T = _types()

    def compute(values: List[Optional[str]]) -> List[Any]:
        ws = _worker_workspace(w, k)
        toks = _native.spark.tokenize_column(ws._native_handle, ["" if v is None else v for v in values], domain)
        return [[None if v is None else t for v, t in zip(values, toks)]]

    out = _with_columns(df, column, [(f"{column}_token", T.BinaryType())], compute)
    _audit(w, k, "spark.tokenize", domain, {"column": column, "domain": domain})
    return out


def encrypt(df: Any, column: str, *, resource: str = "", field: str = "", workspace: PathLike,
            key_file: PathLike) -> Any:
    """Adds ``<column>_enc`` (binary): field encryption of each value (``Workspace.encrypt_column``
    with ``resource`` and ``field``, default the column's name); null stays null."""
    w, k = _paths(workspace, key_file)
    T = _types()
    fld = field or column

    def compute(values: List[Optional[str]]) -> List[Any]:
        ws = _worker_workspace(w, k)
        cts = ws.encrypt_column(["" if v is None else v for v in values], resource=resource, field=fld)
        return [[None if v is None else c for v, c in zip(values, cts)]]

    out = _with_columns(df, column, [(f"{column}_enc", T.BinaryType())], compute)
    _audit(w, k, "spark.encrypt", resource, {"column": column, "field": fld})
    return out


def decrypt(df: Any, column: str, *, resource: str = "", field: str = "", workspace: PathLike,
            key_file: PathLike) -> Any:
    """Adds ``<column>_dec`` (text): the plaintexts of a column written by :func:`encrypt`
    (same ``resource`` and ``field``); a tampered value fails the job (IntegrityError)."""
    w, k = _paths(workspace, key_file)
    T = _types()
    if column not in df.columns:
        raise ValueError(f"the DataFrame has no column {column!r}")
    fld = field or (column[:-4] if column.endswith("_enc") else column)
    _check_column(df, column, [f"{column}_dec"])
    schema = T.StructType(list(df.schema.fields) + [T.StructField(f"{column}_dec", T.StringType(), True)])
    index = df.columns.index(column)

    def run(batches: Iterator[Any]) -> Iterator[Any]:
        pa = importlib.import_module("pyarrow")
        for b in batches:
            ws = _worker_workspace(w, k)
            cts = b.column(index).to_pylist()
            present = [c for c in cts if c is not None]
            plain = iter(ws.decrypt_column(present, resource=resource, field=fld) if present else [])
            dec = [None if c is None else next(plain).decode("utf-8") for c in cts]
            yield pa.RecordBatch.from_arrays(list(b.columns) + [pa.array(dec, type=pa.string())],
                                             names=list(b.schema.names) + [f"{column}_dec"])

    out = df.mapInArrow(run, schema)
    _audit(w, k, "spark.decrypt", resource, {"column": column, "field": fld})
    return out


# ---- de-identification ---------------------------------------------------------------------


def deidentify(df: Any, spec: Any, *, spec_dir: Optional[PathLike] = None,
               drop_suppressed: bool = False) -> Tuple[Any, Dict[str, Any]]:
    """De-identifies a DataFrame by a spec of ``civitas deid run`` (a path, a dict or JSON
    text; hierarchy paths are read by the driver). Returns (the released DataFrame, the
    report as a dict, docs/formats/deid-report.md).

    Spark applies the row-wise actions, counts the weighted frequency table (distinct
    combinations of the quasi-identifiers and sensitive values with their counts, in the
    order of their first record), the driver runs the optimal search over it, and Spark writes
    the chosen generalisation and suppression. Every value is handled as text (null as the
    empty text), as the CSV reader of ``civitas deid run`` reads it; rows keep their order.
    The report equals the one-process run's except ``input.sha256`` and ``output.sha256``
    (null: there are no file bytes) and ``audit`` (null)."""
    from .deid import _spec

    F = _fn()
    text, folder = _spec(spec, spec_dir)
    header = list(df.columns)
    if _ROW in header:
        raise ValueError(f"the DataFrame must not have a column named {_ROW}")
    plan = json.loads(_native.spark.deid_plan(text, folder, header))
    qi, sens, actions = plan["quasi_identifiers"], plan["sensitive"], plan["actions"]
    # Text, nulls as empty text, and the index of each row (its position in the input).
    base = df.select(*[F.coalesce(F.col(c).cast("string"), F.lit("")).alias(c) for c in header])
    base = base.withColumn(_ROW, F.monotonically_increasing_id())
    if actions:
        base = _apply_actions(base, actions)
    # The weighted frequency table: groups of (QIs, sensitive values) with their counts and
    # their first record, in the order of that record.
    keys = qi + [s for s in sens if s not in qi]
    groups = (base.groupBy(*keys).agg(F.count(F.lit(1)).alias("__n"), F.min(_ROW).alias("__first"))
              .orderBy("__first").collect())
    result = json.loads(_native.spark.deid_search(
        text, folder, header, [[g[q] for g in groups] for q in qi], [[g[s] for g in groups] for s in sens],
        [int(g["__n"]) for g in groups], drop_suppressed))
    report: Dict[str, Any] = result["report"]
    report["spec_sha256"] = hashlib.sha256(text.encode("utf-8")).hexdigest()
    report["audit"] = None
    # The released quasi-identifiers of each combination, joined back (broadcast: the table is
    # small), then written in input order.
    out = base
    if qi:
        seen: Dict[Tuple[str, ...], Optional[List[str]]] = {}
        for g, labels in zip(groups, result["labels"]):
            seen.setdefault(tuple(g[q] for q in qi), labels)
        rows = [list(k) + (list(v) if v is not None else ["*"] * len(qi)) + [v is None] for k, v in seen.items()]
        T = _types()
        mschema = T.StructType([T.StructField(f"__k{i}", T.StringType(), False) for i in range(len(qi))] +
                               [T.StructField(f"__l{i}", T.StringType(), False) for i in range(len(qi))] +
                               [T.StructField("__sup", T.BooleanType(), False)])
        spark = df.sparkSession
        mapping = spark.createDataFrame(rows, mschema)
        cond = [base[q] == mapping[f"__k{i}"] for i, q in enumerate(qi)]
        out = base.join(F.broadcast(mapping), on=cond, how="inner")
        if drop_suppressed:
            out = out.filter(~F.col("__sup"))
        out = out.select(*[F.col(f"__l{qi.index(c)}").alias(c) if c in qi else base[c] for c in plan["output"]]
                         + [base[_ROW]])
    else:
        out = out.select(*plan["output"], _ROW)
    out = out.orderBy(_ROW).drop(_ROW)
    return out, report


def _apply_actions(df: Any, actions: Dict[str, Any]) -> Any:
    """The spec's keyless row-wise actions (mask, top_bottom), batch by batch."""
    names = list(df.columns)
    idx = {c: names.index(c) for c in actions}
    texts = {c: json.dumps(a) for c, a in actions.items()}

    def run(batches: Iterator[Any]) -> Iterator[Any]:
        pa = importlib.import_module("pyarrow")
        for b in batches:
            cols = list(b.columns)
            for c, i in idx.items():
                cols[i] = pa.array(_native.spark.apply_action(texts[c], c, cols[i].to_pylist()), type=pa.string())
            yield pa.RecordBatch.from_arrays(cols, names=names)

    return df.mapInArrow(run, df.schema)
