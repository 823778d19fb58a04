#!/usr/bin/env bash
# Screenshots of the pages a reader judges the site by (issue #33): the
# dashboard, a bet, a metric, the roadmap, the quarter review, health, the
# trace and the changes, at 390 and 1366 px, light and dark, for the example
# site with a scripted git history and for a generated 10,000-document site.
#
#   scripts/screenshots.sh [OUT]     PNGs into OUT (default target/screenshots)
#
# Needs Chromium (CHROMIUM, default /usr/bin/chromium), git and python3. The
# build date is pinned (2026-11-24), so the same sources give the same pages.
# Work files go in a temporary folder, removed at the end.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$here/target/screenshots}
chromium=${CHROMIUM:-/usr/bin/chromium}
today=2026-11-24
work=$(mktemp -d "${TMPDIR:-/tmp}/throughline-shots.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"

cargo build --release --quiet --manifest-path "$here/Cargo.toml"
tl=$here/target/release/throughline

# The example site in a git repository of eight dated commits, so the
# changes page and the pages' "since" dates have a history to show.
example=$work/example
cp -r "$here/content-example" "$example"
commit() { # DATE MESSAGE
  GIT_AUTHOR_DATE="$1T12:00:00Z" GIT_COMMITTER_DATE="$1T12:00:00Z" \
    git -C "$example" -c user.name=Screenshots -c user.email=shots@example.com \
    -c commit.gpgsign=false commit -q -am "$2"
}
git -C "$example" init -q -b main
git -C "$example" add -A
commit 2026-08-03 "The strategy as it stands"
step() { # DATE FILE FROM TO MESSAGE
  sed -i "s/^$3\$/$4/" "$example/$2"
  commit "$1" "$5"
}
step 2026-08-24 bets/bet-multi-currency.md "status: proposed" "status: discovery" "Multi-currency goes into discovery"
step 2026-09-14 bets/bet-multi-currency.md "status: discovery" "status: committed" "Commit multi-currency"
step 2026-10-05 bets/bet-multi-currency.md "status: committed" "status: in-progress" "Multi-currency starts"
echo "Revised after the Q3 review." >> "$example/products/ps-payouts.md"
commit 2026-10-12 "Payouts strategy revised after the Q3 review"
for f in $(grep -rl '^kind: bet' "$example/bets" | head -2); do echo >> "$f"; done
commit 2026-10-26 "Bets re-read"
for f in $(grep -rl '^kind: objective' "$example/objectives" | head -2); do echo >> "$f"; done
commit 2026-11-09 "Objectives re-read"
for f in $(grep -rl '^kind: metric' "$example/metrics" | head -1); do echo >> "$f"; done
commit 2026-11-20 "Metric notes"
"$tl" build "$example" -o "$work/example-site" --today "$today" >/dev/null || true

# A generated site of 10,000 documents.
# The benchmark's generator (GEN_CORPUS, default the shared bench folder's).
python3 "${GEN_CORPUS:-/work/shared/bench/gen_corpus.py}" 10000 "$work/c10k" >/dev/null
"$tl" build "$work/c10k" -o "$work/c10k-site" --today "$today" >/dev/null || true

# The first page under SITE whose folder name starts with PREFIX.
# (find, not ls | head: under pipefail a closed pipe would end the script.)
first() { find "$1" -mindepth 1 -maxdepth 1 -type d -name "$2*" -printf '%f\n' | sort | sed -n 1p; }

shoot() { # NAME SITE
  local name=$1 site=$2
  local bet metric quarter
  bet=$(first "$site" bet-)
  metric=$(first "$site" m-)
  quarter=$(first "$site/quarters" 20)
  local pages=(
    "dashboard index.html"
    "bet $bet/index.html"
    "metric $metric/index.html"
    "roadmap roadmap/index.html"
    "quarter quarters/$quarter/index.html"
    "health health/index.html"
    "trace trace/index.html"
    "changes changes/index.html"
  )
  for p in "${pages[@]}"; do
    set -- $p
    [ -f "$site/$2" ] || { echo "no $2 in $name" >&2; continue; }
    for width in 390 1366; do
      for scheme in light dark; do
        local flags=()
        [ "$scheme" = dark ] && flags=(--force-dark-mode --blink-settings=preferredColorScheme=0)
        "$chromium" --headless --no-sandbox --disable-gpu --hide-scrollbars "${flags[@]}" \
          --window-size="$width,2000" --screenshot="$out/$name-$1-$width-$scheme.png" \
          "file://$site/$2" >/dev/null 2>&1
      done
    done
  done
}
shoot example "$work/example-site"
shoot 10k "$work/c10k-site"
echo "screenshots in $out: $(ls "$out" | wc -l) files"
