package dev.ferry.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.FerryConfig;
import dev.ferry.core.config.ConfigException;
import dev.ferry.core.admin.AdminRole;
import dev.ferry.jobs.admin.AdminToken;
import dev.ferry.jobs.admin.AdminTokens;
import dev.ferry.jobs.remote.ConnectionPool;
import dev.ferry.jobs.remote.RemoteHost;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The jobs, remotes and admin sections. Users have keys only, so no bcrypt cost here. */
class JobsConfigTest {

  static final String USERS = "users:\n  - name: ops\n    home: s3://ferry-data/ops/\n    admin: true\n";
  static final String REMOTE = """
      remotes:
        - name: archive
          address: 10.0.0.5
          user: ingest
          privateKey: keys/archive
          hostKey: "SHA256:abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
      """;

  @TempDir
  Path dir;

  JobsConfig load(String yaml, Map<String, String> env) throws IOException {
    Path file = dir.resolve("ferry.yaml");
    Files.writeString(file, yaml, StandardCharsets.UTF_8);
    return JobsConfig.of(FerryConfig.load(file, env));
  }

  @Test
  void defaults_noCheckSeedIntervalAdminHttpOff() throws IOException {
    JobsConfig config = load(USERS, Map.of());
    assertEquals(0, config.jobs().defaultFreeSpacePercent());
    assertEquals(Duration.ofSeconds(120), config.jobs().freeSpaceRecheck());
    assertEquals(dir.resolve("ferry-data").resolve("jobs"), config.jobs().directory());
    assertFalse(config.adminHttp().enabled());
    assertEquals(List.of(), config.remotes());
  }

  @Test
  void freeSpacePercent_fromEnvironment_emptyMeansNoCheck() throws IOException {
    String yaml = USERS + "jobs:\n  freeSpacePercent: ${SSH_FREE_SPACE_PERCENTAGE:-}\n";
    assertEquals(0, load(yaml, Map.of()).jobs().defaultFreeSpacePercent());
    assertEquals(0, load(yaml, Map.of("SSH_FREE_SPACE_PERCENTAGE", "")).jobs().defaultFreeSpacePercent());
    assertEquals(15.5, load(yaml, Map.of("SSH_FREE_SPACE_PERCENTAGE", "15.5")).jobs().defaultFreeSpacePercent());
    ConfigException e = assertThrows(ConfigException.class,
        () -> load(yaml, Map.of("SSH_FREE_SPACE_PERCENTAGE", "lots")));
    assertTrue(e.getMessage().contains("jobs.freeSpacePercent"), e.getMessage());
  }

  @Test
  void idleConnections_defaultFourForAMinute_setOrOff_badValuesRefusedNamingTheKey() throws IOException {
    assertEquals(new ConnectionPool(4, Duration.ofSeconds(60)), load(USERS, Map.of()).connections());
    assertEquals(new ConnectionPool(0, Duration.ofSeconds(5)),
        load(USERS + "jobs:\n  idleConnections: 0\n  idleConnectionTime: 5s\n", Map.of()).connections());
    ConfigException negative = assertThrows(ConfigException.class,
        () -> load(USERS + "jobs:\n  idleConnections: -1\n", Map.of()));
    assertTrue(negative.getMessage().contains("jobs.idleConnections"), negative.getMessage());
    ConfigException zero = assertThrows(ConfigException.class,
        () -> load(USERS + "jobs:\n  idleConnectionTime: 0s\n", Map.of()));
    assertTrue(zero.getMessage().contains("jobs.idleConnectionTime"), zero.getMessage());
  }

  @Test
  void remote_parsedWithKeyPathRelativeToConfigAndRootDefault() throws IOException {
    RemoteHost host = load(USERS + REMOTE, Map.of()).remotes().get(0);
    assertEquals(22, host.port());
    assertEquals(dir.resolve("keys/archive"), host.privateKey());
    assertEquals(List.of("/"), host.roots());
  }

  @Test
  void remote_withoutHostKey_refusedNamingKey() {
    String yaml = USERS + REMOTE.replaceAll("(?m)^\\s*hostKey:.*\\n", "");
    ConfigException e = assertThrows(ConfigException.class, () -> load(yaml, Map.of()));
    assertTrue(e.getMessage().contains("remotes[0].hostKey"), e.getMessage());
  }

  @Test
  void remote_hostKeyNotAKey_refused() {
    ConfigException e = assertThrows(ConfigException.class,
        () -> load(USERS + REMOTE.replace("SHA256:abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", "*"), Map.of()));
    assertTrue(e.getMessage().contains("no accept-any"), e.getMessage());
  }

  @Test
  void adminHttp_shortToken_refused() {
    ConfigException e = assertThrows(ConfigException.class,
        () -> load(USERS + "admin:\n  http:\n    port: 8090\n    token: short\n", Map.of()));
    assertTrue(e.getMessage().contains("admin.http.token"), e.getMessage());
  }

