package dev.ferry.jobs.remote;

/** One connection to a remote host: its files over SFTP and its shell for what SFTP cannot do. */
public interface RemoteSession extends RemoteFiles, RemoteShell, AutoCloseable {

  /**
   * Ends the session: closes the connection, so commands and transfers in flight on it fail, or,
   * once {@link #markReusable()} was called, gives it back to the pool for the next session to the
   * same remote. Either way the session does nothing more; a second close does nothing.
   */
  @Override
  void close();

  /**
   * The work on this session ended in one piece and nothing runs on it any more: its close may
   * give the connection to the next session to the same remote instead of closing it. Never after
   * a failure (a command that timed out may still run, a channel may be half closed).
   */
  void markReusable();
}
