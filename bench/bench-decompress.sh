#!/usr/bin/env bash
# Decompress benchmark (a measurement, not a test): a workflow's decompress step unpacking an
# uploaded .gz of BENCH_SIZE_MB=1024 MiB of compressible text (log lines) into S3, against the
# shell's way on the same S3Proxy: `gunzip -c FILE.gz | aws s3 cp - s3://...`.
#   Ferry: the .gz is uploaded by OpenSSH sftp (untimed); the row is the workflow job's own time,
#          from its start to its end as the job records them (read from the admin API).
#   reference: gunzip and awscli in one pipe, timed whole.
#   ceiling: aws s3 cp of the decompressed file from the local disk.
# Each row is the median of BENCH_REPEAT=3 runs into an emptied prefix, after an untimed warm-up
# run of Ferry's. Each copy is checked: its SHA-256 read back from S3 against the source's. Ferry's
# peak RSS (VmHWM) and CPU seconds per GiB decompressed are printed with the table.
#
#   bench/bench-decompress.sh          (after: mvn -q -DskipTests package)
#
# Knobs (environment): BENCH_SIZE_MB=1024, BENCH_REPEAT=3, FERRY_JAVA=java, FERRY_HEAP=1g, BENCH_DIR,
# BENCH_KEEP=1, FERRY_JAR, S3PROXY_JAR.
set -uo pipefail

REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
FERRY_JAR="${FERRY_JAR:-$REPO_DIR/gateway-server/target/ferry.jar}"
SIZE_MB="${BENCH_SIZE_MB:-1024}"
BENCH_REPEAT="${BENCH_REPEAT:-3}"
FERRY_HEAP="${FERRY_HEAP:-1g}"
AWS=/usr/bin/aws
PYTHON=/usr/bin/python3
TOTAL_TIMEOUT_SECONDS=3600
TRANSFER_TIMEOUT_SECONDS=1200
START_TIMEOUT_SECONDS=90
export LC_ALL=C.UTF-8

BYTES=$((SIZE_MB * 1024 * 1024))
BUCKET=bench
S3_KEY=benchaccess
S3_SECRET="$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 24)"
ADMIN_TOKEN="$(head -c 32 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 32)"

# shellcheck source=lib.sh
source "$REPO_DIR/bench/lib.sh"

# SIZE_MB of log lines (4 MiB of varied lines, repeated: gzip's 32 KiB window finds no repeat, so
# the ratio is the lines' own), and its .gz at gzip's default level.
make_source() {
  log "writing ${SIZE_MB} MiB of log lines and gzipping them (untimed)"
  "$PYTHON" - "$WORK/chunk.txt" <<'EOF'
import random, sys
random.seed(7)
users = ["alice", "bob", "partner-%03d" % 7, "ops", "svc-backup"]
verbs = ["STOR", "RETR", "LIST", "DELE", "MKD", "RNFR", "RNTO"]
with open(sys.argv[1], "w") as out:
    size = 0
    while size < 4 << 20:
        line = "2026-11-%02dT%02d:%02d:%02d.%03dZ INFO session=%08x user=%s op=%s path=/incoming/%s/file-%06d.csv bytes=%d ms=%d\n" % (
            random.randint(1, 28), random.randint(0, 23), random.randint(0, 59), random.randint(0, 59),
            random.randint(0, 999), random.getrandbits(32), random.choice(users), random.choice(verbs),
            random.choice(["eu", "us", "ap"]), random.randint(0, 999999), random.randint(0, 10**9), random.randint(0, 5000))
        out.write(line)
        size += len(line)
EOF
  : >"$WORK/data.txt"
  while (($(stat -c %s "$WORK/data.txt") < BYTES)); do cat "$WORK/chunk.txt" >>"$WORK/data.txt"; done
  truncate -s "$BYTES" "$WORK/data.txt"
  gzip -c "$WORK/data.txt" >"$WORK/data.txt.gz"
  SOURCE_SHA="$(sha256sum "$WORK/data.txt" | cut -d' ' -f1)"
  GZ_BYTES="$(stat -c %s "$WORK/data.txt.gz")"
  log "source: $BYTES bytes, gzipped $GZ_BYTES ($(awk -v a="$BYTES" -v b="$GZ_BYTES" 'BEGIN { printf "%.1f", a / b }'):1)"
}

