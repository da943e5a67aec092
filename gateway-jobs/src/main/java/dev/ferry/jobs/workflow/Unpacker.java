package dev.ferry.jobs.workflow;

import dev.ferry.core.Gateway;
import dev.ferry.core.event.Origin;
import dev.ferry.core.object.ObjectChange;
import dev.ferry.core.object.ObjectOperations;
import dev.ferry.core.s3.ObjectInfo;
import dev.ferry.core.s3.S3Location;
import dev.ferry.core.s3.StoreException;
import dev.ferry.core.upload.MemoryBudget;
import dev.ferry.core.upload.StreamingUpload;
import dev.ferry.jobs.decompress.Gunzip;
import dev.ferry.jobs.decompress.RangedObjectChannel;
import dev.ferry.jobs.engine.JobException;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.zip.ZipException;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;

/**
 * The decompress step: an uploaded .gz, .zip, .tar, .tar.gz or .tgz unpacked into the target prefix
 * through core's upload path (path lock, multipart, SHA-256), with no temp file and bounded memory:
 * gzip and tar read as the object streams from S3 through a fixed buffer, a zip through its central
 * directory with ranged GETs. Outputs are published as the workflow's, so that no workflow runs on
 * them unless a rule opts in. Limits on the expansion ratio, the total size and the number of files
 * stop a decompression bomb; an entry whose name leads outside the target (../x, /etc/x) refuses
 * the archive.
 */
final class Unpacker {

  private static final int BUFFER = 256 * 1024;
  /** gzip's window and the inflater's buffer, as Gunzip sets it up. */
  private static final int INFLATER = 96 * 1024;

  private final Gateway gateway;
  /** The most of a zip one step holds at once: 8 MiB, or less when the upload memory budget is small. */
  private final int zipWindow;

  Unpacker(Gateway gateway) {
    this.gateway = gateway;
    this.zipWindow = (int) Math.max(RangedObjectChannel.MIN_WINDOW, Math.min(RangedObjectChannel.MAX_WINDOW,
        gateway.uploads().budget().holdable() - BUFFER - INFLATER));
  }

  /** Returns how many files it wrote. */
  /** Unpacks {@code object} into {@code folder} (the step's prefix and the upload's {@link OutputPlace}). */
  int unpack(WorkflowStep.Decompress step, S3Location object, S3Location folder, String workflow, String purpose)
      throws IOException {
    ObjectInfo info = ObjectOperations.await(gateway.objects().head(object)).orElseThrow(() -> JobException.permanent(
        purpose + ": " + object + " is gone (deleted or renamed since its upload)"));
    String name = object.key().substring(object.key().lastIndexOf('/') + 1);
    String lower = name.toLowerCase(Locale.ROOT);
    Budget budget = new Budget(step, info.size(), purpose + ": " + object);
    Origin origin = Origin.of(Origin.Kind.WORKFLOW, workflow);
    boolean zip = lower.endsWith(".zip");
    try (MemoryBudget.Held memory = memoryFor(zip, purpose)) {
      return zip ? unzip(folder, object, info, budget, origin, purpose) : unstream(folder, object, name, lower, budget,
          origin, purpose);
    }
  }

  /**
   * The step's own memory (the read buffer, a zip's window), from the upload memory budget's half
   * kept for what is held outside parts, as a client's out-of-order writes are: so that decompress
   * steps running at once are bounded with the uploads, and their own uploads still get their parts.
   */
  private MemoryBudget.Held memoryFor(boolean zip, String purpose) throws IOException {
    MemoryBudget uploadMemory = gateway.uploads().budget();
    long bytes = BUFFER + INFLATER + (zip ? zipWindow : 0);
    return uploadMemory.hold(bytes, gateway.config().uploads().memoryWait()).orElseThrow(() ->
        JobException.retryable(purpose + ": " + bytes + " bytes of the upload memory budget (uploads.memoryBudget, "
            + uploadMemory.capacityBytes() + " bytes, half of it for what is held outside parts) did not come free"
            + " within uploads.memoryWait"));
  }

  private int unstream(S3Location folder, S3Location object, String name, String lower, Budget budget,
      Origin origin, String purpose) throws IOException {
    try (InputStream raw = ObjectOperations.await(gateway.objects().openFrom(object, 0))) {
      if (lower.endsWith(".tar.gz") || lower.endsWith(".tgz")) {
        return untar(folder, new TarArchiveInputStream(Gunzip.decompress(raw)), budget, origin, purpose);
      }
      if (lower.endsWith(".tar")) {
        return untar(folder, new TarArchiveInputStream(raw), budget, origin, purpose);
      }
      if (Gunzip.appliesTo(lower)) {
        write(into(folder, Gunzip.decompressedName(name)), Gunzip.decompress(raw), budget, origin, purpose);
        return 1;
      }
    } catch (ZipException | EOFException e) {
      throw notWhole(object, purpose, e);
    }
    throw JobException.permanent(purpose + ": " + object + " is not .gz, .zip, .tar, .tar.gz or .tgz; the original is"
        + " kept");
  }

  private static JobException notWhole(S3Location object, String purpose, IOException e) {
    return JobException.permanent(purpose + ": " + object + " is not a whole archive (" + e.getMessage() + ")"
        + "; the original is kept", e);
  }

