#!/usr/bin/env bash
# OpenPGP decrypt benchmark (a measurement, not a test): a workflow's decrypt step turning an
# uploaded .gpg of BENCH_SIZE_MB=1024 MiB (random bytes, encrypted by GnuPG to Ferry's key) into
# the plain file in S3, against the shell's way on the same S3Proxy: `gpg --decrypt FILE.gpg |
# aws s3 cp - s3://...`.
#   Ferry: the .gpg is uploaded by OpenSSH sftp (untimed); the row is the workflow job's own time,
#          from its start to its end as the job records them (read from the admin API).
#   reference: gpg and awscli in one pipe, timed whole.
#   ceilings: gpg --decrypt > /dev/null; aws s3 cp of the plain file from the local disk.
# Each row is the median of BENCH_REPEAT=3 runs, after an untimed warm-up run of Ferry's; the
# outputs are checked against the source's SHA-256. Ferry's CPU seconds per GiB are printed.
#
#   bench/bench-pgp.sh          (after: mvn -q -DskipTests package; needs gnupg)
#
# Knobs (environment): BENCH_SIZE_MB=1024, BENCH_REPEAT=3, FERRY_JAVA=java, FERRY_HEAP=1g,
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
PASSPHRASE="$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 20)"

# shellcheck source=lib.sh
source "$REPO_DIR/bench/lib.sh"

gpg_() { gpg --homedir "$WORK/gnupg" --batch --yes --pinentry-mode loopback --passphrase "$PASSPHRASE" "$@"; }

make_source() {
  log "a ${SIZE_MB} MiB file, a key made by gpg, the file encrypted to it (untimed)"
  mkdir -m 700 "$WORK/gnupg"
  gpg_ --quick-gen-key "ferry <ferry@bench.test>" future-default default never 2>/dev/null
  gpg_ --armor --output "$WORK/ferry-secret.asc" --export-secret-keys ferry@bench.test
  head -c "$BYTES" /dev/urandom >"$WORK/data.bin"
  gpg_ --trust-model always --output "$WORK/data.bin.gpg" --encrypt --recipient ferry@bench.test "$WORK/data.bin"
  SOURCE_SHA="$(sha256sum "$WORK/data.bin" | cut -d' ' -f1)"
}

start_ferry() {
  ADMIN_PORT="$(free_port)" || { error "no free port for the admin API"; return 1; }
  SFTP_PORT="$(free_port)" || { error "no free port for SFTP"; return 1; }
  FERRY_LOG="$WORK/ferry.log"
  cat >"$WORK/ferry.yaml" <<EOF
$(ferry_yaml_store)
$(ferry_yaml_listeners "$SFTP_PORT")
workflows:
  - name: decrypt
    match:
      path: "/drop/*.gpg"
    steps:
      - decrypt: s3://$BUCKET/ferry-out/
        privateKey: $WORK/ferry-secret.asc
        passphrase: \${FERRY_BENCH_PASSPHRASE}
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
  FERRY_BENCH_PASSPHRASE="$PASSPHRASE" launch_ferry || return 1
  ssh-keyscan -p "$SFTP_PORT" 127.0.0.1 2>/dev/null >"$WORK/known_ferry"
  log "SFTP on 127.0.0.1:$SFTP_PORT"
}

sftp_put() {
  printf -- '-mkdir drop\nput %s drop/%s\n' "$1" "$2" >"$WORK/put.batch"
  sftp -q -b "$WORK/put.batch" -P "$SFTP_PORT" -i "$WORK/id_ed25519" -o "UserKnownHostsFile=$WORK/known_ferry" \
    bench@127.0.0.1 >/dev/null
}

UPLOAD=data.bin.gpg
STEP=decrypt
upload_name() { echo "data-$1.bin.gpg"; }
output_key() { echo "ferry-out/bench/data-$1.bin"; }

gpg_to_s3() { gpg_ --decrypt "$WORK/data.bin.gpg" 2>/dev/null | s3 s3 cp --quiet - "s3://$BUCKET/shell-out/data.bin"; }
gpg_alone() { gpg_ --decrypt "$WORK/data.bin.gpg" 2>/dev/null >/dev/null; }

section_references() {
  MEASURE_AFTER="" measure shell "$BYTES" "gpg --decrypt | aws s3 cp -" gpg_to_s3
  check_object shell-out/data.bin
  MEASURE_AFTER="" measure ceil.gpg "$BYTES" "ceiling: gpg --decrypt > /dev/null" gpg_alone
  MEASURE_AFTER="empty_prefix ceiling" measure ceil.s3 "$BYTES" "ceiling: aws s3 cp of the plain file" \
    s3 s3 cp --quiet "$WORK/data.bin" "s3://$BUCKET/ceiling/data.bin"
}

print_table() {
  echo
  echo "=================================================================================================="
  echo "Decrypt ${SIZE_MB} MiB (OpenPGP, gpg's defaults) into S3Proxy, $(nproc) CPUs; MB/s of plain bytes," \
    "median of $BENCH_REPEAT runs"
  printf '%-44s %10s %10s\n' "row" "MB/s" "seconds"
  printf '%-44s %10s %10s\n' "Ferry workflow, decrypt step" "${R[ferry]:-n/a}" "${R[ferry.s]:-n/a}"
  printf '%-44s %10s %10s\n' "gpg --decrypt | aws s3 cp -" "${R[shell]:-n/a}" "${R[shell.s]:-n/a}"
  printf '%-44s %10s %10s\n' "ceiling: gpg --decrypt > /dev/null" "${R[ceil.gpg]:-n/a}" "${R[ceil.gpg.s]:-n/a}"
  printf '%-44s %10s %10s\n' "ceiling: aws s3 cp of the plain file" "${R[ceil.s3]:-n/a}" "${R[ceil.s3.s]:-n/a}"
  echo "Ferry / gpg|aws: $(ratio "${R[ferry]:-n/a}" "${R[shell]:-n/a}"); Ferry CPU ${R[ferry.cpu]:-n/a} s per GiB" \
    "decrypted"
  echo "Ferry on $("${FERRY_JAVA:-java}" -version 2>&1 | head -n 1), -Xmx$FERRY_HEAP: peak RSS (VmHWM)" \
    "${R[ferry.rss]:-n/a} MiB, peak heap used ${R[ferry.heap]:-n/a} MiB"
  if ((${#ERRORS[@]} > 0)); then
    echo "errors:"
    printf '  - %s\n' "${ERRORS[@]}"
  fi
  echo "=================================================================================================="
}

main() {
  start_run ferry-bench-pgp
  ssh-keygen -q -t ed25519 -N '' -f "$WORK/id_ed25519"
  make_source
  if start_s3proxy && start_ferry; then
    workflow_section
    memory_report ferry
    section_references
  fi
  gpgconf --homedir "$WORK/gnupg" --kill gpg-agent 2>/dev/null
  print_table
  ((${#ERRORS[@]} == 0))
}

main "$@"
