package dev.ferry.jobs.remote;

/** One connection to a remote host: its files over SFTP and its shell for what SFTP cannot do. */
public interface RemoteSession extends RemoteFiles, RemoteShell, AutoCloseable {

  /** Closes the connection; commands and transfers in flight on it fail. */
  @Override
  void close();
}