  static final String TOKENS = "admin:\n  http:\n    port: 8090\n    tokens:\n";

  /** One entry of admin.http.tokens, indented for {@link #TOKENS}. */
  static String token(String name, String key, String value, String role) {
    return "      - name: " + name + "\n        " + key + ": \"" + value + "\"\n        role: " + role + "\n";
  }

  @Test
  void adminHttp_singleToken_isTheAdminTokenNamedDefault() throws IOException {
    JobsConfig config = load(USERS + "admin:\n  http:\n    port: 8090\n    token: ${T}\n",
        Map.of("T", "0123456789abcdef0123"));
    AdminToken token = config.adminHttp().tokens().match("0123456789abcdef0123").orElseThrow();
    assertEquals("default", token.name());
    assertEquals(AdminRole.ADMIN, token.role());
    assertTrue(config.adminHttp().tokens().match("0123456789abcdef012").isEmpty());
  }

  @Test
  void adminHttp_namedTokens_clearOrHashed_withRoles() throws IOException {
    String ciHash = HexFormat.of().formatHex(AdminTokens.sha256("ci-secret-0123456789"));
    JobsConfig config = load(USERS + TOKENS + token("ops", "token", "ops-secret-0123456789", "admin")
        + token("ci", "tokenHash", ciHash.toUpperCase(), "read-only"), Map.of());
    AdminTokens tokens = config.adminHttp().tokens();
    assertEquals(List.of("ops", "ci"), tokens.all().stream().map(AdminToken::name).toList());
    assertEquals(AdminRole.READ_ONLY, tokens.match("ci-secret-0123456789").orElseThrow().role());
    assertEquals(AdminRole.ADMIN, tokens.match("ops-secret-0123456789").orElseThrow().role());
    assertTrue(tokens.match(ciHash).isEmpty(), "the hash itself is not a token");
  }

  @Test
  void adminHttp_badTokens_refusedNamingTheKey() {
    String good = token("ops", "token", "ops-secret-0123456789", "admin");
    Map<String, String> refusals = Map.of(
        USERS + TOKENS + good + token("ops", "token", "other-secret-0123456789", "admin"), "admin.http.tokens[1].name",
        USERS + "admin:\n  http:\n    port: 8090\n    token: default-secret-0123456789\n    tokens:\n"
            + token("default", "token", "other-secret-0123456789", "read-only"), "admin.http.tokens[0].name",
        USERS + TOKENS + token("ci", "token", "", "read-only"), "admin.http.tokens[0].token",
        USERS + TOKENS + token("ci", "token", "ci-secret-0123456789", "reader"), "admin.http.tokens[0].role",
        USERS + TOKENS + token("ci", "tokenHash", "abc123", "read-only"), "admin.http.tokens[0].tokenHash",
        USERS + TOKENS + "      - name: ci\n        role: admin\n", "admin.http.tokens[0].token",
        USERS + TOKENS + "      - name: ci\n        token: ci-secret-0123456789\n", "admin.http.tokens[0].role",
        USERS + "admin:\n  http:\n    port: 8090\n    tokens: []\n", "admin.http.tokens");
    refusals.forEach((yaml, key) -> {
      ConfigException e = assertThrows(ConfigException.class, () -> load(yaml, Map.of()), yaml);
      assertTrue(e.getMessage().contains(key), key + " in: " + e.getMessage());
      assertFalse(e.getMessage().contains("secret-0123456789"), "no token in the error: " + e.getMessage());
    });
  }

  @Test
  void adminHttp_portGiven_onLoopbackByDefault() throws IOException {
    JobsConfig config = load(USERS + "admin:\n  http:\n    port: 8090\n    token: ${T}\n",
        Map.of("T", "0123456789abcdef0123"));
    assertTrue(config.adminHttp().enabled());
    assertEquals("127.0.0.1", config.adminHttp().bindAddress());
  }

  /** The example's jobs, remotes, admin and key-only user sections are valid (its password hash is a placeholder). */
  @Test
  void exampleConfig_loads() throws IOException {
    String example = Files.readString(Path.of("..", "ferry.example.yaml"))
        .replaceAll("passwordHash: \".*\"", "passwordHash: \"" + dev.ferry.core.user.PasswordHasher.hash("x".toCharArray())
            .replace("$", "\\$") + "\"");
    JobsConfig config = load(example, Map.of("SSH_FREE_SPACE_PERCENTAGE", "10", "S3_ACCESS_KEY", "a",
        "S3_SECRET_KEY", "b"));
    assertEquals(10, config.jobs().defaultFreeSpacePercent());
    assertEquals("archive", config.remotes().get(0).name());
  }
}
