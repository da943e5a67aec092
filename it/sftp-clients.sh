#!/usr/bin/env bash
# Ferry against real SFTP clients: OpenSSH sftp (batch mode, key auth, host key pinned through a
# known_hosts built from Ferry's own host keys), OpenSSH 9 scp (SFTP mode), sshfs with sqlite on the
# mount, rclone's sftp backend
# (64 concurrent writes per file), curl sftp:// (libssh2, password and pinned host key) and paramiko
# (writes at offsets: out of order, rewrites, gaps; concurrent writers; a client dropped
# mid-upload), with S3Proxy behind Ferry. Results are read
# back from S3 with awscli. Prints "ok - ..." / "not ok - ..." per check and "N passed, M failed";
# exits non-zero if any check failed. Everything listens on 127.0.0.1 and stops by itself.
#
#   it/sftp-clients.sh                  (after: mvn -q -DskipTests package)
#
# The server start-up, reporting and S3 helpers are it/ftps-clients.sh's (sourced, not run).
set -uo pipefail

IT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=ftps-clients.sh
source "$IT_DIR/ftps-clients.sh"

PY=/usr/bin/python3            # Debian's python3 with python3-paramiko; a pyenv one may shadow it
CIPHER=aes128-gcm@openssh.com
SSH_DIR="$WORK/ssh"

start_ferry_sftp() {
  local hash passive
  [[ -f "$FERRY_JAR" ]] || setup_failed "Ferry jar $FERRY_JAR exists (run: mvn -q -DskipTests package)"
  hash="$(printf '%s\n' "$PASSWORD" | timeout 60 java -jar "$FERRY_JAR" hash-password 2>"$WORK/hash.err")"
  [[ "$hash" == \$2* ]] || setup_failed "hash-password prints a bcrypt hash" "$WORK/hash.err"
  mkdir -p "$SSH_DIR"
  chmod 700 "$SSH_DIR"
  ssh-keygen -q -t ed25519 -N '' -C it-ed25519 -f "$SSH_DIR/id_ed25519" || setup_failed "ssh-keygen ed25519"
  ssh-keygen -q -t ecdsa -b 256 -N '' -C it-ecdsa -f "$SSH_DIR/id_ecdsa" || setup_failed "ssh-keygen ecdsa"
  ssh-keygen -q -t rsa -b 3072 -N '' -C it-rsa -f "$SSH_DIR/id_rsa" || setup_failed "ssh-keygen rsa"
  ssh-keygen -q -t ed25519 -N '' -C stranger -f "$SSH_DIR/id_stranger" || setup_failed "ssh-keygen stranger"
  make_admin_key
  passive="$(free_port_range 10)" || setup_failed "free passive port range"
  cat >"$WORK/ferry.yaml" <<EOF
dataDir: $WORK/ferry-data
s3:
  endpoint: $S3_ENDPOINT
  accessKey: $S3_KEY
  secretKey: \${FERRY_IT_S3_SECRET}
  createBuckets: true
ftps:
  bindAddress: 127.0.0.1
  port: 0
  implicitPort: -1
  passivePorts: $passive
sftp:
  bindAddress: 127.0.0.1
  port: 0
uploads:
  partSize: 8MiB
  memoryBudget: 64MiB
  reorderWindow: 16MiB
login:
  maxFailures: 100          # this run fails logins on purpose; no ban for 127.0.0.1
shutdown:
  grace: 5s
users:
  - name: $USER_NAME
    passwordHash: "$hash"
    home: s3://$BUCKET/$HOME_PREFIX
    permissions: [all]
    publicKeys:
      - "$(cat "$SSH_DIR/id_ed25519.pub")"
      - "$(cat "$SSH_DIR/id_ecdsa.pub")"
      - "$(cat "$SSH_DIR/id_rsa.pub")"
  - name: reader
    passwordHash: "$hash"
    home: s3://$BUCKET/$HOME_PREFIX
    permissions: [list, read]
    publicKeys:
      - "$(cat "$SSH_DIR/id_ed25519.pub")"
$(admin_user_yaml)
EOF
  FERRY_IT_S3_SECRET="$S3_SECRET" java -Xmx256m -jar "$FERRY_JAR" --config "$WORK/ferry.yaml" \
    2>"$WORK/ferry.log" >"$WORK/activity.jsonl" &
  FERRY_PID=$!
  await_log "$FERRY_PID" "$WORK/ferry.log" "Ferry is up" || setup_failed "Ferry started" "$WORK/ferry.log"
  SFTP_PORT="$(sed -n 's/.*Ferry is up.*SFTP: [0-9.]*:\([0-9]*\).*/\1/p' "$WORK/ferry.log")"
  [[ "$SFTP_PORT" =~ ^[0-9]+$ ]] || setup_failed "Ferry logs its SFTP port" "$WORK/ferry.log"
  ADMIN_SSH_PORT="$SFTP_PORT"
  local pub
  : >"$SSH_DIR/known_hosts"
  for pub in "$WORK"/ferry-data/ssh/ssh_host_*_key.pub; do
    echo "[127.0.0.1]:$SFTP_PORT $(cut -d' ' -f1,2 "$pub")" >>"$SSH_DIR/known_hosts"
  done
  [[ -s "$SSH_DIR/known_hosts" ]] || setup_failed "Ferry wrote its host public keys" "$WORK/ferry.log"
  pass "Ferry started: SFTP on 127.0.0.1:$SFTP_PORT"
}

