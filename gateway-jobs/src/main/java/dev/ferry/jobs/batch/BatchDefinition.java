package dev.ferry.jobs.batch;

import dev.ferry.core.s3.S3Location;
import java.net.URI;
import java.time.Duration;

/**
 * A batch of ferry.yaml: the folder whose files it archives, when its runs start (every
 * {@code every}, or earlier once {@code minFiles} files or {@code minBytes} bytes were uploaded
 * there; 0: no such threshold), the largest archive it makes, where its manifests go and the
 * {@code _bulk} endpoint they are indexed into (null: none).
 */
record BatchDefinition(String name, S3Location folder, Duration every, int minFiles, long minBytes,
    long maxBatchSize, S3Location manifest, Index index) {

  /** An Elasticsearch or OpenSearch index: {@code url} is the cluster ({@code <url>/_bulk} is posted to). */
  record Index(URI url, String name) {}

  BatchSpec spec() {
    return new BatchSpec(name, folder.bucket(), folder.key(), maxBatchSize, manifest.bucket(), manifest.key());
  }
}
