"""compare, sweep, sensitivity and discover: smoke tests at small sizes."""

import pandas as pd
import pytest

import agora
from conftest import SMALL

SWEEP = """Sweep(
    name: "tiny",
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

MORRIS = """Sweep(
    name: "tiny-morris",
    base: "unused",
    design: Morris(trajectories: 4, levels: 4, ranges: {
        "dynamics.digital_imitation": (0.05, 0.4),
        "dynamics.training": (0.0, 0.5),
    }),
    replicates: 1,
    seed: 9,
)"""


def test_compare_a_policy_with_its_baseline():
    base = agora.scenario("pioneer", set=SMALL)
    policy = agora.scenario(
        'Scenario(name: "secure", base: Some("pioneer"), '
        'interventions: [(at: 0, set: {"dynamics.security_investment": 1.0})])',
        set=SMALL,
    )
    result = agora.compare(base, policy, replicates=3, seed=1, steps=12)
    assert result.dir is None
    assert result.info["runs"] == 6
    comparison = result.comparison
    assert {"policy", "metric", "step", "date", "diff_mean", "diff_lo", "diff_hi"} <= set(comparison.columns)
    assert set(comparison["policy"]) == {"secure"}
    assert comparison["date"].dtype == pd.PeriodDtype("M")
    assert len(comparison) == 13 * len(agora.METRICS)
    assert {"classes.csv", "thresholds.csv", "comparison.csv"} <= set(result.files)


def test_compare_by_name_into_a_kept_folder(tmp_path):
    result = agora.compare(
        "pioneer", "fracture", replicates=2, steps=6, set=SMALL, out=tmp_path / "cmp"
    )
    assert result.dir == tmp_path / "cmp"
    assert (tmp_path / "cmp" / "manifest.ron").exists()


def test_compare_needs_a_policy():
    with pytest.raises(agora.InputError, match="at least one POLICY"):
        agora.compare("pioneer", steps=2)


def test_sweep_text_then_discover():
    sweep = agora.sweep(SWEEP, threads=2)
    assert sweep.info["points"] == 4 and sweep.info["runs"] == 8
    assert len(sweep.runs) == 8 and len(sweep.points) == 4
    assert "dynamics.roi_barrier_scale" in sweep.runs.columns
    found = agora.discover(
        sweep,
        target="trust<0.5",
        inputs=["dynamics.roi_barrier_scale", "dynamics.security_barrier_scale"],
    )
    assert found.info["rows"] == 8
    assert {"box", "coverage", "density"} <= set(found.trajectory.columns)
    assert len(found.boxes) >= 1
    # A DataFrame works as well as the sweep.
    again = agora.discover(
        sweep.runs, target="trust<0.5", inputs=["dynamics.roi_barrier_scale", "dynamics.security_barrier_scale"]
    )
    pd.testing.assert_frame_equal(again.trajectory, found.trajectory)


def test_sweep_file_missing_is_an_input_error(tmp_path):
    with pytest.raises(agora.InputError, match="no such sweep file"):
        agora.sweep(tmp_path / "nope.ron")


def test_morris_sweep_on_a_small_base_then_sensitivity():
    base = agora.scenario("participation", steps=6, set=SMALL)
    sweep = agora.sweep(MORRIS, base=base)
    assert sweep.info["points"] == 4 * 3
    indices = agora.sensitivity(sweep, metrics=["trust"], bootstrap=50)
    assert indices.info["method"].lower().startswith("morris")
    frame = indices.sensitivity
    assert set(frame["parameter"]) == {"dynamics.digital_imitation", "dynamics.training"}
    assert {"mu_star", "mu", "sigma"} <= set(frame["index"])
