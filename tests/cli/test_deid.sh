#!/usr/bin/env bash
# The `civitas deid run` CLI contract: exit codes (0 written, 1 the model cannot be met or a
# value breaks a hierarchy, 2 usage/spec/I-O), output in input order with suppressed records
# in place, the JSON report (docs/formats/deid-report.md), no partial output on error; every
# run audit-logged in the workspace ("deid.run", refusals included), none without one.
set -uo pipefail
civ=$1
adult="$(cd "$(dirname "$0")/../data/adult" && pwd)"
fail=0
check() {  # description, expected, actual
  if [ "$2" != "$3" ]; then
    echo "FAIL: $1"; echo "  expected: $(printf %q "$2")"; echo "  actual:   $(printf %q "$3")"; fail=1
  fi
}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
py=python3

# Every run is audit-logged: the workspace comes from CIVITAS_WORKSPACE and CIVITAS_KEY here
# (the standard workspace options).
printf 'aa%.0s' $(seq 32) > "$tmp/w.key"
"$civ" init -w "$tmp/w.db" --key-file "$tmp/w.key" --department 91110000100000016D >/dev/null; check "init" 0 $?
export CIVITAS_WORKSPACE="$tmp/w.db" CIVITAS_KEY="$(cat "$tmp/w.key")"
entries() {  # the deid.run entries as JSON lines
  "$civ" audit log --action deid.run --json 2>/dev/null
}

# Adult, k = 5: ARX's optimum.
qi='"age","education","marital-status","native-country","race","salary-class","sex","workclass"'
fields=""
for q in age education marital-status native-country race salary-class sex workclass; do
  fields="$fields\"$q\": {\"role\": \"quasi-identifier\", \"hierarchy\": \"$adult/adult_hierarchy_$q.csv\"},"
done
echo "{\"fields\": {$fields \"occupation\": {\"role\": \"sensitive\"}}, \"privacy\": {\"k\": 5}}" > "$tmp/k5.json"
"$civ" deid run --spec "$tmp/k5.json" "$adult/adult.csv" -o "$tmp/out.csv" --delimiter ';' --report "$tmp/r.json"; rc=$?
check "k=5 exits 0" 0 $rc
check "k=5 levels (ARX)" "1,3,1,2,1,1,1,2" "$($py -c "import json;r=json.load(open('$tmp/r.json'));print(','.join(str(r['levels'][q]) for q in [$qi]))")"
check "k=5 loss (ARX)" "324620.5270" "$($py -c "import json;print('%.4f'%json.load(open('$tmp/r.json'))['measures']['entropy'])")"
check "report format" "civitas-deid-report/1 30162 30162 30 0" "$($py -c "import json;r=json.load(open('$tmp/r.json'));print(r['format'],r['input']['rows'],r['output']['rows'],r['classes'],r['suppressed'])")"
check "output sha256 in the report" "$(sha256sum "$tmp/out.csv" | cut -d' ' -f1)" "$($py -c "import json;print(json.load(open('$tmp/r.json'))['output']['sha256'])")"
check "input sha256 in the report" "$(sha256sum "$adult/adult.csv" | cut -d' ' -f1)" "$($py -c "import json;print(json.load(open('$tmp/r.json'))['input']['sha256'])")"
check "header kept in input order" "$(head -1 "$adult/adult.csv" | tr -d "\r")" "$(head -1 "$tmp/out.csv")"
check "rows in input order (sensitive column unchanged)" "$(tr -d "\r" < "$adult/adult.csv" | cut -d';' -f8 | md5sum)" "$(cut -d';' -f8 "$tmp/out.csv" | md5sum)"
check "age generalised to level 1" "*;35-39;*" "$(sed -n 2p "$tmp/out.csv" | cut -d';' -f1-3)"
check "report names its audit entry" "deid.run True" "$($py -c "import json;a=json.load(open('$tmp/r.json'))['audit'];print(a['action'],a['workspace'])")"
# A plain run (no keyed action) writes exactly one deid.run entry: spec, input and output
# hashes, the risk after.
entries > "$tmp/e.jsonl"
check "one deid.run entry" 1 "$(wc -l < "$tmp/e.jsonl")"
check "the entry: ok, spec/input/output hashes, risk after" \
  "ok $(sha256sum "$tmp/k5.json" | cut -d' ' -f1) $(sha256sum "$adult/adult.csv" | cut -d' ' -f1) $(sha256sum "$tmp/out.csv" | cut -d' ' -f1) 30162" \
  "$($py -c "import json;e=json.loads(open('$tmp/e.jsonl').readline());d=e['details'];d=json.loads(d) if isinstance(d,str) else d;print(e['outcome'],d['spec_sha256'],d['input']['sha256'],d['output']['sha256'],d['risk_after']['records'])")"

