package dev.ferry.core.store;

import dev.ferry.core.memory.ChunkPool;
import dev.ferry.core.s3.BucketStorages;
import dev.ferry.core.s3.Etags;
import dev.ferry.core.s3.ListPage;
import dev.ferry.core.s3.ObjectInfo;
import dev.ferry.core.s3.RangeBytes;
import dev.ferry.core.s3.S3Location;
import dev.ferry.core.s3.S3RequestObserver;
import dev.ferry.core.s3.StoreException;
import dev.ferry.core.s3.WriteOptions;
import dev.ferry.core.s3.WritePolicy;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.ChannelOption;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkResponse;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.client.config.SdkAdvancedAsyncClientOption;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.http.nio.netty.SdkEventLoopGroup;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttribute;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.S3AsyncClientBuilder;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.CommonPrefix;
import software.amazon.awssdk.services.s3.model.CompletedMultipartUpload;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.CopyObjectResponse;
import software.amazon.awssdk.services.s3.model.Delete;
import software.amazon.awssdk.services.s3.model.MetadataDirective;
import software.amazon.awssdk.services.s3.model.TaggingDirective;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * The S3 operations the gateway needs, over the SDK's async client with the Netty HTTP client.
 * Results come back as futures of core types; SDK exceptions become {@link StoreException}s that
 * name the operation and location. This is the only class that sees AWS SDK types.
 *
 * <p>Requests go to the S3 service their bucket is on: the {@code s3:} service, or another storage
 * ({@link Storage}) for the buckets its folders name. A copy between two services is read and
 * written here, as no CopyObject spans them.
 *
 * <p>Over 500 lines, and one concept: S3's API as the gateway uses it, one method per operation,
 * each building its request, sending it on one of its service's two clients and turning the answer
 * or the SDK's error into core's types through the same translation. Split by operation, the pieces would
 * be classes of a method or two around the same clients and error mapping, and the SDK's types
 * would spread over all of them.
 */
