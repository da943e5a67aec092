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
  static void house_rules_hold(JavaClasses classes) {
    HouseRules.check(classes, HouseRules.NO_PACKAGE_CYCLES, HouseRules.AWS_SDK_ONLY_IN_STORE,
        HouseRules.NO_OBJECT_STORE, HouseRules.NO_FTPSERVER, HouseRules.NO_SSH_SERVER);
  }
}
