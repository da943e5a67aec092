package dev.ferry.core.upload;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.Gateway;
import dev.ferry.core.event.Origin;
import dev.ferry.core.event.SessionInfo;
import dev.ferry.core.lock.PathBusyException;
import dev.ferry.core.lock.PathLock;
import dev.ferry.core.s3.Etags;
import dev.ferry.core.s3.ObjectFacts;
import dev.ferry.core.s3.S3Location;
import dev.ferry.core.testing.Await;
import dev.ferry.core.testing.S3TestServer;
import dev.ferry.core.testing.TestGateways;
import dev.ferry.core.testing.TestObjects;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * One upload's life, opened through {@link Uploads} of a real gateway over a real S3 server, as a
 * user of Ferry checks it: in S3 (the object, its bytes and metadata, no multipart upload left) and
 * in the catalog (its SHA-256 and client time). Parts here are 5 MiB, S3's least; a first part may
 * grow to 10 MiB (uploads.singlePutLimit) and so still be one PUT.
 */
class StreamingUploadIT {

  @RegisterExtension
  static final S3TestServer s3 = new S3TestServer();

  private static final int MIB = 1024 * 1024;
  private static final int PART = 5 * MIB;
  private static final int SINGLE_PUT_LIMIT = 10 * MIB;
  /** Fits in the first part. */
  private static final int SMALL = 1000;
  /** Outgrows the first part, not the single-PUT limit. */
  private static final int GROWN = 7 * MIB + 3;
  /** Three parts: the first grown to the single-PUT limit, one of the part size, the rest. */
  private static final int LARGE = SINGLE_PUT_LIMIT + PART + 12_345;
  /** Writes as a client sends them, aligned to no chunk or part. */
  private static final int SLICE = 100_003;
  private static final Map<String, String> PROVENANCE =
      Origin.client(new SessionInfo("s-42", "SFTP", "203.0.113.9", "alice")).asObjectMetadata();

  @TempDir
  static Path directory;

  static Gateway gateway;
  String bucket;
  final List<UploadOutcome> outcomes = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void start() throws IOException {
    gateway = TestGateways.start(s3, directory, s3.createBucket(),
        "uploads:\n  partSize: 5MiB\n  singlePutLimit: 10MiB\n  memoryBudget: 40MiB\n");
  }

  @AfterAll
  static void stop() {
    gateway.close();
  }

  @BeforeEach
  void newBucket() {
    bucket = s3.createBucket();
  }

  /** Whatever way an upload ends, it lets its path lock and its place among the open uploads go. */
  @AfterEach
  void nothingLeftOpen() {
    Set<StreamingUpload> open = gateway.uploads().openUploads();
    open.forEach(upload -> upload.abort("the test ended"));
    assertEquals(Set.of(), open, "uploads left open");
    assertEquals(0, gateway.locks().size(), "path locks left held");
  }

  @ParameterizedTest(name = "{0} bytes")
  @ValueSource(ints = {SMALL, GROWN, SINGLE_PUT_LIMIT})
  void commit_belowTheSinglePutLimit_oneObjectOnlyThen_byteExactWithItsSha256(int size) throws IOException {
    byte[] data = TestObjects.randomBytes(size);
    StreamingUpload upload = open("small.bin");
    write(upload, data);
    assertEquals(List.of(), s3.keys(bucket, ""), "visible before the commit");
    assertEquals(List.of(), s3.multipartUploads(bucket), "a file below the single-PUT limit is one PUT");
    assertNull(upload.sha256(), "no SHA-256 before the commit");

    assertEquals(size, upload.commit());

    String sha256 = S3TestServer.sha256Hex(data);
    assertEquals(List.of("small.bin"), s3.keys(bucket, ""));
    assertArrayEquals(data, s3.read(bucket, "small.bin"));
    assertFalse(etag("small.bin").contains("-"), "a multipart object's ETag: " + etag("small.bin"));
    assertEquals(sha256, upload.sha256());
    assertEquals(new ObjectFacts(sha256, null), TestObjects.recordedFacts(gateway, bucket, "small.bin"));
    assertEquals(PROVENANCE, s3.metadata(bucket, "small.bin"));
    assertEquals(List.of(new UploadOutcome(true, size, sha256, null, false)), outcomes);
  }

