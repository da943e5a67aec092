package dev.ferry.core.object;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.Gateway;
import dev.ferry.core.event.FileEvent;
import dev.ferry.core.event.Origin;
import dev.ferry.core.lock.PathLock;
import dev.ferry.core.s3.ObjectFacts;
import dev.ferry.core.s3.ObjectInfo;
import dev.ferry.core.s3.S3Location;
import dev.ferry.core.testing.RecordedEvents;
import dev.ferry.core.testing.S3TestServer;
import dev.ferry.core.testing.TestGateways;
import dev.ferry.core.testing.TestObjects;
import dev.ferry.core.upload.StreamingUpload;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every change of an object outside a session's byte path, against a real S3 server and state
 * store: the bytes and their facts (SHA-256, client time) end where the change says, a busy path
 * or a failed check changes nothing, and exactly the events of what was done are published.
 */
class ObjectOperationsIT {

  @RegisterExtension
  static final S3TestServer s3 = new S3TestServer();

  private static final Origin ORIGIN = Origin.of(Origin.Kind.WORKFLOW, "tidy");

  @TempDir
  static Path directory;

  static Gateway gateway;
  static ObjectOperations objects;
  static String bucket;

  @BeforeAll
  static void start() throws IOException {
    bucket = s3.createBucket();
    gateway = TestGateways.start(s3, directory, bucket, "");
    objects = gateway.objects();
  }

  @AfterAll
  static void stop() {
    gateway.close();
  }

  private static S3Location uploaded(String key, byte[] data) throws IOException {
    S3Location at = new S3Location(bucket, key);
    try (StreamingUpload upload = objects.upload(at, ObjectChange.by(ORIGIN, "test upload of " + key))) {
      upload.write(data, 0, data.length);
      upload.setClientTime(Instant.parse("2001-02-03T04:05:06Z"));
      upload.commit();
    }
    return at;
  }

  @Test
  void move_theBytesAndTheirFactsGoToTheTarget_sourceGone_oneRenameEvent() throws IOException {
    byte[] data = TestObjects.randomBytes(5000);
    S3Location from = uploaded("move/a.bin", data);
    ObjectFacts facts = TestObjects.recordedFacts(gateway, bucket, from.key());
    S3Location to = new S3Location(bucket, "move/b.bin");
    try (RecordedEvents events = RecordedEvents.of(gateway.events())) {
      assertTrue(objects.move(from, to, ObjectChange.by(ORIGIN, "test move")));

      assertArrayEquals(data, s3.read(bucket, to.key()));
      assertTrue(s3.find(bucket, from.key()).isEmpty());
      assertEquals(facts, TestObjects.recordedFacts(gateway, bucket, to.key()), "SHA-256 and client time carried");
      List<FileEvent> files = events.files();
      assertEquals(1, files.size(), files.toString());
      assertEquals(FileEvent.Type.RENAMED, files.get(0).type());
      assertEquals(from, files.get(0).fromObject());
      assertEquals(to, files.get(0).object());
      assertEquals(ORIGIN, files.get(0).origin());
    }
  }

  /**
   * A session's rename copies from the source as its HEAD saw it, If-Match that ETag: a source
   * another S3 client replaced in between is looked at again and moved as it is now.
   */
  @Test
  void move_fromASourceReplacedSinceItWasSeen_movesWhatIsThereNow() throws IOException {
    S3Location from = uploaded("seen/a.bin", TestObjects.randomBytes(10));
    ObjectInfo seen = objects.await(objects.head(from)).orElseThrow();
    byte[] now = TestObjects.randomBytes(12);
    s3.put(bucket, from.key(), now);
    S3Location to = new S3Location(bucket, "seen/b.bin");

    assertTrue(objects.move(from, seen, to, ObjectChange.by(ORIGIN, "move of a replaced source")));

    assertArrayEquals(now, s3.read(bucket, to.key()));
    assertTrue(s3.find(bucket, from.key()).isEmpty(), "the source is gone");
  }

  @Test
  void move_retriedAfterItWasDone_changesNothingAndSaysSo() throws IOException {
    S3Location from = uploaded("retried/a.bin", TestObjects.randomBytes(10));
    S3Location to = new S3Location(bucket, "retried/b.bin");
    ObjectChange change = ObjectChange.by(ORIGIN, "test move").retried();
    assertTrue(objects.move(from, to, change));
    try (RecordedEvents events = RecordedEvents.of(gateway.events())) {
      assertFalse(objects.move(from, to, change), "done by the first attempt");
      assertEquals(List.of(), events.files());
    }
    assertThrows(NoSuchFileException.class, () -> objects.move(from, to, ObjectChange.by(ORIGIN, "a first move")),
        "a change that is no retry: the source is missing");
  }

