package dev.ferry.ftps;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.s3.ObjectFacts;
import dev.ferry.core.testing.S3RequestLog;
import dev.ferry.core.testing.S3TestServer;
import dev.ferry.core.testing.TestObjects;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.apache.commons.net.ftp.FTPFile;
import org.apache.commons.net.ftp.FTPSClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every FTPS upload is one object write in S3 (one version, one ObjectCreated event), counted
 * between Ferry and the S3 server, and so is the MFMT lftp and FileZilla send after it: none. The
 * SHA-256 and the client's time are in Ferry's catalog, and MDTM and listings show the time.
 */
class FtpsOneWriteIT {

  @RegisterExtension
  static final S3TestServer s3 = new S3TestServer();

  private static final int MIB = 1024 * 1024;

  @TempDir
  static Path dir;

  static S3RequestLog requests;
  static FtpsTestGateway ferry;

  @BeforeAll
  static void start() throws IOException {
    requests = new S3RequestLog(s3.endpoint());
    // The defaults: 8 MiB parts, one PUT up to 16 MiB.
    ferry = new FtpsTestGateway(s3, requests.endpoint(), dir, 8 * MIB, 16 * MIB);
  }

  @AfterAll
  static void stop() {
    if (ferry != null) {
      ferry.close();
    }
    if (requests != null) {
      requests.close();
    }
  }

  @ParameterizedTest(name = "{0} bytes")
  @ValueSource(ints = {MIB, 20 * MIB, 100 * MIB})
  void storThenMfmt_oneObjectWriteAndTheTimeShown(int size) throws IOException {
    byte[] data = FtpsGatewayIT.random(size);
    String name = "one-write-" + size + ".bin";
    FTPSClient client = ferry.login("alice");
    requests.clear();

    assertTrue(client.storeFile(name, new ByteArrayInputStream(data)), client.getReplyString());
    assertEquals(213, client.sendCommand("MFMT 20200102030405 " + name), client.getReplyString());

    List<S3RequestLog.Request> writes = requests.requests("/" + name, S3RequestLog.Request::writesObject);
    assertEquals(1, writes.size(), "object writes for one upload and its MFMT:\n" + S3RequestLog.describe(writes));
    assertEquals(List.of(), requests.requests("/" + name, S3RequestLog.Request::isCopy), "copies");

    assertEquals(213, client.sendCommand("MDTM " + name), client.getReplyString());
    assertEquals("213 20200102030405", client.getReplyString().strip());
    FTPFile listed = Arrays.stream(client.mlistDir("")).filter(f -> f.getName().equals(name)).findFirst().orElseThrow();
    assertEquals(Instant.parse("2020-01-02T03:04:05Z"), listed.getTimestamp().toInstant(), "time in MLSD");
    client.disconnect();

    ObjectFacts facts = TestObjects.recordedFacts(ferry.gateway, ferry.bucket, ferry.key(name));
    assertEquals(S3TestServer.sha256Hex(data), facts.sha256());
    assertEquals(Instant.parse("2020-01-02T03:04:05Z"), facts.clientTime());
    assertArrayEquals(data, s3.read(ferry.bucket, ferry.key(name)));
    assertEquals(List.of(), s3.multipartUploads(ferry.bucket));
  }
}
