#!/usr/bin/env bash
# Times what git history costs throughline, against docs/performance.md's
# targets: the history of 10,000 documents over 1,000 commits added to a
# build (≤ 1.5 s), and `diff` between two revisions of 10,000 documents
# (≤ 1 s); `digest` over a 7-day window with the history cache warm (≤ 1 s),
# and what the Atom feeds add to a build with history (≤ 5%).
#
#   scripts/history-bench.sh [--runs N] [--docs N] [--commits N]
#
# The corpus comes from ../shared/bench/gen_corpus.py; its history is
# scripted with `git fast-import` (one process for every commit, with
# committer dates one day apart, as GIT_COMMITTER_DATE would give): the
# first commit adds every document, each later one edits 10 of them (a
# status change, a new `reviewed:` date, a line of body) and every 50th
# adds a document and removes the one the 50th before added. The repository is kept in
# target/bench/history-DOCS-COMMITS and reused while it exists.
#
# Prints medians of RUNS runs (the `dist` binary, as released), wall and CPU time: `build`
# with `history: false` and with history (the difference is what history
# adds), a rebuild with history after an uncommitted one-document edit
# (the history then comes from the cache folder: history::cache), `diff
# HEAD~500 HEAD` (`--format json`, so printing is negligible), and `digest
# --since 7d` judged on the last commit's day, right after a build, reading
# the history that build kept (`--output` names the build's folder, so the
# two stamp one read). The feeds' cost: two builds with history into an
# emptied folder, the history kept, one with `--base-url` (absolute:
# `changes/feed.xml` and one feed per team are written), one without
# (none); they take turns, first one then the other. All builds take
# turns, so all see the same machine.
set -euo pipefail
cd "$(dirname "$0")/.."

runs=5
docs=10000
commits=1000
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs="$2"; shift 2 ;;
    --docs) docs="$2"; shift 2 ;;
    --commits) commits="$2"; shift 2 ;;
    *) echo "usage: scripts/history-bench.sh [--runs N] [--docs N] [--commits N]" >&2; exit 2 ;;
  esac
done

gen=../shared/bench/gen_corpus.py
[ -f "$gen" ] || { echo "missing $gen" >&2; exit 2; }
repo=target/bench/history-$docs-$commits
out_root=${BENCH_OUT:-$( [ -d /dev/shm ] && echo /dev/shm/throughline-history-bench || echo target/bench/history-out )}
mkdir -p "$out_root"

cargo build --profile dist --quiet
bin=$PWD/target/dist/throughline

if [ ! -d "$repo/.git" ]; then
  echo "writing $docs documents and $commits commits to $repo" >&2
  python3 "$gen" "$docs" "$repo"
  git -C "$repo" init -q -b main
  python3 - "$repo" "$commits" <<'PY' | git -C "$repo" fast-import --quiet
import os, random, sys

root, commits = sys.argv[1], int(sys.argv[2])
files = {}
for folder, _, names in os.walk(root):
    if "/.git" in folder:
        continue
    for name in names:
        path = os.path.relpath(os.path.join(folder, name), root)
        files[path] = open(os.path.join(folder, name), encoding="utf-8").read()
docs = sorted(p for p in files if p.endswith(".md"))
r = random.Random(7)
out = sys.stdout.buffer
start = 1_704_067_200  # 2024-01-01 00:00 UTC

def blob(path, text):
    data = text.encode()
    out.write(b"M 100644 inline " + path.encode() + b"\ndata %d\n" % len(data) + data + b"\n")

def commit(n, message, changes):
    when = start + n * 86_400
    msg = message.encode()
    out.write(b"commit refs/heads/main\n")
    out.write(b"author Bench <bench@example.com> %d +0000\n" % when)
    out.write(b"committer Bench <bench@example.com> %d +0000\n" % when)
    out.write(b"data %d\n" % len(msg) + msg + b"\n")
    changes()
    out.write(b"\n")

commit(0, "Set up the strategy", lambda: [blob(p, t) for p, t in sorted(files.items())])
statuses = ["proposed", "committed", "in-progress", "done"]
added = []
for n in range(1, commits):
    def changes(n=n):
        for path in r.sample(docs, 10):
            text = files[path]
            head, sep, body = text.partition("\n---\n")
            lines = head.split("\n")
            for i, line in enumerate(lines):
                if line.startswith("status: "):
                    lines[i] = "status: " + r.choice(statuses)
                elif line.startswith("reviewed: "):
                    day = 1 + n % 28
                    lines[i] = "reviewed: 2026-%02d-%02d" % (1 + n % 10, day)
            files[path] = "\n".join(lines) + sep + body + "\nEdited in commit %d.\n" % n
            blob(path, files[path])
        if n % 50 == 0:
            # Removes the document the last round added (nothing links to
            # it, so the site stays free of errors and builds) and adds one.
            if added:
                gone = added.pop()
                del files[gone]
                out.write(b"D " + gone.encode() + b"\n")
            new = "work/work-new-%d.md" % n
            files[new] = "---\nid: work-new-%d\nkind: work\nparent: obj-0\nstatus: proposed\n---\n# New work %d\n" % (n, n)
            added.append(new)
            blob(new, files[new])
    commit(n, "Change %d" % n, changes)
PY
  git -C "$repo" checkout -q -f main
  git -C "$repo" clean -q -f -d
  git -C "$repo" gc -q
