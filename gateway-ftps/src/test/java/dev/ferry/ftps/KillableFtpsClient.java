package dev.ferry.ftps;

import java.io.IOException;
import java.net.Socket;
import java.security.GeneralSecurityException;
import javax.net.SocketFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import org.apache.commons.net.ftp.FTPSClient;

/**
 * An FTPS client that can die like a killed process (both connections reset, no goodbye), and can
 * send an ABOR in the same write as its next RETR, as a client that pipelines commands does.
 *
 * <p>Its passive data connections are opened plain and then layered with TLS here, so that
 * {@link #kill} can reset the plain socket. Closing the TLS socket itself, even with SO_LINGER 0,
 * first sends close_notify, the clean end of an upload: when the server had read everything else,
 * it rightly stored the file as complete, and a test of a killed upload failed now and then.
 */
final class KillableFtpsClient extends FTPSClient {

  private Socket data;
  /** The TCP socket under {@link #data}'s TLS, when this client layered it (passive, PROT P). */
  private Socket plainData;
  private boolean layerTls;
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
  public void execPROT(String prot) throws IOException {
    super.execPROT(prot);
    layerTls = "P".equals(prot);
    if (layerTls) {
      setSocketFactory(SocketFactory.getDefault()); // replaces the TLS factory PROT P set: layered below
    }
  }

  @Override
  protected Socket _openDataConnection_(String command, String arg) throws IOException {
    Socket socket = super._openDataConnection_(command, arg);
    plainData = null;
    if (socket == null || !layerTls || socket instanceof SSLSocket) {
      data = socket;
      return socket;
    }
    plainData = socket;
    SSLSocket tls = (SSLSocket) dataTls().getSocketFactory().createSocket(socket,
        socket.getInetAddress().getHostAddress(), socket.getPort(), true);
    tls.setUseClientMode(true);
    tls.startHandshake();
    data = tls;
    return tls;
  }

  private static SSLContext dataTls() throws IOException {
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, new TrustManager[] {FtpsTestGateway.TRUST_ALL}, null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new IOException("TLS for a data connection: " + e.getMessage(), e);
    }
  }

  void kill() throws IOException {
    for (Socket socket : new Socket[] {plainData != null ? plainData : data, _socket_}) {
      if (socket != null) {
        socket.setSoLinger(true, 0);
        socket.close();
      }
    }
  }
}
