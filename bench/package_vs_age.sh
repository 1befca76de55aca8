#!/usr/bin/env bash
# Whole-process comparison: civitas exchange packages vs `zstd | age` vs `gpg --sign --encrypt`
# on the same CSV in the same run. Reports wall time, MB/s (of the CSV), CPU time (user+sys,
# summed over a pipeline's processes and a process's threads; best of RUNS) and peak RSS.
#
#   bench/package_vs_age.sh [CIVITAS_BINARY] [SIZE_MIB]     (defaults: build/bin/civitas, 1024)
#
# Environment: RUNS (rounds, default 3: every command once per round; best wall time, largest
# RSS), WORK (scratch directory, default a mktemp dir under /tmp, removed at the end unless
# KEEP=1; its file system is printed: on a tmpfs the disk, and civitas' fsync with it, is left
# out), THREADS (civitas --threads, default 1), BASELINE (a second civitas binary whose
# `package open` is timed on the same packages too). Needs age, age-keygen, zstd, gpg and
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
# Every command runs once per round, RUNS rounds, so that a machine whose speed drifts (shared
# cores) treats all tools alike; per command the fastest wall time, the smallest CPU time and
# the largest peak RSS are reported. The CSV is in the page cache for every tool alike. @I@ in
# a command line becomes the round number.
RUNS=${RUNS:-3}
declare -A WALL CPU RSS
ORDER=()
time_once() {  # NAME COMMAND
  local name=$1 cmd=$2 s k u y c
  sync
  /usr/bin/time -f "%e %M %U %S" -o time.out bash -c "$cmd" >/dev/null 2>err.out || {
    echo "FAILED: $name" >&2; cat err.out >&2; exit 1; }
  read -r s k u y < time.out
  c=$(python3 -c "print(round($u + $y, 2))")
  [[ " ${ORDER[*]} " == *" $name "* ]] || ORDER+=("$name")
  if [ -z "${WALL[$name]:-}" ] || python3 -c "import sys; sys.exit(0 if $s < ${WALL[$name]} else 1)"; then WALL[$name]=$s; fi
  if [ -z "${CPU[$name]:-}" ] || python3 -c "import sys; sys.exit(0 if $c < ${CPU[$name]} else 1)"; then CPU[$name]=$c; fi
  if [ -z "${RSS[$name]:-}" ] || [ "$k" -gt "${RSS[$name]}" ]; then RSS[$name]=$k; fi
  echo "  $name: $s s wall, $c s CPU" >&2
}
# rounds NAME1 CMD1 NAME2 CMD2 … : RUNS rounds of all of them in turn.
rounds() {
  local i j args=("$@")
  for ((i = 1; i <= RUNS; i++)); do
    echo "round $i/$RUNS" >&2
    for ((j = 0; j < ${#args[@]}; j += 2)); do
      time_once "${args[j]}" "${args[j+1]//@I@/$i}"
    done
  done
}

cat "$CSV" > /dev/null  # warm the page cache

# civitas creates one package per round at its default level (1) and one at level 3 (the
# level of the `zstd -3` pipeline the issue names), each with the next sequence number.
rounds \
  "civitas package create (level 1, default; threads=$THREADS)" \
  "'$CIVITAS' package create -w prov.db --key-file prov.key --to $CONS --resource data=$CSV --threads $THREADS -o pkg.@I@.civpkg" \
  "civitas package create --level 3 (threads=$THREADS)" \
  "'$CIVITAS' package create -w prov.db --key-file prov.key --to $CONS --resource data=$CSV --threads $THREADS --level 3 -o pkg3.@I@.civpkg" \
  "zstd -3 -T1 | age -r" "zstd -3 -T1 -q -c '$CSV' | age -r $AGE_PUB > data.zst.age" \
  "zstd -1 -T1 | age -r" "zstd -1 -T1 -q -c '$CSV' | age -r $AGE_PUB > data.zst1.age" \
  "gpg --sign --encrypt" \
  "gpg --batch --yes --pinentry-mode loopback --passphrase '' -u $GPG_FPR -r $GPG_FPR --sign --encrypt -o data.gpg '$CSV'"

# Each open variant has its own copy of the consumer's replay memory (every package is opened
# once per variant). Every output is compared with the CSV, then removed.
for v in l3 sp ns base; do for f in cons.db*; do cp "$f" "$v.$f"; done; done
open_cmd() {  # BINARY WORKSPACE PACKAGE OUT [FLAGS]
  echo "'$1' package open ${5:-} -w $2 --key-file cons.key $3 -o $4 && cmp -s '$CSV' $4/data/data.csv && rm -rf $4"
}
OPENS=(
  "civitas package open (level-1 package)" "$(open_cmd "$CIVITAS" cons.db pkg.@I@.civpkg out.civ.@I@)"
  "civitas package open (level-3 package)" "$(open_cmd "$CIVITAS" l3.cons.db pkg3.@I@.civpkg out.l3.@I@)"
  "civitas package open --single-pass (level 1)" "$(open_cmd "$CIVITAS" sp.cons.db pkg.@I@.civpkg out.sp.@I@ --single-pass)"
  "civitas package open --no-sync (level 1)" "$(open_cmd "$CIVITAS" ns.cons.db pkg.@I@.civpkg out.ns.@I@ --no-sync)"
)
if [ -n "${BASELINE:-}" ]; then  # another civitas build (e.g. before a change), same packages
  OPENS+=("baseline civitas package open (level-1 package)" "$(open_cmd "$(realpath "$BASELINE")" base.cons.db pkg.@I@.civpkg out.base.@I@)")
fi
rounds "${OPENS[@]}" \
  "age -d | zstd -d (zstd -3 file)" "age -d -i age.key data.zst.age | zstd -d -q -c > out.age.csv && cmp -s '$CSV' out.age.csv && rm out.age.csv" \
  "age -d | zstd -d (zstd -1 file)" "age -d -i age.key data.zst1.age | zstd -d -q -c > out.age1.csv && cmp -s '$CSV' out.age1.csv && rm out.age1.csv" \
  "gpg --decrypt" "gpg --batch --yes --pinentry-mode loopback --passphrase '' -o out.gpg.csv -d data.gpg && cmp -s '$CSV' out.gpg.csv && rm out.gpg.csv"

echo
echo "CSV: $((BYTES / 1048576)) MiB ($BYTES bytes); package $(stat -c %s pkg.1.civpkg) B (level 3: $(stat -c %s pkg3.1.civpkg) B), zstd -3|age $(stat -c %s data.zst.age) B, zstd -1|age $(stat -c %s data.zst1.age) B, gpg $(stat -c %s data.gpg) B"
echo "Best of $RUNS interleaved rounds. CPU: $(nproc) cores; load $(cut -d' ' -f1-3 /proc/loadavg); scratch file system: $(df --output=fstype "$WORK" | tail -1)"
echo
echo "| command | wall s | MB/s (wall) | CPU s (user+sys) | MB/CPU-s | peak RSS MiB |"
echo "|---|---:|---:|---:|---:|---:|"
for n in "${ORDER[@]}"; do
  python3 - "$n" "${WALL[$n]}" "${RSS[$n]}" "$BYTES" "${CPU[$n]}" <<'EOF'
import sys
name, secs, kib, b, cpu = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
name = name.replace("|", "\\|")
print(f"| `{name}` | {secs:.2f} | {b / 1e6 / max(secs, 1e-3):.0f} | {cpu:.2f} | {b / 1e6 / max(cpu, 1e-3):.0f} | {kib / 1024:.0f} |")
EOF
done
