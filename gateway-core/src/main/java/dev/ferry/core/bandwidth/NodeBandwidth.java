package dev.ferry.core.bandwidth;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The bandwidth limits of this node's client sessions: each user's ({@code users[].bandwidth}),
 * shared by all of that user's sessions here, and the node's total ({@code sessions.bandwidth}),
 * shared by every session. A session's bytes pass its user's bucket, then the node's. Ferry's own
 * work (syncs, watched folders, workflows, transfer jobs) is not a client's and is not paced here.
 */
public final class NodeBandwidth {

  /** A session's pacing of what it uploads and what it downloads. */
  public record Throttles(Throttle upload, Throttle download) {
    public static final Throttles NONE = new Throttles(Throttle.NONE, Throttle.NONE);
  }

  /** One user's buckets, made for the limit they were made with. */
  private record UserBuckets(BandwidthLimit limit, Throttle upload, Throttle download) {}

  private final Throttle nodeUpload;
  private final Throttle nodeDownload;
  private final Map<String, UserBuckets> users = new ConcurrentHashMap<>();

  public NodeBandwidth(BandwidthLimit node) {
    this.nodeUpload = bucket(node.upBytesPerSecond());
    this.nodeDownload = bucket(node.downBytesPerSecond());
  }

  /**
   * The throttles of a session of {@code user}, whose limit is {@code limit}. Sessions of one user
   * share buckets; a user whose limit changed (a user kept as data, changed through the API) gets
   * new ones from the next session on.
   */
  public Throttles forUser(String user, BandwidthLimit limit) {
    UserBuckets buckets = users.compute(user, (name, known) -> known != null && known.limit().equals(limit) ? known
        : new UserBuckets(limit, bucket(limit.upBytesPerSecond()), bucket(limit.downBytesPerSecond())));
    return new Throttles(buckets.upload().then(nodeUpload), buckets.download().then(nodeDownload));
  }

  private static Throttle bucket(long bytesPerSecond) {
    return bytesPerSecond == 0 ? Throttle.NONE : new TokenBucket(bytesPerSecond);
  }
}
