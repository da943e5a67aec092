package dev.ferry.jobs.remote;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.channel.ClientChannelEvent;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.client.SftpClient.OpenMode;
import org.apache.sshd.sftp.client.SftpClientFactory;
import org.apache.sshd.sftp.client.extensions.openssh.OpenSSHPosixRenameExtension;
import org.apache.sshd.sftp.client.extensions.openssh.OpenSSHStatExtensionInfo;
import org.apache.sshd.sftp.client.extensions.openssh.OpenSSHStatPathExtension;
import org.apache.sshd.sftp.client.impl.AbstractSftpClient;
import org.apache.sshd.sftp.client.impl.SftpOutputStreamAsync;
import org.apache.sshd.sftp.common.SftpConstants;
import org.apache.sshd.sftp.common.SftpException;

/**
 * One SSH connection to a remote, new or lent by the idle pool: SFTP (one client, opened on first
 * use and kept with the connection) for file operations, a channel per writer (one finished with is
 * kept with the connection for the next), a new exec channel per shell command. MINA
 * and SFTP failures become {@link RemoteException}s naming the host, operation and path. Once
 * closed, the session does nothing more, whether its connection closed or went back to the pool.
 */
final class MinaRemoteSession implements RemoteSession {

  /** Data per SFTP write request: below OpenSSH's 256 KiB message limit, a quarter of the requests of 32 KiB. */
  static final int WRITE_SIZE = 128 * 1024;

  /**
   * Data per SFTP read request: what OpenSSH's sftp asks for. MINA's reader keeps the channel's
   * window (2 MiB) of requests in flight, 64 of these.
   */
  static final int READ_SIZE = 32 * 1024;

  private final RemoteHost host;
  private final ClientSession session;
  private final IdleConnections pool;
  private SftpClient sftp;
  /** Guarded by this: an SFTP channel a writer finished with, for the next writer (of this job or the next). */
  private SftpClient spareWriter;
  /**
   * Held around each use of the shared SFTP client: MINA's client fails a request sent while
   * another thread's is being written ("A write operation is already pending"), and parts check
   * and record their files from several threads. Not this object's monitor, which a cancel's
   * close takes while an SFTP call may be blocked.
   */
  private final Object sftpCalls = new Object();
  /** Guarded by this: the session ended; its connection is closed or lent to another session. */
  private boolean closed;
  private volatile boolean reusable;

  MinaRemoteSession(RemoteHost host, IdleConnections.Connection connection, IdleConnections pool) {
    this.host = host;
    this.session = connection.session();
    this.sftp = connection.sftp();
    this.spareWriter = connection.spareWriter();
    this.pool = pool;
  }

  @Override
  public void markReusable() {
    reusable = true;
  }

  /** Fails once the session ended: its connection may be another session's now. */
  private synchronized void ensureOpen() throws RemoteException {
    if (closed) {
      throw new RemoteException(RemoteException.Kind.CONNECTION, "session to remote '" + host.name()
          + "' is closed", null);
    }
  }

  private synchronized SftpClient sftp() throws IOException {
    ensureOpen();
    if (sftp == null) {
      try {
        sftp = SftpClientFactory.instance().createSftpClient(session);
      } catch (IOException e) {
        throw failure("open SFTP", "", e);
      }
    }
    return sftp;
  }

  @Override
  public ExecResult exec(String commandLine, Duration timeout) throws IOException {
    return exec(commandLine, timeout, false);
  }

  @Override
  public ExecResult execHungUpOnClose(String commandLine, Duration timeout) throws IOException {
    return exec(commandLine, timeout, true);
  }

  private ExecResult exec(String commandLine, Duration timeout, boolean onTerminal) throws IOException {
    ensureOpen();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    try (ChannelExec channel = opened(commandLine, onTerminal, out, err)) {
      return ended(channel, timeout, out, err);
    } catch (RemoteException e) {
      throw e;
    } catch (IOException e) {
      throw failure("exec", "", e);
    }
  }

  /** An exec channel of {@code commandLine}, open, its output going to {@code out} and {@code err}. */
  private ChannelExec opened(String commandLine, boolean onTerminal, ByteArrayOutputStream out,
      ByteArrayOutputStream err) throws RemoteException {
    ChannelExec channel = null;
    try {
      channel = session.createExecChannel(commandLine);
      channel.setUsePty(onTerminal);
      channel.setOut(out);
      channel.setErr(err);
      channel.open().verify(MinaRemoteConnector.CONNECT_TIMEOUT);
      return channel;
    } catch (IOException e) {
      if (channel != null) {
        channel.close(true);
      }
      throw failure("exec", "", e);
    }
  }

