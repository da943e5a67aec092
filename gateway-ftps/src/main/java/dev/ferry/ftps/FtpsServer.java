package dev.ferry.ftps;

import dev.ferry.core.Gateway;
import dev.ferry.ftps.auth.GatewayUserManager;
import dev.ferry.ftps.client.PeerResets;
import dev.ferry.ftps.client.ProxyHeaderFilter;
import dev.ferry.ftps.command.CommandsInFlight;
import dev.ferry.ftps.command.FeatBeforeLogin;
import dev.ferry.ftps.command.GatewayCommands;
import dev.ferry.ftps.command.RequestLine;
import dev.ferry.ftps.data.AbortWatch;
import dev.ferry.ftps.data.DataClient;
import dev.ferry.ftps.data.PassiveAddress;
import dev.ferry.ftps.data.PassivePortPool;
import dev.ferry.ftps.data.PassivePortDeadline;
import dev.ferry.ftps.fs.GatewayFileSystemFactory;
import dev.ferry.ftps.reply.CommandLineLimit;
import dev.ferry.ftps.tls.GatewaySslConfiguration;
import dev.ferry.ftps.tls.HandshakeQuickAck;
import dev.ferry.ftps.tls.TlsFailures;
import dev.ferry.ftps.tls.TlsMaterial;
import dev.ferry.ftps.tls.TlsTruncation;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.util.Map;
import org.apache.ftpserver.ConnectionConfigFactory;
import org.apache.ftpserver.DataConnectionConfiguration;
import org.apache.ftpserver.impl.DefaultDataConnectionConfiguration;
import org.apache.ftpserver.FtpServer;
import org.apache.ftpserver.FtpServerFactory;
import org.apache.ftpserver.ftplet.FtpException;
import org.apache.ftpserver.listener.Listener;
import org.apache.ftpserver.listener.ListenerFactory;
import org.apache.ftpserver.impl.DefaultFtpServer;
import org.apache.ftpserver.ssl.SslConfiguration;
import org.apache.mina.core.session.IoSession;
import org.apache.mina.transport.socket.SocketSessionConfig;

/**
 * The FTPS front-end: Apache FtpServer with an explicit-TLS listener (AUTH TLS on the control
 * port) and, when configured, an implicit-TLS one, both over the gateway's filesystem.
 */
public final class FtpsServer {

  static {
    TlsTruncation.detect();
  }

  /** FtpServer's default: a data connection that moves nothing for this long is closed. */
  private static final int DATA_IDLE_SECONDS = 300;

  private final Gateway gateway;
  private final FtpsSettings settings;
  private final Clock clock;
  private final TlsMaterial tls;
  private final SessionPolicy policy;
  private final GreetingRefusal greetingRefusal;
  private final LoginSlots loginSlots;
  private final ProxyHeaderFilter proxyHeaders;
  private final PassivePortDeadline passivePortDeadline;
  private final TlsFailures tlsFailures = new TlsFailures();
  private final CommandsInFlight commandsInFlight = new CommandsInFlight();
  private FtpServer server;
  /** Stateless, so one serves every session; it needs the server, which exists once sessions do. */
  private final FeatBeforeLogin featBeforeLogin =
      new FeatBeforeLogin(() -> ((DefaultFtpServer) server).getServerContext());
  private Listener explicit;
  private GatewaySslConfiguration ssl;
  private Listener implicit;

  public FtpsServer(Gateway gateway, FtpsSettings settings, Clock clock) throws IOException {
    this.gateway = gateway;
    this.settings = settings;
    this.clock = clock;
    this.tls = settings.certificate() != null
        ? TlsMaterial.load(settings.certificate(), settings.privateKey())
        : TlsMaterial.loadOrGenerate(gateway.config().dataDir().resolve("tls"));
    this.policy = new SessionPolicy(settings.allowPlainFtp(), gateway.loginGuard());
    this.greetingRefusal = new GreetingRefusal(policy);
    this.loginSlots = new LoginSlots(gateway.sessions(), settings.maxLogins());
    this.proxyHeaders = new ProxyHeaderFilter(gateway.proxyProtocol(), "FTPS", loginSlots::admit);
    this.passivePortDeadline = new PassivePortDeadline(gateway.deadlines(), settings.passiveTimeout());
  }

