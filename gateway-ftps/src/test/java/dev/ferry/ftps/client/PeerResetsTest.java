package dev.ferry.ftps.client;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.SocketException;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.Test;

class PeerResetsTest {

  @Test
  void isReset_ofWhatTheJdkSaysForAPeersReset_isTrue() {
    assertTrue(PeerResets.isReset(new SocketException("Connection reset")));
    assertTrue(PeerResets.isReset(new IOException("Connection reset by peer")));
    assertTrue(PeerResets.isReset(new IOException("Broken pipe")));
  }

  @Test
  void isReset_ofOtherFailures_isFalse_alsoWithoutAMessage() {
    assertFalse(PeerResets.isReset(new IOException((String) null)));
    assertFalse(PeerResets.isReset(new IOException("No space left on device")));
    assertFalse(PeerResets.isReset(new SSLException("Connection reset")));
    assertFalse(PeerResets.isReset(new IllegalStateException("Connection reset")));
  }
}
