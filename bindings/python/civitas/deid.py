"""De-identification for open data (docs/deid.md): a spec names the fields' roles and
actions and a privacy model (k-anonymity, l-diversity, t-closeness, a suppression limit);
the quasi-identifiers are generalised by hierarchies at the globally optimal levels.

On files::

    from civitas import deid
    report = deid.run("spec.json", "people.csv", "open.csv", workspace=ws)   # a dict
    report["levels"], report["suppressed"], report["risk"]["after"]

On a pandas DataFrame or a pyarrow Table (every value read as text)::

    out, report = deid.run_frame(df, spec, workspace=ws)  # a DataFrame back (a Table for a Table)

``spec`` is a path to a JSON file (hierarchy paths are relative to its folder), a ``dict``
or JSON text (then ``spec_dir`` names the folder, default the current one). ``workspace=``
(an open :class:`civitas.workspace.Workspace`) is required: every run is audit-logged there
as ``deid.run`` (refusals included), and its identity and token keys serve pseudonymize,
tokenize and date_shift; without one :class:`civitas.InvalidArgumentError` is raised and
nothing runs. Formats:
docs/formats/deid-spec.md and deid-report.md.
"""

from __future__ import annotations

import csv
import importlib
import json
import os
import tempfile
from typing import Any, Dict, Mapping, Optional, Tuple, Union

from . import _native
from ._args import PathLike, native_workspace as _native_workspace, path as _path
from .errors import InvalidArgumentError
from .workspace import Workspace

__all__ = ["run", "run_frame"]

Spec = Union[Mapping[str, Any], str, bytes, "os.PathLike[str]"]


def _spec(spec: Spec, spec_dir: Optional[PathLike]) -> Tuple[str, str]:
    """(JSON text, folder of relative hierarchy paths)."""
    if isinstance(spec, Mapping):
        return json.dumps(dict(spec), ensure_ascii=False), _path(spec_dir, "spec_dir") if spec_dir else "."
    if isinstance(spec, bytes):
        return spec.decode("utf-8"), _path(spec_dir, "spec_dir") if spec_dir else "."
    if isinstance(spec, str) and spec.lstrip(" \t\r\n\ufeff").startswith("{"):
        return spec, _path(spec_dir, "spec_dir") if spec_dir else "."
    p = _path(spec, "spec")
    with open(p, "rb") as f:
        text = f.read().decode("utf-8-sig")
    return text, _path(spec_dir, "spec_dir") if spec_dir else (os.path.dirname(p) or ".")


def run(
    spec: Spec,
    input: PathLike,
    output: PathLike,
    *,
    spec_dir: Optional[PathLike] = None,
    delimiter: str = ",",
    encoding: Optional[str] = None,
    drop_suppressed: bool = False,
    workspace: Optional[Workspace] = None,
) -> Dict[str, Any]:
    """De-identifies the CSV file ``input`` into ``output`` (written whole or not at all) and
    returns the report (docs/formats/deid-report.md). Raises :class:`civitas.InvalidDataError`
    when no transformation satisfies the model or a value is missing from its hierarchy,
    :class:`civitas.InvalidArgumentError` for a bad spec (the message names the JSON path),
    :class:`civitas.ParseError`, :class:`civitas.CivitasIOError`; ``InvalidArgumentError``
    too without a workspace (every run is audit-logged)."""
    if workspace is None:
        raise InvalidArgumentError("deid.run needs workspace= (an open Workspace): every run is audit-logged as deid.run")
    text, folder = _spec(spec, spec_dir)
    opts = json.dumps({"delimiter": delimiter, "encoding": encoding or "", "drop_suppressed": bool(drop_suppressed)})
    i, o = _path(input, "input"), _path(output, "output")
    r = _native.deid.run_in(_native_workspace(workspace), text, folder, i, o, opts)
    result: Dict[str, Any] = json.loads(r)
    return result


def run_frame(
    data: Any,
    spec: Spec,
    *,
    spec_dir: Optional[PathLike] = None,
    drop_suppressed: bool = False,
    workspace: Optional[Workspace] = None,
) -> Tuple[Any, Dict[str, Any]]:
    """De-identifies a pandas ``DataFrame`` or a pyarrow ``Table``; returns (the same kind of
    table, every column text, rows in input order; the report). ``workspace=`` is required,
    as for :func:`run`."""
    if workspace is None:
        raise InvalidArgumentError("deid.run_frame needs workspace= (an open Workspace): every run is audit-logged as deid.run")
    kind = type(data).__module__.split(".")[0]
    with tempfile.TemporaryDirectory(prefix="civitas-deid-") as d:
        src, dst = os.path.join(d, "in.csv"), os.path.join(d, "out.csv")
        if kind == "pyarrow":
            pa: Any = importlib.import_module("pyarrow")
            pacsv: Any = importlib.import_module("pyarrow.csv")
            table = data.cast(pa.schema([pa.field(f.name, pa.string()) for f in data.schema]))
            pacsv.write_csv(table, src)
        elif kind == "pandas":
            data.to_csv(src, index=False)
        else:
            raise TypeError(f"data must be a pandas DataFrame or a pyarrow Table, not {type(data).__name__}")
        report = run(spec, src, dst, spec_dir=spec_dir, drop_suppressed=drop_suppressed, workspace=workspace)
        if kind == "pyarrow":
            with open(dst, "rb") as f:
                header = f.readline().decode("utf-8").rstrip("\r\n")
            names = next(iter(csv.reader([header])))
            out = pacsv.read_csv(
                dst,
                convert_options=pacsv.ConvertOptions(
                    column_types={n: pa.string() for n in names}, strings_can_be_null=False
                ),
            )
        else:
            pd: Any = importlib.import_module("pandas")
            out = pd.read_csv(dst, dtype=str, keep_default_na=False)
    return out, report
