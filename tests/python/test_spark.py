"""civitas.spark in Spark's local mode (local[2]), on small generated data and on Adult
(docs/spark.md, issue 16): identifier validation with the CLI's reason codes, identity keys,
tokens and field encryption from a workspace opened in the Python workers (one audit entry
per job, written by the driver), and de-identification whose result equals the one-process
run's. PySpark (PyPI) and Java are installed by scripts/install-deps; the whole module takes
about 1-2 minutes on two cores (most of it Spark's start-up and the Adult runs)."""
import csv
import json
import os
import random
import shutil
import sys
from pathlib import Path

import pytest

if "asan" in os.environ.get("LD_PRELOAD", ""):
    pytest.skip("the JVM does not run under the sanitizer runtime preloaded by the sanitizer tree",
                allow_module_level=True)
pytest.importorskip("pyspark", reason="pyspark is installed by scripts/install-deps")
if shutil.which("java") is None:
    pytest.skip("Spark needs Java (openjdk-17, scripts/install-deps)", allow_module_level=True)

from civitas import deid, ids  # noqa: E402
from civitas import spark as cs  # noqa: E402
from civitas.audit import AuditLog  # noqa: E402
from civitas.workspace import Workspace  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
ADULT = ROOT / "tests" / "data" / "adult"
QI = ["age", "education", "marital-status", "native-country", "race", "salary-class", "sex", "workclass"]


@pytest.fixture(scope="module")
def spark():
    os.environ["PYSPARK_PYTHON"] = sys.executable
    os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable
    from pyspark.sql import SparkSession

    s = (SparkSession.builder.master("local[2]").appName("civitas-test")
         .config("spark.ui.enabled", "false")
         .config("spark.sql.shuffle.partitions", "4")
         .config("spark.driver.memory", "1g")
         .getOrCreate())
    s.sparkContext.setLogLevel("ERROR")
    yield s
    s.stop()


def uscc(body17: str) -> str:
    return body17 + ids.check_char("uscc", body17)


def test_import_civitas_does_not_import_pyspark():
    import subprocess

    code = "import sys, civitas, civitas.deid, civitas.ids; print('pyspark' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    assert out.strip() == "False"


def test_validate_ids_gives_the_cli_reasons(spark):
    good = [uscc(f"91350100M0001{i:02d}Y4"[:17]) for i in range(20)]
    codes = good + ["91350100M000100Y4X", "123", "", "9135 0100-M000 100Y43", None] * 3
    rows = [(i, c) for i, c in enumerate(codes)]
    df = spark.createDataFrame(rows, "n long, code string").repartition(3)
    out = cs.validate_ids(df, "code", "uscc").orderBy("n").collect()
    assert [r["n"] for r in out] == list(range(len(codes)))
    for r in out:
        expect = ids.validate("uscc", "" if r["code"] is None else r["code"])
        assert r["code_valid"] is expect.valid
        assert r["code_reason"] == expect.reason
        assert (r["code_reason"] is None) == r["code_valid"]
    assert sum(r["code_valid"] for r in out) >= 20
    assert {r["code_reason"] for r in out if not r["code_valid"]} >= {"length", "checksum"}
    with pytest.raises(ValueError, match="unknown identifier kind"):
        cs.validate_ids(df, "code", "passport")
    with pytest.raises(ValueError, match="no column"):
        cs.validate_ids(df, "nope", "uscc")
    norm = cs.normalize_ids(df, "code").orderBy("n").collect()
    assert [r["code_normalized"] for r in norm] == [None if c is None else ids.normalize(c) for c in codes]


@pytest.fixture()
def workspace(tmp_path):
    key = os.urandom(32)
    path = tmp_path / "ws.db"
    Workspace.create(path, key=key).close()
    key_file = tmp_path / "ws.key"
    key_file.write_text(key.hex() + "\n")
    return str(path), str(key_file), key


