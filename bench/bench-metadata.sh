#!/usr/bin/env bash
# Metadata-operation benchmark (a measurement, not a test; issue 39): what one small operation costs
# through Ferry, beside the S3 requests under it and the peers, in one run on loopback over one
# S3Proxy:
#   (a) the floor: single S3 requests (HEAD of a missing key, PUT 4 KiB, HEAD, GET 4 KiB, LIST of
#       30, COPY, DELETE) from botocore (Debian's awscli's) on one keep-alive connection
#   (b) per SFTP operation, one paramiko session, BENCH_OPS=30 of a kind in a row, each timed: stat
#       of a missing name; create + write 4 KiB + close; setstat mtime; stat; read 4 KiB (open, read,
#       close); list a folder of 30; rename; remove; mkdir; rmdir. Against Ferry, `rclone serve sftp
#       --vfs-cache-mode off` over the same S3 (the peer) and OpenSSH's sshd to the local disk (the
#       reference without S3)
#   (c) per FTPS operation (python ftplib, AUTH TLS + PROT P): SIZE of a missing name, STOR 4 KiB,
#       MFMT, SIZE, MDTM, RETR 4 KiB, MLSD of 30, RNFR/RNTO, DELE, MKD, RMD. Against Ferry and
#       vsftpd to the local disk (the reference without S3, as sshd is for SFTP; it needs root and
#       the vsftpd package, and has no MLSD or MFMT). Debian's rclone has no `serve ftp`, so there
#       is no FTP peer over S3 (the table says so)
#   (d) the S3 requests Ferry makes per operation of (b) and (c): Ferry runs with its metrics on, and
#       its count of S3 requests by operation (ferry_s3_requests_seconds_count) is read before the
#       first and after the last operation of a kind in an untimed pass of its own (between the
#       warm-up and the timed passes), divided by the operations; and what those
#       requests cost one after another at the floor of (a), against Ferry's time. (Counted from the
#       SDK's request log at DEBUG before 2026-11-27, which cost Ferry 0.5-1 ms per request.)
#   (e) sshfs workloads over Ferry, rclone serve sftp and sshd: `cp -r` of BENCH_FILES=300 small
#       files (1-16 KiB, 30 folders), `git init && git add -A && git commit` in the copy, `rm -rf`
#       of the copy (.git included); then `cp -r` of BENCH_FLAT_FILES=2000 files of 1-4 KiB into one
#       folder (a folder that outlives the listing cache's window while it is written) and `rm -rf`
#       of it; seconds, and Ferry's S3 requests for each
#   (f) BENCH_SESSIONS=8 sessions running the loop of (b) / (c) at once against one running alone:
#       operations per second of wall clock (the clients share the 2 CPUs with the servers)
# Every figure is the median of BENCH_REPEAT=3 runs (for (b) and (c): of each run's median), after
# BENCH_WARMUP=150 untimed passes of the same loop (every server gets them; a JVM compiles its request
# path during the first tens of thousands of operations, and a server in service is warm. On a fresh
# Ferry after 40 passes (12,000 operations), creates took 3.5-4.4 ms; after 25,000 more, 2.2-2.9 ms
# in the same loop; 150 passes take about 100 s per server). In (b) and (e) the servers take turns,
# one run each per round, so that a ratio compares runs that met the machine alike. Ferry's first pass
# is printed as well ("cold"). bench/metadata_ops.py does the client side of (a)-(d) and (f).
#
#   bench/bench-metadata.sh | tee bench-metadata.txt     (after: mvn -q -DskipTests package)
#
# Knobs (environment): BENCH_REPEAT=3, BENCH_OPS=30 (operations of each kind per run), BENCH_WARMUP=150,
# BENCH_FILES=300, BENCH_FLAT_FILES=2000,
# BENCH_SESSIONS=8, FERRY_HEAP=1g, FERRY_JAVA=java, BENCH_DIR, BENCH_KEEP=1 (keeps the temp dir and
# Ferry's log), FERRY_JAR, S3PROXY_JAR, BENCH_SECTIONS="floor sftp ftps sshfs sessions" (the sections
# to run, rows of the others print n/a), BENCH_SERVERS="ferry rclone sshd" (the SFTP servers of (b), (e)
# and (f)), BENCH_DIR_CACHE_TIME (Ferry's listings.directoryCacheTime,
# its default 5s unless set; 5m is rclone's --dir-cache-time default), BENCH_STATE_STORE=embedded
# (or postgresql: Ferry's state in a private PostgreSQL cluster, as nodes that share one run, where
# every change also records its path lock there).
set -uo pipefail

REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
FERRY_JAR="${FERRY_JAR:-$REPO_DIR/gateway-server/target/ferry.jar}"
BENCH_REPEAT="${BENCH_REPEAT:-3}"
OPS="${BENCH_OPS:-30}"
WARMUP="${BENCH_WARMUP:-150}"
FILES="${BENCH_FILES:-300}"
FLAT="${BENCH_FLAT_FILES:-2000}"
SESSIONS="${BENCH_SESSIONS:-8}"
SECTIONS=" ${BENCH_SECTIONS:-floor sftp ftps sshfs sessions} "
SERVERS="${BENCH_SERVERS:-ferry rclone sshd}"
STATE_STORE="${BENCH_STATE_STORE:-embedded}"
FERRY_HEAP="${FERRY_HEAP:-1g}"
AWS=/usr/bin/aws
PYTHON=/usr/bin/python3
RCLONE=/usr/bin/rclone
TOTAL_TIMEOUT_SECONDS=3600
TRANSFER_TIMEOUT_SECONDS=900      # one metadata_ops.py run, one sshfs step
START_TIMEOUT_SECONDS=90
export LC_ALL=C.UTF-8

BUCKET=bench
S3_KEY=benchaccess
S3_SECRET="$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 24)"
PASSWORD="$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 20)"
ME="$(id -un)"
SSHFS_PIDS=()
MOUNTS=()
NOTES=()

# shellcheck source=lib.sh
source "$REPO_DIR/bench/lib.sh"
# shellcheck source=../it/postgres.sh
source "$REPO_DIR/it/postgres.sh"

# The operations of (b) and (c) in the order metadata_ops.py runs them, with the table's words.
SFTP_KINDS=(stat_missing create setstat stat read list rename remove mkdir rmdir)
declare -A SFTP_LABEL=([stat_missing]="stat, missing name" [create]="create + write 4 KiB + close"
  [setstat]="setstat mtime" [stat]="stat" [read]="read 4 KiB (open, read, close)" [list]="list a folder of 30"
  [rename]="rename" [remove]="remove" [mkdir]="mkdir" [rmdir]="rmdir")
FTPS_KINDS=(size_missing stor mfmt size mdtm retr mlsd rename dele mkd rmd)
declare -A FTPS_LABEL=([size_missing]="SIZE, missing name" [stor]="STOR 4 KiB" [mfmt]="MFMT" [size]="SIZE"
  [mdtm]="MDTM" [retr]="RETR 4 KiB" [mlsd]="MLSD of 30" [rename]="RNFR + RNTO" [dele]="DELE" [mkd]="MKD"
  [rmd]="RMD")
FLOOR_KINDS=(HEAD_missing PUT HEAD GET LIST LIST1 COPY DELETE)
declare -A FLOOR_LABEL=([HEAD_missing]="HEAD, missing key" [PUT]="PUT 4 KiB" [HEAD]="HEAD" [GET]="GET 4 KiB"
  [LIST]="LIST (ListObjectsV2) of 30" [LIST1]="LIST, max-keys 1, nothing there" [COPY]="COPY (CopyObject, 4 KiB)" [DELETE]="DELETE")
WORKLOADS=(cp git rm flat flatrm)

note() {
  NOTES+=("$*")
  log "NOTE: $*"
}

# wants SECTION: whether BENCH_SECTIONS asks for it (all by default; a shorter list while working on
# one kind of operation).
wants() { [[ "$SECTIONS" == *" $1 "* ]]; }

# ---------------------------------------------------------------------------------------------
# Servers

start_ferry() {
  FERRY_LOG="$WORK/ferry.log"
  # (d) and (e) read Ferry's S3 request counts there.
  METRICS_PORT="$(free_port)" || { error "no free port for Ferry's metrics"; return 1; }
  PASSWORD_HASH="$(printf '%s\n' "$PASSWORD" | timeout 60 java -jar "$FERRY_JAR" hash-password)" \
    && [[ "$PASSWORD_HASH" == \$2* ]] || { error "hash-password failed"; return 1; }
  cat >"$WORK/ferry.yaml" <<EOF
$(ferry_yaml_store)
$(ferry_yaml_listeners)
shutdown:
  grace: 5s
metrics:
  enabled: true
  bindAddress: 127.0.0.1
  port: $METRICS_PORT
$([[ -n "${BENCH_DIR_CACHE_TIME:-}" ]] && printf 'listings:\n  directoryCacheTime: %s\n' "$BENCH_DIR_CACHE_TIME")
$([[ "$STATE_STORE" == postgresql ]] && printf 'store:\n  url: jdbc:postgresql://127.0.0.1:%s/ferry\n  user: ferry\n' "$PG_PORT")
users:
  - name: bench
    passwordHash: "$PASSWORD_HASH"
    home: s3://$BUCKET/ferry/
    permissions: [all]
    publicKeys:
      - "$(cat "$WORK/id_ed25519.pub")"
EOF
  launch_ferry || return 1
  METRICS_URL="http://127.0.0.1:$METRICS_PORT/metrics"
  ferry_ports
}

