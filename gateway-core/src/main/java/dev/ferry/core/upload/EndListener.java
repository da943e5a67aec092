package dev.ferry.core.upload;

import java.util.function.Consumer;

/**
 * The listeners of a file write's end, called once at most, in the order they were added (the
 * quota's share is settled before the end is published). Guarded by the upload that holds it.
 */
final class EndListener {

  private Consumer<UploadOutcome> listener;

  void add(Consumer<UploadOutcome> more) {
    listener = listener == null ? more : listener.andThen(more);
  }

  void ended(UploadOutcome outcome) {
    Consumer<UploadOutcome> once = listener;
    listener = null;
    if (once != null) {
      once.accept(outcome);
    }
  }
}