# ---------------------------------------------------------------------------------------------
# Clients

SSH_OPTS=()
ssh_opts() {
  local key="$1"
  SSH_OPTS=(-F /dev/null -o "UserKnownHostsFile=$SSH_DIR/known_hosts" -o StrictHostKeyChecking=yes
    -o BatchMode=yes -o IdentitiesOnly=yes -o PasswordAuthentication=no -o KbdInteractiveAuthentication=no
    -o ConnectTimeout=15 -o ServerAliveInterval=15 -o ServerAliveCountMax=2 -i "$key" -c "$CIPHER")
}

# sftp_as USER KEY COMMANDS...: one batch (each argument a line); fails on the first failing command.
sftp_as() {
  local user="$1" key="$2"
  shift 2
  printf '%s\n' "$@" >"$WORK/batch"
  ssh_opts "$key"
  HOME="$WORK/home" timeout "$CLIENT_TIMEOUT_SECONDS" sftp "${SSH_OPTS[@]}" -P "$SFTP_PORT" -b "$WORK/batch" \
    "$user@127.0.0.1" </dev/null
}

sftp_batch() { sftp_as "$USER_NAME" "$SSH_DIR/id_ed25519" "$@"; }

# seen_through_ferry PATH: waits until Ferry shows PATH, which another S3 client just wrote: for
# listings.directoryCacheTime (5 s) Ferry may answer from what it saw of the folder above a moment
# ago (docs/sftp.md). Fails after 8 s.
seen_through_ferry() {
  local deadline=$((SECONDS + 8))
  until sftp_batch "ls $1" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || { echo "$1 not seen through Ferry 8 s after it was written to S3"; return 1; }
    sleep 0.5
  done
}

scp_to() {
  ssh_opts "$SSH_DIR/id_ed25519"
  HOME="$WORK/home" timeout "$CLIENT_TIMEOUT_SECONDS" scp "${SSH_OPTS[@]}" -P "$SFTP_PORT" "$@"
}

host_sha256() {
  ssh-keygen -lf "$WORK/ferry-data/ssh/ssh_host_ed25519_key.pub" | awk '{print $2}' | sed 's/^SHA256://'
}

curl_sftp() {
  timeout "$CLIENT_TIMEOUT_SECONDS" curl -sS --max-time "$CLIENT_TIMEOUT_SECONDS" \
    --hostpubsha256 "$(host_sha256)" --user "$USER_NAME:$PASSWORD" "$@"
}

paramiko_run() {
  timeout 300 "$PY" "$IT_DIR/sftp_checks.py" "$1" 127.0.0.1 "$SFTP_PORT" "$USER_NAME" "$SSH_DIR/id_ed25519" \
    "$SSH_DIR/known_hosts" "$2" "$3"
}

# ---------------------------------------------------------------------------------------------
# Checks

MNT="$WORK/mnt"

# sshfs_mount: the user's home on $MNT over Ferry's SFTP port (key login, host key pinned), with
# sshfs's defaults otherwise, as a user would mount it.
sshfs_mount() {
  mkdir -p "$MNT"
  HOME="$WORK/home" timeout 60 sshfs -p "$SFTP_PORT" -F /dev/null -o "UserKnownHostsFile=$SSH_DIR/known_hosts" \
    -o StrictHostKeyChecking=yes -o BatchMode=yes -o IdentitiesOnly=yes -o "IdentityFile=$SSH_DIR/id_ed25519" \
    "$USER_NAME@127.0.0.1:/" "$MNT" </dev/null
}

sshfs_unmount() {
  fusermount3 -u "$MNT" || { sleep 2; fusermount3 -u "$MNT"; }
}

