"""agora: agent-based scenarios of citizens, public administrations and
Social CRM, from Python.

A thin layer over the Rust library (the ``agora`` crate): the model, the
tables and the error messages are the library's; this package converts
arguments and builds pandas DataFrames with the columns of the CSV files the
``agora`` command writes (README, "Output").

>>> import agora
>>> fracture = agora.scenario("fracture", steps=12, set={"population.citizens": 300})
>>> result = agora.run(fracture, replicates=2, seed=1, progress=False)
>>> list(result.summary.columns[:3])
['scenario', 'replicate', 'seed']

Functions: :func:`scenario`, :func:`run` (in memory), :func:`compare`,
:func:`sweep`, :func:`sensitivity`, :func:`discover` (these four run the
library's command into a folder and read its CSV files back), and
:mod:`agora.ema` for the EMA Workbench. Bad input raises :class:`InputError`
(a ``ValueError``), anything else :class:`AgoraError`.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import tempfile
import weakref
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Optional, Sequence, Union

import numpy as np
import pandas as pd

from . import _agora
from ._agora import Scenario
from ._errors import AgoraError, InputError

__all__ = [
    "AgoraError",
    "InputError",
    "Scenario",
    "Result",
    "Tables",
    "SweepResult",
    "scenario",
    "run",
    "compare",
    "sweep",
    "sensitivity",
    "discover",
    "BUILT_IN",
    "METRICS",
]

__version__: str = _agora.__version__

#: The names of the built-in scenarios (``fracture``, ``participation``, ``pioneer``).
BUILT_IN: tuple = tuple(_agora.built_in())
#: The metric columns of the time series and summary tables, in file order.
METRICS: tuple = tuple(_agora.metric_names())

ScenarioLike = Union[Scenario, str, "os.PathLike[str]"]
Progress = Union[bool, Callable[[int, int], Any], None]


def _value_text(value: Any) -> str:
    """A Python value as ``--set PATH=VALUE`` would spell it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _assignments(set: Optional[Mapping[str, Any]], kwargs: Mapping[str, Any]) -> list:
    """``set`` then keyword arguments (``__`` standing for a dot) as (path, text) pairs."""
    pairs = [(str(path), _value_text(v)) for path, v in (set or {}).items()]
    pairs += [(k.replace("__", "."), _value_text(v)) for k, v in kwargs.items()]
    return pairs


def _is_ron(text: str) -> bool:
    """Whether a string is RON text rather than a name or a path."""
    return "(" in text or "\n" in text


def scenario(name_or_path_or_ron: ScenarioLike, *, set: Optional[Mapping[str, Any]] = None, **kwargs: Any) -> Scenario:
    """A scenario: a built-in name (``"fracture"``), a RON file, or RON text,
    resolved (``base`` merged, defaults filled in) and checked, then changed
    by parameter paths.

    ``set`` maps parameter paths to values (``{"dynamics.digital_imitation":
    0.2}``), as ``--set`` does on the command line; keyword arguments are
    paths too, with ``__`` for a dot (``steps=24``,
    ``dynamics__digital_imitation=0.2``). Values may be numbers, booleans or
    RON text (``"Uniform(low: 0.2, high: 0.4)"``). A path that names no
    parameter raises :class:`InputError` at once; a value out of its range
    is reported by :meth:`Scenario.check` and by :func:`run`.

    RON text's ``base`` and edge-list paths are relative to the current
    folder. A :class:`Scenario` may be given too, and is changed (copied).
    """
    source = name_or_path_or_ron
    if isinstance(source, Scenario):
        base = source
    elif isinstance(source, str) and _is_ron(source):
        base = Scenario.from_ron(source, os.getcwd())
    elif isinstance(source, (str, os.PathLike)):
        base = Scenario.load(os.fspath(source))
    else:
        raise TypeError(f"scenario: expected a name, a path, RON text or a Scenario, not {type(source).__name__}")
    pairs = _assignments(set, kwargs)
    return base.with_set(pairs) if pairs else base


def _scenarios(scenarios: Union[ScenarioLike, Iterable[ScenarioLike], None]) -> list:
    if scenarios is None:
        return [scenario(name) for name in BUILT_IN]
    if isinstance(scenarios, (Scenario, str, os.PathLike)):
        scenarios = [scenarios]
    return [scenario(s) for s in scenarios]


class _StderrProgress:
    """``runs done/total`` on one line of stderr (a notebook shows it too)."""

    def __init__(self) -> None:
        self.shown = -1

    def __call__(self, done: int, total: int) -> None:
        if total == 0 or done == self.shown:
            return
        self.shown = done
        end = "\n" if done == total else ""
        sys.stderr.write(f"\ragora: {done}/{total} runs{end}")
        sys.stderr.flush()


