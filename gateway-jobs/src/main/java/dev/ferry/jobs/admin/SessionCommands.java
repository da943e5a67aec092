package dev.ferry.jobs.admin;

import dev.ferry.core.admin.AdminException;
import dev.ferry.core.admin.AdminResponse;
import dev.ferry.core.admin.AdminStatus;
import dev.ferry.core.event.SessionInfo;
import dev.ferry.core.session.SessionSlots;
import java.util.List;
import java.util.stream.Collectors;

/** The client sessions logged in on this node: sessions, disconnect. */
final class SessionCommands {

  private SessionCommands() {}

  /** sessions: id, protocol, address and user of each, oldest login first. */
  static final class ListSessions implements AdminCommand {
    private static final Syntax SYNTAX = Syntax.of("sessions", "sessions", 0);
    private final SessionSlots slots;

    ListSessions(SessionSlots slots) {
      this.slots = slots;
    }

    @Override
    public boolean readOnly() {
      return true;
    }

    @Override
    public Syntax syntax() {
      return SYNTAX;
    }

    @Override
    public AdminResponse run(AdminRequest request) {
      List<SessionInfo> sessions = slots.loggedIn();
      String text = sessions.isEmpty() ? "no sessions\n" : sessions.stream()
          .map(s -> s.id() + "  " + s.protocol() + "  " + s.user() + "  " + s.address())
          .collect(Collectors.joining("\n", "", "\n"));
      return AdminResponse.ok(text, sessions);
    }
  }

  /** disconnect ID: the session is closed as at its login deadline; an upload it has open is aborted. */
  static final class Disconnect implements AdminCommand {
    private static final Syntax SYNTAX = Syntax.of("disconnect", "disconnect <session id>", 1);
    private final SessionSlots slots;

    Disconnect(SessionSlots slots) {
      this.slots = slots;
    }

    @Override
    public Syntax syntax() {
      return SYNTAX;
    }

    @Override
    public AdminResponse run(AdminRequest request) throws AdminException {
      String id = request.args().positional(0);
      if (!slots.disconnect(id, "disconnected by administrator " + request.caller().name())) {
        throw new AdminException(AdminStatus.NOT_FOUND, "no session '" + id + "' logged in on this node");
      }
      return AdminResponse.ok(id + " disconnected\n", java.util.Map.of("id", id, "disconnected", true));
    }
  }
}
