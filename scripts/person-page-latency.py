#!/usr/bin/env python3
"""Times a person's page under `throughline serve` after an edit.

    scripts/person-page-latency.py BINARY CORPUS [EDITS]

CORPUS is a corpus with people (scripts/people-corpus.py). Starts
`BINARY serve CORPUS`, then EDITS times (default 10) changes the title of a
document owned by a person and requests that person's page until it shows
the new title: the time from the write to the page that has it, as a reader
of `people/<id>/` sees it. Prints each time and the median. A figure for
docs/performance.md, never a test. With PAGE=own in the environment it
requests the edited document's own page instead: the same measure on a
page every site has, to compare under the same load.
"""
import http.client
import os
import re
import statistics
import subprocess
import sys
import time


def main():
    binary, corpus = sys.argv[1], sys.argv[2]
    edits = int(sys.argv[3]) if len(sys.argv) > 3 else 10
    serve = subprocess.Popen(
        [binary, "serve", "--port", "0", "--today", "2026-11-24", corpus],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )
    address = None
    for line in serve.stdout:
        m = re.search(r"http://([^/]+)/", line)
        if m:
            address = m.group(1)
            break
    host, port = address.split(":")
    owned = []
    for folder in ("work", "objectives", "bets"):
        for name in sorted(os.listdir(os.path.join(corpus, folder))):
            path = os.path.join(corpus, folder, name)
            text = open(path).read()
            m = re.search(r"^owner: Owner (\d+)$", text, re.M)
            ident = re.search(r"^id: (\S+)$", text, re.M)
            if m and ident:
                owned.append((path, int(m.group(1)), ident.group(1)))
    step = max(1, len(owned) // edits)
    times = []
    try:
        own = os.environ.get("PAGE") == "own"
        for n, (path, person, ident) in enumerate(owned[::step][:edits]):
            page = f"/{ident}/index.html" if own else f"/people/person-{person}/index.html"
            text = open(path).read()
            marker = f"Latency {n} {time.time_ns()}"
            new = re.sub(r'^title: "?', f'title: "{marker} ', text, count=1, flags=re.M)
            new = re.sub(rf'^title: "{marker} (.*?)"?$', rf'title: "{marker} \1"', new, count=1, flags=re.M)
            start = time.perf_counter()
            open(path, "w").write(new)
            while True:
                conn = http.client.HTTPConnection(host, int(port), timeout=10)
                conn.request("GET", page)
                body = conn.getresponse().read().decode()
                conn.close()
                if marker in body:
                    break
                if time.perf_counter() - start > 30:
                    raise SystemExit(f"edit {n}: the page did not change in 30 s")
                time.sleep(0.002)
            took = (time.perf_counter() - start) * 1000
            times.append(took)
            print(f"edit {n}: {page} shows it after {took:.0f} ms")
            time.sleep(0.3)
    finally:
        serve.kill()
    print(f"median {statistics.median(times):.0f} ms over {len(times)} edits")


if __name__ == "__main__":
    main()
