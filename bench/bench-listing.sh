#!/usr/bin/env bash
# Listing benchmark (a measurement, not a test): one directory of BENCH_LIST_COUNT=10,000 files that
# carry a client-set time, listed through Ferry with OpenSSH sftp `ls -l` and lftp `cls -l` (MLSD),
# in one run on loopback over S3Proxy:
#   (a) HEAD per file: Ferry's catalog has no entry for the files (another S3 tool wrote them with
#       x-amz-meta-mtime), so the listing asks S3 about each file, as every listing with client
#       times did before the catalog; each run starts Ferry on an empty state store
#   (b) catalog: the same listings again, the times read from the catalog one page at a time
#   (c) listings.clientTimes: false, S3's LastModified (no per-file work): the floor for Ferry
#   (d) awscli `s3 ls` of the prefix straight from S3Proxy (ListObjectsV2 pages): the S3 ceiling
# Every row is a median of BENCH_REPEAT=3; every listing is checked to show all files with the
# client's year.
#
# Under load (BENCH_LOAD="SFTP_SESSIONS FTPS_SESSIONS", e.g. "100 50"; the directory then has 2,000
# files unless BENCH_LIST_COUNT says otherwise): the same rows, idle and then while bench/TransferLoad.java
# runs that many sessions of another user, each uploading and downloading a 1 to 10 MB file in a
# loop. (a) under load lists a directory of its own each time (list-cold-<n>), so that every one is
# a first listing; the load's uploads, downloads and failures are printed with the table.
#
#   bench/bench-listing.sh                (after: mvn -q -DskipTests package)
#   BENCH_LOAD="100 50" bench/bench-listing.sh
#
# Knobs (environment): BENCH_LIST_COUNT=10000, BENCH_REPEAT=3, BENCH_LOAD, FERRY_JAVA=java, BENCH_DIR,
# BENCH_KEEP=1, FERRY_JAR, S3PROXY_JAR, COMMONS_NET_JAR (for the load; found in ~/.m2 otherwise).
set -uo pipefail

REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
FERRY_JAR="${FERRY_JAR:-$REPO_DIR/gateway-server/target/ferry.jar}"
LOAD="${BENCH_LOAD:-}"
if [[ -n "$LOAD" ]]; then
  LIST_COUNT="${BENCH_LIST_COUNT:-2000}"
else
  LIST_COUNT="${BENCH_LIST_COUNT:-10000}"
fi
LIST_DIR=list
LOAD_PID=""
BENCH_REPEAT="${BENCH_REPEAT:-3}"
AWS=/usr/bin/aws
TOTAL_TIMEOUT_SECONDS=3600
TRANSFER_TIMEOUT_SECONDS=1200
START_TIMEOUT_SECONDS=90
export LC_ALL=C.UTF-8

BUCKET=bench
S3_KEY=benchaccess
S3_SECRET="$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 24)"
PASSWORD="$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 20)"
CLIENT_MTIME=1500000000          # 2017-07-14T02:40:00Z
CLIENT_YEAR=2017

# shellcheck source=lib.sh
source "$REPO_DIR/bench/lib.sh"

# start_ferry CLIENT_TIMES: Ferry on a fresh data dir (an empty state store).
start_ferry() {
  local client_times="$1"
  [[ -n "${PASSWORD_HASH:-}" ]] || PASSWORD_HASH="$(printf '%s\n' "$PASSWORD" | timeout 60 java -jar "$FERRY_JAR" hash-password)"
  rm -rf "$WORK/ferry-data"
  cat >"$WORK/ferry.yaml" <<YAML
dataDir: $WORK/ferry-data
s3:
  endpoint: $S3_ENDPOINT
  accessKey: $S3_KEY
  secretKey: \${FERRY_BENCH_S3_SECRET}
$(ferry_yaml_listeners)
listings:
  clientTimes: $client_times
users:
  - name: bench
    passwordHash: "$PASSWORD_HASH"
    home: s3://$BUCKET/
    permissions: [list, read]
    publicKeys:
      - "$(cat "$WORK/id_ed25519.pub")"
  - name: load
    passwordHash: "$PASSWORD_HASH"
    home: s3://$BUCKET/load/
    permissions: [all]
YAML
  FERRY_BENCH_S3_SECRET="$S3_SECRET" "${FERRY_JAVA:-java}" -Xmx1g -jar "$FERRY_JAR" --config "$WORK/ferry.yaml" \
    >"$WORK/ferry.log" 2>&1 &
  FERRY_PID=$!
  await_log "$FERRY_PID" "$WORK/ferry.log" "Ferry is up" || { error "Ferry did not start: $(tail -n 5 "$WORK/ferry.log")"; return 1; }
  ferry_ports
}

stop_ferry() {
  stop_pid "$FERRY_PID" Ferry 45
  FERRY_PID=""
}

# sftp_ls: `ls -l` of the directory; every file must show the client's year.
sftp_ls() {
  ferry_sftp bench "ls -l /$LIST_DIR" </dev/null >"$WORK/listing.out" || return 1
  expect_listed "$1"
}

