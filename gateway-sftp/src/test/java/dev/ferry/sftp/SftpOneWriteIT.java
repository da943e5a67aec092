package dev.ferry.sftp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ferry.core.s3.ObjectFacts;
import dev.ferry.core.testing.S3RequestLog;
import dev.ferry.core.testing.S3TestServer;
import dev.ferry.core.testing.TestObjects;
import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.client.SftpClient.CloseableHandle;
import org.apache.sshd.sftp.client.SftpClient.OpenMode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every SFTP upload is one object write in S3 (one version, one ObjectCreated event), counted
 * between Ferry and the S3 server: with the time set on the open handle before the close (OpenSSH's
 * {@code put -p}) and by path after it (rclone's setstat) alike.
 */
class SftpOneWriteIT {

  @RegisterExtension
  static final S3TestServer s3 = new S3TestServer();

  private static final int MIB = 1024 * 1024;
  private static final int CHUNK = 32 * 1024;

  @TempDir
  static Path dir;

  static S3RequestLog requests;
  static SftpTestGateway ferry;

  @BeforeAll
  static void start() throws IOException {
    requests = new S3RequestLog(s3.endpoint());
    ferry = new SftpTestGateway(s3, requests.endpoint(), dir, 8 * MIB, "");
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

  @ParameterizedTest(name = "{0} bytes")
  @ValueSource(ints = {MIB, 20 * MIB, 100 * MIB})
  void uploadWithTimes_oneObjectWriteAndTheTimeShown(int size) throws IOException {
    byte[] data = SftpGatewayIT.random(size, size);
    String name = "one-write-" + size + ".bin";
    Instant onHandle = Instant.parse("2011-11-11T11:11:11Z");
    Instant byPath = Instant.parse("2012-12-12T12:12:12Z");
    try (SftpClient sftp = ferry.login("alice")) {
      requests.clear();
      try (CloseableHandle handle = sftp.open(name, OpenMode.Write, OpenMode.Create, OpenMode.Truncate)) {
        for (int offset = 0; offset < size; offset += CHUNK) {
          sftp.write(handle, offset, data, offset, Math.min(CHUNK, size - offset));
        }
        sftp.setStat(handle, new SftpClient.Attributes().modifyTime(FileTime.from(onHandle)));
      }
      assertEquals(onHandle, sftp.stat(name).getModifyTime().toInstant(), "time set on the open handle");
      sftp.setStat(name, new SftpClient.Attributes().modifyTime(FileTime.from(byPath)));

      List<S3RequestLog.Request> writes = requests.requests("/" + name, S3RequestLog.Request::writesObject);
      assertEquals(1, writes.size(), "object writes for one upload and two time changes:\n"
          + S3RequestLog.describe(writes));
      assertEquals(List.of(), requests.requests("/" + name, S3RequestLog.Request::isCopy), "copies");

      assertEquals(byPath, sftp.stat(name).getModifyTime().toInstant(), "time set by path");
      Instant listed = null;
      for (SftpClient.DirEntry entry : sftp.readDir(".")) {
        if (entry.getFilename().equals(name)) {
          listed = entry.getAttributes().getModifyTime().toInstant();
        }
      }
      assertEquals(byPath, listed, "time in the listing");
    }
    ObjectFacts facts = TestObjects.recordedFacts(ferry.gateway, ferry.bucket, ferry.key(name));
    assertEquals(S3TestServer.sha256Hex(data), facts.sha256());
    assertEquals(byPath, facts.clientTime());
    assertArrayEquals(data, s3.read(ferry.bucket, ferry.key(name)));
    assertEquals(List.of(), s3.multipartUploads(ferry.bucket));
  }
}
