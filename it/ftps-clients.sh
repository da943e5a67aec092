#!/usr/bin/env bash
# Ferry against real FTPS clients: lftp, curl, Node's basic-ftp and rclone's ftp backend, over explicit (AUTH TLS) and implicit FTPS,
# with a real S3 API server (S3Proxy) behind it. Starts both servers on free loopback ports in a
# temp dir, runs the checks, prints one "ok - ..." / "not ok - ..." line per check and a final
# "N passed, M failed" line; exits non-zero if any check failed. Cleans up on exit.
#
#   it/ftps-clients.sh                  (after: mvn -q -DskipTests package)
#
# Knobs (environment): FERRY_JAR (default gateway-server/target/ferry.jar), S3PROXY_JAR (found in
# ~/.m2 or .tools, else fetched with mvn), FERRY_IT_KEEP=1 keeps the temp dir and logs.
set -uo pipefail

REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
FERRY_JAR="${FERRY_JAR:-$REPO_DIR/gateway-server/target/ferry.jar}"
AWS=/usr/bin/aws               # Debian's awscli; a pyenv one may shadow it on PATH
TOTAL_TIMEOUT_SECONDS=420      # watchdog for the whole run
CLIENT_TIMEOUT_SECONDS=60      # every single client command
START_TIMEOUT_SECONDS=60
CHECKSUM_WAIT_SECONDS=10       # aborts of broken multipart uploads finish a moment after the failure

# Client file names in UTF-8 must survive lftp's charset handling.
export LC_ALL=C.UTF-8

WORK="$(mktemp -d "${TMPDIR:-/tmp}/ferry-it.XXXXXX")"
BUCKET=ferry-it
HOME_PREFIX=users/tester/      # the test user's home inside the bucket
USER_NAME=tester
PASSWORD="$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 20)"
S3_KEY=itaccess
S3_SECRET="$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 24)"
SRC="$WORK/src"                # local files to upload
DL="$WORK/dl"                  # local downloads
S3PROXY_PID=""
FERRY_PID=""
WATCHDOG_PID=""
PASSED=0
FAILED=0

# ---------------------------------------------------------------------------------------------
# Reporting and clean-up

note() { echo "# $*"; }

pass() {
  PASSED=$((PASSED + 1))
  echo "ok - $1"
}

# fail DESCRIPTION [OUTPUT_FILE]: the tail of what the check printed follows as comments.
fail() {
  FAILED=$((FAILED + 1))
  echo "not ok - $1"
  if [[ -n "${2:-}" && -s "$2" ]]; then
    tail -n 15 "$2" | sed 's/^/#   /'
  fi
}

# check DESCRIPTION COMMAND...: the command (usually a function below) decides pass or fail.
check() {
  local description="$1" out="$WORK/check.out"
  shift
  local started=$SECONDS
  if "$@" >"$out" 2>&1; then
    pass "$description"
  else
    fail "$description" "$out"
  fi
  [[ "${FERRY_IT_TIMING:-0}" == 1 ]] && note "took $((SECONDS - started)) s"
  return 0
}

stop_pid() {
  local pid="$1" name="$2" waited=0
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 0
  kill "$pid" 2>/dev/null
  while kill -0 "$pid" 2>/dev/null && ((waited < 150)); do
    sleep 0.1
    waited=$((waited + 1))
  done
  if kill -0 "$pid" 2>/dev/null; then
    note "$name (pid $pid) ignored SIGTERM for 15s; killing it"
    kill -9 "$pid" 2>/dev/null
  fi
  wait "$pid" 2>/dev/null
}

