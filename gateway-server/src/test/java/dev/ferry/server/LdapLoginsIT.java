package dev.ferry.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.testing.S3TestServer;
import dev.ferry.core.testing.SlapdTestServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.client.SftpClientFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * auth.ldap against a real OpenLDAP slapd (Debian's, a plain process) over StartTLS, with real
 * clients: a user in the mapped group logs in over FTPS (lftp) and SFTP (by password) and lands in
 * the group's home; a wrong password is refused and counts towards the ban; a user outside the
 * groups is refused; a name made to look like another DN is refused.
 */
class LdapLoginsIT {

  static final String PEOPLE = "ou=people," + SlapdTestServer.SUFFIX;
  static final String LENA_PASSWORD = "lena-Pa55word-long";

  @RegisterExtension
  static final S3TestServer s3 = new S3TestServer();

  @RegisterExtension
  static final SshTestClient ssh = new SshTestClient();

  @RegisterExtension
  static final SlapdTestServer ldap = new SlapdTestServer("""
      dn: %1$s
      objectClass: organizationalUnit
      ou: people

      dn: ou=groups,%2$s
      objectClass: organizationalUnit
      ou: groups

      dn: uid=lena,%1$s
      objectClass: inetOrgPerson
      uid: lena
      cn: Lena
      sn: L
      userPassword: %3$s

      dn: uid=omar,%1$s
      objectClass: inetOrgPerson
      uid: omar
      cn: Omar
      sn: O
      userPassword: omar-Pa55word-long

      dn: cn=partners,ou=groups,%2$s
      objectClass: groupOfNames
      cn: partners
      member: uid=lena,%1$s
      """.formatted(PEOPLE, SlapdTestServer.SUFFIX, LENA_PASSWORD));

  @TempDir
  static Path dir;

  static FerryServer ferry;
  static String bucket;

  @BeforeAll
  static void start() throws Exception {
    bucket = s3.createBucket();
    ferry = EmbeddedFerry.start(dir, EmbeddedFerry.loopbackConfig(dir.resolve("data"), s3) + """
        login:
          failureDelay: 50ms
          maxFailures: 3
        auth:
          ldap:
            url: %s
            startTls: true
            trustedCertificates: %s
            userDn: "uid={user},%s"
            groups:
              - dn: cn=partners,ou=groups,%s
                home: s3://%s/partners/{user}/
                permissions: [all]
        """.formatted(ldap.url(), ldap.certificate(), PEOPLE, SlapdTestServer.SUFFIX, bucket), Map.of());
  }

  @AfterAll
  static void stop() {
    if (ferry != null) {
      ferry.stop();
    }
  }

  @Test
  void memberOfTheGroup_logsInOverFtpsAndSftp_intoTheGroupsHome() throws Exception {
    Path file = Files.writeString(dir.resolve("lena.txt"), "from lena over FTPS");
    new Lftp(ferry.ftps().port(), "lena", LENA_PASSWORD).run("put " + file + " -o lena.txt");
    assertEquals("from lena over FTPS", new String(s3.read(bucket, "partners/lena/lena.txt"), StandardCharsets.UTF_8));
    try (ClientSession session = ssh.login("lena", ferry.sftp().port(), LENA_PASSWORD);
         SftpClient sftp = SftpClientFactory.instance().createSftpClient(session)) {
      assertTrue(sftp.stat("/lena.txt").isRegularFile(), "SFTP lands in the same home");
    }
  }

  @Test
  void wrongPasswordCountsTowardsTheBan_outsiderAndForgedNameRefused() throws Exception {
    String from = "127.0.0.9";
    assertThrows(IOException.class, () -> ssh.loginFrom(from, "omar", ferry.sftp().port(), "omar-Pa55word-long")
        .close(), "right password, in no group");
    assertThrows(IOException.class, () -> ssh.loginFrom(from, "lena,ou=people", ferry.sftp().port(), LENA_PASSWORD)
        .close(), "a name that would be another DN");
    assertFalse(ferry.gateway().loginGuard().isBanned(from));
    for (int i = 0; i < 3; i++) {
      assertThrows(IOException.class, () -> ssh.loginFrom(from, "lena", ferry.sftp().port(), "not-" + LENA_PASSWORD)
          .close(), "a wrong password");
    }
    assertTrue(ferry.gateway().loginGuard().isBanned(from), "wrong passwords count towards the ban");
    assertFalse(ferry.gateway().loginGuard().isBanned("127.0.0.1"), "only that address");
  }
}
