package dev.ferry.sftp.auth;

import dev.ferry.core.session.ClientAddress;
import dev.ferry.core.user.User;
import org.apache.sshd.common.AttributeRepository;
import org.apache.sshd.common.session.SessionContext;
import org.apache.sshd.server.session.ServerSession;

/** The core {@link User} an SSH session authenticated as, kept on the session. */
public final class FerryUsers {

  static final AttributeRepository.AttributeKey<User> USER = new AttributeRepository.AttributeKey<>();

  private FerryUsers() {}

  /** The authenticated user; fails loudly if called before authentication. */
  public static User of(SessionContext session) {
    User user = session.getAttribute(USER);
    if (user == null) {
      throw new IllegalStateException("SSH session " + session + " is not authenticated");
    }
    return user;
  }

  /** The client's address: the one a trusted balancer's PROXY protocol header named, else the peer's. */
  static String addressOf(org.apache.sshd.common.session.Session session) {
    if (session instanceof ServerSession server) {
      return ClientAddress.of(server.getClientAddress());
    }
    return ClientAddress.of(session.getIoSession() == null ? null : session.getIoSession().getRemoteAddress());
  }
}
