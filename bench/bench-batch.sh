#!/usr/bin/env bash
# Batch benchmark (a measurement, not a test): BENCH_COUNT=10000 files of BENCH_KB=10 KiB, in
# BENCH_DIRS=10 directories, archived into tar files with a manifest, on loopback and the same
# S3Proxy, in one run:
#   Ferry: the files are objects in a batch folder (clients uploaded them); `batch run` archives
#          them per directory into tars streamed into S3 (maxBatchSize 1GiB), writes a manifest per
#          archive (offset, size, SHA-256 of each file) and deletes the originals;
#   seed:  s3-batch's way, the files on local disk: tar per directory to a temp file, then one
#          `aws s3 cp --recursive` of the tars and a JSON manifest, then the originals removed;
#   seed's tools with the files in S3 (where Ferry's are): `aws s3 cp --recursive` down, the seed's
#          way, then `aws s3 rm --recursive` of the originals.
# Each row is the median of BENCH_REPEAT=3 runs; before each, untimed, the files are put back (into
# S3 with `aws s3 cp --recursive` for Ferry, copied from a pristine tree for the seed) and synced
# to disk. Ferry's runs
# are checked: every file in a manifest once, no original left. Ferry's peak RSS (VmHWM) and peak
# heap are printed with the table.
#
#   bench/bench-batch.sh                (after: mvn -q -DskipTests package)
#
# Knobs (environment): BENCH_COUNT=10000, BENCH_KB=10, BENCH_DIRS=10, BENCH_REPEAT=3,
# BENCH_WARMUP_RUNS=3 (untimed Ferry runs first: Ferry's and S3Proxy's JITs compile their hot paths,
# which servers running for days pay once; with one warm-up the three timed runs took 21, 17 and
# 10 s, with three 11, 13 and 10 s), FERRY_JAVA=java,
# FERRY_HEAP=1g, BENCH_DIR, BENCH_KEEP=1, FERRY_JAR, S3PROXY_JAR.
set -uo pipefail

REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
FERRY_JAR="${FERRY_JAR:-$REPO_DIR/gateway-server/target/ferry.jar}"
COUNT="${BENCH_COUNT:-10000}"
KB="${BENCH_KB:-10}"
DIRS="${BENCH_DIRS:-10}"
BENCH_REPEAT="${BENCH_REPEAT:-3}"
WARMUP_RUNS="${BENCH_WARMUP_RUNS:-3}"
FERRY_HEAP="${FERRY_HEAP:-1g}"
AWS=/usr/bin/aws
PYTHON=/usr/bin/python3
TOTAL_TIMEOUT_SECONDS=3600
TRANSFER_TIMEOUT_SECONDS=1200
START_TIMEOUT_SECONDS=90
export LC_ALL=C.UTF-8

BYTES=$((COUNT * KB * 1024))
BUCKET=bench
S3_KEY=benchaccess
S3_SECRET="$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 24)"
ADMIN_TOKEN="$(head -c 32 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 32)"

# shellcheck source=lib.sh
source "$REPO_DIR/bench/lib.sh"

# The pristine tree every run starts from: COUNT files of KB KiB in DIRS directories.
make_source() {
  local i
  log "writing the source: $COUNT files of $KB KiB in $DIRS directories"
  for ((i = 0; i < COUNT; i++)); do
    mkdir -p "$WORK/source/dir-$((i % DIRS))"
    head -c $((KB * 1024)) /dev/urandom >"$WORK/source/dir-$((i % DIRS))/file-$i.bin"
  done
}

start_ferry() {
  ADMIN_PORT="$(free_port)" || { error "no free port for the admin API"; return 1; }
  FERRY_LOG="$WORK/ferry.log"
  cat >"$WORK/ferry.yaml" <<EOF
$(ferry_yaml_store)
$(ferry_yaml_listeners off)
batches:
  - name: bench
    folder: s3://$BUCKET/ferry/
    every: 24h
    maxBatchSize: 1GiB
    manifest: s3://$BUCKET/manifests/
admin:
  http:
    enabled: true
    bindAddress: 127.0.0.1
    port: $ADMIN_PORT
    token: \${FERRY_BENCH_ADMIN_TOKEN}
users:
  - name: bench
    home: s3://$BUCKET/home/
EOF
  launch_ferry
}

# Untimed, before each Ferry run: the files put into the batch folder, as clients would have.
put_originals() {
  s3 s3 cp --recursive --quiet "$WORK/source" "s3://$BUCKET/ferry/" >/dev/null && settle
}

# settle: what S3Proxy just wrote reaches the disk before a timed run, not during it.
settle() { sync; }

# ferry_batch: `batch run bench` over the admin API, then waits for the job's end; fails unless DONE.
ferry_batch() {
  await_admin_job "$(api POST batch '{"args":["run","bench"]}')"
}

# check_ferry: the last run's manifests name every file once; no original is left, only archives.
check_ferry() {
  local left
  left="$(s3 s3 ls --recursive "s3://$BUCKET/ferry/" | awk '{ print $4 }' | grep -vcE '/[0-9a-f-]{36}\.tar$')"
  ((left == 0)) || { error "Ferry left $left originals in the batch folder"; return 1; }
  rm -rf "$WORK/manifests" && s3 s3 cp --recursive --quiet "s3://$BUCKET/manifests/bench/$JOB_ID/" \
    "$WORK/manifests/" >/dev/null
  "$PYTHON" - "$WORK/manifests" "$COUNT" <<'PY' || { error "Ferry's manifests are not right"; return 1; }
import json, os, sys
keys = [f["key"] for name in os.listdir(sys.argv[1]) for f in json.load(open(os.path.join(sys.argv[1], name)))["files"]]
assert len(keys) == len(set(keys)) == int(sys.argv[2]), (len(keys), len(set(keys)))
PY
  log "Ferry's run $JOB_ID: $COUNT files in $(ls "$WORK/manifests" | wc -l) archives, no original left"
}


