# The S3Proxy jar the tests and benchmarks run as their S3-API server (sourced by it/ and bench/
# scripts; expects REPO_DIR). The version is the pom's s3proxy.version, which the JUnit tests use.

S3PROXY_VERSION=4.1.0

# find_s3proxy_jar: prints the jar's path: S3PROXY_JAR if set, else the one in ~/.m2 or .tools,
# else fetched into .tools through Maven (Maven Central is reachable where nothing else is).
find_s3proxy_jar() {
  local name="s3proxy-$S3PROXY_VERSION-jar-with-dependencies.jar" candidate
  for candidate in "${S3PROXY_JAR:-}" "$HOME/.m2/repository/org/gaul/s3proxy/$S3PROXY_VERSION/$name" \
      "$REPO_DIR/.tools/$name"; do
    [[ -n "$candidate" && -f "$candidate" ]] && { echo "$candidate"; return 0; }
  done
  mkdir -p "$REPO_DIR/.tools"
  # Outside the reactor, or dependency:copy runs once per module.
  (cd "${TMPDIR:-/tmp}" && timeout 300 mvn -q -B org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy \
    -Dartifact="org.gaul:s3proxy:$S3PROXY_VERSION:jar:jar-with-dependencies" \
    -DoutputDirectory="$REPO_DIR/.tools") >&2 || return 1
  [[ -f "$REPO_DIR/.tools/$name" ]] && echo "$REPO_DIR/.tools/$name"
}
