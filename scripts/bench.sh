#!/usr/bin/env bash
# Benchmarks throughline against the targets of docs/performance.md.
#
#   scripts/bench.sh [--runs N] [--big] [--disk-only] [--ext4-image] [--history] [--serve] [--search] [--checkin]
#
# Generates corpora with ../shared/bench/gen_corpus.py, runs the `dist` binary (as released)
# once untimed and then RUNS times per case, and prints the median wall time and peak RSS
# (/usr/bin/time). When `hugo` is installed, it builds the same 10,000 bodies
# and titles with Hugo in the same run and prints the ratio. --big adds the
# 100,000-document build (about 1.5 GB of corpus and output). The cases whose
# times are compared (10k, 100k, Hugo) take turns rather than run in blocks.
#
# Output folders go to $BENCH_OUT (default: /dev/shm when it exists), for
# throughline and Hugo alike: on this machine's disk, creating 10,000 folders
# alone takes 3-7 s and varies run to run, which would measure the disk.
#
# Then "where users build": the 10k full build into an empty folder and the
# rebuild after a one-document edit, throughline and Hugo, each on the disk
# ($BENCH_DISK, default target/bench/disk) and on tmpfs, all eight cases
# taking turns; the floor (examples/floor.rs: read every source, render
# every body with pulldown-cmark alone, write the same bytes into the same
# files) beside the tmpfs cold build. --disk-only runs just that part.
# --ext4-image adds a third file system to that part: a 3 GB image file
# formatted by mkfs.ext4 with its defaults (a journal, as on a laptop or a
# CI runner) and loop-mounted (needs root). This machine's own volume has no
# journal, and there ext4 skips every inode freed in the last minute when it
# allocates one, so a build right after a 10,000-folder `rm -rf` spends
# seconds of kernel time scanning (see docs/performance.md, "The disk").
# --serve then times an edit to the served page, `throughline serve` beside
# `hugo server` over HTTP (scripts/serve-vs-hugo.py); --history the git history
# (scripts/history-bench.sh: history in a build, `diff`, `digest`, the feeds);
# --search the example site's search in Chromium (tests/a11y/check.mjs),
# held to first results within 1 s, typed and cold: the budget the browser
# test reports but, being a test, does not enforce.
# --checkin runs only `checkin --csv` on generated exports, held to 2 s each:
# 100,000 rows for one metric (refused whole, since its front matter would
# pass the 1 MiB that is read: the time is reading, judging and applying
# every row), 25,000 rows for one metric (written: about as many as one
# metric holds) and 100,000 rows over 10 metrics (written).
set -euo pipefail
cd "$(dirname "$0")/.."

runs=5
big=false
disk_only=false
ext4_image=false
history=false
serve=false
search=false
checkin=false
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs="$2"; shift 2 ;;
    --big) big=true; shift ;;
    --disk-only) disk_only=true; shift ;;
    --ext4-image) ext4_image=true; shift ;;
    # The git history benchmark (scripts/history-bench.sh) after the others.
    --history) history=true; shift ;;
    # serve beside `hugo server` over HTTP (scripts/serve-vs-hugo.py) after the others.
    --serve) serve=true; shift ;;
    # search in Chromium on the example site, held to 1 s, after the others.
    --search) search=true; shift ;;
    # Only `checkin --csv` on generated exports (see checkin_bench).
    --checkin) checkin=true; shift ;;
    *) echo "usage: scripts/bench.sh [--runs N] [--big] [--disk-only] [--ext4-image] [--history] [--serve] [--search] [--checkin]" >&2; exit 2 ;;
  esac
done

gen=../shared/bench/gen_corpus.py
[ -f "$gen" ] || { echo "missing $gen" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "needs /usr/bin/time (Debian package: time)" >&2; exit 2; }
corpora=target/bench/corpora
out_root=${BENCH_OUT:-$( [ -d /dev/shm ] && echo /dev/shm/throughline-bench || echo target/bench/out )}
mkdir -p "$corpora" "$out_root"
out_root=$(cd "$out_root" && pwd)   # Hugo resolves a relative --destination against --source
today=2026-11-24

