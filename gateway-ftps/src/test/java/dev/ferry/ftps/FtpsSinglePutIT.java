package dev.ferry.ftps;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.testing.Await;
import dev.ferry.core.testing.S3TestServer;
import dev.ferry.core.testing.TestObjects;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import org.apache.commons.net.ftp.FTPSClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Files between one part and the single-PUT limit: one PUT, not a multipart upload. */
class FtpsSinglePutIT {

  @RegisterExtension
  static final S3TestServer s3 = new S3TestServer();

  private static final int PART = 5 * 1024 * 1024;
  private static final int SINGLE_PUT_LIMIT = 12 * 1024 * 1024;

  @TempDir
  static Path dir;

  private static FtpsTestGateway ferry;

  @BeforeAll
  static void start() throws IOException {
    ferry = new FtpsTestGateway(s3, dir, PART, SINGLE_PUT_LIMIT);
  }

  @AfterAll
  static void stop() {
    ferry.close();
  }

  @Test
  void stor_belowTheLimit_isOnePutWithItsSha256() throws IOException {
    byte[] data = FtpsGatewayIT.random(SINGLE_PUT_LIMIT - 1);

    boolean multipartWhileOpen = store("one-put.bin", data, 2 * PART);

    assertFalse(multipartWhileOpen, "a multipart upload was started for a file within the single-PUT limit");
    assertArrayEquals(data, s3.read(ferry.bucket, ferry.key("one-put.bin")));
    assertEquals(S3TestServer.sha256Hex(data),
        TestObjects.recordedFacts(ferry.gateway, ferry.bucket, ferry.key("one-put.bin")).sha256());
  }

  @Test
  void stor_aboveTheLimit_isMultipartWithAGrownFirstPart() throws IOException {
    // More than one 256 KiB read past the limit: Ferry reads the data connection 256 KiB at a
    // time, and the grown first part goes to S3 when the bytes past the limit arrive.
    byte[] data = FtpsGatewayIT.random(SINGLE_PUT_LIMIT + 300 * 1024);

    boolean multipartWhileOpen = store("multipart.bin", data, SINGLE_PUT_LIMIT + 1);

    assertTrue(multipartWhileOpen, "no multipart upload for a file above the single-PUT limit");
    assertArrayEquals(data, s3.read(ferry.bucket, ferry.key("multipart.bin")));
    assertEquals(S3TestServer.sha256Hex(data),
        TestObjects.recordedFacts(ferry.gateway, ferry.bucket, ferry.key("multipart.bin")).sha256());
    assertTrue(s3.multipartUploads(ferry.bucket).isEmpty());
  }

  /**
   * Uploads {@code data} and returns whether a multipart upload existed once Ferry had received
   * {@code received} bytes, before the client ended the transfer.
   */
  private static boolean store(String name, byte[] data, long received) throws IOException {
    FTPSClient client = ferry.login("alice");
    OutputStream out = client.storeFileStream(name);
    assertNotNull(out, client.getReplyString());
    out.write(data);
    out.flush();
    Await.until(() -> ferry.gateway.uploads().openUploads().stream()
        .anyMatch(u -> u.size() >= received), "Ferry to receive " + received + " bytes of " + name);
    boolean multipart = !s3.multipartUploads(ferry.bucket).isEmpty();
    out.close();
    assertTrue(client.completePendingCommand(), client.getReplyString());
    client.disconnect();
    return multipart;
  }
}
