package dev.ferry.server;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import dev.ferry.core.testing.HouseRules;

/** gateway-server: wiring, admin HTTP, console and metrics over core's services, no protocol library of its own. */
@AnalyzeClasses(packages = "dev.ferry.server", importOptions = ImportOption.DoNotIncludeTests.class)
class ServerArchitectureTest {

  @ArchTest
  static void packages_form_no_cycle(JavaClasses classes) {
    HouseRules.NO_PACKAGE_CYCLES.check(classes);
  }

  @ArchTest
  static void no_aws_sdk(JavaClasses classes) {
    HouseRules.AWS_SDK_ONLY_IN_STORE.check(classes);
  }

  @ArchTest
  static void no_object_store(JavaClasses classes) {
    HouseRules.NO_OBJECT_STORE.check(classes);
  }

  @ArchTest
  static void no_ftpserver_types(JavaClasses classes) {
    HouseRules.NO_FTPSERVER.check(classes);
  }

  @ArchTest
  static void no_mina_server_types(JavaClasses classes) {
    HouseRules.NO_SSH_SERVER.check(classes);
  }
}
