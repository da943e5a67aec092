package dev.ferry.jobs.transfer;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonTypeName;
import dev.ferry.jobs.engine.JobCheckpoint;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The parts of a transfer whose bytes are on the remote and verified, as its attempts record them
 * in the job: the object's version they are bytes of ({@code etag}, {@code size}), how the object
 * is split ({@code partCount}), the claim whose staging folder holds them, and each part with what
 * a later attempt checks it against (see {@link Part}). {@code kept} and
 * {@code keptBytes} and {@code fetchedAgain} are the current attempt's start: parts of earlier
 * attempts it reused after checking them again (and their bytes), and parts earlier attempts had
 * finished that it had to fetch again.
 */
@JsonTypeName("transfer")
public record KeptParts(String etag, long size, int partCount, long claim, List<Part> parts, int kept,
    long keptBytes, int fetchedAgain) implements JobCheckpoint {

  /**
   * Part {@code index} of {@code length} bytes, a range of the one staging file. Direct: the
   * modification time (ISO-8601, the second SFTP gives) its header file had when its curl ended with
   * the whole range (see {@link DirectTransfer}); relay: the SHA-256 Ferry computed of the range's
   * bytes as it wrote them, where the object's own SHA-256 is unknown (else null: see {@link
   * RelayTransfer}). The other field is null.
   */
  public record Part(int index, long length, String sha256, String modified) {}

  public KeptParts {
    parts = List.copyOf(parts);
  }

  /** An attempt that keeps nothing yet, in {@code claim}'s folder. */
  static KeptParts none(String etag, long size, int partCount, long claim, int fetchedAgain) {
    return new KeptParts(etag, size, partCount, claim, List.of(), 0, 0, fetchedAgain);
  }

  KeptParts with(Part part) {
    List<Part> more = new ArrayList<>(parts);
    more.removeIf(p -> p.index() == part.index());
    more.add(part);
    more.sort(Comparator.comparingInt(Part::index));
    return new KeptParts(etag, size, partCount, claim, more, kept, keptBytes, fetchedAgain);
  }

  /** The same attempt's start, with no part kept any more. */
  KeptParts withoutParts() {
    return new KeptParts(etag, size, partCount, claim, List.of(), kept, keptBytes, fetchedAgain);
  }

  /** Whether these parts are bytes of the object as it is now, split as this attempt splits it. */
  boolean sameVersion(String currentEtag, long currentSize, int currentPartCount) {
    return etag != null && etag.equals(currentEtag) && size == currentSize && partCount == currentPartCount;
  }

  boolean has(int index) {
    return parts.stream().anyMatch(p -> p.index() == index);
  }

  @JsonIgnore
  long bytes() {
    return parts.stream().mapToLong(Part::length).sum();
  }

  /**
   * What {@code job ID} says, {@code partsDone} being the job's count (kept ones included): "5 of 8
   * done (4 kept from earlier attempts, 1 fetched again), 3 to fetch".
   */
  public String describe(int partsDone) {
    return partsDone + " of " + partCount + " done (" + kept + " kept from earlier attempts, " + fetchedAgain
        + " fetched again), " + (partCount - partsDone) + " to fetch";
  }
}