start_ferry() {
  ADMIN_PORT="$(free_port)" || { error "no free port for the admin API"; return 1; }
  SFTP_PORT="$(free_port)" || { error "no free port for SFTP"; return 1; }
  FERRY_LOG="$WORK/ferry.log"
  cat >"$WORK/ferry.yaml" <<EOF
$(ferry_yaml_store)
ftps:
  bindAddress: 127.0.0.1
  port: 0
  implicitPort: -1
  passivePorts: "0"
sftp:
  bindAddress: 127.0.0.1
  port: $SFTP_PORT
workflows:
  - name: unpack
    match:
      path: "/drop/*.gz"
    steps:
      - decompress: s3://$BUCKET/ferry-out/
        maxRatio: 1000
admin:
  http:
    enabled: true
    bindAddress: 127.0.0.1
    port: $ADMIN_PORT
    token: \${FERRY_BENCH_ADMIN_TOKEN}
shutdown:
  grace: 5s
users:
  - name: bench
    home: s3://$BUCKET/home/
    permissions: [all]
    publicKeys:
      - "$(cat "$WORK/id_ed25519.pub")"
EOF
  launch_ferry || return 1
  ssh-keyscan -p "$SFTP_PORT" 127.0.0.1 2>/dev/null >"$WORK/known_ferry"
  log "SFTP on 127.0.0.1:$SFTP_PORT"
}

sftp_put() {
  printf -- '-mkdir drop\nput %s drop/%s\n' "$1" "$2" >"$WORK/put.batch"
  sftp -q -b "$WORK/put.batch" -P "$SFTP_PORT" -i "$WORK/id_ed25519" -o "UserKnownHostsFile=$WORK/known_ferry" \
    bench@127.0.0.1 >/dev/null
}

# workflow_job NAME: waits for the unpack job of drop/NAME to end (lib.sh's await_admin_job, once
# the job is listed); prints "STATE SECONDS" from the job's own start and end times.
workflow_job() {
  local deadline=$((SECONDS + 60)) id=""
  while [[ -z "$id" ]] && ((SECONDS < deadline)); do
    # The job is queued before the client hears its upload succeeded: listed by the first or second look.
    id="$(api GET jobs | "$PYTHON" -c '
import json, sys
for job in json.load(sys.stdin)["data"]:
    if job["spec"].get("kind") == "workflow" and job["spec"]["key"] == "home/drop/" + sys.argv[1]:
        print(job["id"])' "$1")"
    [[ -n "$id" ]] || sleep 0.2 # the jobs list is polled: nothing tells the script of a new job
  done
  [[ -n "$id" ]] || { echo "NOT-QUEUED"; return 0; }
  await_admin_job "{\"id\":\"$id\"}" >/dev/null || { echo "FAILED ${LAST_JOB:0:200}"; return 0; }
  "$PYTHON" -c '
import json, sys
from datetime import datetime
job = json.loads(sys.argv[1])["data"]
t = lambda s: datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp()
print(job["state"], "%.2f" % (t(job["finished"]) - t(job["started"])))' "$LAST_JOB"
}

# ferry_run N: one upload of the .gz as drop/data-N.txt.gz, then its workflow job; the job's own
# time and Ferry's CPU over it go into TIMES and CPUS.
ferry_run() {
  local n="$1" name="data-$1.txt.gz" cpu_before result
  sftp_put "$WORK/data.txt.gz" "$name" || { error "sftp put of $name failed"; return 1; }
  cpu_before="$(cpu_ticks "$FERRY_PID")"
  result="$(workflow_job "$name")"
  read -r state seconds _ <<<"$result"
  [[ "$state" == DONE ]] || { error "unpack job of $name: $result"; return 1; }
  log "Ferry decompress step, run $n: $(mb_per_s "$BYTES" "$seconds") MB/s ($seconds s, job's own times)"
  TIMES+=("$seconds")
  CPUS+=("$(awk -v t="$(($(cpu_ticks "$FERRY_PID") - cpu_before))" -v hz="$(getconf CLK_TCK)" -v b="$BYTES" \
    'BEGIN { printf "%.2f", t / hz / (b / 1073741824) }')")
}

