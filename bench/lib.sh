# Shared pieces for bench scripts (sourced): logging, arithmetic, free ports, S3Proxy start-up,
# awscli against it, a local OpenSSH sshd writing to disk, Ferry memory sampling.
# Expects: S3_KEY, S3_SECRET, BUCKET, AWS, START_TIMEOUT_SECONDS and
# TRANSFER_TIMEOUT_SECONDS to be set by the caller, before or after sourcing.

# The run's state, shared with cleanup: its directory, each server's PID once started (cleanup stops
# those set), the results by key and the errors to report.
WORK=""
DL=""
STORE_DIR=""
S3PROXY_PID=""
FERRY_PID=""
SSHD_PID=""
RCLONE_PID=""
SAMPLER_PID=""
WATCHDOG_PID=""
declare -A R=()
ERRORS=()

log() { echo "[$(date +%H:%M:%S)] $*"; }

# start_run NAME: the watchdog that ends the run after TOTAL_TIMEOUT_SECONDS, the clean-up on exit
# (every server whose *_PID is set is stopped, WORK removed unless BENCH_KEEP=1), and WORK itself,
# with a copy of FERRY_JAR in it so a rebuild during the run cannot pull the jar from under the JVM.
start_run() {
  (
    trap 'kill "$sleeper" 2>/dev/null; exit 0' TERM
    sleep "$TOTAL_TIMEOUT_SECONDS" &
    sleeper=$!
    wait "$sleeper" && kill -TERM $$ 2>/dev/null
  ) &
  WATCHDOG_PID=$!
  trap cleanup EXIT
  trap 'exit 130' INT
  trap 'log "stopped by watchdog or signal"; exit 143' TERM
  [[ -f "$FERRY_JAR" ]] || { echo "no $FERRY_JAR: run mvn -q -DskipTests package first" >&2; exit 2; }
  mkdir -p "${BENCH_DIR:-${TMPDIR:-/tmp}}"
  WORK="$(mktemp -d "${BENCH_DIR:-${TMPDIR:-/tmp}}/$1.XXXXXX")"
  log "$1 in $WORK"
  cp "$FERRY_JAR" "$WORK/ferry.jar" && FERRY_JAR="$WORK/ferry.jar"
}

# memory_dir OVERRIDE NAME MIB: a new directory NAME.XXXXXX in OVERRIDE if set, else in /dev/shm when
# it has room for MIB and 1 GiB beside; status 1 when neither.
memory_dir() {
  local free_mib
  if [[ -n "$1" ]]; then
    mkdir -p "$1" && mktemp -d "$1/$2.XXXXXX"
  elif free_mib=$(df -Pm /dev/shm 2>/dev/null | awk 'NR == 2 { print $4 }') && ((free_mib > $3 + 1024)); then
    mktemp -d "/dev/shm/$2.XXXXXX"
  else
    return 1
  fi
}

# download_dir NAME MIB: sets DL, where downloads land. In memory (/dev/shm) when it has room for
# MIB: a download written to disk leaves dirty pages whose writeback lands in the next timed run,
# and that measured the disk, not the server (repeated 1 GiB gets slowed from 3.3 to 4.2 s). Every
# server's downloads land in the same place. BENCH_DOWNLOAD_DIR overrides.
download_dir() {
  DL="$(memory_dir "${BENCH_DOWNLOAD_DIR:-}" "$1-dl" "$2")" || { DL="$WORK/dl" && mkdir -p "$DL"; }
  log "downloads land in $DL"
}

# store_in_memory NAME MIB: sets STORE_DIR, where the next start_s3proxy keeps its objects. In
# memory (/dev/shm) when it has room for MIB: S3Proxy writes every upload to its directory, a
# multipart one twice (the parts, then the object), and on the disk that writeback landed in the
# timed rows: one default run's 1 GiB uploads slowed 163.7, 136.4, 126.6 MB/s run after run with the
# machine less busy, awscli's straight to S3Proxy varied 108-147 MB/s, and the same uploads with the
# objects in memory did not slow. Every server that stores in S3 stores there, the direct S3 rows
# too. BENCH_STORE_DIR overrides; without room, the run's directory.
store_in_memory() {
  STORE_DIR="$(memory_dir "${BENCH_STORE_DIR:-}" "$1-s3" "$2")" || STORE_DIR="$WORK"
  log "S3Proxy's objects go to $STORE_DIR"
}

