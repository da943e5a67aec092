package dev.ferry.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.core.testing.S3TestServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Debian's awscli ({@code /usr/bin/aws}), as an operator reads back what Ferry wrote: path-style
 * against the test's S3 server, with its keys, none of the machine's own settings.
 */
public final class AwsCli {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final S3TestServer s3;
  private final Path config;

  public AwsCli(S3TestServer s3, Path dir) throws IOException {
    this.s3 = s3;
    this.config = dir.resolve("aws-config");
    Files.writeString(config, "[default]\nregion = " + s3.region() + "\ns3 =\n  addressing_style = path\n");
  }

  /** {@code aws s3api ARGS} as JSON; fails the test unless it exits 0. */
  public JsonNode s3api(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("/usr/bin/aws", "--endpoint-url", s3.endpoint().toString(),
        "--output", "json", "s3api"));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    Map<String, String> env = builder.environment();
    env.remove("AWS_CA_BUNDLE");
    env.remove("AWS_PROFILE");
    env.put("AWS_ACCESS_KEY_ID", s3.accessKey());
    env.put("AWS_SECRET_ACCESS_KEY", s3.secretKey());
    env.put("AWS_CONFIG_FILE", config.toString());
    env.put("AWS_SHARED_CREDENTIALS_FILE", "/dev/null");
    env.put("AWS_PAGER", "");
    Process process = builder.start();
    process.getOutputStream().close();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(process.waitFor(60, TimeUnit.SECONDS), command + " did not end");
    assertEquals(0, process.exitValue(), command + ": " + output);
    return output.isBlank() ? JSON.createObjectNode() : JSON.readTree(output);
  }

  public JsonNode headObject(String bucket, String key) throws Exception {
    return s3api("head-object", "--bucket", bucket, "--key", key);
  }

  /** The object's tags, as get-object-tagging lists them, by key. */
  public Map<String, String> tags(String bucket, String key) throws Exception {
    Map<String, String> tags = new java.util.TreeMap<>();
    s3api("get-object-tagging", "--bucket", bucket, "--key", key).path("TagSet")
        .forEach(tag -> tags.put(tag.path("Key").asText(), tag.path("Value").asText()));
    return tags;
  }
}
