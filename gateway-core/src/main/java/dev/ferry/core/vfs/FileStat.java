package dev.ferry.core.vfs;

import dev.ferry.core.path.VirtualPath;
import java.time.Instant;

/** What a client sees of a file or directory: name, kind, size and modification time. */
public record FileStat(VirtualPath path, boolean directory, long size, Instant lastModified) {

  public String name() {
    return path.name();
  }
}
