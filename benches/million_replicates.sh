#!/usr/bin/env bash
# Memory flat in replicates (issue #30, BENCHMARKS.md): a million replicates
# of a 200-citizen, 227-month run with the quantile sketch and no time
# series, its peak resident memory (VmHWM) and the runs written so far
# (rows of the partial summary) read every 30 s into LOG.
# Usage: bash benches/million_replicates.sh [OUT_DIR] [LOG]   (needs target/release/agora)
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-/tmp/agora-million}
LOG=${2:-/tmp/agora-million.log}
target/release/agora run fracture --replicates 1000000 --set population.citizens=200 \
  --quantiles sketch --no-timeseries --threads 2 --quiet --out "$OUT" > /dev/null 2>&1 &
PID=$!
echo "start $(date +%T) pid $PID" > "$LOG"
while kill -0 "$PID" 2>/dev/null; do
  sleep 30
  rows=$(wc -l < "$OUT/.summary.csv.partial" 2>/dev/null || echo done)
  memory=$(grep -E "VmHWM|VmRSS" "/proc/$PID/status" 2>/dev/null | tr -s ' ' | tr '\n' ' ' || true)
  echo "$(date +%T) rows $rows $memory" >> "$LOG"
done
echo "end $(date +%T)" >> "$LOG"
