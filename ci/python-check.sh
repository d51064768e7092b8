#!/usr/bin/env bash
# The Python package (crates/agora-py/): build its wheel with maturin, install it in a
# fresh virtual environment under /tmp, run its tests (pytest, against the
# CLI's files) and execute examples/notebook.ipynb. Run by .ci/run; needs
# python3 (3.9 or newer) with venv, cargo, and PyPI.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
started=$SECONDS
python=${PYTHON:-python3}
"$python" --version

# One target folder for the CLI and the extension: the library's
# dependencies are built once (both use the same release profile).
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$root/target}
cargo build --release --quiet
export AGORA_BIN=$CARGO_TARGET_DIR/release/agora

venv=$(mktemp -d /tmp/agora-python-check.XXXXXX)
trap 'rm -rf "$venv"' EXIT
if ! "$python" -m venv "$venv" 2>/dev/null; then
  # Debian's python3 keeps venv (and ensurepip) in a package of its own.
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq && apt-get install -y -qq python3-venv >/dev/null
    rm -rf "$venv" && mkdir -p "$venv"
    "$python" -m venv "$venv"
  else
    echo "python-check: $python has no venv module" >&2
    exit 1
  fi
fi
py=$venv/bin/python
pip() { "$py" -m pip --quiet --disable-pip-version-check "$@"; }
pip install --upgrade pip
pip install maturin
# The test and notebook tools download while the wheel compiles.
# pyarrow and duckdb: tests/test_parquet.py reads `--format parquet` files as README shows.
pip install pytest pandas seaborn nbclient nbformat ipykernel ema_workbench pyarrow duckdb > "$venv/pip.log" 2>&1 &
tools=$!

(cd crates/agora-py && "$venv/bin/maturin" build --release --quiet --out "$venv/dist")
echo "python-check: wheel built after $((SECONDS - started)) s"
if ! wait "$tools"; then
  cat "$venv/pip.log"
  echo "python-check: installing the test tools failed" >&2
  exit 1
fi
pip install "$venv"/dist/agora-*.whl
echo "python-check: tools and wheel installed after $((SECONDS - started)) s"

# From the repository root, so that `import agora` is the installed wheel,
# not the crates/agora-py/agora sources without their native module.
"$venv/bin/pytest" -q -p no:cacheprovider crates/agora-py/tests

# The notebook, executed in examples/ as Jupyter would (outputs discarded).
(cd examples && "$py" - <<'PY'
import nbclient, nbformat
notebook = nbformat.read("notebook.ipynb", as_version=4)
assert all(not c.get("outputs") for c in notebook.cells if c.cell_type == "code"), \
    "examples/notebook.ipynb has outputs: strip them before committing"
nbclient.NotebookClient(notebook, timeout=300, kernel_name="python3").execute()
print(f"notebook: {sum(c.cell_type == 'code' for c in notebook.cells)} code cells ran")
PY
)
echo "python-check: passed in $((SECONDS - started)) s"
