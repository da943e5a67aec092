package dev.ferry.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.config.ConfigException;
import dev.ferry.core.config.EnvSubstitution;
import dev.ferry.core.download.DownloadSettings;
import dev.ferry.core.s3.S3Location;
import dev.ferry.core.store.ObjectStore;
import dev.ferry.core.user.PasswordHasher;
import dev.ferry.core.user.Permission;
import dev.ferry.core.user.User;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;

class FerryConfigTest {

  private static final long MIB = 1024L * 1024;

  /** bcrypt at cost 12 takes a while: one hash for the whole class. */
  private static String hash;

  @TempDir
  Path dir;

  @BeforeAll
  static void hashOnce() {
    hash = PasswordHasher.hash("pw".toCharArray());
  }

  private static String user(String name) {
    return "  - name: " + name + "\n"
        + "    passwordHash: '" + hash + "'\n"
        + "    home: s3://ferry-data/" + name + "/\n";
  }

  private static String minimal() {
    return "users:\n" + user("alice");
  }

  private FerryConfig load(String yaml) throws IOException {
    return load(yaml, Map.of());
  }

  private FerryConfig load(String yaml, Map<String, String> env) throws IOException {
    Path file = dir.resolve("ferry.yaml");
    Files.writeString(file, yaml, StandardCharsets.UTF_8);
    return FerryConfig.load(file, env);
  }

  /** Loads {@code yaml}, expects it refused, and checks that the message names {@code key}. */
  private ConfigException refused(String yaml, String key) {
    return refused(yaml, Map.of(), key);
  }

  private ConfigException refused(String yaml, Map<String, String> env, String key) {
    ConfigException e = assertThrows(ConfigException.class, () -> load(yaml, env));
    assertTrue(e.getMessage().contains("'" + key + "'"), "message should name '" + key + "': " + e.getMessage());
    return e;
  }

  // --- scan -------------------------------------------------------------------------------------

  @Test
  void scan_absent_nothingScanned_present_parsedWithDefaults() throws Exception {
    assertNull(load(minimal()).scan());
    FerryConfig config = load(minimal() + """
        scan:
          clamd: unix:/run/clamav/clamd.ctl
          match: { path: "/incoming/**", users: [alice] }
        """);
    assertEquals("unix:/run/clamav/clamd.ctl", config.scan().clamdText());
    assertTrue(config.scan().refuseUnscanned(), "onUnavailable defaults to refuse");
    assertEquals(100 * MIB, config.scan().maxSize());
    assertTrue(config.scan().matches(new dev.ferry.core.scan.ScanSubject("client", "alice", "/incoming/a.csv")));
    assertFalse(config.scan().matches(new dev.ferry.core.scan.ScanSubject("client", "bob", "/incoming/a.csv")));
    assertFalse(config.scan().matches(new dev.ferry.core.scan.ScanSubject("client", "alice", "/other/a.csv")));
    assertFalse(config.scan().matches(new dev.ferry.core.scan.ScanSubject("watch", null, "/incoming/a.csv")),
        "users named: only those users' client uploads");
  }

  @Test
  void scan_badValues_refusedNamingTheKey() {
    refused(minimal() + "scan:\n  match: { path: \"*.csv\" }\n", "scan.clamd");
    refused(minimal() + "scan:\n  clamd: http://127.0.0.1:3310\n", "scan.clamd");
    refused(minimal() + "scan:\n  clamd: unix:clamd.sock\n", "scan.clamd");
    refused(minimal() + "scan:\n  clamd: tcp://127.0.0.1\n", "scan.clamd");
    refused(minimal() + "scan:\n  clamd: tcp://127.0.0.1:3310\n  onUnavailable: ignore\n", "scan.onUnavailable");
    refused(minimal() + "scan:\n  clamd: tcp://127.0.0.1:3310\n  match: { origins: [ftp] }\n", "scan.match.origins");
    refused(minimal() + "scan:\n  clamd: tcp://127.0.0.1:3310\n  quarantine: s3://q/\n", "scan.quarantine");
  }

  // --- valid configs ----------------------------------------------------------------------------

  @Test
  void load_minimalConfig_appliesDefaults() throws Exception {
    FerryConfig config = load(minimal());

    assertEquals(8 * MIB, config.uploads().partSize());
    assertEquals(16 * MIB, config.uploads().singlePutLimit());
    assertTrue(config.uploads().memoryBudget() >= config.uploads().partSize());
    assertNull(config.s3().endpoint());
    assertEquals("us-east-1", config.s3().region());
    assertFalse(config.createBuckets());
    assertEquals(5, config.login().maxFailures());
    assertEquals(dir.toAbsolutePath().resolve("ferry-data"), config.dataDir());
  }