public final class ObjectStore implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ObjectStore.class);

  /** CopyObject's limit: a larger object is copied part by part (see {@link #copy}). */
  public static final long MAX_COPY_SIZE = 5L * 1024 * 1024 * 1024;
  /** S3's smallest part but the last, of an upload or a copy. */
  public static final long MIN_PART_SIZE = 5L * 1024 * 1024;

  /**
   * What the gateway needs to reach one S3-compatible endpoint. {@code singleCopyLimit} is the
   * largest object copied with one CopyObject: S3's {@link #MAX_COPY_SIZE}, lower only in tests,
   * which cannot write objects of 5 GiB to see the copy in parts. {@code conditionalWrites}: the
   * service refuses a write with {@code If-None-Match: *} where the key holds an object (AWS S3,
   * S3Proxy's file store), so a new file's write needs no request before it to make sure.
   */
  public record Settings(URI endpoint, String region, String accessKey, String secretKey,
      boolean pathStyle, int maxConnections, long singleCopyLimit, boolean conditionalWrites) {

    public Settings(URI endpoint, String region, String accessKey, String secretKey, boolean pathStyle,
        int maxConnections, long singleCopyLimit) {
      this(endpoint, region, accessKey, secretKey, pathStyle, maxConnections, singleCopyLimit, true);
    }

    public Settings(URI endpoint, String region, String accessKey, String secretKey, boolean pathStyle,
        int maxConnections) {
      this(endpoint, region, accessKey, secretKey, pathStyle, maxConnections, MAX_COPY_SIZE);
    }
  }

  private static final ExecutionAttribute<Long> STARTED = new ExecutionAttribute<>("ferry.requestStarted");

  /**
   * Another S3 service ({@code storages:} in ferry.yaml): every request about a bucket on it (as
   * {@link BucketStorages} says) goes to {@code settings}' endpoint with its credentials.
   */
  public record Storage(String name, Settings settings) {}

  /**
   * The clients of one S3 service, two per kind of request. A small request (a HEAD, a LIST, a
   * DELETE, a COPY, a PUT or GET of less than {@value #QUICK_BYTES} bytes) goes on {@code quick},
   * whose connections all live on one Netty thread: the SDK's channel pool hands a request from
   * event loop to event loop (four wake-ups between "send" and the first byte on the wire with the
   * default loops, 0.2-0.5 ms of a 1 ms request), and on one loop those hand-offs are calls. Parts
   * and ranges of megabytes go on {@code bulk}, whose loops (the SDK's default, two per CPU) share
   * the copying of bytes among the CPUs.
   */
  private final class Service implements AutoCloseable {
    final String name;
    final Settings settings;
    final S3AsyncClient quick;
    final S3AsyncClient bulk;
    final S3Presigner presigner;

    Service(String name, Settings settings) {
      this.name = name;
      this.settings = settings;
      this.quick = client(settings, SdkEventLoopGroup.builder().numberOfThreads(1));
      this.bulk = client(settings, null);
      S3Presigner.Builder presign = S3Presigner.builder()
          .region(Region.of(settings.region()))
          .credentialsProvider(credentials(settings))
          .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(settings.pathStyle()).build());
      if (settings.endpoint() != null) {
        presign.endpointOverride(settings.endpoint());
      }
      this.presigner = presign.build();
    }

    /** The client for a request moving {@code bytes} of body or range. */
    S3AsyncClient clientFor(long bytes) {
      return bytes < QUICK_BYTES ? quick : bulk;
    }

    @Override
    public void close() {
      presigner.close();
      quick.close();
      bulk.close();
    }
  }

  /** The {@code s3:} service: every bucket not on another storage. */
  private final Service main;
  /** The other storages' services, by name. */
  private final Map<String, Service> storages = new HashMap<>();
  private volatile BucketStorages routes = BucketStorages.MAIN_ONLY;
  /** Below this a body or a range goes on the quick client; Expect: 100-continue starts at it too. */
  static final long QUICK_BYTES = ExpectContinueForLargeBodies.THRESHOLD_BYTES;
  /**
   * A copy between two storages cannot be a CopyObject: Ferry reads the source and writes the
   * target, in parts of at least this (at most twice this), {@link #RELAY_PARTS_PER_COPY} at a time,
   * each holding its range from its read until its upload ends.
   */
  static final int RELAY_PART_BYTES = 8 << 20;
  /**
   * Parts of copies between storages in memory at once on this node, whoever copies (a tree renamed
   * across storages copies {@code rename.parallelism} files at once): at most 4 x 16 MiB.
   */
  static final int RELAY_PARTS_AT_ONCE = 4;
  /** Parts of one copy between storages in flight at once: one read while another is written. */
  static final int RELAY_PARTS_PER_COPY = 2;
  private final RelayPermits relayPermits = new RelayPermits(RELAY_PARTS_AT_ONCE);
  private volatile ListingCache listings = new ListingCache(java.time.Clock.systemUTC(), Duration.ZERO);
  private final long singleCopyLimit;
  private volatile S3RequestObserver requests = (operation, took, error) -> { };
  private volatile WritePolicy writePolicy = WritePolicy.NONE;

  public ObjectStore(Settings settings) {
    this(settings, List.of());
  }

  /**
   * The {@code s3:} service at {@code settings}, and {@code others} for the buckets
   * {@link #routeBy} places on them.
   */
  public ObjectStore(Settings settings, List<Storage> others) {
    this.singleCopyLimit = settings.singleCopyLimit();
    this.main = new Service("s3", settings);
    for (Storage storage : others) {
      storages.put(storage.name(), new Service(storage.name(), storage.settings()));
    }
  }

  /** From now on {@code routes} says which storage each bucket is on (until then: all on s3:). */
  public void routeBy(BucketStorages routes) {
    this.routes = routes;
  }

  /** The service {@code bucket} is on. */
  private Service on(String bucket) {
    return service(routes.storageOf(bucket));
  }

  /** The service of storage {@code name} (null: the s3: service). */
  private Service service(String name) {
    if (name == null) {
      return main;
    }
    Service service = storages.get(name);
    if (service == null) {
      throw new IllegalStateException("no storage '" + name + "' (storages: " + storages.keySet() + ")");
    }
    return service;
  }

  private Service on(S3Location at) {
    return on(at.bucket());
  }

  /**
   * The Netty buffers both clients read answers into and write requests from: one arena of each
   * kind. Netty's default gives each event loop thread (five here) an arena of its own, from up to
   * two per CPU, and each arena in use keeps 4 MiB chunks of direct memory: 25-29 MiB outside the
   * heap on 2 CPUs (NMT's "Other") for bytes the SDK copies out at once. With one arena it was 4.4
   * MiB, at the same speed (issue 37). Each thread keeps its own cache of small buffers, so the
   * arena's lock is taken only for new chunks.
   */
  private static final ByteBufAllocator NETTY_BUFFERS = new PooledByteBufAllocator(true, 1, 1,
      PooledByteBufAllocator.defaultPageSize(), PooledByteBufAllocator.defaultMaxOrder(),
      PooledByteBufAllocator.defaultSmallCacheSize(), PooledByteBufAllocator.defaultNormalCacheSize(),
      PooledByteBufAllocator.defaultUseCacheForAllThreads());

  /** A client on {@code loops} ({@code null}: the SDK's default event loops). */
  private S3AsyncClient client(Settings settings, SdkEventLoopGroup.Builder loops) {
    S3AsyncClientBuilder builder = S3AsyncClient.builder()
        .httpClientBuilder(NettyNioAsyncHttpClient.builder()
            .maxConcurrency(settings.maxConnections())
            .connectionAcquisitionTimeout(Duration.ofMinutes(2))
            .readTimeout(Duration.ofSeconds(60))
            .writeTimeout(Duration.ofSeconds(60))
            .putChannelOption(ChannelOption.ALLOCATOR, NETTY_BUFFERS)
            .eventLoopGroupBuilder(loops))
        .region(Region.of(settings.region()))
        .forcePathStyle(settings.pathStyle())
        .endpointProvider(new RememberedEndpoints())
        .credentialsProvider(credentials(settings))
        // Part integrity is checked with Content-MD5, which every S3-compatible server verifies;
        // the SDK's default flexible checksums (trailing CRC32) are not accepted everywhere.
        .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
        .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
        .overrideConfiguration(c -> c.addExecutionInterceptor(new RequestTiming())
            .addExecutionInterceptor(new ExpectContinueForLargeBodies()))
        // A request's future completes on the Netty thread that read the answer, not after a hop to
        // the SDK's own pool: a hop cost each small request 0.2-0.5 ms. So nothing chained on these
        // futures may block (every callback here updates memory, releases buffers or starts the
        // next request); a thread that must wait for S3 waits in await().
        .asyncConfiguration(c -> c.advancedOption(SdkAdvancedAsyncClientOption.FUTURE_COMPLETION_EXECUTOR,
            (Executor) Runnable::run));
    if (settings.endpoint() != null) {
      builder.endpointOverride(settings.endpoint());
    }
    return builder.build();
  }

  /** The configured keys, else the SDK's default chain; a provider per client, each closed with it. */
  private static AwsCredentialsProvider credentials(Settings settings) {
    if (settings.accessKey() != null && !settings.accessKey().isEmpty()) {
      return StaticCredentialsProvider.create(AwsBasicCredentials.create(settings.accessKey(), settings.secretKey()));
    }
    return DefaultCredentialsProvider.builder().build();
  }

  /**
   * From now on every object this store writes (PUT, multipart upload, copy) is written with the
   * options {@code policy} gives for it: the one place where what S3 is asked to do with an object
   * is decided, whoever writes it.
   */
  public void writeWith(WritePolicy policy) {
    this.writePolicy = policy;
  }

  /** Whether the service of {@code at}'s bucket refuses a write over an object when asked to (s3.conditionalWrites). */
  public boolean writesOnlyIfAbsent(S3Location at) {
    return on(at).settings.conditionalWrites();
  }

  /** From now on, tells {@code observer} of every request's end (for metrics). */
  public void observeRequests(S3RequestObserver observer) {
    this.requests = observer;
  }

  /** Times each request from the SDK's start to its end, answered or failed, for {@link S3RequestObserver}. */
  private final class RequestTiming implements ExecutionInterceptor {
    @Override
    public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
      attributes.putAttribute(STARTED, System.nanoTime());
    }

    @Override
    public void afterExecution(Context.AfterExecution context, ExecutionAttributes attributes) {
      ended(attributes, context.httpResponse().isSuccessful() ? null
          : Integer.toString(context.httpResponse().statusCode()));
    }

    @Override
    public void onExecutionFailure(Context.FailedExecution context, ExecutionAttributes attributes) {
      ended(attributes, context.httpResponse().map(r -> Integer.toString(r.statusCode()))
          .orElse(context.exception().getClass().getSimpleName()));
    }

    private void ended(ExecutionAttributes attributes, String error) {
      Long started = attributes.getAttribute(STARTED);
      requests.ended(attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME),
          started == null ? Duration.ZERO : Duration.ofNanos(System.nanoTime() - started), error);
    }
  }

  /**
   * A GET URL for the object that anyone holding it may use until {@code validity} ends: the way a
   * remote host fetches an object straight from S3 without Ferry's credentials. Signing is local,
   * no request is made.
   */
  public URI presignGet(S3Location at, Duration validity) {
    try {
      return on(at).presigner.presignGetObject(r -> r.signatureDuration(validity)
          .getObjectRequest(g -> g.bucket(at.bucket()).key(at.key()))).url().toURI();
    } catch (java.net.URISyntaxException e) {
      throw new IllegalStateException("presigned URL for " + at + " is not a URI", e);
    }
  }

  public CompletableFuture<Optional<ObjectInfo>> head(S3Location at) {
    return on(at).quick.headObject(b -> b.bucket(at.bucket()).key(at.key()))
        .thenApply(r -> Optional.of(new ObjectInfo(at.key(), r.contentLength(), r.lastModified(),
            r.eTag(), r.metadata())))
        .exceptionallyCompose(e -> kindOf(e) == StoreException.Kind.NOT_FOUND
            ? CompletableFuture.completedFuture(Optional.empty())
            : CompletableFuture.failedFuture(translate(e, "HEAD", at)));
  }

  public CompletableFuture<Boolean> bucketExists(String bucket) {
    return bucketExistsOn(routes.storageOf(bucket), bucket);
  }

  /** Whether {@code bucket} exists on storage {@code storage} (null: the s3: service), wherever it is routed now. */
  public CompletableFuture<Boolean> bucketExistsOn(String storage, String bucket) {
    return service(storage).quick.headBucket(b -> b.bucket(bucket)).thenApply(r -> true)
        .exceptionallyCompose(e -> kindOf(e) == StoreException.Kind.NOT_FOUND
            ? CompletableFuture.completedFuture(false)
            : CompletableFuture.failedFuture(translate(e, "HEAD bucket", bucket)));
  }

  public CompletableFuture<Void> createBucket(String bucket) {
    return on(bucket).quick.createBucket(b -> b.bucket(bucket)).thenApply(r -> (Void) null)
        .exceptionallyCompose(e -> CompletableFuture.failedFuture(translate(e, "CREATE bucket", bucket)));
  }

  /**
   * Whether {@code bucket} is there once this returns: one that is missing is created when
   * {@code create} (s3.createBuckets), and the answer is false only for a missing bucket not created.
   * Blocks: for start-up and admin checks, never on an event loop.
   */
  public boolean ensureBucket(String bucket, boolean create) throws IOException {
    if (await(bucketExists(bucket))) {
      return true;
    }
    if (!create) {
      return false;
    }
    await(createBucket(bucket));
    log.info("created bucket {}", bucket);
    return true;
  }

  /** One page of the objects and common prefixes under {@code prefix}, split at {@code delimiter}. */
  public CompletableFuture<ListPage> listPage(S3Location prefix, String delimiter, String token, int maxKeys) {
    return on(prefix).quick.listObjectsV2(b -> b.bucket(prefix.bucket()).prefix(prefix.key()).delimiter(delimiter)
            .continuationToken(token).maxKeys(maxKeys))
        .thenApply(r -> {
          List<ObjectInfo> objects = new ArrayList<>(r.contents().size());
          for (S3Object o : r.contents()) {
            objects.add(new ObjectInfo(o.key(), o.size(), o.lastModified(), o.eTag(), Map.of()));
          }
          List<String> prefixes = r.commonPrefixes().stream().map(CommonPrefix::prefix).toList();
          String next = Boolean.TRUE.equals(r.isTruncated()) ? r.nextContinuationToken() : null;
          return new ListPage(objects, prefixes, next);
        })
        .exceptionallyCompose(e -> CompletableFuture.failedFuture(translate(e, "LIST", prefix)));
  }

  /**
   * Streams the object from {@code offset} to its end in one GET; the SDK buffers a bounded amount
   * ahead. For sequential reads by core itself; client downloads use ranged reads with read-ahead.
   */
  public CompletableFuture<InputStream> openFrom(S3Location at, long offset) {
    return on(at).bulk.getObject(b -> b.bucket(at.bucket()).key(at.key()).range("bytes=" + offset + "-"),
            AsyncResponseTransformer.toBlockingInputStream())
        .thenApply(r -> (InputStream) r)
        .exceptionallyCompose(e -> CompletableFuture.failedFuture(translate(e, "GET", at)));
  }

  /** Reads a small range fully into memory. */
  public CompletableFuture<RangeBytes> readRange(S3Location at, long offset, long length) {
    return readRange(at, offset, Math.toIntExact(length), null);
  }

  /**
   * Reads {@code length} bytes at {@code offset}. With {@code ifMatch} non-null the
   * read fails (PRECONDITION_FAILED) if the object is no longer that version. Cancelling the
   * returned future stops the transfer.
   */
  public CompletableFuture<RangeBytes> readRange(S3Location at, long offset, int length, String ifMatch) {
    return readRange(at, offset, length, ifMatch, null);
  }

  /**
   * {@link #readRange(S3Location, long, int, String)} into {@code chunks}' chunks (null: none), for
   * a reader that {@link RangeBytes#release}s each range once it has read it.
   */
  public CompletableFuture<RangeBytes> readRange(S3Location at, long offset, int length, String ifMatch,
      ChunkPool chunks) {
    RangeFill fill = new RangeFill(length, chunks);
    CompletableFuture<RangeBytes> read = on(at).clientFor(length).getObject(b -> b.bucket(at.bucket()).key(at.key())
                .range("bytes=" + offset + "-" + (offset + length - 1)).ifMatch(ifMatch), fill)
        .exceptionallyCompose(e -> CompletableFuture.failedFuture(translate(e, "GET", at)));
    read.whenComplete((bytes, error) -> {
      if (error instanceof CancellationException) {
        fill.stop();
      }
    });
    return read;
  }

  /** Puts a whole object from buffers the caller keeps untouched until the future completes. */
  public CompletableFuture<String> put(S3Location at, ByteBuffer[] body, String contentMd5,
      Map<String, String> metadata) {
    return put(at, body, contentMd5, metadata, false);
  }

  /**
   * {@link #put}; with {@code onlyIfAbsent} S3 refuses it where the key holds an object
   * ({@link StoreException.Kind#PRECONDITION_FAILED}): for a store whose
   * {@link #writesOnlyIfAbsent} says it can.
   */
  public CompletableFuture<String> put(S3Location at, ByteBuffer[] body, String contentMd5,
      Map<String, String> metadata, boolean onlyIfAbsent) {
    long size = remaining(body);
    WriteOptions options = writePolicy.forObject(at);
    CompletableFuture<PutObjectResponse> sent = on(at).clientFor(size).putObject(b -> b.bucket(at.bucket()).key(at.key())
                .ifNoneMatch(onlyIfAbsent ? "*" : null)
                .contentLength(size).contentMD5(contentMd5).metadata(metadata)
                .serverSideEncryption(options.sse()).ssekmsKeyId(options.kmsKeyId())
                .bucketKeyEnabled(options.bucketKey()).storageClass(options.storageClass()).acl(options.acl())
                .tagging(options.taggingHeader()),
            AsyncRequestBody.fromByteBuffersUnsafe(body));
    return sent.thenApply(r -> r.eTag())
        .exceptionallyCompose(e -> CompletableFuture.failedFuture(translate(e, "PUT", at)))
        .whenComplete((etag, error) -> written(at, size, etag, error == null ? serverTime(sent.join()) : null, error));
  }

  public CompletableFuture<String> createMultipartUpload(S3Location at, Map<String, String> metadata) {
    WriteOptions options = writePolicy.forObject(at);
    return on(at).quick.createMultipartUpload(b -> b.bucket(at.bucket()).key(at.key()).metadata(metadata)
            .serverSideEncryption(options.sse()).ssekmsKeyId(options.kmsKeyId())
            .bucketKeyEnabled(options.bucketKey()).storageClass(options.storageClass()).acl(options.acl())
            .tagging(options.taggingHeader()))
        .thenApply(r -> r.uploadId())
        .exceptionallyCompose(e -> CompletableFuture.failedFuture(translate(e, "CREATE multipart upload", at)));
  }

  /**
   * Uploads one part from buffers the caller keeps untouched until the future completes; the
   * returned string is the part's ETag.
   */
  public CompletableFuture<String> uploadPart(S3Location at, String uploadId, int partNumber,
      ByteBuffer[] body, String contentMd5) {
    return on(at).bulk.uploadPart(b -> b.bucket(at.bucket()).key(at.key()).uploadId(uploadId)
                .partNumber(partNumber).contentLength(remaining(body)).contentMD5(contentMd5),
            AsyncRequestBody.fromByteBuffersUnsafe(body))
        .thenApply(r -> r.eTag())
        .exceptionallyCompose(e -> CompletableFuture.failedFuture(
            translate(e, "UPLOAD part " + partNumber + " of", at)));
  }

  /**
   * Copies the first {@code length} bytes of {@code source} into the upload {@code uploadId} of
   * {@code at}, as parts numbered from {@code firstPart}: one future per part, its ETag. The parts
   * are of equal size (at most one CopyObject's worth), so that each is at least S3's minimum part
   * size whenever {@code length} is, and more parts may follow them (resume). With {@code ifMatch}
   * non-null each part is copied only if the source still has that ETag. Between two storages the
   * parts are read and written by Ferry, {@link #RELAY_PART_BYTES} to twice that each,
   * {@link #RELAY_PARTS_PER_COPY} at a time.
   */
  public List<CompletableFuture<String>> copyAsParts(S3Location source, long length, S3Location at,
      String uploadId, int firstPart, String ifMatch) {
    boolean relayed = on(source) != on(at);
    long count = relayed ? Math.max(1, length / RELAY_PART_BYTES) : (length + singleCopyLimit - 1) / singleCopyLimit;
    long partSize = (length + count - 1) / count;
    List<CompletableFuture<String>> parts = new ArrayList<>();
    int number = firstPart;
    for (long first = 0; first < length; first += partSize) {
      long from = first;
      long last = Math.min(first + partSize, length) - 1;
      int partNumber = number++;
      // A relayed part starts once the part RELAY_PARTS_PER_COPY before it is written: one is read
      // while the other is written, and a copy holds at most that many parts.
      CompletableFuture<String> turn = parts.size() < RELAY_PARTS_PER_COPY ? CompletableFuture.completedFuture(null)
          : parts.get(parts.size() - RELAY_PARTS_PER_COPY);
      CompletableFuture<String> part = relayed
          ? turn.thenCompose(done -> relayPart(source, from, last, at, uploadId, partNumber, ifMatch))
          : uploadPartCopy(source, from, last, at, uploadId, partNumber, ifMatch);
      parts.add(part);
    }
    return parts;
  }

  /** A part of a copy between storages: its range read from {@code source}, then uploaded, under a relay permit. */
  private CompletableFuture<String> relayPart(S3Location source, long first, long last, S3Location at,
      String uploadId, int partNumber, String ifMatch) {
    return relayed(() -> readRange(source, first, Math.toIntExact(last - first + 1), ifMatch)
        .thenComposeAsync(bytes -> uploadPart(at, uploadId, partNumber, bytes.buffers(), md5Of(bytes)), RELAY_HASHING));
  }

  /** Runs {@code copy} once a relay permit is free, and gives the permit back when it ends, however. */
  private <T> CompletableFuture<T> relayed(Supplier<CompletableFuture<T>> copy) {
    return relayPermits.take().thenCompose(permit -> {
      CompletableFuture<T> running;
      try {
        running = copy.get();
      } catch (RuntimeException e) {
        running = CompletableFuture.failedFuture(e);
      }
      return running.whenComplete((done, error) -> relayPermits.give());
    });
  }

  /**
   * Where a relayed copy's bytes are hashed (Content-MD5): off the Netty thread that read them, which
   * serves other requests (8 MiB take about 15 ms).
   */
  private static final Executor RELAY_HASHING = java.util.concurrent.ForkJoinPool.commonPool();

  private static String md5Of(RangeBytes bytes) {
    MessageDigest md5 = Etags.md5();
    try {
      bytes.writeTo(md5::update);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a digest throws nothing
    }
    return Base64.getEncoder().encodeToString(md5.digest());
  }

  private CompletableFuture<String> uploadPartCopy(S3Location source, long first, long last,
      S3Location at, String uploadId, int partNumber, String ifMatch) {
    return on(at).quick.uploadPartCopy(b -> b.sourceBucket(source.bucket()).sourceKey(source.key())
            .copySourceRange("bytes=" + first + "-" + last).copySourceIfMatch(ifMatch)
            .destinationBucket(at.bucket()).destinationKey(at.key())
            .uploadId(uploadId).partNumber(partNumber))
        .thenApply(r -> r.copyPartResult().eTag())
        .exceptionallyCompose(e -> CompletableFuture.failedFuture(
            translate(e, "COPY part " + partNumber + " from " + source + " to", at)));
  }

  /** Completes an upload from part ETags in part-number order (index 0 is part 1). */
  public CompletableFuture<String> completeMultipartUpload(S3Location at, String uploadId, List<String> etags) {
    return completeMultipartUpload(at, uploadId, etags, false);
  }

  /** {@link #completeMultipartUpload}, refused by S3 where the key holds an object if {@code onlyIfAbsent}. */
  public CompletableFuture<String> completeMultipartUpload(S3Location at, String uploadId, List<String> etags,
      boolean onlyIfAbsent) {
    List<CompletedPart> parts = new ArrayList<>(etags.size());
    for (int i = 0; i < etags.size(); i++) {
      parts.add(CompletedPart.builder().partNumber(i + 1).eTag(etags.get(i)).build());
    }
    return on(at).quick.completeMultipartUpload(b -> b.bucket(at.bucket()).key(at.key()).uploadId(uploadId)
            .ifNoneMatch(onlyIfAbsent ? "*" : null)
            .multipartUpload(CompletedMultipartUpload.builder().parts(parts).build()))
        .thenApply(r -> r.eTag())
        .exceptionallyCompose(e -> CompletableFuture.failedFuture(translate(e, "COMPLETE multipart upload", at)))
        .whenComplete((etag, error) -> written(at, -1, null, null, error));
  }

  public CompletableFuture<Void> abortMultipartUpload(S3Location at, String uploadId) {
    return on(at).quick.abortMultipartUpload(b -> b.bucket(at.bucket()).key(at.key()).uploadId(uploadId))
        .thenApply(r -> (Void) null)
        .exceptionallyCompose(e -> kindOf(e) == StoreException.Kind.NOT_FOUND
            ? CompletableFuture.completedFuture(null)
            : CompletableFuture.failedFuture(translate(e, "ABORT multipart upload", at)));
  }

  /** Every in-progress multipart upload under {@code prefix}, all pages. */
  public CompletableFuture<List<MultipartUploadInfo>> listMultipartUploads(S3Location prefix) {
    List<MultipartUploadInfo> all = new ArrayList<>();
    return listUploadsFrom(prefix, null, null, all).thenApply(v -> all);
  }

  private CompletableFuture<Void> listUploadsFrom(S3Location prefix, String keyMarker, String idMarker,
      List<MultipartUploadInfo> into) {
    return on(prefix).quick.listMultipartUploads(b -> b.bucket(prefix.bucket()).prefix(prefix.key())
            .keyMarker(keyMarker).uploadIdMarker(idMarker))
        .exceptionallyCompose(e -> CompletableFuture.failedFuture(translate(e, "LIST multipart uploads", prefix)))
        .thenCompose(r -> {
          r.uploads().forEach(u -> into.add(new MultipartUploadInfo(
              new S3Location(prefix.bucket(), u.key()), u.uploadId(), u.initiated())));
          return Boolean.TRUE.equals(r.isTruncated())
              ? listUploadsFrom(prefix, r.nextKeyMarker(), r.nextUploadIdMarker(), into)
              : CompletableFuture.completedFuture(null);
        });
  }

  /**
   * Server-side copy of a whole object of {@code size} bytes; the result is the copy's ETag. With
   * {@code metadata} non-null the copy gets exactly that metadata, else the source's; with
   * {@code ifMatch} non-null it happens only if the source still has that ETag. An object larger
   * than CopyObject takes is copied part by part into a multipart upload, which is aborted if a
   * part fails.
   */
  public CompletableFuture<String> copy(S3Location from, S3Location to, long size, Map<String, String> metadata,
      String ifMatch) {
    boolean relayed = on(from) != on(to);
    if (relayed && size <= RELAY_PART_BYTES) {
      return relayWhole(from, to, size, metadata, ifMatch);
    }
    if (!relayed && size <= singleCopyLimit) {
      return copyWhole(from, to, size, metadata, ifMatch);
    }
    CompletableFuture<Map<String, String>> copiedMetadata = metadata != null
        ? CompletableFuture.completedFuture(metadata)
        : head(from).thenApply(info -> info.map(ObjectInfo::metadata).orElse(Map.of()));
    return copiedMetadata.thenCompose(m -> createMultipartUpload(to, m))
        .thenCompose(uploadId -> copyParts(from, to, size, uploadId, ifMatch)
            .thenCompose(etags -> completeMultipartUpload(to, uploadId, etags))
            .exceptionallyCompose(e -> abortMultipartUpload(to, uploadId)
                .handle((aborted, ignored) -> {
                  throw e instanceof CompletionException c ? c : new CompletionException(e);
                })));
  }

  private CompletableFuture<List<String>> copyParts(S3Location from, S3Location to, long size, String uploadId,
      String ifMatch) {
    List<CompletableFuture<String>> parts = copyAsParts(from, size, to, uploadId, 1, ifMatch);
    return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new))
        .thenApply(done -> parts.stream().map(CompletableFuture::join).toList());
  }

  /**
   * A copy between two storages of an object small enough for one PUT: read whole, then put with
   * the source's metadata (or {@code metadata}) and the target's write options. Tags stay behind:
   * they are not an object's metadata, and the target's own are written.
   */
  private CompletableFuture<String> relayWhole(S3Location from, S3Location to, long size,
      Map<String, String> metadata, String ifMatch) {
    return head(from).thenCompose(info -> {
      if (info.isEmpty()) {
        return CompletableFuture.failedFuture(new StoreException(StoreException.Kind.NOT_FOUND, "COPY " + from + " to",
            to, "the source is gone", null));
      }
      if (ifMatch != null && !Etags.same(ifMatch, info.get().etag())) {
        return CompletableFuture.failedFuture(new StoreException(StoreException.Kind.PRECONDITION_FAILED,
            "COPY " + from + " to", to, "the source changed (ETag " + info.get().etag() + ")", null));
      }
      Map<String, String> copied = metadata != null ? metadata : info.get().metadata();
      return relayed(() -> (size == 0 ? CompletableFuture.completedFuture(RangeBytes.EMPTY)
          : readRange(from, 0, Math.toIntExact(size), ifMatch))
          .thenComposeAsync(bytes -> put(to, bytes.buffers(), md5Of(bytes), copied), RELAY_HASHING));
    });
  }

  private CompletableFuture<String> copyWhole(S3Location from, S3Location to, long size,
      Map<String, String> metadata, String ifMatch) {
    // A copy is a new object: S3 gives it none of the source's encryption, storage class or ACL
    // unless asked, so it is asked for the target's; the source's tags go along unless the target
    // has its own.
    WriteOptions options = writePolicy.forObject(to);
    CompletableFuture<CopyObjectResponse> sent = on(to).quick.copyObject(b -> {
          b.sourceBucket(from.bucket()).sourceKey(from.key())
              .destinationBucket(to.bucket()).destinationKey(to.key()).copySourceIfMatch(ifMatch)
              .serverSideEncryption(options.sse()).ssekmsKeyId(options.kmsKeyId())
              .bucketKeyEnabled(options.bucketKey()).storageClass(options.storageClass()).acl(options.acl());
          if (metadata != null) {
            b.metadataDirective(MetadataDirective.REPLACE).metadata(metadata);
          }
          if (options.taggingHeader() != null) {
            b.taggingDirective(TaggingDirective.REPLACE).tagging(options.taggingHeader());
          }
        });
    return sent.thenApply(r -> r.copyObjectResult().eTag())
        .exceptionallyCompose(e -> CompletableFuture.failedFuture(translate(e, "COPY " + from + " to", to)))
        .whenComplete((etag, error) -> written(to, size, etag,
            error == null ? sent.join().copyObjectResult().lastModified() : null, error));
  }

  public CompletableFuture<Void> delete(S3Location at) {
    return on(at).quick.deleteObject(b -> b.bucket(at.bucket()).key(at.key()))
        .thenApply(r -> (Void) null)
        .exceptionallyCompose(e -> CompletableFuture.failedFuture(translate(e, "DELETE", at)))
        .whenComplete((done, error) -> {
          if (error == null) {
            listings.removed(at);
          } else {
            listings.unsure(at);
          }
        });
  }

  /** Deletes up to 1000 keys of one bucket in one request. */
  public CompletableFuture<Void> deleteAll(String bucket, List<String> keys) {
    if (keys.isEmpty()) {
      return CompletableFuture.completedFuture(null);
    }
    List<ObjectIdentifier> ids = keys.stream().map(k -> ObjectIdentifier.builder().key(k).build()).toList();
    return on(bucket).quick.deleteObjects(b -> b.bucket(bucket).delete(Delete.builder().objects(ids).quiet(true).build()))
        .thenCompose(r -> r.errors().isEmpty()
            ? CompletableFuture.<Void>completedFuture(null)
            : CompletableFuture.<Void>failedFuture(new StoreException(StoreException.Kind.REJECTED,
                "DELETE", "s3://" + bucket + "/" + r.errors().get(0).key(),
                r.errors().get(0).code() + " " + r.errors().get(0).message(), null)))
        .exceptionallyCompose(e -> CompletableFuture.failedFuture(translate(e, "DELETE batch in", bucket)))
        .whenComplete((done, error) -> keys.forEach(key -> {
          if (error == null) {
            listings.removed(new S3Location(bucket, key));
          } else {
            listings.unsure(new S3Location(bucket, key));
          }
        }));
  }

  /**
   * Tells the listing cache of a write: done (with the size, ETag and S3's time, or -1 and nulls
   * where unknown), or failed (it may have happened or not).
   */
  private void written(S3Location at, long size, String etag, Instant time, Throwable error) {
    if (error == null) {
      listings.written(at, size, etag, time);
    } else {
      listings.unsure(at);
    }
  }

  /**
   * What this node saw in S3's folders a moment ago, kept up to date with every change made through
   * this store (off until {@link #keepListingsIn}).
   */
  public ListingCache listings() {
    return listings;
  }

  /** From now on {@code cache} keeps what listings saw, and hears of every change made through here. */
  public void keepListingsIn(ListingCache cache) {
    this.listings = cache;
  }

  private static long remaining(ByteBuffer[] buffers) {
    long total = 0;
    for (ByteBuffer b : buffers) {
      total += b.remaining();
    }
    return total;
  }

  /**
   * Waits for a store future on a protocol thread (never an event loop) and rethrows its failure
   * as the {@link StoreException} it carries.
   */
  /**
   * The S3 server's clock when it answered a write (its Date header, whole seconds): the object's
   * Last-Modified, which S3 sets as the write completes and says only to a HEAD or a listing, is
   * that second in all but the rare write that straddles one. Null when the answer had no date.
   */
  static Instant serverTime(SdkResponse response) {
    try {
      return response.sdkHttpResponse().firstMatchingHeader("Date")
          .map(date -> Instant.from(DateTimeFormatter.RFC_1123_DATE_TIME.parse(date))).orElse(null);
    } catch (DateTimeException unreadable) {
      return null;
    }
  }

  public static <T> T await(CompletableFuture<T> future) throws IOException {
    try {
      return future.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      future.cancel(true);
      throw new java.io.InterruptedIOException("interrupted while waiting for S3");
    } catch (ExecutionException e) {
      Throwable cause = unwrap(e);
      if (cause instanceof IOException io) {
        throw io;
      }
      throw new IOException(cause.getMessage(), cause);
    } catch (CancellationException e) {
      throw new java.io.InterruptedIOException("S3 request cancelled");
    }
  }

  static Throwable unwrap(Throwable e) {
    while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
      e = e.getCause();
    }
    return e;
  }

  private static StoreException.Kind kindOf(Throwable e) {
    Throwable cause = unwrap(e);
    if (cause instanceof StoreException se) {
      return se.kind();
    }
    if (cause instanceof S3Exception s3e) {
      return switch (s3e.statusCode()) {
        case 404 -> StoreException.Kind.NOT_FOUND;
        case 403 -> StoreException.Kind.ACCESS_DENIED;
        case 412 -> StoreException.Kind.PRECONDITION_FAILED;
        case 500, 502, 503, 504 -> StoreException.Kind.UNAVAILABLE;
        default -> StoreException.Kind.REJECTED;
      };
    }
    return StoreException.Kind.UNAVAILABLE;
  }

  private static StoreException translate(Throwable e, String operation, Object location) {
    Throwable cause = unwrap(e);
    if (cause instanceof StoreException se) {
      return se;
    }
    String detail;
    if (cause instanceof S3Exception s3e && s3e.awsErrorDetails() != null) {
      detail = s3e.statusCode() + " " + s3e.awsErrorDetails().errorCode() + " "
          + s3e.awsErrorDetails().errorMessage();
    } else if (cause instanceof SdkClientException) {
      detail = "S3 unreachable (" + cause.getMessage() + ")";
    } else {
      detail = String.valueOf(cause.getMessage());
    }
    return new StoreException(kindOf(cause), operation, location, detail, cause);
  }

  @Override
  public void close() {
    main.close();
    storages.values().forEach(Service::close);
  }
}
