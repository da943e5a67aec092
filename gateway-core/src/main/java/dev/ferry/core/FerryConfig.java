package dev.ferry.core;

import dev.ferry.core.bandwidth.BandwidthLimit;
import dev.ferry.core.config.ConfigException;
import dev.ferry.core.config.ConfigFile;
import dev.ferry.core.config.ConfigNode;
import dev.ferry.core.config.InvalidFieldException;
import dev.ferry.core.download.DownloadSettings;
import dev.ferry.core.path.BadPathException;
import dev.ferry.core.path.VirtualPath;
import dev.ferry.core.quota.QuotaLimit;
import dev.ferry.core.scan.ScanSettings;
import dev.ferry.core.s3.S3Location;
import dev.ferry.core.s3.WriteDefaults;
import dev.ferry.core.s3.WriteOptions;
import dev.ferry.core.session.SessionLimits;
import dev.ferry.core.session.TrustedProxies;
import dev.ferry.core.state.StateStoreSettings;
import dev.ferry.core.store.ObjectStore;
import dev.ferry.core.upload.PartSizePolicy;
import dev.ferry.core.user.AuthorizedKeyLine;
import dev.ferry.core.user.Places;
import dev.ferry.core.user.HttpIdentityProvider;
import dev.ferry.core.user.LdapIdentityProvider;
import dev.ferry.core.user.LoginGuard;
import dev.ferry.core.user.LoginLimits;
import dev.ferry.core.user.PasswordHasher;
import dev.ferry.core.user.Permission;
import dev.ferry.core.user.User;
import dev.ferry.core.user.UserPolicy;
import dev.ferry.core.user.VirtualFolder;
import dev.ferry.core.user.VirtualFolders;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The gateway's configuration as core needs it, read from one YAML file with environment
 * substitution. The {@code ftps:} and {@code sftp:} sections are kept unparsed: each front-end owns
 * its settings and parses its section (the server does so right after loading, before anything
 * starts). The jobs, remotes and admin sections of the same file are gateway-jobs' to parse, from
 * {@link #file()}.
 */
public record FerryConfig(Path dataDir, ObjectStore.Settings s3, boolean createBuckets, ConfigNode ftpsSection,
    ConfigNode sftpSection, UploadSettings uploads, DownloadSettings downloads, LoginGuard.Settings login,
    Duration shutdownGrace, int renameParallelism, boolean listingClientTimes, Duration directoryCacheTime,
    List<User> users, WriteDefaults objectDefaults, StateStoreSettings stateStore, SessionLimits sessions,
    TrustedProxies trustedProxies,
    HttpIdentityProvider.Settings authHttp, LdapIdentityProvider.Settings authLdap, ScanSettings scan,
    List<ObjectStore.Storage> storages, ConfigFile file) {

  /** The name a folder gives as {@code storage:} for the {@code s3:} service, also its default. */
  private static final String MAIN_STORAGE = VirtualFolders.MAIN_STORAGE;

  /**
   * How uploads use memory and S3. Files written at offsets (SFTP) reorder writes up to
   * {@code reorderWindow} bytes ahead in memory and keep a spill copy of files up to
   * {@code spillLimit} bytes for rewrites and far-ahead writes (0: no spill copy). Files up to
   * {@code singlePutLimit} bytes are one PUT when the budget has room. A write held out of order
   * waits up to {@code memoryWait} for memory before it fails.
   */
  public record UploadSettings(long partSize, int partsInFlight, long memoryBudget, Duration orphanAge,
      long reorderWindow, long spillLimit, long singlePutLimit, Duration memoryWait, SpillLimits spill) {}

  /**
   * The disk spill files may take on this node: in all ({@code budget}), for one user's sessions
   * and for one session. -1: the default, made when the spill directory is known (half its free
   * space at start; half the budget per user; eight files at the spill limit per session).
   */
  public record SpillLimits(long budget, long perUser, long perSession) {}

  /** Where the S3 service is, for messages that name it (only core.store talks to it). */
  public URI s3Endpoint() {
    return s3.endpoint();
  }

  /** Storage {@code name} (null or "s3": the s3: service), for messages: "storage 'name' at URL", or "s3 at URL". */
  public String describeStorage(String name) {
    for (ObjectStore.Storage storage : storages) {
      if (storage.name().equals(name)) {
        return "storage '" + name + "' at " + storage.settings().endpoint();
      }
    }
    return MAIN_STORAGE + " at " + (s3.endpoint() == null ? "AWS" : s3.endpoint());
  }

  /** The names of the storages of {@code storages:}. */
  public java.util.Set<String> storageNames() {
    return storages.stream().map(ObjectStore.Storage::name).collect(java.util.stream.Collectors.toSet());
  }

  public static FerryConfig load(Path file, Map<String, String> environment) {
    return parse(ConfigFile.load(file, environment));
  }

  /** Parses and checks a configuration built in code ({@link ConfigFile#of}) as ferry.yaml's is. */
  public static FerryConfig parse(ConfigFile file) {
    ConfigNode root = file.root();
    Path base = file.directory();
    // jobs, remotes, syncs, admin, watch, workflows, metrics and batches are known here so that a typo in any top-level
    // key is refused at once, with one list of what is allowed; gateway-jobs parses them.
    root.allowOnly("dataDir", "s3", "ftps", "sftp", "uploads", "downloads", "listings", "login", "shutdown", "rename", "users",
        "jobs", "remotes", "syncs", "admin", "store", "sessions", "watch", "workflows", "metrics", "batches",
        "proxyProtocol", "auth", "scan", "storages");
    Path dataDir = base.resolve(root.string("dataDir", "ferry-data"));

    ConfigNode s3 = root.section("s3");
    List<String> s3Keys = new ArrayList<>(List.of("endpoint", "region", "accessKey", "secretKey", "pathStyle",
        "maxConnections", "conditionalWrites", "createBuckets"));
    s3Keys.addAll(WRITE_OPTION_KEYS);
    s3.allowOnly(s3Keys.toArray(String[]::new));
    ObjectStore.Settings store = storeSettings(s3);
    Map<String, StorageEntry> otherStorages = storages(root.sections("storages"));

    // Taken here, so that a section given as a value ("ftps: on") is refused on load like any other.
    ConfigNode ftps = root.section("ftps");
    ConfigNode sftp = root.section("sftp");

    ConfigNode up = root.section("uploads");
    up.allowOnly("partSize", "partsInFlight", "memoryBudget", "orphanAge", "reorderWindow", "spillLimit",
        "singlePutLimit", "memoryWait", "spillBudget", "spillPerUser", "spillPerSession");
    long partSize = up.bytes("partSize", 8L << 20);
    if (partSize < PartSizePolicy.MIN_PART_SIZE || partSize > PartSizePolicy.MAX_PART_SIZE) {
      throw new ConfigException(up.keyOf("partSize"), "must be between 5MiB and 5GiB (S3's part limits)");
    }
    long defaultBudget = Math.max(32L << 20, Runtime.getRuntime().maxMemory() * 2 / 5);
    long budget = up.bytes("memoryBudget", defaultBudget);
    if (budget < partSize) {
      throw new ConfigException(up.keyOf("memoryBudget"), "must hold at least one part (" + partSize + " bytes)");
    }
    long reorderWindow = up.bytes("reorderWindow", Math.min(budget, 32L << 20));
    if (reorderWindow < 0 || reorderWindow > budget) {
      throw new ConfigException(up.keyOf("reorderWindow"), "must be between 0 and uploads.memoryBudget (" + budget
          + " bytes)");
    }
    long singlePutLimit = up.bytes("singlePutLimit", Math.min(budget, Math.max(partSize, 16L << 20)));
    if (singlePutLimit < partSize || singlePutLimit > PartSizePolicy.MAX_PART_SIZE || singlePutLimit > budget) {
      throw new ConfigException(up.keyOf("singlePutLimit"), "must be between uploads.partSize (" + partSize
          + " bytes) and both 5GiB and uploads.memoryBudget (" + budget + " bytes)");
    }
    Duration uploadWait = up.duration("memoryWait", Duration.ofMinutes(1));
    if (uploadWait.toMillis() < 100) {
      throw new ConfigException(up.keyOf("memoryWait"), "must be at least 100ms, got " + uploadWait.toMillis() + "ms");
    }
    long spillLimit = up.bytes("spillLimit", 64L << 20);
    SpillLimits spill = new SpillLimits(up.bytes("spillBudget", -1), up.bytes("spillPerUser", -1),
        up.bytes("spillPerSession", -1));
    if (spill.budget() == 0 || spill.perUser() == 0 || spill.perSession() == 0) {
      throw new ConfigException(up.keyOf(spill.budget() == 0 ? "spillBudget" : spill.perUser() == 0 ? "spillPerUser"
          : "spillPerSession"), "must be more than 0 (uploads.spillLimit: 0 turns spill files off)");
    }
    if (spill.perUser() > 0 && spill.budget() > 0 && spill.perUser() > spill.budget()) {
      throw new ConfigException(up.keyOf("spillPerUser"), "must be at most uploads.spillBudget (" + spill.budget()
          + " bytes)");
    }
    if (spill.perSession() > 0 && spill.perUser() > 0 && spill.perSession() > spill.perUser()) {
      throw new ConfigException(up.keyOf("spillPerSession"), "must be at most uploads.spillPerUser ("
          + spill.perUser() + " bytes)");
    }
    UploadSettings uploads = new UploadSettings(partSize, up.integer("partsInFlight", 4, 1, 64), budget,
        up.duration("orphanAge", Duration.ofMinutes(1)), reorderWindow, spillLimit, singlePutLimit, uploadWait,
        spill);

    ConfigNode down = root.section("downloads");
    down.allowOnly("rangeSize", "rangesAhead", "memoryBudget", "sessionShare", "memoryWait");
    long rangeSize = down.bytes("rangeSize", 4L << 20);
    if (rangeSize < (64 << 10) || rangeSize > (64L << 20)) {
      throw new ConfigException(down.keyOf("rangeSize"), "must be between 64KiB and 64MiB");
    }
    long downloadBudget = down.bytes("memoryBudget", Math.max(rangeSize, Runtime.getRuntime().maxMemory() / 8));
    if (downloadBudget < rangeSize) {
      throw new ConfigException(down.keyOf("memoryBudget"), "must hold at least one range (" + rangeSize + " bytes)");
    }
    int rangesAhead = down.integer("rangesAhead", 4, 1, 32);
    long sessionShare = down.bytes("sessionShare",
        DownloadSettings.defaultSessionShare(rangeSize, rangesAhead, downloadBudget));
    if (sessionShare < rangeSize || sessionShare > downloadBudget) {
      throw new ConfigException(down.keyOf("sessionShare"), "must be between downloads.rangeSize (" + rangeSize
          + " bytes) and downloads.memoryBudget (" + downloadBudget + " bytes)");
    }
    Duration memoryWait = down.duration("memoryWait", Duration.ofMinutes(1));
    if (memoryWait.toMillis() < 100) {
      throw new ConfigException(down.keyOf("memoryWait"), "must be at least 100ms, got " + memoryWait.toMillis() + "ms");
    }
    DownloadSettings downloads = new DownloadSettings((int) rangeSize, rangesAhead, downloadBudget, sessionShare,
        memoryWait);

    ConfigNode login = root.section("login");
    login.allowOnly("failureDelay", "maxFailures", "window", "banDuration");
    LoginGuard.Settings guard = new LoginGuard.Settings(login.duration("failureDelay", Duration.ofSeconds(1)),
        login.integer("maxFailures", 5, 1, 1000), login.duration("window", Duration.ofMinutes(10)),
        login.duration("banDuration", Duration.ofMinutes(15)));

    ConfigNode shutdown = root.section("shutdown");
    shutdown.allowOnly("grace");
    ConfigNode rename = root.section("rename");
    rename.allowOnly("parallelism");
    ConfigNode listings = root.section("listings");
    listings.allowOnly("clientTimes", "directoryCacheTime");

    List<ConfigNode> userNodes = root.sections("users"); // none is refused by UserRegistry, unless an application authenticates
    Set<String> names = new HashSet<>();
    List<User> users = userNodes.stream().map(node -> user(node, names, otherStorages.keySet())).toList();
    checkBucketsOnOneStorage(users, userNodes);
    List<ObjectStore.Storage> storages = new ArrayList<>();
    Map<String, WriteOptions> storageObjects = new HashMap<>();
    otherStorages.forEach((name, entry) -> {
      storages.add(new ObjectStore.Storage(name, entry.settings()));
      storageObjects.put(name, entry.objects());
    });
    WriteDefaults objectDefaults = new WriteDefaults(writeOptions(s3), storageObjects);
    try {
      Places.of(objectDefaults, users);
    } catch (IllegalArgumentException e) {
      throw new ConfigException("users", e.getMessage());
    }

    return new FerryConfig(dataDir, store, s3.bool("createBuckets", false), ftps, sftp, uploads,
        downloads, guard, shutdown.duration("grace", Duration.ofSeconds(30)),
        rename.integer("parallelism", 16, 1, 256), listings.bool("clientTimes", true),
        listings.duration("directoryCacheTime", Duration.ofSeconds(5)), users, objectDefaults,
        stateStore(root.section("store"), dataDir), sessions(root.section("sessions")),
        trustedProxies(root.section("proxyProtocol")), authHttp(root.section("auth")),
        authLdap(root.section("auth"), base), ScanSettings.parse(root.section("scan")), storages, file);
  }

  /** The keys of an object's write options, in the top-level {@code s3:} section and a user's {@code s3:}. */
  private static final List<String> WRITE_OPTION_KEYS = List.of("sse", "kmsKeyId", "bucketKey", "storageClass", "acl",
      "tags");

  /**
   * What objects are written with ({@link WriteOptions}), from the option keys of {@code node}: the
   * top-level {@code s3:} section (every object's defaults) or a user's {@code s3:} (the objects of
   * their home). A value S3 would refuse is refused here, naming its key.
   */
  private static WriteOptions writeOptions(ConfigNode node) {
    ConfigNode tagNode = node.section("tags");
    Map<String, String> tags = new java.util.LinkedHashMap<>();
    for (String tag : tagNode.names()) {
      tags.put(tag, tagNode.string(tag, ""));
    }
    try {
      return new WriteOptions(node.string("sse", null), node.string("kmsKeyId", null),
          node.has("bucketKey") ? node.bool("bucketKey", false) : null, node.string("storageClass", null),
          node.string("acl", null), tags);
    } catch (InvalidFieldException e) {
      throw new ConfigException(node.keyOf(e.field()), e.problem());
    }
  }

  /** {@code auth.ldap}: the directory asked about names no user is declared or kept for; null when none. */
  private static LdapIdentityProvider.Settings authLdap(ConfigNode auth, Path base) {
    ConfigNode ldap = auth.section("ldap");
    ldap.allowOnly("url", "startTls", "userDn", "groups", "timeout", "trustedCertificates");
    if (!auth.has("ldap")) {
      return null;
    }
    if (auth.has("http")) {
      throw new ConfigException(auth.keyOf("ldap"), "auth.http is set as well: one identity source at a time");
    }
    String url = ldap.string("url", null);
    URI uri;
    try {
      uri = url == null ? null : new URI(url);
    } catch (java.net.URISyntaxException e) {
      throw new ConfigException(ldap.keyOf("url"), "is not a URL: " + e.getMessage());
    }
    if (uri == null || !"ldap".equals(uri.getScheme()) && !"ldaps".equals(uri.getScheme()) || uri.getHost() == null) {
      throw new ConfigException(ldap.keyOf("url"), "must be an ldap:// or ldaps:// URL with a host, got '" + url + "'");
    }
    boolean startTls = ldap.bool("startTls", false);
    if (startTls && "ldaps".equals(uri.getScheme())) {
      throw new ConfigException(ldap.keyOf("startTls"), "goes with ldap://; ldaps:// is TLS from the start");
    }
    String userDn = ldap.string("userDn", null);
    if (userDn == null || !userDn.contains("{user}")) {
      throw new ConfigException(ldap.keyOf("userDn"), "is required, with {user} where the login name goes"
          + " (uid={user},ou=people,dc=example,dc=com)");
    }
    List<LdapIdentityProvider.Group> groups = new java.util.ArrayList<>();
    for (ConfigNode group : ldap.sections("groups")) {
      group.allowOnly("dn", "home", "permissions", "admin");
      String dn = group.requiredString("dn");
      String home = group.requiredString("home");
      parseHome(group.keyOf("home"), home.replace("{user}", "user"));
      Set<Permission> permissions = permissions(group);
      groups.add(new LdapIdentityProvider.Group(dn, home, permissions, group.bool("admin", false)));
    }
    if (groups.isEmpty()) {
      throw new ConfigException(ldap.keyOf("groups"), "must list at least one group (dn, home, permissions):"
          + " a user in none of them is refused");
    }
    Duration timeout = ldap.duration("timeout", Duration.ofSeconds(5));
    if (timeout.isNegative() || timeout.isZero()) {
      throw new ConfigException(ldap.keyOf("timeout"), "must be more than 0s");
    }
    javax.net.ssl.SSLContext tls = LdapIdentityProvider.tlsTrusting(
        ldap.has("trustedCertificates") ? trustedCertificates(ldap.keyOf("trustedCertificates"),
            base.resolve(ldap.string("trustedCertificates", ""))) : null);
    return new LdapIdentityProvider.Settings(uri, startTls, userDn, List.copyOf(groups), timeout, tls);
  }

  /** A PEM file of CA certificates as a trust store. */
  private static java.security.KeyStore trustedCertificates(String key, Path pem) {
    try (java.io.InputStream in = java.nio.file.Files.newInputStream(pem)) {
      java.security.KeyStore store = java.security.KeyStore.getInstance(java.security.KeyStore.getDefaultType());
      store.load(null, null);
      int i = 0;
      for (java.security.cert.Certificate certificate
          : java.security.cert.CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        store.setCertificateEntry("ca-" + i++, certificate);
      }
      if (i == 0) {
        throw new ConfigException(key, "holds no certificate: " + pem);
      }
      return store;
    } catch (java.io.IOException | java.security.GeneralSecurityException e) {
      throw new ConfigException(key, "cannot be read as PEM certificates (" + pem + "): " + e.getMessage());
    }
  }

  /** {@code auth.http}: the HTTP identity provider asked about names no user is declared or kept for; null when none. */
  private static HttpIdentityProvider.Settings authHttp(ConfigNode auth) {
    auth.allowOnly("http", "ldap");
    ConfigNode http = auth.section("http");
    http.allowOnly("url", "timeout", "cacheFor");
    if (!auth.has("http")) {
      return null;
    }
    String url = http.string("url", null);
    if (url == null || url.isBlank()) {
      throw new ConfigException(http.keyOf("url"), "is required: the identity provider's http:// or https:// URL");
    }
    URI uri;
    try {
      uri = new URI(url);
    } catch (java.net.URISyntaxException e) {
      throw new ConfigException(http.keyOf("url"), "is not a URL: " + e.getMessage());
    }
    if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
      throw new ConfigException(http.keyOf("url"), "must be an http:// or https:// URL with a host, got '" + url + "'");
    }
    Duration timeout = http.duration("timeout", Duration.ofSeconds(5));
    if (timeout.isNegative() || timeout.isZero()) {
      throw new ConfigException(http.keyOf("timeout"), "must be more than 0s");
    }
    return new HttpIdentityProvider.Settings(uri, timeout, http.duration("cacheFor", Duration.ofMinutes(1)));
  }

  /**
   * Defaults after OpenSSH's MaxStartups (10 connections waiting for a login before it starts
   * dropping, 100 at most) and its LoginGraceTime, shortened to a minute: long enough to type a
   * password at a prompt, short enough that silent connections go.
   */
  static SessionLimits sessions(ConfigNode sessions) {
    sessions.allowOnly("unauthenticated", "unauthenticatedPerAddress", "loginDeadline", "perUser", "perAddress",
        "bandwidth");
    Duration deadline = sessions.duration("loginDeadline", Duration.ofMinutes(1));
    if (deadline.toMillis() < 1000 || deadline.toMinutes() > 10) {
      throw new ConfigException(sessions.keyOf("loginDeadline"), "must be between 1s and 10m, got "
          + deadline.toMillis() + "ms");
    }
    return new SessionLimits(sessions.integer("unauthenticated", 100, 1, 10000),
        sessions.integer("unauthenticatedPerAddress", 32, 1, 10000), deadline,
        sessions.integer("perUser", 32, 1, 10000), sessions.integer("perAddress", 64, 1, 10000),
        bandwidth(sessions.section("bandwidth")));
  }

  /**
   * {@code folders: [{ path: /shared, target: s3://bucket/prefix/, permissions: [list, read] }]}: one
   * level under the root each, none over another's objects or the home's.
   */
  private static List<VirtualFolder> folders(ConfigNode user, S3Location home, Set<String> storages) {
    List<VirtualFolders.Given> given = new ArrayList<>();
    for (ConfigNode node : user.sections("folders")) {
      node.allowOnly("path", "target", "permissions", "storage", "s3", "quota");
      ConfigNode objects = node.section("s3");
      objects.allowOnly(WRITE_OPTION_KEYS.toArray(String[]::new));
      given.add(new VirtualFolders.Given(node.string("path", null), node.string("target", null),
          node.has("permissions") ? node.strings("permissions") : null, node.string("storage", null),
          writeOptions(objects), quota(node.section("quota"))));
    }
    try {
      return VirtualFolders.check(given, home, storages);
    } catch (InvalidFieldException e) {
      throw new ConfigException(user.keyOf(e.field()), e.problem());
    }
  }

  /** {@code quota: { bytes: 10GiB, files: 100000 }} of a user; left out: no limit. */
  private static QuotaLimit quota(ConfigNode quota) {
    quota.allowOnly("bytes", "files");
    return new QuotaLimit(quota.bytes("bytes", 0), quota.integer("files", 0, 0, Integer.MAX_VALUE));
  }

  /** {@code bandwidth: { up: 20MiB/s, down: 50MiB/s }} of a user or of the node's sessions; left out: no limit. */
  private static BandwidthLimit bandwidth(ConfigNode bandwidth) {
    bandwidth.allowOnly("up", "down");
    return new BandwidthLimit(bandwidth.bytesPerSecond("up"), bandwidth.bytesPerSecond("down"));
  }

  /**
   * The balancers allowed to put a PROXY protocol header before a connection, on every listener
   * (FTPS control and passive data, SFTP, admin HTTP). One list for all: a balancer that fronts one
   * port of a node fronts its others, and a per-listener list would be one more thing to get wrong.
   */
  static TrustedProxies trustedProxies(ConfigNode proxy) {
    proxy.allowOnly("trustedFrom");
    return TrustedProxies.parse(proxy.strings("trustedFrom"), proxy.keyOf("trustedFrom"));
  }

  /** The state store: PostgreSQL when {@code store.url} is given, else the embedded file {@code dataDir/state.db}. */
  static StateStoreSettings stateStore(ConfigNode store, Path dataDir) {
    store.allowOnly("url", "user", "password", "maxConnections", "nodeName", "lease");
    String url = store.string("url", null);
    if (url != null && !url.trim().startsWith("jdbc:postgresql://")) {
      throw new ConfigException(store.keyOf("url"), "must be a jdbc:postgresql://host:port/database URL (leave it "
          + "out for the embedded store in dataDir), got '" + url + "'");
    }
    if (url == null && (store.has("user") || store.has("password"))) {
      throw new ConfigException(store.keyOf(store.has("user") ? "user" : "password"),
          "is for PostgreSQL and needs store.url; the embedded store has no user");
    }
    Duration lease = store.duration("lease", Duration.ofSeconds(15));
    if (lease.toMillis() < 1000 || lease.toMinutes() > 10) {
      throw new ConfigException(store.keyOf("lease"), "must be between 1s and 10m, got " + lease.toMillis() + "ms");
    }
    String nodeName = store.string("nodeName", defaultNodeName());
    if (!nodeName.matches("[A-Za-z0-9._-]{1,64}")) {
      throw new ConfigException(store.keyOf("nodeName"), "must be 1-64 letters, digits or . _ -, got '" + nodeName + "'");
    }
    return new StateStoreSettings(url == null ? null : url.trim(), store.string("user", null),
        store.string("password", null), store.integer("maxConnections", 10, 1, 200), dataDir.resolve("state.db"),
        nodeName, lease);
  }

  /** The host's name (what an operator sees of a node in logs), or "ferry" when it has none usable. */
  private static String defaultNodeName() {
    try {
      String host = java.net.InetAddress.getLocalHost().getHostName();
      return host.matches("[A-Za-z0-9._-]{1,64}") ? host : "ferry";
    } catch (java.io.IOException e) {
      return "ferry";
    }
  }

  /**
   * Where an S3 service is and how to sign in to it: the {@code s3:} section, or an entry of
   * {@code storages:}. No endpoint: AWS itself, in the region.
   */
  private static ObjectStore.Settings storeSettings(ConfigNode node) {
    String endpoint = node.string("endpoint", null);
    URI endpointUri = null;
    if (endpoint != null && !endpoint.isBlank()) {
      try {
        endpointUri = URI.create(endpoint.trim());
      } catch (IllegalArgumentException e) {
        throw new ConfigException(node.keyOf("endpoint"), "must be an http:// or https:// URL, got '" + endpoint + "'");
      }
      if (endpointUri.getScheme() == null || !endpointUri.getScheme().matches("https?") || endpointUri.getHost() == null) {
        throw new ConfigException(node.keyOf("endpoint"), "must be an http:// or https:// URL, got '" + endpoint + "'");
      }
    }
    return new ObjectStore.Settings(endpointUri, node.string("region", "us-east-1"),
        node.string("accessKey", null), node.string("secretKey", null), node.bool("pathStyle", true),
        node.integer("maxConnections", 64, 1, 1024), ObjectStore.MAX_COPY_SIZE, node.bool("conditionalWrites", true));
  }

  /** A storage of {@code storages:}: where it is, and what its objects are written with by default. */
  private record StorageEntry(ObjectStore.Settings settings, WriteOptions objects) {}

  /**
   * {@code storages: [{ name: archive, endpoint: https://..., region, accessKey, secretKey, pathStyle,
   * maxConnections, conditionalWrites, sse, kmsKeyId, bucketKey, storageClass, acl, tags }]}: other S3 services (another
   * account, another provider) that virtual folders may live on, by name, each with the write
   * options its objects take by default (not the s3: section's).
   */
  private static Map<String, StorageEntry> storages(List<ConfigNode> nodes) {
    Map<String, StorageEntry> storages = new LinkedHashMap<>();
    for (ConfigNode node : nodes) {
      List<String> keys = new ArrayList<>(List.of("name", "endpoint", "region", "accessKey", "secretKey", "pathStyle",
          "maxConnections", "conditionalWrites"));
      keys.addAll(WRITE_OPTION_KEYS);
      node.allowOnly(keys.toArray(String[]::new));
      String name = node.requiredString("name");
      if (!name.matches("[a-z0-9][a-z0-9_-]{0,62}")) {
        throw new ConfigException(node.keyOf("name"), "must be 1-63 lower-case letters, digits, _ or -, got '"
            + name + "'");
      }
      if (name.equals(MAIN_STORAGE)) {
        throw new ConfigException(node.keyOf("name"), "'" + MAIN_STORAGE + "' is the s3: section's own name");
      }
      if (storages.put(name, new StorageEntry(storeSettings(node), writeOptions(node))) != null) {
        throw new ConfigException(node.keyOf("name"), "storage '" + name + "' is defined twice");
      }
    }
    return storages;
  }

  /**
   * Requests are sent to a storage by bucket, so a bucket is on one storage only: a folder naming a
   * bucket that a home or a folder on another storage names too is refused, naming both keys.
   */
  private static void checkBucketsOnOneStorage(List<User> users, List<ConfigNode> userNodes) {
    Map<String, String> storageOf = new HashMap<>();
    Map<String, String> namedAt = new HashMap<>();
    for (int u = 0; u < users.size(); u++) {
      User user = users.get(u);
      claim(storageOf, namedAt, user.home().bucket(), MAIN_STORAGE, userNodes.get(u).keyOf("home"));
      List<ConfigNode> folderNodes = userNodes.get(u).sections("folders");
      for (int f = 0; f < user.folders().size(); f++) {
        VirtualFolder folder = user.folders().get(f);
        claim(storageOf, namedAt, folder.target().bucket(), folder.storage(), folderNodes.get(f).keyOf("target"));
      }
    }
  }

  private static void claim(Map<String, String> storageOf, Map<String, String> namedAt, String bucket,
      String storage, String key) {
    String earlier = storageOf.putIfAbsent(bucket, storage);
    if (earlier != null && !earlier.equals(storage)) {
      throw new ConfigException(key, "names bucket '" + bucket + "' on storage '" + storage + "', but "
          + namedAt.get(bucket) + " names it on storage '" + earlier + "': a bucket is on one storage");
    }
    namedAt.putIfAbsent(bucket, key);
  }

  private static User user(ConfigNode node, Set<String> names, Set<String> storages) {
    node.allowOnly("name", "passwordHash", "home", "permissions", "publicKeys", "admin", "allowFrom", "expires", "s3",
        "bandwidth", "quota", "folders");
    ConfigNode objects = node.section("s3");
    objects.allowOnly(WRITE_OPTION_KEYS.toArray(String[]::new));
    String name = node.requiredString("name");
    if (!name.matches("[A-Za-z0-9._@-]{1,64}")) {
      throw new ConfigException(node.keyOf("name"), "must be 1-64 letters, digits or . _ @ -, got '" + name + "'");
    }
    if (!names.add(name)) {
      throw new ConfigException(node.keyOf("name"), "user '" + name + "' is defined twice");
    }
    String hash = node.string("passwordHash", null);
    if (hash != null && !PasswordHasher.isSupported(hash)) {
      throw new ConfigException(node.keyOf("passwordHash"), "must be a bcrypt hash (make one with: java -jar ferry.jar"
          + " hash-password) or an argon2id one ($argon2id$v=19$m=...,t=...,p=...$salt$hash)");
    }
    String home = node.requiredString("home");
    S3Location location = parseHome(node.keyOf("home"), home);
    Set<Permission> permissions = permissions(node);
    List<String> keys = node.strings("publicKeys");
    for (int i = 0; i < keys.size(); i++) {
      String problem = AuthorizedKeyLine.problem(keys.get(i));
      if (problem != null) {
        throw new ConfigException(node.keyOf("publicKeys") + "[" + i + "]", problem);
      }
    }
    LoginLimits limits;
    try {
      limits = LoginLimits.parse(node.strings("allowFrom"), node.string("expires", null), node.keyOf("allowFrom"),
          node.keyOf("expires"));
    } catch (InvalidFieldException e) {
      throw new ConfigException(e.field(), e.problem());
    }
    return new User(name, hash, location, permissions, List.copyOf(keys), node.bool("admin", false),
        new UserPolicy(limits, writeOptions(objects), bandwidth(node.section("bandwidth")), quota(node.section("quota")),
            folders(node, location, storages)));
  }

  /** {@code permissions} of a user or group: names, or all; [list, read] when left out. */
  private static Set<Permission> permissions(ConfigNode node) {
    try {
      return Permission.parseAll(node.has("permissions") ? node.strings("permissions") : List.of("list", "read"));
    } catch (IllegalArgumentException e) {
      throw new ConfigException(node.keyOf("permissions"), e.getMessage());
    }
  }

  /** s3://bucket/prefix/ → bucket and "prefix/" (always ending in "/", or "" for the whole bucket). */
  static S3Location parseHome(String key, String home) {
    try {
      return S3Location.parsePrefix(home);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(key, e.getMessage());
    }
  }
}
