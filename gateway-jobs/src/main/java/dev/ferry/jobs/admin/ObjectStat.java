package dev.ferry.jobs.admin;

import dev.ferry.core.admin.AdminException;
import dev.ferry.core.admin.AdminResponse;
import dev.ferry.core.admin.AdminStatus;
import dev.ferry.core.object.ObjectOperations;
import dev.ferry.core.s3.Etags;
import dev.ferry.core.s3.ObjectFacts;
import dev.ferry.core.s3.ObjectInfo;
import dev.ferry.core.s3.S3Location;
import java.util.Optional;

/**
 * stat s3://bucket/key: an object as Ferry knows it. S3 tools see an object's size, ETag and time;
 * the SHA-256 of an upload and the time its client set live in Ferry's catalog, and this is how
 * scripts and people outside Ferry read them ({@code --json} for scripts).
 */
public final class ObjectStat extends AdminCommand<ObjectStat.Stat> {

  /** An object's facts; {@code factsFrom}: where the SHA-256 and client time came from (catalog, metadata, none). */
  public record Stat(String bucket, String key, long size, String etag, String lastModified, String clientTime,
      String sha256, String factsFrom) {}

  private final ObjectOperations objects;

  ObjectStat(ObjectOperations objects) {
    super(Syntax.reads("stat", "stat <s3://bucket/key | bucket/key>", 1));
    this.objects = objects;
  }

  @Override
  public AdminResponse<Stat> run(AdminRequest request) throws Exception {
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

    Stat data = new Stat(object.bucket(), object.key(), info.size(), Etags.normalize(info.etag()),
        info.lastModified().toString(), facts.clientTime() == null ? null : facts.clientTime().toString(),
        facts.sha256(), source);
    String text = object + "\n"
        + "  size          " + info.size() + "\n"
        + "  etag          " + data.etag() + "\n"
        + "  last modified " + info.lastModified() + " (in S3)\n"
        + "  client time   " + (facts.clientTime() == null ? "-" : facts.clientTime()) + "\n"
        + "  sha256        " + (facts.sha256() == null ? "unknown" : facts.sha256()) + "\n"
        + "  facts from    " + source + "\n";
    return AdminResponse.ok(text, data);
  }
}
