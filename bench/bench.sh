#!/usr/bin/env bash
# Ferry throughput and memory benchmark (a measurement, not a test). In one run, against its own
# S3Proxy and Ferry on loopback:
#   (a) one large file up and down through Ferry with lftp over FTPS
#   (b) many 10 MiB files up and down through Ferry with lftp mirror --parallel=8
#   (c) the same files straight to the same S3Proxy with awscli (default concurrency)
#   (c2) the same files through vsftpd, FTPS to the local disk: what lftp with its defaults
#       reaches against a C server with no S3 behind it (the FTPS ceiling; needs root and vsftpd)
#   then Ferry/direct ratios, Ferry's peak RSS and heap, and
#   (d) a memory stress: Ferry restarted with a small heap takes 8 parallel large uploads.
# Every section prints its result or its error and the run goes on; a table closes the run.
#
#   bench/bench.sh                     (after: mvn -q -DskipTests package)
#
# Knobs (environment):
#   FERRY_JAVA=java           the java that runs Ferry (e.g. a newer JDK's bin/java)
#   BENCH_REPEAT=1            runs per transfer; the median counts (bench-sftp.sh uses 3)
#   BENCH_SIZE_MB=1024        large file size (MiB)
#   BENCH_SMALL_COUNT=100     number of small files
#   BENCH_SMALL_MB=10         small file size (MiB)
#   BENCH_PARALLEL=8          lftp mirror --parallel
#   BENCH_TINY_COUNT=2000     files of 1 KiB for the per-file cost rows; 0 skips them
#   FERRY_HEAP=1g             Ferry's -Xmx for (a)-(c)
#   BENCH_STRESS_HEAP=256m    Ferry's -Xmx for (d)
#   BENCH_STRESS_COUNT=8      parallel uploads in (d); 0 skips (d)
#   BENCH_WARMUP_MB=1024      untimed round trip through Ferry before (a): JDK 17 needs about 1 GiB
#                             of TLS traffic before C2 runs the AES-GCM path at steady state
#   BENCH_MEMORY_BUDGET=      uploads.memoryBudget for Ferry (default: Ferry's own, 2/5 of the heap)
#   BENCH_DIR=/tmp            where the temp dir (test files, logs; S3Proxy's objects without room in memory) goes
#   BENCH_DOWNLOAD_DIR=       where downloads land (default: /dev/shm when it has room, see lib.sh)
#   BENCH_STORE_DIR=          where S3Proxy keeps its objects (default: /dev/shm when it has room; the stress on disk)
#   BENCH_KEEP=1              keep the temp dir (logs) at the end
#   FERRY_JAR, S3PROXY_JAR    jars to run (defaults: the built ferry.jar, S3Proxy from ~/.m2/.tools/mvn)
set -uo pipefail

REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=lib.sh
source "$REPO_DIR/bench/lib.sh"     # log, error, stop_pid, timing and port helpers, s3 (shared with bench-sftp.sh)
FERRY_JAR="${FERRY_JAR:-$REPO_DIR/gateway-server/target/ferry.jar}"
SIZE_MB="${BENCH_SIZE_MB:-1024}"
SMALL_COUNT="${BENCH_SMALL_COUNT:-100}"
SMALL_MB="${BENCH_SMALL_MB:-10}"
PARALLEL="${BENCH_PARALLEL:-8}"
TINY_COUNT="${BENCH_TINY_COUNT:-2000}"
FERRY_HEAP="${FERRY_HEAP:-1g}"
STRESS_HEAP="${BENCH_STRESS_HEAP:-256m}"
STRESS_COUNT="${BENCH_STRESS_COUNT:-8}"
WARMUP_MB="${BENCH_WARMUP_MB:-1024}"
MEMORY_BUDGET="${BENCH_MEMORY_BUDGET:-}"
AWS=/usr/bin/aws                  # Debian's awscli; a pyenv one may shadow it on PATH
TOTAL_TIMEOUT_SECONDS=3600        # watchdog for the whole run
TRANSFER_TIMEOUT_SECONDS=1800     # any single client command
START_TIMEOUT_SECONDS=90
export LC_ALL=C.UTF-8

