package dev.ferry.core.store;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import software.amazon.awssdk.endpoints.Endpoint;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.endpoints.S3EndpointParams;
import software.amazon.awssdk.services.s3.endpoints.S3EndpointProvider;

/**
 * The SDK's S3 endpoint rules, each answer remembered. The rules engine runs twice for every
 * request (once to choose how to sign, once for the URL), about a tenth of the SDK's CPU for a
 * small request, and its answer depends only on the bucket and the client's settings: the rules
 * of SDK 2.39 read bucket, region, endpoint and the flags below, never the key. A bucket's endpoint
 * is then worked out once per client.
 */
final class RememberedEndpoints implements S3EndpointProvider {

  /** Buckets remembered at most; past it the rules answer each time (a node names few buckets). */
  static final int MAX_REMEMBERED = 4096;

  /** What the rules read, with the object-level parameters (key, prefix, copy source) left out. */
  private record Question(String bucket, Region region, String endpoint, Boolean forcePathStyle, Boolean accelerate,
      Boolean useFips, Boolean useDualStack, Boolean useGlobalEndpoint, Boolean useObjectLambdaEndpoint,
      Boolean disableAccessPoints, Boolean disableMultiRegionAccessPoints, Boolean useArnRegion,
      Boolean useS3ExpressControlEndpoint, Boolean disableS3ExpressSessionAuth) {

    static Question of(S3EndpointParams p) {
      return new Question(p.bucket(), p.region(), p.endpoint(), p.forcePathStyle(), p.accelerate(), p.useFips(),
          p.useDualStack(), p.useGlobalEndpoint(), p.useObjectLambdaEndpoint(), p.disableAccessPoints(),
          p.disableMultiRegionAccessPoints(), p.useArnRegion(), p.useS3ExpressControlEndpoint(),
          p.disableS3ExpressSessionAuth());
    }
  }

  private final S3EndpointProvider rules;
  private final Map<Question, Endpoint> answers = new ConcurrentHashMap<>();

  RememberedEndpoints() {
    this(S3EndpointProvider.defaultProvider());
  }

  RememberedEndpoints(S3EndpointProvider rules) {
    this.rules = rules;
  }

  @Override
  public CompletableFuture<Endpoint> resolveEndpoint(S3EndpointParams params) {
    Question question = Question.of(params);
    Endpoint known = answers.get(question);
    if (known != null) {
      return CompletableFuture.completedFuture(known);
    }
    return rules.resolveEndpoint(params).thenApply(endpoint -> {
      if (answers.size() < MAX_REMEMBERED) {
        answers.put(question, endpoint);
      }
      return endpoint;
    });
  }
}