fi

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
# "wall_ms cpu_ms": elapsed, and user + system time of the command and the
# git processes it waited for (less sensitive to a busy machine than wall time).
measure() {
  local f
  f=$(mktemp)
  /usr/bin/time -o "$f" -f '%e %U %S' "$@" >/dev/null 2>&1 || true
  awk '{ printf "%d %d\n", $1 * 1000, ($2 + $3) * 1000 }' "$f"
  rm -f "$f"
}

config="$repo/throughline.yaml"
base_config="title: Synthetic strategy"
history() { printf '%s\nhistory: %s\n' "$base_config" "$1" > "$config"; }
build=("$bin" build "$repo" -o "$out_root/site" --today 2026-11-24)
[ -x /usr/bin/time ] || { echo "needs /usr/bin/time (Debian package: time)" >&2; exit 2; }
# Build exit code 1 (findings) would be a synthetic corpus's; the timing stands.
history false
"${build[@]}" >/dev/null 2>&1 || true
off=(); on=(); again=(); diffs=(); digests=(); plain=(); feeds=()
# The last commit's day: commits are one day apart from 2024-01-01.
last_day=$(git -C "$repo" log -1 --format=%cs)

edited=$(git -C "$repo" ls-files '*.md' | sed -n 1p)
for _ in $(seq "$runs"); do
  history false
  off+=("$(measure "${build[@]}")")
  history true
  on+=("$(measure "${build[@]}")")
  # The same commit again, after an edit not yet committed (the loop of
  # someone writing): the history comes from the output, not from git.
  printf '\nEdited, not committed.\n' >> "$repo/$edited"
  again+=("$(measure "${build[@]}")")
  git -C "$repo" checkout -q -- "$edited"
  diffs+=("$(measure "$bin" diff HEAD~500 HEAD --root "$repo" --format json --today 2026-11-24)")
  # The digest, right after the build with history, from the walk it kept.
  digests+=("$(measure "$bin" digest "$repo" --output "$out_root/site" --base-url https://strategy.example.com/ --since 7d --today "$last_day" --format json)")
  # The feeds: the same build into the same empty folder, with and without
  # them (`--base-url`, absolute), in turns; the history is the kept walk
  # (the base URL is not part of its stamp).
  for order in $( [ $((${#feeds[@]} % 2)) -eq 0 ] && echo "plain feeds" || echo "feeds plain"); do
    cold=("$bin" build "$repo" -o "$out_root/cold" --today 2026-11-24)
    [ "$order" = feeds ] && cold+=(--base-url https://strategy.example.com/)
    rm -rf "$out_root/cold"
    result=$(measure "${cold[@]}")
    [ -f "$out_root/cold/changes/feed.xml" ] && wrote=feeds || wrote=plain
    [ "$wrote" = "$order" ] || { echo "the $order build wrote $wrote" >&2; exit 1; }
    if [ "$order" = feeds ]; then feeds+=("$result"); else plain+=("$result"); fi
  done
done
rm -rf "$out_root/cold"
printf '%s\n' "$base_config" > "$config"
git -C "$repo" checkout -q throughline.yaml 2>/dev/null || true
column() { printf '%s\n' "${@:2}" | awk -v c="$1" '{ print $c }' | median; }
off_wall=$(column 1 "${off[@]}"); off_cpu=$(column 2 "${off[@]}")
on_wall=$(column 1 "${on[@]}"); on_cpu=$(column 2 "${on[@]}")
again_wall=$(column 1 "${again[@]}"); again_cpu=$(column 2 "${again[@]}")
diff_wall=$(column 1 "${diffs[@]}"); diff_cpu=$(column 2 "${diffs[@]}")
digest_wall=$(column 1 "${digests[@]}"); digest_cpu=$(column 2 "${digests[@]}")
plain_wall=$(column 1 "${plain[@]}"); plain_cpu=$(column 2 "${plain[@]}")
feeds_wall=$(column 1 "${feeds[@]}"); feeds_cpu=$(column 2 "${feeds[@]}")
percent() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", (b > 0 ? 100 * a / b : 0) }'; }
echo "docs=$docs commits=$commits runs=$runs (medians; cpu = user + system, git included)"
echo "build, history off: ${off_wall} ms wall, ${off_cpu} ms cpu"
echo "build, history on:  ${on_wall} ms wall, ${on_cpu} ms cpu"
echo "history adds:       $((on_wall - off_wall)) ms wall, $((on_cpu - off_cpu)) ms cpu (target ≤ 1500 ms wall)"
echo "rebuild at the same commit after an uncommitted edit, history on: ${again_wall} ms wall, ${again_cpu} ms cpu"
echo "diff HEAD~500 HEAD: ${diff_wall} ms wall, ${diff_cpu} ms cpu (target ≤ 1000 ms wall)"
echo "digest --since 7d, history cache warm: ${digest_wall} ms wall, ${digest_cpu} ms cpu (target ≤ 1000 ms wall)"
echo "build into an empty folder, history kept, without the feeds: ${plain_wall} ms wall, ${plain_cpu} ms cpu"
echo "the same with the feeds: ${feeds_wall} ms wall, ${feeds_cpu} ms cpu"
echo "the feeds add $((feeds_wall - plain_wall)) ms wall ($(percent $((feeds_wall - plain_wall)) "$plain_wall")%), $((feeds_cpu - plain_cpu)) ms cpu ($(percent $((feeds_cpu - plain_cpu)) "$plain_cpu")%) (target ≤ 5%)"
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || uptime)"
