"""Runs the Airflow DAG file against a stand-in for the three Airflow names it imports (Airflow is not installed
where the tests run) and prints what it built as JSON: the DAG's arguments and each task's arguments and
upstream task, in the order the file made them.

usage: python3 run_dag.py <dag file>; Airflow Variables as a JSON object in $COSMIC_TEST_VARIABLES.
"""
import json
import os
import runpy
import sys
import types

VARIABLES = json.loads(os.environ.get("COSMIC_TEST_VARIABLES", "{}"))


class DAG:
    current = None

    def __init__(self, **kwargs):
        self.kwargs = kwargs
        self.tasks = []

    def __enter__(self):
        DAG.current = self
        return self

    def __exit__(self, *exc):
        DAG.current = None
        return False


class Variable:
    @staticmethod
    def get(key, default_var=None):
        return VARIABLES.get(key, default_var)


class SparkSubmitOperator:
    def __init__(self, **kwargs):
        if DAG.current is None:
            raise RuntimeError("a task made outside the DAG's with-block")
        self.kwargs = kwargs
        self.upstream = []
        DAG.current.tasks.append(self)

    def __rshift__(self, other):
        other.upstream.append(self.kwargs["task_id"])
        return other


def module(name, **attributes):
    m = types.ModuleType(name)
    m.__dict__.update(attributes)
    sys.modules[name] = m
    return m


module("airflow", DAG=DAG)
module("airflow.models", Variable=Variable)
for package in ("airflow.providers", "airflow.providers.apache", "airflow.providers.apache.spark",
                "airflow.providers.apache.spark.operators"):
    module(package)
module("airflow.providers.apache.spark.operators.spark_submit", SparkSubmitOperator=SparkSubmitOperator)

namespace = runpy.run_path(sys.argv[1])
dag = namespace["dag"]
print(json.dumps({
    "dag": dag.kwargs,
    "tasks": [dict(t.kwargs, upstream=t.upstream) for t in dag.tasks],
}, default=str))
