package com.cosmicmorphology.common.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The Airflow DAG parses as Python, every class, jar, command and option it names exists in this build (each
 * option on the command that passes it, as the modules' picocli annotations declare them), and, run against a
 * stand-in for the three Airflow names it imports ({@code src/test/resources/airflow-stub/run_dag.py}; Airflow
 * itself is not installed here), it is scheduled by a Variable, ingests incrementally and trains only on change.
 */
class AirflowDagTest {
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    static final Path DAG = ROOT.resolve("deploy/airflow/cosmic_pipeline.py");
    static final Path STUB =
            Path.of("src/test/resources/airflow-stub/run_dag.py").toAbsolutePath();

    @Test
    void dagParsesAsPython() throws Exception {
        Process p = new ProcessBuilder(
                        "python3", "-c", "import ast,sys; ast.parse(open(sys.argv[1]).read())", DAG.toString())
                .redirectErrorStream(true)
                .start();
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
        Matcher classifier = Pattern.compile("<shadedClassifierName>(\\w+)</shadedClassifierName>")
                .matcher(pom);
        assertThat(classifier.find()).isTrue();
        assertThat(dag).contains("cosmic-{module}-{VERSION}-" + classifier.group(1) + ".jar");
        Matcher modules =
                Pattern.compile("\"(\\w+)\": \"(\\w+)\",?\n").matcher(dag.substring(dag.indexOf("MODULE = {")));
        Set<String> staged = new HashSet<>();
        while (modules.find()) {
            staged.add(modules.group(1));
            assertThat(Files.readString(ROOT.resolve(modules.group(2)).resolve("pom.xml")))
                    .contains("<artifactId>cosmic-" + modules.group(2) + "</artifactId>")
                    .contains("maven-shade-plugin");
        }

        Map<String, Set<String>> options = optionsByCommand();
        Matcher common = Pattern.compile("COMMON = \\[([^\\]]*)\\]").matcher(dag);
        assertThat(common.find()).isTrue();
        List<String> commonOptions = Pattern.compile("\"(--[\\w-]+)\"")
                .matcher(common.group(1))
                .results()
                .map(m -> m.group(1))
                .toList();
        Matcher stage = Pattern.compile("\\(\"(\\w+)\", \\[([^\\]]*)\\]\\)").matcher(dag);
        int stages = 0;
        while (stage.find()) {
            stages++;
            List<String> args = Pattern.compile("\"([^\"]+)\"")
                    .matcher(stage.group(2))
                    .results()
                    .map(m -> m.group(1))
                    .toList();
            // `ingest nasa ...`: the subcommand is the one whose options count
            String command = args.size() > 1 && !args.get(1).startsWith("--") ? args.get(1) : args.get(0);
            assertThat(options)
                    .as("stage " + stage.group(1))
                    .containsKey(args.get(0))
                    .containsKey(command);
            Stream.concat(args.stream().filter(a -> a.startsWith("--")), commonOptions.stream())
                    .forEach(a -> assertThat(options.get(command))
                            .as(stage.group(1) + ": " + command + " " + a)
                            .contains(a));
        }
        assertThat(stages).isEqualTo(7);
        assertThat(staged).hasSize(7); // every stage has a module jar
    }

    @Test
    void theScheduleIsAVariableDailyByDefaultWithoutCatchup() throws Exception {
        Map<String, Object> dag = dag(Map.of());
        assertThat(dag)
                .containsEntry("schedule", "@daily")
                .containsEntry("catchup", false)
                .containsEntry("max_active_runs", 1);
        assertThat(dag(Map.of("cosmic_schedule", "0 3 * * 1"))).containsEntry("schedule", "0 3 * * 1");
        // "none": manual and triggered runs only
        assertThat(dag(Map.of("cosmic_schedule", "none"))).containsEntry("schedule", null);
    }

    @Test
    @SuppressWarnings("unchecked")
    void ingestIsIncrementalAndTheTrainingStagesRunOnlyOnChange() throws Exception {
        List<Map<String, Object>> tasks =
                (List<Map<String, Object>>) run(Map.of()).get("tasks");
        assertThat(tasks)
                .extracting(t -> t.get("task_id"))
                .containsExactly("ingest", "eda", "clean", "split", "prepare", "train", "evaluate");
        for (int i = 1; i < tasks.size(); i++) {
            assertThat(tasks.get(i).get("upstream"))
                    .as("task " + i)
                    .isEqualTo(List.of(tasks.get(i - 1).get("task_id")));
        }
        Map<String, List<String>> args = new HashMap<>();
        tasks.forEach(t -> args.put((String) t.get("task_id"), (List<String>) t.get("application_args")));

        // ingest: downloads only what the lake lacks by design; one run's downloads bounded by a Variable, 0 = all
        List<String> ingest = args.get("ingest");
        assertThat(ingest.subList(0, 2)).containsExactly("ingest", "nasa");
        String maxImages = ingest.get(ingest.indexOf("--max-images") + 1);
        assertThat(maxImages)
                .contains("dag_run.conf.get('max_images'")
                .contains("var.value.get('cosmic_max_images', '0')");

        // train and evaluate: gated by --skip-if-unchanged on the same model directory
        for (String stage : List.of("train", "evaluate")) {
            assertThat(args.get(stage)).as(stage).startsWith(stage).contains("--skip-if-unchanged", "--model-dir");
            assertThat(optionsByCommand().get(stage)).as(stage).contains("--skip-if-unchanged");
        }
        assertThat(args.get("train").get(args.get("train").indexOf("--model-dir") + 1))
                .isEqualTo(args.get("evaluate").get(args.get("evaluate").indexOf("--model-dir") + 1));
        assertThat(optionsByCommand().get("nasa")).contains("--max-images");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> dag(Map<String, String> variables) throws Exception {
        return (Map<String, Object>) run(variables).get("dag");
    }

    /** The DAG file run against the stand-in Airflow, with these Airflow Variables set. */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> run(Map<String, String> variables) throws Exception {
        ObjectMapper json = new ObjectMapper();
        ProcessBuilder pb = new ProcessBuilder("python3", STUB.toString(), DAG.toString());
        pb.environment().put("COSMIC_TEST_VARIABLES", json.writeValueAsString(variables));
        pb.environment().put("PYTHONDONTWRITEBYTECODE", "1");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(err).isZero();
        return json.readValue(out, Map.class);
    }

    /**
     * Options per command, from the main sources' picocli annotations: an option belongs to the
     * {@code @Command} it is declared under, plus the common ones ({@code JobOptions}) where that command mixes
     * them in. Benchmarks ({@code bench} packages: {@code bench train}, {@code bench ingest}) are left out, so a
     * name means one command.
     */
    static Map<String, Set<String>> optionsByCommand() throws Exception {
        Pattern command = Pattern.compile("@Command\\(\\s*name\\s*=\\s*\"([\\w-]+)\"");
        Pattern option = Pattern.compile("names\\s*=\\s*\"(--[\\w-]+)\"");
        Set<String> jobOptions = new TreeSet<>();
        option.matcher(Files.readString(
                        ROOT.resolve("common/src/main/java/com/cosmicmorphology/common/cli/JobOptions.java")))
                .results()
                .forEach(m -> jobOptions.add(m.group(1)));
        Map<String, Set<String>> byCommand = new HashMap<>();
        try (Stream<Path> files = Files.walk(ROOT)) {
            for (Path f : files.filter(x -> x.toString().endsWith(".java")
                            && x.toString().contains("/src/main/java/")
                            && !x.toString().contains("/bench/"))
                    .toList()) {
                String src = Files.readString(f);
                List<java.util.regex.MatchResult> commands =
                        command.matcher(src).results().toList();
                for (int i = 0; i < commands.size(); i++) {
                    String body = src.substring(
                            commands.get(i).start(),
                            i + 1 < commands.size() ? commands.get(i + 1).start() : src.length());
                    Set<String> own = new TreeSet<>();
                    option.matcher(body).results().forEach(m -> own.add(m.group(1)));
                    if (body.matches("(?s).*@Mixin\\s+JobOptions.*")) {
                        own.addAll(jobOptions);
                    }
                    assertThat(byCommand.put(commands.get(i).group(1), own))
                            .as("command " + commands.get(i).group(1) + " declared twice")
                            .isNull();
                }
            }
        }
        return byCommand;
    }
}