def _progress(progress: Progress) -> Optional[Callable[[int, int], Any]]:
    if progress is True:
        return _StderrProgress()
    if not progress:
        return None
    return progress


def _column(name: str, kind: str, data: Any) -> Any:
    """One column as the native module hands it over, as a pandas column."""
    if kind == "text":
        if name == "date":
            codes, months = pd.factorize(np.asarray(data, dtype=object))
            return pd.PeriodIndex(months, freq="M")[codes]
        return pd.Series(data, dtype=None if data else object)
    if kind == "int":
        values = np.frombuffer(data, dtype=np.uint64)
        # A seed is a u64 and may not fit an int64; every other count does.
        return values.copy() if name == "seed" else values.astype(np.int64)
    if kind == "float":
        return np.frombuffer(data, dtype=np.float64).copy()
    return pd.Series([], dtype=object)  # a table without rows


def _frame(columns: Sequence) -> pd.DataFrame:
    """A table as the native module hands it over: ``[(name, kind, data)]``."""
    return pd.DataFrame({name: _column(name, kind, data) for name, kind, data in columns})


class Result:
    """The tables of :func:`run`: the rows of the files ``agora run`` writes,
    computed in memory (the same code makes both, so the values are equal).

    Attributes (pandas DataFrames, columns as in the CSV files):

    - ``timeseries``: ``scenario, replicate, step, date`` + every metric, one
      row per month of every run; ``date`` is a ``Period[M]``.
    - ``summary``: ``scenario, replicate, seed`` + final metrics + ``class, class_margin``.
    - ``classes``: ``scenario, class, runs, share, ci_low, ci_high``.
    - ``aggregate``: ``scenario, step, date, metric, mean, sd, p05, p50, p95``.
    - ``graphs``: the statistics of each replicate's social graph.

    Undefined values (a flow at step 0, a share without a denominator) are NaN.
    ``notes`` holds what loading noticed (edge-list fixes).
    """

    timeseries: pd.DataFrame
    summary: pd.DataFrame
    classes: pd.DataFrame
    aggregate: pd.DataFrame
    graphs: pd.DataFrame
    notes: list

    def __init__(self, tables: Mapping[str, Any]) -> None:
        for name in ("timeseries", "summary", "classes", "aggregate", "graphs"):
            setattr(self, name, _frame(tables[name]))
        self.notes = list(tables["notes"])

    def __repr__(self) -> str:
        names = list(dict.fromkeys(self.summary["scenario"]))
        return f"<agora.Result: {len(self.summary)} runs of {names}>"


def _overrides(set: Optional[Mapping[str, Any]], replicates: Optional[int], seed: Optional[int], steps: Optional[int]) -> list:
    """``set``, then ``replicates``, ``seed`` and ``steps`` as paths (as the CLI's flags)."""
    pairs = _assignments(set, {})
    for path, value in (("replicates", replicates), ("seed", seed), ("steps", steps)):
        if value is not None:
            pairs.append((path, _value_text(value)))
    return pairs


def run(
    scenarios: Union[ScenarioLike, Iterable[ScenarioLike], None] = None,
    *,
    replicates: Optional[int] = None,
    seed: Optional[int] = None,
    steps: Optional[int] = None,
    threads: Optional[int] = None,
    set: Optional[Mapping[str, Any]] = None,
    progress: Progress = True,
) -> Result:
    """Run scenarios, like ``agora run``, and return their tables as
    DataFrames (:class:`Result`) without writing any file.

    ``scenarios``: one or a list of :class:`Scenario` objects, names, files
    or RON texts; none runs the three built-in futures. ``replicates``,
    ``seed``, ``steps`` and ``set`` (parameter paths) override every
    scenario, as the CLI's flags do; ``threads`` defaults to every core. The
    same arguments give the same values as the CLI, whatever the thread count.

    The GIL is released while agora runs. Ctrl-C (KeyboardInterrupt) stops
    the batch after the replicates in progress. ``progress``: True shows
    ``runs done/total`` on stderr, False nothing, a callable is called with
    ``(done, total)`` about every 100 ms.
    """
    batch = _scenarios(scenarios)
    overrides = _overrides(set, replicates, seed, steps)
    tables = _agora.run(batch, overrides, threads, _progress(progress))
    return Result(tables)


#: pandas 3 reads floats exactly by default (and deprecates the option).
_EXACT = {"float_precision": "round_trip"} if int(pd.__version__.split(".")[0]) < 3 else {}


def _read(path: Path) -> pd.DataFrame:
    """A CSV file of agora: exact floats, empty cells NaN, ``date`` a Period[M]."""
    frame = pd.read_csv(path, **_EXACT)
    if "date" in frame.columns:
        frame["date"] = pd.PeriodIndex(frame["date"], freq="M")
    return frame