# Suppression: 1 %, suppressed records stay in place with every QI '*'; --drop-suppressed.
sed 's/"k": 5}/"k": 5, "suppression_limit": 0.01}/' "$tmp/k5.json" > "$tmp/k5s.json"
"$civ" deid run --spec "$tmp/k5s.json" "$adult/adult.csv" -o "$tmp/s.csv" --delimiter ';' --report "$tmp/s.json"; rc=$?
check "1 % exits 0" 0 $rc
sup=$($py -c "import json;print(json.load(open('$tmp/s.json'))['suppressed'])")
check "at most 1 % suppressed" 1 $(( sup > 0 && sup <= 301 ))
check "suppressed rows stay, QIs '*'" "$sup" "$(awk -F';' 'NR>1 && $1=="*" && $2=="*" && $3=="*" && $4=="*" && $5=="*" && $6=="*" && $7=="*" && $9=="*"' "$tmp/s.csv" | wc -l)"
check "all rows written" 30163 "$(wc -l < "$tmp/s.csv")"
"$civ" deid run --spec "$tmp/k5s.json" "$adult/adult.csv" -o "$tmp/d.csv" --delimiter ';' --drop-suppressed --report "$tmp/d.json"; rc=$?
check "--drop-suppressed exits 0" 0 $rc
check "--drop-suppressed leaves them out" $((30163 - sup)) "$(wc -l < "$tmp/d.csv")"

# Identifiers are removed; unnamed fields kept; small CSV with a comma delimiter.
cat > "$tmp/p.csv" <<'CSV'
name,age,zip,note
Ann,34,"100,01",a
Bob,35,10002,b
Cid,36,10003,c
Dan,37,10004,d
CSV
printf '34;30-34;*\n35;35-39;*\n36;35-39;*\n37;35-39;*\n' > "$tmp/age.csv"
cat > "$tmp/p.json" <<'J'
{"fields": {"name": {"role": "identifier"}, "age": {"role": "quasi-identifier", "hierarchy": "age.csv"}},
 "privacy": {"k": 2}}
J
"$civ" deid run --spec "$tmp/p.json" "$tmp/p.csv" -o "$tmp/p.out" > "$tmp/p.rep"; rc=$?
check "small run exits 0" 0 $rc
check "identifier dropped, unnamed kept, quoting kept" $'age,zip,note\n*,"100,01",a\n*,10002,b\n*,10003,c\n*,10004,d' "$(cat "$tmp/p.out")"
check "report on stdout" "2" "$($py -c "import json;print(json.load(open('$tmp/p.rep'))['levels']['age'])")"

