package dev.ferry.sftp.subsystem;

import dev.ferry.core.path.BadPathException;
import dev.ferry.core.path.VirtualPath;
import dev.ferry.core.vfs.ChecksumAlgorithm;
import dev.ferry.core.vfs.FileChecksum;
import dev.ferry.core.vfs.GatewayFileSystem;
import dev.ferry.sftp.nio.FerryFileStore;
import dev.ferry.sftp.nio.FerryFileSystem;
import dev.ferry.sftp.nio.FerryPath;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.sshd.common.NamedFactory;
import org.apache.sshd.common.digest.Digest;
import org.apache.sshd.common.util.buffer.Buffer;
import org.apache.sshd.common.util.buffer.BufferUtils;
import org.apache.sshd.common.util.buffer.ByteArrayBuffer;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.sftp.SftpModuleProperties;
import org.apache.sshd.sftp.client.extensions.openssh.OpenSSHStatExtensionInfo;
import org.apache.sshd.sftp.common.SftpConstants;
import org.apache.sshd.sftp.common.SftpException;
import org.apache.sshd.sftp.server.DirectoryHandle;
import org.apache.sshd.sftp.server.FileHandle;
import org.apache.sshd.sftp.server.SftpSubsystem;
import org.apache.sshd.sftp.server.SftpSubsystemConfigurator;

/**
 * MINA's SFTP subsystem with twelve additions, since MINA SSHD 2.15 has no other extension point
 * for them (the one subclass of {@link SftpSubsystem}, against the house rule):
 *
 * <ul>
 *   <li>statvfs@openssh.com, which OpenSSH's {@code df} and clients that check free space before an
 *       upload send; the answer describes the path's {@link FileStore}, a fixed large capacity,
 *       since S3 has none to report.
 *   <li>users-groups-by-id@openssh.com, which OpenSSH's {@code ls -l} asks to name the owner and
 *       group of each entry: every id is the session's login name, as in the long names of a
 *       listing (S3 has no owners).
 *   <li>Each request starts with a fresh {@link FerryFileSystem#forgetStats() stat memo}: MINA
 *       looks at a path two to four times while answering one request, and each look is an S3
 *       HEAD and often a LIST. For remove, rmdir, mkdir and opendir, whose core operations check
 *       the path themselves, MINA's look is {@linkplain FerryFileSystem#leaveCheckToCore left to
 *       them}, and so is its look at a directory before each READDIR of an open listing; before an
 *       lstat or a remove MINA looks at every folder above the path too, and so it does above an open
 *       file before an FSTAT or FSETSTAT: they are taken to be folders
 *       ({@link FerryFileSystem#ancestorsAreDirectories}).
 *   <li>copy-data ({@code sftp cp}) copies the version the source had when it was opened
 *       ({@link HandleCopy}).
 *   <li>A client's disconnect stays out of the ERROR log (see
 *       {@link #error(String, Object, Object, Object, Object, Throwable)}).
 *   <li>Large replies reach the channel without a second copy (see {@link #send(Buffer)}), and a
 *       READ's data is read into the packets that carry it (see {@link #doRead(Buffer, int)}).
 *   <li>A reply does not zero-fill the request buffer it reuses (see {@link #prepareReply(Buffer)}).
 *   <li>Large requests (writes) wait for the SFTP thread in pooled buffers, and READ replies are read
 *       into pooled packets (see {@link SftpBuffers}).
 *   <li>A stat or opendir that cannot tell whether the path exists (S3 or the state store is
 *       unreachable) fails with that reason, where MINA answered OK with no attributes, or
 *       "permission denied" (see {@link #handleUnknownStatusFileAttributes}).
 *   <li>A session has at most {@code sftp.maxOpenHandles} files and directories open (see
 *       {@link #generateFileHandle}).
 *   <li>A read of 0 bytes gets empty data (see {@link #doRead}).
 *   <li>check-file-name and check-file-handle of a whole file are core's checksum, which answers a
 *       SHA-256 Ferry recorded without reading the file (see {@link #doCheckFileHash}).
 * </ul>
 */
final class FerrySftpSubsystem extends SftpSubsystem {

  static final String STATVFS = "statvfs@openssh.com";
  static final String USERS_GROUPS_BY_ID = "users-groups-by-id@openssh.com";

  private static final long NAME_MAX = 255;

  /** check-file's algorithm names (MINA's digests) that core's checksums answer. */
  private static final Map<String, ChecksumAlgorithm> CHECK_FILE_ALGORITHMS = Map.of(
      "sha256", ChecksumAlgorithm.SHA_256, "sha1", ChecksumAlgorithm.SHA_1, "md5", ChecksumAlgorithm.MD5);

