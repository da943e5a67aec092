package dev.ferry.core.store;

import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.http.nio.netty.SdkEventLoopGroup;

/**
 * The event loops and channels of the S3 client's connections, which Ferry provides (and shuts
 * down) so that one setting the SDK does not offer can be changed: the size of the pieces a
 * response body is handed on in.
 *
 * <p>The SDK decodes HTTP/1.1 with Netty's defaults, which cut a body into pieces of at most
 * 8 KiB, and passes each piece through its reactive chain and a copy into a fresh heap buffer:
 * 131,072 pieces per GiB downloaded. Each connection here swaps that decoder, before the first
 * byte arrives, for one that hands on up to {@link #BODY_PIECE} at a time (in practice what one
 * socket read brought), which took about a tenth off the S3 event loop's CPU time in a 1 GiB SFTP
 * download. Should the SDK stop adding that decoder, nothing is swapped and nothing else changes.
 */
final class S3Connections implements AutoCloseable {

  static final int BODY_PIECE = 256 * 1024;
  private static final int MAX_INITIAL_LINE = 4096;
  private static final int MAX_HEADER_SIZE = 8192;

  private final EventLoopGroup loops = new NioEventLoopGroup(0, new DefaultThreadFactory("ferry-s3", true));

  SdkEventLoopGroup eventLoops() {
    return SdkEventLoopGroup.create(loops, LargeBodyPieceChannel::new);
  }

  @Override
  public void close() {
    loops.shutdownGracefully(0, 5, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
  }

  /** A connection whose HTTP decoder hands the body on in large pieces (see the class comment). */
  private static final class LargeBodyPieceChannel extends NioSocketChannel {
    private boolean decoderChecked;

    /** Runs on the event loop once the connection is up, after the SDK built the pipeline, before any read. */
    @Override
    protected void doBeginRead() throws Exception {
      if (!decoderChecked) {
        decoderChecked = true;
        ChannelPipeline pipeline = pipeline();
        HttpClientCodec sdkCodec = pipeline.get(HttpClientCodec.class);
        if (sdkCodec != null) {
          pipeline.replace(sdkCodec, null, new HttpClientCodec(MAX_INITIAL_LINE, MAX_HEADER_SIZE, BODY_PIECE));
        }
      }
      super.doBeginRead();
    }
  }
}
