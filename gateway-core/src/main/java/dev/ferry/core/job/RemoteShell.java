package dev.ferry.core.job;

import java.io.IOException;
import java.time.Duration;

/** Runs one shell command line on the remote, each on its own exec channel. */
public interface RemoteShell {

  /** The command's exit status and output; words in {@code commandLine} must be {@link ShellQuote}d. */
  ExecResult exec(String commandLine, Duration timeout) throws IOException;

  record ExecResult(int exitStatus, String stdout, String stderr) {
    public boolean ok() {
      return exitStatus == 0;
    }
  }
}
