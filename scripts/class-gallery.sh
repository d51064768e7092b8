#!/usr/bin/env bash
# The class pages of docs/gallery: start `agora serve`, play a scripted class
# of 30 students (34 administrations, 2 played by the computer) over 3 rounds
# of 12 months, ask for the debrief, and take headless Chromium screenshots
# of the join, student, teacher and debrief pages.
# Usage: bash scripts/class-gallery.sh [OUT_DIR]   (default docs/gallery)
# Needs: target/release/agora (cargo build --release), chromium, curl, python3.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-docs/gallery}
AGORA=${AGORA:-target/release/agora}
WORK=$(mktemp -d)
trap 'kill $SERVER 2>/dev/null || true; rm -rf "$WORK"' EXIT
"$AGORA" serve --port 0 --classes "$WORK/classes" > "$WORK/serve.out" 2> "$WORK/serve.err" &
SERVER=$!
for _ in $(seq 50); do [ -s "$WORK/serve.out" ] && break; sleep 0.1; done
URL=$(head -1 "$WORK/serve.out")
post() { curl -sf -X POST -H 'Content-Type: application/json' -d "$2" "${URL}$1"; }
field() { python3 -c "import json,sys; print(json.load(sys.stdin)['$1'])"; }
MADE=$(post api/class '{"administrations":34,"months":12,"rounds":5,"computer":[32,33]}')
CODE=$(echo "$MADE" | field code)
TEACHER=$(echo "$MADE" | field teacher)
NAMES=(Ana Ben Chloe Dara Emil Fatima Gus Hana Ivan Jade Kofi Lena Milo Nora Omar Pia Quinn Rosa Sami Tess Uma Vik Wren Xeno Yara Zed Alba Bruno Cleo Dev)
KEYS=()
for i in $(seq 0 29); do
  KEYS+=("$(post "api/class/$CODE/join" "{\"name\":\"${NAMES[$i]}\"}" | field student)")
done
# Five kinds of player: training and measurement, security, open channels
# with more staff, less doubt about pay-off, and one who keeps the future's levers.
for _ in 1 2 3; do
  for i in $(seq 0 29); do
    case $((i % 5)) in
      0) L='{"dynamics.training":0.03,"dynamics.roi_measurement":0.6}' ;;
      1) L='{"dynamics.security_investment":0.8}' ;;
      2) L='{"dynamics.channel_openness":0.8,"dynamics.capacity_per_citizen":0.16}' ;;
      3) L='{"dynamics.roi_barrier_scale":0.5}' ;;
      4) L='{}' ;;
    esac
    post "api/class/$CODE/admin/$i/choose" "{\"student\":\"${KEYS[$i]}\",\"levers\":$L}" > /dev/null
  done
  post "api/class/$CODE/advance" "{\"teacher\":\"$TEACHER\"}" > /dev/null
done
post "api/class/$CODE/debrief" "{\"teacher\":\"$TEACHER\"}" > /dev/null
shot() { # name width height url
  chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$WORK/profile-$1" --virtual-time-budget=5000 \
    --window-size="$2,$3" --screenshot="$OUT/$1.png" "$4" 2> /dev/null
}
shot class-join 390 844 "${URL}class?code=$CODE"
shot class-student 390 2300 "${URL}class?code=$CODE&admin=3&student=${KEYS[3]}"
shot class-teacher 1920 1080 "${URL}class?code=$CODE&teacher=$TEACHER"
shot class-debrief 1920 1080 "${URL}class?code=$CODE&teacher=$TEACHER&view=debrief"
echo "wrote $OUT/class-{join,student,teacher,debrief}.png"
