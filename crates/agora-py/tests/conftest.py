"""Shared fixtures: the agora binary (to compare with the CLI) and small sizes."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]

#: A run small enough for seconds: few citizens, few months.
SMALL = {"population.citizens": 300, "population.administrations": 6}


def _binary():
    candidates = [os.environ.get("AGORA_BIN")]
    if os.environ.get("CARGO_TARGET_DIR"):
        candidates.append(os.path.join(os.environ["CARGO_TARGET_DIR"], "release", "agora"))
    candidates += [str(ROOT / "target" / "release" / "agora"), shutil.which("agora")]
    for c in candidates:
        if c and os.path.isfile(c) and os.access(c, os.X_OK):
            return c
    return None


@pytest.fixture(scope="session")
def agora_bin():
    """The built `agora` binary: AGORA_BIN, else the release build of this checkout."""
    path = _binary()
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("no agora binary: set AGORA_BIN or run cargo build --release")
        pytest.skip("no agora binary: set AGORA_BIN or run cargo build --release")
    return path


@pytest.fixture()
def cli(agora_bin):
    """Run the CLI; returns the completed process (never raises on exit codes)."""

    def call(*args, cwd=None):
        return subprocess.run([agora_bin, *map(str, args)], capture_output=True, text=True, cwd=cwd)

    return call


def cli_error(process):
    """The message the CLI printed after `error: `."""
    lines = [l for l in process.stderr.splitlines() if l.startswith("error: ")]
    assert lines, process.stderr
    return lines[-1][len("error: "):]
