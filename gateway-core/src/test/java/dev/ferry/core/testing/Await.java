package dev.ferry.core.testing;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.time.Duration;
import java.util.Arrays;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.regex.Pattern;

/**
 * Waits in tests for a condition that has no event to wait on (an object appearing in S3, a job
 * state read over HTTP, a port opening): polls it until it holds or a deadline passes, and then
 * fails naming what it waited for. The one place tests poll.
 */
public final class Await {

  private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
  private static final long POLL_MILLIS = 20;
  private static final int FRAMES = 15;
  /** JUnit's and reflection's frames, the same under every test. */
  private static final Pattern RUNNER_FRAMES =
      Pattern.compile("org\\.junit\\.|org\\.apache\\.maven\\.surefire\\.|jdk\\.internal\\.reflect\\.|java\\.lang\\.reflect\\.");
  /** Frames of a thread waiting for work: a pool's queue, a selector, a timer, the test runner's input. */
  private static final Set<String> IDLE_FRAMES = Set.of(
      "java.util.concurrent.ThreadPoolExecutor.getTask",
      "java.util.concurrent.ForkJoinPool.awaitWork",
      "sun.nio.ch.EPoll.wait",
      "io.netty.channel.epoll.Native.epollWait",
      "java.lang.ref.Reference.waitForReferencePendingList",
      "java.lang.ref.ReferenceQueue.remove",
      "java.util.TimerThread.mainLoop",
      "org.apache.mina.filter.executor.OrderedThreadPoolExecutor$Worker.fetchSession",
      "java.lang.ProcessHandleImpl.waitForProcessExit0",
      "org.apache.maven.surefire.booter.CommandReader$CommandRunnable.run");

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
   * Every busy thread's stack, to the test's output: a wait that times out on a busy CI machine is
   * otherwise hard to tell from a server thread that is stuck (in-process servers show here). Threads
   * idle in a pool or a selector are counted, not shown; the test runner's frames are left out and
   * each stack is cut at {@value #FRAMES} frames, so that the end of a CI log, which is all CI shows,
   * holds the threads that matter.
   */
  public static void printThreads(String what) {
    StringBuilder dump = new StringBuilder("Timed out waiting for " + what + "; busy threads:\n");
    int idle = 0;
    for (ThreadInfo thread : ManagementFactory.getThreadMXBean().dumpAllThreads(true, true)) {
      StackTraceElement[] stack = thread.getStackTrace();
      if (isIdle(stack)) {
        idle++;
        continue;
      }
      dump.append('"').append(thread.getThreadName()).append("\" ").append(thread.getThreadState());
      if (thread.getLockName() != null) {
        dump.append(" on ").append(thread.getLockName());
        if (thread.getLockOwnerName() != null) {
          dump.append(" held by \"").append(thread.getLockOwnerName()).append('"');
        }
      }
      dump.append('\n');
      Arrays.stream(stack).filter(frame -> !RUNNER_FRAMES.matcher(frame.getClassName()).lookingAt()).limit(FRAMES)
          .forEach(frame -> dump.append("    at ").append(frame).append('\n'));
    }
    System.out.println(dump.append(idle).append(" idle threads not shown"));
  }

  private static boolean isIdle(StackTraceElement[] stack) {
    if (stack.length == 0) {
      return true; // the JVM's own service threads
    }
    for (StackTraceElement frame : stack) {
      String at = frame.getClassName() + "." + frame.getMethodName();
      if (IDLE_FRAMES.contains(at)) {
        return true;
      }
    }
    return false;
  }
}
