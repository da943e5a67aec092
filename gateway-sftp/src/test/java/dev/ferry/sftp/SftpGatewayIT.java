package dev.ferry.sftp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.testing.Await;
import dev.ferry.core.testing.S3TestServer;
import dev.ferry.core.testing.TestObjects;
import dev.ferry.sftp.command.ShellAndExec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import net.schmizz.sshj.SSHClient;
import net.schmizz.sshj.sftp.RemoteFile;
import net.schmizz.sshj.sftp.SFTPClient;
import net.schmizz.sshj.transport.verification.PromiscuousVerifier;
import org.apache.commons.net.ftp.FTPSClient;
import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.channel.ClientChannelEvent;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.client.SftpClient.CloseableHandle;
import org.apache.sshd.sftp.client.SftpClient.OpenMode;
import org.apache.sshd.sftp.client.SftpClientFactory;
import org.apache.sshd.sftp.client.extensions.CopyDataExtension;
import org.apache.sshd.sftp.client.extensions.openssh.OpenSSHPosixRenameExtension;
import org.apache.sshd.sftp.client.extensions.openssh.OpenSSHStatExtensionInfo;
import org.apache.sshd.sftp.client.extensions.openssh.OpenSSHStatPathExtension;
import org.apache.sshd.sftp.common.SftpConstants;
import org.apache.sshd.sftp.common.SftpException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * MINA's SFTP client against a real Ferry over a real S3-API server; results are read back from S3
 * directly (bytes and the recorded SHA-256), never through Ferry.
 */
class SftpGatewayIT {

  static final int PART = 5 * 1024 * 1024;
  static final int WINDOW = 8 * 1024 * 1024;

  @RegisterExtension
  static final S3TestServer s3 = new S3TestServer();

  @TempDir
  static Path dir;

  static SftpTestGateway ferry;

  @BeforeAll
  static void start() throws IOException {
    ferry = new SftpTestGateway(s3, dir, PART, "  reorderWindow: " + WINDOW + "\n  spillLimit: 256MiB");
  }

  @AfterAll
  static void stop() throws IOException {
    ferry.close();
  }

  @AfterEach
  void nothingLeftOpen() {
    Await.until(() -> ferry.gateway.uploads().openUploads().isEmpty(), "uploads to close");
    Await.until(() -> ferry.gateway.locks().size() == 0, "locks to be released");
    Await.until(() -> ferry.gateway.uploads().budget().reservedBytes() == 0, "upload memory to be given back");
  }

  // ---------------------------------------------------------------------------------------------
  // Uploads and downloads

  @ParameterizedTest(name = "{0} bytes")
  @ValueSource(ints = {0, 1, PART - 1, PART, PART + 1, 50 * 1024 * 1024})
  void put_anySize_objectHasExactBytesAndSha256(int size) throws IOException {
    byte[] data = random(size, size);
    String name = "size-" + size + ".bin";
    try (SftpClient sftp = ferry.login("alice")) {
      try (OutputStream out = sftp.write(name)) {
        out.write(data);
      }
      assertEquals(size, sftp.stat(name).getSize());
      assertArrayEquals(data, readAll(sftp, name), "download through Ferry");
    }
    assertStored(name, data);
    // Who wrote it, in the object's own metadata (a single PUT and a multipart upload alike).
    Map<String, String> provenance = s3.metadata(ferry.bucket, ferry.key(name));
    assertEquals("alice", provenance.get("ferry-user"), provenance.toString());
    assertEquals("SFTP", provenance.get("ferry-protocol"), provenance.toString());
    assertEquals("127.0.0.1", provenance.get("ferry-client"), provenance.toString());
    assertTrue(provenance.getOrDefault("ferry-session", "").startsWith("sftp-"), provenance.toString());
  }

  /**
   * Before, with S3 unreachable, stat answered OK with no attributes (even for a path that does not
   * exist) and opendir "Permission denied: Cannot determine open-dir existence".
   */
  /**
   * Before, a banned address only heard "Authentication failed" over SFTP (FTPS answers 421 with
   * the reason). Now a password or key login from it ends with a disconnect that says it is banned.
   */
  @Test
  void bannedAddress_passwordOrKey_isToldItIsBanned() throws Exception {
    String banned = "127.0.0.9";
    for (int i = 0; i < 50; i++) {
      ferry.gateway.loginGuard().failed(banned);
    }
    assertTrue(ferry.gateway.loginGuard().isBanned(banned));
    List<String> disconnects = new java.util.concurrent.CopyOnWriteArrayList<>();
    SshClient client = SshClient.setUpDefaultClient();
    client.setServerKeyVerifier((session, address, key) -> true);
    client.addSessionListener(new org.apache.sshd.common.session.SessionListener() {
      @Override
      public void sessionDisconnect(org.apache.sshd.common.session.Session session, int reason, String message,
          String language, boolean initiator) {
        disconnects.add(message);
      }
    });
    client.start();
    try {
      for (boolean withKey : new boolean[] {false, true}) {
        ClientSession session = client.connect("alice", new java.net.InetSocketAddress("127.0.0.1", ferry.sftp.port()),
            new java.net.InetSocketAddress(banned, 0)).verify(Duration.ofSeconds(10)).getSession();
        if (withKey) {
          session.addPublicKeyIdentity(org.apache.sshd.common.config.keys.KeyUtils.generateKeyPair("ssh-ed25519", 256));
        } else {
          session.addPasswordIdentity(SftpTestGateway.PASSWORD);
        }
        assertThrows(IOException.class, () -> session.auth().verify(Duration.ofSeconds(30)));
        session.close(true);
      }
    } finally {
      client.stop();
    }
    assertEquals(2, disconnects.stream().filter(m -> m.contains("address " + banned + " is banned")).count(),
        "disconnect messages: " + disconnects);
  }

  /**
   * Two gateways in one JVM (an embedding application, or these tests) each check passwords on
   * threads of their own: a check that hangs in one holds up no login of the other, and a stopped
   * server leaves none of its threads behind.
   */
  @Test
  void anotherGatewayInTheJvm_checksPasswordsOnItsOwnThreads_goneWhenStopped(@TempDir Path otherDir)
      throws IOException {
    long before = passwordCheckThreads();
    try (SftpTestGateway other = new SftpTestGateway(s3, otherDir, PART, "")) {
      try (SftpClient sftp = other.login("alice")) {
        assertNotNull(sftp.stat("."));
      }
      assertTrue(passwordCheckThreads() > before, "the second gateway checked alice's password on a thread of its own");
      try (SftpClient sftp = ferry.login("alice")) {
        assertNotNull(sftp.stat("."));
      }
    }
    Await.until(() -> passwordCheckThreads() == before, "the stopped gateway's password-check threads to end");
  }

