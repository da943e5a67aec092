#!/usr/bin/env bash
# Renames across S3 services benchmark (a measurement, not a test). In one run, on loopback: two
# S3Proxy processes with keys of their own, one as Ferry's s3: service and one as a storage of
# storages:, and a user whose folder /archive is on the second. Rows, medians of BENCH_REPEAT runs:
#   - OpenSSH sftp's rename of a BENCH_SIZE_MB file from the home into /archive: Ferry reads the
#     first service and writes the second (8-16 MiB parts, two at a time, each hashed for its
#     Content-MD5);
#   - the same rename inside the home, one CopyObject on one service, for reference;
#   - the ceiling: awscli streaming the object from the first service into the second
#     (aws s3 cp s3://... - | aws s3 cp - s3://...), the way an operator would move it by hand.
# The Ferry rows include sftp's start, handshake and login.
#
#   bench/bench-storages.sh          (after: mvn -q -DskipTests package)
#
# Knobs (environment): BENCH_SIZE_MB=256, BENCH_REPEAT=3, FERRY_HEAP=1g, FERRY_JAR, S3PROXY_JAR,
# BENCH_KEEP=1.
set -uo pipefail

REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
FERRY_JAR="${FERRY_JAR:-$REPO_DIR/gateway-server/target/ferry.jar}"
SIZE_MB="${BENCH_SIZE_MB:-256}"
FERRY_HEAP="${FERRY_HEAP:-1g}"
BENCH_REPEAT="${BENCH_REPEAT:-3}"
AWS=/usr/bin/aws
TOTAL_TIMEOUT_SECONDS=1800
TRANSFER_TIMEOUT_SECONDS=600
START_TIMEOUT_SECONDS=90
export LC_ALL=C.UTF-8
BYTES=$((SIZE_MB * 1024 * 1024))
BUCKET=bench
ARCHIVE_BUCKET=archive
S3_KEY=benchaccess
S3_SECRET="$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 24)"
ARCHIVE_KEY=archiveaccess
ARCHIVE_SECRET="$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 24)"

# shellcheck source=lib.sh
source "$REPO_DIR/bench/lib.sh"

# The second S3Proxy: another data directory, port and keys (ARCHIVE_ENDPOINT, ARCHIVE_PID).
start_archive_s3proxy() {
  launch_s3proxy archive "$ARCHIVE_KEY" "$ARCHIVE_SECRET" || return 1
  ARCHIVE_ENDPOINT="$LAUNCHED_ENDPOINT"
  ARCHIVE_PID="$LAUNCHED_PID"
  archive_s3 s3 mb "s3://$ARCHIVE_BUCKET" >/dev/null || { error "could not create bucket $ARCHIVE_BUCKET"; return 1; }
}

archive_s3() {
  env -u AWS_CA_BUNDLE -u AWS_PROFILE AWS_ACCESS_KEY_ID="$ARCHIVE_KEY" AWS_SECRET_ACCESS_KEY="$ARCHIVE_SECRET" \
    AWS_CONFIG_FILE="$WORK/aws-config" AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_PAGER="" \
    timeout "$TRANSFER_TIMEOUT_SECONDS" "$AWS" --endpoint-url "$ARCHIVE_ENDPOINT" "$@"
}

start_ferry() {
  FERRY_LOG="$WORK/ferry.log"
  cat >"$WORK/ferry.yaml" <<EOF2
$(ferry_yaml_store)
$(ferry_yaml_listeners)
shutdown:
  grace: 5s
storages:
  - name: archive
    endpoint: $ARCHIVE_ENDPOINT
    accessKey: $ARCHIVE_KEY
    secretKey: $ARCHIVE_SECRET
users:
  - name: mover
    home: s3://$BUCKET/mover/
    permissions: [all]
    publicKeys: ["$(cat "$WORK/id_ed25519.pub")"]
    folders:
      - path: /archive
        target: s3://$ARCHIVE_BUCKET/mover/
        storage: archive
        permissions: [all]
EOF2
  launch_ferry || return 1
  ferry_ports
}

