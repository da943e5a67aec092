package dev.ferry.jobs.batch;

import dev.ferry.core.object.ObjectOperations;
import dev.ferry.core.s3.ObjectInfo;
import dev.ferry.core.s3.S3Location;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The manifests a batch has yet to send to its index: an empty marker object per manifest below
 * {@code <manifests>/unindexed/}, left when the manifest is written and deleted once the index took
 * it. The markers live in S3 beside the manifests, so a manifest an attempt could not index (the
 * index down, the node gone) is sent by the next attempt or run, on any node.
 */
final class IndexQueue {

  private static final Logger log = LoggerFactory.getLogger(IndexQueue.class);
  /** Where markers of manifests not yet indexed are, below the batch's manifests. */
  private static final String UNINDEXED = "unindexed/";

  private final ObjectOperations objects;
  private final S3Location manifestRoot;
  private final Manifests manifests;
  private final BatchDefinition.Index index;
  private final BulkIndex bulk;
  private final RunProgress progress;
  private final String purpose;

  /** {@code index} null: the batch has no index, and nothing is queued. */
  IndexQueue(ObjectOperations objects, BatchSpec spec, Manifests manifests, BatchDefinition.Index index,
      BulkIndex bulk, RunProgress progress, String purpose) {
    this.objects = objects;
    this.manifestRoot = spec.manifests();
    this.manifests = manifests;
    this.index = index;
    this.bulk = bulk;
    this.progress = progress;
    this.purpose = purpose;
  }

  /** Leaves a marker that the manifest at {@code manifest} is to be indexed (none without an index). */
  void add(S3Location manifest) throws IOException {
    if (index != null) {
      objects.putMarker(manifestRoot.resolve(UNINDEXED + manifest.key().substring(manifestRoot.key().length())));
    }
  }

  /**
   * Sends the manifests not yet indexed (of this run and of earlier ones) to the index, oldest
   * first; stops at the first failure, which fails the attempt: the job engine retries it, and the
   * manifests stay marked for the next attempt or run.
   */
  void sendPending() throws IOException, InterruptedException {
    if (index == null) {
      return;
    }
    S3Location markers = manifestRoot.resolve(UNINDEXED);
    int indexed = 0;
    List<ObjectInfo> pending = Listing.all(objects, markers);
    try {
      for (ObjectInfo marker : pending) {
        S3Location manifestAt = manifestRoot.resolve(marker.key().substring(markers.key().length()));
        Optional<Manifest> manifest = manifests.read(manifestAt);
        if (manifest.isPresent()) {
          bulk.send(index, manifest.get(), manifestAt.toString());
          log.info("{}: indexed {} ({} files) into {}", purpose, manifestAt, manifest.get().files().size(),
              index.name());
        }
        objects.deleteMarker(new S3Location(markers.bucket(), marker.key()));
        indexed++;
      }
    } finally {
      progress.add("indexed", indexed);
      progress.set("indexPending", pending.size() - indexed);
      progress.save();
    }
  }
}
