package dev.ferry.core;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import dev.ferry.core.testing.HouseRules;

/** gateway-core: its packages in one direction, no protocol server types, the AWS SDK only in core.store. */
@AnalyzeClasses(packages = "dev.ferry.core", importOptions = ImportOption.DoNotIncludeTests.class)
class CoreArchitectureTest {

  @ArchTest
  static void packages_form_no_cycle(JavaClasses classes) {
    HouseRules.NO_PACKAGE_CYCLES.check(classes);
  }

  @ArchTest
  static void aws_sdk_only_in_store(JavaClasses classes) {
    HouseRules.AWS_SDK_ONLY_IN_STORE.check(classes);
  }

  @ArchTest
  static void no_ftpserver_types(JavaClasses classes) {
    HouseRules.NO_FTPSERVER.check(classes);
  }

  @ArchTest
  static void no_mina_sshd_types(JavaClasses classes) {
    HouseRules.NO_SSHD.check(classes);
  }
}
