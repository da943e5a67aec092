package dev.ferry.core.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.core.async.SdkPublisher;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;

/**
 * Receives a ranged GET of known length straight into one array of exactly that length: the SDK's
 * own {@code toBytes()} grows a buffer and copies it again at the end. {@link #stop()} makes the
 * next arriving piece cancel the request, for a reader that no longer wants the range.
 */
final class ByteArrayFill implements AsyncResponseTransformer<GetObjectResponse, byte[]> {

  private final int length;
  private volatile CompletableFuture<byte[]> result;
  private volatile boolean stopped;

  ByteArrayFill(int length) {
    this.length = length;
  }

  void stop() {
    stopped = true;
  }

  @Override
  public CompletableFuture<byte[]> prepare() {
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
    CompletableFuture<byte[]> target = result;
    publisher.subscribe(new Subscriber<ByteBuffer>() {
      private final byte[] bytes = new byte[length];
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
        piece.get(bytes, filled, n);
        filled += n;
      }

      @Override
      public void onError(Throwable t) {
        target.completeExceptionally(t);
      }

      @Override
      public void onComplete() {
        if (filled == length) {
          target.complete(bytes);
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
