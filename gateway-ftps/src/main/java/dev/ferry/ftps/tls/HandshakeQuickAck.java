package dev.ferry.ftps.tls;

import dev.ferry.ftps.data.QuickAck;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.channels.Channel;
import java.nio.channels.NetworkChannel;
import org.apache.mina.core.filterchain.IoFilterAdapter;
import org.apache.mina.core.session.IoSession;
import org.apache.mina.core.write.WriteRequest;
import org.apache.mina.filter.ssl.SslFilter;
import org.apache.mina.transport.socket.nio.NioSession;

/**
 * Quick ACKs ({@link QuickAck}) on a control connection until its TLS handshake is done, as passive
 * data connections have them ({@code DataTransport}): a GnuTLS client's Finished waited 40 ms for
 * the delayed ACK of its ChangeCipherSpec, once per lftp login.
 *
 * <p>Sending a reply (here the server's handshake flight) ends the kernel's quick-ACK mode, so it
 * is asked for after each of the server's writes has gone out and after each read: an ACK already
 * pending then leaves at once. The filter sits ahead of the {@link SslFilter}, where it sees the handshake's own
 * records, and does nothing once the handshake is done.
 */
public final class HandshakeQuickAck extends IoFilterAdapter {

  public static final String NAME = "ferryHandshakeQuickAck";

  /** MINA keeps a session's socket channel in a protected field, with no public getter. */
  private static final VarHandle CHANNEL = channelField();

  private static final HandshakeQuickAck INSTANCE = new HandshakeQuickAck();

  private HandshakeQuickAck() {}

  /**
   * At the head of {@code session}'s chain, once it has an SSL filter: at its start on the implicit
   * port, after AUTH on the explicit one (AUTH adds its filter at the head).
   */
  public static void install(IoSession session) {
    if (CHANNEL != null && session.getFilterChain().contains(SslFilter.class) && !session.getFilterChain().contains(NAME)) {
      session.getFilterChain().addFirst(NAME, INSTANCE);
    }
  }

  @Override
  public void messageReceived(NextFilter next, IoSession session, Object message) throws Exception {
    askDuringHandshake(session);
    next.messageReceived(session, message);
  }

  @Override
  public void messageSent(NextFilter next, IoSession session, WriteRequest request) throws Exception {
    askDuringHandshake(session);
    next.messageSent(session, request);
  }

  private static void askDuringHandshake(IoSession session) {
    if (session.containsAttribute(SslFilter.SSL_SECURED) || !(session instanceof NioSession nio)) {
      return;
    }
    if (CHANNEL.get(nio) instanceof NetworkChannel channel) {
      QuickAck.ask(channel);
    }
  }

  private static VarHandle channelField() {
    try {
      return MethodHandles.privateLookupIn(NioSession.class, MethodHandles.lookup())
          .findVarHandle(NioSession.class, "channel", Channel.class);
    } catch (ReflectiveOperationException | SecurityException e) {
      return null; // another MINA: control connections keep delayed ACKs
    }
  }
}
