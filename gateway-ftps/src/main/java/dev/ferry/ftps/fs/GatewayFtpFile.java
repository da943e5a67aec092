package dev.ferry.ftps.fs;

import dev.ferry.core.path.VirtualPath;
import dev.ferry.core.vfs.FileStat;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import org.apache.ftpserver.ftplet.FtpFile;

/**
 * The little FtpServer's own commands (PWD, CDUP, STAT) need of a file: its path and, when
 * known, its stat. Every command that reads, writes or changes files is Ferry's own and talks to
 * core directly, so the mutating methods here refuse.
 */
final class GatewayFtpFile implements FtpFile {

  private final VirtualPath path;
  private final FileStat stat;
  private final String owner;

  GatewayFtpFile(VirtualPath path, FileStat stat, String owner) {
    this.path = path;
    this.stat = stat;
    this.owner = owner;
  }

  @Override
  public String getAbsolutePath() {
    return path.toString();
  }

  @Override
  public String getName() {
    return path.name();
  }

  @Override
  public boolean isHidden() {
    return false;
  }

  @Override
  public boolean isDirectory() {
    return stat != null && stat.directory();
  }

  @Override
  public boolean isFile() {
    return stat != null && !stat.directory();
  }

  @Override
  public boolean doesExist() {
    return stat != null;
  }

  @Override
  public boolean isReadable() {
    return stat != null;
  }

  @Override
  public boolean isWritable() {
    return false;
  }

  @Override
  public boolean isRemovable() {
    return false;
  }

  @Override
  public String getOwnerName() {
    return owner;
  }

  @Override
  public String getGroupName() {
    return owner;
  }

  @Override
  public int getLinkCount() {
    return 1;
  }

  @Override
  public long getLastModified() {
    return stat == null ? 0 : stat.lastModified().toEpochMilli();
  }

  @Override
  public boolean setLastModified(long time) {
    return false;
  }

  @Override
  public long getSize() {
    return stat == null ? 0 : stat.size();
  }

  @Override
  public Object getPhysicalFile() {
    return path;
  }

  @Override
  public boolean mkdir() {
    return false;
  }

  @Override
  public boolean delete() {
    return false;
  }

  @Override
  public boolean move(FtpFile destination) {
    return false;
  }

  @Override
  public List<? extends FtpFile> listFiles() {
    return List.of();
  }

  @Override
  public OutputStream createOutputStream(long offset) throws IOException {
    throw new IOException("not available through this command");
  }

  @Override
  public InputStream createInputStream(long offset) throws IOException {
    throw new IOException("not available through this command");
  }
}
