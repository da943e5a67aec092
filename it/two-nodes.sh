#!/usr/bin/env bash
# Two Ferry nodes behind a real HAProxy: one PostgreSQL state store (a private cluster made with
# initdb), one S3 (S3Proxy), and deploy/haproxy/haproxy.cfg with the loopback addresses and ports of
# this run put in. Real clients go through the balancer: lftp (explicit FTPS), curl (implicit FTPS)
# and OpenSSH sftp; each node advertises its own passive port range, so every data connection
# reaches the node that owns its control session. Both nodes serve sessions, and what one wrote
# the other reads, with its SHA-256 and time from the shared catalog. HAProxy connects to the nodes
# from its own address (127.0.0.10, the nodes' proxyProtocol.trustedFrom) and sends the PROXY
# protocol v2 header, and clients come from other loopback addresses (127.0.0.5, 127.0.0.7), so
# the checks see each node key bans, logs, EPRT and passive data connections by the real client;
# passive data goes through the balancer's own frontends (passiveAddress 127.0.0.3). Prints "ok - ..." /
# "not ok - ..." per check and "N passed, M failed"; exits non-zero if any check failed.
# Everything listens on 127.0.0.1 and stops by itself.
#
#   it/two-nodes.sh                     (after: mvn -q -DskipTests package)
#
# Needs haproxy, postgresql (run as the postgres user when this runs as root), lftp, curl, sftp.
set -uo pipefail

IT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=ftps-clients.sh
source "$IT_DIR/ftps-clients.sh"
# shellcheck source=postgres.sh
source "$IT_DIR/postgres.sh"

CIPHER=aes128-gcm@openssh.com
# The balancer's address towards the nodes (trusted by them) and its passive data address.
LB_SOURCE=127.0.0.10
LB_PASSIVE_ADDRESS=127.0.0.3
# Two clients of the balancer, each from its own address.
ATTACKER=127.0.0.5
PARTNER=127.0.0.7
SSH_DIR="$WORK/ssh"
PG_DIR="$WORK/postgres"
NODE_PIDS=()
HAPROXY_PID=""

two_nodes_cleanup() {
  local status=$?
  local pid
  stop_pid "$HAPROXY_PID" HAProxy
  for pid in "${NODE_PIDS[@]}"; do
    stop_pid "$pid" "Ferry node"
  done
  stop_private_postgres
  (exit "$status")
  cleanup
}
trap two_nodes_cleanup EXIT

start_postgres() {
  start_private_postgres >"$WORK/postgres-start.log" || setup_failed "PostgreSQL: $(cat "$WORK/postgres-start.log")"
  pass "PostgreSQL $(basename "$(dirname "$PG_BIN")") started on 127.0.0.1:$PG_PORT"
}

# start_node N: node N on its own data dir, passive range and ports; sets NODE<N>_FTP, _FTPS, _SFTP.
start_node() {
  local n="$1" passive up pid
  passive="$(free_port_range 20)" || setup_failed "free passive port range for node $n"
  printf -v "NODE${n}_PASSIVE" '%s' "$passive"
  mkdir -p "$WORK/node$n"
  # Every node must show clients the same host keys: node 2 gets node 1's.
  if [[ "$n" != 1 ]]; then
    mkdir -p "$WORK/node$n/data" && cp -r "$WORK/node1/data/ssh" "$WORK/node$n/data/ssh" \
      || setup_failed "node 1's host keys copied to node $n"
  fi
  cat >"$WORK/node$n/ferry.yaml" <<YAML
dataDir: $WORK/node$n/data
s3:
  endpoint: $S3_ENDPOINT
  accessKey: $S3_KEY
  secretKey: \${FERRY_IT_S3_SECRET}
  createBuckets: true
ftps:
  bindAddress: 127.0.0.1
  port: 0
  implicitPort: 0
  passivePorts: $passive
  passiveAddress: $LB_PASSIVE_ADDRESS
sftp:
  bindAddress: 127.0.0.1
  port: 0
store:
  url: jdbc:postgresql://127.0.0.1:$PG_PORT/ferry
  user: ferry
  nodeName: node$n
  lease: 5s
shutdown:
  grace: 5s
proxyProtocol:
  trustedFrom: [$LB_SOURCE]
users:
  - name: $USER_NAME
    passwordHash: "$HASH"
    home: s3://$BUCKET/$HOME_PREFIX
    permissions: [all]
    publicKeys:
      - "$(cat "$SSH_DIR/id_ed25519.pub")"
YAML
  FERRY_IT_S3_SECRET="$S3_SECRET" java -Xmx256m -jar "$FERRY_JAR" --config "$WORK/node$n/ferry.yaml" \
    2>"$WORK/node$n.log" >"$WORK/node$n.activity.jsonl" &
  pid=$!
  NODE_PIDS+=("$pid")
  await_log "$pid" "$WORK/node$n.log" "Ferry is up" || setup_failed "node $n started" "$WORK/node$n.log"
  up="$(grep "Ferry is up" "$WORK/node$n.log")"
  printf -v "NODE${n}_FTP" '%s' "$(sed -n 's/.*explicit (AUTH TLS): [0-9.]*:\([0-9]*\).*/\1/p' <<<"$up")"
  printf -v "NODE${n}_FTPS" '%s' "$(sed -n 's/.*implicit TLS: [0-9.]*:\([0-9]*\).*/\1/p' <<<"$up")"
  printf -v "NODE${n}_SFTP" '%s' "$(sed -n 's/.*SFTP: [0-9.]*:\([0-9]*\).*/\1/p' <<<"$up")"
  pass "node $n started (passive ports $passive)"
}