# The FTP peer the issue names, where this rclone has it (Debian's 1.60.1 is built without it).
check_rclone_ftp() {
  if "$RCLONE" serve --help 2>&1 | grep -qE '^[[:space:]]+ftp[[:space:]]'; then
    note "this rclone has serve ftp, but the script has no FTP peer yet: the FTPS table is Ferry's alone"
  else
    note "no FTP peer: $("$RCLONE" version | head -n 1) has no 'serve ftp' (Debian builds it without)"
  fi
}

# ---------------------------------------------------------------------------------------------
# The client side: bench/metadata_ops.py, its "KEY VALUE" lines into R[PREFIX.KEY].

# ops_run PREFIX ARGS...: fails only when the helper does; an operation the server lacks comes back
# as KIND.error, which is a note for a peer and an error for Ferry.
ops_run() {
  local prefix="$1" key value out="$WORK/ops-$1.out"
  shift
  log "$prefix: metadata_ops.py $1 ..."
  S3_KEY="$S3_KEY" S3_SECRET="$S3_SECRET" FTP_PASSWORD="$PASSWORD" \
    timeout -k 10 "$TRANSFER_TIMEOUT_SECONDS" "$PYTHON" "$REPO_DIR/bench/metadata_ops.py" --ops "$OPS" \
      --warmup "$WARMUP" "$@" >"$out"
  local status=$?
  while read -r key value; do
    R[$prefix.$key]="$value"
    if [[ "$key" == *.error ]]; then
      if [[ "$prefix" == ferry.* ]]; then error "$prefix ${key%.error}: ${value//_/ }"; else note "$prefix ${key%.error}: ${value//_/ }"; fi
    fi
  done <"$out"
  ((status == 0)) || { error "$prefix: metadata_ops.py $1 failed (status $status)"; return 1; }
}

# The connection arguments of each SFTP server, and where its runs go.
sftp_args() {
  case "$1" in
    ferry) echo "--port $FERRY_PORT --user bench --known-hosts $WORK/known_ferry" ;;
    rclone) echo "--port $RCLONE_PORT --user bench --known-hosts $WORK/known_rclone" ;;
    sshd) echo "--port $SSHD_PORT --user $ME --known-hosts $WORK/known_sshd" ;;
  esac
}
remote_root() {
  case "$1" in
    sshd) echo "$WORK/disk" ;;
    *) echo "" ;;
  esac
}

# ---------------------------------------------------------------------------------------------
# Sections

section_floor() {
  ops_run floor s3 --endpoint "$S3_ENDPOINT" --bucket "$BUCKET" --dir floor --repeat "$BENCH_REPEAT"
}

# ops_args MODE SERVER: metadata_ops.py's arguments for SERVER's sessions in MODE (sftp or ftps).
ops_args() {
  case "$1.$2" in
    sftp.*) echo "$(sftp_args "$2") --identity $WORK/id_ed25519 --dir $(remote_root "$2")/meta" ;;
    ftps.ferry) echo "--port $FERRY_FTP_PORT --user bench --dir /meta-ftps" ;;
    ftps.vsftpd) echo "--port $VSFTPD_PORT --user anonymous --dir /pub/meta-ftps" ;;
  esac
}

# section_ops MODE SERVERS...: (b) (MODE sftp) or (c) (ftps) against each server in BENCH_REPEAT
# rounds that take the servers in turn, one timed pass each, so that pass r of every server meets
# the machine as the others' pass r did: on two shared CPUs the whole machine slows down and speeds
# up by tens of percent within a run (sshd's own cp -r took 0.80 s in one run and 1.43 s in the
# next). Round 1 starts each server with its WARMUP untimed passes. Ferry's runs count its S3
# requests as well.
section_ops() {
  local mode="$1" round server count_args warmup kinds
  shift
  for ((round = 1; round <= BENCH_REPEAT; round++)); do
    for server in "$@"; do
      count_args=()
      [[ "$server" == ferry ]] && count_args=(--metrics "$METRICS_URL")
      warmup=0
      ((round == 1)) && warmup="$WARMUP"
      # shellcheck disable=SC2046 # ops_args is words on purpose
      ops_run "$server.$mode.r$round" "$mode" $(ops_args "$mode" "$server") --repeat 1 --warmup "$warmup" \
        "${count_args[@]}"
    done
  done
  if [[ "$mode" == sftp ]]; then kinds=("${SFTP_KINDS[@]}"); else kinds=("${FTPS_KINDS[@]}"); fi
  for server in "$@"; do
    merge_rounds "$server.$mode" "${kinds[@]}"
  done
}

