package dev.ferry.core.scan;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One upload's scan (or a stored object's, for a workflow's scan step): its bytes stream to clamd as they stream to S3 (in the order of the file, as
 * the upload hashes them), and before the upload commits {@link #requireClean} waits for the
 * verdict. An upload sent again from the start (an SFTP client rewrote bytes it had sent) starts a
 * new stream. Bytes the scan never saw (a prefix S3 copied for a resume), more than
 * {@code scan.maxSize}, or a clamd that fails, leave the upload unscanned, and
 * {@code scan.onUnavailable} decides: refuse, or accept with a WARN line.
 */
public final class UploadScan implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(UploadScan.class);

  private final ScanSettings settings;
  private ClamdStream stream;
  private long streamed;

  UploadScan(ScanSettings settings) {
    this.settings = settings;
    this.stream = ClamdStream.open(settings.clamd(), settings.timeout());
  }

  /** The next {@code length} bytes of the file. */
  public void feed(byte[] bytes, int offset, int length) {
    streamed += length;
    if (streamed > settings.maxSize()) {
      stream.fail("larger than scan.maxSize (" + settings.maxSize() + " bytes)", false);
      return;
    }
    stream.feed(bytes, offset, length);
  }

  /** Bytes of the file went to S3 without passing here (copied inside S3): no verdict can cover them. */
  public void notSeen(String what) {
    stream.fail(what + " were copied inside S3 and not scanned", false);
  }

  /** The file is being sent again from its first byte: a new stream. */
  public void restart() {
    stream.close();
    streamed = 0;
    stream = ClamdStream.open(settings.clamd(), settings.timeout());
  }

  /**
   * Waits for clamd's verdict; returns when the upload may commit. Throws when clamd found malware,
   * or when no verdict covers the bytes and {@code scan.onUnavailable} is refuse.
   */
  public void requireClean(String description) throws ContentRefusedException {
    ScanVerdict verdict = stream.verdict();
    stream.close();
    if (verdict instanceof ScanVerdict.Infected infected) {
      throw ContentRefusedException.infected(description, infected.signature());
    }
    if (verdict instanceof ScanVerdict.Unscanned unscanned) {
      if (settings.refuseUnscanned()) {
        throw ContentRefusedException.unscanned(description, unscanned.reason(), unscanned.transientFailure());
      }
      log.warn("{}: accepted without a scan ({}; scan.onUnavailable is accept)", description, unscanned.reason());
    }
  }

  @Override
  public void close() {
    stream.close();
  }
}