cleanup() {
  local status=$?
  trap - EXIT INT TERM
  [[ -n "$WATCHDOG_PID" ]] && kill "$WATCHDOG_PID" 2>/dev/null && wait "$WATCHDOG_PID" 2>/dev/null
  # An sshfs mount a check left (it/sftp-clients.sh): lazily, so a hung one cannot block the exit.
  mountpoint -q "$WORK/mnt" 2>/dev/null && fusermount3 -uz "$WORK/mnt" 2>/dev/null
  stop_pid "$FERRY_PID" Ferry
  stop_pid "$S3PROXY_PID" S3Proxy
  if [[ "${FERRY_IT_KEEP:-0}" == 1 ]]; then
    note "kept $WORK (ferry.log, s3proxy.log)"
  elif ((FAILED > 0)); then
    note "kept $WORK (ferry.log, s3proxy.log) because a check failed"
  else
    rm -rf "$WORK"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'note "interrupted (watchdog or signal)"; exit 143' TERM

summary_and_exit() {
  echo "$PASSED passed, $FAILED failed"
  ((FAILED == 0))
  exit $?
}

# Setup problems end the run: later checks would only repeat the same failure.
setup_failed() {
  fail "$1" "${2:-}"
  summary_and_exit
}

# ---------------------------------------------------------------------------------------------
# Servers

# shellcheck source=free-ports.sh
source "$REPO_DIR/it/free-ports.sh"
# shellcheck source=s3proxy-jar.sh
source "$REPO_DIR/it/s3proxy-jar.sh"

# await_log PID LOGFILE PATTERN: until PATTERN is in LOGFILE, or the process died, or time is up.
await_log() {
  local pid="$1" log="$2" pattern="$3" deadline=$((SECONDS + START_TIMEOUT_SECONDS))
  until grep -q "$pattern" "$log" 2>/dev/null; do
    kill -0 "$pid" 2>/dev/null || return 1
    ((SECONDS < deadline)) || return 1
    sleep 0.2
  done
}

start_s3proxy() {
  local jar
  jar="$(find_s3proxy_jar)" || setup_failed "S3Proxy $S3PROXY_VERSION jar found or fetched"
  S3_PORT="$(free_port)" || setup_failed "free port for S3Proxy"
  S3_ENDPOINT="http://127.0.0.1:$S3_PORT"
  mkdir -p "$WORK/s3data"
  cat >"$WORK/s3proxy.properties" <<EOF
s3proxy.endpoint=$S3_ENDPOINT
s3proxy.authorization=aws-v2-or-v4
s3proxy.identity=$S3_KEY
s3proxy.credential=$S3_SECRET
jclouds.provider=filesystem
jclouds.filesystem.basedir=$WORK/s3data
EOF
  java -Xmx512m -jar "$jar" --properties "$WORK/s3proxy.properties" >"$WORK/s3proxy.log" 2>&1 &
  S3PROXY_PID=$!
  await_log "$S3PROXY_PID" "$WORK/s3proxy.log" "Started .*ServerConnector.*127.0.0.1:$S3_PORT" \
    || setup_failed "S3Proxy started on $S3_ENDPOINT" "$WORK/s3proxy.log"
  pass "S3Proxy started on $S3_ENDPOINT"
}

start_ferry() {
  local hash
  [[ -f "$FERRY_JAR" ]] || setup_failed "Ferry jar $FERRY_JAR exists (run: mvn -q -DskipTests package)"
  hash="$(printf '%s\n' "$PASSWORD" | timeout 60 java -jar "$FERRY_JAR" hash-password 2>"$WORK/hash.err")"
  [[ "$hash" == \$2* ]] || setup_failed "hash-password prints a bcrypt hash" "$WORK/hash.err"
  pass "hash-password prints a bcrypt hash"
  make_admin_key
  # What differs between the run's Ferry and the one with MODE Z on comes from the environment.
  cat >"$WORK/ferry.yaml" <<EOF
dataDir: \${FERRY_IT_DATA_DIR}
s3:
  endpoint: $S3_ENDPOINT
  accessKey: $S3_KEY
  secretKey: \${FERRY_IT_S3_SECRET}
  createBuckets: true
ftps:
  bindAddress: "\${FERRY_IT_BIND}"
  port: 0
  implicitPort: 0
  passivePorts: \${FERRY_IT_PASSIVE}
  allowPlainFtp: false
  modeZ: \${FERRY_IT_MODE_Z}
sftp:
  bindAddress: "\${FERRY_IT_BIND}"
  port: 0
uploads:
  partSize: 8MiB
  partsInFlight: 4
  memoryBudget: 64MiB
login:
  maxFailures: 100          # this run fails logins on purpose; no ban for 127.0.0.1
shutdown:
  grace: 5s
users:
  - name: $USER_NAME
    passwordHash: "$hash"
    home: s3://$BUCKET/$HOME_PREFIX
    permissions: [all]
$(admin_user_yaml)
EOF
  launch_ferry ferry false || setup_failed "Ferry started" "$WORK/ferry.log"
  FERRY_PID="$LAUNCHED_PID"
  ADMIN_SSH_PORT="$LAUNCHED_SFTP_PORT"
  EXPLICIT_PORT="$LAUNCHED_EXPLICIT_PORT"
  IMPLICIT_PORT="$LAUNCHED_IMPLICIT_PORT"
  pass "Ferry started: explicit FTPS on $EXPLICIT_PORT, implicit FTPS on $IMPLICIT_PORT, passive $LAUNCHED_PASSIVE"
}

# launch_ferry NAME MODE_Z [BIND]: a Ferry on the run's config with its own data dir
# ($WORK/NAME-data), log ($WORK/NAME.log) and passive ports, listening on BIND (127.0.0.1); sets
# LAUNCHED_PID, LAUNCHED_EXPLICIT_PORT, LAUNCHED_IMPLICIT_PORT, LAUNCHED_SFTP_PORT and LAUNCHED_PASSIVE.
launch_ferry() {
  local name="$1" mode_z="$2" bind="${3:-127.0.0.1}" up
  LAUNCHED_PASSIVE="$(free_port_range 40)" || { echo "no free passive port range"; return 1; }
  FERRY_IT_S3_SECRET="$S3_SECRET" FERRY_IT_DATA_DIR="$WORK/$name-data" FERRY_IT_PASSIVE="$LAUNCHED_PASSIVE" \
    FERRY_IT_MODE_Z="$mode_z" FERRY_IT_BIND="$bind" java -Xmx256m -jar "$FERRY_JAR" --config "$WORK/ferry.yaml" \
    2>"$WORK/$name.log" >"$WORK/$name.activity.jsonl" &
  LAUNCHED_PID=$!
  await_log "$LAUNCHED_PID" "$WORK/$name.log" "Ferry is up" || return 1
  up="$(grep "Ferry is up" "$WORK/$name.log")"
  LAUNCHED_EXPLICIT_PORT="$(sed -n 's/.*explicit (AUTH TLS): [0-9a-f.:]*:\([0-9]*\),.*/\1/p' <<<"$up")"
  LAUNCHED_IMPLICIT_PORT="$(sed -n 's/.*implicit TLS: [0-9a-f.:]*:\([0-9]*\),.*/\1/p' <<<"$up")"
  LAUNCHED_SFTP_PORT="$(sed -n 's/.*SFTP: [0-9a-f.:]*:\([0-9]*\).*/\1/p' <<<"$up")"
  [[ "$LAUNCHED_EXPLICIT_PORT" =~ ^[0-9]+$ && "$LAUNCHED_IMPLICIT_PORT" =~ ^[0-9]+$ ]]
}

# ---------------------------------------------------------------------------------------------
# Clients

# awscli straight to S3Proxy, isolated from any user configuration.
s3() {
  env -u AWS_CA_BUNDLE -u AWS_PROFILE AWS_ACCESS_KEY_ID="$S3_KEY" AWS_SECRET_ACCESS_KEY="$S3_SECRET" \
    AWS_CONFIG_FILE="$WORK/aws-config" AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_PAGER="" \
    timeout "$CLIENT_TIMEOUT_SECONDS" "$AWS" --endpoint-url "$S3_ENDPOINT" "$@"
}

write_aws_config() {
  cat >"$WORK/aws-config" <<EOF
[default]
region = us-east-1
s3 =
  addressing_style = path
EOF
}

# lftp MODE COMMANDS: one lftp session (explicit or implicit FTPS) running COMMANDS; fails on the
# first failing command. HOME is the temp dir so no personal rc file takes part.
LFTP_SETTINGS="set ssl:verify-certificate no; set ssl:check-hostname no; set ftp:ssl-force yes; \
set ftp:ssl-protect-data yes; set ftp:passive-mode yes; set net:max-retries 1; set net:timeout 15; \
set net:reconnect-interval-base 1; set cmd:fail-exit yes; set xfer:clobber yes; set mirror:use-pget-n 1"

lftp_url() {
  case "$1" in
    explicit) echo "ftp://127.0.0.1:$EXPLICIT_PORT" ;;
    implicit) echo "ftps://127.0.0.1:$IMPLICIT_PORT" ;;
  esac
}

lftp_as() {
  local mode="$1" user="$2" password="$3" extra="$4"
  shift 4
  HOME="$WORK/home" timeout "$CLIENT_TIMEOUT_SECONDS" lftp -c \
    "$LFTP_SETTINGS; $extra open -u '$user','$password' $(lftp_url "$mode"); $*" </dev/null
}

lftp_at() {
  local mode="$1"
  shift
  lftp_as "$mode" "$USER_NAME" "$PASSWORD" "" "$@"
}

curl_url() {
  case "$1" in
    explicit) echo "ftp://127.0.0.1:$EXPLICIT_PORT" ;;
    implicit) echo "ftps://127.0.0.1:$IMPLICIT_PORT" ;;
  esac
}

# curl_at MODE ARGS...: curl with TLS required on control and data (implicit: ftps:// does both).
curl_at() {
  local mode="$1"
  shift
  local tls=()
  [[ "$mode" == explicit ]] && tls=(--ssl-reqd)
  timeout "$CLIENT_TIMEOUT_SECONDS" curl -sS -k --max-time "$CLIENT_TIMEOUT_SECONDS" "${tls[@]}" \
    --user "$USER_NAME:$PASSWORD" "$@"
}

# ---------------------------------------------------------------------------------------------
# Checks (each returns 0 for pass; what it prints shows up under a failure)

same_bytes() {
  cmp "$1" "$2" && return 0
  echo "sizes: $(stat -c %s "$1") vs $(stat -c %s "$2")"
  return 1
}

sha_of() { sha256sum "$1" | cut -d' ' -f1; }

# s3_object_is KEY LOCAL_FILE: the object read straight from S3 has LOCAL_FILE's bytes, and the
# SHA-256 Ferry recorded for it (its admin stat command) is LOCAL_FILE's.
s3_object_is() {
  local key="$1" file="$2" expected recorded
  expected="$(sha_of "$file")"
  rm -f "$WORK/direct.bin"
  s3 s3api get-object --bucket "$BUCKET" --key "$key" "$WORK/direct.bin" >/dev/null || return 1
  same_bytes "$file" "$WORK/direct.bin" || return 1
  recorded="$(ferry_fact "$key" sha256)" || return 1
  [[ "$recorded" == "$expected" ]] || { echo "Ferry's SHA-256 of $key is '$recorded', expected $expected"; return 1; }
}

# An admin user (ops) with its own key, for the admin commands over SSH exec (stat).
make_admin_key() {
  ADMIN_KEY="$WORK/admin_ed25519"
  [[ -f "$ADMIN_KEY" ]] || ssh-keygen -q -t ed25519 -N '' -C it-admin -f "$ADMIN_KEY" || setup_failed "ssh-keygen admin"
}

