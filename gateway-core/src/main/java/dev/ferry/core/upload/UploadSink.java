package dev.ferry.core.upload;

import dev.ferry.core.lock.PathLock;
import dev.ferry.core.s3.S3Location;
import java.io.IOException;
import java.time.Instant;
import java.util.Optional;

/**
 * An {@link OffsetWriter}'s sink in the gateway: a {@link StreamingUpload} opened when the first
 * byte's position says whether the existing object's bytes are kept (resume) or replaced. Until
 * then it holds the path lock itself; the upload takes the lock over.
 */
final class UploadSink implements OffsetWriter.Sink {

  private final Uploads uploads;
  private final S3Location target;
  private final PathLock lock;
  private final String description;
  private final UploadWriter writer;
  private final Uploads.StartCheck check;
  private final Uploads.CommitCheck commitCheck;
  private Instant clientTime;
  private StreamingUpload upload;
  private volatile boolean aborted;

  UploadSink(Uploads uploads, S3Location target, PathLock lock, String description, UploadWriter writer,
      Uploads.StartCheck check, Uploads.CommitCheck commitCheck) {
    this.uploads = uploads;
    this.writer = writer;
    this.target = target;
    this.lock = lock;
    this.description = description;
    this.check = check;
    this.commitCheck = commitCheck;
  }

  @Override
  public synchronized void start(long keepExisting) throws IOException {
    if (aborted) {
      throw new IOException(description + ": upload was aborted");
    }
    if (upload != null) {
      upload.restart(keepExisting);
    } else {
      check.beforeStart(keepExisting);
      upload = uploads.open(target, lock, description, writer, keepExisting);
    }
    applyClientTime();
  }

  @Override
  public synchronized boolean startAsCopyOf(CopySource source) throws IOException {
    if (aborted) {
      throw new IOException(description + ": upload was aborted");
    }
    Optional<String> sha256 = uploads.sha256Of(source);
    if (sha256.isEmpty()) {
      return false;
    }
    check.beforeStart(0);
    upload = uploads.openAsCopyOf(target, lock, description, writer, source, sha256.get());
    applyClientTime();
    return true;
  }

  @Override
  public void write(byte[] bytes, int offset, int length) throws IOException {
    upload.write(bytes, offset, length);
  }

  @Override
  public synchronized String sha256() {
    return upload == null ? null : upload.sha256();
  }

  @Override
  public synchronized void setClientTime(Instant time) {
    clientTime = time;
    if (upload != null) {
      applyClientTime();
    }
  }

  private void applyClientTime() {
    if (clientTime != null) {
      upload.setClientTime(clientTime);
    }
  }

  @Override
  public long commit() throws IOException {
    boolean s3Refuses = commitCheck instanceof Uploads.OnlyIfAbsent absent && upload.commitOnlyIfAbsent(absent.present());
    if (!s3Refuses) {
      commitCheck.beforeCommit(); // the writer aborts the upload when it fails
    }
    return upload.commit();
  }

  @Override
  public void abort(String reason) {
    aborted = true;
    StreamingUpload started;
    synchronized (this) {
      started = upload;
    }
    if (started != null) {
      started.abort(reason);
    } else {
      lock.close();
    }
  }
}
