"""The open-data publishing job (docs/publish.md): one audited call that validates a table
against its schema, classifies it, asks the policy whether it may be opened, de-identifies it
(the policy's obligations, or a spec), checks the re-identification risk against the policy's
threshold and writes a signed publication directory (docs/formats/publication.md)::

    import civitas
    with civitas.workspace.Workspace.open("hr.db", key_file="hr.key") as ws:
        summary = civitas.publish(ws, "employment.csv", "out/employment",
                                  catalog="105002001/000031", schema="employment.schema.json",
                                  policy="employment.policy.json",
                                  progress=lambda step, done: print(step, done))
        civitas.verify_publication("out/employment", workspace=ws)

A refusal raises :class:`PublishRefusedError` (a :class:`civitas.DeniedError`; an
:class:`civitas.InvalidDataError` for data that breaks its schema) whose ``reason`` is
``"policy"``, ``"risk"``, ``"identifier"`` or ``"invalid"``, with ``column`` and ``rule``;
nothing is left behind.
"""

from __future__ import annotations

import json
import os
from typing import Any, Callable, Dict, Optional, Union

from . import _native
from ._args import Document, PathLike, document_text, native_workspace as _native_workspace, path as _path
from .errors import DeniedError, InvalidDataError
from .workspace import Workspace

__all__ = ["publish", "verify_publication", "PublishRefusedError", "InvalidPublicationDataError"]


class PublishRefusedError(DeniedError):
    """The publication was refused (nothing written; the refusal is in the audit log).

    Attributes:
        reason: ``"policy"`` (the policy does not allow opening, or the spec is weaker than
            its obligations), ``"risk"`` (risk above the threshold after the transforms),
            ``"identifier"`` (an identifier column left as it is), ``"invalid"``.
        column: the column concerned, or ``""``.
        rule: the rule (a JSON pointer into the policy, ``/risk/threshold``, ``schema``), or ``""``.
    """

    def __init__(self, message: str, *, reason: str = "", column: str = "", rule: str = "", code: Optional[int] = None) -> None:
        super().__init__(message, code=code, field=column or None)
        self.reason = reason
        self.column = column
        self.rule = rule


class InvalidPublicationDataError(PublishRefusedError, InvalidDataError):
    """The table does not conform to its Table Schema (``reason == "invalid"``)."""


def _text(doc: Union[Document, None], what: str) -> str:
    if doc is None:
        return ""
    t = document_text(doc, what)
    return t.decode("utf-8") if isinstance(t, bytes) else t


def publish(
    workspace: Workspace,
    data: PathLike,
    out: PathLike,
    *,
    catalog: str,
    schema: Document,
    policy: Optional[Document] = None,
    spec: Optional[Document] = None,
    spec_dir: Optional[PathLike] = None,
    encoding: Optional[str] = None,
    delimiter: str = ",",
    progress: Optional[Callable[[str, float], Any]] = None,
) -> Dict[str, Any]:
    """Publishes the CSV file ``data`` as the catalog entry ``catalog`` into the directory
    ``out`` (which must not exist) and returns the summary (docs/publish.md): ``out``,
    ``files`` (path, bytes, sha256), ``risk`` (before, after, threshold), ``decision``,
    ``spec``, ``removed``, ``key_id``. ``policy`` None is the bundled city policy; ``spec``
    None derives the de-identification from the policy's obligations. ``progress(step, done)``
    is called between the steps (``done`` in [0, 1]); an exception it raises stops the job
    and propagates. Raises :class:`PublishRefusedError`, :class:`civitas.ExistsError`,
    :class:`civitas.NotFoundError`, :class:`civitas.InvalidDataError`, …"""
    folder = "."
    if spec is not None and isinstance(spec, (str, os.PathLike)) and not (isinstance(spec, str) and spec.lstrip().startswith("{")):
        folder = os.path.dirname(_path(spec, "spec")) or "."
    if spec_dir is not None:
        folder = _path(spec_dir, "spec_dir")
    opts = {
        "resource": catalog,
        "schema": _text(schema, "schema"),
        "policy": _text(policy, "policy"),
        "spec": _text(spec, "spec"),
        "spec_dir": folder,
        "encoding": encoding or "",
        "delimiter": delimiter,
    }
    result, refused = _native.publish.run(_native_workspace(workspace), _path(data, "data"), _path(out, "out"),
                                          json.dumps(opts, ensure_ascii=False), progress)
    if refused:
        r = json.loads(refused)
        cls = InvalidPublicationDataError if r["reason"] == "invalid" else PublishRefusedError
        raise cls(r["message"], reason=r["reason"], column=r["column"], rule=r["rule"], code=r["code"])
    out_summary: Dict[str, Any] = json.loads(result)
    return out_summary


def verify_publication(
    directory: PathLike,
    *,
    workspace: Optional[Workspace] = None,
    public_key: Optional[Union[str, bytes, "os.PathLike[str]"]] = None,
) -> Dict[str, Any]:
    """Checks a publication directory (docs/formats/publication.md, "Verifying"): against the
    keys of ``workspace`` (its own and its peers') or of ``public_key`` (a department's
    public-key document: a path, or its JSON text). Returns ``resource``, ``department``,
    ``created``, ``key_id``, ``signer``, ``files``. Raises :class:`civitas.BadSignatureError`,
    :class:`civitas.IntegrityError`, :class:`civitas.UnknownKeyError`,
    :class:`civitas.DeniedError` (a revoked key), :class:`civitas.NotFoundError`."""
    d = _path(directory, "directory")
    if public_key is not None:
        if isinstance(public_key, bytes):
            doc = public_key.decode("utf-8")
        elif isinstance(public_key, str) and public_key.lstrip().startswith("{"):
            doc = public_key
        else:
            with open(_path(public_key, "public_key"), encoding="utf-8") as f:
                doc = f.read()
        r = _native.publish.verify_with(d, doc)
    elif workspace is not None:
        r = _native.publish.verify(_native_workspace(workspace), d)
    else:
        raise TypeError("verify_publication needs workspace= or public_key=")
    result: Dict[str, Any] = json.loads(r)
    return result
