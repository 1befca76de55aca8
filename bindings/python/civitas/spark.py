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
    "with_row_numbers",
    "validate_schema",
    "classify_columns",
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

            ws = Workspace.open(workspace, key=_read_key(key_file), read_only=True)
            _open[(workspace, key_file)] = ws
        return ws


def _paths(workspace: PathLike, key_file: PathLike) -> Tuple[str, str]:
    w, k = os.path.abspath(_path(workspace, "workspace")), os.path.abspath(_path(key_file, "key_file"))
    if not os.path.exists(w):
        raise FileNotFoundError(f"no workspace at {w}")
    if not os.path.exists(k):
        raise FileNotFoundError(f"no key file at {k}")
    return w, k


def _audit(workspace: str, key_file: str, action: str, resource: str, details: Dict[str, Any],
           outcome: str = "ok") -> int:
    """The driver's one audit entry for a job (the DataFrame it defines)."""
    from .audit import AuditLog
    from .workspace import Workspace

    with Workspace.open(workspace, key=_read_key(key_file)) as ws, AuditLog(ws) as log:
        return log.append(action, resource=resource, details=details, outcome=outcome)


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
               drop_suppressed: bool = False, workspace: Optional[PathLike] = None,
               key_file: Optional[PathLike] = None) -> Tuple[Any, Dict[str, Any]]:
    """De-identifies a DataFrame by a spec of ``civitas deid run`` (a path, a dict or JSON
    text; hierarchy paths are read by the driver). Returns (the released DataFrame, the
    report as a dict, docs/formats/deid-report.md).

    Spark applies the row-wise actions, counts the weighted frequency table (distinct
    combinations of the quasi-identifiers and sensitive values with their counts, in the
    order of their first record), the driver runs the optimal search over it, and Spark writes
    the chosen generalisation and suppression. Every value is handled as text (null as the
    empty text), as the CSV reader of ``civitas deid run`` reads it; rows keep their order.
    The report equals the one-process run's except ``input.sha256`` and ``output.sha256``
    (null: there are no file bytes) and ``audit``.

    With ``workspace`` and ``key_file`` (paths, as :func:`identity_keys` takes them; both or
    neither) the driver writes one ``spark.deidentify`` audit entry for the job once the search
    has chosen the transformation (spec_sha256, input and output rows, levels, suppressed,
    risk_after; a refusal is recorded with its error code as the outcome) and the report's
    ``audit`` is ``{"action": "spark.deidentify", "workspace": true}``; without them
    ``audit`` is null and nothing is recorded."""
    from .deid import _spec
    from .errors import Error as _CivitasError

    if (workspace is None) != (key_file is None):
        raise ValueError("deidentify: give both workspace and key_file, or neither")
    audit_paths = _paths(workspace, key_file) if workspace is not None and key_file is not None else None
    text, folder = _spec(spec, spec_dir)
    try:
        out, report = _deidentify(df, text, folder, drop_suppressed)
    except _CivitasError as e:
        if audit_paths is not None:
            _audit(audit_paths[0], audit_paths[1], "spark.deidentify", "",
                   {"spec_sha256": hashlib.sha256(text.encode("utf-8")).hexdigest()}, outcome=e.code_name)
        raise
    if audit_paths is not None:
        risk = report.get("risk")
        details = {"spec_sha256": report["spec_sha256"],
                   "input": {"rows": report["input"]["rows"]},
                   "output": {"rows": report["output"]["rows"]},
                   "levels": report["levels"],
                   "suppressed": report["suppressed"],
                   "risk_after": _integers_only(risk["after"]) if isinstance(risk, dict) and "after" in risk else None}
        _audit(audit_paths[0], audit_paths[1], "spark.deidentify", "", details)
        report["audit"] = {"action": "spark.deidentify", "workspace": True}
    return out, report


