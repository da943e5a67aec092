package dev.ferry.sftp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.testing.Await;
import dev.ferry.core.testing.S3TestServer;
import dev.ferry.core.testing.TestObjects;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.client.SftpClient.CloseableHandle;
import org.apache.sshd.sftp.client.SftpClient.OpenMode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The node's disk for spill files is budgeted like its memory: handles writing far ahead of a gap
 * (their bytes wait in spill files) hold at most the session's and the user's shares, the spill
 * directory never passes the budget, the write that would pass it fails naming the limit, and
 * another user's uploads complete meanwhile, in order or not.
 */
class SftpSpillBudgetIT {

  private static final long MIB = 1 << 20;
  private static final long BUDGET = 48 * MIB;
  private static final long PER_USER = 24 * MIB;
  private static final long PER_SESSION = 16 * MIB;
  private static final int WRITE = 256 * 1024;

  @RegisterExtension
  static final S3TestServer s3 = new S3TestServer();

  @TempDir
  static Path dir;

  static SftpTestGateway ferry;

  @BeforeAll
  static void start() throws IOException {
    ferry = new SftpTestGateway(s3, dir, 5 * MIB, "  memoryWait: 2s\n  spillBudget: 48MiB\n  spillPerUser: 24MiB\n"
        + "  spillPerSession: 16MiB");
  }

  @AfterAll
  static void stop() throws IOException {
    ferry.close();
  }

  /**
   * Bytes the spill files take on the disk now (blocks allocated, as du counts). Spill files are
   * unlinked as they are opened (Java's DELETE_ON_CLOSE), so they are found through this process's
   * open files (Ferry runs in it) and measured by stat(1), as the JDK shows no block count.
   */
  static long spillDirectoryBytes() throws IOException, InterruptedException {
    String spill = dir.resolve("data").resolve("spill").toAbsolutePath().toString();
    Path fds = Path.of("/proc", Long.toString(ProcessHandle.current().pid()), "fd");
    List<String> command = new ArrayList<>(List.of("stat", "-L", "-c", "%b %B"));
    try (Stream<Path> open = Files.list(fds)) {
      for (Path fd : (Iterable<Path>) open::iterator) {
        try {
          if (Files.readSymbolicLink(fd).toString().startsWith(spill + "/")) {
            command.add(fd.toString());
          }
        } catch (IOException closed) {
          // closed between the listing and the look: it takes nothing any more
        }
      }
    }
    if (command.size() == 4) {
      return 0;
    }
    Process stat = new ProcessBuilder(command).redirectErrorStream(false).start();
    long total = 0;
    for (String line : new String(stat.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII)
        .split("\n")) {
      String[] blocksAndSize = line.trim().split(" ");
      if (blocksAndSize.length == 2) {
        total += Long.parseLong(blocksAndSize[0]) * Long.parseLong(blocksAndSize[1]);
      }
    }
    stat.waitFor();
    return total;
  }

  @Test
  void handlesWritingFarAhead_holdTheirShares_thePassingWriteFailsNamingIt_andOthersUploadWhole() throws Exception {
    byte[] ahead = TestObjects.randomBytes((int) (4 * MIB));
    byte[] upload = TestObjects.randomBytes((int) (12 * MIB));
    List<SftpClient> sessions = new ArrayList<>();
    AtomicLong largest = new AtomicLong();
    String refusal = null;
    try {
      // Two sessions of alice, eight handles each writing 4 MiB ahead of a gap: 64 MiB wanted, the
      // sessions may hold 16 MiB each and alice 24 MiB.
      outer:
      for (int s = 0; s < 2; s++) {
        SftpClient attacker = ferry.login("alice");
        sessions.add(attacker);
        for (int h = 0; h < 8; h++) {
          CloseableHandle handle = attacker.open("ahead-" + s + "-" + h + ".bin", OpenMode.Write, OpenMode.Create,
              OpenMode.Truncate);
          try {
            for (int at = 0; at < ahead.length; at += WRITE) {
              attacker.write(handle, (64 << 10) + at, ahead, at, WRITE);
              largest.accumulateAndGet(spillDirectoryBytes(), Math::max);
            }
          } catch (IOException refused) {
            refusal = refused.getMessage();
            if (s == 1) {
              break outer;
            }
            break;
          }
        }
      }
      assertTrue(refusal != null && refusal.contains("uploads.spillPerUser (25165824 bytes)"),
          "the write past alice's share is refused naming it: " + refusal);
      long held = ferry.gateway.uploads().spillSpace().used();
      assertTrue(held <= PER_USER, "alice's sessions hold " + held + " bytes of spill space");
      assertTrue(largest.get() <= BUDGET, "the spill directory reached " + largest.get() + " bytes, over the budget");

      try (SftpClient writer = ferry.login("writer")) {
        try (OutputStream out = writer.write("legit.bin")) {
          out.write(upload);
        }
        CloseableHandle backwards = writer.open("backwards.bin", OpenMode.Write, OpenMode.Create, OpenMode.Truncate);
        for (int at = upload.length - WRITE; at >= 0; at -= WRITE) {
          writer.write(backwards, at, upload, at, WRITE);
        }
        writer.close(backwards);
      }
      assertArrayEquals(upload, s3.read(ferry.bucket, ferry.key("legit.bin")), "another user's upload, exact");
      assertArrayEquals(upload, s3.read(ferry.bucket, ferry.key("backwards.bin")),
          "another user's upload written backwards, exact (its spill file within the budget's rest)");
      System.out.printf("spill directory at most %d bytes (budget %d); alice held %d bytes%n", largest.get(), BUDGET,
          held);
    } finally {
      for (SftpClient session : sessions) {
        session.close();
      }
    }
    Await.until(() -> ferry.gateway.uploads().spillSpace().used() == 0, "every spill byte to be given back");
    assertEquals(0, spillDirectoryBytes(), "no spill file left");
    assertEquals(List.of(), s3.keys(ferry.bucket, ferry.key("ahead-")), "nothing of the refused files stored");
  }
}