  @Test
  void load_minimalUser_parsedWithReadOnlyDefaults() throws Exception {
    FerryConfig config = load(minimal());

    assertEquals(1, config.users().size());
    User alice = config.users().get(0);
    assertEquals("alice", alice.name());
    assertEquals(hash, alice.passwordHash());
    assertEquals(new S3Location("ferry-data", "alice/"), alice.home());
    assertEquals(EnumSet.of(Permission.LIST, Permission.READ), alice.permissions());
    assertFalse(alice.admin());
    assertTrue(alice.publicKeys().isEmpty());
  }

  @Test
  void load_fullConfig_readsEverySetting() throws Exception {
    FerryConfig config = load("""
        s3:
          endpoint: http://127.0.0.1:9000
          region: eu-west-1
          accessKey: ak
          secretKey: sk
          createBuckets: true
        uploads:
          partSize: 16MiB
          memoryBudget: 1GiB
          partsInFlight: 8
        login:
          maxFailures: 3
          window: 1m
          banDuration: 1h
        users:
        """ + user("alice") + "    permissions: [list, read, write]\n" + user("bob")
        + "    permissions: '*'\n    admin: true\n");

    assertEquals(URI.create("http://127.0.0.1:9000"), config.s3().endpoint());
    assertEquals("eu-west-1", config.s3().region());
    assertEquals("ak", config.s3().accessKey());
    assertEquals("sk", config.s3().secretKey());
    assertTrue(config.createBuckets());
    assertEquals(16 * MIB, config.uploads().partSize());
    assertEquals(1024 * MIB, config.uploads().memoryBudget());
    assertEquals(8, config.uploads().partsInFlight());
    assertEquals(3, config.login().maxFailures());
    assertEquals(Duration.ofMinutes(1), config.login().window());
    assertEquals(Duration.ofHours(1), config.login().banDuration());
    assertEquals(EnumSet.of(Permission.LIST, Permission.READ, Permission.WRITE), config.users().get(0).permissions());
    assertEquals(EnumSet.allOf(Permission.class), config.users().get(1).permissions());
    assertTrue(config.users().get(1).admin());
  }

  @Test
  void load_homeWithoutPrefixOrSlash_normalized() throws Exception {
    FerryConfig config = load("""
        users:
          - name: whole
            passwordHash: '%s'
            home: s3://ferry-data
          - name: noslash
            passwordHash: '%s'
            home: s3://ferry-data/team/noslash
        """.formatted(hash, hash));

    assertEquals(new S3Location("ferry-data", ""), config.users().get(0).home());
    assertEquals(new S3Location("ferry-data", "team/noslash/"), config.users().get(1).home());
  }

  // --- environment substitution -----------------------------------------------------------------

  @Test
  void load_envVariable_substituted() throws Exception {
    FerryConfig config = load("s3:\n  accessKey: ${S3_KEY}\n  secretKey: 'pre-${S3_SECRET}-post'\n" + minimal(),
        Map.of("S3_KEY", "AKIA123", "S3_SECRET", "s3cr3t"));

    assertEquals("AKIA123", config.s3().accessKey());
    assertEquals("pre-s3cr3t-post", config.s3().secretKey());
  }

  @Test
  void load_envDefault_usedWhenUnsetOrEmpty() throws Exception {
    String yaml = "s3:\n  region: ${REGION:-eu-central-1}\nftps:\n  port: ${FTP_PORT:-2200}\n" + minimal();

    FerryConfig unset = load(yaml, Map.of());
    FerryConfig empty = load(yaml, Map.of("REGION", "", "FTP_PORT", ""));
    FerryConfig set = load(yaml, Map.of("REGION", "ap-south-1", "FTP_PORT", "21"));

    assertEquals("eu-central-1", unset.s3().region());
    assertEquals("2200", unset.ftpsSection().string("port", null), "sections kept for the front-ends too");
    assertEquals("eu-central-1", empty.s3().region());
    assertEquals("ap-south-1", set.s3().region());
    assertEquals("21", set.ftpsSection().string("port", null));
  }

  @Test
  void load_envValueWithDollarsAndBackslashes_keptVerbatim() throws Exception {
    // A bcrypt hash is full of '$'; a secret may hold '\' or even "${X}": none is interpreted again.
    FerryConfig config = load("""
        s3:
          secretKey: ${SECRET}
        users:
          - name: alice
            passwordHash: ${ALICE_HASH}
            home: s3://ferry-data/alice/
        """, Map.of("SECRET", "a\\b$1${X}", "ALICE_HASH", hash));

    assertEquals("a\\b$1${X}", config.s3().secretKey());
    assertEquals(hash, config.users().get(0).passwordHash());
  }

  @Test
  void load_doubleDollar_isLiteralDollar() throws Exception {
    FerryConfig config = load("s3:\n  secretKey: 'pa$$word$${NOT_A_VAR}'\n" + minimal());

    assertEquals("pa$word${NOT_A_VAR}", config.s3().secretKey());
  }

