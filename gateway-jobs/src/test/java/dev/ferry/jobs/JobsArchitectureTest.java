package dev.ferry.jobs;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import dev.ferry.core.testing.HouseRules;

/** gateway-jobs: objects only through core's ObjectOperations; MINA's SSH client, never its server. */
@AnalyzeClasses(packages = "dev.ferry.jobs", importOptions = ImportOption.DoNotIncludeTests.class)
class JobsArchitectureTest {

  @ArchTest
  static void house_rules_hold(JavaClasses classes) {
    HouseRules.check(classes, HouseRules.NO_PACKAGE_CYCLES, HouseRules.AWS_SDK_ONLY_IN_STORE,
        HouseRules.NO_OBJECT_STORE, HouseRules.NO_CATALOG_OR_LOCK_TABLE, HouseRules.NO_FTPSERVER,
        HouseRules.NO_SSH_SERVER);
  }
}
