package dev.ferry.ftps.data;

import dev.ferry.core.session.ClientAddress;
import dev.ferry.ftps.client.FtpClientAddress;
import dev.ferry.ftps.reply.FtpReplyMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.Field;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.InflaterInputStream;
import org.apache.ftpserver.ftplet.DataConnection;
import org.apache.ftpserver.ftplet.DataType;
import org.apache.ftpserver.ftplet.DefaultFtpReply;
import org.apache.ftpserver.ftplet.FtpReply;
import org.apache.ftpserver.impl.FtpIoSession;
import org.apache.ftpserver.impl.IODataConnection;
import org.apache.ftpserver.impl.IODataConnectionFactory;

/**
 * One transfer's data connection. FtpServer still accepts or connects it (PASV, EPSV, PORT, TLS
 * wrapping, the passive address check), but the bytes go through Ferry's own loops, because
 * FtpServer's are wrong for a gateway in two ways:
 *
 * <ul>
 *   <li>It copies through 4 KB buffers, one hash update and one lock per 4 KB.
 *   <li>Its close of a TLS 1.3 socket sends user_canceled before close_notify, which GnuTLS
 *       clients (lftp) report as a failed download after every byte arrived.
 * </ul>
 *
 * Here a download ends with close_notify and a FIN (a half-close), then waits briefly for the
 * client's own close. An upload is complete only when the client's close_notify arrived: a TLS
 * client that merely drops the connection has not finished its file (see {@link dev.ferry.ftps.tls.TlsTruncation}).
 */
public final class DataChannel implements AutoCloseable {

  private static final int BUFFER_SIZE = 256 * 1024;

  /** How long a finished download waits for the client to close its side before closing ours. */
  private static final int CLOSE_WAIT_MILLIS = 2_000;

  /** FtpServer keeps the opened socket private to its own copy loops; Ferry needs it for its own. */
  private static final Field SOCKET = field(IODataConnection.class, "socket");
  /** And the passive listening socket, to take a connection the client opened for a refused command. */
  private static final Field PASSIVE_SOCKET = field(IODataConnectionFactory.class, "servSoc");

  private final FtpIoSession session;
  private final Socket socket;
  /** Why the transfer was stopped from this side (ABOR, the control connection closed); null while it was not. */
  private volatile String abortedBecause;
  /** Bytes moved so far, for STAT during the transfer. */
  private volatile long transferred;
  /** Set once the client's file is being received (an upload), not sent. */
  private volatile boolean receiving;
  /** Set once the upload's end of stream was read. */
  private volatile boolean endRead;

  private DataChannel(FtpIoSession session, Socket socket) {
    this.session = session;
    this.socket = socket;
  }

  /** Replies 503 and returns false when no PASV, EPSV or PORT prepared a data connection. */
  public static boolean prepared(FtpIoSession session) {
    if (session.getDataConnection() instanceof IODataConnectionFactory factory && factory.getInetAddress() == null) {
      session.write(new DefaultFtpReply(503, "PASV, EPSV or PORT must come first"));
      return false;
    }
    return true;
  }

  /** Sends 150 and opens the connection for a download; on failure replies 425 and returns null. */
  public static DataChannel open(FtpIoSession session, String what) {
    return open(session, what, false);
  }

  /** As {@link #open}, for a connection the client sends a file on. */
  public static DataChannel openForUpload(FtpIoSession session, String what) {
    return open(session, what, true);
  }

  private static DataChannel open(FtpIoSession session, String what, boolean upload) {
    if (!PassivePortDeadline.claim(session)) {
      session.write(new DefaultFtpReply(425, "Cannot open data connection: the passive port was given back, "
          + "no transfer came in time; send PASV or EPSV again"));
      return null;
    }
    session.write(new DefaultFtpReply(150, FtpReplyMapper.singleLine(
        "Opening " + (session.getDataConnection().isSecure() ? "TLS " : "") + "data connection for " + what)))
        .awaitUninterruptibly(10_000);
    try {
      DataConnection connection = upload
          ? LayeredSocketFactory.openingUpload(session.getDataConnection()::openConnection)
          : session.getDataConnection().openConnection();
      Socket socket = (Socket) SOCKET.get(connection);
      String client = FtpClientAddress.ipOf(session);
      String from = ClientAddress.of(DataClient.of(session, socket));
      if (!from.equals(client)) {
        // FtpServer's own check would compare with the balancer's address: Ferry checks the client's.
        throw new IOException("the data connection came from " + from + ", not from your address " + client);
      }
      return new DataChannel(session, socket);
    } catch (Exception e) {
      session.write(new DefaultFtpReply(425, FtpReplyMapper.singleLine("Cannot open data connection: " + e.getMessage())));
      session.getDataConnection().closeDataConnection();
      return null;
    }
  }

  /**
   * Refuses a transfer command before {@link #open}: writes {@code reply}, then lets go of the data
   * connection PASV or EPSV prepared. Clients such as Node's basic-ftp connect it before they send
   * RETR or STOR; closing the listening socket under that connection reset it (the kernel sends RST
   * for a connection never accepted, the more so with the client's TLS hello unread), before the
   * reply was even written, and the client gave up the whole session on "ECONNRESET (data socket)".
   * Now the reply goes first; a connection already there is taken, read until the client, which
   * has the reply, closes it (at most {@value #CLOSE_WAIT_MILLIS} ms), then closed with a FIN.
   */
  public static void refuse(FtpIoSession session, FtpReply reply) {
    session.write(reply).awaitUninterruptibly(10_000);
    try {
      if (session.getDataConnection() instanceof IODataConnectionFactory factory
          && PASSIVE_SOCKET.get(factory) instanceof ServerSocket listening && !listening.isClosed()) {
        listening.setSoTimeout(1); // only a connection that is already there
        try (Socket early = listening.accept()) {
          // Its bytes (a TLS hello) are not for a refused transfer; read, they cannot reset it.
          if (!drainUntilClosed(early, new byte[8192])) {
            early.shutdownOutput();
          }
        }
      }
    } catch (IOException | IllegalAccessException none) {
      // no connection came, or the client dropped it: nothing to close gently
    } finally {
      session.getDataConnection().closeDataConnection();
    }
  }