# merge_rounds PREFIX KINDS...: the rounds' figures of each kind (PREFIX.rN.KIND.*) as one: the
# median of the rounds' medians, every round's in .runs, the cold pass of round 1, the S3 requests
# per operation of the last round; error where a round failed.
merge_rounds() {
  local prefix="$1" kind round value values failed
  shift
  R[$prefix.client_time]="${R[$prefix.r1.client_time]:-?}"
  for kind in "$@"; do
    values=() failed=""
    for ((round = 1; round <= BENCH_REPEAT; round++)); do
      value="${R[$prefix.r$round.$kind.ms]:-error}"
      if [[ "$value" == error ]]; then
        failed="${R[$prefix.r$round.$kind.error]:-round $round did not run}"
      else
        values+=("$value")
      fi
    done
    if [[ -n "$failed" ]]; then
      R[$prefix.$kind.ms]=error
      R[$prefix.$kind.error]="$failed"
      continue
    fi
    R[$prefix.$kind.ms]="$(median_of "${values[@]}")"
    R[$prefix.$kind.runs]="$(IFS=,; echo "${values[*]}")"
    R[$prefix.$kind.cold]="${R[$prefix.r1.$kind.cold]:-n/a}"
    R[$prefix.$kind.req]="${R[$prefix.r$BENCH_REPEAT.$kind.req]:-n/a}"
    R[$prefix.$kind.kinds]="${R[$prefix.r$BENCH_REPEAT.$kind.kinds]:-}"
  done
}

# section_sessions PREFIX ARGS...: (f) one session alone, then SESSIONS at once, BENCH_REPEAT times
# in turn (1, SESSIONS, 1, SESSIONS, ...), so that both counts meet the machine alike.
section_sessions() {
  local prefix="$1" n run
  shift
  declare -A values=()
  for ((run = 1; run <= BENCH_REPEAT; run++)); do
    for n in 1 "$SESSIONS"; do
      ops_run "$prefix.x$n.$run" "$@" --sessions "$n" || continue
      values[$n]+=" ${R[$prefix.x$n.$run.ops_per_s]}"
      ((${R[$prefix.x$n.$run.errors]:-0} == 0)) || error "$prefix: $n sessions, run $run: ${R[$prefix.x$n.$run.errors]} failed"
    done
  done
  for n in 1 "$SESSIONS"; do
    # shellcheck disable=SC2086 # the values are words
    R[$prefix.x$n]="$(median_of ${values[$n]:-})"
    log "$prefix: $n session(s): ${R[$prefix.x$n]} ops/s (runs:${values[$n]:-})"
  done
}

# The tree of (e): FILES files of 1-16 KiB of random bytes in 30 folders, on the local disk.
make_tree() {
  local i size
  for ((i = 0; i < FILES; i++)); do
    size=$((1024 + RANDOM % (15 * 1024 + 1)))
    mkdir -p "$WORK/tree/d$((i % 30))"
    head -c "$size" /dev/urandom >"$WORK/tree/d$((i % 30))/f$i.bin" || return 1
  done
  log "tree: $FILES files, $(du -sk --apparent-size "$WORK/tree" | cut -f1) KiB in 30 folders"
  mkdir -p "$WORK/flat"
  for ((i = 0; i < FLAT; i++)); do
    head -c $((1024 + RANDOM % (3 * 1024 + 1))) /dev/urandom >"$WORK/flat/f$i.bin" || return 1
  done
  log "flat: $FLAT files, $(du -sk --apparent-size "$WORK/flat" | cut -f1) KiB in one folder"
}

# mount_sshfs NAME PORT USER KNOWN_HOSTS REMOTE_DIR: sshfs in the foreground (-f), so that its PID
# is ours to stop; sshfs's defaults otherwise, the same for every server. workaround=rename lets
# git replace a file by renaming onto it where the server lacks posix-rename (sshfs then removes
# the target first); where the server has it, it is not used.
mount_sshfs() {
  local name="$1" port="$2" user="$3" known="$4" remote="$5" mnt="$WORK/mnt-$1" deadline=$((SECONDS + 30))
  mkdir -p "$mnt"
  sshfs -f -F /dev/null -o "port=$port,IdentityFile=$WORK/id_ed25519,UserKnownHostsFile=$known" \
    -o StrictHostKeyChecking=yes,BatchMode=yes,IdentitiesOnly=yes,workaround=rename \
    "$user@127.0.0.1:$remote" "$mnt" >"$WORK/sshfs-$name.log" 2>&1 &
  SSHFS_PIDS+=($!)
  MOUNTS+=("$mnt")
  until mountpoint -q "$mnt"; do
    ((SECONDS < deadline)) && kill -0 "${SSHFS_PIDS[-1]}" 2>/dev/null \
      || { error "sshfs $name did not mount: $(tail -n 3 "$WORK/sshfs-$name.log" | tr '\n' ' ')"; return 1; }
    sleep 0.2
  done
  MNT="$mnt"
}

