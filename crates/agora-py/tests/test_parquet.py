"""`--format parquet`: what pandas and DuckDB read equals the CSV files (README, "Columnar results")."""

import importlib
import os

import pandas as pd
import pytest


def need(module):
    """`module`, which ci/python-check.sh installs: missing, the test fails in CI and is skipped elsewhere."""
    try:
        return importlib.import_module(module)
    except ImportError:
        if os.environ.get("CI"):
            pytest.fail(f"{module} is not installed (ci/python-check.sh installs it)")
        pytest.skip(f"{module} is not installed")


SWEEP = """Sweep(
    name: "tiny-parquet",
    base: "fracture",
    design: Grid(axes: {
        "dynamics.roi_barrier_scale": [0.0, 1.0],
        "dynamics.security_barrier_scale": [0.0, 1.0],
        "population.citizens": [300],
        "population.administrations": [6],
        "steps": [12],
    }),
    replicates: 2,
    seed: 3,
)"""

RUN = ["run", "participation", "fracture", "--replicates", "2", "--steps", "18",
       "--set", "population.citizens=300", "--set", "population.administrations=6", "--quiet"]


def test_read_parquet_of_a_run_equals_read_csv(cli, tmp_path):
    need("pyarrow")
    for fmt in ["csv", "parquet"]:
        done = cli(*RUN, "--format", fmt, "--out", tmp_path / fmt)
        assert done.returncode == 0, done.stderr
    for table in ["timeseries", "summary"]:
        csv = pd.read_csv(tmp_path / "csv" / f"{table}.csv")
        parquet = pd.read_parquet(tmp_path / "parquet" / f"{table}.parquet")
        # The same columns, types and values, undefined values NaN in both;
        # a seed is unsigned in Parquet (pandas reads it signed from CSV when it fits).
        if "seed" in parquet:
            parquet["seed"] = parquet["seed"].astype(csv["seed"].dtype)
        pd.testing.assert_frame_equal(csv, parquet)
        if table == "timeseries":
            assert csv.isna().any().any(), "flows are undefined at step 0: the nulls are compared too"


def test_duckdb_queries_a_parquet_sweep(cli, tmp_path):
    need("pyarrow")
    duckdb = need("duckdb")
    (tmp_path / "sweep.ron").write_text(SWEEP)
    out = tmp_path / "sweep"
    done = cli("sweep", tmp_path / "sweep.ron", "--format", "parquet", "--out", out, "--quiet")
    assert done.returncode == 0, done.stderr
    # The query of README's "Columnar results", on this sweep.
    by_point = duckdb.sql(f"""
        SELECT "dynamics.roi_barrier_scale" AS roi, "dynamics.security_barrier_scale" AS security,
               count(*) AS runs, avg(adoption) AS adoption, avg((class = 'fracture')::INT) AS fracture_share
        FROM read_parquet('{out}/runs.parquet')
        GROUP BY ALL ORDER BY ALL
    """).df()
    points = pd.read_csv(out / "points.csv")
    assert list(by_point["runs"]) == list(points["runs"])
    assert by_point["adoption"].to_numpy() == pytest.approx(points["adoption_mean"].to_numpy())
    assert by_point["fracture_share"].to_numpy() == pytest.approx(points["share_fracture"].to_numpy())
