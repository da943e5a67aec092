package dev.ferry.jobs.watch;

import dev.ferry.core.FerryConfig;
import dev.ferry.core.config.ConfigException;
import dev.ferry.core.config.ConfigNode;
import dev.ferry.core.path.FileGlobs;
import dev.ferry.core.s3.S3Location;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The {@code watch:} section of ferry.yaml: a list of local directories whose closed files are
 * uploaded to S3. Parsed from the same file as core's {@link FerryConfig}, with errors naming the
 * key as core's do. Values may come from the environment ({@code ${VAR}}, {@code ${VAR:-default}}),
 * as in the rest of the file.
 */
public record WatchConfig(List<WatchedFolder> folders) {

  private static final String BUCKET_KEY = "bucket-key";

  public static WatchConfig of(FerryConfig config) {
    return parse(config.file().root().sections("watch"), System.getProperty("os.name", "?"));
  }

  static WatchConfig parse(List<ConfigNode> nodes, String osName) {
    if (!nodes.isEmpty() && !osName.toLowerCase(Locale.ROOT).startsWith("linux")) {
      throw new ConfigException("watch", "watched folders need Linux's inotify to know when a file is closed after "
          + "writing; this system is " + osName);
    }
    List<WatchedFolder> folders = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (int i = 0; i < nodes.size(); i++) {
      ConfigNode node = nodes.get(i);
      WatchedFolder folder = folder(node, "watch[" + i + "]");
      if (!names.add(folder.name())) {
        throw new ConfigException(node.keyOf("name"), "watch '" + folder.name() + "' is defined twice");
      }
      for (WatchedFolder other : folders) {
        if (folder.directory().startsWith(other.directory()) || other.directory().startsWith(folder.directory())) {
          throw new ConfigException(node.keyOf("directory"), folder.directory() + " overlaps " + other.key()
              + "'s " + other.directory() + ": its files would be uploaded twice");
        }
      }
      folders.add(folder);
    }
    return new WatchConfig(List.copyOf(folders));
  }

  private static WatchedFolder folder(ConfigNode node, String key) {
    node.allowOnly("name", "directory", "target", "layout", "gunzip", "deleteAfterUpload", "include", "exclude",
        "includeHidden", "retryBackoff", "parallel");
    String name = node.requiredString("name");
    if (!name.matches("[A-Za-z0-9._-]{1,64}")) {
      throw new ConfigException(node.keyOf("name"), "must be 1-64 letters, digits or . _ -, got '" + name + "'");
    }
    boolean deleteAfterUpload = node.bool("deleteAfterUpload", false);
    Path directory = directory(node, deleteAfterUpload);
    boolean gunzip = node.bool("gunzip", false);
    ObjectLayout layout;
    String layoutName = node.string("layout", null);
    if (node.has("target") == (layoutName != null)) {
      throw new ConfigException(node.keyOf("target"), "give either target: s3://bucket/prefix/ or layout: "
          + BUCKET_KEY + " (the directory holds <bucket>/<key>)");
    } else if (layoutName != null) {
      if (!layoutName.trim().equals(BUCKET_KEY)) {
        throw new ConfigException(node.keyOf("layout"), "must be " + BUCKET_KEY + " (the directory holds "
            + "<bucket>/<key>), got '" + layoutName + "'; for one bucket and prefix give target: s3://bucket/prefix/");
      }
      layout = ObjectLayout.bucketKey(gunzip);
    } else {
      layout = ObjectLayout.under(target(node), gunzip);
    }
    FileSelection selection = new FileSelection(new FileGlobs(globs(node, "include"), globs(node, "exclude")),
        node.bool("includeHidden", false));
    Duration backoff = node.duration("retryBackoff", Duration.ofSeconds(5));
    if (backoff.toMillis() < 100 || backoff.toMinutes() > 10) {
      throw new ConfigException(node.keyOf("retryBackoff"), "must be between 100ms and 10m, got "
          + backoff.toMillis() + "ms");
    }
    return new WatchedFolder(name, key, directory, layout, selection,
        deleteAfterUpload, backoff, node.integer("parallel", 2, 1, 32));
  }

  private static S3Location target(ConfigNode node) {
    try {
      return S3Location.parsePrefix(node.requiredString("target").trim());
    } catch (IllegalArgumentException e) {
      throw new ConfigException(node.keyOf("target"), e.getMessage());
    }
  }

  private static List<String> globs(ConfigNode node, String name) {
    List<String> globs = node.strings(name);
    for (String glob : globs) {
      String problem = FileGlobs.problemOf(glob);
      if (problem != null) {
        throw new ConfigException(node.keyOf(name), problem);
      }
    }
    return globs;
  }

  /** An absolute directory that exists (links resolved), readable, and writable when files are to be deleted. */
  private static Path directory(ConfigNode node, boolean deleteAfterUpload) {
    String text = node.requiredString("directory").trim();
    Path given = Path.of(text);
    if (!given.isAbsolute()) {
      throw new ConfigException(node.keyOf("directory"), "must be an absolute path, got '" + text + "'");
    }
    if (!Files.isDirectory(given)) {
      throw new ConfigException(node.keyOf("directory"), text + (Files.exists(given) ? " is not a directory"
          : " does not exist"));
    }
    if (!Files.isReadable(given) || deleteAfterUpload && !Files.isWritable(given)) {
      throw new ConfigException(node.keyOf("directory"), text + " is not " + (deleteAfterUpload
          ? "readable and writable (deleteAfterUpload removes files from it)" : "readable") + " for Ferry");
    }
    try {
      return given.toRealPath();
    } catch (IOException e) {
      throw new ConfigException(node.keyOf("directory"), "cannot resolve " + text + ": " + e.getMessage());
    }
  }
}