admin_user_yaml() {
  cat <<EOF
  - name: ops
    home: s3://$BUCKET/$HOME_PREFIX
    permissions: [list]
    admin: true
    publicKeys:
      - "$(cat "$ADMIN_KEY.pub")"
EOF
}

# ferry_fact KEY FIELD: FIELD (sha256, clientTime, size, factsFrom) of Ferry's `stat --json` of the
# object KEY in the run's bucket, asked over SSH as the admin user; empty when Ferry knows none.
ferry_fact() {
  local out
  out="$(timeout "$CLIENT_TIMEOUT_SECONDS" ssh -q -p "$ADMIN_SSH_PORT" -i "$ADMIN_KEY" -o BatchMode=yes \
    -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null ops@127.0.0.1 "stat 's3://$BUCKET/$1' --json" 2>&1)" \
    || { echo "admin stat of $1 failed: $out"; return 1; }
  /usr/bin/python3 -c 'import json, sys
value = json.load(sys.stdin)["data"][sys.argv[1]]
print("" if value is None else value)' "$2" <<<"$out"
}

# s3_keys PREFIX: all keys under PREFIX, one a line, sorted.
s3_keys() {
  local keys
  keys="$(s3 s3api list-objects-v2 --bucket "$BUCKET" --prefix "${1:-}" --query 'Contents[].[Key]' \
    --output text)" || return 1
  grep -v '^None$' <<<"$keys" | LC_ALL=C sort
  return 0
}

s3_object_absent() {
  ! s3 s3api head-object --bucket "$BUCKET" --key "$1" >/dev/null 2>&1
}

lftp_roundtrip() {
  local mode="$1" name="$2" remote="/$1/lftp/$2"
  lftp_at "$mode" "put $SRC/$name -o $remote; get $remote -o $DL/$mode-lftp-$name" || return 1
  same_bytes "$SRC/$name" "$DL/$mode-lftp-$name"
}

# Active mode: Ferry connects to lftp's PORT address (its own, loopback) for each transfer.
lftp_active_roundtrip() {
  local name="$1" remote="/active/$1"
  lftp_as explicit "$USER_NAME" "$PASSWORD" "set ftp:passive-mode no;" \
    "mkdir -p /active; put $SRC/$name -o $remote; get $remote -o $DL/active-$name" || return 1
  same_bytes "$SRC/$name" "$DL/active-$name" && s3_object_is "${HOME_PREFIX}active/$name" "$SRC/$name"
}

# lftp_default_stream_mode: lftp with its defaults (which use MODE Z whenever FEAT lists it) puts
# and gets in stream mode: FEAT does not list MODE Z and MODE Z is refused. On lftp's default TLS
# (1.3) the end of a download's data connection must be a clean TLS close, which lftp checks.
lftp_default_stream_mode() {
  local out="$DL/stream-nine.bin" feat
  lftp_at explicit "debug -o $WORK/stream.debug 5; put $SRC/nine.bin -o /stream/nine.bin; \
get /stream/nine.bin -o $out" || return 1
  if grep -q -- "MODE Z" "$WORK/stream.debug"; then
    grep -- "MODE Z" "$WORK/stream.debug"
    echo "MODE Z was offered or used although ftps.modeZ is off"
    return 1
  fi
  feat="$(curl_at explicit -v "$(curl_url explicit)/" -Q FEAT -Q 'MODE Z' 2>&1)"
  grep -q '^< 211' <<<"$feat" && ! grep -q '^<  *MODE Z' <<<"$feat" \
    && grep -q '^< 504 MODE Z is not offered' <<<"$feat" || { echo "$feat"; return 1; }
  same_bytes "$SRC/nine.bin" "$out" && s3_object_is "${HOME_PREFIX}stream/nine.bin" "$SRC/nine.bin"
}

# lftp_mode_z_when_offered: a second Ferry with ftps.modeZ: true lists MODE Z, and lftp with its
# defaults then deflates both ways: the upload arrives exact in S3, the download exact.
lftp_mode_z_when_offered() {
  launch_ferry mode-z true || { cat "$WORK/mode-z.log"; return 1; }
  # This Ferry has its own data dir, so its own embedded state store: the SHA-256 is asked of it.
  local pid="$LAUNCHED_PID" EXPLICIT_PORT="$LAUNCHED_EXPLICIT_PORT" ADMIN_SSH_PORT="$LAUNCHED_SFTP_PORT"
  local out="$DL/mode-z-nine.bin" status=0
  lftp_at explicit "debug -o $WORK/mode-z.debug 5; put $SRC/nine.bin -o /deflate/nine.bin; \
get /deflate/nine.bin -o $out" || status=1
  ((status == 0)) && { s3_object_is "${HOME_PREFIX}deflate/nine.bin" "$SRC/nine.bin" || status=1; }
  stop_pid "$pid" "Ferry with MODE Z"
  ((status == 0)) || return 1
  # lftp sends MODE Z once; the session stays in it for both transfers unless it sends MODE S.
  grep -q -- "---> MODE Z" "$WORK/mode-z.debug" && ! grep -q -- "---> MODE S" "$WORK/mode-z.debug" \
    || { grep -- "---> MODE" "$WORK/mode-z.debug"; echo "lftp did not use MODE Z for both transfers"; return 1; }
  same_bytes "$SRC/nine.bin" "$out"
}

# TYPE A: the client sends CRLF line ends and S3 keeps LF; a TYPE A download with curl -B (which
# turns the network's CRLF back into LF) gives the original text.
ascii_type_converts_line_ends() {
  printf 'one\ntwo\nthree\n' >"$WORK/lines.txt"
  lftp_at explicit "set ftp:use-mode-z false; put -a $WORK/lines.txt -o /ascii/lines.txt" || return 1
  s3 s3 cp --only-show-errors "s3://$BUCKET/${HOME_PREFIX}ascii/lines.txt" "$WORK/lines.s3" || return 1
  printf 'one\ntwo\nthree\n' >"$WORK/lines.expected"
  same_bytes "$WORK/lines.expected" "$WORK/lines.s3" || return 1
  curl_at explicit -B "$(curl_url explicit)/ascii/lines.txt" >"$WORK/lines.back" || return 1
  same_bytes "$WORK/lines.txt" "$WORK/lines.back"
}

curl_roundtrip() {
  local mode="$1" name="$2" url
  url="$(curl_url "$mode")/$mode/curl/$name"
  curl_at "$mode" -T "$SRC/$name" "$url" || return 1
  curl_at "$mode" "$url" >"$DL/$mode-curl-$name" || return 1
  same_bytes "$SRC/$name" "$DL/$mode-curl-$name"
}

make_tree() {
  local tree="$1"
  mkdir -p "$tree/sub dir/deeper" "$tree/empty dir"
  echo "plain" >"$tree/plain.txt"
  touch -d '2018-04-05 06:07:08 UTC' "$tree/plain.txt"
  echo "spaces in the name" >"$tree/name with spaces.txt"
  echo "unicode" >"$tree/données-ünïcødé-日本.txt"
  head -c 4096 /dev/urandom >"$tree/sub dir/nested ñ.bin"
  echo "leaf" >"$tree/sub dir/deeper/leaf.txt"
}

mirror_roundtrip() {
  lftp_at explicit "mirror -R --no-perms --no-umask $SRC/tree /mirror/tree" || return 1
  lftp_at implicit "mirror --no-perms /mirror/tree $DL/tree" || return 1
  diff -r "$SRC/tree" "$DL/tree" || return 1
  # mirror -R sets each file's time with MFMT; mirror takes it from the MLSD listing.
  [ "$(stat -c %Y "$DL/tree/plain.txt")" = "$(stat -c %Y "$SRC/tree/plain.txt")" ] \
    || { echo "plain.txt came back with time $(stat -c %y "$DL/tree/plain.txt")"; return 1; }
}

