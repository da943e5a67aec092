# Multi-stage build of the same ferry.jar the README runs. Not built in this project's CI (no Docker
# engine there); kept deliberately simple.
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY . .
RUN mvn -q -B -ntp -DskipTests package

FROM eclipse-temurin:17-jre
RUN useradd --system --uid 10001 --home-dir /var/lib/ferry ferry \
 && mkdir -p /etc/ferry /var/lib/ferry && chown ferry /var/lib/ferry
COPY --from=build /src/gateway-server/target/ferry.jar /opt/ferry/ferry.jar
USER ferry
VOLUME ["/etc/ferry", "/var/lib/ferry"]
# The config's dataDir should point at /var/lib/ferry (TLS material, upload journal).
ENV FERRY_CONFIG=/etc/ferry/ferry.yaml
EXPOSE 2121 2990 30000-30099
ENTRYPOINT ["java", "-jar", "/opt/ferry/ferry.jar"]
