package dev.ferry.core.vfs;

import dev.ferry.core.bandwidth.Throttle;
import dev.ferry.core.path.VirtualPath;
import dev.ferry.core.quota.QuotaExceededException;
import dev.ferry.core.quota.QuotaOwner;
import dev.ferry.core.quota.QuotaUsage;
import dev.ferry.core.quota.Quotas;
import dev.ferry.core.quota.UploadQuota;
import dev.ferry.core.s3.ObjectInfo;
import dev.ferry.core.user.VirtualFolder;
import java.io.IOException;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A session's changes as the quotas count them: the user's for the home, a virtual folder's own for
 * its target (shared by every user of that folder). Uploads take their share as they stream,
 * deletes and files a rename replaced give theirs back, a rename from one place to another moves
 * the file's share. Nothing at all where no quota applies: no state-store transaction and no S3
 * request for it.
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

  /** The quota that counts what is at {@code path}: the home's (the user's), or its folder's own; empty: none. */
  Optional<QuotaOwner> ownerOf(VirtualPath path) {
    if (quotas == null) {
      return Optional.empty();
    }
    Optional<VirtualFolder> folder = user.folderOf(path);
    if (folder.isEmpty()) {
      return user.account().quota().isNone() ? Optional.empty()
          : Optional.of(new QuotaOwner(user.name(), user.account().home(), user.account().quota(), user.name()));
    }
    VirtualFolder place = folder.get();
    return place.quota().isNone() ? Optional.empty() : Optional.of(new QuotaOwner(place.target().toString(),
        place.target(), place.quota(), user.name() + " into folder " + place.path()));
  }

  /** Whether a quota counts what is at {@code path}. */
  boolean counts(VirtualPath path) {
    return ownerOf(path).isPresent();
  }

  /**
   * The quota share of an upload to {@code path} about to open, starting from the file there
   * ({@code keepsExisting}: append, resume) or replacing it; empty without a quota. A new file the
   * quota has no room for is refused here.
   */
  Optional<UploadQuota> openUpload(VirtualPath path, boolean keepsExisting) throws IOException {
    Optional<QuotaOwner> owner = ownerOf(path);
    if (owner.isEmpty()) {
      return Optional.empty();
    }
    long replaced = lookup.fileInfo(path, "upload").map(ObjectInfo::size).orElse(-1L);
    try {
      return Optional.of(UploadQuota.open(quotas, owner.get(), path.toString(), chunk, replaced, keepsExisting));
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

  /** {@code file}, which was at {@code path}, is gone: its bytes and its file go back to the quota there. */
  void removed(VirtualPath path, Optional<ObjectInfo> file) {
    file.ifPresent(gone -> ownerOf(path).ifPresent(owner -> change(owner, gone, -1)));
  }

  /**
   * A rename moved {@code file} from {@code from} to {@code to}: from one quota's place to another's
   * (the home, a folder with a quota of its own) it leaves the first's count and joins the second's.
   */
  void moved(ObjectInfo file, VirtualPath from, VirtualPath to) {
    Optional<QuotaOwner> before = ownerOf(from);
    Optional<QuotaOwner> after = ownerOf(to);
    if (before.map(QuotaOwner::name).equals(after.map(QuotaOwner::name))) {
      return;
    }
    before.ifPresent(owner -> change(owner, file, -1));
    after.ifPresent(owner -> change(owner, file, 1));
  }

  private void change(QuotaOwner owner, ObjectInfo file, int sign) {
    try {
      quotas.changed(owner.name(), sign * file.size(), sign);
    } catch (IOException e) {
      log.error("quota usage of {} not updated for {} ({}): a recount (quota scan) corrects it", owner.name(),
          file.key(), e.getMessage());
    }
  }

  /** The home's usage against the user's quota, for statvfs; empty without a quota. */
  Optional<QuotaUsage> usage() throws IOException {
    return quotas == null || user.account().quota().isNone() ? Optional.empty()
        : Optional.of(quotas.usage(user.name(), user.account().home(), user.account().quota()));
  }
}
