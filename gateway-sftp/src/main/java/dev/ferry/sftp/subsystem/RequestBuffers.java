package dev.ferry.sftp.subsystem;

import dev.ferry.core.memory.ChunkPool;
import org.apache.sshd.common.util.buffer.Buffer;
import org.apache.sshd.common.util.buffer.ByteArrayBuffer;

/**
 * The buffers a session's channel queues its SFTP requests in for the session's SFTP thread, the
 * large ones (writes) from {@link ChunkPool}s shared by every session and given back once answered.
 *
 * <p>Why: MINA copies each request into a new array. An upload's writes wait in that queue, up to
 * the channel's window (sftp.windowSize, 8 MiB), while the SFTP thread hands earlier ones to S3,
 * so they outlived young collections: at a small heap they were most of what a collection copied
 * during an SFTP upload, and the old generation filled with them.
 */
final class RequestBuffers {

  /** Smaller requests live briefly and are cheap: a buffer each, as MINA makes them. */
  private static final int SMALLEST_POOLED = 16 * 1024;
  /** Room beside a write's data for its other fields (length, type, id, handle, offset, data length). */
  private static final int FIELDS = 1024;
  /** The data sizes clients write in: paramiko, WinSCP and rclone 32 KiB, sshfs 64 KiB, OpenSSH up to 256 KiB. */
  private static final int[] DATA_SIZES = {32 * 1024, 64 * 1024, 128 * 1024, 256 * 1024};

  private final ChunkPool[] pools = new ChunkPool[DATA_SIZES.length];

  /** {@code idleLimitBytes}: what each size's pool keeps for the next requests once they are answered. */
  RequestBuffers(long idleLimitBytes) {
    for (int i = 0; i < DATA_SIZES.length; i++) {
      pools[i] = new ChunkPool(DATA_SIZES[i] + FIELDS, idleLimitBytes);
    }
  }

  /** An empty buffer for a request of {@code size} bytes, its length field included. */
  Buffer take(int size) {
    if (size >= SMALLEST_POOLED) {
      for (ChunkPool pool : pools) {
        if (size <= pool.chunkSize()) {
          return new Pooled(pool);
        }
      }
    }
    // MINA's extra room lets a short reply be written into the request's own buffer.
    return new ByteArrayBuffer(size + Long.SIZE, false);
  }

  /** Whether {@code request} must go back to its pool when answered, rather than carry the reply. */
  static boolean isPooled(Buffer request) {
    return request instanceof Pooled;
  }

  /**
   * Gives a request's array back once it was answered. Its reply was written elsewhere
   * ({@link FerrySftpSubsystem#prepareReply}) and Ferry copies a write's data before the write
   * returns, so nothing holds the array any more.
   */
  static void release(Buffer request) {
    if (request instanceof Pooled pooled) {
      pooled.giveBack();
    }
  }

  private static final class Pooled extends ByteArrayBuffer {

    private final ChunkPool home;
    private final byte[] chunk;

    Pooled(ChunkPool home) {
      this(home, home.take());
    }

    private Pooled(ChunkPool home, byte[] chunk) {
      super(chunk, 0, 0, false);
      this.home = home;
      this.chunk = chunk;
    }

    void giveBack() {
      // A buffer that grew holds a new array; the chunk is then nobody's, and goes back all the same.
      home.giveBack(chunk);
    }
  }
}
