package dev.ferry.ftps.fs;

import dev.ferry.core.Gateway;
import dev.ferry.ftps.auth.GatewayFtpUser;
import org.apache.ftpserver.ftplet.FileSystemFactory;
import org.apache.ftpserver.ftplet.FileSystemView;
import org.apache.ftpserver.ftplet.FtpException;
import org.apache.ftpserver.ftplet.User;

/** Gives each logged-in FTP session its own view of the gateway's filesystem. */
public final class GatewayFileSystemFactory implements FileSystemFactory {

  private final Gateway gateway;

  public GatewayFileSystemFactory(Gateway gateway) {
    this.gateway = gateway;
  }

  @Override
  public FileSystemView createFileSystemView(User user) throws FtpException {
    if (!(user instanceof GatewayFtpUser gatewayUser)) {
      throw new FtpException("user " + user.getName() + " did not log in through the gateway");
    }
    // FtpServer makes the view during PASS, without the session: SessionPolicy names it after the login.
    return new GatewayFileSystemView(gateway.openSession(gatewayUser.coreUser(), null));
  }
}
