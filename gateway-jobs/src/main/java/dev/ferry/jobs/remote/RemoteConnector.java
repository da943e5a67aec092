package dev.ferry.jobs.remote;

import java.io.IOException;

/**
 * Opens authenticated sessions to configured remote hosts. Transfers see only this and
 * {@link RemoteSession}; {@link MinaRemoteConnector} implements them with MINA's SSH client, whose
 * types stay in this package.
 */
public interface RemoteConnector extends AutoCloseable {

  /** A logged-in session whose host key matched {@link RemoteHost#hostKey()}; refused otherwise. */
  RemoteSession connect(RemoteHost host) throws IOException;

  @Override
  void close();
}