# unmount_all: lazily (-z), so that no process stuck on a dead server holds the run up, and before
# the temp dir is removed: rm -rf of a mounted WORK would delete through the mount. Keeps $?.
unmount_all() {
  local status=$? mnt pid
  for mnt in "${MOUNTS[@]}"; do
    mountpoint -q "$mnt" && fusermount3 -uz "$mnt"
  done
  for pid in "${SSHFS_PIDS[@]}"; do
    stop_pid "$pid" sshfs 10
  done
  MOUNTS=()
  SSHFS_PIDS=()
  return $status
}

# The three steps of (e); each gets TRANSFER_TIMEOUT_SECONDS. git with no user or system config.
# The three steps of (e); each gets TRANSFER_TIMEOUT_SECONDS. git with no user or system config.
git_clean() {
  HOME="$WORK/home" GIT_CONFIG_NOSYSTEM=1 GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@localhost \
    GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@localhost git -c init.defaultBranch=main "$@"
}
step_cp() { cp -r "$WORK/tree" "$1/tree"; }
step_git() { cd "$1/tree" && git_clean init -q && git_clean add -A && git_clean commit -q -m bench; }
step_rm() { rm -rf "$1/tree"; }
step_flat() { cp -r "$WORK/flat" "$1/flat"; }
step_flatrm() { rm -rf "$1/flat"; }
export -f git_clean step_cp step_git step_rm step_flat step_flatrm

# check_step STEP MOUNT: after the timing, that the step did its work (every file copied, every
# file in the commit, nothing left); prints what is wrong.
check_step() {
  local count expected="$FILES"
  case "$1" in
    cp) count="$(find "$2/tree" -type f | wc -l)" ;;
    git) count="$(git_clean -C "$2/tree" ls-tree -r HEAD 2>/dev/null | wc -l)" ;;
    rm) [[ -e "$2/tree" ]] && echo "the tree is still there"; return 0 ;;
    flat) count="$(find "$2/flat" -type f | wc -l)" expected="$FLAT" ;;
    flatrm) [[ -e "$2/flat" ]] && echo "the folder is still there"; return 0 ;;
  esac
  ((count == expected)) || echo "$count files where $expected were expected"
}

# ferry_request_counts: Ferry's S3 requests so far, for ferry_requests_since.
ferry_request_counts() { "$PYTHON" "$REPO_DIR/bench/metadata_ops.py" counts "$METRICS_URL"; }

# ferry_requests_since KEY COUNTS: Ferry's S3 requests since ferry_request_counts printed COUNTS,
# into R[KEY.req] (the total) and R[KEY.kinds] ("HEAD=169,LIST=169,PUT=41").
ferry_requests_since() {
  local counted
  # Counted once Ferry's counts stop changing: what it still sends after the last reply belongs to the step.
  counted="$("$PYTHON" "$REPO_DIR/bench/metadata_ops.py" requests "$METRICS_URL" "$2")"
  R[$1.req]="$(sed -n 's/^total //p' <<<"$counted")"
  R[$1.kinds]="$(sed -n 's/^kinds //p' <<<"$counted")"
}

# sshfs_failed SERVER WHAT: an error for Ferry, a note for a peer (what the peer cannot do).
sshfs_failed() {
  if [[ "$1" == ferry ]]; then error "sshfs $1: $2"; else note "sshfs $1: $2"; fi
}

