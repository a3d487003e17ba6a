"""Churn scoring on Spark with ``mapInArrow``: the recipe for a PySpark cluster.

    PYSPARK_PYTHON=$(which python) python examples/spark/churn_scoring_spark.py --rows 1000000

The same flow as examples/dask/churn_scoring.py: fit the explained churn classifier once in the
driver, let Spark ship it to the executors (the function closes over the model, so it travels by
pickle), and score each Arrow record batch of the students' table with it. ``mapInArrow`` hands
the function an iterator of ``pyarrow.RecordBatch`` and expects the same back: no row-by-row
Python, one native call per batch.

Each executor's Python worker caps edupulse at one native thread
(``spark.executorEnv.EDUPULSE_NUM_THREADS=1``): Spark already runs one task per core. Needs
``pip install pyspark`` (4.x; Java 17). Not run in the default test suite: `make test-slow` runs
it when pyspark is installed.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any, Iterator

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "dask"))
from churn_scoring import FEATURES, fit_model, score_partition, simulate_students  # noqa: E402

import pandas as pd  # noqa: E402


def scorer(clf: Any):
    """The ``mapInArrow`` function: record batches of students in, batches of scores out."""

    def score_batches(batches: Iterator[Any]) -> Iterator[Any]:
        import pyarrow as pa

        import edupulse

        edupulse.set_num_threads(1)
        for batch in batches:
            part = batch.to_pandas()
            out = score_partition(part, clf)
            yield pa.RecordBatch.from_pandas(out.reset_index(drop=True), preserve_index=False)

    return score_batches


SCHEMA = "student_id string, p_churn double"


def session(partitions: int) -> Any:
    from pyspark.sql import SparkSession

    return (
        SparkSession.builder.master("local[2]")
        .appName("edupulse-churn")
        .config("spark.sql.shuffle.partitions", str(partitions))
        .config("spark.executorEnv.EDUPULSE_NUM_THREADS", "1")
        .config("spark.ui.enabled", "false")
        .getOrCreate()
    )


def score_on_spark(spark: Any, students: pd.DataFrame, clf: Any, partitions: int) -> pd.DataFrame:
    """Scores of ``students`` computed by Spark, sorted by student id."""
    cols = ["student_id"] + FEATURES
    frame = spark.createDataFrame(students[cols]).repartition(partitions)
    scored = frame.mapInArrow(scorer(clf), SCHEMA)
    return scored.toPandas().sort_values("student_id").reset_index(drop=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--partitions", type=int, default=8)
    args = ap.parse_args()
    clf = fit_model(simulate_students(20_000, 7, offset=10**8))
    students = simulate_students(args.rows, 7)
    spark = session(args.partitions)
    try:
        got = score_on_spark(spark, students, clf, args.partitions)
    finally:
        spark.stop()
    ref = score_partition(students, clf).sort_values("student_id").reset_index(drop=True)
    pd.testing.assert_frame_equal(got, ref, check_exact=True, check_dtype=False)
    print({"rows": args.rows, "identical": True, "mean_p_churn": float(ref["p_churn"].mean())})


if __name__ == "__main__":
    main()