# sshfs_sqlite MODE: sqlite opens its database for reading and writing (a journal or a WAL file
# beside it). 10,000 rows in 50 transactions, a fifth of them updated and some deleted, on an sshfs
# mount; the database reopened passes integrity_check, and the object in S3, opened locally, holds
# the same rows.
sshfs_sqlite() {
  local mode="$1" db copy dump_mount dump_s3 batch rc=0
  db="$MNT/sqlite/$mode.db"
  copy="$WORK/$mode-from-s3.db"
  sshfs_mount || return 1
  {
    mkdir -p "$MNT/sqlite" &&
      sqlite3 "$db" "PRAGMA journal_mode=$mode; CREATE TABLE t(i INTEGER PRIMARY KEY, v TEXT);" &&
      for batch in $(seq 0 49); do
        echo "BEGIN; WITH RECURSIVE n(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM n WHERE k < 200)"
        echo "  INSERT INTO t(i, v) SELECT $batch * 200 + k, hex(randomblob(40)) FROM n; COMMIT;"
        ((batch % 10 == 9)) && echo "UPDATE t SET v = v || 'x' WHERE i % 5 = 0; DELETE FROM t WHERE i % 97 = 0;"
      done | sqlite3 "$db" &&
      [[ "$(sqlite3 "$db" 'PRAGMA integrity_check;')" == ok ]] &&
      dump_mount="$(sqlite3 "$db" 'SELECT count(*), sum(i), sum(length(v)) FROM t;')" &&
      echo "on the mount: $dump_mount"
  } || rc=1
  sshfs_unmount || rc=1
  ((rc == 0)) || return 1
  rm -f "$copy"
  s3 s3api get-object --bucket "$BUCKET" --key "${HOME_PREFIX}sqlite/$mode.db" "$copy" >/dev/null || return 1
  [[ "$(sqlite3 "$copy" 'PRAGMA integrity_check;')" == ok ]] || { echo "the copy from S3 fails integrity_check"; return 1; }
  dump_s3="$(sqlite3 "$copy" 'SELECT count(*), sum(i), sum(length(v)) FROM t;')"
  echo "from S3: $dump_s3"
  [[ "$dump_s3" == "$dump_mount" && "$dump_s3" == 9897\|* ]]
}

sftp_roundtrip() {
  local name="$1"
  sftp_batch "put $SRC/$name /sftp/$name" "get /sftp/$name $DL/sftp-$name" || return 1
  same_bytes "$SRC/$name" "$DL/sftp-$name"
}

key_login() {
  sftp_as "$USER_NAME" "$SSH_DIR/$1" "pwd"
}

stranger_refused() {
  if sftp_as "$USER_NAME" "$SSH_DIR/id_stranger" "pwd"; then
    echo "an unlisted key logged in"
    return 1
  fi
}

ssh_rsa_sha1_refused() {
  ssh_opts "$SSH_DIR/id_rsa"
  if HOME="$WORK/home" timeout 30 sftp "${SSH_OPTS[@]}" -o PubkeyAcceptedAlgorithms=ssh-rsa \
      -o HostKeyAlgorithms=ssh-rsa -P "$SFTP_PORT" -b /dev/null "$USER_NAME@127.0.0.1" </dev/null; then
    echo "ssh-rsa (SHA-1) signatures were accepted"
    return 1
  fi
}

weak_algorithms_refused() {
  local opt
  for opt in "-c aes128-cbc" "-o KexAlgorithms=diffie-hellman-group14-sha1" "-o MACs=hmac-sha1 -c aes128-ctr"; do
    ssh_opts "$SSH_DIR/id_ed25519"
    # shellcheck disable=SC2086
    if HOME="$WORK/home" timeout 30 sftp "${SSH_OPTS[@]}" $opt -P "$SFTP_PORT" -b /dev/null \
        "$USER_NAME@127.0.0.1" </dev/null; then
      echo "connected with $opt"
      return 1
    fi
  done
}

# OpenSSH puts chacha20-poly1305 first; Ferry does not offer it (MINA's is plain Java, 2.3x slower).
# Its MAC order starts with umac-64-etm, which Ferry has (dev.ferry.ssh.Umac).
default_client_gets_aes() {
  ssh_opts "$SSH_DIR/id_ed25519"
  local opts=("${SSH_OPTS[@]:0:${#SSH_OPTS[@]}-2}") log="$WORK/default-cipher.log"
  HOME="$WORK/home" timeout 30 sftp -v "${opts[@]}" -P "$SFTP_PORT" -b /dev/null "$USER_NAME@127.0.0.1" \
    </dev/null 2>"$log" || { tail -5 "$log"; return 1; }
  grep -E 'kex: (server->client|client->server) cipher:' "$log"
  [ "$(grep -cE 'kex: (server->client|client->server) cipher: aes128-ctr MAC: umac-64-etm@openssh.com ' \
    "$log")" = 2 ]
}

# put and get of FILE with OpenSSH's own algorithm choice, then with each other MAC Ferry offers for
# CTR pinned: the MAC is computed over every packet both ways, so a wrong tag breaks the session.
roundtrip_every_mac() {
  local name="$1" macs
  ssh_opts "$SSH_DIR/id_ed25519"
  local opts=("${SSH_OPTS[@]:0:${#SSH_OPTS[@]}-2}")
  for macs in default umac-128-etm@openssh.com hmac-sha2-256-etm@openssh.com hmac-sha2-512; do
    local pin=() out="$DL/mac-$macs-$name"
    [[ "$macs" == default ]] || pin=(-c aes128-ctr -o "MACs=$macs")
    printf '%s\n' "put $SRC/$name /sftp/mac-$name" "get /sftp/mac-$name $out" >"$WORK/batch"
    HOME="$WORK/home" timeout "$CLIENT_TIMEOUT_SECONDS" sftp "${opts[@]}" "${pin[@]}" -P "$SFTP_PORT" \
      -b "$WORK/batch" "$USER_NAME@127.0.0.1" </dev/null || { echo "MACs $macs: sftp failed"; return 1; }
    same_bytes "$SRC/$name" "$out" || { echo "MACs $macs: bytes differ"; return 1; }
  done
}

