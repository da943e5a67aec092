package dev.ferry.jobs.transfer;

import dev.ferry.core.memory.ChunkPool;
import dev.ferry.core.object.ObjectOperations;
import dev.ferry.core.s3.ObjectInfo;
import dev.ferry.core.s3.S3Location;
import dev.ferry.jobs.engine.JobException;
import dev.ferry.jobs.engine.JobRecheck;
import dev.ferry.jobs.engine.JobRecord;
import dev.ferry.jobs.engine.JobSettings;
import dev.ferry.jobs.engine.JobState;
import dev.ferry.jobs.engine.LiveProgress;
import dev.ferry.jobs.engine.RunningJob;
import dev.ferry.jobs.remote.FreeSpace;
import dev.ferry.jobs.remote.RemoteConnector;
import dev.ferry.jobs.remote.RemoteHost;
import dev.ferry.jobs.remote.RemoteSession;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;

/**
 * One attempt of one transfer job, start to end: read the object's size, connect, pass the
 * free-space gate, stop what earlier claims left running and take over the parts they verified
 * ({@link StagingTakeover}), fetch the rest, verify the whole file, check the claim is still held,
 * move into place.
 */
final class TransferRunner {

  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(TransferRunner.class);

  private final ObjectOperations objects;
  private final RemoteConnector connector;
  private final Map<String, RemoteHost> hosts;
  private final JobSettings settings;
  private final ExecutorService partPool;
  private final Clock clock;
  /**
   * The relays' ranges, used again range after range: a quarter of what one job holds may wait
   * idle between them.
   */
  private final ChunkPool relayChunks = ChunkPool.forTransfers(RelayTransfer.JOB_MEMORY / 4);

  TransferRunner(ObjectOperations objects, RemoteConnector connector, Map<String, RemoteHost> hosts,
      JobSettings settings, ExecutorService partPool, Clock clock) {
    this.objects = objects;
    this.connector = connector;
    this.hosts = hosts;
    this.settings = settings;
    this.partPool = partPool;
    this.clock = clock;
  }

