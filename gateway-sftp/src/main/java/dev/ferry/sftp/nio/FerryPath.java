package dev.ferry.sftp.nio;

import dev.ferry.core.path.BadPathException;
import dev.ferry.core.path.VirtualPath;
import dev.ferry.core.vfs.FileStat;
import java.nio.file.LinkOption;
import java.util.List;
import org.apache.sshd.common.file.util.BasePath;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.client.fs.WithFileAttributes;

/**
 * A path in one session's view of S3. A path taken from a directory listing carries the entry's
 * {@link FileStat}, so listing 100,000 keys costs no request per entry (MINA reads
 * {@link WithFileAttributes} instead of asking for attributes).
 */
public final class FerryPath extends BasePath<FerryPath, FerryFileSystem> implements WithFileAttributes {

  private final FileStat listed;
  /**
   * Set on the path of a directory once it is opened for listing: MINA checks at every READDIR
   * that the directory still exists, is a directory and is readable (three stats, each a HEAD and a
   * LIST in S3, for every 16 KiB of entries), which made a 10,000-entry listing take 15 s on
   * S3Proxy. A directory being listed counts as there until the listing ends, as its entries do.
   */
  private volatile FileStat beingListed;

  FerryPath(FerryFileSystem fileSystem, String root, List<String> names, FileStat listed) {
    super(fileSystem, root, names);
    this.listed = listed;
  }

  /** The core path; anything that is not a plain path inside the home is refused there. */
  public VirtualPath virtual() throws BadPathException {
    return VirtualPath.parse(toAbsolutePath().toString());
  }

  FileStat listed() {
    return listed != null ? listed : beingListed;
  }

  void beingListed(FileStat directory) {
    beingListed = directory;
  }

  @Override
  public SftpClient.Attributes getAttributes() {
    return listed == null ? null : getFileSystem().attributesOf(listed).toSftp();
  }

  @Override
  public FerryPath toRealPath(LinkOption... options) {
    return toAbsolutePath().normalize();
  }
}
