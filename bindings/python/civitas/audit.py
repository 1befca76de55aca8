"""The tamper-evident audit log of a workspace.

Every workspace keeps an append-only log in its database: an RFC 9162 Merkle tree over
canonical entries (docs/formats/audit-entry.md), with checkpoints in the C2SP signed-note
format signed by the workspace's checkpoint key (docs/formats/checkpoint.md) and inclusion and
consistency proofs (docs/formats/proofs.md). The library appends its own sensitive actions;
callers append theirs::

    log = civitas.audit.AuditLog(ws)
    i = log.append("data.read", resource="110000-000001", purpose="licensing", details={"rows": 12})
    log.append_batch([{"action": "data.read", "resource": "r1"}, {"action": "data.export"}])
    log.query(action="data.read", since=datetime(2026, 11, 1, tzinfo=timezone.utc))
    note = log.checkpoint()                       # signed note text
    key = log.public_key()                        # "<name>+<hash>+<key>" (note verifier)
    cp = civitas.audit.open_checkpoint(note, key) # Checkpoint(origin, size, root)
    proof = log.prove(i, cp.size)
    proof.verify(cp.root)                         # True: pure, no workspace needed
    log.verify()                                  # VerifyResult; .ok, .first_index, .problems

Anyone with the public key checks a log offline: :func:`open_checkpoint`,
:meth:`InclusionProof.verify`, :meth:`ConsistencyProof.verify`, and :func:`check_consistency`
to witness another department's log (an older and a newer checkpoint plus the consistency
proof between them, in one call).

Errors: :class:`~civitas.IntegrityError` (a tampered entry is never returned as data; a
checkpoint that is not consistent), :class:`~civitas.BadSignatureError`,
:class:`~civitas.UnknownKeyError` (no signature by the given key), :class:`~civitas.ParseError`
(malformed note or proof JSON), :class:`~civitas.InvalidArgumentError` (bad actor, empty
action, non-integer numbers in details, index beyond the tree…). An AuditLog may be shared
between threads; the GIL is released around all database work, signing and verification.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple, Union

from . import _native
from ._args import native_workspace as _native_workspace
from .workspace import Workspace

_au = _native.audit

#: A hash as 32 bytes or 64 hex digits.
HashLike = Union[bytes, str]
#: A time as milliseconds since the epoch (UTC) or an aware datetime.
TimeLike = Union[int, datetime]

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)

#: The most hashes a proof may carry (a proof of a tree of 2^64 entries has 64).
MAX_PROOF_HASHES: int = _au.MAX_PROOF_HASHES


def _ms(t: Optional[TimeLike], what: str) -> Optional[int]:
    if t is None:
        return None
    if isinstance(t, datetime):
        if t.tzinfo is None:
            raise ValueError(f"{what}: give an aware datetime (tzinfo=timezone.utc), not a naive one")
        return (t - _EPOCH) // timedelta(milliseconds=1)  # exact: no float rounding
    if isinstance(t, bool) or not isinstance(t, int):
        raise TypeError(f"{what} must be int milliseconds or a datetime, not {type(t).__name__}")
    return t


def _details(d: Union[Mapping[str, Any], str, bytes, None]) -> Union[str, bytes]:
    if d is None:
        return "{}"
    if isinstance(d, (str, bytes)):
        return d
    return json.dumps(d, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


# ---- entries ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """One log entry: its decoded fields, canonical bytes and leaf hash."""

    index: int
    time_ms: int
    actor_dept: str
    actor_user: str
    action: str
    resource: str
    purpose: str
    outcome: str
    details_json: str  #: canonical JSON text of the details object
    entry: bytes  #: canonical bytes (docs/formats/audit-entry.md)
    leaf_hash: bytes  #: SHA-256(0x00 || entry)

    @property
    def actor(self) -> str:
        """``"<dept>:<user>"``, or ``"<dept>"`` when there is no user."""
        return f"{self.actor_dept}:{self.actor_user}" if self.actor_user else self.actor_dept

    @property
    def time(self) -> datetime:
        """The entry's time as an aware UTC datetime."""
        return datetime.fromtimestamp(self.time_ms / 1000, tz=timezone.utc)

    @property
    def details(self) -> Dict[str, Any]:
        """The details object (parsed on each access)."""
        return json.loads(self.details_json)

    def to_dict(self) -> Dict[str, Any]:
        """The object of ``civitas audit log --json``: index, time_ms, time, actor, actor_dept,
        actor_user, action, resource, purpose, outcome, details, entry (base64), leaf_hash (hex)."""
        t = self.time
        return {
            "index": self.index,
            "time_ms": self.time_ms,
            "time": t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{self.time_ms % 1000:03d}Z",
            "actor": self.actor,
            "actor_dept": self.actor_dept,
            "actor_user": self.actor_user,
            "action": self.action,
            "resource": self.resource,
            "purpose": self.purpose,
            "outcome": self.outcome,
            "details": self.details,
            "entry": base64.b64encode(self.entry).decode("ascii"),
            "leaf_hash": self.leaf_hash.hex(),
        }


