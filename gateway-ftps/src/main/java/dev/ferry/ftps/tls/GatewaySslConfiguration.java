package dev.ferry.ftps.tls;

import dev.ferry.core.session.ProxyProtocol;
import dev.ferry.ftps.data.LayeredSocketFactory;
import java.util.List;
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

  /** Strongest first; those this JDK lacks are left out. */
  private static final List<String> SUITES = List.of(
      "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256",
      "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
      "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
      "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

  private final SSLContext context;
  private final SSLSocketFactory dataSockets;
  private final String[] suites;

  /** {@code proxy}: the balancers whose passive data connections start with a PROXY protocol header. */
  public GatewaySslConfiguration(SSLContext context, ProxyProtocol proxy) {
    this.context = context;
    this.dataSockets = new LayeredSocketFactory(context.getSocketFactory(), proxy);
    List<String> supported = List.of(context.getSupportedSSLParameters().getCipherSuites());
    this.suites = SUITES.stream().filter(supported::contains).toArray(String[]::new);
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

  /**
   * TLS 1.3's suites as they are, and for TLS 1.2 only ephemeral ECDHE with AEAD: forward secrecy
   * and no CBC. The JDK's defaults also take static-RSA key exchange and CBC-SHA1 suites.
   */
  @Override
  public String[] getEnabledCipherSuites() {
    return suites.clone();
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
