#!/usr/bin/env python3
"""Edit to served page, as a user sees it: `throughline serve` and `hugo server`
side by side in one run, on the same generated bodies and titles.

    scripts/serve-vs-hugo.py [--size 10000] [--edits 15]

Generates two corpora with ../shared/bench/gen_corpus.py (native and Hugo
flavour, same seed), starts both servers on loopback, waits until each has
built its site, then makes single-document edits taking turns between the
two: a title (front matter) and a sentence appended to the body. For each
edit it writes the file and polls the edited document's page over HTTP
every 2 ms until the page shows the change; the time from the write to that
response is the figure. Prints medians, ranges and the ratio
throughline / Hugo. Needs `hugo` on the PATH and the `dist` build
(`cargo build --profile dist`, as released).
"""

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GEN = os.path.join(ROOT, "..", "shared", "bench", "gen_corpus.py")
WORK = os.path.join(ROOT, "target", "bench", "serve-vs-hugo")
BINARY = os.path.join(ROOT, "target", "dist", "throughline")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url):
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return r.read().decode("utf-8", "replace")
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None


def wait_until(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    sys.exit(f"timed out waiting for {what}")


class Server:
    """One server and how to find a document's file and page."""

    def __init__(self, name, content, command, page_of):
        self.name, self.content, self.page_of = name, content, page_of
        self.process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()

    def edit(self, path, kind, n):
        """Makes edit `kind` number `n` to `path`; returns the marker the page must then show."""
        with open(path, encoding="utf-8") as f:
            text = f.read()
        marker = f"Edit{n}{kind}x{self.name}"
        if kind == "title":
            text = text.replace('title: "', f'title: "{marker} ', 1)
        else:
            text += f"\n{marker} appended in the benchmark.\n"
        started = time.monotonic()
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        return marker, started

    def measure(self, path, url, kind, n):
        marker, started = self.edit(path, kind, n)
        deadline = started + 30
        while time.monotonic() < deadline:
            page = fetch(url)
            if page is not None and marker in page:
                return (time.monotonic() - started) * 1000
            time.sleep(0.002)
        sys.exit(f"{self.name}: the page {url} never showed edit {n}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", type=int, default=10000)
    ap.add_argument("--edits", type=int, default=15)
    args = ap.parse_args()
    if shutil.which("hugo") is None:
        sys.exit("needs hugo on the PATH (Debian: apt-get install hugo)")
    if not os.path.exists(BINARY):
        sys.exit("needs the dist build: cargo build --profile dist")
    native = os.path.join(WORK, f"native-{args.size}")
    hugo = os.path.join(WORK, f"hugo-{args.size}")
    for flavor, folder in (("native", native), ("hugo", hugo)):
        shutil.rmtree(folder, ignore_errors=True)
        subprocess.run(
            [sys.executable, GEN, str(args.size), folder, "--flavor", flavor],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    tp, hp = free_port(), free_port()
    ours = Server(
        "throughline",
        native,  # the native corpus keeps its folders at the root
        [BINARY, "serve", "--port", str(tp), "--today", "2026-11-24", native],
        lambda doc: f"http://127.0.0.1:{tp}/{doc}/index.html",
    )
    theirs = Server(
        "hugo",
        os.path.join(hugo, "content"),
        ["hugo", "server", "--source", hugo, "--port", str(hp), "--bind", "127.0.0.1",
         "--disableFastRender", "--quiet"],
        lambda doc: f"http://127.0.0.1:{hp}/{folder_of(os.path.join(hugo, 'content'), doc)}/{doc}/",
    )
    try:
        wait_until(lambda: fetch(f"http://127.0.0.1:{tp}/index.html") is not None, 120, "throughline serve")
        wait_until(lambda: fetch(f"http://127.0.0.1:{hp}/") is not None, 300, "hugo server")
        # Documents spread over the kinds: every n-th file of the corpus.
        docs = sorted(
            os.path.splitext(f)[0]
            for _, _, files in os.walk(native)
            for f in files
            if f.endswith(".md")
        )
        step = max(1, len(docs) // args.edits)
        chosen = docs[::step][: args.edits]
        results = {}
        for kind in ("body", "title"):
            for server in (ours, theirs):
                results[(server.name, kind)] = []
            for n, doc in enumerate(chosen):
                for server in (ours, theirs):
                    path = os.path.join(server.content, folder_of(server.content, doc), f"{doc}.md")
                    ms = server.measure(path, server.page_of(doc), kind, n)
                    results[(server.name, kind)].append(ms)
                    # Let the watcher settle so edits do not merge into one batch.
                    time.sleep(0.3)
        print(f"edit to served page, {args.size} documents, {args.edits} edits each, medians (range):")
        for kind, label in (("title", "a title (front matter)"), ("body", "a sentence in the body")):
            t, h = results[("throughline", kind)], results[("hugo", kind)]
            print(
                f"  {label}: throughline {statistics.median(t):.0f} ms ({min(t):.0f}-{max(t):.0f}), "
                f"hugo server {statistics.median(h):.0f} ms ({min(h):.0f}-{max(h):.0f}), "
                f"ratio {statistics.median(t) / statistics.median(h):.2f} (target <= 0.25)"
            )
    finally:
        ours.stop()
        theirs.stop()


def folder_of(content, doc):
    """The folder under `content` that holds `doc` (the generator files them by kind)."""
    for folder in os.listdir(content):
        if os.path.exists(os.path.join(content, folder, f"{doc}.md")):
            return folder
    sys.exit(f"no {doc}.md under {content}")


if __name__ == "__main__":
    main()
