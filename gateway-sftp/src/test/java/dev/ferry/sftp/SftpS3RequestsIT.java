package dev.ferry.sftp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.testing.Await;
import dev.ferry.core.testing.S3RequestLog;
import dev.ferry.core.testing.S3TestServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.client.extensions.openssh.OpenSSHPosixRenameExtension;
import org.apache.sshd.sftp.common.SftpConstants;
import org.apache.sshd.sftp.common.SftpException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * What each small SFTP operation asks S3, counted by a proxy in front of a real S3 server: sshfs,
 * rsync and git send thousands of them, and each request is a round trip the client waits for.
 * The answers are checked too: a request spared must not change what the client is told.
 */
class SftpS3RequestsIT {

  @RegisterExtension
  static final S3TestServer s3 = new S3TestServer();

  @TempDir
  static Path dir;

  static S3RequestLog requests;
  static SftpTestGateway ferry;

  @BeforeAll
  static void start() throws IOException {
    requests = new S3RequestLog(s3.endpoint());
    // A window longer than the test, so what it counts does not depend on how fast this machine is.
    ferry = new SftpTestGateway(s3, requests.endpoint(), dir, 8 * 1024 * 1024, """
        listings:
          directoryCacheTime: 60s
        """);
  }

  @AfterAll
  static void stop() throws IOException {
    if (ferry != null) {
      ferry.close();
    }
    if (requests != null) {
      requests.close();
    }
  }

  @Test
  void directoryOperations_eachAsksS3OnceAndAnswersAsADisk() throws IOException {
    try (SftpClient sftp = ferry.login("alice")) {
      sftp.mkdir("/dirs");

      assertEquals("PUT", counted(() -> sftp.mkdir("/dirs/a")), "mkdir in a folder this node made a moment ago");
      assertEquals("LIST PUT", counted(() -> sftp.mkdir("/unseen")), "mkdir where the folder was not seen");
      assertEquals(SftpConstants.SSH_FX_FILE_ALREADY_EXISTS, status(() -> sftp.mkdir("/dirs/a")), "mkdir again");
      write(sftp, "/dirs/a/f.bin");

      assertEquals("", counted(() -> names(sftp, "/dirs/a")),
          "opendir and readdir of a folder made here with a file written here: its write said size, ETag and time");
      assertEquals(List.of("f.bin"), names(sftp, "/dirs/a"));
      s3.put(ferry.bucket, ferry.key("outside/o.bin"), new byte[] {7});
      assertEquals("HEAD LIST", counted(() -> assertEquals(List.of("o.bin"), names(sftp, "/outside"))),
          "opendir and readdir of a folder another S3 client wrote: its file's HEAD for a time in its metadata");
      assertEquals(SftpConstants.SSH_FX_NO_SUCH_FILE, status(() -> names(sftp, "/dirs/none")), "opendir of nothing");
      assertEquals(SftpConstants.SSH_FX_NOT_A_DIRECTORY, status(() -> names(sftp, "/dirs/a/f.bin")),
          "opendir of a file");

      assertEquals(SftpConstants.SSH_FX_DIR_NOT_EMPTY, status(() -> sftp.rmdir("/dirs/a")), "rmdir of a folder with a file");
      assertEquals(SftpConstants.SSH_FX_NOT_A_DIRECTORY, status(() -> sftp.rmdir("/dirs/a/f.bin")), "rmdir of a file");
      assertEquals(SftpConstants.SSH_FX_NO_SUCH_FILE, status(() -> sftp.rmdir("/dirs/none")), "rmdir of nothing");
      sftp.remove("/dirs/a/f.bin");
      assertEquals("DELETE", counted(() -> sftp.rmdir("/dirs/a")),
          "rmdir of a folder its listing showed, emptied here since (rm -rf): the listing cache answers for it");
      assertEquals(SftpConstants.SSH_FX_NO_SUCH_FILE, status(() -> sftp.stat("/dirs/a")), "gone");

      s3.put(ferry.bucket, ferry.key("theirs/"), new byte[0]);
      assertEquals("DELETE LIST", counted(() -> sftp.rmdir("/theirs")),
          "rmdir of a folder this node has not seen: S3 says whether it is empty");
      sftp.mkdir("/dirs/b");
      s3.put(ferry.bucket, ferry.key("dirs/b/late.bin"), new byte[] {9});
      sftp.rmdir("/dirs/b"); // the cache shows it empty: what another S3 client wrote meanwhile is missed
      assertArrayEquals(new byte[] {9}, s3.read(ferry.bucket, ferry.key("dirs/b/late.bin")),
          "the other client's file is left whole");
      assertFalse(s3.find(ferry.bucket, ferry.key("dirs/b/")).isPresent(), "only the folder's marker went");
    }
  }

