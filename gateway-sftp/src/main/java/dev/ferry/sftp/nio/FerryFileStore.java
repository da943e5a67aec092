package dev.ferry.sftp.nio;

import java.nio.file.FileStore;
import java.nio.file.attribute.FileAttributeView;
import java.nio.file.attribute.FileStoreAttributeView;

/**
 * The "disk" behind every path: S3 has no capacity to report, so clients asking for free space get
 * a fixed large answer (1 PiB free of 1 PiB) rather than an error that stops uploads.
 */
final class FerryFileStore extends FileStore {

  static final FerryFileStore INSTANCE = new FerryFileStore();
  static final long SPACE = 1L << 50;

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
  public long getTotalSpace() {
    return SPACE;
  }

  @Override
  public long getUsableSpace() {
    return SPACE;
  }

  @Override
  public long getUnallocatedSpace() {
    return SPACE;
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
