package dev.ferry.ftps.command;

import java.time.Duration;

/**
 * Counts Ferry's FTP commands that are running, so a graceful shutdown can let a transfer that
 * just committed send its 226 before the connections close.
 */
public final class CommandsInFlight {

  private int running;

  synchronized void started() {
    running++;
  }

  synchronized void finished() {
    running--;
    notifyAll();
  }

  /** Waits until no command runs or {@code timeout} passes; true when none runs. */
  public synchronized boolean awaitNone(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (running > 0) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      try {
        wait(Math.max(1, left / 1_000_000));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return true;
  }
}
