#!/usr/bin/env bash
# The one test command: the JUnit suite (unit tests and integration tests against a real S3-API
# server that the tests start themselves), then the real-client integration tests (lftp, curl for
# FTPS; OpenSSH sftp/scp, curl sftp:// and paramiko for SFTP).
set -euo pipefail
cd "$(dirname "$0")"

# After a failed JUnit run: the end of each failing class's own output (Ferry's log, and the busy
# threads a timed-out wait prints), since a CI log shows only its last lines.
print_failing_test_output() {
  local report output
  for report in */target/surefire-reports/*.txt; do
    case $report in *-output.txt) continue ;; esac
    grep -qE '<<< (FAILURE|ERROR)!' "$report" || continue
    output=${report%.txt}-output.txt
    [ -f "$output" ] || continue
    echo "== the last 100 lines of $output =="
    tail -n 100 "$output" | cut -c1-300
  done
}

echo "== JUnit: unit and integration tests (S3Proxy started by the tests) =="
mvn -B -ntp -Dstyle.color=never install || { print_failing_test_output; exit 1; }

echo "== The README: stands alone, names only files that exist, lists every package =="
./it/readme-check.sh

echo "== Real FTPS clients: lftp and curl against ferry.jar =="
./it/ftps-clients.sh

echo "== Real SFTP clients: OpenSSH sftp and scp, curl sftp://, paramiko against ferry.jar =="
./it/sftp-clients.sh

echo "== Two nodes on one PostgreSQL behind HAProxy: lftp, curl and sftp through the balancer =="
./it/two-nodes.sh
