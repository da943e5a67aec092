package dev.ferry.server.nodes;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.testing.Await;
import dev.ferry.core.testing.PostgresTestServer;
import dev.ferry.core.testing.S3TestServer;
import dev.ferry.core.user.PasswordHasher;
import dev.ferry.server.SshExec;
import dev.ferry.server.SshTestClient;
import java.io.IOException;
import java.io.OutputStream;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.Random;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.client.SftpClient.CloseableHandle;
import org.apache.sshd.sftp.client.SftpClient.OpenMode;
import org.apache.sshd.sftp.client.SftpClientFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several Ferry nodes, each its own process, sharing one PostgreSQL state store (a real server) and
 * one S3: path locks, bans and the orphan sweep hold across nodes; a node killed or frozen past its
 * lease loses its locks and uploads to the others and, woken, commits nothing.
 */
class TwoNodesIT {

  @RegisterExtension
  static final S3TestServer s3 = new S3TestServer();

  @RegisterExtension
  static final PostgresTestServer postgres = new PostgresTestServer();

  @RegisterExtension
  static final SshTestClient ssh = new SshTestClient();

  private static final String PASSWORD = "two-nodes-Pa55";
  private static final String HASH = PasswordHasher.hash(PASSWORD.toCharArray());
  private static final Duration LEASE = Duration.ofSeconds(3);
  private static final int MIB = 1024 * 1024;
  private static final int PER_USER = 6;

  @TempDir
  static Path dir;

  static String bucket;
  static String database;
  static FerryNode one;
  static FerryNode two;
  static KeyPair opsKey;

  @BeforeAll
  static void start() throws IOException, GeneralSecurityException {
    bucket = s3.createBucket();
    opsKey = KeyUtils.generateKeyPair(KeyPairProvider.SSH_ED25519, 256);
    database = postgres.newDatabase();
    one = node("node-1");
    two = node("node-2");
  }

  @AfterAll
  static void stop() throws InterruptedException {
    for (FerryNode node : new FerryNode[] {one, two}) {
      if (node != null) {
        node.close();
      }
    }
  }

  static FerryNode node(String name) throws IOException {
    return FerryNode.start(name, dir.resolve(name), FerryNode.config(dir.resolve(name).resolve("data"), s3,
        FerryNode.sharedStore(database, name, LEASE) + """
        uploads:
          partSize: 5MiB
          singlePutLimit: 5MiB
          memoryBudget: 32MiB
        login:
          failureDelay: 10ms
          maxFailures: 3
        shutdown:
          grace: 2s
        listings:
          directoryCacheTime: 60s
        sessions:
          perUser: %d
        users:
          - name: alice
            passwordHash: "%s"
            home: s3://%s/home/
            permissions: [all]
          - name: dave
            passwordHash: "%s"
            home: s3://%s/dave/
            permissions: [all]
          - name: erin
            passwordHash: "%s"
            home: s3://%s/erin/
            permissions: [all]
          - name: ops
            home: s3://%s/ops/
            admin: true
            publicKeys: ["%s"]
        """.formatted(PER_USER, HASH, bucket, HASH, bucket, HASH, bucket, bucket,
            PublicKeyEntry.toString(opsKey.getPublic()))));
  }

  /** An SFTP session to {@code node} as alice, from {@code fromAddress} (any 127.x address reaches loopback). */
  static SftpClient login(FerryNode node, String fromAddress, String password) throws IOException {
    return login(node, "alice", fromAddress, password);
  }

  static SftpClient login(FerryNode node, String user, String fromAddress, String password) throws IOException {
    ClientSession session = ssh.loginFrom(fromAddress, user, node.sftpPort, password);
    try {
      return SftpClientFactory.instance().createSftpClient(session).singleSessionInstance();
    } catch (IOException | RuntimeException e) {
      session.close(true);
      throw e;
    }
  }

  static SftpClient login(FerryNode node) throws IOException {
    return login(node, "127.0.0.1", PASSWORD);
  }

