"""Exceptions raised by civitas.

Every error is a :class:`civitas.Error`, which carries ``code`` (the C ABI's ``CIV_E*``
integer, the same value as ``civitas::Code`` in C++) and ``code_name`` (its stable short
name, e.g. ``"invalid-argument"``), plus where in the input the problem was found when that
is known (``row``, ``field``, ``offset``, ``source``).

Each code has its own subclass, which is also the matching built-in exception where one
fits (as in pygit2), so ordinary Python handlers work::

    try:
        civitas.ids.validate("passport", "X")
    except ValueError as e:          # InvalidArgumentError is also a ValueError
        print(e.code_name, e)

The translation from C++ happens in one place, ``bindings/python/src/errors.cpp``; this
module only defines the classes and registers them with the extension.
"""

from __future__ import annotations

from typing import Dict, Optional, Type

from . import _native

__all__ = [
    "Error",
    "InvalidArgumentError",
    "OutOfMemoryError",
    "InternalError",
    "CivitasIOError",
    "IOError_",
    "NotFoundError",
    "ParseError",
    "IntegrityError",
    "WrongKeyError",
    "UnsupportedVersionError",
    "ExistsError",
    "BusyError",
    "DeniedError",
    "BadSignatureError",
    "ReplayError",
    "UnknownKeyError",
    "NotRecipientError",
    "TruncatedError",
    "SchemaMismatchError",
    "BufferTooSmallError",
    "InvalidDataError",
    "CODE_NAMES",
    "error_class",
]

#: ``{code: name}`` for every error code the native library knows (0 is ``"ok"``).
CODE_NAMES: Dict[int, str] = dict(_native.error_code_names())


class Error(Exception):
    """Base class of every civitas error.

    Attributes:
        code: the C ABI error code (negative ``CIV_E*`` value).
        code_name: its stable name, e.g. ``"parse"``.
        message: the message (also ``str(error)``).
        row, field, offset, source: where in the input the problem is, or None.
        report: for a package refused because its records break their schema
            (:class:`InvalidDataError` from ``package.create`` or ``package.open``), the whole
            validation report as a dict (docs/formats/validation-report.md); else None.
    """

    #: default code of the class; an instance may carry another (see ``code``).
    code: int = -3

    def __init__(
        self,
        message: str = "",
        *,
        code: Optional[int] = None,
        row: Optional[int] = None,
        field: Optional[str] = None,
        offset: Optional[int] = None,
        source: Optional[str] = None,
        report: Optional[dict] = None,
    ) -> None:
        super().__init__(message)
        self.report = report
        self.message = message
        if code is not None:
            self.code = code
        self.row = row
        self.field = field
        self.offset = offset
        self.source = source

    @property
    def code_name(self) -> str:
        """Stable short name of ``code`` ("integrity", "wrong-key", …)."""
        return CODE_NAMES.get(self.code, "unknown")

    def __str__(self) -> str:
        # Not KeyError's repr-quoting, not OSError's "[Errno …]" formatting.
        return self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, code={self.code} [{self.code_name}])"


class InvalidArgumentError(Error, ValueError):
    """The caller passed something unusable (unknown kind, wrong length for a check character…)."""

    code = -1


class OutOfMemoryError(Error, MemoryError):
    """Memory ran out."""

    code = -2


class InternalError(Error, RuntimeError):
    """A bug in civitas; please report it."""

    code = -3


class CivitasIOError(Error, OSError):
    """A file or operating-system error (e.g. a file that cannot be opened)."""

    code = -4


#: Alias of :class:`CivitasIOError` (``IOError`` itself is Python's built-in).
IOError_ = CivitasIOError


class NotFoundError(Error, KeyError):
    """The named thing does not exist."""

    code = -5


class ParseError(Error, ValueError):
    """Malformed input data (CSV, JSON, tables…); ``row``/``offset`` say where."""

    code = -6


class IntegrityError(Error):
    """Tampered or damaged data. Deliberately not a ValueError: never swallow it by accident."""

    code = -7


class WrongKeyError(Error):
    """A wrong key, or not a civitas workspace."""

    code = -8


class UnsupportedVersionError(Error, ValueError):
    """An unsupported format or schema version."""

    code = -9


class ExistsError(Error, ValueError):
    """Already exists."""

    code = -10


class BusyError(Error):
    """The resource is busy (locked); retrying later may succeed."""

    code = -11


class DeniedError(Error, PermissionError):
    """Refused by policy or permission."""

    code = -12


class BadSignatureError(Error):
    """A signature does not verify."""

    code = -13


class ReplayError(Error):
    """A replayed message (its sequence number was seen before)."""

    code = -14


class UnknownKeyError(Error, LookupError):
    """The key is not known (e.g. an unknown provider)."""

    code = -15


class NotRecipientError(Error):
    """This party is not a recipient."""

    code = -16


class TruncatedError(Error, ValueError):
    """The input ends early."""

    code = -17


class SchemaMismatchError(Error, ValueError):
    """Data does not match its schema."""

    code = -18


class BufferTooSmallError(Error, ValueError):
    """A caller-supplied buffer is too small."""

    code = -19


class InvalidDataError(Error, ValueError):
    """Data that breaks the rules it is checked against (e.g. an invalid legacy resident ID)."""

    code = -20


_CLASSES: Dict[int, Type[Error]] = {
    cls.code: cls
    for cls in (
        InvalidArgumentError,
        OutOfMemoryError,
        InternalError,
        CivitasIOError,
        NotFoundError,
        ParseError,
        IntegrityError,
        WrongKeyError,
        UnsupportedVersionError,
        ExistsError,
        BusyError,
        DeniedError,
        BadSignatureError,
        ReplayError,
        UnknownKeyError,
        NotRecipientError,
        TruncatedError,
        SchemaMismatchError,
        BufferTooSmallError,
        InvalidDataError,
    )
}


def error_class(code: int) -> Type[Error]:
    """The exception class for an error code (:class:`Error` for codes without their own)."""
    return _CLASSES.get(code, Error)


_native._register_error_classes(Error, dict(_CLASSES))
