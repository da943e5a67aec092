#!/usr/bin/env bash
# SFTP throughput and memory benchmark (a measurement, not a test). In one run, on loopback, with
# OpenSSH's sftp client and its default algorithms for every headline figure (the cipher and MAC
# each server negotiated are printed), plus pinned-cipher rows for the large file:
#   (a) Ferry SFTP over S3Proxy: one large file, many 10 MiB files and 2,000 files of 1 KiB, up and down;
#       and the large file over Ferry's FTPS (lftp with its defaults), the SFTP target's yardstick
#   (b) OpenSSH sftp against a local OpenSSH sshd writing to a temp dir on disk (the SFTP ceiling)
#   (c) the same files straight to the same S3Proxy with awscli (the S3 ceiling)
#   (d) rclone serve sftp over the same S3Proxy
#   and `sftp cp` of the large file (copy-data: inside S3 for Ferry, on disk for sshd; beside them
#   one CopyObject with awscli; rclone serve sftp does not offer copy-data),
#   then ratios, Ferry's CPU seconds per GiB and peak RSS on each of its rows, and
#   (a2) Ferry's rows again with another heap (-Xmx256m), each against the same row at FERRY_HEAP
#   (e) a memory stress: Ferry restarted with -Xmx256m takes 8 parallel large uploads, checked
#       byte-exact through the SHA-256 Ferry records (falling back to reading the object), then 50
#       sessions transferring at once (peak RSS)
# Every section prints its result or its error and the run goes on; a table closes the run.
#
#   bench/bench-sftp.sh                (after: mvn -q -DskipTests package)
#
# Every transfer runs BENCH_REPEAT=3 times and counts with its median (references too).
# Knobs (environment): FERRY_JAVA=java (the java that runs Ferry), BENCH_SIZE_MB=1024, BENCH_SMALL_COUNT=100, BENCH_SMALL_MB=10,
# FERRY_HEAP=1g, BENCH_COMPARE_HEAP=256m (Ferry's rows again at this heap, in the same run; empty skips),
# BENCH_STRESS_HEAP=256m, BENCH_STRESS_COUNT=8 (0 skips), BENCH_LOAD_SESSIONS=50 and BENCH_LOAD_SECONDS=60 (that
# many SFTP and FTPS sessions moving 1-10 MB files at once with bench/TransferLoad.java, for Ferry's peak RSS;
# 0 skips), BENCH_LOAD_HEAPS (default "BENCH_STRESS_HEAP FERRY_HEAP": a fresh Ferry at each takes the load), BENCH_CIPHER= (empty: the
# client's default; set to pin every row), BENCH_PINNED_CIPHER=aes128-gcm@openssh.com (the extra pinned
# large-file rows; empty skips them), BENCH_TINY_COUNT=2000 (files of 1 KiB; 0 skips),
# BENCH_TINY_WARMUP_ROUNDS=12 (untimed FTPS mirror -R rounds of them before the FTPS 1 KiB row, each server),
# BENCH_SERVERS="ferry sshd direct rclone vsftpd" (which sections run; vsftpd needs root and the vsftpd package), BENCH_SFTP_WINDOW / BENCH_SFTP_PACKET (sftp.windowSize/packetSize),
# BENCH_SPILL_LIMIT (uploads.spillLimit), BENCH_WARMUP_MB=1024 and BENCH_WARMUP_ROUNDS=3 (Ferry's untimed
# round trips before its figures), BENCH_DIR, BENCH_DOWNLOAD_DIR (default: /dev/shm when it has room),
# BENCH_STORE_DIR (S3Proxy's objects; default: /dev/shm when it has room, the stress on disk),
# BENCH_KEEP=1, FERRY_JAR, S3PROXY_JAR.
set -uo pipefail

REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
FERRY_JAR="${FERRY_JAR:-$REPO_DIR/gateway-server/target/ferry.jar}"
SIZE_MB="${BENCH_SIZE_MB:-1024}"
SMALL_COUNT="${BENCH_SMALL_COUNT:-100}"
SMALL_MB="${BENCH_SMALL_MB:-10}"
FERRY_HEAP="${FERRY_HEAP:-1g}"
STRESS_HEAP="${BENCH_STRESS_HEAP:-256m}"
STRESS_COUNT="${BENCH_STRESS_COUNT:-8}"
COMPARE_HEAP="${BENCH_COMPARE_HEAP-256m}"
LOAD_SESSIONS="${BENCH_LOAD_SESSIONS:-50}"
LOAD_SECONDS="${BENCH_LOAD_SECONDS:-60}"
LOAD_HEAPS="${BENCH_LOAD_HEAPS:-$STRESS_HEAP $FERRY_HEAP}"
WARMUP_MB="${BENCH_WARMUP_MB:-1024}"
WARMUP_ROUNDS="${BENCH_WARMUP_ROUNDS:-3}"
CIPHER="${BENCH_CIPHER:-}"
PINNED_CIPHER="${BENCH_PINNED_CIPHER-aes128-gcm@openssh.com}"
TINY_COUNT="${BENCH_TINY_COUNT:-2000}"
TINY_WARMUP_ROUNDS="${BENCH_TINY_WARMUP_ROUNDS:-12}"
SERVERS=" ${BENCH_SERVERS:-ferry sshd direct rclone vsftpd} "
BENCH_REPEAT="${BENCH_REPEAT:-3}"
AWS=/usr/bin/aws
TOTAL_TIMEOUT_SECONDS=5400
TRANSFER_TIMEOUT_SECONDS=1800
START_TIMEOUT_SECONDS=90
export LC_ALL=C.UTF-8

BIG_BYTES=$((SIZE_MB * 1024 * 1024))
SMALL_BYTES=$((SMALL_MB * 1024 * 1024))
SMALL_TOTAL=$((SMALL_COUNT * SMALL_BYTES))
TINY_TOTAL=$((TINY_COUNT * 1024))
BUCKET=bench
S3_KEY=benchaccess
S3_SECRET="$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 24)"
PASSWORD="$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 20)"   # for the FTPS rows
ME="$(id -un)"