# The shipped configuration with this run's addresses and ports. The balancer connects to the
# nodes from $LB_SOURCE, its passive frontends listen on $LB_PASSIVE_ADDRESS (the nodes' own passive
# ports are on 127.0.0.1), and the balancing is round robin so that loopback clients land on both nodes.
start_haproxy() {
  LB_FTP="$(free_port)" && LB_FTPS="$(free_port)" && LB_SFTP="$(free_port)" || setup_failed "free ports for HAProxy"
  sed -e "s/203\.0\.113\.10:21$/127.0.0.1:$LB_FTP/" -e "s/203\.0\.113\.10:990$/127.0.0.1:$LB_FTPS/" \
    -e "s/203\.0\.113\.10:22$/127.0.0.1:$LB_SFTP/" \
    -e "s/10\.0\.0\.11:2121/127.0.0.1:$NODE1_FTP/" -e "s/10\.0\.0\.12:2121/127.0.0.1:$NODE2_FTP/" \
    -e "s/10\.0\.0\.11:2990/127.0.0.1:$NODE1_FTPS/" -e "s/10\.0\.0\.12:2990/127.0.0.1:$NODE2_FTPS/" \
    -e "s/10\.0\.0\.11:2222/127.0.0.1:$NODE1_SFTP/" -e "s/10\.0\.0\.12:2222/127.0.0.1:$NODE2_SFTP/" \
    -e "s/203\.0\.113\.10:30000-30099/$LB_PASSIVE_ADDRESS:$NODE1_PASSIVE/" \
    -e "s/203\.0\.113\.10:30100-30199/$LB_PASSIVE_ADDRESS:$NODE2_PASSIVE/" \
    -e "s/10\.0\.0\.11 send-proxy-v2/127.0.0.1 send-proxy-v2/" -e "s/10\.0\.0\.12 send-proxy-v2/127.0.0.1 send-proxy-v2/" \
    -e "s/send-proxy-v2/send-proxy-v2 source $LB_SOURCE/" \
    -e "s/balance source/balance roundrobin/" -e "s/balance leastconn/balance roundrobin/" \
    "$REPO_DIR/deploy/haproxy/haproxy.cfg" >"$WORK/haproxy.cfg"
  ! grep -v '^ *#' "$WORK/haproxy.cfg" | grep -q '203\.0\.113\|10\.0\.0\.' \
    || setup_failed "every address of the shipped config replaced"
  haproxy -c -f "$WORK/haproxy.cfg" >"$WORK/haproxy-check.log" 2>&1 \
    || setup_failed "HAProxy accepts the configuration" "$WORK/haproxy-check.log"
  haproxy -db -f "$WORK/haproxy.cfg" >"$WORK/haproxy.log" 2>&1 &
  HAPROXY_PID=$!
  local deadline=$((SECONDS + 30))
  until port_in_use "$LB_FTP" && port_in_use "$LB_FTPS" && port_in_use "$LB_SFTP"; do
    ((SECONDS < deadline)) && kill -0 "$HAPROXY_PID" 2>/dev/null || setup_failed "HAProxy listening" "$WORK/haproxy.log"
    sleep 0.2
  done
  pass "HAProxy $(haproxy -v | head -n 1 | awk '{print $3}') in front: FTPS $LB_FTP, implicit $LB_FTPS, SFTP $LB_SFTP"
}

