package dev.ferry.jobs.batch;

import dev.ferry.core.event.Origin;
import dev.ferry.core.object.ObjectBusyException;
import dev.ferry.core.object.ObjectChange;
import dev.ferry.core.object.ObjectHold;
import dev.ferry.core.object.ObjectOperations;
import dev.ferry.core.s3.ObjectInfo;
import dev.ferry.core.s3.S3Location;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The files in a batch's folder that it archives (the originals): which ones are the run's to take,
 * their path locks while they are read, and their deletion once an archive holding them is
 * committed, each only if it is still the version archived.
 */
final class Originals {

  private static final Logger log = LoggerFactory.getLogger(Originals.class);
  /** The names of the archives batches make: a UUID and .tar. */
  private static final Pattern ARCHIVE = Pattern.compile("[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}\\.tar");
  /** The most files one run takes; the rest wait for the next run. */
  private static final int LIST_LIMIT = 100_000;
  /** How many originals one DeleteObjects request removes. */
  private static final int DELETE_BATCH = 500;

  private final ObjectOperations objects;
  private final BatchSpec spec;
  private final Origin origin;
  private final String purpose;
  private final ObjectChange fenced;
  private final RunProgress progress;

  /** {@code fenced}: the run's deletes, refused once this node lost the job. */
  Originals(ObjectOperations objects, BatchSpec spec, Origin origin, String purpose, ObjectChange fenced,
      RunProgress progress) {
    this.objects = objects;
    this.spec = spec;
    this.origin = origin;
    this.purpose = purpose;
    this.fenced = fenced;
    this.progress = progress;
  }

  /**
   * Whether {@code key} is one a batch leaves alone: an archive it made, a directory marker, or a
   * name no tar entry can have ("." or "..": tar would extract it outside the directory).
   */
  static boolean leftAlone(String key) {
    String name = ArchivePlan.nameOf(key);
    return name.isEmpty() || name.equals(".") || name.equals("..") || ARCHIVE.matcher(name).matches();
  }

  /**
   * The folder's files that are this run's to archive, in key order, at most {@link #LIST_LIMIT}:
   * counted after the archives of earlier runs (which stay in the folder), the manifests (when they
   * are in the folder) and the originals of archives already made ({@code archived}) are left out.
   */
  List<ObjectInfo> toArchive(Set<String> archived) throws IOException {
    String manifests = spec.manifests().bucket().equals(spec.bucket()) ? spec.manifests().key() : null;
    return Listing.upTo(objects, spec.folder(), LIST_LIMIT, file -> !leftAlone(file.key())
        && (manifests == null || !file.key().startsWith(manifests))
        && !archived.contains(location(file.key()).toString()));
  }

  S3Location location(String key) {
    return new S3Location(spec.bucket(), key);
  }

  /** The path lock of {@code at}, or null when a client's transfer, delete or rename holds it. */
  ObjectHold hold(S3Location at) throws IOException {
    try {
      return objects.hold(at, ObjectChange.by(origin, purpose));
    } catch (ObjectBusyException e) {
      log.info("{}: {} is busy ({}); it waits for the next run", purpose, at, e.getCause().getMessage());
      return null;
    }
  }

  /**
   * Deletes the originals of a committed archive, a few hundred per request, each under its path
   * lock and only if it is still the version archived: one replaced or busy meanwhile stays.
   */
  void deleteArchived(List<Manifest.Entry> entries) throws IOException {
    for (int from = 0; from < entries.size(); from += DELETE_BATCH) {
      Map<String, String> archived = new LinkedHashMap<>();
      for (Manifest.Entry entry : entries.subList(from, Math.min(entries.size(), from + DELETE_BATCH))) {
        archived.put(S3Location.parseObject(entry.key()).orElseThrow().key(), entry.etag());
      }
      progress.add("kept", objects.deleteUnchanged(spec.bucket(), archived, fenced).kept().size());
    }
  }
}