# shellcheck source=lib.sh
source "$REPO_DIR/bench/lib.sh"


# ---------------------------------------------------------------------------------------------
# SFTP client: OpenSSH sftp in batch mode, key auth, host key pinned, the client's default
# algorithms unless SFTP_CIPHER (BENCH_CIPHER, or the pinned rows' cipher) names one.
SFTP_CIPHER="$CIPHER"

# sftp_batch PORT USER KNOWN_HOSTS COMMANDS...
sftp_batch() {
  local port="$1" user="$2" known="$3"
  shift 3
  local batch status cipher=()
  batch="$(mktemp "$WORK/batch.XXXXXX")"          # one per call: the stress runs several at once
  printf '%s\n' "$@" >"$batch"
  [[ -n "$SFTP_CIPHER" ]] && cipher=(-c "$SFTP_CIPHER")
  HOME="$WORK/home" timeout "$TRANSFER_TIMEOUT_SECONDS" sftp -F /dev/null -q -o "UserKnownHostsFile=$known" \
    -o StrictHostKeyChecking=yes -o BatchMode=yes -o IdentitiesOnly=yes -i "$WORK/id_ed25519" "${cipher[@]}" \
    -P "$port" -b "$batch" "$user@127.0.0.1" </dev/null
  status=$?
  rm -f "$batch"
  return $status
}

# lftp_ferry COMMANDS: lftp with its defaults (no MODE Z: Ferry does not offer it) against Ferry's
# explicit FTPS, for the FTPS rows beside the SFTP ones.
LFTP_SETTINGS="set ssl:verify-certificate no; set ssl:check-hostname no; set ftp:ssl-force yes; \
set ftp:ssl-protect-data yes; set cmd:fail-exit yes; set xfer:clobber yes"
lftp_ferry() {
  HOME="$WORK/home" timeout "$TRANSFER_TIMEOUT_SECONDS" lftp -c \
    "$LFTP_SETTINGS; open -u 'bench','$PASSWORD' ftp://127.0.0.1:$FERRY_FTP_PORT; $*" </dev/null
}

# lftp_ferry_quiet COMMANDS: the same, for clearing a destination: its output and failure ignored.
lftp_ferry_quiet() {
  lftp_ferry "$*" >/dev/null 2>&1 || true
}

# negotiated PREFIX PORT USER KNOWN_HOSTS: the cipher and MAC the client and server agreed on
# (client to server), into R[PREFIX.algorithms].
negotiated() {
  local prefix="$1" port="$2" user="$3" known="$4" cipher=()
  [[ -n "$SFTP_CIPHER" ]] && cipher=(-c "$SFTP_CIPHER")
  R[$prefix.algorithms]="$(HOME="$WORK/home" timeout 60 sftp -v -F /dev/null -o "UserKnownHostsFile=$known" \
    -o StrictHostKeyChecking=yes -o BatchMode=yes -o IdentitiesOnly=yes -i "$WORK/id_ed25519" "${cipher[@]}" \
    -P "$port" -b /dev/null "$user@127.0.0.1" </dev/null 2>&1 \
    | sed -n 's/.*kex: client->server cipher: \([^ ]*\) MAC: \([^ ]*\) .*/\1 \2/p' | head -n 1)"
  log "$prefix negotiates ${R[$prefix.algorithms]:-?}"
}

# sftp_remove_tree PORT USER KNOWN_HOSTS DIR: removes DIR's files and DIR itself, if there ("-"
# lets the batch go on where they are not).
sftp_remove_tree() {
  sftp_batch "$1" "$2" "$3" "-rm $4/*" "-rmdir $4" >/dev/null 2>&1 || true
}

