#!/usr/bin/env bash
# Login benchmark (a measurement, not a test; issue 33): SFTP password logins per second with each
# identity source, one Ferry at a time on loopback over S3Proxy: a user declared in ferry.yaml, a
# user kept in the state store (made through POST /api/v1/users), the HTTP identity provider
# (auth.http, a Python http.server on loopback answering 200) with its cache on (cacheFor 1m) and
# off (0s), and LDAP (auth.ldap, Debian's slapd as a plain process, a bind per login, plain ldap://
# on loopback). bench/LoginRate.java runs BENCH_IN_FLIGHT=8 clients, each connecting from a
# loopback address, logging in with the password and closing, for BENCH_SECONDS=10; every figure is
# the median of BENCH_REPEAT=3 runs, after an untimed warm-up run. Each login is a whole SSH
# connection (key exchange and the host key signature included): the same for every source, so the
# differences are the sources'. A password checked once is not checked with bcrypt again for 5
# minutes (VerifiedPasswords), so the declared and kept users' rows are after their first login.
#
#   bench/bench-logins.sh | tee bench-logins.txt     (after: mvn -q -DskipTests package)
#
# Knobs (environment): BENCH_REPEAT=3, BENCH_SECONDS=10, BENCH_IN_FLIGHT=8, FERRY_HEAP=1g, FERRY_JAR,
# BENCH_KEEP=1.
set -uo pipefail

REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
FERRY_JAR="${FERRY_JAR:-$REPO_DIR/gateway-server/target/ferry.jar}"
FERRY_HEAP="${FERRY_HEAP:-1g}"
BENCH_REPEAT="${BENCH_REPEAT:-3}"
SECONDS_PER_RUN="${BENCH_SECONDS:-10}"
IN_FLIGHT="${BENCH_IN_FLIGHT:-8}"
SOURCES=127.0.0.20-127.0.0.39
AWS=/usr/bin/aws
PYTHON=/usr/bin/python3
TOTAL_TIMEOUT_SECONDS=1800
TRANSFER_TIMEOUT_SECONDS=300
START_TIMEOUT_SECONDS=90
export LC_ALL=C.UTF-8

BUCKET=logins
S3_KEY=loginsaccess
S3_SECRET="$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 24)"
PASSWORD="$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 20)"
ADMIN_TOKEN="$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 32)"
declare -A R=()
ERRORS=()

# shellcheck source=lib.sh
source "$REPO_DIR/bench/lib.sh"

# ferry_config NAME IDENTITY-YAML: Ferry's config with one declared user and the identity section.
ferry_config() {
  ADMIN_PORT="$(free_port)" || { error "no free port for the admin API"; return 1; }
  cat >"$WORK/ferry.yaml" <<YAML
$(ferry_yaml_store)
ftps:
  bindAddress: 127.0.0.1
  port: 0
  implicitPort: -1
sftp:
  bindAddress: 127.0.0.1
  port: 0
sessions:
  perUser: 1000
  perAddress: 1000
login:
  maxFailures: 1000
admin:
  http:
    bindAddress: 127.0.0.1
    port: $ADMIN_PORT
    token: \${FERRY_BENCH_ADMIN_TOKEN}
users:
  - name: declared
    passwordHash: "$PASSWORD_HASH"
    home: s3://$BUCKET/declared/
$2
YAML
}

start_ferry() {
  stop_pid "${FERRY_PID:-}" Ferry 30
  FERRY_PID=""
  FERRY_LOG="$WORK/ferry-$1.log"
  ferry_config "$@" || return 1
  launch_ferry || return 1
  FERRY_PORT="$(sed -n 's/.*Ferry is up.*SFTP: [0-9.]*:\([0-9]*\).*/\1/p' "$FERRY_LOG")"
}

# measure_logins ROW USER: BENCH_REPEAT runs of LoginRate after a warm-up run; the median into R[ROW].
measure_logins() {
  local row="$1" user="$2" run out values=() medians=()
  for ((run = 0; run <= BENCH_REPEAT; run++)); do
    out="$(timeout -k 10 "$TRANSFER_TIMEOUT_SECONDS" java -cp "$FERRY_JAR" "$REPO_DIR/bench/LoginRate.java" \
      "$FERRY_PORT" "$user" "$PASSWORD" "$SOURCES" "$SECONDS_PER_RUN" "$IN_FLIGHT" 2>/dev/null | grep '^LOGINS')"
    [[ -n "$out" ]] || { error "$row: LoginRate printed nothing"; return 1; }
    log "$row run $run: $out"
    [[ "$out" =~ FAILED\ ([0-9]+) ]] && ((BASH_REMATCH[1] > 0)) && error "$row run $run: ${BASH_REMATCH[1]} logins failed"
    ((run == 0)) && continue # warm-up
    [[ "$out" =~ PER_SECOND\ ([0-9.]+)\ MEDIAN_MS\ ([0-9.]+) ]] && values+=("${BASH_REMATCH[1]}") && medians+=("${BASH_REMATCH[2]}")
  done
  R[$row]="$(median_of "${values[@]}")"
  R[$row.ms]="$(median_of "${medians[@]}")"
}

start_http_provider() {
  HTTP_PORT="$(free_port)" || return 1
  cat >"$WORK/provider.py" <<'PY'
import http.server, json, sys
port, password, bucket = int(sys.argv[1]), sys.argv[2], sys.argv[3]
class Provider(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        ok = body.get("password") == password
        answer = json.dumps({"home": f"s3://{bucket}/http/{body['username']}/", "permissions": ["list", "read"]} if ok else {}).encode()
        self.send_response(200 if ok else 401)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)
    def log_message(self, *args):
        pass
http.server.ThreadingHTTPServer(("127.0.0.1", port), Provider).serve_forever()
PY
  "$PYTHON" "$WORK/provider.py" "$HTTP_PORT" "$PASSWORD" "$BUCKET" &
  HTTP_PID=$!
  await_port "$HTTP_PORT" || { error "the HTTP provider did not listen"; return 1; }
}

