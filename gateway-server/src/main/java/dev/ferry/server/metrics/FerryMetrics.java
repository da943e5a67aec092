package dev.ferry.server.metrics;

import dev.ferry.core.Gateway;
import dev.ferry.core.event.EventBus;
import dev.ferry.core.event.FerryEvent;
import dev.ferry.core.event.FileEvent;
import dev.ferry.core.event.JobEvent;
import dev.ferry.core.event.Origin;
import dev.ferry.core.event.SessionEvent;
import dev.ferry.core.quota.QuotaUsage;
import dev.ferry.core.quota.Quotas;
import dev.ferry.core.user.User;
import dev.ferry.jobs.engine.JobEngine;
import dev.ferry.jobs.engine.JobState;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Ferry's meters, in Prometheus text by {@link #scrape()}: counted from the event stream (sessions,
 * logins, bytes and durations of transfers, jobs' bytes), from core's S3 request observer (requests
 * by operation, their latency and errors) and read when scraped (memory budgets in use, jobs by
 * state from the store, bans). Names as Prometheus users expect them: {@code ferry_..._total} for
 * counters, {@code _seconds} for timers.
 */
public final class FerryMetrics implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(FerryMetrics.class);
  private static final Duration JOB_COUNT_AGE = Duration.ofSeconds(1);

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Map<String, AtomicInteger> sessions = new ConcurrentHashMap<>();
  private final JobEngine jobs;
  private final EventBus.Subscription subscription;
  private volatile Map<JobState, Long> jobCounts = Map.of();
  private volatile long jobCountsAt;

  public FerryMetrics(Gateway gateway, JobEngine jobs) {
    this.jobs = jobs;
    for (String protocol : new String[] {"FTPS", "SFTP"}) {
      sessionsOf(protocol);
    }
    Gauge.builder("ferry.memory.budget.used", gateway.uploads().budget(), b -> b.reservedBytes())
        .tag("budget", "uploads").baseUnit("bytes").description("Upload part buffers held now").register(registry);
    Gauge.builder("ferry.memory.budget.capacity", gateway.uploads().budget(), b -> b.capacityBytes())
        .tag("budget", "uploads").baseUnit("bytes").register(registry);
    Gauge.builder("ferry.memory.budget.used", gateway.downloads(), d -> d.heldBytes())
        .tag("budget", "downloads").baseUnit("bytes").description("Download read-ahead held now").register(registry);
    Gauge.builder("ferry.memory.budget.capacity", gateway.config().downloads(), d -> d.memoryBudget())
        .tag("budget", "downloads").baseUnit("bytes").register(registry);
    FunctionCounter.builder("ferry.bans", gateway.loginGuard(), g -> g.bansStarted())
        .description("Addresses banned by this node since it started").register(registry);
    for (JobState state : JobState.values()) {
      Gauge.builder("ferry.jobs", this, m -> m.jobsIn(state)).tag("state", state.name())
          .description("Jobs of every node in this state, from the state store").register(registry);
    }
    gateway.observeS3Requests((operation, took, error) -> Timer.builder("ferry.s3.requests")
        .tag("operation", operation == null ? "unknown" : operation).tag("outcome", error == null ? "ok" : error)
        .description("S3 requests by operation and outcome (ok, or the HTTP status or failure)")
        .register(registry).record(took));
    for (User user : gateway.config().users()) {
      if (!user.quota().isNone()) {
        quotaGauges(gateway.quotas(), user);
      }
    }
    this.subscription = gateway.events().subscribe("metrics", this::count);
  }

  /**
   * What a declared user's home holds against its quota, read from the state store at each scrape
   * (the same figures on every node); NaN while the store cannot be read.
   */
  private void quotaGauges(Quotas quotas, User user) {
    Gauge.builder("ferry.quota.used", () -> quotaUsage(quotas, user, true)).tag("user", user.name())
        .tag("unit", "bytes").description("Bytes a user's home holds, counted against its quota").register(registry);
    Gauge.builder("ferry.quota.used", () -> quotaUsage(quotas, user, false)).tag("user", user.name())
        .tag("unit", "files").register(registry);
    Gauge.builder("ferry.quota.limit", user.quota(), q -> q.bytes()).tag("user", user.name()).tag("unit", "bytes")
        .description("A user's quota; 0: no limit of that kind").register(registry);
    Gauge.builder("ferry.quota.limit", user.quota(), q -> q.files()).tag("user", user.name()).tag("unit", "files")
        .register(registry);
  }

  private static double quotaUsage(Quotas quotas, User user, boolean bytes) {
    try {
      QuotaUsage usage = quotas.usage(user.name(), user.home(), user.quota());
      return bytes ? usage.bytes() : usage.files();
    } catch (java.io.IOException e) {
      return Double.NaN;
    }
  }

  /** The meters in Prometheus text format. */
  public String scrape() {
    return registry.scrape();
  }

  private AtomicInteger sessionsOf(String protocol) {
    return sessions.computeIfAbsent(protocol, p -> registry.gauge("ferry.sessions",
        io.micrometer.core.instrument.Tags.of("protocol", p), new AtomicInteger()));
  }

  private double jobsIn(JobState state) {
    long now = System.nanoTime();
    if (now - jobCountsAt > JOB_COUNT_AGE.toNanos()) { // one query per scrape, not one per state
      try {
        jobCounts = jobs.countByState();
      } catch (java.io.IOException e) {
        log.warn("metrics: jobs by state unknown: {}", e.getMessage());
      }
      jobCountsAt = now;
    }
    return jobCounts.getOrDefault(state, 0L);
  }

  private void count(FerryEvent event) {
    if (event instanceof SessionEvent session) {
      String protocol = session.session().protocol();
      switch (session.type()) {
        case CONNECTED -> sessionsOf(protocol).incrementAndGet();
        case EXIT -> sessionsOf(protocol).decrementAndGet();
        case LOGIN -> logins(protocol, "ok").increment();
        case AUTH_FAILURE -> logins(protocol, "failed").increment();
      }
    } else if (event instanceof FileEvent file) {
      String protocol = protocolOf(file.origin());
      switch (file.type()) {
        case UPLOADED, PARTIAL_UPLOAD, REJECTED -> {
          bytes("ferry.bytes.in", protocol).increment(file.bytes());
          if (file.duration() != null) {
            transfer("ferry.uploads", protocol, switch (file.type()) {
              case UPLOADED -> "committed";
              case REJECTED -> "rejected";
              default -> "partial";
            }).record(file.duration());
          }
          if (file.type() == FileEvent.Type.REJECTED) {
            Counter.builder("ferry.uploads.rejected").tag("protocol", protocol)
                .description("Uploads refused for their content by the malware scan (scan:)").register(registry)
                .increment();
          }
        }
        case DOWNLOADED -> {
          bytes("ferry.bytes.out", protocol).increment(file.bytes());
          transfer("ferry.downloads", protocol, file.detail() == null ? "whole" : "part").record(file.duration());
        }
        default -> { }
      }
    } else if (event instanceof JobEvent job && JobState.DONE.name().equals(job.state())) {
      Counter.builder("ferry.jobs.bytes").tag("kind", job.kind()).baseUnit("bytes")
          .description("Bytes moved by jobs that ended DONE").register(registry).increment(job.bytes());
    }
  }

  private Counter logins(String protocol, String outcome) {
    return Counter.builder("ferry.logins").tag("protocol", protocol).tag("outcome", outcome).register(registry);
  }

  private Counter bytes(String name, String protocol) {
    return Counter.builder(name).tag("protocol", protocol).baseUnit("bytes").register(registry);
  }

  private Timer transfer(String name, String protocol, String outcome) {
    return Timer.builder(name).tag("protocol", protocol).tag("outcome", outcome).publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofHours(1)).register(registry);
  }

  /** A client's protocol, or what moved the file for Ferry itself (sync, watch, workflow). */
  private static String protocolOf(Origin origin) {
    return origin.session() != null ? origin.session().protocol() : origin.kind().name().toLowerCase(Locale.ROOT);
  }

  @Override
  public void close() {
    subscription.close();
    registry.close();
  }
}
