package dev.ferry.sftp.nio;

import dev.ferry.core.path.VirtualPath;
import dev.ferry.core.upload.OffsetWriter;
import dev.ferry.core.vfs.FileStat;
import dev.ferry.core.vfs.GatewayFileSystem;
import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.NoSuchFileException;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.sshd.common.file.util.BaseFileSystem;

/**
 * One SFTP channel's NIO view of S3: paths are the user's home as "/", every operation is the
 * session's core {@link GatewayFileSystem}. Closing it (MINA does when the channel ends) aborts
 * every upload the channel left open.
 */
public final class FerryFileSystem extends BaseFileSystem<FerryPath> {

  private final GatewayFileSystem session;
  /**
   * What S3 said about paths (a {@link FileStat} or a {@link NoSuchFileException}) during the SFTP
   * request being answered; MINA asks about one path several times per request. Cleared when the
   * next request starts and after anything this channel changes.
   */
  private final Map<VirtualPath, Object> statsThisRequest = new ConcurrentHashMap<>();
  /** The handles of this channel writing a file, by path (a session writes a path through one handle at most). */
  private final Map<VirtualPath, WriteChannel> writeHandles = new ConcurrentHashMap<>();
  private volatile boolean open = true;

  private final FerryFileStore store;

  FerryFileSystem(FerryFileSystemProvider provider, GatewayFileSystem session) {
    super(provider);
    this.session = session;
    this.store = new FerryFileStore(session);
  }

  /** The session's "disk": its user's quota, where there is one. */
  FerryFileStore fileStore() {
    return store;
  }

  public GatewayFileSystem session() {
    return session;
  }

  /** What a client sees of {@code stat}: owned by this session's user (see {@link FerryAttributes}). */
  FerryAttributes attributesOf(FileStat stat) {
    return FerryAttributes.of(stat, session.ownerName());
  }

  @Override
  protected FerryPath create(String root, List<String> names) {
    return new FerryPath(this, root, names, null);
  }

  FerryPath listed(FileStat stat) {
    return new FerryPath(this, "/", stat.path().segments(), stat);
  }

  /** At a new SFTP request, and after a change made through this channel. */
  public void forgetStats() {
    statsThisRequest.clear();
  }

  /**
   * For the request now starting, answers MINA's look at {@code virtual} with {@code kind} instead of
   * asking S3. For requests whose core operation checks the path itself, under its lock, and
   * throws what MINA's look would have (remove: no such file, is a directory; rmdir: not a
   * directory, not empty; mkdir: already exists; opendir: no such directory, not a directory):
   * the look only picks which error to send, and cost an S3 HEAD and a LIST before the operation
   * asked again.
   */
  public void leaveCheckToCore(VirtualPath virtual, ExpectedKind kind) {
    ancestorsAreDirectories(virtual);
    statsThisRequest.put(virtual, switch (kind) {
      case FILE -> new FileStat(virtual, false, 0, Instant.EPOCH);
      case DIRECTORY -> new FileStat(virtual, true, 0, Instant.EPOCH);
      case MISSING -> new NoSuchFileException(virtual.toString(), null, "not there yet (core checks it)");
    });
  }

  /**
   * For the request now starting, takes every folder above {@code virtual} to be one. MINA looks at
   * each of them, one after another, before a request that does not follow links (lstat, remove):
   * a HEAD and a LIST each, however deep the path. Whatever they are, the answer about
   * {@code virtual} itself is the same: if one is missing, so is {@code virtual} (core asks S3 about
   * it), and core's own operations check the folder they write into.
   */
  public void ancestorsAreDirectories(VirtualPath virtual) {
    for (VirtualPath folder = virtual; !folder.isRoot(); ) {
      folder = folder.parent();
      statsThisRequest.put(folder, new FileStat(folder, true, 0, Instant.EPOCH));
    }
  }

  /** What a request's path is taken to be until core's operation says otherwise. */
  public enum ExpectedKind { FILE, DIRECTORY, MISSING }

  /** The path's state in S3, asked once per request. */
  FileStat stat(VirtualPath path) throws IOException {
    Object known = statsThisRequest.get(path);
    if (known instanceof FileStat stat) {
      return stat;
    }
    if (known instanceof NoSuchFileException missing) {
      throw new NoSuchFileException(missing.getFile(), missing.getOtherFile(), missing.getReason());
    }
    try {
      FileStat stat = session.stat(path);
      statsThisRequest.put(path, stat);
      return stat;
    } catch (NoSuchFileException missing) {
      statsThisRequest.put(path, missing);
      throw missing;
    }
  }

  /**
   * The file this session is writing at {@code path}, if any, for a SETSTAT of its size or time:
   * core keeps the session's open files (one place for FTPS and SFTP), this only asks.
   */
  public OffsetWriter writing(VirtualPath path) {
    return session.writerAt(path);
  }

  /** The handle of this channel writing {@code path}, or null. */
  WriteChannel writeHandle(VirtualPath path) {
    return writeHandles.get(path);
  }

  void writing(VirtualPath path, WriteChannel handle) {
    writeHandles.put(path, handle);
  }

  void notWriting(VirtualPath path, WriteChannel handle) {
    writeHandles.remove(path, handle);
  }

  @Override
  public void close() {
    open = false;
    session.close();
  }

  @Override
  public boolean isOpen() {
    return open;
  }

  @Override
  public Set<String> supportedFileAttributeViews() {
    return Set.of("basic", "posix");
  }

  @Override
  public Iterable<FileStore> getFileStores() {
    return List.of(store);
  }

  @Override
  public UserPrincipalLookupService getUserPrincipalLookupService() {
    throw new UnsupportedOperationException("S3 has no file owners");
  }

  @Override
  public String toString() {
    return "ferry:" + session.user().name();
  }

  void checkOpen() throws IOException {
    if (!open) {
      throw new IOException("SFTP session of " + session.user().name() + " is closed");
    }
  }
}
