package dev.ferry.sftp;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import dev.ferry.core.testing.HouseRules;

/** gateway-sftp: a thin adapter over core, with no S3 client and no FtpServer. */
@AnalyzeClasses(packages = "dev.ferry.sftp", importOptions = ImportOption.DoNotIncludeTests.class)
class SftpArchitectureTest {

  @ArchTest
  static void house_rules_hold(JavaClasses classes) {
    HouseRules.check(classes, HouseRules.NO_PACKAGE_CYCLES, HouseRules.AWS_SDK_ONLY_IN_STORE,
        HouseRules.NO_OBJECT_STORE, HouseRules.NO_FTPSERVER);
  }
}
