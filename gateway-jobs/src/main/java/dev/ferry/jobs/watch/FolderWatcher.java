package dev.ferry.jobs.watch;

import static dev.ferry.jobs.watch.Inotify.IN_CLOSE_WRITE;
import static dev.ferry.jobs.watch.Inotify.IN_CREATE;
import static dev.ferry.jobs.watch.Inotify.IN_DELETE_SELF;
import static dev.ferry.jobs.watch.Inotify.IN_EXCL_UNLINK;
import static dev.ferry.jobs.watch.Inotify.IN_IGNORED;
import static dev.ferry.jobs.watch.Inotify.IN_ISDIR;
import static dev.ferry.jobs.watch.Inotify.IN_MOVED_FROM;
import static dev.ferry.jobs.watch.Inotify.IN_MOVED_TO;
import static dev.ferry.jobs.watch.Inotify.IN_MOVE_SELF;
import static dev.ferry.jobs.watch.Inotify.IN_Q_OVERFLOW;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches one folder's tree with inotify and hands its closed files to the {@link UploadQueue}: a
 * file is offered when a writer closes it after writing (IN_CLOSE_WRITE) or when it is renamed into
 * the tree (IN_MOVED_TO: rsync and others write a hidden temp file and rename it when whole). A new
 * directory gets a watch of its own and is scanned, for files written into it before its watch
 * was there; lost events (IN_Q_OVERFLOW) make it scan the whole tree. Symbolic links are not
 * followed. One thread reads the events; {@link #close} ends it within {@link #POLL_MILLIS}.
 */
final class FolderWatcher implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(FolderWatcher.class);
  private static final int MASK = IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE | IN_DELETE_SELF
      | IN_MOVE_SELF | IN_EXCL_UNLINK;
  /** How soon close() is noticed; an idle watcher wakes this often and does nothing else. */
  static final int POLL_MILLIS = 200;

  private final WatchedFolder folder;
  private final UploadQueue queue;
  private final Inotify inotify;
  /** Watch number to directory. Filled by the starting thread, then used by the event thread only. */
  private final Map<Integer, Path> directories = new HashMap<>();
  private final Thread thread;
  private volatile boolean closing;

  private FolderWatcher(WatchedFolder folder, UploadQueue queue, Inotify inotify) {
    this.folder = folder;
    this.queue = queue;
    this.inotify = inotify;
    this.thread = new Thread(this::run, "ferry-watch-" + folder.name() + "-events");
    thread.setDaemon(true);
  }

  /** Watches the folder's tree, queues the files already there, and starts reading events. */
  static FolderWatcher start(WatchedFolder folder, UploadQueue queue) throws IOException {
    Inotify inotify = new Inotify();
    FolderWatcher watcher = new FolderWatcher(folder, queue, inotify);
    try {
      watcher.scan(folder.directory());
    } catch (IOException | RuntimeException e) {
      inotify.close();
      throw e;
    }
    log.info("watch {}: watching {} ({} directories) for files closed after writing", folder.name(),
        folder.directory(), watcher.directories.size());
    watcher.thread.start();
    return watcher;
  }

  private void run() {
    try {
      while (!closing) {
        for (Inotify.Event event : inotify.read(POLL_MILLIS)) {
          try {
            handle(event);
          } catch (IOException | RuntimeException e) {
            // e.g. the watch limit reached in a new directory: its files wait for the next start's scan
            log.error("watch {}: {}", folder.name(), e.getMessage(), e);
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      log.error("watch {}: stopped watching {}; files closed from now on are uploaded at the next start: {}",
          folder.name(), folder.directory(), e.getMessage(), e);
    } finally {
      inotify.close();
    }
  }

  private void handle(Inotify.Event event) throws IOException {
    if (event.is(IN_Q_OVERFLOW)) {
      log.warn("watch {}: the kernel dropped events (raise the sysctl fs.inotify.max_queued_events); scanning {} "
          + "again", folder.name(), folder.directory());
      scan(folder.directory());
      return;
    }
    Path directory = directories.get(event.watch());
    if (directory == null) {
      return; // a watch already let go
    }
    if (event.is(IN_IGNORED)) {
      directories.remove(event.watch());
    } else if (event.is(IN_DELETE_SELF | IN_MOVE_SELF)) {
      if (directory.equals(folder.directory())) {
        log.error("watch {}: {} was removed or moved away; nothing more is uploaded from it until Ferry restarts",
            folder.name(), directory);
      }
    } else if (event.is(IN_ISDIR)) {
      Path child = directory.resolve(event.name());
      if (event.is(IN_MOVED_FROM)) {
        forget(child);
      } else if (event.is(IN_CREATE | IN_MOVED_TO) && folder.selection().enters(relative(child))) {
        scan(child);
      }
    } else if (event.is(IN_CLOSE_WRITE | IN_MOVED_TO)) {
      Path file = directory.resolve(event.name());
      if (folder.selection().accepts(relative(file))) {
        queue.offer(file, false);
      }
    }
  }

  /**
   * Watches {@code top} and every directory below it, then queues their files. The watches come
   * first and the list of what is open for writing second, so that every file is either closed
   * after its directory was watched (its event will come; left to it if it was still open) or
   * already closed when the list was taken (queued here).
   */
  private void scan(Path top) throws IOException {
    List<Path> watched = new ArrayList<>();
    boolean[] anyFile = {false};
    Files.walkFileTree(top, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult preVisitDirectory(Path directory, BasicFileAttributes attributes) throws IOException {
        if (!directory.equals(folder.directory()) && !folder.selection().enters(relative(directory))) {
          return FileVisitResult.SKIP_SUBTREE;
        }
        int watch = inotify.addWatch(directory, MASK);
        if (watch < 0) {
          return FileVisitResult.SKIP_SUBTREE; // gone meanwhile
        }
        directories.put(watch, directory);
        watched.add(directory);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
        anyFile[0] |= attributes.isRegularFile();
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFileFailed(Path file, IOException e) {
        if (!(e instanceof NoSuchFileException)) {
          log.warn("watch {}: cannot read {}: {}", folder.name(), file, e.getMessage());
        }
        return FileVisitResult.CONTINUE;
      }
    });
    if (anyFile[0]) {
      queueFiles(watched, OpenForWriting.under(folder.directory()));
    }
  }

  private void queueFiles(List<Path> watched, OpenForWriting open) throws IOException {
    for (Path directory : watched) {
      try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory)) {
        for (Path entry : entries) {
          BasicFileAttributes attributes;
          try {
            attributes = Files.readAttributes(entry, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
          } catch (NoSuchFileException e) {
            continue;
          }
          if (!attributes.isRegularFile() || !folder.selection().accepts(relative(entry))) {
            continue;
          }
          if (open.holds(attributes)) {
            log.info("watch {}: {} is open for writing; it is uploaded when it is closed", folder.name(), entry);
          } else {
            queue.offer(entry, true);
          }
        }
      } catch (NoSuchFileException | NotDirectoryException e) {
        // removed or replaced since it was watched
      }
    }
  }

  /** Lets go of the watches of a directory moved away (moved within the tree, it is watched again under its new name). */
  private void forget(Path moved) {
    for (Iterator<Map.Entry<Integer, Path>> it = directories.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<Integer, Path> entry = it.next();
      if (entry.getValue().startsWith(moved)) {
        inotify.removeWatch(entry.getKey());
        it.remove();
      }
    }
  }

  private String relative(Path path) {
    return folder.directory().relativize(path).toString();
  }

  @Override
  public void close() {
    closing = true;
    try {
      thread.join(10L * POLL_MILLIS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
