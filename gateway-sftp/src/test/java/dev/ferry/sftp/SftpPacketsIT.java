package dev.ferry.sftp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ferry.core.testing.S3TestServer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.core.CoreModuleProperties;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.client.SftpClient.CloseableHandle;
import org.apache.sshd.sftp.client.SftpClient.OpenMode;
import org.apache.sshd.sftp.client.SftpClientFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Reads and writes whole and exact whatever SSH packets and window the client offers. A READ's
 * reply is read straight into SSH packets of the client's packet size, and split again by MINA
 * where the client's window has less room than a packet; large WRITE requests wait for the SFTP
 * thread in pooled buffers, used again by the next requests of any session. Both are checked with
 * reads and writes of sizes clients use, across the end of the file, several sessions at once.
 */
class SftpPacketsIT {

  private static final int KIB = 1024;
  private static final int MIB = 1 << 20;

  @RegisterExtension
  static final S3TestServer s3 = new S3TestServer();

  @TempDir
  static Path dir;

  static SftpTestGateway ferry;

  @BeforeAll
  static void start() throws IOException {
    ferry = new SftpTestGateway(s3, dir, 5 * MIB, "");
  }

  @AfterAll
  static void stop() throws IOException {
    ferry.close();
  }

  /** packet and window: what the client's channel accepts (OpenSSH 32 KiB / 2 MiB; small ones split replies). */
  @ParameterizedTest(name = "packets of {0} bytes, window {1}")
  @CsvSource({"32768, 2097152", "16384, 40000", "1000, 2500", "262144, 8388608"})
  void reads_ofEverySize_returnTheFilesBytes_andEndOfFileAtItsEnd(int packet, int window) throws Exception {
    byte[] data = SftpTestGateway.random(MIB + 77, packet);
    String name = "read-" + packet + ".bin";
    s3.put(ferry.bucket, ferry.key(name), data);
    try (SftpClient sftp = login(packet, window); CloseableHandle handle = sftp.open(name, OpenMode.Read)) {
      for (int size : new int[] {1, 13, 4096, 32 * KIB, 64 * KIB, 255 * KIB, 256 * KIB}) {
        for (int offset : new int[] {0, 1, 300_000, data.length - 100, data.length - 1}) {
          byte[] got = SftpTestGateway.readFully(sftp, handle, offset, size);
          byte[] expected = Arrays.copyOfRange(data, offset, Math.min(data.length, offset + size));
          assertArrayEquals(expected, got, size + " bytes at " + offset);
        }
        assertEquals(-1, sftp.read(handle, data.length, new byte[size], 0, size), "EOF at the end, " + size);
        assertEquals(-1, sftp.read(handle, data.length + 5000L, new byte[size], 0, size), "EOF past the end");
      }
      byte[] whole = SftpTestGateway.readFully(sftp, handle, 0, data.length);
      assertArrayEquals(data, whole, "the whole file, read front to back");
    }
  }

  /** Writes of the sizes clients send (8 KiB to OpenSSH's 256 KiB), three sessions at once, twice over; each file two parts. */
  @ParameterizedTest(name = "writes of {0} bytes")
  @CsvSource({"8192", "32768", "65536", "131072", "262144"})
  void writes_ofEverySize_severalSessionsAtOnce_storeExactlyTheirBytes(int writeSize) throws Exception {
    ExecutorService sessions = Executors.newFixedThreadPool(3);
    try {
      for (int round = 0; round < 2; round++) {
        List<Future<?>> uploads = new ArrayList<>();
        List<byte[]> contents = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
          byte[] data = SftpTestGateway.random(6 * MIB + 1000 * i + writeSize / 7, writeSize + 31 * i + round);
          String name = "up-" + writeSize + "-" + round + "-" + i + ".bin";
          contents.add(data);
          uploads.add(sessions.submit(() -> {
            try (SftpClient sftp = ferry.login("alice");
                CloseableHandle handle = sftp.open(name, EnumSet.of(OpenMode.Write, OpenMode.Create))) {
              for (int at = 0; at < data.length; at += writeSize) {
                sftp.write(handle, at, data, at, Math.min(writeSize, data.length - at));
              }
            }
            return null;
          }));
        }
        for (Future<?> upload : uploads) {
          upload.get(2, TimeUnit.MINUTES);
        }
        for (int i = 0; i < 3; i++) {
          String name = "up-" + writeSize + "-" + round + "-" + i + ".bin";
          assertArrayEquals(contents.get(i), s3.read(ferry.bucket, ferry.key(name)), name);
        }
      }
    } finally {
      sessions.shutdownNow();
    }
  }

  private static SftpClient login(int packet, int window) throws IOException {
    ClientSession session = ferry.session("alice");
    CoreModuleProperties.MAX_PACKET_SIZE.set(session, (long) packet);
    CoreModuleProperties.WINDOW_SIZE.set(session, (long) window);
    return SftpClientFactory.instance().createSftpClient(session).singleSessionInstance();
  }
}
