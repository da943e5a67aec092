package dev.ferry.sftp.subsystem;

import dev.ferry.core.path.VirtualPath;
import dev.ferry.core.upload.OffsetWriter;
import dev.ferry.sftp.nio.FerryFileSystem;
import dev.ferry.sftp.nio.FerryPath;
import dev.ferry.sftp.nio.SizeChannel;
import java.io.IOException;
import java.nio.channels.Channel;
import java.nio.channels.FileLock;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.CopyOption;
import java.nio.file.DirectoryStream;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.FileTime;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import org.apache.sshd.sftp.server.DirectoryHandle;
import org.apache.sshd.sftp.server.FileHandle;
import org.apache.sshd.sftp.server.SftpFileSystemAccessor;
import org.apache.sshd.sftp.server.SftpSubsystemProxy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * MINA's file operations on S3. The defaults assume a local {@code FileChannel} (lock, fsync,
 * copy); here they go to the Ferry NIO provider and core. Client paths pass through
 * core's {@code GatewayFileSystem.resolve} once, in {@link #resolveLocalFilePath}: nothing outside the home is
 * ever reached. Links do not exist. Closing a file never commits it: see {@link CommitOnClose}.
 */
public final class FerrySftpAccessor implements SftpFileSystemAccessor {

  private static final Logger log = LoggerFactory.getLogger(FerrySftpAccessor.class);

  @Override
  public Path resolveLocalFilePath(SftpSubsystemProxy subsystem, Path rootDir, String remotePath) throws IOException {
    VirtualPath cwd = VirtualPath.parse(rootDir.toAbsolutePath().toString());
    // Through the session's filesystem: a bad path is refused (and its ERROR line published) in core.
    VirtualPath resolved = ((FerryFileSystem) rootDir.getFileSystem()).session().resolve(cwd, remotePath);
    return rootDir.getFileSystem().getPath(resolved.toString());
  }

  @Override
  public SeekableByteChannel openFile(SftpSubsystemProxy subsystem, FileHandle fileHandle, Path file, String handle,
      Set<? extends OpenOption> options, FileAttribute<?>... attrs) throws IOException {
    if (fileHandle == null && options.contains(StandardOpenOption.WRITE)
        && !options.contains(StandardOpenOption.CREATE) && !options.contains(StandardOpenOption.TRUNCATE_EXISTING)) {
      // MINA opens a channel without a handle only to apply a SETSTAT of the size.
      return new SizeChannel((FerryPath) file);
    }
    return file.getFileSystem().provider().newByteChannel(file, options, attrs);
  }

  @Override
  public FileLock tryLock(SftpSubsystemProxy subsystem, FileHandle fileHandle, Path file, String handle,
      Channel channel, long position, long size, boolean shared) {
    throw new UnsupportedOperationException("byte-range locks are not supported; Ferry locks whole files while "
        + "they are written");
  }

  /** fsync@openssh.com: accepted; the file becomes durable (and visible) when it is closed. */
  @Override
  public void syncFileData(SftpSubsystemProxy subsystem, FileHandle fileHandle, Path file, String handle,
      Channel channel) {
    // nothing to flush: S3 has what was sent, the rest is committed by SSH_FXP_CLOSE
  }

  @Override
  public void closeFile(SftpSubsystemProxy subsystem, FileHandle fileHandle, Path file, String handle,
      Channel channel, Set<? extends OpenOption> options) throws IOException {
    if (channel != null) {
      channel.close();
    }
  }

  @Override
  public DirectoryStream<Path> openDirectory(SftpSubsystemProxy subsystem, DirectoryHandle dirHandle, Path dir,
      String handle, LinkOption... linkOptions) throws IOException {
    return dir.getFileSystem().provider().newDirectoryStream(dir, null);
  }

  @Override
  public Map<String, ?> readFileAttributes(SftpSubsystemProxy subsystem, Path file, String view,
      LinkOption... options) throws IOException {
    return file.getFileSystem().provider().readAttributes(file, view, options);
  }

  /**
   * Only the modification time is kept (as object metadata); S3 has no modes, owners or access
   * times, so those are accepted and ignored rather than failing {@code put -p} or scp -p.
   */
  @Override
  public void setFileAttribute(SftpSubsystemProxy subsystem, Path file, String view, String attribute,
      Object value, LinkOption... options) throws IOException {
    if (value == null) {
      return;
    }
    switch (attribute) {
      case "lastModifiedTime" -> {
        FerryPath path = (FerryPath) file;
        FerryFileSystem fileSystem = path.getFileSystem();
        fileSystem.forgetStats();
        VirtualPath virtual = path.virtual();
        OffsetWriter writing = fileSystem.writing(virtual);
        if (writing != null) {
          writing.setClientTime(((FileTime) value).toInstant());
        } else {
          fileSystem.session().setModifiedTime(virtual, ((FileTime) value).toInstant());
        }
      }
      case "permissions", "lastAccessTime", "creationTime", "uid", "gid", "owner", "group" ->
          log.debug("ignoring {}={} for {}: S3 does not keep it", attribute, value, file);
      default -> throw new UnsupportedOperationException("attribute " + attribute + " cannot be set");
    }
  }

  @Override
  public void createDirectory(SftpSubsystemProxy subsystem, Path path) throws IOException {
    path.getFileSystem().provider().createDirectory(path);
  }

  @Override
  public void createLink(SftpSubsystemProxy subsystem, Path link, Path existing, boolean symLink) {
    throw new UnsupportedOperationException((symLink ? "symbolic" : "hard") + " links are not supported: "
        + "files live in S3, which has no links");
  }

  @Override
  public String resolveLinkTarget(SftpSubsystemProxy subsystem, Path link) {
    throw new UnsupportedOperationException("there are no symbolic links: files live in S3");
  }

  @Override
  public void renameFile(SftpSubsystemProxy subsystem, Path oldPath, Path newPath, Collection<CopyOption> opts)
      throws IOException {
    oldPath.getFileSystem().provider().move(oldPath, newPath, opts.toArray(CopyOption[]::new));
  }

  @Override
  public void copyFile(SftpSubsystemProxy subsystem, Path src, Path dst, Collection<CopyOption> opts) {
    throw new UnsupportedOperationException("copying files on the server is not supported; download and upload");
  }

  @Override
  public void removeFile(SftpSubsystemProxy subsystem, Path path, boolean isDirectory) throws IOException {
    path.getFileSystem().provider().delete(path);
  }
}