lftp_ls() {
  HOME="$WORK/home" timeout "$TRANSFER_TIMEOUT_SECONDS" lftp -c "set ssl:verify-certificate no; \
set ssl:check-hostname no; set ftp:ssl-force yes; set ftp:ssl-protect-data yes; set cmd:fail-exit yes; \
open -u 'bench','$PASSWORD' ftp://127.0.0.1:$FERRY_FTP_PORT; cls -l --time-style=%Y /$LIST_DIR" </dev/null \
    >"$WORK/listing.out" || return 1
  expect_listed "$1"
}

# expect_listed YEAR_EXPECTED: every file listed, with the client's year when the run shows client times.
expect_listed() {
  local listed with_year
  listed="$(grep -c 'f-[0-9]*\.txt' "$WORK/listing.out")"
  with_year="$(grep 'f-[0-9]*\.txt' "$WORK/listing.out" | grep -c " $CLIENT_YEAR ")"
  [[ "$listed" == "$LIST_COUNT" ]] || { echo "listed $listed of $LIST_COUNT files"; return 1; }
  [[ "$1" == no || "$with_year" == "$LIST_COUNT" ]] || { echo "$with_year of $LIST_COUNT files show $CLIENT_YEAR"; return 1; }
}

direct_list() {
  s3 s3 ls "s3://$BUCKET/$LIST_DIR/" >"$WORK/listing.out" && [[ "$(grep -c 'f-[0-9]*\.txt' "$WORK/listing.out")" == "$LIST_COUNT" ]]
}

prepare() {
  ssh-keygen -q -t ed25519 -N '' -f "$WORK/id_ed25519" || return 1
  mkdir -p "$WORK/home" "$WORK/files"
  local i
  for ((i = 0; i < LIST_COUNT; i++)); do
    printf '%s\n' "$i" >"$WORK/files/f-$i.txt"
  done
  log "uploading $LIST_COUNT files with x-amz-meta-mtime=$CLIENT_MTIME straight to S3 (awscli) ..."
  local dir dirs=(list)
  [[ -n "$LOAD" ]] && for ((i = 1; i <= BENCH_REPEAT; i++)); do dirs+=("list-cold-$i"); done
  for dir in "${dirs[@]}"; do
    s3 s3 cp --only-show-errors --recursive "$WORK/files" "s3://$BUCKET/$dir/" --metadata "mtime=$CLIENT_MTIME" \
      || { error "upload of the files to $dir failed"; return 1; }
  done
  s3 s3 cp --only-show-errors "$WORK/files/f-0.txt" "s3://$BUCKET/load/.keep" || { error "no load home"; return 1; }
  rm -rf "$WORK/files"
}

# start_load: bench/TransferLoad.java with BENCH_LOAD sessions of user load, for as long as the run may last.
start_load() {
  local sessions net_jar
  read -r -a sessions <<<"$LOAD"
  net_jar="${COMMONS_NET_JAR:-$(find ~/.m2/repository/commons-net -name 'commons-net-*.jar' 2>/dev/null | sort -V | tail -n 1)}"
  [[ -f "$net_jar" ]] || { error "no commons-net jar for the load (set COMMONS_NET_JAR)"; return 1; }
  "${FERRY_JAVA:-java}" -Xmx1g -DFERRY_LOG_LEVEL=WARN -cp "$FERRY_JAR:$net_jar" \
    "$REPO_DIR/bench/TransferLoad.java" 127.0.0.1 "$FERRY_PORT" "$FERRY_FTP_PORT" load "$PASSWORD" "${sessions[0]}" \
    "${sessions[1]}" "$TOTAL_TIMEOUT_SECONDS" >"$WORK/load.log" 2>&1 &
  LOAD_PID=$!
  log "load: ${sessions[0]} SFTP and ${sessions[1]} FTPS sessions uploading and downloading 1-10 MB files (pid $LOAD_PID)"
  sleep 30
  log "load after 30 s: $(tail -n 1 "$WORK/load.log")"
}

stop_load() {
  [[ -n "$LOAD_PID" ]] || return 0
  kill "$LOAD_PID" 2>/dev/null
  wait "$LOAD_PID" 2>/dev/null
  LOAD_PID=""
}

# cold_rows_under_load KEY LABEL LISTER: each a first listing, of its own directory list-cold-<n>.
cold_rows_under_load() {
  local key="$1" label="$2" lister="$3" run times=() start seconds
  for ((run = 1; run <= BENCH_REPEAT; run++)); do
    LIST_DIR="list-cold-$run"
    start="$(now)"
    "$lister" yes >"$WORK/measure.out" 2>&1 || { error "$label: $(tail -n 3 "$WORK/measure.out")"; LIST_DIR=list; return 1; }
    seconds="$(elapsed "$start")"
    times+=("$seconds")
    log "$label ($LIST_DIR): $seconds s"
  done
  LIST_DIR=list
  R[$key]="$(printf '%s\n' "${times[@]}" | sort -n | sed -n "$(( (BENCH_REPEAT + 1) / 2 ))p")"
}

