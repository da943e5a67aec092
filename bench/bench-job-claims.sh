#!/usr/bin/env bash
# Transfer jobs shared by two nodes (a measurement, not a test). On loopback: one private
# PostgreSQL state store, S3Proxy, a local OpenSSH sshd as the remote, and two ferry.jar nodes.
# BENCH_JOBS tiny objects (1 KiB, uploaded through node 1's SFTP, so each carries its SHA-256 and
# each job checks the delivered file against it) are pushed with one `push` on node 1, which creates one job per
# object; both nodes claim them (node 1 at once, node 2 on its poll). Then BENCH_IDLE single
# transfers, one after the other, submitted on node 1 and node 2 in turn, to idle nodes. Printed,
# from the jobs' records and the nodes' logs once all have ended:
#   - the push itself (validating and storing every job),
#   - claim latency: from the moment a job fell due to its claim by a node ("claimed ... ms after
#     it fell due" in the nodes' logs), median / p90 / p99 / max, for the burst (where it is the
#     wait for a free worker) and for single jobs on idle nodes,
#   - creation to the start of the transfer (claim, SSH connection, HEAD of the object),
#   - throughput: jobs/s from the push to the last job's end, on warm nodes: first BENCH_WARMUP
#     pushes of the same objects, each to a folder of its own, not timed as the burst (their rates
#     are printed too): a node that just started spends a third of its CPU compiling (C2, in an
#     async-profiler profile of the first burst), which a node in service has done long before,
#   - how many each node ran, and that every job ran exactly once (attempts 1, one "done" line
#     in all logs), with every file on the remote compared to its object.
#
#   bench/bench-job-claims.sh          (after: mvn -q -DskipTests package)
#
# Knobs (environment): BENCH_JOBS=1000, BENCH_WARMUP=3 (warm-up bursts; 0: none), BENCH_IDLE=20, BENCH_WORKERS=4 (jobs.workers per node),
# BENCH_POLL=1s (jobs.pollInterval), BENCH_IDLE_CONNECTIONS=4 (jobs.idleConnections: 0 opens an SSH
# connection per job, as before connections were kept), FERRY_JAVA=java, FERRY_HEAP=512m, FERRY_JAVA_OPTS,
# BENCH_DIR, BENCH_KEEP=1, FERRY_JAR, S3PROXY_JAR.
set -uo pipefail

REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
FERRY_JAR="${FERRY_JAR:-$REPO_DIR/gateway-server/target/ferry.jar}"
JOBS="${BENCH_JOBS:-1000}"
IDLE="${BENCH_IDLE:-20}"
WARMUP_ROUNDS="${BENCH_WARMUP:-3}"
WORKERS="${BENCH_WORKERS:-4}"
POLL="${BENCH_POLL:-1s}"
IDLE_CONNECTIONS="${BENCH_IDLE_CONNECTIONS:-4}"
FERRY_HEAP="${FERRY_HEAP:-512m}"
AWS=/usr/bin/aws
PYTHON=/usr/bin/python3
TOTAL_TIMEOUT_SECONDS=1800
TRANSFER_TIMEOUT_SECONDS=1200
START_TIMEOUT_SECONDS=90
export LC_ALL=C.UTF-8

BUCKET=bench
S3_KEY=benchaccess
S3_SECRET="$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 24)"
ME="$(id -un)"
NODE_PIDS=()

# shellcheck source=lib.sh
source "$REPO_DIR/bench/lib.sh"
# shellcheck source=../it/postgres.sh
source "$REPO_DIR/it/postgres.sh"

claims_cleanup() {
  local status=$? pid
  for pid in "${NODE_PIDS[@]}"; do
    stop_pid "$pid" "Ferry node" 30
  done
  stop_private_postgres
  (exit "$status")
  cleanup
}