  @Test
  void load_missingEnvVariableWithoutDefault_namesKeyAndVariable() {
    ConfigException e = refused("s3:\n  secretKey: ${S3_SECRET}\n" + minimal(), "s3.secretKey");

    assertTrue(e.getMessage().contains("S3_SECRET"), e.getMessage());
  }

  @Test
  void load_missingEnvVariableInUser_namesUserKey() {
    refused("""
        users:
          - name: alice
            passwordHash: ${ALICE_HASH}
            home: s3://ferry-data/alice/
        """, "users[0].passwordHash");
  }

  @Test
  void envSubstitution_emptyValueWithoutDefault_isEmpty() {
    EnvSubstitution env = new EnvSubstitution(Map.of("EMPTY", ""));

    assertEquals("x--y", env.apply("k", "x-${EMPTY}-y"));
  }

  // --- unknown keys -----------------------------------------------------------------------------

  @Test
  void load_reorderWindowAndSpillLimit_defaultsAndSet() throws Exception {
    FerryConfig defaults = load(minimal());
    assertEquals(32 * MIB, defaults.uploads().reorderWindow());
    assertEquals(64 * MIB, defaults.uploads().spillLimit());
    FerryConfig set = load("uploads:\n  reorderWindow: 8MiB\n  spillLimit: 0\n" + minimal());
    assertEquals(8 * MIB, set.uploads().reorderWindow());
    assertEquals(0, set.uploads().spillLimit());
  }

  @Test
  void load_reorderWindowLargerThanBudget_namesKey() {
    refused("uploads:\n  memoryBudget: 64MiB\n  reorderWindow: 1GiB\n" + minimal(), "uploads.reorderWindow");
  }

  @Test
  void load_uploadMemoryWait_defaultAMinuteAndAtLeast100ms() throws Exception {
    refused("uploads:\n  memoryWait: 10ms\n" + minimal(), "uploads.memoryWait");
    assertEquals(Duration.ofMinutes(1), load(minimal()).uploads().memoryWait(), "default");
    assertEquals(Duration.ofSeconds(5), load("uploads:\n  memoryWait: 5s\n" + minimal()).uploads().memoryWait());
  }

  @Test
  void load_publicKeys_keptAsGiven() throws Exception {
    String key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB4Ff0N1B9QiGm8dzXvK9W7mI4u0G2H0bR8Q6ZqX2mXn alice@laptop";
    FerryConfig config = load("users:\n" + user("alice") + "    publicKeys:\n      - \"" + key + "\"\n");
    assertEquals(java.util.List.of(key), config.users().get(0).publicKeys());
  }

  @Test
  void load_badPublicKeyLine_namesItsIndex() {
    String good = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB4Ff0N1B9QiGm8dzXvK9W7mI4u0G2H0bR8Q6ZqX2mXn a";
    // the key material says ssh-ed25519, the line says ssh-rsa
    String lying = "ssh-rsa AAAAC3NzaC1lZDI1NTE5AAAAIB4Ff0N1B9QiGm8dzXvK9W7mI4u0G2H0bR8Q6ZqX2mXn b";
    refused("users:\n" + user("alice") + "    publicKeys:\n      - \"" + good + "\"\n      - \"" + lying + "\"\n",
        "users[0].publicKeys[1]");
    refused("users:\n" + user("alice") + "    publicKeys:\n      - \"ssh-dss AAAA\"\n", "users[0].publicKeys[0]");
    refused("users:\n" + user("alice") + "    publicKeys:\n      - \"ssh-ed25519 not*base64\"\n",
        "users[0].publicKeys[0]");
  }

  @Test
  void load_allowFromAndExpires_unquotedYamlTimestampToo() throws Exception {
    FerryConfig config = load("users:\n" + user("alice") + "    allowFrom: [203.0.113.0/24, \"2001:db8::/32\"]\n"
        + "    expires: 2027-06-30T00:00:00Z\n" + user("bob"));

    User alice = config.users().get(0);
    assertEquals(java.util.List.of("203.0.113.0/24", "2001:db8::/32"), alice.limits().allowFromText());
    assertEquals(java.time.Instant.parse("2027-06-30T00:00:00Z"), alice.limits().expires());
    assertTrue(config.users().get(1).limits().allowFrom().isEmpty());
    assertNull(config.users().get(1).limits().expires());
  }

  @Test
  void load_badAllowFromOrExpires_namesTheKey() {
    ConfigException host = refused("users:\n" + user("alice") + "    allowFrom: [10.0.0.0/8, partner.example]\n",
        "users[0].allowFrom[1]");
    assertTrue(host.getMessage().contains("got 'partner.example'"), host.getMessage());
    refused("users:\n" + user("alice") + "    expires: next june\n", "users[0].expires");
  }

