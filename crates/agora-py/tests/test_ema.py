"""agora as an EMA Workbench model: its samplers, perform_experiments, PRIM."""

import numpy as np
import pytest

import agora

ema_workbench = pytest.importorskip("ema_workbench")

from agora import ema  # noqa: E402
from conftest import SMALL  # noqa: E402


@pytest.fixture(scope="module")
def model():
    return ema.model(
        "fracturetrust",
        agora.scenario("fracture", set=SMALL),
        uncertainties={"dynamics.digital_imitation": (0.05, 0.4), "dynamics.roi_barrier_scale": (0.0, 1.0)},
        levers={"dynamics.training": (0.0, 0.5)},
        outcomes=["trust", "adoption", "share:fracture", "trust:series"],
        replicates=2,
        steps=12,
    )


def test_perform_experiments_then_prim(model):
    from ema_workbench import perform_experiments
    from ema_workbench.analysis import prim

    experiments, outcomes = perform_experiments(model, scenarios=8, policies=2)
    assert len(experiments) == 16
    assert "dynamics.digital_imitation" in experiments.columns
    assert outcomes["trust"].shape == (16,)
    assert outcomes["trust:series"].shape == (16, 13)
    assert np.all((outcomes["share:fracture"] >= 0) & (outcomes["share:fracture"] <= 1))
    # The experiments differ: the sampled paths reached the model.
    assert len(np.unique(outcomes["trust"])) > 1

    x = experiments[["dynamics.digital_imitation", "dynamics.roi_barrier_scale", "dynamics.training"]]
    y = outcomes["trust"] < np.median(outcomes["trust"])
    box = prim.Prim(x, y, threshold=0.5).find_box()
    assert len(box.peeling_trajectory) >= 1


def test_one_experiment_equals_agora_run(model):
    values = {"dynamics.digital_imitation": 0.3, "dynamics.roi_barrier_scale": 0.5, "dynamics.training": 0.1}
    direct = agora.run(
        agora.scenario("fracture", set={**SMALL, **values}), replicates=2, steps=12, progress=False
    )
    got = model.function(**values)
    assert got["trust"] == direct.summary["trust"].mean()
    assert got["share:fracture"] == (direct.summary["class"] == "fracture").mean()


def test_an_unknown_metric_is_an_input_error():
    with pytest.raises(agora.InputError, match="no metric `trusst`"):
        ema.model("m", "fracture", outcomes=["trusst"])