BIG_BYTES=$((SIZE_MB * 1024 * 1024))
SMALL_BYTES=$((SMALL_MB * 1024 * 1024))
SMALL_TOTAL=$((SMALL_COUNT * SMALL_BYTES))
TINY_TOTAL=$((TINY_COUNT * 1024))
BUCKET=bench
USER_NAME=bench
PASSWORD="$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 20)"
S3_KEY=benchaccess
S3_SECRET="$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 24)"

FERRY_RUN=0

# ---------------------------------------------------------------------------------------------
# Clean-up



# ---------------------------------------------------------------------------------------------
# Arithmetic and measuring


# measure KEY BYTES LABEL COMMAND...: runs COMMAND, stores MB/s (or the error) under KEY.

# verify KEY COMMAND...: records whether the transferred bytes were checked equal.
verify() {
  local key="$1"
  shift
  if "$@" >"$WORK/verify.out" 2>&1; then
    R[$key.ok]="ok"
  else
    R[$key.ok]="MISMATCH"
    error "$key: transferred bytes differ: $(head -n 3 "$WORK/verify.out" | tr '\n' ' ')"
  fi
}

# ---------------------------------------------------------------------------------------------
# Servers

# start_ferry HEAP: a fresh Ferry process (same config, S3 data and TLS material) with -Xmx HEAP.
start_ferry() {
  local heap="$1" passive up budget_line=""
  FERRY_RUN=$((FERRY_RUN + 1))
  FERRY_LOG="$WORK/ferry-$FERRY_RUN.log"
  if [[ -z "${PASSWORD_HASH:-}" ]]; then
    PASSWORD_HASH="$(printf '%s\n' "$PASSWORD" | timeout 60 java -jar "$FERRY_JAR" hash-password)" \
      && [[ "$PASSWORD_HASH" == \$2* ]] || { error "hash-password failed"; return 1; }
  fi
  passive="$(free_port_range 64)" || { error "no free passive port range"; return 1; }
  [[ -n "$MEMORY_BUDGET" ]] && budget_line="  memoryBudget: $MEMORY_BUDGET"
  cat >"$WORK/ferry.yaml" <<EOF
dataDir: $WORK/ferry-data
s3:
  endpoint: $S3_ENDPOINT
  accessKey: $S3_KEY
  secretKey: \${FERRY_BENCH_S3_SECRET}
  createBuckets: true
ftps:
  bindAddress: 127.0.0.1
  port: 0
  implicitPort: -1
  passivePorts: $passive
  allowPlainFtp: false
sftp:
  enabled: false
uploads:
  partSize: 8MiB
  partsInFlight: 4
$budget_line
shutdown:
  grace: 20s
users:
  - name: $USER_NAME
    passwordHash: "$PASSWORD_HASH"
    home: s3://$BUCKET/ferry/
    permissions: [all]
EOF
  FERRY_BENCH_S3_SECRET="$S3_SECRET" "${FERRY_JAVA:-java}" "-Xmx$heap" $(heap_options "$heap") ${FERRY_JAVA_OPTS:-} -jar "$FERRY_JAR" \
    --config "$WORK/ferry.yaml" >"$FERRY_LOG" 2>&1 &
  FERRY_PID=$!
  if ! await_log "$FERRY_PID" "$FERRY_LOG" "Ferry is up"; then
    error "Ferry (-Xmx$heap) did not start: $(tail -n 5 "$FERRY_LOG" | tr '\n' ' ')"
    stop_pid "$FERRY_PID" Ferry 10
    FERRY_PID=""
    return 1
  fi
  up="$(grep "Ferry is up" "$FERRY_LOG")"
  FTP_PORT="$(sed -n 's/.*explicit (AUTH TLS): [0-9.]*:\([0-9]*\).*/\1/p' <<<"$up")"
  log "Ferry -Xmx$heap on 127.0.0.1:$FTP_PORT (pid $FERRY_PID, passive $passive)"
  start_sampler "$FERRY_RUN"
}

stop_ferry() {
  stop_sampler
  stop_pid "$FERRY_PID" Ferry 45
  FERRY_PID=""
}