  /**
   * Copies the client's file into {@code sink} until the client ends it properly, and returns the
   * number of bytes received. Throws when the connection broke or was dropped without TLS's
   * close_notify: the caller must then abort, not commit.
   */
  public long receiveInto(OutputStream sink) throws IOException {
    receiving = true;
    AbortWatch.running(session, this);
    try {
      return copyFromClient(sink);
    } catch (IOException e) {
      throw abortedBecause != null ? new IOException(abortedBecause, e) : e;
    } finally {
      AbortWatch.finished(session, this);
    }
  }

  private long copyFromClient(OutputStream sink) throws IOException {
    InputStream in = socket.getInputStream();
    if (session.getDataConnection().isZipMode()) {
      in = new InflaterInputStream(in);
    }
    OutputStream out = session.getDataType() == DataType.ASCII ? AsciiLineEndings.fromNetwork(sink) : sink;
    byte[] buffer = new byte[BUFFER_SIZE];
    long received = 0;
    // A small upload's close_notify waited 40 ms for the delayed ACK of its last bytes, every one.
    Socket tcp = LayeredSocketFactory.transportOf(socket);
    while (true) {
      if (tcp != null) {
        QuickAck.ask(tcp);
      }
      int n = in.readNBytes(buffer, 0, buffer.length);
      if (n > 0) {
        out.write(buffer, 0, n);
        received += n;
        transferred = received;
        session.updateLastAccessTime();
      }
      if (n < buffer.length) {
        endRead = true;
        break;
      }
    }
    if (abortedBecause != null || socket.isClosed()) {
      // A socket closed on this side (ABOR, shutdown, idle timeout) can read as a clean end of
      // stream; only the client ends its file.
      throw new IOException("data connection closed by the server before the client ended the file");
    }
    out.flush();
    return received;
  }

  /** Copies {@code source} to the client, ends the stream cleanly and returns the bytes read from it. */
  public long sendFrom(InputStream source) throws IOException {
    AbortWatch.running(session, this);
    try {
      return copyToClient(source);
    } catch (IOException e) {
      throw abortedBecause != null ? new IOException(abortedBecause, e) : e;
    } finally {
      AbortWatch.finished(session, this);
    }
  }

  private long copyToClient(InputStream source) throws IOException {
    OutputStream network = socket.getOutputStream();
    DeflaterOutputStream zipped = session.getDataConnection().isZipMode() ? new DeflaterOutputStream(network) : null;
    OutputStream out = zipped != null ? zipped : network;
    if (session.getDataType() == DataType.ASCII) {
      out = AsciiLineEndings.toNetwork(out);
    }
    byte[] buffer = new byte[BUFFER_SIZE];
    long sent = 0;
    int n;
    while ((n = source.read(buffer)) != -1) {
      out.write(buffer, 0, n);
      sent += n;
      transferred = sent;
      session.updateLastAccessTime();
    }
    out.flush();
    if (zipped != null) {
      zipped.finish();
    }
    endOutput(buffer);
    return sent;
  }

  /** Half-close: close_notify and FIN tell the client its file is complete; then let it close. */
  private void endOutput(byte[] scratch) throws IOException {
    socket.shutdownOutput();
    try {
      drainUntilClosed(socket, scratch);
    } catch (java.net.SocketException | javax.net.ssl.SSLException e) {
      // the client dropped it without close_notify: the file was delivered either way
    }
  }

  /**
   * Reads and drops what the client still sends until it closes its side; false when it kept it
   * open past {@value #CLOSE_WAIT_MILLIS} ms.
   */
  private static boolean drainUntilClosed(Socket socket, byte[] scratch) throws IOException {
    socket.setSoTimeout(CLOSE_WAIT_MILLIS);
    InputStream in = socket.getInputStream();
    try {
      while (in.read(scratch) != -1) {
        // nothing a client sends here is wanted
      }
      return true;
    } catch (SocketTimeoutException stillOpen) {
      return false;
    }
  }

  /** An upload whose client has not closed the data connection yet: its file is not complete. */
  boolean clientStillSending() {
    return receiving && !endRead && !PeerClosed.of(socket);
  }

  /** Bytes received or sent so far. */
  long transferred() {
    return transferred;
  }

  /**
   * Stops this transfer from the server's side: breaks the data connection, and the copy loop fails
   * with {@code reason} (an upload is then aborted, never committed).
   */
  void abort(String reason) {
    abortedBecause = reason;
    LayeredSocketFactory.closeNow(socket);
  }

  @Override
  public void close() {
    session.getDataConnection().closeDataConnection();
  }

  private static Field field(Class<?> owner, String name) {
    try {
      Field field = owner.getDeclaredField(name);
      field.setAccessible(true);
      return field;
    } catch (NoSuchFieldException e) {
      throw new ExceptionInInitializerError("this FtpServer version has no " + owner.getSimpleName() + "." + name + ": " + e);
    }
  }
}
