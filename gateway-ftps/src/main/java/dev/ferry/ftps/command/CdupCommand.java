package dev.ferry.ftps.command;

import dev.ferry.core.path.VirtualPath;
import dev.ferry.ftps.fs.GatewayFileSystemView;
import org.apache.ftpserver.impl.FtpIoSession;

/**
 * CDUP and XCUP: to the parent directory. At the top of the home it stays there and answers 250,
 * as chrooted vsftpd and ProFTPD do; FtpServer's answered 550, and XCUP (which FtpServer reads as
 * "CUP", dropping the X as for XMKD and XPWD) had no command at all (502).
 */
final class CdupCommand extends GatewayCommand {

  @Override
  void run(FtpIoSession session, GatewayFileSystemView view, String argument) {
    VirtualPath parent = view.cwd().isRoot() ? view.cwd() : view.cwd().parent();
    view.setCwd(parent);
    reply(session, 250, "Directory changed to " + parent);
  }
}