# jstat every second: the peak of used heap (S0U+S1U+EU+OU) between start and stop.


# Prints "PEAK_USED_MIB PEAK_COMMITTED_MIB" from the jstat samples.
peak_heap() {
  awk '
    $1 == "S0C" { for (i = 1; i <= NF; i++) col[$i] = i; next }
    col["EU"] && $1 ~ /^[0-9.]+$/ {
      used = $col["S0U"] + $col["S1U"] + $col["EU"] + $col["OU"]
      committed = $col["S0C"] + $col["S1C"] + $col["EC"] + $col["OC"]
      if (used > maxu) maxu = used
      if (committed > maxc) maxc = committed
    }
    END { if (maxu > 0) printf "%.0f %.0f", maxu / 1024, maxc / 1024; else print "n/a n/a" }' "$SAMPLES"
}

# memory_report PREFIX: Ferry's VmHWM, peak heap (jstat) and GC.heap_info, into R[PREFIX.*].
memory_report() {
  local prefix="$1" hwm peak info
  hwm="$(peak_rss_whole_mib "$FERRY_PID")"
  R[$prefix.rss]="${hwm:+$hwm MiB}"
  R[$prefix.rss]="${R[$prefix.rss]:-n/a}"
  read -r peak committed <<<"$(peak_heap)"
  R[$prefix.heap]="$peak MiB used (peak, jstat 1 s samples), $committed MiB committed"
  info="$(timeout 30 "$(jdk_tool jcmd)" "$FERRY_PID" GC.heap_info 2>/dev/null | grep -m1 -E 'heap +total' | sed 's/^ *//; s/ \[.*//')"
  R[$prefix.heapinfo]="${info:-n/a}"
  R[$prefix.cpu]="$(ferry_cpu_seconds)"
  log "Ferry memory: VmHWM ${R[$prefix.rss]}; heap ${R[$prefix.heap]}; now: ${R[$prefix.heapinfo]}"
}

ferry_cpu_seconds() {
  awk -v hz="$(getconf CLK_TCK)" '{ printf "%.0f", ($14 + $15) / hz }' "/proc/$FERRY_PID/stat" 2>/dev/null
}

# ---------------------------------------------------------------------------------------------
# Clients

# lftp's defaults, as a user runs it: Ferry does not list MODE Z (ftps.modeZ), so lftp stays in stream
# mode. TLS is lftp's default (1.3); BENCH_LFTP_SSL_PRIORITY (a GnuTLS priority string, e.g.
# NORMAL:-VERS-TLS1.3) pins another.
LFTP_SSL_PRIORITY="${BENCH_LFTP_SSL_PRIORITY:-NORMAL}"
LFTP_SETTINGS="set ssl:verify-certificate no; set ssl:check-hostname no; set ftp:ssl-force yes; \
set ftp:ssl-protect-data yes; set ftp:passive-mode yes; set net:max-retries 1; set net:timeout 120; \
set cmd:fail-exit yes; set xfer:clobber yes; set mirror:use-pget-n 1; \
set ssl:priority $LFTP_SSL_PRIORITY"

lftp_do() {
  HOME="$WORK/home" timeout "$TRANSFER_TIMEOUT_SECONDS" lftp -c \
    "$LFTP_SETTINGS; open -u '$USER_NAME','$PASSWORD' ftp://127.0.0.1:$FTP_PORT; $*" </dev/null
}


# ---------------------------------------------------------------------------------------------
# Sections