def rics(n: int):
    out = []
    for i in range(n):
        body = f"110105{1950 + i % 50}{1 + i % 12:02d}{1 + i % 28:02d}{i % 1000:03d}"
        out.append(body + ids.check_char("ric", body))
    return out


def test_identity_keys_tokens_and_encryption(spark, workspace):
    path, key_file, key = workspace
    values = rics(200) + ["110105194912310021", None, "not an id"]
    df = spark.createDataFrame([(i, v) for i, v in enumerate(values)], "n long, ric string").repartition(4)
    with Workspace.open(path, key=key) as ws, AuditLog(ws) as log:
        before = log.size
        expect = ws.identity_keys("ric", ["" if v is None else v for v in values], "health")
    out = cs.identity_keys(df, "ric", "ric", "health", workspace=path, key_file=key_file)
    with Workspace.open(path, key=key) as ws, AuditLog(ws) as log:
        entries = log.query(from_index=before)
        assert [e.action for e in entries] == ["spark.identity_keys"]
        assert json.loads(entries[0].details_json)["domain"] == "health"
    got = {r["n"]: r["ric_ik"] for r in out.collect()}
    for i, v in enumerate(values):
        assert got[i] == (None if v is None else expect[i])
    assert got[0].startswith("ik1:") and got[len(values) - 1] is None

    tok = cs.tokenize(df, "ric", "health", workspace=path, key_file=key_file)
    enc = cs.encrypt(df, "ric", resource="r", workspace=path, key_file=key_file)
    dec = cs.decrypt(enc, "ric_enc", resource="r", field="ric", workspace=path, key_file=key_file)
    rows = {r["n"]: r for r in dec.collect()}
    trows = {r["n"]: r["ric_token"] for r in tok.collect()}
    with Workspace.open(path, key=key) as ws:
        for i, v in enumerate(values):
            if v is None:
                assert trows[i] is None and rows[i]["ric_enc"] is None and rows[i]["ric_enc_dec"] is None
                continue
            assert bytes(trows[i]) == ws.tokenize(v, "health")
            assert ws.detokenize(bytes(trows[i]), "health") == v.encode()
            assert rows[i]["ric_enc_dec"] == v
            assert ws.decrypt_field(bytes(rows[i]["ric_enc"]), resource="r", field="ric") == v.encode()
    with pytest.raises(FileNotFoundError):
        cs.identity_keys(df, "ric", "ric", "health", workspace=path, key_file=path + ".nokey")


# ---- de-identification: Spark equals one process ---------------------------------------------


def compare(report_spark, report_one):
    for k in ("levels", "suppressed", "classes", "measures", "search", "fields", "risk", "class_sizes",
              "privacy", "spec_sha256", "format"):
        assert report_spark[k] == report_one[k], k
    assert report_spark["input"]["rows"] == report_one["input"]["rows"]
    assert report_spark["output"]["rows"] == report_one["output"]["rows"]


def read_rows(path, delimiter=","):
    with open(path, newline="", encoding="utf-8") as f:
        return [tuple(r) for r in csv.reader(f, delimiter=delimiter)]


@pytest.mark.parametrize("privacy", [{"k": 5}, {"k": 10, "suppression_limit": 0.01},
                                     {"l": {"variant": "recursive", "l": 3, "c": 4}}])
def test_deidentify_adult_equals_one_process(spark, tmp_path, privacy):
    fields = {q: {"role": "quasi-identifier", "hierarchy": str(ADULT / f"adult_hierarchy_{q}.csv")} for q in QI}
    fields["occupation"] = {"role": "sensitive"}
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps({"fields": fields, "privacy": privacy}))
    with Workspace.create(tmp_path / "one.db", key=os.urandom(32)) as ws:  # every run is audit-logged
        one = deid.run(spec, ADULT / "adult.csv", tmp_path / "one.csv", delimiter=";", workspace=ws)
    df = spark.read.csv(str(ADULT / "adult.csv"), sep=";", header=True, inferSchema=False)
    out, report = cs.deidentify(df, str(spec))
    compare(report, one)
    expect = read_rows(tmp_path / "one.csv", ";")
    assert tuple(out.columns) == expect[0]
    got = [tuple(r) for r in out.collect()]
    assert got == expect[1:]


