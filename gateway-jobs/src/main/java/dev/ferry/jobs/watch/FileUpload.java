package dev.ferry.jobs.watch;

import dev.ferry.core.Gateway;
import dev.ferry.core.event.Origin;
import dev.ferry.core.object.ObjectOperations;
import dev.ferry.core.path.BadPathException;
import dev.ferry.core.s3.ObjectFacts;
import dev.ferry.core.s3.ObjectInfo;
import dev.ferry.core.s3.S3Location;
import dev.ferry.core.upload.StreamingUpload;
import dev.ferry.jobs.decompress.Gunzip;
import dev.ferry.core.object.ObjectChange;
import dev.ferry.core.scan.ContentRefusedException;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.zip.ZipException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Uploads files of one watched folder through core's upload path, as a client's upload goes: the
 * object's path lock, a streaming (multipart) upload with its SHA-256 recorded, visible only at the
 * commit, the file's modification time as the object's time. A file is deleted afterwards (when the
 * folder says so) only once S3 holds it verified: its size read back with a HEAD equal to the bytes
 * read from the file, and the SHA-256 core computed of those bytes recorded with the object. (The
 * upload hashes every byte it is given; hashing them here again would prove nothing more and cost a
 * second pass on every byte of every file.)
 */
final class FileUpload implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(FileUpload.class);
  private static final int BUFFER = 256 * 1024;

  /** How an attempt ended, short of a failure worth another try (those throw IOException). */
  enum Outcome {
    /** Uploaded (and deleted, if the folder says so and it was verified). */
    UPLOADED,
    /** Its object was already there, from an earlier run (deleted now, if so configured and verified). */
    ALREADY_THERE,
    /** Removed, renamed away or replaced by a directory before it was read. */
    GONE,
    /** Written to while it was read: not committed; a writer's close uploads it. */
    CHANGED,
    /** Never uploadable as it is (a name S3 or Ferry cannot hold, a .gz that is not gzip): left in place, logged. */
    REFUSED
  }

  private final WatchedFolder folder;
  private final Gateway gateway;
  private final Set<StreamingUpload> inFlight = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  FileUpload(WatchedFolder folder, Gateway gateway) {
    this.folder = folder;
    this.gateway = gateway;
  }

  /**
   * Uploads {@code file}. With {@code unlessThere} a file whose object already has its size and
   * modification time (uploaded by an earlier run) is not uploaded again.
   *
   * @throws IOException a failure another try may get past: S3 or the state store away, the key
   *     busy with a client's upload, Ferry stopping
   */
  Outcome upload(Path file, boolean unlessThere) throws IOException {
    String relative = folder.directory().relativize(file).toString();
    S3Location object;
    try {
      object = folder.layout().objectFor(relative);
    } catch (BadPathException e) {
      log.warn("watch {}: {} is left where it is: {}", folder.name(), file, e.getReason());
      return Outcome.REFUSED;
    }
    BasicFileAttributes before = attributes(file);
    if (before == null) {
      return Outcome.GONE;
    }
    if (unlessThere && alreadyThere(file, relative, object, before)) {
      return Outcome.ALREADY_THERE;
    }
    String description = "watch " + folder.name() + ": upload of " + file;
    StreamingUpload upload = gateway.objects().upload(object,
        ObjectChange.by(Origin.of(Origin.Kind.WATCH, folder.name()), description));
    inFlight.add(upload);
    try (upload) { // close() aborts what was not committed
      if (closed) {
        throw new IOException(description + ": Ferry is stopping");
      }
      long started = System.nanoTime();
      long bytes;
      try (InputStream in = content(file, relative)) {
        bytes = copy(in, upload);
      } catch (NoSuchFileException e) {
        return Outcome.GONE;
      } catch (ZipException | EOFException e) {
        log.warn("watch {}: {} is left where it is: not a whole gzip file ({}); written again, it is uploaded",
            folder.name(), file, e.getMessage());
        return Outcome.REFUSED;
      }
      BasicFileAttributes after = attributes(file);
      if (after == null) {
        return Outcome.GONE;
      }
      if (!unchanged(before, after)) {
        if (!OpenForWriting.under(folder.directory()).holds(after)) {
          // changed with no writer left to close it (a time set, a writer that was quicker than the read)
          throw new IOException(file + " changed while it was read; not committed");
        }
        log.info("watch {}: {} changed while it was read; not committed: its writer's close uploads it",
            folder.name(), file);
        return Outcome.CHANGED;
      }
      upload.setClientTime(before.lastModifiedTime().toInstant());
      try {
        upload.commit();
      } catch (ContentRefusedException e) {
        if (e.transientFailure()) {
          throw e; // not scanned (clamd down, slow): tried again after the backoff
        }
        log.warn("watch {}: {} is left where it is: {}", folder.name(), file, e.getMessage());
        return Outcome.REFUSED;
      }
      log.info("watch {}: {} -> {} ({} bytes{}, {} ms)", folder.name(), file, object, bytes,
          folder.layout().gunzips(relative) ? " gunzipped from " + before.size() : "",
          (System.nanoTime() - started) / 1_000_000);
      if (folder.deleteAfterUpload()) {
        deleteIfVerified(file, object, before, bytes, upload.sha256());
      }
      return Outcome.UPLOADED;
    } finally {
      inFlight.remove(upload);
    }
  }

  /**
   * Whether an earlier run uploaded the file: its object has the file's size (with gunzip, the
   * size the gzip trailer declares) and the file's modification time as its recorded time. With
   * deleteAfterUpload the file is deleted now if its bytes are the object's (SHA-256), and
   * uploaded again if they are not.
   */
  private boolean alreadyThere(Path file, String relative, S3Location object, BasicFileAttributes attributes)
      throws IOException {
    Optional<ObjectInfo> head = ObjectOperations.await(gateway.objects().head(object));
    if (head.isEmpty()) {
      return false;
    }
    boolean gunzips = folder.layout().gunzips(relative);
    OptionalLong declared = gunzips ? Gunzip.declaredSize(file) : OptionalLong.of(attributes.size());
    long mask = gunzips ? 0xffffffffL : -1L; // gzip declares the size modulo 2^32
    if (declared.isEmpty() || (head.get().size() & mask) != declared.getAsLong()) {
      return false;
    }
    ObjectFacts facts = gateway.objects().factsOf(object, head.get());
    if (!attributes.lastModifiedTime().toInstant().equals(facts.clientTime())) {
      return false;
    }
    if (!folder.deleteAfterUpload()) {
      log.debug("watch {}: {} is already at {}", folder.name(), file, object);
      return true;
    }
    String local;
    try {
      local = sha256Of(file, relative);
    } catch (ZipException | EOFException e) {
      return false; // the upload says why
    }
    if (!local.equals(facts.sha256())) {
      return false;
    }
    delete(file, attributes, object);
    return true;
  }

  private void deleteIfVerified(Path file, S3Location object, BasicFileAttributes read, long bytes,
      String committedSha256) throws IOException {
    Optional<ObjectInfo> head = ObjectOperations.await(gateway.objects().head(object));
    if (head.isEmpty() || head.get().size() != bytes || committedSha256 == null) {
      log.error("watch {}: {} is kept: its object {} did not verify (S3 holds {}, {} bytes were read; SHA-256"
          + " committed {})", folder.name(), file, object, head.map(h -> h.size() + " bytes").orElse("nothing"),
          bytes, committedSha256);
      return;
    }
    delete(file, read, object);
  }

  /** Deletes the file if it is still the one that was read and no process is writing it again. */
  private void delete(Path file, BasicFileAttributes read, S3Location object) throws IOException {
    BasicFileAttributes now = attributes(file);
    if (now == null) {
      return;
    }
    if (!unchanged(read, now) || OpenForWriting.under(folder.directory()).holds(now)) {
      log.info("watch {}: {} is kept: it is being written again; its close uploads it again", folder.name(), file);
      return;
    }
    Files.deleteIfExists(file);
    log.info("watch {}: {} deleted; {} verified", folder.name(), file, object);
  }

  private InputStream content(Path file, String relative) throws IOException {
    InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS);
    if (!folder.layout().gunzips(relative)) {
      return in;
    }
    try {
      return Gunzip.decompress(in);
    } catch (IOException | RuntimeException e) {
      in.close();
      throw e;
    }
  }

  private String sha256Of(Path file, String relative) throws IOException {
    MessageDigest sha256 = sha256();
    try (InputStream in = new DigestInputStream(content(file, relative), sha256)) {
      in.transferTo(OutputStream.nullOutputStream());
    }
    return HexFormat.of().formatHex(sha256.digest());
  }

  private static long copy(InputStream in, OutputStream out) throws IOException {
    byte[] buffer = new byte[BUFFER];
    long total = 0;
    for (int n; (n = in.read(buffer)) >= 0; ) {
      out.write(buffer, 0, n);
      total += n;
    }
    return total;
  }

  /** The file's attributes, or null if it is no longer a regular file (gone, or a link, directory ...). */
  private static BasicFileAttributes attributes(Path file) throws IOException {
    try {
      BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      return attributes.isRegularFile() ? attributes : null;
    } catch (NoSuchFileException e) {
      return null;
    }
  }

  private static boolean unchanged(BasicFileAttributes before, BasicFileAttributes after) {
    return after != null && after.size() == before.size()
        && after.lastModifiedTime().equals(before.lastModifiedTime())
        && Objects.equals(after.fileKey(), before.fileKey());
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  /** Aborts the uploads in flight: their files stay and are uploaded at the next start. */
  @Override
  public void close() {
    closed = true;
    for (StreamingUpload upload : inFlight) {
      upload.abort("Ferry is stopping; " + upload.target() + " is uploaded again at the next start");
    }
  }
}
