package dev.ferry.core.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.s3.S3Location;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChangeWordsTest {

  @Test
  void keysWithLineBreaksAndOtherScripts_comeOutAsTheyWentIn() {
    List<S3Location> keys = List.of(new S3Location("b", "home/a\r\n212 forged.bin"),
        new S3Location("b", "home/zoë/文件 1.txt"), new S3Location("b", "home/dir/"));
    List<String> payloads = ChangeWords.payloads("node-1", keys);
    assertEquals(1, payloads.size());
    assertEquals(keys, ChangeWords.keysOf("node-2", payloads.get(0)));
  }

  @Test
  void aNodesOwnWords_nameNothingToIt() {
    String payload = ChangeWords.payloads("node-1", List.of(new S3Location("b", "k"))).get(0);
    assertEquals(List.of(), ChangeWords.keysOf("node-1", payload));
  }

  @Test
  void manyLongKeysInAnotherScript_splitIntoPayloadsUnderPostgresLimitInBytes() {
    List<S3Location> keys = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      keys.add(new S3Location("bucket", "文".repeat(330) + i)); // about 1,000 bytes of UTF-8 each
    }
    List<String> payloads = ChangeWords.payloads("node-1", keys);
    List<S3Location> heard = new ArrayList<>();
    for (String payload : payloads) {
      assertTrue(payload.getBytes(StandardCharsets.UTF_8).length < 8_000, payload.length() + " characters");
      heard.addAll(ChangeWords.keysOf("node-2", payload));
    }
    assertEquals(keys, heard);
  }
}
