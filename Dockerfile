# Multi-stage build of the same ferry.jar the README runs. Not built in this project's CI (no Docker
# engine there); kept deliberately simple.
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY . .
RUN mvn -q -B -ntp -DskipTests package

# The jar targets Java 17; a newer runtime encrypts TLS data connections with less CPU (AES-GCM
# intrinsics for the ByteBuffer path JDK 17 runs in Java), see bench/README.md.
FROM eclipse-temurin:21-jre
RUN useradd --system --uid 10001 --home-dir /var/lib/ferry ferry \
 && mkdir -p /etc/ferry /var/lib/ferry && chown ferry /var/lib/ferry
COPY --from=build /src/gateway-server/target/ferry.jar /opt/ferry/ferry.jar
COPY deploy/jvm-options.sh /opt/ferry/jvm-options.sh
USER ferry
VOLUME ["/etc/ferry", "/var/lib/ferry"]
# The config's dataDir should point at /var/lib/ferry (TLS material, upload journal).
ENV FERRY_CONFIG=/etc/ferry/ferry.yaml
# The memory budgets are shares of the heap; without -Xmx the JVM would size it from the container's
# memory limit (a quarter of it). Override with docker run -e FERRY_HEAP=256m: below 512m the
# serial collector keeps the process small (jvm-options.sh; README, "How much memory"). Further JVM
# options go in JAVA_TOOL_OPTIONS.
ENV FERRY_HEAP=1g
# Two malloc arenas instead of glibc's eight per CPU: less memory outside the heap (README, "Memory").
ENV MALLOC_ARENA_MAX=2
EXPOSE 2121 2990 2222 30000-30099
ENTRYPOINT ["/bin/sh", "-c", "exec java -Xmx\"$FERRY_HEAP\" $(/opt/ferry/jvm-options.sh \"$FERRY_HEAP\") -jar /opt/ferry/ferry.jar \"$@\"", "ferry"]