  /** Until the node's last heartbeat in the store is older than its lease (what makes it dead to the others). */
  static void awaitDeadToTheOthers(String node) {
    Await.until(() -> {
      try (Connection connection = DriverManager.getConnection(database, PostgresTestServer.USER, "");
          PreparedStatement select = connection.prepareStatement("SELECT max(heartbeat_at) FROM nodes WHERE name = ?")) {
        select.setString(1, node);
        try (ResultSet row = select.executeQuery()) {
          return row.next() && row.getLong(1) < System.currentTimeMillis() - LEASE.toMillis() - 500;
        }
      } catch (SQLException e) {
        throw new AssertionError("reading the heartbeat of " + node, e);
      }
    }, LEASE.multipliedBy(10), "node " + node + " to be silent for longer than its lease");
  }

  static byte[] random(int size, long seed) {
    byte[] data = new byte[size];
    new Random(seed).nextBytes(data);
    return data;
  }

  static void write(SftpClient sftp, CloseableHandle handle, byte[] data, int from, int to) throws IOException {
    for (int offset = from; offset < to; offset += 32 * 1024) {
      sftp.write(handle, offset, data, offset, Math.min(32 * 1024, to - offset));
    }
  }

  @Test
  void samePathThroughBothNodes_theSecondWriterIsBusy() throws IOException {
    byte[] first = random(3 * MIB, 1);
    byte[] second = random(2 * MIB, 2);
    try (SftpClient a = login(one); SftpClient b = login(two)) {
      try (CloseableHandle handle = a.open("busy.bin", OpenMode.Write, OpenMode.Create, OpenMode.Truncate)) {
        write(a, handle, first, 0, MIB);
        IOException refused = assertThrows(IOException.class, () -> {
          try (OutputStream out = b.write("busy.bin")) {
            out.write(second);
          }
        });
        assertTrue(refused.getMessage().contains("busy"), refused.getMessage());
        write(a, handle, first, MIB, first.length);
      }
      assertArrayEquals(first, s3.read(bucket, "home/busy.bin"), "the first writer's bytes");

      try (OutputStream out = b.write("busy.bin")) {
        out.write(second);
      }
      assertArrayEquals(second, s3.read(bucket, "home/busy.bin"), "once free, the path takes the second writer");
    }
  }

  /**
   * Each node keeps what it listed for listings.directoryCacheTime (a minute here): a file another
   * S3 client puts is not seen meanwhile. Changes made through the other node are: node one tells
   * node two through PostgreSQL, and node two, which had listed the folder, sees each in
   * milliseconds; the test allows a few seconds for a loaded machine, still far inside the minute.
   */
  @Test
  void changesThroughOneNode_seenOnTheOtherThoughItListedTheFolder() throws Exception {
    Duration soon = Duration.ofSeconds(5);
    try (SftpClient a = login(one); SftpClient b = login(two)) {
      b.mkdir("seen");
      assertEquals(List.of(), names(b, "seen"));
      s3.put(bucket, "home/seen/outside.txt", new byte[] {1});
      assertFalse(exists(b, "seen/outside.txt"), "node two answers from the folder it listed");

      try (OutputStream out = a.write("seen/new.txt")) {
        out.write("12345".getBytes());
      }
      Await.until(() -> exists(b, "seen/new.txt"), soon, "node two to see the file node one wrote");
      assertEquals(5, b.stat("seen/new.txt").getSize());

      a.mkdir("seen/sub");
      Await.until(() -> names(b, "seen").contains("sub"), soon, "node two to list the folder node one made");
      a.rename("seen/new.txt", "seen/moved.txt");
      Await.until(() -> !exists(b, "seen/new.txt") && exists(b, "seen/moved.txt"), soon,
          "node two to see node one's rename");
      a.remove("seen/moved.txt");
      Await.until(() -> !exists(b, "seen/moved.txt"), soon, "node two to see node one's delete");
      assertEquals(List.of("outside.txt", "sub"), names(b, "seen"), "listed again: what S3 holds");
    }
  }

