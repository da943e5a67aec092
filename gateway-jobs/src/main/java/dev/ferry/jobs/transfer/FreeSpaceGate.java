package dev.ferry.jobs.transfer;

import dev.ferry.jobs.engine.JobException;
import dev.ferry.jobs.remote.FreeSpace;
import dev.ferry.jobs.remote.RemoteSession;
import dev.ferry.jobs.remote.RemoteShell;
import dev.ferry.jobs.remote.ShellQuote;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;

/**
 * Measures free space on the filesystem holding a remote directory: statvfs@openssh.com over SFTP,
 * or {@code df -P -k} when the server lacks it. A directory that does not exist yet is measured at
 * its nearest existing ancestor, which is the filesystem it will be created on.
 */
public final class FreeSpaceGate {

  private FreeSpaceGate() {}

  public static FreeSpace measure(RemoteSession remote, String directory) throws IOException {
    String at = directory;
    while (!remote.exists(at) && !at.equals("/")) {
      int slash = at.lastIndexOf('/');
      at = slash <= 0 ? "/" : at.substring(0, slash);
    }
    Optional<FreeSpace> statvfs = remote.statvfs(at);
    if (statvfs.isPresent()) {
      return statvfs.get();
    }
    RemoteShell.ExecResult df = remote.exec("df -P -k " + ShellQuote.quote(at), Duration.ofMinutes(1));
    if (!df.ok()) {
      throw JobException.permanent("df -P -k " + at + " failed with exit status " + df.exitStatus() + ": "
          + df.stderr().strip());
    }
    return DfOutput.parse(df.stdout());
  }

  /**
   * The seed's rule: free space strictly greater than the threshold, and what the transfer will
   * write must fit in the available bytes. A threshold of 0 is never asked.
   */
  public static boolean allows(FreeSpace space, double thresholdPercent, long bytesNeeded) {
    return space.percentFree() > thresholdPercent && space.availableBytes() >= bytesNeeded;
  }
}