# lftp with parallel uploads of 1 MiB files on TLS 1.3, in stream mode (lftp's default MODE Z hid
# the fault) and with no retry: every file must go through on its first attempt (lftp dropped an
# upload when the server's session ticket arrived mid-file).
parallel_small_uploads() {
  mkdir -p "$SRC/small"
  local i abandoned_before
  for i in $(seq 1 16); do head -c 1048576 /dev/urandom >"$SRC/small/f$i.bin"; done
  abandoned_before="$(grep -c 'upload abandoned' "$WORK/ferry.log")"
  lftp_as explicit "$USER_NAME" "$PASSWORD" "set ftp:use-mode-z no;" \
    "mirror -R --parallel=8 --no-perms --no-umask $SRC/small /small" || return 1
  lftp_at explicit "mirror --parallel=8 --no-perms /small $DL/small" || return 1
  diff -r "$SRC/small" "$DL/small" || return 1
  if (( $(grep -c 'upload abandoned' "$WORK/ferry.log") > abandoned_before )); then
    grep 'upload abandoned' "$WORK/ferry.log"
    return 1
  fi
}

mirror_keys_in_s3() {
  local keys expected
  keys="$(s3_keys "${HOME_PREFIX}mirror/")" || return 1
  echo "$keys"
  for expected in "tree/données-ünïcødé-日本.txt" "tree/name with spaces.txt" "tree/sub dir/nested ñ.bin" \
      "tree/sub dir/deeper/leaf.txt"; do
    grep -qxF "${HOME_PREFIX}mirror/$expected" <<<"$keys" || { echo "missing: $expected"; return 1; }
  done
}

cls_lists() {
  local mode="$1" dir="$2" expected="$3" listed
  listed="$(lftp_at "$mode" "cd \"$dir\"; cls -1" | LC_ALL=C sort)" || return 1
  expected="$(tr ',' '\n' <<<"$expected" | LC_ALL=C sort)"
  [[ "$listed" == "$expected" ]] && return 0
  printf 'listed:\n%s\nexpected:\n%s\n' "$listed" "$expected"
  return 1
}

ls_shows_size() {
  local listing
  listing="$(lftp_at explicit "ls /explicit/lftp")" || return 1
  echo "$listing"
  grep -qE "[[:space:]]9437184[[:space:]].*[[:space:]]nine\.bin$" <<<"$listing" \
    && grep -qE "[[:space:]]1[[:space:]].*[[:space:]]one\.bin$" <<<"$listing" \
    && grep -qE "[[:space:]]0[[:space:]].*[[:space:]]empty\.bin$" <<<"$listing"
}

# Every LIST line shows the login name as owner and group (S3 has no owners).
ls_shows_login_as_owner() {
  local listing owners
  listing="$(lftp_at explicit "ls /explicit/lftp")" || return 1
  echo "$listing"
  owners="$(awk '{print $3 " " $4}' <<<"$listing" | sort -u)"
  [[ "$owners" == "$USER_NAME $USER_NAME" ]]
}

stat_lists_on_control_connection() {
  local reply
  reply="$(lftp_at explicit "quote STAT /explicit/lftp")" || return 1
  echo "$reply"
  grep -q "^212-Status of /explicit/lftp:" <<<"$reply" && grep -qE "[[:space:]]9437184[[:space:]].* nine\.bin[[:space:]]*$" <<<"$reply" \
    && grep -q "^212 End of status" <<<"$reply"
}

ls_shows_spaces_and_unicode() {
  local listing
  listing="$(lftp_at implicit "ls /mirror/tree")" || return 1
  echo "$listing"
  grep -qE " name with spaces\.txt$" <<<"$listing" && grep -qF " données-ünïcødé-日本.txt" <<<"$listing" \
    && grep -qE "^d.* sub dir$" <<<"$listing"
}

curl_nlst() {
  local names
  names="$(curl_at implicit --list-only "$(curl_url implicit)/explicit/lftp/" | tr -d '\r' | LC_ALL=C sort)" \
    || return 1
  echo "$names"
  [[ "$names" == $'empty.bin\nnine.bin\none.bin' ]]
}

rename_file() {
  lftp_at explicit "mkdir -p /renames; put $SRC/one.bin -o /renames/a.bin; mv /renames/a.bin /renames/b.bin; \
get /renames/b.bin -o $DL/renamed-b.bin" || return 1
  same_bytes "$SRC/one.bin" "$DL/renamed-b.bin" || return 1
  cls_lists explicit /renames "b.bin" || return 1
  s3_object_absent "${HOME_PREFIX}renames/a.bin"
}

rename_dir() {
  lftp_at explicit "mirror -R --no-perms --no-umask $SRC/tree /renames/dir1; mv /renames/dir1 /renames/dir2" \
    || return 1
  cls_lists explicit /renames "b.bin,dir2/" || cls_lists explicit /renames "b.bin,dir2" || return 1
  lftp_at implicit "mirror --no-perms /renames/dir2 $DL/dir2" || return 1
  diff -r "$SRC/tree" "$DL/dir2" || return 1
  local left
  left="$(s3_keys "${HOME_PREFIX}renames/dir1")" || return 1
  [[ -z "$left" ]] || { echo "keys left under dir1: $left"; return 1; }
}

rm_file() {
  lftp_at explicit "rm /renames/b.bin" || return 1
  s3_object_absent "${HOME_PREFIX}renames/b.bin" || { echo "object still in S3"; return 1; }
  ! lftp_at explicit "cls /renames/b.bin"
}

rmdir_nonempty_fails() {
  if lftp_at explicit "rmdir /renames/dir2"; then
    echo "rmdir of a non-empty directory succeeded"
    return 1
  fi
  # Still there, contents and all.
  lftp_at explicit "get \"/renames/dir2/sub dir/deeper/leaf.txt\" -o $DL/leaf-after-rmdir.txt" || return 1
  same_bytes "$SRC/tree/sub dir/deeper/leaf.txt" "$DL/leaf-after-rmdir.txt"
}

# A tree another S3 client wrote has no folder markers: in S3 each folder ends with its last file,
# and lftp's rm -r then changes back into the parent and sends RMD. On the node that emptied them
# those folders stay empty folders until removed, so the whole delete succeeds and leaves nothing.
rm_r_of_a_tree_without_markers() {
  local key
  for key in foreign-ftp/d1/a.txt foreign-ftp/d1/b.txt "foreign-ftp/d2/sub dir/c.txt"; do
    s3 s3api put-object --bucket "$BUCKET" --key "${HOME_PREFIX}$key" --body "$SRC/one.bin" >/dev/null || return 1
  done
  # Written behind Ferry's back: the home's listing that an earlier check left in the listing cache
  # hides the new folder for up to listings.directoryCacheTime (5 s), as docs/sftp.md says.
  local tries=0
  until lftp_at explicit "cd /foreign-ftp" >/dev/null 2>&1; do
    (( ++tries < 20 )) || { echo "/foreign-ftp not seen after $tries tries"; return 1; }
    sleep 0.5
  done
  lftp_at explicit "rm -r /foreign-ftp" || return 1
  [[ -z "$(s3_keys "${HOME_PREFIX}foreign-ftp/")" ]] || { echo "left in S3: $(s3_keys "${HOME_PREFIX}foreign-ftp/")"; return 1; }
  ! lftp_at explicit "rmdir /foreign-never" || { echo "rmdir of a name never there succeeded"; return 1; }
}

