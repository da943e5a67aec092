package dev.ferry.core.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * Waits in tests for a condition that has no event to wait on (an object appearing in S3, a job
 * state read over HTTP, a port opening): polls it until it holds or a deadline passes, and then
 * fails naming what it waited for. The one place tests poll.
 */
public final class Await {

  private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
  private static final long POLL_MILLIS = 20;

  private Await() {}

  public static void until(BooleanSupplier condition, String what) {
    until(condition, DEFAULT_TIMEOUT, what);
  }

  public static void until(BooleanSupplier condition, Duration timeout, String what) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        printThreads(what);
        throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for " + what);
      }
      try {
        Thread.sleep(POLL_MILLIS); // the condition has no event to wait on; the deadline bounds the poll
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted waiting for " + what);
      }
    }
  }

  /**
   * Every thread's stack, to the test's output: a wait that times out on a busy CI machine is
   * otherwise hard to tell from a server thread that is stuck (in-process servers show here).
   */
  private static void printThreads(String what) {
    StringBuilder dump = new StringBuilder("Await timed out waiting for " + what + "; threads:\n");
    Thread.getAllStackTraces().forEach((thread, stack) -> {
      dump.append('"').append(thread.getName()).append("\" ").append(thread.getState()).append('\n');
      for (StackTraceElement frame : stack) {
        dump.append("    at ").append(frame).append('\n');
      }
    });
    System.out.println(dump);
  }
}