  @Test
  void commit_ofSeveralParts_oneMultipartObject_byteExactWithItsSha256_noUploadLeft() throws IOException {
    byte[] data = TestObjects.randomBytes(LARGE);
    StreamingUpload upload = open("large.bin");
    write(upload, data);
    assertEquals(List.of(), s3.keys(bucket, ""), "visible before the commit");
    assertEquals(List.of("large.bin"), s3.multipartUploads(bucket));

    assertEquals(LARGE, upload.commit());

    String sha256 = S3TestServer.sha256Hex(data);
    assertEquals(List.of("large.bin"), s3.keys(bucket, ""));
    assertArrayEquals(data, s3.read(bucket, "large.bin"));
    assertTrue(etag("large.bin").endsWith("-3"), "not three parts: " + etag("large.bin"));
    assertEquals(List.of(), s3.multipartUploads(bucket), "multipart upload left behind");
    assertEquals(sha256, upload.sha256());
    assertEquals(new ObjectFacts(sha256, null), TestObjects.recordedFacts(gateway, bucket, "large.bin"));
    assertEquals(PROVENANCE, s3.metadata(bucket, "large.bin"));
    assertEquals(List.of(new UploadOutcome(true, LARGE, sha256, null, false)), outcomes);
  }

  /** As SFTP's setstat on a handle still open: the time is the file's once it is committed. */
  @ParameterizedTest(name = "{0} bytes")
  @ValueSource(ints = {SMALL, LARGE})
  void commit_afterTheClientSetATime_catalogRecordsThatTime(int size) throws IOException {
    byte[] data = TestObjects.randomBytes(size);
    Instant time = Instant.parse("2001-02-03T04:05:06Z");
    StreamingUpload upload = open("timed.bin");
    upload.setClientTime(Instant.parse("1999-01-01T00:00:00Z"));
    write(upload, data);
    upload.setClientTime(time);

    upload.commit();

    assertEquals(new ObjectFacts(S3TestServer.sha256Hex(data), time),
        TestObjects.recordedFacts(gateway, bucket, "timed.bin"));
  }

  @ParameterizedTest(name = "{0} bytes")
  @ValueSource(ints = {SMALL, LARGE})
  void close_beforeCommit_leavesNoObjectNorMultipartUpload_reportedAbandoned(int size) throws IOException {
    StreamingUpload upload = open("closed.bin");
    write(upload, TestObjects.randomBytes(size));
    assertEquals(size > SINGLE_PUT_LIMIT ? List.of("closed.bin") : List.of(), s3.multipartUploads(bucket));

    upload.close();

    assertEquals(List.of(), s3.keys(bucket, ""), "an object was committed by close()");
    assertEquals(List.of(), s3.multipartUploads(bucket), "multipart upload left behind");
    assertFalse(upload.isOpen());
    assertEquals(1, outcomes.size(), "outcomes: " + outcomes);
    assertFalse(outcomes.get(0).committed());
    assertEquals(size, outcomes.get(0).size());
  }

  @ParameterizedTest(name = "{0} bytes")
  @ValueSource(ints = {SMALL, LARGE})
  void abort_beforeCommit_leavesNothing_reportsTheReason_thenRefusesWritesAndCommit(int size) throws IOException {
    StreamingUpload upload = open("aborted.bin");
    write(upload, TestObjects.randomBytes(size));

    upload.abort("client sent ABOR");
    upload.abort("a second abort changes nothing");
    upload.close();

    assertEquals(List.of(), s3.keys(bucket, ""));
    assertEquals(List.of(), s3.multipartUploads(bucket), "multipart upload left behind");
    assertEquals(List.of(new UploadOutcome(false, size, null, "client sent ABOR", false)), outcomes);
    IOException write = assertThrows(IOException.class, () -> upload.write(new byte[] {1}));
    assertEquals("upload of /aborted.bin by alice: upload was aborted", write.getMessage());
    assertThrows(IOException.class, upload::commit);
    assertEquals(List.of(), s3.keys(bucket, ""), "a commit after the abort wrote");
    assertEquals(1, outcomes.size(), "reported again: " + outcomes);
  }

