#!/usr/bin/env bash
# The trackers' benchmark (issue #34): `check` of the 10k corpus alone and
# with 50,000 tracker items beside it (scripts/gen_exports.py), taking
# turns, median of RUNS; then each one's `build` peak RSS.
#
#   scripts/bench-trackers.sh [RUNS] [ITEMS]     (BIN=path for another binary)
#
# Targets (docs/performance.md): check with the items at most twice the
# 10k alone; the build under 400 MB.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-5}
ITEMS=${2:-50000}
WORK=${BENCH_OUT:-$([ -d /dev/shm ] && echo /dev/shm || echo target/bench)}/throughline-trackers
rm -rf "$WORK" && mkdir -p "$WORK"
trap 'rm -rf "$WORK"' EXIT
# BIN=path measures another binary (an older build, side by side).
if [ -z "${BIN:-}" ]; then
  cargo build --profile dist --quiet --bin throughline
  BIN=target/dist/throughline
fi
python3 ../shared/bench/gen_corpus.py 10000 "$WORK/plain" >/dev/null
cp -r "$WORK/plain" "$WORK/items"
python3 scripts/gen_exports.py "$ITEMS" "$WORK/items" --objectives 2500
printf 'history: false\n' >> "$WORK/plain/throughline.yaml"
printf 'history: false\n' >> "$WORK/items/throughline.yaml"
du -sh "$WORK/items/work"

time_of() { # prints wall seconds and peak KB of one run
  /usr/bin/time -f '%e %M' "$@" >/dev/null 2>"$WORK/time" || true
  tail -1 "$WORK/time"
}
wall_of() { # prints wall seconds of one run, to the millisecond (time's %e has 10 ms steps)
  local t0 t1
  t0=$(date +%s%N)
  "$@" >/dev/null 2>&1 || true
  t1=$(date +%s%N)
  awk "BEGIN {printf \"%.3f\\n\", ($t1 - $t0) / 1e9}"
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

for site in plain items; do "$BIN" check "$WORK/$site" --today 2026-11-24 >/dev/null 2>&1 || true; done
: > "$WORK/plain.t"; : > "$WORK/items.t"
for _ in $(seq "$RUNS"); do
  for site in plain items; do
    wall_of "$BIN" check "$WORK/$site" --today 2026-11-24 >> "$WORK/$site.t"
  done
done
plain=$(median < "$WORK/plain.t"); items=$(median < "$WORK/items.t")
echo "check 10k alone:            ${plain} s"
echo "check 10k + $ITEMS items:  ${items} s (ratio $(awk "BEGIN {printf \"%.2f\", $items / $plain}"), target <= 2)"
for site in plain items; do
  rm -rf "$WORK/out-$site"
  read -r secs kb < <(time_of "$BIN" build "$WORK/$site" -o "$WORK/out-$site" --today 2026-11-24)
  echo "build $site: ${secs} s, peak $((kb / 1024)) MB (target < 400 MB)"
  rm -rf "$WORK/out-$site"
done
