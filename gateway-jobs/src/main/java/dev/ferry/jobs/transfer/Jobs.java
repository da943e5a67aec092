package dev.ferry.jobs.transfer;

import dev.ferry.core.event.EventBus;
import dev.ferry.core.object.ObjectOperations;
import dev.ferry.core.s3.ListPage;
import dev.ferry.core.s3.ObjectInfo;
import dev.ferry.core.s3.S3Location;
import dev.ferry.core.state.StateStore;
import dev.ferry.core.thread.DaemonThreads;
import dev.ferry.jobs.engine.JobEngine;
import dev.ferry.jobs.engine.JobKind;
import dev.ferry.jobs.engine.JobRecord;
import dev.ferry.jobs.engine.JobRefusedException;
import dev.ferry.jobs.engine.JobSettings;
import dev.ferry.jobs.remote.FreeSpace;
import dev.ferry.jobs.remote.RemoteConnector;
import dev.ferry.jobs.remote.RemoteHost;
import dev.ferry.jobs.remote.RemoteSession;
import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The job engine with transfers registered as one of its kinds, and the transfer front: requests
 * validated ({@link TransferChecks}) before anything is stored, pushes of a prefix as one job per
 * object, the configured hosts and their free space. The engine ({@link JobEngine}) knows no
 * transfer; every other kind (syncs, workflows, batches) is given here and registered beside it.
 */
public final class Jobs extends JobEngine {

  private static final Logger log = LoggerFactory.getLogger(Jobs.class);

  private final ObjectOperations objects;
  private final Map<String, RemoteHost> hosts;
  private final RemoteConnector connector;
  private final TransferChecks checks;
  private final ExecutorService partPool;

  /** Transfer jobs alone, their events published to no one (tests of the engine). */
  public Jobs(JobSettings settings, ObjectOperations objects, StateStore state, List<RemoteHost> remotes,
      RemoteConnector connector, Clock clock) {
    this(settings, objects, state, remotes, connector, clock, List.of(), new EventBus(clock));
  }

  /** Each job's new state (queued, claimed, waiting, verifying, retried, ended) is published to {@code events}. */
  public Jobs(JobSettings settings, ObjectOperations objects, StateStore state, List<RemoteHost> remotes,
      RemoteConnector connector, Clock clock, List<JobKind> otherKinds, EventBus events) {
    this(settings, objects, state, byName(remotes), connector, clock, otherKinds, events,
        Executors.newCachedThreadPool(DaemonThreads.named("ferry-job-part")));
  }

  private Jobs(JobSettings settings, ObjectOperations objects, StateStore state, Map<String, RemoteHost> hosts,
      RemoteConnector connector, Clock clock, List<JobKind> otherKinds, EventBus events, ExecutorService partPool) {
    super(settings, state, clock, withTransfers(new TransferKind(new TransferRunner(objects, connector, hosts,
        settings, partPool, clock)), otherKinds), events);
    this.objects = objects;
    this.hosts = hosts;
    this.connector = connector;
    this.partPool = partPool;
    this.checks = new TransferChecks(hosts, settings);
  }

  private static Map<String, RemoteHost> byName(List<RemoteHost> remotes) {
    Map<String, RemoteHost> hosts = new LinkedHashMap<>();
    remotes.forEach(h -> hosts.put(h.name(), h));
    return hosts;
  }

  private static List<JobKind> withTransfers(JobKind transfers, List<JobKind> otherKinds) {
    List<JobKind> kinds = new ArrayList<>();
    kinds.add(transfers);
    kinds.addAll(otherKinds);
    return kinds;
  }

  public List<RemoteHost> hosts() {
    return List.copyOf(hosts.values());
  }

  /** Validates the request (host, path, parts, threshold, object) and queues a job; nothing is stored if refused. */
  public JobRecord submit(TransferRequest request) throws JobRefusedException, IOException {
    return submit(request, null).orElseThrow();
  }

  /**
   * As {@link #submit(TransferRequest)}, as a run of {@code runOf} (null: of nothing): when a run of
   * it is unfinished already, on any node, nothing is queued and the answer is empty.
   */
  public Optional<JobRecord> submit(TransferRequest request, String runOf) throws JobRefusedException, IOException {
    S3Location object = S3Location.parseObject(request.source()).orElseThrow(() -> new JobRefusedException(
        JobRefusedException.Reason.BAD_ARGUMENT, "source '" + request.source() + "' must be s3://bucket/key or bucket/key"));
    TransferChecks.Destination destination = checks.destination(request.destination());
    int parts = checks.parts(request.parts());
    double threshold = checks.threshold(request.freeSpacePercent());
    Optional<ObjectInfo> info = TransferChecks.refusedAsJobRefusal(() -> ObjectOperations.await(objects.head(object)));
    if (info.isEmpty()) {
      throw new JobRefusedException(JobRefusedException.Reason.NOT_FOUND, "no such object " + object);
    }
    JobRecord record = queued(object, info.get().size(), destination, parts, threshold, request, runOf);
    if (!store(record)) {
      return Optional.empty();
    }
    TransferSpec spec = (TransferSpec) record.spec();
    log.info("job {} queued: {} -> {} ({} bytes, {} parts, {}, free space {})", record.id(), spec.source(),
        spec.destination(), record.size(), parts, spec.mode(), threshold > 0 ? "> " + threshold + "%" : "not checked");
    wakeDispatcher();
    return Optional.of(record);
  }