# rclone's sftp backend as a client: a 40 MiB file written by 64 concurrent (out-of-order) writes,
# and small files; rclone sets each time after the upload (SETSTAT on the path, racing Ferry's
# checksum copy of the multipart file). Bytes are compared by rclone (check --download) and in S3.
rclone_ferry() {
  RCLONE_CONFIG="$WORK/rclone.conf" RCLONE_CONFIG_FERRY_TYPE=sftp RCLONE_CONFIG_FERRY_HOST=127.0.0.1 \
    RCLONE_CONFIG_FERRY_PORT="$SFTP_PORT" RCLONE_CONFIG_FERRY_USER="$USER_NAME" \
    RCLONE_CONFIG_FERRY_KEY_FILE="$SSH_DIR/id_ed25519" RCLONE_CONFIG_FERRY_KNOWN_HOSTS_FILE="$SSH_DIR/known_hosts" \
    timeout "$CLIENT_TIMEOUT_SECONDS" rclone --sftp-concurrency 64 "$@"
}

rclone_copy_and_check() {
  mkdir -p "$SRC/rclone"
  head -c 41943040 /dev/urandom >"$SRC/rclone/forty.bin"
  local i listing
  for i in 1 2 3 4 5; do head -c $((i * 7000)) /dev/urandom >"$SRC/rclone/s$i.bin"; done
  touch -d '2016-01-02 03:04:05 UTC' "$SRC/rclone/s1.bin" "$SRC/rclone/forty.bin"
  rclone_ferry copy "$SRC/rclone" ferry:rclone || return 1
  rclone_ferry check --download "$SRC/rclone" ferry:rclone || return 1
  s3_object_is "${HOME_PREFIX}rclone/forty.bin" "$SRC/rclone/forty.bin" || return 1
  listing="$(rclone_ferry lsl ferry:rclone)" || return 1
  echo "$listing"
  [ "$(grep -cE '2016-01-02 03:04:05.* (s1|forty)\.bin$' <<<"$listing")" = 2 ]
}

reput_resumes() {
  head -c 3000000 "$SRC/twenty.bin" >"$WORK/partial.bin"
  sftp_batch "put $WORK/partial.bin /resume/twenty.bin" || return 1
  sftp_batch "reput $SRC/twenty.bin /resume/twenty.bin" || return 1
  s3_object_is "${HOME_PREFIX}resume/twenty.bin" "$SRC/twenty.bin"
}

put_preserves_mtime() {
  touch -d '2019-06-01 10:20:30 UTC' "$SRC/old.txt"
  sftp_batch "put -p $SRC/old.txt /sftp/old.txt" "ls -l /sftp/old.txt" || return 1
  local one listing
  one="$(sftp_batch "ls -l /sftp/old.txt")" || return 1
  listing="$(sftp_batch "ls -l /sftp")" || return 1
  echo "$one"
  # `ls -l` of one file stats it, `ls -l` of the directory lists it: both show the client's time.
  grep -q "old.txt" <<<"$listing" && grep -q "2019" <<<"$one" && grep "old.txt" <<<"$listing" | grep -q "2019" \
    && [[ "$(ferry_fact "${HOME_PREFIX}sftp/old.txt" clientTime)" == "2019-06-01T10:20:30Z" ]]
}

sftp_renames() {
  sftp_batch "mkdir /ren" "mkdir /ren/sub" "put $SRC/one.bin /ren/sub/a.bin" "rename /ren/sub/a.bin /ren/sub/b.bin" \
    "rename /ren /renamed" "ls /renamed/sub" || return 1
  local keys
  keys="$(s3_keys "${HOME_PREFIX}ren")" || return 1
  echo "$keys"
  grep -qx "${HOME_PREFIX}renamed/sub/b.bin" <<<"$keys" && ! grep -q "^${HOME_PREFIX}ren/" <<<"$keys"
}

# OpenSSH 9's cp (copy-data): a multipart-sized file, an empty one, and a file onto itself, which
# OpenSSH opens truncated before it copies: it keeps its bytes.
sftp_cp() {
  sftp_batch "mkdir /cp" "put $SRC/twenty.bin /cp/twenty.bin" "cp /cp/twenty.bin /cp/copy.bin" \
    "put $SRC/empty.bin /cp/empty.bin" "cp /cp/empty.bin /cp/empty-copy.bin" \
    "cp /cp/twenty.bin /cp/twenty.bin" || return 1
  s3_object_is "${HOME_PREFIX}cp/copy.bin" "$SRC/twenty.bin" \
    && s3_object_is "${HOME_PREFIX}cp/empty-copy.bin" "$SRC/empty.bin" \
    && s3_object_is "${HOME_PREFIX}cp/twenty.bin" "$SRC/twenty.bin"
}

sftp_rm_rmdir() {
  sftp_batch "mkdir /gone" "put $SRC/one.bin /gone/x" "rm /gone/x" "rmdir /gone" || return 1
  [[ -z "$(s3_keys "${HOME_PREFIX}gone/")" ]]
}

