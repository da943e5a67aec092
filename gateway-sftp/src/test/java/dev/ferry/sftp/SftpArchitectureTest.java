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
}