  private final int maxOpenHandles;
  private final SftpBuffers buffers;

  FerrySftpSubsystem(ChannelSession channel, SftpSubsystemConfigurator configurator, int maxOpenHandles,
      SftpBuffers buffers) {
    super(channel, configurator);
    this.maxOpenHandles = maxOpenHandles;
    this.buffers = buffers;
  }

  /**
   * MINA's own split of the channel's bytes into requests for the SFTP thread, each copied into a
   * buffer from {@link SftpBuffers} instead of a new array.
   */
  @Override
  public int data(ChannelSession channel, byte[] buf, int start, int len) throws IOException {
    buffer.compact();
    buffer.putRawBytes(buf, start, len);
    while (buffer.available() >= Integer.BYTES) {
      int rpos = buffer.rpos();
      int length = buffer.getInt();
      if (buffer.available() < length) {
        buffer.rpos(rpos);
        break;
      }
      Buffer request = buffers.request(length + Integer.BYTES);
      request.putUInt(length);
      request.putRawBytes(buffer.array(), buffer.rpos(), length);
      requests.add(request);
      buffer.rpos(rpos + length + Integer.BYTES);
    }
    return 0;
  }

  /** Each request's buffer goes back to its pool once the request is answered (see {@link SftpBuffers}). */
  @Override
  protected void process(Buffer request) throws IOException {
    try {
      super.process(request);
    } finally {
      SftpBuffers.release(request);
    }
  }

  /**
   * Refuses a new handle beyond {@code sftp.maxOpenHandles}. Every handle can hold a share of
   * Ferry: an upload with its path lock, multipart upload and spill file, a download's read-ahead,
   * a listing's pages. MINA's own limit (MAX_OPEN_HANDLES_PER_SESSION) answers with a v6 status
   * ("no space on filesystem") that v3 clients show as a bare failure and no setting to look for.
   * Called before the file is opened, so a refused open changes nothing.
   */
  @Override
  protected String generateFileHandle(Path file) throws IOException {
    int open = handles.size();
    if (open >= maxOpenHandles) {
      throw new SftpException(SftpConstants.SSH_FX_FAILURE,
          "too many open handles (" + open + ", sftp.maxOpenHandles); close some before opening more");
    }
    return super.generateFileHandle(file);
  }

  /**
   * MINA logs at ERROR whatever ends its request loop before the subsystem is marked closed. A
   * client that disconnects while a request runs ends it that way ("Write attempt on closing
   * session"), which is not a server error: with the session or channel closing, it is logged at
   * INFO. Anything else stays ERROR.
   */
  @Override
  protected void error(String message, Object o1, Object o2, Object o3, Object o4, Throwable t) {
    if (getServerChannelSession().isClosing() || getServerSession().isClosing()) {
      log.info("SFTP subsystem of {} ended by the closing session after {} requests: {}", o1, o3, o4);
      return;
    }
    super.error(message, o1, o2, o3, o4, t);
  }

  /**
   * A read of 0 bytes is answered with empty data, as OpenSSH's server answers it ("weird, but not
   * strictly disallowed"); MINA refused it as a bad message. sshj's readAllBytes on JDK 17 sends one
   * for any file over 8 KiB, and failed on Ferry (issue 40, item 5).
   */
  @Override
  protected int doRead(int id, String handle, long offset, int length, byte[] data, int doff,
      AtomicReference<Boolean> eof) throws IOException {
    if (length == 0) {
      validateHandle(handle, handles.get(handle), FileHandle.class);
      return 0;
    }
    return super.doRead(id, handle, offset, length, data, doff, eof);
  }

  /**
   * A READ's data is read straight into the SSH packets that carry it ({@link ReadReply}), for
   * SFTP up to version 5 (version 6 adds an end-of-file flag after the data, which MINA's own path
   * still writes). A read of 0 bytes or of a bad length is MINA's, as above.
   */
  @Override
  protected void doRead(Buffer buffer, int id) throws IOException {
    int start = buffer.rpos();
    String handle = buffer.getString(StandardCharsets.ISO_8859_1);
    long offset = buffer.getLong();
    int requested = buffer.getInt();
    int length = Math.min(requested, SftpModuleProperties.MAX_READDATA_PACKET_LENGTH.getRequired(getServerSession()));
    if (length <= 0 || getVersion() >= SftpConstants.SFTP_V6) {
      buffer.rpos(start);
      super.doRead(buffer, id);
      return;
    }
    long packetSize = getServerChannelSession().getRemoteWindow().getPacketSize();
    List<Buffer> packets;
    try {
      packets = ReadReply.read(count -> buffers.packet(getServerSession(), count),
          (int) Math.min(Integer.MAX_VALUE, packetSize), id, offset, length,
          (at, data, into, count) -> doRead(id, handle, at, count, data, into, null));
    } catch (IOException | RuntimeException e) {
      sendStatus(prepareReply(buffer), id, e, SftpConstants.SSH_FXP_READ, offset, requested);
      return;
    }
    for (Buffer packet : packets) {
      // Back to the pool once written; a failed write's packet is left to the garbage collector, as
      // nothing says MINA is done with it.
      out.writeBuffer(packet).addListener(written -> {
        if (written.isWritten()) {
          SftpBuffers.release(packet);
        }
      });
    }
  }

