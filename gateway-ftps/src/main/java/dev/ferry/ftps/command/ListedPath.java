package dev.ferry.ftps.command;

import dev.ferry.core.path.VirtualPath;
import dev.ferry.core.vfs.FileStat;
import dev.ferry.ftps.fs.GatewayFileSystemView;
import java.io.IOException;
import java.util.Iterator;
import java.util.List;

/** What LIST and STAT list: a directory's entries, or a file's one entry, as a client names it. */
record ListedPath(VirtualPath path, boolean directory, Iterator<FileStat> entries) {

  static ListedPath of(GatewayFileSystemView view, String argument) throws IOException {
    VirtualPath path = view.resolve(withoutOptions(argument));
    FileStat stat = view.fileSystem().stat(path);
    return stat.directory() ? new ListedPath(path, true, view.fileSystem().list(path))
        : new ListedPath(path, false, List.of(stat).iterator());
  }

  /** Drops ls-style options ("-la") that clients put before the path. */
  private static String withoutOptions(String argument) {
    if (argument == null) {
      return null;
    }
    String rest = argument.stripLeading();
    while (rest.startsWith("-")) {
      int space = rest.indexOf(' ');
      rest = space < 0 ? "" : rest.substring(space + 1).stripLeading();
    }
    return rest;
  }
}
