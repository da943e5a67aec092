package dev.ferry.core;

import dev.ferry.core.bandwidth.NodeBandwidth;
import dev.ferry.core.catalog.ObjectCatalog;
import dev.ferry.core.config.ConfigException;
import dev.ferry.core.crypto.EcdhProvider;
import dev.ferry.core.download.Downloads;
import dev.ferry.core.event.EventBus;
import dev.ferry.core.lock.PathLockTable;
import dev.ferry.core.lock.SharedPathLocks;
import dev.ferry.core.memory.ChunkPool;
import dev.ferry.core.object.ObjectOperations;
import dev.ferry.core.quota.Quotas;
import dev.ferry.core.s3.S3RequestObserver;
import dev.ferry.core.scan.ContentScanner;
import dev.ferry.core.session.Deadlines;
import dev.ferry.core.session.LiveTransfers;
import dev.ferry.core.session.NodeSessions;
import dev.ferry.core.session.ProxyProtocol;
import dev.ferry.core.session.SessionSlots;
import dev.ferry.core.session.TransferRates;
import dev.ferry.core.state.StateStore;
import dev.ferry.core.store.ListingCache;
import dev.ferry.core.store.ObjectStore;
import dev.ferry.core.upload.MemoryBudget;
import dev.ferry.core.upload.OffsetWriter;
import dev.ferry.core.upload.PartSizePolicy;
import dev.ferry.core.upload.SpillSpace;
import dev.ferry.core.upload.UploadJournal;
import dev.ferry.core.upload.Uploads;
import dev.ferry.core.user.Authenticator;
import dev.ferry.core.user.DisabledUserSessions;
import dev.ferry.core.user.DisabledUsers;
import dev.ferry.core.user.HttpIdentityProvider;
import dev.ferry.core.user.LdapIdentityProvider;
import dev.ferry.core.user.LoginGuard;
import dev.ferry.core.user.User;
import dev.ferry.core.user.UserAccounts;
import dev.ferry.core.user.UserRegistry;
import dev.ferry.core.user.UserPlaces;
import dev.ferry.core.vfs.GatewayFileSystem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.stream.Stream;

/**
 * The protocol-neutral gateway: one S3 store, one lock table, one upload budget and one set of
 * users, shared by every session of every front-end.
 */