def _entry(t: Tuple[Any, ...]) -> Entry:
    return Entry(*t)


def decode_entry(entry: bytes) -> Entry:
    """Decodes canonical entry bytes (strictly: :class:`~civitas.ParseError`,
    :class:`~civitas.TruncatedError` or :class:`~civitas.UnsupportedVersionError` with the
    byte offset) and computes their leaf hash."""
    return _entry(_au.decode_entry(entry))


def leaf_hash(entry: bytes) -> bytes:
    """SHA-256(0x00 || entry): the Merkle leaf hash of canonical entry bytes."""
    return _au.leaf_hash(entry)


# ---- proofs -------------------------------------------------------------------------------


@dataclass(frozen=True)
class InclusionProof:
    """RFC 9162 inclusion proof of entry ``leaf_index`` in the tree of ``tree_size`` entries."""

    leaf_index: int
    tree_size: int
    leaf_hash: bytes
    hashes: Tuple[bytes, ...] = field(default_factory=tuple)

    def to_json(self) -> str:
        """``{"version":1,"leaf_index","tree_size","leaf_hash","hashes":[hex…]}``."""
        return _au.inclusion_to_json(self.leaf_index, self.tree_size, self.leaf_hash, list(self.hashes))

    @classmethod
    def from_json(cls, text: Union[str, bytes]) -> "InclusionProof":
        """Parses proof JSON strictly (:class:`~civitas.ParseError` naming what is wrong)."""
        i, n, leaf, hs = _au.inclusion_from_json(text)
        return cls(i, n, leaf, tuple(hs))

    def verify(self, root: HashLike) -> bool:
        """True when the proof leads from ``leaf_hash`` to ``root`` (RFC 9162 §2.1.3.2).
        Pure: no workspace, no I/O. False for any mismatch or malformed proof."""
        return _au.verify_inclusion(self.leaf_index, self.tree_size, self.leaf_hash, list(self.hashes), root)

    def verify_entry(self, entry: bytes, root: HashLike) -> bool:
        """As :meth:`verify`, and the proof's leaf hash is that of these canonical entry bytes."""
        return _au.leaf_hash(entry) == self.leaf_hash and self.verify(root)


@dataclass(frozen=True)
class ConsistencyProof:
    """RFC 9162 consistency proof: the tree of ``second`` entries extends that of ``first``."""

    first: int
    second: int
    hashes: Tuple[bytes, ...] = field(default_factory=tuple)

    def to_json(self) -> str:
        """``{"version":1,"first","second","hashes":[hex…]}``."""
        return _au.consistency_to_json(self.first, self.second, list(self.hashes))

    @classmethod
    def from_json(cls, text: Union[str, bytes]) -> "ConsistencyProof":
        """Parses proof JSON strictly (:class:`~civitas.ParseError` naming what is wrong)."""
        a, b, hs = _au.consistency_from_json(text)
        return cls(a, b, tuple(hs))

    def verify(self, first_root: HashLike, second_root: HashLike) -> bool:
        """True when the proof shows ``second_root``'s tree extends ``first_root``'s
        (RFC 9162 §2.1.4.2). Pure: no workspace, no I/O."""
        return _au.verify_consistency(self.first, self.second, list(self.hashes), first_root, second_root)


def verify_inclusion(proof: InclusionProof, root: HashLike) -> bool:
    """:meth:`InclusionProof.verify` as a function."""
    return proof.verify(root)


def verify_consistency(proof: ConsistencyProof, first_root: HashLike, second_root: HashLike) -> bool:
    """:meth:`ConsistencyProof.verify` as a function."""
    return proof.verify(first_root, second_root)


# ---- checkpoints and keys -----------------------------------------------------------------


@dataclass(frozen=True)
class Checkpoint:
    """The body of a checkpoint note: origin (the log's name), tree size and root hash."""

    origin: str
    size: int
    root: bytes
    extensions: Tuple[str, ...] = ()


@dataclass(frozen=True)
class PublicKey:
    """A note verifier key: ``<name>+<hex key hash>+<base64(0x01 || Ed25519 key)>``."""

    name: str
    key_hash: int
    public_key: bytes

    @classmethod
    def parse(cls, text: Union[str, bytes]) -> "PublicKey":
        """Parses a verifier key line (:class:`~civitas.ParseError` naming the bad part)."""
        return cls(*_au.parse_public_key(text))


