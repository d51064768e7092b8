"""Runs in memory: columns, dtypes, and the same values as the CLI's files."""

import os
import signal
import threading
import time

import numpy as np
import pandas as pd
import pytest

import agora
from conftest import SMALL

ARGS = dict(replicates=3, seed=5, steps=8, set=SMALL)


def cli_args(scenarios, replicates, seed, steps, set):
    args = ["run", *scenarios, "--quiet", "--replicates", replicates, "--seed", seed, "--steps", steps]
    for path, value in set.items():
        args += ["--set", f"{path}={value}"]
    return args


def read_cli(path):
    """A CLI file as agora.Result builds it: exact floats, `date` a Period[M], seeds u64."""
    frame = pd.read_csv(path, **agora._EXACT)
    if "date" in frame.columns:
        frame["date"] = pd.PeriodIndex(frame["date"], freq="M")
    if "seed" in frame.columns:
        frame["seed"] = frame["seed"].astype(np.uint64)
    return frame


@pytest.fixture(scope="module")
def result():
    return agora.run(["fracture", "pioneer"], progress=False, **ARGS)


def test_the_tables_have_the_columns_of_the_files(result):
    assert list(result.timeseries.columns) == ["scenario", "replicate", "step", "date", *agora.METRICS]
    assert list(result.summary.columns) == ["scenario", "replicate", "seed", *agora.METRICS, "class", "class_margin"]
    assert list(result.classes.columns) == ["scenario", "class", "runs", "share", "ci_low", "ci_high"]
    assert list(result.aggregate.columns) == ["scenario", "step", "date", "metric", "mean", "sd", "p05", "p50", "p95"]
    assert len(result.timeseries) == 2 * 3 * 9
    assert len(result.summary) == 2 * 3
    assert len(result.classes) == 2 * 6


def test_dtypes(result):
    ts = result.timeseries
    assert ts["date"].dtype == pd.PeriodDtype("M")
    assert str(ts["date"].iloc[0]) == "2012-01" and str(ts["date"].iloc[8]) == "2012-09"
    assert ts["replicate"].dtype == np.int64 and ts["step"].dtype == np.int64
    assert all(ts[m].dtype == np.float64 for m in agora.METRICS)
    assert pd.api.types.is_string_dtype(ts["scenario"])
    assert result.summary["seed"].dtype == np.uint64
    assert result.classes["runs"].dtype == np.int64
    # Flows are undefined at step 0: NaN, never 0.
    assert ts.loc[ts["step"] == 0, "participation"].isna().all()
    assert ts.loc[ts["step"] > 0, "participation"].notna().all()


def test_same_seed_same_values_as_the_cli(result, cli, tmp_path):
    out = tmp_path / "cli"
    process = cli(*cli_args(["fracture", "pioneer"], **ARGS), "--out", out)
    assert process.returncode == 0, process.stderr
    for name in ["timeseries", "summary", "classes", "aggregate", "graphs"]:
        ours = getattr(result, name)
        theirs = read_cli(out / f"{name}.csv")
        pd.testing.assert_frame_equal(ours, theirs, check_exact=True, check_dtype=True, obj=name)


def test_the_thread_count_changes_nothing(result):
    one = agora.run(["fracture", "pioneer"], threads=1, progress=False, **ARGS)
    pd.testing.assert_frame_equal(one.timeseries, result.timeseries, check_exact=True)
    pd.testing.assert_frame_equal(one.summary, result.summary, check_exact=True)


def test_a_scenario_object_and_its_ron_run_the_same(result):
    fracture = agora.scenario("fracture", set=SMALL)
    again = agora.run(agora.scenario(fracture.to_ron()), replicates=3, seed=5, steps=8, progress=False)
    ours = result.summary[result.summary["scenario"] == "fracture"].reset_index(drop=True)
    pd.testing.assert_frame_equal(again.summary, ours, check_exact=True)


def test_no_scenario_runs_the_three_futures():
    r = agora.run(replicates=1, steps=2, set=SMALL, progress=False)
    assert list(r.summary["scenario"]) == ["fracture", "participation", "pioneer"]


def test_progress_is_reported():
    calls = []
    agora.run("fracture", replicates=4, steps=3, set=SMALL, progress=lambda done, total: calls.append((done, total)))
    assert calls[-1] == (4, 4)


def test_duplicate_names_are_an_input_error():
    with pytest.raises(agora.InputError, match="two scenarios are named `fracture`"):
        agora.run(["fracture", "fracture"], replicates=1, steps=1, progress=False)


def test_ctrl_c_stops_a_run():
    # About a minute of work on one thread, interrupted after half a second.
    big = agora.scenario("fracture", set={"population.citizens": 2000})
    timer = threading.Timer(0.5, lambda: os.kill(os.getpid(), signal.SIGINT))
    start = time.monotonic()
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        agora.run(big, replicates=2000, steps=60, threads=1, progress=False)
    assert time.monotonic() - start < 10