def generated(tmp_path, n=3000, seed=7):
    rnd = random.Random(seed)
    districts = [c for c in ("110101", "110102", "110105", "110106", "110108", "310101", "310104", "310115")
                 if ids.lookup_region(c)["known"]]
    assert len(districts) >= 4
    rows = [("name", "age", "district", "phone", "diagnosis", "note")]
    for i in range(n):
        rows.append((f"Person {i}", str(rnd.randint(18, 90)), rnd.choice(districts),
                     f"1{rnd.randint(3, 9)}{rnd.randint(0, 999999999):09d}",
                     rnd.choice(["flu", "asthma", "diabetes", "copd", "migraine", "gout"]),
                     rnd.choice(["", "a,b", "x"])))
    p = tmp_path / "gen.csv"
    with open(p, "w", newline="", encoding="utf-8") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)
    return p


@pytest.mark.parametrize("privacy", [{"k": 4, "l": 2, "suppression_limit": 0.02},
                                     {"k": 3, "t": 0.4, "measure": "discernibility"},
                                     {"k": 6, "suppression_limit": 0.05, "recoding": "local"}])
def test_deidentify_generated_table_equals_one_process(spark, tmp_path, privacy):
    data = generated(tmp_path)
    spec = {"fields": {"name": {"role": "identifier"},
                       "age": {"role": "quasi-identifier", "hierarchy": "interval:5"},
                       "district": {"role": "quasi-identifier", "hierarchy": "gb2260"},
                       "phone": {"role": "insensitive", "action": {"action": "mask", "keep_first": 3, "keep_last": 2}},
                       "diagnosis": {"role": "sensitive"}},
            "privacy": privacy}
    sp = tmp_path / "spec.json"
    sp.write_text(json.dumps(spec))
    with Workspace.create(tmp_path / "one.db", key=os.urandom(32)) as ws:  # every run is audit-logged
        one = deid.run(sp, data, tmp_path / "one.csv", workspace=ws)
    # several partitions (small splits of the file): the row index keeps the input order across them
    spark.conf.set("spark.sql.files.maxPartitionBytes", "16384")
    try:
        ordered = spark.read.csv(str(data), header=True, inferSchema=False)
        assert ordered.rdd.getNumPartitions() > 1
    finally:
        spark.conf.unset("spark.sql.files.maxPartitionBytes")
    out, report = cs.deidentify(ordered, str(sp))
    compare(report, one)
    expect = read_rows(tmp_path / "one.csv")
    assert tuple(out.columns) == expect[0]
    assert [tuple("" if v is None else v for v in r) for r in out.collect()] == expect[1:]
    assert report["suppressed"] >= 0 and report["levels"]["age"] >= 0
    # drop_suppressed removes exactly the suppressed rows
    out2, report2 = cs.deidentify(ordered, spec, drop_suppressed=True, spec_dir=str(tmp_path))
    assert out2.count() == len(expect) - 1 - report2["suppressed"]


