package dev.ferry.jobs.sync;

import dev.ferry.core.object.ObjectOperations;
import dev.ferry.core.s3.ListPage;
import dev.ferry.core.s3.ObjectFacts;
import dev.ferry.core.s3.ObjectInfo;
import dev.ferry.core.s3.S3Location;
import java.io.IOException;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The objects under a sync's target, by path relative to its prefix, each with what the catalog
 * recorded for it: read with one listing request per 1,000 objects and one catalog query per page,
 * never a HEAD per object, so a run over unchanged files costs S3 almost nothing.
 */
final class SyncedObjects {

  record Synced(ObjectInfo info, ObjectFacts facts) {

    /**
     * How the object differs from the remote file as listed, for the log; empty when it holds the
     * file: the same size, and the same time recorded.
     */
    Optional<String> difference(RemoteTree.RemoteFile file) {
      Instant time = facts.clientTime();
      if (info.size() != file.size()) {
        return Optional.of("the object has " + info.size() + " bytes, the file " + file.size());
      }
      if (time == null) {
        return Optional.of("the object (ETag " + info.etag() + ") has no time recorded");
      }
      if (time.getEpochSecond() != file.modified().getEpochSecond()) {
        return Optional.of("the object's time is " + time + ", the file's " + file.modified());
      }
      return Optional.empty();
    }
  }

  private SyncedObjects() {}

  static Map<String, Synced> list(ObjectOperations operations, SyncSpec spec) throws IOException {
    Map<String, Synced> objects = new HashMap<>();
    String token = null;
    do {
      ListPage page = ObjectOperations.await(operations.listPage(new S3Location(spec.bucket(), spec.prefix()),
          spec.recursive() ? null : "/", token, 1000));
      Map<String, ObjectFacts> facts = operations.recordedFacts(spec.bucket(), page.objects());
      for (ObjectInfo object : page.objects()) {
        if (!object.key().endsWith("/")) {
          objects.put(object.key().substring(spec.prefix().length()),
              new Synced(object, facts.getOrDefault(object.key(), ObjectFacts.fromMetadata(object.metadata()))));
        }
      }
      token = page.nextToken();
    } while (token != null);
    return objects;
  }
}
