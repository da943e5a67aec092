package dev.ferry.core.scan;

/** What clamd said of an upload's bytes, or why it said nothing. */
public sealed interface ScanVerdict {

  record Clean() implements ScanVerdict {}

  /** clamd found {@code signature}. */
  record Infected(String signature) implements ScanVerdict {}

  /**
   * No verdict covers the bytes: clamd unreachable or slow ({@code transientFailure}: it may give
   * one later), or the file over a size limit, or bytes it never saw (it never will).
   */
  record Unscanned(String reason, boolean transientFailure) implements ScanVerdict {}
}
