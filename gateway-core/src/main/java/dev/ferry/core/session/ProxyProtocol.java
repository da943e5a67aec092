package dev.ferry.core.session;

import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every listener (FTPS control and data, SFTP, admin HTTP) decides about the first bytes of a
 * connection: from a trusted balancer ({@link TrustedProxies}) they must be a PROXY protocol
 * header, whose source becomes the client's address for every limit, ban and log line; from any
 * other address they must not be one, or anyone could claim any address. A refused connection is
 * closed and logged, at most once a minute per peer address, so a misconfigured balancer or a
 * flood cannot fill the log.
 */
public final class ProxyProtocol {

  /** How long a connection from a trusted balancer may take to send its header (HAProxy sends it at connect). */
  public static final Duration HEADER_WAIT = Duration.ofSeconds(10);

  private static final Logger log = LoggerFactory.getLogger(ProxyProtocol.class);
  private static final Duration LOG_EVERY = Duration.ofMinutes(1);
  private static final int MAX_REMEMBERED = 10_000;

  private final TrustedProxies trusted;
  private final Deadlines deadlines;
  private final Clock clock;
  private final Map<String, Long> lastLogged = new ConcurrentHashMap<>();

  public ProxyProtocol(TrustedProxies trusted, Deadlines deadlines, Clock clock) {
    this.trusted = trusted;
    this.deadlines = deadlines;
    this.clock = clock;
  }

  /** What the bytes read so far make of the connection. */
  public sealed interface Outcome {}

  /** Not enough bytes yet to tell. */
  public record Waiting() implements Outcome {}

  /** The connection is {@code client}'s; its first {@code headerLength} bytes were the header (0: none). */
  public record Client(SocketAddress client, int headerLength) implements Outcome {}

  /** The connection must be closed; already logged. */
  public record Refused(String reason) implements Outcome {}

  /** Whether any balancer is trusted: when none is, every listener works as without this. */
  public boolean enabled() {
    return !trusted.isEmpty();
  }

  /** Whether a connection from {@code peer} must start with a header. */
  public boolean expectsHeaderFrom(SocketAddress peer) {
    return trusted.trusts(peer);
  }

  /** Decides on the bytes a connection from {@code peer} sent first (from the buffer's position). */
  public Outcome examine(String listener, SocketAddress peer, ByteBuffer firstBytes) {
    return decide(listener, peer, ProxyHeader.parse(firstBytes));
  }

  /** Decides on a header already read (from a blocking socket, {@link ProxyHeader#read}). */
  public Outcome decide(String listener, SocketAddress peer, ProxyHeader.Result header) {
    boolean fromBalancer = trusted.trusts(peer);
    String refusal = null;
    if (header instanceof ProxyHeader.NotAHeader && fromBalancer) {
      refusal = "no PROXY protocol header from " + ClientAddress.of(peer) + ", a trusted balancer (proxyProtocol.trustedFrom)";
    } else if (header instanceof ProxyHeader.Invalid invalid && fromBalancer) {
      refusal = "invalid PROXY protocol header from " + ClientAddress.of(peer) + ": " + invalid.reason();
    } else if ((header instanceof ProxyHeader.Invalid || header instanceof ProxyHeader.Parsed) && !fromBalancer) {
      refusal = "PROXY protocol header from " + ClientAddress.of(peer)
          + ", which is not a trusted balancer (proxyProtocol.trustedFrom)";
    }
    if (refusal != null) {
      refused(listener, peer, refusal);
      return new Refused(refusal);
    }
    if (header instanceof ProxyHeader.NeedMore) {
      return new Waiting();
    }
    if (header instanceof ProxyHeader.Parsed parsed) {
      return new Client(parsed.source() != null ? parsed.source() : peer, parsed.length());
    }
    return new Client(peer, 0);
  }

  /**
   * Closes the connection with {@code close} unless {@code resolved} says its header came (or it closed) within
   * {@link #HEADER_WAIT}: such a connection is not counted anywhere yet, so it needs its own deadline.
   */
  public Future<?> closeUnlessHeaderIn(String listener, SocketAddress peer, BooleanSupplier resolved, Runnable close) {
    return deadlines.after(HEADER_WAIT, () -> {
      if (!resolved.getAsBoolean()) {
        refused(listener, peer, "no PROXY protocol header from " + ClientAddress.of(peer) + " within "
            + HEADER_WAIT.toSeconds() + " s");
        close.run();
      }
    });
  }

  /** Logs a refused connection, at most once a minute for each peer address. */
  public void refused(String listener, SocketAddress peer, String reason) {
    String address = ClientAddress.of(peer);
    long now = clock.millis();
    Long before = lastLogged.get(address);
    if (before != null && now - before < LOG_EVERY.toMillis()) {
      return;
    }
    if (lastLogged.size() >= MAX_REMEMBERED) {
      lastLogged.clear();
    }
    lastLogged.put(address, now);
    log.warn("{} connection from {} closed: {} (the next from that address in the coming minute are not logged)",
        listener, address, reason);
  }
}
