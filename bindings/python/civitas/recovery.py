"""Backups and restore of a workspace (docs/recovery.md, docs/formats/backup.md).

A backup is ONE file: an online, consistent snapshot of the workspace database and its
workspace key, encrypted to one or more X25519 recovery keys and signed by the department::

    key_id = civitas.recovery.generate_recovery_key("R.key")     # writes R.key (0600) and R.key.pub
    info = civitas.recovery.backup(ws, "mr.civbak", recipients=["R.key.pub"])
    civitas.recovery.verify_backup("mr.civbak", workspace=ws)    # or public_key=<key document>
    new = civitas.recovery.restore("mr.civbak", recovery_key="R.key", path="new.db", key=new_key)

A restore starts a new audit epoch: the log keeps the backup's entries and continues under the
origin ``civitas/audit/<USCC>/epoch-<n>`` with a ``backup.restore`` entry (``checkpoint=`` is
the latest checkpoint of the old log a witness holds; the entries lost are recorded).

Errors: :class:`~civitas.IntegrityError` / :class:`~civitas.TruncatedError` (a changed or cut
file), :class:`~civitas.BadSignatureError` (not signed by the department),
:class:`~civitas.NotRecipientError` (the backup is not encrypted to that recovery key),
:class:`~civitas.ExistsError`, :class:`~civitas.ParseError`. The GIL is released while the
library works.
"""

from __future__ import annotations

from typing import Any, Dict, Iterable, Optional, Union

from . import _native
from ._args import PathLike, native_workspace as _native_workspace, path as _path
from .workspace import Workspace

_rc = _native.recovery

#: A backup's summary: path, backup_id, created, workspace_id, department, name, signer_key_id,
#: audit {origin, size, root, checkpoint}, snapshot_bytes, bytes, recipients (key ids).
BackupInfo = Dict[str, Any]
Text = Union[str, bytes]

__all__ = ["BackupInfo", "generate_recovery_key", "backup", "verify_backup", "restore"]


def generate_recovery_key(path: PathLike) -> str:
    """Writes a new recovery key: ``path`` (the private key, mode 0600; keep it offline) and
    ``path + ".pub"`` (give it to :func:`backup`). Returns the key id (16 hex digits).
    Raises ExistsError when either file exists."""
    return _rc.generate_recovery_key(_path(path))


def backup(workspace: Workspace, path: PathLike, recipients: Iterable[PathLike], *, chunk_size: int = 0) -> BackupInfo:
    """Backs the workspace up to ``path`` (which must not exist), encrypted to the recovery
    public-key files ``recipients``. Other threads and processes may keep writing. Audited
    as ``backup.create``."""
    rs = [_path(r, "recipient") for r in recipients]
    return _rc.backup(_native_workspace(workspace), _path(path), rs, chunk_size)


def verify_backup(path: PathLike, *, workspace: Optional[Workspace] = None,
                  public_key: Optional[Text] = None) -> BackupInfo:
    """Checks a backup without restoring or decrypting it: against the signing keys of
    ``workspace``, or against ``public_key``, a department's key document (its JSON text, as
    :meth:`Workspace.export_public` returns it). Exactly one of the two."""
    if (workspace is None) == (public_key is None):
        raise ValueError("give exactly one of workspace= or public_key=")
    if workspace is not None:
        return _rc.verify_backup(_native_workspace(workspace), _path(path))
    doc = public_key.decode("utf-8") if isinstance(public_key, bytes) else public_key
    return _rc.verify_backup_with(_path(path), doc)


def restore(backup_path: PathLike, *, recovery_key: PathLike, path: PathLike, passphrase: Optional[Text] = None,
            key: Optional[Text] = None, public_key: Optional[Text] = None,
            checkpoint: Optional[Text] = None) -> Workspace:
    """Rebuilds a workspace at ``path`` from a backup, with the recovery key's private file,
    under a new master key (``passphrase`` or ``key``, exactly one), and returns it open.

    ``public_key``: the department's key document; the backup must be signed by it (checked
    before anything is decrypted). ``checkpoint``: the latest checkpoint of the old log that
    a witness holds (a signed note)."""
    p = _path(path)
    doc = public_key.decode("utf-8") if isinstance(public_key, bytes) else (public_key or "")
    cp = checkpoint.decode("utf-8") if isinstance(checkpoint, bytes) else (checkpoint or "")
    h = _rc.restore(_path(backup_path, "backup_path"), _path(recovery_key, "recovery_key"), p, passphrase=passphrase,
                    key=key, key_document=doc, checkpoint=cp)
    return Workspace(h, p)
