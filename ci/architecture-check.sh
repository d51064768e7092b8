#!/usr/bin/env bash
# The architecture, checked (#24). Fails if
#  - the engine (agora-core) depends, even indirectly, on a front end: a
#    command-line, terminal, HTTP, plotting or Python crate, or one of the
#    workspace's front-end crates;
#  - the crate graph in ARCHITECTURE.md differs from the one `cargo metadata` gives;
#  - a Rust source file is longer than 800 lines (generated data tables aside).
# It builds nothing: cargo tree and cargo metadata read Cargo.toml and Cargo.lock.
set -euo pipefail
cd "$(dirname "$0")/.."
fail=0

# 1. No front end below the engine, whatever its features and on every target.
front_ends='clap|indicatif|tiny_http|hyper|axum|tokio|plotters|pyo3|agora-report|agora-serve|agora-py'
found=$(cargo tree -p agora-core -e normal --all-features --target all --prefix none --format '{p}' | awk '{print $1}' | sort -u |
  grep -E "^(${front_ends})([-_].*)?$" || true)
if [ -n "$found" ]; then
  echo "architecture: agora-core depends on front-end crates: $(echo "$found" | tr '\n' ' ')" >&2
  echo "  (cargo tree -p agora-core -e normal -i NAME shows the path)" >&2
  fail=1
fi

# 2. ARCHITECTURE.md's crate graph is the workspace's. The block after the
#    marker lists `crate -> dependency, dependency` (or `-> (none)`).
python3 - <<'EOF' || fail=1
import json, re, subprocess, sys

meta = json.loads(subprocess.run(
    ["cargo", "metadata", "--no-deps", "--format-version", "1"],
    check=True, capture_output=True, text=True).stdout)
members = {p["name"] for p in meta["packages"]}
actual = {
    p["name"]: sorted({d["name"] for d in p["dependencies"]
                       if d["name"] in members and d["kind"] is None})
    for p in meta["packages"]
}

text = open("ARCHITECTURE.md", encoding="utf-8").read()
marker = "<!-- crate graph: checked by ci/architecture-check.sh -->"
if marker not in text:
    sys.exit(f"architecture: ARCHITECTURE.md has no `{marker}` block")
block = text.split(marker, 1)[1].split("```", 2)[1]
drawn = {}
for line in block.splitlines():
    m = re.match(r"\s*([\w-]+)\s*->\s*(.*)$", line)
    if m:
        deps = m.group(2).strip()
        drawn[m.group(1)] = [] if deps == "(none)" else sorted(d.strip() for d in deps.split(","))
if drawn != actual:
    print("architecture: the crate graph in ARCHITECTURE.md is not cargo metadata's", file=sys.stderr)
    for name in sorted(set(drawn) | set(actual)):
        if drawn.get(name) != actual.get(name):
            print(f"  {name}: drawn {drawn.get(name)}, actual {actual.get(name)}", file=sys.stderr)
    sys.exit(1)
print(f"architecture: crate graph matches ({len(actual)} crates)")
EOF

# 3. No source file over 800 lines. Generated data tables are exempt.
generated='crates/agora-core/src/analysis/sobol_directions.rs'
long=$(git ls-files '*.rs' | grep -Ev "^(${generated})$" | xargs wc -l | awk '$2 != "total" && $1 > 800')
if [ -n "$long" ]; then
  echo "architecture: source files over 800 lines (split them by concern):" >&2
  echo "$long" >&2
  fail=1
fi

if [ "$fail" = 0 ]; then
  echo "architecture: agora-core has no front-end dependency; no source file over 800 lines"
fi
exit "$fail"