rmdir_empty() {
  lftp_at explicit "mkdir /renames/gone; rmdir /renames/gone" || return 1
  ! lftp_at explicit "cd /renames/gone"
}

# lftp_resume MODE PARTIAL_BYTES: upload the first bytes, then `put -c` must send only the rest
# (REST + STOR) and leave the whole file.
lftp_resume() {
  local mode="$1" partial="$2" remote="/resume/$1-nine.bin"
  head -c "$partial" "$SRC/nine.bin" >"$WORK/partial-$mode.bin"
  lftp_at "$mode" "put $WORK/partial-$mode.bin -o $remote" || return 1
  lftp_at "$mode" "debug -o $WORK/resume-$mode.debug 5; put -c $SRC/nine.bin -o $remote" || return 1
  grep -E -- "---> (REST $partial|APPE)" "$WORK/resume-$mode.debug" \
    || { echo "lftp did not continue at $partial:"; grep -- "--->" "$WORK/resume-$mode.debug"; return 1; }
  lftp_at "$mode" "get $remote -o $DL/resumed-$mode.bin" || return 1
  same_bytes "$SRC/nine.bin" "$DL/resumed-$mode.bin"
}

curl_resume() {
  local url
  url="$(curl_url implicit)/resume/curl-nine.bin"
  head -c 3000000 "$SRC/nine.bin" >"$WORK/partial-curl.bin"
  curl_at implicit --ftp-create-dirs -T "$WORK/partial-curl.bin" "$url" || return 1
  curl_at implicit -C - -T "$SRC/nine.bin" "$url" || return 1
  curl_at implicit "$url" >"$DL/curl-resumed.bin" || return 1
  same_bytes "$SRC/nine.bin" "$DL/curl-resumed.bin"
}

# curl_append MODE FIRST SECOND: upload FIRST, append SECOND with curl -a, read back FIRST+SECOND.
curl_append() {
  local mode="$1" first="$2" second="$3" url
  url="$(curl_url "$mode")/append/$mode.bin"
  curl_at "$mode" --ftp-create-dirs -T "$SRC/$first" "$url" || return 1
  curl_at "$mode" -a -T "$SRC/$second" "$url" || return 1
  cat "$SRC/$first" "$SRC/$second" >"$WORK/appended-$mode.bin"
  curl_at "$mode" "$url" >"$DL/appended-$mode.bin" || return 1
  same_bytes "$WORK/appended-$mode.bin" "$DL/appended-$mode.bin"
}

# expect_curl_exit CODES ARGS...: curl must fail with one of CODES (comma separated).
expect_curl_exit() {
  local codes="$1" status
  shift
  timeout "$CLIENT_TIMEOUT_SECONDS" curl -sS -v -k --max-time "$CLIENT_TIMEOUT_SECONDS" "$@" >"$WORK/curl.body" 2>&1
  status=$?
  grep -E '^< [0-9]{3}' "$WORK/curl.body" | tail -n 4
  [[ ",$codes," == *",$status,"* ]] && return 0
  echo "curl exit $status, expected one of $codes"
  return 1
}

wrong_password_curl() {
  local mode="$1" tls=()
  [[ "$mode" == explicit ]] && tls=(--ssl-reqd)
  expect_curl_exit 67 "${tls[@]}" --user "$USER_NAME:not-$PASSWORD" "$(curl_url "$mode")/" \
    && grep -q '^< 530' "$WORK/curl.body"
}

wrong_password_lftp() {
  if lftp_as explicit "$USER_NAME" "wrong-$PASSWORD" "" "cls /"; then
    echo "lftp listed / with a wrong password"
    return 1
  fi
}

plain_ftp_refused_curl() {
  # Right password, but no TLS: USER/PASS must be answered 530 before any check of the password.
  expect_curl_exit 67 --user "$USER_NAME:$PASSWORD" "ftp://127.0.0.1:$EXPLICIT_PORT/" \
    && grep -q '^< 530' "$WORK/curl.body"
}

plain_ftp_refused_lftp() {
  if lftp_as explicit "$USER_NAME" "$PASSWORD" "set ftp:ssl-allow no;" "cls /"; then
    echo "lftp listed / without TLS"
    return 1
  fi
}

clear_data_refused_curl() {
  # TLS on control only (--ftp-ssl-control): data commands must be refused (521).
  expect_curl_exit 19,25,78,8,9 --ftp-ssl-control --user "$USER_NAME:$PASSWORD" \
    "ftp://127.0.0.1:$EXPLICIT_PORT/explicit/lftp/one.bin" && grep -q '^< 521' "$WORK/curl.body"
}

clear_data_refused_lftp() {
  # lftp protects listings unless ftp:ssl-protect-list is off too; the transfer is what counts.
  local clear="set ftp:ssl-protect-data no; set ftp:ssl-protect-list no;"
  rm -f "$WORK/clear.out"
  if lftp_as explicit "$USER_NAME" "$PASSWORD" "$clear" "get /explicit/lftp/one.bin -o $WORK/clear.out"; then
    echo "lftp downloaded over a clear data connection"
    return 1
  fi
  [[ ! -s "$WORK/clear.out" ]] || { echo "bytes arrived over a clear data connection"; return 1; }
  if lftp_as explicit "$USER_NAME" "$PASSWORD" "$clear" "put $SRC/one.bin -o /explicit/lftp/clear.bin"; then
    echo "lftp uploaded over a clear data connection"
    return 1
  fi
  s3_object_absent "${HOME_PREFIX}explicit/lftp/clear.bin"
}

# Objects outside the home that a traversal would reach.
plant_secrets() {
  echo "secret-one-level-up" >"$WORK/secret1.txt"
  echo "secret-two-levels-up" >"$WORK/secret2.txt"
  s3 s3 cp --only-show-errors "$WORK/secret1.txt" "s3://$BUCKET/users/secret.txt" \
    && s3 s3 cp --only-show-errors "$WORK/secret2.txt" "s3://$BUCKET/outside/secret.txt"
}

traversal_get_curl() {
  local before after
  before="$(s3_keys)" || return 1
  local path
  for path in ../../../etc/passwd ../secret.txt ../../outside/secret.txt; do
    rm -f "$WORK/traversal.out"
    if curl_at explicit --path-as-is "$(curl_url explicit)/$path" -o "$WORK/traversal.out"; then
      echo "curl fetched $path"
      return 1
    fi
    if [[ -s "$WORK/traversal.out" ]]; then
      echo "got bytes for $path:"
      head -c 200 "$WORK/traversal.out"
      return 1
    fi
  done
  after="$(s3_keys)" || return 1
  [[ "$before" == "$after" ]] || { echo "bucket changed"; diff <(echo "$before") <(echo "$after"); return 1; }
}

traversal_get_lftp() {
  local before after path
  before="$(s3_keys)" || return 1
  for path in ../../x ../secret.txt ../../outside/secret.txt /../../outside/secret.txt; do
    rm -f "$WORK/traversal-lftp.out"
    if lftp_at implicit "get $path -o $WORK/traversal-lftp.out"; then
      echo "lftp fetched $path"
      return 1
    fi
    if [[ -s "$WORK/traversal-lftp.out" ]]; then
      echo "got bytes for $path"
      return 1
    fi
  done
  after="$(s3_keys)" || return 1
  [[ "$before" == "$after" ]] || { echo "bucket changed"; diff <(echo "$before") <(echo "$after"); return 1; }
}

