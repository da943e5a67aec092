package dev.ferry.core.s3;

import dev.ferry.core.memory.ChunkPool;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;

/**
 * The bytes of one ranged GET, in the pieces the S3 client delivered them: each a buffer of its
 * own, a few KiB (one HTTP chunk), kept as they came instead of copied into larger arrays. A
 * download moves every byte through here, so a copy here was a second allocation of the whole file
 * (0.45 GiB per GiB downloaded, JFR allocation samples). Small pieces are also ordinary young
 * objects to G1, where a whole range in one array would be "humongous" (half a region or more:
 * regions of their own, freed only by a marking cycle).
 *
 * <p>A range read for a download holds {@link ChunkPool}'s chunks instead: its one reader
 * {@link #release}s it when done, and the chunks serve the next range. Any other range is left to
 * the garbage collector.
 */
public final class RangeBytes {

  public static final RangeBytes EMPTY = new RangeBytes(List.of());

  private final ByteBuffer[] pieces;
  /** Where each piece starts in the range. */
  private final int[] starts;
  private final int length;
  /** Where the pieces' arrays go back to on release; null for pieces of nobody's pool. */
  private final ChunkPool home;
  private boolean released;

  /** {@code pieces} hold the range in order, each from its position to its limit; they are not changed. */
  public RangeBytes(List<ByteBuffer> pieces) {
    this(pieces, null);
  }

  /**
   * Pieces that wrap chunks of {@code home} (each from index 0), given back to it by
   * {@link #release}.
   */
  public RangeBytes(List<ByteBuffer> pieces, ChunkPool home) {
    this.home = home;
    this.pieces = pieces.toArray(ByteBuffer[]::new);
    this.starts = new int[this.pieces.length];
    int at = 0;
    for (int i = 0; i < this.pieces.length; i++) {
      starts[i] = at;
      at = Math.addExact(at, this.pieces[i].remaining());
    }
    this.length = at;
  }

  public int length() {
    return length;
  }

  /**
   * Copies up to {@code count} bytes from {@code position} into {@code into} at {@code offset},
   * across pieces; returns how many (fewer only at the end of the range).
   */
  public int copy(int position, byte[] into, int offset, int count) {
    checkHeld();
    int copied = 0;
    int piece = pieceAt(position);
    while (copied < count && position < length) {
      ByteBuffer bytes = pieces[piece];
      int within = position - starts[piece];
      int n = Math.min(count - copied, bytes.remaining() - within);
      bytes.get(bytes.position() + within, into, offset + copied, n);
      copied += n;
      position += n;
      piece++;
    }
    return copied;
  }

  /** Takes a range's bytes in order; it reads them and changes nothing. */
  @FunctionalInterface
  public interface Sink {
    void accept(byte[] bytes, int offset, int length) throws IOException;
  }

  /**
   * Hands the bytes to {@code sink} in order, a piece at a time, from the pieces' own arrays: no
   * copy, for a reader that takes the whole range (a piece without a reachable array is copied).
   */
  public void writeTo(Sink sink) throws IOException {
    checkHeld();
    for (ByteBuffer piece : pieces) {
      if (!piece.hasRemaining()) {
        continue;
      }
      if (piece.hasArray()) {
        sink.accept(piece.array(), piece.arrayOffset() + piece.position(), piece.remaining());
      } else {
        byte[] copy = new byte[piece.remaining()];
        piece.get(piece.position(), copy);
        sink.accept(copy, 0, copy.length);
      }
    }
  }

  /** The range as a body to send: the pieces themselves (views of them: reading one moves nothing here). */
  public ByteBuffer[] buffers() {
    checkHeld();
    ByteBuffer[] views = new ByteBuffer[pieces.length];
    for (int i = 0; i < pieces.length; i++) {
      views[i] = pieces[i].duplicate();
    }
    return views;
  }

  /**
   * Gives the chunks back for other ranges: the holder reads nothing here afterwards. Once; nothing
   * for a range of nobody's chunks (such as {@link #EMPTY}, shared by many).
   */
  public void release() {
    if (home == null || released) {
      return;
    }
    released = true;
    for (ByteBuffer piece : pieces) {
      home.giveBack(piece.array());
    }
  }

  private void checkHeld() {
    if (released) {
      throw new IllegalStateException("range bytes read after their release");
    }
  }

  private int pieceAt(int position) {
    int found = Arrays.binarySearch(starts, position);
    // Not a piece's start: the piece before the insertion point holds it. Empty pieces share their
    // start with the next one; the copy loop skips them.
    return found >= 0 ? found : -found - 2;
  }
}