def _integers_only(v: Any) -> Any:
    """Audit details hold integers only: a fraction becomes its JSON text (as deid.run does)."""
    if isinstance(v, float):
        return json.dumps(v)
    if isinstance(v, dict):
        return {k: _integers_only(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_integers_only(x) for x in v]
    return v


def _deidentify(df: Any, text: str, folder: str, drop_suppressed: bool) -> Tuple[Any, Dict[str, Any]]:
    F = _fn()
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


# ---- schema validation ---------------------------------------------------------------------


def with_row_numbers(df: Any, column: str = "row_number", *, first: int = 2) -> Any:
    """Adds ``column``: the row number of each record in the input file, taken from the
    DataFrame's order (``zipWithIndex``): ``first`` for the first record (2 for a CSV file with
    a header row, as ``civitas validate`` counts). Take it right after reading the file. A file
    with empty lines or records over several lines has other physical row numbers."""
    T = _types()
    if column in df.columns:
        raise ValueError(f"the DataFrame already has a column {column!r}")
    schema = T.StructType(list(df.schema.fields) + [T.StructField(column, T.LongType(), False)])
    rdd = df.rdd.zipWithIndex().map(lambda t: tuple(t[0]) + (t[1] + first,))
    return df.sparkSession.createDataFrame(rdd, schema)


def validate_schema(df: Any, schema: Any, *, row_number: Optional[str] = None, name: str = "",
                    place: str = "", limit_errors: int = 1000) -> Dict[str, Any]:
    """Validates a DataFrame against a table schema (a path, a dict or JSON text) and returns
    the report of ``civitas validate --json`` (docs/formats/validation-report.md) as a dict.

    The row-wise checks (types, formats, constraints, identifiers) run in the executors, batch
    by batch, with the native validator; uniqueness, primary and unique keys through a Spark
    aggregation (the key values that occur more than once), whose candidate rows the driver
    checks with the same validator, so that the errors and their notes are the CLI's. Row
    numbers are those of ``row_number`` (a column of :func:`with_row_numbers`; taken with it
    when not given). Every value is text as the CSV reader reads it (a null is an empty
    cell). Foreign keys are not checked (a warning says so); ``stats.bytes`` counts the
    values' bytes, not the file's."""
    from ._args import document_text

    F = _fn()
    text = document_text(schema, "schema")
    if isinstance(text, bytes):
        text = text.decode("utf-8")
    doc = json.loads(text)
    if row_number is None:
        df = with_row_numbers(df, "__civitas_rownum")
        row_number = "__civitas_rownum"
    elif row_number not in df.columns:
        raise ValueError(f"the DataFrame has no column {row_number!r}")
    labels = [c for c in df.columns if c != row_number]
    task_name = name or "table"
    # The header's checks and the task's frame: a run without rows, on the driver.
    report: Dict[str, Any] = json.loads(_native.spark.validate_rows(text, "rows", labels, [[] for _ in labels], [],
                                                                    limit_errors, task_name, place))
    task = report["tasks"][0]
    label_errors = list(task["errors"])
    data = df.select(*[F.col(c).cast("string").alias(c) for c in labels], F.col(row_number).cast("long").alias(_ROW))
    ri = len(labels)
    T = _types()
    out_schema = T.StructType([T.StructField("rows", T.LongType()), T.StructField("bytes", T.LongType()),
                               T.StructField("errors", T.StringType())])

    def run(batches: Iterator[Any]) -> Iterator[Any]:
        pa = importlib.import_module("pyarrow")
        for b in batches:
            cols = [b.column(i).to_pylist() for i in range(ri)]
            rows = b.column(ri).to_pylist()
            r = json.loads(_native.spark.validate_rows(text, "rows", labels, cols, rows, limit_errors, task_name, place))
            t = r["tasks"][0]
            errs = [e for e in t["errors"] if "#header" not in e.get("tags", [])]
            yield pa.RecordBatch.from_arrays(
                [pa.array([b.num_rows], pa.int64()), pa.array([t["stats"].get("bytes", 0)], pa.int64()),
                 pa.array([json.dumps(errs)], pa.string())], names=["rows", "bytes", "errors"])

    parts = data.mapInArrow(run, out_schema).collect()
    row_errors: List[Dict[str, Any]] = []
    rows = nbytes = 0
    for p in parts:
        rows += p["rows"]
        nbytes += p["bytes"]
        row_errors.extend(json.loads(p["errors"]))
    # Keys: the values that occur more than once (missing values never collide), then the
    # validator over those rows only, in row order, with their own row numbers.
    # (columns, kind): kind "unique" skips a key with a missing value; "pk" groups every key
    # (missing values included) and also takes the rows whose key is all missing.
    keys: List[Tuple[List[str], str]] = []
    fields = doc.get("fields", []) if isinstance(doc, dict) else []
    for f in fields:
        if isinstance(f, dict) and (f.get("constraints") or {}).get("unique") and f.get("name") in labels:
            keys.append(([f["name"]], "unique"))
    pk = doc.get("primaryKey") if isinstance(doc, dict) else None
    if pk:
        keys.append(([pk] if isinstance(pk, str) else list(pk), "pk"))
    for uk in ((doc.get("uniqueKeys") or []) if isinstance(doc, dict) else []):
        if isinstance(uk, list):
            keys.append((list(uk), "unique"))
    key_errors: List[Dict[str, Any]] = []
    if keys:
        missing = list(doc.get("missingValues", [""])) if isinstance(doc, dict) else [""]
        # key values with the schema's missing values as null
        keyed = data.select(_ROW, *[F.when(F.col(c).isin(missing), F.lit(None)).otherwise(F.col(c)).alias(c)
                                    for c in labels]) if missing else data
        candidates = None
        for cols_k, kind in keys:
            k = [c for c in cols_k if c in labels]
            if not k:
                continue
            part = keyed
            if kind == "unique":
                for c in k:
                    part = part.filter(F.col(c).isNotNull())
            dup = part.groupBy(*k).count().filter("count > 1").drop("count")
            rows_k = part.join(dup, on=[part[c].eqNullSafe(dup[c]) for c in k], how="left_semi").select(_ROW)
            if kind == "pk":
                all_null = None
                for c in k:
                    cond = F.col(c).isNull()
                    all_null = cond if all_null is None else (all_null & cond)
                rows_k = rows_k.union(keyed.filter(all_null).select(_ROW))
            candidates = rows_k if candidates is None else candidates.union(rows_k)
        if candidates is not None:
            cand = data.join(candidates.distinct(), on=_ROW, how="left_semi").orderBy(_ROW).collect()
            if cand:
                cols = [[r[c] for r in cand] for c in labels]
                r = json.loads(_native.spark.validate_rows(text, "keys", labels, cols, [r[_ROW] for r in cand], 0,
                                                           task_name, place))
                key_errors = [e for e in r["tasks"][0]["errors"] if e.get("type") in ("unique-error", "primary-key")]
    merged = sorted(row_errors, key=lambda e: e.get("rowNumber", 0))
    # A row's key errors come after its row-wise errors, as the validator finds them.
    allerr = sorted([(e.get("rowNumber", 0), 0, i, e) for i, e in enumerate(merged)] +
                    [(e.get("rowNumber", 0), 1, i, e) for i, e in enumerate(key_errors)], key=lambda t: t[:3])
    errors = label_errors + [t[3] for t in allerr]
    partial = bool(limit_errors) and len(errors) > limit_errors
    if partial:
        errors = errors[:limit_errors]
    task["errors"] = errors
    task["valid"] = not errors
    task["stats"]["errors"] = len(errors)
    task["stats"]["rows"] = rows
    task["stats"]["bytes"] = nbytes
    if partial:
        task["partial"] = True
    if isinstance(doc, dict) and doc.get("foreignKeys"):
        task["warnings"] = list(task.get("warnings", [])) + ["foreign keys are not checked by civitas.spark.validate_schema"]
        task["stats"]["warnings"] = len(task["warnings"])
    report["valid"] = task["valid"]
    report["stats"]["errors"] = len(errors)
    report["stats"]["warnings"] = task["stats"].get("warnings", 0)
    return report


# ---- classification ------------------------------------------------------------------------


def classify_columns(df: Any, *, sample_rows: int = 10000, seed: int = 0, schema: Any = None,
                     detectors: Any = None) -> Dict[str, Any]:
    """Classifies every column of a DataFrame from a random sample of about ``sample_rows``
    records (every record when the DataFrame has fewer), with the classifier of ``civitas
    classify scan`` (the driver classifies the sample); returns the shape of ``civitas
    classify scan --json``: ``{"columns": [{"name", "type", "ratio", "confidence",
    "category", "level", "source"}…], "level"}`` plus ``"sampled"`` (records looked at) and
    ``"rows"`` (records in the DataFrame)."""
    import csv
    import tempfile

    from . import classify

    F = _fn()
    total = df.count()
    data = df.select(*[F.col(c).cast("string").alias(c) for c in df.columns])
    if total > sample_rows:
        data = data.sample(withReplacement=False, fraction=min(1.0, 1.2 * sample_rows / total), seed=seed)
        data = data.limit(sample_rows)
    rows = data.collect()
    with tempfile.TemporaryDirectory(prefix="civitas-spark-") as d:
        path = os.path.join(d, "sample.csv")
        with open(path, "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(df.columns)
            for r in rows:
                w.writerow(["" if v is None else v for v in r])
        result = classify.scan_file(path, schema=schema, encoding="utf-8", full=True, detectors=detectors)
    out = result.to_json()
    out["sampled"] = len(rows)
    out["rows"] = total
    return out
