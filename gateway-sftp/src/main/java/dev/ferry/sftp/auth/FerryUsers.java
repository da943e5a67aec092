package dev.ferry.sftp.auth;

import dev.ferry.core.session.ClientAddress;
import dev.ferry.core.user.User;
import org.apache.sshd.common.AttributeRepository;
import org.apache.sshd.common.session.SessionContext;

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

  static String addressOf(org.apache.sshd.common.session.Session session) {
    return ClientAddress.of(session.getIoSession() == null ? null : session.getIoSession().getRemoteAddress());
  }
}
