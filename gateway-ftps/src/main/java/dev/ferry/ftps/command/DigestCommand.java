package dev.ferry.ftps.command;

import dev.ferry.core.path.VirtualPath;
import dev.ferry.core.vfs.ChecksumAlgorithm;
import dev.ferry.ftps.fs.GatewayFileSystemView;
import java.io.IOException;
import org.apache.ftpserver.impl.FtpIoSession;

/**
 * The legacy digest commands XSHA256, XSHA1 and XMD5 (ProFTPD's mod_digest, Serv-U; WinSCP and
 * other clients verify with them): {@code 250 <hex>}. FtpServer drops the X of every command, so
 * they arrive as SHA256, SHA1 and MD5; {@link Md5Commands} tells XMD5 from the MD5 of
 * draft-twine-ftpmd5, which answers {@code 251 <path> <hex>}.
 */
final class DigestCommand extends GatewayCommand {

  private final ChecksumAlgorithm algorithm;
  private final String name;
  private final boolean draftMd5Reply;

  private DigestCommand(ChecksumAlgorithm algorithm, String name, boolean draftMd5Reply) {
    this.algorithm = algorithm;
    this.name = name;
    this.draftMd5Reply = draftMd5Reply;
  }

  /** XSHA256, XSHA1 or XMD5. */
  static DigestCommand legacy(ChecksumAlgorithm algorithm, String name) {
    return new DigestCommand(algorithm, name, false);
  }

  /** MD5 of draft-twine-ftpmd5. */
  static DigestCommand md5Draft() {
    return new DigestCommand(ChecksumAlgorithm.MD5, "MD5", true);
  }

  @Override
  void run(FtpIoSession session, GatewayFileSystemView view, String argument) throws IOException {
    if (missing(session, argument, name)) {
      return;
    }
    VirtualPath path = view.resolve(argument);
    String hex = view.fileSystem().checksum(path, algorithm).hex();
    if (draftMd5Reply) {
      reply(session, 251, argument + " " + hex);
    } else {
      reply(session, 250, hex);
    }
  }
}
