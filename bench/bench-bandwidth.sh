#!/usr/bin/env bash
# Bandwidth limits benchmark (a measurement, not a test). In one run, on loopback, over S3Proxy,
# with lftp and OpenSSH's sftp at their defaults: a user limited by users[].bandwidth uploads and
# downloads a file, alone and while another user without a limit moves the same file at the same
# moment; each row prints the rate the client saw against the limit (medians of BENCH_REPEAT runs),
# and the rate of the transfer alone, less the client's start, handshake and login (the median time
# of a login that transfers nothing, measured the same way).
#
#   bench/bench-bandwidth.sh          (after: mvn -q -DskipTests package)
#
# Knobs (environment): BENCH_SIZE_MB=64, BENCH_UP=8MiB (the limited user's up rate, per second),
# BENCH_DOWN=16MiB, BENCH_REPEAT=3, FERRY_HEAP=1g, FERRY_JAR, S3PROXY_JAR, BENCH_KEEP=1.
set -uo pipefail

REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
FERRY_JAR="${FERRY_JAR:-$REPO_DIR/gateway-server/target/ferry.jar}"
SIZE_MB="${BENCH_SIZE_MB:-64}"
UP="${BENCH_UP:-8MiB}"
DOWN="${BENCH_DOWN:-16MiB}"
FERRY_HEAP="${FERRY_HEAP:-1g}"
BENCH_REPEAT="${BENCH_REPEAT:-3}"
AWS=/usr/bin/aws
TOTAL_TIMEOUT_SECONDS=1800
TRANSFER_TIMEOUT_SECONDS=600
START_TIMEOUT_SECONDS=90
export LC_ALL=C.UTF-8
BYTES=$((SIZE_MB * 1024 * 1024))
BUCKET=bench
S3_KEY=benchaccess
S3_SECRET="$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 24)"
PASSWORD="$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 20)"

# shellcheck source=lib.sh
source "$REPO_DIR/bench/lib.sh"

rate_bytes() { # 8MiB -> bytes
  awk -v t="$1" 'BEGIN { n = t + 0; u = substr(t, length(n "") + 1); m = 1;
    if (u ~ /^K/) m = 1024; else if (u ~ /^M/) m = 1048576; else if (u ~ /^G/) m = 1073741824; printf "%d", n * m }'
}
UP_BYTES="$(rate_bytes "$UP")"
DOWN_BYTES="$(rate_bytes "$DOWN")"

start_ferry() {
  FERRY_LOG="$WORK/ferry.log"
  PASSWORD_HASH="$(printf '%s\n' "$PASSWORD" | timeout 60 java -jar "$FERRY_JAR" hash-password)" \
    && [[ "$PASSWORD_HASH" == \$2* ]] || { error "hash-password failed"; return 1; }
  cat >"$WORK/ferry.yaml" <<EOF2
$(ferry_yaml_store)
$(ferry_yaml_listeners)
shutdown:
  grace: 5s
users:
  - name: limited
    passwordHash: "$PASSWORD_HASH"
    home: s3://$BUCKET/limited/
    permissions: [all]
    publicKeys: ["$(cat "$WORK/id_ed25519.pub")"]
    bandwidth: { up: $UP/s, down: $DOWN/s }
  - name: free
    passwordHash: "$PASSWORD_HASH"
    home: s3://$BUCKET/free/
    permissions: [all]
    publicKeys: ["$(cat "$WORK/id_ed25519.pub")"]
EOF2
  launch_ferry || return 1
  ferry_ports
}

ftp() { # USER COMMANDS
  HOME="$WORK/home" timeout "$TRANSFER_TIMEOUT_SECONDS" lftp -c "set cmd:fail-exit yes; set ssl:verify-certificate no;
    open -u '$1','$PASSWORD' ftp://127.0.0.1:$FERRY_FTP_PORT; $2"
}


# row KEY LABEL LIMIT_BYTES COMMAND...: the median rate of COMMAND against the limit, raw and less
# the login baseline R[KEY.login] (set before).
row() {
  local key="$1" label="$2" limit="$3"
  shift 3
  measure "$key" "$BYTES" "$label" "$@" || return 1
  local seconds="${R[$key.s]}" login="${R[${key%%.*}.login]}"
  R[$key.mibs]="$(awk -v b="$BYTES" -v s="$seconds" 'BEGIN { printf "%.2f", b / 1048576 / s }')"
  R[$key.net]="$(awk -v b="$BYTES" -v s="$seconds" -v l="$login" 'BEGIN { printf "%.2f", b / 1048576 / (s - l) }')"
  R[$key.ratio]="$(awk -v b="$BYTES" -v s="$seconds" -v l="$login" -v lim="$limit" \
    'BEGIN { printf "%.3f", (b / (s - l)) / lim }')"
}

