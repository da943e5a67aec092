#!/usr/bin/env bash
# How many sessions one node holds (issue 31; a measurement, not a test): one Ferry at -Xmx1g
# (FERRY_HEAP) on loopback over S3Proxy, with its own per-address and per-user limits raised for
# the run, and bench/SessionLoad.java opening logged-in sessions of one user from 20 loopback
# addresses (127.0.0.20-127.0.0.39) in steps, holding each step BENCH_SESSIONS_HOLD seconds:
#   - SFTP: BENCH_SFTP_STEPS (1000,5000,10000) idle sessions (SSH connection + SFTP channel, key login),
#     then one in ten of them uploading and downloading 1 MiB files in a loop;
#   - FTPS: BENCH_FTPS_STEPS (1000,2000) idle sessions (explicit TLS, PROT P, password login), then
#     one in ten transferring the same way.
# At each step, after a full GC: Ferry's RSS, heap used, threads and open files, in all and per
# session above the idle baseline. Figures go to bench/README.md and the issue's note.
#
#   bench/bench-sessions.sh                (after: mvn -q -DskipTests package)
#
# Needs: java, S3Proxy's jar (found or fetched as it/ does), commons-net in ~/.m2 (the tests bring
# it), awscli. Everything stays on loopback and stops by itself (BENCH_SESSIONS_TIMEOUT, 1800 s).
set -uo pipefail

REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
FERRY_JAR="${FERRY_JAR:-$REPO_DIR/gateway-server/target/ferry.jar}"
FERRY_HEAP="${FERRY_HEAP:-1g}"
SFTP_STEPS="${BENCH_SFTP_STEPS:-1000,5000,10000}"
FTPS_STEPS="${BENCH_FTPS_STEPS:-1000,2000}"
HOLD="${BENCH_SESSIONS_HOLD:-20}"
SOURCES=127.0.0.20-127.0.0.39
AWS=/usr/bin/aws
TOTAL_TIMEOUT_SECONDS="${BENCH_SESSIONS_TIMEOUT:-1800}"
TRANSFER_TIMEOUT_SECONDS=600
START_TIMEOUT_SECONDS=90
export LC_ALL=C.UTF-8

BUCKET=sessions
S3_KEY=sessionsaccess
S3_SECRET="$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 24)"
PASSWORD="$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 20)"

# shellcheck source=bench/lib.sh
source "$REPO_DIR/bench/lib.sh"

start_ferry() {
  local hash
  hash="$(printf '%s\n' "$PASSWORD" | timeout 60 java -jar "$FERRY_JAR" hash-password)" || { error "hash-password failed"; return 1; }
  ssh-keygen -q -t ed25519 -N '' -C bench-sessions -f "$WORK/id_ed25519" || { error "ssh-keygen failed"; return 1; }
  # Below Linux's ephemeral ports (32768-60999): a tenth of 2,000 FTPS sessions transfer at once.
  cat >"$WORK/ferry.yaml" <<YAML
$(ferry_yaml_store)
ftps:
  bindAddress: 127.0.0.1
  port: 0
  implicitPort: -1
  passivePorts: 30000-30999
  maxLogins: 10000
  idleTimeout: 30m
sftp:
  bindAddress: 127.0.0.1
  port: 0
  maxSessions: 10000
  idleTimeout: 30m
sessions:
  unauthenticated: 1000
  unauthenticatedPerAddress: 1000
  perUser: 10000
  perAddress: 10000
  loginDeadline: 5m
users:
  - name: load
    passwordHash: "$hash"
    home: s3://$BUCKET/load/
    permissions: [all]
    publicKeys: ["$(cat "$WORK/id_ed25519.pub")"]
YAML
  FERRY_BENCH_S3_SECRET="$S3_SECRET" "${FERRY_JAVA:-java}" "-Xmx$FERRY_HEAP" $(heap_options "$FERRY_HEAP") -jar "$FERRY_JAR" \
    --config "$WORK/ferry.yaml" >"$WORK/ferry.log" 2>&1 &
  FERRY_PID=$!
  await_log "$FERRY_PID" "$WORK/ferry.log" "Ferry is up" || { error "Ferry did not start: $(tail -n 5 "$WORK/ferry.log")"; return 1; }
  FERRY_SFTP_PORT="$(sed -n 's/.*Ferry is up.*SFTP: [0-9.]*:\([0-9]*\).*/\1/p' "$WORK/ferry.log")"
  FERRY_FTP_PORT="$(sed -n 's/.*Ferry is up.*explicit (AUTH TLS): [0-9.]*:\([0-9]*\).*/\1/p' "$WORK/ferry.log")"
  log "Ferry (pid $FERRY_PID, -Xmx$FERRY_HEAP, open files at most $(awk '/Max open files/ { print $4 }' \
    "/proc/$FERRY_PID/limits")): SFTP $FERRY_SFTP_PORT, FTPS $FERRY_FTP_PORT"
}