# A folder another S3 client made has no marker and ends in S3 with its last file; on the node that
# removed it, it stays an empty folder until removed, so the rmdir that follows is done, while one
# of a name never there still fails.
sftp_rmdir_after_last_file_of_foreign_folder() {
  local key
  for key in d/x.bin d2/y.bin; do
    s3 s3api put-object --bucket "$BUCKET" --key "${HOME_PREFIX}foreign-sftp/$key" --body "$SRC/one.bin" >/dev/null \
      || return 1
  done
  sftp_batch "rm /foreign-sftp/d/x.bin" "rmdir /foreign-sftp/d" "rm /foreign-sftp/d2/y.bin" \
    "rename /foreign-sftp/d2 /foreign-sftp/e" || return 1
  [[ "$(s3_keys "${HOME_PREFIX}foreign-sftp/")" == "${HOME_PREFIX}foreign-sftp/e/" ]] || return 1
  sftp_batch "rmdir /foreign-sftp/e" "rmdir /foreign-sftp" || return 1
  [[ -z "$(s3_keys "${HOME_PREFIX}foreign-sftp/")" ]] || return 1
  ! sftp_batch "rmdir /foreign-never" >/dev/null 2>&1
}

# OpenSSH speaks SFTP version 3, whose statuses end at 8: a refusal with a later code (here the
# directory not being empty) would print "Unknown status".
sftp_rmdir_not_empty() {
  local out
  out="$(sftp_batch "mkdir /full" "put $SRC/one.bin /full/x" "-rmdir /full" 2>&1)" || return 1
  grep -q 'rmdir "/full": Failure' <<<"$out" && ! grep -qi "unknown" <<<"$out" \
    && s3_object_is "${HOME_PREFIX}full/x" "$SRC/one.bin"
}

unicode_names() {
  sftp_batch "mkdir \"/ünï cødé\"" "put $SRC/one.bin \"/ünï cødé/日本 ñ.bin\"" "ls \"/ünï cødé\"" || return 1
  s3_object_is "${HOME_PREFIX}ünï cødé/日本 ñ.bin" "$SRC/one.bin"
}

traversal_refused() {
  local out
  for target in "../escape.bin" "/../../escape.bin" "/sftp/../../escape.bin"; do
    if sftp_batch "put $SRC/one.bin $target"; then
      echo "put $target succeeded"
      return 1
    fi
  done
  out="$(sftp_batch "ln -s /etc/passwd /link" 2>&1)" && { echo "symlink created"; return 1; }
  echo "$out"
  grep -qi "unsupported" <<<"$out" || return 1     # OpenSSH shows the status, not the text
  [[ -z "$(s3 s3api list-objects-v2 --bucket "$BUCKET" --query 'Contents[].[Key]' --output text \
    | grep -v "^${HOME_PREFIX}" | grep -v '^None$')" ]]
}

reader_denied() {
  local out
  out="$(sftp_as reader "$SSH_DIR/id_ed25519" "put $SRC/one.bin /denied.bin" 2>&1)" && return 1
  echo "$out"
  grep -qi "permission denied\|not granted" <<<"$out" && s3_object_absent "${HOME_PREFIX}denied.bin"
}

exec_refused() {
  local out status
  ssh_opts "$SSH_DIR/id_ed25519"
  out="$(HOME="$WORK/home" timeout 30 ssh "${SSH_OPTS[@]}" -p "$SFTP_PORT" "$USER_NAME@127.0.0.1" ls / 2>&1)"
  status=$?
  echo "status $status: $out"
  [[ $status -ne 0 ]] && grep -q "SFTP only" <<<"$out"
}

scp_roundtrip() {
  scp_to "$SRC/nine.bin" "$USER_NAME@127.0.0.1:/scp-nine.bin" || return 1
  s3_object_is "${HOME_PREFIX}scp-nine.bin" "$SRC/nine.bin" || return 1
  # Over an existing, longer file: scp writes in place and truncates to what it wrote.
  scp_to "$SRC/one.bin" "$USER_NAME@127.0.0.1:/scp-nine.bin" || return 1
  s3_object_is "${HOME_PREFIX}scp-nine.bin" "$SRC/one.bin" || return 1
  scp_to "$USER_NAME@127.0.0.1:/scp-nine.bin" "$DL/scp-back.bin" || return 1
  same_bytes "$SRC/one.bin" "$DL/scp-back.bin"
}

curl_sftp_roundtrip() {
  curl_sftp -T "$SRC/nine.bin" "sftp://127.0.0.1:$SFTP_PORT/curl-nine.bin" || return 1
  curl_sftp "sftp://127.0.0.1:$SFTP_PORT/curl-nine.bin" -o "$DL/curl-nine.bin" || return 1
  same_bytes "$SRC/nine.bin" "$DL/curl-nine.bin" && s3_object_is "${HOME_PREFIX}curl-nine.bin" "$SRC/nine.bin"
}