# Before each run: the file back in the home, and nothing under the targets.
place_file() {
  s3 s3 cp --quiet "$WORK/file.bin" "s3://$BUCKET/mover/big.bin" >/dev/null
  s3 s3 rm --quiet "s3://$BUCKET/mover/renamed.bin" >/dev/null 2>&1
  archive_s3 s3 rm --quiet "s3://$ARCHIVE_BUCKET/mover/big.bin" >/dev/null 2>&1
  archive_s3 s3 rm --quiet "s3://$ARCHIVE_BUCKET/piped.bin" >/dev/null 2>&1
}

across() { ferry_sftp mover "rename /big.bin /archive/big.bin"; }
inside() { ferry_sftp mover "rename /big.bin /renamed.bin"; }
piped() {
  s3 s3 cp "s3://$BUCKET/mover/big.bin" - | archive_s3 s3 cp - "s3://$ARCHIVE_BUCKET/piped.bin"
}

# The moved bytes are the file's: its SHA-256 against the one written.
check_moved() {
  local got
  got="$(archive_s3 s3 cp "s3://$ARCHIVE_BUCKET/mover/big.bin" - | sha256sum | cut -d' ' -f1)"
  [[ "$got" == "$FILE_SHA256" ]] || { error "the renamed object's SHA-256 is $got, not $FILE_SHA256"; return 1; }
  log "s3://$ARCHIVE_BUCKET/mover/big.bin on the second service: exact"
}

report() {
  echo
  echo "=================================================================================================="
  echo "Renames across S3 services: a $SIZE_MB MiB file, two S3Proxy processes on loopback; medians of $BENCH_REPEAT runs"
  printf '%-74s %9s %9s %11s %9s\n' "row" "seconds" "MB/s" "CPU s/GiB" "of pipe"
  local key
  for key in across inside piped; do
    [[ -n "${R[$key.s]:-}" ]] || continue
    printf '%-74s %9s %9s %11s %9s\n' "${LABEL[$key]}" "${R[$key.s]}" "${R[$key]}" "${R[$key.cpu]:-}" \
      "$( [[ -n "${R[piped]:-}" && "${R[$key]}" != error ]] && ratio "${R[$key]}" "${R[piped]}")"
  done
  echo "(CPU: Ferry's own; of pipe: the row's MB/s over the awscli pipe's)"
  if ((${#ERRORS[@]} > 0)); then
    echo "Errors:"
    printf '  - %s\n' "${ERRORS[@]}"
  fi
  echo "=================================================================================================="
}

declare -A LABEL=(
  [across]="Ferry: OpenSSH sftp rename, home -> /archive on the second service"
  [inside]="Ferry: OpenSSH sftp rename inside the home (CopyObject, one service)"
  [piped]="ceiling: aws s3 cp first - | aws s3 cp - second (no Ferry)")

main() {
  start_run ferry-bench-storages
  export WORK
  trap 'status=$?; stop_pid "${ARCHIVE_PID:-}" "second S3Proxy" 20; (exit $status); cleanup' EXIT
  mkdir -p "$WORK/home"
  ssh-keygen -q -t ed25519 -N '' -f "$WORK/id_ed25519"
  head -c "$BYTES" /dev/urandom >"$WORK/file.bin"
  FILE_SHA256="$(sha256sum "$WORK/file.bin" | cut -d' ' -f1)"
  if start_s3proxy && start_archive_s3proxy && start_ferry; then
    MEASURE_BEFORE=place_file
    MEASURE_CPU_PID="$FERRY_PID" measure across "$BYTES" "${LABEL[across]}" across && check_moved
    MEASURE_CPU_PID="$FERRY_PID" measure inside "$BYTES" "${LABEL[inside]}" inside
    measure piped "$BYTES" "${LABEL[piped]}" piped
  fi
  report
}

main "$@"
