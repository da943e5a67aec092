package dev.ferry.jobs.admin;

import dev.ferry.core.admin.AdminException;
import dev.ferry.core.admin.AdminResponse;
import dev.ferry.core.admin.AdminStatus;
import dev.ferry.core.session.LiveTransfers;
import dev.ferry.core.session.SessionSlots;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The client sessions logged in on this node: sessions, disconnect. */
final class SessionCommands {

  private SessionCommands() {}

  /**
   * sessions: id, protocol, address and user of each, oldest login first, and the file each is
   * transferring now (path, direction, bytes so far), from core's one record of open files.
   */
  static final class ListSessions extends ReadCommand {
    private static final Syntax SYNTAX = Syntax.of("sessions", "sessions", 0);
    private final SessionSlots slots;
    private final LiveTransfers transfers;

    ListSessions(SessionSlots slots, LiveTransfers transfers) {
      super(SYNTAX);
      this.slots = slots;
      this.transfers = transfers;
    }

    @Override
    public AdminResponse run(AdminRequest request) {
      Map<String, List<TransferView>> bySession = new HashMap<>();
      for (LiveTransfers.Transfer transfer : transfers.now()) {
        if (transfer.session() != null) {
          bySession.computeIfAbsent(transfer.session(), s -> new ArrayList<>()).add(TransferView.of(transfer));
        }
      }
      List<SessionView> sessions = slots.loggedIn().stream()
          .map(s -> SessionView.of(s, bySession.getOrDefault(s.id(), List.of()))).toList();
      StringBuilder text = new StringBuilder(sessions.isEmpty() ? "no sessions\n" : "");
      for (SessionView s : sessions) {
        text.append(s.id()).append("  ").append(s.protocol()).append("  ").append(s.user()).append("  ")
            .append(s.address()).append('\n');
        s.transfers().forEach(t -> text.append("    ").append(t.text()).append('\n'));
      }
      return AdminResponse.ok(text.toString(), sessions);
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
