#!/usr/bin/env bash
# Malware scanning benchmark (a measurement, not a test). In one run, on loopback, over S3Proxy:
# lftp and OpenSSH's sftp (their defaults) upload the same file to a folder Ferry scans (scan:,
# a local clamd over its unix socket) and to one it does not; clamd's own throughput on the same
# file (clamdscan --stream: one INSTREAM, what Ferry sends) is the ceiling of the scanned rows.
# Each row prints MB/s and Ferry's CPU seconds per GiB, medians of BENCH_REPEAT runs.
#
#   bench/bench-scan.sh          (after: mvn -q -DskipTests package; needs clamav-daemon)
#
# Knobs (environment): BENCH_SIZE_MB=1024, BENCH_REPEAT=3, FERRY_HEAP=1g, FERRY_JAR, S3PROXY_JAR,
# BENCH_KEEP=1.
set -uo pipefail

REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
FERRY_JAR="${FERRY_JAR:-$REPO_DIR/gateway-server/target/ferry.jar}"
SIZE_MB="${BENCH_SIZE_MB:-1024}"
FERRY_HEAP="${FERRY_HEAP:-1g}"
BENCH_REPEAT="${BENCH_REPEAT:-3}"
AWS=/usr/bin/aws
TOTAL_TIMEOUT_SECONDS=3600
TRANSFER_TIMEOUT_SECONDS=900
START_TIMEOUT_SECONDS=90
export LC_ALL=C.UTF-8
BYTES=$((SIZE_MB * 1024 * 1024))
BUCKET=bench
S3_KEY=benchaccess
S3_SECRET="$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 24)"
PASSWORD="$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 20)"

# shellcheck source=lib.sh
source "$REPO_DIR/bench/lib.sh"

# clamd as a plain process with a one-signature database made here (no freshclam), limits raised
# so that it reads the whole file: StreamMaxLength over the file, MaxFileSize and MaxScanSize too.
start_clamd() {
  mkdir -p "$WORK/clamd/db" "$WORK/clamd/tmp"
  printf 'Ferry.Bench.Marker:0:*:%s\n' "$(printf 'FERRY-SCAN-BENCH-MARKER' | od -An -tx1 | tr -d ' \n')" \
    >"$WORK/clamd/db/bench.ndb"
  local limit=$((SIZE_MB * 2 + 64))
  cat >"$WORK/clamd/clamd.conf" <<EOF2
Foreground yes
LocalSocket $WORK/clamd/clamd.sock
DatabaseDirectory $WORK/clamd/db
TemporaryDirectory $WORK/clamd/tmp
StreamMaxLength ${limit}M
MaxFileSize ${limit}M
MaxScanSize ${limit}M
PidFile $WORK/clamd/clamd.pid
EOF2
  /usr/sbin/clamd -c "$WORK/clamd/clamd.conf" >"$WORK/clamd/clamd.log" 2>&1 &
  CLAMD_PID=$!
  local deadline=$((SECONDS + START_TIMEOUT_SECONDS))
  until [[ -S "$WORK/clamd/clamd.sock" ]]; do
    ((SECONDS < deadline)) && kill -0 "$CLAMD_PID" 2>/dev/null || { error "clamd did not start"; return 1; }
    sleep 0.2
  done
  log "clamd on $WORK/clamd/clamd.sock (pid $CLAMD_PID)"
}

start_ferry() {
  FERRY_LOG="$WORK/ferry.log"
  PASSWORD_HASH="$(printf '%s\n' "$PASSWORD" | timeout 60 java -jar "$FERRY_JAR" hash-password)" \
    && [[ "$PASSWORD_HASH" == \$2* ]] || { error "hash-password failed"; return 1; }
  cat >"$WORK/ferry.yaml" <<EOF2
$(ferry_yaml_store)
$(ferry_yaml_listeners)
shutdown:
  grace: 5s
scan:
  clamd: unix:$WORK/clamd/clamd.sock
  match: { path: "/scanned/**" }
  maxSize: $((SIZE_MB * 2))MiB
  timeout: 120s
users:
  - name: bench
    passwordHash: "$PASSWORD_HASH"
    home: s3://$BUCKET/bench/
    permissions: [all]
    publicKeys: ["$(cat "$WORK/id_ed25519.pub")"]
EOF2
  launch_ferry || return 1
  ferry_ports
}