# sftp_suite PREFIX PORT USER KNOWN_HOSTS REMOTE_DIR: the four measurements against one server.
sftp_suite() {
  local prefix="$1" port="$2" user="$3" known="$4" dir="$5" label="$6"
  rm -rf "$DL" && mkdir -p "$DL"
  # Untimed: a JVM server runs interpreted until its JIT has compiled the hot paths. Ferry's SFTP
  # path was still compiling (C2 busy, download time falling) after 3 GiB of traffic, so Ferry gets
  # WARMUP_ROUNDS round trips; native servers one.
  local rounds=1 round
  [[ "$prefix" == ferry* ]] && rounds="$WARMUP_ROUNDS"
  head -c $((WARMUP_MB * 1024 * 1024)) "$WORK/big.bin" >"$WORK/warmup.bin"
  log "$label: warm-up (not timed), $rounds x $WARMUP_MB MiB up and down"
  for round in $(seq 1 "$rounds"); do
    sftp_batch "$port" "$user" "$known" "put $WORK/warmup.bin $dir/warmup.bin" \
      "get $dir/warmup.bin $DL/warmup.bin" "rm $dir/warmup.bin" >/dev/null || error "$label: warm-up failed"
  done
  rm -f "$WORK/warmup.bin" "$DL/warmup.bin"
  # And one round trip of the small files: opening, listing and closing 100 files are code paths
  # (and, for sshd, page-cache states) that large files do not warm. Without it, every server's
  # first timed many-file run was its slowest (Ferry's get -R 6.2 s, then 5.7 and 5.1 s).
  log "$label: warm-up (not timed), put -R and get -R of the ${SMALL_COUNT} small files"
  sftp_batch "$port" "$user" "$known" "put -R $WORK/small $dir/warmup-small" \
    "get -R $dir/warmup-small $DL/warmup-small" >/dev/null || error "$label: small-file warm-up failed"
  sftp_remove_tree "$port" "$user" "$known" "$dir/warmup-small"
  rm -rf "$DL/warmup-small"
  negotiated "$prefix" "$port" "$user" "$known"
  # Ferry's rows (ferry, and ferry.compare at BENCH_COMPARE_HEAP) also get its CPU per GiB and peak
  # RSS; its FTPS rows go under ftps (ftps.compare).
  local cpu="" ftps="${prefix/ferry/ftps}"
  [[ "$prefix" == ferry* ]] && cpu="$FERRY_PID"
  MEASURE_CPU_PID="$cpu" measure "$prefix.up.big" "$BIG_BYTES" "$label: sftp put ${SIZE_MB} MiB" \
    sftp_batch "$port" "$user" "$known" "put $WORK/big.bin $dir/big.bin"
  MEASURE_CPU_PID="$cpu" measure "$prefix.down.big" "$BIG_BYTES" "$label: sftp get ${SIZE_MB} MiB" \
    sftp_batch "$port" "$user" "$known" "get $dir/big.bin $DL/big.bin"
  cmp -s "$WORK/big.bin" "$DL/big.bin" || error "$label: downloaded large file differs"
  if [[ "$prefix" == ferry* ]]; then
    MEASURE_CPU_PID="$cpu" ftps_rows "$ftps" lftp_ferry /ftps- "lftp_ferry_quiet rm -r -f /ftps-" "$label"
  fi
  if [[ -n "$PINNED_CIPHER" && "$prefix" != rclone ]]; then
    SFTP_CIPHER="$PINNED_CIPHER" MEASURE_CPU_PID="$cpu" measure "$prefix.up.pinned" \
      "$BIG_BYTES" "$label: sftp -c $PINNED_CIPHER put ${SIZE_MB} MiB" \
      sftp_batch "$port" "$user" "$known" "put $WORK/big.bin $dir/big.bin"
    SFTP_CIPHER="$PINNED_CIPHER" MEASURE_CPU_PID="$cpu" measure "$prefix.down.pinned" "$BIG_BYTES" \
      "$label: sftp -c $PINNED_CIPHER get ${SIZE_MB} MiB" sftp_batch "$port" "$user" "$known" "get $dir/big.bin $DL/big.bin"
    cmp -s "$WORK/big.bin" "$DL/big.bin" || error "$label: downloaded large file (pinned cipher) differs"
  fi
  if [[ "$prefix" != rclone ]]; then
    measure "$prefix.cp.big" "$BIG_BYTES" "$label: sftp cp ${SIZE_MB} MiB" \
      sftp_batch "$port" "$user" "$known" "cp $dir/big.bin $dir/big-copy.bin"
  fi
  if [[ "$prefix" == ferry* ]]; then
    [[ "$(ferry_sha256 big-copy.bin)" == "$BIG_SHA" ]] || error "$label: the sftp cp copy does not carry the file's SHA-256"
  fi
  MEASURE_CPU_PID="$cpu" tree_rows "$prefix" "$port" "$user" "$known" "$dir" "$label" small "$SMALL_TOTAL" \
    "${SMALL_COUNT} x ${SMALL_MB} MiB"
  if ((TINY_COUNT > 0)); then
    MEASURE_CPU_PID="$cpu" tree_rows "$prefix" "$port" "$user" "$known" "$dir" "$label" tiny "$TINY_TOTAL" \
      "${TINY_COUNT} x 1 KiB"
  fi
}

# ftps_rows PREFIX LFTP REMOTE CLEAR LABEL: the FTPS rows against one server, with lftp's defaults
# through the function LFTP (lftp_ferry, lftp_vsftpd): put and get of the large file, mirror -R and
# mirror of the small files (one file after another on one session, as sftp's put -R), mirror -R of
# the 1 KiB ones; each under the remote path REMOTE followed by its name (big.bin, small, tiny),
# emptied first with the command CLEAR followed by that name; downloads compared with the originals.
ftps_rows() {
  local prefix="$1" lftp="$2" remote="$3" clear="$4" label="$5"
  measure "$prefix.up.big" "$BIG_BYTES" "$label: FTPS (lftp) put ${SIZE_MB} MiB" "$lftp" "put $WORK/big.bin -o ${remote}big.bin"
  measure "$prefix.down.big" "$BIG_BYTES" "$label: FTPS (lftp) get ${SIZE_MB} MiB" "$lftp" "get ${remote}big.bin -o $DL/big.bin"
  cmp -s "$WORK/big.bin" "$DL/big.bin" || error "$label: large file downloaded over FTPS differs"
  rm -f "$DL/big.bin"
  MEASURE_BEFORE="${clear}small" measure "$prefix.up.small" "$SMALL_TOTAL" \
    "$label: FTPS (lftp) mirror -R ${SMALL_COUNT} x ${SMALL_MB} MiB" "$lftp" "mirror -R $WORK/small ${remote}small"
  MEASURE_BEFORE="rm -rf $DL/ftps-small" measure "$prefix.down.small" "$SMALL_TOTAL" \
    "$label: FTPS (lftp) mirror ${SMALL_COUNT} x ${SMALL_MB} MiB" "$lftp" "mirror ${remote}small $DL/ftps-small"
  diff -rq "$WORK/small" "$DL/ftps-small" >/dev/null || error "$label: files downloaded over FTPS differ"
  rm -rf "$DL/ftps-small"
  if ((TINY_COUNT > 0)); then
    # Untimed first, as every other row runs on a server already through its code: a TLS data
    # connection per file is a path the large rows hardly take, and Ferry's JIT compiles it over
    # its first ten thousand or so (jstat -compiler: 17.8, 7.0, 3.9, 2.7, 1.9 s of compiling per
    # 2,000 files, and 4.0-4.5 ms of Ferry CPU per file after, against 6-9 in the first rounds).
    log "$label: warm-up (not timed), $TINY_WARMUP_ROUNDS x mirror -R of the ${TINY_COUNT} 1 KiB files"
    for ((round = 1; round <= TINY_WARMUP_ROUNDS; round++)); do
      "$lftp" "mirror -R $WORK/tiny ${remote}warmup-tiny-$round" >/dev/null || error "$label: 1 KiB warm-up failed"
    done
    MEASURE_BEFORE="${clear}tiny" measure "$prefix.up.tiny" "$TINY_TOTAL" \
      "$label: FTPS (lftp) mirror -R ${TINY_COUNT} x 1 KiB" "$lftp" "mirror -R $WORK/tiny ${remote}tiny"
  fi
}

