#!/usr/bin/python3
"""Per-operation timings for bench/bench-metadata.sh (a measurement, not a test).

One client session against one server; each operation is timed on its own (time.perf_counter
around the call) and BENCH_OPS of one kind run in a row, so that the S3 requests Ferry sends between
the first and the last of them belong to that kind alone.

  metadata_ops.py s3   --endpoint URL --bucket B --dir PREFIX --ops N --repeat R
  metadata_ops.py sftp --port P --user U --identity KEY --known-hosts FILE --dir D --ops N --repeat R [--metrics URL]
  metadata_ops.py ftps --port P --user U --dir D --ops N --repeat R [--metrics URL]
  metadata_ops.py sftp|ftps ... --sessions K   throughput: K sessions run the loop once, all at once
  metadata_ops.py counts URL                   Ferry's S3 requests so far, from its metrics at URL
  metadata_ops.py requests URL COUNTS          the S3 requests Ferry sent since counts printed COUNTS

S3 credentials come from S3_KEY and S3_SECRET, the FTPS password from FTP_PASSWORD (environment,
not argv). Results are "KEY VALUE" lines on stdout, which the bash script reads into its table;
progress and errors go to stderr.
"""
import argparse
import collections
import ftplib
import io
import json
import multiprocessing
import os
import re
import socket
import ssl
import statistics
import sys
import time
import urllib.request

LIST_COUNT = 30           # files in the folder the list operation reads
PAYLOAD = os.urandom(4096)
CLIENT_MTIME = 1500000000  # 2017-07-14T02:40:00Z, set by setstat / MFMT and checked by stat / MDTM
CLIENT_MDTM = "20170714024000"
KINDS = ("HEAD", "GET", "LIST", "PUT", "COPY", "DELETE", "POST")


