package dev.ferry.jobs.sync;

import dev.ferry.core.object.ObjectOperations;
import dev.ferry.jobs.remote.RemoteConnector;
import java.time.Clock;
import java.time.Duration;

/**
 * What sync runs use of the rest of Ferry: the remote hosts' connector, and core's object operations
 * to read what is synced already and to change objects, so that a synced object is written as a
 * client's upload is.
 */
public record SyncServices(RemoteConnector connector, ObjectOperations objects, Duration retryBackoff, Duration commandTimeout, Clock clock) {}
