package dev.ferry.sftp.subsystem;

import java.io.EOFException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.sshd.common.SshConstants;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.util.buffer.Buffer;
import org.apache.sshd.common.util.buffer.BufferUtils;
import org.apache.sshd.sftp.common.SftpConstants;

/**
 * The reply to an SFTP READ, read straight into the SSH channel-data packets that carry it.
 *
 * <p>Why: MINA reads the data into a reply buffer of the request's size (up to 256 KiB), and its
 * channel stream then copies each packet's share of it into a packet of its own before encrypting
 * it. Every downloaded byte was copied once more and allocated twice over, and the reply buffers,
 * which wait for the client's window, lived long enough to be promoted to the old generation: at a
 * small heap they were most of what young collections copied during an SFTP download. Packets laid
 * out as the session makes them ({@link Session#createBuffer}: room for the SSH header before the
 * data, for padding and MAC after it) are encrypted in place by MINA's channel stream; large ones
 * come from {@link SftpBuffers}' pools.
 */
final class ReadReply {

  /** uint32 length, byte type, uint32 id, uint32 data length: SSH_FXP_DATA's fields before its data. */
  private static final int SFTP_HEADER = 13;
  /** byte SSH_MSG_CHANNEL_DATA, uint32 recipient, uint32 length: filled in by MINA's channel stream. */
  static final int CHANNEL_DATA_HEADER = 9;

  /** Makes an empty channel-data packet for {@code length} bytes of data, positioned after its SSH_MSG_CHANNEL_DATA byte. */
  @FunctionalInterface
  interface Packets {
    Buffer packet(int length);
  }

  /** Reads up to {@code length} bytes of the file at {@code offset} into {@code data} at {@code at}; -1 at its end. */
  @FunctionalInterface
  interface Source {
    int read(long offset, byte[] data, int at, int length) throws IOException;
  }

  private ReadReply() {}

  /**
   * The packets of the reply to READ {@code id} of up to {@code length} bytes at {@code offset},
   * each at most {@code packetSize} bytes of channel data; the SFTP header is in the first. Reading
   * stops at the file's end or a short read. Nothing is sent here: a read that fails gives its
   * packets back, and the caller answers with a status instead.
   *
   * @throws EOFException when the file has no byte at {@code offset} (the client is told EOF)
   */
  static List<Buffer> read(Packets packets, int packetSize, int id, long offset, int length, Source source)
      throws IOException {
    List<Buffer> reply = new ArrayList<>();
    int total = 0;
    boolean more = true;
    try {
      while (more && total < length) {
        int header = reply.isEmpty() ? SFTP_HEADER : 0;
        int room = Math.min(Math.max(1, packetSize - header), length - total);
        Buffer packet = packets.packet(header + room);
        reply.add(packet);
        int start = SshConstants.SSH_PACKET_HEADER_LEN + CHANNEL_DATA_HEADER;
        packet.rpos(start);
        packet.wpos(start);
        if (header > 0) {
          packet.putUInt(0L); // the SFTP length, filled in below
          packet.putByte((byte) SftpConstants.SSH_FXP_DATA);
          packet.putInt(id);
          packet.putUInt(0L); // the data length, filled in below
        }
        int read = source.read(offset + total, packet.array(), packet.wpos(), room);
        if (read <= 0) {
          reply.remove(reply.size() - 1);
          SftpBuffers.release(packet);
          if (total == 0) {
            throw new EOFException("no data at offset " + offset + " (end of file)");
          }
          break;
        }
        packet.wpos(packet.wpos() + read);
        total += read;
        more = read == room;
      }
    } catch (IOException | RuntimeException e) {
      reply.forEach(SftpBuffers::release);
      throw e;
    }
    Buffer first = reply.get(0);
    BufferUtils.updateLengthPlaceholder(first, first.rpos(), SFTP_HEADER - Integer.BYTES + total);
    BufferUtils.updateLengthPlaceholder(first, first.rpos() + SFTP_HEADER - Integer.BYTES, total);
    return reply;
  }
}