  @Test
  void load_writeOptions_ofTheNodeAndOfAUser() throws Exception {
    FerryConfig config = load("s3:\n  sse: AES256\n  storageClass: STANDARD_IA\n  tags: {env: prod}\n"
        + "users:\n" + user("alice") + "    s3:\n      sse: aws:kms\n      kmsKeyId: alias/partners\n"
        + "      bucketKey: true\n      acl: bucket-owner-full-control\n      tags:\n        partner: alice\n");

    assertEquals(new dev.ferry.core.s3.WriteOptions("AES256", null, null, "STANDARD_IA", null, Map.of("env", "prod")),
        config.objectDefaults().main());
    assertEquals(new dev.ferry.core.s3.WriteOptions("aws:kms", "alias/partners", true, null,
        "bucket-owner-full-control", Map.of("partner", "alice")), config.users().get(0).objects());
  }

  @Test
  void load_badWriteOptions_namesTheKey() {
    refused("s3:\n  sse: AES128\n" + minimal(), "s3.sse");
    refused("users:\n" + user("alice") + "    s3:\n      storageClass: COLD\n", "users[0].s3.storageClass");
    refused("users:\n" + user("alice") + "    s3:\n      kmsKeyId: k\n", "users[0].s3.kmsKeyId");
    refused("users:\n" + user("alice") + "    s3:\n      encryption: AES256\n", "users[0].s3.encryption");
    ConfigException shared = refused("users:\n" + user("alice") + "    s3: {sse: AES256}\n"
        + "  - name: bob\n    passwordHash: '" + hash + "'\n    home: s3://ferry-data/alice/\n", "users");
    assertTrue(shared.getMessage().contains("'alice' and 'bob' share the home"), shared.getMessage());
  }

  @Test
  void load_bandwidth_ofAUserAndOfTheNode() throws Exception {
    FerryConfig config = load("sessions:\n  bandwidth: { down: 100MiB/s }\n"
        + "users:\n" + user("alice") + "    bandwidth: { up: 20MiB/s, down: 512KiB }\n" + user("bob"));

    assertEquals(new dev.ferry.core.bandwidth.BandwidthLimit(20 * MIB, 512 * 1024), config.users().get(0).bandwidth());
    assertEquals(dev.ferry.core.bandwidth.BandwidthLimit.NONE, config.users().get(1).bandwidth());
    assertEquals(new dev.ferry.core.bandwidth.BandwidthLimit(0, 100 * MIB), config.sessions().bandwidth());
    refused("users:\n" + user("alice") + "    bandwidth: { up: fast }\n", "users[0].bandwidth.up");
    refused("users:\n" + user("alice") + "    bandwidth: { sideways: 1MiB/s }\n", "users[0].bandwidth.sideways");
  }

  @Test
  void load_quota_bytesAndFiles() throws Exception {
    FerryConfig config = load("users:\n" + user("alice") + "    quota: { bytes: 10GiB, files: 100000 }\n" + user("bob"));

    assertEquals(new dev.ferry.core.quota.QuotaLimit(10L << 30, 100000), config.users().get(0).quota());
    assertTrue(config.users().get(1).quota().isNone());
    refused("users:\n" + user("alice") + "    quota: { bytes: plenty }\n", "users[0].quota.bytes");
    refused("users:\n" + user("alice") + "    quota: { files: -1 }\n", "users[0].quota.files");
    refused("users:\n" + user("alice") + "    quota: { inodes: 5 }\n", "users[0].quota.inodes");
  }

  @Test
  void load_folders_oneLevelUnderTheRoot_noOverlaps() throws Exception {
    FerryConfig config = load("users:\n" + user("alice") + "    folders:\n"
        + "      - { path: /shared, target: s3://library/pub/, permissions: [list, read] }\n"
        + "      - { path: /drop, target: s3://ferry-data/drop/alice/, permissions: [write],"
        + " quota: { bytes: 1GiB, files: 10 } }\n");

    assertEquals(List.of("shared", "drop"), config.users().get(0).folders().stream()
        .map(dev.ferry.core.user.VirtualFolder::name).toList());
    assertEquals(new S3Location("library", "pub/"), config.users().get(0).folders().get(0).target());
    assertEquals(EnumSet.of(Permission.LIST, Permission.READ), config.users().get(0).folders().get(0).permissions());
    assertEquals(new dev.ferry.core.quota.QuotaLimit(1L << 30, 10), config.users().get(0).folders().get(1).quota());
    assertTrue(config.users().get(0).folders().get(0).quota().isNone());
    refused("users:\n" + user("alice") + "    folders:\n      - { path: /x, target: s3://lib/p/, quota: { bytes: lots } }\n",
        "users[0].folders[0].quota.bytes");
    String folder = "users:\n" + user("alice") + "    folders:\n      - { path: %s, target: %s }\n";
    refused(folder.formatted("/a/b", "s3://library/pub/"), "users[0].folders[0].path");
    refused(folder.formatted("/", "s3://library/pub/"), "users[0].folders[0].path");
    refused(folder.formatted("/x", "s3://ferry-data/alice/sub/"), "users[0].folders[0].target");
    refused(folder.formatted("/x", "library/pub"), "users[0].folders[0].target");
    refused("users:\n" + user("alice") + "    folders:\n      - { path: /a, target: s3://lib1/p/ }\n"
        + "      - { path: /b, target: s3://lib1/p/q/ }\n", "users[0].folders[1].target");
  }