# sample: Ferry's RSS (KiB), heap used after a full GC (KiB), threads and open files, on one line.
sample() {
  "$(jdk_tool jcmd)" "$FERRY_PID" GC.run >/dev/null 2>&1
  local rss threads fds heap
  rss="$(awk '/^VmRSS:/ { print $2 }' "/proc/$FERRY_PID/status")"
  threads="$(awk '/^Threads:/ { print $2 }' "/proc/$FERRY_PID/status")"
  fds="$(find "/proc/$FERRY_PID/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)"
  heap="$("$(jdk_tool jstat)" -gc "$FERRY_PID" | awk 'NR == 2 { printf "%.0f", $3 + $4 + $6 + $8 }')"
  echo "$rss $heap $threads $fds"
}

# row LABEL SESSIONS SAMPLE BASELINE: one line of the table, with the per-session costs above the baseline.
row() {
  local label="$1" n="$2"
  read -r rss heap threads fds <<<"$3"
  read -r rss0 heap0 threads0 fds0 <<<"$4"
  printf '%-22s %6d  RSS %5d MiB (%5.1f KiB/session)  heap %4d MiB (%5.1f KiB/session)  threads %5d (%4.2f/session)  files %5d (%4.2f/session)\n' \
    "$label" "$n" $((rss / 1024)) "$(awk -v a="$rss" -v b="$rss0" -v n="$n" 'BEGIN { print (a - b) / n }')" \
    $((heap / 1024)) "$(awk -v a="$heap" -v b="$heap0" -v n="$n" 'BEGIN { print (a - b) / n }')" \
    "$threads" "$(awk -v a="$threads" -v b="$threads0" -v n="$n" 'BEGIN { print (a - b) / n }')" \
    "$fds" "$(awk -v a="$fds" -v b="$fds0" -v n="$n" 'BEGIN { print (a - b) / n }')" | tee -a "$WORK/table.txt"
}

# run_load PROTOCOL PORT SECRET STEPS: SessionLoad against Ferry, a row at each READY and TRANSFERRING.
run_load() {
  local protocol="$1" port="$2" secret="$3" steps="$4" baseline line n
  baseline="$(sample)"
  row "$protocol baseline" 1 "$baseline" "$baseline"
  "${FERRY_JAVA:-java}" -Xmx4g -Dorg.slf4j.simpleLogger.defaultLogLevel=error -cp "$FERRY_JAR:$NET_JAR" \
    "$REPO_DIR/bench/SessionLoad.java" "$protocol" "$port" load "$secret" "$SOURCES" "$steps" "$HOLD" \
    >"$WORK/load-$protocol.log" 2>&1 &
  local load=$!
  while IFS= read -r line; do
    case "$line" in
      "READY "*)
        n="${line#READY }"
        sleep 3
        row "$protocol idle" "$n" "$(sample)" "$baseline"
        ;;
      "TRANSFERRING "*)
        sleep $((HOLD / 2))
        row "$protocol 1 in 10 moving" "$n" "$(sample)" "$baseline"
        ;;
      "#"*) log "  ${line#\# }" ;;
      DONE) break ;;
    esac
  done < <(tail -n +1 -F "$WORK/load-$protocol.log" 2>/dev/null)
  wait "$load"
  grep -E 'Exception|Error' "$WORK/load-$protocol.log" | sort | uniq -c | sort -rn | head -5
  # The sessions' ends reach Ferry a moment after the client closed them.
  local deadline=$((SECONDS + 60))
  while (($(find "/proc/$FERRY_PID/fd" -mindepth 1 -maxdepth 1 | wc -l) > $(awk '{ print $4 }' <<<"$baseline") + 50)) \
    && ((SECONDS < deadline)); do
    sleep 1
  done
  row "$protocol after close" "$n" "$(sample)" "$baseline"
}

main() {
  start_run ferry-bench-sessions
  NET_JAR="${COMMONS_NET_JAR:-$(find ~/.m2/repository/commons-net -name 'commons-net-*.jar' 2>/dev/null | sort -V | tail -n 1)}"
  [[ -f "$NET_JAR" ]] || { error "no commons-net jar (set COMMONS_NET_JAR)"; return 1; }
  start_s3proxy && start_ferry || return 1
  log "sessions held by one node (per session: above the idle baseline, after a full GC)"
  run_load sftp "$FERRY_SFTP_PORT" "$WORK/id_ed25519" "$SFTP_STEPS"
  run_load ftps "$FERRY_FTP_PORT" "$PASSWORD" "$FTPS_STEPS"
  log "Ferry's log: $(grep -c ' ERROR ' "$WORK/ferry.log") ERROR lines, $(grep -c 'OutOfMemoryError' "$WORK/ferry.log") OutOfMemoryError"
  grep -E ' (WARN|ERROR) ' "$WORK/ferry.log" | sed -E 's/^[^ ]+ //; s/[0-9]+/N/g' | sort | uniq -c | sort -rn | head -8
  stop_pid "$FERRY_PID" Ferry 60
  FERRY_PID=""
  echo
  cat "$WORK/table.txt"
  if ((${#ERRORS[@]} > 0)); then
    printf 'ERROR: %s\n' "${ERRORS[@]}"
    return 1
  fi
}

main "$@"
