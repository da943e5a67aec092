package dev.ferry.core.session;

import dev.ferry.core.thread.DaemonThreads;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Runs what must happen when a client did not do something in time (log in, open the data
 * connection it asked for). One thread for the whole process: each task only closes a connection
 * or a socket, which does not block.
 */
public final class Deadlines implements AutoCloseable {

  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
      DaemonThreads.named("ferry-deadlines"));

  /** Runs {@code expired} after {@code delay} unless the returned future is cancelled first. */
  public Future<?> after(Duration delay, Runnable expired) {
    return timer.schedule(expired, delay.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Runs {@code task} every {@code period} until closed; {@code task} must be quick and must not throw. */
  public Future<?> every(Duration period, Runnable task) {
    return timer.scheduleAtFixedRate(task, period.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