curl_wrong_password() {
  timeout 60 curl -sS --hostpubsha256 "$(host_sha256)" --user "$USER_NAME:wrong" \
    "sftp://127.0.0.1:$SFTP_PORT/curl-nine.bin" -o /dev/null
  local status=$?
  echo "curl exit $status"
  [[ $status -eq 67 ]]
}

curl_wrong_host_key() {
  timeout 60 curl -sS --hostpubsha256 "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" --user "$USER_NAME:$PASSWORD" \
    "sftp://127.0.0.1:$SFTP_PORT/curl-nine.bin" -o /dev/null && return 1
  return 0
}

paramiko_stored() {
  local mode="$1" name="$2"
  paramiko_run "$mode" "/paramiko/$name" "$WORK/expected-$name" || return 1
  s3_object_is "${HOME_PREFIX}paramiko/$name" "$WORK/expected-$name"
}

paramiko_killed_leaves_nothing() {
  paramiko_run killed /paramiko/killed.bin "$WORK/expected-killed" || return 1
  local deadline=$((SECONDS + 20))
  while grep -q . <(s3 s3api list-multipart-uploads --bucket "$BUCKET" --query 'Uploads[].[Key]' --output text \
      | grep -v '^None$'); do
    ((SECONDS < deadline)) || { echo "multipart upload still open"; return 1; }
    sleep 0.5
  done
  s3_object_absent "${HOME_PREFIX}paramiko/killed.bin"
}

sftp_df() {
  # statvfs@openssh.com: S3 has no capacity, so Ferry reports a fixed large free space (1 PiB).
  local out avail
  out="$(sftp_batch "df /")" || return 1
  echo "$out"
  # OpenSSH prints "Size Used Avail (root) %Capacity" in KiB, then one line of figures.
  avail="$(awk 'NR == 2 { print $3 }' <<<"$(grep -v '^sftp>' <<<"$out")")"
  [[ "$avail" =~ ^[0-9]+$ ]] && ((avail >= 1024 * 1024 * 1024)) \
    || { echo "available KiB '$avail', expected at least 1 TiB"; return 1; }
}

ls_many() {
  local listing
  listing="$(sftp_batch "ls -1 /sftp")" || return 1
  echo "$listing"
  grep -q "twenty.bin" <<<"$listing" && grep -q "nine.bin" <<<"$listing"
}

# MINA decodes a name's invalid bytes to U+FFFD: coll\xff.txt and coll\xfe.txt would be one key.
invalid_utf8_refused() {
  paramiko_run invalid-utf8 /paramiko "$WORK/invalid-utf8.out" || return 1
  cat "$WORK/invalid-utf8.out"
  ! s3 s3api list-objects-v2 --bucket "$BUCKET" --prefix "${HOME_PREFIX}paramiko/" --query 'Contents[].Key' \
    --output text | grep -q $'\xef\xbf\xbd'
}

# What the server offers, as OpenSSH's debug output shows its KEXINIT: the post-quantum hybrid
# that OpenSSH picks by default (9.2 picks its plain name, sntrup761x25519-sha512) and curve25519, no NIST-curve key exchange, zlib only after login.
server_algorithms_hardened() {
  local out peer kex compression chosen
  out="$(HOME="$WORK/home" timeout 60 ssh -vv -F /dev/null -o BatchMode=yes -o UserKnownHostsFile="$SSH_DIR/known_hosts" \
    -o IdentitiesOnly=yes -i "$SSH_DIR/id_ed25519" -p "$SFTP_PORT" "$USER_NAME@127.0.0.1" true 2>&1 </dev/null \
    | tr -d '\r')"  # OpenSSH ends its debug lines with CR LF
  peer="$(sed -n '/peer server KEXINIT proposal/,/first_kex_follows/p' <<<"$out")"
  kex="$(grep 'KEX algorithms:' <<<"$peer")"
  compression="$(grep 'compression ctos:' <<<"$peer")"
  chosen="$(grep -m1 'kex: algorithm:' <<<"$out")"
  printf '%s\n' "$kex" "$(grep 'MACs ctos:' <<<"$peer")" "$compression" "$chosen"
  grep -q 'sntrup761x25519-sha512@openssh.com' <<<"$kex" && grep -q 'curve25519-sha256' <<<"$kex" \
    && ! grep -q 'nistp' <<<"$kex" && [[ "$compression" == *"compression ctos: none,zlib@openssh.com" ]] \
    && [[ "$chosen" == *"kex: algorithm: sntrup761x25519-sha512"* ]]
}

# Only publickey and password are offered: keyboard-interactive, which MINA used to offer beside
# password, never completed, and clients that try it first met a method that cannot work.
keyboard_interactive_not_offered() {
  local out
  out="$(HOME="$WORK/home" timeout 60 ssh -F /dev/null -o BatchMode=yes -o PreferredAuthentications=keyboard-interactive \
    -o UserKnownHostsFile="$SSH_DIR/known_hosts" -p "$SFTP_PORT" "$USER_NAME@127.0.0.1" true 2>&1 </dev/null)"
  echo "$out"
  grep -q 'Permission denied (publickey,password)' <<<"$out"
}