class Tables:
    """The CSV files of a results folder, one DataFrame attribute per file
    (``comparison.csv`` is ``.comparison``), read when the command finished.
    ``dir`` is the folder if it was kept (``out=...``), else None; ``info``
    what the command reported."""

    def __init__(self, folder: Path, kept: bool, info: Mapping[str, Any]) -> None:
        self.dir: Optional[Path] = folder if kept else None
        # A temporary folder is gone once the command's files are read.
        self.info = {k: v for k, v in info.items() if kept or k != "dir"}
        # Only the files the folder's manifest lists, once their hashes match.
        self.files = sorted(n for n in _agora.verified_files(folder) if n.endswith(".csv"))
        for name in self.files:
            setattr(self, name[: -len(".csv")], _read(folder / name))

    def __repr__(self) -> str:
        return f"<agora.{type(self).__name__}: {', '.join(self.files)}>"


class SweepResult(Tables):
    """The files of :func:`sweep` (``runs``, ``points``, ``design`` and,
    with ``series: true``, ``timeseries``). The folder stays while this
    object lives (a temporary one is removed after), so that
    :func:`sensitivity` can read the design back from it; ``dir`` is it."""

    def __init__(self, folder: Path, info: Mapping[str, Any]) -> None:
        super().__init__(folder, True, info)


class _Workspace:
    """An output folder: the caller's ``out``, or a temporary one removed at the end."""

    def __init__(self, out: Optional[Union[str, "os.PathLike[str]"]]) -> None:
        self.temp = tempfile.mkdtemp(prefix="agora-")
        self.kept = out is not None
        self.out = Path(out) if out is not None else Path(self.temp) / "out"
        self.inputs = Path(self.temp) / "inputs"
        self.inputs.mkdir()

    def reference(self, item: ScenarioLike, k: int) -> str:
        """A reference the library loads: names and files as they are; a
        Scenario (or RON text) written to a file of its own."""
        if isinstance(item, str) and not _is_ron(item):
            return item
        if isinstance(item, os.PathLike):
            return os.fspath(item)
        resolved = scenario(item)
        path = self.inputs / f"{k}-{resolved.name}.ron"
        path.write_text(resolved.to_ron())
        return str(path)

    def close(self) -> None:
        shutil.rmtree(self.temp, ignore_errors=True)

    def __enter__(self) -> "_Workspace":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def compare(
    base: Optional[ScenarioLike],
    *policies: ScenarioLike,
    across: Optional[Sequence[ScenarioLike]] = None,
    replicates: Optional[int] = None,
    seed: Optional[int] = None,
    steps: Optional[int] = None,
    threads: Optional[int] = None,
    set: Optional[Mapping[str, Any]] = None,
    out: Optional[Union[str, "os.PathLike[str]"]] = None,
) -> Tables:
    """Compare policies with a baseline on the same seeds, like ``agora
    compare BASE POLICY...``: paired differences of every metric with 95%
    intervals. With ``across=[futures]`` (and ``base=None``) each policy's
    interventions are applied on top of each future, each its own baseline.

    Runs the library's command into ``out`` (default a temporary folder,
    removed after) and returns its CSV files as DataFrames
    (:class:`Tables`: ``comparison``, ``classes``, ``thresholds``, and with
    ``across`` ``robustness``). Scenario objects are written to files first.
    The GIL is released; Ctrl-C is seen only when the command ends.
    """
    with _Workspace(out) as ws:
        k = iter(range(1 << 30))
        base_ref = ws.reference(base, next(k)) if base is not None else None
        info = _agora.compare(
            base_ref,
            [ws.reference(p, next(k)) for p in policies],
            [ws.reference(f, next(k)) for f in (across or [])],
            str(ws.out),
            _overrides(set, replicates, seed, steps),
            threads,
        )
        return Tables(ws.out, ws.kept, info)


