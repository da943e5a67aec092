package dev.ferry.ftps.tls;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import org.apache.ftpserver.ssl.ClientAuth;
import org.apache.ftpserver.ssl.SslConfiguration;

/**
 * FtpServer's TLS settings over one {@link SSLContext}. Control and data connections share the
 * context, and so its session cache: clients that resume the control session's TLS session on
 * the data connection (lftp, curl, FileZilla) can.
 */
public final class GatewaySslConfiguration implements SslConfiguration {

  private static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

  private final SSLContext context;
  private final SSLSocketFactory dataSockets;

  public GatewaySslConfiguration(SSLContext context) {
    this.context = context;
    this.dataSockets = new LayeredSocketFactory(context.getSocketFactory());
  }

  /** FtpServer makes its TLS data sockets with this factory. */
  @Override
  public SSLSocketFactory getSocketFactory() {
    return dataSockets;
  }

  @Override
  public SSLContext getSSLContext() {
    return context;
  }

  @Override
  public SSLContext getSSLContext(String protocol) {
    return context;
  }

  @Override
  public String[] getEnabledCipherSuites() {
    return null; // the JDK's defaults: no export, NULL, RC4 or CBC-with-SHA1-only suites for TLS 1.2+
  }

  @Override
  public String getEnabledProtocol() {
    return PROTOCOLS[0];
  }

  @Override
  public String[] getEnabledProtocols() {
    return PROTOCOLS.clone();
  }

  @Override
  public ClientAuth getClientAuth() {
    return ClientAuth.NONE;
  }
}
