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
  static void packages_form_no_cycle(JavaClasses classes) {
    HouseRules.NO_PACKAGE_CYCLES.check(classes);
  }

  @ArchTest
  static void no_aws_sdk(JavaClasses classes) {
    HouseRules.AWS_SDK_ONLY_IN_STORE.check(classes);
  }

  @ArchTest
  static void no_ftpserver_types(JavaClasses classes) {
    HouseRules.NO_FTPSERVER.check(classes);
  }

  @ArchTest
  static void mina_common_types_only(JavaClasses classes) {
    HouseRules.MINA_COMMON_TYPES_ONLY.check(classes);
  }
}
