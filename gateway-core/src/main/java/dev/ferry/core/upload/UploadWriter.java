package dev.ferry.core.upload;

import dev.ferry.core.scan.ScanSubject;
import java.util.Map;

/**
 * Who writes an upload: {@code metadata}, the object's user metadata naming them (sent with its
 * PUT, CreateMultipartUpload or copy), and {@code scanSubject}, what a scan's match sees of them
 * (null: never scanned).
 */
public record UploadWriter(Map<String, String> metadata, ScanSubject scanSubject) {

  public UploadWriter {
    metadata = Map.copyOf(metadata);
  }
}