# rclone's ftp backend (explicit TLS) copies 500 small files in 25 folders two levels deep with 8
# transfers at once and no retry: each transfer creates its parent folders, so several MKD the
# same folder at the same moment; a folder that exists or is being created must be "550 exists"
# (which rclone takes as done), never "450 busy" (which lost 21-46 files). rclone check compares
# every file with a download, and the keys in S3 are counted.
rclone_ftp_parallel_folders() {
  local dir i j k keys
  dir="$SRC/rclone-ftp"
  for i in $(seq 1 5); do
    for j in $(seq 1 5); do
      mkdir -p "$dir/d$i/e$j"
      for k in $(seq 1 20); do head -c $((k * 97)) /dev/urandom >"$dir/d$i/e$j/f$k.bin"; done
    done
  done
  rclone_ftp copy --transfers 8 --checkers 8 --retries 1 --low-level-retries 1 "$dir" ferryftp:/rclone-ftp ||
    return 1
  rclone_ftp check --download "$dir" ferryftp:/rclone-ftp || return 1
  keys="$(s3_keys "${HOME_PREFIX}rclone-ftp/" | grep -c '\.bin$')"
  [[ "$keys" == 500 ]] || { echo "$keys of 500 files in S3"; return 1; }
}

rclone_ftp() {
  RCLONE_CONFIG="$WORK/rclone.conf" RCLONE_CONFIG_FERRYFTP_TYPE=ftp RCLONE_CONFIG_FERRYFTP_HOST=127.0.0.1 \
    RCLONE_CONFIG_FERRYFTP_PORT="$EXPLICIT_PORT" RCLONE_CONFIG_FERRYFTP_USER="$USER_NAME" \
    RCLONE_CONFIG_FERRYFTP_PASS="$(rclone obscure "$PASSWORD")" RCLONE_CONFIG_FERRYFTP_EXPLICIT_TLS=true \
    RCLONE_CONFIG_FERRYFTP_NO_CHECK_CERTIFICATE=true HOME="$WORK/home" \
    timeout "$CLIENT_TIMEOUT_SECONDS" rclone "$@"
}

# Node's basic-ftp 6.2.6 (installed into the run's temp dir) opens the passive data connection
# before it sends RETR, STOR or LIST: refusals of each leave the session usable (no data-socket reset).
# ipv6_clients: a second Ferry listening on ::1 only. lftp (which sends "::1" as the TLS server
# name, refused by the JDK before Ferry ignored it) over explicit and implicit FTPS, curl over
# explicit FTPS and sftp://, put and get a file byte-exact, OpenSSH's sftp lists it (the admin
# user's key); the activity log writes the client as "::1" (RFC 5952), never 0:0:0:0:0:0:0:1.
ipv6_clients() {
  local pid rc=0 name=one.bin
  launch_ferry v6 false ::1 || { cat "$WORK/v6.log"; return 1; }
  pid="$LAUNCHED_PID"
  {
    HOME="$WORK/home" timeout "$CLIENT_TIMEOUT_SECONDS" lftp -c "$LFTP_SETTINGS; \
      open -u '$USER_NAME','$PASSWORD' ftp://[::1]:$LAUNCHED_EXPLICIT_PORT; mkdir -p /v6; \
      put $SRC/$name -o /v6/lftp-$name; get /v6/lftp-$name -o $DL/v6-lftp-$name" </dev/null &&
      same_bytes "$SRC/$name" "$DL/v6-lftp-$name" &&
      HOME="$WORK/home" timeout "$CLIENT_TIMEOUT_SECONDS" lftp -c "$LFTP_SETTINGS; \
        open -u '$USER_NAME','$PASSWORD' ftps://[::1]:$LAUNCHED_IMPLICIT_PORT; \
        get /v6/lftp-$name -o $DL/v6-implicit-$name" </dev/null &&
      same_bytes "$SRC/$name" "$DL/v6-implicit-$name" &&
      curl_at explicit -T "$SRC/$name" "ftp://[::1]:$LAUNCHED_EXPLICIT_PORT/v6/curl-$name" &&
      curl_at explicit "ftp://[::1]:$LAUNCHED_EXPLICIT_PORT/v6/curl-$name" >"$DL/v6-curl-$name" &&
      same_bytes "$SRC/$name" "$DL/v6-curl-$name" &&
      timeout "$CLIENT_TIMEOUT_SECONDS" curl -sS -k --max-time "$CLIENT_TIMEOUT_SECONDS" --insecure \
        --user "$USER_NAME:$PASSWORD" "sftp://[::1]:$LAUNCHED_SFTP_PORT/v6/curl-$name" >"$DL/v6-sftp-$name" &&
      same_bytes "$SRC/$name" "$DL/v6-sftp-$name" &&
      printf 'ls /v6\n' >"$WORK/v6.batch" &&
      HOME="$WORK/home" timeout "$CLIENT_TIMEOUT_SECONDS" sftp -F /dev/null -o StrictHostKeyChecking=no \
        -o UserKnownHostsFile=/dev/null -o BatchMode=yes -o IdentitiesOnly=yes -i "$ADMIN_KEY" \
        -P "$LAUNCHED_SFTP_PORT" -b "$WORK/v6.batch" "ops@[::1]" </dev/null >"$WORK/v6-ls.out" &&
      grep -q "lftp-$name" "$WORK/v6-ls.out" &&
      grep -q '"clientIp":"::1"' "$WORK/v6.activity.jsonl" &&
      ! grep -q '0:0:0:0:0:0:0:1' "$WORK/v6.activity.jsonl" &&
      # MINA's own warning of a client gone mid-write (exceptionCaught ... Broken pipe) prints the
      # JDK's form of the address; every line Ferry writes must have the RFC 5952 one.
      ! grep -v 'ServerSessionImpl - exceptionCaught' "$WORK/v6.log" | grep -q '0:0:0:0:0:0:0:1'
  } || rc=1
  stop_pid "$pid" "Ferry on ::1"
  ((rc == 0)) || { grep -c . "$WORK/v6.activity.jsonl"; tail -5 "$WORK/v6.log"; }
  return $rc
}

basic_ftp_refusals() {
  timeout "$CLIENT_TIMEOUT_SECONDS" npm install --prefix "$WORK/node" --no-audit --no-fund --silent \
    basic-ftp@6.2.6 || return 1
  NODE_PATH="$WORK/node/node_modules" timeout "$CLIENT_TIMEOUT_SECONDS" \
    node "$REPO_DIR/it/basic-ftp-refusals.cjs" "$EXPLICIT_PORT" "$USER_NAME" "$PASSWORD"
}

# An upload aimed above the home may fail or land inside the home, never outside it.
traversal_put() {
  local before after
  before="$(s3_keys | grep -v "^$HOME_PREFIX")"
  curl_at explicit --path-as-is -T "$SRC/one.bin" "$(curl_url explicit)/../../escaped-curl.bin"
  lftp_at explicit "put $SRC/one.bin -o ../../escaped-lftp.bin"
  lftp_at explicit "put $SRC/one.bin -o /../outside/escaped-lftp2.bin"
  after="$(s3_keys | grep -v "^$HOME_PREFIX")"
  echo "keys outside the home: $after"
  [[ "$before" == "$after" ]] && s3_object_absent users/escaped-curl.bin && s3_object_absent escaped-curl.bin \
    && s3_object_absent escaped-lftp.bin && s3_object_absent outside/escaped-lftp2.bin
}

