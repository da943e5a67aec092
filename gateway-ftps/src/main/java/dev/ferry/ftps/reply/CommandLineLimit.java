package dev.ferry.ftps.reply;

import java.nio.charset.StandardCharsets;
import org.apache.ftpserver.ftplet.DefaultFtpReply;
import org.apache.ftpserver.listener.nio.FtpResponseEncoder;
import org.apache.mina.core.filterchain.IoFilterAdapter;
import org.apache.mina.core.filterchain.IoFilterChain;
import org.apache.mina.core.session.IoSession;
import org.apache.mina.filter.codec.ProtocolCodecFilter;
import org.apache.mina.filter.codec.RecoverableProtocolDecoderException;
import org.apache.mina.filter.codec.textline.TextLineDecoder;

/**
 * Command lines up to {@link #MAX_LINE_BYTES}, and a 500 reply for a longer one instead of a dropped
 * connection. FtpServer's decoder stops at 1 KiB, less than "STOR " and an S3 key may need, and its
 * handler closes the session on that error. MINA's line decoder skips the rest of an over-long
 * line by itself, so the session goes on after the reply.
 */
public final class CommandLineLimit extends IoFilterAdapter {

  /** Eight times an S3 key's 1024-byte limit: room for any path and its command, not for a flood. */
  public static final int MAX_LINE_BYTES = 8192;
  public static final String NAME = "ferryCommandLineLimit";

  /** Gives a new control session the larger decoder and this filter. */
  public static void install(IoFilterChain chain) {
    TextLineDecoder decoder = new TextLineDecoder(StandardCharsets.UTF_8);
    decoder.setMaxLineLength(MAX_LINE_BYTES);
    chain.replace("codec", new ProtocolCodecFilter(new FtpResponseEncoder(), decoder));
    chain.addAfter("codec", NAME, new CommandLineLimit());
  }

  @Override
  public void exceptionCaught(NextFilter next, IoSession session, Throwable cause) throws Exception {
    if (cause instanceof RecoverableProtocolDecoderException && String.valueOf(cause.getMessage())
        .startsWith("Line is too long")) {
      session.write(new DefaultFtpReply(500, "Command line too long (the limit is " + MAX_LINE_BYTES
          + " bytes); it was ignored"));
      return;
    }
    next.exceptionCaught(session, cause);
  }
}
