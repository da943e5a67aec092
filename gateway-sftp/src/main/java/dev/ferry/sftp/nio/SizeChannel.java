package dev.ferry.sftp.nio;

import dev.ferry.core.path.VirtualPath;
import dev.ferry.core.upload.OffsetWriter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.NonReadableChannelException;
import java.nio.channels.NonWritableChannelException;
import java.nio.channels.SeekableByteChannel;

/**
 * What MINA opens to apply a SETSTAT of the size: a truncate reaches the file this session is
 * writing at that path (OpenSSH scp truncates its upload to the size it wrote before closing),
 * else core's truncate of the stored file.
 */
public final class SizeChannel implements SeekableByteChannel {

  private final FerryFileSystem fileSystem;
  private final VirtualPath path;
  private boolean open = true;

  public SizeChannel(FerryPath path) throws IOException {
    this.fileSystem = path.getFileSystem();
    this.path = path.virtual();
  }

  @Override
  public SeekableByteChannel truncate(long size) throws IOException {
    OffsetWriter writing = fileSystem.writing(path);
    if (writing != null) {
      writing.truncate(size);
    } else {
      fileSystem.session().truncate(path, size);
    }
    return this;
  }

  @Override
  public int read(ByteBuffer dst) {
    throw new NonReadableChannelException();
  }

  @Override
  public int write(ByteBuffer src) {
    throw new NonWritableChannelException();
  }

  @Override
  public long position() {
    return 0;
  }

  @Override
  public SeekableByteChannel position(long newPosition) {
    return this;
  }

  @Override
  public long size() throws IOException {
    OffsetWriter writing = fileSystem.writing(path);
    return writing != null ? writing.size() : fileSystem.session().stat(path).size();
  }

  @Override
  public boolean isOpen() {
    return open;
  }

  @Override
  public void close() {
    open = false;
  }
}
