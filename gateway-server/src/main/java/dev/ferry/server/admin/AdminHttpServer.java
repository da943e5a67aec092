package dev.ferry.server.admin;

import dev.ferry.core.admin.AdminConsole;
import dev.ferry.core.session.ProxyProtocol;
import dev.ferry.core.session.SessionSlots;
import dev.ferry.core.state.Database;
import dev.ferry.core.thread.DaemonThreads;
import dev.ferry.core.user.DisabledUserSessions;
import dev.ferry.core.user.DisabledUsers;
import dev.ferry.core.user.LoginGuard;
import dev.ferry.core.user.UserAccounts;
import dev.ferry.core.user.UserRegistry;
import dev.ferry.ftps.tls.GatewaySslConfiguration;
import dev.ferry.jobs.admin.AdminCommandRegistry;
import dev.ferry.jobs.admin.AdminHttpSettings;
import dev.ferry.server.console.Console;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateHandler;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLEngine;

/**
 * The admin HTTP JSON API and the console in the browser on their own port (loopback by default):
 * Netty's HTTP codec and aggregator, then {@link AdminHttpHandler}, which hands each command to a
 * small executor so the event loop never waits on S3 or SSH.
 */
public final class AdminHttpServer implements AutoCloseable {

  /** Admin requests are small JSON documents. */
  static final int MAX_BODY = 64 * 1024;

  private final AdminHttpSettings settings;
  private final AdminConsole console;
  private final LoginGuard guard;
  private final SessionSlots slots;
  private final ProxyProtocol proxy;
  private final GatewaySslConfiguration tls;
  private final EventLoopGroup boss = new NioEventLoopGroup(1);
  private final EventLoopGroup workers = new NioEventLoopGroup(1);
  private final ExecutorService commands;
  private final Console browser;
  private final UsersApi usersApi;
  private Channel channel;

  /**
   * {@code proxy}: the balancers whose connections start with a PROXY protocol header;
   * {@code tls}: the FTPS front-end's TLS, used when {@code admin.http.tls} is on; {@code users}:
   * whose admins may sign in to the console; {@code node}: this node's name, which the console shows;
   * {@code database}: the state store, which keeps the console's sign-ins for every node.
   */
  public AdminHttpServer(AdminHttpSettings settings, AdminCommandRegistry console, LoginGuard guard,
      SessionSlots slots, ProxyProtocol proxy, GatewaySslConfiguration tls, UserRegistry users, Clock clock, String node,
      Database database, UserAccounts accounts, DisabledUsers disabledUsers, DisabledUserSessions disabledUserSessions) {
    this.settings = settings;
    this.usersApi = new UsersApi(accounts, users, disabledUsers, disabledUserSessions);
    this.browser = new Console(console, users, guard, clock, settings.tls(), node, database);
    this.slots = slots;
    this.proxy = proxy;
    this.tls = tls;
    this.console = console;
    this.guard = guard;
    this.commands = Executors.newFixedThreadPool(4, DaemonThreads.named("ferry-admin-http"));
  }

  public void start() throws InterruptedException {
    channel = new ServerBootstrap()
        .group(boss, workers)
        .channel(NioServerSocketChannel.class)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            AdminProxyHeader.install(ch.pipeline(), ch, proxy); // first: the header comes before TLS
            if (settings.tls()) {
              // First: a refusal or any answer goes out encrypted, after the handshake.
              ch.pipeline().addLast(new SslHandler(serverEngine()));
            }
            ch.pipeline()
                .addLast(new IdleStateHandler(0, 0, settings.idleTimeout().toMillis(), TimeUnit.MILLISECONDS))
                .addLast(new AdminConnectionSlot(slots))
                .addLast(new HttpServerCodec())
                .addLast(new HttpObjectAggregator(MAX_BODY))
                .addLast(new AdminHttpHandler(console, settings.tokens(), commands, guard, browser, usersApi));
          }
        })
        .bind(settings.bindAddress(), settings.port()).sync().channel();
  }

  private SSLEngine serverEngine() {
    SSLEngine engine = tls.getSSLContext().createSSLEngine();
    engine.setUseClientMode(false);
    engine.setEnabledProtocols(tls.getEnabledProtocols());
    engine.setEnabledCipherSuites(tls.getEnabledCipherSuites());
    return engine;
  }

  public int port() {
    return ((InetSocketAddress) channel.localAddress()).getPort();
  }

  @Override
  public void close() {
    if (channel != null) {
      channel.close().syncUninterruptibly();
    }
    commands.shutdownNow();
    boss.shutdownGracefully(0, 2, TimeUnit.SECONDS);
    workers.shutdownGracefully(0, 2, TimeUnit.SECONDS);
  }
}
