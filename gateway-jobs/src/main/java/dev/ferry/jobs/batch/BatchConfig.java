package dev.ferry.jobs.batch;

import dev.ferry.core.FerryConfig;
import dev.ferry.core.config.ConfigException;
import dev.ferry.core.config.ConfigNode;
import dev.ferry.core.s3.S3Location;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code batches:} section of ferry.yaml. Every mistake is refused at start, naming its key.
 *
 * <pre>
 * batches:
 *   - name: partner-logs
 *     folder: s3://ferry-data/partner/outbox/
 *     every: 10m
 *     minFiles: 1000
 *     minBytes: 256MiB
 *     maxBatchSize: 1GiB
 *     manifest: s3://ferry-manifests/
 *     index: { url: http://search.internal:9200, name: ferry-manifests }
 * </pre>
 */
final class BatchConfig {

  /** S3's largest object. */
  private static final long MAX_OBJECT = 5L << 40;
  /** Room for one small file: its header, one block of data and the two blocks that end a tar. */
  private static final long MIN_BATCH_SIZE = 4L << 10;

  private BatchConfig() {}

  static List<BatchDefinition> parse(FerryConfig config) {
    List<BatchDefinition> batches = new ArrayList<>();
    for (ConfigNode node : config.file().root().sections("batches")) {
      node.allowOnly("name", "folder", "every", "minFiles", "minBytes", "maxBatchSize", "manifest", "index");
      String name = node.requiredString("name");
      if (!name.matches("[A-Za-z0-9._-]{1,64}")) {
        throw new ConfigException(node.keyOf("name"), "must be 1-64 letters, digits or . _ -, got '" + name + "'");
      }
      S3Location folder = prefix(node, "folder");
      S3Location manifest = prefix(node, "manifest");
      for (BatchDefinition other : batches) {
        if (other.name().equals(name)) {
          throw new ConfigException(node.keyOf("name"), "batch '" + name + "' is defined twice");
        }
        if (overlap(other.folder(), folder)) {
          throw new ConfigException(node.keyOf("folder"), folder + " overlaps the folder of batch '" + other.name()
              + "' (" + other.folder() + "): a file would be archived by both");
        }
        if (within(manifests(other), folder) || within(manifests(name, manifest), other.folder())) {
          throw new ConfigException(node.keyOf("manifest"), "one batch's manifests would be archived by the other,"
              + " batch '" + other.name() + "'");
        }
      }
      if (within(folder, manifests(name, manifest))) {
        throw new ConfigException(node.keyOf("folder"), "is inside where the batch's manifests go, "
            + manifests(name, manifest));
      }
      Duration every = node.duration("every", Duration.ofMinutes(1));
      if (every.isZero() || every.isNegative()) {
        throw new ConfigException(node.keyOf("every"), "must be a positive duration such as 1m or 2h");
      }
      int minFiles = node.integer("minFiles", 0, 0, Integer.MAX_VALUE);
      long minBytes = node.bytes("minBytes", 0);
      long maxBatchSize = node.bytes("maxBatchSize", 1L << 30);
      if (maxBatchSize < MIN_BATCH_SIZE || maxBatchSize > MAX_OBJECT) {
        throw new ConfigException(node.keyOf("maxBatchSize"), "must be between 4KiB and 5TiB (S3's largest object),"
            + " got " + maxBatchSize + " bytes");
      }
      batches.add(new BatchDefinition(name, folder, every, minFiles, minBytes, maxBatchSize, manifest, index(node)));
    }
    return List.copyOf(batches);
  }

  private static BatchDefinition.Index index(ConfigNode node) {
    if (!node.has("index")) {
      return null;
    }
    ConfigNode index = node.section("index");
    index.allowOnly("url", "name");
    String url = index.requiredString("url").trim();
    URI uri;
    try {
      uri = URI.create(url.endsWith("/") ? url.substring(0, url.length() - 1) : url);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(index.keyOf("url"), "'" + url + "' is not a URL: " + e.getMessage());
    }
    if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null
        || uri.getQuery() != null) {
      throw new ConfigException(index.keyOf("url"), "must be an http:// or https:// URL of the cluster such as"
          + " http://search:9200 (_bulk is added), got '" + url + "'");
    }
    String name = index.requiredString("name").trim();
    // Elasticsearch's and OpenSearch's rules for an index name.
    if (!name.matches("[a-z0-9][a-z0-9._-]{0,254}") || name.equals(".") || name.equals("..")) {
      throw new ConfigException(index.keyOf("name"), "must be an index name: lowercase letters, digits and . _ -,"
          + " not starting with . _ or -, got '" + name + "'");
    }
    return new BatchDefinition.Index(uri, name);
  }

  private static S3Location prefix(ConfigNode node, String key) {
    try {
      return S3Location.parsePrefix(node.requiredString(key).trim());
    } catch (IllegalArgumentException e) {
      throw new ConfigException(node.keyOf(key), e.getMessage());
    }
  }

  /** Where a batch's manifests go (as {@link BatchSpec#manifests()}). */
  private static S3Location manifests(String name, S3Location manifest) {
    return manifest.resolve(name + "/");
  }

  private static S3Location manifests(BatchDefinition batch) {
    return manifests(batch.name(), batch.manifest());
  }

  private static boolean overlap(S3Location a, S3Location b) {
    return within(a, b) || within(b, a);
  }

  /** Whether {@code inner} is {@code outer} or below it. */
  private static boolean within(S3Location inner, S3Location outer) {
    return inner.bucket().equals(outer.bucket()) && inner.key().startsWith(outer.key());
  }
}