  @Test
  void fileOperations_eachAsksS3WhatItMustAndAnswersAsADisk() throws IOException {
    try (SftpClient sftp = ferry.login("alice")) {
      sftp.mkdir("/files");
      sftp.mkdir("/files/sub");
      write(sftp, "/files/x.bin");
      write(sftp, "/files/x.txt"); // sorts before "x/" in S3's order: the probe must see past it

      assertEquals("", counted(() -> sftp.stat("/files/x.bin")),
          "stat of a file written a moment ago: its size, ETag and time as its write answered them");
      assertEquals("", counted(() -> status(() -> sftp.stat("/files/x"))),
          "stat of a missing name in a folder this node made a moment ago (the listing cache)");
      assertEquals(List.of("sub", "x.bin", "x.txt"), names(sftp, "/files"));
      assertEquals("", counted(() -> sftp.stat("/files/x.txt")), "stat of a file its folder's listing just showed");
      assertEquals("", counted(() -> names(sftp, "/files")), "the same listing again");
      assertEquals("HEAD LIST LIST", counted(() -> status(() -> sftp.stat("/elsewhere/x"))),
          "stat of a missing name in a folder not seen: HEAD, a listing under the name, and one of the folder");

      assertEquals("COPY DELETE LIST", counted(() -> sftp.rename("/files/x.bin", "/files/y.bin")),
          "rename of a file the listing showed: its target is asked of S3, the copy names the ETag listed");
      assertEquals(SftpConstants.SSH_FX_NO_SUCH_FILE, status(() -> sftp.stat("/files/x.bin")), "the source is gone");
      assertEquals(SftpConstants.SSH_FX_FILE_ALREADY_EXISTS, status(() -> sftp.rename("/files/y.bin", "/files/sub")),
          "rename onto a folder");
      assertEquals(SftpConstants.SSH_FX_FILE_ALREADY_EXISTS, status(() -> sftp.rename("/files/y.bin", "/files/x.txt")),
          "rename onto a file without overwrite");
      assertEquals(SftpConstants.SSH_FX_NO_SUCH_FILE, status(() -> sftp.rename("/files/y.bin", "/files/none/y.bin")),
          "rename into no folder");

      OpenSSHPosixRenameExtension posix = sftp.getExtension(OpenSSHPosixRenameExtension.class);
      assertEquals("COPY DELETE", counted(() -> posix.posixRename("/files/y.bin", "/files/w.bin")),
          "posix-rename (sshfs, git's lock files) in a folder seen a moment ago: it replaces whatever is there,"
              + " so the folder's listing answers for the target");
      assertEquals(SftpConstants.SSH_FX_FILE_ALREADY_EXISTS, status(() -> posix.posixRename("/files/w.bin", "/files/sub")),
          "posix-rename onto a folder the listing showed");
      assertEquals("COPY DELETE", counted(() -> posix.posixRename("/files/w.bin", "/files/x.txt")),
          "posix-rename onto a file the listing showed replaces it");
      assertEquals(SftpConstants.SSH_FX_NO_SUCH_FILE, status(() -> sftp.stat("/files/w.bin")), "its source is gone");
      assertEquals(3, sftp.stat("/files/x.txt").getSize());
      write(sftp, "/files/y.bin");

      assertEquals("GET", counted(() -> {
        try (InputStream in = sftp.read("/files/y.bin")) {
          assertEquals(3, in.readAllBytes().length);
        }
      }), "read of a file this node wrote a moment ago: the size and ETag its write answered, no HEAD");
      assertEquals("", counted(() -> sftp.setStat("/files/y.bin",
          new SftpClient.Attributes().modifyTime(FileTime.from(Instant.parse("2020-01-02T03:04:05Z"))))),
          "setstat of a file this node wrote: the time goes to the catalog, keyed by the ETag the write answered");
      assertEquals(Instant.parse("2020-01-02T03:04:05Z"), sftp.stat("/files/y.bin").getModifyTime().toInstant());
      assertEquals("DELETE", counted(() -> sftp.remove("/files/y.bin")),
          "remove of a file this node wrote a moment ago: the folder's cache knows it is a file");
      sftp.mkdir("/files/sub/deeper");
      write(sftp, "/files/sub/deeper/z.bin");
      assertEquals("", counted(() -> sftp.lstat("/files/sub/deeper/z.bin")),
          "lstat three folders down (MINA looks at each folder above before an lstat) of a file written here");
      assertEquals("DELETE", counted(() -> sftp.remove("/files/sub/deeper/z.bin")),
          "remove three folders down, of a file its folder's listing showed");
      assertEquals(SftpConstants.SSH_FX_NO_SUCH_FILE, status(() -> sftp.lstat("/files/none/deeper/z.bin")),
          "lstat under a folder that is not there");
      assertEquals(SftpConstants.SSH_FX_NO_SUCH_FILE, status(() -> sftp.remove("/files/y.bin")), "remove again");
      assertEquals(SftpConstants.SSH_FX_FILE_IS_A_DIRECTORY, status(() -> sftp.remove("/files/sub")), "remove of a folder");
      assertTrue(sftp.stat("/files/sub").isDirectory(), "the folder stays");
      assertEquals(SftpConstants.SSH_FX_FILE_ALREADY_EXISTS, status(() -> sftp.mkdir("/files/x.txt")),
          "mkdir over a file");
      assertEquals(SftpConstants.SSH_FX_NO_SUCH_FILE, status(() -> sftp.mkdir("/files/none/deeper")),
          "mkdir in no folder");
    }
  }

