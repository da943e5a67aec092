package dev.ferry.ftps.auth;

import dev.ferry.core.user.LoginGuard;
import dev.ferry.core.user.UserRegistry;
import dev.ferry.core.session.IpAddressText;
import java.net.InetAddress;
import java.util.Optional;
import org.apache.ftpserver.ftplet.Authentication;
import org.apache.ftpserver.ftplet.AuthenticationFailedException;
import org.apache.ftpserver.ftplet.User;
import org.apache.ftpserver.ftplet.UserManager;
import org.apache.ftpserver.usermanager.UsernamePasswordAuthentication;

/**
 * FtpServer's view of the configured users: passwords are checked against core's bcrypt hashes and
 * failures are counted per address by core's {@link LoginGuard}. The user list is read-only here.
 */
public final class GatewayUserManager implements UserManager {

  private final UserRegistry users;
  private final LoginGuard guard;

  public GatewayUserManager(UserRegistry users, LoginGuard guard) {
    this.users = users;
    this.guard = guard;
  }

  @Override
  public User authenticate(Authentication authentication) throws AuthenticationFailedException {
    if (!(authentication instanceof UsernamePasswordAuthentication login)) {
      throw new AuthenticationFailedException("only user name and password logins are accepted");
    }
    String address = LoginAddress.take();
    if (address == null) {
      InetAddress from = login.getUserMetadata() == null ? null : login.getUserMetadata().getInetAddress();
      address = from == null ? "unknown" : IpAddressText.of(from);
    }
    String password = login.getPassword() == null ? "" : login.getPassword();
    Optional<dev.ferry.core.user.User> user = guard.attempt("FTPS", users, login.getUsername(),
        password.toCharArray(), address).user();
    if (user.isEmpty()) {
      throw new AuthenticationFailedException("login incorrect"); // FtpServer delays the 530
    }
    return new GatewayFtpUser(user.get());
  }

  @Override
  public User getUserByName(String name) {
    return users.find(name).map(GatewayFtpUser::new).orElse(null);
  }

  @Override
  public String[] getAllUserNames() {
    return users.all().stream().map(dev.ferry.core.user.User::name).toArray(String[]::new);
  }

  @Override
  public void delete(String name) {
    throw new UnsupportedOperationException("users are managed in the config file");
  }

  @Override
  public void save(User user) {
    throw new UnsupportedOperationException("users are managed in the config file");
  }

  @Override
  public boolean doesExist(String name) {
    return users.find(name).isPresent();
  }

  @Override
  public String getAdminName() {
    return "";
  }

  @Override
  public boolean isAdmin(String name) {
    return false;
  }
}
