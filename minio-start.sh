#!/usr/bin/env bash
# Starts a local S3-compatible server for development and tests and leaves it running:
# MinIO if a `minio` binary is on PATH, else MinIO in Docker if an engine answers, else S3Proxy
# (a Java jar fetched through Maven, so it works where only Maven Central is reachable).
#
#   ./minio-start.sh          start (or reuse) the server and create the bucket
#   ./minio-start.sh stop     stop the server this script started
#
# Knobs (environment): S3_PORT=9000 S3_ACCESS_KEY=ferrydev S3_SECRET_KEY=ferrydevsecret
#                      S3_DATA_DIR=./.s3data S3_BUCKET=ferry
set -euo pipefail

S3_PORT="${S3_PORT:-9000}"
S3_ACCESS_KEY="${S3_ACCESS_KEY:-ferrydev}"
S3_SECRET_KEY="${S3_SECRET_KEY:-ferrydevsecret}"
S3_DATA_DIR="$(realpath -m "${S3_DATA_DIR:-./.s3data}")"
S3_BUCKET="${S3_BUCKET:-ferry}"

S3PROXY_VERSION=4.1.0
MINIO_IMAGE="${MINIO_IMAGE:-minio/minio:latest}"
START_TIMEOUT_SECONDS=60
STOP_TIMEOUT_SECONDS=20

REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
TOOLS_DIR="$REPO_DIR/.tools"
ENDPOINT="http://127.0.0.1:$S3_PORT"
PID_FILE="$S3_DATA_DIR/server.pid"
CONTAINER_FILE="$S3_DATA_DIR/server.container"
LOG_FILE="$S3_DATA_DIR/server.log"
# SHA-256 of an empty body: curl 7.x signs S3 requests without x-amz-content-sha256, which S3
# servers require, so we send it ourselves (curl then signs it too).
EMPTY_SHA256=e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855

log() { echo "minio-start: $*" >&2; }
die() { log "$*"; exit 1; }

# Anything that accepts a TCP connection on the port.
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$S3_PORT") 2>/dev/null; }

# An unsigned request to an S3 API gets an S3-style answer (request id header or <Error> XML).
answers_like_s3() {
  curl -s -m 3 -i "$ENDPOINT/" 2>/dev/null | grep -qiE '^x-amz-request-id:|<Error>'
}

# Signed request; prints the HTTP status.
s3_request() {
  local method="$1" path="$2"
  curl -s -m 10 -o /dev/null -w '%{http_code}' -X "$method" \
    --aws-sigv4 "aws:amz:us-east-1:s3" --user "$S3_ACCESS_KEY:$S3_SECRET_KEY" \
    -H "x-amz-content-sha256: $EMPTY_SHA256" "$ENDPOINT/$path"
}

ensure_bucket() {
  local status
  # HEAD first: servers disagree on whether re-creating your own bucket is 200 or 409.
  status="$(s3_request HEAD "$S3_BUCKET" || true)"
  case "$status" in
    200) log "bucket '$S3_BUCKET' already exists"; return ;;
    404) ;;
    403) die "server on $ENDPOINT refused access key '$S3_ACCESS_KEY' (HTTP 403): it is not" \
             "using these credentials; stop it or set S3_ACCESS_KEY/S3_SECRET_KEY/S3_PORT" ;;
    *) die "HEAD bucket '$S3_BUCKET' on $ENDPOINT gave HTTP '$status'" ;;
  esac
  status="$(s3_request PUT "$S3_BUCKET" || true)"
  case "$status" in
    200|409) log "bucket '$S3_BUCKET' created" ;;
    *) die "could not create bucket '$S3_BUCKET' on $ENDPOINT (HTTP '$status')" ;;
  esac
}

