#!/usr/bin/env bash
# Transfer-job throughput (a measurement, not a test). In one run, on loopback:
#   (a) the references: plain curl of a presigned URL of the object, on the remote host (this one),
#       the ceiling of direct mode; OpenSSH's sftp put of the same bytes from a local file to the
#       same sshd, the ceiling of relay mode (Ferry's SFTP writes to that sshd, with S3 in front)
#   (b) Ferry transfer jobs, direct mode (the remote curls ranges from S3) and relay mode (Ferry
#       reads S3 and writes SFTP), with 1, 4 and 8 parts each, started over the admin HTTP API
# The remote is a local OpenSSH sshd writing to a temp dir; S3 is S3Proxy. A job is timed from
# its submission to DONE, so it includes what the job does besides moving bytes: SSH connect,
# staging, the SHA-256 check on the remote (openssl, else sha256sum), rename and touch.
# The SHA-256 check alone is timed too, to show its share. Every result is compared to the source.
#
#   bench/bench-jobs.sh                (after: mvn -q -DskipTests package)
#
# Every row is the median of BENCH_REPEAT=3 jobs (the references too), after BENCH_WARMUP_MB of
# untimed relay jobs (default: the object's size six times).
# Knobs (environment): FERRY_JAVA=java (the java that runs Ferry), BENCH_SIZE_MB=1024, BENCH_PARTS="1 4 8", BENCH_MODES="direct relay",
# BENCH_REPEAT=3, BENCH_WARMUP_MB, FERRY_HEAP=1g, BENCH_DIR, BENCH_KEEP=1, FERRY_JAR, S3PROXY_JAR.
set -uo pipefail

REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
FERRY_JAR="${FERRY_JAR:-$REPO_DIR/gateway-server/target/ferry.jar}"
SIZE_MB="${BENCH_SIZE_MB:-1024}"
PARTS_LIST="${BENCH_PARTS:-1 4 8}"
MODES="${BENCH_MODES:-direct relay}"
FERRY_HEAP="${FERRY_HEAP:-1g}"
REPEAT="${BENCH_REPEAT:-3}"
WARMUP_MB="${BENCH_WARMUP_MB:-$((6 * SIZE_MB))}"
AWS=/usr/bin/aws
PYTHON=/usr/bin/python3
TOTAL_TIMEOUT_SECONDS=3600
TRANSFER_TIMEOUT_SECONDS=1200
START_TIMEOUT_SECONDS=90
export LC_ALL=C.UTF-8

BIG_BYTES=$((SIZE_MB * 1024 * 1024))
BUCKET=bench
S3_KEY=benchaccess
S3_SECRET="$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 24)"
ADMIN_TOKEN="$(head -c 32 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 32)"
ME="$(id -un)"

# shellcheck source=lib.sh
source "$REPO_DIR/bench/lib.sh"


start_ferry() {
  ADMIN_PORT="$(free_port)" || { error "no free port for the admin API"; return 1; }
  FERRY_LOG="$WORK/ferry.log"
  cat >"$WORK/ferry.yaml" <<EOF
dataDir: $WORK/ferry-data
s3:
  endpoint: $S3_ENDPOINT
  accessKey: $S3_KEY
  secretKey: \${FERRY_BENCH_S3_SECRET}
$(ferry_yaml_listeners)
jobs:
  workers: 1
  maxParts: 64
  channelsPerSession: 8
remotes:
  - name: bench
    address: 127.0.0.1
    port: $SSHD_PORT
    user: $ME
    privateKey: $WORK/id_ed25519
    hostKey: "$(cat "$WORK/known_sshd")"
    roots: [$WORK/disk]
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
    home: s3://$BUCKET/ferry/
    permissions: [all]
    publicKeys:
      - "$(cat "$WORK/id_ed25519.pub")"
EOF
  FERRY_BENCH_S3_SECRET="$S3_SECRET" FERRY_BENCH_ADMIN_TOKEN="$ADMIN_TOKEN" "${FERRY_JAVA:-java}" "-Xmx$FERRY_HEAP" $(heap_options "$FERRY_HEAP") \
    ${FERRY_JAVA_OPTS:-} -jar "$FERRY_JAR" --config "$WORK/ferry.yaml" >"$FERRY_LOG" 2>&1 &
  FERRY_PID=$!
  if ! await_log "$FERRY_PID" "$FERRY_LOG" "Ferry is up"; then
    error "Ferry did not start: $(tail -n 5 "$FERRY_LOG" | tr '\n' ' ')"
    return 1
  fi
  log "Ferry -Xmx$FERRY_HEAP, admin API on 127.0.0.1:$ADMIN_PORT (pid $FERRY_PID)"
  start_sampler main
}

json_field() { "$PYTHON" -c 'import json, sys; d = json.load(sys.stdin)["data"]; print(d.get(sys.argv[1]) or "")' "$1"; }

