package dev.ferry.jobs.workflow;

import dev.ferry.core.FerryConfig;
import dev.ferry.core.config.ConfigException;
import dev.ferry.core.config.ConfigNode;
import dev.ferry.core.event.Origin;
import dev.ferry.core.path.FileGlobs;
import dev.ferry.core.s3.S3Location;
import dev.ferry.jobs.pgp.PgpDecryption;
import dev.ferry.jobs.pgp.PgpEncryption;
import dev.ferry.jobs.pgp.PgpKeys;
import dev.ferry.jobs.transfer.TransferMode;
import java.net.URI;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.bouncycastle.openpgp.PGPPublicKey;
import org.bouncycastle.openpgp.PGPPublicKeyRing;
import org.bouncycastle.openpgp.PGPPublicKeyRingCollection;
import org.bouncycastle.openpgp.PGPSecretKeyRingCollection;

/**
 * The {@code workflows:} section of ferry.yaml: each workflow's name, its match and its steps.
 * Every mistake is refused at start, naming its key.
 *
 * <pre>
 * workflows:
 *   - name: archive-csv
 *     match: { path: "/incoming/**.csv", users: [partner], minSize: 1, maxSize: 1GiB }
 *     steps:
 *       - copy: s3://archive/csv/
 *       - notify: https://hooks.example.com/ferry
 *         secret: ${HOOK_SECRET}
 *       - move: s3://inbound/done/
 *       - push: backup-host:/data/incoming
 *     quarantine: s3://inbound/failed/
 * </pre>
 */
public final class WorkflowConfig {

  private static final String STEPS = "copy, move, decompress, delete, push, notify";

  private WorkflowConfig() {}

  static List<WorkflowDefinition> parse(FerryConfig config) {
    List<WorkflowDefinition> workflows = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (ConfigNode node : config.file().root().sections("workflows")) {
      node.allowOnly("name", "match", "steps", "quarantine");
      String name = node.requiredString("name");
      if (!name.matches("[A-Za-z0-9._-]{1,64}")) {
        throw new ConfigException(node.keyOf("name"), "must be 1-64 letters, digits or . _ -, got '" + name + "'");
      }
      if (!names.add(name)) {
        throw new ConfigException(node.keyOf("name"), "workflow '" + name + "' is defined twice");
      }
      ConfigNode match = node.section("match");
      match.allowOnly("path", "users", "minSize", "maxSize", "origins");
      String glob = match.string("path", null);
      if (glob != null && FileGlobs.problemOf(glob) != null) {
        throw new ConfigException(match.keyOf("path"), FileGlobs.problemOf(glob));
      }
      long minSize = match.bytes("minSize", 0);
      long maxSize = match.bytes("maxSize", Long.MAX_VALUE);
      if (maxSize < minSize) {
        throw new ConfigException(match.keyOf("maxSize"), "is below minSize");
      }
      List<WorkflowStep> steps = new ArrayList<>();
      for (ConfigNode step : node.sections("steps")) {
        steps.add(step(step));
      }
      if (steps.isEmpty()) {
        throw new ConfigException(node.keyOf("steps"), "a workflow needs at least one step (" + STEPS + ")");
      }
      S3Location quarantine = node.has("quarantine") ? prefix(node, "quarantine") : null;
      workflows.add(new WorkflowDefinition(name, Set.copyOf(match.strings("users")),
          glob == null ? null : new FileGlobs(List.of(glob), List.of()), OutputPlace.rootOf(glob), minSize, maxSize,
          origins(match), List.copyOf(steps), quarantine));
    }
    return List.copyOf(workflows);
  }

