package dev.ferry.jobs.pgp;

import java.io.IOException;

/** An OpenPGP step that cannot go on, with the reason: a wrong key, a cut-short message, a bad signature. */
public final class PgpException extends IOException {

  public PgpException(String message) {
    super(message);
  }

  public PgpException(String message, Throwable cause) {
    super(message, cause);
  }
}