def test_deidentify_with_a_workspace_writes_one_audit_entry(spark, tmp_path, workspace):
    path, key_file, key = workspace
    data = generated(tmp_path, n=600)
    spec = {"fields": {"name": {"role": "identifier"},
                       "age": {"role": "quasi-identifier", "hierarchy": "interval:5"},
                       "district": {"role": "quasi-identifier", "hierarchy": "gb2260"},
                       "diagnosis": {"role": "sensitive"}},
            "privacy": {"k": 4, "l": 2, "suppression_limit": 0.03}}
    sp = tmp_path / "spec.json"
    sp.write_text(json.dumps(spec))
    df = spark.read.csv(str(data), header=True, inferSchema=False)
    # the one-process run with a workspace: its deid.run entry is what the Spark entry must say
    with Workspace.open(path, key=key) as ws, AuditLog(ws) as log:
        one = deid.run(sp, data, tmp_path / "one.csv", workspace=ws)
        one_entry = log.query(action="deid.run")[-1].details
        before = log.size
    plain_out, plain = cs.deidentify(df, str(sp))
    assert plain["audit"] is None
    with Workspace.open(path, key=key) as ws, AuditLog(ws) as log:
        assert log.size == before  # nothing recorded without a workspace
    out, report = cs.deidentify(df, str(sp), workspace=path, key_file=key_file)
    assert report["audit"] == {"action": "spark.deidentify", "workspace": True}
    assert {k: v for k, v in report.items() if k != "audit"} == {k: v for k, v in plain.items() if k != "audit"}
    compare(report, one)
    with Workspace.open(path, key=key) as ws, AuditLog(ws) as log:
        entries = log.query(from_index=before)
    assert [(e.action, e.outcome) for e in entries] == [("spark.deidentify", "ok")]
    d = entries[0].details
    assert set(d) == {"spec_sha256", "input", "output", "levels", "suppressed", "risk_after"}
    for k in ("spec_sha256", "levels", "suppressed", "risk_after"):
        assert d[k] == one_entry[k], k
    assert d["input"] == {"rows": one_entry["input"]["rows"]} == {"rows": 600}
    assert d["output"] == {"rows": one_entry["output"]["rows"]}
    assert isinstance(d["risk_after"], dict) and d["risk_after"]
    assert out.count() == 600
    # a refusal is recorded with its error code; one of the two paths alone is an error
    too_strict = dict(spec, privacy={"k": 100000})
    with pytest.raises(Exception, match="no generalisation"):
        cs.deidentify(df, too_strict, workspace=path, key_file=key_file)
    with Workspace.open(path, key=key) as ws, AuditLog(ws) as log:
        last = log.query(from_index=before + 1)
    assert [(e.action, e.outcome) for e in last] == [("spark.deidentify", "invalid-data")]
    with pytest.raises(ValueError, match="both workspace and key_file"):
        cs.deidentify(df, spec, workspace=path)
    with pytest.raises(FileNotFoundError):
        cs.deidentify(df, spec, workspace=path, key_file=path + ".nokey")


def test_deidentify_refuses_what_is_one_process_only(spark, tmp_path):
    data = generated(tmp_path, n=50)
    df = spark.read.csv(str(data), header=True, inferSchema=False)
    spec = {"fields": {"age": {"role": "insensitive", "action": {"action": "microaggregate"}}}}
    with pytest.raises(Exception, match="one-process only"):
        cs.deidentify(df, spec)
    spec = {"fields": {"missing": {"role": "quasi-identifier", "hierarchy": "interval:5"}}}
    with pytest.raises(Exception, match="does not have"):
        cs.deidentify(df, spec)
    spec = {"fields": {"age": {"role": "quasi-identifier", "hierarchy": "interval:5"}}, "privacy": {"k": 100000}}
    with pytest.raises(Exception, match="no generalisation"):
        cs.deidentify(df, spec)


# ---- schema validation and classification ------------------------------------------------------

SCHEMA = {"fields": [{"name": "id", "type": "integer", "constraints": {"required": True, "unique": True}},
                     {"name": "code", "type": "string", "civitas:identifier": "uscc"},
                     {"name": "n", "type": "number", "constraints": {"minimum": 0}},
                     {"name": "day", "type": "date"},
                     {"name": "a", "type": "string"}, {"name": "b", "type": "string"}],
          "primaryKey": ["a", "b"], "uniqueKeys": [["code", "day"]]}


