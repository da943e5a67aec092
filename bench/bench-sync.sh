#!/usr/bin/env bash
# Sync benchmark (a measurement, not a test): pulling files from a remote SFTP server into S3 with
# Ferry's sync and with `rclone copy` (Debian's rclone, an sftp remote to an s3 remote), in one run,
# on loopback, the same OpenSSH sshd and the same S3Proxy, both with their default settings
# (Ferry: 4 files at once; rclone: --transfers 4, its multipart defaults):
#   (a) one BENCH_SIZE_MB=1024 MiB file
#   (b) BENCH_SMALL_COUNT=1000 files of BENCH_SMALL_KB=100 KiB, in 10 directories
#   ceilings for (a): OpenSSH sftp getting the file into memory, awscli putting it straight into S3
#   (c) an incremental run over the 1,001 files of (a) and (b), unchanged since the last run: its
#       time, and how many S3 requests it made (Ferry's from the AWS SDK's request log, rclone's from
#       its --dump headers in one extra, untimed run)
# Each row is the median of BENCH_REPEAT=3 runs into an emptied prefix, Ferry's after an untimed
# warm-up of BENCH_WARMUP_MB=1024 MiB. The last copy of each is checked against the source: every
# key, every size, and the big file's SHA-256. Ferry's peak RSS and both tools' CPU seconds per GiB
# are printed with the table.
#
#   bench/bench-sync.sh                (after: mvn -q -DskipTests package)
#
# Knobs (environment): BENCH_SIZE_MB=1024, BENCH_SMALL_COUNT=1000, BENCH_SMALL_KB=100, BENCH_REPEAT=3,
# BENCH_WARMUP_MB=1024 (0: none), FERRY_JAVA=java, FERRY_HEAP=1g, BENCH_DIR, BENCH_KEEP=1, FERRY_JAR,
# S3PROXY_JAR.
set -uo pipefail

REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
FERRY_JAR="${FERRY_JAR:-$REPO_DIR/gateway-server/target/ferry.jar}"
SIZE_MB="${BENCH_SIZE_MB:-1024}"
SMALL_COUNT="${BENCH_SMALL_COUNT:-1000}"
SMALL_KB="${BENCH_SMALL_KB:-100}"
BENCH_REPEAT="${BENCH_REPEAT:-3}"
WARMUP_MB="${BENCH_WARMUP_MB:-1024}"
FERRY_HEAP="${FERRY_HEAP:-1g}"
AWS=/usr/bin/aws
PYTHON=/usr/bin/python3
RCLONE=/usr/bin/rclone
TOTAL_TIMEOUT_SECONDS=3600
TRANSFER_TIMEOUT_SECONDS=1200
START_TIMEOUT_SECONDS=90
export LC_ALL=C.UTF-8

BIG_BYTES=$((SIZE_MB * 1024 * 1024))
SMALL_BYTES=$((SMALL_COUNT * SMALL_KB * 1024))
BUCKET=bench
S3_KEY=benchaccess
S3_SECRET="$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 24)"
ADMIN_TOKEN="$(head -c 32 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 32)"
ME="$(id -un)"

# shellcheck source=lib.sh
source "$REPO_DIR/bench/lib.sh"

# The source tree on the sshd's disk: big/ (a), small/ (b), and all/ holding both for (c).
make_source() {
  local d i
  mkdir -p "$WORK/disk/big" "$WORK/disk/small"
  log "writing the source: a ${SIZE_MB} MiB file and $SMALL_COUNT files of $SMALL_KB KiB"
  head -c "$BIG_BYTES" /dev/urandom >"$WORK/disk/big/big.bin"
  for ((i = 0; i < SMALL_COUNT; i++)); do
    d="$WORK/disk/small/dir-$((i % 10))"
    mkdir -p "$d"
    head -c $((SMALL_KB * 1024)) /dev/urandom >"$d/file-$i.bin"
  done
  mkdir -p "$WORK/disk/all"
  cp -a "$WORK/disk/big/big.bin" "$WORK/disk/small" "$WORK/disk/all/"
  BIG_SHA="$(sha256sum "$WORK/disk/big/big.bin" | cut -d' ' -f1)"
}