# A directory of 1,500 long names (about 300 KB of READDIR replies, several replies of Ferry's 64 KiB):
# OpenSSH sftp, curl sftp:// (libssh2) and paramiko each list every name.
big_directory_listed_whole() {
  local count=1500 i listing
  mkdir -p "$WORK/big"
  for ((i = 0; i < count; i++)); do
    : >"$WORK/big/$(printf 'a-rather-long-file-name-to-fill-readdir-replies-quickly-%04d.txt' "$i")"
  done
  s3 s3 cp --only-show-errors --recursive "$WORK/big" "s3://$BUCKET/${HOME_PREFIX}big/" || return 1
  seen_through_ferry /big || return 1
  ls "$WORK/big" | sort >"$WORK/big.names"
  listing="$(sftp_batch "ls -1 /big")" || return 1
  grep -v '^sftp>' <<<"$listing" | sed 's|^/big/||; s|^big/||' | sort | diff -q - "$WORK/big.names" >/dev/null \
    || { echo "OpenSSH sftp listed $(grep -c 'a-rather' <<<"$listing") of $count"; return 1; }
  curl_sftp "sftp://127.0.0.1:$SFTP_PORT/big/" --list-only | grep -v '^\.\{1,2\}$' | sort >"$WORK/big.curl" || return 1
  diff -q "$WORK/big.curl" "$WORK/big.names" >/dev/null || { echo "curl listed $(wc -l <"$WORK/big.curl") of $count"; return 1; }
  paramiko_run names /big "$WORK/big.paramiko" || return 1
  diff -q "$WORK/big.paramiko" "$WORK/big.names" >/dev/null \
    || { echo "paramiko listed $(wc -l <"$WORK/big.paramiko") of $count"; return 1; }
}

# Every entry, "." included, and a file listed alone show the login name as owner and group (not a
# Java object name, not OWNER@/GROUP@, not "0 0"). OpenSSH formats each line itself and asks the
# server to name the ids (users-groups-by-id@openssh.com); without that extension it printed the
# server's long names for a directory and numbers for a file alone. paramiko's check below reads
# the long names.
ls_long_shows_login_as_owner() {
  local listing owners
  listing="$(sftp_batch "ls -la /sftp" "ls -l /sftp/one.bin")" || return 1
  echo "$listing"
  grep -qE '^d.*[ /]\.$' <<<"$listing" || { echo "no '.' entry"; return 1; }
  grep -qE '^-.* /sftp/one.bin$' <<<"$listing" || { echo "no line for the file alone"; return 1; }
  owners="$(grep -E '^[-d]' <<<"$listing" | awk '{print $3 " " $4}' | sort -u)"
  [[ "$owners" == "$USER_NAME $USER_NAME" ]]
}

# A time SFTP v3 cannot carry (2040, as FTPS's MFMT may set; 1969): OpenSSH's ls -l of the
# directory and of the file answer, showing the nearest time SFTP carries, and the session goes on.
# Before, the reply failed ("Invalid INT32 value") and the SFTP session ended.
times_beyond_sftp_shown_nearest() {
  printf 'x' >"$WORK/far.txt"
  s3 s3api put-object --bucket "$BUCKET" --key "${HOME_PREFIX}far/future.txt" --body "$WORK/far.txt" \
    --metadata mtime=2208988800 >/dev/null || return 1
  s3 s3api put-object --bucket "$BUCKET" --key "${HOME_PREFIX}far/past.txt" --body "$WORK/far.txt" \
    --metadata mtime=-86400 >/dev/null || return 1
  seen_through_ferry /far || return 1
  local listing
  listing="$(sftp_batch "ls -l /far" "ls -l /far/future.txt" "ls -l /sftp")" || return 1
  echo "$listing"
  grep -qE 'Jan 19  2038 .*future\.txt$' <<<"$listing" && grep -qE 'Jan  1  1970 .*past\.txt$' <<<"$listing" \
    && grep -q 'nine\.bin' <<<"$listing"
}