# With the other user moving the same file at the same moment (the free user's run is timed apart).
beside() { # COMMAND-OF-LIMITED COMMAND-OF-FREE
  $2 >"$WORK/free.out" 2>&1 &
  local free_pid=$!
  $1
  local status=$?
  wait "$free_pid"
  return "$status"
}

login_baseline() { # KEY COMMAND...
  local times=() start run
  for run in $(seq 1 "$BENCH_REPEAT"); do
    start="$(now)"
    "${@:2}" >/dev/null 2>&1 || { error "login baseline $1 failed"; return 1; }
    times+=("$(elapsed "$start")")
  done
  R[$1.login]="$(median_of "${times[@]}")"
  log "$1: a login that moves nothing takes ${R[$1.login]} s (median)"
}

lftp_put() { ftp "$1" "put $WORK/file.bin -o up.bin"; }
lftp_get() { rm -f "$WORK/down-$1.bin"; ftp "$1" "get up.bin -o $WORK/down-$1.bin"; }
sftp_put() { ferry_sftp "$1" "put $WORK/file.bin up-sftp.bin"; }
sftp_get() { ferry_sftp "$1" "get up-sftp.bin $WORK/down-sftp-$1.bin"; }

report() {
  echo
  echo "=================================================================================================="
  echo "Bandwidth limits: a $SIZE_MB MiB file, limited user up $UP/s, down $DOWN/s; medians of $BENCH_REPEAT runs"
  printf '%-58s %10s %10s %14s %8s\n' "transfer" "seconds" "MiB/s" "MiB/s - login" "ratio"
  local key
  for key in ftps.up ftps.up.beside ftps.down sftp.up sftp.up.beside sftp.down ftps.free sftp.free; do
    [[ -n "${R[$key.s]:-}" ]] || continue
    printf '%-58s %10s %10s %14s %8s\n' "${LABEL[$key]}" "${R[$key.s]}" "${R[$key.mibs]}" "${R[$key.net]}" \
      "${R[$key.ratio]:-}"
  done
  echo "(ratio: the rate less the login, over the limit; the free user's rows over the limited user's limit)"
  if ((${#ERRORS[@]} > 0)); then
    echo "Errors:"
    printf '  - %s\n' "${ERRORS[@]}"
  fi
  echo "=================================================================================================="
}

declare -A LABEL=(
  [ftps.up]="lftp put, limited user, alone"
  [ftps.up.beside]="lftp put, limited user, a free user's put at once"
  [ftps.down]="lftp get, limited user"
  [sftp.up]="OpenSSH sftp put, limited user, alone"
  [sftp.up.beside]="OpenSSH sftp put, limited user, a free user's put at once"
  [sftp.down]="OpenSSH sftp get, limited user"
  [ftps.free]="lftp put, the free user (no limit)"
  [sftp.free]="OpenSSH sftp put, the free user (no limit)")

main() {
  start_run ferry-bench-bandwidth
  export WORK
  trap cleanup EXIT
  mkdir -p "$WORK/home"
  ssh-keygen -q -t ed25519 -N '' -f "$WORK/id_ed25519"
  head -c "$BYTES" /dev/urandom >"$WORK/file.bin"
  if start_s3proxy && start_ferry; then
    login_baseline ftps ftp limited "ls"
    login_baseline sftp ferry_sftp limited "ls"
    R[ftps.free.login]="${R[ftps.login]}"
    row ftps.up "${LABEL[ftps.up]}" "$UP_BYTES" lftp_put limited
    row ftps.free "${LABEL[ftps.free]}" "$UP_BYTES" lftp_put free
    row ftps.up.beside "${LABEL[ftps.up.beside]}" "$UP_BYTES" beside "lftp_put limited" "lftp_put free"
    row ftps.down "${LABEL[ftps.down]}" "$DOWN_BYTES" lftp_get limited
    row sftp.up "${LABEL[sftp.up]}" "$UP_BYTES" sftp_put limited
    row sftp.free "${LABEL[sftp.free]}" "$UP_BYTES" sftp_put free
    row sftp.up.beside "${LABEL[sftp.up.beside]}" "$UP_BYTES" beside "sftp_put limited" "sftp_put free"
    row sftp.down "${LABEL[sftp.down]}" "$DOWN_BYTES" sftp_get limited
  fi
  report
}

main "$@"
