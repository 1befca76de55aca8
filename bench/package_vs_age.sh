#!/usr/bin/env bash
# Whole-process comparison: civitas exchange packages vs `zstd | age` vs `gpg --sign --encrypt`
# on the same CSV in the same run. Reports wall time, MB/s (of the CSV), CPU time (user+sys,
# summed over a pipeline's processes and a process's threads; best of RUNS) and peak RSS.
#
#   bench/package_vs_age.sh [CIVITAS_BINARY] [SIZE_MIB]     (defaults: build/bin/civitas, 1024)
#
# Environment: RUNS (timed runs per command, default 3: best wall time, largest RSS), WORK (scratch directory, default a mktemp dir, removed at the end unless
# KEEP=1), THREADS (civitas --threads, default 1), BASELINE (a second civitas binary whose
# `package open` is timed on the same package too). Needs age, age-keygen, zstd, gpg and
# /usr/bin/time. No network: gpg runs with GNUPGHOME in the scratch directory, batch mode.
#
# Peak memory of a shell pipeline is the largest single process (GNU time reports the
# maximum RSS over the children), not the sum over the pipeline.
set -euo pipefail

CIVITAS=${1:-build/bin/civitas}
SIZE_MIB=${2:-1024}
THREADS=${THREADS:-1}
CIVITAS=$(realpath "$CIVITAS")
for t in age age-keygen zstd gpg /usr/bin/time python3; do
  command -v "$t" >/dev/null || { echo "missing tool: $t" >&2; exit 2; }
done

WORK=${WORK:-$(mktemp -d /tmp/civitas-bench-package.XXXXXX)}
mkdir -p "$WORK"
cleanup() { [ "${KEEP:-0}" = 1 ] || rm -rf "$WORK"; }
trap cleanup EXIT
cd "$WORK"

# ---- input: a CSV of SIZE_MIB MiB (deterministic) ---------------------------------------
CSV=$WORK/data.csv
python3 - "$CSV" "$SIZE_MIB" <<'EOF'
import sys, random
path, mib = sys.argv[1], int(sys.argv[2])
target = mib << 20
rnd = random.Random(42)
names = ["张三", "李四", "王五", "赵六", "钱七", "孙八", "周九", "吴十", "Zheng Yi", "Wang Er"]
districts = ["110101", "110102", "110105", "110106", "310101", "310104", "440103", "440104"]
with open(path, "w", encoding="utf-8", newline="") as f:
    f.write("id,department,name,district,amount,date,status\n")
    written, i, rows = 0, 0, []
    while written < target:
        for _ in range(10000):
            i += 1
            rows.append(f"{i},9111{rnd.randrange(10**13, 10**14)},{rnd.choice(names)},{rnd.choice(districts)},"
                        f"{rnd.randrange(0, 10**7) / 100:.2f},2026-{rnd.randrange(1, 13):02d}-{rnd.randrange(1, 29):02d},"
                        f"{rnd.choice(('active', 'closed', 'pending'))}\n")
        chunk = "".join(rows); rows.clear()
        b = chunk.encode()
        if written + len(b) > target:
            b = b[: target - written]
            b = b[: b.rfind(b"\n") + 1] or b
        f.buffer.write(b) if hasattr(f, "buffer") else f.write(b.decode())
        written += len(b)
        if len(b) == 0:
            break
EOF
BYTES=$(stat -c %s "$CSV")

# ---- keys ---------------------------------------------------------------------------------
PROV=91110000100000016D
CONS=911100001000000248
head -c 32 /dev/urandom > prov.key
head -c 32 /dev/urandom > cons.key
"$CIVITAS" init -w prov.db --key-file prov.key --department $PROV --name provider >/dev/null
"$CIVITAS" init -w cons.db --key-file cons.key --department $CONS --name consumer >/dev/null
"$CIVITAS" keys export-public -w prov.db --key-file prov.key -o prov.pub.json
"$CIVITAS" keys export-public -w cons.db --key-file cons.key -o cons.pub.json
"$CIVITAS" keys import-public -w prov.db --key-file prov.key cons.pub.json >/dev/null
"$CIVITAS" keys import-public -w cons.db --key-file cons.key prov.pub.json >/dev/null

age-keygen -o age.key 2>/dev/null
AGE_PUB=$(age-keygen -y age.key)

export GNUPGHOME=$WORK/gnupg
mkdir -m 700 "$GNUPGHOME"
gpg --batch --quiet --pinentry-mode loopback --passphrase '' \
    --quick-gen-key "civitas bench <bench@example.invalid>" future-default default never 2>/dev/null
GPG_FPR=$(gpg --batch --with-colons --list-keys bench@example.invalid | awk -F: '/^fpr:/ {print $10; exit}')