main_sftp() {
  start_watchdog
  mkdir -p "$SRC" "$DL" "$WORK/home"
  write_aws_config
  : >"$SRC/empty.bin"
  head -c 1 /dev/urandom >"$SRC/one.bin"
  head -c $((9 * 1024 * 1024)) /dev/urandom >"$SRC/nine.bin"
  head -c $((20 * 1024 * 1024 + 7)) /dev/urandom >"$SRC/twenty.bin"
  echo old >"$SRC/old.txt"

  start_s3proxy
  start_ferry_sftp
  check "Ferry logs the SHA256 fingerprints of its ed25519 and rsa host keys" \
    bash -c "grep -q 'SSH host key ssh-ed25519 SHA256:' '$WORK/ferry.log' && grep -q 'SSH host key ssh-rsa SHA256:' '$WORK/ferry.log'"
  check "sftp logs in with an ed25519 key (host key pinned)" key_login id_ed25519
  check "sftp logs in with an ecdsa key" key_login id_ecdsa
  check "sftp logs in with an rsa key (rsa-sha2)" key_login id_rsa
  check "a key not listed for the user is refused" stranger_refused
  check "the server offers publickey and password, not keyboard-interactive" keyboard_interactive_not_offered
  check "key exchange: sntrup761x25519 (OpenSSH's default pick) and curve25519, no NIST curves; zlib only after login" \
    server_algorithms_hardened
  check "ssh-rsa (SHA-1) signatures are refused" ssh_rsa_sha1_refused
  check "CBC, diffie-hellman-group14-sha1 and hmac-sha1 are refused" weak_algorithms_refused
  check "OpenSSH with its default algorithm order gets aes128-ctr with umac-64-etm, not chacha20-poly1305" \
    default_client_gets_aes

  check "sftp creates the test directories" sftp_batch "mkdir /sftp" "mkdir /resume" "mkdir /paramiko"
  local name
  for name in empty.bin one.bin nine.bin twenty.bin; do
    check "sftp put+get $name ($(stat -c %s "$SRC/$name") B) byte-exact" sftp_roundtrip "$name"
    check "$name uploaded by sftp, read from S3: same bytes, and its SHA-256 in Ferry's catalog" \
      s3_object_is "${HOME_PREFIX}sftp/$name" "$SRC/$name"
  done
  check "twenty.bin both ways with OpenSSH's default algorithms, umac-128-etm, hmac-sha2-256-etm and hmac-sha2-512" \
    roundtrip_every_mac twenty.bin
  check "sftp ls lists the uploaded files" ls_many
  check "sftp ls -la of a directory and ls -l of one file show the login name as owner and group" \
    ls_long_shows_login_as_owner
  check "OpenSSH sftp, curl sftp:// and paramiko list all 1,500 names of a directory (several READDIR replies)" \
    big_directory_listed_whole
  check "sftp ls -l of files timed 2040 and 1969 shows 2038-01-19 and 1970-01-01, and the session goes on" \
    times_beyond_sftp_shown_nearest
  check "paramiko: every listed entry's longname shows the login name as owner and group" \
    paramiko_run longname /sftp "$WORK/longname.out"
  check "sftp reput continues a partial upload server-side, byte-exact" reput_resumes
  check "sftp put -p keeps the modification time (stat, directory listing, admin stat)" put_preserves_mtime
  check "sftp rename of a file and a directory tree" sftp_renames
  check "sftp rm and rmdir" sftp_rm_rmdir
  check "sftp rmdir and rename of folders another S3 client made, after their last file: done, as on a disk" \
    sftp_rmdir_after_last_file_of_foreign_folder
  check "sftp rmdir of a directory with a file: 'Failure' (a version 3 status), both kept" sftp_rmdir_not_empty
  check "sftp cp (copy-data) of a 20 MiB file, an empty file and a file onto itself, byte-exact in S3" sftp_cp
  check "sftp unicode and space names round-trip to S3 keys" unicode_names
  check "sftp put to ../ paths and ln -s are refused, nothing outside the home" traversal_refused
  check "a list+read user gets permission denied on put" reader_denied
  check "ssh exec is refused with 'SFTP only'" exec_refused
  check "sftp df (statvfs@openssh.com) reports S3's large free space" sftp_df
  check "scp (SFTP mode) up, over a longer file (in-place + truncate), and down" scp_roundtrip
  check "rclone sftp backend: 64 concurrent writes of 40 MiB and small files, check --download, times kept" \
    rclone_copy_and_check
  check "curl sftp:// upload+download (password, host key pinned by SHA256)" curl_sftp_roundtrip
  check "curl sftp:// with a wrong password fails with exit 67" curl_wrong_password
  check "curl sftp:// refuses a wrong host key fingerprint" curl_wrong_host_key
  check "sqlite on an sshfs mount (journal_mode=delete): 10,000 rows, integrity_check ok, the S3 object the same database" \
    sshfs_sqlite delete
  check "sqlite on an sshfs mount (journal_mode=wal): 10,000 rows, integrity_check ok, the S3 object the same database" \
    sshfs_sqlite wal
  check "paramiko: 20 MiB written in shuffled pipelined order stored exactly" \
    paramiko_stored out-of-order shuffled.bin
  check "paramiko: far gap first, 20 rewrites of sent bytes, a hole: stored exactly" \
    paramiko_stored rewrites rewritten.bin
  check "paramiko: three more writers of a file being written are refused as busy, first wins" \
    paramiko_stored concurrent concurrent.bin
  check "paramiko: a client dropped mid-upload leaves no object and no multipart upload" \
    paramiko_killed_leaves_nothing
  check "paramiko: names with bytes that are not UTF-8 are refused, no key with U+FFFD in S3" invalid_utf8_refused
  check "no multipart uploads left in the bucket" no_multipart_uploads_left
  check "Ferry exits cleanly on SIGTERM" ferry_stops_on_sigterm
  check "Ferry's log has no ERROR, leak, OutOfMemoryError or uncaught exception" ferry_log_clean

  summary_and_exit
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  main_sftp "$@"
fi
