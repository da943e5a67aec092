# Free loopback ports for servers the tests and benchmarks start (sourced by it/ and bench/ scripts).
#
# Ports are picked below Linux's ephemeral range (ip_local_port_range, 32768 and up by default):
# a port picked inside it could be taken by any outgoing connection (the S3 client's, lftp's,
# PostgreSQL's) between the check and the server's bind, as HAProxy's and PostgreSQL's were in CI.

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

EPHEMERAL_LOW=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
PICK_LOW=20000
((EPHEMERAL_LOW - 100 - PICK_LOW >= 2000)) || PICK_LOW=1024
PICK_SPAN=$((EPHEMERAL_LOW - 100 - PICK_LOW))
# An ephemeral range that starts near 1024 leaves no room below it: any range then, with the race.
((PICK_SPAN >= 500)) || { PICK_LOW=20000; PICK_SPAN=10000; }

free_port() {
  local port
  for _ in $(seq 100); do
    port=$((PICK_LOW + RANDOM % PICK_SPAN))
    port_in_use "$port" || { echo "$port"; return 0; }
  done
  return 1
}

# free_port_range COUNT: COUNT consecutive free ports (FTP passive data connections); prints "FIRST-LAST".
free_port_range() {
  local count="$1" first p busy
  for _ in $(seq 50); do
    first=$((PICK_LOW + RANDOM % PICK_SPAN))
    busy=no
    for ((p = first; p < first + count; p++)); do
      port_in_use "$p" && { busy=yes; break; }
    done
    [[ "$busy" == no ]] && { echo "$first-$((first + count - 1))"; return 0; }
  done
  return 1
}
