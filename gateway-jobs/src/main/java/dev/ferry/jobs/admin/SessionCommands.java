package dev.ferry.jobs.admin;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.ferry.core.admin.AdminException;
import dev.ferry.core.admin.AdminResponse;
import dev.ferry.core.admin.AdminStatus;
import dev.ferry.core.event.SessionInfo;
import dev.ferry.core.session.LiveTransfers;
import dev.ferry.core.session.NodeSessions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The client sessions logged in on this node and, when nodes share the store, on the others: sessions, disconnect. */
public final class SessionCommands {

  private SessionCommands() {}

  /**
   * sessions: node, id, protocol, address and user of each, this node's first (oldest login first),
   * and the files each has open now (direction, path, bytes so far), from core's one record of open
   * files; the other live nodes' as they last published them.
   */
  public static final class ListSessions extends AdminCommand<List<SessionView>> {
    private final ClientSessions sessions;

    ListSessions(ClientSessions sessions) {
      super(Syntax.reads("sessions", "sessions", 0));
      this.sessions = sessions;
    }

    @Override
    public AdminResponse<List<SessionView>> run(AdminRequest request) throws Exception {
      List<LiveTransfers.Transfer> open = sessions.transfers().now();
      List<SessionView> views = new ArrayList<>();
      for (SessionInfo s : sessions.slots().loggedIn()) {
        views.add(SessionView.of(sessions.node(), s, open.stream().filter(t -> s.id().equals(t.session())).toList()));
      }
      if (sessions.others() != null) {
        for (NodeSessions.Published p : sessions.others().others()) {
          views.add(SessionView.of(p.node(), p.session(), p.transfers()));
        }
      }
      StringBuilder text = new StringBuilder(views.isEmpty() ? "no sessions\n" : "");
      for (SessionView s : views) {
        text.append(s.node()).append("  ").append(s.id()).append("  ").append(s.protocol()).append("  ")
            .append(s.user()).append("  ").append(s.address()).append('\n');
        s.transfers().forEach(t -> text.append("    ").append(t.text()).append('\n'));
      }
      return AdminResponse.ok(text.toString(), views);
    }
  }

  /**
   * disconnect ID: the session is closed as at its login deadline; an upload it has open is aborted.
   * A session of another live node (nodes sharing the store) is closed by that node, which takes
   * the request within a second; the answer names it.
   */
  public static final class Disconnect extends AdminCommand<Disconnect.Outcome> {

    /**
     * The session, its node, and whether it was closed here; {@code requested} (else null, and left
     * out of the JSON) when its node was asked to close it.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Outcome(String id, String node, boolean disconnected, Boolean requested) {}

    private final ClientSessions sessions;

    Disconnect(ClientSessions sessions) {
      super(Syntax.changes("disconnect", "disconnect <session id>", 1));
      this.sessions = sessions;
    }

    @Override
    public AdminResponse<Outcome> run(AdminRequest request) throws Exception {
      String id = request.args().positional(0);
      String by = request.caller().name();
      if (sessions.slots().disconnect(id, "disconnected by administrator " + by)) {
        return AdminResponse.ok(id + " disconnected\n", new Outcome(id, sessions.node(), true, null));
      }
      Optional<String> owner = sessions.others() == null ? Optional.empty()
          : sessions.others().requestDisconnect(id, by);
      if (owner.isEmpty()) {
        throw new AdminException(AdminStatus.NOT_FOUND, "no session '" + id + "' logged in on "
            + (sessions.others() == null ? "this node" : "any live node"));
      }
      return AdminResponse.ok(id + " is on node " + owner.get() + ", which was asked to disconnect it (within a "
          + "second)\n", new Outcome(id, owner.get(), false, true));
    }
  }
}