public final class Gateway implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Gateway.class);

  private final FerryConfig config;
  private final ObjectStore store;
  private final StateStore stateStore;
  private final ObjectCatalog catalog;
  private final SharedPathLocks sharedLocks;
  private final PathLockTable locks;
  private final Uploads uploads;
  private final ContentScanner scanner;
  private final ObjectOperations objects;
  private final Downloads downloads;
  private final UserRegistry users;
  private final UserAccounts accounts;
  private final LoginGuard loginGuard;
  private final DisabledUsers disabledUsers;
  private final DisabledUserSessions disabledUserSessions;
  private final Deadlines deadlines = new Deadlines();
  private final SessionSlots sessions;
  private final ProxyProtocol proxyProtocol;
  private final LiveTransfers transfers;
  /** The bandwidth limits of this node's client sessions, per user and in all. */
  private final NodeBandwidth bandwidth;
  /** What users with a quota hold, shared by every node through the state store. */
  private final Quotas quotas;
  /** What every object is written with, by the user whose home holds it. */
  private final UserPlaces places;
  private final TransferRates rates;
  /** The sessions of every node, when nodes share the store; null for one node on its own. */
  private final NodeSessions nodeSessions;
  private final EventBus events;
  private final Clock clock;
  /** "Throughput now" is measured over this long: a few seconds, so it follows a transfer that stops. */
  public static final Duration RATE_WINDOW = Duration.ofSeconds(5);
  /** How soon a user's s3 options changed on another node are in force here. */
  private static final Duration WRITE_POLICY_REFRESH = Duration.ofSeconds(5);

  public Gateway(FerryConfig config, Clock clock) throws IOException {
    this(config, clock, new EventBus(clock));
  }

  /** {@code events}: where what happens here is published; its subscribers may predate the gateway. */
  public Gateway(FerryConfig config, Clock clock, EventBus events) throws IOException {
    this(config, clock, events, null);
  }

  /** {@code authenticator}: an embedding application's, for logins that name no configured user (null: none). */
  public Gateway(FerryConfig config, Clock clock, EventBus events, Authenticator authenticator) throws IOException {
    EcdhProvider.install(); // before the first TLS or SSH key exchange of any front-end or client
    this.config = config;
    this.clock = clock;
    this.events = events;
    this.users = new UserRegistry(config.users(), clock, identitySource(config, clock, authenticator)); // refuses no users before anything opens
    this.stateStore = StateStore.open(config.stateStore(), clock);
    this.catalog = new ObjectCatalog(stateStore.database(), clock);
    this.sharedLocks = stateStore.shared() ? new SharedPathLocks(stateStore.database(), stateStore.nodes()) : null;
    this.locks = new PathLockTable(sharedLocks);
    this.store = new ObjectStore(config.s3(), config.storages());
    store.keepListingsIn(new ListingCache(clock, config.directoryCacheTime()));
    this.places = new UserPlaces(config.objectDefaults(), config.users());
    store.writeWith(places);
    store.routeBy(places);
    if (store.listings().enabled()) {
      stateStore.changeFeed().ifPresent(feed -> store.listings().shareThrough(feed));
    }
    Path spill = spillDirectory(config);
    this.scanner = config.scan() == null ? ContentScanner.NONE : new ContentScanner(config.scan());
    // One pool of chunks for uploads' parts and downloads' ranges, keeping idle what the larger of
    // the two would keep on its own: what an upload gave back serves the next download. With a pool
    // each, a server that had done both held both (a quarter of the upload budget and the whole
    // download budget: 56 MiB at -Xmx256m) in its old generation, and in its RSS, for good (issue 37).
    ChunkPool transferChunks = ChunkPool.forTransfers(Math.max(
        MemoryBudget.idleBytesFor(config.uploads().memoryBudget()), Downloads.idleBytesFor(config.downloads())));
    this.uploads = new Uploads(store, catalog, new MemoryBudget(config.uploads().memoryBudget(), transferChunks),
        new PartSizePolicy(config.uploads().partSize(), config.uploads().singlePutLimit()), config.uploads().partsInFlight(),
        journal(stateStore, config), new OffsetWriter.Settings(
            config.uploads().reorderWindow(), config.uploads().spillLimit(), spill,
            config.uploads().memoryWait()), new SpillSpace(spillLimits(config.uploads(), spill)),
        scanner, clock);
    this.downloads = new Downloads(store, config.downloads(), transferChunks);
    this.objects = new ObjectOperations(store, catalog, locks, events, uploads);
    this.accounts = new UserAccounts(stateStore.database(), clock, events, users::configured,
        (storage, bucket) -> ObjectStore.await(store.bucketExistsOn(storage, bucket)), config.storageNames(), places);
    users.keepAccountsIn(accounts);
    places.keepAccountsIn(accounts);
    // Changes made on other nodes: a user's s3 options are in force here within this.
    deadlines.every(WRITE_POLICY_REFRESH, places::refresh);
    this.disabledUsers = new DisabledUsers(stateStore.database(), clock);
    this.loginGuard = new LoginGuard(config.login(), clock, stateStore.database(), disabledUsers);
    this.sessions = new SessionSlots(config.sessions(), deadlines, events,
        (name, address) -> loginGuard.refusalNote(users, name, address), stateStore.nodes().name());
    // As often as the node's heartbeat: a user disabled on another node loses its sessions here within one.
    this.disabledUserSessions = new DisabledUserSessions(disabledUsers, users, sessions,
        config.stateStore().lease().dividedBy(3));
    this.proxyProtocol = new ProxyProtocol(config.trustedProxies(), deadlines, clock);
    this.transfers = new LiveTransfers(clock);
    this.bandwidth = new NodeBandwidth(config.sessions().bandwidth());
    this.quotas = new Quotas(stateStore.database(), stateStore.nodes(), store, clock);
    objects.countQuotasIn(quotas, places);
    this.rates = new TransferRates(transfers, clock, RATE_WINDOW);
    deadlines.every(Duration.ofSeconds(1), rates::sample);
    this.nodeSessions = stateStore.shared() ? new NodeSessions(stateStore.database(), stateStore.nodes(), sessions,
        transfers, clock) : null;
    if (nodeSessions != null) {
      sessions.countOtherNodes(nodeSessions);
    }
  }

  /**
   * Who decides logins for names no user is declared or kept for: the embedding application's
   * {@link Authenticator}, or the HTTP identity provider of {@code auth.http}; both at once is refused.
   */
  private static Authenticator identitySource(FerryConfig config, Clock clock, Authenticator application) {
    if (config.authHttp() == null && config.authLdap() == null) {
      return application;
    }
    if (application != null) {
      throw new ConfigException(config.authHttp() != null ? "auth.http" : "auth.ldap",
          "an embedding application's Authenticator is set as well: use one of them");
    }
    if (config.authLdap() != null) {
      if ("ldap".equals(config.authLdap().url().getScheme()) && !config.authLdap().startTls()) {
        log.warn("auth.ldap.url {} is plain LDAP without startTls: passwords cross the network in clear",
            config.authLdap().url());
      }
      return new LdapIdentityProvider(config.authLdap());
    }
    return new HttpIdentityProvider(config.authHttp(), clock);
  }

  /** The upload journal in the state store, with what an earlier Ferry kept in dataDir/uploads taken over. */
  private static UploadJournal journal(StateStore stateStore, FerryConfig config) throws IOException {
    UploadJournal journal = new UploadJournal(stateStore.database(), stateStore.nodes(), stateStore.shared());
    journal.importFiles(config.dataDir().resolve("uploads"));
    return journal;
  }

  /**
   * The spill space's limits, the defaults made now that the spill directory is known: half its
   * free space (at least one file at the spill limit), half of that for one user's sessions, eight
   * files at the spill limit for one session (each within the one above it).
   */
  private static SpillSpace.Limits spillLimits(FerryConfig.UploadSettings uploads, Path directory)
      throws IOException {
    FerryConfig.SpillLimits set = uploads.spill();
    long free = Files.getFileStore(directory).getUsableSpace();
    long budget = set.budget() > 0 ? set.budget() : Math.max(uploads.spillLimit(), free / 2);
    long perUser = set.perUser() > 0 ? set.perUser() : budget / 2;
    long perSession = set.perSession() > 0 ? set.perSession() : Math.min(perUser, 8 * uploads.spillLimit());
    if (set.budget() <= 0) {
      log.info("uploads.spillBudget: {} MiB, half the {} MiB free in {} at start", budget >> 20, free >> 20, directory);
    }
    if (set.budget() > free) {
      log.warn("uploads.spillBudget ({} MiB) is more than the {} MiB free in {}: spill files may fill the disk first",
          set.budget() >> 20, free >> 20, directory);
    }
    return new SpillSpace.Limits(budget, Math.min(perUser, budget), Math.min(perSession, Math.min(perUser, budget)),
        uploads.memoryWait());
  }

  /** dataDir/spill, emptied at start: spill files of a previous run belong to no upload. */
  private static Path spillDirectory(FerryConfig config) throws IOException {
    Path directory = Files.createDirectories(config.dataDir().resolve("spill"));
    try (Stream<Path> leftovers = Files.list(directory)) {
      for (Path leftover : (Iterable<Path>) leftovers::iterator) {
        Files.deleteIfExists(leftover);
      }
    }
    return directory;
  }

  /**
   * A logged-in session's filesystem. Its changes are published to {@link #events()} as the
   * session's; FTPS, whose filesystem is made during the login, names the session with
   * {@link GatewayFileSystem#joinSession} once the login is through.
   */
  public GatewayFileSystem openSession(User user, SessionSlots.Slot session) {
    places.route(user);
    return new GatewayFileSystem(user, store, locks, objects, uploads, downloads, catalog,
        config.renameParallelism(), config.listingClientTimes(), clock, events, session, transfers,
        bandwidth.forUser(user.name(), user.bandwidth()), quotas, config.uploads().partSize());
  }

  /** The files client sessions have open on this node, with the bytes each has moved so far. */
  public LiveTransfers transfers() {
    return transfers;
  }

  /** The sessions of the other nodes sharing the store, and disconnects across nodes; null when there are none. */
  public NodeSessions nodeSessions() {
    return nodeSessions;
  }

  /** Throughput now, by protocol and direction, over the last {@link #RATE_WINDOW}. */
  public TransferRates rates() {
    return rates;
  }

  /** The stream of what happens here: sessions, file changes, jobs. */
  public EventBus events() {
    return events;
  }

  public FerryConfig config() {
    return config;
  }

  public ObjectStore store() {
    return store;
  }

  /** Tells {@code observer} of each S3 request the gateway makes, when it ends (metrics). */
  public void observeS3Requests(S3RequestObserver observer) {
    store.observeRequests(observer);
  }

  /** Ferry's facts about the objects it wrote (SHA-256, client times), in the state store. */
  public ObjectCatalog catalog() {
    return catalog;
  }

  public StateStore stateStore() {
    return stateStore;
  }

  public PathLockTable locks() {
    return locks;
  }

  /** Changes of objects outside a session's byte path: upload, copy, move, delete, each with lock, catalog and event. */
  public ObjectOperations objects() {
    return objects;
  }

  /** The malware scanning of uploads ({@code scan:}), which workflows' scan steps use too. */
  public ContentScanner scanner() {
    return scanner;
  }

  public Uploads uploads() {
    return uploads;
  }

  public Downloads downloads() {
    return downloads;
  }

  /** Users kept as data in the state store (the API's /api/v1/users). */
  /** The usage of users with a quota (quota scan, the users API). */
  public Quotas quotas() {
    return quotas;
  }

  public UserAccounts accounts() {
    return accounts;
  }

  public UserRegistry users() {
    return users;
  }

  public LoginGuard loginGuard() {
    return loginGuard;
  }

  /** The users an administrator has disabled, in the state store. */
  public DisabledUsers disabledUsers() {
    return disabledUsers;
  }

  /** Closes the sessions of disabled users on this node. */
  public DisabledUserSessions disabledUserSessions() {
    return disabledUserSessions;
  }

  /** Every front-end's connections, counted against the session limits. */
  public SessionSlots sessions() {
    return sessions;
  }

  /** What every listener makes of a connection's first bytes: the client's address behind a trusted balancer. */
  public ProxyProtocol proxyProtocol() {
    return proxyProtocol;
  }

  /** For what a client must do in time (log in, open its data connection). */
  public Deadlines deadlines() {
    return deadlines;
  }

  @Override
  public void close() {
    disabledUserSessions.close();
    deadlines.close();
    store.close();
    if (sharedLocks != null) {
      sharedLocks.close();
    }
    if (nodeSessions != null) {
      nodeSessions.close();
    }
    catalog.close(); // its waiting forgets need the state store
    stateStore.close();
  }
}
