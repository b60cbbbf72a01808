package com.cosmicmorphology.common.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The Airflow DAG parses as Python, and every class, jar, command and option it names exists in this build
 * (commands and options as the modules' picocli annotations declare them).
 */
class AirflowDagTest {
  static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  static final Path DAG = ROOT.resolve("deploy/airflow/cosmic_pipeline.py");

  @Test
  void dagParsesAsPython() throws Exception {
    Process p = new ProcessBuilder("python3", "-c", "import ast,sys; ast.parse(open(sys.argv[1]).read())",
        DAG.toString()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor()).as(out).isZero();
  }

  @Test
  void everyClassJarCommandAndOptionExists() throws Exception {
    String dag = Files.readString(DAG);
    Matcher main = Pattern.compile("MAIN_CLASS = \"([\\w.]+)\"").matcher(dag);
    assertThat(main.find()).isTrue();
    Class.forName(main.group(1)); // the entry point is in common

    Matcher version = Pattern.compile("VERSION = \"([^\"]+)\"").matcher(dag);
    assertThat(version.find()).isTrue();
    String pom = Files.readString(ROOT.resolve("pom.xml"));
    assertThat(pom).contains("<version>" + version.group(1) + "</version>");
    // jars: cosmic-<module>-<version>-<classifier>.jar, the shade plugin's classifier, for modules that shade
    Matcher classifier = Pattern.compile("<shadedClassifierName>(\\w+)</shadedClassifierName>").matcher(pom);
    assertThat(classifier.find()).isTrue();
    assertThat(dag).contains("cosmic-{module}-{VERSION}-" + classifier.group(1) + ".jar");
    Matcher modules = Pattern.compile("\"(\\w+)\": \"(\\w+)\",?\n").matcher(dag.substring(dag.indexOf("MODULE = {")));
    Set<String> staged = new HashSet<>();
    while (modules.find()) {
      staged.add(modules.group(1));
      assertThat(Files.readString(ROOT.resolve(modules.group(2)).resolve("pom.xml")))
          .contains("<artifactId>cosmic-" + modules.group(2) + "</artifactId>").contains("maven-shade-plugin");
    }

    Set<String> commands = new HashSet<>();
    Set<String> options = new HashSet<>();
    try (Stream<Path> files = Files.walk(ROOT)) {
      for (Path f : files.filter(x -> x.toString().endsWith(".java") && x.toString().contains("/src/main/java/"))
          .toList()) {
        String src = Files.readString(f);
        Matcher c = Pattern.compile("@Command\\(name = \"([\\w-]+)\"").matcher(src);
        while (c.find()) {
          commands.add(c.group(1));
        }
        Matcher o = Pattern.compile("names = \"(--[\\w-]+)\"").matcher(src);
        while (o.find()) {
          options.add(o.group(1));
        }
      }
    }
    Matcher stage = Pattern.compile("\\(\"(\\w+)\", \\[([^\\]]*)\\]\\)").matcher(dag);
    int stages = 0;
    while (stage.find()) {
      stages++;
      List<String> args = Pattern.compile("\"([^\"]+)\"").matcher(stage.group(2)).results().map(m -> m.group(1)).toList();
      assertThat(commands).as("stage " + stage.group(1)).contains(args.get(0));
      if (args.size() > 1 && !args.get(1).startsWith("--")) {
        assertThat(commands).as("stage " + stage.group(1)).contains(args.get(1));
      }
      args.stream().filter(a -> a.startsWith("--")).forEach(a -> assertThat(options).as(stage.group(1)).contains(a));
    }
    assertThat(stages).isEqualTo(7);
    assertThat(staged).hasSize(7); // every stage has a module jar
    Matcher common = Pattern.compile("COMMON = \\[([^\\]]*)\\]").matcher(dag);
    assertThat(common.find()).isTrue();
    Pattern.compile("\"(--[\\w-]+)\"").matcher(common.group(1)).results()
        .forEach(m -> assertThat(options).contains(m.group(1)));
  }
}
