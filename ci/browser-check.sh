#!/usr/bin/env bash
# Open a generated report in a real browser (headless Chromium): the
# screenshot must not be blank, the page must make no network request and
# log no error.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
work=$(mktemp -d /tmp/agora-browser-check.XXXXXX)

if ! command -v chromium >/dev/null 2>&1; then
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi
cargo build --release --quiet
"$root/target/release/agora" run --quiet --out "$work/results" --replicates 10 --set population.citizens=2000 --report

chromium --headless --no-sandbox --disable-gpu --no-first-run --disable-background-networking \
  --disable-component-update --disable-sync --user-data-dir="$work/profile" \
  --enable-logging=stderr --v=0 --log-net-log="$work/netlog.json" \
  --window-size=1360,2400 --screenshot="$work/report.png" "file://$work/results/report.html" \
  >"$work/chromium.log" 2>&1 || { cat "$work/chromium.log"; exit 1; }

python3 ci/png_check.py "$work/report.png"
# Console errors of the page are logged as CONSOLE(...) lines.
if grep -E 'CONSOLE\(|Uncaught|Failed to load resource' "$work/chromium.log"; then
  echo "browser check FAILED: the page logged errors"; exit 1
fi
# The net log holds every request; the browser's own (updates, accounts)
# carry the initiator "not an origin", anything the page asked for would
# carry the page's origin.
if grep -oE '"initiator":"[^"]*"' "$work/netlog.json" | grep -v '"not an origin"'; then
  echo "browser check FAILED: the page made network requests"; exit 1
fi
# And the page references nothing outside itself.
if grep -oiE '(src|href)="[a-z]+:[^"]*"|url\([^)]*\)|<script|<link' "$work/results/report.html" | grep -v 'xmlns'; then
  echo "browser check FAILED: the page references external resources"; exit 1
fi
echo "browser check: report rendered (not blank), no network request, no console error"