  /**
   * A hash of the whole file (offset 0, no block size, no length or one that covers it) is core's
   * {@link GatewayFileSystem#checksum}: a recorded SHA-256 costs a HEAD instead of a read of the
   * file, and a computed one is read as the session's download. The hash follows the algorithm's
   * name as raw bytes, as draft-ietf-secsh-filexfer-extensions-00 lays the reply out (MINA puts a
   * length before each hash, which paramiko reads as part of it). Ranges and per-block hashes
   * are MINA's, read through the same file system.
   */
  @Override
  protected void doCheckFileHash(int id, Path file, NamedFactory<? extends Digest> factory, long startOffset,
      long length, int blockSize, Buffer buffer) throws Exception {
    Optional<ChecksumAlgorithm> algorithm = CHECK_FILE_ALGORITHMS.entrySet().stream()
        .filter(entry -> entry.getKey().equalsIgnoreCase(factory.getName())).map(Map.Entry::getValue).findFirst();
    if (file instanceof FerryPath path && algorithm.isPresent() && startOffset == 0 && blockSize == 0
        && (length == 0 || length >= Files.size(file))) {
      FileChecksum checksum = path.getFileSystem().session().checksum(path.virtual(), algorithm.get());
      buffer.putString(factory.getName());
      buffer.putRawBytes(HexFormat.of().parseHex(checksum.hex()));
      return;
    }
    super.doCheckFileHash(id, file, factory, startOffset, length, blockSize, buffer);
  }

  @Override
  protected void doProcess(Buffer buffer, int length, int type, int id) throws IOException {
    if (fileSystem instanceof FerryFileSystem ferry) {
      ferry.forgetStats();
      FerryFileSystem.ExpectedKind expected = switch (type) {
        case SftpConstants.SSH_FXP_REMOVE -> FerryFileSystem.ExpectedKind.FILE;
        case SftpConstants.SSH_FXP_RMDIR, SftpConstants.SSH_FXP_OPENDIR -> FerryFileSystem.ExpectedKind.DIRECTORY;
        case SftpConstants.SSH_FXP_MKDIR -> FerryFileSystem.ExpectedKind.MISSING;
        default -> null;
      };
      if (expected != null || type == SftpConstants.SSH_FXP_LSTAT) {
        leaveCheckToCore(ferry, buffer, expected);
      } else if (type == SftpConstants.SSH_FXP_READDIR) {
        listedAlready(ferry, buffer);
      } else if (type == SftpConstants.SSH_FXP_FSTAT || type == SftpConstants.SSH_FXP_FSETSTAT) {
        openedAlready(ferry, buffer);
      }
    }
    super.doProcess(buffer, length, type, id);
  }

  /**
   * MINA looks at a directory again before each READDIR of its handle (a HEAD and a LIST each time,
   * which its own comment calls questionable), and at its parent for the ".." entry it sends first;
   * the handle's listing, open since the OPENDIR, fails by itself if S3 does, and a directory that
   * is there has folders above it.
   */
  private void listedAlready(FerryFileSystem ferry, Buffer buffer) {
    int start = buffer.rpos();
    try {
      if (handles.get(buffer.getString()) instanceof DirectoryHandle directory
          && directory.getFile() instanceof FerryPath path) {
        ferry.leaveCheckToCore(path.virtual(), FerryFileSystem.ExpectedKind.DIRECTORY);
      }
    } catch (BadPathException | RuntimeException unreadable) {
      // MINA reads the handle next and refuses it with the reason
    } finally {
      buffer.rpos(start);
    }
  }

