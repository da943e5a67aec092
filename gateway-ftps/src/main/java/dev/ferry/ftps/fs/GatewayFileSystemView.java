package dev.ferry.ftps.fs;

import dev.ferry.core.path.VirtualPath;
import dev.ferry.core.vfs.FileStat;
import dev.ferry.core.vfs.GatewayFileSystem;
import java.io.IOException;
import org.apache.ftpserver.ftplet.FileSystemView;
import org.apache.ftpserver.ftplet.FtpException;
import org.apache.ftpserver.ftplet.FtpFile;

/**
 * One FTP session's filesystem: the core {@link GatewayFileSystem} plus the working directory,
 * which is FTP session state. Closing it (FtpServer calls {@link #dispose()} when the session ends)
 * aborts any upload the session left open.
 */
public final class GatewayFileSystemView implements FileSystemView {

  private final GatewayFileSystem fs;
  private volatile VirtualPath cwd = VirtualPath.ROOT;

  GatewayFileSystemView(GatewayFileSystem fs) {
    this.fs = fs;
  }

  public GatewayFileSystem fileSystem() {
    return fs;
  }

  public VirtualPath cwd() {
    return cwd;
  }

  public void setCwd(VirtualPath path) {
    this.cwd = path;
  }

  /** Resolves a client argument against the working directory, by core's path rules (a bad one is refused there). */
  public VirtualPath resolve(String argument) throws IOException {
    return fs.resolve(cwd, argument == null ? "" : argument);
  }

  @Override
  public FtpFile getHomeDirectory() {
    return new GatewayFtpFile(VirtualPath.ROOT, new FileStat(VirtualPath.ROOT, true, 0, java.time.Instant.EPOCH), fs.ownerName());
  }

  @Override
  public FtpFile getWorkingDirectory() {
    return new GatewayFtpFile(cwd, new FileStat(cwd, true, 0, java.time.Instant.EPOCH), fs.ownerName());
  }

  /** Used by FtpServer's CDUP; Ferry's CWD replaces the rest. */
  @Override
  public boolean changeWorkingDirectory(String dir) throws FtpException {
    try {
      VirtualPath target = resolve(dir);
      if (!fs.stat(target).directory()) {
        return false;
      }
      cwd = target;
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  @Override
  public FtpFile getFile(String file) throws FtpException {
    try {
      VirtualPath path = resolve(file);
      FileStat stat = fs.exists(path) ? fs.stat(path) : null;
      return new GatewayFtpFile(path, stat, fs.ownerName());
    } catch (IOException e) {
      throw new FtpException(e.getMessage(), e);
    }
  }

  @Override
  public boolean isRandomAccessible() {
    return true;
  }

  @Override
  public void dispose() {
    fs.close();
  }
}
