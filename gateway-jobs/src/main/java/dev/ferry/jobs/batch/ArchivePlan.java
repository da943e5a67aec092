package dev.ferry.jobs.batch;

import dev.ferry.core.s3.ObjectInfo;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Which files go into which archive: a folder's files grouped by their directory (an archive holds
 * files of one directory and goes into it, as s3-batch kept the key layout), in key order, each
 * group cut into archives whose tar size, headers included, is at most {@code maxBatchSize} (and
 * that hold at most {@link #MAX_FILES}). The
 * tar size of a file is known before a byte is read ({@link #entrySize}), so the grouping is decided
 * from the listing alone. A file too large for any archive is left where it is.
 */
final class ArchivePlan {

  /**
   * The most files one archive holds, whatever their size: its manifest, read whole and sent to the
   * index in one request, stays a few MiB.
   */
  static final int MAX_FILES = 10_000;
  /** A tar's block; headers and data are padded to it. */
  static final int BLOCK = 512;
  /** The two zero blocks that end a tar. */
  static final long END = 2L * BLOCK;
  /** The largest size a ustar header holds (11 octal digits); larger ones take a PAX header. */
  private static final long MAX_OCTAL_SIZE = 077777777777L;
  /** Names of this many bytes or more take a PAX header (the ustar name field holds 99 and a NUL). */
  private static final int NAME_FIELD = 100;

  /** One archive to make: the directory it goes into (a key prefix ending in '/') and its files. */
  record Group(String directory, List<ObjectInfo> files, long tarSize) {}

  /** The plan: the archives, and the files left out because none could hold them. */
  record Plan(List<Group> groups, List<ObjectInfo> tooLarge) {}

  private ArchivePlan() {}

  static Plan of(List<ObjectInfo> files, long maxBatchSize) {
    Map<String, List<ObjectInfo>> byDirectory = new TreeMap<>();
    for (ObjectInfo file : files) {
      byDirectory.computeIfAbsent(directoryOf(file.key()), d -> new ArrayList<>()).add(file);
    }
    List<Group> groups = new ArrayList<>();
    List<ObjectInfo> tooLarge = new ArrayList<>();
    for (Map.Entry<String, List<ObjectInfo>> directory : byDirectory.entrySet()) {
      List<ObjectInfo> current = new ArrayList<>();
      long size = END;
      for (ObjectInfo file : directory.getValue()) {
        long entry = entrySize(nameOf(file.key()), file.size());
        if (END + entry > maxBatchSize) {
          tooLarge.add(file);
          continue;
        }
        if (size + entry > maxBatchSize || current.size() == MAX_FILES) {
          groups.add(new Group(directory.getKey(), List.copyOf(current), size));
          current.clear();
          size = END;
        }
        current.add(file);
        size += entry;
      }
      if (!current.isEmpty()) {
        groups.add(new Group(directory.getKey(), List.copyOf(current), size));
      }
    }
    return new Plan(List.copyOf(groups), List.copyOf(tooLarge));
  }

  static String directoryOf(String key) {
    return key.substring(0, key.lastIndexOf('/') + 1);
  }

  /** A file's name inside its archive: its key below its directory. */
  static String nameOf(String key) {
    return key.substring(key.lastIndexOf('/') + 1);
  }

  /**
   * The bytes a file takes in a tar as {@link TarWriter} writes it, at most: its header block, its
   * data padded to a block, and a PAX header (a block and the padded records) when its name or
   * size does not fit the ustar header.
   */
  static long entrySize(String name, long size) {
    long bytes = BLOCK + padded(size);
    int nameBytes = name.getBytes(StandardCharsets.UTF_8).length;
    long pax = 0;
    if (nameBytes >= NAME_FIELD) {
      pax += nameBytes + 32; // "<length> path=<name>\n"
    }
    if (size > MAX_OCTAL_SIZE) {
      pax += 32; // "<length> size=<digits>\n"
    }
    return pax == 0 ? bytes : bytes + BLOCK + padded(pax);
  }

  static long padded(long size) {
    return (size + BLOCK - 1) / BLOCK * BLOCK;
  }
}
