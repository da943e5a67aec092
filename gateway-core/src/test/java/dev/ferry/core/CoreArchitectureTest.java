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
  static void house_rules_hold(JavaClasses classes) {
    HouseRules.check(classes, HouseRules.NO_PACKAGE_CYCLES, HouseRules.AWS_SDK_ONLY_IN_STORE,
        HouseRules.NO_FTPSERVER, HouseRules.NO_SSHD);
  }
}