  @Test
  void commitAgain_orWriteAfterIt_refusedSayingItIsCommitted_objectAndOutcomeUnchanged() throws IOException {
    byte[] data = TestObjects.randomBytes(SMALL);
    StreamingUpload upload = open("twice.bin");
    write(upload, data);
    upload.commit();
    String etag = etag("twice.bin");

    IOException again = assertThrows(IOException.class, upload::commit);
    IOException write = assertThrows(IOException.class, () -> upload.write(new byte[] {1}));
    upload.close();

    assertEquals("upload of /twice.bin by alice: upload was already committed", again.getMessage());
    assertEquals(again.getMessage(), write.getMessage());
    assertArrayEquals(data, s3.read(bucket, "twice.bin"));
    assertEquals(etag, etag("twice.bin"), "the object was written again");
    assertEquals(S3TestServer.sha256Hex(data), upload.sha256(), "the commit no longer counts");
    assertEquals(1, outcomes.size(), "outcomes: " + outcomes);
    assertTrue(outcomes.get(0).committed());
  }

  /** SFTP's copy-data: the new file is the source's bytes, copied by S3 without passing through Ferry. */
  @Test
  void commitAsCopy_copiedInsideS3_withTheSourcesSha256AndTheWritersProvenance() throws IOException {
    byte[] data = TestObjects.randomBytes(GROWN);
    s3.put(bucket, "source.bin", data, Map.of("written-by", "another tool"));
    String sha256 = S3TestServer.sha256Hex(data);
    Instant time = Instant.parse("2010-10-10T10:10:10Z");
    List<String> requests = new CopyOnWriteArrayList<>();
    StreamingUpload upload = openAsCopyOf("copy.bin", "source.bin", sha256);
    upload.setClientTime(time);
    gateway.observeS3Requests((operation, took, error) -> requests.add(operation));
    try {
      assertEquals(GROWN, upload.commit());
    } finally {
      gateway.observeS3Requests((operation, took, error) -> { });
    }

    assertEquals(List.of("CopyObject"), requests, "S3 requests of the commit");
    assertArrayEquals(data, s3.read(bucket, "copy.bin"));
    assertEquals(PROVENANCE, s3.metadata(bucket, "copy.bin"), "who wrote the copy, not the source");
    assertEquals(sha256, upload.sha256());
    assertEquals(new ObjectFacts(sha256, time), TestObjects.recordedFacts(gateway, bucket, "copy.bin"));
    assertEquals(List.of(new UploadOutcome(true, GROWN, sha256, null, false)), outcomes);
  }

  @Test
  void commitAsCopy_ofASourceReplacedSinceItWasOpened_failsNamingIt_andWritesNothing() throws IOException {
    s3.put(bucket, "source.bin", TestObjects.randomBytes(SMALL));
    StreamingUpload upload = openAsCopyOf("copy.bin", "source.bin", "ab".repeat(32));
    s3.put(bucket, "source.bin", TestObjects.randomBytes(SMALL + 1));

    IOException failed = assertThrows(IOException.class, upload::commit);

    assertTrue(failed.getMessage().contains("copy of /source.bin failed: it was replaced or removed"),
        failed.getMessage());
    assertEquals(List.of("source.bin"), s3.keys(bucket, ""));
    assertFalse(upload.isOpen());
    assertEquals(1, outcomes.size(), "outcomes: " + outcomes);
    assertFalse(outcomes.get(0).committed());
  }

