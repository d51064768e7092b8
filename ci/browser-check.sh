#!/usr/bin/env bash
# Open generated reports in a real browser (headless Chromium): the
# screenshot must not be blank, the page must make no network request and
# log no error; then look at a run, a grid sweep, a Latin-hypercube sweep,
# a comparison, a sensitivity, a discovery and a calibration report as a
# person would (ci/browser-check.mjs, playwright-core driving Debian's
# Chromium at 1400 px): one colour per future in every chart, no
# overlapping text, labelled axes. Then drive `agora serve`'s classroom page
# (ci/serve-check.mjs): a lever moved and applied, play, charts and canvas
# change, no error, no request outside 127.0.0.1; and the same page as
# `agora classroom` writes it, from file://; and the class mode (a teacher's
# and a student's page at 390x844 and 1920x1080). Every page at 1024x768 and
# 1920x1080 against docs/visual-grammar.md. Screenshots land in
# $work/shots (or in $SHOTS if set: SHOTS=docs/gallery refreshes the gallery).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
work=$(mktemp -d /tmp/agora-browser-check.XXXXXX)

if ! command -v chromium >/dev/null 2>&1; then
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi
if ! command -v npm >/dev/null 2>&1; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
fi
cargo build --release --quiet
agora="${CARGO_TARGET_DIR:-$root/target}/release/agora"
"$agora" run --quiet --out "$work/results" --replicates 10 --set population.citizens=2000 --report

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

# The sweeps: the README's grid (barriers) and a small Latin hypercube.
"$agora" sweep --quiet examples/sweeps/barriers.ron --out "$work/barriers"
"$agora" report "$work/barriers" >/dev/null
sed 's/samples: 64/samples: 40/; s/replicates: 10/replicates: 4/' examples/sweeps/lhs.ron >"$work/lhs.ron"
sed -i "s#../../scenarios/#$root/scenarios/#" "$work/lhs.ron"
"$agora" sweep --quiet "$work/lhs.ron" --out "$work/lhs"
"$agora" report "$work/lhs" >/dev/null
# A comparison: the README's security policy against the pioneer future.
"$agora" compare --quiet pioneer examples/policies/secure-2y.ron --replicates 4 \
  --set population.citizens=2000 --out "$work/compare" --report >/dev/null

# The analyses: a small Sobol' sweep with its indices over time, PRIM on
# its runs, and a short calibration against the Eurostat series.
cat >"$work/sobol-base.ron" <<'RON'
Scenario(name: "base", base: Some("participation"), population: (citizens: 1000, administrations: 10), steps: 60)
RON
cat >"$work/sobol.ron" <<'RON'
Sweep(name: "sobol", base: "sobol-base.ron", replicates: 2, seed: 5, series: true, design: Sobol(samples: 32, ranges: {
    "dynamics.digital_imitation": (0.05, 0.5), "dynamics.adoption_imitation": (0.01, 0.3),
    "dynamics.citizen_pressure": (0.0, 0.2)}))
RON
"$agora" sweep --quiet "$work/sobol.ron" --out "$work/sobol"
"$agora" sensitivity "$work/sobol" --over-time --bootstrap 200 >/dev/null 2>&1
"$agora" report "$work/sobol/sensitivity" >/dev/null
"$agora" discover "$work/sobol/runs.csv" --target class=pioneer --min-coverage 0.6 --out "$work/discover" \
  --inputs dynamics.digital_imitation,dynamics.adoption_imitation,dynamics.citizen_pressure >/dev/null
"$agora" report "$work/discover" >/dev/null
sed -e "s#../../data/#$root/data/#" -e 's/population: 200/population: 60/' -e 's/replicates: 2/replicates: 1/' \
  -e 's/"5000"}/"2000"}, max_generations: 6/' examples/calibration/digital.ron >"$work/calibration.ron"
"$agora" calibrate --quiet "$work/calibration.ron" --out "$work/calibration" >/dev/null
"$agora" report "$work/calibration" >/dev/null

# playwright-core only (no browser download), installed beside the check.
mkdir -p "$work/node"
cp ci/browser-check.mjs ci/serve-check.mjs "$work/node/"
(cd "$work/node" && npm init -y >/dev/null && npm install --no-audit --no-fund --silent playwright-core@1 >/dev/null)
shots=${SHOTS:-$work/shots}
mkdir -p "$shots"
node "$work/node/browser-check.mjs" "$shots" \
  "report=$work/results/report.html" "sweep=$work/barriers/report.html" "lhs=$work/lhs/report.html" \
  "compare=$work/compare/report.html" "sensitivity=$work/sobol/sensitivity/report.html" \
  "discover=$work/discover/report.html" "calibration=$work/calibration/report.html"
for name in report sweep lhs compare sensitivity discover calibration; do python3 ci/png_check.py "$shots/$name.png"; done

# The classroom page, served on a free port of 127.0.0.1, a month every 50 ms.
"$agora" serve --port 0 --month-ms 50 >"$work/serve.out" 2>"$work/serve.err" &
server=$!
trap 'kill "$server" 2>/dev/null || true' EXIT
for _ in $(seq 100); do [ -s "$work/serve.out" ] && break; sleep 0.1; done
url=$(head -n 1 "$work/serve.out")
case "$url" in http://127.0.0.1:*) ;; *) echo "serve check FAILED: no address printed: $url"; cat "$work/serve.err"; exit 1 ;; esac
node "$work/node/serve-check.mjs" "$shots" "$url"
python3 ci/png_check.py "$shots/serve.png"
kill "$server"

# The classroom with nothing to install: one file, opened from file://.
"$agora" classroom --out "$work/classroom" --citizens 2000 >/dev/null
node "$work/node/serve-check.mjs" "$shots" "file://$work/classroom/index.html"
python3 ci/png_check.py "$shots/classroom.png"

# The class mode (/class): a teacher opens a class, a student joins on a
# phone, chooses, reloads; two rounds and the debrief (serve-check.mjs's
# classCheck; about 10 s). Screenshots: class-join, class-student,
# class-teacher, class-debrief.
"$agora" serve --port 0 --classes "$work/classes" >"$work/class.out" 2>"$work/class.err" &
server=$!
for _ in $(seq 100); do [ -s "$work/class.out" ] && break; sleep 0.1; done
node "$work/node/serve-check.mjs" "$shots" "$(head -n 1 "$work/class.out")" class
for name in class-join class-student class-teacher class-debrief; do python3 ci/png_check.py "$shots/$name.png"; done
kill "$server"

# The same page open to the network: the join URL's token must reach every
# request the page makes (reached on 127.0.0.1, an IP literal the server accepts).
"$agora" serve --host 0.0.0.0 --port 0 --month-ms 50 >"$work/open.out" 2>"$work/open.err" &
server=$!
for _ in $(seq 100); do [ -s "$work/open.out" ] && break; sleep 0.1; done
join=$(head -n 1 "$work/open.out")
case "$join" in http://*:*/?token=*) ;; *) echo "serve check FAILED: no join URL printed: $join"; cat "$work/open.err"; exit 1 ;; esac
grep -q '^warning: agora serve listens on 0.0.0.0' "$work/open.err" || { echo "serve check FAILED: no warning"; cat "$work/open.err"; exit 1; }
mkdir -p "$work/open"
node "$work/node/serve-check.mjs" "$work/open" "http://127.0.0.1:${join##*:}"
python3 ci/png_check.py "$work/open/serve.png"
kill "$server"
