package dev.ferry.jobs.sync;

import dev.ferry.core.catalog.ObjectCatalog;
import dev.ferry.core.event.EventBus;
import dev.ferry.core.lock.PathLockTable;
import dev.ferry.core.store.ObjectStore;
import dev.ferry.core.upload.Uploads;
import dev.ferry.jobs.remote.RemoteConnector;
import java.time.Clock;
import java.time.Duration;

/**
 * What sync runs use of the rest of Ferry: the remote hosts' connector, and core's store, catalog,
 * path locks, uploads and event stream, so that a synced object is written as a client's upload is.
 */
public record SyncServices(RemoteConnector connector, ObjectStore store, ObjectCatalog catalog, PathLockTable locks,
    Uploads uploads, EventBus events, Duration retryBackoff, Duration commandTimeout, Clock clock) {}
