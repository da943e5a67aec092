# A private PostgreSQL cluster for the two-node test and the job benchmark (sourced): initdb into
# PG_DIR, the server on a free loopback port, a database "ferry" owned by user "ferry" with trust
# authentication. Needs Debian's postgresql; as root, the server runs as its postgres user.
# Callers set PG_DIR (and WORK) and have free_port.

PG_BIN=""
PG_PORT=""

# as_postgres COMMAND...: PostgreSQL refuses to run as root; then it runs as Debian's postgres user.
as_postgres() {
  if [[ "$(id -u)" == 0 ]]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

# start_private_postgres: sets PG_BIN and PG_PORT; on failure prints what failed, with the log to
# read, and returns 1.
start_private_postgres() {
  PG_BIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
  [[ -x "$PG_BIN/initdb" ]] || { echo "no PostgreSQL initdb under /usr/lib/postgresql (install postgresql)"; return 1; }
  mkdir -p "$PG_DIR"
  [[ "$(id -u)" == 0 ]] && chown postgres "$PG_DIR" && chmod 755 "$WORK"
  as_postgres "$PG_BIN/initdb" -D "$PG_DIR/data" -U ferry --auth=trust -E UTF8 --no-sync >"$PG_DIR/initdb.log" 2>&1 \
    || { echo "initdb of a private cluster failed: see $PG_DIR/initdb.log"; return 1; }
  # A port free when picked can be taken before the server binds it (by any connection's ephemeral
  # port: the picked range overlaps Linux's): then another one, a few times.
  local try
  for try in 1 2 3 4 5; do
    PG_PORT="$(free_port)" || { echo "no free port for PostgreSQL"; return 1; }
    rm -f "$PG_DIR/postgres.log"
    as_postgres "$PG_BIN/pg_ctl" start -w -t 60 -D "$PG_DIR/data" -l "$PG_DIR/postgres.log" \
      -o "-p $PG_PORT -c listen_addresses=127.0.0.1 -c unix_socket_directories=$PG_DIR" >/dev/null && break
    grep -q "Address already in use" "$PG_DIR/postgres.log" && ((try < 5)) && continue
    echo "PostgreSQL did not start on 127.0.0.1:$PG_PORT: see $PG_DIR/postgres.log"
    return 1
  done
  as_postgres "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U ferry -d postgres -qc "CREATE DATABASE ferry" \
    >"$PG_DIR/createdb.log" 2>&1 || { echo "CREATE DATABASE failed: see $PG_DIR/createdb.log"; return 1; }
}

stop_private_postgres() {
  [[ -n "$PG_BIN" && -f "$PG_DIR/data/postmaster.pid" ]] \
    && as_postgres "$PG_BIN/pg_ctl" stop -w -m fast -D "$PG_DIR/data" >/dev/null
  return 0
}
