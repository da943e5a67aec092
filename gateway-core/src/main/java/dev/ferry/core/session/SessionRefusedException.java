package dev.ferry.core.session;

/**
 * A session Ferry does not take: {@link #clientMessage()} is what the client is told (the limit it
 * hit, never a config key), {@link #getMessage()} is the log line's reason, naming the key to raise.
 */
public final class SessionRefusedException extends Exception {

  private final String clientMessage;

  SessionRefusedException(String clientMessage, String configKey) {
    super(clientMessage + " (config key " + configKey + ")");
    this.clientMessage = clientMessage;
  }

  public String clientMessage() {
    return clientMessage;
  }
}
