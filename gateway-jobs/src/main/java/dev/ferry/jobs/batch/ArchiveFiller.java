package dev.ferry.jobs.batch;

import dev.ferry.core.object.ObjectHold;
import dev.ferry.core.object.ObjectOperations;
import dev.ferry.core.s3.Etags;
import dev.ferry.core.s3.ObjectInfo;
import dev.ferry.core.s3.RangeBytes;
import dev.ferry.core.s3.S3Location;
import dev.ferry.core.s3.StoreException;
import dev.ferry.jobs.engine.JobException;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Streams an archive's originals from S3 into its tar, a few read ahead of the tar so that small
 * files do not wait one GET each, each read under its path lock and pinned to the ETag it was listed
 * with. A file that is busy or changed since the listing is left out (the next run takes it); one
 * that changes while it is copied fails the attempt, which makes the archive again without it.
 */
final class ArchiveFiller {

  private static final Logger log = LoggerFactory.getLogger(ArchiveFiller.class);
  /**
   * How much of an original the GET made ahead of the tar reads: a small file whole. With
   * {@link #READ_AHEAD} files ahead, a run holds at most 4 MiB read ahead, plus one {@link #CHUNK}.
   */
  private static final int FIRST_READ = 256 << 10;
  /** How much of the rest of a larger original one GET reads, as the tar takes it. */
  private static final int CHUNK = 1 << 20;
  /** How many originals are being read ahead of the tar, each under its lock. */
  private static final int READ_AHEAD = 16;

  private final ObjectOperations objects;
  private final Originals originals;
  private final RunProgress progress;
  private final String purpose;

  ArchiveFiller(ObjectOperations objects, Originals originals, RunProgress progress, String purpose) {
    this.objects = objects;
    this.originals = originals;
    this.progress = progress;
    this.purpose = purpose;
  }

  private record Pending(ObjectInfo file, S3Location at, ObjectHold lock, CompletableFuture<RangeBytes> first) {}

  /** Writes the files into the tar of {@code archive}; returns what the manifest says of those written. */
  List<Manifest.Entry> fill(List<ObjectInfo> files, TarWriter tar, String archive) throws IOException {
    Deque<Pending> ahead = new ArrayDeque<>();
    Iterator<ObjectInfo> next = files.iterator();
    List<Manifest.Entry> entries = new ArrayList<>();
    try {
      while (true) {
        while (ahead.size() < READ_AHEAD && next.hasNext()) {
          Pending opened = open(next.next());
          if (opened != null) {
            ahead.add(opened);
          }
        }
        Pending pending = ahead.poll();
        if (pending == null) {
          return entries;
        }
        try (ObjectHold held = pending.lock()) {
          Manifest.Entry entry = copy(pending, tar, archive);
          if (entry != null) {
            entries.add(entry);
          }
        }
      }
    } finally {
      for (Pending left : ahead) {
        left.first().cancel(true);
        left.lock().close();
      }
    }
  }

  /** Locks an original and starts reading its first chunk, pinned to its listed ETag; null when busy. */
  private Pending open(ObjectInfo file) throws IOException {
    S3Location at = originals.location(file.key());
    ObjectHold lock = originals.hold(at);
    if (lock == null) {
      progress.add("busy", 1);
      return null;
    }
    int first = (int) Math.min(file.size(), FIRST_READ);
    CompletableFuture<RangeBytes> read = first == 0 ? CompletableFuture.completedFuture(RangeBytes.EMPTY)
        : objects.readRange(at, 0, first, file.etag());
    return new Pending(file, at, lock, read);
  }

  private Manifest.Entry copy(Pending pending, TarWriter tar, String archive) throws IOException {
    ObjectInfo file = pending.file();
    RangeBytes first;
    try {
      first = ObjectOperations.await(pending.first());
    } catch (StoreException e) {
      if (!changed(e)) {
        throw e;
      }
      progress.add("changed", 1);
      log.info("{}: {} changed or went since it was listed; the next run takes it", purpose, pending.at());
      return null;
    }
    tar.start(ArchivePlan.nameOf(file.key()), file.size(), file.lastModified());
    write(tar, first);
    for (long at = first.length(); at < file.size(); ) {
      int n = (int) Math.min(CHUNK, file.size() - at);
      try {
        write(tar, ObjectOperations.await(objects.readRange(pending.at(), at, n, file.etag())));
      } catch (StoreException e) {
        throw changed(e) ? JobException.retryable(pending.at() + " changed while it was archived; the archive is"
            + " made again without it", e) : e;
      }
      at += n;
    }
    TarWriter.Written written = tar.end();
    return new Manifest.Entry(pending.at().toString(), archive, written.offset(), written.size(), written.sha256(),
        Etags.normalize(file.etag()), file.lastModified().toString());
  }

  /** Whether S3 refused the read because the object is no longer the version listed. */
  private static boolean changed(StoreException e) {
    return e.kind() == StoreException.Kind.PRECONDITION_FAILED || e.kind() == StoreException.Kind.NOT_FOUND;
  }

  private static void write(TarWriter tar, RangeBytes bytes) throws IOException {
    bytes.writeTo(tar::write);
  }
}
