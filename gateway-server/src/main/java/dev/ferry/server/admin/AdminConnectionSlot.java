package dev.ferry.server.admin;

import dev.ferry.core.admin.AdminResponse;
import dev.ferry.core.admin.AdminStatus;
import dev.ferry.core.session.SessionRefusedException;
import dev.ferry.core.session.SessionSlots;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.AttributeKey;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An admin HTTP connection's place in core's {@link SessionSlots}, as for FTPS and SFTP: counted
 * with the connections that have not logged in until a request carries the right token, closed
 * when none did within the login deadline (a client dribbling a request byte by byte included),
 * and closed when idle (the pipeline's {@code IdleStateHandler}) after that.
 */
final class AdminConnectionSlot extends ChannelInboundHandlerAdapter {

  /** What the token's sessions count as in the per-user limit; no user name can look like it. */
  static final String TOKEN_USER = "(admin HTTP token)";

  private static final Logger log = LoggerFactory.getLogger(AdminConnectionSlot.class);
  private static final AttributeKey<SessionSlots.Slot> SLOT = AttributeKey.valueOf("ferry.admin.slot");

  private final SessionSlots slots;

  AdminConnectionSlot(SessionSlots slots) {
    this.slots = slots;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) throws Exception {
    String address = AdminProxyHeader.clientOf(ctx.channel());
    try {
      ctx.channel().attr(SLOT).set(slots.open("admin HTTP", address, reason -> {
        log.info("admin HTTP connection from {} closed before a request with the token: {}", address, reason);
        ctx.channel().close();
      }));
    } catch (SessionRefusedException e) {
      log.info("admin HTTP connection from {} refused: {}", address, e.getMessage());
      // Written raw: the connection is refused before any request, so no HTTP codec state matters.
      byte[] body = (AdminResponse.error(AdminStatus.FAILED, e.clientMessage()).json() + "\n")
          .getBytes(StandardCharsets.UTF_8);
      String head = "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nContent-Length: "
          + body.length + "\r\nConnection: close\r\n\r\n";
      ctx.writeAndFlush(Unpooled.wrappedBuffer(head.getBytes(StandardCharsets.US_ASCII), body))
          .addListener(ChannelFutureListener.CLOSE);
      return;
    }
    super.channelActive(ctx);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    SessionSlots.Slot slot = ctx.channel().attr(SLOT).getAndSet(null);
    if (slot != null) {
      slot.close();
    }
    super.channelInactive(ctx);
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
    if (event instanceof IdleStateEvent) {
      ctx.close();
      return;
    }
    super.userEventTriggered(ctx, event);
  }

  /**
   * A request on this connection carried the token ({@link #TOKEN_USER}) or a console session's
   * cookie (its user): it counts as a logged-in session of {@code user} from now on. Returns why not
   * when the session limits are full (the request is then refused), else null.
   */
  static SessionRefusedException loggedIn(ChannelHandlerContext ctx, String user) {
    SessionSlots.Slot slot = ctx.channel().attr(SLOT).get();
    try {
      if (slot != null) {
        slot.loggedIn(user);
        slot.loginSucceeded(); // a LOGIN line: the connection is written out, not counted with those that never log in
      }
      return null;
    } catch (SessionRefusedException e) {
      return e;
    }
  }
}
