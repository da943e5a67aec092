package dev.ferry.jobs.watch;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.Charset;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One Linux inotify instance, called through JNA. The JDK's WatchService cannot say when a writer
 * closed a file (it has no IN_CLOSE_WRITE), and that is the moment a watched file is whole. The
 * descriptor is non-blocking and read after a {@code poll} with a timeout, so the one thread that
 * reads it can notice a close request within that timeout. Not thread-safe: one thread adds
 * watches, reads and closes.
 */
final class Inotify implements AutoCloseable {

  static final int IN_CLOSE_WRITE = 0x00000008;
  static final int IN_MOVED_FROM = 0x00000040;
  static final int IN_MOVED_TO = 0x00000080;
  static final int IN_CREATE = 0x00000100;
  static final int IN_DELETE_SELF = 0x00000400;
  static final int IN_MOVE_SELF = 0x00000800;
  static final int IN_Q_OVERFLOW = 0x00004000;
  static final int IN_IGNORED = 0x00008000;
  static final int IN_ONLYDIR = 0x01000000;
  static final int IN_DONT_FOLLOW = 0x02000000;
  static final int IN_EXCL_UNLINK = 0x04000000;
  static final int IN_ISDIR = 0x40000000;

  private static final int IN_NONBLOCK = 0x800; // O_NONBLOCK
  private static final int IN_CLOEXEC = 0x80000; // O_CLOEXEC: child processes (sshd, curl) do not inherit it
  private static final short POLLIN = 0x1;
  private static final int EINTR = 4;
  private static final int EAGAIN = 11;
  private static final int ENOENT = 2;
  private static final int ENOTDIR = 20;
  private static final int ENOSPC = 28;
  private static final int EMFILE = 24;

  /** Room for hundreds of events per read (each is 16 bytes and its name). */
  private static final int BUFFER = 64 * 1024;

  /** An event: the watch it came from, what happened (IN_* bits), and the name in that directory ("" for the directory itself). */
  record Event(int watch, int mask, String name) {
    boolean is(int bits) {
      return (mask & bits) != 0;
    }
  }

  /** The C library's calls; errno becomes a {@link LastErrorException}. */
  private interface LibC extends Library {
    int inotify_init1(int flags) throws LastErrorException;

    int inotify_add_watch(int fd, byte[] path, int mask) throws LastErrorException;

    int inotify_rm_watch(int fd, int wd) throws LastErrorException;

    int poll(Pointer fds, NativeLong count, int timeoutMillis) throws LastErrorException;

    NativeLong read(int fd, Pointer buffer, NativeLong count) throws LastErrorException;

    int close(int fd) throws LastErrorException;
  }

  private static volatile LibC libc;

  /** Paths go to the kernel in the charset the JVM uses for file names, so both name the same file. */
  private final Charset pathCharset = Charset.forName(System.getProperty("sun.jnu.encoding", "UTF-8"));
  private final Memory buffer = new Memory(BUFFER);
  /** struct pollfd { int fd; short events; short revents; }: the same layout on every Linux. */
  private final Memory pollFd = new Memory(8);
  private final int fd;
  private boolean closed;

  Inotify() throws IOException {
    try {
      fd = libc().inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    } catch (LastErrorException e) {
      throw new IOException("cannot start inotify: " + (e.getErrorCode() == EMFILE
          ? "too many inotify instances for this user (raise the sysctl fs.inotify.max_user_instances)"
          : e.getMessage()), e);
    }
    pollFd.setInt(0, fd);
    pollFd.setShort(4, POLLIN);
  }

  private static LibC libc() {
    if (libc == null) {
      libc = Native.load("c", LibC.class);
    }
    return libc;
  }

  /**
   * Watches {@code directory} for {@code mask} without following a symbolic link to it; returns the
   * watch's number (the same one again for a directory already watched), or -1 if the directory is
   * gone or no longer a directory.
   */
  int addWatch(Path directory, int mask) throws IOException {
    byte[] name = directory.toString().getBytes(pathCharset);
    try {
      return libc().inotify_add_watch(fd, Arrays.copyOf(name, name.length + 1),
          mask | IN_ONLYDIR | IN_DONT_FOLLOW);
    } catch (LastErrorException e) {
      if (e.getErrorCode() == ENOENT || e.getErrorCode() == ENOTDIR) {
        return -1;
      }
      throw new IOException("cannot watch " + directory + ": " + (e.getErrorCode() == ENOSPC
          ? "the inotify watch limit is reached (raise the sysctl fs.inotify.max_user_watches)" : e.getMessage()), e);
    }
  }

  /** Stops a watch; the kernel confirms with an IN_IGNORED event. A watch already gone is no error. */
  void removeWatch(int watch) {
    try {
      libc().inotify_rm_watch(fd, watch);
    } catch (LastErrorException e) {
      // EINVAL: the directory went away and the kernel dropped the watch itself
    }
  }

  /** The events that arrive within {@code timeoutMillis}; empty if none did. */
  List<Event> read(int timeoutMillis) throws IOException {
    try {
      pollFd.setShort(6, (short) 0);
      if (libc().poll(pollFd, new NativeLong(1), timeoutMillis) <= 0) {
        return List.of();
      }
      long n = libc().read(fd, buffer, new NativeLong(BUFFER)).longValue();
      return parse(buffer.getByteArray(0, (int) n));
    } catch (LastErrorException e) {
      if (e.getErrorCode() == EINTR || e.getErrorCode() == EAGAIN) {
        return List.of();
      }
      throw new IOException("reading inotify events failed: " + e.getMessage(), e);
    }
  }

  /** struct inotify_event { int wd; uint32 mask; uint32 cookie; uint32 len; char name[len]; }, NUL-padded. */
  private List<Event> parse(byte[] bytes) {
    ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder());
    List<Event> events = new ArrayList<>();
    while (in.remaining() >= 16) {
      int watch = in.getInt();
      int mask = in.getInt();
      in.getInt(); // cookie: pairs a rename's two halves; each half is handled on its own here
      int length = in.getInt();
      int end = in.position();
      while (end < in.position() + length && bytes[end] != 0) {
        end++;
      }
      String name = new String(bytes, in.position(), end - in.position(), pathCharset);
      in.position(in.position() + length);
      events.add(new Event(watch, mask, name));
    }
    return events;
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      try {
        libc().close(fd);
      } catch (LastErrorException e) {
        // nothing more to do with it either way
      }
    }
  }
}
