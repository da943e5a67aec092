package dev.ferry.sftp.nio;

import dev.ferry.core.quota.QuotaUsage;
import dev.ferry.core.vfs.GatewayFileSystem;
import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.attribute.FileAttributeView;
import java.nio.file.attribute.FileStoreAttributeView;
import java.util.Optional;

/**
 * The "disk" behind a session's paths. A user with a quota sees it as the disk's size and what is
 * left of it as free space (bytes and files), as a client's {@code df} or statvfs shows; S3 itself
 * has no capacity to report, so without a quota the answer is a fixed large one (1 PiB free of
 * 1 PiB, and 2^40 files) rather than an error that stops uploads.
 */
public final class FerryFileStore extends FileStore {

  static final long SPACE = 1L << 50;
  static final long FILES = 1L << 40;

  /** Sizes and file counts as a statvfs reports them. */
  public record Space(long totalBytes, long freeBytes, long totalFiles, long freeFiles) {}

  private final GatewayFileSystem session;

  FerryFileStore(GatewayFileSystem session) {
    this.session = session;
  }

  /** The whole answer at once (one look at the quota's usage). */
  public Space space() throws IOException {
    Optional<QuotaUsage> usage = session.quotaUsage();
    if (usage.isEmpty()) {
      return new Space(SPACE, SPACE, FILES, FILES);
    }
    QuotaUsage used = usage.get();
    long totalBytes = used.limit().bytes() > 0 ? used.limit().bytes() : SPACE;
    long totalFiles = used.limit().files() > 0 ? used.limit().files() : FILES;
    return new Space(totalBytes, Math.min(totalBytes, used.freeBytes()), totalFiles,
        Math.min(totalFiles, used.freeFiles()));
  }

  @Override
  public String name() {
    return "s3";
  }

  @Override
  public String type() {
    return "s3";
  }

  @Override
  public boolean isReadOnly() {
    return false;
  }

  @Override
  public long getTotalSpace() throws IOException {
    return space().totalBytes();
  }

  @Override
  public long getUsableSpace() throws IOException {
    return space().freeBytes();
  }

  @Override
  public long getUnallocatedSpace() throws IOException {
    return space().freeBytes();
  }

  @Override
  public long getBlockSize() {
    return 4096;
  }

  @Override
  public boolean supportsFileAttributeView(Class<? extends FileAttributeView> type) {
    return false;
  }

  @Override
  public boolean supportsFileAttributeView(String name) {
    return name.equals("basic") || name.equals("posix");
  }

  @Override
  public <V extends FileStoreAttributeView> V getFileStoreAttributeView(Class<V> type) {
    return null;
  }

  @Override
  public Object getAttribute(String attribute) {
    throw new UnsupportedOperationException("no attribute " + attribute);
  }
}