# tree_rows PREFIX PORT USER KNOWN_HOSTS REMOTE_DIR LABEL NAME BYTES WHAT: put -R then get -R of
# $WORK/NAME (rows PREFIX.up.NAME and PREFIX.down.NAME), each run into an empty destination, and the
# download compared with the original.
tree_rows() {
  local prefix="$1" port="$2" user="$3" known="$4" dir="$5" label="$6" name="$7" bytes="$8" what="$9"
  MEASURE_BEFORE="sftp_remove_tree $port $user $known $dir/$name" \
    measure "$prefix.up.$name" "$bytes" "$label: sftp put -R $what" \
    sftp_batch "$port" "$user" "$known" "put -R $WORK/$name $dir/$name"
  MEASURE_BEFORE="rm -rf $DL/$name" \
    measure "$prefix.down.$name" "$bytes" "$label: sftp get -R $what" \
    sftp_batch "$port" "$user" "$known" "get -R $dir/$name $DL/$name"
  diff -rq "$WORK/$name" "$DL/$name" >/dev/null || error "$label: downloaded $what differ"
}


# ---------------------------------------------------------------------------------------------
# Servers

start_ferry() {
  local heap="$1" run="$2" hash extra=""
  FERRY_LOG="$WORK/ferry-$run.log"
  if [[ -z "${PASSWORD_HASH:-}" ]]; then
    PASSWORD_HASH="$(printf '%s\n' "$PASSWORD" | timeout 60 java -jar "$FERRY_JAR" hash-password)" \
      && [[ "$PASSWORD_HASH" == \$2* ]] || { error "hash-password failed"; return 1; }
  fi
  [[ -n "${BENCH_SFTP_WINDOW:-}" ]] && extra+="  windowSize: $BENCH_SFTP_WINDOW"$'\n'
  [[ -n "${BENCH_SFTP_PACKET:-}" ]] && extra+="  packetSize: $BENCH_SFTP_PACKET"$'\n'
  cat >"$WORK/ferry.yaml" <<EOF
dataDir: $WORK/ferry-data
s3:
  endpoint: $S3_ENDPOINT
  accessKey: $S3_KEY
  secretKey: \${FERRY_BENCH_S3_SECRET}
$(ferry_yaml_listeners)
$extra
uploads:
  partSize: 8MiB
  partsInFlight: 4
${BENCH_SPILL_LIMIT:+  spillLimit: $BENCH_SPILL_LIMIT}
shutdown:
  grace: 20s
sessions:
  perUser: $((LOAD_SESSIONS + 8))      # the load's sessions, and the client running beside them
  unauthenticatedPerAddress: $((LOAD_SESSIONS + 8))   # the load's sessions all connect at once
users:
  - name: bench
    passwordHash: "$PASSWORD_HASH"
    home: s3://$BUCKET/ferry/
    permissions: [all]
    admin: true             # for the stat command that reads the SHA-256 Ferry recorded
    publicKeys:
      - "$(cat "$WORK/id_ed25519.pub")"
EOF
  # glibc's malloc arenas as the Dockerfile and run-demo.sh set them (FERRY_MALLOC_ARENA_MAX; empty: glibc's own).
  # shellcheck disable=SC2046 # the heap's options are words
  FERRY_BENCH_S3_SECRET="$S3_SECRET" MALLOC_ARENA_MAX="${FERRY_MALLOC_ARENA_MAX-2}" "${FERRY_JAVA:-java}" "-Xmx$heap" \
    $(heap_options "$heap") ${FERRY_JAVA_OPTS:-} -jar "$FERRY_JAR" --config "$WORK/ferry.yaml" >"$FERRY_LOG" 2>&1 &
  FERRY_PID=$!
  FERRY_RUNNING_HEAP="$heap"
  if ! await_log "$FERRY_PID" "$FERRY_LOG" "Ferry is up"; then
    error "Ferry (-Xmx$heap) did not start: $(tail -n 5 "$FERRY_LOG" | tr '\n' ' ')"
    stop_pid "$FERRY_PID" Ferry 10
    FERRY_PID=""
    return 1
  fi
  FERRY_PORT="$(sed -n 's/.*Ferry is up.*SFTP: [0-9.]*:\([0-9]*\).*/\1/p' "$FERRY_LOG")"
  FERRY_FTP_PORT="$(sed -n 's/.*Ferry is up.*explicit (AUTH TLS): [0-9.]*:\([0-9]*\).*/\1/p' "$FERRY_LOG")"
  known_hosts_for "$FERRY_PORT" "$WORK/known_ferry" "$WORK"/ferry-data/ssh/ssh_host_*_key.pub
  log "Ferry -Xmx$heap SFTP on 127.0.0.1:$FERRY_PORT (pid $FERRY_PID)"
  start_sampler "$run"
}

stop_ferry() {
  stop_sampler
  stop_pid "$FERRY_PID" Ferry 45
  FERRY_PID=""
}

# ---------------------------------------------------------------------------------------------
# Sections