prepare_files() {
  local i need avail
  need=$(((SIZE_MB * 6 + SMALL_COUNT * SMALL_MB * 6 + SIZE_MB * STRESS_COUNT * 2) / 1024 + 2))
  avail=$(($(df -Pk "$WORK" | awk 'NR == 2 { print $4 }') / 1024 / 1024))
  log "disk: $(df -h "$WORK" | awk 'NR == 2 { print $4 " free on " $6 }'); this run needs about $need GiB"
  if ((avail < need)); then
    error "only $avail GiB free in $WORK, about $need GiB needed; the memory stress is skipped"
    STRESS_COUNT=0
  fi
  log "writing test files from /dev/urandom: 1 x $SIZE_MB MiB, $SMALL_COUNT x $SMALL_MB MiB"
  mkdir -p "$WORK/small" "$WORK/home"
  head -c "$BIG_BYTES" /dev/urandom >"$WORK/big.bin" || { error "cannot write $WORK/big.bin"; return 1; }
  for ((i = 1; i <= SMALL_COUNT; i++)); do
    head -c "$SMALL_BYTES" /dev/urandom >"$WORK/small/file-$(printf %03d "$i").bin" || return 1
  done
  mkdir -p "$WORK/tiny"
  for ((i = 1; i <= TINY_COUNT; i++)); do
    head -c 1024 /dev/urandom >"$WORK/tiny/t-$(printf %04d "$i").bin" || return 1
  done
  BIG_SHA="$(sha256sum "$WORK/big.bin" | cut -d' ' -f1)"
}

# A JVM runs its hot paths interpreted until the JIT has compiled them; the first transfer of a
# fresh Ferry would measure that warm-up, not Ferry. One untimed round trip of WARMUP_MB first.
warm_up_ferry() {
  local warm="$WORK/warmup.bin"
  head -c $((WARMUP_MB * 1024 * 1024)) "$WORK/big.bin" >"$warm"
  log "warm-up (not timed): $WARMUP_MB MiB up and down through Ferry"
  lftp_do "put $warm -o /warmup.bin; get /warmup.bin -o $DL/warmup-down.bin; rm /warmup.bin" >/dev/null \
    || error "warm-up transfer failed"
  rm -f "$warm" "$DL/warmup-down.bin"
}


# remove_in_ferry DIR: untimed before each repeated mirror -R, which skips files already there.
remove_in_ferry() {
  lftp_do "rm -rf $1" >/dev/null 2>&1 || true
}

section_ferry() {
  log "== (a) $SIZE_MB MiB file through Ferry (lftp, explicit FTPS) =="
  warm_up_ferry
  if MEASURE_CPU_PID="$FERRY_PID" measure big_up_ferry "$BIG_BYTES" \
      "Ferry upload $SIZE_MB MiB" lftp_do "put $WORK/big.bin -o /big.bin"; then
    if MEASURE_CPU_PID="$FERRY_PID" measure big_down_ferry "$BIG_BYTES" "Ferry download $SIZE_MB MiB" \
        lftp_do "get /big.bin -o $DL/big-down.bin"; then
      verify big_down_ferry cmp "$WORK/big.bin" "$DL/big-down.bin"
    fi
    rm -f "$DL/big-down.bin"
    if MEASURE_CPU_PID="$FERRY_PID" measure big_pget_ferry "$BIG_BYTES" "Ferry download $SIZE_MB MiB, pget -n 4" \
        lftp_do "pget -n 4 /big.bin -o $DL/big-down.bin"; then
      verify big_pget_ferry cmp "$WORK/big.bin" "$DL/big-down.bin"
    fi
    rm -f "$DL/big-down.bin"
  fi

  log "== (b) $SMALL_COUNT x $SMALL_MB MiB through Ferry (lftp mirror --parallel=$PARALLEL) =="
  if MEASURE_CPU_PID="$FERRY_PID" MEASURE_BEFORE="remove_in_ferry /small" measure small_up_ferry "$SMALL_TOTAL" "Ferry upload $SMALL_COUNT files" \
      lftp_do "mirror -R --no-perms --no-umask --parallel=$PARALLEL $WORK/small /small"; then
    if MEASURE_CPU_PID="$FERRY_PID" MEASURE_BEFORE="rm -rf $DL/small-down" measure small_down_ferry "$SMALL_TOTAL" "Ferry download $SMALL_COUNT files" \
        lftp_do "mirror --no-perms --parallel=$PARALLEL /small $DL/small-down"; then
      verify small_down_ferry diff -r "$WORK/small" "$DL/small-down"
    fi
    rm -rf "$DL/small-down"
  fi
  if ((TINY_COUNT > 0)); then
    log "== (b2) $TINY_COUNT x 1 KiB through Ferry (lftp mirror --parallel=$PARALLEL): the per-file cost =="
    if MEASURE_CPU_PID="$FERRY_PID" MEASURE_BEFORE="remove_in_ferry /tiny" measure tiny_up_ferry "$TINY_TOTAL" \
        "Ferry upload $TINY_COUNT x 1 KiB" lftp_do "mirror -R --no-perms --no-umask --parallel=$PARALLEL $WORK/tiny /tiny"; then
      if MEASURE_CPU_PID="$FERRY_PID" MEASURE_BEFORE="rm -rf $DL/tiny-down" measure tiny_down_ferry "$TINY_TOTAL" "Ferry download $TINY_COUNT x 1 KiB" \
          lftp_do "mirror --no-perms --parallel=$PARALLEL /tiny $DL/tiny-down"; then
        verify tiny_down_ferry diff -r "$WORK/tiny" "$DL/tiny-down"
      fi
      rm -rf "$DL/tiny-down"
    fi
  fi
  memory_report ferry
}

