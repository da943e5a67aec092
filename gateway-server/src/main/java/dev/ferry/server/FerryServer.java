package dev.ferry.server;

import dev.ferry.core.FerryConfig;
import dev.ferry.core.Gateway;
import dev.ferry.core.config.ConfigException;
import dev.ferry.core.event.EventBus;
import dev.ferry.core.thread.DaemonThreads;
import dev.ferry.core.user.Authenticator;
import dev.ferry.core.user.User;
import dev.ferry.core.user.VirtualFolders;
import dev.ferry.ftps.FtpsServer;
import dev.ferry.ftps.FtpsSettings;
import dev.ferry.ftps.tls.TlsTruncation;
import dev.ferry.jobs.JobsConfig;
import dev.ferry.jobs.admin.AdminCommandRegistry;
import dev.ferry.jobs.admin.AdminCommands;
import dev.ferry.jobs.admin.ClientSessions;
import dev.ferry.jobs.batch.Batches;
import dev.ferry.jobs.remote.MinaRemoteConnector;
import dev.ferry.jobs.sync.SyncServices;
import dev.ferry.jobs.sync.Syncs;
import dev.ferry.jobs.transfer.Jobs;
import dev.ferry.jobs.watch.WatchConfig;
import dev.ferry.jobs.watch.WatchedFolders;
import dev.ferry.jobs.workflow.Workflows;
import dev.ferry.server.activity.ActivityLog;
import dev.ferry.server.admin.AdminHttpServer;
import dev.ferry.server.metrics.FerryMetrics;
import dev.ferry.server.metrics.MetricsServer;
import dev.ferry.server.metrics.MetricsSettings;
import dev.ferry.sftp.SftpServer;
import dev.ferry.sftp.SftpSettings;
import java.io.IOException;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway as one process: core, the FTPS and SFTP front-ends, transfer jobs and the admin console,
 * the orphan-upload sweep, and the graceful shutdown that lets transfers finish within the grace period
 * and aborts the rest cleanly.
 */
public final class FerryServer {

  private static final Logger log = LoggerFactory.getLogger(FerryServer.class);

  static {
    // Before anything in this JVM makes an SSLSocket, which the JDK reads the setting at: even an
    // HttpClient (a workflow's notify step) makes one as it is built, and FtpsServer, which sets it
    // too, is loaded later in start(). Without it a killed FTPS client's upload would be committed.
    TlsTruncation.detect();
  }

  private final FerryConfig config;
  private final JobsConfig jobsConfig;
  private final FtpsSettings ftpsSettings;
  private final SftpSettings sftpSettings;
  private final WatchConfig watchConfig;
  private final Clock clock;
  private final EventBus events;
  private final EventBus.Subscription activityLog;
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final ScheduledExecutorService sweeper = Executors.newSingleThreadScheduledExecutor(
      DaemonThreads.named("ferry-orphan-sweep"));
  private Gateway gateway;
  private FtpsServer ftps;
  private SftpServer sftp;
  private MinaRemoteConnector remotes;
  private Jobs jobs;
  private Syncs syncs;
  private AdminHttpServer adminHttp;
  private WatchedFolders watchedFolders;
  private Workflows workflows;
  private Batches batches;
  private Authenticator authenticator;
  private final MetricsSettings metricsSettings;
  private FerryMetrics metrics;
  private MetricsServer metricsServer;

  /** Ferry configured in code, for an application that embeds it: see {@link FerryBuilder}. */
  public static FerryBuilder builder() {
    return new FerryBuilder();
  }

  /**
   * Parses the sections the modules own, so that a wrong one stops Ferry before anything starts.
   *
   * @throws ConfigException when the ftps, sftp, jobs, remotes, syncs, admin, watch or metrics section of the config
   *     file is wrong
   */
  public FerryServer(FerryConfig config, Clock clock) {
    this.config = config;
    this.ftpsSettings = FtpsSettings.of(config);
    this.sftpSettings = SftpSettings.of(config);
    this.jobsConfig = JobsConfig.of(config);
    this.watchConfig = WatchConfig.of(config);
    this.metricsSettings = MetricsSettings.of(config);
    this.clock = clock;
    this.events = new EventBus(clock);
    this.activityLog = ActivityLog.subscribeTo(events); // from the first connection on, as an embedding application's subscribers
  }

