#!/usr/bin/python3
"""paramiko checks for it/sftp-clients.sh: writes at offsets (out of order, rewrites, gaps),
concurrent writers, and a client that disconnects mid-upload. Each mode writes its file and
prints the bytes it meant to store to stdout's file argument; the shell script compares them with
what landed in S3.

  sftp_checks.py MODE HOST PORT USER KEY_FILE KNOWN_HOSTS REMOTE_PATH EXPECTED_LOCAL_FILE
"""
import os
import random
import sys
import threading

import paramiko

CHUNK = 32 * 1024


def connect(host, port, user, key_file, known_hosts):
    client = paramiko.SSHClient()
    client.load_host_keys(known_hosts)
    client.set_missing_host_key_policy(paramiko.RejectPolicy())
    key = paramiko.Ed25519Key.from_private_key_file(key_file)
    client.connect(host, port=port, username=user, pkey=key, allow_agent=False, look_for_keys=False,
                   timeout=30, banner_timeout=30, auth_timeout=30)
    return client


def out_of_order(sftp, path, size, seed):
    """Pipelined chunks arriving shuffled within groups of 16, like a client with 16 requests out."""
    rnd = random.Random(seed)
    data = bytearray(os.urandom(size))
    chunks = list(range((size + CHUNK - 1) // CHUNK))
    order = []
    for first in range(0, len(chunks), 16):
        group = chunks[first:first + 16]
        rnd.shuffle(group)
        order.extend(group)
    with sftp.open(path, "wb") as f:
        for index in order:
            f.seek(index * CHUNK)
            f.write(bytes(data[index * CHUNK:(index + 1) * CHUNK]))
    return bytes(data)


def rewrites_and_gaps(sftp, path, seed):
    """Sequential 12 MiB, a far gap written first, rewrites of bytes long sent, a hole never written."""
    rnd = random.Random(seed)
    size = 40 * 1024 * 1024
    model = bytearray(size)
    with sftp.open(path, "wb") as f:
        tail = os.urandom(1024 * 1024)
        f.seek(size - len(tail))
        f.write(tail)
        model[size - len(tail):] = tail
        head = os.urandom(12 * 1024 * 1024)
        for at in range(0, len(head), CHUNK):
            f.seek(at)
            f.write(head[at:at + CHUNK])
        model[:len(head)] = head
        for _ in range(20):
            at = rnd.randrange(0, len(head) - 4096)
            patch = os.urandom(rnd.randrange(1, 4096))
            f.seek(at)
            f.write(patch)
            model[at:at + len(patch)] = patch
        # bytes between 12 MiB and the tail are never written: a hole that must read as zeros
    return bytes(model)


def concurrent_writers(client, path, seed):
    """Four SFTP channels of one connection write interleaved quarters of one file... in sequence:
    Ferry allows one writer per path, so three must be refused while the first holds it."""
    data = os.urandom(6 * 1024 * 1024)
    first = client.open_sftp()
    f = first.open(path, "wb")
    f.write(data[:1024 * 1024])
    refused = 0
    for _ in range(3):
        other = client.open_sftp()
        try:
            other.open(path, "wb").write(b"x")
        except IOError as e:
            if "busy" in str(e):
                refused += 1
        other.close()
    f.write(data[1024 * 1024:])
    f.close()
    first.close()
    if refused != 3:
        raise SystemExit("expected 3 busy refusals, got %d" % refused)
    return data


def killed(client, path):
    sftp = client.open_sftp()
    f = sftp.open(path, "wb")
    f.set_pipelined(True)
    block = os.urandom(1024 * 1024)
    for _ in range(20):
        f.write(block)
    f.flush()
    # No close: the TCP connection goes away with the upload open.
    client.get_transport().sock.close()
    return b""


def longnames(sftp, path, user):
    """Every entry's SFTP v3 long name (what ls -l shows) names the login as owner and group."""
    entries = sftp.listdir_attr(path)
    if not entries:
        raise SystemExit("no entries in " + path)
    for entry in entries:
        fields = entry.longname.split()
        if fields[2:4] != [user, user]:
            raise SystemExit("long name of %s shows %s: %r" % (entry.filename, fields[2:4], entry.longname))
    return "\n".join(entry.longname for entry in entries).encode()


def names(sftp, path):
    """The names listdir gives (paramiko reads READDIR replies until EOF), one per line."""
    return "\n".join(sorted(sftp.listdir(path))).encode() + b"\n"


def invalid_utf8(sftp):
    """Names with bytes that are not UTF-8 are refused, not turned into one name with U+FFFD."""
    refused = []
    for name in (b"/paramiko/coll\xff.txt", b"/paramiko/coll\xfe.txt"):
        try:
            with sftp.open(name, "wb") as f:
                f.write(b"x")
        except IOError as e:
            refused.append("%r: %s" % (name, e))
    if len(refused) != 2:
        raise SystemExit("accepted a name that is not UTF-8; refused only: %s" % refused)
    return ("\n".join(refused) + "\n").encode()


def main():
    mode, host, port, user, key_file, known_hosts, remote, expected = sys.argv[1:9]
    client = connect(host, int(port), user, key_file, known_hosts)
    if mode == "out-of-order":
        sftp = client.open_sftp()
        data = out_of_order(sftp, remote, 20 * 1024 * 1024 + 12345, 1)
    elif mode == "rewrites":
        sftp = client.open_sftp()
        data = rewrites_and_gaps(sftp, remote, 2)
    elif mode == "concurrent":
        data = concurrent_writers(client, remote, 3)
    elif mode == "longname":
        data = longnames(client.open_sftp(), remote, user)
    elif mode == "invalid-utf8":
        data = invalid_utf8(client.open_sftp())
    elif mode == "names":
        data = names(client.open_sftp(), remote)
    elif mode == "killed":
        data = killed(client, remote)
    else:
        raise SystemExit("unknown mode " + mode)
    with open(expected, "wb") as out:
        out.write(data)
    if mode != "killed":
        client.close()


if __name__ == "__main__":
    main()
