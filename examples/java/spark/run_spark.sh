#!/bin/sh
# CTest example.java.spark: compiles CivitasSparkJob.java against PySpark's jars and the
# civitas jar, runs it with PySpark's spark-submit in local[2] on 500 generated resident IDs,
# and checks its output against the Python binding (the same identity keys and reason codes)
# and the driver's one audit entry. Skips (exit 77) without pyspark.
#   run_spark.sh CIVITAS_JAR PYTHON PYTHONPATH SOURCE_DIR WORK_DIR
set -eu
jar=$1 python=$2 pythonpath=$3 src=$4 work=$5
sparkhome=$("$python" -c 'import os, pyspark; print(os.path.dirname(pyspark.__file__))' 2>/dev/null) || {
  echo "pyspark is not installed (scripts/install-deps): skipped"; exit 77; }
rm -rf "$work" && mkdir -p "$work/classes"
javac --release 17 -encoding UTF-8 -cp "$sparkhome/jars/*:$jar" -d "$work/classes" \
  "$src/src/main/java/com/example/spark/CivitasSparkJob.java" 2>&1 | grep -v "bad path element" || true
test -f "$work/classes/com/example/spark/CivitasSparkJob.class"
(cd "$work/classes" && jar cf ../job.jar .)
cd "$work"
PYTHONPATH=$pythonpath "$python" - <<'PY'
import os
from civitas import ids
from civitas.workspace import Workspace
k = os.urandom(32)
Workspace.create("ws.db", key=k).close()
open("ws.key", "w").write(k.hex() + "\n")
rows = ["name,ric"]
for i in range(500):
    b = f"110105{1950 + i % 50}{1 + i % 12:02d}{1 + i % 28:02d}{i % 1000:03d}"
    c = b + ids.check_char("ric", b)
    if i % 10 == 0:
        c = c[:-1] + ("0" if c[-1] != "0" else "1")
    rows.append(f"p{i},{c}")
open("in.csv", "w").write("\n".join(rows) + "\n")
PY
SPARK_HOME=$sparkhome "$sparkhome/bin/spark-submit" --master 'local[2]' --conf spark.ui.enabled=false \
  --jars "$jar" --class com.example.spark.CivitasSparkJob job.jar in.csv ric ric health ws.db ws.key out \
  > job.out 2> job.err || { tail -40 job.err; exit 1; }
cat job.out
grep -q "^rows 500, valid 450, invalid 50$" job.out
PYTHONPATH=$pythonpath "$python" - <<'PY'
import csv, glob
from civitas import ids
from civitas.audit import AuditLog
from civitas.workspace import Workspace
key = bytes.fromhex(open("ws.key").read().strip())
rows = [r for f in sorted(glob.glob("out/part-*.csv")) for r in csv.DictReader(open(f))]
assert len(rows) == 500
with Workspace.open("ws.db", key=key) as ws, AuditLog(ws) as log:
    expect = ws.identity_keys("ric", [r["ric"] for r in rows], "health")
    assert [e.action for e in log.query()] == ["workspace.create", "spark.identity_keys"]
reasons = ids.reasons_many("ric", [r["ric"] for r in rows])
for r, ik, why in zip(rows, expect, reasons):
    assert r["ric_ik"] == (ik or ""), r
    assert r["ric_reason"] == (why or "") and r["ric_valid"] == ("true" if why is None else "false"), r
print("output checked against the Python binding: 500 rows")
PY