# one_job MODE PARTS: one transfer job timed from submission to its end; sets JOB_SECONDS,
# JOB_FETCHED (seconds to VERIFYING) and JOB_CPU (Ferry's CPU seconds per GiB during the job).
one_job() {
  local mode="$1" parts="$2" target="$WORK/disk/$1-$2.bin" answer id state="" start cpu_before machine_busy machine_all
  cpu_before="$(cpu_ticks "$FERRY_PID")"
  read -r machine_busy machine_all < <(machine_ticks)
  start="$(now)"
  JOB_FETCHED=""
  answer="$(api POST transfer "{\"args\":[\"s3://$BUCKET/big.bin\",\"bench:$target\",\"--parts\",\"$parts\",\"--mode\",\"$mode\"]}")"
  id="$(json_field id <<<"$answer" 2>/dev/null)"
  [[ -n "$id" ]] || { error "$mode/$parts: transfer refused: $answer"; return 1; }
  local deadline=$((SECONDS + TRANSFER_TIMEOUT_SECONDS))
  while ((SECONDS < deadline)); do
    # curl alone each 0.1 s: a python3 per poll (18 ms of CPU each here) took 9 % of the 2 CPUs from the job.
    [[ "$(api GET job "?arg=$id")" =~ \"state\"\ *:\ *\"([A-Z_]+)\" ]] && state="${BASH_REMATCH[1]}"
    [[ "$state" == VERIFYING && -z "$JOB_FETCHED" ]] && JOB_FETCHED="$(elapsed "$start")"
    [[ "$state" == DONE || "$state" == FAILED || "$state" == CANCELLED ]] && break
    sleep 0.1
  done
  JOB_SECONDS="$(elapsed "$start")"
  JOB_BUSY="$(machine_busy_since "$machine_busy" "$machine_all")"
  JOB_CPU="$(awk -v t="$(( $(cpu_ticks "$FERRY_PID") - cpu_before ))" -v hz="$(getconf CLK_TCK)" \
    -v b="$BIG_BYTES" 'BEGIN { printf "%.2f", t / hz / (b / 1073741824) }')"
  if [[ "$state" != DONE ]]; then
    error "$mode/$parts: job $id ended ${state:-never}: $(api GET job "?arg=$id")"
    return 1
  fi
  log "$mode, $parts part(s): $(mb_per_s "$BIG_BYTES" "$JOB_SECONDS") MB/s ($BIG_BYTES bytes in $JOB_SECONDS s," \
    "job $id; bytes on the remote after ${JOB_FETCHED:-n/a} s; Ferry $JOB_CPU CPU s/GiB; machine $JOB_BUSY % busy)"
  cmp -s "$WORK/big.bin" "$target" || error "$mode/$parts: $target differs from the source"
  rm -f "$target"
}

# run_job MODE PARTS: BENCH_REPEAT jobs; the medians of their times (job, fetch) and of Ferry's CPU.
run_job() {
  local mode="$1" parts="$2" key="$1.$2" run times=() fetches=() cpus=()
  for run in $(seq 1 "$REPEAT"); do
    log "transfer --mode $mode --parts $parts (run $run of $REPEAT) ..."
    one_job "$mode" "$parts" || { R[$key]=error; return 1; }
    times+=("$JOB_SECONDS")
    fetches+=("${JOB_FETCHED:-0}")
    cpus+=("$JOB_CPU")
  done
  R[$key]="$(mb_per_s "$BIG_BYTES" "$(median_of "${times[@]}")")"
  R[$key.fetch]="$(mb_per_s "$BIG_BYTES" "$(median_of "${fetches[@]}")")"
  R[$key.cpu]="$(median_of "${cpus[@]}")"
  ((REPEAT > 1)) && log "$mode, $parts part(s): median ${R[$key]} MB/s (times: ${times[*]} s)"
}

# warm_up: untimed relay jobs of WARMUP_MB in all: a node in service has compiled its S3 read,
# SSH encryption and hashing paths long ago; a fresh JVM's first GiB runs at half speed or less
# (MINA's SFTP writes from memory, one JVM: 246, 365, 463, 556 MB/s over its first four GiB). After
# one GiB the JIT still had 11 % of Ferry's samples during the timed relay jobs (async-profiler,
# 2026-11-27). One JVM's 1 GiB relay jobs in a row took 10.2, 5.7, 5.0, 4.0, 3.0, 2.9, 2.7, 2.9 CPU
# s/GiB, then about 3 (2026-11-27, 9ef7d7c).
warm_up() {
  local runs=$(( (WARMUP_MB + SIZE_MB - 1) / SIZE_MB )) run
  for run in $(seq 1 "$runs"); do
    log "warm-up $run of $runs (untimed): transfer --mode relay --parts 4"
    one_job relay 4 || return 1
  done
}

section_reference() {
  local url
  url="$(s3 s3 presign "s3://$BUCKET/big.bin" --expires-in 3600)" || { error "presign failed"; return 1; }
  BENCH_REPEAT="$REPEAT" measure curl "$BIG_BYTES" "reference: curl of the presigned URL to disk" \
    curl -sS -f -o "$WORK/disk/reference.bin" "$url"
  cmp -s "$WORK/big.bin" "$WORK/disk/reference.bin" || error "reference download differs from the source"
  BENCH_REPEAT="$REPEAT" measure sha "$BIG_BYTES" "SHA-256 of the ${SIZE_MB} MiB file alone (the jobs' check)" \
    openssl dgst -sha256 "$WORK/disk/reference.bin"
  rm -f "$WORK/disk/reference.bin"
  echo "put $WORK/big.bin $WORK/disk/sftp-reference.bin" >"$WORK/sftp-put.batch"
  BENCH_REPEAT="$REPEAT" measure sftp "$BIG_BYTES" "reference: OpenSSH sftp put of a local file to the same sshd" \
    sftp -q -b "$WORK/sftp-put.batch" -P "$SSHD_PORT" -i "$WORK/id_ed25519" -o BatchMode=yes -o UserKnownHostsFile="$WORK/known_sshd" \
    "$ME@127.0.0.1"
  cmp -s "$WORK/big.bin" "$WORK/disk/sftp-reference.bin" || error "sftp put reference differs from the source"
  rm -f "$WORK/disk/sftp-reference.bin"
}

print_table() {
  echo
  echo "=================================================================================================="
  echo "Transfer jobs, one ${SIZE_MB} MiB object to a local OpenSSH sshd (disk), S3Proxy, $(nproc) CPUs"
  echo "job: MB/s from submission to DONE (connect, fetch, SHA-256 check, rename)"
  echo "fetch: MB/s from submission to VERIFYING (polled every ~0.1 s), the part comparable to curl"
  echo "references: curl of the presigned URL ${R[curl]:-n/a} MB/s; sftp put of a local file ${R[sftp]:-n/a} MB/s;" \
    "SHA-256 alone (openssl) ${R[sha]:-n/a} MB/s"
  echo "ceiling: curl for direct, sftp put for relay; /ceil is job / ceiling; CPU: Ferry's CPU seconds per GiB"
  echo "medians of $REPEAT jobs each, after $WARMUP_MB MiB of untimed relay jobs (the JIT's warm-up)"
  printf '%-8s' "parts"
  local mode parts ceiling
  for mode in $MODES; do printf '%12s %12s %7s %6s' "$mode job" "$mode fetch" "/ceil" "CPU"; done
  echo
  for parts in $PARTS_LIST; do
    printf '%-8s' "$parts"
    for mode in $MODES; do
      ceiling="${R[curl]:-n/a}"
      [[ "$mode" == relay ]] && ceiling="${R[sftp]:-n/a}"
      printf '%12s %12s %7s %6s' "${R[$mode.$parts]:-n/a}" "${R[$mode.$parts.fetch]:-n/a}" \
        "$(ratio "${R[$mode.$parts]:-n/a}" "$ceiling")" "${R[$mode.$parts.cpu]:-n/a}"
    done
    echo
  done
  echo "Ferry on $("${FERRY_JAVA:-java}" -version 2>&1 | head -n 1), -Xmx$FERRY_HEAP: peak RSS (VmHWM) ${R[ferry.rss]:-n/a} MiB, peak heap used ${R[ferry.heap]:-n/a} MiB"
  if ((${#ERRORS[@]} > 0)); then
    echo "errors:"
    printf '  - %s\n' "${ERRORS[@]}"
  fi
  echo "=================================================================================================="
}

main() {
  start_run ferry-bench-jobs
  log "writing a ${SIZE_MB} MiB object from /dev/urandom"
  head -c "$BIG_BYTES" /dev/urandom >"$WORK/big.bin"
  ssh-keygen -q -t ed25519 -N '' -f "$WORK/id_ed25519"
  local sha
  sha="$(sha256sum "$WORK/big.bin" | cut -d' ' -f1)"
  if start_s3proxy && start_sshd; then
    # With the SHA-256 recorded as Ferry's own uploads carry it, so the jobs verify it on arrival.
    if s3 s3 cp "$WORK/big.bin" "s3://$BUCKET/big.bin" --metadata "sha256=$sha" >/dev/null; then
      section_reference
      if start_ferry; then
        local mode parts
        ((WARMUP_MB > 0)) && warm_up
        for mode in $MODES; do
          for parts in $PARTS_LIST; do
            run_job "$mode" "$parts"
          done
        done
        memory_report ferry
      fi
    else
      error "could not put the object into S3Proxy"
    fi
  fi
  print_table
  ((${#ERRORS[@]} == 0))
}

main "$@"