lb_sftp() {
  printf '%s\n' "$@" >"$WORK/batch"
  HOME="$WORK/home" timeout "$CLIENT_TIMEOUT_SECONDS" sftp -F /dev/null -o "UserKnownHostsFile=$SSH_DIR/known_hosts" \
    -o StrictHostKeyChecking=yes -o BatchMode=yes -o IdentitiesOnly=yes -i "$SSH_DIR/id_ed25519" \
    ${SFTP_FROM:+-o "BindAddress=$SFTP_FROM"} -P "$LB_SFTP" -b "$WORK/batch" "$USER_NAME@127.0.0.1" </dev/null
}

# logins NODE PROTOCOL: how many logins over PROTOCOL (FTPS or SFTP) node NODE logged.
logins() {
  grep -c "$2 login" "$WORK/node$1.log"
}

# Four sessions of each client through the balancer, each a put and a get of its own file.
through_the_balancer() {
  local i
  for i in 1 2 3 4; do
    lftp_at explicit "put $SRC/nine.bin -o /lb/lftp-$i.bin; get /lb/lftp-$i.bin -o $DL/lftp-$i.bin" || return 1
    same_bytes "$SRC/nine.bin" "$DL/lftp-$i.bin" || return 1
    traced_curl "upload-$i" -T "$SRC/thousand.bin" "$(curl_url implicit)/lb/curl-$i.bin" || return 1
    traced_curl "download-$i" "$(curl_url implicit)/lb/curl-$i.bin" >"$DL/curl-$i.bin" \
      && same_bytes "$SRC/thousand.bin" "$DL/curl-$i.bin" || return 1
    lb_sftp "put $SRC/nine.bin /lb/sftp-$i.bin" "get /lb/sftp-$i.bin $DL/sftp-$i.bin" >/dev/null || return 1
    same_bytes "$SRC/nine.bin" "$DL/sftp-$i.bin" || return 1
  done
}

# traced_curl NAME ARGS...: curl_at implicit with its -v trace kept as $WORK/curl-NAME.trace; when it
# fails, says which transfer and shows the trace's last lines (which connection, which TLS record)
# after what the nodes warned about TLS.
traced_curl() {
  local name="$1"
  shift
  curl_at implicit -v "$@" 2>"$WORK/curl-$name.trace" && return 0
  # A failure shows the last 15 lines: the nodes' warnings about TLS first, the trace's end, the name.
  {
    grep -hE ' (WARN|ERROR) ' "$WORK"/node?.log | grep -iE 'tls|ssl|data connection' | tail -n 4
    tail -n 9 "$WORK/curl-$name.trace"
    echo "curl $name failed (its whole trace: $WORK/curl-$name.trace)"
  } >&2 # a download's standard output is its file
  return 1
}

both_nodes_served() {
  local n protocol
  for n in 1 2; do
    for protocol in FTPS SFTP; do
      (($(logins "$n" "$protocol") > 0)) || { echo "node $n logged no $protocol login"; return 1; }
    done
  done
}

# A file one node wrote, with the time its client set, read through the other node directly.
other_node_reads_what_one_wrote() {
  head -c 300000 /dev/urandom >"$SRC/timed.bin"
  touch -d '2018-08-08 08:08:08 UTC' "$SRC/timed.bin"
  local saved="$LB_SFTP" listing
  LB_SFTP="$NODE1_SFTP"
  lb_sftp "put -p $SRC/timed.bin /lb/timed.bin" >/dev/null || { LB_SFTP="$saved"; return 1; }
  LB_SFTP="$NODE2_SFTP"
  listing="$(lb_sftp "ls -l /lb/timed.bin" "get /lb/timed.bin $DL/timed.bin")"
  LB_SFTP="$saved"
  same_bytes "$SRC/timed.bin" "$DL/timed.bin" || return 1
  grep -q "2018" <<<"$listing" || { echo "node 2 shows another time: $listing"; return 1; }
}

# activity_has ACTIVITY ADDRESS: some node's activity log has an ACTIVITY line of a client at ADDRESS,
# within 10 s: the log is written from the event bus's own thread, a moment after the login it records.
activity_has() {
  local deadline=$((SECONDS + 10))
  until cat "$WORK"/node?.activity.jsonl | grep '"activity":"'"$1"'"' | grep -q '"clientIp":"'"$2"'"'; do
    ((SECONDS < deadline)) || return 1
    sleep 0.2
  done
}

