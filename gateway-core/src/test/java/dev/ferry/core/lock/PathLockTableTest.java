package dev.ferry.core.lock;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.s3.S3Location;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PathLockTableTest {

  private final PathLockTable table = new PathLockTable();

  private static S3Location at(String key) {
    return new S3Location("bucket", key);
  }

  @AfterEach
  void nothingLeftHeld() {
    // Every test closes what it took; a leak here means close() lost a lock.
    assertEquals(0, table.size());
  }

  @Test
  void lockKey_sameKeyHeld_throwsNamingHoldersPurpose() throws Exception {
    try (PathLock upload = table.lockKey(at("home/a.txt"), "upload")) {
      PathBusyException e = assertThrows(PathBusyException.class,
          () -> table.lockKey(at("home/a.txt"), "delete"));

      assertTrue(e.getMessage().contains("home/a.txt"), e.getMessage());
      assertTrue(e.getMessage().contains("upload"), e.getMessage());
      assertEquals(1, table.size());
    }
  }

  @Test
  void lockKey_differentKeys_bothHeld() throws Exception {
    try (PathLock a = table.lockKey(at("home/a.txt"), "upload");
        PathLock b = table.lockKey(at("home/b.txt"), "upload")) {
      assertEquals(2, table.size());
      assertEquals(at("home/b.txt"), b.location());
    }
  }

  @Test
  void lockKey_underHeldPrefix_throwsNamingHoldersPurpose() throws Exception {
    try (PathLock dir = table.lockPrefix(at("home/dir/"), "directory rename")) {
      PathBusyException e = assertThrows(PathBusyException.class,
          () -> table.lockKey(at("home/dir/sub/file.bin"), "upload"));

      assertTrue(e.getMessage().contains("directory rename"), e.getMessage());
      assertTrue(e.getMessage().contains("home/dir/sub/file.bin"), e.getMessage());
    }
  }

  @Test
  void lockPrefix_overHeldKey_throwsNamingHoldersPurpose() throws Exception {
    try (PathLock file = table.lockKey(at("home/dir/sub/file.bin"), "upload")) {
      PathBusyException e = assertThrows(PathBusyException.class,
          () -> table.lockPrefix(at("home/dir/"), "directory removal"));

      assertTrue(e.getMessage().contains("upload"), e.getMessage());
    }
  }

  @Test
  void lockPrefix_nestedPrefixes_conflictBothWays() throws Exception {
    try (PathLock outer = table.lockPrefix(at("home/a/"), "rename")) {
      assertThrows(PathBusyException.class, () -> table.lockPrefix(at("home/a/b/"), "rename"));
    }
    try (PathLock inner = table.lockPrefix(at("home/a/b/"), "rename")) {
      assertThrows(PathBusyException.class, () -> table.lockPrefix(at("home/a/"), "rename"));
    }
  }

  @Test
  void lockKey_fileNamedLikeLockedDirectory_noConflict() throws Exception {
    // The file "a/b" is not inside the directory "a/b/".
    try (PathLock dir = table.lockPrefix(at("home/a/b/"), "directory rename");
        PathLock file = assertDoesNotThrow(() -> table.lockKey(at("home/a/b"), "upload"))) {
      assertEquals(2, table.size());
    }
    try (PathLock file = table.lockKey(at("home/a/b"), "upload");
        PathLock dir = assertDoesNotThrow(() -> table.lockPrefix(at("home/a/b/"), "directory rename"))) {
      assertEquals(2, table.size());
    }
  }

  @Test
  void lockKey_siblingSharingNamePrefix_noConflict() throws Exception {
    try (PathLock dir = table.lockPrefix(at("home/a/b/"), "directory rename");
        PathLock sibling = assertDoesNotThrow(() -> table.lockKey(at("home/a/bc/x"), "upload"))) {
      assertEquals(2, table.size());
    }
  }

  @Test
  void lockKey_sameKeyInOtherBucket_noConflict() throws Exception {
    try (PathLock one = table.lockKey(new S3Location("one", "a.txt"), "upload");
        PathLock two = assertDoesNotThrow(() -> table.lockKey(new S3Location("two", "a.txt"), "upload"));
        PathLock prefix = assertDoesNotThrow(() -> table.lockPrefix(new S3Location("three", ""), "rename"))) {
      assertEquals(3, table.size());
    }
  }

  @Test
  void lockPrefix_wholeBucket_blocksEveryKeyInIt() throws Exception {
    try (PathLock all = table.lockPrefix(at(""), "bucket removal")) {
      assertThrows(PathBusyException.class, () -> table.lockKey(at("any/key"), "upload"));
    }
  }

  @Test
  void close_releasesLock_keyCanBeTakenAgain() throws Exception {
    PathLock first = table.lockKey(at("home/a.txt"), "upload");

    first.close();

    assertEquals(0, table.size());
    try (PathLock again = assertDoesNotThrow(() -> table.lockKey(at("home/a.txt"), "delete"))) {
      assertEquals(1, table.size());
    }
  }

  @Test
  void close_twice_doesNotReleaseNextHolder() throws Exception {
    PathLock first = table.lockKey(at("home/a.txt"), "upload");
    first.close();
    try (PathLock second = table.lockKey(at("home/a.txt"), "upload")) {

      first.close();

      assertEquals(1, table.size());
      PathBusyException e = assertThrows(PathBusyException.class,
          () -> table.lockKey(at("home/a.txt"), "delete"));
      assertTrue(e.getMessage().contains("upload"), e.getMessage());
    }
  }

  @Test
  void acquire_severalFree_takesAll() throws Exception {
    List<PathLock> locks = table.acquire(List.of(
        table.newKeyLock(at("home/src.txt"), "rename"),
        table.newKeyLock(at("home/dst.txt"), "rename")));
    try {
      assertEquals(2, table.size());
      assertThrows(PathBusyException.class, () -> table.lockKey(at("home/src.txt"), "upload"));
      assertThrows(PathBusyException.class, () -> table.lockKey(at("home/dst.txt"), "upload"));
    } finally {
      locks.forEach(PathLock::close);
    }
  }

  @Test
  void acquire_secondConflicts_firstNotHeld() throws Exception {
    try (PathLock busy = table.lockKey(at("home/dst.txt"), "upload")) {
      PathLock source = table.newKeyLock(at("home/src.txt"), "rename");
      PathLock target = table.newKeyLock(at("home/dst.txt"), "rename");

      PathBusyException e = assertThrows(PathBusyException.class,
          () -> table.acquire(List.of(source, target)));

      assertTrue(e.getMessage().contains("home/dst.txt"), e.getMessage());
      assertTrue(e.getMessage().contains("upload"), e.getMessage());
      assertEquals(1, table.size(), "the source must not stay locked after the rename was refused");
      try (PathLock src = assertDoesNotThrow(() -> table.lockKey(at("home/src.txt"), "delete"))) {
        assertEquals(2, table.size());
      }
    }
  }

  @Test
  void acquire_prefixAndKeyWithOneConflict_takesNeither() throws Exception {
    try (PathLock busy = table.lockKey(at("home/new/inside.txt"), "upload")) {
      PathBusyException e = assertThrows(PathBusyException.class, () -> table.acquire(List.of(
          table.newPrefixLock(at("home/old/"), "directory rename"),
          table.newPrefixLock(at("home/new/"), "directory rename"))));

      assertTrue(e.getMessage().contains("upload"), e.getMessage());
      assertEquals(1, table.size());
      try (PathLock old = assertDoesNotThrow(() -> table.lockKey(at("home/old/f"), "upload"))) {
        assertEquals(2, table.size());
      }
    }
  }
}