  /**
   * What happens in this Ferry (sessions, file changes, job states), to subscribe to before
   * {@link #start} as well as after: a subscriber from before hears the first connection too.
   */
  public EventBus events() {
    return events;
  }

  /** An embedding application's users, asked for logins that name no configured user; before {@link #start}. */
  void authenticator(Authenticator applicationUsers) {
    this.authenticator = applicationUsers;
  }

  public void start() throws IOException {
    gateway = new Gateway(config, clock, events, authenticator);
    checkBuckets();
    sweepOrphans();
    // Often enough that a dead node's uploads (swept as soon as its lease runs out) go soon after.
    long every = Math.min(Math.max(60, config.uploads().orphanAge().toSeconds() / 2),
        Math.max(1, config.stateStore().lease().toSeconds()));
    sweeper.scheduleWithFixedDelay(this::sweepOrphans, every, every, TimeUnit.SECONDS);
    remotes = new MinaRemoteConnector(jobsConfig.connections());
    syncs = new Syncs(jobsConfig.syncs(), jobsConfig.remotes(), gateway.stateStore(), new SyncServices(remotes,
        gateway.objects(), jobsConfig.jobs().retryBackoff(),
        jobsConfig.jobs().commandTimeout(), clock));
    workflows = new Workflows(config, gateway);
    batches = new Batches(config, gateway, clock);
    jobs = new Jobs(jobsConfig.jobs(), gateway.objects(), gateway.stateStore(), jobsConfig.remotes(), remotes, clock,
        List.of(syncs.jobKind(), workflows.jobKind(), batches.jobKind()), gateway.events());
    jobs.start();
    syncs.start(jobs, config.createBuckets());
    workflows.start(jobs);
    batches.start(jobs);
    watchedFolders = WatchedFolders.start(watchConfig, gateway);
    if (metricsSettings.enabled()) {
      metrics = new FerryMetrics(gateway, jobs);
      metricsServer = new MetricsServer(metricsSettings, metrics);
      log.info("metrics: http://{}:{}/metrics (Prometheus text)", metricsSettings.bindAddress(), metricsServer.port());
    }
    AdminCommandRegistry admin = AdminCommands.registry(jobs, syncs, watchedFolders, batches, gateway.objects(),
        new ClientSessions(gateway.sessions(), gateway.transfers(), gateway.rates(),
        gateway.nodeSessions(), gateway.stateStore().nodes().name()), gateway.users(), gateway.disabledUsers(),
        gateway.disabledUserSessions(), gateway.accounts(), gateway.quotas());
    ftps = new FtpsServer(gateway, ftpsSettings, clock);
    ftps.start();
    if (sftpSettings.enabled()) {
      sftp = new SftpServer(gateway, sftpSettings, admin);
      sftp.start();
    }
    if (jobsConfig.adminHttp().enabled()) {
      adminHttp = new AdminHttpServer(jobsConfig.adminHttp(), admin, gateway.loginGuard(), gateway.sessions(),
          gateway.proxyProtocol(),
          ftps.sslConfiguration(), gateway.users(), clock, gateway.stateStore().nodes().name(),
          gateway.stateStore().database(), gateway.accounts(), gateway.disabledUsers(), gateway.disabledUserSessions());
      try {
        adminHttp.start();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while binding the admin HTTP API", e);
      }
      log.info("admin HTTP API on {}://{}:{} (bearer token required)", jobsConfig.adminHttp().tls() ? "https" : "http",
          jobsConfig.adminHttp().bindAddress(), adminHttp.port());
      if (!jobsConfig.adminHttp().tls() && !java.net.InetAddress.getByName(jobsConfig.adminHttp().bindAddress())
          .isLoopbackAddress()) {
        log.warn("the admin HTTP API listens on {} without TLS: its bearer token crosses the network in clear; "
            + "set admin.http.tls: true", jobsConfig.adminHttp().bindAddress());
      }
    }
    log.info("transfer jobs: {} remote host(s), {} worker(s), jobs in the state store {}", jobsConfig.remotes().size(),
        jobsConfig.jobs().workers(), gateway.stateStore().database());
    log.info("Ferry is up. FTPS explicit (AUTH TLS): {}:{}, implicit TLS: {}, passive ports {}, SFTP: {}",
        ftpsSettings.bindAddress(), ftps.port(),
        ftps.implicitPort() < 0 ? "off" : ftpsSettings.bindAddress() + ":" + ftps.implicitPort(),
        ftpsSettings.passivePorts(), sftp == null ? "off" : sftpSettings.bindAddress() + ":" + sftp.port());
    log.info("TLS certificate {} SHA-256 fingerprint {}", ftps.tls().subject(), ftps.tls().fingerprint());
    logMemory();
    if (sftp != null) {
      for (String fingerprint : sftp.hostKeys().fingerprints()) {
        log.info("SSH host key {} (public keys in {})", fingerprint, sftp.hostKeys().directory());
      }
    }
  }