# Errors: exit codes and no output.
echo '{"fields": {"age": {"role": "quasi-identifier", "hierarchy": "age.csv"}}, "privacy": {"l": {"variant": "sideways", "l": 2}}}' > "$tmp/bad.json"
err=$("$civ" deid run --spec "$tmp/bad.json" "$tmp/p.csv" -o "$tmp/x.csv" 2>&1 >/dev/null); rc=$?
check "bad spec exits 2" 2 $rc
check "bad spec names the JSON path" 1 $([[ "$err" == *'$.privacy.l.variant'* ]] && echo 1 || echo 0)
check "no output on error" 0 $([ -e "$tmp/x.csv" ] && echo 1 || echo 0)
printf '34;30-34;*\n35;35-39;*\n' > "$tmp/age.csv"
err=$("$civ" deid run --spec "$tmp/p.json" "$tmp/p.csv" -o "$tmp/x.csv" 2>&1 >/dev/null); rc=$?
check "value missing from a hierarchy exits 1" 1 $rc
check "the message names the value" 1 $([[ "$err" == *'"36"'* ]] && echo 1 || echo 0)
printf '34;30-34;*\n35;35-39;*\n36;35-39;*\n37;35-39;*\n' > "$tmp/age.csv"
echo '{"fields": {"age": {"role": "quasi-identifier", "hierarchy": "age.csv"}}, "privacy": {"k": 5}}' > "$tmp/k.json"
before=$(entries | wc -l)
"$civ" deid run --spec "$tmp/k.json" "$tmp/p.csv" -o "$tmp/x.csv" 2>/dev/null; rc=$?
check "unsatisfiable model exits 1" 1 $rc
check "no output when unsatisfiable" 0 $([ -e "$tmp/x.csv" ] && echo 1 || echo 0)
check "the refusal is audited" "$((before + 1)) invalid-data" "$(entries | wc -l) $(entries | tail -1 | $py -c "import json,sys;print(json.loads(sys.stdin.read())['outcome'])")"
printf 'name,age\nA\xff,34\n' > "$tmp/latin.csv"
err=$("$civ" deid run --spec "$tmp/p.json" "$tmp/latin.csv" -o "$tmp/x.csv" 2>&1 >/dev/null); rc=$?
check "undecodable byte exits 2" 2 $rc
check "undecodable byte message" 1 $([[ "$err" == *"not UTF-8"* ]] && echo 1 || echo 0)
"$civ" deid run --spec "$tmp/p.json" /nonexistent.csv -o "$tmp/x.csv" 2>/dev/null; rc=$?
check "unreadable input exits 2" 2 $rc
"$civ" deid run "$tmp/p.csv" -o "$tmp/x.csv" 2>/dev/null; rc=$?
check "missing --spec exits 2" 2 $rc

# No workspace (none named, none in CIVITAS_WORKSPACE, no ./civitas.db), or a wrong key:
# exit 2, nothing run, no output.
mkdir "$tmp/empty"
n0=$(entries | wc -l)
err=$(cd "$tmp/empty" && env -u CIVITAS_WORKSPACE "$civ" deid run --spec "$tmp/p.json" "$tmp/p.csv" -o "$tmp/nw.csv" 2>&1 >/dev/null); rc=$?
check "no workspace exits 2" 2 $rc
check "no workspace: no output" 0 $([ -e "$tmp/nw.csv" ] && echo 1 || echo 0)
check "no workspace: none created" 0 $([ -e "$tmp/empty/civitas.db" ] && echo 1 || echo 0)
check "no workspace: the message says so" "civitas: error: no workspace at civitas.db" "$err"
err=$(cd "$tmp/empty" && env -u CIVITAS_WORKSPACE -u CIVITAS_KEY "$civ" deid run --spec "$tmp/p.json" "$tmp/p.csv" -o "$tmp/nw.csv" 2>&1 >/dev/null); rc=$?
check "no workspace and no key exits 2" 2 $rc
check "no key: the message says so" 1 $([[ "$err" == *"no master key"* ]] && echo 1 || echo 0)
env -u CIVITAS_KEY "$civ" deid run --spec "$tmp/p.json" "$tmp/p.csv" -o "$tmp/nw.csv" 2>/dev/null; rc=$?
check "no key exits 2" 2 $rc
printf 'bb%.0s' $(seq 32) > "$tmp/wrong.key"
env -u CIVITAS_KEY "$civ" deid run --key-file "$tmp/wrong.key" --spec "$tmp/p.json" "$tmp/p.csv" -o "$tmp/nw.csv" 2>/dev/null; rc=$?
check "wrong key exits 2" 2 $rc
check "wrong key: no output" 0 $([ -e "$tmp/nw.csv" ] && echo 1 || echo 0)
check "nothing logged without the workspace" "$n0" "$(entries | wc -l)"

