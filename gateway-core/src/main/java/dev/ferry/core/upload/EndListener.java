package dev.ferry.core.upload;

import java.util.function.Consumer;

/** The listener of a file write's end, called once at most. Guarded by the upload that holds it. */
final class EndListener {

  private Consumer<UploadOutcome> listener;

  void set(Consumer<UploadOutcome> listener) {
    this.listener = listener;
  }

  void ended(UploadOutcome outcome) {
    Consumer<UploadOutcome> once = listener;
    listener = null;
    if (once != null) {
      once.accept(outcome);
    }
  }
}
