package dev.ferry.sftp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.download.DownloadSettings;
import dev.ferry.core.testing.Await;
import dev.ferry.core.testing.S3TestServer;
import dev.ferry.core.testing.TestObjects;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.commons.net.ftp.FTPSClient;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.client.SftpClient.CloseableHandle;
import org.apache.sshd.sftp.client.SftpClient.OpenMode;
import org.apache.sshd.sftp.common.SftpConstants;
import org.apache.sshd.sftp.common.SftpException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * One SFTP client trying to take the memory every other session needs (issue 15, items 2 and 3),
 * against Ferry at its default limits: the budgets follow this JVM's heap as Ferry's own do. Each
 * test asserts what the other users see (their transfers finish promptly with exact bytes) and
 * what the attacker is held to.
 */
class SftpMemoryAttacksIT {

  /** Handles one attacking session opens: as many as a session may have open by default. */
  static final int HANDLES_PER_SESSION = 64;
  /** Long enough for a 12 MiB transfer on a busy 2-core machine, far below the 60 s memory wait. */
  static final Duration PROMPTLY = Duration.ofSeconds(30);
  /** The largest write Ferry accepts in one request. */
  static final int WRITE = 256 * 1024;

  @RegisterExtension
  static final S3TestServer s3 = new S3TestServer();

  @TempDir
  static Path dir;

  static SftpTestGateway ferry;

  @BeforeAll
  static void start() throws IOException {
    ferry = SftpTestGateway.atDefaultLimits(s3, dir);
  }

  @AfterAll
  static void stop() throws IOException {
    ferry.close();
  }

  @AfterEach
  void nothingLeftHeld() {
    Await.until(() -> ferry.gateway.downloads().heldBytes() == 0, "download memory to be given back");
    Await.until(() -> ferry.gateway.uploads().budget().reservedBytes() == 0, "upload memory to be given back");
    Await.until(() -> ferry.gateway.locks().size() == 0, "locks to be released");
  }

  @Test
  void readHandles_openedAndNeverRead_holdNoDownloadMemory_otherUsersDownloadPromptly() throws Exception {
    // In folders of their own: the home, listed by other tests a moment ago, would not show them yet.
    s3.put(ferry.bucket, ferry.key("held/tiny.txt"), "hello".getBytes(StandardCharsets.US_ASCII));
    byte[] big = TestObjects.randomBytes(12 << 20);
    s3.put(ferry.bucket, ferry.key("held/big.bin"), big);
    DownloadSettings limits = ferry.gateway.config().downloads();
    // One more handle than the budget has 4 MiB ranges: before, each open took one, and this many
    // left nothing for anybody (188 handles with the heap of a 24 GiB machine).
    int handles = (int) (limits.memoryBudget() / limits.rangeSize()) + 1;

    List<SftpClient> attackers = new ArrayList<>();
    List<CloseableHandle> opened = new ArrayList<>();
    try {
      while (opened.size() < handles) {
        SftpClient attacker = ferry.login("alice");
        attackers.add(attacker);
        for (int i = 0; i < HANDLES_PER_SESSION && opened.size() < handles; i++) {
          opened.add(attacker.open("held/tiny.txt", OpenMode.Read));
        }
      }
      assertEquals(0, ferry.gateway.downloads().heldBytes(), handles + " handles opened, none read");

      assertTimeoutPreemptively(PROMPTLY, () -> {
        try (SftpClient reader = ferry.login("reader")) {
          assertArrayEquals(big, readAll(reader, "held/big.bin"), "another user's SFTP get");
        }
        assertArrayEquals(big, retrieve("reader", "held/big.bin"), "another user's FTPS RETR");
      });

      SftpClient first = attackers.get(0);
      for (CloseableHandle handle : opened.subList(0, HANDLES_PER_SESSION)) {
        byte[] into = new byte[64];
        assertEquals(5, first.read(handle, 0, into, 0, into.length));
      }
      assertEquals(0, ferry.gateway.downloads().heldBytes(), "handles read to the end hold nothing, open or not");
    } finally {
      for (SftpClient attacker : attackers) {
        attacker.close();
      }
    }
  }

