package dev.ferry.ftps.command;

import dev.ferry.core.path.VirtualPath;
import dev.ferry.core.vfs.FileChecksum;
import dev.ferry.ftps.fs.GatewayFileSystemView;
import java.io.IOException;
import org.apache.ftpserver.impl.FtpIoSession;

/**
 * HASH (draft-bryan-ftpext-hash-02): the digest of a whole file in the session's chosen algorithm
 * ({@link HashSelection}), answered {@code 213 SHA-256 0-<size> <hex> <path>}. Ranges (RANG) are
 * not offered, so the range is always the whole file.
 */
final class HashCommand extends GatewayCommand {

  @Override
  void run(FtpIoSession session, GatewayFileSystemView view, String argument) throws IOException {
    if (missing(session, argument, "HASH")) {
      return;
    }
    VirtualPath path = view.resolve(argument);
    FileChecksum checksum = view.fileSystem().checksum(path, HashSelection.of(session));
    reply(session, 213, checksum.algorithm().ianaName() + " 0-" + checksum.size() + " " + checksum.hex() + " "
        + argument);
  }
}