check_object() {
  local sha
  sha="$(s3 s3 cp "s3://$BUCKET/$1" - | sha256sum | cut -d' ' -f1)"
  if [[ "$sha" != "$SOURCE_SHA" ]]; then
    error "s3://$BUCKET/$1: SHA-256 $sha differs from the source's"
    return 1
  fi
  log "s3://$BUCKET/$1: exact"
}

section_ferry() {
  local n
  log "warm-up: one untimed run"
  TIMES=() CPUS=()
  ferry_run 0 && check_object ferry-out/data-0.txt
  empty_prefix ferry-out
  TIMES=() CPUS=()
  for ((n = 1; n <= BENCH_REPEAT; n++)); do
    ferry_run "$n" || return 1
    ((n == BENCH_REPEAT)) && check_object "ferry-out/data-$n.txt"
    empty_prefix ferry-out
  done
  R[ferry.s]="$(median_of "${TIMES[@]}")"
  R[ferry]="$(mb_per_s "$BYTES" "${R[ferry.s]}")"
  R[ferry.cpu]="$(median_of "${CPUS[@]}")"
}

gunzip_to_s3() { gunzip -c "$WORK/data.txt.gz" | s3 s3 cp --quiet - "s3://$BUCKET/shell-out/data.txt"; }

section_references() {
  MEASURE_AFTER="" measure shell "$BYTES" "gunzip -c | aws s3 cp -" gunzip_to_s3
  check_object shell-out/data.txt
  MEASURE_AFTER="empty_prefix ceiling" measure ceil.s3 "$BYTES" "ceiling: aws s3 cp of the decompressed file" \
    s3 s3 cp --quiet "$WORK/data.txt" "s3://$BUCKET/ceiling/data.txt"
  MEASURE_AFTER="" measure ceil.gunzip "$BYTES" "ceiling: gunzip -c > /dev/null" \
    sh -c "gunzip -c '$WORK/data.txt.gz' >/dev/null"
}

print_table() {
  echo
  echo "=================================================================================================="
  echo "Decompress ${SIZE_MB} MiB of log lines (gzip $GZ_BYTES bytes) into S3Proxy, $(nproc) CPUs;" \
    "MB/s of decompressed bytes, median of $BENCH_REPEAT runs"
  printf '%-44s %10s %10s\n' "row" "MB/s" "seconds"
  printf '%-44s %10s %10s\n' "Ferry workflow, decompress step" "${R[ferry]:-n/a}" "${R[ferry.s]:-n/a}"
  printf '%-44s %10s %10s\n' "gunzip -c | aws s3 cp -" "${R[shell]:-n/a}" "${R[shell.s]:-n/a}"
  printf '%-44s %10s %10s\n' "ceiling: aws s3 cp of the decompressed file" "${R[ceil.s3]:-n/a}" "${R[ceil.s3.s]:-n/a}"
  printf '%-44s %10s %10s\n' "ceiling: gunzip -c > /dev/null" "${R[ceil.gunzip]:-n/a}" "${R[ceil.gunzip.s]:-n/a}"
  echo "Ferry / gunzip|aws: $(ratio "${R[ferry]:-n/a}" "${R[shell]:-n/a}"); Ferry CPU ${R[ferry.cpu]:-n/a} s per GiB" \
    "decompressed"
  echo "Ferry on $("${FERRY_JAVA:-java}" -version 2>&1 | head -n 1), -Xmx$FERRY_HEAP: peak RSS (VmHWM)" \
    "${R[ferry.rss]:-n/a} MiB, peak heap used ${R[ferry.heap]:-n/a} MiB"
  if ((${#ERRORS[@]} > 0)); then
    echo "errors:"
    printf '  - %s\n' "${ERRORS[@]}"
  fi
  echo "=================================================================================================="
}

main() {
  start_run ferry-bench-decompress
  ssh-keygen -q -t ed25519 -N '' -f "$WORK/id_ed25519"
  make_source
  if start_s3proxy && start_ferry; then
    section_ferry
    memory_report ferry
    section_references
  fi
  print_table
  ((${#ERRORS[@]} == 0))
}

main "$@"
