package dev.ferry.sftp;

import dev.ferry.core.Gateway;
import dev.ferry.core.admin.AdminConsole;
import dev.ferry.sftp.auth.FerryUsers;
import dev.ferry.sftp.auth.PasswordLogin;
import dev.ferry.sftp.auth.PublicKeyLogin;
import dev.ferry.sftp.auth.SlotCheckingAuthService;
import dev.ferry.sftp.auth.SshProxyHeader;
import dev.ferry.sftp.auth.SshSessionSlots;
import dev.ferry.sftp.command.ShellAndExec;
import dev.ferry.sftp.keys.HostKeys;
import dev.ferry.sftp.nio.FerryFileSystemProvider;
import dev.ferry.sftp.reply.SftpStatusMapper;
import dev.ferry.sftp.subsystem.CommitOnClose;
import dev.ferry.sftp.subsystem.FerrySftpAccessor;
import dev.ferry.sftp.subsystem.FerrySftpSubsystemFactory;
import dev.ferry.ssh.ModernAlgorithms;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.file.FileSystem;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.sshd.common.file.FileSystemFactory;
import org.apache.sshd.common.session.SessionContext;
import org.apache.sshd.core.CoreModuleProperties;
import org.apache.sshd.server.ServerBuilder;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.auth.password.UserAuthPasswordFactory;
import org.apache.sshd.server.auth.pubkey.UserAuthPublicKeyFactory;
import org.apache.sshd.server.session.ServerConnectionServiceFactory;
import org.apache.sshd.sftp.SftpModuleProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SFTP front-end: an Apache MINA SSHD server with password and public-key logins, modern
 * algorithms only, the SFTP subsystem over the gateway's filesystem, and exec only for admin
 * commands of users with the admin role when an admin console is given (shell is always refused).
 */
public final class SftpServer {

  private static final Logger log = LoggerFactory.getLogger(SftpServer.class);

  /**
   * The largest read a client may ask for (limits@openssh.com); OpenSSH's sftp then asks for it.
   * As OpenSSH's own server: its clients, and MINA's, refuse a message over 256 KiB, and a READ's
   * reply is 13 bytes more than its data (256 KiB of data was refused by MINA's client).
   */
  private static final int READ_LENGTH = 255 * 1024;
  /**
   * Entries per READDIR reply, in bytes (the last entry may go past it). Older libssh2 (curl's
   * sftp://, before 1.9) refuses SFTP packets over 80,000 bytes; OpenSSH and paramiko take 256 KiB.
   */
  private static final int READDIR_LENGTH = 64 * 1024;

  private final Gateway gateway;
  private final SftpSettings settings;
  private final HostKeys hostKeys;
  private final FerryFileSystemProvider provider = new FerryFileSystemProvider();
  private final AtomicBoolean refusing = new AtomicBoolean();
  private final AdminConsole admin;
  private SshServer sshd;
  private PasswordLogin passwordLogin;

  public SftpServer(Gateway gateway, SftpSettings settings) throws IOException {
    this(gateway, settings, null);
  }

  /** With an admin console, exec requests run admin commands (for users with the admin role). */
  public SftpServer(Gateway gateway, SftpSettings settings, AdminConsole admin) throws IOException {
    this.gateway = gateway;
    this.admin = admin;
    this.settings = settings;
    this.hostKeys = HostKeys.loadOrGenerate(settings.hostKeyDirectory());
  }

