package dev.ferry.core.scan;

import java.util.Optional;

/** The node's malware scanning of uploads ({@code scan:}): which uploads stream to clamd. */
public final class ContentScanner {

  /** No {@code scan:} section: nothing is scanned. */
  public static final ContentScanner NONE = new ContentScanner(null);

  private final ScanSettings settings;

  public ContentScanner(ScanSettings settings) {
    this.settings = settings;
  }

  /**
   * A scan of an object already stored (a workflow's scan step), whatever the match says; empty
   * when there is no {@code scan:} section.
   */
  public Optional<UploadScan> forStoredObject() {
    return settings != null ? Optional.of(new UploadScan(settings)) : Optional.empty();
  }

  /** Whether a {@code scan:} section names a clamd. */
  public boolean configured() {
    return settings != null;
  }

  /** A scan for {@code subject}'s upload, connected to clamd, if the match takes it. */
  public Optional<UploadScan> begin(ScanSubject subject) {
    return settings != null && settings.matches(subject) ? Optional.of(new UploadScan(settings)) : Optional.empty();
  }
}
