#!/usr/bin/env bash
# Counts the instructions of serve's rebuild after title edits, with callgrind.
#
#   [EDIT=body] scripts/profile-serve.sh [EDITS] [SIZE]
#
# EDIT=body adds a sentence to each edited body instead of changing its title.
# Copies the generated corpus of SIZE documents (default 10000, made by
# ../shared/bench/gen_corpus.py) to a scratch folder, starts a LiveSite on it
# and counts only the EDITS edits (default 3), on one thread, so the count is
# the whole work of each edit and does not depend on the machine's load.
# Prints the total and the largest inclusive costs.
set -euo pipefail
cd "$(dirname "$0")/.."
edits=${1:-3}
size=${2:-10000}
command -v valgrind >/dev/null || { echo "needs valgrind (Debian package: valgrind)" >&2; exit 2; }
corpus=target/bench/corpora/serve-$size
if [ ! -f "$corpus/.done" ]; then
  rm -rf "$corpus"
  python3 ../shared/bench/gen_corpus.py "$size" "$corpus" >/dev/null
  touch "$corpus/.done"
fi
cargo build --release --quiet --example profile_serve
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
cp -r "$corpus/." "$scratch/"
out="$scratch/callgrind.out"
ONE_THREAD=1 valgrind --tool=callgrind --callgrind-out-file="$out" --collect-atstart=no \
  --toggle-collect='profile_serve::edit' target/release/examples/profile_serve "$scratch" "$edits" 2>&1 |
  grep -E 'refs|files rendered'
cp "$out" "${KEEP_PROFILE:-/dev/null}" 2>/dev/null || true
callgrind_annotate --inclusive=yes "$out" 2>/dev/null | grep 'throughline::' | grep -v '=>' | head -30 | cut -c1-160
