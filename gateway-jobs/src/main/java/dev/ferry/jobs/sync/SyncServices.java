package dev.ferry.jobs.sync;

import dev.ferry.core.catalog.ObjectCatalog;
import dev.ferry.core.object.ObjectOperations;
import dev.ferry.core.store.ObjectStore;
import dev.ferry.jobs.remote.RemoteConnector;
import java.time.Clock;
import java.time.Duration;

/**
 * What sync runs use of the rest of Ferry: the remote hosts' connector, core's store and catalog to
 * read what is synced already, and its object operations to change objects, so that a synced object
 * is written as a client's upload is.
 */
public record SyncServices(RemoteConnector connector, ObjectStore store, ObjectCatalog catalog,
    ObjectOperations objects, Duration retryBackoff, Duration commandTimeout, Clock clock) {}