  /**
   * A zip is read through its central directory with ranged GETs ({@link RangedObjectChannel}): the
   * directory first, so that every name and the entry count are checked before anything is written,
   * then each entry's data where it lies, in the order the entries lie in the object.
   */
  private int unzip(S3Location folder, S3Location object, ObjectInfo info, Budget budget, Origin origin,
      String purpose) throws IOException {
    try (ZipFile zip = openZip(object, info, purpose)) {
      List<ZipArchiveEntry> files = new ArrayList<>();
      for (ZipArchiveEntry entry : Collections.list(zip.getEntriesInPhysicalOrder())) {
        checkedName(entry.getName(), purpose);
        if (entry.isDirectory() || entry.isUnixSymlink()) {
          continue; // directories come with their files; a link is not a file to store
        }
        if (!zip.canReadEntryData(entry)) {
          throw JobException.permanent(purpose + ": the archive's entry '" + entry.getName() + "' is encrypted or"
              + " compressed with a method Ferry cannot read (" + entry.getMethod() + "); the archive is refused");
        }
        budget.entry();
        files.add(entry);
      }
      for (ZipArchiveEntry entry : files) {
        try (InputStream in = zip.getInputStream(entry)) {
          write(into(folder, relative(entry.getName())), in, budget, origin, purpose);
        }
      }
      return files.size();
    } catch (ZipException | EOFException e) {
      throw notWhole(object, purpose, e);
    }
  }

  private int untar(S3Location folder, TarArchiveInputStream tar, Budget budget, Origin origin,
      String purpose) throws IOException {
    int written = 0;
    for (TarArchiveEntry entry; (entry = tar.getNextEntry()) != null; ) {
      String relative = checkedName(entry.getName(), purpose);
      if (!entry.isFile()) {
        continue; // directories come with their files; links and devices are not files to store
      }
      budget.entry();
      write(into(folder, relative), tar, budget, origin, purpose);
      written++;
    }
    return written;
  }

  /**
   * The zip's central directory, read: an object that has none where a zip has it (truncated, not a
   * zip) is refused for good, with Commons Compress's reason, instead of being tried again.
   */
  private ZipFile openZip(S3Location object, ObjectInfo info, String purpose) throws IOException {
    RangedObjectChannel channel = new RangedObjectChannel(gateway.objects(), object, info, zipWindow);
    try {
      return ZipFile.builder().setSeekableByteChannel(channel).get();
    } catch (IOException e) {
      channel.close();
      Throwable innermost = e;
      for (Throwable cause = e; cause != null; cause = cause.getCause()) {
        if (cause instanceof StoreException store) {
          throw store; // S3's failure, not the archive's: retried as such
        }
        innermost = cause;
      }
      throw notWhole(object, purpose, new IOException(innermost.getMessage(), e));
    }
  }

  /** The entry's path below the target, or a refusal naming it when it would lead outside. */
  private static String checkedName(String name, String purpose) throws JobException {
    String relative = relative(name);
    boolean outside = relative.startsWith("/") || relative.contains("\\") || relative.contains("\0");
    for (String segment : relative.split("/")) {
      outside |= segment.equals("..");
    }
    if (outside) {
      throw JobException.permanent(purpose + ": the archive's entry '" + name + "' would be written outside the"
          + " target folder; the archive is refused");
    }
    return relative;
  }

  private static String relative(String name) {
    return name.startsWith("./") ? name.substring(2) : name;
  }

  private static S3Location into(S3Location prefix, String relative) {
    return new S3Location(prefix.bucket(), prefix.key() + relative);
  }

  private void write(S3Location target, InputStream in, Budget budget, Origin origin, String purpose)
      throws IOException {
    try (StreamingUpload upload = gateway.objects().upload(target,
        ObjectChange.by(origin, purpose + ": unpacking into " + target))) {
      byte[] buffer = new byte[BUFFER];
      for (int n; (n = in.read(buffer)) >= 0; ) {
        budget.bytes(n);
        upload.write(buffer, 0, n);
      }
      upload.commit();
    }
  }

  /** What an archive may expand to: counted as it streams, refused the moment it goes past. */
  private static final class Budget {
    private final WorkflowStep.Decompress step;
    private final long maxBytes;
    private final String what;
    private long bytes;
    private long entries;

    Budget(WorkflowStep.Decompress step, long compressedSize, String what) {
      this.step = step;
      this.maxBytes = Math.min(step.maxTotal(), byRatio(compressedSize, step.maxRatio()));
      this.what = what;
    }

    private static long byRatio(long compressedSize, long ratio) {
      try {
        return Math.multiplyExact(Math.max(1, compressedSize), ratio);
      } catch (ArithmeticException e) {
        return Long.MAX_VALUE;
      }
    }

    void bytes(long n) throws JobException {
      bytes += n;
      if (bytes > maxBytes) {
        throw JobException.permanent(what + " expands past " + maxBytes + " bytes (maxRatio " + step.maxRatio()
            + ", maxTotal " + step.maxTotal() + "): refused as a decompression bomb; the original is kept");
      }
    }

    void entry() throws JobException {
      if (++entries > step.maxEntries()) {
        throw JobException.permanent(what + " holds more than " + step.maxEntries() + " files (maxEntries)");
      }
    }
  }
}
