package dev.ferry.ssh;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import dev.ferry.core.testing.HouseRules;

/** gateway-ssh: the shared SSH algorithms over MINA's common types, no server of either protocol. */
@AnalyzeClasses(packages = "dev.ferry.ssh", importOptions = ImportOption.DoNotIncludeTests.class)
class SshArchitectureTest {

  @ArchTest
  static void house_rules_hold(JavaClasses classes) {
    HouseRules.check(classes, HouseRules.NO_PACKAGE_CYCLES, HouseRules.AWS_SDK_ONLY_IN_STORE,
        HouseRules.NO_FTPSERVER, HouseRules.MINA_COMMON_TYPES_ONLY);
  }
}