def _checkpoint(t: Tuple[Any, ...]) -> Checkpoint:
    return Checkpoint(t[0], t[1], t[2], tuple(t[3]))


Keys = Union[str, bytes, Sequence[Union[str, bytes]]]


def parse_checkpoint(note: Union[str, bytes]) -> Checkpoint:
    """The checkpoint in a note, **without** checking its signature."""
    return _checkpoint(_au.parse_checkpoint(note))


def open_checkpoint(note: Union[str, bytes], public_key: Keys) -> Checkpoint:
    """Verifies a checkpoint note with a verifier key (or any of several) and returns it.

    Raises :class:`~civitas.UnknownKeyError` when no signature is by a given key,
    :class:`~civitas.BadSignatureError` when one is but does not verify,
    :class:`~civitas.ParseError` for a malformed note.
    """
    return _checkpoint(_au.open_checkpoint(note, public_key))


def check_consistency(
    older: Union[str, bytes], newer: Union[str, bytes], proof: ConsistencyProof, public_key: Union[str, bytes]
) -> Checkpoint:
    """Witnessing another department's log in one call: both notes are signed by
    ``public_key`` and name the same log, and ``proof`` shows the newer tree extends the older.
    Returns the newer checkpoint. :class:`~civitas.IntegrityError` when they are not
    consistent (a rewritten history or a fork), :class:`~civitas.InvalidArgumentError` when the
    proof is for other sizes, signature errors as :func:`open_checkpoint`."""
    return _checkpoint(_au.check_consistency(older, newer, proof.first, proof.second, list(proof.hashes), public_key))


# ---- verification -------------------------------------------------------------------------


_ENTRY_KINDS = frozenset({"changed", "deleted", "inserted", "reordered"})


@dataclass(frozen=True)
class Problem:
    """One finding of :meth:`AuditLog.verify`. kind: ``changed``, ``deleted``, ``inserted``,
    ``reordered``, ``node``, ``checkpoint``, ``signature`` (docs/audit.md)."""

    kind: str
    index: Optional[int]
    message: str


@dataclass(frozen=True)
class VerifyResult:
    """The report of a full verification; true when everything checks."""

    entries: int
    nodes: int
    checkpoints: int
    root: bytes
    problems: Tuple[Problem, ...]

    @property
    def ok(self) -> bool:
        """True when no problem was found."""
        return not self.problems

    @property
    def first_index(self) -> Optional[int]:
        """Where tampering starts: the lowest index named by an entry problem (changed,
        deleted, inserted, reordered); failing those, the lowest index any problem names
        (``node`` and ``checkpoint`` problems only bound the range); None if none names one."""
        named = [(p.kind, p.index) for p in self.problems if p.index is not None]
        direct = [i for kind, i in named if kind in _ENTRY_KINDS]
        idx = direct or [i for _, i in named]
        return min(idx) if idx else None

    def __bool__(self) -> bool:
        return self.ok


# ---- the log ------------------------------------------------------------------------------

Event = Mapping[str, Any]


