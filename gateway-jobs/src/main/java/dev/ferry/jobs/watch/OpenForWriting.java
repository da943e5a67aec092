package dev.ferry.jobs.watch;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashSet;
import java.util.Set;

/**
 * The files under a directory that some process holds open for writing, read from
 * {@code /proc/<pid>/fd} and {@code /proc/<pid>/fdinfo}, as s3-batch's psutil check did. A file
 * found at a scan (at start, in a new directory, after lost events) may be half written; if a
 * writer still holds it, its IN_CLOSE_WRITE is yet to come and uploads it then.
 *
 * <p>Only the processes Ferry may inspect are seen: all of them when it runs as root (or with
 * CAP_SYS_PTRACE), else its own user's. A file another user's process is writing at a scan can
 * thus be uploaded half and is uploaded again, whole, at its close.
 */
final class OpenForWriting {

  private static final Path PROC = Path.of("/proc");
  private static final int O_ACCMODE = 3; // O_RDONLY 0, O_WRONLY 1, O_RDWR 2

  /** File keys (device and inode) of what is held open: names can differ, the inode cannot. */
  private final Set<Object> held;

  private OpenForWriting(Set<Object> held) {
    this.held = held;
  }

  /** A snapshot of what is open for writing under {@code root} (a real path: links name real paths) now. */
  static OpenForWriting under(Path root) {
    String prefix = root.toString().endsWith("/") ? root.toString() : root + "/";
    Set<Object> held = new HashSet<>();
    try (DirectoryStream<Path> processes = Files.newDirectoryStream(PROC, p -> isNumber(p.getFileName().toString()))) {
      for (Path process : processes) {
        collect(process, prefix, held);
      }
    } catch (IOException e) {
      // no /proc: nothing can be seen
    }
    return new OpenForWriting(held);
  }

  boolean holds(BasicFileAttributes file) {
    return file.fileKey() != null && held.contains(file.fileKey());
  }

  private static void collect(Path process, String prefix, Set<Object> held) {
    try (DirectoryStream<Path> descriptors = Files.newDirectoryStream(process.resolve("fd"))) {
      for (Path descriptor : descriptors) {
        try {
          if (Files.readSymbolicLink(descriptor).toString().startsWith(prefix)
              && openForWriting(process.resolve("fdinfo").resolve(descriptor.getFileName()))) {
            // reading the attributes through the link reaches the open file itself
            Object key = Files.readAttributes(descriptor, BasicFileAttributes.class).fileKey();
            if (key != null) {
              held.add(key);
            }
          }
        } catch (IOException e) {
          // closed meanwhile, or the process ended: it holds nothing now
        }
      }
    } catch (IOException e) {
      // another user's process (no access), or it ended
    }
  }

  /** fdinfo's "flags:" line is the open flags in octal; the access mode is in its low two bits. */
  private static boolean openForWriting(Path fdinfo) throws IOException {
    for (String line : Files.readAllLines(fdinfo, StandardCharsets.US_ASCII)) {
      if (line.startsWith("flags:")) {
        return (Long.parseLong(line.substring(6).trim(), 8) & O_ACCMODE) != 0;
      }
    }
    return false;
  }

  private static boolean isNumber(String name) {
    return !name.isEmpty() && name.chars().allMatch(Character::isDigit);
  }
}
