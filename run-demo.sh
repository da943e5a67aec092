#!/usr/bin/env bash
# Runs Ferry on an embedded default: a local S3-API server (MinIO, or S3Proxy where no MinIO or
# Docker engine exists) and one demo user whose password is printed once.
#
#   ./run-demo.sh         start (the S3 server stays up after Ferry's Ctrl-C, with the demo's files)
#   ./run-demo.sh stop    stop the S3 server the demo started
set -euo pipefail
cd "$(dirname "$0")"

demo_dir=.demo
jar=gateway-server/target/ferry.jar
export S3_PORT=${S3_PORT:-9000} S3_ACCESS_KEY=${S3_ACCESS_KEY:-ferrydev} S3_SECRET_KEY=${S3_SECRET_KEY:-ferrydevsecret}
export S3_DATA_DIR=${S3_DATA_DIR:-$PWD/$demo_dir/s3} S3_BUCKET=${S3_BUCKET:-ferry}

if [ "${1:-}" = stop ]; then
  exec ./minio-start.sh stop
fi

if [ ! -f "$jar" ]; then
  echo "building $jar ..."
  mvn -q -B -ntp -DskipTests package
fi
./minio-start.sh

mkdir -p "$demo_dir"
if [ ! -f "$demo_dir/ferry.yaml" ]; then
  password=$(head -c 12 /dev/urandom | base64 | tr -d '/+=' | cut -c1-16)
  hash=$(printf '%s' "$password" | java -jar "$jar" hash-password)
  cat > "$demo_dir/ferry.yaml" <<YAML
dataDir: ./data
s3:
  endpoint: http://127.0.0.1:${S3_PORT}
  accessKey: \${S3_ACCESS_KEY:-ferrydev}
  secretKey: \${S3_SECRET_KEY:-ferrydevsecret}
  createBuckets: true
ftps:
  bindAddress: 127.0.0.1
  port: 2121
  implicitPort: 2990
  passivePorts: 30000-30099
sftp:
  bindAddress: 127.0.0.1
  port: 2222
users:
  - name: demo
    passwordHash: "${hash}"
    home: s3://${S3_BUCKET}/demo/
    permissions: [all]
YAML
  echo
  echo "Demo user: demo   password: ${password}   (shown only now; the config keeps only its bcrypt hash)"
  echo
else
  echo "Using the existing $demo_dir/ferry.yaml (delete it for a new demo password)."
fi
echo "Connect with:  lftp -u demo -e 'set ssl:verify-certificate no' ftp://127.0.0.1:2121   (explicit FTPS)"
echo "          or:  curl -k --ssl-reqd -u demo ftp://127.0.0.1:2121/   |   curl -k -u demo ftps://127.0.0.1:2990/ (implicit)"
echo "SFTP:          sftp -P 2222 demo@127.0.0.1   (password above; or add your key to publicKeys in $demo_dir/ferry.yaml)"
if ls "$demo_dir"/data/ssh/ssh_host_*_key.pub >/dev/null 2>&1; then
  for pub in "$demo_dir"/data/ssh/ssh_host_*_key.pub; do
    echo "SSH host key:  $(ssh-keygen -lf "$pub" 2>/dev/null || cut -d' ' -f1 "$pub")"
  done
else
  echo "SSH host keys are generated at this first start; Ferry logs their SHA256 fingerprints below."
fi
echo "Compare the TLS and SSH fingerprints below with what your client shows."
echo "Stop Ferry with Ctrl-C; ./run-demo.sh stop then stops the S3 server."
# The memory budgets are shares of the heap: set it, or the JVM takes a quarter of the machine.
# Two malloc arenas instead of glibc's eight per CPU: 20 to 90 MiB of RSS outside the JVM's own
# accounting became 19 to 44 (README, "Memory").
export MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}"
# Below 512 MiB of heap the serial collector keeps the process small (deploy/jvm-options.sh).
heap="${FERRY_HEAP:-1g}"
heap_options="$(./deploy/jvm-options.sh "$heap")" || exit 2
# shellcheck disable=SC2086 # the heap's options are words
exec java -Xmx"$heap" $heap_options -jar "$jar" --config "$demo_dir/ferry.yaml"