  @Test
  void readHandles_ofOneSessionReadingAhead_holdAtMostItsShare_otherUsersDownloadPromptly() throws Exception {
    byte[] big = TestObjects.randomBytes(24 << 20);
    s3.put(ferry.bucket, ferry.key("ahead/large.bin"), big);
    long share = ferry.gateway.config().downloads().sessionShare();
    List<String> refusals = new ArrayList<>();

    try (SftpClient attacker = ferry.login("alice")) {
      // Each handle reads on past half its first range, which starts four full ranges ahead of it:
      // 64 handles ask for about 1 GiB, more than the whole budget before there was a share.
      CompletableFuture<Void> attack = CompletableFuture.runAsync(() -> {
        try {
          for (int i = 0; i < HANDLES_PER_SESSION; i++) {
            CloseableHandle handle = attacker.open("ahead/large.bin", OpenMode.Read);
            try {
              attacker.read(handle, 0, new byte[200 * 1024], 0, 200 * 1024);
              attacker.read(handle, 200 * 1024, new byte[200 * 1024], 0, 200 * 1024);
            } catch (SftpException refused) {
              refusals.add(refused.getMessage());
            }
          }
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      });
      attack.get(PROMPTLY.toSeconds(), TimeUnit.SECONDS);

      assertTrue(ferry.gateway.downloads().heldBytes() <= share,
          "one session holds " + ferry.gateway.downloads().heldBytes() + " bytes, its share is " + share);
      // With a heap larger than this machine's the share may hold all 64 first ranges: no refusal.
      assertTrue(refusals.stream().allMatch(m -> m.contains("downloads.sessionShare")),
          "the reads beyond the share are refused naming the setting: " + refusals);
      System.out.println("one session's 64 reading handles hold " + ferry.gateway.downloads().heldBytes()
          + " bytes of read-ahead (share " + share + "); refused reads: " + refusals.size());
      assertTimeoutPreemptively(PROMPTLY, () -> {
        try (SftpClient reader = ferry.login("reader")) {
          assertArrayEquals(big, readAll(reader, "ahead/large.bin"), "another user's SFTP get");
        }
        assertArrayEquals(big, retrieve("reader", "ahead/large.bin"), "another user's FTPS RETR");
      });
    }
  }

  @Test
  void writeHandles_ofOneSessionWritingFarAhead_holdNoUploadMemory_oneMoreRefused_otherUsersUploadPromptly()
      throws Exception {
    long window = ferry.gateway.config().uploads().reorderWindow();
    byte[] ahead = TestObjects.randomBytes(8 << 20);
    byte[] upload = TestObjects.randomBytes(20 << 20);
    try (SftpClient attacker = ferry.login("alice")) {
      // Each handle writes 8 MiB ahead of a 64 KiB gap it never fills: before, every byte of it
      // waited in memory, 512 MiB for this one session.
      for (int i = 0; i < HANDLES_PER_SESSION; i++) {
        CloseableHandle handle = attacker.open("ahead-" + i + ".bin", OpenMode.Write, OpenMode.Create,
            OpenMode.Truncate);
        for (int at = 0; at < ahead.length; at += WRITE) {
          attacker.write(handle, (64 << 10) + at, ahead, at, Math.min(WRITE, ahead.length - at));
        }
      }
      long held = ferry.gateway.uploads().budget().reservedBytes();
      System.out.println("one session's 64 handles writing 8 MiB ahead each hold " + held
          + " bytes of the upload budget");
      assertTrue(held <= window, "one session holds " + held + " bytes out of order, its window is " + window);

      SftpException refused = assertThrows(SftpException.class,
          () -> attacker.open("one-more.bin", OpenMode.Write, OpenMode.Create, OpenMode.Truncate));
      assertEquals(SftpConstants.SSH_FX_FAILURE, refused.getStatus());
      assertTrue(refused.getMessage().contains("too many open handles (64, sftp.maxOpenHandles)"),
          refused.getMessage());

      assertTimeoutPreemptively(PROMPTLY, () -> {
        try (SftpClient writer = ferry.login("writer");
            OutputStream out = writer.write("legit.bin")) {
          out.write(upload);
        }
      });
      assertArrayEquals(upload, s3.read(ferry.bucket, ferry.key("legit.bin")), "another user's upload, exact");
    }
    Await.until(() -> ferry.gateway.uploads().openUploads().isEmpty(), "the attacker's uploads to be aborted");
    assertEquals(List.of(), s3.keys(ferry.bucket, ferry.key("ahead-")), "nothing of the attacker's files stored");
    assertEquals(List.of(), s3.multipartUploads(ferry.bucket), "no multipart upload left");
  }

  static byte[] readAll(SftpClient sftp, String path) throws IOException {
    try (InputStream in = sftp.read(path)) {
      return in.readAllBytes();
    }
  }

  /** The file as an FTPS RETR by {@code user} gets it. */
  static byte[] retrieve(String user, String path) throws IOException {
    FTPSClient ftp = ferry.ftpsLogin(user);
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      assertTrue(ftp.retrieveFile(path, out), ftp.getReplyString());
      return out.toByteArray();
    } finally {
      ftp.disconnect();
    }
  }
}