section_direct() {
  log "== (c) the same files straight to S3Proxy (awscli, default concurrency) =="
  if measure big_up_direct "$BIG_BYTES" "direct upload $SIZE_MB MiB" \
      s3 s3 cp --only-show-errors "$WORK/big.bin" "s3://$BUCKET/direct/big.bin"; then
    if measure big_down_direct "$BIG_BYTES" "direct download $SIZE_MB MiB" \
        s3 s3 cp --only-show-errors "s3://$BUCKET/direct/big.bin" "$DL/big-down.bin"; then
      verify big_down_direct cmp "$WORK/big.bin" "$DL/big-down.bin"
    fi
    rm -f "$DL/big-down.bin"
  fi
  if measure small_up_direct "$SMALL_TOTAL" "direct upload $SMALL_COUNT files" \
      s3 s3 cp --only-show-errors --recursive "$WORK/small" "s3://$BUCKET/direct/small/"; then
    if MEASURE_BEFORE="rm -rf $DL/small-down" measure small_down_direct "$SMALL_TOTAL" "direct download $SMALL_COUNT files" \
        s3 s3 cp --only-show-errors --recursive "s3://$BUCKET/direct/small/" "$DL/small-down/"; then
      verify small_down_direct diff -r "$WORK/small" "$DL/small-down"
    fi
    rm -rf "$DL/small-down"
  fi
  if ((TINY_COUNT > 0)) && measure tiny_up_direct "$TINY_TOTAL" "direct upload $TINY_COUNT x 1 KiB" \
      s3 s3 cp --only-show-errors --recursive "$WORK/tiny" "s3://$BUCKET/direct/tiny/"; then
    if MEASURE_BEFORE="rm -rf $DL/tiny-down" measure tiny_down_direct "$TINY_TOTAL" "direct download $TINY_COUNT x 1 KiB" \
        s3 s3 cp --only-show-errors --recursive "s3://$BUCKET/direct/tiny/" "$DL/tiny-down/"; then
      verify tiny_down_direct diff -r "$WORK/tiny" "$DL/tiny-down"
    fi
    rm -rf "$DL/tiny-down"
  fi
  # Room for the stress run.
  s3 s3 rm --only-show-errors --recursive "s3://$BUCKET/" || error "could not empty the bucket"
}

