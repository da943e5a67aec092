package dev.ferry.ftps.data;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.apache.ftpserver.ftplet.FtpReply;
import org.apache.mina.core.buffer.IoBuffer;
import org.apache.mina.core.filterchain.IoFilterAdapter;
import org.apache.mina.core.filterchain.IoFilterChain;
import org.apache.mina.core.session.IoSession;

/**
 * Lets ABOR, and the server's own close of a session, stop a running transfer. FtpServer runs a
 * session's commands one after the other, so an ABOR sent during STOR or RETR would only be read
 * after the transfer ended by itself. This filter sits before FtpServer's command executor, sees
 * ABOR as it arrives and breaks the running transfer's data connection; the transfer answers 426
 * (an upload leaves nothing), then the ABOR command itself answers 226, as RFC 959 has it. An
 * ABOR that arrives while the transfer is still being set up stops it as soon as it starts.
 *
 * <p>A session the server closes ({@link #abortRunning}: an administrator's disconnect, a user
 * disabled) takes its transfer with it: FtpServer leaves the data connection running, and an
 * upload the client then ended properly would be committed after the administrator was told the
 * session was cut off. A client that closes its own control connection while it still sends a
 * file loses the upload too (see {@link #sessionClosed}); one that closed the data connection first
 * had sent all of it and merely did not wait for the reply.
 */
public final class AbortWatch extends IoFilterAdapter {

  static final String NAME = "ferryAbortWatch";
  private static final String RUNNING = AbortWatch.class.getName() + ".running";
  /** ABOR lines seen arriving that the session's commands have not reached yet. */
  private static final String UNANSWERED = AbortWatch.class.getName() + ".unanswered";
  private static final AbortWatch SHARED = new AbortWatch(); // its state is in each session
  private static final String ABORTED_BY_CLIENT = "transfer aborted by the client (ABOR)";

  private AbortWatch() {}

  /**
   * Puts the filter in a new control session's chain before FtpServer's command executor, where
   * ABOR is seen as it arrives, and {@link Reached} after the line decoder, where the commands reach
   * each line in turn; and {@link KeepAliveDuringTransfer}, the other command answered during a
   * transfer, in the same two places.
   */
  public static void install(IoFilterChain chain) {
    chain.addBefore("threadPool", NAME, SHARED);
    chain.addAfter("codec", Reached.NAME, Reached.SHARED);
    KeepAliveDuringTransfer.install(chain);
  }

  /**
   * The transfer has its data connection and starts copying. An ABOR that arrived before this, while
   * the transfer's command was still opening the upload or waiting for the connection, is for this
   * transfer: commands run in the order they arrived, and that ABOR has not run yet.
   */
  static void running(IoSession session, DataChannel transfer) {
    session.setAttribute(RUNNING, transfer);
    if (unanswered(session).get() > 0) {
      transfer.abort(ABORTED_BY_CLIENT);
    }
  }

  /**
   * Counts an ABOR off when the session's commands reach its line, whether it then runs or is
   * refused (before login): only a transfer whose line came before it is stopped by it. Lines are
   * counted one by one, so of "STOR, ABOR" in one segment the STOR stops, and of "ABOR, PORT, RETR"
   * the RETR does not.
   */
  private static final class Reached extends IoFilterAdapter {
    static final String NAME = "ferryAbortReached";
    static final Reached SHARED = new Reached();

    @Override
    public void messageReceived(NextFilter next, IoSession session, Object message) throws Exception {
      if (message instanceof String line && isAbortLine(line)) {
        unanswered(session).updateAndGet(n -> Math.max(0, n - 1));
      }
      next.messageReceived(session, message);
    }
  }

  /** Whether a decoded command line is ABOR, with any Telnet bytes before it left out. */
  static boolean isAbortLine(String line) {
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (c >= 0x20 && c < 0x7f) {
        text.append(c);
      }
    }
    return text.toString().trim().equalsIgnoreCase("ABOR");
  }

  private static AtomicInteger unanswered(IoSession session) {
    return SessionAttribute.getOrCreate(session, UNANSWERED, AtomicInteger::new);
  }

  static void finished(IoSession session, DataChannel transfer) {
    synchronized (transfer) {
      session.removeAttribute(RUNNING, transfer);
    }
  }

  /**
   * Writes the reply {@code reply} gives for the running transfer, if one runs and the reply is not
   * null; returns whether it wrote. A transfer's final reply is written after {@link #finished}, and
   * both hold the transfer's monitor, so a reply written here always comes before it.
   */
  static boolean replyWhileRunning(IoSession session, Function<DataChannel, FtpReply> reply) {
    if (!(session.getAttribute(RUNNING) instanceof DataChannel transfer)) {
      return false;
    }
    synchronized (transfer) {
      FtpReply answer = session.getAttribute(RUNNING) == transfer ? reply.apply(transfer) : null;
      if (answer == null) {
        return false;
      }
      session.write(answer);
      return true;
    }
  }

  @Override
  public void messageReceived(NextFilter next, IoSession session, Object message) throws Exception {
    if (message instanceof IoBuffer buffer && isAbort(buffer)) {
      unanswered(session).incrementAndGet();
      Object running = session.getAttribute(RUNNING);
      if (running instanceof DataChannel transfer) {
        transfer.abort(ABORTED_BY_CLIENT);
      }
    }
    next.messageReceived(session, message);
  }

  /**
   * The control connection is gone: an upload whose data connection has not ended here yet (its
   * end neither read nor arrived, see {@link PeerClosed}) is aborted, since no one is left to be
   * told whether it was stored. One whose end had arrived first goes on and is committed if it
   * ended cleanly: the client sent its whole file and only did not wait for the 226. A download
   * goes on as FtpServer's did.
   */
  @Override
  public void sessionClosed(NextFilter next, IoSession session) throws Exception {
    if (session.getAttribute(RUNNING) instanceof DataChannel transfer && transfer.clientStillSending()) {
      transfer.abort("upload aborted: the control connection closed before the file ended");
    }
    next.sessionClosed(session);
  }

  /** Stops the session's running transfer, if any: the server closes the session for {@code reason}. */
  public static void abortRunning(IoSession session, String reason) {
    if (session.getAttribute(RUNNING) instanceof DataChannel transfer) {
      transfer.abort("transfer aborted: " + reason);
    }
  }

  /** Whether the bytes hold an ABOR line; Telnet IP/Synch bytes that clients send first are skipped. */
  static boolean isAbort(IoBuffer buffer) {
    IoBuffer view = buffer.duplicate();
    if (view.remaining() > 64) {
      return false;
    }
    StringBuilder text = new StringBuilder();
    while (view.hasRemaining()) {
      int b = view.get() & 0xff;
      if (b == 0xff) {
        if (view.hasRemaining()) {
          view.get(); // IAC and the command byte after it
        }
      } else {
        text.append((char) b);
      }
    }
    return text.toString().lines().anyMatch(AbortWatch::isAbortLine);
  }
}