  @Test
  void delete_ofABusyPath_refusedAndKept_orDoneOnceTheLockIsLetGoWithinThePatience() throws Exception {
    S3Location object = uploaded("busy/a.bin", TestObjects.randomBytes(10));
    PathLock client = gateway.locks().lockKey(object, "upload of /a.bin by alice");
    try (RecordedEvents events = RecordedEvents.of(gateway.events())) {
      ObjectBusyException busy = assertThrows(ObjectBusyException.class,
          () -> objects.delete(object, ObjectChange.by(ORIGIN, "test delete")));
      assertTrue(busy.getMessage().contains("upload of /a.bin by alice"), busy.getMessage());
      assertTrue(s3.find(bucket, object.key()).isPresent());
      assertEquals(List.of(), events.files());

      CompletableFuture.delayedExecutor(300, java.util.concurrent.TimeUnit.MILLISECONDS).execute(client::close);
      objects.delete(object, ObjectChange.by(ORIGIN, "test delete").waitingUpTo(Duration.ofSeconds(10)));
      assertTrue(s3.find(bucket, object.key()).isEmpty());
      assertEquals(List.of(FileEvent.Type.DELETED), events.files().stream().map(FileEvent::type).toList());
    }
  }

  @Test
  void delete_whoseCheckFailsUnderTheLock_changesNothingAndLetsTheLockGo() throws IOException {
    S3Location object = uploaded("fenced/a.bin", TestObjects.randomBytes(10));
    IOException fenced = assertThrows(IOException.class, () -> objects.delete(object,
        ObjectChange.by(ORIGIN, "test delete").checking(() -> {
          throw new IOException("job 7 is no longer this node's");
        })));
    assertEquals("job 7 is no longer this node's", fenced.getMessage());
    assertTrue(s3.find(bucket, object.key()).isPresent());
    objects.delete(object, ObjectChange.by(ORIGIN, "test delete"));
    assertTrue(s3.find(bucket, object.key()).isEmpty(), "the lock was let go");
  }

  @Test
  void deleteUnchanged_deletesOnlyTheVersionsGiven_keepsBusyAndReplacedOnes() throws Exception {
    S3Location same = uploaded("batch/same.bin", TestObjects.randomBytes(10));
    S3Location replaced = uploaded("batch/replaced.bin", TestObjects.randomBytes(10));
    S3Location busy = uploaded("batch/busy.bin", TestObjects.randomBytes(10));
    Map<String, String> versions = new LinkedHashMap<>();
    for (S3Location object : List.of(same, replaced, busy)) {
      versions.put(object.key(), TestObjects.head(gateway.store(), object).etag());
    }
    versions.put("batch/missing.bin", null);
    uploaded(replaced.key(), TestObjects.randomBytes(11));
    try (PathLock client = gateway.locks().lockKey(busy, "upload of /busy.bin by alice");
        RecordedEvents events = RecordedEvents.of(gateway.events())) {
      ObjectOperations.Deleted result = objects.deleteUnchanged(bucket, versions, ObjectChange.by(ORIGIN, "test batch"));

      assertEquals(List.of(same), result.deleted());
      assertEquals(java.util.Set.of(replaced, busy), java.util.Set.copyOf(result.kept()));
      assertEquals(List.of(same), events.files().stream().map(FileEvent::object).toList());
    }
    assertTrue(s3.find(bucket, same.key()).isEmpty());
    assertTrue(s3.find(bucket, replaced.key()).isPresent());
    assertTrue(s3.find(bucket, busy.key()).isPresent());
  }

  @Test
  void copy_keepsTheSourceAndCarriesTheFacts() throws IOException {
    byte[] data = TestObjects.randomBytes(700);
    S3Location from = uploaded("copy/a.bin", data);
    S3Location to = new S3Location(bucket, "copy/b.bin");
    objects.copy(from, to, ObjectChange.by(ORIGIN, "test copy"));
    assertArrayEquals(data, s3.read(bucket, from.key()));
    assertArrayEquals(data, s3.read(bucket, to.key()));
    assertEquals(TestObjects.recordedFacts(gateway, bucket, from.key()), TestObjects.recordedFacts(gateway, bucket, to.key()));
    assertThrows(NoSuchFileException.class, () -> objects.copy(new S3Location(bucket, "copy/none"), to,
        ObjectChange.by(ORIGIN, "test copy")));
  }
}