start_ferry() {
  ADMIN_PORT="$(free_port)" || { error "no free port for the admin API"; return 1; }
  FERRY_LOG="$WORK/ferry.log"
  cat >"$WORK/ferry.yaml" <<EOF
$(ferry_yaml_store)
$(ferry_yaml_listeners off)
remotes:
  - name: bench
    address: 127.0.0.1
    port: $SSHD_PORT
    user: $ME
    privateKey: $WORK/id_ed25519
    hostKey: "$(cat "$WORK/known_sshd")"
    roots: [$WORK/disk]
syncs:
  - name: all
    source: bench:$WORK/disk/all
    target: s3://$BUCKET/ferry-all/
    every: 24h
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
    publicKeys:
      - "$(cat "$WORK/id_ed25519.pub")"
EOF
  # The AWS SDK's request logger writes a line per S3 request sent: (c) counts them.
  launch_ferry -DFERRY_S3_REQUEST_LOG=DEBUG
}

write_rclone_config() {
  cat >"$WORK/rclone.conf" <<EOF
[src]
type = sftp
host = 127.0.0.1
port = $SSHD_PORT
user = $ME
key_file = $WORK/id_ed25519
known_hosts_file = $WORK/known_sshd

[dst]
type = s3
provider = Other
access_key_id = $S3_KEY
secret_access_key = $S3_SECRET
endpoint = $S3_ENDPOINT
region = us-east-1
force_path_style = true
EOF
}

