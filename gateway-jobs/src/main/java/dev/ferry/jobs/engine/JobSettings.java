package dev.ferry.jobs.engine;

import java.nio.file.Path;
import java.time.Duration;

/**
 * How jobs run: the engine's part ({@code workers}, {@code maxAttempts}, {@code retryBackoff},
 * {@code pollInterval}, {@code retention}, {@code directory}) and the transfer kind's, one record
 * because they are one section of ferry.yaml ({@code jobs}). {@code defaultFreeSpacePercent} 0 means no free-space check, as an empty
 * SSH_FREE_SPACE_PERCENTAGE did in the seed. {@code channelsPerSession} stays below OpenSSH's
 * default MaxSessions (10) so parts plus the SFTP channel fit on one connection. {@code directory} is
 * where a Ferry before the state store kept its job files ({@code dataDir/jobs}), imported at start.
 * {@code pollInterval}: how often an idle node looks for jobs submitted on other nodes.
 * {@code retention}: how long finished jobs are kept (zero: for good).
 */
public record JobSettings(Path directory, int workers, int maxAttempts, Duration retryBackoff,
    double defaultFreeSpacePercent, Duration freeSpaceRecheck, int defaultParts, int maxParts,
    int channelsPerSession, Duration presignValidity, Duration commandTimeout, Duration pollInterval,
    Duration retention) {

  /** The default retention ({@link #DEFAULT_RETENTION}). */
  public JobSettings(Path directory, int workers, int maxAttempts, Duration retryBackoff,
      double defaultFreeSpacePercent, Duration freeSpaceRecheck, int defaultParts, int maxParts,
      int channelsPerSession, Duration presignValidity, Duration commandTimeout, Duration pollInterval) {
    this(directory, workers, maxAttempts, retryBackoff, defaultFreeSpacePercent, freeSpaceRecheck, defaultParts,
        maxParts, channelsPerSession, presignValidity, commandTimeout, pollInterval, DEFAULT_RETENTION);
  }

  public static final Duration DEFAULT_RETENTION = Duration.ofDays(30);
}
