package dev.ferry.core.state;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Where Ferry keeps its state: {@code url} a JDBC URL of PostgreSQL (several nodes share it), or
 * null for the embedded store, a SQLite file at {@code embeddedFile}. {@code nodeName} names this
 * node in logs and the store; a node silent for {@code lease} is dead to the others.
 */
public record StateStoreSettings(String url, String user, String password, int maxConnections, Path embeddedFile,
    String nodeName, Duration lease) {

  public boolean embedded() {
    return url == null;
  }

  /** Whether other nodes may share this store (PostgreSQL): then path locks go through it too. */
  public boolean shared() {
    return !embedded();
  }

  /** The store's address for messages: the URL, or the embedded file; never the password. */
  public String describe() {
    return embedded() ? "embedded store " + embeddedFile : url;
  }

  @Override
  public String toString() {
    return "StateStoreSettings[" + describe() + ", user=" + user + ", maxConnections=" + maxConnections
        + ", node=" + nodeName + ", lease=" + lease + "]";
  }
}
