package dev.ferry.jobs.batch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TarWriterTest {

  @TempDir
  Path dir;

  @Test
  void files_offsetsAndSha256_readBackAtTheirOffsetAndByGnuTar() throws Exception {
    Map<String, byte[]> files = new LinkedHashMap<>();
    Random random = new Random(3);
    String longName = "a-name-longer-than-the-hundred-bytes-a-ustar-header-holds-".repeat(3) + "end.csv";
    List<String> names = List.of("empty.txt", "one.bin", "block-less-one.bin", "block.bin", "block-and-one.bin",
        "résumé ✓ 東京.txt", longName, "big.bin");
    int[] sizes = {0, 1, 511, 512, 513, 20, 700, 3 << 20};
    for (int i = 0; i < names.size(); i++) {
      byte[] data = new byte[sizes[i]];
      random.nextBytes(data);
      files.put(names.get(i), data);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    TarWriter tar = new TarWriter(out);
    long planned = ArchivePlan.END;
    Map<String, TarWriter.Written> written = new LinkedHashMap<>();
    for (Map.Entry<String, byte[]> file : files.entrySet()) {
      tar.start(file.getKey(), file.getValue().length, Instant.parse("2026-11-24T08:00:00.123Z"));
      byte[] data = file.getValue();
      for (int at = 0; at < data.length; at += 4096) {
        tar.write(data, at, Math.min(4096, data.length - at));
      }
      written.put(file.getKey(), tar.end());
      planned += ArchivePlan.entrySize(file.getKey(), data.length);
    }
    long size = tar.finish();
    byte[] archive = out.toByteArray();
    assertEquals(archive.length, size);
    assertTrue(size <= planned, size + " bytes, planned at most " + planned);

    for (Map.Entry<String, byte[]> file : files.entrySet()) {
      TarWriter.Written at = written.get(file.getKey());
      assertEquals(file.getValue().length, at.size());
      assertArrayEquals(file.getValue(), Arrays.copyOfRange(archive, (int) at.offset(),
          (int) (at.offset() + at.size())), file.getKey());
      assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(file.getValue())),
          at.sha256());
    }

    Path tarFile = Files.write(dir.resolve("batch.tar"), archive);
    Path extracted = Files.createDirectories(dir.resolve("out"));
    Process gnuTar = new ProcessBuilder("tar", "-xf", tarFile.toString(), "-C", extracted.toString())
        .redirectErrorStream(true).start();
    String output = new String(gnuTar.getInputStream().readAllBytes());
    assertEquals(0, gnuTar.waitFor(), output);
    for (Map.Entry<String, byte[]> file : files.entrySet()) {
      assertArrayEquals(file.getValue(), Files.readAllBytes(extracted.resolve(file.getKey())), file.getKey());
    }
  }
}