def say(*parts):
    print("[metadata_ops]", *parts, file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------------
# Ferry's S3 requests, from its metrics endpoint (metrics.enabled): ferry_s3_requests_seconds_count
# counts each request sent, by the SDK's operation name. Read there, not from a request log: the
# SDK's request logger at DEBUG cost Ferry 0.5 to 1 ms per request, and a counting proxy would add
# a hop to every request it counts.

OPERATION_KINDS = {
    "HeadObject": "HEAD", "GetObject": "GET", "ListObjectsV2": "LIST", "ListObjects": "LIST",
    "PutObject": "PUT", "UploadPart": "PUT", "CopyObject": "COPY", "UploadPartCopy": "COPY",
    "DeleteObject": "DELETE", "AbortMultipartUpload": "DELETE",
    "CreateMultipartUpload": "POST", "CompleteMultipartUpload": "POST", "DeleteObjects": "POST",
}
COUNT_LINE = re.compile(r'^ferry_s3_requests_seconds_count\{([^}]*)\}\s+(\S+)')


def request_counts(url):
    """Ferry's S3 requests since it started: a Counter by kind (HEAD, GET, LIST, PUT, COPY, DELETE,
    POST; the operation's own name for any other)."""
    counts = collections.Counter()
    with urllib.request.urlopen(url, timeout=10) as answer:
        for line in answer.read().decode("utf-8", "replace").splitlines():
            match = COUNT_LINE.match(line)
            if match:
                operation = re.search(r'operation="([^"]*)"', match.group(1))
                name = operation.group(1) if operation else "unknown"
                counts[OPERATION_KINDS.get(name, name)] += int(float(match.group(2)))
    return counts


def settled_counts(url):
    """request_counts once they have stopped changing for 0.3 s (3 s at most): Ferry may still send
    a request after its reply (an asynchronous delete, a catalog write-back)."""
    counts, still_since, deadline = request_counts(url), time.monotonic(), time.monotonic() + 3
    while time.monotonic() - still_since < 0.3 and time.monotonic() < deadline:
        time.sleep(0.05)
        now = request_counts(url)
        if now != counts:
            counts, still_since = now, time.monotonic()
    return counts


class RequestCounter:
    """Counts Ferry's S3 requests since the last mark."""

    def __init__(self, url):
        self.url = url
        self.mark()

    def mark(self):
        self.last = settled_counts(self.url)

    def take(self):
        """Counter of request kinds sent since the last mark; marks again."""
        now = settled_counts(self.url)
        counts = now - self.last
        self.last = now
        return counts


def kinds_text(counts, per):
    """'HEAD=1.00,PUT=1.00': requests of each kind per operation (KEY VALUE lines have no spaces)."""
    return ",".join(f"{k}={counts[k] / per:.2f}" for k in KINDS + tuple(sorted(set(counts) - set(KINDS)))
                    if counts.get(k)) or "none"


# ---------------------------------------------------------------------------------------------
# Clients

def sftp_connect(args):
    import paramiko
    client = paramiko.SSHClient()
    client.load_host_keys(args.known_hosts)
    client.set_missing_host_key_policy(paramiko.RejectPolicy())
    client.connect("127.0.0.1", port=args.port, username=args.user, key_filename=args.identity,
                   look_for_keys=False, allow_agent=False, timeout=30, banner_timeout=30, auth_timeout=30)
    sftp = client.open_sftp()
    sftp.get_channel().settimeout(60)
    return client, sftp


class Ftps:
    """Explicit FTPS (AUTH TLS, PROT P) with the certificate not checked (Ferry's and the bench's
    vsftpd's are self-signed).
    Data connections are opened as ftplib's storbinary does, without its TYPE command before each
    transfer: TYPE I is set once per session, as lftp and most clients do."""

    def __init__(self, args):
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        self.ftp = ftplib.FTP_TLS(context=context, timeout=60)
        self.ftp.connect("127.0.0.1", args.port)
        self.ftp.auth()
        self.ftp.login(args.user, os.environ.get("FTP_PASSWORD", ""))
        self.ftp.prot_p()
        self.ftp.voidcmd("TYPE I")

    def _finish(self, conn):
        if isinstance(conn, ssl.SSLSocket):
            conn.unwrap()
        conn.close()
        self.ftp.voidresp()

    def stor(self, name, data):
        conn = self.ftp.transfercmd("STOR " + name)
        conn.sendall(data)
        self._finish(conn)

    def retr(self, name):
        conn = self.ftp.transfercmd("RETR " + name)
        chunks = []
        while True:
            chunk = conn.recv(65536)
            if not chunk:
                break
            chunks.append(chunk)
        self._finish(conn)
        return b"".join(chunks)

    def mlsd(self, name):
        conn = self.ftp.transfercmd("MLSD " + name)
        with conn.makefile("rb") as lines:
            names = [line.split(b";")[-1].strip() for line in lines if line.strip()]
        self._finish(conn)
        return [n for n in names if n not in (b".", b"..")]

    def names(self, d):
        """The names in folder d: from MLSD, or from NLST where the server has no MLSD (vsftpd)."""
        try:
            return [n.decode() for n in self.mlsd(d)]
        except ftplib.error_perm:
            names = (path.rsplit("/", 1)[-1] for path in self.ftp.nlst(d))
            return [n for n in names if n not in (".", "..")]

    def close(self):
        try:
            self.ftp.quit()
        except (OSError, ftplib.Error):
            self.ftp.close()


def s3_client(args):
    # Debian's awscli carries botocore inside it; max_pool_connections=1: one keep-alive connection.
    from awscli.botocore.config import Config
    from awscli.botocore.session import get_session
    return get_session().create_client(
        "s3", endpoint_url=args.endpoint, region_name="us-east-1",
        aws_access_key_id=os.environ["S3_KEY"], aws_secret_access_key=os.environ["S3_SECRET"],
        config=Config(s3={"addressing_style": "path"}, max_pool_connections=1, retries={"max_attempts": 1}))


# ---------------------------------------------------------------------------------------------
# The operations. Each list is (name, function of i) in the order they run; each kind works on what
# the kinds before it left (f-i written, then renamed to g-i, then removed), so one pass leaves the
# run's folder as it found it.

def expect_missing(call):
    try:
        call()
    except FileNotFoundError:
        return
    except ftplib.error_perm as e:
        if str(e).startswith("550"):
            return
        raise
    raise RuntimeError("a missing name was found")


def expect(value, wanted, what):
    if value != wanted:
        raise RuntimeError(f"{what}: got {value!r}, wanted {wanted!r}")


def sftp_write(sftp, path):
    with sftp.open(path, "wb") as f:
        f.write(PAYLOAD)


def sftp_read(sftp, path):
    with sftp.open(path, "rb") as f:
        expect(f.read(len(PAYLOAD)), PAYLOAD, "read " + path)


def sftp_ops(sftp, d, listed):
    return [
        ("stat_missing", lambda i: expect_missing(lambda: sftp.stat(f"{d}/missing-{i}"))),
        ("create", lambda i: sftp_write(sftp, f"{d}/f-{i}")),
        ("setstat", lambda i: sftp.utime(f"{d}/f-{i}", (CLIENT_MTIME, CLIENT_MTIME))),
        ("stat", lambda i: sftp.stat(f"{d}/f-{i}")),
        ("read", lambda i: sftp_read(sftp, f"{d}/f-{i}")),
        ("list", lambda i: expect(len(sftp.listdir_attr(listed)), LIST_COUNT, "entries in " + listed)),
        ("rename", lambda i: sftp.rename(f"{d}/f-{i}", f"{d}/g-{i}")),
        ("remove", lambda i: sftp.remove(f"{d}/g-{i}")),
        ("mkdir", lambda i: sftp.mkdir(f"{d}/sub-{i}")),
        ("rmdir", lambda i: sftp.rmdir(f"{d}/sub-{i}")),
    ]


def ftps_ops(c, d, listed):
    ftp = c.ftp
    return [
        ("size_missing", lambda i: expect_missing(lambda: ftp.size(f"{d}/missing-{i}"))),
        ("stor", lambda i: c.stor(f"{d}/f-{i}", PAYLOAD)),
        ("mfmt", lambda i: ftp.voidcmd(f"MFMT {CLIENT_MDTM} {d}/f-{i}")),
        ("size", lambda i: expect(ftp.size(f"{d}/f-{i}"), len(PAYLOAD), "SIZE")),
        ("mdtm", lambda i: ftp.voidcmd(f"MDTM {d}/f-{i}")),
        ("retr", lambda i: expect(c.retr(f"{d}/f-{i}"), PAYLOAD, "RETR")),
        ("mlsd", lambda i: expect(len(c.mlsd(listed)), LIST_COUNT, "entries in " + listed)),
        ("rename", lambda i: ftp.rename(f"{d}/f-{i}", f"{d}/g-{i}")),
        ("dele", lambda i: ftp.delete(f"{d}/g-{i}")),
        ("mkd", lambda i: ftp.mkd(f"{d}/sub-{i}")),
        ("rmd", lambda i: ftp.rmd(f"{d}/sub-{i}")),
    ]


def s3_ops(client, bucket, d, listed):
    def head_missing(i):
        try:
            client.head_object(Bucket=bucket, Key=f"{d}/missing-{i}")
        except client.exceptions.ClientError as e:
            if e.response["Error"]["Code"] in ("404", "NoSuchKey", "NotFound"):
                return
            raise
        raise RuntimeError("a missing key was found")

    def get(i):
        expect(client.get_object(Bucket=bucket, Key=f"{d}/f-{i}")["Body"].read(), PAYLOAD, "GET")

    def listing(i):
        answer = client.list_objects_v2(Bucket=bucket, Prefix=listed + "/", Delimiter="/")
        expect(len(answer.get("Contents", [])), LIST_COUNT, "LIST")

    def probe(i):
        # What Ferry sends beside a HEAD to learn whether a name is a folder: the first key under name/.
        answer = client.list_objects_v2(Bucket=bucket, Prefix=f"{d}/f-{i}/", Delimiter="/", MaxKeys=1)
        expect(answer.get("KeyCount", 0), 0, "LIST probe")

    return [
        ("HEAD_missing", head_missing),
        ("PUT", lambda i: client.put_object(Bucket=bucket, Key=f"{d}/f-{i}", Body=PAYLOAD)),
        ("HEAD", lambda i: client.head_object(Bucket=bucket, Key=f"{d}/f-{i}")),
        ("GET", get),
        ("LIST", listing),
        ("LIST1", probe),
        ("COPY", lambda i: client.copy_object(Bucket=bucket, Key=f"{d}/g-{i}",
                                              CopySource={"Bucket": bucket, "Key": f"{d}/f-{i}"})),
        ("DELETE", lambda i: client.delete_object(Bucket=bucket, Key=f"{d}/g-{i}")),
        # Not timed as its own kind: the f-i the copies came from, so the run leaves nothing.
        ("_DELETE_source", lambda i: client.delete_object(Bucket=bucket, Key=f"{d}/f-{i}")),
    ]


# ---------------------------------------------------------------------------------------------
# Per protocol: how to connect, make and remove a folder, and fill the listed folder.

class Sftp:
    def __init__(self, args):
        self.ssh, self.sftp = sftp_connect(args)

    def ops(self, d, listed):
        return sftp_ops(self.sftp, d, listed)

    def mkdir(self, d):
        self.sftp.mkdir(d)

    def fill(self, d):
        self.sftp.mkdir(d)
        for i in range(LIST_COUNT):
            sftp_write(self.sftp, f"{d}/l-{i:02d}")

    def remove_tree(self, d):
        for name in self.sftp.listdir(d):
            self.sftp.remove(f"{d}/{name}")
        self.sftp.rmdir(d)

    def close(self):
        self.ssh.close()


class FtpsSession:
    def __init__(self, args):
        self.c = Ftps(args)

    def ops(self, d, listed):
        return ftps_ops(self.c, d, listed)

    def mkdir(self, d):
        self.c.ftp.mkd(d)

    def fill(self, d):
        self.c.ftp.mkd(d)
        for i in range(LIST_COUNT):
            self.c.stor(f"{d}/l-{i:02d}", PAYLOAD)

    def remove_tree(self, d):
        for name in self.c.names(d):
            try:
                self.c.ftp.delete(f"{d}/{name}")
            except ftplib.error_perm:  # a folder (vsftpd's NLST does not say which names are)
                self.remove_tree(f"{d}/{name}")
        self.c.ftp.rmd(d)

    def close(self):
        self.c.close()


class S3Session:
    """The floor: the same kinds of request straight to S3, one at a time on one keep-alive connection.
    S3 has no folders: mkdir and remove_tree of the run's folder are nothing, fill PUTs the objects."""

    def __init__(self, args):
        self.client, self.bucket = s3_client(args), args.bucket

    def ops(self, d, listed):
        return s3_ops(self.client, self.bucket, d, listed)

    def mkdir(self, d):
        pass

    def fill(self, d):
        for i in range(LIST_COUNT):
            self.client.put_object(Bucket=self.bucket, Key=f"{d}/l-{i:02d}", Body=PAYLOAD)

    def remove_tree(self, d):
        answer = self.client.list_objects_v2(Bucket=self.bucket, Prefix=d + "/")
        for o in answer.get("Contents", []):
            self.client.delete_object(Bucket=self.bucket, Key=o["Key"])

    def close(self):
        close = getattr(self.client, "close", None)   # this botocore's client has none
        if close:
            close()


SESSIONS = {"sftp": Sftp, "ftps": FtpsSession, "s3": S3Session}


def join(base, name):
    return f"{base.rstrip('/')}/{name}" if base else name


# ---------------------------------------------------------------------------------------------
# Modes

def timed_runs(args):
    """--warmup untimed passes, then --repeat passes of --ops operations of each kind, each in a new
    folder. Per kind: the median ms of each pass, and the median of those; the S3 requests per
    operation, counted in an untimed pass before the timed ones, when --metrics names Ferry's
    metrics endpoint."""
    session = SESSIONS[args.mode](args)
    log = RequestCounter(args.metrics) if args.metrics else None
    listed = join(args.dir, "list")
    session.mkdir(args.dir)
    session.fill(listed)
    per_pass, requests, errors = collections.defaultdict(list), collections.defaultdict(collections.Counter), {}
    # Untimed passes first: a JVM server compiles its request path during its first thousands of
    # operations (Ferry's first pass is 2-4 x slower than its tenth), and a server in service is warm.
    # The first pass's medians are kept as "cold".
    # Ferry's S3 requests are counted in a pass of their own, after the warm-up and untimed: reading
    # its metrics until they settle takes 0.3 s or more before and after each kind, and a timed
    # kind would start on a server that had just idled and answered three scrapes, which the peers
    # (no --metrics) are never asked.
    passes = ([(f"warmup-{w}", False, False) for w in range(1, args.warmup + 1)]
              + ([("requests", False, True)] if log else [])
              + [(f"run-{r}", True, False) for r in range(1, args.repeat + 1)])
    cold = {}
    for name, counted, counting in passes:
        d = join(args.dir, name)
        session.mkdir(d)
        for kind, op in session.ops(d, listed):
            if kind in errors:
                continue
            times = []
            if counting:
                log.mark()
            try:
                for i in range(args.ops):
                    start = time.perf_counter()
                    op(i)
                    times.append((time.perf_counter() - start) * 1000)
            except Exception as e:  # noqa: BLE001 - a server that lacks an operation: report it, go on
                errors[kind] = f"{type(e).__name__}: {e}".replace("\n", " ")
                say(f"{args.mode} {kind} failed in {name} after {len(times)} ops: {errors[kind]}")
                continue
            if name == "warmup-1" and not kind.startswith("_"):
                cold[kind] = statistics.median(times)
            if counted and not kind.startswith("_"):
                per_pass[kind].append(statistics.median(times))
            if counting and not kind.startswith("_"):
                requests[kind] += log.take()
        if counted:
            say(f"{args.mode} {name} (median ms): " + ", ".join(f"{k} {v[-1]:.2f}" for k, v in per_pass.items()))
        try:
            session.remove_tree(d)
        except Exception as e:  # noqa: BLE001
            say(f"could not remove {d}: {e}")
    check_client_time(args, session)
    try:
        session.remove_tree(listed)
        session.remove_tree(args.dir)
        session.close()
    except Exception as e:  # noqa: BLE001 - the figures are taken: print them anyway
        say(f"could not clean up {args.dir}: {e}")
    for kind, medians in per_pass.items():
        print(f"{kind}.ms {statistics.median(medians):.2f}")
        print(f"{kind}.runs {','.join(f'{m:.2f}' for m in medians)}")
        if kind in cold:
            print(f"{kind}.cold {cold[kind]:.2f}")
        if log:
            total = sum(requests[kind].values())
            print(f"{kind}.req {total / args.ops:.2f}")
            print(f"{kind}.kinds {kinds_text(requests[kind], args.ops)}")
    for kind, message in errors.items():
        print(f"{kind}.ms error")
        print(f"{kind}.error {message.replace(' ', '_')[:200]}")


def check_client_time(args, session):
    """Whether the server shows the time setstat / MFMT set (printed as client_time yes/no)."""
    d = join(args.dir, "timecheck")
    try:
        session.mkdir(d)
        ops = dict(session.ops(d, ""))
        if args.mode == "sftp":
            ops["create"](0)
            ops["setstat"](0)
            kept = int(session.sftp.stat(f"{d}/f-0").st_mtime) == CLIENT_MTIME
            session.sftp.remove(f"{d}/f-0")
        elif args.mode == "ftps":
            ops["stor"](0)
            ops["mfmt"](0)
            kept = session.c.ftp.sendcmd(f"MDTM {d}/f-0").endswith(CLIENT_MDTM)
            session.c.ftp.delete(f"{d}/f-0")
        else:
            return
        session.remove_tree(d)
        print(f"client_time {'yes' if kept else 'no'}")
    except Exception as e:  # noqa: BLE001
        say(f"client time check failed: {e}")
        print("client_time ?")


def one_session(args, index, barrier, results):
    """A worker of --sessions: connects and fills its folders, waits for the others, runs the loop
    once untimed per operation (the wall clock of the whole pass counts), reports, cleans up."""
    try:
        session = SESSIONS[args.mode](args)
        d = join(args.dir, f"s{index}")
        listed = join(d, "list")
        session.mkdir(d)
        session.fill(listed)
        run = join(d, "run")
        session.mkdir(run)
        ops = session.ops(run, listed)
    except Exception as e:  # noqa: BLE001
        barrier.abort()
        results.put((index, 0, 0.0, 0.0, f"set-up: {e}"))
        return
    try:
        barrier.wait(timeout=120)
    except threading_broken():
        results.put((index, 0, 0.0, 0.0, "another session failed to start"))
        return
    done, error, start = 0, "", time.monotonic()
    try:
        for _, op in ops:
            for i in range(args.ops):
                op(i)
                done += 1
    except Exception as e:  # noqa: BLE001
        error = f"{type(e).__name__}: {e}"
    end = time.monotonic()
    results.put((index, done, start, end, error))
    try:
        session.remove_tree(run)
        session.remove_tree(listed)
        session.remove_tree(d)
        session.close()
    except Exception:  # noqa: BLE001
        pass


def threading_broken():
    import threading
    return threading.BrokenBarrierError


def throughput(args):
    """--sessions K processes (not threads: paramiko's work is Python's, and one interpreter would
    serialise it) each run the loop once, all starting together; operations per second of wall clock."""
    # The sessions' common folder, made and removed by a session of the parent's own, closed
    # before the fork so that no client thread is copied into the workers.
    setup = SESSIONS[args.mode](args)
    setup.mkdir(args.dir)
    setup.close()
    ctx = multiprocessing.get_context("fork")
    barrier, results = ctx.Barrier(args.sessions), ctx.Queue()
    workers = [ctx.Process(target=one_session, args=(args, k, barrier, results)) for k in range(args.sessions)]
    for w in workers:
        w.start()
    got = [results.get(timeout=args.timeout) for _ in workers]
    for w in workers:
        w.join(timeout=60)
    setup = SESSIONS[args.mode](args)
    try:
        setup.remove_tree(args.dir)
    except Exception as e:  # noqa: BLE001
        say(f"could not remove {args.dir}: {e}")
    setup.close()
    errors = [f"session {k}: {e}" for k, _, _, _, e in got if e]
    for e in errors:
        say(e)
    ops = sum(g[1] for g in got)
    wall = max(g[3] for g in got) - min(g[2] for g in got if g[2] > 0) if ops else 0
    print(f"ops {ops}")
    print(f"seconds {wall:.2f}")
    print(f"ops_per_s {ops / wall:.1f}" if wall > 0 else "ops_per_s error")
    print(f"errors {len(errors)}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mode", choices=["s3", "sftp", "ftps", "counts", "requests"])
    parser.add_argument("rest", nargs="*", help="counts: URL; requests: URL COUNTS")
    parser.add_argument("--port", type=int)
    parser.add_argument("--user")
    parser.add_argument("--identity")
    parser.add_argument("--known-hosts")
    parser.add_argument("--endpoint")
    parser.add_argument("--bucket")
    parser.add_argument("--dir", default="meta")
    parser.add_argument("--ops", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--warmup", type=int, default=1, help="untimed passes before the timed ones")
    parser.add_argument("--metrics", help="Ferry's metrics URL, to count its S3 requests")
    parser.add_argument("--sessions", type=int, default=0)
    parser.add_argument("--timeout", type=float, default=1200)
    args = parser.parse_args()
    socket.setdefaulttimeout(60)
    if args.mode == "counts":
        print(json.dumps(settled_counts(args.rest[0])))
    elif args.mode == "requests":
        counts = settled_counts(args.rest[0]) - collections.Counter(json.loads(args.rest[1]))
        print(f"total {sum(counts.values())}")
        print(f"kinds {kinds_text(counts, 1).replace('.00', '')}")
    elif args.sessions:
        throughput(args)
    else:
        timed_runs(args)


if __name__ == "__main__":
    main()
