package dev.ferry.server.admin;

import dev.ferry.core.session.ClientAddress;
import dev.ferry.core.session.ProxyProtocol;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.ProtocolDetectionState;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import java.util.List;

/**
 * Closes an admin HTTP connection from an address that is not a trusted balancer when it starts
 * with a PROXY protocol header: anyone could otherwise claim any address. Steps aside once the
 * first bytes show they are not one.
 */
final class ProxyHeaderRefusal extends ByteToMessageDecoder {

  private final ProxyProtocol proxy;

  ProxyHeaderRefusal(ProxyProtocol proxy) {
    this.proxy = proxy;
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    ProtocolDetectionState state = HAProxyMessageDecoder.detectProtocol(in).state();
    if (state == ProtocolDetectionState.NEEDS_MORE_DATA) {
      return;
    }
    if (state == ProtocolDetectionState.DETECTED) {
      in.skipBytes(in.readableBytes());
      proxy.refused("admin HTTP", ctx.channel().remoteAddress(), "PROXY protocol header from "
          + ClientAddress.of(ctx.channel().remoteAddress()) + ", which is not a trusted balancer (proxyProtocol.trustedFrom)");
      ctx.close();
      return;
    }
    ctx.pipeline().remove(this); // the bytes read so far go on to the next handler
  }
}
