package dev.ferry.core.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.config.InvalidFieldException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WriteOptionsTest {

  @Test
  void taggingHeader_urlEncodesKeysAndValues_inTheGivenOrder() {
    Map<String, String> tags = new LinkedHashMap<>();
    tags.put("team", "drop box");
    tags.put("a&b", "x=y+z");
    tags.put("ünï", "日本");
    WriteOptions options = new WriteOptions(null, null, null, null, null, tags);

    assertEquals("team=drop%20box&a%26b=x%3Dy%2Bz&%C3%BCn%C3%AF=%E6%97%A5%E6%9C%AC", options.taggingHeader());
    assertNull(WriteOptions.NONE.taggingHeader());
  }

  @Test
  void over_takesEachGivenField_andTheDefaultsForTheRest() {
    WriteOptions defaults = new WriteOptions("aws:kms", "node-key", true, "STANDARD_IA", null, Map.of("env", "prod"));
    WriteOptions user = new WriteOptions("AES256", null, null, null, "bucket-owner-full-control", Map.of());

    WriteOptions merged = user.over(defaults);

    assertEquals(new WriteOptions("AES256", null, null, "STANDARD_IA", "bucket-owner-full-control",
        Map.of("env", "prod")), merged, "the user's own encryption comes whole, without the node's key");
    assertEquals(defaults, WriteOptions.NONE.over(defaults));
    assertTrue(WriteOptions.NONE.over(WriteOptions.NONE).isEmpty());
  }

  @Test
  void valuesS3WouldRefuse_refusedNamingTheField() {
    assertEquals("sse", refused(() -> new WriteOptions("AES128", null, null, null, null, null)).field());
    assertEquals("kmsKeyId", refused(() -> new WriteOptions("AES256", "key", null, null, null, null)).field());
    assertEquals("bucketKey", refused(() -> new WriteOptions(null, null, true, null, null, null)).field());
    InvalidFieldException storage = refused(() -> new WriteOptions(null, null, null, "COLD", null, null));
    assertTrue(storage.getMessage().startsWith("storageClass: must be one of DEEP_ARCHIVE, EXPRESS_ONEZONE, GLACIER"),
        storage.getMessage());
    assertEquals("acl", refused(() -> new WriteOptions(null, null, null, null, "everyone", null)).field());
    Map<String, String> eleven = new LinkedHashMap<>();
    for (int i = 0; i < 11; i++) {
      eleven.put("t" + i, "v");
    }
    assertEquals("tags: S3 keeps at most 10 tags on an object, got 11",
        refused(() -> new WriteOptions(null, null, null, null, null, eleven)).getMessage());
    assertEquals("tags", refused(() -> new WriteOptions(null, null, null, null, null, Map.of("aws:x", "v"))).field());
    assertEquals("tags.long", refused(() -> new WriteOptions(null, null, null, null, null,
        Map.of("long", "v".repeat(257)))).field());
  }

  private static InvalidFieldException refused(org.junit.jupiter.api.function.Executable making) {
    return assertThrows(InvalidFieldException.class, making);
  }
}
