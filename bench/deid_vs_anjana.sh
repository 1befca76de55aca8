#!/usr/bin/env bash
# Whole-process comparison on ARX's Adult (tests/data/adult), k = 5: `civitas deid run`
# without suppression and with a 1 % limit, against ANJANA (PyPI anjana, greedy) on the same
# data and hierarchies; hyperfine when installed, else /usr/bin/time. Peak memory with
# /usr/bin/time -f %M; `perf stat -r 20` (CPU time, the honest figure on a shared machine) when
# perf is installed. Every run is audit-logged: the script makes a workspace with a raw key
# file first (no Argon2), so each timed run includes opening it and committing its deid.run
# entry. Figures: docs/benchmarks.md, "De-identification (issue 14)".
#   bench/deid_vs_anjana.sh [CIVITAS_BINARY] [PYTHON]
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
civ=${1:-$src/build/bin/civitas}
py=${2:-$src/.venv/bin/python}
adult=$src/tests/data/adult
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fields=""
for q in age education marital-status native-country race salary-class sex workclass; do
  fields="$fields\"$q\": {\"role\": \"quasi-identifier\", \"hierarchy\": \"$adult/adult_hierarchy_$q.csv\"},"
done
head -c 32 /dev/urandom > "$tmp/w.key"
"$civ" init -w "$tmp/w.db" --key-file "$tmp/w.key" --department 91110000100000016D > /dev/null
ws="-w $tmp/w.db --key-file $tmp/w.key"
echo "{\"fields\": {$fields \"occupation\": {\"role\": \"sensitive\"}}, \"privacy\": {\"k\": 5}}" > "$tmp/k5.json"
echo "{\"fields\": {$fields \"occupation\": {\"role\": \"sensitive\"}}, \"privacy\": {\"k\": 5, \"suppression_limit\": 0.01}}" > "$tmp/k5s.json"
run_civ() { "$civ" deid run $ws --spec "$tmp/$1.json" "$adult/adult.csv" -o "$tmp/$1.csv" --delimiter ';' --report "$tmp/$1.rep"; }
run_civ k5; run_civ k5s
for s in k5 k5s; do
  "$py" -c "import json,sys; r=json.load(open('$tmp/$s.rep')); print('civitas $s: levels', list(r['levels'].values()), 'entropy %.4f' % r['measures']['entropy'], 'suppressed', r['suppressed'], 'checks', r['search']['checks'])"
  /usr/bin/time -f "civitas $s: %e s elapsed, %U s user, peak %M KB" "$civ" deid run $ws --spec "$tmp/$s.json" "$adult/adult.csv" -o "$tmp/$s.csv" --delimiter ';' --report "$tmp/$s.rep"
done
/usr/bin/time -f "anjana k=5: %e s elapsed, %U s user, peak %M KB" "$py" "$src/bench/deid_vs_anjana.py" "$adult" 5 0
if command -v hyperfine >/dev/null; then
  hyperfine -N -w 3 -r 20 \
    "$civ deid run $ws --spec $tmp/k5.json $adult/adult.csv -o $tmp/k5.csv --delimiter ; --report $tmp/k5.rep" \
    "$civ deid run $ws --spec $tmp/k5s.json $adult/adult.csv -o $tmp/k5s.csv --delimiter ; --report $tmp/k5s.rep"
  hyperfine -N -w 1 -r 3 "$py $src/bench/deid_vs_anjana.py $adult 5 0"
fi
if command -v perf >/dev/null; then
  for s in k5 k5s; do
    echo "perf stat -r 20, civitas $s (load average: $(cut -d' ' -f1-3 /proc/loadavg)):"
    perf stat -r 20 -e task-clock "$civ" deid run $ws --spec "$tmp/$s.json" "$adult/adult.csv" -o "$tmp/$s.csv" \
      --delimiter ';' --report "$tmp/$s.rep" 2>&1 >/dev/null | grep -E "task-clock|elapsed"
  done
fi
