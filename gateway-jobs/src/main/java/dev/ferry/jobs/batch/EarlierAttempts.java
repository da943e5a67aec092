package dev.ferry.jobs.batch;

import dev.ferry.core.object.ObjectChange;
import dev.ferry.core.object.ObjectOperations;
import dev.ferry.core.s3.S3Location;
import dev.ferry.jobs.engine.JobException;
import dev.ferry.jobs.engine.JobRecord;
import java.io.IOException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Crash recovery of a batch run: what earlier attempts of the same job left behind. An archive
 * whose manifest is in S3 was committed, and its manifest says which originals it holds: those
 * are deleted (if an attempt stopped before) and left out of this attempt. The archive the job's
 * record names as being written, without a manifest, is a tar stopped half way or committed just
 * before a crash: it is removed, and its originals are archived again. Archive keys derive from
 * the job's id and the archive's number, so a retry makes the same keys and never a second copy.
 */
final class EarlierAttempts {

  private static final Logger log = LoggerFactory.getLogger(EarlierAttempts.class);

  private final ObjectOperations objects;
  private final JobRecord record;
  private final Manifests manifests;
  private final IndexQueue indexQueue;
  private final Originals originals;
  private final RunProgress progress;
  private final ObjectChange fenced;
  private final String purpose;

  /** {@code record}: the job's record as this attempt found it; {@code fenced}: this attempt's deletes. */
  EarlierAttempts(ObjectOperations objects, JobRecord record, Manifests manifests, IndexQueue indexQueue,
      Originals originals, RunProgress progress, ObjectChange fenced, String purpose) {
    this.objects = objects;
    this.record = record;
    this.manifests = manifests;
    this.indexQueue = indexQueue;
    this.originals = originals;
    this.progress = progress;
    this.fenced = fenced;
    this.purpose = purpose;
  }

  /**
   * Finishes the archives an earlier attempt of this job committed and did not clean up after
   * (their manifests are in S3): deletes their originals, queues their manifests for the index.
   * Adds the originals they hold to {@code archived}, which this attempt leaves out; returns the
   * next archive's number.
   */
  int finish(Set<String> archived) throws IOException {
    String stray = record.current();
    int next = 0;
    Set<String> archives = new HashSet<>();
    for (Manifests.Numbered listed : manifests.ofJob(record.id())) {
      int number = listed.number();
      next = Math.max(next, number + 1);
      if (number < progress.count("cleaned")) {
        continue;
      }
      S3Location at = listed.at();
      Manifest manifest = manifests.read(at).orElseThrow(() -> JobException.retryable(at + " was listed, then gone"));
      archives.add(manifest.archive());
      manifest.files().forEach(f -> archived.add(f.key()));
      indexQueue.add(at);
      originals.deleteArchived(manifest.files());
      progress.set("cleaned", number + 1);
      progress.save();
    }
    if (stray != null && !archives.contains(stray)) {
      removeStray(S3Location.parseObject(stray).orElseThrow());
    }
    return next;
  }

  /** Deletes an archive an attempt stopped writing or committed without its manifest. */
  private void removeStray(S3Location archive) throws IOException {
    Map<String, String> anyVersion = new HashMap<>();
    anyVersion.put(archive.key(), null);
    if (!objects.deleteUnchanged(archive.bucket(), anyVersion, fenced).deleted().isEmpty()) {
      log.info("{}: removed {}, which an earlier attempt wrote without its manifest", purpose, archive);
    }
  }
}
