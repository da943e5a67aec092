package dev.ferry.jobs.remote;

import java.time.Duration;

/**
 * How many SSH connections to each remote stay open between jobs ({@code jobs.idleConnections},
 * 0: every job opens its own), and for how long one may wait idle before it is closed
 * ({@code jobs.idleConnectionTime}).
 */
public record ConnectionPool(int idlePerRemote, Duration idleTime) {

  public static final ConnectionPool DEFAULT = new ConnectionPool(4, Duration.ofSeconds(60));
}
