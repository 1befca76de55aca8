#!/usr/bin/env bash
# The `civitas risk` CLI contract (docs/deid-risk.md): output, --json keys and values, exit
# codes, --qi as one comma-separated value, --delimiter/--encoding/--threshold, and the --html
# page rendered by headless Chromium (not blank; hostile column names stay text).
set -uo pipefail
civ=$1
here=$(cd "$(dirname "$0")" && pwd)
fail=0
check() {  # description, expected, actual
  if [ "$2" != "$3" ]; then
    echo "FAIL: $1"; echo "  expected: $(printf %q "$2")"; echo "  actual:   $(printf %q "$3")"; fail=1
  fi
}
py=python3
t=$(mktemp -d /tmp/civitas-risk-XXXXXX)
trap 'rm -rf "$t"' EXIT

printf 'name,age,zip,sex\nA,30,100,m\nB,30,100,f\nC,40,100,m\nD,40,200,m\nE,40,200,m\n' > "$t/p.csv"

out=$("$civ" risk "$t/p.csv" --qi age,zip); rc=$?
check "text output exits 0" 0 $rc
case "$out" in *"records	5"*"classes	3"*"sample uniques	1"*"prosecutor risk	highest 100.00%, average 60.00%, 5 records at risk"*) ;;
  *) check "text output" "records/classes/uniques/prosecutor lines" "$out";; esac

"$civ" risk "$t/p.csv" --qi age,zip --json --threshold 0.5 > "$t/r.json"; rc=$?
check "--json exits 0" 0 $rc
got=$($py - "$t/r.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
k = r["risk"]
print(r["format"], r["qi"], r["classes"], r["class_sizes"], k["records"], k["sample_uniques"],
      k["prosecutor"]["max"], k["prosecutor"]["average"], k["prosecutor"]["records_at_risk"],
      k["prosecutor"]["threshold"], k["journalist"]["max"], k["marketer"]["average"],
      k["population_uniques"]["model"], k["population_uniques"]["sampling_fraction"])
PY
)
# threshold 0.5: classes of size 2 have risk 0.5 (not above), the unique one is at risk.
check "--json values" "civitas-risk/1 ['age', 'zip'] 3 [[1, 1], [2, 2]] 5 1 1.0 0.6 1 0.5 1.0 0.6 pitman 0.01" "$got"

printf 'a;b\n1;x\n1;x\n2;y\n' > "$t/semi.csv"
got=$("$civ" risk "$t/semi.csv" --qi a,b --delimiter ';' --json | $py -c 'import json,sys; print(json.load(sys.stdin)["class_sizes"])')
check "--delimiter" "[[1, 1], [2, 1]]" "$got"
printf '\xd0\xd5\xc3\xfb,age\n\xd5\xc5,1\n\xc0\xee,1\n' > "$t/gbk.csv"   # 姓名 in GBK
got=$("$civ" risk "$t/gbk.csv" --qi 姓名,age --encoding gbk --json | $py -c 'import json,sys; print(json.load(sys.stdin)["risk"]["sample_uniques"])')
check "--encoding gbk finds a Chinese column name" "2" "$got"
got=$("$civ" risk "$t/p.csv" --qi age --population 50 --json | $py -c 'import json,sys; p=json.load(sys.stdin)["risk"]["population_uniques"]; print(p["population_size"], p["sampling_fraction"])')
check "--population sets the sampling fraction" "50.0 0.1" "$got"

"$civ" risk "$t/p.csv" --qi age,nope >/dev/null 2>"$t/err"; check "unknown column exits 1" 1 $?
case "$(cat "$t/err")" in *'no column "nope"'*) ;; *) check "unknown column message" 'no column "nope"' "$(cat "$t/err")";; esac
"$civ" risk "$t/missing.csv" --qi age >/dev/null 2>&1; check "unreadable file exits 2" 2 $?
"$civ" risk "$t/p.csv" --qi age --qi zip >/dev/null 2>&1; check "--qi given twice is a usage error" 2 $?
"$civ" risk "$t/p.csv" --qi age,,zip >/dev/null 2>&1; check "empty column name is a usage error" 2 $?
"$civ" risk "$t/p.csv" >/dev/null 2>&1; check "missing --qi is a usage error" 2 $?
"$civ" risk "$t/p.csv" --qi age --threshold 2 >/dev/null 2>&1; check "threshold above 1 is a usage error" 2 $?
"$civ" risk "$t/p.csv" --qi age --delimiter ';;' >/dev/null 2>&1; check "two-character delimiter is a usage error" 2 $?
"$civ" risk "$t/p.csv" --qi age --model zayatz >/dev/null 2>&1; check "unknown model is a usage error" 2 $?
printf 'a,b\n\xff\xfe,1\n' > "$t/bad.csv"
"$civ" risk "$t/bad.csv" --qi a >/dev/null 2>&1; check "a CSV that is not UTF-8 exits 1" 1 $?
: > "$t/empty.csv"
"$civ" risk "$t/empty.csv" --qi a >/dev/null 2>&1; check "empty file: no such column, exits 1" 1 $?
"$civ" risk --help >/dev/null; check "--help exits 0" 0 $?

# HTML: hostile column names stay text; the page renders in headless Chromium and is not blank.
printf '%s\n' '"<script>document.title=1</script>","<img src=x onerror=alert(1)>",z' 1,2,3 1,2,4 5,6,7 > "$t/h.csv"
"$civ" risk "$t/h.csv" --qi '<script>document.title=1</script>,<img src=x onerror=alert(1)>' --html "$t/h.html" >/dev/null
check "--html exits 0" 0 $?
if grep -q '<script\|<img' "$t/h.html"; then check "no tag from column names in the HTML" "none" "$(grep -o '<script[^>]*>\|<img[^>]*>' "$t/h.html")"; fi
if command -v chromium >/dev/null 2>&1; then
  chromium --headless --no-sandbox --disable-gpu --user-data-dir="$t/chrome" --dump-dom "file://$t/h.html" > "$t/dom.html" 2>/dev/null
  n=$(grep -c '&lt;script&gt;document.title=1' "$t/dom.html")
  [ "$n" -ge 1 ] || check "the hostile name shows as text in the DOM" ">=1" "$n"
  if grep -q '<script\|<img' "$t/dom.html"; then check "no script or img element in Chromium's DOM" "none" "found"; fi
  chromium --headless --no-sandbox --disable-gpu --user-data-dir="$t/chrome" --screenshot="$t/h.png" \
    --window-size=1200,1600 "file://$t/h.html" >/dev/null 2>&1
  $py "$here/../deid/png_not_blank.py" "$t/h.png"; check "the screenshot is not blank" 0 $?
else
  echo "SKIP: chromium is not installed (Debian package chromium): the HTML page was not rendered"
fi

exit $fail
