package dev.ferry.sftp.command;

import dev.ferry.core.Gateway;
import dev.ferry.core.path.VirtualPath;
import dev.ferry.core.session.SessionSlots;
import dev.ferry.core.user.User;
import dev.ferry.core.vfs.ChecksumAlgorithm;
import dev.ferry.core.vfs.GatewayFileSystem;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.util.List;

/**
 * {@code sha256sum}, {@code sha1sum} and {@code md5sum} over SSH exec, for any user, of paths in
 * their own tree, printed as coreutils prints them ({@code <hex>  <path>}): rclone's sftp backend
 * and SFTPGo's users verify transfers with them. No shell runs: the words are split as a POSIX
 * shell quotes them ({@link CommandWords}). Without a path the digest is of standard input, as
 * coreutils does it; rclone sends empty input that way to learn which commands the server has.
 * Each file is core's {@link GatewayFileSystem#checksum}: a SHA-256 Ferry recorded is answered
 * without reading the file. Exit status 1 when any path failed, each failure on stderr.
 */
final class ChecksumExec extends ExecOnItsThread {

  private final Gateway gateway;
  private final User user;
  private final SessionSlots.Slot slot;
  private final ChecksumAlgorithm algorithm;
  private final List<String> paths;

  ChecksumExec(Gateway gateway, User user, SessionSlots.Slot slot, ChecksumAlgorithm algorithm, List<String> paths) {
    super("ferry-checksum-exec");
    this.gateway = gateway;
    this.user = user;
    this.slot = slot;
    this.algorithm = algorithm;
    this.paths = paths;
  }

  @Override
  void run() {
    int status = 1;
    try {
      if (paths.isEmpty() || paths.equals(List.of("-"))) {
        out.write(line(algorithm.hexOf(in), "-"));
        status = 0;
      } else {
        status = checksumFiles();
      }
    } catch (IOException e) {
      // the client went away (or its input failed): nothing left to tell it
    } catch (RuntimeException e) {
      quietly(error("failed: " + e));
    } finally {
      try {
        out.flush();
        err.flush();
      } catch (IOException e) {
        // as above
      }
      exit.onExit(status);
    }
  }

  private void quietly(byte[] message) {
    try {
      err.write(message);
    } catch (IOException e) {
      // the client went away
    }
  }

  private int checksumFiles() throws IOException {
    int status = 0;
    try (GatewayFileSystem files = gateway.openSession(user, slot)) {
      for (String argument : paths) {
        if (argument.startsWith("-") && !argument.equals("-")) {
          err.write(error(argument + ": options are not supported (give paths only)"));
          status = 1;
          continue;
        }
        try {
          VirtualPath path = files.resolve(VirtualPath.ROOT, argument);
          out.write(line(files.checksum(path, algorithm).hex(), argument));
        } catch (FileSystemException e) {
          err.write(error(argument + ": " + (e.getReason() != null ? e.getReason() : e.getMessage())));
          status = 1;
        } catch (IOException e) { // S3 failed, or the file changed while it was read
          err.write(error(argument + ": " + e.getMessage()));
          status = 1;
        }
      }
    }
    return status;
  }

  /**
   * A line as coreutils writes it: a name with a backslash or a newline has them escaped and the
   * line starts with a backslash.
   */
  private static byte[] line(String hex, String name) {
    boolean escaped = name.indexOf('\\') >= 0 || name.indexOf('\n') >= 0;
    String shown = escaped ? name.replace("\\", "\\\\").replace("\n", "\\n") : name;
    return ((escaped ? "\\" : "") + hex + "  " + shown + "\n").getBytes(StandardCharsets.UTF_8);
  }

  private byte[] error(String message) {
    return (algorithm.command() + ": " + message + "\n").getBytes(StandardCharsets.UTF_8);
  }
}
