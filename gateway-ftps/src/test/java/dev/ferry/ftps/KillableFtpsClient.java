package dev.ferry.ftps;

import java.io.IOException;
import java.net.Socket;
import org.apache.commons.net.ftp.FTPSClient;

/** An FTPS client that can die like a killed process: both connections reset, no goodbye. */
final class KillableFtpsClient extends FTPSClient {

  private Socket data;

  KillableFtpsClient(boolean implicit) {
    super("TLS", implicit);
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