  /**
   * Before an FSTAT or FSETSTAT MINA looks at every folder above the handle's file, as before an
   * lstat (a HEAD and a LIST each: sshfs sends an FSTAT after each create, so a copy into a folder
   * two down paid four requests a file for it). The file was opened in them, so they are folders;
   * the file itself is still asked about.
   */
  private void openedAlready(FerryFileSystem ferry, Buffer buffer) {
    int start = buffer.rpos();
    try {
      if (handles.get(buffer.getString()) instanceof FileHandle file && file.getFile() instanceof FerryPath path) {
        ferry.ancestorsAreDirectories(path.virtual());
      }
    } catch (BadPathException | RuntimeException unreadable) {
      // MINA reads the handle next and refuses it with the reason
    } finally {
      buffer.rpos(start);
    }
  }

  /** The request's path (its first field, read without consuming it): see {@link FerryFileSystem#leaveCheckToCore}. */
  private void leaveCheckToCore(FerryFileSystem ferry, Buffer buffer, FerryFileSystem.ExpectedKind expected) {
    int start = buffer.rpos();
    try {
      // Resolved as FerrySftpAccessor resolves it, but quietly: a bad path is refused, with its one
      // ERROR line, when MINA resolves it next.
      VirtualPath cwd = VirtualPath.parse(getDefaultDirectory().toAbsolutePath().toString());
      VirtualPath path = VirtualPath.parse(cwd, buffer.getString());
      if (expected == null) {
        ferry.ancestorsAreDirectories(path); // an lstat: S3 is asked about the path itself
      } else {
        ferry.leaveCheckToCore(path, expected);
      }
    } catch (BadPathException | RuntimeException unresolvable) {
      // MINA reads the same path next and refuses it with the reason
    } finally {
      buffer.rpos(start);
    }
  }

  /**
   * MINA writes each reply into its request's buffer and first zero-fills that whole buffer. A
   * write request's buffer holds the 32 KiB (or more) of file data it carried, so every status
   * reply to a write wiped 32 KiB: over a quarter of the SFTP thread's time in an upload went to
   * that fill. The reply is written from position 0 and sent up to its end, so the old bytes behind
   * it are never sent; they are file data on its way to S3 anyway, not a secret.
   */
  @Override
  protected Buffer prepareReply(Buffer buffer) {
    if (SftpBuffers.isPooled(buffer)) {
      // Its array goes back to the pool when the request is answered, before the reply is sent.
      Buffer reply = new ByteArrayBuffer(Long.SIZE * 2, false);
      reply.putUInt(0L);
      return reply;
    }
    buffer.clear(false);
    buffer.putUInt(0L); // the packet length, filled in by send
    return buffer;
  }

  /**
   * MINA asks whether a path exists with a check that turns every failure but "no such file" into
   * "unknown", and then answers a stat OK with empty attributes (which clients show as a file of
   * size 0 from 1970). Ferry's stat fails only when S3 or the state store does: asking once more
   * throws that failure, which the client then gets as the reason.
   */
  @Override
  protected NavigableMap<String, Object> handleUnknownStatusFileAttributes(Path file, int flags,
      LinkOption... options) throws IOException {
    Files.readAttributes(file, BasicFileAttributes.class, options);
    return super.handleUnknownStatusFileAttributes(file, flags, options);
  }

  /** The same for opendir, which MINA refuses as "Cannot determine open-dir existence" (permission denied). */
  @Override
  protected String doOpenDir(int id, String path, Path dir, LinkOption... options) throws IOException {
    try {
      return super.doOpenDir(id, path, dir, options);
    } catch (AccessDeniedException unknown) {
      if (unknown.getReason() != null && unknown.getReason().startsWith("Cannot determine")) {
        Files.readAttributes(dir, BasicFileAttributes.class, options);
      }
      throw unknown;
    }
  }

  /**
   * MINA refuses rmdir of anything that is not a directory as "not a directory", a missing path
   * too; a missing one is told so (and a storage error is told as itself).
   */
  @Override
  protected void doRemoveDirectory(int id, String path) throws IOException {
    try {
      super.doRemoveDirectory(id, path);
    } catch (NotDirectoryException notADirectory) {
      Files.readAttributes(resolveFile(path), BasicFileAttributes.class);
      throw notADirectory;
    }
  }

  /** copy-data, which OpenSSH's {@code sftp cp} sends: see {@link HandleCopy}. */
  @Override
  protected void doCopyData(int id, String readHandle, long readOffset, long readLength, String writeHandle,
      long writeOffset) throws IOException {
    FileHandle source = validateHandle(readHandle, handles.get(readHandle), FileHandle.class);
    FileHandle target = validateHandle(writeHandle, handles.get(writeHandle), FileHandle.class);
    // A long copy is activity, not an idle session; a closing session stops it.
    new HandleCopy(source, target, () -> {
      if (getServerChannelSession().isClosing()) {
        throw new IOException("copy-data to " + target.getFile() + " stopped: the session is closing");
      }
      getServerSession().resetIdleTimeout();
    }).copy(readOffset, readLength, writeOffset);
  }

