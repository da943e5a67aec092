package dev.ferry.core.scan;

/** What clamd said of an upload's bytes, or why it said nothing. */
public sealed interface ScanVerdict {

  record Clean() implements ScanVerdict {}

  /** clamd found {@code signature}. */
  record Infected(String signature) implements ScanVerdict {}

  /** No verdict covers the bytes: clamd unreachable, slow, over its stream limit, or bytes it never saw. */
  record Unscanned(String reason) implements ScanVerdict {}
}