  /**
   * The job is saved at each state change, so the store always tells where it is, and its claim
   * fences the rename into place. A remote without the free space asked for ends the attempt
   * WAITING_FOR_SPACE, to be checked again after {@code jobs.freeSpaceRecheck}.
   */
  void attempt(RunningJob job) throws IOException, InterruptedException, JobRecheck {
    TransferSpec spec = (TransferSpec) job.record().spec();
    RemoteHost host = host(spec.host());
    S3Location source = new S3Location(spec.bucket(), spec.key());
    Optional<ObjectInfo> object = ObjectOperations.await(objects.head(source));
    if (object.isEmpty()) {
      throw JobException.permanent("no such object " + spec.source());
    }
    long size = object.get().size();
    try (RemoteSession remote = connector.connect(host)) {
      job.useSession(remote);
      checkCancelled(job);
      RemoteStaging staging = new RemoteStaging(spec.remotePath(), job.claim());
      TransferMethod method = TransferMethod.of(spec.mode(), relayChunks);
      if (spec.freeSpacePercent() > 0) {
        FreeSpace space = FreeSpaceGate.measure(remote, staging.directory());
        job.update(r -> r.withFreeSpace(space, clock.instant().toString()));
        long needed = method.remoteBytesNeeded(size, spec.parts());
        if (!FreeSpaceGate.allows(space, spec.freeSpacePercent(), needed)) {
          String mode = spec.mode().name().toLowerCase(java.util.Locale.ROOT);
          job.update(r -> r.withState(JobState.WAITING_FOR_SPACE).withError("waiting: " + space + " is not above "
              + spec.freeSpacePercent() + "% or has fewer than the " + needed + " bytes a " + mode + " transfer of "
              + size + " bytes needs"));
          remote.markReusable();
          throw JobRecheck.asRecorded(settings.freeSpaceRecheck());
        }
      }
      if (!spec.overwrite() && remote.exists(spec.remotePath())) {
        throw JobException.permanent(spec.destination() + " already exists (use --overwrite)");
      }
      List<PartRange> ranges = method.parts(size, spec.parts());
      int parts = ranges.size();
      job.update(r -> r.withRunning(size, parts, clock.instant().toString()));
      job.save();
      // What earlier claims left running (this node's previous run, or a node that died or froze) stops first.
      method.stopLeftovers(remote, staging.root());
      KeptParts earlier = job.record().checkpoint() instanceof KeptParts kept ? kept : null;
      StagingTakeover.Outcome takeover = new StagingTakeover(remote, method, settings, partPool)
          .prepare(staging, earlier, object.get().etag(), ranges, size, spec.source());
      PartLedger ledger = new PartLedger(job, takeover.parts());
      if (takeover.note() != null) {
        // The kept parts now live in this claim's folder: the store must say so before anything else.
        job.save();
        log.info("job {}: {}", job.record().id(), takeover.note());
        job.note(takeover.note());
      }
      String sha256 = objects.factsOf(source, object.get()).sha256();
      TransferAttempt attempt = new TransferAttempt(job.record().id(), spec, object.get(), sha256, remote, staging, objects,
          settings, ledger, partPool);
      attempt.bytesDone.set(takeover.parts().bytes());
      attempt.partsDone.set(takeover.parts().parts().size());
      job.showProgress(new LiveProgress() {
        @Override
        public long bytesDone() {
          return attempt.bytesDone.get();
        }

        @Override
        public int partsDone() {
          return attempt.partsDone.get();
        }
      });
      // Parts that all end together leave the hash nothing to follow (see DirectTransfer#parts).
      FollowingHash following = sha256 != null && size > RemoteFinish.READ_BACK_LIMIT && ranges.size() > spec.parts()
          ? FollowingHash.start(remote, staging.file(), ranges) : null;
      if (following != null) {
        attempt.follow(following);
      }
      try {
        method.fetch(attempt, ranges);
        checkCancelled(job);
        job.update(r -> r.withProgress(attempt.bytesDone.get(), attempt.partsDone.get(), parts)
            .withState(JobState.VERIFYING));
        job.save();
        try {
          RemoteFinish.verify(attempt);
        } catch (JobException failed) {
          ledger.forgetAll();
          throw failed;
        }
        checkCancelled(job);
        job.ensureHeld();
        RemoteFinish.moveIntoPlace(attempt, clock);
        remote.markReusable();
        job.update(r -> r.withProgress(size, parts, parts));
      } finally {
        if (following != null) {
          following.close();
        }
        job.update(r -> r.withProgress(attempt.bytesDone.get(), attempt.partsDone.get(), parts));
        job.showProgress(null);
      }
    } finally {
      job.useSession(null);
    }
  }

  /**
   * Best effort after this node's attempt failed, was cancelled or lost its claim: this claim's
   * folder goes (and what still runs on it), whatever state the remote is in; the staging folder
   * goes too once no other claim's folder is in it.
   */
  void removeStaging(JobRecord record, long claim) {
    TransferSpec spec = (TransferSpec) record.spec();
    clean(record, new RemoteStaging(spec.remotePath(), claim).folder());
  }

  /** Best effort for a job no node holds, ended by a cancel: the whole staging folder goes. */
  void removeAllStaging(JobRecord record) {
    TransferSpec spec = (TransferSpec) record.spec();
    clean(record, RemoteStaging.rootOf(spec.remotePath()));
  }

  private void clean(JobRecord record, String folder) {
    TransferSpec spec = (TransferSpec) record.spec();
    RemoteHost host = hosts.get(spec.host());
    if (host == null) {
      return;
    }
    try (RemoteSession remote = connector.connect(host)) {
      TransferMethod.of(spec.mode(), relayChunks).stopLeftovers(remote, folder);
      remote.removeTree(folder);
      remote.removeIfEmpty(RemoteStaging.rootOf(spec.remotePath()));
      remote.markReusable();
    } catch (IOException | RuntimeException e) {
      log.warn("job {}: could not remove staging folder {} on {}: {}",
          record.id(), folder, spec.host(), e.getMessage());
    }
  }

  RemoteHost host(String name) throws JobException {
    RemoteHost host = hosts.get(name);
    if (host == null) {
      throw JobException.permanent("remote host '" + name + "' is not configured (any more)");
    }
    return host;
  }

  private static void checkCancelled(RunningJob job) throws InterruptedIOException {
    if (job.cancelRequested()) {
      throw new InterruptedIOException("job " + job.record().id() + " cancelled");
    }
  }
}
