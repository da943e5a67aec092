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
 * Receives a ranged GET of known length as {@link RangeBytes}: the pieces the SDK delivers, kept as
 * they are. The SDK's own {@code toBytes()} grows one buffer and copies it again at the end. The
 * Netty HTTP client hands each piece over in a buffer of its own ({@code ResponseHandler} copies
 * every HTTP chunk out of Netty's pooled memory into a new heap buffer) and never touches it again,
 * so keeping it costs nothing; DownloadsIT reads every byte back through here against a real S3
 * server. {@link #stop()} makes the next arriving piece cancel the request, for a reader that no
 * longer wants the range.
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
      private final List<ByteBuffer> pieces = new ArrayList<>();
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
        pieces.add(piece);
        filled += n;
      }

      @Override
      public void onError(Throwable t) {
        target.completeExceptionally(t);
      }

      @Override
      public void onComplete() {
        if (filled == length) {
          target.complete(new RangeBytes(pieces));
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