  /**
   * What {@code cp} onto an sshfs mount sends for each new file: an exclusive OPEN (O_EXCL), an
   * FSTAT of the handle, WRITE, CLOSE. The folder's listing says the name is new, the folders above
   * the open file are not asked about, and the file is one PUT with {@code If-None-Match: *}: S3
   * itself refuses it if another client put the name meanwhile.
   */
  @Test
  void exclusiveCreateOfASmallFile_isOnePut() throws IOException {
    try (SftpClient sftp = ferry.login("alice")) {
      sftp.mkdir("/cp");
      sftp.mkdir("/cp/a");
      sftp.mkdir("/cp/a/b");
      sftp.mkdir("/cp/a/b/sub");
      write(sftp, "/cp/a/b/old.bin");

      assertEquals("PUT", counted(() -> {
        try (SftpClient.CloseableHandle file = sftp.open("/cp/a/b/new.bin",
            SftpClient.OpenMode.Write, SftpClient.OpenMode.Create, SftpClient.OpenMode.Exclusive)) {
          assertEquals(0, sftp.stat(file).getSize(), "fstat of the file being written");
          sftp.write(file, 0, new byte[] {7, 8, 9});
        }
      }), "exclusive create, fstat, write, close three folders down");
      assertEquals(List.of("*"), requests.requests("/cp/a/b/new.bin", r -> r.method().equals("PUT")).stream()
          .map(r -> r.headers().get("if-none-match")).toList(), "the PUT only where no object is");
      assertEquals(3, sftp.stat("/cp/a/b/new.bin").getSize(), "the file is there whole");

      assertEquals(SftpConstants.SSH_FX_FILE_ALREADY_EXISTS, status(() -> sftp.open("/cp/a/b/old.bin",
          SftpClient.OpenMode.Write, SftpClient.OpenMode.Create, SftpClient.OpenMode.Exclusive).close()),
          "exclusive create of a file that is there");
      assertEquals(SftpConstants.SSH_FX_FILE_IS_A_DIRECTORY, status(() -> sftp.open("/cp/a/b/sub",
          SftpClient.OpenMode.Write, SftpClient.OpenMode.Create, SftpClient.OpenMode.Exclusive).close()),
          "exclusive create over a folder");
      assertTrue(sftp.stat("/cp/a/b/sub").isDirectory(), "the folder stays");
      assertEquals(3, sftp.stat("/cp/a/b/old.bin").getSize(), "the file that was there stays");
    }
  }