# A client killed in the middle of a multipart upload (TLS VERSION 1.2 or 1.3 on the data
# connection): no object, and its multipart upload aborted. The kernel closes the killed client's
# socket with a plain FIN; only the missing TLS close_notify tells it from a finished upload.
killed_upload_leaves_nothing() {
  local tls="$1" url deadline uploads
  url="$(curl_url explicit)/killed/big-tls$tls.bin"
  # SIGKILL after 2.5 s at 8 MB/s: about 20 MB sent (some parts in S3), no TLS close_notify.
  cat "$SRC/nine.bin" "$SRC/nine.bin" "$SRC/nine.bin" \
    | timeout -s KILL 2.5 curl -sS -k --ssl-reqd --tlsv"$tls" --tls-max "$tls" --user "$USER_NAME:$PASSWORD" \
      --ftp-create-dirs --limit-rate 8M -T - "$url"
  echo "curl killed: exit $?"
  sleep 1
  deadline=$((SECONDS + CHECKSUM_WAIT_SECONDS))
  while :; do
    uploads="$(s3 s3api list-multipart-uploads --bucket "$BUCKET" --query 'length(Uploads || `[]`)' --output text)"
    [[ "$uploads" == 0 ]] && break
    ((SECONDS < deadline)) || { echo "$uploads multipart uploads still open"; return 1; }
    sleep 0.5
  done
  s3_object_absent "${HOME_PREFIX}killed/big-tls$tls.bin" || { echo "a truncated object was committed"; return 1; }
}

no_multipart_uploads_left() {
  local uploads deadline=$((SECONDS + CHECKSUM_WAIT_SECONDS))
  while :; do
    uploads="$(s3 s3api list-multipart-uploads --bucket "$BUCKET" --query 'Uploads[].[Key,UploadId]' \
      --output text)" || return 1
    [[ -z "$uploads" || "$uploads" == None ]] && return 0
    ((SECONDS < deadline)) || { echo "open multipart uploads: $uploads"; return 1; }
    sleep 0.5
  done
}

tls_fingerprint_matches_log() {
  local logged served
  logged="$(sed -n 's/.*SHA-256 fingerprint \([0-9A-Fa-f:]*\).*/\1/p' "$WORK/ferry.log" | tr -d ':' | tr 'a-f' 'A-F')"
  served="$(timeout 15 openssl s_client -connect "127.0.0.1:$IMPLICIT_PORT" </dev/null 2>/dev/null \
    | openssl x509 -noout -fingerprint -sha256 | sed 's/.*=//' | tr -d ':')"
  echo "logged '$logged', served '$served'"
  [[ -n "$logged" && "$logged" == "$served" ]]
}

# tls_handshake ARGS...: the negotiated "protocol cipher" of openssl s_client against the implicit
# port, or nothing when the handshake fails.
tls_handshake() {
  timeout 15 openssl s_client -connect "127.0.0.1:$IMPLICIT_PORT" "$@" </dev/null 2>/dev/null \
    | sed -n 's/^New, \(TLSv[0-9.]*\), Cipher is \(.*\)$/\1 \2/p' | grep -v '(NONE)'
}

# TLS 1.2 takes only ECDHE with AEAD (forward secrecy, no CBC); TLS 1.3 as it is. Before, static-RSA
# key exchange and CBC-SHA1 suites were accepted.
tls_offers_ecdhe_aead_only() {
  local suite got
  for suite in AES128-GCM-SHA256 AES256-SHA ECDHE-RSA-AES128-SHA ECDHE-ECDSA-AES128-SHA ECDHE-ECDSA-AES256-SHA384; do
    got="$(tls_handshake -tls1_2 -cipher "$suite")"
    [[ -z "$got" ]] || { echo "TLS 1.2 with $suite was accepted: $got"; return 1; }
  done
  got="$(tls_handshake -tls1_2 -cipher ECDHE-ECDSA-AES128-GCM-SHA256)"
  echo "TLS 1.2 ECDHE-ECDSA-AES128-GCM-SHA256: $got"
  [[ "$got" == "TLSv1.2 ECDHE-ECDSA-AES128-GCM-SHA256" ]] || return 1
  got="$(tls_handshake -tls1_3)"
  echo "TLS 1.3: $got"
  [[ "$got" == TLSv1.3\ TLS_AES_* || "$got" == TLSv1.3\ TLS_CHACHA20_* ]]
}

# 200 connections to the implicit port that send a 10-byte malformed ClientHello: before, each wrote
# a 14 KB stack trace (2.9 MB in all); now one line each, at most 20 a minute.
# The activity log (Ferry's stdout, one JSON line per event) has the CLOSE of lftp's upload of
# nine.bin over explicit FTPS, with its size and SHA-256.
activity_logged() {
  local line size sha
  size="$(stat -c %s "$SRC/nine.bin")"
  sha="$(sha256sum "$SRC/nine.bin" | cut -d' ' -f1)"
  line="$(grep '"activity":"CLOSE"' "$WORK/ferry.activity.jsonl" | grep '"mode":"WRITE"' \
    | grep '"path":"/explicit/lftp/nine.bin"' | head -n 1)"
  echo "${line:-no CLOSE line for /explicit/lftp/nine.bin}"
  [[ "$line" == *"\"bytes\":$size,"* && "$line" == *"\"sha256\":\"$sha\""* && "$line" == *'"protocol":"FTPS"'* ]]
}

malformed_hellos_log_little() {
  local before after i
  before="$(stat -c %s "$WORK/ferry.log")"
  for ((i = 0; i < 200; i++)); do
    (exec 3<>"/dev/tcp/127.0.0.1/$IMPLICIT_PORT" && printf '\x16\x03\x01\x00\x05hello' >&3 && timeout 2 cat <&3 >/dev/null) \
      2>/dev/null
  done
  sleep 1
  after="$(stat -c %s "$WORK/ferry.log")"
  echo "ferry.log grew by $((after - before)) bytes"
  grep -q 'TLS with .* failed, connection closed' "$WORK/ferry.log" && ((after - before < 20000))
}

# Five clients reset their control connections (SO_LINGER 0 after FEAT): each session ends without
# an ERROR in Ferry's log (FtpServer logged one with a stack trace for a peer's reset), and Ferry
# goes on serving.
peer_resets_are_no_error() {
  local before
  before="$(wc -l <"$WORK/ferry.log")"
  timeout "$CLIENT_TIMEOUT_SECONDS" /usr/bin/python3 - "$EXPLICIT_PORT" <<'PY' || return 1
import socket, struct, sys
for _ in range(5):
    s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
    s.recv(4096)  # the greeting
    s.sendall(b"FEAT\r\n")
    s.recv(4096)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()  # with linger 0: a reset, not a FIN
PY
  lftp_at explicit "cls /explicit" >/dev/null || { echo "Ferry did not serve after the resets"; return 1; }
  ! tail -n +"$((before + 1))" "$WORK/ferry.log" | grep -A 8 " ERROR "
}

ferry_log_clean() {
  # With the lines after each match (fail shows the last 15): the exception says what went wrong.
  ! grep -A 12 -E "OutOfMemoryError|LEAK:| ERROR |Exception in thread" "$WORK/ferry.log"
}

# SIGTERM: open transfers get the grace period (5 s here), then Ferry logs "Ferry stopped" and exits.
ferry_stops_on_sigterm() {
  local deadline=$((SECONDS + 15))
  kill -TERM "$FERRY_PID" 2>/dev/null || { echo "Ferry was not running"; return 1; }
  while kill -0 "$FERRY_PID" 2>/dev/null; do
    if ((SECONDS >= deadline)); then
      echo "Ferry still running 15 s after SIGTERM; killing it"
      grep -A8 "shutting down" "$WORK/ferry.log"
      kill -9 "$FERRY_PID" 2>/dev/null
      wait "$FERRY_PID" 2>/dev/null
      return 1
    fi
    sleep 0.2
  done
  wait "$FERRY_PID"
  local status=$?
  grep -q "Ferry stopped" "$WORK/ferry.log" || { echo "no 'Ferry stopped' in the log"; return 1; }
  ((status == 0 || status == 143)) || { echo "exit status $status"; return 1; }
}

