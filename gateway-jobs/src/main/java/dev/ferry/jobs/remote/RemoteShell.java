package dev.ferry.jobs.remote;

import java.io.IOException;
import java.time.Duration;

/** Runs one shell command line on the remote, each on its own exec channel. */
public interface RemoteShell {

  /** The command's exit status and output; words in {@code commandLine} must be {@link ShellQuote}d. */
  ExecResult exec(String commandLine, Duration timeout) throws IOException;

  /**
   * Like {@link #exec}, on a pseudo-terminal: when the channel closes before the command ends (a
   * cancelled job, a dropped connection, Ferry stopping), sshd hangs the terminal up and the command
   * gets SIGHUP instead of running on unseen. Its stdout and stderr arrive merged, in stdout.
   */
  ExecResult execHungUpOnClose(String commandLine, Duration timeout) throws IOException;

  /**
   * Starts {@code commandLine} with a standard input the caller feeds a line at a time, for a
   * command that works while the caller goes on (its stdout and stderr are kept apart, no terminal).
   */
  FedCommand startFed(String commandLine) throws IOException;

  /** A command started by {@link #startFed}. */
  interface FedCommand extends AutoCloseable {

    /** Writes {@code line} and a newline to the command's standard input, at once. */
    void send(String line) throws IOException;

    /** Ends the command's input and waits for it to end. */
    ExecResult finish(Duration timeout) throws IOException;

    /** Closes the channel, whether or not the command ended (nothing once finished). */
    @Override
    void close();
  }

  record ExecResult(int exitStatus, String stdout, String stderr) {
    public boolean ok() {
      return exitStatus == 0;
    }

    /** What the command printed, both streams, for an error message. */
    public String output() {
      return (stdout.strip() + " " + stderr.strip()).strip();
    }
  }
}
