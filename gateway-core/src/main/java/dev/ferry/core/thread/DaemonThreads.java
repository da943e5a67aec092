package dev.ferry.core.thread;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Threads for Ferry's own executors (timers, retries, worker pools): daemons, so that a pool left
 * running never keeps the JVM from exiting, and named, so that a thread dump says whose they are.
 * The first thread takes the name as it is, later ones {@code name-2}, {@code name-3}, ...
 */
public final class DaemonThreads {

  private DaemonThreads() {}

  public static ThreadFactory named(String name) {
    AtomicInteger count = new AtomicInteger();
    return runnable -> {
      int n = count.incrementAndGet();
      Thread thread = new Thread(runnable, n == 1 ? name : name + "-" + n);
      thread.setDaemon(true);
      return thread;
    };
  }
}