  /** Waits for {@code channel}'s command to end: its exit status and what it printed. */
  private ExecResult ended(ChannelExec channel, Duration timeout, ByteArrayOutputStream out,
      ByteArrayOutputStream err) throws RemoteException {
    Set<ClientChannelEvent> events = channel.waitFor(EnumSet.of(ClientChannelEvent.CLOSED), timeout);
    if (events.contains(ClientChannelEvent.TIMEOUT)) {
      throw new RemoteException(RemoteException.Kind.CONNECTION, "command on remote '" + host.name()
          + "' did not end within " + timeout, null);
    }
    Integer status = channel.getExitStatus();
    if (status == null) {
      throw new RemoteException(RemoteException.Kind.CONNECTION, "connection to remote '" + host.name()
          + "' lost while a command ran (no exit status)", null);
    }
    return new ExecResult(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @Override
  public FedCommand startFed(String commandLine) throws IOException {
    ensureOpen();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    ChannelExec started = opened(commandLine, false, out, err);
    OutputStream input = started.getInvertedIn();
    return new FedCommand() {
      @Override
      public void send(String line) throws IOException {
        try {
          input.write((line + "\n").getBytes(StandardCharsets.UTF_8));
          input.flush();
        } catch (IOException e) {
          throw failure("write to a command", "", e);
        }
      }

      @Override
      public ExecResult finish(Duration timeout) throws IOException {
        try {
          input.close();
          return ended(started, timeout, out, err);
        } catch (RemoteException e) {
          throw e;
        } catch (IOException e) {
          throw failure("exec", "", e);
        } finally {
          started.close(true);
        }
      }

      @Override
      public void close() {
        started.close(true);
      }
    };
  }

  @Override
  public OptionalLong size(String path) throws IOException {
    return attributes(path, true).map(a -> OptionalLong.of(a.getSize())).orElse(OptionalLong.empty());
  }

  /** stat (links followed) or lstat of the path; empty when nothing is there. */
  private Optional<SftpClient.Attributes> attributes(String path, boolean followLinks) throws IOException {
    synchronized (sftpCalls) {
      try {
        return Optional.of(followLinks ? sftp().stat(path) : sftp().lstat(path));
      } catch (SftpException e) {
        if (e.getStatus() == SftpConstants.SSH_FX_NO_SUCH_FILE) {
          return Optional.empty();
        }
        throw failure("stat", path, e);
      } catch (IOException e) {
        throw failure("stat", path, e);
      }
    }
  }

  @Override
  public List<RemoteEntry> list(String directory) throws IOException {
    synchronized (sftpCalls) {
      try {
        List<RemoteEntry> entries = new ArrayList<>();
        for (SftpClient.DirEntry entry : sftp().readDir(directory)) {
          String name = entry.getFilename();
          if (!name.equals(".") && !name.equals("..")) {
            entries.add(entry(name, entry.getAttributes()));
          }
        }
        return entries;
      } catch (IOException e) {
        throw failure("list", directory, e);
      }
    }
  }

  @Override
  public Optional<RemoteEntry> stat(String path) throws IOException {
    return attributes(path, true).map(a -> entry(path.substring(path.lastIndexOf('/') + 1), a));
  }

  private static RemoteEntry entry(String name, SftpClient.Attributes attributes) {
    RemoteEntry.Type type = attributes.isSymbolicLink() ? RemoteEntry.Type.LINK
        : attributes.isDirectory() ? RemoteEntry.Type.DIRECTORY
        : attributes.isRegularFile() ? RemoteEntry.Type.FILE : RemoteEntry.Type.OTHER;
    FileTime modified = attributes.getModifyTime();
    return new RemoteEntry(name, type, attributes.getSize(), modified == null ? Instant.EPOCH : modified.toInstant());
  }

  @Override
  public String realPath(String path) throws IOException {
    synchronized (sftpCalls) {
      try {
        return sftp().canonicalPath(path);
      } catch (IOException e) {
        throw failure("realpath", path, e);
      }
    }
  }

  @Override
  public InputStream read(String path) throws IOException {
    try {
      return sftp().read(path, READ_SIZE);
    } catch (IOException e) {
      throw failure("open for reading", path, e);
    }
  }

  @Override
  public byte[] readStart(String path, int limit) throws IOException {
    synchronized (sftpCalls) {
      try (InputStream in = sftp().read(path, READ_SIZE)) {
        return in.readNBytes(limit);
      } catch (IOException e) {
        throw failure("read", path, e);
      }
    }
  }

  @Override
  public void remove(String path) throws IOException {
    synchronized (sftpCalls) {
      try {
        sftp().remove(path);
      } catch (IOException e) {
        throw failure("remove", path, e);
      }
    }
  }

  @Override
  public boolean exists(String path) throws IOException {
    return attributes(path, false).isPresent();
  }

  @Override
  public void mkdirs(String directory) throws IOException {
    // The deepest first: where the parent exists (the common case) this is one round trip, not one
    // stat per segment.
    synchronized (sftpCalls) {
      if (madeOrThere(directory)) {
        return;
      }
      // Another job, on a connection of its own, may be making the same parents: one that appeared
      // since the first try is not made again, and the directory is tried once more either way.
      String parent = directory.substring(0, Math.max(0, directory.lastIndexOf('/')));
      if (!parent.isEmpty() && !exists(parent)) {
        mkdirs(parent);
      }
      try {
        sftp().mkdir(directory);
      } catch (IOException e) {
        if (!exists(directory)) {
          throw failure("mkdir", directory, e);
        }
      }
    }
  }

  /** One mkdir; true when it made the directory or the directory is there (made by someone else). */
  private boolean madeOrThere(String directory) throws IOException {
    try {
      sftp().mkdir(directory);
      return true;
    } catch (IOException e) {
      return exists(directory);
    }
  }

  @Override
  public void rename(String from, String to) throws IOException {
    synchronized (sftpCalls) {
      try {
        OpenSSHPosixRenameExtension posix = sftp().getExtension(OpenSSHPosixRenameExtension.class);
        if (posix != null && posix.isSupported()) {
          posix.posixRename(from, to);
        } else {
          if (exists(to)) {
            sftp().remove(to);
          }
          sftp().rename(from, to);
        }
      } catch (IOException e) {
        throw failure("rename " + from + " to", to, e);
      }
    }
  }

  @Override
  public void removeTree(String directory) throws IOException {
    synchronized (sftpCalls) {
      try {
        // An empty or missing folder (the common case at a transfer's end) costs one round trip.
        sftp().rmdir(directory);
        return;
      } catch (SftpException e) {
        if (e.getStatus() == SftpConstants.SSH_FX_NO_SUCH_FILE) {
          return;
        }
      } catch (IOException e) {
        throw failure("remove", directory, e);
      }
      if (!exists(directory)) {
        return;
      }
      try {
        removeContents(directory);
        sftp().rmdir(directory);
      } catch (IOException e) {
        throw failure("remove", directory, e);
      }
    }
  }

  /** Readdir's attributes are lstat's on OpenSSH: a symbolic link is removed, never followed. */
  private void removeContents(String directory) throws IOException {
    for (SftpClient.DirEntry entry : sftp().readDir(directory)) {
      String name = entry.getFilename();
      if (name.equals(".") || name.equals("..")) {
        continue;
      }
      String path = directory + "/" + name;
      if (entry.getAttributes().isDirectory()) {
        removeContents(path);
        sftp().rmdir(path);
      } else {
        sftp().remove(path);
      }
    }
  }

  @Override
  public void removeIfEmpty(String directory) throws IOException {
    synchronized (sftpCalls) {
      try {
        sftp().rmdir(directory);
      } catch (SftpException e) {
        // Not empty (another claim's folder is there) or already gone: both leave it as it is.
        // Nothing to report: the folder goes when the last claim in it does.
      } catch (IOException e) {
        throw failure("remove", directory, e);
      }
    }
  }

  @Override
  public void setModified(String path, Instant time) throws IOException {
    synchronized (sftpCalls) {
      FileTime when = FileTime.from(time);
      try {
        sftp().setStat(path, new SftpClient.Attributes().accessTime(when).modifyTime(when));
      } catch (IOException e) {
        throw failure("set modification time of", path, e);
      }
    }
  }

  @Override
  public Optional<FreeSpace> statvfs(String path) throws IOException {
    synchronized (sftpCalls) {
      OpenSSHStatPathExtension statvfs = sftp().getExtension(OpenSSHStatPathExtension.class);
      if (statvfs == null || !statvfs.isSupported()) {
        return Optional.empty();
      }
      try {
        OpenSSHStatExtensionInfo info = statvfs.stat(path);
        long unit = info.f_frsize > 0 ? info.f_frsize : info.f_bsize;
        return Optional.of(new FreeSpace(info.f_blocks * unit, info.f_bavail * unit, "statvfs of " + path));
      } catch (IOException e) {
        throw failure("statvfs", path, e);
      }
    }
  }

  @Override
  public RemoteWriter create(String path) throws IOException {
    return open(path, EnumSet.of(OpenMode.Write, OpenMode.Create, OpenMode.Truncate));
  }

  @Override
  public RemoteWriter openForWrite(String path) throws IOException {
    return open(path, EnumSet.of(OpenMode.Write));
  }

  /**
   * Each writer gets its own SFTP channel: MINA's SftpClient refuses a write while another thread's
   * is pending on the same channel, and parts are written in parallel. The channel of a writer that
   * closed cleanly is kept for the next one ({@link #keepForNextWriter}).
   */
  private RemoteWriter open(String path, Set<OpenMode> modes) throws IOException {
    ensureOpen();
    SftpClient spare = takeSpareWriter();
    SftpClient client;
    SftpClient.CloseableHandle handle;
    try {
      client = spare != null ? spare : SftpClientFactory.instance().createSftpClient(session);
    } catch (IOException e) {
      throw failure("open SFTP for", path, e);
    }
    try {
      handle = client.open(path, modes);
    } catch (IOException e) {
      client.close();
      throw failure("open", path, e);
    }
    if (!(client instanceof AbstractSftpClient pipelining)) {
      closeQuietly(handle, client);
      throw new RemoteException(RemoteException.Kind.CONNECTION, "remote '" + host.name() + "': SFTP client "
          + client.getClass().getName() + " cannot pipeline writes", null);
    }
    // Sends writes without waiting for each one's status (acks are checked as they come and all at
    // close), so a write costs no round trip; the SSH window bounds what is in flight.
    SftpOutputStreamAsync stream = new SftpOutputStreamAsync(pipelining, WRITE_SIZE, path, handle, true);
    return new RemoteWriter() {
      private long next = -1;

      @Override
      public void write(long offset, byte[] data, int from, int length) throws IOException {
        try {
          if (offset != next) {
            stream.flush();
            stream.setOffset(offset);
          }
          stream.write(data, from, length);
          next = offset + length;
        } catch (IOException e) {
          throw failure("write", path, e);
        }
      }

      @Override
      public void close() throws IOException {
        try {
          stream.close();
        } catch (IOException e) {
          closeQuietly(client);
          throw failure("close", path, e);
        }
        keepForNextWriter(client);
      }
    };
  }

  private synchronized SftpClient takeSpareWriter() {
    SftpClient spare = spareWriter;
    spareWriter = null;
    if (spare != null && !spare.isOpen()) {
      closeQuietly(spare);
      return null;
    }
    return spare;
  }

  /** Keeps a writer's channel, every write acknowledged and its handle closed, unless one is kept already. */
  private void keepForNextWriter(SftpClient client) {
    synchronized (this) {
      if (!closed && spareWriter == null && client.isOpen()) {
        spareWriter = client;
        return;
      }
    }
    closeQuietly(client);
  }

  private static void closeQuietly(SftpClient client) {
    try {
      client.close();
    } catch (IOException ignored) {
      // the channel goes either way
    }
  }

  private static void closeQuietly(SftpClient.CloseableHandle handle, SftpClient client) {
    try (client) {
      handle.close();
    } catch (IOException ignored) {
      // Already failing with a clearer message.
    }
  }

  /** Permission and missing-file answers are permanent; anything else on the wire is a lost connection. */
  private RemoteException failure(String operation, String path, IOException e) {
    String where = "remote '" + host.name() + "': " + operation + (path.isEmpty() ? "" : " " + path) + " failed: ";
    if (e instanceof RemoteException remote) {
      return remote;
    }
    if (e instanceof SftpException sftpError) {
      RemoteException.Kind kind = switch (sftpError.getStatus()) {
        case SftpConstants.SSH_FX_PERMISSION_DENIED -> RemoteException.Kind.PERMISSION_DENIED;
        case SftpConstants.SSH_FX_NO_SUCH_FILE, SftpConstants.SSH_FX_NO_SUCH_PATH -> RemoteException.Kind.NO_SUCH_FILE;
        case SftpConstants.SSH_FX_CONNECTION_LOST, SftpConstants.SSH_FX_NO_CONNECTION -> RemoteException.Kind.CONNECTION;
        default -> RemoteException.Kind.FAILED;
      };
      return new RemoteException(kind, where + sftpError.getMessage(), e);
    }
    return new RemoteException(RemoteException.Kind.CONNECTION, where + e.getMessage(), e);
  }

  /**
   * Gives the connection back to the pool when the session was marked reusable and the connection
   * is still whole; closes it otherwise (a cancel, a failure: whatever ran on it fails).
   */
  @Override
  public void close() {
    IdleConnections.Connection connection;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      connection = new IdleConnections.Connection(session, sftp, spareWriter);
      spareWriter = null;
    }
    if (!reusable || !pool.giveBack(host.name(), connection)) {
      connection.close();
    }
  }
}
