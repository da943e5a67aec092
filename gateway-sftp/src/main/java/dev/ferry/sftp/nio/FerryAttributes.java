package dev.ferry.sftp.nio;

import dev.ferry.core.vfs.FileStat;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.sshd.sftp.client.SftpClient;

/**
 * What a client sees of a core {@link FileStat}: a regular file or a directory, its size and
 * modification time. S3 has no owners or modes: every entry shows as owned by the session's user
 * ({@code GatewayFileSystem.ownerName}) with fixed modes (0644 files, 0755 directories); what a
 * user may do is decided by core permissions.
 */
final class FerryAttributes implements PosixFileAttributes {

  private static final Set<PosixFilePermission> FILE_MODE = PosixFilePermissions.fromString("rw-r--r--");
  private static final Set<PosixFilePermission> DIRECTORY_MODE = PosixFilePermissions.fromString("rwxr-xr-x");
  /**
   * SFTP v3 carries times as 32-bit seconds, and MINA refuses more than 2^31-1: one later time
   * (FTPS's MFMT may set any) failed the whole stat or readdir reply and ended the SFTP session.
   * The time a client set is kept as it is; SFTP shows the nearest time it can carry.
   */
  static final Instant LATEST = Instant.ofEpochSecond(Integer.MAX_VALUE);

  private final FileStat stat;
  private final Owner owner;

  private FerryAttributes(FileStat stat, Owner owner) {
    this.stat = stat;
    this.owner = owner;
  }

  static FerryAttributes of(FileStat stat, String ownerName) {
    return new FerryAttributes(stat, new Owner(ownerName));
  }

  /**
   * The owner and the group, both the login name. MINA writes a long name ({@code ls -l}) from
   * the principal's {@code toString()}, not its {@code getName()}: a record prints what a lambda
   * could not.
   */
  private record Owner(String name) implements UserPrincipal, GroupPrincipal {
    @Override
    public String getName() {
      return name;
    }

    @Override
    public String toString() {
      return name;
    }
  }

  /** The attributes as the name → value map of NIO's "basic:*" and "posix:*" views. */
  Map<String, Object> asMap() {
    Map<String, Object> map = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    map.put("size", size());
    map.put("lastModifiedTime", lastModifiedTime());
    map.put("lastAccessTime", lastAccessTime());
    map.put("creationTime", creationTime());
    map.put("isRegularFile", isRegularFile());
    map.put("isDirectory", isDirectory());
    map.put("isSymbolicLink", false);
    map.put("isOther", false);
    map.put("fileKey", null);
    map.put("permissions", permissions());
    map.put("owner", owner());
    map.put("group", group());
    return map;
  }

  SftpClient.Attributes toSftp() {
    SftpClient.Attributes attributes = new SftpClient.Attributes();
    attributes.setType(stat.directory() ? org.apache.sshd.sftp.common.SftpConstants.SSH_FILEXFER_TYPE_DIRECTORY
        : org.apache.sshd.sftp.common.SftpConstants.SSH_FILEXFER_TYPE_REGULAR);
    attributes.setSize(stat.size());
    attributes.setPermissions((stat.directory() ? 040755 : 0100644));
    attributes.setModifyTime(lastModifiedTime());
    attributes.setAccessTime(lastModifiedTime());
    attributes.setOwner(owner.name());
    attributes.setGroup(owner.name());
    return attributes;
  }

  @Override
  public FileTime lastModifiedTime() {
    Instant time = stat.lastModified();
    return FileTime.from(time.isAfter(LATEST) ? LATEST : time.isBefore(Instant.EPOCH) ? Instant.EPOCH : time);
  }

  @Override
  public FileTime lastAccessTime() {
    return lastModifiedTime();
  }

  @Override
  public FileTime creationTime() {
    return lastModifiedTime();
  }

  @Override
  public boolean isRegularFile() {
    return !stat.directory();
  }

  @Override
  public boolean isDirectory() {
    return stat.directory();
  }

  @Override
  public boolean isSymbolicLink() {
    return false;
  }

  @Override
  public boolean isOther() {
    return false;
  }

  @Override
  public long size() {
    return stat.size();
  }

  @Override
  public Object fileKey() {
    return null;
  }

  @Override
  public UserPrincipal owner() {
    return owner;
  }

  @Override
  public GroupPrincipal group() {
    return owner;
  }

  @Override
  public Set<PosixFilePermission> permissions() {
    return stat.directory() ? DIRECTORY_MODE : FILE_MODE;
  }
}
