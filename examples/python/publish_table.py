#!/usr/bin/env python3
"""A publishing-style script over a pandas DataFrame: the steps a department's open-data script
runs before it releases a table, with civitas doing the checks and the keys.

    PYTHONPATH=build/python .venv/bin/python examples/python/publish_table.py [OUT_DIR]

Uses the bundled synthetic table examples/data/employment.* (realistic, generated, no real
person) and a throw-away workspace. Steps:

1. the catalog entry matches the table's Table Schema (each item names its column);
2. the CSV is valid against the schema (identifier check characters included);
3. the identifier columns are checked in the DataFrame (ids.reasons_many over a Series);
4. the direct identifiers are replaced: the resident ID by its identity key (a keyed one-way
   pseudonym: the same person gets the same key in every table of the department, and nobody
   without the workspace can compute or reverse it), names, phones and addresses dropped, the
   birth date cut to the year;
5. the result and a Data Package describing it are written (to OUT_DIR when given).

The real publishing job (`civitas publish run`: classification, policy, de-identification,
risk check, signed manifest) comes with the publishing release; this script shows the pieces
it is built from. Exit status 0 when every step did what it should.
"""

import json
import os
import pathlib
import sys
import tempfile

import pandas as pd

from civitas import catalog, ids, schema
from civitas.workspace import Workspace

DATA = pathlib.Path(__file__).resolve().parent.parent / "data"
HRSS = "11350100003001527P"                         # the human-resources bureau (made up)


def main(out_dir: "pathlib.Path | None") -> int:
    table = DATA / "employment.csv"
    table_schema = json.loads((DATA / "employment.schema.json").read_text(encoding="utf-8"))
    entry = json.loads((DATA / "employment.catalog.json").read_text(encoding="utf-8"))

    # 1. Catalog entry and schema describe the same table.
    problems = catalog.check(entry, schema=table_schema)
    for path, message in problems:
        print(f"catalog {path}: {message}")
    if problems:
        return 1
    print(f"catalog {catalog.resource_code(entry)}: {len(entry['items'])} items, each naming its column")

    # 2. The file is valid against its schema.
    report = schema.validate(table, table_schema)
    print(f"validate {table.name}: valid={report['valid']}, rows={report['tasks'][0]['stats']['rows']}")
    if not report["valid"]:
        print(schema.errors(report))
        return 1

    # 3. The identifiers, checked over DataFrame columns (strings: keep leading zeros and X).
    df = pd.read_csv(table, dtype=str, keep_default_na=False)
    df["ric_reason"] = ids.reasons_many("ric", df["ric"], strict=True)
    df["uscc_ok"] = ids.validate_many("uscc", df["employer_uscc"], strict=True)
    bad = df[df["ric_reason"].notna() | ~df["uscc_ok"]]
    print(f"identifiers: {len(df) - len(bad)} of {len(df)} rows valid")
    if len(bad):
        print(bad[["record_id", "ric", "ric_reason", "employer_uscc"]].to_string(index=False))
        return 1

    # 4. Identity keys for the people; the other direct identifiers go.
    with tempfile.TemporaryDirectory() as tmp, \
            Workspace.create(pathlib.Path(tmp, "hrss.db"), key=os.urandom(32), department=HRSS,
                             name="人力资源和社会保障局") as ws:
        keys = ws.identity_keys("ric", df["ric"], "open-data/employment")
        again = ws.identity_key("ric", df["ric"].iloc[0], "open-data/employment")
        other = ws.identity_key("ric", df["ric"].iloc[0], "statistics")
    if None in keys or keys[0] != again or other == again:
        print("identity keys: not stable per domain")
        return 1
    out = pd.DataFrame({
        "person_key": keys,
        "birth_year": df["birth_date"].str[:4],
        "gender": df["gender"],
        "division": df["division"],
        "employer_uscc": df["employer_uscc"],      # enterprises: public registration data
        "industry": df["industry"],
        "occupation": df["occupation"],
        "monthly_wage": df["monthly_wage"].astype(int),
        "registered": df["registered"],
    })
    print(f"published columns: {', '.join(out.columns)} ({len(out)} rows, "
          f"{out['person_key'].nunique()} distinct people)")
    print(f"  e.g. {out['person_key'].iloc[0][:24]}…  {out['birth_year'].iloc[0]}  {out['division'].iloc[0]}")
    dropped = sorted(set(df.columns) - set(out.columns) - {"ric_reason", "uscc_ok"})
    print(f"dropped or replaced: {', '.join(dropped)}")
    for col in ("name", "ric", "phone", "address"):
        if col in out.columns or out.astype(str).isin(df[col]).any().any():
            print(f"column {col} leaked into the output")
            return 1

    # 5. The output file and a Data Package describing the published table.
    out_schema = {"fields": [
        {"name": "person_key", "title": "人员标识键", "type": "string"},
        {"name": "birth_year", "title": "出生年份", "type": "year"},
        {"name": "gender", "title": "性别", "type": "string"},
        {"name": "division", "title": "行政区划代码", "type": "string", "civitas:identifier": "gb2260"},
        {"name": "employer_uscc", "title": "用人单位统一社会信用代码", "type": "string", "civitas:identifier": "uscc"},
        {"name": "industry", "title": "行业门类", "type": "string"},
        {"name": "occupation", "title": "职业", "type": "string"},
        {"name": "monthly_wage", "title": "月工资（元）", "type": "integer"},
        {"name": "registered", "title": "登记日期", "type": "date"},
    ]}
    csv_text = out.to_csv(index=False, lineterminator="\n")
    check = schema.validate_bytes(csv_text.encode("utf-8"), json.dumps(out_schema), format="csv")
    if not check["valid"]:
        print(schema.errors(check))
        return 1
    if out_dir:
        out_dir.mkdir(parents=True, exist_ok=True)
        (out_dir / "employment_open.csv").write_text(csv_text, encoding="utf-8")
        dp = {"name": "employment-open", "title": entry["title"],
              "resources": [{"name": "employment_open", "path": "employment_open.csv", "schema": out_schema}]}
        (out_dir / "datapackage.json").write_text(json.dumps(dp, ensure_ascii=False, indent=2), encoding="utf-8")
        print(f"wrote {out_dir / 'employment_open.csv'} and datapackage.json")
    return 0


if __name__ == "__main__":
    sys.exit(main(pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else None))
