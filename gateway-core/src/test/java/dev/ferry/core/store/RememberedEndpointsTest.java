package dev.ferry.core.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.endpoints.AwsEndpointAttribute;
import software.amazon.awssdk.endpoints.Endpoint;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.endpoints.S3EndpointParams;
import software.amazon.awssdk.services.s3.endpoints.S3EndpointProvider;

/**
 * A remembered endpoint is the one the SDK's rules give, for AWS itself and for an endpoint of
 * one's own, path-style or not, whatever the object's key; the rules are asked once per bucket.
 */
class RememberedEndpointsTest {

  private final AtomicInteger asked = new AtomicInteger();
  private final S3EndpointProvider rules = S3EndpointProvider.defaultProvider();
  private final RememberedEndpoints remembered = new RememberedEndpoints(params -> {
    asked.incrementAndGet();
    return rules.resolveEndpoint(params);
  });

  private static S3EndpointParams params(String bucket, String endpoint, boolean pathStyle, String key) {
    return S3EndpointParams.builder().bucket(bucket).region(Region.of("eu-west-1")).endpoint(endpoint)
        .forcePathStyle(pathStyle).useFips(false).useDualStack(false).accelerate(false).key(key).build();
  }

  /** What a request takes of an endpoint: its URL, headers and how to sign (SigV4's name, region, encoding). */
  private static List<Object> described(Endpoint endpoint) {
    return List.of(endpoint.url(), endpoint.headers(), endpoint.attribute(AwsEndpointAttribute.AUTH_SCHEMES));
  }

  @Test
  void theRulesAnswer_onceABucket_forEveryKey() {
    for (S3EndpointParams first : List.of(params("alpha", null, false, "a.txt"), params("alpha", null, true, "a.txt"),
        params("beta", "http://127.0.0.1:9000", true, "dir/b.bin"), params("beta.dots", "https://s3.example.com", false, "c"))) {
      int before = asked.get();
      Endpoint endpoint = remembered.resolveEndpoint(first).join();
      assertEquals(described(rules.resolveEndpoint(first).join()), described(endpoint), first.toString());
      S3EndpointParams otherKey = first.toBuilder().key("other/key.bin").build();
      assertEquals(described(rules.resolveEndpoint(otherKey).join()), described(remembered.resolveEndpoint(otherKey).join()));
      assertEquals(before + 1, asked.get(), "the rules asked once for " + first.bucket());
    }
    assertEquals("https://alpha.s3.eu-west-1.amazonaws.com",
        remembered.resolveEndpoint(params("alpha", null, false, "x")).join().url().toString());
    assertEquals("http://127.0.0.1:9000/beta",
        remembered.resolveEndpoint(params("beta", "http://127.0.0.1:9000", true, "x")).join().url().toString());
  }

  @Test
  void aQuestionTheRulesRefuse_isAskedAgain() {
    // The rules refuse FIPS with an endpoint of one's own.
    S3EndpointParams bad = params("gamma", "http://127.0.0.1:9000", true, "k").toBuilder().useFips(true).build();
    assertThrows(CompletionException.class, () -> remembered.resolveEndpoint(bad).join());
    assertThrows(CompletionException.class, () -> remembered.resolveEndpoint(bad).join());
    assertEquals(2, asked.get());
  }

  @Test
  void pastTheLimit_theRulesAnswerEachTime() {
    RememberedEndpoints few = new RememberedEndpoints(params -> {
      asked.incrementAndGet();
      return CompletableFuture.completedFuture(Endpoint.builder().url(java.net.URI.create("http://x/" + params.bucket())).build());
    });
    for (int i = 0; i < RememberedEndpoints.MAX_REMEMBERED; i++) {
      few.resolveEndpoint(params("bucket-" + i, null, true, "k")).join();
    }
    few.resolveEndpoint(params("one-more", null, true, "k")).join();
    few.resolveEndpoint(params("one-more", null, true, "k")).join();
    assertEquals(RememberedEndpoints.MAX_REMEMBERED + 2, asked.get());
  }
}
