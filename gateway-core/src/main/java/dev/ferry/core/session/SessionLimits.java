package dev.ferry.core.session;

import dev.ferry.core.bandwidth.BandwidthLimit;
import java.time.Duration;

/**
 * How many sessions Ferry lets in, and from whom ({@code sessions:} in ferry.yaml). Connections that
 * have not logged in have their own small budget, in total and per address, and must log in within
 * {@code loginDeadline} (TLS or SSH handshake included): a crowd of silent connections can then
 * neither take the slots of users who log in nor stay. Logged-in sessions are limited per user and
 * per address, on top of each protocol's own maximum, so that one user or one host cannot take all.
 * {@code bandwidth}: what all client sessions of the node may move per second together.
 */
public record SessionLimits(int unauthenticated, int unauthenticatedPerAddress, Duration loginDeadline, int perUser,
    int perAddress, BandwidthLimit bandwidth) {

  /** Limits without a node-wide bandwidth limit. */
  public SessionLimits(int unauthenticated, int unauthenticatedPerAddress, Duration loginDeadline, int perUser,
      int perAddress) {
    this(unauthenticated, unauthenticatedPerAddress, loginDeadline, perUser, perAddress, BandwidthLimit.NONE);
  }
}
