package dev.ferry.ftps.auth;

import java.util.List;
import org.apache.ftpserver.usermanager.impl.BaseUser;
import org.apache.ftpserver.usermanager.impl.ConcurrentLoginPermission;

/** FtpServer's user object carrying the core user; FtpServer needs a login authority to admit it. */
public final class GatewayFtpUser extends BaseUser {

  private final dev.ferry.core.user.User coreUser;

  GatewayFtpUser(dev.ferry.core.user.User coreUser) {
    this.coreUser = coreUser;
    setName(coreUser.name());
    setHomeDirectory("/");
    setEnabled(true);
    setAuthorities(List.of(new ConcurrentLoginPermission(0, 0)));
  }

  public dev.ferry.core.user.User coreUser() {
    return coreUser;
  }
}
