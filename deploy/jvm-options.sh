#!/bin/sh
# jvm-options.sh HEAP: the JVM options Ferry runs with at -XmxHEAP (HEAP as -Xmx takes it: 256m,
# 1g, 1536m), printed on one line; run-demo.sh, the Dockerfile and the benchmarks use it.
#
# Below 512 MiB of heap: the serial collector, starting at 64 MiB, with a 32 MiB young generation, and an old generation
# grown only to 10-20 % above what is live. G1 commits all of -Xmx under transfers plus about 48 MiB
# of its own structures: at -Xmx256m one client moving 1 GiB each way over SFTP and FTPS peaked at
# 461-467 MiB of RSS with G1 and at 309 MiB with these options (with MALLOC_ARENA_MAX=2), as fast
# (bench/README.md, "A small heap"). The JVM itself picks the serial collector in a container of
# less than 1,792 MiB, with a young generation of a third of the heap.
# Also below 512 MiB, where the JVM takes the option without unlocking it (17.0.15 does): glibc's heap trimmed every
# second. Memory the JVM frees (the JIT compilers' arenas above all) stays in glibc's pools, and so
# in the RSS, until trimmed: one FTPS client's 1 GiB and 100 x 10 MiB rows at -Xmx256m peaked at
# 287-295 MiB without the trim and 274-284 with it; each trim took 0.3-1.4 ms (bench/README.md).
# The java that runs Ferry is FERRY_JAVA, else java on PATH.
# From 512 MiB up: the JVM's defaults (G1), whose short pauses suit many sessions.
set -eu
heap="${1:?usage: jvm-options.sh HEAP (as -Xmx takes it: 256m, 1g)}"
number="${heap%[kKmMgG]}"
case "$number" in
  ''|*[!0-9]*) echo "jvm-options.sh: heap '$heap' is not a size such as 256m or 1g" >&2; exit 2 ;;
esac
case "$heap" in
  *[kK]) mib=$((number / 1024)) ;;
  *[mM]) mib=$number ;;
  *[gG]) mib=$((number * 1024)) ;;
  *) mib=$((number / 1048576)) ;;
esac
if [ "$mib" -lt 512 ]; then
  options="-XX:+UseSerialGC -Xms64m -Xmn32m -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=20"
  trim="-XX:TrimNativeHeapInterval=1000"
  if "${FERRY_JAVA:-java}" $trim -version >/dev/null 2>&1; then
    options="$options $trim"
  fi
  echo "$options"
fi
