"""civitas — the shared trust core of the city's data-sharing platform, for Python.

Modules:
    civitas.ids     Unified Social Credit Codes, organisation codes, resident ID numbers,
                    GB/T 2260 division codes: validation, parts, check characters.
    civitas.workspace
                    the encrypted workspace and keyring; field encryption, tokens,
                    identity keys, signatures, sealed boxes.
    civitas.schema  table schemas (Frictionless Table Schema + civitas extensions) and
                    validation of CSV / JSON Lines with frictionless-shaped reports.
    civitas.catalog catalog entries: checks, resource codes, Data Package / DCAT / CKAN.
    civitas.exchange
                    exchange packages between departments: create, inspect, verify, open.
    civitas.audit   the tamper-evident audit log: append, query, checkpoints, proofs, verify.

Errors are :class:`civitas.Error` and its subclasses (see :mod:`civitas.errors`), which are
also the matching built-in exceptions (``InvalidArgumentError`` is a ``ValueError``, …).
"""

from . import _native
from .errors import *  # noqa: F401,F403  (the exception classes, at the top level)
from .errors import __all__ as _errors_all
from . import audit, catalog, errors, exchange, ids, schema, workspace

#: The library version, the C++ project's version (CMake PROJECT_VERSION).
__version__: str = _native.__version__

__all__ = ["__version__", "audit", "catalog", "errors", "exchange", "ids", "schema", "workspace", *_errors_all]
