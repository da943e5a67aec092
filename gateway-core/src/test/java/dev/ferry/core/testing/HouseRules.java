package dev.ferry.core.testing;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * House rules 1 and 2 of shared/STYLE.md as ArchUnit rules, which each module's
 * {@code *ArchitectureTest} applies to its own classes: packages that do not need each other in a
 * circle, and each library's types only where the README's Layout puts them. A test checks those
 * that apply with {@link #check} from an {@code @ArchTest} method: Maven Surefire 3.5.3 runs no
 * {@code @ArchTest} fields (ArchUnit issue 1442).
 */
public final class HouseRules {

  /** Each package of a module, its root package included, is one slice; none may reach itself again. */
  public static final ArchRule NO_PACKAGE_CYCLES = slices().matching("dev.ferry.(**)").namingSlices("$1")
      .as("the module's packages").should().beFreeOfCycles();

  public static final ArchRule AWS_SDK_ONLY_IN_STORE = noClasses()
      .that().resideOutsideOfPackage("dev.ferry.core.store..")
      .should().dependOnClassesThat().resideInAPackage("software.amazon.awssdk..")
      .because("the AWS SDK is ObjectStore's alone (house rule 2): the rest speaks core.s3's values");

  public static final ArchRule NO_OBJECT_STORE = noClasses()
      .should().dependOnClassesThat().resideInAPackage("dev.ferry.core.store..")
      .because("objects are read and changed through core's ObjectOperations or a session's"
          + " GatewayFileSystem, never through the S3 client (DESIGN: the front-ends hold no S3 logic)");

  public static final ArchRule NO_CATALOG_OR_LOCK_TABLE = noClasses()
      .should().dependOnClassesThat().resideInAnyPackage("dev.ferry.core.catalog..", "dev.ferry.core.lock..")
      .because("ObjectOperations takes the path lock and keeps the catalog for every change, in one place"
          + " (DESIGN: the job engine never uses the catalog or the lock table directly)");

  public static final ArchRule NO_FTPSERVER = noClasses()
      .should().dependOnClassesThat().resideInAPackage("org.apache.ftpserver..")
      .because("FtpServer types belong to gateway-ftps alone (house rule 2)");

  public static final ArchRule NO_SSH_SERVER = noClasses()
      .should().dependOnClassesThat().resideInAnyPackage("org.apache.sshd.server..", "org.apache.sshd.sftp.server..")
      .because("MINA SSHD's server belongs to gateway-sftp alone (house rule 2); the job engine's SSH client"
          + " and gateway-ssh's algorithms use MINA's client and common types");

  public static final ArchRule MINA_COMMON_TYPES_ONLY = noClasses()
      .should().dependOnClassesThat().resideInAnyPackage("org.apache.sshd.server..", "org.apache.sshd.client..",
          "org.apache.sshd.sftp..")
      .because("gateway-ssh is what the SFTP server and the client to remote hosts share: MINA's common types only");

  public static final ArchRule NO_SSHD = noClasses()
      .should().dependOnClassesThat().resideInAPackage("org.apache.sshd..")
      .because("core knows no protocol: MINA SSHD belongs to gateway-sftp, gateway-ssh and the job engine");

  private HouseRules() {}

  /** Checks every rule on {@code classes}; one failure reports each rule broken, apart, with where. */
  public static void check(JavaClasses classes, ArchRule... rules) {
    String broken = Arrays.stream(rules).map(rule -> rule.evaluate(classes)).filter(EvaluationResult::hasViolation)
        .map(result -> result.getFailureReport().toString()).collect(Collectors.joining("\n\n"));
    if (!broken.isEmpty()) {
      throw new AssertionError(broken);
    }
  }
}