  @Test
  void load_storages_foldersOnThem_eachBucketOnOneStorage() throws Exception {
    String storages = "storages:\n  - { name: archive, endpoint: 'http://127.0.0.1:9100', accessKey: k2, secretKey: s2,"
        + " region: eu-west-1, storageClass: GLACIER_IR }\n";
    FerryConfig config = load("s3:\n  sse: AES256\n" + storages + "users:\n" + user("alice") + "    folders:\n"
        + "      - { path: /old, target: s3://cold/alice/, storage: archive, s3: { tags: { kept: 10y } } }\n"
        + "      - { path: /shared, target: s3://library/pub/ }\n"
        + user("bob") + "    folders:\n      - { path: /old, target: s3://cold/bob/, storage: archive }\n");

    assertEquals(List.of("archive", "s3"), config.users().get(0).folders().stream()
        .map(dev.ferry.core.user.VirtualFolder::storage).toList());
    ObjectStore.Storage archive = config.storages().get(0);
    assertEquals("archive", archive.name());
    assertEquals(java.net.URI.create("http://127.0.0.1:9100"), archive.settings().endpoint());
    assertEquals("eu-west-1", archive.settings().region());
    assertEquals("storage 'archive' at http://127.0.0.1:9100", config.describeStorage("archive"));
    assertEquals(new dev.ferry.core.s3.WriteOptions(null, null, null, "GLACIER_IR", null, Map.of()),
        config.objectDefaults().forStorage("archive"), "the storage's own, not the s3: section's AES256");
    assertEquals("AES256", config.objectDefaults().forStorage(null).sse());
    assertEquals(Map.of("kept", "10y"), config.users().get(0).folders().get(0).objects().tags());
    refused(storages + "users:\n" + user("alice") + "    folders:\n"
        + "      - { path: /old, target: s3://cold/alice/, s3: { storageClass: COLD } }\n",
        "users[0].folders[0].s3.storageClass");

    String folder = "users:\n" + user("alice") + "    folders:\n      - { path: /old, target: %s, storage: %s }\n";
    ConfigException unknown = refused(storages + folder.formatted("s3://cold/alice/", "glacier"),
        "users[0].folders[0].storage");
    assertTrue(unknown.getMessage().contains("known: s3, archive"), unknown.getMessage());
    ConfigException twice = refused(storages + folder.formatted("s3://ferry-data/old/", "archive"),
        "users[0].folders[0].target");
    assertTrue(twice.getMessage().contains("users[0].home") && twice.getMessage().contains("one storage"),
        twice.getMessage());
    refused(storages + "users:\n" + user("alice") + "    folders:\n"
        + "      - { path: /a, target: s3://cold/a/, storage: archive }\n"
        + "      - { path: /b, target: s3://cold/b/ }\n", "users[0].folders[1].target");
    refused("storages:\n  - { name: s3, endpoint: 'http://127.0.0.1:9100' }\n" + minimal(), "storages[0].name");
    refused("storages:\n  - { name: Cold Store }\n" + minimal(), "storages[0].name");
    refused(storages + "  - { name: archive }\n" + minimal(), "storages[1].name");
    refused("storages:\n  - { name: archive, endpoint: 'ftp://x' }\n" + minimal(), "storages[0].endpoint");
    refused("storages:\n  - { name: archive, bucket: x }\n" + minimal(), "storages[0].bucket");
  }

  @Test
  void load_unknownTopLevelKey_namesIt() {
    refused("usres: []\n" + minimal(), "usres");
  }

  @Test
  void load_unknownUserKey_namesIt() {
    refused(minimal() + "    password: hunter2\n", "users[0].password");
  }

  // --- downloads --------------------------------------------------------------------------------

  @Test
  void load_downloadsSection_setsReadAhead() throws Exception {
    FerryConfig config = load("downloads:\n  rangeSize: 2MiB\n  rangesAhead: 6\n  memoryBudget: 48MiB\n"
        + "  sessionShare: 12MiB\n  memoryWait: 90s\n" + minimal());

    assertEquals(new DownloadSettings(2 * (int) MIB, 6, 48 * MIB, 12 * MIB, Duration.ofSeconds(90)), config.downloads());
    assertEquals(Duration.ofMinutes(1), load(minimal()).downloads().memoryWait(), "default");
  }

