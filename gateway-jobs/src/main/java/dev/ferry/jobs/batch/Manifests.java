package dev.ferry.jobs.batch;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.core.object.ObjectChange;
import dev.ferry.core.object.ObjectOperations;
import dev.ferry.core.s3.ObjectInfo;
import dev.ferry.core.s3.S3Location;
import dev.ferry.core.s3.StoreException;
import dev.ferry.core.upload.StreamingUpload;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A batch's manifests in S3: one per archive, as pretty-printed JSON, at
 * {@code <manifest prefix><batch>/<job id>/<number>-<archive UUID>.json}. The number (six digits,
 * the archive's place in its run) orders a job's manifests in a listing, so a retry finds what its
 * earlier attempts committed, and in which order.
 */
final class Manifests {

  private static final ObjectMapper JSON = new ObjectMapper();
  /** A manifest's name below its job: the archive's number in the run and its UUID. */
  private static final Pattern NAME = Pattern.compile("(\\d{6})-([0-9a-f-]{36})\\.json");

  /** A manifest of a job, by the number of its archive. */
  record Numbered(int number, S3Location at) {}

  private final ObjectOperations objects;
  private final S3Location root;

  Manifests(ObjectOperations objects, BatchSpec spec) {
    this.objects = objects;
    this.root = spec.manifests();
  }

  /** Where the manifest of archive {@code number} (named {@code id}) of job {@code jobId} goes. */
  S3Location of(String jobId, int number, UUID id) {
    return root.resolve(jobId + "/" + String.format(Locale.ROOT, "%06d", number) + "-" + id + ".json");
  }

  /** The manifests job {@code jobId} wrote, in the order of their archives. */
  List<Numbered> ofJob(String jobId) throws IOException {
    S3Location job = root.resolve(jobId + "/");
    List<Numbered> manifests = new ArrayList<>();
    for (ObjectInfo listed : Listing.all(objects, job)) {
      Matcher name = NAME.matcher(listed.key().substring(job.key().length()));
      if (name.matches()) {
        manifests.add(new Numbered(Integer.parseInt(name.group(1)), new S3Location(job.bucket(), listed.key())));
      }
    }
    return manifests;
  }

  /** Writes {@code manifest} at {@code at} through the upload path, committed whole or not at all. */
  void write(S3Location at, Manifest manifest, ObjectChange change) throws IOException {
    byte[] json = JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(manifest);
    try (StreamingUpload upload = objects.upload(at, change)) {
      upload.write(json, 0, json.length);
      upload.commit();
    }
  }

  /** The manifest at {@code at}; empty when there is none. */
  Optional<Manifest> read(S3Location at) throws IOException {
    try (InputStream in = ObjectOperations.await(objects.openFrom(at, 0))) {
      return Optional.of(JSON.readValue(in, Manifest.class));
    } catch (StoreException e) {
      if (e.kind() == StoreException.Kind.NOT_FOUND) {
        return Optional.empty();
      }
      throw e;
    }
  }
}