# start_node N: node N of the shared store, with an admin user ops logging in with $WORK/id_ed25519.
start_node() {
  local n="$1" pid
  mkdir -p "$WORK/node$n"
  cat >"$WORK/node$n/ferry.yaml" <<EOF
dataDir: $WORK/node$n/data
s3:
  endpoint: $S3_ENDPOINT
  accessKey: $S3_KEY
  secretKey: \${FERRY_BENCH_S3_SECRET}
$(ferry_yaml_listeners)
store:
  url: jdbc:postgresql://127.0.0.1:$PG_PORT/ferry
  user: ferry
  nodeName: node$n
jobs:
  workers: $WORKERS
  pollInterval: $POLL
  idleConnections: $IDLE_CONNECTIONS
remotes:
  - name: bench
    address: 127.0.0.1
    port: $SSHD_PORT
    user: $ME
    privateKey: $WORK/id_ed25519
    hostKey: "$(cat "$WORK/known_sshd")"
    roots: [$WORK/disk]
shutdown:
  grace: 5s
users:
  - name: ops
    home: s3://$BUCKET/ops/
    permissions: [all]
    admin: true
    publicKeys:
      - "$(cat "$WORK/id_ed25519.pub")"
EOF
  FERRY_BENCH_S3_SECRET="$S3_SECRET" "${FERRY_JAVA:-java}" "-Xmx$FERRY_HEAP" $(heap_options "$FERRY_HEAP") ${FERRY_JAVA_OPTS:-} -jar "$FERRY_JAR" \
    --config "$WORK/node$n/ferry.yaml" >"$WORK/node$n.log" 2>&1 &
  pid=$!
  NODE_PIDS+=("$pid")
  await_log "$pid" "$WORK/node$n.log" "Ferry is up" || { error "node $n did not start: $(tail -n 5 "$WORK/node$n.log")"; return 1; }
  printf -v "NODE${n}_SFTP" '%s' "$(sed -n 's/.*Ferry is up.*SFTP: [0-9.]*:\([0-9]*\).*/\1/p' "$WORK/node$n.log")"
  log "node $n up (pid $pid)"
}

# admin N COMMAND...: an admin command over SSH exec on node N.
admin() {
  local port_var="NODE$1_SFTP"
  shift
  ssh -q -p "${!port_var}" -i "$WORK/id_ed25519" -o BatchMode=yes -o StrictHostKeyChecking=no \
    -o UserKnownHostsFile=/dev/null ops@127.0.0.1 "$@"
}

# Waits until no job is queued, waiting or running on either node. Polls the counts by state, not
# the list: listing 1,000 jobs as JSON and a python to read it, twice a second, took CPU from the
# jobs it timed.
await_no_open_jobs() {
  local deadline=$((SECONDS + TRANSFER_TIMEOUT_SECONDS)) open
  while ((SECONDS < deadline)); do
    open="$(admin 2 jobs --counts | awk '$1 ~ /^(queued|waiting-for-space|running|verifying)$/ { n += $2 } END { print n + 0 }')"
    [[ "$open" == 0 ]] && return 0
    sleep 0.5
  done
  error "jobs still open after ${TRANSFER_TIMEOUT_SECONDS} s"
  return 1
}

main() {
  start_run ferry-bench-job-claims
  trap claims_cleanup EXIT
  ssh-keygen -q -t ed25519 -N '' -f "$WORK/id_ed25519" || exit 1
  PG_DIR="$WORK/postgres"
  start_private_postgres || exit 1
  log "PostgreSQL on 127.0.0.1:$PG_PORT"
  start_s3proxy || exit 1
  start_sshd || exit 1
  mkdir -p "$WORK/objects" "$WORK/disk/in"
  for ((i = 0; i < JOBS; i++)); do
    head -c 1024 /dev/urandom >"$WORK/objects/f$i.bin"
  done
  start_node 1 || exit 1
  start_node 2 || exit 1
  # Through Ferry, as a partner's files arrive: each object carries the SHA-256 its upload computed,
  # and each job checks the file it delivered against it.
  printf 'mkdir tiny\ncd tiny\nlcd %s\nput *\n' "$WORK/objects" >"$WORK/upload.batch"
  sftp -q -b "$WORK/upload.batch" -P "$NODE1_SFTP" -i "$WORK/id_ed25519" -o BatchMode=yes \
    -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null ops@127.0.0.1 >/dev/null \
    || { error "objects not uploaded through node 1"; exit 1; }

  local start push_seconds all_seconds warm_seconds="" round
  for ((round = 1; round <= WARMUP_ROUNDS; round++)); do
    log "warm-up $round of $WARMUP_ROUNDS (not timed as the burst): push of the $JOBS objects to another folder ..."
    start="$(now)"
    admin 1 push "s3://$BUCKET/ops/tiny/" "bench:$WORK/disk/warm$round" --parts 1 --mode relay \
      >"$WORK/warm.txt" || { error "warm-up push failed: $(head -c 300 "$WORK/warm.txt")"; exit 1; }
    await_no_open_jobs
    warm_seconds+="$(elapsed "$start") "
  done
  log "push of $JOBS objects on node 1 ($WORKERS workers per node, poll $POLL) ..."
  start="$(now)"
  admin 1 push "s3://$BUCKET/ops/tiny/" "bench:$WORK/disk/in" --parts 1 --mode relay --json >"$WORK/pushed.json" \
    || { error "push failed: $(head -c 300 "$WORK/pushed.json")"; exit 1; }
  push_seconds="$(elapsed "$start")"
  await_no_open_jobs
  all_seconds="$(elapsed "$start")"

  log "$IDLE single transfers to idle nodes, submitted on node 1 and node 2 in turn ..."
  local id state=""
  : >"$WORK/idle.ids"
  for ((i = 0; i < IDLE; i++)); do
    id="$(admin $((i % 2 + 1)) transfer "s3://$BUCKET/ops/tiny/f$i.bin" "bench:$WORK/disk/idle-$i.bin" --parts 1 --mode relay)" \
      || { error "transfer $i refused: $id"; exit 1; }
    echo "$id" >>"$WORK/idle.ids"
    deadline=$((SECONDS + 60))
    until [[ "$state" =~ ^(DONE|FAILED|CANCELLED)$ ]] || ((SECONDS > deadline)); do
      sleep 0.1
      state="$(admin 1 job "$id" --json | "$PYTHON" -c 'import json, sys; print(json.load(sys.stdin)["data"]["state"])')"
    done
    state=""
  done
  admin 2 jobs --limit 10000 --json >"$WORK/jobs.json"
  cat "$WORK/node1.log" "$WORK/node2.log" >"$WORK/all.log"

  "$PYTHON" - "$WORK" "$((JOBS * (1 + WARMUP_ROUNDS) + IDLE))" "$push_seconds" "$all_seconds" "$JOBS" $warm_seconds <<'PY'
import json, sys, re, filecmp, statistics
from datetime import datetime
work, expected, push_s, all_s = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
jobs_per_burst, warm_s = int(sys.argv[5]), [float(a) for a in sys.argv[6:]]
jobs = json.load(open(work + "/jobs.json"))["data"]
log = open(work + "/all.log").read()
idle_ids = set(open(work + "/idle.ids").read().split())
t = lambda s: datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp()
done = [j for j in jobs if j["state"] == "DONE"]
claim_ms = {m.group(1): int(m.group(2)) for m in re.finditer(r"job (\w+) claimed \(claim 1\), (\d+) ms after it fell due", log)}
def summary(values):
    values = sorted(values)
    if not values:
        return "none"
    pct = lambda p: values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]
    return "median %.0f, p90 %.0f, p99 %.0f, max %.0f (%d jobs)" % (statistics.median(values), pct(90), pct(99),
                                                                   values[-1], len(values))