# seed_archive ROOT PREFIX: s3-batch's archiving: per directory of ROOT a tar in a temp directory,
# a JSON manifest of which file went where, all uploaded under s3://BUCKET/PREFIX/ by one aws s3 cp.
seed_archive() {
  local tmp dir name
  tmp="$(mktemp -d "$WORK/seed-tmp.XXXXXX")"
  for dir in "$1"/*/; do
    name="$(basename "$dir")"
    mkdir -p "$tmp/$name"
    tar -cf "$tmp/$name/$(cat /proc/sys/kernel/random/uuid).tar" -C "$dir" . || return 1
  done
  "$PYTHON" -c '
import json, os, sys
root, tmp = sys.argv[1], sys.argv[2]
manifest = [{"key": d + "/" + f, "archive": d + "/" + os.listdir(os.path.join(tmp, d))[0]}
            for d in os.listdir(root) for f in os.listdir(os.path.join(root, d))]
json.dump(manifest, open(os.path.join(tmp, "manifest.json"), "w"))' "$1" "$tmp" || return 1
  s3 s3 cp --recursive --quiet "$tmp" "s3://$BUCKET/$2/" >/dev/null || return 1
  rm -rf "$tmp"
}

# The seed's way, as s3-batch did it: the files on local disk, archived, then removed.
seed_batch() {
  seed_archive "$WORK/seed" seed && rm -rf "$WORK/seed"
}

# The seed's tools on files that are in S3, as Ferry's are: downloaded with aws s3 cp, archived as
# the seed does, then removed from S3 with aws s3 rm (no check that a file did not change meanwhile).
seed_s3_batch() {
  s3 s3 cp --recursive --quiet "s3://$BUCKET/seeds3/" "$WORK/seeds3/" >/dev/null || return 1
  seed_archive "$WORK/seeds3" seeds3-archives || return 1
  s3 s3 rm --recursive --quiet "s3://$BUCKET/seeds3/" >/dev/null || return 1
  rm -rf "$WORK/seeds3"
}

put_seed_s3() { s3 s3 cp --recursive --quiet "$WORK/source" "s3://$BUCKET/seeds3/" >/dev/null && settle; }
seed_restore() { rm -rf "$WORK/seed" && cp -a "$WORK/source" "$WORK/seed" && settle; }


print_table() {
  echo
  echo "=================================================================================================="
  echo "Batching $COUNT x $KB KiB files in $DIRS directories into tar archives, S3Proxy on loopback, $(nproc) CPUs;"
  echo "seconds, median of $BENCH_REPEAT runs (MB/s of the files' bytes)"
  printf '%-52s %10s %10s\n' "way" "seconds" "MB/s"
  printf '%-52s %10s %10s\n' "Ferry batch run (S3 -> tar streamed to S3, manifests)" "${R[ferry.s]:-n/a}" \
    "${R[ferry]:-n/a}"
  printf '%-52s %10s %10s\n' "seed: tar to temp files + aws s3 cp (local files)" "${R[seed.s]:-n/a}" "${R[seed]:-n/a}"
  printf '%-52s %10s %10s\n' "seed's tools, files in S3 (+ aws s3 cp down, s3 rm)" "${R[seeds3.s]:-n/a}" \
    "${R[seeds3]:-n/a}"
  echo "Ferry / seed (time): $(ratio "${R[ferry.s]:-n/a}" "${R[seed.s]:-n/a}");" \
    "Ferry / seed's tools with the files in S3: $(ratio "${R[ferry.s]:-n/a}" "${R[seeds3.s]:-n/a}")"
  echo "Ferry on $("${FERRY_JAVA:-java}" -version 2>&1 | head -n 1), -Xmx$FERRY_HEAP: peak RSS (VmHWM)" \
    "${R[ferry.rss]:-n/a} MiB, peak heap used ${R[ferry.heap]:-n/a} MiB"
  if ((${#ERRORS[@]} > 0)); then
    echo "errors:"
    printf '  - %s\n' "${ERRORS[@]}"
  fi
  echo "=================================================================================================="
}

main() {
  local i
  start_run ferry-bench-batch
  make_source
  if start_s3proxy && start_ferry; then
    for ((i = 0; i < WARMUP_RUNS; i++)); do
      log "warm-up: an untimed Ferry batch run of the same files"
      put_originals && ferry_batch >/dev/null || error "the warm-up run failed: $LAST_JOB"
    done
    MEASURE_BEFORE="put_originals" MEASURE_AFTER="check_ferry" MEASURE_CPU_PID="$FERRY_PID" \
      measure ferry "$BYTES" "Ferry batch run, $COUNT files" ferry_batch
    empty_prefix ferry
    MEASURE_BEFORE="seed_restore" MEASURE_AFTER="empty_prefix seed" MEASURE_CPU_PID="" \
      measure seed "$BYTES" "seed: tar + aws s3 cp, $COUNT files" seed_batch
    MEASURE_BEFORE="put_seed_s3" MEASURE_AFTER="empty_prefix seeds3-archives" \
      measure seeds3 "$BYTES" "seed's tools with the files in S3, $COUNT files" seed_s3_batch
    memory_report ferry
  fi
  print_table
  ((${#ERRORS[@]} == 0))
}

main "$@"
