package dev.ferry.core.user;

import dev.ferry.core.config.InvalidFieldException;
import dev.ferry.core.session.IpNetwork;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;

/**
 * Where and until when a user may log in, whatever the credentials: {@code allowFrom}, the
 * networks a login must come from (empty: anywhere), and {@code expires}, the instant from which
 * every login is refused (null: never). Checked after the credentials, so a refusal looks to the
 * client exactly like wrong credentials and tells an attacker nothing.
 */
public record LoginLimits(List<IpNetwork> allowFrom, Instant expires) {

  public static final LoginLimits NONE = new LoginLimits(List.of(), null);

  public LoginLimits {
    allowFrom = List.copyOf(allowFrom);
  }

  /**
   * Parses the fields as ferry.yaml and the API give them: networks in CIDR form or addresses, and
   * an ISO-8601 instant ({@code 2027-06-30T00:00:00Z}); a bad one throws {@link InvalidFieldException}
   * naming its key (under {@code allowFromKey} or {@code expiresKey}) and the problem.
   */
  public static LoginLimits parse(List<String> allowFrom, String expires, String allowFromKey,
      String expiresKey) {
    List<IpNetwork> networks = new java.util.ArrayList<>();
    for (int i = 0; i < allowFrom.size(); i++) {
      try {
        networks.add(IpNetwork.parse(allowFrom.get(i)));
      } catch (IllegalArgumentException e) {
        throw new InvalidFieldException(allowFromKey + "[" + i + "]", e.getMessage());
      }
    }
    Instant expiry = null;
    if (expires != null && !expires.isBlank()) {
      try {
        expiry = Instant.parse(expires.trim());
      } catch (DateTimeParseException e) {
        throw new InvalidFieldException(expiresKey, "must be an ISO-8601 instant such as 2027-06-30T00:00:00Z, got '"
            + expires + "'");
      }
    }
    return new LoginLimits(networks, expiry);
  }

  /** Why a login from {@code address} at {@code now} is refused, for the log; empty when it is not. */
  public Optional<String> refusal(String address, Instant now) {
    if (expires != null && !now.isBefore(expires)) {
      return Optional.of("the user expired at " + expires);
    }
    if (!allowFrom.isEmpty() && allowFrom.stream().noneMatch(network -> network.contains(address))) {
      return Optional.of("address " + address + " is not in the user's allowFrom");
    }
    return Optional.empty();
  }

  /** The networks as given, for the API and the console. */
  public List<String> allowFromText() {
    return allowFrom.stream().map(IpNetwork::toString).toList();
  }
}