  /**
   * A client uploading many files into one folder changes it while Ferry lists it for its cache.
   * The listing is kept with this node's own writes replayed on it, so what follows is answered
   * without S3. Before, each write during the listing spoiled it, the next upload listed the whole
   * folder again, and lftp's mirror of 2,000 files into one folder paid a listing of up to 2,000
   * names per file once the first window had passed (45 files/s, now 74).
   */
  @Test
  void aFolderListedWhileThisNodeWritesIntoIt_isKnownOnceTheListingEnds() throws IOException {
    s3.put(ferry.bucket, ferry.key("busy/there.bin"), new byte[] {1}); // not through Ferry: its folder is unknown
    try (SftpClient sftp = ferry.login("alice")) {
      settled();
      requests.hold(r -> r.method().equals("GET") && r.query().contains("max-keys=1000") && r.query().contains("busy"));
      try {
        assertEquals(SftpConstants.SSH_FX_NO_SUCH_FILE, status(() -> sftp.stat("/busy/missing-1")),
            "a stat that starts the folder's listing");
        Await.until(() -> requests.waiting() == 1, Duration.ofSeconds(10), "the folder's listing waits in S3");
        write(sftp, "/busy/new-1.bin");
      } finally {
        requests.release();
      }
      settled();

      // The one HEAD is there.bin's, in the listing: a file another S3 client wrote may carry its
      // time in its own metadata, which no listing shows.
      assertEquals("HEAD", counted(() -> {
        assertEquals(3, sftp.stat("/busy/new-1.bin").getSize(), "the file written during the listing");
        assertEquals(SftpConstants.SSH_FX_NO_SUCH_FILE, status(() -> sftp.stat("/busy/missing-2")));
        assertEquals(List.of("new-1.bin", "there.bin"), names(sftp, "/busy").stream().sorted().toList());
      }), "stats and a listing of the folder, answered from what was listed and written meanwhile");
    }
  }

  /**
   * A small file's PUT goes with its body at once; a part of megabytes first asks S3 whether it
   * will take it ({@code Expect: 100-continue}), so a refused part is not sent for nothing.
   */
  @Test
  void smallPut_doesNotWaitForContinue_butPartsOfMegabytesDo() throws IOException {
    try (SftpClient sftp = ferry.login("alice")) {
      sftp.mkdir("/expect");
      settled();
      requests.clear();
      write(sftp, "/expect/small.bin");
      try (OutputStream out = sftp.write("/expect/large.bin")) {
        out.write(new byte[20 * 1024 * 1024]);
      }
      settled();
      List<S3RequestLog.Request> puts = requests.requests().stream().filter(r -> r.method().equals("PUT")).toList();
      S3RequestLog.Request small = puts.stream().filter(r -> r.path().endsWith("/small.bin")).findFirst().orElseThrow();
      assertFalse(small.headers().containsKey("expect"), "the small file's PUT: " + small.headers());
      List<S3RequestLog.Request> parts = puts.stream().filter(r -> r.query().contains("partNumber=")).toList();
      assertEquals(3, parts.size(), "parts of the 20 MiB file: " + puts);
      parts.forEach(part -> assertEquals("100-continue", part.headers().get("expect"), part + ": " + part.headers()));
      assertEquals(20 * 1024 * 1024, sftp.stat("/expect/large.bin").getSize());
    }
  }

  private interface SftpCall {
    void run() throws IOException;
  }

  /**
   * The S3 requests {@code call} made, by kind in alphabetical order: those it waited for, and the
   * listing it started in the background (Ferry lists a folder it was asked about, for the names
   * that follow), which may come in between; counted once no request has come for 300 ms.
   */
  private static String counted(SftpCall call) throws IOException {
    settled();
    requests.clear();
    call.run();
    settled();
    return String.join(" ", requests.requests().stream().map(SftpS3RequestsIT::kind).sorted().toList());
  }

  private static void settled() {
    Await.until(() -> requests.quietFor(Duration.ofMillis(300)), Duration.ofSeconds(10), "no S3 request for 300 ms");
  }

  private static String kind(S3RequestLog.Request request) {
    if (request.method().equals("GET") && request.query().contains("list-type")) {
      return "LIST";
    }
    return request.isCopy() ? "COPY" : request.method();
  }

  private static int status(SftpCall call) {
    return assertThrows(SftpException.class, call::run).getStatus();
  }

  /** OPENDIR, READDIR until the end, CLOSE: what paramiko's listdir and sshfs send. */
  private static List<String> names(SftpClient sftp, String path) throws IOException {
    List<String> names = new ArrayList<>();
    try (SftpClient.CloseableHandle handle = sftp.openDir(path)) {
      for (List<SftpClient.DirEntry> page = sftp.readDir(handle); page != null; page = sftp.readDir(handle)) {
        page.stream().map(SftpClient.DirEntry::getFilename).filter(name -> !name.equals(".") && !name.equals(".."))
            .forEach(names::add);
      }
    }
    return names;
  }

  private static void write(SftpClient sftp, String path) throws IOException {
    try (OutputStream out = sftp.write(path)) {
      out.write(new byte[] {1, 2, 3});
    }
  }
}
