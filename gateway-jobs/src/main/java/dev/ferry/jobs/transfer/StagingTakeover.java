package dev.ferry.jobs.transfer;

import dev.ferry.jobs.engine.JobSettings;
import dev.ferry.jobs.remote.RemoteEntry;
import dev.ferry.jobs.remote.RemoteSession;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes this claim's staging folder from what the job's earlier claims left, once their remote
 * commands are stopped. When the job's checkpoint names parts of the object as it is now (same
 * ETag, size and split), the folder of the claim that holds them is renamed to this claim's, its
 * files that hold no kept bytes are removed, and each kept part is checked again on the remote
 * ({@link TransferMethod#stillHolds}): only the parts that pass are kept. Otherwise, or when that folder is
 * gone, the staging folder is emptied and the transfer starts from its first byte.
 *
 * <p>Why a writer of an earlier claim cannot spoil what is kept: its folder no longer has its
 * name, so nothing it starts can open a file there; a file it still has open is either removed
 * here (it held no kept bytes) or a kept one, into which it can only write the same bytes at the
 * same offsets (every read of the object is pinned to the recorded ETag), and a relay checks its
 * claim before each chunk. The whole file's size and SHA-256 are checked before it is put in
 * place, and the rename into place is fenced by the claim, as on a first attempt.
 */
final class StagingTakeover {

  private static final Logger log = LoggerFactory.getLogger(StagingTakeover.class);

  /** The parts this claim starts with, and what to tell the operator about them (null: nothing was kept before). */
  record Outcome(KeptParts parts, String note) {}

  private final RemoteSession remote;
  private final TransferMethod method;
  private final JobSettings settings;
  private final ExecutorService pool;

  StagingTakeover(RemoteSession remote, TransferMethod method, JobSettings settings, ExecutorService pool) {
    this.remote = remote;
    this.method = method;
    this.settings = settings;
    this.pool = pool;
  }

  /** {@code earlier}: the job's checkpoint (null: none); {@code object}: "s3://..." for the notes. */
  Outcome prepare(RemoteStaging staging, KeptParts earlier, String etag, List<PartRange> parts, long size,
      String object) throws IOException, InterruptedException {
    int finishedBefore = earlier == null ? 0 : earlier.parts().size();
    if (finishedBefore == 0) {
      return fresh(staging, etag, size, parts.size(), 0, null);
    }
    if (earlier.sameVersion(etag, size, earlier.partCount()) && earlier.partCount() != parts.size()) {
      // A job kept by a Ferry that cut objects differently (before parts were handed out in rounds).
      return fresh(staging, etag, size, parts.size(), finishedBefore, "started over: its " + finishedBefore
          + " kept part(s) are of " + earlier.partCount() + " parts, and this attempt cuts " + object + " into "
          + parts.size());
    }
    if (!earlier.sameVersion(etag, size, parts.size())) {
      return fresh(staging, etag, size, parts.size(), finishedBefore, "started over: " + object + " changed since its "
          + finishedBefore + " kept part(s) were fetched (ETag " + earlier.etag() + ", " + earlier.size()
          + " bytes; now " + etag + ", " + size + " bytes)");
    }
    RemoteStaging before = new RemoteStaging(staging.destination(), earlier.claim());
    if (earlier.claim() == staging.claim() || !remote.exists(before.folder())) {
      return fresh(staging, etag, size, parts.size(), finishedBefore, "started over: the staging folder "
          + before.folder() + " that held its " + finishedBefore + " kept part(s) is gone");
    }
    String adopted = before.folder().substring(before.root().length() + 1);
    for (RemoteEntry entry : remote.list(staging.root())) {
      if (!entry.name().equals(adopted)) {
        remove(staging.root() + "/" + entry.name(), entry);
      }
    }
    remote.rename(before.folder(), staging.folder());
    Set<String> holding = method.filesHolding(staging, earlier.parts());
    for (RemoteEntry entry : remote.list(staging.folder())) {
      if (!holding.contains(entry.name())) {
        remove(staging.folder() + "/" + entry.name(), entry);
      }
    }
    List<KeptParts.Part> verified = checkAgain(staging, earlier.parts(), parts);
    int failed = finishedBefore - verified.size();
    long keptBytes = verified.stream().mapToLong(KeptParts.Part::length).sum();
    KeptParts kept = new KeptParts(etag, size, parts.size(), staging.claim(), verified, verified.size(), keptBytes,
        failed);
    return new Outcome(kept, resumed(kept, failed));
  }

  private Outcome fresh(RemoteStaging staging, String etag, long size, int partCount, int finishedBefore, String note)
      throws IOException {
    remote.removeTree(staging.root());
    remote.mkdirs(staging.folder());
    return new Outcome(KeptParts.none(etag, size, partCount, staging.claim(), finishedBefore), note);
  }

  private static String resumed(KeptParts kept, int failed) {
    String checks = failed == 0 ? "" : ", " + failed + " part(s) failed their check and are fetched again";
    if (kept.parts().isEmpty()) {
      return "started over: none of its " + failed + " kept part(s) passed its check on the remote";
    }
    int firstMissing = 0;
    while (firstMissing < kept.partCount() && kept.has(firstMissing)) {
      firstMissing++;
    }
    String from = firstMissing == kept.partCount() ? "resumed with all " + kept.partCount() + " parts kept"
        : "resumed from part " + (firstMissing + 1) + " of " + kept.partCount();
    return from + ", " + kept.parts().size() + " part(s) and " + kept.bytes() + " bytes kept" + checks;
  }

  /** Each kept part hashed again on the remote, several at once: the ones whose hash is still the recorded one. */
  private List<KeptParts.Part> checkAgain(RemoteStaging staging, List<KeptParts.Part> kept, List<PartRange> parts)
      throws IOException, InterruptedException {
    Map<Integer, PartRange> ranges = parts.stream().collect(Collectors.toMap(PartRange::index, Function.identity()));
    List<Future<Boolean>> checks = new ArrayList<>();
    java.util.concurrent.Semaphore channels = new java.util.concurrent.Semaphore(settings.channelsPerSession());
    for (KeptParts.Part part : kept) {
      PartRange range = ranges.get(part.index());
      checks.add(pool.submit(() -> {
        channels.acquire();
        try {
          return range != null && range.length() == part.length()
              && method.stillHolds(remote, staging, part, range.first(), settings.commandTimeout());
        } finally {
          channels.release();
        }
      }));
    }
    List<KeptParts.Part> verified = new ArrayList<>();
    try {
      for (int i = 0; i < kept.size(); i++) {
        try {
          if (checks.get(i).get()) {
            verified.add(kept.get(i));
          }
        } catch (ExecutionException e) {
          log.info("check of kept part {} in {} failed: {}", kept.get(i).index(), staging.folder(),
              e.getCause().getMessage());
        }
      }
    } finally {
      checks.forEach(check -> check.cancel(true));
    }
    return verified;
  }

  private void remove(String path, RemoteEntry entry) throws IOException {
    if (entry.type() == RemoteEntry.Type.DIRECTORY) {
      remote.removeTree(path);
    } else {
      remote.remove(path);
    }
  }
}
