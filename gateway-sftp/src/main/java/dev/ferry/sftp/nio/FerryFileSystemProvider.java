package dev.ferry.sftp.nio;

import dev.ferry.core.path.VirtualPath;
import dev.ferry.core.upload.OffsetWriter;
import dev.ferry.core.vfs.ExistingFile;
import dev.ferry.core.vfs.FileStat;
import dev.ferry.core.vfs.GatewayFileSystem;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AccessMode;
import java.nio.file.CopyOption;
import java.nio.file.DirectoryStream;
import java.nio.file.FileStore;
import java.nio.file.FileSystem;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.ProviderMismatchException;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.FileAttributeView;
import java.nio.file.spi.FileSystemProvider;
import java.time.Instant;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * NIO over core, the way Jimfs' provider forwards to its file tree: each call turns the path into a
 * {@link VirtualPath} and calls the session's {@link GatewayFileSystem}, which checks permissions
 * and locks. No S3 here. Symbolic links do not exist; copying is refused.
 */
public final class FerryFileSystemProvider extends FileSystemProvider {

  @Override
  public String getScheme() {
    return "ferry";
  }

  /** A file system for one SFTP channel of one user. */
  public FerryFileSystem newFileSystem(GatewayFileSystem session) {
    return new FerryFileSystem(this, session);
  }

  @Override
  public FileSystem newFileSystem(URI uri, Map<String, ?> env) {
    throw new UnsupportedOperationException("Ferry file systems are opened per SFTP session");
  }

  @Override
  public FileSystem getFileSystem(URI uri) {
    throw new UnsupportedOperationException("Ferry file systems are opened per SFTP session");
  }

  @Override
  public Path getPath(URI uri) {
    throw new UnsupportedOperationException("Ferry paths come from their file system");
  }

  /** The current state of a path: what this session is writing there, else what core reports. */
  public FileStat stat(Path path) throws IOException {
    FerryPath p = ferry(path);
    p.getFileSystem().checkOpen();
    VirtualPath virtual = p.virtual();
    OffsetWriter writing = p.getFileSystem().writing(virtual);
    if (writing != null) {
      // A time set on the open file (SETSTAT, sshfs's touch or tar) is shown at once, as on a disk.
      return new FileStat(virtual, false, writing.size(), writing.clientTime().orElseGet(Instant::now));
    }
    return p.getFileSystem().stat(virtual);
  }

  @Override
  public SeekableByteChannel newByteChannel(Path path, Set<? extends OpenOption> options, FileAttribute<?>... attrs)
      throws IOException {
    FerryPath p = ferry(path);
    p.getFileSystem().checkOpen();
    VirtualPath virtual = p.virtual();
    GatewayFileSystem session = session(p);
    boolean write = options.contains(StandardOpenOption.WRITE) || options.contains(StandardOpenOption.APPEND);
    if (!write) {
      return new ReadChannel(session.openReadable(virtual));
    }
    ExistingFile existingFile = options.contains(StandardOpenOption.CREATE_NEW) ? ExistingFile.REFUSED
        : options.contains(StandardOpenOption.CREATE) ? ExistingFile.ALLOWED : ExistingFile.REQUIRED;
    p.getFileSystem().forgetStats();
    boolean truncate = options.contains(StandardOpenOption.TRUNCATE_EXISTING);
    if (options.contains(StandardOpenOption.READ)) {
      return new WriteChannel(p.getFileSystem(), virtual, session.openReadWrite(virtual, existingFile, truncate), true);
    }
    return new WriteChannel(p.getFileSystem(), virtual, session.openAtOffsets(virtual, existingFile, truncate), false);
  }

