package dev.ferry.core.vfs;

/** How an upload treats what is already at its path. */
public enum WriteMode {
  /** Replace the file (or create it). */
  TRUNCATE,
  /** Keep the file's first {@code offset} bytes and continue from there (REST + STOR, resumed puts). */
  RESUME,
  /** Continue at the end of the file, creating it when missing (APPE). */
  APPEND
}
