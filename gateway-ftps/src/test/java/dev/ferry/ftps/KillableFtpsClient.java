package dev.ferry.ftps;

import java.io.IOException;
import java.net.Socket;
import org.apache.commons.net.ftp.FTPSClient;

/**
 * An FTPS client that can die like a killed process (both connections reset, no goodbye), and can
 * send an ABOR in the same write as its next RETR, as a client that pipelines commands does.
 */
final class KillableFtpsClient extends FTPSClient {

  private Socket data;
  private String pipelinedRetr;
  private int abortReply;

  KillableFtpsClient(boolean implicit) {
    super("TLS", implicit);
  }

  /**
   * The next active-mode RETR of {@code file} leaves in one write with an ABOR before it and its
   * PORT between, as a client that pipelines commands sends them; {@link #abortReply} is then the
   * ABOR's reply.
   */
  void abortAndRetrieveInOneWrite(String file) {
    pipelinedRetr = file;
  }

  int abortReply() {
    return abortReply;
  }

  @Override
  public int sendCommand(String command, String args) throws IOException {
    if (pipelinedRetr != null && command.equals("PORT")) {
      _controlOutput_.write("ABOR\r\nPORT " + args + "\r\nRETR " + pipelinedRetr + "\r\n");
      _controlOutput_.flush();
      abortReply = getReply();
      return getReply();
    }
    if (pipelinedRetr != null && command.equals("RETR")) {
      pipelinedRetr = null;
      return getReply(); // sent with the PORT
    }
    return super.sendCommand(command, args);
  }

  @Override
  protected Socket _openDataConnection_(String command, String arg) throws IOException {
    data = super._openDataConnection_(command, arg);
    return data;
  }

  void kill() throws IOException {
    for (Socket socket : new Socket[] {data, _socket_}) {
      if (socket != null) {
        socket.setSoLinger(true, 0);
        socket.close();
      }
    }
  }
}