# Five wrong passwords from one client of the balancer ban that client, on every node, and no one else.
bans_follow_the_client() {
  local i
  for i in 1 2 3 4 5; do
    if timeout 30 curl -sS -k --max-time 30 --interface "$ATTACKER" --user "$USER_NAME:wrong-$i" \
        "$(curl_url implicit)/" >/dev/null 2>&1; then
      echo "wrong password $i accepted"
      return 1
    fi
  done
  curl_at implicit --interface "$PARTNER" "$(curl_url implicit)/lb/" >/dev/null \
    || { echo "the partner at $PARTNER was refused after $ATTACKER's failed logins"; return 1; }
  SFTP_FROM="$PARTNER" lb_sftp "ls /lb" >/dev/null || { echo "sftp from $PARTNER was refused"; return 1; }
  if curl_at implicit -v --interface "$ATTACKER" "$(curl_url implicit)/lb/" >/dev/null 2>"$WORK/attacker.err"; then
    echo "$ATTACKER still logs in after 5 failed logins"
    return 1
  fi
  grep -q '421 Too many failed logins' "$WORK/attacker.err" || { echo "no 421 for $ATTACKER:"; cat "$WORK/attacker.err"; return 1; }
  curl_at implicit "$(curl_url implicit)/lb/" >/dev/null || { echo "a client at 127.0.0.1 was refused"; return 1; }
}

activity_log_names_each_client() {
  activity_has AUTH_FAILURE "$ATTACKER" || { echo "no AUTH_FAILURE line of $ATTACKER"; return 1; }
  activity_has LOGIN "$PARTNER" || { echo "no LOGIN line of $PARTNER"; return 1; }
  if cat "$WORK"/node?.activity.jsonl | grep -E '"activity":"(LOGIN|AUTH_FAILURE)"' | grep -q '"clientIp":"'"$LB_SOURCE"'"'; then
    echo "a login is logged as from the balancer $LB_SOURCE"
    return 1
  fi
}

# Passive data through the balancer's own frontends (PASV's address is the balancer's), which send
# the header too: the node holds the data connection to the same client as the control connection.
passive_data_through_the_balancer() {
  curl_at implicit --interface "$PARTNER" --disable-epsv -T "$SRC/nine.bin" "$(curl_url implicit)/lb/pasv.bin" \
    || return 1
  curl_at implicit --interface "$PARTNER" --disable-epsv "$(curl_url implicit)/lb/pasv.bin" >"$DL/pasv.bin" || return 1
  same_bytes "$SRC/nine.bin" "$DL/pasv.bin" || return 1
}

# EPRT to the client's own (real) address is served; to any other address it is refused.
eprt_only_to_the_client() {
  lftp_as explicit "$USER_NAME" "$PASSWORD" "set ftp:passive-mode no; set net:socket-bind-ipv4 $PARTNER;" \
    "get /lb/pasv.bin -o $DL/active.bin" || { echo "EPRT to the client's own address $PARTNER failed"; return 1; }
  same_bytes "$SRC/nine.bin" "$DL/active.bin" || return 1
  if curl_at implicit -v --interface "$PARTNER" -P 127.0.0.9 "$(curl_url implicit)/lb/pasv.bin" \
      >/dev/null 2>"$WORK/eprt.err"; then
    echo "EPRT to 127.0.0.9 from $PARTNER was served"
    return 1
  fi
  grep -q "Data connections go only to your own address $PARTNER" "$WORK/eprt.err" \
    || { echo "no refusal naming $PARTNER:"; grep '^< ' "$WORK/eprt.err"; return 1; }
}

# send_from SOURCE PORT BYTES: connects from SOURCE, sends BYTES (printf format), prints what came
# back until the node closed the connection (exit 0) or 5 s passed (exit 1).
send_from() {
  /usr/bin/python3 - "$@" <<'PY'
import socket, sys
source, port, data = sys.argv[1], int(sys.argv[2]), sys.argv[3].encode().decode('unicode_escape').encode('latin-1')
s = socket.socket()
s.bind((source, 0))
s.settimeout(5)
s.connect(('127.0.0.1', port))
s.sendall(data)
got = b''
try:
    while True:
        chunk = s.recv(4096)
        if not chunk:
            break
        got += chunk
except socket.timeout:
    print(got.decode('latin-1'))
    sys.exit(1)
except ConnectionResetError:
    pass
print(got.decode('latin-1'))
PY
}