section_vsftpd() {
  log "== (c2) the same files through vsftpd: FTPS to the local disk, lftp with its defaults =="
  start_vsftpd || return 0
  local pub="$WORK/vsftpd/root/pub"
  if MEASURE_BEFORE="rm -f $pub/big.bin" measure big_up_vsftpd "$BIG_BYTES" "vsftpd upload $SIZE_MB MiB" \
      lftp_vsftpd "put $WORK/big.bin -o /pub/big.bin"; then
    if MEASURE_BEFORE="rm -f $DL/big-down.bin" measure big_down_vsftpd "$BIG_BYTES" "vsftpd download $SIZE_MB MiB" \
        lftp_vsftpd "get /pub/big.bin -o $DL/big-down.bin"; then
      verify big_down_vsftpd cmp "$WORK/big.bin" "$DL/big-down.bin"
    fi
    rm -f "$DL/big-down.bin" "$pub/big.bin"
  fi
  if MEASURE_BEFORE="rm -rf $pub/small" measure small_up_vsftpd "$SMALL_TOTAL" "vsftpd upload $SMALL_COUNT files" \
      lftp_vsftpd "mirror -R --no-perms --no-umask --parallel=$PARALLEL $WORK/small /pub/small"; then
    if MEASURE_BEFORE="rm -rf $DL/small-down" measure small_down_vsftpd "$SMALL_TOTAL" \
        "vsftpd download $SMALL_COUNT files" lftp_vsftpd "mirror --no-perms --parallel=$PARALLEL /pub/small $DL/small-down"; then
      verify small_down_vsftpd diff -r "$WORK/small" "$DL/small-down"
    fi
    rm -rf "$DL/small-down" "$pub/small"
  fi
  if ((TINY_COUNT > 0)) && MEASURE_BEFORE="rm -rf $pub/tiny" measure tiny_up_vsftpd "$TINY_TOTAL" \
      "vsftpd upload $TINY_COUNT x 1 KiB" lftp_vsftpd "mirror -R --no-perms --no-umask --parallel=$PARALLEL $WORK/tiny /pub/tiny"; then
    if MEASURE_BEFORE="rm -rf $DL/tiny-down" measure tiny_down_vsftpd "$TINY_TOTAL" "vsftpd download $TINY_COUNT x 1 KiB" \
        lftp_vsftpd "mirror --no-perms --parallel=$PARALLEL /pub/tiny $DL/tiny-down"; then
      verify tiny_down_vsftpd diff -r "$WORK/tiny" "$DL/tiny-down"
    fi
    rm -rf "$DL/tiny-down"
  fi
  stop_pid "$VSFTPD_PID" vsftpd 10
  VSFTPD_PID=
}

# Size and SHA-256 of one stressed object: the bytes read back from S3 with awscli and hashed.
check_stress_object() {
  local key="$1" size sha
  size="$(s3 s3api head-object --bucket "$BUCKET" --key "$key" --query ContentLength --output text 2>/dev/null)"
  [[ "$size" == "$BIG_BYTES" ]] || { echo "size ${size:-missing}, expected $BIG_BYTES"; return 1; }
  sha="$(s3 s3 cp --only-show-errors "s3://$BUCKET/$key" - | sha256sum | cut -d' ' -f1)"
  [[ "$sha" == "$BIG_SHA" ]] && { echo "download"; return 0; }
  echo "SHA-256 of the bytes $sha, expected $BIG_SHA"
  return 1
}

section_stress() {
  local i start seconds pids=() failed=0 sizes_ok=0 sha_ok=0 how
  if ((STRESS_COUNT <= 0)); then
    R[stress]="skipped"
    return 0
  fi
  log "== (d) memory stress: Ferry -Xmx$STRESS_HEAP, $STRESS_COUNT parallel $SIZE_MB MiB uploads =="
  stop_ferry
  store_on_disk || { R[stress]="error: S3Proxy did not start on disk"; return 1; }
  start_ferry "$STRESS_HEAP" || { R[stress]="error: Ferry did not start"; return 1; }
  lftp_do "mkdir -p /stress" >/dev/null 2>&1 || error "mkdir /stress failed"
  start="$(now)"
  for ((i = 1; i <= STRESS_COUNT; i++)); do
    lftp_do "put $WORK/big.bin -o /stress/big-$i.bin" >"$WORK/stress-$i.out" 2>&1 &
    pids+=($!)
  done
  for i in "${!pids[@]}"; do
    if ! wait "${pids[$i]}"; then
      failed=$((failed + 1))
      error "stress upload $((i + 1)) failed: $(tail -n 2 "$WORK/stress-$((i + 1)).out" | tr '\n' ' ')"
    fi
  done
  seconds="$(elapsed "$start")"
  R[stress.s]="$seconds"
  R[stress]="$(mb_per_s $((STRESS_COUNT * BIG_BYTES)) "$seconds")"
  log "stress: $STRESS_COUNT x $SIZE_MB MiB in $seconds s = ${R[stress]} MB/s aggregate; $failed lftp failures"
  memory_report stress
  R[stress.failed]="$failed"
  for ((i = 1; i <= STRESS_COUNT; i++)); do
    if how="$(check_stress_object "ferry/stress/big-$i.bin")"; then
      sizes_ok=$((sizes_ok + 1))
      sha_ok=$((sha_ok + 1))
    else
      [[ "$how" == size* ]] || sizes_ok=$((sizes_ok + 1))
      error "stress object big-$i.bin: $how"
    fi
  done
  R[stress.sizes]="$sizes_ok/$STRESS_COUNT"
  R[stress.sha]="$sha_ok/$STRESS_COUNT"
  R[stress.how]="by reading the bytes back"
  if grep -q "OutOfMemoryError" "$WORK"/ferry-*.log; then
    R[stress.oom]="YES"
    error "OutOfMemoryError in Ferry's log: $(grep -m1 OutOfMemoryError "$WORK"/ferry-*.log)"
  else
    R[stress.oom]="none"
  fi
  local uploads
  uploads="$(s3 s3api list-multipart-uploads --bucket "$BUCKET" --query 'length(Uploads || `[]`)' --output text)"
  R[stress.mpu]="${uploads:-?}"
}

