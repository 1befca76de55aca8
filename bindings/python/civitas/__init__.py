"""civitas — the shared trust core of the city's data-sharing platform, for Python.

Modules:
    civitas.ids     Unified Social Credit Codes, organisation codes, resident ID numbers,
                    GB/T 2260 division codes: validation, parts, check characters.
    civitas.workspace
                    the encrypted workspace and keyring (close it, or use ``with``); field
                    encryption, tokenize/detokenize, identity keys, signatures, sealed boxes.
    civitas.schema  table schemas (Frictionless Table Schema + civitas extensions) and
                    validation of CSV / JSON Lines with frictionless-shaped reports.
    civitas.catalog catalog entries: checks, resource codes, Data Package / DCAT / CKAN.
    civitas.package packages between departments: create, inspect, verify, open
                    (``civitas package`` in the CLI; ``civitas.exchange`` is a deprecated alias).
    civitas.audit   the tamper-evident audit log: append, query, checkpoints, proofs, verify.
    civitas.recovery
                    backups (one file encrypted to recovery keys, signed), verify, restore.
    civitas.classify
                    classification: identifiers and personal information in values,
                    columns (lists, pandas, pyarrow), CSV files and texts.
    civitas.dp      differentially private aggregates paid from a dataset's privacy budget.
    civitas.policy  the city's data policy: checks, grading (GB/T 43697-2024), audited
                    sharing and opening decisions for stored catalog entries.
    civitas.deid    de-identification for open data: a spec's privacy model by optimal
                    generalisation, on files, pandas DataFrames and pyarrow tables.
    civitas.publish the open-data publishing job (civitas.publishing): validate, classify,
                    decide, de-identify, check the risk, write a signed publication;
                    civitas.verify_publication checks one.

Paths are ``str`` or ``os.PathLike``; schemas a path to a JSON file, a ``dict`` or JSON text.
Errors are :class:`civitas.Error` and its subclasses (see :mod:`civitas.errors`), which are
also the matching built-in exceptions (``InvalidArgumentError`` is a ``ValueError``, …).
The full reference is docs/python.md.
"""

import sys as _sys
import types as _types
import warnings as _warnings
from typing import Any as _Any, List as _List

from . import _native
from .errors import *  # noqa: F401,F403  (the exception classes, at the top level)
from .errors import __all__ as _errors_all
from . import audit, catalog, deid, errors, ids, package, schema, workspace
from . import recovery  # noqa: E402  (backups and restore, issue 18)
from . import classify
from . import dp
from . import policy
from . import publishing
from .publishing import publish, verify_publication, PublishRefusedError  # issue 15

#: The library version, the C++ project's version (CMake PROJECT_VERSION).
__version__: str = _native.__version__


class _DeprecatedAlias(_types.ModuleType):
    """``civitas.exchange``: the old name of :mod:`civitas.package`; every attribute read
    warns (DeprecationWarning) and returns that of :mod:`civitas.package`."""

    def __init__(self, name: str, target: _types.ModuleType) -> None:
        super().__init__(name, f"Deprecated alias of {target.__name__}: use {target.__name__}.")
        self.__dict__["_target"] = target

    def __getattr__(self, attr: str) -> _Any:
        target = self.__dict__["_target"]
        if not attr.startswith("_"):
            _warnings.warn(f"civitas.exchange is deprecated; use civitas.package (civitas.package.{attr})",
                           DeprecationWarning, stacklevel=2)
        return getattr(target, attr)

    def __dir__(self) -> _List[str]:
        return dir(self.__dict__["_target"])


#: Deprecated: the old name of :mod:`civitas.package` (``import civitas.exchange`` still works).
exchange = _DeprecatedAlias(__name__ + ".exchange", package)
exchange.__file__ = package.__file__
_sys.modules[exchange.__name__] = exchange

__all__ = ["__version__", "audit", "catalog", "deid", "errors", "ids", "package", "recovery", "schema", "workspace", *_errors_all]
__all__ += ["classify"]
__all__ += ["dp"]
__all__ += ["policy"]
__all__ += ["publishing", "publish", "verify_publication", "PublishRefusedError"]