cargo build --profile dist --quiet --bin throughline --example floor
bin=target/dist/throughline
floor=target/dist/examples/floor

corpus() { # name size [flavor] [code-share]
  local dir="$corpora/$1"
  if [ ! -f "$dir/.done" ]; then
    python3 "$gen" "$2" "$dir" --flavor "${3:-native}" --code-share "${4:-0.1}" >/dev/null
    touch "$dir/.done"
  fi
  echo "$dir"
}

# Turns "wall_seconds peak_rss_kb" lines into "median_seconds peak_rss_mb every_sample_seconds".
summarise() {
  python3 -c '
import sys, statistics
rows = [l.split() for l in sys.stdin if l.strip()]
wall = statistics.median(float(r[0]) for r in rows)
rss = max(int(r[1]) for r in rows) / 1024
samples = ",".join(r[0] for r in rows)
print(f"{wall:.3f} {rss:.0f} {samples}")'
}

# Runs "$@" once untimed, then $runs times; prints what summarise prints.
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
  printf '%s\n' "${samples[@]}" | summarise
}

# Measures the cases named in "$@" (each an array cmd_NAME, and optionally an
# array prep_NAME run untimed before each of its runs) taking turns: one
# untimed round, then $runs timed rounds, each running every case once. The
# ratios the targets set (100k/10k, throughline/Hugo) then compare runs made
# under the same machine conditions; this VM's speed drifts by 10-20% over
# minutes (its memory is handed back to the host as soon as it is free), and
# measuring the cases one after another let that drift into the ratios.
# Sets result_NAME to what summarise prints.
interleaved() {
  local name round sample
  sample=$(mktemp)
  for name in "$@"; do : >"$sample.$name"; done
  for round in $(seq 0 "$runs"); do
    for name in "$@"; do
      local -n cmd="cmd_$name"
      # An untimed step before each run of a case (emptying its output
      # folder, editing one document), when the case has one.
      if declare -p "prep_$name" >/dev/null 2>&1; then
        local -n prep="prep_$name"
        "${prep[@]}" >/dev/null 2>&1 || true
        unset -n prep
      fi
      if [ "$round" -eq 0 ]; then
        "${cmd[@]}" >/dev/null 2>&1 || true
      else
        /usr/bin/time -f '%e %M' -o "$sample" "${cmd[@]}" >/dev/null 2>&1 || true
        tail -1 "$sample" >>"$sample.$name"
      fi
      unset -n cmd
    done
  done
  for name in "$@"; do
    printf -v "result_$name" '%s' "$(summarise <"$sample.$name")"
    rm -f "$sample.$name"
  done
  rm -f "$sample"
}

# measure, but the command may print to stderr and must not write a stale output.
# --clean: each timed build writes the whole site and replaces the previous
# output, as every build did before rebuilds in place (the rows below stay
# comparable with earlier runs; "where users build" measures the rebuild).
build() { rm -rf "$2"; measure "$bin" build "$1" -o "$2" --today "$today" --clean; }

row() { printf '| %-44s | %8s s | %7s MB | %s\n' "$1" "$2" "$3" "${4:-}"; }

# Appends a line to a document, so that each rebuild follows a one-document
# edit; then lets the disk write back what the cases before it left dirty.
edit_one() { printf '\nEdited %s.\n' "$(date +%s%N)" >>"$1"; sync; }

# Empties an output folder, and waits for the disk to write that back, so
# that one case's removals are not paid by the next case's timed run.
empty() { rm -rf "$1"; sync; }

# Names the file system a folder is on, and for ext4 whether it has a journal
# (jbd2 lists the devices whose journal it runs).
describe_fs() {
  local type source
  type=$(findmnt -n -o FSTYPE -T "$1" 2>/dev/null | head -1)
  [ -n "$type" ] || type=$(stat -f -c %T "$1")
  source=$(findmnt -n -o SOURCE -T "$1" 2>/dev/null | head -1)
  if [ "$type" = ext4 ]; then
    if ls /proc/fs/jbd2/ 2>/dev/null | grep -q "^$(basename "$source")-"; then
      type="ext4 with a journal"
    else
      type="ext4 without a journal"
    fi
  fi
  echo "$type"
}