  @Override
  protected void executeExtendedCommand(Buffer buffer, int id, String extension) throws IOException {
    switch (extension) {
      case STATVFS -> statvfs(buffer, id);
      case USERS_GROUPS_BY_ID -> usersGroupsById(buffer, id);
      // The draft's first name for check-file-handle, which paramiko's SFTPFile.check sends.
      case SftpConstants.EXT_CHECK_FILE -> doCheckFileHash(buffer, id, SftpConstants.EXT_CHECK_FILE_HANDLE);
      default -> super.executeExtendedCommand(buffer, id, extension);
    }
  }

  /**
   * OpenSSH's PROTOCOL: two strings of uint32 ids (users, then groups) in, two strings of names
   * in the same order out. Every id is the login name.
   */
  private void usersGroupsById(Buffer buffer, int id) throws IOException {
    int users = buffer.getBytes().length / Integer.BYTES;
    int groups = buffer.getBytes().length / Integer.BYTES;
    String name = fileSystem instanceof FerryFileSystem ferry ? ferry.session().ownerName() : "";
    Buffer reply = prepareReply(buffer);
    reply.putByte((byte) SftpConstants.SSH_FXP_EXTENDED_REPLY);
    reply.putInt(id);
    for (int count : new int[] {users, groups}) {
      ByteArrayBuffer names = new ByteArrayBuffer();
      for (int i = 0; i < count; i++) {
        names.putString(name);
      }
      reply.putBytes(names.array(), names.rpos(), names.available());
    }
    send(reply);
  }

  private void statvfs(Buffer buffer, int id) throws IOException {
    String path = buffer.getString();
    OpenSSHStatExtensionInfo info;
    try {
      Path resolved = resolveFile(path);
      Files.readAttributes(resolved, BasicFileAttributes.class); // as on a disk: the path must exist
      info = describe(Files.getFileStore(resolved));
    } catch (IOException | RuntimeException e) {
      sendStatus(prepareReply(buffer), id, e, SftpConstants.SSH_FXP_EXTENDED, STATVFS, path);
      return;
    }
    Buffer reply = prepareReply(buffer);
    reply.putByte((byte) SftpConstants.SSH_FXP_EXTENDED_REPLY);
    reply.putInt(id);
    info.encode(reply);
    send(reply);
  }

  /** The session's "disk" as statvfs tells it: its user's quota and what is left of it, where there is one. */
  private static OpenSSHStatExtensionInfo describe(FileStore store) throws IOException {
    OpenSSHStatExtensionInfo info = new OpenSSHStatExtensionInfo();
    FerryFileStore.Space space = ((FerryFileStore) store).space();
    long block = store.getBlockSize();
    info.f_bsize = block;
    info.f_frsize = block;
    info.f_blocks = space.totalBytes() / block;
    info.f_bfree = space.freeBytes() / block;
    info.f_bavail = space.freeBytes() / block;
    info.f_files = space.totalFiles();
    info.f_ffree = space.freeFiles();
    info.f_favail = space.freeFiles();
    info.f_flag = store.isReadOnly() ? OpenSSHStatExtensionInfo.SSH_FXE_STATVFS_ST_RDONLY : 0;
    info.f_namemax = NAME_MAX;
    return info;
  }

  /**
   * Hands a reply to the channel in pieces of at most one SSH packet, each a view of the reply's
   * own array. Read replies (up to 256 KiB) are larger than the packet OpenSSH accepts (32 KiB), and
   * MINA's channel stream copies a reply it must split into a new array before packing it: a
   * second copy of every downloaded byte, and an allocation of the reply's size, for nothing.
   */
  @Override
  protected void send(Buffer buffer) throws IOException {
    BufferUtils.updateLengthPlaceholder(buffer, 0);
    long packetSize = getServerChannelSession().getRemoteWindow().getPacketSize();
    int piece = (int) Math.min(Integer.MAX_VALUE, Math.max(1, packetSize));
    if (buffer.available() <= piece) {
      out.writeBuffer(buffer);
      return;
    }
    byte[] array = buffer.array();
    for (int at = buffer.rpos(), end = buffer.wpos(); at < end; at += piece) {
      out.writeBuffer(new ByteArrayBuffer(array, at, Math.min(piece, end - at)));
    }
  }
}