# rows_on_fresh_ferry KEY LABEL CLIENT LISTER: each run on a Ferry with an empty catalog.
rows_on_fresh_ferry() {
  local key="$1" label="$2" lister="$3" run times=() start seconds
  for ((run = 1; run <= BENCH_REPEAT; run++)); do
    stop_ferry
    start_ferry true || return 1
    start="$(now)"
    "$lister" yes >"$WORK/measure.out" 2>&1 || { error "$label: $(tail -n 3 "$WORK/measure.out")"; return 1; }
    seconds="$(elapsed "$start")"
    times+=("$seconds")
    log "$label: $seconds s"
  done
  R[$key]="$(printf '%s\n' "${times[@]}" | sort -n | sed -n "$(( (BENCH_REPEAT + 1) / 2 ))p")"
}

# rows KEY LABEL LISTER YEAR: BENCH_REPEAT listings on the running Ferry.
rows() {
  local key="$1" label="$2" lister="$3" year="$4"
  BENCH_REPEAT="$BENCH_REPEAT" measure "$key" 1 "$label" "$lister" "$year" || return 1
  R[$key]="${R[$key.s]}"
}

print_table() {
  echo
  echo "=================================================================================================="
  echo "Listing $LIST_COUNT files with client times, $(nproc) CPUs, seconds (median of $BENCH_REPEAT)"
  printf '%-58s %12s %12s\n' "" "sftp ls -l" "lftp cls -l"
  printf '%-58s %12s %12s\n' "(a) HEAD per file (empty catalog, as before it)" "${R[sftp.head]:-n/a}" "${R[lftp.head]:-n/a}"
  printf '%-58s %12s %12s\n' "(b) catalog" "${R[sftp.catalog]:-n/a}" "${R[lftp.catalog]:-n/a}"
  printf '%-58s %12s %12s\n' "(c) clientTimes: false (S3 LastModified only)" "${R[sftp.s3times]:-n/a}" "${R[lftp.s3times]:-n/a}"
  printf '%-58s %12s\n' "(d) awscli s3 ls straight from S3" "${R[direct]:-n/a}"
  if [[ -n "$LOAD" ]]; then
    echo "under load: $LOAD (SFTP FTPS) sessions of another user, each uploading and downloading 1-10 MB files"
    printf '%-58s %12s %12s\n' "(a) first listing (HEAD per file), a new directory each" "${R[load.sftp.head]:-n/a}" "n/a"
    printf '%-58s %12s %12s\n' "(b) catalog" "${R[load.sftp.catalog]:-n/a}" "${R[load.lftp.catalog]:-n/a}"
    printf '%-58s %12s\n' "(d) awscli s3 ls straight from S3" "${R[load.direct]:-n/a}"
    echo "the load meanwhile: $(grep -v '^load done' "$WORK/load.log" | tail -n 1)"
  fi
  if ((${#ERRORS[@]} > 0)); then
    echo "errors:"
    printf '  - %s\n' "${ERRORS[@]}"
  fi
  echo "=================================================================================================="
}

main() {
  start_run ferry-bench-listing
  if [[ -n "$LOAD" ]]; then
    trap 'stop_load; cleanup' EXIT
    if start_s3proxy && prepare && rows_on_fresh_ferry sftp.head "sftp ls -l, HEAD per file (idle)" sftp_ls; then
      rows sftp.catalog "sftp ls -l, catalog (idle)" sftp_ls yes
      rows lftp.catalog "lftp cls -l, catalog (idle)" lftp_ls yes
      rows direct "awscli s3 ls (idle)" direct_list -
      if start_load; then
        cold_rows_under_load load.sftp.head "sftp ls -l, first listing, under load" sftp_ls
        rows load.sftp.catalog "sftp ls -l, catalog, under load" sftp_ls yes
        rows load.lftp.catalog "lftp cls -l, catalog, under load" lftp_ls yes
        rows load.direct "awscli s3 ls, under load" direct_list -
        log "load: $(tail -n 1 "$WORK/load.log")"
      fi
    fi
    stop_load
    stop_ferry
    print_table
    ((${#ERRORS[@]} == 0))
    return
  fi
  if start_s3proxy && prepare; then
    rows_on_fresh_ferry sftp.head "sftp ls -l, HEAD per file" sftp_ls
    rows sftp.catalog "sftp ls -l, catalog" sftp_ls yes
    rows_on_fresh_ferry lftp.head "lftp cls -l, HEAD per file" lftp_ls
    rows lftp.catalog "lftp cls -l, catalog" lftp_ls yes
    stop_ferry
    if start_ferry false; then
      rows sftp.s3times "sftp ls -l, S3 times" sftp_ls no
      rows lftp.s3times "lftp cls -l, S3 times" lftp_ls no
    fi
    rows direct "awscli s3 ls" direct_list -
  fi
  stop_ferry
  print_table
  ((${#ERRORS[@]} == 0))
}

main "$@"
