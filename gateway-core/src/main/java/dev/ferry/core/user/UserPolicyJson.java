package dev.ferry.core.user;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.core.bandwidth.BandwidthLimit;
import dev.ferry.core.config.ByteSizes;
import dev.ferry.core.config.InvalidFieldException;
import dev.ferry.core.quota.QuotaLimit;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.function.ToLongFunction;

/**
 * The parts of a user's policy as JSON gives them, with ferry.yaml's names: how the users API takes
 * them and how an HTTP identity provider may answer them. {@code "bandwidth": {"up": "20MiB/s",
 * "down": 52428800}} and {@code "quota": {"bytes": "10GiB", "files": 100000}} take a size as
 * ferry.yaml writes it or a number; a part left out (null) is not given. A value that cannot be
 * read throws {@link InvalidFieldException} naming it.
 */
public final class UserPolicyJson {

  private UserPolicyJson() {}

  public static BandwidthLimit bandwidth(JsonNode json) {
    if (absent(json)) {
      return null;
    }
    fieldsOf(json, "bandwidth", Set.of("up", "down"), "{\"up\": \"20MiB/s\"}");
    return new BandwidthLimit(amount(json, "up", ByteSizes::bytesPerSecond, "bandwidth.up", "a rate such as \"20MiB/s\""),
        amount(json, "down", ByteSizes::bytesPerSecond, "bandwidth.down", "a rate such as \"20MiB/s\""));
  }

  public static QuotaLimit quota(JsonNode json) {
    if (absent(json)) {
      return null;
    }
    fieldsOf(json, "quota", Set.of("bytes", "files"), "{\"bytes\": \"10GiB\"}");
    JsonNode files = json.get("files");
    if (!absent(files) && !(files.canConvertToLong() && files.longValue() >= 0)) {
      throw new InvalidFieldException("quota.files", "must be a number of files, 0 for no limit");
    }
    return new QuotaLimit(amount(json, "bytes", ByteSizes::size, "quota.bytes", "a size such as \"10GiB\""),
        absent(files) ? 0 : files.longValue());
  }

  /** {@code allowFrom} (a list of networks) and {@code expires} (an instant) of {@code json}, each as given. */
  public static LoginLimits loginLimits(JsonNode json) {
    List<String> networks = new ArrayList<>();
    JsonNode allowFrom = json.get("allowFrom");
    if (!absent(allowFrom)) {
      if (!allowFrom.isArray()) {
        throw new InvalidFieldException("allowFrom", "must be a list of networks or addresses");
      }
      allowFrom.forEach(network -> networks.add(network.asText()));
    }
    JsonNode expires = json.get("expires");
    return LoginLimits.parse(networks, absent(expires) ? null : expires.asText(), "allowFrom", "expires");
  }

  private static boolean absent(JsonNode json) {
    return json == null || json.isNull();
  }

  private static void fieldsOf(JsonNode json, String name, Set<String> known, String example) {
    if (!json.isObject()) {
      throw new InvalidFieldException(name, "must be an object such as " + example);
    }
    for (Iterator<String> names = json.fieldNames(); names.hasNext(); ) {
      String field = names.next();
      if (!known.contains(field)) {
        throw new InvalidFieldException(name + "." + field, "unknown field (" + String.join(", ",
            known.stream().sorted().toList()) + ")");
      }
    }
  }

  /** A field given as a number, or as text {@code parse} reads ("20MiB/s", "10GiB"); 0 when left out. */
  private static long amount(JsonNode object, String field, ToLongFunction<String> parse, String name,
      String example) {
    JsonNode value = object.get(field);
    if (absent(value)) {
      return 0;
    }
    if (value.canConvertToLong() && value.longValue() >= 0) {
      return value.longValue();
    }
    if (value.isTextual()) {
      try {
        return parse.applyAsLong(value.textValue());
      } catch (IllegalArgumentException e) {
        throw new InvalidFieldException(name, e.getMessage());
      }
    }
    throw new InvalidFieldException(name, "must be " + example + " or a number of bytes");
  }
}
