package dev.ferry.server.console;

import dev.ferry.core.admin.AdminConsole;
import dev.ferry.core.admin.AdminResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The configured remotes (the {@code hosts} command) and, for each root, whether the host answers
 * and how much space is free there (the {@code df} command, one SSH session each).
 */
final class HostsPage {

  private HostsPage() {}

  static FullHttpResponse render(AdminConsole commands, ConsoleSession session) {
    AdminResponse response = Console.run(commands, session, "hosts", List.of());
    if (!response.ok()) {
      return ConsoleRoutes.refused(session, "Hosts", response);
    }
    List<ConsolePages.HostView> views = new ArrayList<>();
    for (Map<?, ?> host : hosts(response)) {
      String name = String.valueOf(host.get("name"));
      List<ConsolePages.RootSpace> roots = new ArrayList<>();
      for (Object root : (List<?>) host.get("roots")) {
        AdminResponse df = Console.run(commands, session, "df", List.of(name + ":" + root));
        roots.add(df.ok() ? new ConsolePages.RootSpace(String.valueOf(root), free((Map<?, ?>) df.data()), null)
            : new ConsolePages.RootSpace(String.valueOf(root), null, df.text()));
      }
      Object hostKey = host.get("hostKey");
      views.add(new ConsolePages.HostView(name, host.get("user") + "@" + host.get("address") + ":" + host.get("port"),
          hostKey == null ? "" : String.valueOf(hostKey), roots));
    }
    return ConsoleReplies.html(HttpResponseStatus.OK, ConsolePages.hosts(session, views));
  }

  /** The names for the transfer form's host picker. */
  static List<String> names(AdminConsole commands, ConsoleSession session) {
    AdminResponse response = Console.run(commands, session, "hosts", List.of());
    return response.ok() ? hosts(response).stream().map(h -> String.valueOf(h.get("name"))).toList() : List.of();
  }

  private static List<Map<?, ?>> hosts(AdminResponse response) {
    List<Map<?, ?>> hosts = new ArrayList<>();
    for (Object item : (List<?>) response.data()) {
      hosts.add((Map<?, ?>) item);
    }
    return hosts;
  }

  private static String free(Map<?, ?> df) {
    long available = ((Number) df.get("availableBytes")).longValue();
    long total = ((Number) df.get("totalBytes")).longValue();
    return JobProgress.size(available) + " free of " + JobProgress.size(total) + " ("
        + String.format(java.util.Locale.ROOT, "%.1f", ((Number) df.get("percentFree")).doubleValue()) + "%)";
  }
}