  @Test
  void load_sessionShareDefault_anEighthOfTheBudgetButOneFullDownloadAndARange() throws Exception {
    assertEquals(100 * MIB, load("downloads:\n  memoryBudget: 800MiB\n" + minimal()).downloads().sessionShare());
    assertEquals(6 * 4 * MIB, load("downloads:\n  memoryBudget: 64MiB\n" + minimal()).downloads().sessionShare(),
        "four ranges ahead, the one read and one for a second file");
    assertEquals(8 * MIB, load("downloads:\n  memoryBudget: 8MiB\n" + minimal()).downloads().sessionShare(),
        "never more than the budget");
  }

  @Test
  void load_sessionShareOutsideRangeAndBudget_namesKey() {
    refused("downloads:\n  sessionShare: 1MiB\n" + minimal(), "downloads.sessionShare");
    refused("downloads:\n  memoryBudget: 64MiB\n  sessionShare: 65MiB\n" + minimal(), "downloads.sessionShare");
  }

  @Test
  void load_noStore_embeddedStateStoreInTheDataDir() throws Exception {
    FerryConfig config = load("dataDir: data\n" + minimal());

    assertTrue(config.stateStore().embedded());
    assertEquals(dir.resolve("data").resolve("state.db"), config.stateStore().embeddedFile());
  }

  @Test
  void load_postgresStore_urlUserAndPasswordFromTheEnvironment() throws Exception {
    FerryConfig config = load("store:\n  url: jdbc:postgresql://db.internal:5432/ferry\n  user: ferry\n"
        + "  password: ${DB_PASSWORD}\n  maxConnections: 20\n" + minimal(), Map.of("DB_PASSWORD", "pw"));

    assertFalse(config.stateStore().embedded());
    assertEquals("jdbc:postgresql://db.internal:5432/ferry", config.stateStore().url());
    assertEquals("pw", config.stateStore().password());
    assertEquals(20, config.stateStore().maxConnections());
    assertFalse(config.stateStore().toString().contains("pw"), "the password must not reach logs");
  }

  @Test
  void load_storeNodeNameAndLease_validated() throws Exception {
    FerryConfig config = load("store:\n  nodeName: ferry-b\n  lease: 30s\n" + minimal());
    assertEquals("ferry-b", config.stateStore().nodeName());
    assertEquals(Duration.ofSeconds(30), config.stateStore().lease());
    assertEquals(Duration.ofSeconds(15), load(minimal()).stateStore().lease(), "default");
    refused("store:\n  lease: 500ms\n" + minimal(), "store.lease");
    refused("store:\n  nodeName: \"two words\"\n" + minimal(), "store.nodeName");
  }

  @Test
  void load_storeOtherThanPostgres_refusedNamingTheKey() {
    ConfigException e = refused("store:\n  url: jdbc:mysql://db/ferry\n" + minimal(), "store.url");
    assertTrue(e.getMessage().contains("jdbc:postgresql://"), e.getMessage());
    refused("store:\n  user: ferry\n" + minimal(), "store.user");
    refused("store:\n  url: jdbc:postgresql://db/ferry\n  pasword: x\n" + minimal(), "store.pasword");
  }

  @Test
  void load_listingsClientTimes_onByDefaultAndCanBeTurnedOff() throws Exception {
    assertTrue(load(minimal()).listingClientTimes());
    assertFalse(load("listings:\n  clientTimes: false\n" + minimal()).listingClientTimes());
    assertEquals(Duration.ofSeconds(5), load(minimal()).directoryCacheTime());
    assertEquals(Duration.ZERO, load("listings:\n  directoryCacheTime: 0s\n" + minimal()).directoryCacheTime());
    refused("listings:\n  clientTime: false\n" + minimal(), "listings.clientTime");
  }

  @Test
  void load_memoryWaitTooShort_namesKey() {
    refused("downloads:\n  memoryWait: 0s\n" + minimal(), "downloads.memoryWait");
  }

  @Test
  void load_rangeSizeOutOfBounds_namesKey() {
    refused("downloads:\n  rangeSize: 1KiB\n" + minimal(), "downloads.rangeSize");
    refused("downloads:\n  rangeSize: 1GiB\n" + minimal(), "downloads.rangeSize");
  }

  @Test
  void load_downloadBudgetBelowOneRange_namesKey() {
    refused("downloads:\n  rangeSize: 8MiB\n  memoryBudget: 1MiB\n" + minimal(), "downloads.memoryBudget");
  }

  @Test
  void load_rangesAheadZero_namesKey() {
    refused("downloads:\n  rangesAhead: 0\n" + minimal(), "downloads.rangesAhead");
  }

  // --- uploads ----------------------------------------------------------------------------------

