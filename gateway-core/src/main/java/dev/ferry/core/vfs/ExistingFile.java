package dev.ferry.core.vfs;

/**
 * What an open for writing asks of a file already at its path. Checked under the path's lock, so
 * two exclusive creates of one path cannot both succeed.
 */
public enum ExistingFile {
  /** Create the file or write into the one there (SFTP CREATE). */
  ALLOWED,
  /** Create only: refuse when a file is there (SFTP CREATE_NEW, OpenSSH's exclusive open). */
  REFUSED,
  /** Write only into a file that is there (an SFTP open without CREATE). */
  REQUIRED
}
