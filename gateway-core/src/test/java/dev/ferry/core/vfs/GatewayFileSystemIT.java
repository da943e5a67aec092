package dev.ferry.core.vfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.Gateway;
import dev.ferry.core.path.VirtualPath;
import dev.ferry.core.s3.S3Location;
import dev.ferry.core.testing.Await;
import dev.ferry.core.testing.S3TestServer;
import dev.ferry.core.testing.TestGateways;
import dev.ferry.core.testing.TestObjects;
import dev.ferry.core.upload.StreamingUpload;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * One session's filesystem over a real S3 server, as both front-ends use it: what a path is, and
 * what mkdir, rmdir, rename and delete do and answer, including for names S3 lists next to each
 * other ("x.txt" sorts before "x/") and for objects another S3 client wrote (folders without markers).
 */
class GatewayFileSystemIT {

  @RegisterExtension
  static final S3TestServer s3 = new S3TestServer();

  @TempDir
  static Path directory;

  static Gateway gateway;
  static String bucket;
  GatewayFileSystem fs;

  @BeforeAll
  static void start() throws IOException {
    bucket = s3.createBucket();
    gateway = TestGateways.start(s3, directory, bucket, "");
  }

  @AfterAll
  static void stop() {
    gateway.close();
  }

  @BeforeEach
  void open() {
    fs = gateway.openSession(gateway.users().find("alice").orElseThrow(), null);
  }

  @AfterEach
  void close() {
    fs.close();
  }

  @Test
  void mkdir_besideNamesThatSortBeforeIt_createsItOnceThenExists() throws IOException {
    fs.mkdir(path("/m"));
    put("/m/x.txt", "a");
    put("/m/x-1", "b");
    fs.mkdir(path("/m/x"));
    assertTrue(fs.stat(path("/m/x")).directory());
    assertThrows(FileAlreadyExistsException.class, () -> fs.mkdir(path("/m/x")));
    assertThrows(FileAlreadyExistsException.class, () -> fs.mkdir(path("/m/x.txt")), "over a file");
    assertThrows(NoSuchFileException.class, () -> fs.mkdir(path("/m/none/x")), "in no folder");
    assertThrows(NoSuchFileException.class, () -> fs.mkdir(path("/m/x.txt/y")), "in a file");
  }

  @Test
  void rmdir_removesOnlyAnEmptyFolder_andTellsAFileFromNothing() throws IOException {
    fs.mkdir(path("/r"));
    fs.mkdir(path("/r/d"));
    put("/r/d/f", "1");
    put("/r/f", "2");
    assertThrows(DirectoryNotEmptyException.class, () -> fs.rmdir(path("/r/d")));
    NotDirectoryException file = assertThrows(NotDirectoryException.class, () -> fs.rmdir(path("/r/f")));
    assertEquals("/r/f", file.getFile());
    assertTrue(file.getReason().contains("not a directory"), file.getReason());
    assertThrows(NoSuchFileException.class, () -> fs.rmdir(path("/r/none")));
    fs.delete(path("/r/d/f"));
    fs.rmdir(path("/r/d"));
    assertFalse(fs.exists(path("/r/d")));
    assertTrue(fs.exists(path("/r/f")), "the file beside it stays");
  }

  @Test
  void list_ofAFileOrNothing_saysWhich() throws IOException {
    fs.mkdir(path("/l"));
    put("/l/f", "1");
    NotDirectoryException file = assertThrows(NotDirectoryException.class, () -> fs.list(path("/l/f")));
    assertTrue(file.getReason().contains("list by alice: not a directory"), file.getReason());
    assertThrows(NoSuchFileException.class, () -> fs.list(path("/l/none")));
    assertEquals(List.of("f"), names(fs.list(path("/l"))));
  }

  @Test
  void rename_ofAFile_movesItsBytes_andRefusesWhatADiskWould() throws IOException {
    fs.mkdir(path("/n"));
    fs.mkdir(path("/n/sub"));
    put("/n/a", "first");
    put("/n/taken", "other");
    assertThrows(FileAlreadyExistsException.class, () -> fs.rename(path("/n/a"), path("/n/sub"), true), "onto a folder");
    assertThrows(FileAlreadyExistsException.class, () -> fs.rename(path("/n/a"), path("/n/taken"), false),
        "onto a file, not replacing");
    assertThrows(NoSuchFileException.class, () -> fs.rename(path("/n/a"), path("/n/none/a"), false), "into no folder");
    assertThrows(NoSuchFileException.class, () -> fs.rename(path("/n/none"), path("/n/b"), false), "of nothing");

    fs.rename(path("/n/a"), path("/n/b"), false);
    assertFalse(fs.exists(path("/n/a")));
    assertEquals("first", read("/n/b"));
    fs.rename(path("/n/b"), path("/n/sub/c"), false);
    assertEquals("first", read("/n/sub/c"));
    fs.rename(path("/n/sub/c"), path("/n/taken"), true);
    assertEquals("first", read("/n/taken"));
  }