ftp() {
  HOME="$WORK/home" timeout "$TRANSFER_TIMEOUT_SECONDS" lftp -c "set cmd:fail-exit yes; set ssl:verify-certificate no;
    open -u 'bench','$PASSWORD' ftp://127.0.0.1:$FERRY_FTP_PORT; $1"
}

lftp_put() { ftp "mkdir -p -f $1; put $WORK/file.bin -o $1/up.bin"; }
sftp_put() { ferry_sftp bench "-mkdir $1
put $WORK/file.bin $1/up-sftp.bin"; }
clamd_alone() {
  local out
  out="$(clamdscan --config-file="$WORK/clamd/clamd.conf" --stream --no-summary "$WORK/file.bin" 2>&1)"
  [[ "$out" == *": OK" ]] || { echo "clamdscan: $out"; return 1; }
}

report() {
  echo
  echo "=================================================================================================="
  echo "Malware scanning: a $SIZE_MB MiB file, medians of $BENCH_REPEAT runs, CPU s per GiB of the process named"
  printf '%-52s %10s %10s %14s\n' "upload" "seconds" "MB/s" "CPU s/GiB"
  local key
  for key in ftps.plain ftps.scanned sftp.plain sftp.scanned clamd; do
    [[ -n "${R[$key.s]:-}" ]] || continue
    printf '%-52s %10s %10s %14s\n' "${LABEL[$key]}" "${R[$key.s]}" "${R[$key]}" "${R[$key.cpu]:-}"
  done
  echo "scanned/plain: FTPS $(ratio "${R[ftps.scanned]:-}" "${R[ftps.plain]:-}"), SFTP" \
    "$(ratio "${R[sftp.scanned]:-}" "${R[sftp.plain]:-}"); scanned/clamd alone: FTPS" \
    "$(ratio "${R[ftps.scanned]:-}" "${R[clamd]:-}"), SFTP $(ratio "${R[sftp.scanned]:-}" "${R[clamd]:-}")"
  if ((${#ERRORS[@]} > 0)); then
    echo "Errors:"
    printf '  - %s\n' "${ERRORS[@]}"
  fi
  echo "=================================================================================================="
}

declare -A LABEL=(
  [ftps.plain]="lftp put, not scanned (Ferry CPU)"
  [ftps.scanned]="lftp put, scanned (Ferry CPU)"
  [sftp.plain]="OpenSSH sftp put, not scanned (Ferry CPU)"
  [sftp.scanned]="OpenSSH sftp put, scanned (Ferry CPU)"
  [clamd]="clamdscan --stream of the file, clamd alone (clamd CPU)")

main() {
  start_run ferry-bench-scan
  export WORK
  trap cleanup EXIT
  mkdir -p "$WORK/home"
  ssh-keygen -q -t ed25519 -N '' -f "$WORK/id_ed25519"
  head -c "$BYTES" /dev/urandom >"$WORK/file.bin"
  if start_clamd && start_s3proxy && start_ferry; then
    MEASURE_CPU_PID="$FERRY_PID" measure ftps.plain "$BYTES" "${LABEL[ftps.plain]}" lftp_put plain
    MEASURE_CPU_PID="$FERRY_PID" measure ftps.scanned "$BYTES" "${LABEL[ftps.scanned]}" lftp_put scanned
    MEASURE_CPU_PID="$FERRY_PID" measure sftp.plain "$BYTES" "${LABEL[sftp.plain]}" sftp_put plain
    MEASURE_CPU_PID="$FERRY_PID" measure sftp.scanned "$BYTES" "${LABEL[sftp.scanned]}" sftp_put scanned
    MEASURE_CPU_PID="$CLAMD_PID" measure clamd "$BYTES" "${LABEL[clamd]}" clamd_alone
  fi
  stop_pid "${CLAMD_PID:-}" clamd 10
  report
}

main "$@"
