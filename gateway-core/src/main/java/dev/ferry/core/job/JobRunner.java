package dev.ferry.core.job;

import dev.ferry.core.catalog.ObjectCatalog;
import dev.ferry.core.store.ObjectInfo;
import dev.ferry.core.store.ObjectStore;
import dev.ferry.core.store.S3Location;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.function.Consumer;

/**
 * One attempt of one job, start to end: read the object's size, connect, pass the free-space gate,
 * clean what an earlier attempt or run left in the staging folder, fetch, verify, move into place.
 */
final class JobRunner {

  enum Outcome { DONE, WAITING_FOR_SPACE }

  private final ObjectStore store;
  private final ObjectCatalog catalog;
  private final RemoteConnector connector;
  private final Map<String, RemoteHost> hosts;
  private final JobSettings settings;
  private final ExecutorService partPool;
  private final Clock clock;

  JobRunner(ObjectStore store, ObjectCatalog catalog, RemoteConnector connector, Map<String, RemoteHost> hosts,
      JobSettings settings, ExecutorService partPool, Clock clock) {
    this.store = store;
    this.catalog = catalog;
    this.connector = connector;
    this.hosts = hosts;
    this.settings = settings;
    this.partPool = partPool;
    this.clock = clock;
  }

  /** {@code persist} is called at each state change, so the job file always tells where it is. */
  Outcome attempt(Job job, Consumer<Job> persist) throws IOException, InterruptedException {
    TransferSpec spec = job.record().spec();
    RemoteHost host = host(spec.host());
    S3Location source = new S3Location(spec.bucket(), spec.key());
    Optional<ObjectInfo> object = ObjectStore.await(store.head(source));
    if (object.isEmpty()) {
      throw JobException.permanent("no such object " + spec.source());
    }
    long size = object.get().size();
    try (RemoteSession remote = connector.connect(host)) {
      job.session.set(remote);
      checkCancelled(job);
      RemoteStaging staging = new RemoteStaging(spec.remotePath());
      TransferMethod method = TransferMethod.of(spec.mode());
      if (spec.freeSpacePercent() > 0) {
        FreeSpace space = FreeSpaceGate.measure(remote, staging.directory());
        job.update(r -> r.withFreeSpace(space, clock.instant().toString()));
        long needed = method.remoteBytesNeeded(size, spec.parts());
        if (!FreeSpaceGate.allows(space, spec.freeSpacePercent(), needed)) {
          String mode = spec.mode().name().toLowerCase(java.util.Locale.ROOT);
          job.update(r -> r.withState(JobState.WAITING_FOR_SPACE).withError("waiting: " + space + " is not above "
              + spec.freeSpacePercent() + "% or has fewer than the " + needed + " bytes a " + mode + " transfer of "
              + size + " bytes needs"));
          persist.accept(job);
          return Outcome.WAITING_FOR_SPACE;
        }
      }
      if (!spec.overwrite() && remote.exists(spec.remotePath())) {
        throw JobException.permanent(spec.destination() + " already exists (use --overwrite)");
      }
      int parts = PartRange.split(size, spec.parts()).size();
      job.update(r -> new JobRecord(r.id(), r.spec(), JobState.RUNNING, size, 0, 0, parts, r.attempts(),
          r.lastError(), r.created(), clock.instant().toString(), null, r.lastFreeSpace(), r.freeSpaceMeasured()));
      persist.accept(job);
      method.stopLeftovers(remote, staging);
      remote.removeTree(staging.folder());
      remote.mkdirs(staging.folder());
      String sha256 = catalog.factsOf(source, object.get()).sha256();
      TransferAttempt attempt = new TransferAttempt(job.id(), spec, object.get(), sha256, remote, store, settings,
          partPool);
      job.attempt.set(attempt);
      try {
        method.fetch(attempt);
        checkCancelled(job);
        job.update(r -> r.withProgress(attempt.bytesDone.get(), attempt.partsDone.get(), parts)
            .withState(JobState.VERIFYING));
        persist.accept(job);
        RemoteFinish.verify(attempt);
        checkCancelled(job);
        RemoteFinish.moveIntoPlace(attempt, clock);
        job.update(r -> r.withProgress(size, parts, parts));
        return Outcome.DONE;
      } finally {
        job.update(r -> r.withProgress(attempt.bytesDone.get(), attempt.partsDone.get(), parts));
        job.attempt.set(null);
      }
    } finally {
      job.session.set(null);
    }
  }

  /** Best effort after a failed or cancelled job: its staging folder goes, whatever state the remote is in. */
  void removeStaging(JobRecord record) {
    RemoteHost host = hosts.get(record.spec().host());
    if (host == null) {
      return;
    }
    try (RemoteSession remote = connector.connect(host)) {
      RemoteStaging staging = new RemoteStaging(record.spec().remotePath());
      TransferMethod.of(record.spec().mode()).stopLeftovers(remote, staging);
      remote.removeTree(staging.folder());
    } catch (IOException | RuntimeException e) {
      org.slf4j.LoggerFactory.getLogger(JobRunner.class).warn("job {}: could not remove staging folder {}.part on {}: {}",
          record.id(), record.spec().remotePath(), record.spec().host(), e.getMessage());
    }
  }

  RemoteHost host(String name) throws JobException {
    RemoteHost host = hosts.get(name);
    if (host == null) {
      throw JobException.permanent("remote host '" + name + "' is not configured (any more)");
    }
    return host;
  }

  private static void checkCancelled(Job job) throws InterruptedIOException {
    if (job.cancelRequested) {
      throw new InterruptedIOException("job " + job.id() + " cancelled");
    }
  }
}
