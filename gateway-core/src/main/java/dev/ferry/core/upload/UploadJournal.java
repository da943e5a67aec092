package dev.ferry.core.upload;

import dev.ferry.core.store.MultipartUploadInfo;
import dev.ferry.core.store.S3Location;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The multipart uploads this gateway has started and not yet completed or aborted, one small file
 * each in the data directory. It survives a crash, so the next start knows which uploads in S3
 * are its own orphans (S3 cannot tell who started an upload when everyone uses one key).
 */
public final class UploadJournal {

  private static final Logger log = LoggerFactory.getLogger(UploadJournal.class);

  private final Path directory;

  public UploadJournal(Path directory) throws IOException {
    this.directory = Files.createDirectories(directory);
  }

  public void started(MultipartUploadInfo upload) {
    String text = upload.location().bucket() + "\n" + upload.location().key() + "\n"
        + upload.uploadId() + "\n" + upload.initiated().toEpochMilli() + "\n";
    Path file = fileFor(upload.uploadId());
    Path temp = directory.resolve(file.getFileName() + ".tmp");
    try {
      Files.writeString(temp, text, StandardCharsets.UTF_8);
      Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot record upload " + upload.uploadId() + " in " + directory, e);
    }
  }

  public void finished(String uploadId) {
    try {
      Files.deleteIfExists(fileFor(uploadId));
    } catch (IOException e) {
      log.warn("cannot remove journal entry for upload {}: {}", uploadId, e.toString());
    }
  }

  public List<MultipartUploadInfo> entries() throws IOException {
    List<MultipartUploadInfo> result = new ArrayList<>();
    try (Stream<Path> files = Files.list(directory)) {
      for (Path file : (Iterable<Path>) files::iterator) {
        if (!file.getFileName().toString().endsWith(".upload")) {
          continue;
        }
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        if (lines.size() < 4) {
          log.warn("ignoring unreadable upload journal entry {}", file);
          continue;
        }
        result.add(new MultipartUploadInfo(new S3Location(lines.get(0), lines.get(1)), lines.get(2),
            Instant.ofEpochMilli(Long.parseLong(lines.get(3).trim()))));
      }
    }
    return result;
  }

  private Path fileFor(String uploadId) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(uploadId.getBytes(StandardCharsets.UTF_8));
      return directory.resolve(HexFormat.of().formatHex(digest, 0, 16) + ".upload");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
