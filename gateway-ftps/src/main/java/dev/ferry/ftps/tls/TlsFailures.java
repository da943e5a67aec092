package dev.ferry.ftps.tls;

import dev.ferry.core.session.ClientText;
import dev.ferry.ftps.client.FtpClientAddress;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLException;
import org.apache.mina.core.filterchain.IoFilterAdapter;
import org.apache.mina.core.filterchain.IoFilterChain;
import org.apache.mina.core.session.IoSession;
import org.apache.mina.core.write.WriteRejectedException;
import org.apache.mina.filter.ssl.SslFilter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What happens to a control connection whose TLS fails (a scanner, plain FTP sent to the implicit
 * port, a malformed ClientHello, a client with no cipher suite in common):
 *
 * <ul>
 *   <li>It is closed and logged in one line, at most {@link #LINES_PER_MINUTE} such lines a minute
 *       and then a count of the rest. FtpServer logged each at ERROR with a 14 KB stack trace: 200
 *       ten-byte connections wrote 2.9 MB, so anyone could fill the log and bury what matters.
 *   <li>Its close reaches the filters after TLS and FtpServer's handler. MINA's SslFilter throws
 *       from {@code sessionClosed} when the engine of a failed handshake cannot write its
 *       close_notify, and the close then stopped there: the connection's session slot was never
 *       given back, so ten clients offering only ciphers Ferry refuses locked their address out of
 *       FTPS until a restart. The exception comes back here, after the connection has closed, and
 *       this filter passes the close on.
 * </ul>
 */
public final class TlsFailures extends IoFilterAdapter {

  private static final Logger log = LoggerFactory.getLogger(TlsFailures.class);
  static final int LINES_PER_MINUTE = 20;
  public static final String NAME = "ferryTlsFailures";

  /** One instance serves every control session of a server: the limit counts them all. */
  private final AtomicLong minute = new AtomicLong();
  private final AtomicInteger inMinute = new AtomicInteger();
  private final AtomicInteger unlogged = new AtomicInteger();

  private static final String FAILED = TlsFailures.class.getName() + ".failed";
  private static final String CLOSE_PASSED_ON = TlsFailures.class.getName() + ".closePassedOn";

  /**
   * Right after the implicit port's TLS filter, or first: MINA passes an exception either from the
   * head of the chain or from the filter that raised it, and this filter must come before
   * FtpServer's logging filter and handler either way.
   */
  public void install(IoFilterChain chain) {
    if (chain.contains(IMPLICIT_TLS)) {
      chain.addAfter(IMPLICIT_TLS, NAME, this);
    } else {
      chain.addFirst(NAME, this);
    }
  }

  /** What FtpServer names the TLS filter of an implicit-TLS listener. */
  private static final String IMPLICIT_TLS = "sslFilter";

  @Override
  public void exceptionCaught(NextFilter next, IoSession session, Throwable cause) throws Exception {
    SSLException tls = tlsFailure(cause);
    if (tls != null && !session.isConnected()) {
      passOnClose(next, session);
      return;
    }
    if (tls != null) {
      boolean first = session.setAttributeIfAbsent(FAILED, Boolean.TRUE) == null;
      session.closeNow();
      if (first) {
        record(String.valueOf(FtpClientAddress.of(session)), tls.getMessage());
      }
      return;
    }
    if (session.containsAttribute(FAILED) || (session.isClosing() && writeIntoClosedTls(cause))) {
      // FtpServer writing its greeting or a reply into a session whose TLS failed or that is closing
      // (one closed for room before its handshake ended): nothing a server operator can act on.
      return;
    }
    next.exceptionCaught(session, cause);
  }

  @Override
  public void sessionClosed(NextFilter next, IoSession session) throws Exception {
    passOnClose(next, session);
  }

  /** Once per connection: from the SslFilter as usual, or from here when the SslFilter threw. */
  private static void passOnClose(NextFilter next, IoSession session) {
    if (session.setAttributeIfAbsent(CLOSE_PASSED_ON, Boolean.TRUE) == null) {
      next.sessionClosed(session);
    }
  }

  /** MINA rejects the write, or its SslFilter, whose engine the close already took, fails on it. */
  private static boolean writeIntoClosedTls(Throwable cause) {
    if (cause instanceof WriteRejectedException) {
      return true;
    }
    StackTraceElement[] stack = cause.getStackTrace();
    return cause instanceof NullPointerException && stack.length > 0
        && stack[0].getClassName().equals(SslFilter.class.getName());
  }

  private static SSLException tlsFailure(Throwable cause) {
    for (Throwable t = cause; t != null; t = t.getCause()) {
      if (t instanceof SSLException ssl) {
        return ssl;
      }
    }
    return null;
  }

  private void record(String address, String reason) {
    long now = System.currentTimeMillis() / 60_000;
    long was = minute.get();
    if (now != was && minute.compareAndSet(was, now)) {
      inMinute.set(0);
      int skipped = unlogged.getAndSet(0);
      if (skipped > 0) {
        log.info("{} more failed TLS handshakes in the minute before were not logged one by one", skipped);
      }
    }
    if (inMinute.incrementAndGet() <= LINES_PER_MINUTE) {
      log.info("TLS with {} failed, connection closed: {}", address, ClientText.forLog(reason));
    } else {
      unlogged.incrementAndGet();
    }
  }
}
