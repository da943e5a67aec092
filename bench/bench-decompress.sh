#!/usr/bin/env bash
# Decompress benchmark (a measurement, not a test): a workflow's decompress step unpacking an
# uploaded .gz of BENCH_SIZE_MB=1024 MiB of compressible text (log lines) into S3, against the
# shell's way on the same S3Proxy: `gunzip -c FILE.gz | aws s3 cp - s3://...`.
#   Ferry: the .gz is uploaded by OpenSSH sftp (untimed); the row is the workflow job's own time,
#          from its start to its end as the job records them (read from the admin API).
#   reference: gunzip and awscli in one pipe, timed whole.
#   ceiling: aws s3 cp of the decompressed file from the local disk.
# Each row is the median of BENCH_REPEAT=3 runs into an emptied prefix, after an untimed warm-up
# run of Ferry's. Each copy is checked: its SHA-256 read back from S3 against the source's. Ferry's
# peak RSS (VmHWM) and CPU seconds per GiB decompressed are printed with the table.
#
#   bench/bench-decompress.sh          (after: mvn -q -DskipTests package)
#
# Knobs (environment): BENCH_SIZE_MB=1024, BENCH_REPEAT=3, FERRY_JAVA=java, FERRY_HEAP=1g, BENCH_DIR,
# BENCH_KEEP=1, FERRY_JAR, S3PROXY_JAR.
set -uo pipefail

REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
FERRY_JAR="${FERRY_JAR:-$REPO_DIR/gateway-server/target/ferry.jar}"
SIZE_MB="${BENCH_SIZE_MB:-1024}"
BENCH_REPEAT="${BENCH_REPEAT:-3}"
FERRY_HEAP="${FERRY_HEAP:-1g}"
AWS=/usr/bin/aws
PYTHON=/usr/bin/python3
TOTAL_TIMEOUT_SECONDS=3600
TRANSFER_TIMEOUT_SECONDS=1200
START_TIMEOUT_SECONDS=90
export LC_ALL=C.UTF-8

BYTES=$((SIZE_MB * 1024 * 1024))
BUCKET=bench
S3_KEY=benchaccess
S3_SECRET="$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 24)"
ADMIN_TOKEN="$(head -c 32 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 32)"

# shellcheck source=lib.sh
source "$REPO_DIR/bench/lib.sh"

# SIZE_MB of log lines (4 MiB of varied lines, repeated: gzip's 32 KiB window finds no repeat, so
# the ratio is the lines' own), and its .gz at gzip's default level.
make_source() {
  log "writing ${SIZE_MB} MiB of log lines and gzipping them (untimed)"
  "$PYTHON" - "$WORK/chunk.txt" <<'EOF'
import random, sys
random.seed(7)
users = ["alice", "bob", "partner-%03d" % 7, "ops", "svc-backup"]
verbs = ["STOR", "RETR", "LIST", "DELE", "MKD", "RNFR", "RNTO"]
with open(sys.argv[1], "w") as out:
    size = 0
    while size < 4 << 20:
        line = "2026-11-%02dT%02d:%02d:%02d.%03dZ INFO session=%08x user=%s op=%s path=/incoming/%s/file-%06d.csv bytes=%d ms=%d\n" % (
            random.randint(1, 28), random.randint(0, 23), random.randint(0, 59), random.randint(0, 59),
            random.randint(0, 999), random.getrandbits(32), random.choice(users), random.choice(verbs),
            random.choice(["eu", "us", "ap"]), random.randint(0, 999999), random.randint(0, 10**9), random.randint(0, 5000))
        out.write(line)
        size += len(line)
EOF
  : >"$WORK/data.txt"
  while (($(stat -c %s "$WORK/data.txt") < BYTES)); do cat "$WORK/chunk.txt" >>"$WORK/data.txt"; done
  truncate -s "$BYTES" "$WORK/data.txt"
  gzip -c "$WORK/data.txt" >"$WORK/data.txt.gz"
  SOURCE_SHA="$(sha256sum "$WORK/data.txt" | cut -d' ' -f1)"
  GZ_BYTES="$(stat -c %s "$WORK/data.txt.gz")"
  log "source: $BYTES bytes, gzipped $GZ_BYTES ($(awk -v a="$BYTES" -v b="$GZ_BYTES" 'BEGIN { printf "%.1f", a / b }'):1)"
}

