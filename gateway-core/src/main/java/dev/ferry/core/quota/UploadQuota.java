package dev.ferry.core.quota;

import dev.ferry.core.bandwidth.Throttle;
import dev.ferry.core.upload.UploadOutcome;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One upload's share of its user's quota, taken as the bytes stream: a part's worth at a time (one
 * state-store transaction per part), or exactly what is written once less than a part is left, so
 * that a file the quota has room for is never refused. A new file takes one of the quota's files
 * as it opens. The bytes of the file an upload replaces are its own to rewrite. At the end what was
 * taken is given back, and a committed upload's real change (its size less the replaced file's) is
 * added to the home's usage.
 */
public final class UploadQuota implements Throttle {

  private static final Logger log = LoggerFactory.getLogger(UploadQuota.class);

  private final Quotas quotas;
  private final QuotaOwner owner;
  private final String path;
  private final long chunk;
  /** Bytes written that need no reservation: those of the file this upload replaces. */
  private final long allowance;
  private final long replacedBytes;
  private final boolean newFile;
  private long written;
  private long reservedBytes;
  private long reservedFiles;
  /** Set once the upload ended: writes still in flight (SFTP pipelines them) take nothing more. */
  private boolean ended;

  private UploadQuota(Quotas quotas, QuotaOwner owner, String path, long chunk, long allowance, long replacedBytes,
      boolean newFile) {
    this.quotas = quotas;
    this.owner = owner;
    this.path = path;
    this.chunk = chunk;
    this.allowance = allowance;
    this.replacedBytes = replacedBytes;
    this.newFile = newFile;
  }

  /**
   * An upload of {@code owner} to {@code path} that replaces a file of {@code replacedBytes} (-1:
   * none), starting from it ({@code keepsReplaced}: append, resume) or not. A new file is refused
   * here when the quota has no file left.
   */
  public static UploadQuota open(Quotas quotas, QuotaOwner owner, String path, long chunk, long replacedBytes,
      boolean keepsReplaced) throws IOException {
    boolean newFile = replacedBytes < 0;
    UploadQuota quota = new UploadQuota(quotas, owner, path, chunk,
        newFile || keepsReplaced ? 0 : replacedBytes, Math.max(0, replacedBytes), newFile);
    if (newFile && owner.limit().files() > 0) {
      if (!quotas.reserve(owner.name(), owner.home(), owner.limit(), 0, 1)) {
        throw quota.exceeded("a new file would pass the quota of " + owner.limit().files() + " files");
      }
      quota.reservedFiles = 1;
    }
    return quota;
  }

  @Override
  public synchronized void pass(int bytes) throws IOException {
    if (ended) {
      throw exceeded("the upload already ended");
    }
    written += bytes;
    long needed = Math.max(0, written - allowance);
    if (needed <= reservedBytes || owner.limit().bytes() == 0) {
      return;
    }
    long more = needed - reservedBytes;
    if (quotas.reserve(owner.name(), owner.home(), owner.limit(), Math.max(more, chunk), 0)) {
      reservedBytes += Math.max(more, chunk);
    } else if (more < chunk && quotas.reserve(owner.name(), owner.home(), owner.limit(), more, 0)) {
      reservedBytes += more;
    } else {
      throw exceeded("the upload would pass the quota of " + owner.limit().bytes() + " bytes");
    }
  }

  /** The upload never opened: what it took is given back. */
  public void cancel() {
    ended(UploadOutcome.abandoned(0, "not opened"));
  }

  /** The upload ended: what it took is given back, and a commit's change is added to the usage. */
  public synchronized void ended(UploadOutcome outcome) {
    if (ended) {
      return;
    }
    try {
      if (outcome.committed()) {
        quotas.settle(owner.name(), reservedBytes, reservedFiles, outcome.size() - replacedBytes, newFile ? 1 : 0);
      } else {
        quotas.release(owner.name(), reservedBytes, reservedFiles);
      }
    } catch (IOException e) {
      log.error("quota usage of {} not updated after the upload of {} ({}): a recount (quota scan) corrects it",
          owner.name(), path, e.getMessage());
    }
    reservedBytes = 0;
    reservedFiles = 0;
    ended = true;
  }

  private QuotaExceededException exceeded(String why) {
    return new QuotaExceededException(path, "upload by " + owner.writer() + ": " + why);
  }
}
