#!/usr/bin/env bash
# Submit a sweep as a job array of TASKS shards plus a merge job that runs
# only if every shard succeeded. Prints the two job ids.
#   examples/slurm/submit.sh examples/sweeps/barriers.ron results/barriers 4
set -euo pipefail
sweep=${1:?usage: submit.sh SWEEP.ron OUT_DIR [TASKS]}
out=${2:?usage: submit.sh SWEEP.ron OUT_DIR [TASKS]}
tasks=${3:-4}
here=$(cd "$(dirname "$0")" && pwd)
export SWEEP="$sweep" OUT="$out" AGORA="${AGORA:-$(command -v agora || echo agora)}"
array=$(sbatch --parsable --array=0-$((tasks - 1)) --export=ALL "$here/sweep.sbatch")
merge=$(sbatch --parsable --dependency=afterok:"$array" --export=ALL "$here/merge.sbatch")
echo "$array $merge"