  @Test
  void delete_ofAFolderOrNothing_isRefused_andTheLastFileOfAFolderWithoutMarkerTakesIt() throws IOException {
    fs.mkdir(path("/d"));
    fs.mkdir(path("/d/sub"));
    assertThrows(FileSystemException.class, () -> fs.delete(path("/d/sub")), "a folder");
    assertThrows(NoSuchFileException.class, () -> fs.delete(path("/d/none")));
    s3.put(bucket, "alice/foreign/only.bin", new byte[] {1});
    // Listed, not stat'ed: a listing of the home kept by an earlier test may not show /foreign yet.
    assertEquals(List.of("only.bin"), names(fs.list(path("/foreign"))), "a folder another S3 client made, without a marker");
    fs.delete(path("/foreign/only.bin"));
    assertEquals(List.of(), s3.client().listObjectsV2(b -> b.bucket(bucket).prefix("alice/foreign")).contents(),
        "S3 has no folder left");
    assertTrue(fs.stat(path("/foreign")).directory(), "but for this node it is an empty folder, as on a disk");
    fs.rmdir(path("/foreign"));
    assertFalse(fs.exists(path("/foreign")));
  }

  /**
   * A tree another S3 client wrote (no markers) deleted name by name, as lftp's {@code rm -r} and
   * GUI clients do it: each folder ends in S3 with its last file, but for this node (every session
   * of it) it is an empty folder until it is removed, as on a disk: it can be stat'ed and changed
   * into (lftp goes back to each parent before removing the folder it emptied), listed, written
   * into, and removed, up the tree. An rmdir of a name nothing was ever removed under still fails.
   */
  @Test
  void aFolderEmptiedHere_isAnEmptyFolderUntilRemoved_upTheTree() throws IOException {
    s3.put(bucket, "alice/tree/d1/a.bin", new byte[] {1});
    s3.put(bucket, "alice/tree/d1/b.bin", new byte[] {2});
    s3.put(bucket, "alice/tree/d2/sub/c.bin", new byte[] {3});
    fs.delete(path("/tree/d1/a.bin"));
    fs.delete(path("/tree/d1/b.bin"));
    fs.delete(path("/tree/d2/sub/c.bin"));
    assertEquals(List.of(), s3.client().listObjectsV2(b -> b.bucket(bucket).prefix("alice/tree")).contents());

    assertTrue(fs.stat(path("/tree/d2")).directory(), "emptied here: a folder");
    assertTrue(fs.stat(path("/tree")).directory());
    assertEquals(List.of(), names(fs.list(path("/tree/d2/sub"))));
    put("/tree/d1/new.txt", "written into it");
    assertEquals("written into it", read("/tree/d1/new.txt"));
    fs.delete(path("/tree/d1/new.txt"));

    fs.rmdir(path("/tree/d1"));
    assertFalse(fs.exists(path("/tree/d1")), "removed: nothing any more");
    try (GatewayFileSystem other = gateway.openSession(gateway.users().find("alice").orElseThrow(), null)) {
      other.rmdir(path("/tree/d2/sub"));
    }
    assertThrows(NoSuchFileException.class, () -> fs.rmdir(path("/tree/d2/sub")), "removed already");
    fs.rmdir(path("/tree/d2"));
    fs.rmdir(path("/tree"));
    assertFalse(fs.exists(path("/tree")));

    assertThrows(NoSuchFileException.class, () -> fs.rmdir(path("/never")), "nothing was removed under it");
    assertThrows(NoSuchFileException.class, () -> fs.list(path("/never")));
    assertEquals(List.of(), s3.client().listObjectsV2(b -> b.bucket(bucket).prefix("alice/tree")).contents());
  }