  @Test
  void load_singlePutLimitBelowPartSize_namesKey() {
    refused("uploads:\n  partSize: 16MiB\n  singlePutLimit: 8MiB\n" + minimal(), "uploads.singlePutLimit");
  }

  @Test
  void load_singlePutLimitAboveBudget_namesKey() {
    refused("uploads:\n  memoryBudget: 32MiB\n  singlePutLimit: 64MiB\n" + minimal(), "uploads.singlePutLimit");
  }

  @Test
  void load_smallBudget_singlePutLimitDefaultsWithinIt() throws Exception {
    FerryConfig config = load("uploads:\n  partSize: 5MiB\n  memoryBudget: 10MiB\n" + minimal());

    assertEquals(10 * MIB, config.uploads().singlePutLimit());
  }

  @Test
  void load_partSizeBelow5MiB_namesKey() {
    refused("uploads:\n  partSize: 1MiB\n" + minimal(), "uploads.partSize");
  }

  @Test
  void load_partSizeAbove5GiB_namesKey() {
    refused("uploads:\n  partSize: 6GiB\n  memoryBudget: 8GiB\n" + minimal(), "uploads.partSize");
  }

  @Test
  void load_partSizeNotASize_namesKey() {
    ConfigException e = refused("uploads:\n  partSize: big\n" + minimal(), "uploads.partSize");

    assertTrue(e.getMessage().contains("big"), e.getMessage());
  }

  @Test
  void load_partSizeTooManyDigits_namesKey() {
    // A typo with extra digits must be reported like any other bad size, not crash start-up.
    refused("uploads:\n  partSize: 80000000000000000000\n" + minimal(), "uploads.partSize");
  }

  @Test
  void load_memoryBudgetSmallerThanPartSize_namesKey() {
    refused("uploads:\n  partSize: 64MiB\n  memoryBudget: 32MiB\n" + minimal(), "uploads.memoryBudget");
  }

  // --- s3 ---------------------------------------------------------------------------------------

  @Test
  void load_endpointNotHttp_namesKey() {
    refused("s3:\n  endpoint: ftp://minio:9000\n" + minimal(), "s3.endpoint");
    refused("s3:\n  endpoint: minio:9000\n" + minimal(), "s3.endpoint");
  }

  @Test
  void load_endpointNotAUri_namesKey() {
    // A stray space from a pasted value, or a URL cut short: config errors, not IllegalArgumentException.
    refused("s3:\n  endpoint: 'http://minio :9000'\n" + minimal(), "s3.endpoint");
    refused("s3:\n  endpoint: http://\n" + minimal(), "s3.endpoint");
  }

  // --- users ------------------------------------------------------------------------------------

  @Test
  void load_homeNotS3Url_namesKey() {
    refused("users:\n  - name: alice\n    passwordHash: '" + hash + "'\n    home: /data/alice\n",
        "users[0].home");
    refused("users:\n  - name: alice\n    passwordHash: '" + hash + "'\n    home: https://ferry-data/alice/\n",
        "users[0].home");
  }

  @Test
  void load_homeBadBucketName_namesKeyAndBucket() {
    ConfigException e = refused(
        "users:\n  - name: alice\n    passwordHash: '" + hash + "'\n    home: s3://Ferry_Data/alice/\n",
        "users[0].home");

    assertTrue(e.getMessage().contains("Ferry_Data"), e.getMessage());
    refused("users:\n  - name: alice\n    passwordHash: '" + hash + "'\n    home: s3://ab/alice/\n",
        "users[0].home");
  }

  @Test
  void load_homePrefixClimbs_namesKey() {
    refused("users:\n  - name: alice\n    passwordHash: '" + hash + "'\n    home: s3://ferry-data/alice/../bob/\n",
        "users[0].home");
  }

  @Test
  void load_homeMissing_namesKey() {
    refused("users:\n  - name: alice\n    passwordHash: '" + hash + "'\n", "users[0].home");
  }

  @Test
  void load_passwordHashNotBcrypt_namesKeyWithoutEchoingIt() {
    ConfigException e = refused(
        "users:\n  - name: alice\n    passwordHash: hunter2\n    home: s3://ferry-data/alice/\n",
        "users[0].passwordHash");

    assertFalse(e.getMessage().contains("hunter2"), "a plaintext password must not reach the log");
    refused("users:\n  - name: alice\n    passwordHash: '{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g='\n"
        + "    home: s3://ferry-data/alice/\n", "users[0].passwordHash");
  }

  @Test
  void load_duplicateUserNames_namesSecondEntry() {
    ConfigException e = refused("users:\n" + user("alice") + user("bob") + user("alice"), "users[2].name");

    assertTrue(e.getMessage().contains("alice"), e.getMessage());
    assertTrue(e.getMessage().contains("twice"), e.getMessage());
  }

  @Test
  void load_badUserName_namesKey() {
    refused("users:\n  - name: 'al ice'\n    passwordHash: '" + hash + "'\n    home: s3://ferry-data/a/\n",
        "users[0].name");
  }

