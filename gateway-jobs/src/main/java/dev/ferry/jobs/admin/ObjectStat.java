package dev.ferry.jobs.admin;

import dev.ferry.core.admin.AdminException;
import dev.ferry.core.admin.AdminResponse;
import dev.ferry.core.admin.AdminStatus;
import dev.ferry.core.object.ObjectOperations;
import dev.ferry.core.s3.Etags;
import dev.ferry.core.s3.ObjectFacts;
import dev.ferry.core.s3.ObjectInfo;
import dev.ferry.core.s3.S3Location;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * stat s3://bucket/key: an object as Ferry knows it. S3 tools see an object's size, ETag and time;
 * the SHA-256 of an upload and the time its client set live in Ferry's catalog, and this is how
 * scripts and people outside Ferry read them ({@code --json} for scripts).
 */
final class ObjectStat implements AdminCommand {
  @Override
  public boolean readOnly() {
    return true;
  }


  private static final Syntax SYNTAX = Syntax.of("stat", "stat <s3://bucket/key | bucket/key>", 1);

  private final ObjectOperations objects;

  ObjectStat(ObjectOperations objects) {
    this.objects = objects;
  }

  @Override
  public Syntax syntax() {
    return SYNTAX;
  }

  @Override
  public AdminResponse run(AdminRequest request) throws Exception {
    String named = request.args().positional(0);
    S3Location object = S3Location.parseObject(named)
        .orElseThrow(() -> AdminArgs.usage(this, "'" + named + "' must be s3://bucket/key or bucket/key"));
    Optional<ObjectInfo> head = ObjectOperations.await(objects.head(object));
    if (head.isEmpty()) {
      throw new AdminException(AdminStatus.NOT_FOUND, "no such object " + object);
    }
    ObjectInfo info = head.get();
    Optional<ObjectFacts> catalogued = objects.recordedFacts(object, info.etag());
    ObjectFacts facts = catalogued.orElseGet(() -> ObjectFacts.fromMetadata(info.metadata()));
    String source = catalogued.isPresent() ? "catalog" : facts.isEmpty() ? "none" : "metadata";

    Map<String, Object> data = new LinkedHashMap<>();
    data.put("bucket", object.bucket());
    data.put("key", object.key());
    data.put("size", info.size());
    data.put("etag", Etags.normalize(info.etag()));
    data.put("lastModified", info.lastModified().toString());
    data.put("clientTime", facts.clientTime() == null ? null : facts.clientTime().toString());
    data.put("sha256", facts.sha256());
    data.put("factsFrom", source);
    String text = object + "\n"
        + "  size          " + info.size() + "\n"
        + "  etag          " + data.get("etag") + "\n"
        + "  last modified " + info.lastModified() + " (in S3)\n"
        + "  client time   " + (facts.clientTime() == null ? "-" : facts.clientTime()) + "\n"
        + "  sha256        " + (facts.sha256() == null ? "unknown" : facts.sha256()) + "\n"
        + "  facts from    " + source + "\n";
    return AdminResponse.ok(text, data);
  }
}