# Creates, formats (mkfs.ext4 defaults) and mounts the image of --ext4-image;
# prints the mount point. Unmounted by the trap below.
ext4_mount=""
mount_ext4_image() {
  local image=target/bench/ext4.img mnt=target/bench/ext4
  umount "$mnt" 2>/dev/null || true
  rm -f "$image"
  mkdir -p "$mnt"
  truncate -s 3G "$image"
  mkfs.ext4 -q -F "$image"
  mount -o loop "$image" "$mnt"
  ext4_mount=$(cd "$mnt" && pwd)
  trap 'umount "$ext4_mount" 2>/dev/null; rm -f target/bench/ext4.img' EXIT
}

# Full build into an empty folder and rebuild after a one-document edit, on
# disk and on tmpfs (and the ext4 image), throughline and Hugo, taking
# turns; and the floor on each.
where_users_build() {
  local disk=${BENCH_DISK:-target/bench/disk} shm=/dev/shm/throughline-bench-disk-$$
  rm -rf "$disk" "$shm"
  mkdir -p "$disk" "$shm"
  disk=$(cd "$disk" && pwd)
  local filesystems=(disk shm)
  declare -A folder=([disk]=$disk [shm]=$shm)
  if $ext4_image; then
    mount_ext4_image
    filesystems=(disk ext4 shm)
    folder[ext4]=$ext4_mount/out
    mkdir -p "${folder[ext4]}"
  fi
  # The edits go to copies, so the corpora of the other cases stay as generated.
  local ce="$corpora/edit-native-10000" he="$corpora/edit-hugo-10000"
  rm -rf "$ce" "$he"
  cp -r "$(corpus native-10000 10000)" "$ce"
  local doc hdoc
  doc=$(find "$ce" -name '*.md' | sort | sed -n 1p)
  local names=() fs dir
  for fs in "${filesystems[@]}"; do
    dir=${folder[$fs]}
    declare -g -a "prep_tl_full_$fs=(empty $dir/tl-full)"
    declare -g -a "cmd_tl_full_$fs=($bin build $ce -o $dir/tl-full --today $today)"
    declare -g -a "prep_tl_edit_$fs=(edit_one $doc)"
    declare -g -a "cmd_tl_edit_$fs=($bin build $ce -o $dir/tl-edit --today $today)"
    names+=("tl_full_$fs" "tl_edit_$fs")
    # The floor, right after the full build it reads the manifest of; on
    # disk too, since there writing 10,000 folders is most of any build.
    declare -g -a "prep_floor_$fs=(empty $dir/floor)"
    declare -g -a "cmd_floor_$fs=($floor $ce $dir/tl-full $dir/floor)"
    names+=("floor_$fs")
    if command -v hugo >/dev/null 2>&1; then
      if [ ! -d "$he" ]; then
        cp -r "$(corpus hugo-10000 10000 hugo)" "$he"
        hdoc=$(find "$he/content" -name '*.md' | sort | sed -n 1p)
      fi
      declare -g -a "prep_hugo_full_$fs=(empty $dir/hugo-full)"
      declare -g -a "cmd_hugo_full_$fs=(hugo --quiet --source $he --destination $dir/hugo-full)"
      declare -g -a "prep_hugo_edit_$fs=(edit_one $hdoc)"
      declare -g -a "cmd_hugo_edit_$fs=(hugo --quiet --source $he --destination $dir/hugo-edit)"
      names+=("hugo_full_$fs" "hugo_edit_$fs")
    fi
  done
  interleaved "${names[@]}"

  echo
  echo "where users build: 10,000 documents"
  for fs in "${filesystems[@]}"; do
    echo "  $fs = ${folder[$fs]} ($(describe_fs "${folder[$fs]}"))"
  done
  echo
  printf '| %-44s | %12s | %12s | %s\n' case throughline "hugo" "ratio (target); runs (s): throughline / hugo"
  printf '|%s|%s|%s|%s\n' "----------------------------------------------" "--------------" "--------------" "----------"
  local kind t th label target ts hs
  for fs in "${filesystems[@]}"; do
    for kind in full edit; do
      local -n tl="result_tl_${kind}_$fs"
      read -r t _ ts <<<"$tl"
      th="" hs=""
      if command -v hugo >/dev/null 2>&1; then
        local -n hr="result_hugo_${kind}_$fs"
        read -r th _ hs <<<"$hr"
        unset -n hr
      fi
      unset -n tl
      label="full build into an empty folder"
      [ $kind = edit ] && label="rebuild after a one-document edit"
      target=""
      [ $fs != shm ] && [ $kind = full ] && target=" (<= 0.50)"
      [ $fs != shm ] && [ $kind = edit ] && target=" (<= 0.10)"
      [ $fs = shm ] && [ $kind = full ] && target=" (<= 0.20)"
      if [ -n "$th" ]; then
        printf '| %-44s | %10s s | %10s s | %s\n' "$fs, $label" "$t" "$th" \
          "$(python3 -c "print(f'{$t / $th:.3f}')")$target; $ts / $hs"
      else
        printf '| %-44s | %10s s | %12s | %s\n' "$fs, $label" "$t" "-" "$ts"
      fi
    done
  done
  local tf tc samples
  for fs in "${filesystems[@]}"; do
    local -n fr="result_floor_$fs"
    read -r tf _ samples <<<"$fr"
    unset -n fr
    printf '| %-44s | %10s s | %12s | %s\n' "$fs, the floor (examples/floor.rs)" "$tf" "" "runs: $samples"
  done
  for fs in "${filesystems[@]}"; do
    local -n fr="result_floor_$fs" tr="result_tl_full_$fs"
    read -r tf _ _ <<<"$fr"
    read -r tc _ _ <<<"$tr"
    unset -n fr tr
    if [ $fs = shm ]; then
      python3 -c "print(f'  tmpfs cold build / floor: {$tc / $tf:.2f}x (target <= 2)')"
    else
      python3 -c "print(f'  $fs full build / $fs floor: {$tc / $tf:.2f}x')"
    fi
    if command -v hugo >/dev/null 2>&1; then
      local -n hr="result_hugo_full_$fs"
      read -r tc _ _ <<<"$hr"
      unset -n hr
      python3 -c "print(f'  hugo $fs full build / $fs floor: {$tc / $tf:.2f}x')"
    fi
  done
  rm -rf "$disk" "$shm" "$ce" "$he"
  if $ext4_image; then
    rm -rf "${folder[ext4]}"
  fi
}

