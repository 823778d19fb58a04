#!/usr/bin/env bash
# Benchmarks throughline against the targets of docs/performance.md.
#
#   scripts/bench.sh [--runs N] [--big]
#
# Generates corpora with ../shared/bench/gen_corpus.py, runs the release binary
# once untimed and then RUNS times per case, and prints the median wall time and peak RSS
# (/usr/bin/time). When `hugo` is installed, it builds the same 10,000 bodies
# and titles with Hugo in the same run and prints the ratio. --big adds the
# 100,000-document build (about 1.5 GB of corpus and output).
#
# Output folders go to $BENCH_OUT (default: /dev/shm when it exists), for
# throughline and Hugo alike: on this machine's disk, creating 10,000 folders
# alone takes 3-7 s and varies run to run, which would measure the disk.
set -euo pipefail
cd "$(dirname "$0")/.."

runs=5
big=false
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs="$2"; shift 2 ;;
    --big) big=true; shift ;;
    *) echo "usage: scripts/bench.sh [--runs N] [--big]" >&2; exit 2 ;;
  esac
done

gen=../shared/bench/gen_corpus.py
[ -f "$gen" ] || { echo "missing $gen" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "needs /usr/bin/time (Debian package: time)" >&2; exit 2; }
corpora=target/bench/corpora
out_root=${BENCH_OUT:-$( [ -d /dev/shm ] && echo /dev/shm/throughline-bench || echo target/bench/out )}
mkdir -p "$corpora" "$out_root"
today=2026-11-24

cargo build --release --quiet
bin=target/release/throughline

corpus() { # name size [flavor] [code-share]
  local dir="$corpora/$1"
  if [ ! -f "$dir/.done" ]; then
    python3 "$gen" "$2" "$dir" --flavor "${3:-native}" --code-share "${4:-0.1}" >/dev/null
    touch "$dir/.done"
  fi
  echo "$dir"
}

# Runs "$@" once untimed, then $runs times; prints "median_seconds peak_rss_mb every_sample_seconds".
measure() {
  local samples=() sample
  sample=$(mktemp)
  # One untimed run first, as hyperfine's --warmup: the corpus comes from the
  # page cache, not the disk, in every timed run (of throughline and Hugo alike).
  "$@" >/dev/null 2>&1 || true
  for _ in $(seq "$runs"); do
    /usr/bin/time -f '%e %M' -o "$sample" "$@" >/dev/null 2>&1 || true
    samples+=("$(tail -1 "$sample")")
  done
  rm -f "$sample"
  printf '%s\n' "${samples[@]}" | python3 -c '
import sys, statistics
rows = [l.split() for l in sys.stdin if l.strip()]
wall = statistics.median(float(r[0]) for r in rows)
rss = max(int(r[1]) for r in rows) / 1024
samples = ",".join(r[0] for r in rows)
print(f"{wall:.3f} {rss:.0f} {samples}")'
}

# measure, but the command may print to stderr and must not write a stale output.
build() { rm -rf "$2"; measure "$bin" build "$1" -o "$2" --today "$today"; }

row() { printf '| %-44s | %8s s | %7s MB | %s\n' "$1" "$2" "$3" "${4:-}"; }

echo "throughline $($bin --version | cut -d' ' -f2), $runs runs each, medians, output in $out_root"
echo
printf '| %-44s | %10s | %10s | %s\n' case wall "peak RSS" "runs (s)"
printf '|%s|%s|%s|%s\n' "----------------------------------------------" "------------" "------------" "----------"

c1k=$(corpus native-1000 1000)
c10k=$(corpus native-10000 10000)
c10k_code=$(corpus native-10000-code 10000 native 0.5)

read -r t m samples < <(measure "$bin" check "$c10k" --today "$today" --format json); row "check, 10,000 documents" "$t" "$m" "$samples"
read -r t m samples < <(build content-example "$out_root/example"); row "build content-example/" "$t" "$m" "$samples"
read -r t m samples < <(build "$c1k" "$out_root/1k"); row "build, 1,000 documents" "$t" "$m" "$samples"
read -r t10 m10 samples < <(build "$c10k" "$out_root/10k"); row "build, 10,000 documents" "$t10" "$m10" "$samples"
read -r tc m samples < <(build "$c10k_code" "$out_root/10k-code"); row "build, 10,000 documents, half with code" "$tc" "$m" "$samples"
python3 -c "print(f'  code blocks cost: {$tc / $t10:.2f}x the plain build (target <= 1.5x)')"

if $big; then
  c100k=$(corpus native-100000 100000)
  read -r t100 m100 samples < <(build "$c100k" "$out_root/100k"); row "build, 100,000 documents" "$t100" "$m100" "$samples"
  python3 -c "print(f'  100k/10k time ratio: {$t100 / $t10:.1f} (target <= 11)')"
fi

if command -v hugo >/dev/null 2>&1; then
  h10k=$(corpus hugo-10000 10000 hugo)
  rm -rf "$out_root/hugo"
  read -r th mh samples < <(cd "$h10k" && measure hugo --quiet -d "$out_root/hugo")
  row "hugo $(hugo version | grep -o 'v[0-9.]*' | head -1), same 10,000 bodies" "$th" "$mh" "$samples"
  python3 -c "print(f'  throughline / hugo wall time: {$t10 / $th:.2f} (target <= 0.25)')"
else
  echo "  (hugo not installed: apt-get install hugo to compare in the same run)"
fi
rm -rf "$out_root"
