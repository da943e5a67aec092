package dev.ferry.sftp.subsystem;

import dev.ferry.sftp.nio.WriteChannel;
import java.io.EOFException;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import org.apache.sshd.sftp.common.SftpConstants;
import org.apache.sshd.sftp.server.FileHandle;

/**
 * copy-data (OpenSSH 9's {@code sftp cp}): bytes from one open handle to another. The copy becomes
 * visible when the client closes the target, as any upload does.
 *
 * <p>What {@code sftp cp} asks for, a whole file into a target that is still empty, is copied
 * inside S3 when the target is closed, with the source's SHA-256: no byte passes through the
 * gateway. A file whose SHA-256 Ferry does not know (another S3 client wrote it), part of a file,
 * an offset, a target with bytes or open for append, go through the download and upload paths like
 * any other bytes and are hashed on the way; so does the whole file if the client changes the
 * target after the copy (see {@code OffsetWriter.startAsCopyOf}).
 *
 * <p>MINA's own copy takes the length to copy from the source's path. OpenSSH opens the target
 * with truncation before it asks, so {@code cp a a} saw an empty file: MINA refused the copy, and
 * the close made the file empty. Here the length comes from the source handle, which reads the
 * version the file had when it was opened: a copy onto itself keeps the file's bytes, and a copy
 * of nothing (an empty file) succeeds, as in OpenSSH's sftp-server.
 */
final class HandleCopy {

  /** One read: the size of an OpenSSH read, which the download path serves best. */
  static final int PIECE = 256 * 1024;

  private final FileHandle source;
  private final FileHandle target;
  /** Told of every piece copied; may stop the copy by throwing. */
  interface Progress {
    void piece() throws IOException;
  }

  private final Progress progress;

  HandleCopy(FileHandle source, FileHandle target, Progress progress) {
    this.source = source;
    this.target = target;
    this.progress = progress;
  }

  /** Copies from {@code readOffset}, {@code readLength} bytes (0: to the end), to {@code writeOffset}. */
  void copy(long readOffset, long readLength, long writeOffset) throws IOException {
    String from = source.getFile().toString();
    String to = target.getFile().toString();
    if (source == target) {
      throw new UnsupportedOperationException("copy-data within one handle of " + from
          + " is not supported: open the target file separately");
    }
    if ((source.getAccessMask() & SftpConstants.ACE4_READ_DATA) == 0) {
      throw new AccessDeniedException(from, to, "copy-data source not opened for reading");
    }
    if ((target.getAccessMask() & SftpConstants.ACE4_WRITE_DATA) == 0) {
      throw new AccessDeniedException(to, from, "copy-data target not opened for writing");
    }
    if (readOffset < 0 || readLength < 0 || writeOffset < 0) {
      throw new IllegalArgumentException("copy-data from " + from + " to " + to + ": offsets (" + readOffset + ", "
          + writeOffset + ") and length (" + readLength + ") must not be negative");
    }
    long size = source.getFileChannel().size();
    long end = readLength == 0 || readLength >= size - readOffset ? size : readOffset + readLength;
    if (end > readOffset && writeOffset > Long.MAX_VALUE - (end - readOffset)) {
      throw new IllegalArgumentException("copy-data to " + to + ": write offset " + writeOffset + " plus "
          + (end - readOffset) + " bytes is beyond the largest file size");
    }
    boolean wholeFileFromTheStart = readOffset == 0 && end == size && writeOffset == 0 && !target.isOpenAppend();
    if (wholeFileFromTheStart && target.getFileChannel() instanceof WriteChannel upload
        && upload.startAsCopyOf(source.getFileChannel())) {
      return;
    }
    byte[] piece = new byte[(int) Math.max(0, Math.min(PIECE, end - readOffset))];
    for (long at = readOffset, written = writeOffset; at < end; ) {
      int n = source.read(piece, 0, (int) Math.min(piece.length, end - at), at);
      if (n < 0) {
        throw new EOFException(from + " ended at byte " + at + " of the " + size + " it had when opened");
      }
      if (target.isOpenAppend()) {
        target.append(piece, 0, n);
      } else {
        target.write(piece, 0, n, written);
      }
      at += n;
      written += n;
      progress.piece();
    }
  }
}