# store_on_disk: when S3Proxy's objects are in memory, S3Proxy started again with them in the run's
# directory (a new endpoint and an empty bucket; the old objects deleted), for a section that writes
# more than memory should hold (a stress of parallel 1 GiB uploads), whose figures are memory and
# correctness, not speed. Ferry must be stopped first: it would keep the old endpoint.
store_on_disk() {
  [[ -z "$STORE_DIR" || "$STORE_DIR" == "$WORK" ]] && return 0
  stop_pid "$S3PROXY_PID" S3Proxy 20
  S3PROXY_PID=""
  rm -rf "$STORE_DIR"
  mv "$WORK/s3proxy.log" "$WORK/s3proxy-memory.log" # the next start writes s3proxy.log afresh
  STORE_DIR="$WORK"
  log "S3Proxy's objects go to $STORE_DIR from here on"
  start_s3proxy
}

cleanup() {
  local status=$?
  trap - EXIT INT TERM
  [[ -n "${WATCHDOG_PID:-}" ]] && kill "$WATCHDOG_PID" 2>/dev/null && wait "$WATCHDOG_PID" 2>/dev/null
  stop_sampler
  stop_pid "${FERRY_PID:-}" Ferry 45
  stop_pid "${SSHD_PID:-}" sshd 10
  stop_pid "${RCLONE_PID:-}" rclone 10
  stop_pid "${VSFTPD_PID:-}" vsftpd 10
  stop_pid "${S3PROXY_PID:-}" S3Proxy 20
  [[ -n "${DL:-}" && "$DL" != "$WORK"/* ]] && rm -rf "$DL"
  [[ -n "${STORE_DIR:-}" && "$STORE_DIR" != "$WORK" ]] && rm -rf "$STORE_DIR"
  if [[ -n "${WORK:-}" ]]; then
    if [[ "${BENCH_KEEP:-0}" == 1 ]]; then
      log "kept $WORK (logs: ferry*.log, s3proxy.log)"
    else
      rm -rf "$WORK"
    fi
  fi
  exit "$status"
}

error() {
  ERRORS+=("$*")
  log "ERROR: $*"
}

stop_pid() {
  local pid="$1" name="$2" limit="${3:-60}" waited=0
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 0
  kill "$pid" 2>/dev/null
  while kill -0 "$pid" 2>/dev/null && ((waited < limit * 5)); do
    sleep 0.2
    waited=$((waited + 1))
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "$name (pid $pid) ignored SIGTERM for ${limit}s; killing it"
    kill -9 "$pid" 2>/dev/null
  fi
  wait "$pid" 2>/dev/null
  return 0
}

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }
mb_per_s() { awk -v bytes="$1" -v s="$2" 'BEGIN { if (s > 0) printf "%.1f", bytes / 1e6 / s; else print "n/a" }'; }
ratio() {
  awk -v f="$1" -v d="$2" 'BEGIN { if (f ~ /^[0-9.]+$/ && d ~ /^[0-9.]+$/ && d > 0) printf "%.2f", f / d; else print "-" }'
}
lower() {
  awk -v a="$1" -v b="$2" 'BEGIN { if (a !~ /^[0-9.]+$/) print b; else if (b !~ /^[0-9.]+$/) print a; else print (a < b ? a : b) }'
}
mib() { awk -v kb="$1" 'BEGIN { printf "%.0f", kb / 1024 }'; }
median_of() { printf '%s\n' "$@" | grep -v '^$' | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
# empty_prefix PREFIX: every object under s3://$BUCKET/PREFIX/ deleted (between runs into the same place).
empty_prefix() { s3 s3 rm --recursive --quiet "s3://$BUCKET/$1/" >/dev/null; }

# measure KEY BYTES LABEL COMMAND...: runs COMMAND BENCH_REPEAT times (default 1) and stores the
# MB/s of the median run (or "error") under KEY. On two shared CPUs one run of a transfer moves by
# 15 % or more from the next, references as much as Ferry. MEASURE_BEFORE and MEASURE_AFTER, when
# set, are commands run untimed before and after each run: clearing a destination that a second
# run would otherwise copy into (sftp's put -R and get -R nest into an existing directory). MEASURE_CPU_PID,
# when set, is a process whose CPU time per GiB moved is stored as R[KEY.cpu] (median of the runs),
# and whose peak RSS during the runs as R[KEY.rss] (MiB, the highest of the runs; see peak_rss_reset).
measure() {
  local key="$1" bytes="$2" label="$3" start seconds out="$WORK/measure.out" run runs="${BENCH_REPEAT:-1}" times=()
  local cpu_before cpus=() machine_busy machine_all rss_peak=""
  shift 3
  for run in $(seq 1 "$runs"); do
    if [[ -n "${MEASURE_BEFORE:-}" ]]; then
      $MEASURE_BEFORE
    fi
    log "$label ..."
    [[ -n "${MEASURE_CPU_PID:-}" ]] && peak_rss_reset "$MEASURE_CPU_PID"
    cpu_before="$(cpu_ticks "${MEASURE_CPU_PID:-}")"
    read -r machine_busy machine_all < <(machine_ticks)
    start="$(now)"
    if ! "$@" >"$out" 2>&1; then
      seconds="$(elapsed "$start")"
      R[$key]="error"
      error "$label failed after $seconds s: $(tail -n 3 "$out" | tr '\n' ' ')"
      return 1
    fi
    seconds="$(elapsed "$start")"
    times+=("$seconds")
    if [[ -n "${MEASURE_CPU_PID:-}" ]]; then
      cpus+=("$(awk -v t="$(( $(cpu_ticks "$MEASURE_CPU_PID") - cpu_before ))" -v hz="$(getconf CLK_TCK)" \
        -v b="$bytes" 'BEGIN { printf "%.2f", t / hz / (b / 1073741824) }')")
      rss_peak="$(peak_rss_mib "$MEASURE_CPU_PID" "$rss_peak")"
    fi
    log "$label: $(mb_per_s "$bytes" "$seconds") MB/s ($bytes bytes in $seconds s)${cpus:+, ${cpus[-1]} CPU s/GiB}${rss_peak:+, peak RSS $rss_peak MiB}," \
      "machine $(machine_busy_since "$machine_busy" "$machine_all") % busy"
    if [[ -n "${MEASURE_AFTER:-}" ]]; then
      $MEASURE_AFTER
    fi
  done
  seconds="$(printf '%s\n' "${times[@]}" | sort -n | sed -n "$(( (runs + 1) / 2 ))p")"
  R[$key]="$(mb_per_s "$bytes" "$seconds")"
  R[$key.s]="$seconds"
  ((${#cpus[@]} > 0)) && R[$key.cpu]="$(printf '%s\n' "${cpus[@]}" | sort -n | sed -n "$(( (runs + 1) / 2 ))p")"
  [[ -n "$rss_peak" ]] && R[$key.rss]="$rss_peak"
  ((runs > 1)) && log "$label: median of $runs runs ${R[$key]} MB/s (times: ${times[*]} s)"
  return 0
}

# peak_rss_reset PID: sets the process's peak RSS (VmHWM) back to its RSS now (Linux 4.0+, the
# process's owner or root), so that the next peak_rss_mib reads the peak of what came after. The
# peak so far is kept in PEAK_RSS_BEFORE[PID], for the whole run's figure (peak_rss_whole_mib).
declare -A PEAK_RSS_BEFORE=()
peak_rss_reset() {
  PEAK_RSS_BEFORE[$1]="$(peak_rss_mib "$1" "${PEAK_RSS_BEFORE[$1]:-}")"
  echo 5 >"/proc/$1/clear_refs" 2>/dev/null
}

# peak_rss_whole_mib PID: the process's peak RSS in MiB since it started, resets or not.
peak_rss_whole_mib() {
  peak_rss_mib "$1" "${PEAK_RSS_BEFORE[$1]:-}"
}

# peak_rss_mib PID [MIB]: the process's peak RSS (VmHWM) in MiB, or MIB if that is higher.
peak_rss_mib() {
  awk -v before="${2:-0}" '/^VmHWM:/ { mib = $2 / 1024; printf "%.0f", (mib > before ? mib : before) }' "/proc/$1/status" \
    2>/dev/null
}

# machine_ticks: "BUSY ALL" clock ticks of every CPU since boot (busy: all but idle and iowait).
machine_ticks() {
  awk '/^cpu / { all = 0; for (i = 2; i <= NF; i++) all += $i; print all - $5 - $6, all }' /proc/stat
}

# machine_busy_since BUSY ALL: the percentage of CPU time the machine was busy since machine_ticks said so.
machine_busy_since() {
  read -r busy all < <(machine_ticks)
  awk -v b="$((busy - $1))" -v a="$((all - $2))" 'BEGIN { if (a > 0) printf "%.0f", 100 * b / a; else print "?" }'
}

# cpu_ticks PID: user+system clock ticks the process used so far (0 without a PID).
cpu_ticks() {
  [[ -n "$1" && -r "/proc/$1/stat" ]] || { echo 0; return; }
  awk '{ print $14 + $15 }' "/proc/$1/stat"
}

# shellcheck source=../it/free-ports.sh
source "$REPO_DIR/it/free-ports.sh"
# shellcheck source=../it/s3proxy-jar.sh
source "$REPO_DIR/it/s3proxy-jar.sh"

await_log() {
  local pid="$1" file="$2" pattern="$3" deadline=$((SECONDS + START_TIMEOUT_SECONDS))
  until grep -q "$pattern" "$file" 2>/dev/null; do
    kill -0 "$pid" 2>/dev/null || return 1
    ((SECONDS < deadline)) || return 1
    sleep 0.2
  done
}

# awscli straight to S3Proxy, isolated from any user configuration (and from AWS_CA_BUNDLE).
# s3 ARGS: Debian's awscli against the S3Proxy of this run (S3_CONFIG: another awscli config file).
s3() {
  env -u AWS_CA_BUNDLE -u AWS_PROFILE AWS_ACCESS_KEY_ID="$S3_KEY" AWS_SECRET_ACCESS_KEY="$S3_SECRET" \
    AWS_CONFIG_FILE="${S3_CONFIG:-$WORK/aws-config}" AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_PAGER="" \
    timeout "$TRANSFER_TIMEOUT_SECONDS" "$AWS" --endpoint-url "$S3_ENDPOINT" "$@"
}

# api METHOD COMMAND [JSON-BODY | QUERY]: the admin API's JSON answer on stdout (ADMIN_PORT and
# ADMIN_TOKEN set by the caller).
api() {
  local method="$1" command="$2" rest="${3:-}"
  if [[ "$method" == POST ]]; then
    curl -sS --max-time 30 -X POST -H "Authorization: Bearer $ADMIN_TOKEN" -H 'Content-Type: application/json' \
      --data "$rest" "http://127.0.0.1:$ADMIN_PORT/api/$command"
  else
    curl -sS --max-time 30 -H "Authorization: Bearer $ADMIN_TOKEN" "http://127.0.0.1:$ADMIN_PORT/api/$command$rest"
  fi
}

# heap_options HEAP: the JVM options Ferry is shipped to run with at -XmxHEAP (deploy/jvm-options.sh);
# FERRY_HEAP_OPTIONS=0 leaves them out, to measure the JVM's defaults.
heap_options() {
  [[ "${FERRY_HEAP_OPTIONS:-1}" == 0 ]] || "${BASH_SOURCE[0]%/*}/../deploy/jvm-options.sh" "$1"
}

# launch_ferry [JAVA-OPTION...]: Ferry on $WORK/ferry.yaml with -Xmx$FERRY_HEAP and that heap's
# options (the S3 secret and admin token in its environment), logging to FERRY_LOG; waits until it
# is up (FERRY_PID), then samples its heap.
launch_ferry() {
  # shellcheck disable=SC2046 # the heap's options are words
  FERRY_BENCH_S3_SECRET="$S3_SECRET" FERRY_BENCH_ADMIN_TOKEN="${ADMIN_TOKEN:-}" "${FERRY_JAVA:-java}" \
    "-Xmx$FERRY_HEAP" $(heap_options "$FERRY_HEAP") "$@" ${FERRY_JAVA_OPTS:-} -jar "$FERRY_JAR" --config "$WORK/ferry.yaml" >"$FERRY_LOG" 2>&1 &
  FERRY_PID=$!
  if ! await_log "$FERRY_PID" "$FERRY_LOG" "Ferry is up"; then
    error "Ferry did not start: $(tail -n 5 "$FERRY_LOG" | tr '\n' ' ')"
    return 1
  fi
  log "Ferry -Xmx$FERRY_HEAP, admin API on 127.0.0.1:${ADMIN_PORT:-off} (pid $FERRY_PID)"
  start_sampler main
}

# await_admin_job ANSWER: the job id in ANSWER (the admin API's answer to a command that queued a
# job) into JOB_ID, then waits for the job's end, its last state in LAST_JOB; fails unless DONE.
# Parsed and polled with curl and bash alone: a python per poll would take CPU from the run it times.
await_admin_job() {
  local state="" deadline=$((SECONDS + TRANSFER_TIMEOUT_SECONDS))
  JOB_ID=""
  [[ "$1" =~ \"id\"[[:space:]]*:[[:space:]]*\"([0-9a-f]+)\" ]] && JOB_ID="${BASH_REMATCH[1]}"
  [[ -n "$JOB_ID" ]] || { echo "refused: $1"; return 1; }
  while ((SECONDS < deadline)); do
    LAST_JOB="$(api GET job "?arg=$JOB_ID")"
    [[ "$LAST_JOB" =~ \"state\"[[:space:]]*:[[:space:]]*\"([A-Z_]+)\" ]] && state="${BASH_REMATCH[1]}"
    [[ "$state" == DONE || "$state" == FAILED || "$state" == CANCELLED ]] && break
    sleep 0.1
  done
  [[ "$state" == DONE ]] || { echo "job $JOB_ID ended ${state:-never}: $LAST_JOB"; return 1; }
}

# workflow_job KEY: waits for the workflow job of the upload at KEY (the object key) to end (once
# the admin API lists it; await_admin_job after); prints "STATE SECONDS" from the job's own start
# and end times. Needs the admin API (ADMIN_PORT, ADMIN_TOKEN) and PYTHON.
workflow_job() {
  local deadline=$((SECONDS + 60)) id=""
  while [[ -z "$id" ]] && ((SECONDS < deadline)); do
    # The job is queued before the client hears its upload succeeded: listed by the first or second look.
    id="$(api GET jobs | "$PYTHON" -c '
import json, sys
for job in json.load(sys.stdin)["data"]:
    if job["spec"].get("kind") == "workflow" and job["spec"]["key"] == sys.argv[1]:
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

# The workflow benchmarks (bench-decompress.sh, bench-pgp.sh): a file uploaded by OpenSSH sftp as
# drop/<name>, then the workflow job it queues, timed by the job's own start and end. The script
# sets UPLOAD (the local file in WORK), STEP (the step's name for the log) and defines sftp_put LOCAL NAME,
# upload_name N (the name of run N's upload) and output_key N (the key of its output, checked
# against SOURCE_SHA).

# workflow_run N: run N's upload and its workflow job; the job's time and Ferry's CPU over it go
# into TIMES and CPUS.
workflow_run() {
  local n="$1" name cpu_before result state seconds
  name="$(upload_name "$n")"
  sftp_put "$WORK/$UPLOAD" "$name" || { error "sftp put of $name failed"; return 1; }
  cpu_before="$(cpu_ticks "$FERRY_PID")"
  result="$(workflow_job "home/drop/$name")"
  read -r state seconds _ <<<"$result"
  [[ "$state" == DONE ]] || { error "$STEP job of $name: $result"; return 1; }
  log "Ferry $STEP step, run $n: $(mb_per_s "$BYTES" "$seconds") MB/s ($seconds s, job's own times)"
  TIMES+=("$seconds")
  CPUS+=("$(awk -v t="$(($(cpu_ticks "$FERRY_PID") - cpu_before))" -v hz="$(getconf CLK_TCK)" -v b="$BYTES" \
    'BEGIN { printf "%.2f", t / hz / (b / 1073741824) }')")
}

# workflow_section: an untimed warm-up run, then BENCH_REPEAT timed ones (the outputs' prefix
# ferry-out emptied after each, the first and the last output checked); medians into R[ferry],
# R[ferry.s] and R[ferry.cpu].
workflow_section() {
  local n
  log "warm-up: one untimed run"
  TIMES=() CPUS=()
  workflow_run 0 && check_object "$(output_key 0)"
  empty_prefix ferry-out
  TIMES=() CPUS=()
  for ((n = 1; n <= BENCH_REPEAT; n++)); do
    workflow_run "$n" || return 1
    ((n == BENCH_REPEAT)) && check_object "$(output_key "$n")"
    empty_prefix ferry-out
  done
  R[ferry.s]="$(median_of "${TIMES[@]}")"
  R[ferry]="$(mb_per_s "$BYTES" "${R[ferry.s]}")"
  R[ferry.cpu]="$(median_of "${CPUS[@]}")"
}

# check_object KEY: the SHA-256 of s3://$BUCKET/KEY, read back, against SOURCE_SHA.
check_object() {
  local sha
  sha="$(s3 s3 cp "s3://$BUCKET/$1" - | sha256sum | cut -d' ' -f1)"
  if [[ "$sha" != "$SOURCE_SHA" ]]; then
    error "s3://$BUCKET/$1: SHA-256 $sha differs from the source's"
    return 1
  fi
  log "s3://$BUCKET/$1: exact"
}

# ferry_ports: the SFTP and explicit FTPS ports a bench Ferry (ports 0) told its log it took,
# into FERRY_PORT and FERRY_FTP_PORT, and its host keys into WORK/known_ferry for OpenSSH.
ferry_ports() {
  local log_file="${FERRY_LOG:-$WORK/ferry.log}"
  FERRY_PORT="$(sed -n 's/.*Ferry is up.*SFTP: [0-9.]*:\([0-9]*\).*/\1/p' "$log_file")"
  FERRY_FTP_PORT="$(sed -n 's/.*Ferry is up.*explicit (AUTH TLS): [0-9.]*:\([0-9]*\).*/\1/p' "$log_file")"
  known_hosts_for "$FERRY_PORT" "$WORK/known_ferry" "$WORK"/ferry-data/ssh/ssh_host_*_key.pub
  log "Ferry SFTP on 127.0.0.1:$FERRY_PORT, FTPS on 127.0.0.1:$FERRY_FTP_PORT"
}

# ferry_yaml_listeners [SFTP_PORT|off]: the ftps and sftp sections of a bench Ferry's ferry.yaml, for
# a heredoc: both on loopback, on free ports below Linux's ephemeral range (it/free-ports.sh; a port
# the system picks is in that range, where an outgoing connection may take it first), FTPS with 200
# passive ports; ferry_ports reads them from the log. SFTP on SFTP_PORT if given, or not at all with
# "off". Where no free port is found, the system picks (0).
ferry_yaml_listeners() {
  local sftp_port="${1:-}" ftp_port passive
  ftp_port="$(free_port || echo 0)"
  passive="$(free_port_range 200 || echo 0)"
  [[ -n "$sftp_port" ]] || sftp_port="$(free_port || echo 0)"
  cat <<YAML
ftps:
  bindAddress: 127.0.0.1
  port: $ftp_port
  implicitPort: -1
  passivePorts: "$passive"
YAML
  if [[ "$sftp_port" == off ]]; then
    printf 'sftp:\n  enabled: false\n'
  else
    printf 'sftp:\n  bindAddress: 127.0.0.1\n  port: %s\n' "$sftp_port"
  fi
}

# ferry_sftp USER COMMANDS: OpenSSH sftp as USER with WORK/id_ed25519 against the bench Ferry
# (FERRY_PORT, WORK/known_ferry from ferry_ports), running COMMANDS (one per line) as a batch.
ferry_sftp() {
  printf '%s\n' "$2" >"$WORK/batch.$1"
  HOME="$WORK/home" timeout "$TRANSFER_TIMEOUT_SECONDS" sftp -F /dev/null -q -o "UserKnownHostsFile=$WORK/known_ferry" \
    -o StrictHostKeyChecking=yes -o BatchMode=yes -o IdentitiesOnly=yes -i "$WORK/id_ed25519" \
    -b "$WORK/batch.$1" -P "$FERRY_PORT" "$1@127.0.0.1"
}

# ferry_yaml_store: the dataDir and s3 sections of a bench Ferry's ferry.yaml, for a heredoc; the
# secret comes from FERRY_BENCH_S3_SECRET in Ferry's environment.
ferry_yaml_store() {
  cat <<YAML
dataDir: $WORK/ferry-data
s3:
  endpoint: $S3_ENDPOINT
  accessKey: $S3_KEY
  secretKey: \${FERRY_BENCH_S3_SECRET}
YAML
}

# launch_s3proxy NAME KEY SECRET: an S3Proxy of its own (a free port, NAME-data in STORE_DIR if set,
# else in WORK, WORK/NAME.log, these keys), into LAUNCHED_ENDPOINT and LAUNCHED_PID once it serves.
launch_s3proxy() {
  local name="$1" key="$2" secret="$3" jar port data="${STORE_DIR:-$WORK}/$1-data"
  jar="$(find_s3proxy_jar)" || { error "no S3Proxy $S3PROXY_VERSION jar (set S3PROXY_JAR)"; return 1; }
  port="$(free_port)" || { error "no free port for S3Proxy $name"; return 1; }
  LAUNCHED_ENDPOINT="http://127.0.0.1:$port"
  mkdir -p "$data"
  cat >"$WORK/$name.properties" <<EOF
s3proxy.endpoint=$LAUNCHED_ENDPOINT
s3proxy.authorization=aws-v2-or-v4
s3proxy.identity=$key
s3proxy.credential=$secret
jclouds.provider=filesystem
jclouds.filesystem.basedir=$data
EOF
  java -jar "$jar" --properties "$WORK/$name.properties" >"$WORK/$name.log" 2>&1 &
  LAUNCHED_PID=$!
  if ! await_log "$LAUNCHED_PID" "$WORK/$name.log" "Started .*ServerConnector.*127.0.0.1:$port"; then
    error "S3Proxy $name did not start: $(tail -n 5 "$WORK/$name.log" | tr '\n' ' ')"
    return 1
  fi
  log "S3Proxy $S3PROXY_VERSION ($name) on $LAUNCHED_ENDPOINT (pid $LAUNCHED_PID)"
}

start_s3proxy() {
  launch_s3proxy s3proxy "$S3_KEY" "$S3_SECRET" || return 1
  S3_ENDPOINT="$LAUNCHED_ENDPOINT"
  S3_PORT="${S3_ENDPOINT##*:}"
  S3PROXY_PID="$LAUNCHED_PID"
  cat >"$WORK/aws-config" <<EOF
[default]
region = us-east-1
s3 =
  addressing_style = path
EOF
  # The same with one request at a time, each file up to 64 MB one PUT (as Ferry sends a file up to
  # uploads.singlePutLimit): what a client sending one file after another gets of this S3.
  sed 's/^s3 =$/s3 =\n  max_concurrent_requests = 1\n  multipart_threshold = 64MB/' "$WORK/aws-config" \
    >"$WORK/aws-config-sequential"
  s3 s3 mb "s3://$BUCKET" >/dev/null || { error "could not create bucket $BUCKET"; return 1; }
}

# The JDK tool that matches the java running Ferry (FERRY_JAVA, else java on PATH).
jdk_tool() {
  local dir
  dir="$(dirname "$(readlink -f "$(command -v "${FERRY_JAVA:-java}")")")"
  if [[ -x "$dir/$1" ]]; then echo "$dir/$1"; else echo "$1"; fi
}

# jstat every second into SAMPLES: peak used heap (S0U+S1U+EU+OU) between start and stop.
start_sampler() {
  SAMPLES="$WORK/jstat-$1.txt"
  "$(jdk_tool jstat)" -gc "$FERRY_PID" 1000 >"$SAMPLES" 2>&1 &
  SAMPLER_PID=$!
}

stop_sampler() {
  [[ -n "${SAMPLER_PID:-}" ]] || return 0
  kill "$SAMPLER_PID" 2>/dev/null
  wait "$SAMPLER_PID" 2>/dev/null
  SAMPLER_PID=""
}

peak_heap() {
  awk '
    $1 == "S0C" { for (i = 1; i <= NF; i++) col[$i] = i; next }
    col["EU"] && $1 ~ /^[0-9.]+$/ {
      used = $col["S0U"] + $col["S1U"] + $col["EU"] + $col["OU"]
      if (used > maxu) maxu = used
    }
    END { if (maxu > 0) printf "%.0f", maxu / 1024; else print "n/a" }' "$SAMPLES"
}

# memory_report PREFIX: Ferry's VmHWM and peak heap into R[PREFIX.rss] and R[PREFIX.heap] (MiB).
memory_report() {
  local prefix="$1"
  R[$prefix.rss]="$(peak_rss_whole_mib "$FERRY_PID")"
  R[$prefix.heap]="$(peak_heap)"
  log "Ferry memory: VmHWM ${R[$prefix.rss]:-n/a} MiB, peak heap used ${R[$prefix.heap]} MiB"
}

# known_hosts_for PORT FILE PUBKEY...: a known_hosts file naming 127.0.0.1:PORT with those keys.
known_hosts_for() {
  local port="$1" file="$2"
  shift 2
  : >"$file"
  local pub
  for pub in "$@"; do
    echo "[127.0.0.1]:$port $(cut -d' ' -f1,2 "$pub")" >>"$file"
  done
}

await_port() {
  local port="$1" deadline=$((SECONDS + START_TIMEOUT_SECONDS))
  until port_in_use "$port"; do
    ((SECONDS < deadline)) || return 1
    sleep 0.2
  done
}

# start_sshd: OpenSSH sshd on a free loopback port, logging in $ME with $WORK/id_ed25519 (SSHD_PORT,
# SSHD_PID, $WORK/known_sshd, $WORK/sshd/host_ed25519.pub).
start_sshd() {
  local port dir="$WORK/sshd"
  port="$(free_port)" || { error "no free port for sshd"; return 1; }
  mkdir -p "$dir" "$WORK/disk" /run/sshd
  ssh-keygen -q -t ed25519 -N '' -f "$dir/host_ed25519" || return 1
  cp "$WORK/id_ed25519.pub" "$dir/authorized_keys"
  cat >"$dir/sshd_config" <<EOF
Port $port
ListenAddress 127.0.0.1
HostKey $dir/host_ed25519
PidFile $dir/sshd.pid
AuthorizedKeysFile $dir/authorized_keys
StrictModes no
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
PermitRootLogin prohibit-password
AllowUsers $ME
Subsystem sftp internal-sftp
LogLevel ERROR
# Keeps Debian's bash from sourcing the user's ~/.bashrc (pyenv init here) for every command run.
SetEnv SHLVL=1
EOF
  /usr/sbin/sshd -D -e -f "$dir/sshd_config" >"$dir/sshd.log" 2>&1 &
  SSHD_PID=$!
  await_port "$port" || { error "sshd did not start: $(tail -n 3 "$dir/sshd.log" | tr '\n' ' ')"; return 1; }
  SSHD_PORT="$port"
  known_hosts_for "$port" "$WORK/known_sshd" "$dir/host_ed25519.pub"
  log "OpenSSH sshd on 127.0.0.1:$port writing to $WORK/disk (pid $SSHD_PID)"
}

# start_rclone [ARGS...]: rclone serve sftp over the S3 of the run (S3_ENDPOINT, S3_KEY, S3_SECRET,
# BUCKET), serving BUCKET/rclone to the run's key (WORK/id_ed25519.pub); ARGS go to rclone serve
# (e.g. --vfs-cache-mode off). Sets RCLONE_PID and RCLONE_PORT, and WORK/known_rclone.
start_rclone() {
  local port dir="$WORK/rclone"
  port="$(free_port)" || { error "no free port for rclone"; return 1; }
  mkdir -p "$dir"
  ssh-keygen -q -t ed25519 -N '' -f "$dir/host_ed25519" || return 1
  # rclone refuses S3 while AWS_CA_BUNDLE points at a bundle; the S3 here is plain http anyway.
  env -u AWS_CA_BUNDLE RCLONE_CONFIG_BENCHS3_TYPE=s3 RCLONE_CONFIG_BENCHS3_PROVIDER=Other \
    RCLONE_CONFIG_BENCHS3_ENDPOINT="$S3_ENDPOINT" RCLONE_CONFIG_BENCHS3_ACCESS_KEY_ID="$S3_KEY" \
    RCLONE_CONFIG_BENCHS3_SECRET_ACCESS_KEY="$S3_SECRET" RCLONE_CONFIG_BENCHS3_REGION=us-east-1 \
    RCLONE_CONFIG_BENCHS3_FORCE_PATH_STYLE=true RCLONE_CONFIG=/dev/null \
    /usr/bin/rclone serve sftp "benchs3:$BUCKET/rclone" "$@" --addr "127.0.0.1:$port" \
    --key "$dir/host_ed25519" --authorized-keys "$WORK/id_ed25519.pub" >"$dir/rclone.log" 2>&1 &
  RCLONE_PID=$!
  await_port "$port" || { error "rclone serve sftp did not start: $(tail -n 3 "$dir/rclone.log" | tr '\n' ' ')"; return 1; }
  RCLONE_PORT="$port"
  known_hosts_for "$port" "$WORK/known_rclone" "$dir/host_ed25519.pub"
  log "rclone $(/usr/bin/rclone version 2>/dev/null | head -n 1 | awk '{ print $2 }') serve sftp on 127.0.0.1:$port (pid $RCLONE_PID)"
}

# vsftpd as the FTPS ceiling: a C server writing to the local disk, the counterpart of OpenSSH's
# sshd for SFTP (bench.sh and bench-sftp.sh). Anonymous, because local users would need a system account and PAM; TLS is forced
# on the control and data connections as Ferry forces it, so lftp needs ftp:ssl-allow-anonymous
# (its only setting beyond the ones every row shares). It writes under $WORK/vsftpd/root/pub;
# VSFTPD_PORT and VSFTPD_PID are set once it listens.
start_vsftpd() {
  local conf="$WORK/vsftpd/vsftpd.conf" passive
  [[ -x /usr/sbin/vsftpd ]] || { log "no /usr/sbin/vsftpd (apt-get install vsftpd): the FTPS ceiling rows are skipped"; return 1; }
  ((EUID == 0)) || { log "vsftpd needs root: the FTPS ceiling rows are skipped"; return 1; }
  mkdir -p "$WORK/vsftpd/root/pub" && chmod 555 "$WORK/vsftpd/root" && chmod 777 "$WORK/vsftpd/root/pub"
  openssl req -x509 -newkey rsa:3072 -nodes -days 2 -subj /CN=localhost -keyout "$WORK/vsftpd/key.pem" \
    -out "$WORK/vsftpd/cert.pem" 2>/dev/null || { error "vsftpd: cannot make its certificate"; return 1; }
  VSFTPD_PORT="$(free_port)" && passive="$(free_port_range 64)" || { error "vsftpd: no free ports"; return 1; }
  cat >"$conf" <<EOF_CONF
listen=YES
listen_ipv6=NO
listen_address=127.0.0.1
listen_port=$VSFTPD_PORT
background=NO
anonymous_enable=YES
local_enable=NO
write_enable=YES
anon_upload_enable=YES
anon_mkdir_write_enable=YES
anon_other_write_enable=YES
anon_umask=022
anon_root=$WORK/vsftpd/root
no_anon_password=YES
pasv_min_port=${passive%-*}
pasv_max_port=${passive#*-}
ssl_enable=YES
allow_anon_ssl=YES
force_anon_logins_ssl=YES
force_anon_data_ssl=YES
require_ssl_reuse=NO
rsa_cert_file=$WORK/vsftpd/cert.pem
rsa_private_key_file=$WORK/vsftpd/key.pem
seccomp_sandbox=NO
max_clients=64
max_per_ip=64
xferlog_enable=NO
EOF_CONF
  /usr/sbin/vsftpd "$conf" </dev/null >"$WORK/vsftpd/vsftpd.log" 2>&1 &
  VSFTPD_PID=$!
  await_port "$VSFTPD_PORT" || { error "vsftpd did not listen: $(tail -n 3 "$WORK/vsftpd/vsftpd.log")"; return 1; }
  log "vsftpd on 127.0.0.1:$VSFTPD_PORT (pid $VSFTPD_PID, passive $passive), writing to $WORK/vsftpd/root/pub"
}

# lftp_vsftpd COMMANDS: lftp with the calling script's LFTP_SETTINGS against start_vsftpd's server.
lftp_vsftpd() {
  HOME="$WORK/home" timeout "$TRANSFER_TIMEOUT_SECONDS" lftp -c \
    "$LFTP_SETTINGS; set ftp:ssl-allow-anonymous yes; open ftp://anonymous:x@127.0.0.1:$VSFTPD_PORT; $*" </dev/null
}
