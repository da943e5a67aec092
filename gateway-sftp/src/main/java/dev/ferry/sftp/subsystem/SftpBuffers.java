package dev.ferry.sftp.subsystem;

import dev.ferry.core.memory.ChunkPool;
import org.apache.sshd.common.SshConstants;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.session.helpers.PacketBuffer;
import org.apache.sshd.common.util.buffer.Buffer;
import org.apache.sshd.common.util.buffer.ByteArrayBuffer;

/**
 * The buffers SFTP's bytes stream through, the large ones from {@link ChunkPool}s shared by every
 * session and given back once done with: the requests a session's channel queues for its SFTP
 * thread (writes), and the SSH packets a READ's reply is read into ({@link ReadReply}).
 *
 * <p>Why: MINA makes a new array for each. An upload's writes wait in that queue, up to the
 * channel's window (sftp.windowSize, 8 MiB), while the SFTP thread hands earlier ones to S3, and a
 * download's packets wait for the client's window: they outlived young collections, and at a small
 * heap they were most of what a collection copied during an SFTP transfer, and most of what filled
 * the old generation.
 *
 * <p>Small buffers are made as MINA makes them: they live briefly, and a client that asks for
 * tiny packets must not take a pooled array for each.
 */
final class SftpBuffers {

  /** Smaller buffers live briefly and are cheap: a new one each. */
  private static final int SMALLEST_POOLED = 16 * 1024;
  /** Room beside the data for a request's other fields, or a packet's header, padding and MAC. */
  private static final int FIELDS = 1024;
  /** The data sizes clients write and take packets in: 32 KiB (paramiko, WinSCP, rclone, OpenSSH's packets), sshfs's 64 KiB writes, up to OpenSSH's 256 KiB writes. */
  private static final int[] DATA_SIZES = {32 * 1024, 64 * 1024, 128 * 1024, 256 * 1024};

  private final ChunkPool[] pools = new ChunkPool[DATA_SIZES.length];

  /** {@code idleLimitBytes}: what each size's pool keeps for the next buffers once they are given back. */
  SftpBuffers(long idleLimitBytes) {
    for (int i = 0; i < DATA_SIZES.length; i++) {
      pools[i] = new ChunkPool(DATA_SIZES[i] + FIELDS, idleLimitBytes);
    }
  }

  /** An empty buffer for a request of {@code size} bytes, its length field included. */
  Buffer request(int size) {
    ChunkPool pool = poolFor(size);
    if (pool == null) {
      // MINA's extra room lets a short reply be written into the request's own buffer.
      return new ByteArrayBuffer(size + Long.SIZE, false);
    }
    return new PooledRequest(pool, pool.take());
  }

  /**
   * A channel-data packet of {@code session} for {@code length} bytes of data, positioned as
   * {@link Session#createBuffer} positions it (after the SSH_MSG_CHANNEL_DATA byte).
   */
  Buffer packet(Session session, int length) {
    // The packet's header and MINA's allowance for padding and MAC: see Session.createBuffer.
    ChunkPool pool = poolFor(ReadReply.CHANNEL_DATA_HEADER + length + FIELDS / 4);
    if (pool == null) {
      return session.createBuffer(SshConstants.SSH_MSG_CHANNEL_DATA, ReadReply.CHANNEL_DATA_HEADER + length);
    }
    return session.prepareBuffer(SshConstants.SSH_MSG_CHANNEL_DATA, new PooledPacket(pool, pool.take()));
  }

  private ChunkPool poolFor(int size) {
    if (size >= SMALLEST_POOLED) {
      for (ChunkPool pool : pools) {
        if (size <= pool.chunkSize()) {
          return pool;
        }
      }
    }
    return null;
  }

  /** Whether {@code request}'s array goes back to its pool when answered, so its reply must be written elsewhere. */
  static boolean isPooled(Buffer request) {
    return request instanceof PooledRequest;
  }

  /**
   * Gives a buffer's array back to its pool (nothing for one made anew). For a request: once it
   * was answered (its reply was written elsewhere, {@link FerrySftpSubsystem#prepareReply}, and
   * Ferry copies a write's data before the write returns). For a packet: once MINA wrote it.
   * A buffer that grew holds a new array by then; its chunk is nobody's and goes back all the same.
   */
  static void release(Buffer buffer) {
    if (buffer instanceof PooledRequest request) {
      request.home.giveBack(request.chunk);
    } else if (buffer instanceof PooledPacket packet) {
      packet.home.giveBack(packet.chunk);
    }
  }

  private static final class PooledRequest extends ByteArrayBuffer {

    private final ChunkPool home;
    private final byte[] chunk;

    PooledRequest(ChunkPool home, byte[] chunk) {
      super(chunk, 0, 0, false);
      this.home = home;
      this.chunk = chunk;
    }
  }

  /** A {@link PacketBuffer}, which MINA's channel stream encrypts in place. */
  private static final class PooledPacket extends PacketBuffer {

    private final ChunkPool home;
    private final byte[] chunk;

    PooledPacket(ChunkPool home, byte[] chunk) {
      super(chunk, false);
      this.home = home;
      this.chunk = chunk;
    }
  }
}
