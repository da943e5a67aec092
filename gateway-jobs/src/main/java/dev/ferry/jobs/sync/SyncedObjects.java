package dev.ferry.jobs.sync;

import dev.ferry.core.catalog.ObjectCatalog;
import dev.ferry.core.catalog.ObjectFacts;
import dev.ferry.core.store.ListPage;
import dev.ferry.core.store.ObjectInfo;
import dev.ferry.core.store.ObjectStore;
import dev.ferry.core.store.S3Location;
import java.io.IOException;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * The objects under a sync's target, by path relative to its prefix, each with what the catalog
 * recorded for it: read with one listing request per 1,000 objects and one catalog query per page,
 * never a HEAD per object, so a run over unchanged files costs S3 almost nothing.
 */
final class SyncedObjects {

  record Synced(ObjectInfo info, ObjectFacts facts) {

    /** Whether the object holds the remote file as listed: the same size, and the same time recorded. */
    boolean matches(RemoteTree.RemoteFile file) {
      Instant time = facts.clientTime();
      return info.size() == file.size() && time != null
          && time.getEpochSecond() == file.modified().getEpochSecond();
    }
  }

  private SyncedObjects() {}

  static Map<String, Synced> list(ObjectStore store, ObjectCatalog catalog, SyncSpec spec) throws IOException {
    Map<String, Synced> objects = new HashMap<>();
    String token = null;
    do {
      ListPage page = ObjectStore.await(store.listPage(new S3Location(spec.bucket(), spec.prefix()),
          spec.recursive() ? null : "/", token, 1000));
      Map<String, ObjectFacts> facts = catalog.findListed(spec.bucket(), page.objects());
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