# section_sshfs SERVERS...: (e) through one sshfs mount per server, BENCH_REPEAT rounds that take the
# servers in turn (as (b) does), each running cp, git, rm, flat, flatrm; Ferry's S3 requests counted
# for each step (the last round's kept).
section_sshfs() {
  local server port user known run step start counts seconds wrong
  declare -A mounts=() times=()
  for server in "$@"; do
    read -r _ port _ user _ known <<<"$(sftp_args "$server")"
    mount_sshfs "$server" "$port" "$user" "$known" "$(remote_root "$server")/" && mounts[$server]="$MNT"
  done
  for ((run = 1; run <= BENCH_REPEAT; run++)); do
    for server in "$@"; do
      [[ -n "${mounts[$server]:-}" && "${times[$server.failed]:-}" != yes ]] || continue
      for step in "${WORKLOADS[@]}"; do
        counts=""
        [[ "$server" == ferry ]] && counts="$(ferry_request_counts)"
        start="$(now)"
        if ! timeout -k 10 "$TRANSFER_TIMEOUT_SECONDS" bash -c 'step_$0 "$1"' "$step" "${mounts[$server]}" >"$WORK/step.out" 2>&1; then
          sshfs_failed "$server" "$step, run $run, failed after $(elapsed "$start") s: $(tail -n 3 "$WORK/step.out" | tr '\n' ' ')"
          times[$server.$step]+=" error"
          times[$server.failed]=yes
          rm -rf "${mounts[$server]}/tree" "${mounts[$server]}/flat" 2>/dev/null
          break
        fi
        seconds="$(elapsed "$start")"
        times[$server.$step]+=" $seconds"
        [[ "$server" == ferry ]] && ferry_requests_since "ferry.sshfs.$step" "$counts"
        log "sshfs $server: $step, run $run: $seconds s${counts:+, ${R[ferry.sshfs.$step.req]} S3 requests}"
        wrong="$(check_step "$step" "${mounts[$server]}")"
        [[ -z "$wrong" ]] || sshfs_failed "$server" "$step, run $run: $wrong"
      done
    done
  done
  for server in "$@"; do
    for step in "${WORKLOADS[@]}"; do
      # shellcheck disable=SC2086 # the times are words
      if [[ "${times[$server.$step]:-error}" == *error* ]]; then R[$server.sshfs.$step]=error
      else R[$server.sshfs.$step]="$(median_of ${times[$server.$step]})"; fi
    done
  done
  unmount_all
}

# ---------------------------------------------------------------------------------------------
# Tables

