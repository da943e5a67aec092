package dev.ferry.core.upload;

import dev.ferry.core.catalog.ObjectCatalog;
import dev.ferry.core.s3.Etags;
import dev.ferry.core.s3.ObjectFacts;
import dev.ferry.core.s3.ObjectInfo;
import dev.ferry.core.s3.S3Location;
import dev.ferry.core.store.ObjectStore;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The order of an upload's two writes: its facts into the catalog, its object into S3. The facts
 * go first, keyed by the ETag S3 will give the object (known before the commit: see
 * {@link Etags}), then S3 commits. So:
 * <ul>
 *   <li>the catalog fails: nothing was written to S3, the upload is aborted and the client told so;
 *   <li>S3 fails, or Ferry dies between the two: the entry names an ETag no object has, and an
 *       entry counts only for the object with its ETag, so nothing trusts it;
 *   <li>both succeed: the client is told "OK" with the facts already recorded.
 * </ul>
 * Where S3 gives another ETag than expected (KMS or customer-key encryption), the facts are
 * recorded again under the real one after the commit; if that fails, the new object is deleted and
 * the client told the upload failed, so no object the client was told about lacks its facts.
 */
public final class CommitOrder {

  private static final Logger log = LoggerFactory.getLogger(CommitOrder.class);

  /** The S3 write that makes the object visible; returns its ETag. */
  @FunctionalInterface
  public interface S3Commit {
    String commit() throws IOException;
  }

  private final ObjectCatalog catalog;
  private final ObjectStore store;

  public CommitOrder(ObjectCatalog catalog, ObjectStore store) {
    this.catalog = catalog;
    this.store = store;
  }

  /**
   * Copies the version of {@code from} that {@code source} (its HEAD) describes to {@code to} inside
   * S3, the copy recorded with the source's facts (SHA-256, client time); another version fails the
   * copy. Returns the copy's ETag.
   */
  public String copyWithFacts(S3Location from, ObjectInfo source, S3Location to) throws IOException {
    ObjectFacts facts = catalog.factsOf(from, source);
    return commit(to, null, facts, () -> ObjectStore.await(store.copy(from, to, source.size(), null, source.etag())));
  }

  /**
   * Records {@code facts} and commits {@code target}; {@code expectedEtag} may be null when it
   * cannot be known beforehand (a copy made inside S3). Returns the object's ETag.
   */
  public String commit(S3Location target, String expectedEtag, ObjectFacts facts, S3Commit s3) throws IOException {
    if (expectedEtag != null) {
      catalog.record(target, expectedEtag, facts);
    }
    String etag = Etags.normalize(s3.commit());
    if (!etag.equals(expectedEtag)) {
      try {
        catalog.record(target, etag, facts);
      } catch (IOException e) {
        removeUnrecorded(target, e);
        throw new IOException(target + ": the object's SHA-256 and time could not be recorded, so it was removed: "
            + e.getMessage(), e);
      }
    }
    catalog.forgetOthers(target, etag);
    return etag;
  }

  private void removeUnrecorded(S3Location target, IOException cause) {
    try {
      ObjectStore.await(store.delete(target));
    } catch (IOException e) {
      cause.addSuppressed(e);
      log.error("{}: written without its facts and could not be removed: {}", target, e.getMessage());
    }
  }
}
