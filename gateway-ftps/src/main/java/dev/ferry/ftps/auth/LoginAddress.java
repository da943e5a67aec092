package dev.ferry.ftps.auth;

/**
 * The client address of the PASS being run on this thread, for {@link GatewayUserManager}.
 * FtpServer hands the user manager the socket's peer, which behind a balancer is the balancer: one
 * client's failed logins would ban every client. The session policy sets the client's own address
 * just before FtpServer runs the PASS, on the same thread, and the user manager takes it.
 */
public final class LoginAddress {

  private static final ThreadLocal<String> CURRENT = new ThreadLocal<>();

  private LoginAddress() {}

  public static void set(String address) {
    CURRENT.set(address);
  }

  public static void clear() {
    CURRENT.remove();
  }

  /** The address set for this PASS, or null; taken once. */
  static String take() {
    String address = CURRENT.get();
    CURRENT.remove();
    return address;
  }
}