class AuditLog:
    """The audit log of a :class:`civitas.workspace.Workspace` (kept alive by this object).

    :meth:`close` (or leaving a ``with`` block) lets go of the workspace; closing the
    workspace closes its logs too. Any call after that raises
    :class:`~civitas.InvalidArgumentError`."""

    def __init__(self, workspace: Workspace) -> None:
        """Opens the log of ``workspace`` (an open :class:`~civitas.workspace.Workspace`)."""
        self._log = _au.Log(_native_workspace(workspace))

    def close(self) -> None:
        """Lets go of the log and of the workspace (which stays open). Idempotent."""
        self._log.close()

    @property
    def closed(self) -> bool:
        """True after :meth:`close`, or once the workspace was closed."""
        return bool(self._log.closed)

    def __enter__(self) -> "AuditLog":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    @property
    def origin(self) -> str:
        """The log's name in its checkpoints: ``civitas/audit/<department or workspace id>``."""
        return self._log.origin

    @property
    def default_actor(self) -> str:
        """The actor used when none is given: the workspace's department and the user
        (``$CIVITAS_USER``, else ``os:<login>``)."""
        d, u = self._log.department, self._log.user
        return f"{d}:{u}" if u else d

    def __len__(self) -> int:
        return self._log.size()

    @property
    def size(self) -> int:
        """The number of entries (the tree size)."""
        return self._log.size()

    def append(
        self,
        action: str,
        *,
        actor: Optional[str] = None,
        resource: str = "",
        purpose: str = "",
        outcome: str = "ok",
        details: Union[Mapping[str, Any], str, None] = None,
    ) -> int:
        """Appends one entry (committed when this returns) and returns its index.

        ``actor`` is ``"<department USCC>[:<user>]"`` (default :attr:`default_actor`);
        ``details`` a JSON object (dict or JSON text; integers only)."""
        return self._log.append(actor if actor is not None else self.default_actor, action, resource, purpose,
                                outcome, _details(details))

    def append_batch(self, events: Iterable[Event]) -> range:
        """Appends many entries in one transaction (all or nothing) and returns their indexes.

        Each event is a mapping with ``action`` and optionally ``actor``, ``resource``,
        ``purpose``, ``outcome``, ``details`` (the fields of :meth:`append`)."""
        rows: List[Tuple[Any, ...]] = []
        known = {"actor", "action", "resource", "purpose", "outcome", "details"}
        for i, e in enumerate(events):
            extra = set(e) - known
            if extra:
                raise ValueError(f"events[{i}]: unknown field(s) {sorted(extra)}")
            actor = e.get("actor")
            rows.append((actor if actor is not None else self.default_actor, e.get("action", ""),
                         e.get("resource", ""), e.get("purpose", ""), e.get("outcome", "ok"),
                         _details(e.get("details"))))
        first = self._log.append_batch(rows)
        return range(first, first + len(rows))

    def query(
        self,
        *,
        since: Optional[TimeLike] = None,
        until: Optional[TimeLike] = None,
        actor: Optional[str] = None,
        action: Optional[str] = None,
        resource: Optional[str] = None,
        from_index: int = 0,
        limit: int = 0,
    ) -> List[Entry]:
        """Entries in index order with ``since <= time < until`` and the given actor
        (``"USCC"`` for the whole department, ``"USCC:user"`` for one user), action and
        resource; ``limit`` 0 means no limit. Each returned entry is checked against the tree:
        a tampered one raises :class:`~civitas.IntegrityError` naming its index."""
        return [_entry(t) for t in self._log.query(_ms(since, "since"), _ms(until, "until"), actor, action, resource,
                                                    from_index, limit)]

    def __getitem__(self, index: int) -> Entry:
        return self.get(index)

    def get(self, index: int) -> Entry:
        """One entry (checked as in :meth:`query`); :class:`~civitas.NotFoundError` past the end."""
        return _entry(self._log.get(index))

    def root(self, size: Optional[int] = None) -> bytes:
        """The Merkle root of the first ``size`` entries (default: all)."""
        return self._log.root(len(self) if size is None else size)

    def checkpoint(self) -> str:
        """The latest signed checkpoint note, signing a new one when the log grew."""
        return self._log.checkpoint()

    def latest_checkpoint(self) -> Optional[str]:
        """The latest stored checkpoint note, without signing (None when there is none)."""
        return self._log.latest_checkpoint()

    def public_key(self) -> str:
        """The note verifier key of the current checkpoint signing key."""
        return self._log.public_key()

    def public_keys(self) -> List[str]:
        """Verifier keys of every checkpoint key the workspace has (rotated ones too, destroyed ones never)."""
        return self._log.public_keys()

    def prove(self, index: int, size: Optional[int] = None) -> InclusionProof:
        """Inclusion proof of entry ``index`` in the tree of ``size`` entries (default: now)."""
        i, n, leaf, hs = self._log.prove(index, 0 if size is None else size)
        return InclusionProof(i, n, leaf, tuple(hs))

    def consistency(self, first: int, second: Optional[int] = None) -> ConsistencyProof:
        """Consistency proof between the trees of ``first`` and ``second`` (default: now) entries."""
        a, b, hs = self._log.consistency(first, 0 if second is None else second)
        return ConsistencyProof(a, b, tuple(hs))

    def verify(self, checkpoints: Iterable[Union[str, bytes]] = ()) -> VerifyResult:
        """Recomputes every leaf and node from the entries and checks every stored checkpoint
        and the given ones (notes handed out earlier). Never raises for tampering: the result
        names each problem with its index."""
        entries, nodes, cps, root, ps = self._log.verify(list(checkpoints))
        return VerifyResult(entries, nodes, cps, root, tuple(Problem(*p) for p in ps))

    def check_received(self, checkpoint: Union[str, bytes]) -> Checkpoint:
        """A checkpoint of this log handed back by someone: its signature verifies and the
        current tree extends it (:class:`~civitas.IntegrityError` if not)."""
        return _checkpoint(self._log.check_received(checkpoint))


__all__ = [
    "AuditLog",
    "Checkpoint",
    "ConsistencyProof",
    "Entry",
    "InclusionProof",
    "MAX_PROOF_HASHES",
    "Problem",
    "PublicKey",
    "VerifyResult",
    "check_consistency",
    "decode_entry",
    "leaf_hash",
    "open_checkpoint",
    "parse_checkpoint",
    "verify_consistency",
    "verify_inclusion",
]