  static boolean exists(SftpClient sftp, String path) {
    try {
      sftp.stat(path);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  static List<String> names(SftpClient sftp, String path) {
    List<String> names = new java.util.ArrayList<>();
    try {
      for (SftpClient.DirEntry entry : sftp.readDir(path)) {
        if (!entry.getFilename().equals(".") && !entry.getFilename().equals("..")) {
          names.add(entry.getFilename());
        }
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    java.util.Collections.sort(names);
    return names;
  }

  /** An admin command over SSH exec to {@code node}, as ops; fails unless it exits 0. */
  static SshExec admin(FerryNode node, String command) throws IOException {
    try (ClientSession session = ssh.login("ops", node.sftpPort, opsKey)) {
      SshExec exec = SshExec.run(session, command, Duration.ofSeconds(30));
      assertEquals(0, exec.status(), command + " on " + node.name + ": " + exec.err());
      return exec;
    }
  }

  /**
   * Disabled through node 1, dave's session on node 2 is closed within node 2's sweep (every third
   * of the lease), and both nodes refuse dave's logins; enabled through node 2, dave logs in again.
   */
  @Test
  void userDisabledOnNodeOne_sessionOnNodeTwoClosed_loginsRefusedOnBoth() throws Exception {
    String from = "127.0.0.4";
    SftpClient dave = login(two, "dave", from, PASSWORD);
    try {
      admin(one, "user disable dave --reason 'two-node test'");

      Await.until(() -> !dave.getClientSession().isOpen(), LEASE.multipliedBy(3),
          "node 2 to close dave's session within a sweep");
      assertThrows(IOException.class, () -> login(two, "dave", from, PASSWORD).close());
      assertThrows(IOException.class, () -> login(one, "dave", from, PASSWORD).close());
      assertTrue(two.logText().contains("user dave is disabled: session"), "node 2 says why it closed it");
    } finally {
      dave.close();
      admin(two, "user enable dave");
    }
    login(one, "dave", from, PASSWORD).close();
    login(two, "dave", from, PASSWORD).close();
  }

  @Test
  void failuresOnNodeOne_banTheAddressOnNodeTwo() throws IOException {
    String attacker = "127.0.0.2";
    for (int i = 0; i < 3; i++) {
      assertThrows(IOException.class, () -> login(one, attacker, "wrong").close());
    }

    assertThrows(IOException.class, () -> login(two, attacker, PASSWORD).close(),
        "node 2 let in an address node 1 banned");
    login(two, "127.0.0.3", PASSWORD).close(); // other addresses are not affected
  }

  @Test
  void nodeKilledMidUpload_anotherNodeAbortsItsMultipartUpload() throws Exception {
    try (FerryNode doomed = node("node-killed")) {
      SftpClient sftp = login(doomed);
      CloseableHandle handle = sftp.open("killed.bin", OpenMode.Write, OpenMode.Create, OpenMode.Truncate);
      write(sftp, handle, random(12 * MIB, 3), 0, 12 * MIB);
      Await.until(() -> !s3.multipartUploads(bucket).isEmpty(), Duration.ofSeconds(30), "a multipart upload to start");

      doomed.kill();

      Await.until(() -> s3.multipartUploads(bucket).isEmpty(), Duration.ofSeconds(60),
          "the other nodes' sweep to abort the killed node's upload");
      assertTrue(s3.find(bucket, "home/killed.bin").isEmpty(), "a killed upload left an object");
      // The sweep logs after it has aborted the upload and dropped its journal entry: wait for the line.
      Await.until(() -> one.logText().contains("killed.bin") || two.logText().contains("killed.bin"),
          Duration.ofSeconds(10), "the sweeping node to log what it aborted");
    }
  }

  @Test
  void nodeFrozenPastItsLease_anotherTakesThePathAndTheWokenNodeCommitsNothing() throws Exception {
    byte[] late = random(7 * MIB, 4);
    byte[] taken = random(MIB + 5, 5);
    try (FerryNode sleeper = node("node-frozen")) {
      SftpClient slow = login(sleeper);
      CloseableHandle handle = slow.open("frozen.bin", OpenMode.Write, OpenMode.Create, OpenMode.Truncate);
      write(slow, handle, late, 0, 6 * MIB);

      sleeper.freeze();
      try {
        awaitDeadToTheOthers("node-frozen");
        try (SftpClient other = login(one); OutputStream out = other.write("frozen.bin")) {
          out.write(taken); // the frozen node's lock is taken over
        }
      } finally {
        sleeper.wake();
      }

      IOException failed = assertThrows(IOException.class, () -> {
        write(slow, handle, late, 6 * MIB, late.length);
        handle.close();
      }, "the woken node committed an upload whose path another node had taken over");
      assertFalse(failed.getMessage().isEmpty());
      slow.close();
    }
    assertArrayEquals(taken, s3.read(bucket, "home/frozen.bin"), "the bytes of the node that took the path over");
    Await.until(() -> s3.multipartUploads(bucket).isEmpty(), Duration.ofSeconds(30), "no multipart upload left");
  }

  /**
   * A file below the single-PUT limit has no multipart upload for a sweep to abort: only the lock
   * check before the commit (fencing) keeps the woken node from overwriting the other node's file.
   */
  @Test
  void nodeFrozenPastItsLeaseMidSinglePut_wokenNodeIsFencedOff() throws Exception {
    byte[] late = random(2 * MIB, 8);
    byte[] taken = random(MIB + 7, 9);
    try (FerryNode sleeper = node("node-fenced")) {
      SftpClient slow = login(sleeper);
      CloseableHandle handle = slow.open("fenced.bin", OpenMode.Write, OpenMode.Create, OpenMode.Truncate);
      write(slow, handle, late, 0, MIB);

      sleeper.freeze();
      try {
        awaitDeadToTheOthers("node-fenced");
        try (SftpClient other = login(two); OutputStream out = other.write("fenced.bin")) {
          out.write(taken);
        }
      } finally {
        sleeper.wake();
      }

      write(slow, handle, late, MIB, late.length);
      IOException fenced = assertThrows(IOException.class, handle::close,
          "the woken node committed over the file of the node that took the path over");
      assertTrue(fenced.getMessage().contains("lock"), fenced.getMessage());
      slow.close();
    }
    assertArrayEquals(taken, s3.read(bucket, "home/fenced.bin"));
  }

  @Test
  void postgresRestarted_nodesGoOnWithNothingLost() throws Exception {
    byte[] before = random(MIB, 6);
    byte[] after = random(6 * MIB, 7);
    try (SftpClient sftp = login(one); OutputStream out = sftp.write("before-restart.bin")) {
      out.write(before);
    }
    postgres.stop();
    postgres.start();
    try (SftpClient sftp = login(two); OutputStream out = sftp.write("after-restart.bin")) {
      out.write(after);
    }
    try (SftpClient sftp = login(one)) {
      assertEquals(before.length, sftp.stat("before-restart.bin").getSize());
      assertEquals(after.length, sftp.stat("after-restart.bin").getSize());
    }
    assertArrayEquals(before, s3.read(bucket, "home/before-restart.bin"));
    assertArrayEquals(after, s3.read(bucket, "home/after-restart.bin"));
    assertEquals(List.of(), s3.multipartUploads(bucket));
  }

  @Test
  void perUserLimit_sessionsOnNodeOne_countOnNodeTwo() throws Exception {
    List<SftpClient> onOne = new java.util.ArrayList<>();
    try {
      for (int i = 0; i < PER_USER; i++) {
        onOne.add(login(one, "erin", "127.0.0.1", PASSWORD));
      }
      // Node one publishes its sessions at its next tick and node two reads them at its own.
      Await.until(() -> {
        try {
          login(two, "erin", "127.0.0.1", PASSWORD).close();
          return false;
        } catch (IOException refused) {
          return true;
        }
      }, Duration.ofSeconds(15), "node two to refuse erin's session past sessions.perUser on all nodes");
      assertTrue(two.logText().contains("Too many sessions of user erin (" + PER_USER + " on all nodes)"),
          "node two names the limit across nodes");
      onOne.remove(0).close();
      Await.until(() -> {
        try {
          login(two, "erin", "127.0.0.1", PASSWORD).close();
          return true;
        } catch (IOException refused) {
          return false;
        }
      }, Duration.ofSeconds(15), "node two to admit erin once a session on node one closed");
    } finally {
      for (SftpClient sftp : onOne) {
        sftp.close();
      }
    }
  }

  @Test
  void secondNodeWithALiveNodesName_isRefusedNamingTheKey() {
    AssertionError refused = assertThrows(AssertionError.class, () -> node("node-1").close());
    assertTrue(refused.getMessage().contains("store.nodeName 'node-1' is the name of a live node"), refused.getMessage());
  }

  @Test
  void postgresGone_sigtermEndsWithinTheGracePlusAFewSeconds() throws Exception {
    FerryNode stopping = node("node-stopping");
    try {
      postgres.stop();
      long start = System.nanoTime();
      stopping.close();
      long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
      assertTrue(seconds <= 2 + 5, "a node without its store took " + seconds + " s to stop (shutdown.grace 2s)");
    } finally {
      postgres.start();
    }
  }
}
