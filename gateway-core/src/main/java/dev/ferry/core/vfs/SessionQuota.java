package dev.ferry.core.vfs;

import dev.ferry.core.bandwidth.Throttle;
import dev.ferry.core.path.VirtualPath;
import dev.ferry.core.quota.QuotaExceededException;
import dev.ferry.core.quota.QuotaOwner;
import dev.ferry.core.quota.QuotaUsage;
import dev.ferry.core.quota.Quotas;
import dev.ferry.core.quota.UploadQuota;
import dev.ferry.core.s3.ObjectInfo;
import java.io.IOException;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A session's changes as its user's quota counts them: uploads take their share as they stream,
 * deletes and files a rename replaced give theirs back. Nothing at all for a user without a quota,
 * who pays no state-store transaction and no S3 request for it.
 */
final class SessionQuota {

  private static final Logger log = LoggerFactory.getLogger(SessionQuota.class);

  private final SessionUser user;
  private final ClientErrors errors;
  private final PathLookup lookup;
  /** Null where Ferry runs without quotas (an embedding without a state store). */
  private final Quotas quotas;
  /** What an upload takes at a time: a part. */
  private final long chunk;

  SessionQuota(SessionUser user, ClientErrors errors, PathLookup lookup, Quotas quotas, long chunk) {
    this.user = user;
    this.errors = errors;
    this.lookup = lookup;
    this.quotas = quotas;
    this.chunk = chunk;
  }

  boolean applies() {
    return quotas != null && !user.account().quota().isNone();
  }

  /** Whether the quota counts what is at {@code path}: in the home, not in a virtual folder. */
  boolean counts(VirtualPath path) {
    return applies() && user.inHome(path);
  }

  /**
   * The quota share of an upload to {@code path} about to open, starting from the file there
   * ({@code keepsExisting}: append, resume) or replacing it; empty without a quota. A new file the
   * quota has no room for is refused here.
   */
  Optional<UploadQuota> openUpload(VirtualPath path, boolean keepsExisting) throws IOException {
    if (!counts(path)) {
      return Optional.empty();
    }
    long replaced = lookup.fileInfo(path, "upload").map(ObjectInfo::size).orElse(-1L);
    try {
      return Optional.of(UploadQuota.open(quotas, owner(), path.toString(), chunk, replaced, keepsExisting));
    } catch (QuotaExceededException e) {
      throw errors.refused(e);
    }
  }

  /**
   * The upload's bytes as {@code quota} lets them go, then at the session's {@code pace}; a refusal
   * is published as the session's, as the other refusals it is told of.
   */
  Throttle gate(Optional<UploadQuota> quota, Throttle pace) {
    if (quota.isEmpty()) {
      return pace;
    }
    UploadQuota share = quota.get();
    Throttle refusing = bytes -> {
      try {
        share.pass(bytes);
      } catch (QuotaExceededException e) {
        throw errors.refused(e);
      }
    };
    return refusing.then(pace);
  }

  /** What a delete or a replacing rename is about to remove at {@code path}: its facts, or empty without a quota. */
  Optional<ObjectInfo> beforeRemoving(VirtualPath path, String operation) throws IOException {
    return counts(path) ? lookup.fileInfo(path, operation) : Optional.empty();
  }

  /** {@code file} is gone from the home: its bytes and its file go back to the quota. */
  void removed(Optional<ObjectInfo> file) {
    file.ifPresent(gone -> change(gone, -1));
  }

  /**
   * A rename moved {@code file} from {@code from} to {@code to}: out of the home (into a virtual
   * folder) it leaves the quota's count, into the home it joins it.
   */
  void moved(ObjectInfo file, VirtualPath from, VirtualPath to) {
    if (counts(from) && !counts(to)) {
      change(file, -1);
    } else if (!counts(from) && counts(to)) {
      change(file, 1);
    }
  }

  private void change(ObjectInfo file, int sign) {
    if (!applies()) {
      return;
    }
    try {
      quotas.changed(user.name(), sign * file.size(), sign);
    } catch (IOException e) {
      log.error("quota usage of {} not updated for {} ({}): a recount (quota scan) corrects it", user.name(),
          file.key(), e.getMessage());
    }
  }

  /** The user's usage against the quota, for statvfs; empty without a quota. */
  Optional<QuotaUsage> usage() throws IOException {
    return applies() ? Optional.of(quotas.usage(user.name(), user.account().home(), user.account().quota()))
        : Optional.empty();
  }

  private QuotaOwner owner() {
    return new QuotaOwner(user.name(), user.account().home(), user.account().quota());
  }
}
