package dev.ferry.jobs.remote;

import java.time.Instant;

/**
 * One name in a remote directory listing, as lstat sees it: a symbolic link is a LINK, not what it
 * points to. {@code modified} has the second precision of SFTP version 3.
 */
public record RemoteEntry(String name, Type type, long size, Instant modified) {

  public enum Type { FILE, DIRECTORY, LINK, OTHER }
}
