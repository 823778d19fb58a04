#!/usr/bin/env bash
# Writes a site whose pages form one parent chain N deep under a company
# strategy, the input that once overflowed the stack (issue #13, item 2):
#
#   scripts/deep-chain.sh 100000 /tmp/deep && time target/release/throughline check /tmp/deep
#
# Chains deeper than 64 levels are `deep-chain` errors, cut every 65 levels.
set -euo pipefail
n="${1:?usage: deep-chain.sh N DIR}"
dir="${2:?usage: deep-chain.sh N DIR}"
mkdir -p "$dir/chain"
printf -- '---\nid: cs\nkind: company-strategy\nreviewed: 2026-11-01\n---\n# Strategy\n' > "$dir/cs.md"
python3 - "$n" "$dir" <<'PY'
import sys
n, root = int(sys.argv[1]), sys.argv[2]
parent = "cs"
for i in range(n):
    with open(f"{root}/chain/p{i:06}.md", "w") as f:
        f.write(f"---\nid: p{i}\nkind: page\nparent: {parent}\n---\n# Page {i}\n")
    parent = f"p{i}"
PY
echo "wrote $n chained pages under $dir"
