package dev.ferry.core.state;

import java.nio.file.Path;

/**
 * Where Ferry keeps its state: {@code url} a JDBC URL of PostgreSQL (several nodes share it), or
 * null for the embedded store, a SQLite file at {@code embeddedFile}.
 */
public record StateStoreSettings(String url, String user, String password, int maxConnections, Path embeddedFile) {

  public boolean embedded() {
    return url == null;
  }

  /** The store's address for messages: the URL, or the embedded file; never the password. */
  public String describe() {
    return embedded() ? "embedded store " + embeddedFile : url;
  }

  @Override
  public String toString() {
    return "StateStoreSettings[" + describe() + ", user=" + user + ", maxConnections=" + maxConnections + "]";
  }
}
