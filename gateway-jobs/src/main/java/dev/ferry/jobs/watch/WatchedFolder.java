package dev.ferry.jobs.watch;

import java.nio.file.Path;
import java.time.Duration;

/**
 * One {@code watch:} entry of ferry.yaml: a directory on this host whose closed files are uploaded.
 *
 * @param key the entry's config key ("watch[0]"), for messages that point at it
 * @param directory absolute and real (links resolved), so that it matches what /proc shows
 * @param retryBackoff the wait after a file's first failed upload, doubling with each failure
 * @param parallel files of this folder uploaded at once
 */
record WatchedFolder(String name, String key, Path directory, ObjectLayout layout, FileSelection selection,
    boolean deleteAfterUpload, Duration retryBackoff, int parallel) {}