  /**
   * One transfer per object under {@code prefix} to the same relative path under {@code remoteDir},
   * each its own job (the workers bound how many run at once). The host, the options and every
   * destination are checked before any job is stored, and all are stored at once: a refused push
   * creates none. The listing gives each object's size, so no object is asked about again.
   */
  public List<JobRecord> push(String prefix, String remoteDir, Integer parts, Double freeSpacePercent,
      TransferMode mode, boolean overwrite) throws JobRefusedException, IOException {
    String source = prefix.startsWith("s3://") ? prefix.substring(5) : prefix;
    int slash = source.indexOf('/');
    String bucket = slash < 0 ? source : source.substring(0, slash);
    String keyPrefix = slash < 0 ? "" : source.substring(slash + 1);
    if (bucket.isEmpty()) {
      throw new JobRefusedException(JobRefusedException.Reason.BAD_ARGUMENT, "prefix '" + prefix
          + "' must be s3://bucket/prefix or bucket/prefix");
    }
    String dir = remoteDir.endsWith("/") ? remoteDir.substring(0, remoteDir.length() - 1) : remoteDir;
    checks.host(dir.indexOf(':') <= 0 ? dir : dir.substring(0, dir.indexOf(':')));
    int partCount = checks.parts(parts);
    double threshold = checks.threshold(freeSpacePercent);
    List<ObjectInfo> listed = new ArrayList<>();
    String[] token = {null};
    do {
      ListPage page = TransferChecks.refusedAsJobRefusal(() -> ObjectOperations.await(
          objects.listPage(new S3Location(bucket, keyPrefix), null, token[0], 1000)));
      page.objects().stream().filter(o -> !o.key().endsWith("/")).forEach(listed::add);
      token[0] = page.nextToken();
    } while (token[0] != null);
    if (listed.isEmpty()) {
      throw new JobRefusedException(JobRefusedException.Reason.NOT_FOUND, "no objects under s3://" + bucket + "/"
          + keyPrefix);
    }
    List<JobRecord> created = new ArrayList<>();
    for (ObjectInfo object : listed) {
      String relative = object.key().substring(keyPrefix.length());
      if (relative.startsWith("/")) {
        relative = relative.substring(1);
      }
      String destination = dir + "/" + relative;
      created.add(queued(new S3Location(bucket, object.key()), object.size(), checks.destination(destination),
          partCount, threshold, new TransferRequest("s3://" + bucket + "/" + object.key(), destination, parts,
              freeSpacePercent, mode, overwrite), null));
    }
    storeAll(created);
    log.info("push of s3://{}/{} to {}: {} jobs queued ({} parts each, {})", bucket, keyPrefix, dir, created.size(),
        partCount, mode == null ? TransferMode.DIRECT : mode);
    wakeDispatcher();
    return created;
  }

  private JobRecord queued(S3Location object, long size, TransferChecks.Destination destination, int parts,
      double threshold, TransferRequest request, String runOf) {
    TransferSpec spec = new TransferSpec(object.bucket(), object.key(), destination.host().name(),
        destination.path(), parts, threshold, request.mode() == null ? TransferMode.DIRECT : request.mode(),
        request.overwrite(), runOf);
    return newJob(spec, size);
  }

  /** Free space on the filesystem holding {@code path} on {@code host}, measured now. */
  public FreeSpace freeSpace(String hostAndPath) throws JobRefusedException, IOException {
    int colon = hostAndPath.indexOf(':');
    RemoteHost host = checks.host(colon <= 0 ? hostAndPath : hostAndPath.substring(0, colon));
    String path = colon <= 0 ? "/" : hostAndPath.substring(colon + 1);
    if (!path.startsWith("/")) {
      throw new JobRefusedException(JobRefusedException.Reason.BAD_ARGUMENT, "remote path '" + path
          + "' must be absolute");
    }
    try (RemoteSession remote = connector.connect(host)) {
      FreeSpace space = FreeSpaceGate.measure(remote, path);
      remote.markReusable();
      return space;
    }
  }

  /** Stops the engine (its attempts first), then the threads the transfers' parts ran on. */
  @Override
  public void close() {
    super.close();
    partPool.shutdownNow();
  }
}
