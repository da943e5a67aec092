package dev.ferry.core.job;

import java.io.IOException;

/**
 * Opens authenticated sessions to configured remote hosts. The SSH implementation lives in the SSH
 * module so that core stays free of SSH library types.
 */
public interface RemoteConnector extends AutoCloseable {

  /** A logged-in session whose host key matched {@link RemoteHost#hostKey()}; refused otherwise. */
  RemoteSession connect(RemoteHost host) throws IOException;

  @Override
  void close();
}