  /**
   * A folder emptied here ends as a disk's would: removing the folder above it removes it too, a
   * file put in its place (a rename) is a file that nothing can be written under, setting its time
   * (sshfs's touch, FTP's MFMT) is accepted like any folder's, and renaming it makes the target an
   * empty folder.
   */
  @Test
  void aFolderEmptiedHere_endsWithTheFolderAboveIt_orWhenAFileTakesItsName_andRenamesAsOnADisk() throws IOException {
    s3.put(bucket, "alice/gone/d1/a.bin", new byte[] {1});
    fs.delete(path("/gone/d1/a.bin"));
    fs.setModifiedTime(path("/gone/d1"), Instant.parse("2026-01-02T03:04:05Z"));
    assertTrue(fs.stat(path("/gone/d1")).directory());
    fs.rmdir(path("/gone"));
    assertFalse(fs.exists(path("/gone/d1")), "removed with the folder above it");
    assertThrows(NoSuchFileException.class, () -> put("/gone/d1/late.txt", "x"));
    assertThrows(NoSuchFileException.class, () -> fs.setModifiedTime(path("/gone/d1"), Instant.EPOCH));

    s3.put(bucket, "alice/d/x.bin", new byte[] {2});
    fs.delete(path("/d/x.bin"));
    put("/f.txt", "now a file");
    fs.rename(path("/f.txt"), path("/d"), false);
    assertFalse(fs.stat(path("/d")).directory(), "the name is a file now");
    assertThrows(IOException.class, () -> put("/d/y.txt", "under a file"));
    assertEquals(List.of("alice/d"), s3.client().listObjectsV2(b -> b.bucket(bucket).prefix("alice/d"))
        .contents().stream().map(o -> o.key()).toList(), "nothing written under the file");
    fs.delete(path("/d"));

    s3.put(bucket, "alice/mv/old/x.bin", new byte[] {3});
    fs.delete(path("/mv/old/x.bin"));
    fs.rename(path("/mv/old"), path("/mv/new"), false);
    assertFalse(fs.exists(path("/mv/old")), "renamed away");
    assertEquals(List.of("new"), names(fs.list(path("/mv"))), "the target is an empty folder, as on a disk");
    assertEquals(List.of("alice/mv/new/"), s3.client().listObjectsV2(b -> b.bucket(bucket).prefix("alice/mv/"))
        .contents().stream().map(o -> o.key()).toList(), "with a marker, so that it lasts");
    s3.put(bucket, "alice/mv/a/y.bin", new byte[] {4});
    fs.delete(path("/mv/a/y.bin"));
    assertThrows(FileAlreadyExistsException.class, () -> fs.rename(path("/mv/a"), path("/mv/new"), false));
  }

  /**
   * listings.directoryCacheTime (5 s here): the node trusts what it saw of a folder for that long,
   * in every session, so a folder another S3 client adds meanwhile is missed; then it is seen.
   */
  @Test
  void stat_ofAFolderAddedBehindTheNodesBack_missedWithinTheWindow_thenSeen() throws Exception {
    fs.mkdir(path("/w"));
    long made = System.nanoTime();
    s3.put(bucket, "alice/w/added/x.bin", new byte[] {1});
    assertFalse(fs.exists(path("/w/added")), "/w was made here a moment ago, with no subfolder");
    GatewayFileSystem other = gateway.openSession(gateway.users().find("alice").orElseThrow(), null);
    try {
      assertFalse(other.exists(path("/w/added")), "what the node saw holds for every session");
      assertTrue(other.exists(path("/w/added/x.bin")), "a folder never listed is asked of S3");
      Await.until(() -> exists(other, "/w/added"), Duration.ofSeconds(7), "/w/added to be seen once the window ended");
      assertTrue(System.nanoTime() - made > Duration.ofSeconds(4).toNanos(), "seen before the window ended");
    } finally {
      other.close();
    }
  }

  /**
   * An exclusive create where the folder seen a moment ago has no such name is opened without
   * waiting for S3; a file another S3 client put there meanwhile still refuses it, at the commit,
   * and keeps its bytes: the cache never costs data.
   */
  @Test
  void exclusiveCreate_overAFileAnotherClientPutSinceTheFolderWasSeen_refusedAtTheCommit() throws Exception {
    fs.mkdir(path("/x"));
    s3.put(bucket, "alice/x/theirs.bin", new byte[] {4, 2});
    assertFalse(fs.exists(path("/x/theirs.bin")), "the folder made a moment ago does not show it yet");
    dev.ferry.core.upload.OffsetWriter writer = fs.openAtOffsets(path("/x/theirs.bin"), ExistingFile.REFUSED, true);
    writer.write(0, new byte[] {9, 9, 9}, 0, 3);
    FileAlreadyExistsException refused = assertThrows(FileAlreadyExistsException.class, writer::commit);
    assertTrue(refused.getMessage().contains("exclusive create"), refused.getMessage());
    writer.close();
    assertEquals(List.of((byte) 4, (byte) 2), bytes(s3.read(bucket, "alice/x/theirs.bin")), "their bytes");

    writer = fs.openAtOffsets(path("/x/mine.bin"), ExistingFile.REFUSED, true);
    writer.write(0, new byte[] {1}, 0, 1);
    writer.commit();
    writer.close();
    assertEquals(1, fs.stat(path("/x/mine.bin")).size(), "a name that is really new is written");
  }

