"""The city's data policy: checks of a policy document, grading of classified tables
(GB/T 43697-2024 levels, 就高从严), and the audited sharing and opening decisions for catalog
entries stored in a workspace (docs/policy.md, docs/formats/policy.md).

A policy is a path, a dict or JSON text; ``None`` is the bundled default city policy.
A denial is a :class:`Decision` whose ``decision`` is ``"deny"``, never an exception.

>>> from civitas import policy
>>> policy.check(policy.default_policy()).valid
True
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Optional, Union

from . import _native
from ._args import Document, document_text, native_workspace as _native_workspace, path as _path
from .errors import CivitasIOError

_pl = _native.policy

__all__ = [
    "Problem",
    "CheckResult",
    "GradedColumn",
    "Grading",
    "Classification",
    "FieldDecision",
    "Decision",
    "check",
    "default_policy",
    "grade",
    "record",
    "decide",
]


@dataclass(frozen=True)
class Problem:
    """One problem of a policy: a JSON pointer and a message."""

    path: str
    message: str


@dataclass(frozen=True)
class CheckResult:
    """The result of :func:`check`: ``valid``, every problem, and for a valid policy its id and
    digest (``sha256:…``)."""

    valid: bool
    problems: List[Problem]
    id: Optional[str] = None
    digest: Optional[str] = None


@dataclass(frozen=True)
class GradedColumn:
    """A column graded by a policy (the scan JSON's column)."""

    name: str
    type: str
    ratio: float
    confidence: float
    category: Optional[str]
    level: Optional[str]
    source: str


@dataclass(frozen=True)
class Grading:
    """A graded table: its columns and the table level."""

    columns: List[GradedColumn]
    level: Optional[str]

    def to_json(self) -> Dict[str, Any]:
        """The shape of ``civitas classify scan --json``."""
        return {"columns": [dict(c.__dict__) for c in self.columns], "level": self.level}


@dataclass(frozen=True)
class Classification:
    """A classification recorded for a catalog entry (:func:`record`)."""

    resource_code: str
    seq: int
    level: str
    policy: str
    policy_digest: str
    created_ms: int
    scan: Grading


@dataclass(frozen=True)
class FieldDecision:
    """One field of a decision: its grading, role and obligation (``{"action": …, params}``)
    and the JSON pointer of the policy rule that gave it."""

    name: str
    type: str
    category: str
    level: str
    role: str
    obligation: Dict[str, Any]
    rule: str

    @property
    def action(self) -> str:
        """The obligation's action (``keep``, ``drop``, ``encrypt``, ``generalize``…)."""
        return str(self.obligation.get("action", "keep"))


@dataclass(frozen=True)
class Decision:
    """A sharing or opening decision (docs/policy.md, "Decisions")."""

    resource: str
    consumer: str
    purpose: str
    kind: str
    decision: str
    type: str
    catalog_type: Optional[str]
    policy_type: str
    level: Optional[str]
    level_source: str
    conditions: List[str]
    legal_basis: Optional[str]
    reasons: List[str]
    fields: List[FieldDecision]
    privacy: Dict[str, Any]
    risk_threshold: Optional[float]
    policy_id: str
    policy_digest: str
    raw: Dict[str, Any] = field(repr=False, compare=False, default_factory=dict)

    @property
    def allowed(self) -> bool:
        """True for ``allow`` and ``allow_with_obligations``."""
        return self.decision != "deny"


PolicyLike = Optional[Document]
ScanLike = Union[Mapping[str, Any], str, bytes, Grading, Any]


def _policy_text(p: PolicyLike) -> Optional[Union[str, bytes]]:
    return None if p is None else document_text(p, "policy")


def _scan_text(scan: ScanLike) -> str:
    to_json = getattr(scan, "to_json", None)  # classify.TableResult or Grading
    if callable(to_json):
        return json.dumps(to_json(), ensure_ascii=False)
    if isinstance(scan, Mapping):
        return json.dumps(dict(scan), ensure_ascii=False)
    if isinstance(scan, bytes):
        return scan.decode("utf-8")
    if isinstance(scan, str):
        return scan
    raise TypeError(f"scan must be a classify.TableResult, a Grading, a dict or JSON text, not {type(scan).__name__}")


def _grading(j: Mapping[str, Any]) -> Grading:
    return Grading(columns=[GradedColumn(**c) for c in j["columns"]], level=j["level"])


def check(policy: Document) -> CheckResult:
    """Every problem of a policy document (a path, dict or JSON text), each with its JSON
    path. Malformed JSON is one problem at path ``""``; an unreadable file raises."""
    if isinstance(policy, os.PathLike) or (isinstance(policy, str) and not policy.lstrip(" \t\r\n\ufeff").startswith("{")):
        p = _path(policy, "policy")  # read as bytes: malformed JSON is a problem, not an exception
        if os.path.isdir(p):
            raise CivitasIOError(f"policy: {p!r} is a directory, not a JSON file", source=p)
        try:
            with open(p, "rb") as f:
                t: Union[str, bytes] = f.read()
        except OSError as e:
            raise CivitasIOError(f"policy: cannot read {p!r}: {e.strerror}", source=p) from None
    else:
        t = document_text(policy, "policy")
    r = json.loads(_pl.check(t if isinstance(t, str) else t.decode("utf-8", "replace")))
    return CheckResult(valid=r["valid"], problems=[Problem(**p) for p in r["problems"]], id=r["id"], digest=r["digest"])


def default_policy() -> Dict[str, Any]:
    """The bundled default city policy as a dict (docs/policy.md explains it line by line)."""
    return json.loads(_pl.default_text())


def grade(scan: ScanLike, policy: PolicyLike = None) -> Grading:
    """Grades a scan (a :class:`civitas.classify.TableResult`, a :class:`Grading`, or the scan
    JSON as a dict or text): each column's category and level (schema-sourced columns keep
    theirs) and the table level (the highest, raised by the policy's combination rules)."""
    return _grading(json.loads(_pl.grade(_policy_text(policy), _scan_text(scan))))


def record(workspace: Any, resource: str, scan: ScanLike, policy: PolicyLike = None) -> Classification:
    """Records a scan, graded by ``policy``, as the latest classification of the stored catalog
    entry ``resource`` (audit entry ``classify.record``). Raises NotFoundError when there is no
    such entry."""
    r = json.loads(_pl.record(_native_workspace(workspace), _policy_text(policy), resource, _scan_text(scan)))
    return Classification(
        resource_code=r["resource_code"],
        seq=r["seq"],
        level=r["level"],
        policy=r["policy"],
        policy_digest=r["policy_digest"],
        created_ms=r["created_ms"],
        scan=_grading(r["scan"]),
    )


def decide(
    workspace: Any,
    resource: str,
    consumer: str,
    purpose: str,
    open: bool = False,
    policy: PolicyLike = None,
    schema: Optional[Document] = None,
) -> Decision:
    """Decides sharing the stored catalog entry ``resource`` with the department ``consumer``
    (a USCC) for ``purpose``, or opening it to the public (``open=True``); audit entry
    ``policy.decide``. The table level comes from the latest recorded classification, else
    from ``schema``'s annotations; an unclassified table is denied."""
    s = document_text(schema, "schema") if schema is not None else None
    r = json.loads(_pl.decide(_native_workspace(workspace), _policy_text(policy), resource, consumer, purpose,
                              bool(open), s))
    return Decision(
        resource=r["resource"],
        consumer=r["consumer"],
        purpose=r["purpose"],
        kind=r["kind"],
        decision=r["decision"],
        type=r["type"],
        catalog_type=r["catalogType"],
        policy_type=r["policyType"],
        level=r["level"],
        level_source=r["levelSource"],
        conditions=list(r["conditions"]),
        legal_basis=r["legalBasis"],
        reasons=list(r["reasons"]),
        fields=[FieldDecision(**f) for f in r["fields"]],
        privacy=dict(r["privacy"]),
        risk_threshold=r["riskThreshold"],
        policy_id=r["policy"]["id"],
        policy_digest=r["policy"]["digest"],
        raw=r,
    )