start_ferry() {
  ADMIN_PORT="$(free_port)" || { error "no free port for the admin API"; return 1; }
  SFTP_PORT="$(free_port)" || { error "no free port for SFTP"; return 1; }
  FERRY_LOG="$WORK/ferry.log"
  cat >"$WORK/ferry.yaml" <<EOF
$(ferry_yaml_store)
$(ferry_yaml_listeners "$SFTP_PORT")
workflows:
  - name: unpack
    match:
      path: "/drop/*.gz"
    steps:
      - decompress: s3://$BUCKET/ferry-out/
        maxRatio: 1000
admin:
  http:
    enabled: true
    bindAddress: 127.0.0.1
    port: $ADMIN_PORT
    token: \${FERRY_BENCH_ADMIN_TOKEN}
shutdown:
  grace: 5s
users:
  - name: bench
    home: s3://$BUCKET/home/
    permissions: [all]
    publicKeys:
      - "$(cat "$WORK/id_ed25519.pub")"
EOF
  launch_ferry || return 1
  ssh-keyscan -p "$SFTP_PORT" 127.0.0.1 2>/dev/null >"$WORK/known_ferry"
  log "SFTP on 127.0.0.1:$SFTP_PORT"
}

sftp_put() {
  printf -- '-mkdir drop\nput %s drop/%s\n' "$1" "$2" >"$WORK/put.batch"
  sftp -q -b "$WORK/put.batch" -P "$SFTP_PORT" -i "$WORK/id_ed25519" -o "UserKnownHostsFile=$WORK/known_ferry" \
    bench@127.0.0.1 >/dev/null
}

UPLOAD=data.txt.gz
STEP=decompress
upload_name() { echo "data-$1.txt.gz"; }
output_key() { echo "ferry-out/bench/data-$1.txt"; }

gunzip_to_s3() { gunzip -c "$WORK/data.txt.gz" | s3 s3 cp --quiet - "s3://$BUCKET/shell-out/data.txt"; }

section_references() {
  MEASURE_AFTER="" measure shell "$BYTES" "gunzip -c | aws s3 cp -" gunzip_to_s3
  check_object shell-out/data.txt
  MEASURE_AFTER="empty_prefix ceiling" measure ceil.s3 "$BYTES" "ceiling: aws s3 cp of the decompressed file" \
    s3 s3 cp --quiet "$WORK/data.txt" "s3://$BUCKET/ceiling/data.txt"
  MEASURE_AFTER="" measure ceil.gunzip "$BYTES" "ceiling: gunzip -c > /dev/null" \
    sh -c "gunzip -c '$WORK/data.txt.gz' >/dev/null"
}

print_table() {
  echo
  echo "=================================================================================================="
  echo "Decompress ${SIZE_MB} MiB of log lines (gzip $GZ_BYTES bytes) into S3Proxy, $(nproc) CPUs;" \
    "MB/s of decompressed bytes, median of $BENCH_REPEAT runs"
  printf '%-44s %10s %10s\n' "row" "MB/s" "seconds"
  printf '%-44s %10s %10s\n' "Ferry workflow, decompress step" "${R[ferry]:-n/a}" "${R[ferry.s]:-n/a}"
  printf '%-44s %10s %10s\n' "gunzip -c | aws s3 cp -" "${R[shell]:-n/a}" "${R[shell.s]:-n/a}"
  printf '%-44s %10s %10s\n' "ceiling: aws s3 cp of the decompressed file" "${R[ceil.s3]:-n/a}" "${R[ceil.s3.s]:-n/a}"
  printf '%-44s %10s %10s\n' "ceiling: gunzip -c > /dev/null" "${R[ceil.gunzip]:-n/a}" "${R[ceil.gunzip.s]:-n/a}"
  echo "Ferry / gunzip|aws: $(ratio "${R[ferry]:-n/a}" "${R[shell]:-n/a}"); Ferry CPU ${R[ferry.cpu]:-n/a} s per GiB" \
    "decompressed"
  echo "Ferry on $("${FERRY_JAVA:-java}" -version 2>&1 | head -n 1), -Xmx$FERRY_HEAP: peak RSS (VmHWM)" \
    "${R[ferry.rss]:-n/a} MiB, peak heap used ${R[ferry.heap]:-n/a} MiB"
  if ((${#ERRORS[@]} > 0)); then
    echo "errors:"
    printf '  - %s\n' "${ERRORS[@]}"
  fi
  echo "=================================================================================================="
}

main() {
  start_run ferry-bench-decompress
  ssh-keygen -q -t ed25519 -N '' -f "$WORK/id_ed25519"
  make_source
  if start_s3proxy && start_ferry; then
    workflow_section
    memory_report ferry
    section_references
  fi
  print_table
  ((${#ERRORS[@]} == 0))
}

main "$@"