# Keyed actions (pseudonymize, tokenize) use the workspace's keys; -w and --key-file name it.
cat > "$tmp/kp.csv" <<'CSV'
ric,age,zip
11010519491231002X,34,10001
11010519491231002X,35,10002
440524188001010014,36,10003
440524188001010014,37,10004
CSV
cat > "$tmp/kp.json" <<'J'
{"fields": {"ric": {"role": "identifier", "action": {"action": "pseudonymize", "type": "ric"}},
            "zip": {"role": "insensitive", "action": "tokenize"},
            "age": {"role": "quasi-identifier", "hierarchy": "age.csv"}},
 "privacy": {"k": 2}}
J
(cd "$tmp/empty" && env -u CIVITAS_WORKSPACE -u CIVITAS_KEY "$civ" deid run --spec "$tmp/kp.json" "$tmp/kp.csv" -o "$tmp/kp.out" 2>/dev/null); rc=$?
check "keyed actions without a workspace exit 2" 2 $rc
check "no output without keys" 0 $([ -e "$tmp/kp.out" ] && echo 1 || echo 0)
env -u CIVITAS_WORKSPACE -u CIVITAS_KEY "$civ" deid run -w "$tmp/w.db" --key-file "$tmp/w.key" --spec "$tmp/kp.json" "$tmp/kp.csv" -o "$tmp/kp.out" \
  --report "$tmp/kp.rep" --html "$tmp/kp.html"; rc=$?
check "keyed run exits 0" 0 $rc
check "pseudonyms: same person, same pseudonym" 1 "$(cut -d, -f1 "$tmp/kp.out" | sed -n '2p;3p' | sort -u | wc -l)"
check "pseudonyms differ between persons" 2 "$(cut -d, -f1 "$tmp/kp.out" | sed -n '2,5p' | sort -u | wc -l)"
check "identifier value gone" 0 "$(grep -c 11010519491231002X "$tmp/kp.out")"
check "tokens replace zip" 0 "$(grep -c 10001 "$tmp/kp.out")"
check "report carries risk after" 1 "$($py -c "import json;r=json.load(open('$tmp/kp.rep'));print(int('after' in r['risk'] and r['audit']['action']=='deid.run'))")"
check "html written" 1 "$(grep -c -i '<html' "$tmp/kp.html" | awk '{print ($1>0)}')"
n=$("$civ" audit log -w "$tmp/w.db" --key-file "$tmp/w.key" --action deid.run --json 2>/dev/null | grep -c "$(sha256sum "$tmp/kp.out" | cut -d' ' -f1)")
check "the run is audit-logged with the output hash" 1 "$n"
n=$("$civ" audit log -w "$tmp/w.db" --key-file "$tmp/w.key" --action deid.run --json 2>/dev/null | grep -c "$(sha256sum "$tmp/kp.json" | cut -d' ' -f1)")
check "the entry names the spec hash" 1 "$n"

# --encoding: GBK input decoded (output UTF-8); without it, the GBK bytes are an error.
if command -v iconv >/dev/null; then
  printf 'name,age,city\n王芳,34,北京\n李娜,35,上海\n' | iconv -f utf-8 -t gbk > "$tmp/gbk.csv"
  printf '34;30-39;*\n35;30-39;*\n' > "$tmp/age2.csv"
  echo '{"fields": {"name": {"role": "identifier"}, "age": {"role": "quasi-identifier", "hierarchy": "age2.csv"}}, "privacy": {"k": 2}}' > "$tmp/g.json"
  "$civ" deid run --spec "$tmp/g.json" "$tmp/gbk.csv" -o "$tmp/g.out" --encoding gbk > /dev/null; rc=$?
  check "gbk input exits 0" 0 $rc
  check "gbk input decoded" $'age,city\n30-39,北京\n30-39,上海' "$(cat "$tmp/g.out")"
fi

exit $fail