# files_per_s KEY: a tiny-file row in files per second (its median run's time).
files_per_s() {
  if [[ -n "${R[$1.s]:-}" ]]; then
    awk -v n="$TINY_COUNT" -v s="${R[$1.s]}" 'BEGIN { printf "%.0f", n / s }'
  else
    echo n/a
  fi
}

print_table() {
  local fmt="%-40s %10s %10s %10s %8s %9s %6s | %11s %9s\n"
  echo
  echo "================================ Ferry benchmark ================================"
  echo "$(date -u +%Y-%m-%dT%H:%M:%SZ)  $(nproc) CPUs, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo) RAM;" \
    "Ferry on $("${FERRY_JAVA:-java}" -version 2>&1 | head -n 1); S3Proxy $S3PROXY_VERSION (filesystem) on loopback"
  echo "Ferry: -Xmx$FERRY_HEAP, partSize 8MiB, partsInFlight 4, memoryBudget ${MEMORY_BUDGET:-default (2/5 of heap)}"
  echo "lftp $(lftp --version | head -n 1 | awk '{ print $4 }') with its defaults: explicit FTPS, PROT P, MODE S," \
    "ssl:priority $LFTP_SSL_PRIORITY"
  echo "MB/s = 10^6 bytes per second, wall clock; direct = awscli $("$AWS" --version 2>/dev/null | cut -d' ' -f1);" \
    "vsftpd = $(dpkg-query -W -f '${Version}' vsftpd 2>/dev/null || echo n/a), FTPS to the local disk"
  echo
  printf "$fmt" "transfer" "Ferry" "direct" "vsftpd" "F/direct" "F/vsftpd" "bytes" "Ferry CPU" "Ferry RSS"
  # row LABEL KEY CHECK: Ferry, direct and vsftpd side by side, in MB/s (files/s for the tiny_ rows).
  row() {
    local label="$1" key="$2" check="$3" f d v
    if [[ "$key" == tiny_* ]]; then
      f="$(files_per_s "${key}_ferry")" d="$(files_per_s "${key}_direct")" v="$(files_per_s "${key}_vsftpd")"
    else
      f="${R[${key}_ferry]:--}" d="${R[${key}_direct]:--}" v="${R[${key}_vsftpd]:--}"
    fi
    printf "$fmt" "$label" "$f" "$d" "$v" "$(ratio "$f" "$d")" "$(ratio "$f" "$v")" "$check" \
      "${R[${key}_ferry.cpu]:+${R[${key}_ferry.cpu]} s/GiB}" "${R[${key}_ferry.rss]:+${R[${key}_ferry.rss]} MiB}"
  }
  row "$SIZE_MB MiB upload, MB/s" big_up "-"
  row "$SIZE_MB MiB download, MB/s" big_down "${R[big_down_ferry.ok]:--}/${R[big_down_direct.ok]:--}"
  echo "  Ferry CPU per GiB (median): upload ${R[big_up_ferry.cpu]:-?} s, download ${R[big_down_ferry.cpu]:-?} s"
  printf "$fmt" "$SIZE_MB MiB download (lftp pget -n 4)" "${R[big_pget_ferry]:--}" "${R[big_down_direct]:--}" "" \
    "$(ratio "${R[big_pget_ferry]:-}" "${R[big_down_direct]:-}")" "" "${R[big_pget_ferry.ok]:--}" \
    "${R[big_pget_ferry.cpu]:+${R[big_pget_ferry.cpu]} s/GiB}" "${R[big_pget_ferry.rss]:+${R[big_pget_ferry.rss]} MiB}"
  row "$SMALL_COUNT x $SMALL_MB MiB upload (parallel $PARALLEL)" small_up "-"
  row "$SMALL_COUNT x $SMALL_MB MiB download (parallel $PARALLEL)" small_down \
    "${R[small_down_ferry.ok]:--}/${R[small_down_direct.ok]:--}"
  if ((TINY_COUNT > 0)); then
    row "$TINY_COUNT x 1 KiB upload, files/s" tiny_up "-"
    row "$TINY_COUNT x 1 KiB download, files/s" tiny_down "${R[tiny_down_ferry.ok]:--}/${R[tiny_down_direct.ok]:--}"
  fi
  echo "  many files against one (the 0.9 target): Ferry $SMALL_COUNT x $SMALL_MB MiB / $SIZE_MB MiB:" \
    "up $(ratio "${R[small_up_ferry]:-}" "${R[big_up_ferry]:-}"), down $(ratio "${R[small_down_ferry]:-}" "${R[big_down_ferry]:-}");" \
    "vsftpd up $(ratio "${R[small_up_vsftpd]:-}" "${R[big_up_vsftpd]:-}"), down $(ratio "${R[small_down_vsftpd]:-}" "${R[big_down_vsftpd]:-}")"
  echo
  echo "Ferry -Xmx$FERRY_HEAP after (a)+(b): peak RSS (VmHWM) ${R[ferry.rss]:-n/a}; heap ${R[ferry.heap]:-n/a};" \
    "CPU ${R[ferry.cpu]:-?} s"
  echo "  jcmd GC.heap_info at the end: ${R[ferry.heapinfo]:-n/a}"
  echo
  if [[ "${R[stress]:-}" == skipped ]]; then
    echo "memory stress: skipped"
  else
    echo "memory stress, Ferry -Xmx$STRESS_HEAP: $STRESS_COUNT parallel lftp uploads of $SIZE_MB MiB"
    echo "  time ${R[stress.s]:-?} s, aggregate ${R[stress]:-?} MB/s, lftp failures ${R[stress.failed]:-?}"
    echo "  objects with the right size ${R[stress.sizes]:-?}, right SHA-256 ${R[stress.sha]:-?}" \
      "(checked by: ${R[stress.how]:-none}), open multipart uploads after: ${R[stress.mpu]:-?}"
    echo "  OutOfMemoryError in Ferry's log: ${R[stress.oom]:-?}"
    echo "  peak RSS (VmHWM) ${R[stress.rss]:-n/a}; heap ${R[stress.heap]:-n/a}; CPU ${R[stress.cpu]:-?} s"
    echo "  jcmd GC.heap_info at the end: ${R[stress.heapinfo]:-n/a}"
  fi
  echo
  if ((${#ERRORS[@]} == 0)); then
    echo "errors: none"
  else
    echo "errors (${#ERRORS[@]}):"
    printf '  - %s\n' "${ERRORS[@]}"
  fi
  echo "================================================================================="
}

main() {
  start_run ferry-bench
  download_dir ferry-bench $((SIZE_MB + SMALL_COUNT * SMALL_MB))
  # Ferry's rows and direct S3's hold the large file and the small ones twice; the bucket is emptied
  # before the stress, which writes to disk.
  store_in_memory ferry-bench $((2 * (SIZE_MB + SMALL_COUNT * SMALL_MB) + 1024))
  if prepare_files && start_s3proxy; then
    if start_ferry "$FERRY_HEAP"; then
      section_ferry
    fi
    section_direct
    section_vsftpd
    section_stress
  fi
  stop_ferry
  print_table
  ((${#ERRORS[@]} == 0))
}

main "$@"
