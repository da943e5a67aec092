package dev.ferry.ftps.data;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Locale;
import org.apache.ftpserver.ftplet.DefaultFtpReply;
import org.apache.mina.core.buffer.IoBuffer;
import org.apache.mina.core.filterchain.IoFilterAdapter;
import org.apache.mina.core.filterchain.IoFilterChain;
import org.apache.mina.core.session.IoSession;
import org.apache.mina.filter.codec.RecoverableProtocolDecoderException;

/**
 * Answers NOOP, and STAT without an argument, at once while a transfer runs. FtpServer runs a
 * session's commands one after the other, so a NOOP sent during a STOR waited for the file to end;
 * Commons Net's control keep-alive ({@code setControlKeepAliveTimeout}, what Java applications use
 * against NAT firewalls dropping an idle control connection) sends one and waits for its reply,
 * which held the upload back at a trickle. Like {@link AbortWatch}, this filter sees the line as it
 * arrives, before FtpServer's command executor; when it answers, the line is dropped once the
 * session's commands reach it, so it is answered once.
 *
 * <p>Replies keep their order: a line is answered early only when every line before it has been
 * reached by the commands or answered early itself (a "TYPE A" queued behind the transfer keeps the
 * NOOP after it in line), and only while the transfer runs, before its 226 or 426 is written.
 */
final class KeepAliveDuringTransfer {

  private static final String LINES = KeepAliveDuringTransfer.class.getName() + ".lines";
  private static final Arrival ARRIVAL = new Arrival();
  private static final Reached REACHED = new Reached();

  private KeepAliveDuringTransfer() {}

  /** The arrival side goes before FtpServer's command executor, the reached side after the line decoder. */
  static void install(IoFilterChain chain) {
    chain.addBefore("threadPool", Arrival.NAME, ARRIVAL);
    chain.addAfter("codec", Reached.NAME, REACHED);
  }

  /** The reply to a lone NOOP or STAT line while {@code transfer} runs, or null for any other line. */
  static DefaultFtpReply replyTo(String line, DataChannel transfer) {
    return switch (line.trim().toUpperCase(Locale.ROOT)) {
      case "NOOP" -> new DefaultFtpReply(200, "Command NOOP okay.");
      case "STAT" -> new DefaultFtpReply(211, "Transfer in progress, " + transfer.transferred() + " bytes so far");
      default -> null;
    };
  }

  /**
   * The command lines of one session between their arrival and the commands reaching them, in
   * order: true for a line already answered here (dropped when reached).
   */
  static final class Lines {
    private final ArrayDeque<Boolean> pending = new ArrayDeque<>();
    private int notAnswered;
    /** Bytes of a line whose end has not arrived yet. */
    private boolean midLine;

    /**
     * Takes the bytes that arrived; returns the line to answer early (a lone, complete line with
     * nothing waiting before it), or null. The caller then calls {@link #arrived(boolean)}.
     */
    synchronized String loneLine(IoBuffer bytes) {
      if (midLine || notAnswered > 0 || bytes.remaining() > 64) {
        return null;
      }
      byte[] raw = new byte[bytes.remaining()];
      bytes.duplicate().get(raw);
      String text = new String(raw, StandardCharsets.ISO_8859_1);
      int end = text.indexOf('\n');
      return end == text.length() - 1 ? text.substring(0, end) : null;
    }

    /** Counts the complete lines in {@code bytes}; the first one is marked answered when {@code answered}. */
    synchronized void arrived(IoBuffer bytes, boolean answered) {
      IoBuffer view = bytes.duplicate();
      boolean first = true;
      while (view.hasRemaining()) {
        boolean end = view.get() == '\n';
        midLine = !end;
        if (end) {
          boolean early = answered && first;
          pending.addLast(early);
          notAnswered += early ? 0 : 1;
          first = false;
        }
      }
    }

    /** The commands reached the next line; true when it was answered here and is to be dropped. */
    synchronized boolean reached() {
      Boolean early = pending.pollFirst();
      if (early == null) {
        return false;
      }
      notAnswered -= early ? 0 : 1;
      return early;
    }
  }

  static Lines lines(IoSession session) {
    return SessionAttribute.getOrCreate(session, LINES, Lines::new);
  }

  private static final class Arrival extends IoFilterAdapter {
    static final String NAME = "ferryKeepAliveArrival";

    @Override
    public void messageReceived(NextFilter next, IoSession session, Object message) throws Exception {
      if (message instanceof IoBuffer bytes) {
        Lines lines = lines(session);
        // Held across the reply, so that a later line cannot be counted between the check and it.
        synchronized (lines) {
          String line = lines.loneLine(bytes);
          boolean answered = line != null && AbortWatch.replyWhileRunning(session, transfer -> replyTo(line, transfer));
          lines.arrived(bytes, answered);
        }
      }
      next.messageReceived(session, message);
    }
  }

  private static final class Reached extends IoFilterAdapter {
    static final String NAME = "ferryKeepAliveReached";

    @Override
    public void messageReceived(NextFilter next, IoSession session, Object message) throws Exception {
      if (message instanceof String && lines(session).reached()) {
        return;
      }
      next.messageReceived(session, message);
    }

    /** A line too long for the decoder never reaches the commands as a line: it is counted off here. */
    @Override
    public void exceptionCaught(NextFilter next, IoSession session, Throwable cause) throws Exception {
      if (cause instanceof RecoverableProtocolDecoderException) {
        lines(session).reached();
      }
      next.exceptionCaught(session, cause);
    }
  }
}