  /**
   * The budgets default to shares of the heap, so the heap is what bounds Ferry's memory: say what
   * they came to, and warn when no heap was set and the JVM took its default (a quarter of the
   * machine), which the budgets then grow to.
   */
  private void logMemory() {
    long mib = 1L << 20;
    log.info("memory: heap at most {} MiB; uploads.memoryBudget {} MiB, downloads.memoryBudget {} MiB",
        Runtime.getRuntime().maxMemory() / mib, config.uploads().memoryBudget() / mib,
        config.downloads().memoryBudget() / mib);
    boolean heapSet = java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
        .anyMatch(arg -> arg.startsWith("-Xmx") || arg.startsWith("-XX:MaxHeapSize") || arg.startsWith("-XX:MaxRAM"));
    if (!heapSet) {
      log.warn("no heap size given (-Xmx): the JVM took {} MiB, a share of this machine's memory, and Ferry's "
          + "budgets grew with it; run java -Xmx1g (or what the README suggests for your load)",
          Runtime.getRuntime().maxMemory() / mib);
    }
    long sessions = (sftpSettings.enabled() ? sftpSettings.maxSessions() * SFTP_SESSION_HEAP : 0)
        + (long) ftpsSettings.maxLogins() * FTPS_SESSION_HEAP;
    long wanted = sessions + config.uploads().memoryBudget() + config.downloads().memoryBudget();
    if (wanted > Runtime.getRuntime().maxMemory() * 9 / 10) {
      log.warn("memory: at sftp.maxSessions {} and ftps.maxLogins {} the sessions themselves may take about {} MiB of "
          + "heap beside the budgets ({} MiB): {} MiB in all, more than 90 % of the heap; raise -Xmx or lower the "
          + "budgets or the limits", sftpSettings.maxSessions(), ftpsSettings.maxLogins(), sessions / mib,
          (config.uploads().memoryBudget() + config.downloads().memoryBudget()) / mib, wanted / mib);
    }
  }

  /** Heap an idle logged-in session holds beyond the budgets: bench/bench-sessions.sh's figures, rounded up. */
  private static final long SFTP_SESSION_HEAP = 64 << 10;
  private static final long FTPS_SESSION_HEAP = 16 << 10;

