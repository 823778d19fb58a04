#!/usr/bin/env bash
# Times `check` on single files built to be the worst cases for the parser
# (issue #13, item 3): each case fills one document up to the size limit
# (MAX_FILE_BYTES, 4 MiB) with the construct that used to take quadratic
# time: the front-matter cases fill the front matter up to the most that is
# parsed (yaml::MAX_YAML_BYTES, 1 MiB) and the body with prose after it.
#
#   scripts/worst-cases.sh [--bytes N] [--bin PATH] [CASE...]
#
# --bytes  size of each generated document (default 4194304, the limit)
# --bin    the binary to time (default: target/dist/throughline, built first)
# CASE     any of the case names below (default: all)
#
# Each case is a site of two files (a company strategy `cs`, which the worst
# case links to, and the worst case itself) under target/worst-cases/. The
# time is wall-clock for one `check --format json`, output to /dev/null.
set -euo pipefail
cd "$(dirname "$0")/.."

bytes=4194304
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
all=(quote-then-brackets long-block-list long-flow-list many-key-results many-unknown-keys prose-with-links links-on-one-line links-on-own-lines)
[ ${#cases[@]} -eq 0 ] && cases=("${all[@]}")
if [ -z "$bin" ]; then
  cargo build --profile dist --quiet
  bin=target/dist/throughline
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
# Front matter longer than yaml::MAX_YAML_BYTES is refused unparsed, so the
# front-matter cases fill it to just under that and the body to the file limit.
yaml_limit = min(1024 * 1024 - 64, limit)
prose = "Merchants want their money the same day; see [[cs]] for why it matters. " * 20 + "\n\n"

def fill(unit, room):
    return unit * max(0, room // len(unit)) if unit else ""

def document(head, unit, tail):
    front = "---\n" + head + fill(unit, yaml_limit - len(head) - len(tail)) + tail + "---\n"
    return front + fill(prose, limit - len(front))

if case == "quote-then-brackets":
    # An unmatched quote in a plain scalar, then brackets nested as deep as fit.
    head = 'id: worst\ntitle: the "best plan\nx: '
    half = (yaml_limit - len(head) - 1) // 2
    text = document(head, "", "[" * half + "]" * half + "\n")
elif case == "long-block-list":
    text = document("id: worst\nrelated:\n", "  - cs\n", "")
elif case == "long-flow-list":
    text = document("id: worst\nrelated: [cs", ", cs", "]\n")
elif case == "many-key-results":
    # Every key result is overdue, so the rules locate each one.
    text = document("id: worst\nkind: objective\nparent: cs\nkey_results:\n",
                    "  - {metric: cs, target: 5, by: 2020-01-01}\n", "")
elif case == "many-unknown-keys":
    # Every key under `success:` is unknown, so each is located for its warning.
    head = "id: worst\nsuccess:\n"
    room = yaml_limit - len(head)
    keys, n = [], 0
    while room > 0:
        line = f"  k{n}: 1\n"
        room -= len(line)
        if room > 0:
            keys.append(line)
        n += 1
    text = document(head + "".join(keys), "", "")
elif case == "prose-with-links":
    text = "---\nid: worst\n---\n" + fill(prose, limit - 20)
elif case == "links-on-one-line":
    text = "---\nid: worst\n---\n" + fill("[[cs]] ", limit - 20) + "\n"
elif case == "links-on-own-lines":
    text = "---\nid: worst\n---\n" + fill("[[cs]]\n", limit - 20)
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