# `checkin --csv`: a site of METRICS metrics, each with one check-in, and an
# export of ROWS rows spread over them, one day after another, shuffled (so
# rows land between the list's items, not only at its end).
checkin_corpus() { # dir rows metrics
  [ -f "$1/.done" ] && return
  rm -rf "$1"
  python3 - "$1" "$2" "$3" <<'PY'
import datetime, os, random, sys
out, rows, metrics = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
os.makedirs(f"{out}/site/metrics")
for m in range(metrics):
    with open(f"{out}/site/metrics/m-{m}.md", "w") as f:
        f.write(f"---\nid: m-{m}\nkind: metric\ntitle: Metric {m}\ncheckins:\n  - {{date: 1900-01-01, value: 0}}\n---\nWhat it measures.\n")
lines = []
start = datetime.date(1900, 1, 2)
for i in range(rows):
    day = start + datetime.timedelta(days=i // metrics)
    lines.append(f"m-{i % metrics},{day},{i * 1.5}\n")
random.Random(31).shuffle(lines)
with open(f"{out}/export.csv", "w") as f:
    f.write("metric,date,value\n")
    f.writelines(lines)
PY
  touch "$1/.done"
}

# Times each checkin case on a fresh copy of its site (the copy is untimed).
checkin_bench() {
  local base=target/bench/checkin names=() name
  for spec in "one_100k 100000 1" "one_25k 25000 1" "ten_100k 100000 10"; do
    read -r name rows metrics <<<"$spec"
    checkin_corpus "$base/$name" "$rows" "$metrics"
    declare -g -a "prep_ck_$name=(fresh_copy $base/$name/site $base/$name/work)"
    declare -g -a "cmd_ck_$name=($bin checkin --root $base/$name/work --csv $base/$name/export.csv)"
    names+=("ck_$name")
  done
  interleaved "${names[@]}"
  echo "checkin --csv, $runs runs each, medians (target: each <= 2 s)"
  echo
  printf '| %-44s | %10s | %10s | %s\n' case wall "peak RSS" "runs (s)"
  printf '|%s|%s|%s|%s\n' "----------------------------------------------" "------------" "------------" "----------"
  local t m samples
  read -r t m samples <<<"$result_ck_one_100k"; row "100,000 rows, one metric (refused: too long)" "$t" "$m" "$samples"
  read -r t m samples <<<"$result_ck_one_25k"; row "25,000 rows, one metric (written)" "$t" "$m" "$samples"
  read -r t m samples <<<"$result_ck_ten_100k"; row "100,000 rows, 10 metrics (written)" "$t" "$m" "$samples"
  rm -rf "$base"/*/work
}

fresh_copy() { rm -rf "$2"; cp -r "$1" "$2"; }

if $checkin; then
  checkin_bench
  exit 0
fi

if $disk_only; then
  where_users_build
  exit 0
fi

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
read -r tc m samples < <(build "$c10k_code" "$out_root/10k-code")
code_row=("build, 10,000 documents, half with code" "$tc" "$m" "$samples")

# The 10k build, the 100k build and Hugo take turns (see interleaved).
cmd_b10k=("$bin" build "$c10k" -o "$out_root/10k" --today "$today" --clean)
cases=(b10k)
if $big; then
  c100k=$(corpus native-100000 100000)
  cmd_b100k=("$bin" build "$c100k" -o "$out_root/100k" --today "$today" --clean)
  cases+=(b100k)
fi
if command -v hugo >/dev/null 2>&1; then
  h10k=$(corpus hugo-10000 10000 hugo)
  cmd_hugo=(hugo --quiet --source "$h10k" --destination "$out_root/hugo")
  cases+=(hugo)
fi
rm -rf "$out_root/10k" "$out_root/100k" "$out_root/hugo"
interleaved "${cases[@]}"

read -r t10 m10 samples <<<"$result_b10k"; row "build, 10,000 documents" "$t10" "$m10" "$samples"
row "${code_row[@]}"
python3 -c "print(f'  code blocks cost: {$tc / $t10:.2f}x the plain build (target <= 1.5x)')"
if $big; then
  read -r t100 m100 samples <<<"$result_b100k"; row "build, 100,000 documents" "$t100" "$m100" "$samples"
  python3 -c "print(f'  100k/10k time ratio: {$t100 / $t10:.1f} (target <= 11)')"
fi
if command -v hugo >/dev/null 2>&1; then
  read -r th mh samples <<<"$result_hugo"
  row "hugo $(hugo version | grep -o 'v[0-9.]*' | head -1), same 10,000 bodies" "$th" "$mh" "$samples"
  python3 -c "print(f'  throughline / hugo wall time: {$t10 / $th:.2f} (target <= 0.25)')"
else
  echo "  (hugo not installed: apt-get install hugo to compare in the same run)"
fi
rm -rf "$out_root"

where_users_build

if $serve; then
  # Edit to served page, throughline serve and hugo server side by side;
  # 4 edits of each kind per run asked for, 10 at least.
  cargo build --profile dist --quiet --bin throughline
  python3 scripts/serve-vs-hugo.py --size 10000 --edits $(( runs * 4 > 10 ? runs * 4 : 10 ))
fi
if $history; then
  scripts/history-bench.sh --runs "$runs"
fi
if $search; then
  # Needs Chromium and `npm ci --prefix tests/a11y` (see README, "Tests").
  cargo build --profile dist --quiet --bin throughline
  search_out=$(mktemp -d)
  target/dist/throughline build content-example -o "$search_out/site" --today 2026-11-24 >/dev/null
  for query in "merchant pay" "see"; do
    SEARCH_TIME_BUDGET=1000 node tests/a11y/check.mjs search "$search_out/site" "$query"
  done
  rm -rf "$search_out"
fi
