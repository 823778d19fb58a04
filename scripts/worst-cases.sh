#!/usr/bin/env bash
# Times `check` on single files built to be the worst cases for the parser
# (issue #13, item 3): each case fills one document up to the size limit
# (MAX_FILE_BYTES, 32 MiB) with the construct that used to take quadratic time.
#
#   scripts/worst-cases.sh [--bytes N] [--bin PATH] [CASE...]
#
# --bytes  size of each generated document (default 33554432, the limit)
# --bin    the binary to time (default: target/release/throughline, built first)
# CASE     any of the case names below (default: all)
#
# Each case is a site of two files (a company strategy `cs`, which the worst
# case links to, and the worst case itself) under target/worst-cases/. The
# time is wall-clock for one `check --format json`, output to /dev/null.
set -euo pipefail
cd "$(dirname "$0")/.."

bytes=33554432
bin=""
cases=()
while [ $# -gt 0 ]; do
  case "$1" in
    --bytes) bytes="$2"; shift 2 ;;
    --bin) bin="$2"; shift 2 ;;
    -h|--help) sed -n 2,14p "$0"; exit 0 ;;
    *) cases+=("$1"); shift ;;
  esac
done
all=(quote-then-brackets long-block-list long-flow-list links-on-one-line many-key-results)
[ ${#cases[@]} -eq 0 ] && cases=("${all[@]}")
if [ -z "$bin" ]; then
  cargo build --release --quiet
  bin=target/release/throughline
fi
[ -x /usr/bin/time ] || { echo "needs /usr/bin/time (Debian package: time)" >&2; exit 2; }

out=target/worst-cases
for case in "${cases[@]}"; do
  site="$out/$case"
  rm -rf "$site"
  mkdir -p "$site"
  printf -- '---\nid: cs\nkind: company-strategy\nreviewed: 2026-11-01\n---\n# Strategy\n' >"$site/cs.md"
  python3 - "$case" "$bytes" "$site/worst.md" <<'PY'
import sys
case, limit, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]

def fill(head, unit, tail, n=None):
    room = limit - len(head) - len(tail)
    return head + unit * max(0, room // len(unit)) + tail

if case == "quote-then-brackets":
    # An unmatched quote in a plain scalar, then brackets nested as deep as fit.
    head = '---\nid: worst\ntitle: the "best plan\nx: '
    half = (limit - len(head) - 6) // 2
    text = head + "[" * half + "]" * half + "\n---\n"
elif case == "long-block-list":
    text = fill("---\nid: worst\nrelated:\n", "  - cs\n", "---\n")
elif case == "long-flow-list":
    text = fill("---\nid: worst\nrelated: [cs", ", cs", "]\n---\n")
elif case == "links-on-one-line":
    text = fill("---\nid: worst\n---\n", "[[cs]] ", "\n")
elif case == "many-key-results":
    # Every key result is overdue, so the rules locate each one.
    text = fill("---\nid: worst\nkind: objective\nparent: cs\n"
                "key_results:\n", "  - {metric: cs, target: 5, by: 2020-01-01}\n", "---\n")
else:
    sys.exit(f"unknown case {case}")
open(path, "w").write(text)
PY
  size=$(stat -c %s "$site/worst.md")
  if ! /usr/bin/time -f "%e %M" -o "$site/time" "$bin" check "$site" --format json --today 2026-11-24 >/dev/null 2>"$site/stderr"; then
    :  # findings exit 1; a failed run shows in stderr below
  fi
  read -r secs rss < <(tail -n1 "$site/time")
  printf '%-22s %9d bytes  %7.2f s  %6d MB peak  %s\n' "$case" "$size" "$secs" $((rss / 1024)) "$(tail -n1 "$site/stderr")"
done
