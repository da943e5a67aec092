package dev.ferry.server.console;

import dev.ferry.core.admin.AdminConsole;
import dev.ferry.core.admin.AdminResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The configured remotes (the {@code hosts} command) and, for each root, whether the host answers
 * and how much space is free there (the {@code df} command, one SSH session each, asked all at once
 * and for a bounded time by {@link FreeSpaceProbe}): the Hosts page, and the transfer form's host
 * picker.
 */
final class HostsPage {

  private final AdminConsole commands;
  private final FreeSpaceProbe probe;

  HostsPage(AdminConsole commands, FreeSpaceProbe probe) {
    this.commands = commands;
    this.probe = probe;
  }

  FullHttpResponse render(ConsoleSession session) throws InterruptedException {
    AdminResponse response = Console.run(commands, session, "hosts", List.of());
    if (!response.ok()) {
      return ConsoleRoutes.refused(session, "Hosts", response);
    }
    return ConsoleReplies.html(HttpResponseStatus.OK, ConsolePages.hosts(session, views(session, response)));
  }

  /** Each host for the transfer form's picker, with its free space; none when the hosts are not known. */
  List<ConsolePages.HostView> choices(ConsoleSession session) throws InterruptedException {
    AdminResponse response = Console.run(commands, session, "hosts", List.of());
    return response.ok() ? views(session, response) : List.of();
  }

  private List<ConsolePages.HostView> views(ConsoleSession session, AdminResponse hostsResponse)
      throws InterruptedException {
    List<Map<?, ?>> hosts = new ArrayList<>();
    List<String> roots = new ArrayList<>();
    for (Object item : (List<?>) hostsResponse.data()) {
      Map<?, ?> host = (Map<?, ?>) item;
      hosts.add(host);
      ((List<?>) host.get("roots")).forEach(root -> roots.add(host.get("name") + ":" + root));
    }
    List<FreeSpaceProbe.Answer> answers = probe.ask(session, roots);
    List<ConsolePages.HostView> views = new ArrayList<>();
    int next = 0;
    for (Map<?, ?> host : hosts) {
      List<ConsolePages.RootSpace> spaces = new ArrayList<>();
      for (Object root : (List<?>) host.get("roots")) {
        spaces.add(space(String.valueOf(root), answers.get(next++).df()));
      }
      Object hostKey = host.get("hostKey");
      views.add(new ConsolePages.HostView(String.valueOf(host.get("name")), host.get("user") + "@"
          + host.get("address") + ":" + host.get("port"), hostKey == null ? "" : String.valueOf(hostKey), spaces));
    }
    return views;
  }

  private ConsolePages.RootSpace space(String root, AdminResponse df) {
    if (df == null) {
      return new ConsolePages.RootSpace(root, null, "unreachable (no answer within " + probe.patience().toSeconds()
          + " s)");
    }
    return df.ok() ? new ConsolePages.RootSpace(root, free((Map<?, ?>) df.data()), null)
        : new ConsolePages.RootSpace(root, null, df.text().strip());
  }

  private static String free(Map<?, ?> df) {
    long available = ((Number) df.get("availableBytes")).longValue();
    long total = ((Number) df.get("totalBytes")).longValue();
    return JobProgress.size(available) + " free of " + JobProgress.size(total) + " ("
        + String.format(Locale.ROOT, "%.1f", ((Number) df.get("percentFree")).doubleValue()) + "%)";
  }
}
