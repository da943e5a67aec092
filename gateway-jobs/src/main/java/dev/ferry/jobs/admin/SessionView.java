package dev.ferry.jobs.admin;

import dev.ferry.core.event.SessionInfo;
import java.util.List;

/** A logged-in session as the {@code sessions} command answers it: who, from where, and the files it has open now. */
public record SessionView(String id, String protocol, String address, String user, List<TransferView> transfers) {

  static SessionView of(SessionInfo session, List<TransferView> transfers) {
    return new SessionView(session.id(), session.protocol(), session.address(), session.user(), List.copyOf(transfers));
  }
}
