"""agora as a model of the EMA Workbench (``ema_workbench`` 2.x).

:func:`model` returns an ``ema_workbench.Model`` whose function runs agora
with the sampled parameter paths set, so the Workbench's samplers,
``perform_experiments`` and its analyses (``analysis.prim.Prim``) work on it
as on any Python model:

>>> from ema_workbench import perform_experiments
>>> m = agora.ema.model("fracturetrust", agora.scenario("fracture", steps=12),
...                     uncertainties={"dynamics.digital_imitation": (0.05, 0.4)},
...                     levers={"dynamics.training": (0.0, 0.5)},
...                     outcomes=["trust", "share:fracture"], replicates=2)
>>> experiments, outcomes = perform_experiments(m, scenarios=8, policies=2)

Parameter names are agora's parameter paths (with their dots). Each
experiment runs the same seeds (common random numbers), so differences
between experiments are the parameters', not the dice's.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable, Mapping, Optional, Sequence, Tuple, Union

import numpy as np

import agora

Ranges = Union[Mapping[str, Tuple[float, float]], Iterable[Any], None]


def _parameters(ranges: Ranges) -> list:
    """EMA parameters from ``{path: (low, high)}`` (integers give an
    ``IntegerParameter``, a list or set of values a ``CategoricalParameter``),
    or parameters given as they are."""
    from ema_workbench import CategoricalParameter, IntegerParameter, RealParameter

    if ranges is None:
        return []
    if not isinstance(ranges, Mapping):
        return list(ranges)
    out = []
    for path, spec in ranges.items():
        if isinstance(spec, tuple) and len(spec) == 2:
            low, high = spec
            if isinstance(low, int) and isinstance(high, int) and not isinstance(low, bool):
                out.append(IntegerParameter(path, low, high))
            else:
                out.append(RealParameter(path, float(low), float(high)))
        else:
            out.append(CategoricalParameter(path, list(spec)))
    return out


def _outcome(spec: Any) -> Tuple[Any, Callable[[agora.Result], Any]]:
    """An EMA outcome and the function that computes it from a run.

    - ``"METRIC"``: the final value, the mean over replicates (a ScalarOutcome);
    - ``"METRIC:series"``: the mean over replicates at every step (an ArrayOutcome);
    - ``"share:CLASS"``: the share of replicates that ended in the future CLASS.
    """
    from ema_workbench import ArrayOutcome, ScalarOutcome

    if not isinstance(spec, str):
        raise TypeError(f"outcomes are strings (METRIC, METRIC:series, share:CLASS), not {spec!r}")
    if spec.startswith("share:"):
        wanted = spec[len("share:"):]
        return ScalarOutcome(spec), lambda r: float((r.summary["class"] == wanted).mean())
    metric, _, kind = spec.partition(":")
    if metric not in agora.METRICS:
        raise agora.InputError(f"outcome `{spec}`: no metric `{metric}` (metrics: {', '.join(agora.METRICS)})")
    if kind == "series":
        return ArrayOutcome(spec), lambda r: r.timeseries.groupby("step")[metric].mean().to_numpy()
    if kind:
        raise agora.InputError(f"outcome `{spec}`: `{kind}` is not `series`")
    return ScalarOutcome(spec), lambda r: float(r.summary[metric].mean())


def model(
    name: str,
    scenario: Union[agora.Scenario, str],
    *,
    uncertainties: Ranges = None,
    levers: Ranges = None,
    outcomes: Sequence[str] = ("trust",),
    replicates: int = 1,
    steps: Optional[int] = None,
    seed: Optional[int] = None,
    threads: Optional[int] = None,
    set: Optional[Mapping[str, Any]] = None,
) -> Any:
    """An ``ema_workbench.Model`` named ``name`` (letters and digits only, as the Workbench asks) that runs
    ``scenario`` (a :class:`agora.Scenario`, a name, a file or RON text).

    ``uncertainties`` and ``levers``: ``{path: (low, high)}`` or EMA
    parameters whose names are parameter paths. ``outcomes``: ``"METRIC"``
    (final value, mean over replicates), ``"METRIC:series"`` (the mean over
    replicates at each step), ``"share:CLASS"`` (the share of replicates
    ending in that future). ``replicates``, ``steps``, ``seed`` and ``set``
    apply to every experiment.
    """
    from ema_workbench import Model

    base = agora.scenario(scenario, set=set)
    if steps is not None:
        base = agora.scenario(base, steps=steps)
    pairs = [_outcome(spec) for spec in outcomes]

    def function(**parameters: Any) -> dict:
        values = {path: (v.item() if isinstance(v, np.generic) else v) for path, v in parameters.items()}
        result = agora.run(
            agora.scenario(base, set=values),
            replicates=replicates,
            seed=seed,
            threads=threads,
            progress=False,
        )
        return {outcome.name: compute(result) for outcome, compute in pairs}

    m = Model(name, function=function)
    m.uncertainties = _parameters(uncertainties)
    m.levers = _parameters(levers)
    m.outcomes = [outcome for outcome, _ in pairs]
    return m