# ---- runs ---------------------------------------------------------------------------------
RESULTS=$WORK/results.tsv
: > "$RESULTS"
# run NAME COMMAND… : RUNS timed runs of a shell command line (@I@ in it becomes the run
# number); the fastest wall time and the largest peak RSS are reported. The CSV is in the
# page cache for every tool alike.
RUNS=${RUNS:-3}
run() {
  local name=$1; shift
  local best="" cpu="" kib=0 i s k u y
  for ((i = 1; i <= RUNS; i++)); do
    sync
    /usr/bin/time -f "%e %M %U %S" -o time.out bash -c "${*//@I@/$i}" >/dev/null 2>err.out || {
      echo "FAILED: $name" >&2; cat err.out >&2; exit 1; }
    read -r s k u y < time.out
    if [ -z "$best" ] || python3 -c "import sys; sys.exit(0 if $s < $best else 1)"; then best=$s; fi
    c=$(python3 -c "print($u + $y)")
    if [ -z "$cpu" ] || python3 -c "import sys; sys.exit(0 if $c < $cpu else 1)"; then cpu=$c; fi
    [ "$k" -gt "$kib" ] && kib=$k
  done
  secs=$best
  python3 - "$name" "$secs" "$kib" "$BYTES" "$cpu" >> "$RESULTS" <<'EOF'
import sys
name, secs, kib, b, cpu = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
print(f"{name}\t{secs:.2f}\t{b / 1e6 / max(secs, 1e-3):.0f}\t{kib / 1024:.0f}\t{cpu:.2f}\t{b / 1e6 / max(cpu, 1e-3):.0f}")
EOF
  tail -1 "$RESULTS" >&2
}

cat "$CSV" > /dev/null  # warm the page cache

run "civitas package create (threads=$THREADS)" \
  "'$CIVITAS' package create -w prov.db --key-file prov.key --to $CONS --resource data=$CSV --threads $THREADS -o pkg.@I@.civpkg"
run "zstd -3 -T1 | age -r" "zstd -3 -T1 -q -c '$CSV' | age -r $AGE_PUB > data.zst.age"
run "gpg --sign --encrypt" \
  "gpg --batch --yes --pinentry-mode loopback --passphrase '' -u $GPG_FPR -r $GPG_FPR --sign --encrypt -o data.gpg '$CSV'"

# The baseline opens the same packages with its own copy of the consumer's replay memory.
[ -n "${BASELINE:-}" ] && for f in cons.db*; do cp "$f" "base.${f}"; done
for f in cons.db*; do cp "$f" "sp.${f}"; done  # the same for the --single-pass run
run "civitas package open" "'$CIVITAS' package open -w cons.db --key-file cons.key pkg.@I@.civpkg -o out.civ.@I@"
run "civitas package open --single-pass" \
  "'$CIVITAS' package open --single-pass -w sp.cons.db --key-file cons.key pkg.@I@.civpkg -o out.sp.@I@"
cmp -s "$CSV" out.sp.1/data/data.csv || { echo "single-pass output differs" >&2; exit 1; }
rm -rf out.sp.*
if [ -n "${BASELINE:-}" ]; then  # another civitas build (e.g. before a change), same package
  run "baseline civitas package open" \
    "'$(realpath "$BASELINE")' package open -w base.cons.db --key-file cons.key pkg.@I@.civpkg -o out.base.@I@"
  cmp -s "$CSV" out.base.1/data/data.csv || { echo "baseline output differs" >&2; exit 1; }
  rm -rf out.base.*
fi
run "age -d | zstd -d" "age -d -i age.key data.zst.age | zstd -d -q -c > out.age.csv"
run "gpg --decrypt" "gpg --batch --yes --pinentry-mode loopback --passphrase '' -o out.gpg.csv -d data.gpg"

cmp -s "$CSV" out.civ.1/data/data.csv || { echo "civitas output differs" >&2; exit 1; }
cmp -s "$CSV" out.age.csv || { echo "age output differs" >&2; exit 1; }
cmp -s "$CSV" out.gpg.csv || { echo "gpg output differs" >&2; exit 1; }

echo
echo "CSV: $((BYTES / 1048576)) MiB ($BYTES bytes); package $(stat -c %s pkg.1.civpkg) B, zstd|age $(stat -c %s data.zst.age) B, gpg $(stat -c %s data.gpg) B"
echo "Best of $RUNS runs each. CPU: $(nproc) cores; load $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| command | wall s | MB/s (wall) | CPU s (user+sys) | MB/CPU-s | peak RSS MiB |"
echo "|---|---:|---:|---:|---:|---:|"
while IFS=$'\t' read -r n s r m c cr; do echo "| \`$n\` | $s | $r | $c | $cr | $m |"; done < "$RESULTS"
