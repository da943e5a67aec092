package dev.ferry.jobs.sync;

import dev.ferry.jobs.remote.RemoteShell;
import dev.ferry.jobs.remote.ShellQuote;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * SHA-256 of remote files by {@code sha256sum} over exec, many files per command. {@code -z} ends
 * each output line with NUL and leaves names unescaped (GNU coreutils 8.30 and later), so any name
 * reads back as it was given. A remote without it (no such command, a sha256sum without -z) gives
 * no checksums: the caller compares sizes and times only.
 */
final class RemoteChecksums {

  /** Files per command: well below the remote's command-line limit for names of up to 900 bytes. */
  private static final int FILES_PER_COMMAND = 64;

  private RemoteChecksums() {}

  /** The SHA-256 (hex) of each of {@code paths} that could be read, or empty when the remote has no sha256sum -z. */
  static Optional<Map<String, String>> of(RemoteShell remote, List<String> paths, Duration timeout) throws IOException {
    Map<String, String> sums = new HashMap<>();
    for (int from = 0; from < paths.size(); from += FILES_PER_COMMAND) {
      StringBuilder command = new StringBuilder("sha256sum -z --");
      for (String path : paths.subList(from, Math.min(paths.size(), from + FILES_PER_COMMAND))) {
        command.append(' ').append(ShellQuote.quote(path));
      }
      RemoteShell.ExecResult result = remote.exec(command.toString(), timeout);
      if (result.exitStatus() == 127 || result.stderr().contains("invalid option")
          || result.stderr().contains("unrecognized option")) {
        return Optional.empty();
      }
      // A file that vanished or cannot be read is missing from the output (exit status 1): it has no checksum.
      for (String line : result.stdout().split("\0")) {
        if (line.length() > 66 && line.substring(0, 64).matches("[0-9a-f]{64}")) {
          sums.put(line.substring(66), line.substring(0, 64));
        }
      }
    }
    return Optional.of(sums);
  }
}