  public void start() throws IOException {
    sshd = SshServer.setUpDefaultServer();
    sshd.setHost(settings.bindAddress());
    sshd.setPort(settings.port());
    sshd.setKeyPairProvider(hostKeys.provider());
    ModernAlgorithms.applyToServer(sshd, ServerBuilder.DH2KEX);

    passwordLogin = new PasswordLogin(gateway.users(), gateway.loginGuard());
    sshd.setPasswordAuthenticator(passwordLogin);
    sshd.setPublickeyAuthenticator(new PublicKeyLogin(gateway.users(), gateway.loginGuard(),
        settings.trustedUserCaKeys(), settings.revokedCertificateSerials()));
    sshd.setKeyboardInteractiveAuthenticator(null);
    // Named, or MINA offers keyboard-interactive beside any password authenticator, and Ferry's
    // never completes it: clients that try it first (PuTTY, WinSCP) met a method that cannot work.
    sshd.setUserAuthFactories(List.of(UserAuthPublicKeyFactory.INSTANCE, UserAuthPasswordFactory.INSTANCE));
    sshd.setGSSAuthenticator(null);
    sshd.setServiceFactories(List.of(SlotCheckingAuthService.FACTORY, ServerConnectionServiceFactory.INSTANCE));
    sshd.setHostBasedAuthenticator(null);

    ShellAndExec refusal = new ShellAndExec(gateway, admin);
    sshd.setShellFactory(refusal);
    sshd.setCommandFactory(refusal);
    sshd.setFileSystemFactory(new FileSystemFactory() {
      @Override
      public Path getUserHomeDir(SessionContext session) {
        return null;
      }

      @Override
      public FileSystem createFileSystem(SessionContext session) {
        return provider.newFileSystem(gateway.openSession(FerryUsers.of(session),
            SshSessionSlots.slotOf(session)));
      }
    });
    FerrySftpSubsystemFactory sftp = new FerrySftpSubsystemFactory(settings.maxOpenHandles(), settings.windowSize());
    sftp.setFileSystemAccessor(new FerrySftpAccessor());
    sftp.setErrorStatusDataHandler(new SftpStatusMapper());
    sftp.addSftpEventListener(new CommitOnClose());
    sshd.setSubsystemFactories(List.of(sftp));

    CoreModuleProperties.WINDOW_SIZE.set(sshd, settings.windowSize());
    CoreModuleProperties.MAX_PACKET_SIZE.set(sshd, (long) settings.packetSize());
    // SFTP is request/reply: with Nagle on, the replies to a burst of writes wait for the client's
    // delayed ACK (40 ms on Linux) once the client stops sending to wait for them, on every file.
    CoreModuleProperties.TCP_NODELAY.set(sshd, true);
    CoreModuleProperties.IDLE_TIMEOUT.set(sshd, Duration.ofSeconds(settings.idleTimeoutSeconds()));
    // The login deadline is sessions.loginDeadline (SshSessionSlots); MINA's own auth timeout
    // (2 minutes) stays as a backstop.
    CoreModuleProperties.MAX_AUTH_REQUESTS.set(sshd, 10);
    CoreModuleProperties.SERVER_IDENTIFICATION.set(sshd, "Ferry");
    SftpModuleProperties.MAX_READDATA_PACKET_LENGTH.set(sshd, READ_LENGTH);
    // MINA lets a session queue at most this many reply bytes before the SFTP thread waits. Its
    // default (256 KiB) is one read reply: the output then idled between replies while the SFTP
    // thread woke to queue the next one it already held. Four replies keep it busy.
    CoreModuleProperties.BUFFERED_IO_OUTPUT_MAX_PENDING_WRITE_SIZE.set(sshd, 4 * READ_LENGTH);
    SftpModuleProperties.MAX_WRITEDATA_PACKET_LENGTH.set(sshd, 256 * 1024);
    // Clients read a directory one READDIR at a time, waiting for each reply: MINA's default of
    // 16 KiB of entries per reply (about 150 names) made a 2,000-entry listing 14 round trips, each
    // a wait behind every other session's packets when the server is busy.
    SftpModuleProperties.MAX_READDIR_DATA_SIZE.set(sshd, READDIR_LENGTH);
    // Links are refused, so hardlink@openssh.com is not offered.
    SftpModuleProperties.OPENSSH_EXTENSIONS.set(sshd,
        "fsync@openssh.com=1,lsetstat@openssh.com=1,posix-rename@openssh.com=1,limits@openssh.com=1,copy-data=1,"
            + FerrySftpSubsystemFactory.STATVFS_ADVERTISED + "," + FerrySftpSubsystemFactory.USERS_GROUPS_BY_ID_ADVERTISED);

    SshSessionSlots slots = new SshSessionSlots(gateway.sessions(), settings.maxSessions(), gateway.proxyProtocol(), refusing::get);
    sshd.addSessionListener(slots);
    if (gateway.proxyProtocol().enabled()) {
      sshd.setServerProxyAcceptor(new SshProxyHeader(gateway.proxyProtocol(), slots));
    }
    sshd.start();
  }

  public int port() {
    for (SocketAddress address : sshd.getBoundAddresses()) {
      if (address instanceof InetSocketAddress inet) {
        return inet.getPort();
      }
    }
    return sshd.getPort();
  }

  public HostKeys hostKeys() {
    return hostKeys;
  }

  /** First step of a graceful shutdown: new connections are closed at once. */
  public void refuseNewSessions() {
    refusing.set(true);
  }

  /** Closes every session: uploads still open are aborted (a closed channel never commits). */
  public void stop() {
    if (sshd != null && sshd.isStarted()) {
      try {
        sshd.stop(false);
      } catch (IOException e) {
        log.warn("SFTP server did not stop cleanly: {}", e.getMessage());
      }
    }
    if (passwordLogin != null) {
      passwordLogin.close();
    }
  }
}