  /**
   * The same race for a file written in parts (past uploads.singlePutLimit), on a store that takes
   * conditional writes (S3 refuses the completion) and on one configured without them
   * (s3.conditionalWrites: false: a listing of the name before the commit): refused either way,
   * their bytes whole, no multipart upload of Ferry's left behind.
   */
  @ParameterizedTest
  @ValueSource(booleans = {true, false})
  void exclusiveCreateInParts_overAFileAnotherClientPut_refused_noUploadLeft(boolean conditionalWrites)
      throws Exception {
    Path data = directory.resolve("parts-" + conditionalWrites);
    String sections = (conditionalWrites ? "" : "  conditionalWrites: false\n")
        + "uploads:\n  partSize: 5MiB\n  singlePutLimit: 5MiB\n";
    try (Gateway other = TestGateways.start(s3, java.nio.file.Files.createDirectories(data), bucket, sections);
        GatewayFileSystem session = other.openSession(other.users().find("alice").orElseThrow(), null)) {
      String folder = "/parts-" + conditionalWrites;
      session.mkdir(path(folder));
      s3.put(bucket, "alice" + folder + "/theirs.bin", new byte[] {4, 2});
      dev.ferry.core.upload.OffsetWriter writer = session.openAtOffsets(path(folder + "/theirs.bin"),
          ExistingFile.REFUSED, true);
      byte[] mine = new byte[6 << 20];
      writer.write(0, mine, 0, mine.length);
      FileAlreadyExistsException refused = assertThrows(FileAlreadyExistsException.class, writer::commit);
      assertTrue(refused.getMessage().contains("exclusive create"), refused.getMessage());
      writer.close();
      assertEquals(List.of((byte) 4, (byte) 2), bytes(s3.read(bucket, "alice" + folder + "/theirs.bin")), "their bytes");
      assertEquals(List.of(), s3.client().listMultipartUploads(b -> b.bucket(bucket).prefix("alice" + folder))
          .uploads(), "no multipart upload left");

      writer = session.openAtOffsets(path(folder + "/mine.bin"), ExistingFile.REFUSED, true);
      writer.write(0, mine, 0, mine.length);
      writer.commit();
      writer.close();
      assertEquals(mine.length, session.stat(path(folder + "/mine.bin")).size(), "a name that is really new is written");
    }
  }

  @Test
  void read_ofAFileAnotherClientReplacedOrRemovedSinceThisNodeWroteIt_readsWhatS3HasNow() throws IOException {
    fs.mkdir(path("/y"));
    put("/y/swapped.txt", "mine");
    put("/y/gone.txt", "mine too");
    assertEquals("mine", read("/y/swapped.txt"), "read from what the write said, no HEAD");
    s3.put(bucket, "alice/y/swapped.txt", "theirs, longer".getBytes());
    s3.client().deleteObject(b -> b.bucket(bucket).key("alice/y/gone.txt"));
    assertEquals("theirs, longer", read("/y/swapped.txt"), "the version S3 has now, whole");
    try (ReadableFile file = fs.openReadable(path("/y/gone.txt"))) {
      assertThrows(NoSuchFileException.class, () -> file.from(0).readAllBytes());
    }
  }

  @Test
  void stat_ofAFileThisNodeJustWrote_showsS3sTimeForIt_withinTheSecondItsWriteAnswered() throws IOException {
    fs.mkdir(path("/t"));
    put("/t/new.txt", "abc");
    FileStat stat = fs.stat(path("/t/new.txt"));
    Instant s3Time = TestObjects.head(gateway.store(), new S3Location(bucket, "alice/t/new.txt")).lastModified();
    assertEquals(3, stat.size());
    assertTrue(Duration.between(s3Time, stat.lastModified()).abs().compareTo(Duration.ofSeconds(1)) <= 0,
        stat.lastModified() + " shown, " + s3Time + " in S3");
  }

  private static boolean exists(GatewayFileSystem session, String path) {
    try {
      return session.exists(path(path));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<Byte> bytes(byte[] data) {
    List<Byte> list = new ArrayList<>();
    for (byte b : data) {
      list.add(b);
    }
    return list;
  }

  private static VirtualPath path(String path) throws IOException {
    return VirtualPath.parse(path);
  }

  private void put(String path, String text) throws IOException {
    try (StreamingUpload upload = fs.openWrite(path(path), WriteMode.TRUNCATE, 0)) {
      byte[] bytes = text.getBytes();
      upload.write(bytes, 0, bytes.length);
      upload.commit();
    }
  }

  private String read(String path) throws IOException {
    try (InputStream in = fs.openWholeRead(path(path), 0)) {
      return new String(in.readAllBytes());
    }
  }

  private static List<String> names(Iterator<FileStat> entries) {
    List<String> names = new ArrayList<>();
    entries.forEachRemaining(entry -> names.add(entry.name()));
    return names;
  }
}
