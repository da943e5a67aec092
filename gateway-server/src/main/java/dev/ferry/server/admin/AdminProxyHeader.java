package dev.ferry.server.admin;

import dev.ferry.core.session.ClientAddress;
import dev.ferry.core.session.ProxyProtocol;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.util.AttributeKey;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;

/**
 * The client of an admin HTTP connection from a trusted balancer: Netty's PROXY protocol decoder
 * reads the header, and this handler keeps the connection's activation back until it has, so the
 * connection's session slot, ban check and every log line see the client and not the balancer.
 */
final class AdminProxyHeader extends ChannelInboundHandlerAdapter {

  private static final AttributeKey<SocketAddress> CLIENT = AttributeKey.valueOf("ferry.admin.client");

  private final ProxyProtocol proxy;
  private boolean activeHeld;
  private volatile boolean done;

  private AdminProxyHeader(ProxyProtocol proxy) {
    this.proxy = proxy;
  }

  /** Puts what reads or refuses a header first on a new connection's pipeline (TLS comes after it). */
  static void install(ChannelPipeline pipeline, Channel channel, ProxyProtocol proxy) {
    if (!proxy.enabled()) {
      return;
    }
    if (proxy.expectsHeaderFrom(channel.remoteAddress())) {
      pipeline.addLast(new HAProxyMessageDecoder(), new AdminProxyHeader(proxy));
    } else {
      pipeline.addLast(new ProxyHeaderRefusal(proxy));
    }
  }

  /** The client of this connection: the peer, or who a trusted balancer's header named. */
  static String clientOf(Channel channel) {
    SocketAddress client = channel.attr(CLIENT).get();
    return ClientAddress.of(client != null ? client : channel.remoteAddress());
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    activeHeld = true;
    Channel channel = ctx.channel();
    proxy.closeUnlessHeaderIn("admin HTTP", channel.remoteAddress(), () -> done || !channel.isActive(), channel::close);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object message) throws Exception {
    if (!(message instanceof HAProxyMessage header)) {
      super.channelRead(ctx, message);
      return;
    }
    try {
      ctx.channel().attr(CLIENT).set(clientIn(header, ctx.channel().remoteAddress()));
    } finally {
      header.release();
    }
    done = true;
    if (activeHeld) {
      ctx.fireChannelActive();
    }
    ctx.pipeline().remove(this);
  }

  /** The header's source; the peer itself for a LOCAL header (a balancer's health check) or an unknown family. */
  private static SocketAddress clientIn(HAProxyMessage header, SocketAddress peer) throws UnknownHostException {
    if (header.command() != HAProxyCommand.PROXY || header.sourceAddress() == null) {
      return peer;
    }
    // A literal the decoder checked: nothing is looked up.
    return new InetSocketAddress(InetAddress.getByName(header.sourceAddress()), header.sourcePort());
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (!done) {
      proxy.refused("admin HTTP", ctx.channel().remoteAddress(), "invalid PROXY protocol header from "
          + ClientAddress.of(ctx.channel().remoteAddress()) + ": " + cause.getMessage());
      ctx.close();
      return;
    }
    ctx.fireExceptionCaught(cause);
  }
}