  /** Every bucket a declared user's home or folder names, on its own service, made when s3.createBuckets. */
  private void checkBuckets() throws IOException {
    Map<String, String> storageOf = new LinkedHashMap<>();
    for (User user : config.users()) {
      storageOf.putIfAbsent(user.home().bucket(), null);
      user.folders().forEach(folder -> storageOf.putIfAbsent(folder.target().bucket(),
          folder.storage().equals(VirtualFolders.MAIN_STORAGE) ? null : folder.storage()));
    }
    for (Map.Entry<String, String> bucket : storageOf.entrySet()) {
      if (!gateway.objects().ensureBucket(bucket.getKey(), config.createBuckets())) {
        throw new IOException("bucket '" + bucket.getKey() + "' (a user's home or virtual folder) does not exist at "
            + config.describeStorage(bucket.getValue()) + "; create it or set s3.createBuckets: true");
      }
    }
  }

  private void sweepOrphans() {
    try {
      int aborted = gateway.uploads().sweepOrphans(config.uploads().orphanAge());
      if (aborted > 0) {
        log.info("aborted {} orphaned multipart uploads", aborted);
      }
    } catch (IOException | RuntimeException e) {
      log.warn("orphan upload sweep failed: {}", e.getMessage());
    }
  }

  public FtpsServer ftps() {
    return ftps;
  }

  /** The SFTP front-end, or null when it is off. */
  public SftpServer sftp() {
    return sftp;
  }

  public Gateway gateway() {
    return gateway;
  }

  public Jobs jobs() {
    return jobs;
  }

  /** The admin HTTP API, or null when it is off. */
  /** Where /metrics is served; null when metrics are off. */
  public MetricsServer metricsServer() {
    return metricsServer;
  }

  public AdminHttpServer adminHttp() {
    return adminHttp;
  }

  /**
   * Stops taking new sessions, waits up to the grace period for open uploads, aborts what is left
   * (no partial object, no multipart upload left behind), then closes everything.
   */
  public void stop() {
    if (stopped.getCount() == 0) {
      return;
    }
    log.info("shutting down: waiting up to {} for open transfers", config.shutdownGrace());
    try {
      if (ftps != null) {
        ftps.refuseNewSessions();
      }
      if (sftp != null) {
        sftp.refuseNewSessions();
      }
      if (watchedFolders != null) {
        // Before the drain, so that it starts no upload meanwhile; those in flight are aborted, and their
        // files (still in the folder) go at the next start.
        watchedFolders.close();
      }
      if (gateway != null) {
        int aborted = gateway.uploads().drain(config.shutdownGrace());
        if (aborted > 0) {
          log.info("aborted {} uploads still open after the grace period", aborted);
        }
        // What follows only leaves (locks, jobs, sessions, the node's row): with the store gone, it
        // must not wait out the pool's timeout at each step.
        gateway.stateStore().waitLessForConnections(java.time.Duration.ofSeconds(1));
      }
      sweeper.shutdownNow();
      if (adminHttp != null) {
        adminHttp.close();
      }
      if (metricsServer != null) {
        metricsServer.close();
      }
      if (metrics != null) {
        metrics.close();
      }
      if (syncs != null) {
        syncs.close();
      }
      if (workflows != null) {
        // After the drain: an upload committed during it still queues its workflows.
        workflows.close();
      }
      if (batches != null) {
        batches.close();
      }
      if (jobs != null) {
        // Running jobs are released as they are: they run again on the next node to claim them (a
        // transfer keeps the parts it verified on the remote).
        jobs.close();
      }
      if (remotes != null) {
        remotes.close();
      }
      if (ftps != null) {
        ftps.awaitCommands(java.time.Duration.ofSeconds(10));
        ftps.stop();
      }
      if (sftp != null) {
        // Uploads still open were aborted by the drain; closing the sessions ends their handles.
        sftp.stop();
      }
      if (gateway != null) {
        gateway.close();
      }
      activityLog.close(); // after the last EXIT: the period's NO_LOGIN counts are written
      log.info("Ferry stopped");
    } finally {
      stopped.countDown();
    }
  }

  public void awaitStop() throws InterruptedException {
    stopped.await();
  }
}