  private static Set<Origin.Kind> origins(ConfigNode match) {
    if (!match.has("origins")) {
      return EnumSet.of(Origin.Kind.CLIENT);
    }
    Set<Origin.Kind> origins = EnumSet.noneOf(Origin.Kind.class);
    for (String origin : match.strings("origins")) {
      try {
        Origin.Kind kind = Origin.Kind.valueOf(origin.trim().toUpperCase(Locale.ROOT));
        if (kind == Origin.Kind.WORKFLOW) {
          throw new IllegalArgumentException("workflow");
        }
        origins.add(kind);
      } catch (IllegalArgumentException e) {
        throw new ConfigException(match.keyOf("origins"), "'" + origin + "' is not one of client, sync, watch"
            + " (a workflow never runs on a workflow's output)");
      }
    }
    return origins;
  }

  private static WorkflowStep step(ConfigNode step) {
    if (step.has("copy")) {
      step.allowOnly("copy");
      return new WorkflowStep.Copy(prefix(step, "copy"));
    }
    if (step.has("move")) {
      step.allowOnly("move");
      return new WorkflowStep.Move(prefix(step, "move"));
    }
    if (step.has("decompress")) {
      step.allowOnly("decompress", "maxRatio", "maxTotal", "maxEntries");
      long ratio = step.integer("maxRatio", 100, 1, 100_000);
      long total = step.bytes("maxTotal", 10L << 30);
      long entries = step.integer("maxEntries", 100_000, 1, 10_000_000);
      return new WorkflowStep.Decompress(prefix(step, "decompress"), ratio, total, entries);
    }
    if (step.has("decrypt")) {
      return decrypt(step);
    }
    if (step.has("encrypt")) {
      return encrypt(step);
    }
    if (step.has("scan")) {
      step.allowOnly("scan");
      if (!step.bool("scan", false)) {
        throw new ConfigException(step.keyOf("scan"), "write scan: true, or leave the step out");
      }
      return new WorkflowStep.Scan();
    }
    if (step.has("delete")) {
      step.allowOnly("delete");
      if (!step.bool("delete", false)) {
        throw new ConfigException(step.keyOf("delete"), "write delete: true, or leave the step out");
      }
      return new WorkflowStep.Delete();
    }
    if (step.has("push")) {
      return push(step);
    }
    if (step.has("notify")) {
      step.allowOnly("notify", "secret");
      String url = step.requiredString("notify");
      URI uri;
      try {
        uri = URI.create(url);
      } catch (IllegalArgumentException e) {
        throw new ConfigException(step.keyOf("notify"), "'" + url + "' is not a URL: " + e.getMessage());
      }
      if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
        throw new ConfigException(step.keyOf("notify"), "must be an http:// or https:// URL, got '" + url + "'");
      }
      String secret = step.requiredString("secret");
      if (secret.length() < 16) {
        throw new ConfigException(step.keyOf("secret"), "must be at least 16 characters (it signs the POST)");
      }
      return new WorkflowStep.Notify(uri, secret);
    }
    throw new ConfigException(step.keyOf("copy"), "a step is one of copy: s3://bucket/prefix/, move: s3://bucket/prefix/,"
        + " decompress: s3://bucket/prefix/, decrypt: s3://bucket/prefix/, encrypt: s3://bucket/prefix/, scan: true, delete: true, push: host:/absolute/dir, notify: URL (with secret:)");
  }

  /**
   * {@code decrypt: s3://bucket/prefix/} with {@code privateKey} (a file, or env:NAME), its
   * {@code passphrase} and optional {@code verifyWith} (public key files or env:NAME). The keys are
   * read now: one that cannot be read refuses the start, naming its key.
   */
  private static WorkflowStep decrypt(ConfigNode step) {
    step.allowOnly("decrypt", "privateKey", "passphrase", "verifyWith");
    S3Location target = prefix(step, "decrypt");
    PGPSecretKeyRingCollection secretKeys;
    try {
      secretKeys = PgpKeys.secretKeys(step.requiredString("privateKey"), step.environment()::variable);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(step.keyOf("privateKey"), e.getMessage());
    }
    PGPPublicKeyRingCollection verifyWith = null;
    if (step.has("verifyWith")) {
      List<PGPPublicKeyRing> rings = new ArrayList<>();
      for (String source : step.strings("verifyWith")) {
        try {
          PgpKeys.publicKeys(source, step.environment()::variable).forEach(rings::add);
        } catch (IllegalArgumentException e) {
          throw new ConfigException(step.keyOf("verifyWith"), e.getMessage());
        }
      }
      verifyWith = new PGPPublicKeyRingCollection(rings);
    }
    PgpDecryption decryption = new PgpDecryption(secretKeys, step.string("passphrase", "").toCharArray(), verifyWith);
    try {
      decryption.checkPassphrase();
    } catch (IllegalArgumentException e) {
      throw new ConfigException(step.keyOf("passphrase"), e.getMessage());
    }
    return new WorkflowStep.Decrypt(target, decryption);
  }

  /** {@code encrypt: s3://bucket/prefix/} with {@code recipients} (public key files, or env:NAME) and {@code armor}. */
  private static WorkflowStep encrypt(ConfigNode step) {
    step.allowOnly("encrypt", "recipients", "armor");
    S3Location target = prefix(step, "encrypt");
    List<PGPPublicKey> recipients = new ArrayList<>();
    for (String source : step.strings("recipients")) {
      try {
        recipients.addAll(PgpKeys.encryptionKeys(source, step.environment()::variable));
      } catch (IllegalArgumentException e) {
        throw new ConfigException(step.keyOf("recipients"), e.getMessage());
      }
    }
    if (recipients.isEmpty()) {
      throw new ConfigException(step.keyOf("recipients"), "an encrypt step needs at least one recipient's public key");
    }
    return new WorkflowStep.Encrypt(target, new PgpEncryption(recipients, step.bool("armor", false)));
  }

  /** {@code push: host:/dir} with the options of the push command; the host is checked against the remotes at start. */
  private static WorkflowStep push(ConfigNode step) {
    step.allowOnly("push", "parts", "freeSpace", "mode", "overwrite");
    String target = step.requiredString("push").trim();
    int colon = target.indexOf(':');
    String dir = colon <= 0 ? "" : target.substring(colon + 1);
    if (colon <= 0 || !dir.startsWith("/")) {
      throw new ConfigException(step.keyOf("push"), "must be host:/absolute/dir (a host of remotes:), got '"
          + target + "'");
    }
    Integer parts = step.has("parts") ? step.integer("parts", 1, 1, 10_000) : null;
    Double freeSpace = null;
    if (step.has("freeSpace")) {
      String pct = step.requiredString("freeSpace").trim();
      try {
        freeSpace = TransferMode.parsePercent(pct);
      } catch (NumberFormatException e) {
        throw new ConfigException(step.keyOf("freeSpace"), "must be a percentage, got '" + pct + "'");
      }
      if (freeSpace < 0 || freeSpace >= 100) {
        throw new ConfigException(step.keyOf("freeSpace"), "must be from 0 to below 100, got '" + pct + "'");
      }
    }
    TransferMode mode = step.has("mode") ? TransferMode.parse(step.requiredString("mode")) : null;
    if (step.has("mode") && mode == null) {
      throw new ConfigException(step.keyOf("mode"), "must be direct or relay, got '" + step.requiredString("mode")
          + "'");
    }
    String trimmed = dir.length() > 1 && dir.endsWith("/") ? dir.substring(0, dir.length() - 1) : dir;
    return new WorkflowStep.Push(target.substring(0, colon), trimmed, parts, freeSpace, mode,
        step.bool("overwrite", false));
  }

  private static S3Location prefix(ConfigNode step, String key) {
    try {
      return S3Location.parsePrefix(step.requiredString(key).trim());
    } catch (IllegalArgumentException e) {
      throw new ConfigException(step.keyOf(key), e.getMessage());
    }
  }
}
