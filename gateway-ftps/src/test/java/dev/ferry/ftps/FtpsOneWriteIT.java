package dev.ferry.ftps;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
    // The defaults: 8 MiB parts, one PUT up to 16 MiB. A listing window longer than the test, so
    // what it counts does not depend on how fast this machine is.
    ferry = new FtpsTestGateway(s3, requests.endpoint(), dir, 8 * MIB, 16 * MIB, "127.0.0.1", """
        listings:
          directoryCacheTime: 60s
        """);
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

  /**
   * A user who may not overwrite (a drop box) uploads into a folder seen a moment ago: no listing of
   * the name at the open, S3 refuses the write where the name was taken since (If-None-Match: *),
   * small files and multipart alike, and the other writer's object stays whole.
   */
  @ParameterizedTest(name = "{0} bytes")
  @ValueSource(ints = {MIB, 20 * MIB})
  void storByAUserWhoMayNotOverwrite_isOneConditionalWrite_andRefusedWhereTheNameWasTakenSince(int size)
      throws IOException {
    byte[] data = FtpsGatewayIT.random(size);
    String folder = "drop-" + size;
    FTPSClient writer = ferry.login("writer");
    assertTrue(writer.makeDirectory(folder), writer.getReplyString());
    requests.clear();

    assertTrue(writer.storeFile(folder + "/new.bin", new ByteArrayInputStream(data)), writer.getReplyString());

    List<S3RequestLog.Request> asked = requests.requests().stream()
        .filter(r -> (r.method().equals("GET") || r.method().equals("HEAD")) && (r.path() + r.query()).contains("new.bin"))
        .toList();
    assertEquals(List.of(), asked, "listings or HEADs of the name:\n" + S3RequestLog.describe(asked));
    List<S3RequestLog.Request> writes = requests.requests("/" + folder + "/new.bin", S3RequestLog.Request::writesObject);
    assertEquals(1, writes.size(), S3RequestLog.describe(writes));
    assertEquals("*", writes.get(0).headers().get("if-none-match"), "the write carries the condition");
    assertArrayEquals(data, s3.read(ferry.bucket, ferry.key(folder + "/new.bin")));

    s3.put(ferry.bucket, ferry.key(folder + "/taken.bin"), new byte[] {7});
    assertFalse(writer.storeFile(folder + "/taken.bin", new ByteArrayInputStream(data)),
        "an upload over a file another S3 client wrote since the folder was listed");
    assertEquals(550, writer.getReplyCode(), writer.getReplyString());
    assertArrayEquals(new byte[] {7}, s3.read(ferry.bucket, ferry.key(folder + "/taken.bin")), "their bytes, whole");
    assertEquals(List.of(), s3.multipartUploads(ferry.bucket), "no upload left behind");

    assertFalse(writer.storeFile(folder + "/new.bin", new ByteArrayInputStream(data)),
        "an upload over a file the folder's listing knows is refused at once");
    assertEquals(550, writer.getReplyCode(), writer.getReplyString());
    writer.disconnect();
  }
}