prepare_files() {
  log "writing test files (${SIZE_MB} MiB + ${SMALL_COUNT} x ${SMALL_MB} MiB from /dev/urandom)"
  head -c "$BIG_BYTES" /dev/urandom >"$WORK/big.bin" || return 1
  mkdir -p "$WORK/small" "$WORK/home"
  local i
  for ((i = 0; i < SMALL_COUNT; i++)); do
    head -c "$SMALL_BYTES" /dev/urandom >"$WORK/small/f$(printf %03d "$i").bin" || return 1
  done
  mkdir -p "$WORK/tiny"
  for ((i = 0; i < TINY_COUNT; i++)); do
    head -c 1024 /dev/urandom >"$WORK/tiny/t$(printf %04d "$i").bin" || return 1
  done
  ssh-keygen -q -t ed25519 -N '' -f "$WORK/id_ed25519" || return 1
  BIG_SHA="$(sha256sum "$WORK/big.bin" | cut -d' ' -f1)"
}

section_direct() {
  rm -rf "$DL" && mkdir -p "$DL"
  measure direct.up.big "$BIG_BYTES" "direct S3: aws s3 cp ${SIZE_MB} MiB" s3 s3 cp --quiet "$WORK/big.bin" "s3://$BUCKET/direct/big.bin"
  measure direct.down.big "$BIG_BYTES" "direct S3: aws s3 cp down ${SIZE_MB} MiB" s3 s3 cp --quiet "s3://$BUCKET/direct/big.bin" "$DL/big.bin"
  # One CopyObject, as Ferry sends for `sftp cp` (aws s3 cp would copy in 8 MiB parts instead).
  measure direct.cp.big "$BIG_BYTES" "direct S3: aws s3api copy-object ${SIZE_MB} MiB" \
    s3 s3api copy-object --bucket "$BUCKET" --key direct/big-copy.bin --copy-source "$BUCKET/direct/big.bin"
  measure direct.up.small "$SMALL_TOTAL" "direct S3: aws s3 cp --recursive up" s3 s3 cp --quiet --recursive "$WORK/small" "s3://$BUCKET/direct/small"
  measure direct.down.small "$SMALL_TOTAL" "direct S3: aws s3 cp --recursive down" s3 s3 cp --quiet --recursive "s3://$BUCKET/direct/small" "$DL/small"
  # A sequential sftp put -r has Ferry send one file after another: this row is that client's S3 ceiling.
  S3_CONFIG="$WORK/aws-config-sequential" measure direct1.up.small "$SMALL_TOTAL" \
    "direct S3, one request at a time: aws s3 cp --recursive up" \
    s3 s3 cp --quiet --recursive "$WORK/small" "s3://$BUCKET/direct/small-sequential"
  if ((TINY_COUNT > 0)); then
    measure direct.up.tiny "$TINY_TOTAL" "direct S3: aws s3 cp --recursive up ${TINY_COUNT} x 1 KiB" \
      s3 s3 cp --quiet --recursive "$WORK/tiny" "s3://$BUCKET/direct/tiny"
    measure direct.down.tiny "$TINY_TOTAL" "direct S3: aws s3 cp --recursive down ${TINY_COUNT} x 1 KiB" \
      s3 s3 cp --quiet --recursive "s3://$BUCKET/direct/tiny" "$DL/tiny"
    # One PUT after another, as a sequential sftp put -r has Ferry send them: that client's ceiling here.
    S3_CONFIG="$WORK/aws-config-sequential" measure direct1.up.tiny "$TINY_TOTAL" \
      "direct S3, one request at a time: aws s3 cp --recursive up ${TINY_COUNT} x 1 KiB" \
      s3 s3 cp --quiet --recursive "$WORK/tiny" "s3://$BUCKET/direct/tiny-sequential"
  fi
}

