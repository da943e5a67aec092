package dev.ferry.jobs.batch;

import dev.ferry.core.Gateway;
import dev.ferry.core.event.Origin;
import dev.ferry.core.object.ObjectChange;
import dev.ferry.core.object.ObjectOperations;
import dev.ferry.core.s3.ObjectInfo;
import dev.ferry.core.s3.S3Location;
import dev.ferry.core.upload.StreamingUpload;
import dev.ferry.jobs.engine.JobException;
import dev.ferry.jobs.engine.RunningJob;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run of a batch, as a job's attempt, in its order: finish what earlier attempts left
 * ({@link EarlierAttempts}), plan the folder's files into archives ({@link ArchivePlan}), then per
 * archive stream its tar into a multipart upload through core's upload path ({@link ArchiveFiller}),
 * commit it, write its manifest ({@link Manifests}) and delete its originals ({@link Originals});
 * last, send the manifests not yet indexed to the index ({@link IndexQueue}). Its counts and the
 * archive it is writing are kept in the job's record ({@link RunProgress}).
 */
final class BatchRun {

  private static final Logger log = LoggerFactory.getLogger(BatchRun.class);

  private final BatchSpec spec;
  private final RunningJob job;
  private final ObjectOperations objects;
  private final Clock clock;
  private final String purpose;
  private final Origin origin;
  private final RunProgress progress;
  private final Manifests manifests;
  private final IndexQueue indexQueue;
  private final Originals originals;
  private final ArchiveFiller filler;
  private final EarlierAttempts earlierAttempts;

  BatchRun(BatchSpec spec, RunningJob job, Gateway gateway, BatchDefinition.Index index, BulkIndex bulk,
      Clock clock) {
    this.spec = spec;
    this.clock = clock;
    this.job = job;
    this.objects = gateway.objects();
    this.purpose = "batch " + spec.name() + " (job " + job.record().id() + ")";
    this.origin = Origin.of(Origin.Kind.WORKFLOW, "batch " + spec.name());
    // This run's deletes are fenced: a node that lost the job changes nothing.
    ObjectChange fenced = ObjectChange.by(origin, purpose).checking(job::ensureHeld);
    this.progress = new RunProgress(job);
    this.manifests = new Manifests(objects, spec);
    this.indexQueue = new IndexQueue(objects, spec, manifests, index, bulk, progress, purpose);
    this.originals = new Originals(objects, spec, origin, purpose, fenced, progress);
    this.filler = new ArchiveFiller(objects, originals, progress, purpose);
    this.earlierAttempts = new EarlierAttempts(objects, job.record(), manifests, indexQueue, originals, progress,
        fenced, purpose);
  }

  void run() throws IOException, InterruptedException {
    Set<String> archived = new HashSet<>();
    int next = earlierAttempts.finish(archived);
    List<ObjectInfo> files = originals.toArchive(archived);
    ArchivePlan.Plan plan = ArchivePlan.of(files, spec.maxBatchSize());
    for (ObjectInfo large : plan.tooLarge()) {
      log.warn("{}: {} ({} bytes) does not fit an archive of maxBatchSize {}; it stays", purpose, large.key(),
          large.size(), spec.maxBatchSize());
    }
    progress.set("tooLarge", plan.tooLarge().size());
    for (ArchivePlan.Group group : plan.groups()) {
      if (job.cancelRequested()) {
        throw JobException.permanent("cancelled");
      }
      if (archive(group, next)) {
        next++;
      }
    }
    log.info("{}: {} files in {} archives so far, {} busy, {} changed meanwhile", purpose, progress.count("files"),
        progress.count("archives"), progress.count("busy"), progress.count("changed"));
    indexQueue.sendPending();
  }

  /** Makes one archive and its manifest, then deletes its originals; false when none of its files could be read. */
  private boolean archive(ArchivePlan.Group group, int number) throws IOException {
    UUID id = UUID.nameUUIDFromBytes((job.record().id() + "/" + number).getBytes(StandardCharsets.UTF_8));
    S3Location archive = originals.location(group.directory() + id + ".tar");
    progress.saveWriting(archive);
    List<Manifest.Entry> entries;
    long size;
    try (StreamingUpload upload = objects.upload(archive, writing(archive))) {
      TarWriter tar = new TarWriter(upload);
      entries = filler.fill(group.files(), tar, archive.toString());
      if (entries.isEmpty()) {
        return false; // closing the upload abandons it
      }
      size = tar.finish();
      if (size > spec.maxBatchSize()) {
        throw new IllegalStateException(archive + " came to " + size + " bytes, above maxBatchSize "
            + spec.maxBatchSize() + ": the plan's sizes are wrong");
      }
      job.ensureHeld();
      upload.commit();
    }
    Manifest manifest = new Manifest(spec.name(), job.record().id(), archive.toString(), size,
        clock.instant().toString(), entries);
    S3Location manifestAt = manifests.of(job.record().id(), number, id);
    job.ensureHeld();
    manifests.write(manifestAt, manifest, writing(manifestAt));
    indexQueue.add(manifestAt);
    progress.add("archives", 1);
    progress.add("files", entries.size());
    progress.add("bytes", entries.stream().mapToLong(Manifest.Entry::size).sum());
    progress.save();
    log.info("{}: {} ({} files, {} bytes), manifest {}", purpose, archive, entries.size(), size, manifestAt);
    originals.deleteArchived(entries);
    progress.set("cleaned", number + 1);
    progress.save();
    return true;
  }

  private ObjectChange writing(S3Location object) {
    return ObjectChange.by(origin, purpose + ": writing " + object);
  }
}