burst = [j for j in done if j["id"] not in idle_ids and "/disk/in/" in j["spec"]["remotePath"]]
idle = [j for j in done if j["id"] in idle_ids]
by_node = {}
for j in done:
    by_node[j["node"]] = by_node.get(j["node"], 0) + 1
more_than_once = [j["id"] for j in jobs if j["attempts"] != 1 or len(re.findall("job " + j["id"] + " done", log)) != 1]
wrong = [j["id"] for j in done if not filecmp.cmp(work + "/objects/" + j["spec"]["key"].split("/")[-1],
                                                  j["spec"]["remotePath"], shallow=False)]
print()
print(f"jobs: {len(jobs)} created, {len(done)} done, {len(jobs) - len(done)} not done (expected {expected})")
print(f"push of {len(burst)} jobs on node 1: {push_s:.2f} s ({len(burst) / push_s:.0f} jobs/s stored)")
if warm_s:
    print("warm-up bursts on the nodes just started (the JIT compiling), jobs/s: "
          + ", ".join(f"{jobs_per_burst / s:.1f}" for s in warm_s))
print(f"burst: all done {all_s:.2f} s after the push started: {len(burst) / all_s:.1f} jobs/s end to end")
print("burst, due -> claimed, ms: " + summary([claim_ms[j["id"]] for j in burst if j["id"] in claim_ms]))
print("burst, created -> transfer start, ms: " + summary([(t(j["started"]) - t(j["created"])) * 1000 for j in burst]))
print("idle nodes, due -> claimed, ms: " + summary([claim_ms[j["id"]] for j in idle if j["id"] in claim_ms]))
print("idle nodes, created -> transfer start (claim + SSH connect + HEAD), ms: "
      + summary([(t(j["started"]) - t(j["created"])) * 1000 for j in idle]))
print("idle jobs claimed by the node they were submitted on: %d of %d"
      % (sum(1 for i, j in enumerate(sorted(idle, key=lambda j: j["created"])) if j["node"] == "node%d" % (i % 2 + 1)),
         len(idle)))
print("ran on: " + ", ".join(f"{n} {c}" for n, c in sorted(by_node.items())))
print(f"ran more than once: {len(more_than_once)} {more_than_once[:5]}")
print(f"files differing from their object: {len(wrong)} {wrong[:5]}")
sys.exit(0 if len(done) == expected and not more_than_once and not wrong else 1)
PY
}

main "$@"