  private static long passwordCheckThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().startsWith("ferry-sftp-password-check")).count();
  }

  @Test
  void s3Unreachable_statAndOpendir_failWithTheReason() throws IOException {
    try (SftpClient sftp = ferry.login("alice")) {
      s3.stop();
      try {
        // Names in folders this node has not listed: one it listed a moment ago is answered from its
        // listing cache (listings.directoryCacheTime), S3 down or not.
        for (String path : new String[] {"unlisted/no-such-file", "no-such-dir/file"}) {
          SftpException stat = assertThrows(SftpException.class, () -> sftp.stat(path), "stat of " + path);
          assertEquals(SftpConstants.SSH_FX_FAILURE, stat.getStatus(), path + ": " + stat.getMessage());
          assertTrue(stat.getMessage().contains("failed"), stat.getMessage());
        }
        SftpException open = assertThrows(SftpException.class, () -> sftp.openDir("unlisted"));
        assertEquals(SftpConstants.SSH_FX_FAILURE, open.getStatus(), open.getMessage());
        assertTrue(open.getMessage().contains("failed"), open.getMessage());
      } finally {
        s3.start();
      }
      assertEquals(SftpConstants.SSH_FX_NO_SUCH_FILE, assertThrows(SftpException.class,
          () -> sftp.stat("unlisted/no-such-file")).getStatus(), "once S3 is back");
    }
  }

  @Test
  void read_atRandomOffsets_returnsThoseBytes() throws IOException {
    byte[] data = random(3 * PART + 123, 7);
    s3.put(ferry.bucket, ferry.key("random-read.bin"), data);
    try (SftpClient sftp = ferry.login("alice");
        CloseableHandle handle = sftp.open("random-read.bin", OpenMode.Read)) {
      for (long offset : new long[] {2L * PART + 5, 17, PART - 3, data.length - 10, 0}) {
        byte[] buffer = new byte[4096];
        int n = sftp.read(handle, offset, buffer, 0, buffer.length);
        int expected = (int) Math.min(buffer.length, data.length - offset);
        assertEquals(expected, n, "bytes read at " + offset);
        assertArrayEquals(Arrays.copyOfRange(data, (int) offset, (int) offset + n), Arrays.copyOf(buffer, n));
      }
    }
  }

  /**
   * sshj's {@code RemoteFileInputStream.readAllBytes()} on JDK 17 asks for 0 bytes once its 8 KiB
   * buffer is full; MINA refused that read as a bad message ("Invalid read length: 0"), OpenSSH
   * answers an empty SSH_FXP_DATA.
   */
  @Test
  void read_zeroLength_emptyDataAndTheReadAfterItGoesOn() throws IOException {
    byte[] data = random(20_000, 11);
    s3.put(ferry.bucket, ferry.key("zero-read.bin"), data);
    try (SSHClient ssh = new SSHClient()) {
      ssh.addHostKeyVerifier(new PromiscuousVerifier());
      // sshj waits for ever by default: a server that never answers fails the test instead.
      ssh.setConnectTimeout(10_000);
      ssh.setTimeout(30_000);
      ssh.connect("127.0.0.1", ferry.sftp.port());
      ssh.authPassword("alice", SftpTestGateway.PASSWORD);
      try (SFTPClient sftp = ssh.newSFTPClient(); RemoteFile file = sftp.open("zero-read.bin");
          InputStream in = file.new RemoteFileInputStream()) {
        assertArrayEquals(data, in.readAllBytes(), "sshj readAllBytes");
      }
    }
    try (SftpClient sftp = ferry.login("alice");
        CloseableHandle handle = sftp.open("zero-read.bin", OpenMode.Read)) {
      byte[] buffer = new byte[16];
      for (long offset : new long[] {0, 100, data.length}) {
        assertEquals(0, sftp.read(handle, offset, buffer, 0, 0), "a read of 0 bytes at " + offset);
      }
      assertEquals(buffer.length, sftp.read(handle, 100, buffer, 0, buffer.length));
      assertArrayEquals(Arrays.copyOfRange(data, 100, 100 + buffer.length), buffer);
    }
  }

  @Test
  void read_seekAfterTheFileWasOverwritten_failsInsteadOfMixingVersions() throws IOException {
    byte[] before = random(3 * PART, 8);
    byte[] after = random(3 * PART, 9);
    s3.put(ferry.bucket, ferry.key("changing.bin"), before);
    try (SftpClient sftp = ferry.login("alice");
        CloseableHandle handle = sftp.open("changing.bin", OpenMode.Read)) {
      byte[] buffer = new byte[4096];
      assertEquals(buffer.length, sftp.read(handle, 0, buffer, 0, buffer.length));
      assertArrayEquals(Arrays.copyOf(before, buffer.length), buffer);
      s3.put(ferry.bucket, ferry.key("changing.bin"), after);
      long far = 2L * PART; // beyond what the first stream fetched: a new ranged GET
      SftpException changed = assertThrows(SftpException.class, () -> sftp.read(handle, far, buffer, 0, buffer.length));
      assertTrue(changed.getMessage().contains("changed"), changed.getMessage());
    }
    try (SftpClient sftp = ferry.login("alice")) {
      assertArrayEquals(after, readAll(sftp, "changing.bin"), "a new open reads the new version");
    }
  }

  @Test
  void read_whileAnotherClientSetsTheTime_goesOnWithTheSameBytes() throws IOException {
    // A time goes to Ferry's catalog and the object stays as it is (it was copied onto itself
    // before the catalog, which gave a multipart object a new ETag): the download goes on.
    byte[] data = random(3 * PART, 10);
    // In a folder of its own: the home, listed by other tests a moment ago, would not show it yet.
    s3.putMultipart(ferry.bucket, ferry.key("timed/timed-read.bin"), data, PART);
    try (SftpClient reader = ferry.login("alice"); SftpClient toucher = ferry.login("alice");
        CloseableHandle handle = reader.open("timed/timed-read.bin", OpenMode.Read)) {
      byte[] buffer = new byte[4096];
      assertEquals(buffer.length, reader.read(handle, 0, buffer, 0, buffer.length));
      toucher.setStat("timed/timed-read.bin", new SftpClient.Attributes().modifyTime(
          FileTime.from(Instant.parse("2012-12-12T12:12:12Z"))));
      long far = 2L * PART;
      assertEquals(buffer.length, reader.read(handle, far, buffer, 0, buffer.length));
      assertArrayEquals(Arrays.copyOfRange(data, (int) far, (int) far + buffer.length), buffer);
    }
  }

  @Test
  void read_sameFileBySeveralClientsAtOnce_allGetTheBytes() throws Exception {
    byte[] data = random(4 * PART, 8);
    s3.put(ferry.bucket, ferry.key("shared/shared.bin"), data); // a folder of its own, as above
    List<Thread> readers = new ArrayList<>();
    List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
    for (int i = 0; i < 4; i++) {
      Thread reader = new Thread(() -> {
        try (SftpClient sftp = ferry.login("reader")) {
          assertArrayEquals(data, readAll(sftp, "shared/shared.bin"));
        } catch (Throwable t) {
          failures.add(t);
        }
      });
      reader.start();
      readers.add(reader);
    }
    for (Thread reader : readers) {
      reader.join(TimeUnit.MINUTES.toMillis(2));
    }
    assertEquals(List.of(), failures);
  }

  @Test
  void write_outOfOrderWithinWindow_storedInOrder() throws IOException {
    byte[] data = random(3 * PART + 777, 9);
    int chunk = 32 * 1024;
    List<Integer> order = shuffledWithin(data.length, chunk, 64, 10);
    try (SftpClient sftp = ferry.login("alice");
        CloseableHandle handle = sftp.open("reordered.bin", OpenMode.Write, OpenMode.Create, OpenMode.Truncate)) {
      for (int index : order) {
        int from = index * chunk;
        sftp.write(handle, from, data, from, Math.min(chunk, data.length - from));
      }
    }
    assertStored("reordered.bin", data);
  }

  @Test
  void write_gapBeyondWindowThenFilled_storedExactly() throws IOException {
    byte[] data = random(WINDOW * 3, 11);
    int tailStart = WINDOW * 2 + 4096;
    try (SftpClient sftp = ferry.login("alice");
        CloseableHandle handle = sftp.open("gap.bin", OpenMode.Write, OpenMode.Create, OpenMode.Truncate)) {
      sftp.write(handle, tailStart, data, tailStart, data.length - tailStart);
      for (int at = 0; at < tailStart; at += 64 * 1024) {
        sftp.write(handle, at, data, at, Math.min(64 * 1024, tailStart - at));
      }
    }
    assertStored("gap.bin", data);
  }

  @Test
  void write_rewriteOfBytesAlreadyUploaded_storedWithTheRewrite() throws IOException {
    byte[] data = random(3 * PART, 12);
    byte[] header = random(512, 13);
    try (SftpClient sftp = ferry.login("alice");
        CloseableHandle handle = sftp.open("rewritten.bin", OpenMode.Write, OpenMode.Create, OpenMode.Truncate)) {
      for (int at = 0; at < data.length; at += 32 * 1024) {
        sftp.write(handle, at, data, at, Math.min(32 * 1024, data.length - at));
      }
      sftp.write(handle, 100, header, 0, header.length);
    }
    System.arraycopy(header, 0, data, 100, header.length);
    assertStored("rewritten.bin", data);
  }

  @Test
  void write_holeNeverWritten_readsAsZeros() throws IOException {
    byte[] tail = random(1000, 14);
    try (SftpClient sftp = ferry.login("alice");
        CloseableHandle handle = sftp.open("sparse.bin", OpenMode.Write, OpenMode.Create, OpenMode.Truncate)) {
      sftp.write(handle, WINDOW * 2L, tail, 0, tail.length);
    }
    byte[] expected = new byte[WINDOW * 2 + tail.length];
    System.arraycopy(tail, 0, expected, WINDOW * 2, tail.length);
    assertArrayEquals(expected, s3.read(ferry.bucket, ferry.key("sparse.bin")));
  }

  @ParameterizedTest(name = "existing {0} bytes")
  @ValueSource(ints = {1000, 7 * 1024 * 1024})
  void write_atEndOfExistingFile_resumesServerSide(int prefix) throws IOException {
    byte[] data = random(prefix + PART + 99, 15);
    String name = "resume-" + prefix + ".bin";
    s3.put(ferry.bucket, ferry.key(name), Arrays.copyOf(data, prefix));
    try (SftpClient sftp = ferry.login("writer");
        CloseableHandle handle = sftp.open(name, OpenMode.Write)) {
      for (int at = prefix; at < data.length; at += 32 * 1024) {
        sftp.write(handle, at, data, at, Math.min(32 * 1024, data.length - at));
      }
    }
    assertArrayEquals(data, s3.read(ferry.bucket, ferry.key(name)));
  }

  @Test
  void write_scpStyle_openWithoutTruncateThenTruncateToWrittenSize() throws IOException {
    s3.put(ferry.bucket, ferry.key("scp.bin"), random(3 * PART, 16));
    byte[] fresh = random(PART + 5, 17);
    try (SftpClient sftp = ferry.login("alice");
        CloseableHandle handle = sftp.open("scp.bin", OpenMode.Write, OpenMode.Create)) {
      sftp.write(handle, 0, fresh, 0, fresh.length);
      sftp.setStat(handle, new SftpClient.Attributes().size(fresh.length));
    }
    assertStored("scp.bin", fresh);
  }

  @Test
  void stat_timeBeyondWhatSftpCarries_showsTheNearestItCan_sessionGoesOn() throws IOException {
    // 2040 (as FTPS's MFMT may set) and 1969: SFTP v3 times are 32-bit seconds.
    s3.put(ferry.bucket, ferry.key("far/future.txt"), new byte[3], Map.of("mtime", "2208988800"));
    s3.put(ferry.bucket, ferry.key("far/past.txt"), new byte[4], Map.of("mtime", "-86400"));
    try (SftpClient sftp = ferry.login("alice")) {
      assertEquals(Instant.parse("2038-01-19T03:14:07Z"), sftp.stat("far/future.txt").getModifyTime().toInstant());
      assertEquals(Instant.EPOCH, sftp.stat("far/past.txt").getModifyTime().toInstant());
      Map<String, Instant> listed = new TreeMap<>();
      for (SftpClient.DirEntry entry : sftp.readDir("far")) {
        listed.put(entry.getFilename(), entry.getAttributes().getModifyTime().toInstant());
      }
      assertEquals(Instant.parse("2038-01-19T03:14:07Z"), listed.get("future.txt"), listed.toString());
      assertEquals(Instant.EPOCH, listed.get("past.txt"), listed.toString());
      assertEquals(3, sftp.stat("far/future.txt").getSize(), "the session still answers");
    }
    assertEquals("2208988800", s3.metadata(ferry.bucket, ferry.key("far/future.txt")).get("mtime"), "kept as set");
  }

  @Test
  void setStat_modificationTime_keptAndShownInStat() throws IOException {
    Instant mtime = Instant.parse("2020-02-29T12:34:56Z");
    try (SftpClient sftp = ferry.login("alice")) {
      try (CloseableHandle handle = sftp.open("timed.txt", OpenMode.Write, OpenMode.Create, OpenMode.Truncate)) {
        sftp.write(handle, 0, "hello".getBytes(StandardCharsets.UTF_8), 0, 5);
        sftp.setStat(handle, new SftpClient.Attributes().modifyTime(FileTime.from(mtime)));
      }
      assertEquals(mtime, sftp.stat("timed.txt").getModifyTime().toInstant(), "time set on the open handle");
      Instant later = Instant.parse("2021-01-02T03:04:05Z");
      sftp.setStat("timed.txt", new SftpClient.Attributes().modifyTime(FileTime.from(later)));
      assertEquals(later, sftp.stat("timed.txt").getModifyTime().toInstant(), "time set on the path");
      Instant listed = null;
      for (SftpClient.DirEntry entry : sftp.readDir(".")) {
        if (entry.getFilename().equals("timed.txt")) {
          listed = entry.getAttributes().getModifyTime().toInstant();
        }
      }
      assertEquals(later, listed, "time in the directory listing");
    }
    assertEquals("hello", new String(s3.read(ferry.bucket, ferry.key("timed.txt")), StandardCharsets.UTF_8));
  }

  /**
   * OPEN for writing, SETSTAT of the time by path, then a stat: OpenSSH answers the new time at
   * once, and sshfs caches that answer (tar x, touch -d); Ferry answered another time until CLOSE.
   */
  @Test
  void stat_whileTheFileIsOpenForWriting_showsTheTimeJustSet() throws IOException {
    Instant set = Instant.parse("2001-02-03T04:05:06Z");
    byte[] data = random(10_000, 12);
    s3.put(ferry.bucket, ferry.key("timed-open.bin"), random(100, 13));
    try (SftpClient sftp = ferry.login("alice")) {
      try (CloseableHandle handle = sftp.open("timed-open.bin", OpenMode.Write, OpenMode.Create, OpenMode.Truncate)) {
        sftp.write(handle, 0, data);
        sftp.setStat("timed-open.bin", new SftpClient.Attributes().modifyTime(FileTime.from(set)));
        assertEquals(set, sftp.lstat("timed-open.bin").getModifyTime().toInstant(), "lstat");
        assertEquals(set, sftp.stat("timed-open.bin").getModifyTime().toInstant(), "stat");
        assertEquals(set, sftp.stat(handle).getModifyTime().toInstant(), "fstat");
        assertEquals(data.length, sftp.lstat("timed-open.bin").getSize(), "the size written so far");
      }
      assertEquals(set, sftp.stat("timed-open.bin").getModifyTime().toInstant(), "after the close");
    }
    assertStored("timed-open.bin", data);
  }

  @Test
  void setStat_rightAfterAMultipartUploadCloses_keepsTheTimeAndTheChecksum() throws IOException {
    // rclone's order: upload, close, then set the time on the path: both facts in the catalog.
    for (int round = 0; round < 3; round++) {
      String name = "rclone-style-" + round + ".bin";
      byte[] data = random(2 * PART + 77, 40 + round);
      Instant mtime = Instant.parse("2018-03-0" + (round + 1) + "T08:09:10Z");
      try (SftpClient sftp = ferry.login("alice")) {
        try (OutputStream out = sftp.write(name)) {
          out.write(data);
        }
        sftp.setStat(name, new SftpClient.Attributes().modifyTime(FileTime.from(mtime)));
        assertEquals(mtime, sftp.stat(name).getModifyTime().toInstant(), name);
      }
      assertStored(name, data);
      assertEquals(mtime, TestObjects.recordedFacts(ferry.gateway, ferry.bucket, ferry.key(name)).clientTime(),
          "time in the catalog of " + name);
      try (SftpClient sftp = ferry.login("alice")) {
        assertEquals(mtime, sftp.stat(name).getModifyTime().toInstant(), name + " in a new session");
      }
    }
  }

  @Test
  void rename_rightAfterAMultipartUploadCloses_movesTheBytesAndTheChecksumAndLeavesNoTempFile()
      throws IOException {
    // WinSCP's order: upload to name.filepart, close, rename onto the name.
    for (int round = 0; round < 3; round++) {
      String name = "winscp-style-" + round + ".bin";
      byte[] data = random(2 * PART + 91, 50 + round);
      try (SftpClient sftp = ferry.login("alice")) {
        try (OutputStream out = sftp.write(name + ".filepart")) {
          out.write(data);
        }
        sftp.rename(name + ".filepart", name);
      }
      assertStored(name, data);
      assertEquals(List.of(), s3.keys(ferry.bucket, ferry.key(name + ".filepart")), "temporary file left");
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Commit only on close, abort otherwise

  @Test
  void disconnect_midUpload_noObjectAndNoMultipartUpload() throws IOException {
    ClientSession session = ferry.session("alice");
    SftpClient sftp = SftpClientFactory.instance().createSftpClient(session);
    CloseableHandle handle = sftp.open("killed.bin", OpenMode.Write, OpenMode.Create, OpenMode.Truncate);
    byte[] data = random(3 * PART, 18);
    for (int at = 0; at < data.length; at += 64 * 1024) {
      sftp.write(handle, at, data, at, 64 * 1024);
    }
    session.close(true);
    Await.until(() -> ferry.gateway.uploads().openUploads().isEmpty(), "the broken upload to be aborted");
    assertTrue(s3.find(ferry.bucket, ferry.key("killed.bin")).isEmpty(), "partial object visible");
    assertEquals(List.of(), s3.multipartUploads(ferry.bucket), "multipart upload left behind");
  }

  @Test
  void fsync_beforeClose_acceptedButNothingVisibleYet() throws IOException {
    try (SftpClient sftp = ferry.login("alice")) {
      try (CloseableHandle handle = sftp.open("synced.bin", OpenMode.Write, OpenMode.Create, OpenMode.Truncate)) {
        sftp.write(handle, 0, new byte[10], 0, 10);
        sftp.getExtension(org.apache.sshd.sftp.client.extensions.openssh.OpenSSHFsyncExtension.class).fsync(handle);
        assertTrue(s3.find(ferry.bucket, ferry.key("synced.bin")).isEmpty(), "visible before close");
      }
      assertEquals(10, s3.read(ferry.bucket, ferry.key("synced.bin")).length);
    }
  }

  @Test
  void upload_samePathOverFtpsWhileSftpWrites_ftpsRefusedAndSftpWins() throws IOException {
    byte[] data = random(PART + 10, 19);
    try (SftpClient sftp = ferry.login("alice")) {
      try (CloseableHandle handle = sftp.open("contended.bin", OpenMode.Write, OpenMode.Create, OpenMode.Truncate)) {
        sftp.write(handle, 0, data, 0, 1000);
        FTPSClient ftp = ftpsLogin();
        assertFalse(ftp.storeFile("contended.bin", new java.io.ByteArrayInputStream(random(10, 20))));
        assertEquals(450, ftp.getReplyCode(), ftp.getReplyString());
        ftp.disconnect();
        sftp.write(handle, 1000, data, 1000, data.length - 1000);
      }
    }
    assertArrayEquals(data, s3.read(ferry.bucket, ferry.key("contended.bin")));
  }

  @Test
  void upload_samePathOverSftpWhileFtpsWrites_sftpRefusedAsBusy() throws IOException {
    FTPSClient ftp = ftpsLogin();
    OutputStream upload = ftp.storeFileStream("contended2.bin");
    assertNotNull(upload, ftp.getReplyString());
    byte[] data = random(PART + 10, 21);
    try {
      upload.write(data, 0, 1000);
      try (SftpClient sftp = ferry.login("alice")) {
        SftpException busy = assertThrows(SftpException.class,
            () -> sftp.open("contended2.bin", OpenMode.Write, OpenMode.Create, OpenMode.Truncate));
        assertEquals(SftpConstants.SSH_FX_FAILURE, busy.getStatus());
        assertTrue(busy.getMessage().contains("busy"), busy.getMessage());
      }
    } finally {
      upload.write(data, 1000, data.length - 1000);
      upload.close();
    }
    assertTrue(ftp.completePendingCommand(), ftp.getReplyString());
    ftp.disconnect();
    assertArrayEquals(data, s3.read(ferry.bucket, ferry.key("contended2.bin")));
  }

  // ---------------------------------------------------------------------------------------------
  // Directories, names, renames

  /**
   * An exclusive create of a name that is there is refused at the open where Ferry asks S3 (a folder
   * it has not seen), and at the close where the folder's listing of a moment ago did not show it
   * (another S3 client wrote it since): either way nothing of theirs is touched.
   */
  @Test
  void open_exclusiveCreateAndOpenWithoutCreate_followTheFlagsAndChangeNothingWhenRefused() throws IOException {
    byte[] original = random(1000, 31);
    s3.put(ferry.bucket, ferry.key("exclusive/excl.bin"), original);
    try (SftpClient sftp = ferry.login("alice")) {
      SftpException exists = assertThrows(SftpException.class,
          () -> sftp.open("exclusive/excl.bin", OpenMode.Write, OpenMode.Create, OpenMode.Exclusive));
      assertEquals(SftpConstants.SSH_FX_FILE_ALREADY_EXISTS, exists.getStatus(), exists.getMessage());
      SftpException missing = assertThrows(SftpException.class, () -> sftp.open("exclusive/absent.bin", OpenMode.Write));
      assertEquals(SftpConstants.SSH_FX_NO_SUCH_FILE, missing.getStatus(), missing.getMessage());
      try (CloseableHandle handle = sftp.open("exclusive/new-excl.bin", OpenMode.Write, OpenMode.Create,
          OpenMode.Exclusive)) {
        sftp.write(handle, 0, "fresh".getBytes(StandardCharsets.UTF_8));
      }

      sftp.mkdir("exclusive/seen");
      s3.put(ferry.bucket, ferry.key("exclusive/seen/theirs.bin"), original);
      CloseableHandle late = sftp.open("exclusive/seen/theirs.bin", OpenMode.Write, OpenMode.Create, OpenMode.Exclusive);
      sftp.write(late, 0, "mine".getBytes(StandardCharsets.UTF_8));
      SftpException atClose = assertThrows(SftpException.class, () -> sftp.close(late));
      assertEquals(SftpConstants.SSH_FX_FILE_ALREADY_EXISTS, atClose.getStatus(), atClose.getMessage());
    }
    assertArrayEquals(original, s3.read(ferry.bucket, ferry.key("exclusive/excl.bin")));
    assertArrayEquals(original, s3.read(ferry.bucket, ferry.key("exclusive/seen/theirs.bin")));
    assertEquals(List.of(), s3.keys(ferry.bucket, ferry.key("exclusive/absent.bin")));
    assertEquals("fresh", new String(s3.read(ferry.bucket, ferry.key("exclusive/new-excl.bin")), StandardCharsets.UTF_8));
  }

  @Test
  void rename_fileAndDirectory_keysMoved() throws IOException {
    try (SftpClient sftp = ferry.login("alice")) {
      sftp.mkdir("ren");
      sftp.mkdir("ren/sub");
      try (OutputStream out = sftp.write("ren/sub/a.txt")) {
        out.write("A".getBytes(StandardCharsets.UTF_8));
      }
      try (OutputStream out = sftp.write("ren/b.txt")) {
        out.write("B".getBytes(StandardCharsets.UTF_8));
      }
      sftp.rename("ren/b.txt", "ren/c.txt");
      sftp.rename("ren", "moved");
      assertEquals(List.of(ferry.key("moved/c.txt"), ferry.key("moved/sub/"), ferry.key("moved/sub/a.txt")),
          s3.keys(ferry.bucket, ferry.key("moved/")).stream().filter(k -> !k.equals(ferry.key("moved/"))).toList());
      assertEquals(List.of(), s3.keys(ferry.bucket, ferry.key("ren/")));
      // Plain SFTP rename refuses an existing target; posix-rename replaces it.
      try (OutputStream out = sftp.write("moved/d.txt")) {
        out.write("D".getBytes(StandardCharsets.UTF_8));
      }
      SftpException refused = assertThrows(SftpException.class, () -> sftp.rename("moved/d.txt", "moved/c.txt"));
      assertEquals(SftpConstants.SSH_FX_FILE_ALREADY_EXISTS, refused.getStatus(), refused.getMessage());
      assertEquals("B", new String(s3.read(ferry.bucket, ferry.key("moved/c.txt")), StandardCharsets.UTF_8));
      sftp.getExtension(OpenSSHPosixRenameExtension.class).posixRename("moved/d.txt", "moved/c.txt");
      assertEquals("D", new String(s3.read(ferry.bucket, ferry.key("moved/c.txt")), StandardCharsets.UTF_8));
    }
  }

  @Test
  void names_unicode_roundTrip() throws IOException {
    String dirName = "données";
    String name = dirName + "/ファイル ü €.txt";
    byte[] data = "unicode".getBytes(StandardCharsets.UTF_8);
    try (SftpClient sftp = ferry.login("alice")) {
      sftp.mkdir(dirName);
      try (OutputStream out = sftp.write(name)) {
        out.write(data);
      }
      List<String> names = new ArrayList<>();
      sftp.readDir(dirName).forEach(e -> names.add(e.getFilename()));
      assertTrue(names.contains("ファイル ü €.txt"), names.toString());
    }
    assertArrayEquals(data, s3.read(ferry.bucket, ferry.key(name)));
  }

  @Test
  void readDir_moreKeysThanOnePage_allListedWithSizes() throws IOException {
    for (int i = 0; i < 1050; i++) {
      String key = ferry.key(String.format("many/f%04d", i));
      s3.put(ferry.bucket, key, new byte[i % 7]);
    }
    try (SftpClient sftp = ferry.login("reader")) {
      List<SftpClient.DirEntry> entries = new ArrayList<>();
      sftp.readDir("many").forEach(entries::add);
      List<SftpClient.DirEntry> files = entries.stream().filter(e -> e.getFilename().startsWith("f")).toList();
      assertEquals(1050, files.size());
      assertTrue(files.stream().allMatch(e -> e.getAttributes().getSize() == Integer.parseInt(e.getFilename().substring(1)) % 7));
    }
  }

  /**
   * An upload that replaces whatever is at its path is answered at once and the path is looked up
   * in S3 while the client writes; a directory found there refuses it at the close, and nothing
   * changes: no object beside the directory, the directory's files as they were.
   */
  @Test
  void upload_ontoADirectory_refusedAtTheCloseNamingIt_andNothingChanges() throws IOException {
    try (SftpClient sftp = ferry.login("alice")) {
      sftp.mkdir("full-dir");
      try (OutputStream out = sftp.write("full-dir/inside")) {
        out.write(7);
      }
      sftp.mkdir("empty-dir");
      for (String directory : List.of("full-dir", "empty-dir")) {
        SftpException refused = assertThrows(SftpException.class, () -> {
          try (OutputStream out = sftp.write(directory)) {
            out.write(random(5000, 41));
          }
        }, directory);
        assertTrue(refused.getMessage().contains("is a directory"), directory + ": " + refused.getMessage());
        assertTrue(sftp.stat(directory).isDirectory(), directory);
      }
    }
    assertEquals(List.of(ferry.key("full-dir/"), ferry.key("full-dir/inside")),
        s3.keys(ferry.bucket, ferry.key("full-dir")));
    assertEquals(List.of(ferry.key("empty-dir/")), s3.keys(ferry.bucket, ferry.key("empty-dir")));
    assertArrayEquals(new byte[] {7}, s3.read(ferry.bucket, ferry.key("full-dir/inside")));
    assertEquals(List.of(), s3.multipartUploads(ferry.bucket));
  }

  /** As over FTPS: a directory that exists or is being created is "already exists", never busy. */
  @Test
  void mkdir_samePathFromEightSessionsAtOnce_oneCreatedTheOthersAlreadyExists() throws Exception {
    List<SftpClient> clients = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      for (int i = 0; i < 8; i++) {
        clients.add(ferry.login("alice"));
      }
      for (String path : List.of("/side-by-side", "/side-by-side/inner", "/once-more")) {
        CyclicBarrier start = new CyclicBarrier(clients.size());
        List<Future<Integer>> outcomes = new ArrayList<>();
        for (SftpClient client : clients) {
          outcomes.add(pool.submit(() -> {
            start.await(30, TimeUnit.SECONDS);
            try {
              client.mkdir(path);
              return SftpConstants.SSH_FX_OK;
            } catch (SftpException e) {
              return e.getStatus();
            }
          }));
        }
        List<Integer> statuses = new ArrayList<>();
        for (Future<Integer> outcome : outcomes) {
          statuses.add(outcome.get(60, TimeUnit.SECONDS));
        }
        assertEquals(1, Collections.frequency(statuses, SftpConstants.SSH_FX_OK), path + ": " + statuses);
        assertEquals(7, Collections.frequency(statuses, SftpConstants.SSH_FX_FILE_ALREADY_EXISTS), path + ": " + statuses);
      }
    } finally {
      pool.shutdown();
      for (SftpClient client : clients) {
        client.close();
      }
    }
  }

  @Test
  void mkdirRmdirRemove_behaveLikeADisk() throws IOException {
    try (SftpClient sftp = ferry.login("alice")) {
      sftp.mkdir("d1");
      assertTrue(sftp.stat("d1").isDirectory());
      try (OutputStream out = sftp.write("d1/x")) {
        out.write(1);
      }
      SftpException notEmpty = assertThrows(SftpException.class, () -> sftp.rmdir("d1"));
      assertTrue(notEmpty.getMessage().contains("not empty"), notEmpty.getMessage());
      sftp.remove("d1/x");
      sftp.rmdir("d1");
      SftpException gone = assertThrows(SftpException.class, () -> sftp.stat("d1"));
      assertEquals(SftpConstants.SSH_FX_NO_SUCH_FILE, gone.getStatus());
      assertEquals("/d1: no such file or directory", gone.getMessage());
      SftpException missing = assertThrows(SftpException.class, () -> sftp.rmdir("d1"));
      assertEquals(SftpConstants.SSH_FX_NO_SUCH_FILE, missing.getStatus(), missing.getMessage());
      assertTrue(missing.getMessage().contains("no such file"), missing.getMessage());
      try (OutputStream out = sftp.write("f")) {
        out.write(1);
      }
      SftpException file = assertThrows(SftpException.class, () -> sftp.rmdir("f"));
      assertEquals(SftpConstants.SSH_FX_NOT_A_DIRECTORY, file.getStatus(), file.getMessage());
      assertEquals("/f: rmdir by alice: not a directory", file.getMessage());
      assertTrue(sftp.stat("f").isRegularFile(), "the file stays");
      sftp.remove("f");
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Confinement, permissions, logins, exec

  @Test
  void paths_escapingTheHome_refusedAndNothingWrittenOutside() throws IOException {
    try (SftpClient sftp = ferry.login("alice")) {
      for (String escape : List.of("../outside.txt", "/../../outside.txt", "a/../../outside.txt", "../alice/x")) {
        SftpException refused = assertThrows(SftpException.class, () -> sftp.write(escape).close(), escape);
        assertEquals(SftpConstants.SSH_FX_PERMISSION_DENIED, refused.getStatus(), escape);
        assertTrue(refused.getMessage().contains("above the home"), refused.getMessage());
      }
      assertEquals("/", sftp.canonicalPath("."));
      assertEquals("/", sftp.canonicalPath("/"));
      SftpException link = assertThrows(SftpException.class, () -> sftp.symLink("link", "/etc/passwd"));
      assertTrue(link.getMessage().contains("links are not supported"), link.getMessage());
      assertThrows(SftpException.class, () -> sftp.readLink("link"));
    }
    assertEquals(List.of(), s3.keys(ferry.bucket, "home/outside"));
    assertEquals(List.of(), s3.keys(ferry.bucket, "outside"));
    assertTrue(s3.keys(ferry.bucket, "").stream().allMatch(k -> k.startsWith("home/alice/")));
  }

  /** As OpenSSH's chroot: clients that normalise paths or walk up to the root get the root. */
  @Test
  void realpath_dotDotAtTheRoot_isTheRoot() throws IOException {
    try (SftpClient sftp = ferry.login("alice")) {
      sftp.mkdir("up");
      for (String path : List.of("/..", "..", "/../..", "up/../..", "/../.")) {
        assertEquals("/", sftp.canonicalPath(path), path);
      }
      assertTrue(sftp.stat("/..").isDirectory());
      List<String> names = new ArrayList<>();
      sftp.readDir("/..").forEach(entry -> names.add(entry.getFilename()));
      assertTrue(names.contains("up"), "the home listed: " + names);
      sftp.rmdir("up");
    }
  }

  @Test
  void permissions_readerCannotWriteAndWriterCannotOverwrite() throws IOException {
    s3.put(ferry.bucket, ferry.key("protected.txt"), "keep".getBytes(StandardCharsets.UTF_8));
    try (SftpClient reader = ferry.login("reader")) {
      SftpException denied = assertThrows(SftpException.class, () -> reader.write("new.txt").close());
      assertEquals(SftpConstants.SSH_FX_PERMISSION_DENIED, denied.getStatus());
      assertTrue(denied.getMessage().contains("permission 'write' not granted"), denied.getMessage());
      assertThrows(SftpException.class, () -> reader.remove("protected.txt"));
    }
    try (SftpClient writer = ferry.login("writer")) {
      SftpException denied = assertThrows(SftpException.class, () -> writer.write("protected.txt").close());
      assertEquals(SftpConstants.SSH_FX_PERMISSION_DENIED, denied.getStatus());
    }
    assertEquals("keep", new String(s3.read(ferry.bucket, ferry.key("protected.txt")), StandardCharsets.UTF_8));
  }

  @Test
  void login_wrongPasswordOrUnknownKey_refused_rightKeyAccepted() throws Exception {
    ClientSession bad = ferry.client.connect("alice", "127.0.0.1", ferry.sftp.port()).verify(Duration.ofSeconds(10))
        .getSession();
    bad.addPasswordIdentity("wrong password");
    long started = System.nanoTime();
    assertThrows(Exception.class, () -> bad.auth().verify(Duration.ofSeconds(30)));
    Duration refusedAfter = Duration.ofNanos(System.nanoTime() - started);
    assertTrue(refusedAfter.compareTo(SftpTestGateway.LOGIN_FAILURE_DELAY) >= 0,
        "a wrong password must be answered after the failure delay, not in " + refusedAfter.toMillis() + " ms");
    bad.close(true);
    KeyPair stranger = KeyUtils.generateKeyPair(KeyPairProvider.SSH_ED25519, 256);
    assertThrows(Exception.class, () -> ferry.sessionWithKey("alice", stranger).close());
    assertThrows(Exception.class, () -> ferry.sessionWithKey("reader", ferry.aliceKey).close());
    try (ClientSession good = ferry.sessionWithKey("alice", ferry.aliceKey);
        SftpClient sftp = SftpClientFactory.instance().createSftpClient(good)) {
      assertEquals("/", sftp.canonicalPath("."));
    }
  }

  @Test
  void exec_anyCommand_refusedWithSftpOnlyMessage() throws IOException {
    try (ClientSession session = ferry.session("alice");
        ChannelExec exec = session.createExecChannel("ls /")) {
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      exec.setErr(err);
      exec.setOut(new ByteArrayOutputStream());
      exec.open().verify(Duration.ofSeconds(10));
      exec.waitFor(EnumSet.of(ClientChannelEvent.CLOSED), Duration.ofSeconds(10));
      assertEquals(1, exec.getExitStatus());
      assertTrue(err.toString(StandardCharsets.UTF_8).contains(ShellAndExec.MESSAGE), err.toString());
    }
  }

  @Test
  void copyData_partOfAFileToAnotherFile_storedExactlyWithItsChecksum() throws IOException {
    byte[] data = random(3 * PART + 7, 30);
    s3.put(ferry.bucket, ferry.key("copy-source.bin"), data);
    try (SftpClient sftp = ferry.login("alice")) {
      CopyDataExtension copy = sftp.getExtension(CopyDataExtension.class);
      assertTrue(copy.isSupported(), "copy-data offered");
      try (CloseableHandle source = sftp.open("copy-source.bin", OpenMode.Read);
          CloseableHandle target = sftp.open("copy-target.bin", OpenMode.Write, OpenMode.Create, OpenMode.Truncate)) {
        copy.copyData(source, 1000, 2L * PART, target, 0);
        copy.copyData(source, 0, 1000, target, 2L * PART);
        copy.copyData(source, data.length - 7, Long.MAX_VALUE, target, 2L * PART + 1000); // "to the end"
      }
    }
    byte[] expected = new byte[2 * PART + 1000 + 7];
    System.arraycopy(data, 1000, expected, 0, 2 * PART);
    System.arraycopy(data, 0, expected, 2 * PART, 1000);
    System.arraycopy(data, data.length - 7, expected, 2 * PART + 1000, 7);
    assertStored("copy-target.bin", expected);
  }

  /** What OpenSSH's {@code sftp cp a a} sends: the target is opened truncated before the copy. */
  @ParameterizedTest(name = "{0} bytes")
  @ValueSource(ints = {0, PART + 1})
  void copyData_ofAFileOntoItselfOpenedTruncated_keepsItsBytes(int size) throws IOException {
    byte[] data = random(size, 31);
    String name = "copy-self-" + size + ".bin";
    s3.put(ferry.bucket, ferry.key(name), data);
    try (SftpClient sftp = ferry.login("alice")) {
      CopyDataExtension copy = sftp.getExtension(CopyDataExtension.class);
      try (CloseableHandle source = sftp.open(name, OpenMode.Read);
          CloseableHandle target = sftp.open(name, OpenMode.Write, OpenMode.Create, OpenMode.Truncate)) {
        copy.copyData(source, 0, 0, target, 0);
      }
    }
    assertStored(name, data);
  }

  /**
   * What {@code sftp cp} of a file Ferry stored sends: a whole file into a new target, and onto
   * itself. Both are copied inside S3 at the target's close and keep the source's SHA-256, also
   * right after the upload, while Ferry is still adding that SHA-256 to the source.
   */
  @ParameterizedTest(name = "onto itself: {0}")
  @ValueSource(booleans = {false, true})
  void copyData_wholeFileStoredByFerry_copiedWithItsBytesAndChecksum(boolean ontoItself) throws IOException {
    byte[] data = random(2 * PART + 5, 36);
    String name = "cp-whole-" + ontoItself + ".bin";
    String copyName = ontoItself ? name : "cp-whole-copy.bin";
    try (SftpClient sftp = ferry.login("alice")) {
      try (OutputStream out = sftp.write(name)) {
        out.write(data);
      }
      CopyDataExtension copy = sftp.getExtension(CopyDataExtension.class);
      try (CloseableHandle source = sftp.open(name, OpenMode.Read);
          CloseableHandle target = sftp.open(copyName, OpenMode.Write, OpenMode.Create, OpenMode.Truncate)) {
        copy.copyData(source, 0, 0, target, 0);
      }
      // A CopyObject's ETag has no part count. Bytes passing through would have made a multipart
      // object ("...-3") here, until Ferry's checksum copy a second later.
      String etag = s3.client().headObject(b -> b.bucket(ferry.bucket).key(ferry.key(copyName))).eTag();
      assertFalse(etag.contains("-"), "copied inside S3, not uploaded in parts: " + etag);
      assertArrayEquals(data, readAll(sftp, copyName));
    }
    assertStored(copyName, data);
    assertStored(name, data);
  }

  /**
   * The copy is made when the target is closed, of the version the source had when it was opened.
   * Replaced or removed in between by another client, that version is gone: the close fails, names
   * the source, and leaves nothing. (Bytes passing through would have been read at copy-data time:
   * the close would have succeeded.)
   */
  @ParameterizedTest(name = "source {0}")
  @ValueSource(strings = {"replaced", "removed"})
  void copyData_sourceChangedBeforeTheTargetCloses_closeFailsAndNoTargetIsLeft(String change) throws IOException {
    byte[] data = random(PART + 9, 37);
    String name = "cp-" + change + ".bin";
    String copyName = "cp-" + change + "-copy.bin";
    try (SftpClient sftp = ferry.login("alice")) {
      try (OutputStream out = sftp.write(name)) {
        out.write(data);
      }
      CopyDataExtension copy = sftp.getExtension(CopyDataExtension.class);
      try (CloseableHandle source = sftp.open(name, OpenMode.Read)) {
        CloseableHandle target = sftp.open(copyName, OpenMode.Write, OpenMode.Create, OpenMode.Truncate);
        copy.copyData(source, 0, 0, target, 0);
        if (change.equals("replaced")) {
          s3.put(ferry.bucket, ferry.key(name), "replaced".getBytes(StandardCharsets.UTF_8));
        } else {
          s3.client().deleteObject(b -> b.bucket(ferry.bucket).key(ferry.key(name)));
        }

        SftpException failed = assertThrows(SftpException.class, target::close);
        assertTrue(failed.getMessage().contains("copy of /" + name + " failed: it was replaced or removed after it was opened"),
            failed.getMessage());
      }
    }
    assertEquals(List.of(), s3.keys(ferry.bucket, ferry.key(copyName)));
    assertEquals(List.of(), s3.multipartUploads(ferry.bucket), "multipart upload left behind");
  }

  /**
   * A client that writes on after a copy (here a second copy-data appending the file again): the
   * copy is not made inside S3 then, the source's bytes pass through, and the file is hashed whole.
   */
  @Test
  void copyData_wholeFileThenMoreBytes_storedExactlyWithTheWholeChecksum() throws IOException {
    byte[] data = random(PART + 11, 38);
    try (SftpClient sftp = ferry.login("alice")) {
      try (OutputStream out = sftp.write("cp-twice-source.bin")) {
        out.write(data);
      }
      CopyDataExtension copy = sftp.getExtension(CopyDataExtension.class);
      try (CloseableHandle source = sftp.open("cp-twice-source.bin", OpenMode.Read);
          CloseableHandle target = sftp.open("cp-twice.bin", OpenMode.Write, OpenMode.Create, OpenMode.Truncate)) {
        copy.copyData(source, 0, 0, target, 0);
        copy.copyData(source, 0, 0, target, data.length);
      }
    }
    byte[] twice = Arrays.copyOf(data, 2 * data.length);
    System.arraycopy(data, 0, twice, data.length, data.length);
    assertStored("cp-twice.bin", twice);
  }

  @Test
  void copyData_intoATargetOpenedForAppend_appendsToTheExistingBytes() throws IOException {
    byte[] head = random(1000, 33);
    byte[] tail = random(PART + 3, 34);
    s3.put(ferry.bucket, ferry.key("copy-append-target.bin"), head);
    s3.put(ferry.bucket, ferry.key("copy-append-source.bin"), tail);
    try (SftpClient sftp = ferry.login("alice")) {
      CopyDataExtension copy = sftp.getExtension(CopyDataExtension.class);
      try (CloseableHandle source = sftp.open("copy-append-source.bin", OpenMode.Read);
          CloseableHandle target = sftp.open("copy-append-target.bin", OpenMode.Write, OpenMode.Append)) {
        copy.copyData(source, 0, 0, target, 0);
      }
    }
    byte[] expected = Arrays.copyOf(head, head.length + tail.length);
    System.arraycopy(tail, 0, expected, head.length, tail.length);
    assertArrayEquals(expected, s3.read(ferry.bucket, ferry.key("copy-append-target.bin")));
  }

  /** A handle open for reading and writing reads what the file holds now: copy-data copies that. */
  @Test
  void copyData_fromAHandleOpenForReadingAndWriting_copiesWhatTheFileHoldsNow() throws IOException {
    byte[] data = random(2000, 35);
    s3.put(ferry.bucket, ferry.key("copy-rw-source.bin"), data);
    byte[] changed = data.clone();
    Arrays.fill(changed, 100, 110, (byte) 7);
    try (SftpClient sftp = ferry.login("alice")) {
      CopyDataExtension copy = sftp.getExtension(CopyDataExtension.class);
      try (CloseableHandle source = sftp.open("copy-rw-source.bin", OpenMode.Read, OpenMode.Write);
          CloseableHandle target = sftp.open("copy-rw-target.bin", OpenMode.Write, OpenMode.Create)) {
        sftp.write(source, 100, changed, 100, 10);
        copy.copyData(source, 0, 0, target, 0);
      }
    }
    assertArrayEquals(changed, s3.read(ferry.bucket, ferry.key("copy-rw-target.bin")));
    assertArrayEquals(changed, s3.read(ferry.bucket, ferry.key("copy-rw-source.bin")));
  }

  @Test
  void copyData_withinOneHandle_refusedAndFileUnchanged() throws IOException {
    byte[] data = random(4096, 32);
    s3.put(ferry.bucket, ferry.key("copy-one-handle.bin"), data);
    try (SftpClient sftp = ferry.login("alice")) {
      CopyDataExtension copy = sftp.getExtension(CopyDataExtension.class);
      try (CloseableHandle both = sftp.open("copy-one-handle.bin", OpenMode.Read, OpenMode.Write)) {
        SftpException refused = assertThrows(SftpException.class, () -> copy.copyData(both, 0, 1000, both, 2000));
        assertEquals(SftpConstants.SSH_FX_OP_UNSUPPORTED, refused.getStatus(), refused.getMessage());
      }
    }
    assertArrayEquals(data, s3.read(ferry.bucket, ferry.key("copy-one-handle.bin")));
  }

  @Test
  void extensions_limitsPosixRenameAndCopyDataOffered_hardlinkNot() throws IOException {
    try (SftpClient sftp = ferry.login("alice")) {
      Set<String> offered = sftp.getServerExtensions().keySet();
      assertTrue(offered.contains("limits@openssh.com"), offered.toString());
      assertTrue(offered.contains("posix-rename@openssh.com"), offered.toString());
      assertTrue(offered.contains("statvfs@openssh.com"), offered.toString());
      assertTrue(offered.contains("copy-data"), offered.toString());
      assertTrue(offered.contains("users-groups-by-id@openssh.com"), offered.toString());
      assertFalse(offered.contains("hardlink@openssh.com"), offered.toString());
    }
  }

  @Test
  void statvfs_ofTheHome_reportsLargeFreeSpace_ofAMissingPath_noSuchFile() throws IOException {
    try (SftpClient sftp = ferry.login("alice")) {
      OpenSSHStatPathExtension statvfs = sftp.getExtension(OpenSSHStatPathExtension.class);
      assertTrue(statvfs.isSupported());

      OpenSSHStatExtensionInfo info = statvfs.stat("/");
      assertTrue(info.f_bavail * info.f_frsize >= (1L << 40), "free bytes: " + info.f_bavail * info.f_frsize);
      assertEquals(info.f_blocks, info.f_bfree);
      assertEquals(255, info.f_namemax);

      SftpException missing = assertThrows(SftpException.class, () -> statvfs.stat("/no/such/dir"));
      assertEquals(SftpConstants.SSH_FX_NO_SUCH_FILE, missing.getStatus(), missing.getMessage());
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Helpers

  private static void assertStored(String name, byte[] data) {
    assertArrayEquals(data, s3.read(ferry.bucket, ferry.key(name)), "bytes in S3");
    try {
      assertEquals(S3TestServer.sha256Hex(data), TestObjects.recordedFacts(ferry.gateway, ferry.bucket, ferry.key(name))
          .sha256(), "SHA-256 in the catalog");
    } catch (IOException e) {
      throw new AssertionError("catalog of " + name + ": " + e.getMessage(), e);
    }
    assertEquals(List.of(), s3.multipartUploads(ferry.bucket), "multipart upload left behind");
  }

  private static byte[] readAll(SftpClient sftp, String name) throws IOException {
    try (InputStream in = sftp.read(name)) {
      return in.readAllBytes();
    }
  }

  /** Chunk indexes shuffled within groups of {@code group} chunks (pipelined, out of order). */
  private static List<Integer> shuffledWithin(int length, int chunk, int group, long seed) {
    int chunks = (length + chunk - 1) / chunk;
    Random random = new Random(seed);
    List<Integer> order = new ArrayList<>();
    for (int first = 0; first < chunks; first += group) {
      List<Integer> members = new ArrayList<>();
      for (int i = first; i < Math.min(first + group, chunks); i++) {
        members.add(i);
      }
      Collections.shuffle(members, random);
      order.addAll(members);
    }
    return order;
  }

  private static FTPSClient ftpsLogin() throws IOException {
    return ferry.ftpsLogin("alice");
  }

  static byte[] random(int size, long seed) {
    byte[] data = new byte[size];
    new Random(seed).nextBytes(data);
    return data;
  }
}
