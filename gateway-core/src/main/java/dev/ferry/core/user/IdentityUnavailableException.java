package dev.ferry.core.user;

/**
 * An identity source (an HTTP identity provider, a directory) could not answer whether a login's
 * credentials are right: it is down, slow, or answered something else than yes or no. The login is
 * refused, and it is not counted as a failure of the client's: the client may have been right.
 */
public final class IdentityUnavailableException extends RuntimeException {

  public IdentityUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