# ferry_sync ARGS-JSON: starts a sync run over the admin API and waits for its end; fails unless DONE.
ferry_sync() {
  await_admin_job "$(api POST sync "{\"args\":$1}")" || return 1
  [[ "$LAST_JOB" =~ \"counts\"[[:space:]]*:[[:space:]]*\{[^}]*\} ]] && echo "job $JOB_ID: ${BASH_REMATCH[0]}"
  return 0
}

ferry_copy() { ferry_sync "[\"run\",\"bench:$WORK/disk/$1\",\"s3://$BUCKET/ferry-$1/\"]"; }

# rclone_timed NAME ARGS...: rclone with its defaults, its CPU seconds and peak RSS appended to $WORK/NAME.time.
rclone_timed() {
  local name="$1"
  shift
  env -u AWS_CA_BUNDLE RCLONE_CONFIG="$WORK/rclone.conf" /usr/bin/time -a -o "$WORK/$name.time" -f '%U %S %M' \
    timeout "$TRANSFER_TIMEOUT_SECONDS" "$RCLONE" "$@"
}

rclone_copy() { rclone_timed "rclone-$1" copy "src:$WORK/disk/$1" "dst:$BUCKET/rclone-$1"; }

# check_copy PREFIX DIR: every file of DIR is an object under PREFIX with its size, nothing else;
# the big file's SHA-256 read back from S3.
check_copy() {
  local prefix="$1" dir="$2" expected actual
  expected="$(cd "$WORK/disk/$dir" && find . -type f -printf '%P %s\n' | sort)"
  actual="$(s3api_list "$prefix" | sort)"
  if [[ "$expected" != "$actual" ]]; then
    error "$prefix/ differs from $dir/: $(diff <(echo "$expected") <(echo "$actual") | head -n 4 | tr '\n' ' ')"
    return 1
  fi
  if [[ -f "$WORK/disk/$dir/big.bin" ]] \
      && [[ "$(s3 s3 cp "s3://$BUCKET/$prefix/big.bin" - | sha256sum | cut -d' ' -f1)" != "$BIG_SHA" ]]; then
    error "s3://$BUCKET/$prefix/big.bin: SHA-256 differs from the source's"
    return 1
  fi
  log "$prefix/: exact ($(wc -l <<<"$expected") objects)"
}

s3api_list() {
  s3 s3api list-objects-v2 --bucket "$BUCKET" --prefix "$1/" --output json \
    | "$PYTHON" -c '
import json, sys
prefix = sys.argv[1] + "/"
for o in (json.load(sys.stdin) or {}).get("Contents", []):
    print(o["Key"][len(prefix):], o["Size"])' "$1"
}

# rclone_cpu NAME BYTES: the median CPU seconds per GiB of the runs in $WORK/NAME.time; its peak RSS (MiB).
rclone_cpu() {
  R[$1.cpu]="$(awk -v b="$2" '{ print ($1 + $2) / (b / 1073741824) }' "$WORK/$1.time" | sort -n \
    | awk '{ v[NR] = $1 } END { printf "%.2f", v[int((NR + 1) / 2)] }')"
  R[$1.rss]="$(awk '$3 > m { m = $3 } END { printf "%.0f", m / 1024 }' "$WORK/$1.time")"
}

section_copy() {
  local what="$1" bytes="$2" files="$3"
  MEASURE_AFTER="empty_prefix ferry-$what" MEASURE_CPU_PID="$FERRY_PID" \
    measure "ferry.$what" "$bytes" "Ferry sync, $files" ferry_copy "$what"
  MEASURE_AFTER="" MEASURE_CPU_PID="" ferry_copy "$what" >/dev/null && check_copy "ferry-$what" "$what"
  MEASURE_AFTER="empty_prefix rclone-$what" measure "rclone.$what" "$bytes" "rclone copy, $files" rclone_copy "$what"
  rclone_cpu "rclone-$what" "$bytes"
  rclone_copy "$what" >/dev/null 2>&1 && check_copy "rclone-$what" "$what"
}

sdk_requests() { grep -c 'Sending Request' "$FERRY_LOG"; }

# The ceilings for (a), measured in the same run: OpenSSH's sftp reading the file from the sshd into
# memory (/dev/shm when it has room), and awscli writing it from the local disk straight to S3Proxy.
section_ceilings() {
  download_dir ferry-bench-sync "$SIZE_MB"
  echo "get $WORK/disk/big/big.bin $DL/big.bin" >"$WORK/sftp-get.batch"
  MEASURE_AFTER="rm -f $DL/big.bin" measure ceil.sftp "$BIG_BYTES" \
    "ceiling: OpenSSH sftp get of the ${SIZE_MB} MiB file (default cipher)" \
    sftp -q -b "$WORK/sftp-get.batch" -P "$SSHD_PORT" -i "$WORK/id_ed25519" \
    -o "UserKnownHostsFile=$WORK/known_sshd" "$ME@127.0.0.1"
  MEASURE_AFTER="empty_prefix ceiling" measure ceil.s3 "$BIG_BYTES" "ceiling: aws s3 cp of the ${SIZE_MB} MiB file to S3" \
    s3 s3 cp --quiet "$WORK/disk/big/big.bin" "s3://$BUCKET/ceiling/big.bin"
}

# Ferry's JIT compiles its hot paths, AES-GCM's among them, over the first GiB or so (bench.sh found
# the same for TLS on JDK 17); a server that runs for days pays that once, so the timed runs come
# after an untimed copy of BENCH_WARMUP_MB.
warm_up() {
  ((WARMUP_MB > 0)) || return 0
  mkdir -p "$WORK/disk/warmup"
  head -c $((WARMUP_MB << 20)) /dev/urandom >"$WORK/disk/warmup/warmup.bin"
  log "warm-up: an untimed Ferry sync of $WARMUP_MB MiB"
  ferry_copy warmup >/dev/null || error "the warm-up sync failed: $LAST_JOB"
  empty_prefix ferry-warmup
  rm -rf "$WORK/disk/warmup"
}

# (c): the first run of each copies everything; then timed runs that find nothing to do.
section_incremental() {
  local before runs=() i out
  ferry_sync '["run","all"]' >/dev/null || { error "the first run of sync 'all' failed: $LAST_JOB"; return 1; }
  check_copy ferry-all all
  for ((i = 1; i <= BENCH_REPEAT; i++)); do
    before="$(sdk_requests)"
    BENCH_REPEAT=1 measure "ferry.incr.$i" 1 "Ferry incremental sync over $((SMALL_COUNT + 1)) unchanged files, run $i" \
      ferry_sync '["run","all"]'
    runs+=("$(($(sdk_requests) - before))")
    log "  $(cat "$WORK/measure.out"), ${runs[-1]} S3 requests"
  done
  R[ferry.incr.requests]="${runs[*]}"
  R[ferry.incr.s]="$(median_of "${R[ferry.incr.1.s]}" "${R[ferry.incr.2.s]:-}" "${R[ferry.incr.3.s]:-}")"

  rclone_timed rclone-all copy "src:$WORK/disk/all" "dst:$BUCKET/rclone-all" >/dev/null 2>&1 \
    || { error "the first rclone copy of all/ failed"; return 1; }
  for ((i = 1; i <= BENCH_REPEAT; i++)); do
    BENCH_REPEAT=1 measure "rclone.incr.$i" 1 "rclone copy over $((SMALL_COUNT + 1)) unchanged files, run $i" \
      rclone_timed rclone-incr copy "src:$WORK/disk/all" "dst:$BUCKET/rclone-all"
  done
  R[rclone.incr.s]="$(median_of "${R[rclone.incr.1.s]}" "${R[rclone.incr.2.s]:-}" "${R[rclone.incr.3.s]:-}")"
  out="$WORK/rclone-dump.txt"
  rclone_timed rclone-dump copy --dump headers "src:$WORK/disk/all" "dst:$BUCKET/rclone-all" >"$out" 2>&1
  R[rclone.incr.requests]="$(grep -c 'HTTP REQUEST' "$out") ($(grep -A1 'HTTP REQUEST' "$out" \
    | grep -oE 'DEBUG : [A-Z]+ /' | cut -d' ' -f3 | sort | uniq -c | awk '{ printf "%s%s %s", sep, $1, $2; sep = ", " }'))"
}

ferry_request_kinds() {
  grep 'Sending Request' "$FERRY_LOG" | tail -n "$1" | grep -oE 'httpMethod=[A-Z]+' | cut -d= -f2 | sort | uniq -c \
    | awk '{ printf "%s%s %s", sep, $1, $2; sep = ", " }'
}

print_table() {
  echo
  echo "=================================================================================================="
  echo "Sync from a local OpenSSH sshd into S3Proxy, $(nproc) CPUs; MB/s, median of $BENCH_REPEAT runs each"
  printf '%-34s %10s %10s %8s %14s %14s\n' "source" "Ferry" "rclone" "F/r" "Ferry CPU s/GiB" "rclone CPU s/GiB"
  printf '%-34s %10s %10s %8s %14s %14s\n' "1 x ${SIZE_MB} MiB" "${R[ferry.big]:-n/a}" "${R[rclone.big]:-n/a}" \
    "$(ratio "${R[ferry.big]:-n/a}" "${R[rclone.big]:-n/a}")" "${R[ferry.big.cpu]:-n/a}" "${R[rclone-big.cpu]:-n/a}"
  printf '%-34s %10s %10s %8s %14s %14s\n' "$SMALL_COUNT x $SMALL_KB KiB" "${R[ferry.small]:-n/a}" \
    "${R[rclone.small]:-n/a}" "$(ratio "${R[ferry.small]:-n/a}" "${R[rclone.small]:-n/a}")" \
    "${R[ferry.small.cpu]:-n/a}" "${R[rclone-small.cpu]:-n/a}"
  echo "ceilings for 1 x ${SIZE_MB} MiB: OpenSSH sftp get ${R[ceil.sftp]:-n/a} MB/s, aws s3 cp ${R[ceil.s3]:-n/a} MB/s;" \
    "Ferry / the lower: $(ratio "${R[ferry.big]:-n/a}" "$(lower "${R[ceil.sftp]:-n/a}" "${R[ceil.s3]:-n/a}")")"
  echo "seconds (median): Ferry 1 file ${R[ferry.big.s]:-n/a}, $SMALL_COUNT files ${R[ferry.small.s]:-n/a};" \
    "rclone ${R[rclone.big.s]:-n/a}, ${R[rclone.small.s]:-n/a}"
  echo "incremental, $((SMALL_COUNT + 1)) unchanged files: Ferry ${R[ferry.incr.s]:-n/a} s" \
    "(S3 requests per run: ${R[ferry.incr.requests]:-n/a}; last run: ${R[ferry.incr.kinds]:-n/a})," \
    "rclone ${R[rclone.incr.s]:-n/a} s (S3 requests in one run: ${R[rclone.incr.requests]:-n/a})"
  echo "Ferry on $("${FERRY_JAVA:-java}" -version 2>&1 | head -n 1), -Xmx$FERRY_HEAP: peak RSS (VmHWM)" \
    "${R[ferry.rss]:-n/a} MiB, peak heap used ${R[ferry.heap]:-n/a} MiB;" \
    "rclone peak RSS ${R[rclone-big.rss]:-n/a} MiB (1 file), ${R[rclone-small.rss]:-n/a} MiB ($SMALL_COUNT files)"
  if ((${#ERRORS[@]} > 0)); then
    echo "errors:"
    printf '  - %s\n' "${ERRORS[@]}"
  fi
  echo "=================================================================================================="
}

main() {
  start_run ferry-bench-sync
  ssh-keygen -q -t ed25519 -N '' -f "$WORK/id_ed25519"
  make_source
  if start_s3proxy && start_sshd && start_ferry; then
    write_rclone_config
    section_ceilings
    warm_up
    section_copy big "$BIG_BYTES" "1 x ${SIZE_MB} MiB"
    section_copy small "$SMALL_BYTES" "$SMALL_COUNT x $SMALL_KB KiB"
    section_incremental
    R[ferry.incr.kinds]="$(ferry_request_kinds "${R[ferry.incr.requests]##* }")"
    memory_report ferry
  fi
  print_table
  ((${#ERRORS[@]} == 0))
}

main "$@"
