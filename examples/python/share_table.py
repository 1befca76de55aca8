#!/usr/bin/env python3
"""The data-sharing job from Python: one department validates a table, catalogs it and sends
it to another department as a package; the other opens it; both audit logs verify.

    PYTHONPATH=build/python .venv/bin/python examples/python/share_table.py

Uses examples/data/enterprises.* and two throw-away workspaces in a temporary directory.
Exit status 0 when every step did what it should.
"""

import json
import os
import pathlib
import tempfile

import civitas
from civitas import ids, package, schema
from civitas.audit import AuditLog
from civitas.catalog import Catalog
from civitas.workspace import Workspace

DATA = pathlib.Path(__file__).resolve().parent.parent / "data"
MARKET = "91350100M000100Y43"                                  # provider: market regulation
TAX = ids.validate("uscc", "11350100MB0000001" + ids.check_char("uscc", "11350100MB0000001")).canonical


def main() -> int:
    table = DATA / "enterprises.csv"
    table_schema = DATA / "enterprises.schema.json"      # a schema: a path, a dict or JSON text
    entry = json.loads((DATA / "enterprises.catalog.json").read_text(encoding="utf-8"))

    # Workspaces are closed (their keys wiped) when the with block ends.
    with tempfile.TemporaryDirectory() as tmp_dir, \
            Workspace.create(pathlib.Path(tmp_dir, "market.db"), key=os.urandom(32), department=MARKET,
                             name="市场监督管理局") as market, \
            Workspace.create(pathlib.Path(tmp_dir, "tax.db"), key=os.urandom(32), department=TAX,
                             name="税务局") as tax:
        tmp = pathlib.Path(tmp_dir)
        market.import_public(tax.export_public())          # in real life: exchanged out of band
        tax.import_public(market.export_public())

        report = schema.validate(table, table_schema)
        print(f"validate {table.name}: valid={report['valid']}, rows={report['tasks'][0]['stats']['rows']}")
        broken = schema.validate(DATA / "enterprises_broken.csv", table_schema)
        for e in broken["tasks"][0]["errors"]:
            print(f"  broken copy: row {e['rowNumber']} {e['fieldName']}: {e['type']}")
        if not report["valid"] or broken["valid"]:
            return 1

        stored = Catalog(market).add(entry)
        print(f"catalog {stored.resource_code} version {stored.version}: {stored.title}")

        pkg = tmp / "enterprises.civpkg"
        s = package.create(market, pkg, to=[TAX], resources={"enterprises": table}, schema=table_schema,
                            catalog=stored.resource_code, purpose="企业登记信息核验")
        print(f"package {s.package_id}: {pkg.stat().st_size} bytes, to {TAX}")
        print(f"header (no key needed): provider {package.inspect(pkg).provider}")

        package.open(tax, pkg, tmp / "received")
        same = (tmp / "received" / "data" / "enterprises.csv").read_bytes() == table.read_bytes()
        print(f"opened by the tax bureau: table identical = {same}")
        try:
            package.open(tax, pkg, tmp / "again")
            return 1
        except civitas.ReplayError as e:
            print(f"opened twice: refused ({e.__class__.__name__}), output left: {(tmp / 'again').exists()}")

        for name, ws in (("market", market), ("tax", tax)):
            log = AuditLog(ws)
            r = log.verify()
            actions = [e.action for e in log.query()]
            print(f"audit log of {name}: {len(log)} entries, verified={r.ok}; last actions {actions[-2:]}")
            if not r.ok:
                return 1
        return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