  /**
   * S3 goes away after the first part landed, so the second fails; the client still asks for the
   * commit, which S3's failure reached already (the upload refuses writes) or reaches while the
   * commit waits for the part. The commit fails naming the object, the upload ends there, and once
   * S3 is back the orphan sweep leaves no multipart upload: nothing half-written outlives the outage.
   */
  @ParameterizedTest(name = "the failure reached the upload before its commit: {0}")
  @ValueSource(booleans = {true, false})
  @Timeout(180) // S3Proxy is a JVM restarted on a busy machine; a hang fails here rather than stall the build
  void commit_afterS3FailedAPart_failsNamingTheObject_andNoMultipartUploadOutlivesTheOutage(boolean failureFirst)
      throws IOException {
    byte[] data = TestObjects.randomBytes(LARGE);
    S3Location target = new S3Location(bucket, "outage.bin");
    StreamingUpload upload = open(target.key());
    // A full part goes to S3 when the next byte comes.
    upload.write(data, 0, SINGLE_PUT_LIMIT + 1);
    Await.until(() -> s3.partsUploaded(bucket, target.key()) == 1, "the first part in S3");
    IOException failed;
    s3.stop();
    try {
      upload.write(data, SINGLE_PUT_LIMIT + 1, PART);
      if (failureFirst) {
        Await.until(() -> refusesWrites(upload), "S3's failure to reach the upload");
      }
      failed = assertThrows(IOException.class, upload::commit);
    } finally {
      s3.start();
    }

    assertTrue(failed.getMessage().contains(target.toString()), failed.getMessage());
    assertFalse(upload.isOpen(), "the upload goes on after its commit failed");
    assertEquals(1, outcomes.size(), "outcomes: " + outcomes);
    assertFalse(outcomes.get(0).committed());
    gateway.uploads().sweepOrphans(Duration.ZERO);
    assertEquals(List.of(), s3.multipartUploads(bucket), "multipart upload left behind");
    assertEquals(List.of(), s3.keys(bucket, ""));
  }

  private StreamingUpload open(String key) throws IOException {
    S3Location target = new S3Location(bucket, key);
    String description = "upload of /" + key + " by alice";
    StreamingUpload upload = gateway.uploads().open(target, lock(target, description), description, new UploadWriter(PROVENANCE, null), 0);
    upload.whenEnded(outcomes::add);
    return upload;
  }

  /** An upload to {@code key} that is to be a copy of {@code sourceKey} as it is now, whose SHA-256 Ferry knows. */
  private StreamingUpload openAsCopyOf(String key, String sourceKey, String sha256) throws IOException {
    S3Location target = new S3Location(bucket, key);
    S3Location from = new S3Location(bucket, sourceKey);
    String description = "copy to /" + key + " by alice";
    CopySource source = new CopySource("/" + sourceKey, from, TestObjects.head(gateway.store(), from), offset -> {
      throw new AssertionError("the source's bytes were read from " + offset);
    });
    StreamingUpload upload = gateway.uploads().openAsCopyOf(target, lock(target, description), description,
        new UploadWriter(PROVENANCE, null), source, sha256);
    upload.whenEnded(outcomes::add);
    return upload;
  }

  /** The path lock the caller takes before it opens an upload, which then owns it. */
  private static PathLock lock(S3Location target, String purpose) throws IOException {
    try {
      return gateway.locks().lockKey(target, purpose);
    } catch (PathBusyException e) {
      throw new AssertionError(target + " is locked already", e);
    }
  }

  private static void write(StreamingUpload upload, byte[] data) throws IOException {
    for (int at = 0; at < data.length; at += SLICE) {
      upload.write(data, at, Math.min(SLICE, data.length - at));
    }
  }

  /** Whether the upload refuses a write now: an empty one, which sends nothing either way. */
  private static boolean refusesWrites(StreamingUpload upload) {
    try {
      upload.write(new byte[0]);
      return false;
    } catch (IOException refused) {
      return true;
    }
  }

  private String etag(String key) throws IOException {
    return Etags.normalize(TestObjects.head(gateway.store(), new S3Location(bucket, key)).etag());
  }
}
