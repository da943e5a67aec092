package dev.ferry.core.user;

import com.unboundid.ldap.sdk.BindResult;
import com.unboundid.ldap.sdk.CompareRequest;
import com.unboundid.ldap.sdk.CompareResult;
import com.unboundid.ldap.sdk.DN;
import com.unboundid.ldap.sdk.ExtendedResult;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPConnectionOptions;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.RDN;
import com.unboundid.ldap.sdk.ResultCode;
import com.unboundid.ldap.sdk.SimpleBindRequest;
import com.unboundid.ldap.sdk.extensions.StartTLSExtendedRequest;
import dev.ferry.core.s3.S3Location;
import java.net.URI;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import javax.net.SocketFactory;
import javax.net.ssl.SSLContext;

/**
 * Logins checked against an LDAP directory or Active Directory ({@code auth.ldap}): for a name no
 * user is declared or kept for, Ferry binds as that user ({@code userDn} with the name in it, over
 * LDAPS or after StartTLS, or plain ldap:// on a trusted network), which checks the password; then
 * the first of {@code groups} that lists the user as a member gives the home and permissions. A
 * wrong password refuses the login as one (counted towards a ban); a user in none of the groups is
 * refused the same way; a directory that cannot be reached, or answers something else, refuses it
 * as {@link IdentityUnavailableException} (not the client's failure). Passwords only: a directory's
 * SSH keys are not read.
 */
public final class LdapIdentityProvider implements Authenticator {

  /** One group: members of {@code dn} log in to {@code home} (with "{user}" the login name) with these permissions. */
  public record Group(String dn, String home, Set<Permission> permissions, boolean admin) {}

  /** What ferry.yaml's {@code auth.ldap} says. {@code tls}: the context for ldaps:// and StartTLS. */
  public record Settings(URI url, boolean startTls, String userDn, List<Group> groups, Duration timeout, SSLContext tls) {}

  private final Settings settings;

  public LdapIdentityProvider(Settings settings) {
    this.settings = settings;
  }

  @Override
  public Optional<User> password(String name, char[] password) {
    if (password.length == 0) {
      return Optional.empty(); // an empty password would be an anonymous bind, which succeeds
    }
    // The name escaped as an RDN value (",", "+", "=" and the like), so a login name cannot make another DN.
    String escaped = new RDN("uid", name).toString();
    String userDn = settings.userDn().replace("{user}", escaped.substring(escaped.indexOf('=') + 1));
    try (LDAPConnection connection = connect()) {
      BindResult bound;
      try {
        bound = connection.bind(new SimpleBindRequest(userDn, new String(password)));
      } catch (LDAPException e) {
        if (e.getResultCode() == ResultCode.INVALID_CREDENTIALS) {
          return Optional.empty();
        }
        throw unavailable("binding as " + userDn, e);
      }
      if (bound.getResultCode() != ResultCode.SUCCESS) {
        return Optional.empty();
      }
      DN member = new DN(userDn);
      for (Group group : settings.groups()) {
        CompareResult listed = connection.compare(new CompareRequest(group.dn(), "member", member.toString()));
        if (listed.compareMatched()) {
          return Optional.of(new User(name, null, S3Location.parsePrefix(group.home().replace("{user}", name)),
              group.permissions(), List.of(), group.admin()));
        }
      }
      return Optional.empty();
    } catch (LDAPException e) {
      throw unavailable("asking " + settings.url() + " about " + userDn, e);
    }
  }

  private LDAPConnection connect() throws LDAPException {
    LDAPConnectionOptions options = new LDAPConnectionOptions();
    int millis = (int) Math.min(Integer.MAX_VALUE, settings.timeout().toMillis());
    options.setConnectTimeoutMillis(millis);
    options.setResponseTimeoutMillis(millis);
    // The directory's certificate must name the host of auth.ldap.url, as a browser checks it.
    options.setSSLSocketVerifier(new com.unboundid.util.ssl.HostNameSSLSocketVerifier(true));
    boolean ldaps = "ldaps".equals(settings.url().getScheme());
    int port = settings.url().getPort() > 0 ? settings.url().getPort() : ldaps ? 636 : 389;
    SocketFactory sockets = ldaps ? settings.tls().getSocketFactory() : SocketFactory.getDefault();
    LDAPConnection connection = new LDAPConnection(sockets, options, settings.url().getHost(), port);
    if (settings.startTls()) {
      try {
        ExtendedResult started = connection.processExtendedOperation(new StartTLSExtendedRequest(settings.tls()));
        if (started.getResultCode() != ResultCode.SUCCESS) {
          throw new LDAPException(started.getResultCode(), "StartTLS refused: " + started.getDiagnosticMessage());
        }
      } catch (LDAPException e) {
        connection.close();
        throw e;
      }
    }
    return connection;
  }

  private IdentityUnavailableException unavailable(String what, LDAPException e) {
    return new IdentityUnavailableException("the directory " + settings.url() + " could not answer (" + what + ": "
        + e.getResultCode() + (e.getDiagnosticMessage() == null ? "" : ", " + e.getDiagnosticMessage()) + ")", e);
  }

  /** The context for ldaps:// and StartTLS: the JDK's trusted CAs, or the given ones. */
  public static SSLContext tlsTrusting(java.security.KeyStore trusted) {
    try {
      javax.net.ssl.TrustManagerFactory factory = javax.net.ssl.TrustManagerFactory.getInstance(
          javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
      factory.init(trusted);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, factory.getTrustManagers(), null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("a TLS context for LDAP could not be made: " + e.getMessage(), e);
    }
  }
}
