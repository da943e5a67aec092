package dev.ferry.core.upload;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PartDigestsTest {

  @Test
  void contentMd5_ofPiecesWithOffsets_isTheMd5OfTheirRemainingBytes_positionsUntouched() throws Exception {
    byte[] data = new byte[3 * 1024 * 1024 + 17];
    new Random(7).nextBytes(data);
    ByteBuffer[] body = {ByteBuffer.wrap(data, 0, 1024 * 1024), ByteBuffer.wrap(data, 1024 * 1024, 2 * 1024 * 1024),
        ByteBuffer.wrap(data, 3 * 1024 * 1024, 17)};
    String expected = Base64.getEncoder().encodeToString(MessageDigest.getInstance("MD5").digest(data));

    assertEquals(expected, new PartDigests().contentMd5(body).get());
    assertEquals(expected, PartDigests.contentMd5Now(body), "hashing again sees the same bytes: positions did not move");
    assertEquals(3 * 1024 * 1024, body[2].position());
  }

  @Test
  void contentMd5_ofNothing_isTheEmptyMd5() {
    assertEquals("1B2M2Y8AsgTpgAmY7PhCfg==", PartDigests.contentMd5Now(new ByteBuffer[0]));
  }
}