start_slapd() {
  LDAP_PORT="$(free_port)" || return 1
  mkdir -p "$WORK/ldap/db"
  cat >"$WORK/ldap/slapd.conf" <<CONF
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
modulepath /usr/lib/ldap
moduleload back_mdb
pidfile $WORK/ldap/slapd.pid
database mdb
maxsize 10485760
suffix "dc=ferry,dc=bench"
rootdn "cn=admin,dc=ferry,dc=bench"
rootpw admin-secret
directory $WORK/ldap/db
access to attrs=userPassword by anonymous auth by self write by * none
access to * by * read
CONF
  cat >"$WORK/ldap/data.ldif" <<LDIF
dn: dc=ferry,dc=bench
objectClass: dcObject
objectClass: organization
o: bench
dc: ferry

dn: ou=people,dc=ferry,dc=bench
objectClass: organizationalUnit
ou: people

dn: uid=lena,ou=people,dc=ferry,dc=bench
objectClass: inetOrgPerson
uid: lena
cn: Lena
sn: L
userPassword: $PASSWORD

dn: cn=partners,dc=ferry,dc=bench
objectClass: groupOfNames
cn: partners
member: uid=lena,ou=people,dc=ferry,dc=bench
LDIF
  /usr/sbin/slapadd -f "$WORK/ldap/slapd.conf" -l "$WORK/ldap/data.ldif" >"$WORK/ldap/slapadd.log" 2>&1 \
    || { error "slapadd failed: $(tail -n 3 "$WORK/ldap/slapadd.log")"; return 1; }
  /usr/sbin/slapd -f "$WORK/ldap/slapd.conf" -h "ldap://127.0.0.1:$LDAP_PORT/" -d 0 >"$WORK/ldap/slapd.log" 2>&1 &
  SLAPD_PID=$!
  await_port "$LDAP_PORT" || { error "slapd did not listen"; return 1; }
}

main() {
  start_run ferry-bench-logins
  trap 'stop_pid "${HTTP_PID:-}" provider 5; stop_pid "${SLAPD_PID:-}" slapd 10; cleanup' EXIT
  PASSWORD_HASH="$(printf '%s\n' "$PASSWORD" | timeout 60 java -jar "$FERRY_JAR" hash-password)" \
    && [[ "$PASSWORD_HASH" == \$2* ]] || { error "hash-password failed"; exit 1; }
  if start_s3proxy && start_http_provider && start_slapd; then
    start_ferry files "" && measure_logins declared declared
    local made
    made="$(curl -sS --max-time 30 -H "Authorization: Bearer $ADMIN_TOKEN" -H 'Content-Type: application/json' \
      -d "{\"name\":\"kept\",\"password\":\"$PASSWORD\",\"home\":\"s3://$BUCKET/kept/\"}" \
      "http://127.0.0.1:$ADMIN_PORT/api/v1/users" -o /dev/null -w '%{http_code}')"
    [[ "$made" == 201 ]] && measure_logins kept kept || error "POST /api/v1/users answered $made"
    start_ferry http-cached "auth:
  http:
    url: http://127.0.0.1:$HTTP_PORT/login
    cacheFor: 1m" && measure_logins http-cached partner
    start_ferry http-uncached "auth:
  http:
    url: http://127.0.0.1:$HTTP_PORT/login
    cacheFor: 0s" && measure_logins http-uncached partner
    start_ferry ldap "auth:
  ldap:
    url: ldap://127.0.0.1:$LDAP_PORT
    userDn: \"uid={user},ou=people,dc=ferry,dc=bench\"
    groups:
      - dn: cn=partners,dc=ferry,dc=bench
        home: s3://$BUCKET/ldap/{user}/" && measure_logins ldap lena
  fi
  echo
  echo "=================================================================================================="
  echo "SFTP password logins per second, $IN_FLIGHT clients, ${SECONDS_PER_RUN}s runs, medians of $BENCH_REPEAT, $(nproc) CPUs"
  echo "Ferry on $(java -version 2>&1 | head -n 1) -Xmx$FERRY_HEAP"
  printf '  %-52s %10s %14s\n' "identity source" "logins/s" "median login"
  printf '  %-52s %10s %11s ms\n' "declared in ferry.yaml" "${R[declared]:-n/a}" "${R[declared.ms]:-n/a}"
  printf '  %-52s %10s %11s ms\n' "kept in the state store (POST /api/v1/users)" "${R[kept]:-n/a}" "${R[kept.ms]:-n/a}"
  printf '  %-52s %10s %11s ms\n' "auth.http, cacheFor 1m" "${R[http-cached]:-n/a}" "${R[http-cached.ms]:-n/a}"
  printf '  %-52s %10s %11s ms\n' "auth.http, cacheFor 0s (the provider asked each time)" "${R[http-uncached]:-n/a}" \
    "${R[http-uncached.ms]:-n/a}"
  printf '  %-52s %10s %11s ms\n' "auth.ldap (a bind and a compare per login)" "${R[ldap]:-n/a}" "${R[ldap.ms]:-n/a}"
  if ((${#ERRORS[@]} > 0)); then
    echo "errors:"
    printf '  - %s\n' "${ERRORS[@]}"
  fi
  echo "=================================================================================================="
  ((${#ERRORS[@]} == 0))
}

main "$@"
