package dev.ferry.jobs.admin;

import dev.ferry.core.event.SessionInfo;
import dev.ferry.core.session.LiveTransfers;
import java.util.List;

/**
 * A logged-in session as the {@code sessions} command answers it: the node it is on, who, from
 * where, and the files it has open now.
 */
public record SessionView(String node, String id, String protocol, String address, String user,
    List<TransferView> transfers) {

  static SessionView of(String node, SessionInfo session, List<LiveTransfers.Transfer> transfers) {
    return new SessionView(node, session.id(), session.protocol(), session.address(), session.user(),
        transfers.stream().map(TransferView::of).toList());
  }
}