def broken_table(path, n=400, seed=3):
    rnd = random.Random(seed)
    rows = [("id", "code", "n", "day", "a", "b")]
    for i in range(n):
        r = [str(i), uscc(f"91350100M{i:07d}Y"[:17]), str(rnd.randint(0, 99)), f"2024-0{1 + i % 9}-1{i % 10}",
             f"a{i}", f"b{i % 7}"]
        if i % 37 == 5:
            r[0] = "x"                                  # type error
        if i % 41 == 7:
            r[0] = str(i - 3)                           # unique error on id
        if i % 43 == 9:
            r[1] = r[1][:-1] + ("0" if r[1][-1] != "0" else "1")  # bad check character
        if i % 47 == 11:
            r[2] = "-5"                                 # constraint error
        if i % 53 == 13:
            r[4], r[5] = f"a{i - 1}", f"b{(i - 1) % 7}"  # primary key duplicate
        if i % 59 == 17:
            r[4], r[5] = "", ""                         # primary key all missing
        if i % 61 == 19:
            r[1], r[3] = rows[-1][1], rows[-1][3]       # unique key (code, day) duplicate
        rows.append(tuple(r))
    with open(path, "w", newline="", encoding="utf-8") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)


def test_validate_schema_gives_the_cli_report(spark, tmp_path):
    from civitas import schema

    data = tmp_path / "t.csv"
    broken_table(data)
    one = schema.validate(data, SCHEMA, limit_errors=0)
    spark.conf.set("spark.sql.files.maxPartitionBytes", "4096")  # several partitions
    try:
        df = spark.read.csv(str(data), header=True, inferSchema=False)
        assert df.rdd.getNumPartitions() > 1
        df = cs.with_row_numbers(df)
    finally:
        spark.conf.unset("spark.sql.files.maxPartitionBytes")
    rep = cs.validate_schema(df, SCHEMA, row_number="row_number", name=one["tasks"][0]["name"],
                             place=one["tasks"][0]["place"], limit_errors=0)
    t1, t2 = one["tasks"][0], rep["tasks"][0]
    assert {e["type"] for e in t1["errors"]} >= {"type-error", "unique-error", "constraint-error", "primary-key"}
    assert t2["errors"] == t1["errors"]
    assert (rep["valid"], t2["valid"], t2["stats"]["rows"], t2["labels"]) == (one["valid"], t1["valid"],
                                                                             t1["stats"]["rows"], t1["labels"])
    # the error limit cuts as the CLI does
    cut = cs.validate_schema(df, SCHEMA, row_number="row_number", limit_errors=5)
    assert cut["tasks"][0]["errors"] == t1["errors"][:5] and cut["tasks"][0]["partial"] is True
    # row numbers taken when not given: the same errors
    again = cs.validate_schema(spark.read.csv(str(data), header=True), SCHEMA, limit_errors=0,
                               name=t1["name"], place=t1["place"])
    assert again["tasks"][0]["errors"] == t1["errors"]


def test_classify_columns_as_the_cli(spark, tmp_path):
    from civitas import classify

    data = tmp_path / "t.csv"
    broken_table(data, n=150)
    with open(data, encoding="utf-8") as f:
        rows = list(csv.reader(f))
    rows[0].append("ric")
    for i, r in enumerate(rows[1:]):
        r.append(rics(150)[i])
    with open(data, "w", newline="", encoding="utf-8") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)
    df = spark.read.csv(str(data), header=True).repartition(3)
    got = cs.classify_columns(df)
    one = classify.scan_file(data, encoding="utf-8", full=True).to_json()
    assert got["columns"] == one["columns"] and got["level"] == one["level"]
    assert got["sampled"] == got["rows"] == 150
    types = {c["name"]: c["type"] for c in got["columns"]}
    assert types["ric"] == "ric" and types["code"] == "uscc"
    small = cs.classify_columns(df, sample_rows=60, seed=1)
    assert 0 < small["sampled"] <= 60 and small["rows"] == 150
    assert {c["name"]: c["type"] for c in small["columns"]}["ric"] == "ric"
