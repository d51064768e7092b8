#!/usr/bin/env bash
# A sweep on a real (single-node) Slurm cluster: a 4-task job array plus a
# merge job that depends on it; the merged result must equal the local,
# unsharded sweep byte for byte.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
work=$(mktemp -d /tmp/agora-slurm-check.XXXXXX)
trap '"$root/ci/local-slurm.sh" stop || true' EXIT

cargo build --release --quiet
agora="$root/target/release/agora"
ci/local-slurm.sh

cat > "$work/base.ron" <<RON
Scenario(name: "base", base: Some("$root/scenarios/fracture.ron"),
         population: (citizens: 2000, administrations: 20), steps: 30)
RON
cat > "$work/sweep.ron" <<RON
Sweep(name: "ci", base: "base.ron", replicates: 3, seed: 5, design: Grid(axes: {
    "dynamics.digital_imitation": [0.1, 0.4],
    "dynamics.security_barrier_scale": [0.25, 0.5, 1.0],
}))
RON

"$agora" sweep "$work/sweep.ron" --out "$work/local" --quiet

cd "$work"
export SWEEP="$work/sweep.ron" OUT="$work/shards" MERGED="$work/merged" AGORA="$agora"
array=$(sbatch --parsable --array=0-3 --cpus-per-task=1 --export=ALL "$root/examples/slurm/sweep.sbatch")
merge=$(sbatch --parsable --cpus-per-task=1 --dependency=afterok:"$array" --export=ALL "$root/examples/slurm/merge.sbatch")
echo "submitted array $array and merge $merge"
deadline=$((SECONDS + 600))
while [ -n "$(squeue -h -j "$array,$merge" 2>/dev/null)" ]; do
  if [ $SECONDS -gt $deadline ]; then echo "slurm jobs did not finish in time"; squeue; exit 1; fi
  sleep 1
done
for log in "$work"/agora-*.log; do echo "== $log"; cat "$log"; done
for file in runs.csv points.csv; do
  if ! cmp "$work/local/$file" "$work/merged/$file"; then
    echo "slurm check FAILED: merged $file differs from the local sweep"; exit 1
  fi
done
echo "slurm check: 4 shards merged by a dependent job equal the local sweep"