# A header from an address the nodes do not trust is refused on every listener, and a connection
# from the trusted balancer's address without one too; each is logged.
untrusted_headers_refused() {
  local header='PROXY TCP4 192.0.2.66 127.0.0.1 40000 21\r\n' port
  for port in "$NODE1_FTP" "$NODE1_FTPS" "$NODE1_SFTP"; do
    send_from 127.0.0.1 "$port" "$header" >"$WORK/untrusted.out" || { echo "port $port kept a connection that sent a header"; return 1; }
    grep -q 230 "$WORK/untrusted.out" && return 1
  done
  grep -q "connection from 127.0.0.1 closed: PROXY protocol header from 127.0.0.1, which is not a trusted balancer" \
    "$WORK/node1.log" || { echo "node 1 logged no refusal of the header"; return 1; }
  send_from "$LB_SOURCE" "$NODE1_SFTP" 'SSH-2.0-NoHeader\r\n' >"$WORK/noheader.out" \
    || { echo "a connection from the balancer's address without a header was kept"; return 1; }
  grep -q "no PROXY protocol header from $LB_SOURCE" "$WORK/node1.log" \
    || { echo "node 1 logged no refusal of the header-less connection"; return 1; }
  ! grep -q '192.0.2.66' "$WORK"/node1.activity.jsonl || { echo "the claimed address reached the activity log"; return 1; }
}

main() {
  start_watchdog
  mkdir -p "$SRC" "$DL" "$WORK/home" "$SSH_DIR"
  chmod 700 "$SSH_DIR"
  write_aws_config
  head -c $((9 * 1024 * 1024)) /dev/urandom >"$SRC/nine.bin"
  head -c 1000 /dev/urandom >"$SRC/thousand.bin"
  command -v haproxy >/dev/null || setup_failed "haproxy installed (.ci/run installs it)"
  [[ -f "$FERRY_JAR" ]] || setup_failed "Ferry jar $FERRY_JAR exists (run: mvn -q -DskipTests package)"
  HASH="$(printf '%s\n' "$PASSWORD" | timeout 60 java -jar "$FERRY_JAR" hash-password 2>"$WORK/hash.err")"
  [[ "$HASH" == \$2* ]] || setup_failed "hash-password prints a bcrypt hash" "$WORK/hash.err"
  ssh-keygen -q -t ed25519 -N '' -C it-two-nodes -f "$SSH_DIR/id_ed25519" || setup_failed "ssh-keygen"

  start_s3proxy
  start_postgres
  start_node 1
  start_node 2
  start_haproxy
  local pub
  for pub in "$WORK"/node1/data/ssh/ssh_host_*_key.pub; do
    for port in "$LB_SFTP" "$NODE1_SFTP" "$NODE2_SFTP"; do
      echo "[127.0.0.1]:$port $(cut -d' ' -f1,2 "$pub")" >>"$SSH_DIR/known_hosts"
    done
  done
  EXPLICIT_PORT="$LB_FTP"
  IMPLICIT_PORT="$LB_FTPS"

  check "lftp creates a directory through the balancer" lftp_at explicit "mkdir -p /lb"
  check "lftp (explicit FTPS, passive), curl (implicit FTPS) and sftp through HAProxy: 4 sessions each, byte-exact" \
    through_the_balancer
  check "both nodes served FTPS and SFTP sessions (HAProxy spread them)" both_nodes_served
  check "a file put -p through node 1 is read through node 2 with its bytes and time" other_node_reads_what_one_wrote
  check "5 wrong passwords from $ATTACKER through HAProxy ban $ATTACKER only: $PARTNER and 127.0.0.1 log in" \
    bans_follow_the_client
  check "the activity log names each client's own address, never the balancer's" activity_log_names_each_client
  check "passive data through the balancer's PASV frontends (PROXY v2 header) is byte-exact" \
    passive_data_through_the_balancer
  check "EPRT through the balancer goes to the client's own address only" eprt_only_to_the_client
  check "a PROXY header from an untrusted address, or none from the balancer's, is refused and logged" \
    untrusted_headers_refused
  check "no multipart uploads left in the bucket" no_multipart_uploads_left
  summary_and_exit
}

main "$@"
