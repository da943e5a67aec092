package dev.ferry.core.testing;

import dev.ferry.core.FerryConfig;
import dev.ferry.core.Gateway;
import dev.ferry.core.user.PasswordHasher;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;

/** Whole gateways over a test S3 server, for ITs of what core does with real peers. */
public final class TestGateways {

  private TestGateways() {}

  /**
   * A gateway with its data in {@code directory}, one user, alice (password "pw", every permission,
   * at home in s3://{@code bucket}/alice/), and {@code sections} of ferry.yaml (whole top-level
   * sections, each line ending in a newline; "" for none), e.g. small part sizes.
   */
  public static Gateway start(S3TestServer s3, Path directory, String bucket, String sections) throws IOException {
    Path file = directory.resolve("ferry.yaml");
    Files.writeString(file, "dataDir: " + directory.resolve("data") + "\n" + s3.configSection() + "\n" + sections
        + "users:\n  - name: alice\n    passwordHash: '" + PasswordHasher.hash("pw".toCharArray()) + "'\n"
        + "    home: s3://" + bucket + "/alice/\n    permissions: [all]\n");
    return new Gateway(FerryConfig.load(file, Map.of()), Clock.systemUTC());
  }
}
