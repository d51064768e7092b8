"""Type stubs of the native module agora._agora (see agora/__init__.py for the public API)."""

from os import PathLike
from typing import Any, Callable, Optional, Sequence, Tuple, Union

_Path = Union[str, PathLike[str]]
#: A table as handed over: (column name, kind, data); kind "text" (list of str),
#: "int" (native-endian u64 bytes), "float" (native-endian f64 bytes), "empty".
_Table = list[Tuple[str, str, Any]]

__version__: str

class Scenario:
    """A scenario, resolved (its `base` chain merged, defaults filled in)."""

    @staticmethod
    def load(reference: str) -> Scenario:
        """A scenario file or a built-in name, loaded and checked."""
    @staticmethod
    def from_ron(text: str, folder: _Path) -> Scenario:
        """A scenario from RON text; `base` and edge lists relative to `folder`."""
    def with_set(self, assignments: Sequence[Tuple[str, str]]) -> Scenario:
        """A copy with `(path, value)` assignments applied, not yet checked."""
    def check(self) -> None:
        """Check every value's range and load the edge-list files it names."""
    def to_ron(self) -> str:
        """The resolved scenario as RON (what `agora check` prints)."""
    def paths(self) -> list[str]:
        """Every parameter path."""
    @property
    def name(self) -> str: ...
    @property
    def steps(self) -> int: ...
    @property
    def replicates(self) -> int: ...
    @property
    def seed(self) -> int: ...
    @property
    def start(self) -> str: ...

def run(
    scenarios: Sequence[Scenario],
    overrides: Sequence[Tuple[str, str]],
    threads: Optional[int] = None,
    progress: Optional[Callable[[int, int], Any]] = None,
) -> dict[str, Any]: ...
def compare(
    base: Optional[str],
    policies: Sequence[str],
    across: Sequence[str],
    out: _Path,
    overrides: Sequence[Tuple[str, str]],
    threads: Optional[int] = None,
) -> dict[str, Any]: ...
def sweep(file: _Path, out: _Path, threads: Optional[int] = None, design_only: bool = False) -> dict[str, Any]: ...
def sensitivity(
    dir: _Path,
    out: _Path,
    metrics: Sequence[str],
    bootstrap: int,
    seed: Optional[int] = None,
    over_time: bool = False,
    outputs: Optional[_Path] = None,
) -> dict[str, Any]: ...
def discover(
    file: _Path,
    target: str,
    inputs: Sequence[str],
    out: _Path,
    peel_alpha: float,
    paste_alpha: float,
    mass_min: float,
    boxes: int,
    min_coverage: float,
) -> dict[str, Any]: ...
def built_in() -> list[str]: ...
def metric_names() -> list[str]: ...
def verified_files(dir: _Path) -> list[str]: ...
