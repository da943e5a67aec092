package dev.ferry.core.store;

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
 * Receives a ranged GET of known length straight into {@link RangeBytes} chunks, allocated as the
 * bytes arrive: the SDK's own {@code toBytes()} grows one buffer and copies it again at the end.
 * {@link #stop()} makes the next arriving piece cancel the request, for a reader that no longer
 * wants the range.
 */
final class RangeFill implements AsyncResponseTransformer<GetObjectResponse, RangeBytes> {

  private final int length;
  private volatile CompletableFuture<RangeBytes> result;
  private volatile boolean stopped;

  RangeFill(int length) {
    this.length = length;
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
      private final List<byte[]> chunks = new ArrayList<>();
      private Subscription subscription;
      private int filled;

      @Override
      public void onSubscribe(Subscription s) {
        subscription = s;
        s.request(Long.MAX_VALUE);
      }

      @Override
      public void onNext(ByteBuffer piece) {
        if (stopped || target.isDone()) {
          subscription.cancel();
          target.completeExceptionally(new IOException("range read stopped by its reader"));
          return;
        }
        int n = piece.remaining();
        if (n > length - filled) {
          subscription.cancel();
          target.completeExceptionally(new IOException("S3 sent more than the " + length + " bytes asked for"));
          return;
        }
        while (piece.hasRemaining()) {
          int within = filled % RangeBytes.CHUNK_SIZE;
          if (within == 0) {
            chunks.add(new byte[Math.min(RangeBytes.CHUNK_SIZE, length - filled)]);
          }
          int take = Math.min(piece.remaining(), RangeBytes.CHUNK_SIZE - within);
          piece.get(chunks.get(chunks.size() - 1), within, take);
          filled += take;
        }
      }

      @Override
      public void onError(Throwable t) {
        target.completeExceptionally(t);
      }

      @Override
      public void onComplete() {
        if (filled == length) {
          target.complete(new RangeBytes(chunks, length));
        } else {
          target.completeExceptionally(new IOException(
              "S3 ended a range of " + length + " bytes after " + filled + " bytes"));
        }
      }
    });
  }

  @Override
  public void exceptionOccurred(Throwable error) {
    result.completeExceptionally(error);
  }
}
