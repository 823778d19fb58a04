#!/usr/bin/env bash
# Lighthouse's mobile performance score of each overview page of a built
# site (issue #33: at least 90 on the 10k site). A measurement, not a
# test: the score depends on the machine's speed and load.
#
#   scripts/lighthouse.sh SITE_OUT [PORT]
#
# SITE_OUT is a `throughline build` output folder. The folder is served on
# 127.0.0.1 (python3's http.server) and Lighthouse (tests/a11y's
# devDependency: `npm ci --prefix tests/a11y`) runs Chromium ($CHROME_PATH,
# else /usr/bin/chromium) with its default mobile settings: a Moto G
# Power's screen and simulated slow 4G with a 4x slower CPU.
#
# Example, on the 10k corpus:
#   python3 ../shared/bench/gen_corpus.py 10000 /dev/shm/c10k
#   target/release/throughline build /dev/shm/c10k -o /dev/shm/c10k-out
#   scripts/lighthouse.sh /dev/shm/c10k-out
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:?usage: scripts/lighthouse.sh SITE_OUT [PORT]}
PORT=${2:-8391}
LH=tests/a11y/node_modules/lighthouse/cli/index.js
[ -f "$LH" ] || { echo "no Lighthouse: run npm ci --prefix tests/a11y" >&2; exit 2; }
[ -f "$OUT/index.html" ] || { echo "$OUT has no index.html: not a built site" >&2; exit 2; }
export CHROME_PATH=${CHROME_PATH:-/usr/bin/chromium}
REPORTS=$(mktemp -d)
python3 -m http.server "$PORT" --bind 127.0.0.1 --directory "$OUT" >/dev/null 2>&1 &
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null; rm -rf "$REPORTS"' EXIT
for _ in $(seq 50); do
  python3 -c "import urllib.request, sys; urllib.request.urlopen(sys.argv[1])" \
    "http://127.0.0.1:$PORT/index.html" 2>/dev/null && break
  sleep 0.1
done

# The overview pages, those the site has; every quarter's review.
pages=(index.html roadmap/index.html health/index.html trace/index.html teams/index.html
  metrics/index.html people/index.html dependencies/index.html changes/index.html)
for q in "$OUT"/quarters/*/index.html; do
  [ -f "$q" ] && pages+=("${q#"$OUT"/}")
done
# On a site paged by product strategy, the largest of those pages of the
# roadmap and of the quarter reviews; the largest later page of the
# dependencies and of a person's.
for glob in "roadmap/*/index.html" "roadmap/*/page/*/index.html" "quarters/*/*/index.html" "quarters/*/*/page/*/index.html" \
  "dependencies/page/*/index.html" "people/*/index.html"; do
  largest=$(cd "$OUT" && ls -S $glob 2>/dev/null | head -1 || true)
  [ -n "$largest" ] && pages+=("$largest")
done

printf '%-32s %5s %8s %8s %8s %10s\n' page score FCP LCP TBT bytes
for page in "${pages[@]}"; do
  [ -f "$OUT/$page" ] || continue
  report="$REPORTS/$(echo "$page" | tr / _).json"
  if ! node "$LH" "http://127.0.0.1:$PORT/$page" --quiet --only-categories=performance \
      --output=json --output-path="$report" \
      --chrome-flags="--headless=new --no-sandbox --disable-gpu" >/dev/null 2>&1; then
    printf '%-32s %5s\n' "$page" failed
    continue
  fi
  node -e '
    const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    const a = (id) => r.audits[id] ? r.audits[id].displayValue || "" : "";
    const score = Math.round((r.categories.performance.score || 0) * 100);
    const bytes = require("fs").statSync(process.argv[3]).size;
    console.log(process.argv[2].padEnd(32), String(score).padStart(5),
      a("first-contentful-paint").padStart(8), a("largest-contentful-paint").padStart(8),
      a("total-blocking-time").padStart(8), String(bytes).padStart(10));
  ' "$report" "$page" "$OUT/$page"
done
