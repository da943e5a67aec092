package dev.ferry.server.console;

import dev.ferry.core.admin.AdminResponse;
import dev.ferry.jobs.admin.AdminCommandRegistry;
import dev.ferry.jobs.admin.AdminCommands.Hosts.Remote;
import dev.ferry.jobs.admin.AdminCommands;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The configured remotes (the {@code hosts} command) and, for each root, whether the host answers
 * and how much space is free there (the {@code df} command, one SSH session each, asked all at once
 * and for a bounded time by {@link FreeSpaceProbe}): the Hosts page, and the transfer form's host
 * picker.
 */
final class HostsPage {

  private final AdminCommandRegistry commands;
  private final FreeSpaceProbe probe;

  HostsPage(AdminCommandRegistry commands, FreeSpaceProbe probe) {
    this.commands = commands;
    this.probe = probe;
  }

  FullHttpResponse render(ConsoleSession session) throws InterruptedException {
    AdminResponse<List<Remote>> response = Console.run(commands, session, AdminCommands.Hosts.class, List.of());
    if (!response.ok()) {
      return ConsoleRoutes.refused(session, "Hosts", response);
    }
    return ConsoleReplies.html(HttpResponseStatus.OK, ConsolePages.hosts(session, views(session, response.data())));
  }

  /** Each host for the transfer form's picker, with its free space; none when the hosts are not known. */
  List<ConsolePages.HostView> choices(ConsoleSession session) throws InterruptedException {
    AdminResponse<List<Remote>> response = Console.run(commands, session, AdminCommands.Hosts.class, List.of());
    return response.ok() ? views(session, response.data()) : List.of();
  }

  private List<ConsolePages.HostView> views(ConsoleSession session, List<Remote> hosts) throws InterruptedException {
    List<String> roots = new ArrayList<>();
    hosts.forEach(host -> host.roots().forEach(root -> roots.add(host.name() + ":" + root)));
    List<FreeSpaceProbe.Answer> answers = probe.ask(session, roots);
    List<ConsolePages.HostView> views = new ArrayList<>();
    int next = 0;
    for (Remote host : hosts) {
      List<ConsolePages.RootSpace> spaces = new ArrayList<>();
      for (String root : host.roots()) {
        spaces.add(space(root, answers.get(next++).df()));
      }
      views.add(new ConsolePages.HostView(host.name(), host.user() + "@" + host.address() + ":" + host.port(),
          host.hostKey() == null ? "" : host.hostKey(), spaces));
    }
    return views;
  }

  private ConsolePages.RootSpace space(String root, AdminResponse<AdminCommands.Df.Space> df) {
    if (df == null) {
      return new ConsolePages.RootSpace(root, null, "unreachable (no answer within " + probe.patience().toSeconds()
          + " s)");
    }
    return df.ok() ? new ConsolePages.RootSpace(root, free(df.data()), null)
        : new ConsolePages.RootSpace(root, null, df.text().strip());
  }

  private static String free(AdminCommands.Df.Space df) {
    return JobProgress.size(df.availableBytes()) + " free of " + JobProgress.size(df.totalBytes()) + " ("
        + String.format(Locale.ROOT, "%.1f", df.percentFree()) + "%)";
  }
}