  public void start() throws IOException {
    try {
      ssl = new GatewaySslConfiguration(tls.sslContext(), gateway.proxyProtocol());
      TlsTruncation.verify(tls.sslContext());
    } catch (GeneralSecurityException e) {
      throw new IOException("TLS set-up failed: " + e.getMessage(), e);
    }
    FtpServerFactory factory = new FtpServerFactory();
    explicit = listener(ssl, settings.port(), false);
    factory.addListener("default", explicit);
    if (settings.implicitPort() >= 0) {
      implicit = listener(ssl, settings.implicitPort(), true);
      factory.addListener("implicit", implicit);
    }
    ConnectionConfigFactory connections = new ConnectionConfigFactory();
    connections.setAnonymousLoginEnabled(false);
    connections.setMaxLogins(settings.maxLogins());
    connections.setMaxThreads(settings.maxLogins() + 16);
    connections.setLoginFailureDelay((int) gateway.loginGuard().failureDelay().toMillis());
    connections.setMaxLoginFailures(3);
    factory.setConnectionConfig(connections.createConnectionConfig());
    factory.setUserManager(new GatewayUserManager(gateway.users(), gateway.loginGuard()));
    factory.setFileSystem(new GatewayFileSystemFactory(gateway));
    factory.setCommandFactory(GatewayCommands.create(clock, commandsInFlight, settings.modeZ()));
    // FtpServer clears this map on stop, so it must be mutable.
    factory.setFtplets(new java.util.HashMap<>(Map.of("ferry-session-policy", policy,
        "ferry-passive-port-deadline", passivePortDeadline)));
    server = factory.createServer();
    try {
      server.start();
    } catch (FtpException e) {
      throw new IOException("FTPS server could not start: " + e.getMessage(), e);
    }
  }

  private Listener listener(SslConfiguration ssl, int port, boolean implicitTls) throws IOException {
    // Built directly, not by FtpServer's factory, for Ferry's passive port pool. Ferry holds data
    // connections to the client's address itself (SessionPolicy for PORT and EPRT, DataChannel for
    // passive ones): FtpServer's checks would compare with a balancer's address.
    DataConnectionConfiguration data = new DefaultDataConnectionConfiguration(DATA_IDLE_SECONDS, ssl, true, false,
        null, 0, PassiveAddress.of(settings.bindAddress()), new PassivePortPool(settings.passivePorts(), settings.bindAddress()),
        settings.passiveAddress(), false, implicitTls);
    ListenerFactory listener = new ListenerFactory();
    listener.setServerAddress(settings.bindAddress());
    listener.setPort(port);
    listener.setSslConfiguration(ssl);
    listener.setImplicitSsl(implicitTls);
    listener.setIdleTimeout(settings.idleTimeoutSeconds());
    listener.setSessionFilter(this::prepareControlSession);
    listener.setDataConnectionConfiguration(data);
    return listener.createListener();
  }

  /**
   * Every new control connection: its PROXY protocol header read when it comes from a trusted balancer, it takes a session slot (or is refused at the greeting), replies go out at once, a failed TLS handshake is one log line, a client's reset is no error,
   * command lines may be 8 KiB, FEAT is answered before login and ABOR is seen during a transfer. With Nagle on, a reply written while
   * the client's ACK of the previous one is still delayed (up to 40 ms on Linux) waits for it: a
   * 226 after a short transfer often did, once per file.
   */
  private boolean prepareControlSession(IoSession session) {
    if (session.getConfig() instanceof SocketSessionConfig socket) {
      socket.setTcpNoDelay(true);
    }
    DataClient.install(session, gateway.proxyProtocol());
    if (!gateway.proxyProtocol().enabled() || !proxyHeaders.install(session)) {
      loginSlots.admit(session); // else once the PROXY protocol header named the client
    }
    tlsFailures.install(session.getFilterChain());
    HandshakeQuickAck.install(session); // the implicit port's; the explicit one's after AUTH
    PeerResets.install(session.getFilterChain(), TlsFailures.NAME);
    CommandLineLimit.install(session.getFilterChain());
    RequestLine.install(session.getFilterChain(), CommandLineLimit.NAME);
    session.getFilterChain().addAfter(RequestLine.NAME, FeatBeforeLogin.NAME, featBeforeLogin);
    session.getFilterChain().addAfter(FeatBeforeLogin.NAME, GreetingRefusal.NAME, greetingRefusal);
    AbortWatch.install(session.getFilterChain());
    return true;
  }

  public int port() {
    return explicit.getPort();
  }

  /** The implicit-TLS port, or -1 when that listener is off. */
  public int implicitPort() {
    return implicit == null ? -1 : implicit.getPort();
  }

  public TlsMaterial tls() {
    return tls;
  }

  /** The TLS policy and context of every FTPS connection, for other listeners to share (admin HTTPS). */
  public GatewaySslConfiguration sslConfiguration() {
    return ssl;
  }

  /** First step of a graceful shutdown: new connections are told 421 and closed. */
  public void refuseNewSessions() {
    policy.refuseNewSessions();
  }

  /** Waits for running file commands (a transfer's final reply included) to finish. */
  public boolean awaitCommands(java.time.Duration timeout) {
    return commandsInFlight.awaitNone(timeout);
  }

  public void stop() {
    if (server != null && !server.isStopped()) {
      server.stop();
    }
  }
}
