package dev.ferry.core.scan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.testing.ClamdTestServer;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * One upload's scan against a real clamd (Debian's, with a signature database made by the test):
 * clean bytes pass, a signature found anywhere in the stream (also across two writes) refuses the
 * upload with its name, over scan.maxSize or over clamd's own stream limit or with clamd
 * unreachable the upload is unscanned and onUnavailable decides, and a restart forgets what was
 * streamed before it. Over the unix socket and over TCP.
 */
class UploadScanIT {

  @RegisterExtension
  static final ClamdTestServer clamd = new ClamdTestServer();

  private static ScanSettings settings(SocketAddress address, long maxSize, boolean refuse) {
    return new ScanSettings(address, address.toString(), null, Set.of(), Set.of("client"), maxSize, refuse,
        Duration.ofSeconds(10));
  }

  private static ScanSettings unix(long maxSize, boolean refuse) {
    return settings(UnixDomainSocketAddress.of(clamd.socket()), maxSize, refuse);
  }

  private static byte[] random(int size, long seed) {
    byte[] bytes = new byte[size];
    new Random(seed).nextBytes(bytes);
    return bytes;
  }

  @Test
  void cleanBytes_pass_overUnixSocketAndTcp() throws Exception {
    byte[] clean = random(3 << 20, 1);
    try (UploadScan scan = new UploadScan(unix(100 << 20, true))) {
      scan.feed(clean, 0, clean.length);
      scan.requireClean("upload of /clean.bin by alice");
    }
    String tcp = clamd.tcpAddress();
    int port = Integer.parseInt(tcp.substring(tcp.lastIndexOf(':') + 1));
    try (UploadScan scan = new UploadScan(settings(new InetSocketAddress("127.0.0.1", port), 100 << 20, true))) {
      scan.feed(clean, 0, clean.length);
      scan.requireClean("upload of /clean.bin by alice");
    }
  }

  @Test
  void signatureSplitAcrossTwoWrites_refusedWithItsName() throws Exception {
    byte[] file = random(2 << 20, 2);
    byte[] marker = ClamdTestServer.MARKER.getBytes(StandardCharsets.US_ASCII);
    int at = (1 << 20) - 7; // the marker straddles the two writes below
    System.arraycopy(marker, 0, file, at, marker.length);
    try (UploadScan scan = new UploadScan(unix(100 << 20, true))) {
      scan.feed(file, 0, 1 << 20);
      scan.feed(file, 1 << 20, file.length - (1 << 20));
      ContentRefusedException refused = assertThrows(ContentRefusedException.class,
          () -> scan.requireClean("upload of /marked.bin by alice"));
      assertEquals(ClamdTestServer.MARKER_SIGNATURE, refused.signature());
      assertEquals("upload of /marked.bin by alice: refused, malware found: " + ClamdTestServer.MARKER_SIGNATURE,
          refused.getMessage());
    }
  }

  @Test
  void eicar_refused_andARestartForgetsIt() throws Exception {
    byte[] eicar = ClamdTestServer.EICAR.getBytes(StandardCharsets.US_ASCII);
    try (UploadScan scan = new UploadScan(unix(100 << 20, true))) {
      scan.feed(eicar, 0, eicar.length);
      assertEquals(ClamdTestServer.EICAR_SIGNATURE,
          assertThrows(ContentRefusedException.class, () -> scan.requireClean("upload")).signature());
    }
    try (UploadScan scan = new UploadScan(unix(100 << 20, true))) {
      scan.feed(eicar, 0, eicar.length);
      scan.restart(); // the client rewrote the file: what it sends now is what counts
      byte[] clean = random(1000, 3);
      scan.feed(clean, 0, clean.length);
      scan.requireClean("upload");
    }
  }

  @Test
  void overMaxSize_orOverClamdsLimit_orBytesNotSeen_unscanned_refuseOrAcceptAsConfigured() throws Exception {
    byte[] file = random(2 << 20, 4);
    try (UploadScan scan = new UploadScan(unix(1 << 20, true))) {
      scan.feed(file, 0, file.length);
      ContentRefusedException refused = assertThrows(ContentRefusedException.class, () -> scan.requireClean("upload"));
      assertTrue(refused.getMessage().contains("larger than scan.maxSize (1048576 bytes)"), refused.getMessage());
      assertTrue(!refused.transientFailure(), "a file over maxSize is never scanned: not worth another try");
    }
    try (UploadScan scan = new UploadScan(unix(1 << 20, false))) {
      scan.feed(file, 0, file.length);
      scan.requireClean("upload"); // accept: a WARN line, and the upload goes on
    }
    byte[] big = new byte[4 << 20];
    try (UploadScan scan = new UploadScan(unix(Long.MAX_VALUE, true))) {
      for (long sent = 0; sent <= ClamdTestServer.STREAM_MAX_BYTES; sent += big.length) {
        scan.feed(big, 0, big.length);
      }
      ContentRefusedException refused = assertThrows(ContentRefusedException.class, () -> scan.requireClean("upload"));
      assertTrue(refused.getMessage().contains("size limit exceeded"), refused.getMessage());
      assertTrue(!refused.transientFailure(), "over clamd's own limit: not worth another try");
    }
    try (UploadScan scan = new UploadScan(unix(100 << 20, true))) {
      scan.notSeen("the first 6 MiB");
      scan.feed(file, 0, 100);
      ContentRefusedException refused = assertThrows(ContentRefusedException.class, () -> scan.requireClean("upload"));
      assertTrue(refused.getMessage().contains("the first 6 MiB were copied inside S3 and not scanned"),
          refused.getMessage());
    }
  }

  @Test
  void clamdUnreachable_unscanned_namesTheAddress() throws Exception {
    ScanSettings nowhere = settings(UnixDomainSocketAddress.of(clamd.socket().resolveSibling("absent.sock")),
        100 << 20, true);
    try (UploadScan scan = new UploadScan(nowhere)) {
      scan.feed(new byte[10], 0, 10);
      ContentRefusedException refused = assertThrows(ContentRefusedException.class, () -> scan.requireClean("upload"));
      assertTrue(refused.getMessage().contains("could not be reached") && refused.getMessage().contains("absent.sock"),
          refused.getMessage());
      assertEquals(null, refused.signature());
      assertTrue(refused.transientFailure(), "clamd may be back for the next try");
    }
  }
}