# floor_of KINDS [PAGES]: what the requests "HEAD=1.00,LIST=3.00" cost one after another at the
# floor of (a), ms. The log does not tell a LIST that reads a page of a folder from the max-keys=1
# probe Ferry sends beside a HEAD to learn whether a name is a folder: PAGES (default 0) of the LISTs
# count as a page of 30, the others as probes. POST (a multipart step or batch delete) counts as a PUT.
floor_of() {
  local kinds="$1" pages="${2:-0}" pair kind count sum=0
  [[ "$kinds" == none ]] && { echo 0.00; return; }
  [[ -n "$kinds" ]] || { echo n/a; return; }
  for pair in ${kinds//,/ }; do
    kind="${pair%%=*}" count="${pair#*=}"
    [[ "$kind" == POST ]] && kind=PUT
    if [[ "$kind" == LIST ]]; then
      sum="$(awk -v s="$sum" -v c="$count" -v p="$pages" -v page="${R[floor.LIST.ms]:-x}" -v probe="${R[floor.LIST1.ms]:-x}" \
        'BEGIN { if (page !~ /^[0-9.]+$/ || probe !~ /^[0-9.]+$/) print "n/a"; else printf "%.2f", s + p * page + (c - p) * probe }')"
    else
      sum="$(awk -v s="$sum" -v c="$count" -v f="${R[floor.$kind.ms]:-x}" \
        'BEGIN { if (f !~ /^[0-9.]+$/) print "n/a"; else printf "%.2f", s + c * f }')"
    fi
    [[ "$sum" == n/a ]] && { echo n/a; return; }
  done
  echo "$sum"
}

minus() { awk -v a="$1" -v b="$2" 'BEGIN { if (a ~ /^[0-9.]+$/ && b ~ /^[0-9.]+$/) printf "%.2f", a - b; else print "-" }'; }
kinds_short() { local k="${1:-n/a}"; k="${k//.00/}"; echo "${k//,/ }"; }

print_floor() {
  local kind
  echo "(a) S3 floor: botocore against S3Proxy, one request at a time on one keep-alive connection; ms"
  for kind in "${FLOOR_KINDS[@]}"; do
    printf '  %-34s %8s\n' "${FLOOR_LABEL[$kind]}" "${R[floor.$kind.ms]:-n/a}"
  done
}

print_sftp() {
  local kind f floor
  echo
  echo "(b) SFTP, one paramiko session, ms per operation; (d) Ferry's S3 requests per operation, what they cost one"
  echo "    after another at the floor of (a) (LISTs as max-keys 1 probes, but one page of 30 for the listing), and"
  echo "    Ferry's time over that (below 0 where Ferry sends requests at once)"
  echo "    Ferry cold: the median of the first untimed pass, before Ferry's JIT has compiled the request path"
  printf '  %-30s %8s %8s %8s %6s %10s | %6s %-36s %7s %8s\n' "operation" "Ferry" "rclone" "sshd" "F/r" "Ferry cold" \
    "S3 req" "by kind" "floor" "F-floor"
  for kind in "${SFTP_KINDS[@]}"; do
    f="${R[ferry.sftp.$kind.ms]:-n/a}"
    floor="$(floor_of "${R[ferry.sftp.$kind.kinds]:-}" "$([[ $kind == list ]] && echo 1)")"
    printf '  %-30s %8s %8s %8s %6s %10s | %6s %-36s %7s %8s\n' "${SFTP_LABEL[$kind]}" "$f" "${R[rclone.sftp.$kind.ms]:-n/a}" \
      "${R[sshd.sftp.$kind.ms]:-n/a}" "$(ratio "$f" "${R[rclone.sftp.$kind.ms]:-n/a}")" "${R[ferry.sftp.$kind.cold]:-n/a}" \
      "${R[ferry.sftp.$kind.req]:-n/a}" "$(kinds_short "${R[ferry.sftp.$kind.kinds]:-}")" "$floor" "$(minus "$f" "$floor")"
  done
  echo "  stat shows the time setstat set: Ferry ${R[ferry.sftp.client_time]:-?}, rclone ${R[rclone.sftp.client_time]:-?}," \
    "sshd ${R[sshd.sftp.client_time]:-?}"
}

print_ftps() {
  local kind f floor
  echo
  echo "(c) FTPS (explicit, PROT P), one ftplib session, ms per operation (STOR, RETR, MLSD: PASV, a TLS data"
  echo "    connection and the transfer); vsftpd (anonymous, to the local disk) is the protocol without S3, as"
  echo "    sshd is for SFTP, and has neither MLSD nor MFMT; (d) Ferry's S3 requests and their floor as in (b)"
  printf '  %-30s %8s %8s %6s %10s | %6s %-36s %7s %8s\n' "operation" "Ferry" "vsftpd" "F/v" "Ferry cold" "S3 req" \
    "by kind" "floor" "F-floor"
  for kind in "${FTPS_KINDS[@]}"; do
    f="${R[ferry.ftps.$kind.ms]:-n/a}"
    floor="$(floor_of "${R[ferry.ftps.$kind.kinds]:-}" "$([[ $kind == mlsd ]] && echo 1)")"
    printf '  %-30s %8s %8s %6s %10s | %6s %-36s %7s %8s\n' "${FTPS_LABEL[$kind]}" "$f" "${R[vsftpd.ftps.$kind.ms]:-n/a}" \
      "$(ratio "$f" "${R[vsftpd.ftps.$kind.ms]:-n/a}")" "${R[ferry.ftps.$kind.cold]:-n/a}" "${R[ferry.ftps.$kind.req]:-n/a}" \
      "$(kinds_short "${R[ferry.ftps.$kind.kinds]:-}")" "$floor" "$(minus "$f" "$floor")"
  done
  echo "  MDTM shows the time MFMT set: Ferry ${R[ferry.ftps.client_time]:-?}"
}

print_sshfs() {
  local step floor
  declare -A what=([cp]="cp -r, $FILES files in 30 folders" [git]="git init + add -A + commit" [rm]="rm -rf (with .git)"
    [flat]="cp -r, $FLAT files in one folder" [flatrm]="rm -rf of that folder")
  echo
  echo "(e) sshfs (its defaults, workaround=rename), seconds; Ferry's S3 requests in the last run, and what they"
  echo "    cost one after another at the floor of (a)"
  printf '  %-30s %8s %8s %8s %6s | %6s %7s  %s\n' "workload" "Ferry" "rclone" "sshd" "F/r" "S3 req" "floor" "by kind"
  for step in "${WORKLOADS[@]}"; do
    floor="$(floor_of "${R[ferry.sshfs.$step.kinds]:-}")"
    [[ "$floor" == n/a ]] || floor="$(awk -v ms="$floor" 'BEGIN { printf "%.2f", ms / 1000 }')"
    printf '  %-30s %8s %8s %8s %6s | %6s %7s  %s\n' "${what[$step]}" "${R[ferry.sshfs.$step]:-n/a}" \
      "${R[rclone.sshfs.$step]:-n/a}" "${R[sshd.sshfs.$step]:-n/a}" \
      "$(ratio "${R[ferry.sshfs.$step]:-n/a}" "${R[rclone.sshfs.$step]:-n/a}")" "${R[ferry.sshfs.$step.req]:-n/a}" \
      "$floor" "$(kinds_short "${R[ferry.sshfs.$step.kinds]:-}")"
  done
}

print_sessions() {
  local prefix
  declare -A what=([ferry.sftp]="Ferry SFTP" [rclone.sftp]="rclone serve sftp" [sshd.sftp]="sshd (disk)"
    [ferry.ftps]="Ferry FTPS")
  echo
  echo "(f) the loop of (b)/(c) ($OPS of each operation per session), operations per second of wall clock"
  printf '  %-30s %10s %12s %8s\n' "server" "1 session" "$SESSIONS sessions" "x"
  for prefix in ferry.sftp rclone.sftp sshd.sftp ferry.ftps; do
    printf '  %-30s %10s %12s %8s\n' "${what[$prefix]}" "${R[$prefix.x1]:-n/a}" "${R[$prefix.x$SESSIONS]:-n/a}" \
      "$(ratio "${R[$prefix.x$SESSIONS]:-n/a}" "${R[$prefix.x1]:-n/a}")"
  done
  echo "  Ferry/rclone, SFTP: 1 session $(ratio "${R[ferry.sftp.x1]:-n/a}" "${R[rclone.sftp.x1]:-n/a}")," \
    "$SESSIONS sessions $(ratio "${R[ferry.sftp.x$SESSIONS]:-n/a}" "${R[rclone.sftp.x$SESSIONS]:-n/a}")"
}

print_tables() {
  echo
  echo "=================================================================================================="
  echo "Metadata operations on loopback over S3Proxy, $(nproc) CPUs; medians of $BENCH_REPEAT runs" \
    "($OPS operations of a kind per run); Ferry's state store: $STATE_STORE"
  echo "Ferry on $("${FERRY_JAVA:-java}" -version 2>&1 | head -n 1) -Xmx$FERRY_HEAP; $("$RCLONE" version | head -n 1);" \
    "$(sshfs --version 2>&1 | grep -m 1 SSHFS); paramiko $("$PYTHON" -c 'import paramiko; print(paramiko.__version__)')"
  print_floor
  print_sftp
  print_ftps
  print_sshfs
  print_sessions
  if ((${#NOTES[@]} > 0)); then
    echo "notes:"
    printf '  - %s\n' "${NOTES[@]}"
  fi
  if ((${#ERRORS[@]} > 0)); then
    echo "errors:"
    printf '  - %s\n' "${ERRORS[@]}"
  fi
  echo "=================================================================================================="
}

metadata_cleanup() {
  local status=$?
  unmount_all
  # Ferry first, while its state store still answers; then the store.
  stop_pid "${FERRY_PID:-}" Ferry 45
  stop_private_postgres
  (exit "$status")
  cleanup
}

main() {
  start_run ferry-bench-metadata
  export WORK
  trap metadata_cleanup EXIT
  case "$STATE_STORE" in
    embedded) ;;
    postgresql)
      PG_DIR="$WORK/postgres"
      start_private_postgres || exit 1
      log "Ferry's state store: PostgreSQL on 127.0.0.1:$PG_PORT" ;;
    *) error "BENCH_STATE_STORE is embedded or postgresql, not '$STATE_STORE'"; exit 2 ;;
  esac
  mkdir -p "$WORK/home"
  ssh-keygen -q -t ed25519 -N '' -f "$WORK/id_ed25519"
  make_tree
  check_rclone_ftp
  # rclone serve sftp over the same S3Proxy, its cache off as the issue asks (rclone's default too):
  # reads and writes go straight to S3; rclone still keeps directory entries for --dir-cache-time
  # (5 minutes by default), as any rclone user gets.
  if start_s3proxy && start_sshd && start_ferry && start_rclone --vfs-cache-mode off; then
    mkdir -p "$WORK/disk"
    wants floor && section_floor
    # shellcheck disable=SC2086 # SERVERS is words
    wants sftp && section_ops sftp $SERVERS
    if wants ftps; then
      # vsftpd, a C server writing to the local disk, is to FTPS what sshd is to SFTP: what the
      # protocol itself costs (a TLS data connection per transfer) without S3.
      if start_vsftpd; then
        section_ops ftps ferry vsftpd
      else
        note "no vsftpd: the FTPS table is Ferry's alone"
        section_ops ftps ferry
      fi
    fi
    # shellcheck disable=SC2086
    wants sshfs && section_sshfs $SERVERS
    if wants sessions; then
      for server in $SERVERS; do
        # shellcheck disable=SC2046
        section_sessions "$server.sftp" sftp $(sftp_args "$server") --identity "$WORK/id_ed25519" \
          --dir "$(remote_root "$server")/load"
      done
      section_sessions ferry.ftps ftps --port "$FERRY_FTP_PORT" --user bench --dir /load-ftps
    fi
    memory_report ferry
  fi
  print_tables
  ((${#ERRORS[@]} == 0))
}

main "$@"
