"""Cosmic Morphology on Airflow: one SparkSubmitOperator per stage, in the order of `./cosmic pipeline`.

Scheduled: the Airflow Variable `cosmic_schedule` (default "@daily"; any preset or cron expression, or "none"
for manual runs only) is read when the scheduler parses this file. Every run is incremental:

- `ingest nasa` re-reads the search listings (metadata only) and downloads only the previews the lake does not
  hold yet (its idempotent, resumable design; there is no date filter to pass). `--max-images` bounds one run's
  downloads (Variable `cosmic_max_images`, default 0 = all): the rest come with the next run.
- eda reuses the pixel statistics of content it has seen, prepare decodes only new content, split keeps every
  image's split.
- `train` and `evaluate` get `--skip-if-unchanged`: each exits 0 in one line when the model in `model_dir`
  was trained (evaluated) on the same images with the same settings, so a day with nothing new trains nothing.

Catchup is off: the jobs do no per-date work (each run takes what is new at the time it runs), so the runs a
paused DAG missed would all do the same thing; one run catches up. Parameters come from Airflow Variables
(defaults below) and can be overridden per run with dag_run.conf, e.g.
`airflow dags trigger cosmic_morphology_pipeline --conf '{"query": "nebula", "max_images": 500}'`; a new
`model_dir` in the conf trains a fresh model whatever the data. Each stage runs on its module's spark-submit jar
(`mvn package` builds cosmic-<module>-<version>-spark.jar: Spark and Hadoop left to the cluster), copied to
`cosmic_jar_dir` where the Spark connection's spark-submit can read it. Credentials come from the Spark
connection / the cluster's AWS chain, never from this file.
"""
from datetime import datetime, timedelta

from airflow import DAG
from airflow.models import Variable
from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator

VERSION = "0.1.0-SNAPSHOT"
MAIN_CLASS = "com.cosmicmorphology.common.cli.Cosmic"
JAR_DIR = Variable.get("cosmic_jar_dir", default_var="/opt/cosmic/jars")
# Read at parse time (a schedule cannot be templated); the scheduler picks a change up on its next parse.
SCHEDULE_VARIABLE = Variable.get("cosmic_schedule", default_var="@daily")
SCHEDULE = None if SCHEDULE_VARIABLE.strip().lower() in ("", "none") else SCHEDULE_VARIABLE.strip()


def spark_jar(module):
    """The module's spark-submit jar (shaded classifier 'spark')."""
    return f"{JAR_DIR}/cosmic-{module}-{VERSION}-spark.jar"


LAKE = "{{ dag_run.conf.get('lake', var.value.get('cosmic_lake', 's3a://cosmic-lake/lake')) }}"
CONF = "{{ dag_run.conf.get('conf', var.value.get('cosmic_conf', '/opt/cosmic/conf/cluster.yaml')) }}"
QUERY = "{{ dag_run.conf.get('query', var.value.get('cosmic_query', 'galaxy')) }}"
MODEL_DIR = "{{ dag_run.conf.get('model_dir', var.value.get('cosmic_model_dir', '/opt/cosmic/models/latest')) }}"
MAX_IMAGES = "{{ dag_run.conf.get('max_images', var.value.get('cosmic_max_images', '0')) }}"

COMMON = ["--lake", LAKE, "--conf", CONF]

# Which module's jar runs each stage.
MODULE = {
    "ingest": "ingest",
    "eda": "processing",
    "clean": "processing",
    "split": "processing",
    "prepare": "processing",
    "train": "training",
    "evaluate": "training",
}

# Each stage is the same command a user types: `./cosmic <args>`.
STAGES = [
    # new items only: what the lake holds is not downloaded again; at most MAX_IMAGES downloads (0 = all)
    ("ingest", ["ingest", "nasa", "--query", QUERY, "--max-images", MAX_IMAGES]),
    ("eda", ["eda", "--no-report"]),
    ("clean", ["clean"]),
    ("split", ["split"]),
    ("prepare", ["prepare"]),
    # only when the curated data (or the settings) changed since the model was trained / evaluated
    ("train", ["train", "--model-dir", MODEL_DIR, "--skip-if-unchanged"]),
    ("evaluate", ["evaluate", "--model-dir", MODEL_DIR, "--skip-if-unchanged"]),
]

default_args = {
    "owner": "cosmic-morphology",
    # every job commits atomically and re-runs add nothing twice: retrying is safe
    "retries": 2,
    "retry_delay": timedelta(minutes=5),
    "retry_exponential_backoff": True,
}

with DAG(
    dag_id="cosmic_morphology_pipeline",
    start_date=datetime(2026, 1, 1),
    schedule=SCHEDULE,
    catchup=False,  # no per-date work: one run takes everything new (see above)
    max_active_runs=1,  # Delta's default S3 log store is single-writer
    default_args=default_args,
    tags=["cosmic-morphology"],
) as dag:
    previous = None
    for task_id, args in STAGES:
        task = SparkSubmitOperator(
            task_id=task_id,
            conn_id="spark_default",
            application=spark_jar(MODULE[task_id]),
            java_class=MAIN_CLASS,
            application_args=args + COMMON,
            conf={"spark.executorEnv.SPARK_SCALA_VERSION": "2.12"},
            # ingest talks to a public API (429s, outages): more patience than the Spark stages
            retries=4 if task_id == "ingest" else 2,
        )
        if previous is not None:
            previous >> task
        previous = task
