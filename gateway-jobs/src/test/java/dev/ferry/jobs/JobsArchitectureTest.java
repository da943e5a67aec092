package dev.ferry.jobs;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

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

  /** The engine runs kinds it is given: it knows none of them (transfers included) by name or type. */
  @ArchTest
  static void engine_knows_no_kind(JavaClasses classes) {
    noClasses().that().resideInAPackage("dev.ferry.jobs.engine..")
        .should().dependOnClassesThat().resideInAnyPackage("dev.ferry.jobs.transfer..", "dev.ferry.jobs.sync..",
            "dev.ferry.jobs.batch..", "dev.ferry.jobs.workflow..", "dev.ferry.jobs.admin..", "dev.ferry.jobs.watch..")
        .check(classes);
  }
}
