#!/usr/bin/env bash
# Whole-process comparison (issue 18): `civitas backup` / `backup verify` / `restore` against
# `sqlcipher_export()` (the sqlcipher shell, the same page key) and a plain file copy + `age`
# (encrypt, then decrypt for the restore), on one workspace holding ENTRIES audit entries, in
# the same run. Reports seconds and MB/s of the database file (best of RUNS).
#
#   bench/backup_vs_copy.sh [CIVITAS_BINARY] [ENTRIES]     (defaults: build/bin/civitas, 1000000)
#
# Environment: RUNS (default 3), BATCH (entries per `civitas audit append --batch`, default
# 200000), WORK (scratch directory, default a mktemp dir under /var/tmp, removed unless
# KEEP=1; the workspace is kept with KEEP=1 and reused when WORK already holds one).
# Needs sqlcipher (the shell), age, age-keygen, python3 with libsodium (ctypes) for the page
# key (docs/formats/workspace.md, "Opening the file by hand").
#
# What is compared: civitas backup = online snapshot (SQLite backup API) + encryption to a
# recovery key + signatures + fsync; sqlcipher_export = a logical copy into a new SQLCipher
# file (rows re-inserted, indexes rebuilt), not encrypted to anyone else; cp + age = bytes of
# the file, not a consistent snapshot of a live database, encrypted with age (X25519,
# ChaCha20-Poly1305), no signature. Restores: civitas restore (decrypt, check signatures,
# integrity_check, audit log verified against its checkpoints, new header) vs age -d.
set -euo pipefail

CIVITAS=$(realpath "${1:-build/bin/civitas}")
ENTRIES=${2:-1000000}
RUNS=${RUNS:-3}
BATCH=${BATCH:-200000}
for t in sqlcipher age age-keygen python3; do
  command -v "$t" >/dev/null || { echo "missing tool: $t" >&2; exit 2; }
done
WORK=${WORK:-$(mktemp -d /var/tmp/civitas-bench-backup.XXXXXX)}
mkdir -p "$WORK"
cleanup() { [ "${KEEP:-0}" = 1 ] || rm -rf "$WORK"; }
trap cleanup EXIT
cd "$WORK"
echo "civitas: $CIVITAS"
echo "scratch: $WORK ($(df -T . | awk 'NR==2 {print $2}'))"

D=91350100M000100Y43
W=(-w ws.db --key-file ws.key)
if [ ! -e ws.db ]; then
  head -c 32 /dev/urandom > ws.key
  "$CIVITAS" init "${W[@]}" --department $D >/dev/null
  t0=$(date +%s.%N)
  left=$ENTRIES
  while [ "$left" -gt 0 ]; do
    k=$(( left < BATCH ? left : BATCH ))
    python3 -c "
import sys
d = '$D'
out = sys.stdout
for i in range($k):
    out.write('{\"actor\":\"%s:clerk%d\",\"action\":\"data.read\",\"resource\":\"110000-%06d\",\"purpose\":\"licensing\",\"details\":{\"rows\":%d}}\n' % (d, i % 97, i, i % 1000))
" | "$CIVITAS" audit append "${W[@]}" --batch >/dev/null
    left=$((left - k))
  done
  "$CIVITAS" audit checkpoint "${W[@]}" >/dev/null
  t1=$(date +%s.%N)
  echo "generated $ENTRIES audit entries in $(python3 -c "print(round($t1 - $t0, 1))") s"
fi
SIZE=$(stat -c %s ws.db)
MB=$(python3 -c "print($SIZE / 1e6)")
echo "workspace: $(printf "%'d" "$SIZE") bytes, $ENTRIES audit entries"