# start_watchdog: ends the run (SIGTERM to this shell) after TOTAL_TIMEOUT_SECONDS. Killing the
# watchdog kills its sleep too, so nothing outlives the run.
start_watchdog() {
  (
    trap 'kill "$sleeper" 2>/dev/null; exit 0' TERM
    sleep "$TOTAL_TIMEOUT_SECONDS" &
    sleeper=$!
    wait "$sleeper" && kill -TERM $$ 2>/dev/null
  ) &
  WATCHDOG_PID=$!
}

# ---------------------------------------------------------------------------------------------

main() {
  start_watchdog
  mkdir -p "$SRC" "$DL" "$WORK/home"
  write_aws_config
  : >"$SRC/empty.bin"
  head -c 1 /dev/urandom >"$SRC/one.bin"
  head -c $((9 * 1024 * 1024)) /dev/urandom >"$SRC/nine.bin"
  head -c 1000 /dev/urandom >"$SRC/thousand.bin"
  make_tree "$SRC/tree"

  start_s3proxy
  start_ferry
  check "implicit FTPS serves the certificate whose fingerprint Ferry logged" tls_fingerprint_matches_log
  check "TLS 1.2 takes only ECDHE with AES-GCM or ChaCha20 (no static RSA, no CBC); TLS 1.3 as it is" \
    tls_offers_ecdhe_aead_only
  check "200 malformed ClientHellos on the implicit port write a few lines to the log, no stack traces" \
    malformed_hellos_log_little
  check "lftp creates the test directories" \
    lftp_at explicit "mkdir -p /explicit/lftp /explicit/curl /implicit/lftp /implicit/curl /resume /ascii /stream /deflate"

  local mode name
  for mode in explicit implicit; do
    for name in empty.bin one.bin nine.bin; do
      check "$mode: lftp put+get $name ($(stat -c %s "$SRC/$name") B) byte-exact" lftp_roundtrip "$mode" "$name"
      check "$mode: $name uploaded by lftp, read from S3: same bytes, and its SHA-256 in Ferry's catalog" \
        s3_object_is "${HOME_PREFIX}$mode/lftp/$name" "$SRC/$name"
      check "$mode: curl upload+download $name byte-exact" curl_roundtrip "$mode" "$name"
      check "$mode: $name uploaded by curl, read from S3: same bytes, and its SHA-256 in Ferry's catalog" \
        s3_object_is "${HOME_PREFIX}$mode/curl/$name" "$SRC/$name"
    done
  done

  check "the activity log (stdout) has lftp's upload of nine.bin as a CLOSE line with its size and SHA-256" \
    activity_logged
  check "lftp active mode (PORT) put+get of nine.bin over TLS, byte-exact, and in S3" lftp_active_roundtrip nine.bin
  check "lftp with its defaults puts and gets in stream mode: MODE Z neither in FEAT nor accepted (504)" \
    lftp_default_stream_mode
  check "with ftps.modeZ: true, lftp with its defaults deflates put and get, byte-exact and in S3" \
    lftp_mode_z_when_offered
  check "TYPE A uploads store LF line ends; a TYPE A download gives the text back" ascii_type_converts_line_ends
  check "lftp mirror -R up (explicit) and mirror down (implicit) of a tree with unicode and spaces, times kept" \
    mirror_roundtrip
  check "mirrored tree's keys in S3 keep unicode names and spaces" mirror_keys_in_s3
  check "lftp mirror -R --parallel=8 of 16 × 1 MiB files (TLS 1.3, MODE S): all arrive on the first try" \
    parallel_small_uploads
  check "lftp cls lists exactly the uploaded files" cls_lists explicit /explicit/lftp "empty.bin,one.bin,nine.bin"
  check "lftp ls shows names and sizes" ls_shows_size
  check "lftp ls shows the login name as owner and group of every entry" ls_shows_login_as_owner
  check "lftp quote STAT of a directory lists it on the control connection (212)" stat_lists_on_control_connection
  check "lftp ls shows names with spaces, unicode and directories" ls_shows_spaces_and_unicode
  check "curl --list-only (NLST) lists the file names" curl_nlst
  check "lftp mv renames a file" rename_file
  check "lftp mv renames a directory with its whole tree" rename_dir
  check "lftp rm deletes a file (gone from S3 too)" rm_file
  check "lftp rmdir of a non-empty directory fails and keeps it" rmdir_nonempty_fails
  check "lftp mkdir then rmdir of an empty directory" rmdir_empty
  check "lftp rm -r of a tree another S3 client wrote (no folder markers): done, nothing left" \
    rm_r_of_a_tree_without_markers
  check "explicit: lftp put -c continues a 3 MB partial upload, byte-exact" lftp_resume explicit 3000000
  check "implicit: lftp put -c continues an 8 MiB+1 partial (multipart) upload, byte-exact" \
    lftp_resume implicit $((8 * 1024 * 1024 + 1))
  check "implicit: curl -C - continues a partial upload, byte-exact" curl_resume
  check "explicit: curl -a appends to a small file" curl_append explicit thousand.bin one.bin
  check "implicit: curl -a appends 9 MiB to a small file" curl_append implicit thousand.bin nine.bin
  check "explicit: curl with a wrong password gets 530 (exit 67)" wrong_password_curl explicit
  check "implicit: curl with a wrong password gets 530 (exit 67)" wrong_password_curl implicit
  check "explicit: lftp with a wrong password fails" wrong_password_lftp
  check "plain FTP without TLS is refused with 530 (curl ftp:// without --ssl-reqd)" plain_ftp_refused_curl
  check "plain FTP without TLS is refused (lftp ftp:ssl-allow no)" plain_ftp_refused_lftp
  check "TLS control but clear data (curl --ftp-ssl-control) is refused with 521" clear_data_refused_curl
  check "TLS control but clear data (lftp ftp:ssl-protect-data no) is refused" clear_data_refused_lftp
  check "objects outside the home planted in S3" plant_secrets
  check "curl --path-as-is ../../../etc/passwd and ../ paths fail and change nothing" traversal_get_curl
  check "lftp get ../../x and ../ paths fail and change nothing" traversal_get_lftp
  check "uploads to ../ paths never create objects outside the home" traversal_put
  check "rclone ftp backend: 500 files in 25 folders, 8 transfers creating parent folders at once, none lost" \
    rclone_ftp_parallel_folders
  check "basic-ftp: refused RETR, STOR and LIST with the data connection open first, the session goes on" \
    basic_ftp_refusals
  check "lftp (explicit, implicit FTPS), curl (FTPS, sftp://) and OpenSSH sftp over [::1] to a Ferry on ::1; the log says ::1" \
    ipv6_clients
  check "a client killed mid-upload on TLS 1.2 leaves no object and no multipart upload" \
    killed_upload_leaves_nothing 1.2
  check "a client killed mid-upload on TLS 1.3 leaves no object and no multipart upload" \
    killed_upload_leaves_nothing 1.3
  check "clients resetting their control connections log no ERROR; Ferry serves on" peer_resets_are_no_error
  check "the correct password still logs in after the failures" lftp_at implicit "cls /explicit"
  check "no multipart uploads left in the bucket" no_multipart_uploads_left
  check "Ferry exits cleanly on SIGTERM" ferry_stops_on_sigterm
  check "Ferry's log has no ERROR, leak, OutOfMemoryError or uncaught exception" ferry_log_clean

  summary_and_exit
}

# Sourcing the file (for debugging a check by hand) defines everything without running it.
if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  main "$@"
fi
