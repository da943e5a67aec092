package dev.ferry.core.store;

import dev.ferry.core.memory.ChunkPool;
import dev.ferry.core.s3.RangeBytes;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.core.async.SdkPublisher;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;

/**
 * Receives a ranged GET of known length as {@link RangeBytes}: the pieces the SDK delivers, kept as
 * they are. The SDK's own {@code toBytes()} grows one buffer and copies it again at the end. The
 * Netty HTTP client hands each piece over in a buffer of its own ({@code ResponseHandler} copies
 * every HTTP chunk out of Netty's pooled memory into a new heap buffer) and never touches it again,
 * so keeping it costs no copy; DownloadsIT reads every byte back through here against a real S3
 * server. {@link #stop()} makes the next arriving piece cancel the request, for a reader that no
 * longer wants the range.
 *
 * <p>Given {@link ChunkPool}, a range of a chunk or more is copied into its chunks instead: one
 * copy, so that the range's bytes outlive no garbage collection in new buffers (see there why). A
 * range that fails or is no longer wanted gives its chunks back at once.
 */
final class RangeFill implements AsyncResponseTransformer<GetObjectResponse, RangeBytes> {

  private final int length;
  /** Null: the S3 client's pieces are kept as they are. */
  private final ChunkPool chunks;
  private volatile CompletableFuture<RangeBytes> result;
  private volatile boolean stopped;

  RangeFill(int length, ChunkPool chunks) {
    this.length = length;
    this.chunks = chunks != null && length >= chunks.chunkSize() ? chunks : null;
  }

  void stop() {
    stopped = true;
  }

  @Override
  public CompletableFuture<RangeBytes> prepare() {
    result = new CompletableFuture<>();
    return result;
  }

  @Override
  public void onResponse(GetObjectResponse response) {
    Long contentLength = response.contentLength();
    if (contentLength != null && contentLength != length) {
      result.completeExceptionally(new IOException(
          "S3 answered a range of " + length + " bytes with " + contentLength + " bytes"));
    }
  }

  @Override
  public void onStream(SdkPublisher<ByteBuffer> publisher) {
    CompletableFuture<RangeBytes> target = result;
    publisher.subscribe(new Subscriber<ByteBuffer>() {
      private final List<ByteBuffer> pieces = new ArrayList<>();
      private Subscription subscription;
      private int filled;
      /** The chunk being filled, not yet in {@code pieces}, and how much of it is. */
      private byte[] chunk;
      private int chunkUsed;

      @Override
      public void onSubscribe(Subscription s) {
        subscription = s;
        s.request(Long.MAX_VALUE);
      }

      @Override
      public void onNext(ByteBuffer piece) {
        if (stopped || target.isDone()) {
          subscription.cancel();
          fail(new IOException("range read stopped by its reader"));
          return;
        }
        int n = piece.remaining();
        if (n > length - filled) {
          subscription.cancel();
          fail(new IOException("S3 sent more than the " + length + " bytes asked for"));
          return;
        }
        if (chunks == null) {
          pieces.add(piece);
        } else {
          copyIntoChunks(piece);
        }
        filled += n;
      }

      private void copyIntoChunks(ByteBuffer piece) {
        while (piece.hasRemaining()) {
          if (chunk == null || chunkUsed == chunk.length) {
            addChunk();
            chunk = chunks.take();
          }
          int n = Math.min(piece.remaining(), chunk.length - chunkUsed);
          piece.get(chunk, chunkUsed, n);
          chunkUsed += n;
        }
      }

      private void addChunk() {
        if (chunk != null) {
          pieces.add(ByteBuffer.wrap(chunk, 0, chunkUsed));
          chunk = null;
          chunkUsed = 0;
        }
      }

      @Override
      public void onError(Throwable t) {
        fail(t);
      }

      @Override
      public void onComplete() {
        if (filled != length) {
          fail(new IOException("S3 ended a range of " + length + " bytes after " + filled + " bytes"));
          return;
        }
        addChunk();
        RangeBytes bytes = new RangeBytes(pieces, chunks);
        if (!target.complete(bytes)) {
          bytes.release(); // nobody wants it any more
        }
      }

      /** Fails the range; its chunks, which nobody saw, go back at once. */
      private void fail(Throwable error) {
        target.completeExceptionally(error);
        if (chunks != null) {
          addChunk();
          pieces.forEach(piece -> chunks.giveBack(piece.array()));
          pieces.clear();
        }
      }
    });
  }

  @Override
  public void exceptionOccurred(Throwable error) {
    result.completeExceptionally(error);
  }
}
