package dev.ferry.jobs.watch;

import dev.ferry.core.Gateway;
import dev.ferry.core.config.ConfigException;
import dev.ferry.core.object.ObjectOperations;
import dev.ferry.core.s3.S3Location;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The watched folders of ferry.yaml at work: for each, an inotify watcher of its tree and a queue
 * that uploads its closed files through the gateway. Files already in a folder at start are
 * uploaded too, unless an earlier run did.
 */
public final class WatchedFolders implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(WatchedFolders.class);

  /** One folder's state: files waiting or in flight, and what happened since start. */
  public record Status(String name, Path directory, int waiting, long uploaded, long alreadyThere,
      long failedAttempts) {}

  private final List<WatchedFolder> folders = new ArrayList<>();
  private final List<UploadQueue> queues = new ArrayList<>();
  private final List<FolderWatcher> watchers = new ArrayList<>();

  private WatchedFolders() {}

  /**
   * Starts watching every folder of {@code config}; none when it has none.
   *
   * @throws ConfigException naming the target of a folder whose bucket does not exist (and
   *     {@code s3.createBuckets} is off)
   * @throws IOException when S3 cannot say, or inotify refuses (its limits are named)
   */
  public static WatchedFolders start(WatchConfig config, Gateway gateway) throws IOException {
    WatchedFolders started = new WatchedFolders();
    try {
      for (WatchedFolder folder : config.folders()) {
        checkBuckets(folder, gateway);
        UploadQueue queue = new UploadQueue(folder, new FileUpload(folder, gateway));
        started.folders.add(folder);
        started.queues.add(queue);
        started.watchers.add(FolderWatcher.start(folder, queue));
      }
    } catch (IOException | RuntimeException e) {
      started.close();
      throw e;
    }
    return started;
  }

  /**
   * A folder's one bucket must exist, as a user's home must. In the bucket-key layout buckets come
   * and go with directories: a missing one is only reported, and its files are retried until it exists.
   */
  private static void checkBuckets(WatchedFolder folder, Gateway gateway) throws IOException {
    ObjectOperations objects = gateway.objects();
    S3Location target = folder.layout().target();
    if (target != null) {
      if (!objects.ensureBucket(target.bucket(), gateway.config().createBuckets())) {
        throw new ConfigException(folder.key() + ".target", "bucket '" + target.bucket() + "' does not exist at "
            + gateway.config().s3Endpoint() + "; create it or set s3.createBuckets: true");
      }
      return;
    }
    try (DirectoryStream<Path> buckets = Files.newDirectoryStream(folder.directory(), Files::isDirectory)) {
      for (Path bucket : buckets) {
        String name = bucket.getFileName().toString();
        try {
          if (folder.selection().enters(name) && !ObjectOperations.await(objects.bucketExists(name))) {
            log.warn("watch {}: bucket '{}' ({}) does not exist; its files are retried until it does", folder.name(),
                name, bucket);
          }
        } catch (IOException | RuntimeException e) {
          log.warn("watch {}: cannot tell whether bucket '{}' ({}) exists: {}", folder.name(), name, bucket,
              e.getMessage());
        }
      }
    }
  }

  public List<Status> status() {
    List<Status> status = new ArrayList<>();
    for (int i = 0; i < queues.size(); i++) {
      UploadQueue.Counts counts = queues.get(i).counts();
      status.add(new Status(folders.get(i).name(), folders.get(i).directory(), counts.waiting(), counts.uploaded(),
          counts.alreadyThere(), counts.failedAttempts()));
    }
    return status;
  }

  /**
   * Stops watching and uploading. Uploads in flight are aborted (no object, no multipart upload
   * left): their files are still there and are uploaded at the next start, as are files closed
   * while Ferry is down.
   */
  @Override
  public void close() {
    watchers.forEach(FolderWatcher::close);
    queues.forEach(UploadQueue::close);
  }
}
