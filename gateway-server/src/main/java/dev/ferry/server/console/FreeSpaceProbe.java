package dev.ferry.server.console;

import dev.ferry.core.admin.AdminResponse;
import dev.ferry.core.thread.DaemonThreads;
import dev.ferry.jobs.admin.AdminCommandRegistry;
import dev.ferry.jobs.admin.AdminCommands;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The {@code df} command for several host roots at once, each given at most {@code patience}: a
 * page that shows free space (the Hosts page, the transfer form's host picker) is not held for the
 * SSH connect timeout of a host that does not answer; that root is shown as unreachable instead.
 * A df still running for a root is joined, not started again, so a page polled or reloaded while a
 * host hangs does not pile up SSH connections to it (the run is audited once, as whoever asked first).
 */
final class FreeSpaceProbe {

  /** One root's answer: the df response, or null when none came within the patience. */
  record Answer(String hostAndRoot, AdminResponse<AdminCommands.Df.Space> df) {}

  private final AdminCommandRegistry commands;
  private final Duration patience;
  private final ExecutorService runner = Executors.newCachedThreadPool(DaemonThreads.named("ferry-console-df"));
  private final Map<String, CompletableFuture<AdminResponse<AdminCommands.Df.Space>>> running = new ConcurrentHashMap<>();

  FreeSpaceProbe(AdminCommandRegistry commands, Duration patience) {
    this.commands = commands;
    this.patience = patience;
  }

  Duration patience() {
    return patience;
  }

  /** {@code hostAndRoots}: "host:/root" each; the answers in the same order, all within one patience. */
  List<Answer> ask(ConsoleSession session, List<String> hostAndRoots) throws InterruptedException {
    Map<String, CompletableFuture<AdminResponse<AdminCommands.Df.Space>>> asked = new LinkedHashMap<>();
    for (String hostAndRoot : hostAndRoots) {
      CompletableFuture<AdminResponse<AdminCommands.Df.Space>> df = running.computeIfAbsent(hostAndRoot,
          key -> CompletableFuture.supplyAsync(() -> Console.run(commands, session, AdminCommands.Df.class,
              List.of(key)), runner));
      // Outside computeIfAbsent: a df already done runs this at once, and the map is not to be
      // changed from inside its own compute. Every asker adds it; removing twice is harmless.
      df.whenComplete((response, error) -> running.remove(hostAndRoot, df));
      asked.put(hostAndRoot, df);
    }
    long deadline = System.nanoTime() + patience.toNanos();
    List<Answer> answers = new ArrayList<>();
    for (Map.Entry<String, CompletableFuture<AdminResponse<AdminCommands.Df.Space>>> df : asked.entrySet()) {
      answers.add(new Answer(df.getKey(), waitFor(df.getValue(), deadline)));
    }
    return answers;
  }

  private static AdminResponse<AdminCommands.Df.Space> waitFor(
      CompletableFuture<AdminResponse<AdminCommands.Df.Space>> df, long deadline)
      throws InterruptedException {
    try {
      return df.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      return null;
    } catch (ExecutionException e) {
      // Console.run answers failures as responses; this is a bug elsewhere, shown as the host's error.
      return AdminResponse.error(dev.ferry.core.admin.AdminStatus.FAILED, "df failed: " + e.getCause());
    }
  }
}