  @Test
  void load_unknownPermission_namesKeyAndPermission() {
    ConfigException e = refused(minimal() + "    permissions: [list, fly]\n", "users[0].permissions");

    assertTrue(e.getMessage().contains("fly"), e.getMessage());
  }

  @Test
  void authHttp_parsedWithDefaults_badUrlOrKeyRefusedNamingIt() throws Exception {
    FerryConfig config = load("auth:\n  http:\n    url: https://idp.example.com/ferry\n" + minimal());
    assertEquals(java.net.URI.create("https://idp.example.com/ferry"), config.authHttp().url());
    assertEquals(java.time.Duration.ofSeconds(5), config.authHttp().timeout());
    assertEquals(java.time.Duration.ofMinutes(1), config.authHttp().cacheFor());
    assertEquals(null, load(minimal()).authHttp(), "no provider unless configured");
    ConfigException scheme = refused("auth:\n  http:\n    url: ftp://idp/x\n" + minimal(), "auth.http.url");
    assertTrue(scheme.getMessage().contains("http:// or https://"), scheme.getMessage());
    refused("auth:\n  http:\n    timeout: 2s\n" + minimal(), "auth.http.url");
    refused("auth:\n  http:\n    url: http://idp/x\n    timeout: 0s\n" + minimal(), "auth.http.timeout");
    refused("auth:\n  kerberos:\n    realm: X\n" + minimal(), "auth.kerberos");
  }

  @Test
  void authLdap_parsed_missingPartsOrTwoSourcesRefusedNamingTheKey() throws Exception {
    String groups = "    groups:\n      - dn: cn=partners,dc=example,dc=com\n        home: s3://bucket/{user}/\n";
    FerryConfig config = load("auth:\n  ldap:\n    url: ldaps://dir.example.com\n    userDn: \"uid={user},dc=example,dc=com\"\n"
        + groups + minimal());
    assertEquals("ldaps", config.authLdap().url().getScheme());
    assertEquals(1, config.authLdap().groups().size());
    refused("auth:\n  ldap:\n    url: http://dir\n    userDn: \"uid={user}\"\n" + groups + minimal(), "auth.ldap.url");
    refused("auth:\n  ldap:\n    url: ldap://dir\n    userDn: uid=fixed\n" + groups + minimal(), "auth.ldap.userDn");
    refused("auth:\n  ldap:\n    url: ldap://dir\n    userDn: \"uid={user}\"\n" + minimal(), "auth.ldap.groups");
    refused("auth:\n  ldap:\n    url: ldaps://dir\n    startTls: true\n    userDn: \"uid={user}\"\n" + groups
        + minimal(), "auth.ldap.startTls");
    refused("auth:\n  http:\n    url: http://idp/x\n  ldap:\n    url: ldap://dir\n    userDn: \"uid={user}\"\n"
        + groups + minimal(), "auth.ldap");
  }

  @Test
  void load_noUsers_namesUsersKey() {
    // The file parses; the gateway refuses to start with no user and no application authenticator.
    for (String yaml : java.util.List.of("ftps:\n  port: 2121\n", "users: []\n")) {
      ConfigException e = assertThrows(ConfigException.class,
          () -> new dev.ferry.core.user.UserRegistry(load(yaml).users(), java.time.Clock.systemUTC(), null));
      assertTrue(e.getMessage().contains("users") && e.getMessage().contains("at least one user"), e.getMessage());
    }
  }

  @Test
  void load_userNotASection_namesEntry() {
    refused("users:\n  - alice\n", "users[0]");
  }

  // --- the file itself --------------------------------------------------------------------------

  @Test
  void load_invalidYaml_saysSo() {
    ConfigException e = assertThrows(ConfigException.class, () -> load("users: [\n  - name: alice\n"));

    assertTrue(e.getMessage().contains("not valid YAML"), e.getMessage());
    assertTrue(e.getMessage().contains("ferry.yaml"), "should name the file: " + e.getMessage());
  }

  @Test
  void load_yamlNotAMapping_saysSo() {
    ConfigException e = assertThrows(ConfigException.class, () -> load("- just\n- a list\n"));

    assertTrue(e.getMessage().contains("mapping"), e.getMessage());
  }

  @Test
  void load_missingFile_saysCannotRead() {
    Path missing = dir.resolve("nope.yaml");

    ConfigException e = assertThrows(ConfigException.class, () -> FerryConfig.load(missing, Map.of()));

    assertTrue(e.getMessage().contains("cannot read"), e.getMessage());
    assertTrue(e.getMessage().contains("nope.yaml"), e.getMessage());
  }

  @Test
  void load_sectionGivenAsScalar_namesKey() {
    refused("ftps: on\n" + minimal(), "ftps");
  }
}
