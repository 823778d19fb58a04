#!/usr/bin/env python3
"""Adds people and dependencies to a corpus made by gen_corpus.py.

    scripts/people-corpus.py DIR [PEOPLE] [DEPENDENCIES] [SEED]

Writes PEOPLE (default 500) person documents to DIR/people/, named
"Owner N" as gen_corpus.py names owners, with a handle each; spreads every
document's `owner:` over them (by file order, so every person owns
something); and adds DEPENDENCIES (default 2,000) `depends_on:` entries
between bets, objectives and work, each from a document to one later in
file order, so no cycle forms and the corpus still builds. A fifth carry
`needed_by`, some of them early enough to be at risk. Deterministic for a
seed. Used by scripts/bench.sh --people.
"""
import os
import random
import re
import sys


def main():
    root = sys.argv[1]
    people = int(sys.argv[2]) if len(sys.argv) > 2 else 500
    deps = int(sys.argv[3]) if len(sys.argv) > 3 else 2000
    rng = random.Random(int(sys.argv[4]) if len(sys.argv) > 4 else 36)
    os.makedirs(os.path.join(root, "people"), exist_ok=True)
    for i in range(people):
        with open(os.path.join(root, "people", f"person-{i}.md"), "w") as f:
            f.write(
                f"---\nid: person-{i}\nkind: person\ntitle: Owner {i}\n"
                f"role: Owner\nhandles: ['@owner{i}']\n---\n"
            )
    files = []
    for folder, _, names in sorted(os.walk(root)):
        for name in sorted(names):
            if name.endswith(".md") and "/people" not in folder:
                files.append(os.path.join(folder, name))
    waiting = []
    for n, path in enumerate(files):
        with open(path) as f:
            text = f.read()
        text = re.sub(r"^owner: .*$", f"owner: Owner {n % people}", text, count=1, flags=re.M)
        with open(path, "w") as f:
            f.write(text)
        kind = re.search(r"^kind: (\S+)", text, re.M)
        ident = re.search(r"^id: (\S+)", text, re.M)
        if kind and ident and kind.group(1) in ("bet", "objective", "work"):
            waiting.append((path, ident.group(1)))
    entries = {}
    for _ in range(deps):
        a = rng.randrange(len(waiting) - 1)
        b = rng.randrange(a + 1, len(waiting))
        entries.setdefault(a, []).append(b)
    for a, targets in entries.items():
        path, _ = waiting[a]
        lines = []
        for b in dict.fromkeys(targets):
            target = waiting[b][1]
            if rng.random() < 0.2:
                month = rng.randrange(1, 13)
                lines.append(f"  - {{id: {target}, needed_by: 2026-{month:02d}-15}}")
            else:
                lines.append(f"  - {target}")
        with open(path) as f:
            text = f.read()
        head, sep, rest = text[4:].partition("\n---\n")
        text = "---\n" + head + "\ndepends_on:\n" + "\n".join(lines) + sep + rest
        with open(path, "w") as f:
            f.write(text)


if __name__ == "__main__":
    main()