# The pid from PID_FILE if that process is alive and still one of ours (pids get reused).
running_pid() {
  [[ -f "$PID_FILE" ]] || return 1
  local pid
  pid="$(cat "$PID_FILE")"
  [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null \
    && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qE 's3proxy|minio' \
    && echo "$pid"
}

docker_available() {
  command -v docker >/dev/null 2>&1 && timeout 10 docker info >/dev/null 2>&1
}

start_minio_binary() {
  log "starting MinIO ($(command -v minio)) on $ENDPOINT"
  mkdir -p "$S3_DATA_DIR/minio"
  MINIO_ROOT_USER="$S3_ACCESS_KEY" MINIO_ROOT_PASSWORD="$S3_SECRET_KEY" \
    nohup minio server "$S3_DATA_DIR/minio" --address "127.0.0.1:$S3_PORT" \
      --console-address "127.0.0.1:$((S3_PORT + 1))" >>"$LOG_FILE" 2>&1 &
  echo $! >"$PID_FILE"
}

start_minio_docker() {
  local name="ferry-minio-$S3_PORT"
  log "starting MinIO in Docker ($MINIO_IMAGE, container $name) on $ENDPOINT"
  mkdir -p "$S3_DATA_DIR/minio"
  docker rm -f "$name" >/dev/null 2>&1 || true
  docker run -d --name "$name" -p "127.0.0.1:$S3_PORT:9000" \
    -e MINIO_ROOT_USER="$S3_ACCESS_KEY" -e MINIO_ROOT_PASSWORD="$S3_SECRET_KEY" \
    -v "$S3_DATA_DIR/minio:/data" "$MINIO_IMAGE" server /data >"$CONTAINER_FILE"
  docker logs -f "$name" >>"$LOG_FILE" 2>&1 &
}

s3proxy_jar() {
  local jar="$TOOLS_DIR/s3proxy-$S3PROXY_VERSION-jar-with-dependencies.jar"
  if [[ ! -f "$jar" ]]; then
    log "fetching S3Proxy $S3PROXY_VERSION through Maven into $TOOLS_DIR"
    command -v mvn >/dev/null 2>&1 || die "no minio, no Docker engine and no mvn to fetch S3Proxy"
    mkdir -p "$TOOLS_DIR"
    # Run outside the reactor: inside it, dependency:copy would run once per module.
    local scratch
    scratch="$(mktemp -d)"
    (cd "$scratch" && mvn -q -B org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy \
      -Dartifact="org.gaul:s3proxy:$S3PROXY_VERSION:jar:jar-with-dependencies" \
      -DoutputDirectory="$TOOLS_DIR") >&2
    rmdir "$scratch"
  fi
  echo "$jar"
}

start_s3proxy() {
  local jar java properties="$S3_DATA_DIR/s3proxy.properties"
  jar="$(s3proxy_jar)"
  java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
  command -v "$java" >/dev/null 2>&1 || die "S3Proxy needs Java 17+, and '$java' is not there"
  mkdir -p "$S3_DATA_DIR/blobs"
  cat >"$properties" <<EOF
s3proxy.endpoint=$ENDPOINT
s3proxy.authorization=aws-v2-or-v4
s3proxy.identity=$S3_ACCESS_KEY
s3proxy.credential=$S3_SECRET_KEY
jclouds.provider=filesystem
jclouds.filesystem.basedir=$S3_DATA_DIR/blobs
EOF
  log "starting S3Proxy $S3PROXY_VERSION on $ENDPOINT (data in $S3_DATA_DIR/blobs)"
  nohup "$java" -jar "$jar" --properties "$properties" >>"$LOG_FILE" 2>&1 &
  echo $! >"$PID_FILE"
}

await_server() {
  local deadline=$((SECONDS + START_TIMEOUT_SECONDS)) pid
  pid="$(cat "$PID_FILE" 2>/dev/null || true)"
  until answers_like_s3; do
    if [[ -n "$pid" ]] && ! kill -0 "$pid" 2>/dev/null; then
      tail -n 30 "$LOG_FILE" >&2 || true
      rm -f "$PID_FILE"
      die "server exited before answering on $ENDPOINT (log: $LOG_FILE)"
    fi
    if ((SECONDS >= deadline)); then
      tail -n 30 "$LOG_FILE" >&2 || true
      stop
      die "server did not answer on $ENDPOINT within ${START_TIMEOUT_SECONDS}s (log: $LOG_FILE)"
    fi
    sleep 0.5
  done
}

print_usage_hint() {
  cat <<EOF
S3 endpoint:  $ENDPOINT
access key:   $S3_ACCESS_KEY
secret key:   $S3_SECRET_KEY
region:       us-east-1 (path-style addressing)
bucket:       $S3_BUCKET

To run the ITs against it instead of their own S3Proxy:
  export S3_TEST_ENDPOINT=$ENDPOINT S3_TEST_ACCESS_KEY=$S3_ACCESS_KEY S3_TEST_SECRET_KEY=$S3_SECRET_KEY
EOF
}

start() {
  local pid
  if pid="$(running_pid)"; then
    log "already running (pid $pid)"
  elif port_open; then
    answers_like_s3 || die "something on 127.0.0.1:$S3_PORT does not answer like S3; set S3_PORT"
    log "an S3-compatible server already answers on $ENDPOINT; reusing it"
  else
    mkdir -p "$S3_DATA_DIR"
    rm -f "$PID_FILE" "$CONTAINER_FILE"
    if command -v minio >/dev/null 2>&1; then
      start_minio_binary
    elif docker_available; then
      start_minio_docker
    else
      start_s3proxy
    fi
    await_server
  fi
  ensure_bucket
  print_usage_hint
}

stop() {
  local pid stopped=no
  if [[ -f "$CONTAINER_FILE" ]]; then
    docker rm -f "$(cat "$CONTAINER_FILE")" >/dev/null 2>&1 || true
    rm -f "$CONTAINER_FILE"
    stopped=yes
  fi
  if pid="$(running_pid)"; then
    kill "$pid"
    local deadline=$((SECONDS + STOP_TIMEOUT_SECONDS))
    while kill -0 "$pid" 2>/dev/null; do
      if ((SECONDS >= deadline)); then
        log "pid $pid ignored SIGTERM for ${STOP_TIMEOUT_SECONDS}s; killing it"
        kill -9 "$pid" 2>/dev/null || true
        break
      fi
      sleep 0.2
    done
    stopped=yes
  fi
  rm -f "$PID_FILE"
  if [[ "$stopped" == yes ]]; then
    log "stopped the server on $ENDPOINT"
  else
    log "nothing to stop (no server started from $S3_DATA_DIR)"
  fi
}

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  *) die "usage: $0 [start|stop]" ;;
esac