def sweep(
    sweep: Union[str, "os.PathLike[str]"],
    *,
    threads: Optional[int] = None,
    out: Optional[Union[str, "os.PathLike[str]"]] = None,
    design_only: bool = False,
    base: Optional[ScenarioLike] = None,
) -> SweepResult:
    """Run a sweep, like ``agora sweep SWEEP.ron``: a sweep file, or RON
    text (its ``base`` a built-in name or a path relative to the current
    folder). ``base`` (a :class:`Scenario`, name or file) replaces the
    text's base scenario, e.g. a small one made with :func:`scenario`.
    Runs the library's command into ``out`` (default a temporary folder kept
    while the result lives) and returns its CSV files as DataFrames
    (:class:`SweepResult`: ``runs``, ``points``, ``design``). The GIL is
    released; Ctrl-C is seen only when the command ends.
    """
    ws = _Workspace(out)
    if isinstance(sweep, str) and _is_ron(sweep):
        text = sweep
    elif base is not None:
        text = Path(sweep).read_text()
    else:
        text = None
    if text is not None:
        if base is not None:
            reference = ws.reference(base, 0)
            if os.path.exists(reference):
                reference = os.path.abspath(reference)
            text, n = re.subn(r'\bbase\s*:\s*"[^"]*"', lambda _: f'base: "{reference}"', text, count=1)
            if n == 0:
                text = text.replace("(", f'(base: "{reference}", ', 1)
        file = ws.inputs / "sweep.ron"
        file.write_text(_absolute_base(text))
    else:
        file = Path(sweep)
    try:
        info = _agora.sweep(str(file), str(ws.out), threads, design_only)
    except BaseException:
        ws.close()
        raise
    result = SweepResult(Path(info["dir"]), info)
    if not ws.kept:
        weakref.finalize(result, ws.close)
    else:
        ws.close()
    return result


def _absolute_base(text: str) -> str:
    """A sweep text whose relative ``base`` path is made absolute (from the
    current folder), since the text is run from a file elsewhere."""

    def absolute(match: "re.Match[str]") -> str:
        base = match.group(2)
        if base.removesuffix(".ron") in BUILT_IN or os.path.isabs(base) or not os.path.exists(base):
            return match.group(0)
        return f'{match.group(1)}"{os.path.abspath(base)}"'

    return re.sub(r'(\bbase\s*:\s*)"([^"]*)"', absolute, text, count=1)


def sensitivity(
    sweep: Union[SweepResult, str, "os.PathLike[str]"],
    *,
    metrics: Optional[Sequence[str]] = None,
    bootstrap: int = 1000,
    seed: Optional[int] = None,
    over_time: bool = False,
    outputs: Union[pd.DataFrame, str, "os.PathLike[str]", None] = None,
    out: Optional[Union[str, "os.PathLike[str]"]] = None,
) -> Tables:
    """Sobol' or Morris indices of a sweep with a ``Sobol`` or ``Morris``
    design, like ``agora sensitivity DIR``: ``sweep`` is a :class:`SweepResult`
    or a sweep folder. ``outputs`` (a DataFrame or CSV with a ``point``
    column) replaces the folder's ``points.csv``. Runs the library's command
    into ``out`` (default a temporary folder, removed after) and returns
    ``sensitivity`` (and ``sensitivity_over_time``) as DataFrames; ``info``
    has the method and the outcome definition.
    """
    folder = sweep.dir if isinstance(sweep, SweepResult) else Path(sweep)
    with _Workspace(out) as ws:
        outputs_file = None
        if isinstance(outputs, pd.DataFrame):
            outputs_file = ws.inputs / "outputs.csv"
            outputs.to_csv(outputs_file, index=False)
        elif outputs is not None:
            outputs_file = Path(outputs)
        info = _agora.sensitivity(
            str(folder),
            str(ws.out),
            list(metrics or []),
            bootstrap,
            seed,
            over_time,
            None if outputs_file is None else str(outputs_file),
        )
        return Tables(ws.out, ws.kept, info)


def discover(
    table: Union[pd.DataFrame, SweepResult, str, "os.PathLike[str]"],
    *,
    target: str,
    inputs: Sequence[str],
    peel_alpha: float = 0.05,
    paste_alpha: float = 0.05,
    mass_min: float = 0.05,
    boxes: int = 1,
    min_coverage: float = 0.8,
    out: Optional[Union[str, "os.PathLike[str]"]] = None,
) -> Tables:
    """Scenario discovery (PRIM), like ``agora discover FILE.csv --target
    EXPR --inputs COL,...``: ``table`` is a DataFrame, a CSV file, or a
    :class:`SweepResult` (its ``runs.csv``); ``target`` is ``COL=VALUE``,
    ``COL<X`` or ``COL>X``. Runs the library's command into ``out`` (default
    a temporary folder, removed after) and returns ``trajectory`` and
    ``boxes`` as DataFrames; ``info`` has the rows and cases.
    """
    with _Workspace(out) as ws:
        if isinstance(table, pd.DataFrame):
            file = ws.inputs / "table.csv"
            frame = table.copy()
            for column in frame.columns:
                if isinstance(frame[column].dtype, pd.PeriodDtype):
                    frame[column] = frame[column].astype(str)
            frame.to_csv(file, index=False)
        elif isinstance(table, SweepResult):
            file = table.dir / "runs.csv"
        else:
            file = Path(table)
        info = _agora.discover(
            str(file), target, list(inputs), str(ws.out), peel_alpha, paste_alpha, mass_min, boxes, min_coverage
        )
        return Tables(ws.out, ws.kept, info)