# The page key, for the sqlcipher shell (docs/formats/workspace.md, "Opening the file by hand").
PAGEKEY=$(python3 - <<'EOF'
import base64, ctypes, ctypes.util, json
na = ctypes.CDLL(ctypes.util.find_library("sodium")); assert na.sodium_init() >= 0
h = json.load(open("ws.db.header")); master = open("ws.key", "rb").read()
ad = ("civitas-workspace-header/1/" + h["workspace_id"] + "/raw/-").encode()
wr = base64.b64decode(h["wrapped_key"]); hk, w, pk = (ctypes.create_string_buffer(32) for _ in range(3))
na.crypto_kdf_derive_from_key(hk, ctypes.c_size_t(32), ctypes.c_uint64(1), b"civhead1", master)
n = ctypes.c_ulonglong(0); c = wr[24:]
assert na.crypto_aead_xchacha20poly1305_ietf_decrypt(w, ctypes.byref(n), None, c, ctypes.c_ulonglong(len(c)), ad, ctypes.c_ulonglong(len(ad)), wr[:24], hk) == 0
na.crypto_kdf_derive_from_key(pk, ctypes.c_size_t(32), ctypes.c_uint64(1), b"civpage1", w.raw)
print(pk.raw.hex())
EOF
)
PRAGMAS="PRAGMA key = \"x'$PAGEKEY'\"; PRAGMA cipher_page_size = 4096; PRAGMA kdf_iter = 64000; PRAGMA cipher_use_hmac = ON;"
[ -e R.key ] || "$CIVITAS" recovery-key generate -o R.key >/dev/null
[ -e age.key ] || age-keygen -o age.key 2>/dev/null
AGE_R=$(age-keygen -y age.key)

best() { sort -n | head -1; }
timeit() { local t0 t1; t0=$(date +%s.%N); "$@" >/dev/null 2>&1; t1=$(date +%s.%N); python3 -c "print($t1 - $t0)"; }

declare -A T
for name in backup verify restore export copy_age age_d; do T[$name]=""; done
for r in $(seq "$RUNS"); do
  rm -f b.civbak exp.db copy.age copy.db; rm -f new.db new.db.header
  T[backup]+="$(timeit "$CIVITAS" backup "${W[@]}" --recipient R.key.pub -o b.civbak)"$'\n'
  T[verify]+="$(timeit "$CIVITAS" backup verify b.civbak "${W[@]}")"$'\n'
  T[restore]+="$(timeit "$CIVITAS" restore b.civbak --recovery-key R.key -w new.db --key-file ws.key)"$'\n'
  T[export]+="$(timeit sqlcipher ws.db "$PRAGMAS ATTACH DATABASE 'exp.db' AS e KEY \"x'$PAGEKEY'\"; SELECT sqlcipher_export('e'); DETACH DATABASE e;")"$'\n'
  T[copy_age]+="$(timeit sh -c "cp ws.db copy.db && age -r $AGE_R -o copy.age copy.db && sync copy.age")"$'\n'
  T[age_d]+="$(timeit sh -c "age -d -i age.key -o copy.db copy.age && sync copy.db")"$'\n'
  [ -s b.civbak ] && [ -s new.db ] && [ -s exp.db ] && [ -s copy.age ] || { echo "a command failed in round $r" >&2; exit 1; }
done
"$CIVITAS" backup verify b.civbak "${W[@]}" >/dev/null
echo "backup file: $(printf "%'d" "$(stat -c %s b.civbak)") bytes; sqlcipher_export file: $(printf "%'d" "$(stat -c %s exp.db)") bytes"
printf '%-44s %10s %10s\n' "operation (best of $RUNS)" "seconds" "MB/s"
row() { local s; s=$(printf '%s' "${T[$1]}" | best); printf '%-44s %10.2f %10.0f\n' "$2" "$s" "$(python3 -c "print($MB / $s)")"; }
row backup "civitas backup (snapshot, encrypt, sign)"
row export "sqlcipher_export (logical copy)"
row copy_age "cp + age -r (encrypt)"
row verify "civitas backup verify (no secret)"
row restore "civitas restore (decrypt, check, rewrap)"
row age_d "age -d (decrypt)"
