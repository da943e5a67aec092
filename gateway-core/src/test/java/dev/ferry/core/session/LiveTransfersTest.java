package dev.ferry.core.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.event.SessionInfo;
import dev.ferry.core.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LiveTransfersTest {

  private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
  private final LiveTransfers transfers = new LiveTransfers(clock);
  private final SessionInfo sftp = new SessionInfo("sftp-1", "SFTP", "10.0.0.1", "bob");

  /** A file whose bytes the test moves, as an upload's size or a read's bytes sent move. */
  private static final class File implements LiveTransfers.Counted {
    long bytes;
    boolean open = true;
    String abortedBecause;

    File(long bytes) {
      this.bytes = bytes;
    }

    @Override
    public long bytes() {
      return bytes;
    }

    @Override
    public boolean isOpen() {
      return open;
    }

    @Override
    public void abort(String reason) {
      abortedBecause = reason;
      open = false;
    }
  }

  @Test
  void now_openFiles_listedWithSessionPathAndBytesSoFar() {
    File upload = new File(0);
    transfers.opened(this, upload, upload, sftp, "bob", "/in/a.bin", LiveTransfers.Direction.UPLOAD);
    upload.bytes = 1000;

    List<LiveTransfers.Transfer> now = transfers.now();

    assertEquals(List.of(new LiveTransfers.Transfer("sftp-1", "SFTP", "bob", "/in/a.bin",
        LiveTransfers.Direction.UPLOAD, 1000, clock.instant())), now);
  }

  @Test
  void totals_fileEnds_itsBytesStayCountedAndItLeavesTheList() {
    File upload = new File(0);
    transfers.opened(this, upload, upload, sftp, "bob", "/a", LiveTransfers.Direction.UPLOAD);
    upload.bytes = 700;
    assertEquals(Map.of("SFTP UPLOAD", 700L), transfers.totals());

    upload.open = false;

    assertEquals(Map.of("SFTP UPLOAD", 700L), transfers.totals());
    assertTrue(transfers.now().isEmpty());
  }

  @Test
  void totals_resumedUpload_keptBytesAreNotThroughput() {
    File resumed = new File(5000); // the part already in S3 before the resume
    transfers.opened(this, resumed, resumed, sftp, "bob", "/a", LiveTransfers.Direction.UPLOAD);
    resumed.bytes = 5300;

    assertEquals(Map.of("SFTP UPLOAD", 300L), transfers.totals());
    assertEquals(5300, transfers.now().get(0).bytes());
  }

  @Test
  void abortAll_ownersFilesAborted_othersKept() {
    Object mine = new Object();
    Object other = new Object();
    File a = new File(0);
    File b = new File(0);
    transfers.opened(mine, a, a, sftp, "bob", "/a", LiveTransfers.Direction.UPLOAD);
    transfers.opened(other, b, b, sftp, "bob", "/b", LiveTransfers.Direction.DOWNLOAD);

    transfers.abortAll(mine, "session closed");

    assertEquals("session closed", a.abortedBecause);
    assertNull(b.abortedBecause);
    assertEquals(List.of("/b"), transfers.now().stream().map(LiveTransfers.Transfer::path).toList());
  }

  @Test
  void writing_ownersOpenUploadAtPath_foundOnlyWhileOpen() {
    File a = new File(0);
    transfers.opened(this, a, a, sftp, "bob", "/a", LiveTransfers.Direction.UPLOAD);

    assertSame(a, transfers.writing(this, "/a", File.class));
    assertNull(transfers.writing(new Object(), "/a", File.class));
    a.open = false;
    assertNull(transfers.writing(this, "/a", File.class));
  }

  @Test
  void perSecond_bytesOverTheWindow_rateOfTheDifference() {
    TransferRates rates = new TransferRates(transfers, clock, Duration.ofSeconds(5));
    File upload = new File(0);
    transfers.opened(this, upload, upload, sftp, "bob", "/a", LiveTransfers.Direction.UPLOAD);
    rates.sample();
    assertTrue(rates.perSecond().isEmpty(), "one reading is no rate");
    for (int second = 1; second <= 8; second++) {
      clock.advance(Duration.ofSeconds(1));
      upload.bytes += second <= 4 ? 1000 : 3000;
      rates.sample();
    }
    // The last 5 s: seconds 4..8 moved 1000 + 4 x 3000 over the readings at 3 and 8.
    assertEquals(Map.of("SFTP UPLOAD", 2600L), rates.perSecond());

    upload.open = false; // ended: its bytes stay in the totals, the rate falls to nothing
    for (int second = 0; second < 6; second++) {
      clock.advance(Duration.ofSeconds(1));
      rates.sample();
    }
    assertEquals(Map.of("SFTP UPLOAD", 0L), rates.perSecond());
  }
}