  @Override
  public DirectoryStream<Path> newDirectoryStream(Path dir, DirectoryStream.Filter<? super Path> filter)
      throws IOException {
    FerryPath p = ferry(dir);
    p.getFileSystem().checkOpen();
    Iterator<FileStat> entries = session(p).list(p.virtual());
    p.beingListed(new FileStat(p.virtual(), true, 0, Instant.EPOCH));
    FerryFileSystem fileSystem = p.getFileSystem();
    return new DirectoryStream<>() {
      private boolean taken;

      @Override
      public Iterator<Path> iterator() {
        if (taken) {
          throw new IllegalStateException("a directory stream is iterated once");
        }
        taken = true;
        return new Iterator<>() {
          private Path next;

          @Override
          public boolean hasNext() {
            while (next == null && entries.hasNext()) {
              Path candidate = fileSystem.listed(entries.next());
              try {
                if (filter == null || filter.accept(candidate)) {
                  next = candidate;
                }
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            }
            return next != null;
          }

          @Override
          public Path next() {
            if (!hasNext()) {
              throw new java.util.NoSuchElementException();
            }
            Path result = next;
            next = null;
            return result;
          }
        };
      }

      @Override
      public void close() {
        // the listing holds at most two pages and no connection
      }
    };
  }

  @Override
  public void createDirectory(Path dir, FileAttribute<?>... attrs) throws IOException {
    FerryPath p = ferry(dir);
    p.getFileSystem().forgetStats();
    session(p).mkdir(p.virtual());
  }

  @Override
  public void delete(Path path) throws IOException {
    FerryPath p = ferry(path);
    VirtualPath virtual = p.virtual();
    GatewayFileSystem session = session(p);
    boolean directory = p.getFileSystem().stat(virtual).directory();
    p.getFileSystem().forgetStats();
    if (directory) {
      session.rmdir(virtual);
    } else {
      session.delete(virtual);
    }
  }

  @Override
  public void copy(Path source, Path target, CopyOption... options) {
    throw new UnsupportedOperationException("copying files on the server is not supported; download and upload");
  }

  /**
   * Renames inside S3. Without {@link StandardCopyOption#REPLACE_EXISTING} (plain SFTP rename) an
   * existing target is refused, as OpenSSH's server does; posix-rename@openssh.com replaces it.
   */
  @Override
  public void move(Path source, Path target, CopyOption... options) throws IOException {
    FerryPath from = ferry(source);
    from.getFileSystem().forgetStats();
    boolean replace = Arrays.asList(options).contains(StandardCopyOption.REPLACE_EXISTING);
    WriteChannel writing = from.getFileSystem().writeHandle(from.virtual());
    if (writing != null) {
      writing.follow(ferry(target).virtual(), to -> session(from).rename(from.virtual(), to, replace));
      return;
    }
    session(from).rename(from.virtual(), ferry(target).virtual(), replace);
  }

  @Override
  public boolean isSameFile(Path path, Path path2) throws IOException {
    return ferry(path).virtual().equals(ferry(path2).virtual());
  }

  @Override
  public boolean isHidden(Path path) {
    return false;
  }

  @Override
  public FileStore getFileStore(Path path) {
    return ((FerryPath) path).getFileSystem().fileStore();
  }

  @Override
  public void checkAccess(Path path, AccessMode... modes) throws IOException {
    // MINA checks that every entry of a readdir exists before describing it: an entry just listed
    // does, and asking S3 again (a HEAD per entry, one after another) made listings crawl.
    if (ferry(path).listed() == null) {
      stat(path);
    }
  }

  @Override
  public <V extends FileAttributeView> V getFileAttributeView(Path path, Class<V> type, LinkOption... options) {
    return null;
  }

  @Override
  @SuppressWarnings("unchecked")
  public <A extends BasicFileAttributes> A readAttributes(Path path, Class<A> type, LinkOption... options)
      throws IOException {
    if (!type.isAssignableFrom(FerryAttributes.class)) {
      throw new UnsupportedOperationException("attributes " + type.getSimpleName() + " are not supported");
    }
    FerryPath p = ferry(path);
    return (A) p.getFileSystem().attributesOf(p.listed() != null ? p.listed() : stat(p));
  }

  @Override
  public Map<String, Object> readAttributes(Path path, String attributes, LinkOption... options) throws IOException {
    FerryPath p = ferry(path);
    FileStat stat = p.listed() != null ? p.listed() : stat(p);
    Map<String, Object> all = p.getFileSystem().attributesOf(stat).asMap();
    int colon = attributes.indexOf(':');
    String names = colon < 0 ? attributes : attributes.substring(colon + 1);
    if (names.equals("*")) {
      return all;
    }
    Map<String, Object> selected = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    for (String name : names.split(",")) {
      if (all.containsKey(name)) {
        selected.put(name, all.get(name));
      }
    }
    return selected;
  }

  @Override
  public void setAttribute(Path path, String attribute, Object value, LinkOption... options) {
    throw new UnsupportedOperationException("attribute " + attribute + " cannot be set");
  }

  static FerryPath ferry(Path path) {
    if (!(path instanceof FerryPath p)) {
      throw new ProviderMismatchException("not a Ferry path: " + path);
    }
    return p;
  }

  private static GatewayFileSystem session(FerryPath path) {
    return path.getFileSystem().session();
  }
}