# The FTPS ceiling: the FTPS rows' lftp commands against vsftpd, to the local disk (the counterpart
# of sshd for the SFTP rows), so each FTPS many-file ratio has the same client's ratio against a C
# server without S3 beside it.
section_vsftpd() {
  start_vsftpd || return 0
  local pub="$WORK/vsftpd/root/pub"
  rm -rf "$DL" && mkdir -p "$DL"
  log "vsftpd: warm-up (not timed), mirror -R and mirror of the ${SMALL_COUNT} small files"
  lftp_vsftpd "mirror -R $WORK/small /pub/warmup; mirror /pub/warmup $DL/warmup" >/dev/null || error "vsftpd: warm-up failed"
  rm -rf "$DL/warmup" "$pub/warmup"
  ftps_rows vsftpd lftp_vsftpd /pub/ "rm -rf $pub/" vsftpd
  rm -rf "$pub"/*
  stop_pid "$VSFTPD_PID" vsftpd 10
  VSFTPD_PID=
}

stress_upload() {
  sftp_batch "$FERRY_PORT" bench "$WORK/known_ferry" "put $WORK/big.bin /stress-$1.bin"
}

# The object's size in S3 and the SHA-256 Ferry recorded for it; then its bytes read back and hashed.
stress_object_ok() {
  local key="ferry/stress-$1.bin" size recorded
  size="$(s3 s3api head-object --bucket "$BUCKET" --key "$key" --query ContentLength --output text)" || return 1
  [[ "$size" == "$BIG_BYTES" ]] || { echo "size $size"; return 1; }
  recorded="$(ferry_sha256 "stress-$1.bin")"
  [[ "$recorded" == "$BIG_SHA" ]] || { echo "Ferry's recorded SHA-256 '$recorded'"; return 1; }
  s3 s3 cp --quiet "s3://$BUCKET/$key" - | sha256sum | grep -q "^$BIG_SHA "
}

# ferry_sha256 NAME: the SHA-256 Ferry's catalog holds for ferry/NAME (admin stat over SSH exec).
ferry_sha256() {
  HOME="$WORK/home" timeout 60 ssh -F /dev/null -q -o "UserKnownHostsFile=$WORK/known_ferry" -o StrictHostKeyChecking=yes \
    -o BatchMode=yes -o IdentitiesOnly=yes -i "$WORK/id_ed25519" -p "$FERRY_PORT" bench@127.0.0.1 \
    "stat 's3://$BUCKET/ferry/$1' --json" </dev/null \
    | /usr/bin/python3 -c 'import json, sys; print(json.load(sys.stdin)["data"]["sha256"] or "")'
}

section_stress() {
  ((STRESS_COUNT > 0)) || return 0
  stop_ferry
  store_on_disk || return 1
  start_ferry "$STRESS_HEAP" stress || return 1
  log "memory stress: $STRESS_COUNT parallel sftp put of ${SIZE_MB} MiB into Ferry -Xmx$STRESS_HEAP"
  local i pids=() start failed=0 seconds
  start="$(now)"
  for ((i = 0; i < STRESS_COUNT; i++)); do
    stress_upload "$i" >"$WORK/stress-$i.out" 2>&1 &
    pids+=($!)
  done
  for i in "${!pids[@]}"; do
    wait "${pids[$i]}" || { failed=$((failed + 1)); error "stress upload $i failed: $(tail -n 2 "$WORK/stress-$i.out" | tr '\n' ' ')"; }
  done
  seconds="$(elapsed "$start")"
  R[stress.mbs]="$(mb_per_s $((STRESS_COUNT * BIG_BYTES)) "$seconds")"
  R[stress.s]="$seconds"
  local exact=0
  for ((i = 0; i < STRESS_COUNT; i++)); do
    if stress_object_ok "$i" >"$WORK/verify.out" 2>&1; then
      exact=$((exact + 1))
    else
      error "stress object $i is not byte-exact: $(tr '\n' ' ' <"$WORK/verify.out")"
    fi
  done
  R[stress.exact]="$exact/$STRESS_COUNT"
  if grep -q "OutOfMemoryError" "$FERRY_LOG"; then
    R[stress.oom]="OutOfMemoryError in Ferry's log"
    error "Ferry ran out of memory in the stress run"
  else
    R[stress.oom]="none"
  fi
  local open
  open="$(s3 s3api list-multipart-uploads --bucket "$BUCKET" --query 'Uploads[].[Key]' --output text | grep -vc '^None$')"
  R[stress.mpu]="$open"
  memory_report stress
}

# section_load HEAP...: for each HEAP, Ferry with that -Xmx (the one running if it has that heap: the
# stress run's, after its parallel 1 GiB uploads; else a fresh one) takes LOAD_SESSIONS sessions
# (half SFTP, half FTPS) of user bench, each uploading and downloading files of 1 to 10 MB in a loop
# for LOAD_SECONDS (bench/TransferLoad.java); what they moved, Ferry's peak RSS and whether it ran
# out of heap into R[load.HEAP.*].
section_load() {
  ((LOAD_SESSIONS > 0)) || return 0
  local heap net_jar sftp_sessions=$((LOAD_SESSIONS / 2))
  net_jar="${COMMONS_NET_JAR:-$(find ~/.m2/repository/commons-net -name 'commons-net-*.jar' 2>/dev/null | sort -V | tail -n 1)}"
  [[ -f "$net_jar" ]] || { error "no commons-net jar for the load (set COMMONS_NET_JAR)"; return 1; }
  for heap in "$@"; do
    if [[ -z "${FERRY_PID:-}" || "$heap" != "$FERRY_RUNNING_HEAP" ]]; then
      stop_ferry
      start_ferry "$heap" "load-$heap" || continue
    fi
    log "load: $LOAD_SESSIONS sessions transferring at once for $LOAD_SECONDS s into Ferry -Xmx$heap"
    peak_rss_reset "$FERRY_PID"
    # The load stops itself at its deadline; the timeout is for a session that waits on a dead one.
    if ! timeout $((LOAD_SECONDS + 120)) "${FERRY_JAVA:-java}" -Xmx1g -DFERRY_LOG_LEVEL=WARN -cp "$FERRY_JAR:$net_jar" \
        "$REPO_DIR/bench/TransferLoad.java" 127.0.0.1 "$FERRY_PORT" "$FERRY_FTP_PORT" bench "$PASSWORD" "$sftp_sessions" \
        $((LOAD_SESSIONS - sftp_sessions)) "$LOAD_SECONDS" >"$WORK/load-$heap.log" 2>&1; then
      error "the load at -Xmx$heap failed or hung: $(tail -n 2 "$WORK/load-$heap.log" | tr '\n' ' ')"
    fi
    R[load.$heap.rss]="$(peak_rss_mib "$FERRY_PID")"
    R[load.$heap.done]="$(grep -E '^[0-9]+ s:' "$WORK/load-$heap.log" | tail -n 1)"
    R[load.$heap.oom]="none"
    if grep -q "OutOfMemoryError" "$FERRY_LOG"; then
      R[load.$heap.oom]="OutOfMemoryError in Ferry's log"
      error "Ferry -Xmx$heap ran out of heap under the load"
    fi
    log "load at -Xmx$heap: ${R[load.$heap.done]}; Ferry's peak RSS ${R[load.$heap.rss]} MiB"
  done
}

# files_per_s KEY: the tiny-file row KEY in files per second (its median run's time).
files_per_s() {
  if [[ -n "${R[$1.s]:-}" ]]; then
    awk -v n="$TINY_COUNT" -v s="${R[$1.s]}" 'BEGIN { printf "%.0f", n / s }'
  else
    echo n/a
  fi
}

# cpu_cell KEY, rss_cell KEY: a row's Ferry CPU seconds per GiB and peak RSS, for the tables.
cpu_cell() { echo "${R[$1.cpu]:+${R[$1.cpu]} s/GiB}"; }
rss_cell() { echo "${R[$1.rss]:+${R[$1.rss]} MiB}"; }

# many_per_one SERVER DIRECTION: the many-file row over the one-file row of SERVER (issue 13's 0.9).
many_per_one() {
  ratio "${R[$1.$2.small]:-n/a}" "${R[$1.$2.big]:-n/a}"
}

print_table() {
  local rows=("up.big:${SIZE_MB} MiB up" "down.big:${SIZE_MB} MiB down" "up.small:${SMALL_COUNT}x${SMALL_MB} MiB up"
    "down.small:${SMALL_COUNT}x${SMALL_MB} MiB down" "cp.big:${SIZE_MB} MiB sftp cp")
  [[ -n "$PINNED_CIPHER" ]] && rows+=("up.pinned:${SIZE_MB} MiB up, pinned" "down.pinned:${SIZE_MB} MiB down, pinned")
  echo
  echo "=================================================================================================="
  echo "SFTP benchmark, $(nproc) CPUs, MB/s = 10^6 bytes per second of wall clock, median of $BENCH_REPEAT"
  echo "cipher: ${CIPHER:-client default}; negotiated (cipher MAC): Ferry ${R[ferry.algorithms]:-n/a}," \
    "sshd ${R[sshd.algorithms]:-n/a}, rclone ${R[rclone.algorithms]:-n/a}; pinned rows: ${PINNED_CIPHER:-none}"
  local fmt='%-26s %9s %9s %9s %9s | %11s %11s | %10s %9s\n'
  printf "$fmt" "" "Ferry" "sshd" "directS3" "rclone" "F/min(ceil)" "F/rclone" "Ferry CPU" "Ferry RSS"
  local row key label ferry ceiling
  for row in "${rows[@]}"; do
    key="${row%%:*}"
    label="${row#*:}"
    ferry="${R[ferry.$key]:-n/a}"
    ceiling="$(lower "${R[sshd.$key]:-n/a}" "${R[direct.$key]:-n/a}")"
    printf "$fmt" "$label" "$ferry" "${R[sshd.$key]:-n/a}" \
      "${R[direct.$key]:-n/a}" "${R[rclone.$key]:-n/a}" "$(ratio "$ferry" "$ceiling")" \
      "$(ratio "$ferry" "${R[rclone.$key]:-n/a}")" "$(cpu_cell "ferry.$key")" "$(rss_cell "ferry.$key")"
  done
  echo "FTPS rows (lftp): the sshd column is vsftpd's (FTPS to the local disk), the rclone column F/vsftpd"
  for row in "up.big:${SIZE_MB} MiB up" "down.big:${SIZE_MB} MiB down" "up.small:${SMALL_COUNT}x${SMALL_MB} MiB up" \
      "down.small:${SMALL_COUNT}x${SMALL_MB} MiB down"; do
    key="${row%%:*}"
    ceiling="$(lower "${R[vsftpd.$key]:-n/a}" "${R[direct.$key]:-n/a}")"
    printf "$fmt" "${row#*:}, FTPS" "${R[ftps.$key]:-n/a}" "${R[vsftpd.$key]:-n/a}" "${R[direct.$key]:-n/a}" \
      "$(ratio "${R[ftps.$key]:-n/a}" "${R[vsftpd.$key]:-n/a}")" "$(ratio "${R[ftps.$key]:-n/a}" "$ceiling")" "" \
      "$(cpu_cell "ftps.$key")" "$(rss_cell "ftps.$key")"
  done
  echo "SFTP put / FTPS put (default clients): $(ratio "${R[ferry.up.big]:-n/a}" "${R[ftps.up.big]:-n/a}");" \
    "SFTP get / direct S3 get: $(ratio "${R[ferry.down.big]:-n/a}" "${R[direct.down.big]:-n/a}")"
  echo "FTPS (lftp, one file after another) ${SMALL_COUNT}x${SMALL_MB} MiB / ${SIZE_MB} MiB: up Ferry $(many_per_one ftps up)," \
    "vsftpd $(many_per_one vsftpd up); down Ferry $(many_per_one ftps down), vsftpd $(many_per_one vsftpd down)" \
    "(target: up 0.9, down 0.8 or vsftpd's if lower)"
  echo "${SMALL_COUNT}x${SMALL_MB} MiB / ${SIZE_MB} MiB (target 0.9): up Ferry $(many_per_one ferry up)," \
    "sshd $(many_per_one sshd up), direct $(many_per_one direct up); down Ferry $(many_per_one ferry down)," \
    "sshd $(many_per_one sshd down), direct $(many_per_one direct down)"
  echo "  direct S3 one request at a time, ${SMALL_COUNT}x${SMALL_MB} MiB up: ${R[direct1.up.small]:-n/a} MB/s;" \
    "Ferry / that: $(ratio "${R[ferry.up.small]:-n/a}" "${R[direct1.up.small]:-n/a}")"
  if ((TINY_COUNT > 0)); then
    for key in up.tiny down.tiny; do
      printf '%-24s %9s %9s %9s %9s | files/s (sequential sftp; aws: 10 requests at once)\n' \
        "${TINY_COUNT}x1 KiB ${key%%.*}" "$(files_per_s "ferry.$key")" "$(files_per_s "sshd.$key")" \
        "$(files_per_s "direct.$key")" "$(files_per_s "rclone.$key")"
    done
    echo "  direct S3 one request at a time (aws max_concurrent_requests 1): $(files_per_s direct1.up.tiny) files/s up;" \
      "Ferry / that: $(ratio "$(files_per_s ferry.up.tiny)" "$(files_per_s direct1.up.tiny)")," \
      "Ferry / sshd: $(ratio "$(files_per_s ferry.up.tiny)" "$(files_per_s sshd.up.tiny)") (target 0.5)"
    echo "  FTPS (lftp mirror -R) ${TINY_COUNT}x1 KiB up: Ferry $(files_per_s ftps.up.tiny) files/s, vsftpd" \
      "$(files_per_s vsftpd.up.tiny); Ferry / vsftpd: $(ratio "$(files_per_s ftps.up.tiny)" "$(files_per_s vsftpd.up.tiny)") (target 0.8)"
  fi
  echo
  echo "Ferry on $("${FERRY_JAVA:-java}" -version 2>&1 | head -n 1), -Xmx$FERRY_HEAP${FERRY_JAVA_OPTS:+ $FERRY_JAVA_OPTS}, MALLOC_ARENA_MAX=${FERRY_MALLOC_ARENA_MAX-2}: peak RSS (VmHWM)" \
    "${R[ferry.rss]:-n/a} MiB, peak heap used ${R[ferry.heap]:-n/a} MiB (over all its rows)"
  if [[ -n "$COMPARE_HEAP" ]]; then
    echo "Ferry at -Xmx$COMPARE_HEAP against -Xmx$FERRY_HEAP, same run (each row's peak RSS; over all rows:" \
      "${R[ferry.compare.rss]:-n/a} MiB, peak heap used ${R[ferry.compare.heap]:-n/a} MiB):"
    printf '  %-26s %9s %9s %7s | %9s %9s | %10s %10s\n' "" "$FERRY_HEAP" "$COMPARE_HEAP" "ratio" "RSS" "RSS" "CPU" "CPU"
    for row in "ferry.up.big:${SIZE_MB} MiB up, SFTP" "ferry.down.big:${SIZE_MB} MiB down, SFTP" \
        "ferry.up.small:${SMALL_COUNT}x${SMALL_MB} MiB up, SFTP" "ferry.down.small:${SMALL_COUNT}x${SMALL_MB} MiB down, SFTP" \
        "ftps.up.big:${SIZE_MB} MiB up, FTPS" "ftps.down.big:${SIZE_MB} MiB down, FTPS" \
        "ftps.up.small:${SMALL_COUNT}x${SMALL_MB} MiB up, FTPS" "ftps.down.small:${SMALL_COUNT}x${SMALL_MB} MiB down, FTPS"; do
      key="${row%%:*}"
      local other="${key%%.*}.compare.${key#*.}"
      printf '  %-26s %9s %9s %7s | %9s %9s | %10s %10s\n' "${row#*:}" "${R[$key]:-n/a}" "${R[$other]:-n/a}" \
        "$(ratio "${R[$other]:-n/a}" "${R[$key]:-n/a}")" "$(rss_cell "$key")" "$(rss_cell "$other")" "$(cpu_cell "$key")" \
        "$(cpu_cell "$other")"
    done
  fi
  if ((STRESS_COUNT > 0)); then
    echo "Stress -Xmx$STRESS_HEAP, $STRESS_COUNT parallel ${SIZE_MB} MiB sftp puts: ${R[stress.mbs]:-n/a} MB/s aggregate" \
      "(${R[stress.s]:-n/a} s), byte-exact ${R[stress.exact]:-n/a}, OOM: ${R[stress.oom]:-n/a}," \
      "open multipart uploads ${R[stress.mpu]:-n/a}, peak RSS ${R[stress.rss]:-n/a} MiB, peak heap ${R[stress.heap]:-n/a} MiB"
  fi
  if ((LOAD_SESSIONS > 0)); then
    for heap in $LOAD_HEAPS; do
      echo "$LOAD_SESSIONS sessions transferring at once for $LOAD_SECONDS s (TransferLoad) into Ferry -Xmx$heap:" \
        "${R[load.$heap.done]:-n/a}; peak RSS ${R[load.$heap.rss]:-n/a} MiB; OOM: ${R[load.$heap.oom]:-n/a}"
    done
  fi
  if ((${#ERRORS[@]} > 0)); then
    echo "errors:"
    printf '  - %s\n' "${ERRORS[@]}"
  fi
  echo "=================================================================================================="
}

main() {
  start_run ferry-bench-sftp
  download_dir ferry-bench-sftp $((SIZE_MB + SMALL_COUNT * SMALL_MB))
  # The bucket holds the large file and the small ones five times over (Ferry's SFTP and FTPS rows
  # and sftp cp, direct S3's two uploads, rclone's) before the stress, which writes to disk.
  store_in_memory ferry-bench-sftp $((5 * (SIZE_MB + SMALL_COUNT * SMALL_MB) + 1024))
  if prepare_files && start_s3proxy; then
    if [[ "$SERVERS" == *" ferry "* ]] && start_ferry "$FERRY_HEAP" main; then
      sftp_suite ferry "$FERRY_PORT" bench "$WORK/known_ferry" "" "Ferry"
      memory_report ferry
      if [[ -n "$COMPARE_HEAP" ]]; then
        stop_ferry
        if start_ferry "$COMPARE_HEAP" compare; then
          PINNED_CIPHER="" TINY_COUNT=0 sftp_suite ferry.compare "$FERRY_PORT" bench "$WORK/known_ferry" "" \
            "Ferry -Xmx$COMPARE_HEAP"
          memory_report ferry.compare
        fi
      fi
    fi
    if [[ "$SERVERS" == *" sshd "* ]] && start_sshd; then
      sftp_suite sshd "$SSHD_PORT" "$ME" "$WORK/known_sshd" "$WORK/disk" "OpenSSH sshd (disk)"
      stop_pid "$SSHD_PID" sshd 10
      SSHD_PID=""
      rm -rf "$WORK/disk"
    fi
    [[ "$SERVERS" == *" direct "* ]] && section_direct
    [[ "$SERVERS" == *" vsftpd "* ]] && section_vsftpd
    if [[ "$SERVERS" == *" rclone "* ]] && start_rclone; then
      sftp_suite rclone "$RCLONE_PORT" bench "$WORK/known_rclone" "" "rclone serve sftp"
      stop_pid "$RCLONE_PID" rclone 10
      RCLONE_PID=""
    fi
    section_stress
    # shellcheck disable=SC2086 # one word per heap
    section_load $LOAD_HEAPS
  fi
  stop_ferry
  print_table
  ((${#ERRORS[@]} == 0))
}

main "$@"
