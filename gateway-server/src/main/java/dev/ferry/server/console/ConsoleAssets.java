package dev.ferry.server.console;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Properties;

/**
 * The console's static files, read from the jar once: its stylesheet, and htmx from its WebJar
 * (the version read from the WebJar's own pom.properties, so the pom is the one place it is named).
 * Only these names are served: a path from the client never reaches the class loader.
 */
final class ConsoleAssets {

  /** A file's bytes and content type. */
  record Asset(byte[] bytes, String contentType) {}

  private static final String HTMX = "META-INF/maven/org.webjars.npm/htmx.org/pom.properties";

  private final Map<String, Asset> byName;

  ConsoleAssets() {
    byName = Map.of(
        "console.css", new Asset(read("console/console.css"), "text/css; charset=utf-8"),
        "htmx.min.js", new Asset(read("META-INF/resources/webjars/htmx.org/" + htmxVersion() + "/dist/htmx.min.js"),
            "text/javascript; charset=utf-8"));
  }

  Asset find(String name) {
    return byName.get(name);
  }

  private static String htmxVersion() {
    Properties properties = new Properties();
    try (InputStream in = open(HTMX)) {
      properties.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return properties.getProperty("version");
  }

  private static byte[] read(String resource) {
    try (InputStream in = open(resource)) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException("console asset " + resource + " unreadable", e);
    }
  }

  private static InputStream open(String resource) throws IOException {
    InputStream in = ConsoleAssets.class.getClassLoader().getResourceAsStream(resource);
    if (in == null) {
      throw new IOException("console asset " + resource + " is missing from the jar");
    }
    return in;
  }
}
