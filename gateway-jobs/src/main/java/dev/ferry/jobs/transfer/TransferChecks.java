package dev.ferry.jobs.transfer;

import dev.ferry.core.s3.StoreException;
import dev.ferry.jobs.engine.JobRefusedException;
import dev.ferry.jobs.engine.JobSettings;
import dev.ferry.jobs.remote.RemoteHost;
import java.io.IOException;
import java.util.Map;

/**
 * The checks of a transfer request before anything is stored: a configured host, a destination
 * path it allows, parts and a free-space threshold within bounds. Each refusal names its reason.
 */
final class TransferChecks {

  private final Map<String, RemoteHost> hosts;
  private final JobSettings settings;

  TransferChecks(Map<String, RemoteHost> hosts, JobSettings settings) {
    this.hosts = hosts;
    this.settings = settings;
  }

  record Destination(RemoteHost host, String path) {}

  /** "host:/absolute/path" → a configured host and a path it allows. */
  Destination destination(String text) throws JobRefusedException {
    int colon = text.indexOf(':');
    if (colon <= 0) {
      throw new JobRefusedException(JobRefusedException.Reason.BAD_ARGUMENT, "destination '" + text
          + "' must be host:/absolute/path");
    }
    RemoteHost host = host(text.substring(0, colon));
    String path = text.substring(colon + 1);
    String problem = RemoteStaging.problem(path);
    if (problem != null) {
      throw new JobRefusedException(JobRefusedException.Reason.BAD_ARGUMENT, problem);
    }
    if (!host.allows(path)) {
      throw new JobRefusedException(JobRefusedException.Reason.NOT_ALLOWED, "remote path '" + path
          + "' is outside the roots allowed on " + host.name() + " (" + String.join(", ", host.roots()) + ")");
    }
    return new Destination(host, path);
  }

  RemoteHost host(String name) throws JobRefusedException {
    RemoteHost host = hosts.get(name);
    if (host == null) {
      throw new JobRefusedException(JobRefusedException.Reason.UNKNOWN_HOST, "unknown host '" + name
          + "' (configured: " + String.join(", ", hosts.keySet()) + ")");
    }
    return host;
  }

  int parts(Integer requested) throws JobRefusedException {
    int parts = requested == null ? settings.defaultParts() : requested;
    if (parts < 1 || parts > settings.maxParts()) {
      throw new JobRefusedException(JobRefusedException.Reason.BAD_ARGUMENT, "--parts must be between 1 and "
          + settings.maxParts() + ", got " + parts);
    }
    return parts;
  }

  double threshold(Double requested) throws JobRefusedException {
    double threshold = requested == null ? settings.defaultFreeSpacePercent() : requested;
    if (threshold < 0 || threshold > 100 || Double.isNaN(threshold)) {
      throw new JobRefusedException(JobRefusedException.Reason.BAD_ARGUMENT, "--free-space must be a percentage"
          + " between 0 and 100, got " + threshold);
    }
    return threshold;
  }

  interface StoreCall<T> {
    T call() throws IOException;
  }

  /** An object or bucket S3 says is missing or not Ferry's to read refuses the request instead of failing it. */
  static <T> T refusedAsJobRefusal(StoreCall<T> call) throws JobRefusedException, IOException {
    try {
      return call.call();
    } catch (StoreException e) {
      switch (e.kind()) {
        case ACCESS_DENIED -> throw new JobRefusedException(JobRefusedException.Reason.NOT_ALLOWED, e.getMessage());
        case NOT_FOUND, REJECTED -> throw new JobRefusedException(JobRefusedException.Reason.NOT_FOUND, e.getMessage());
        default -> throw e;
      }
    }
  }
}
