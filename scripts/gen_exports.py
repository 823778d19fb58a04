#!/usr/bin/env python3
"""Write tracker exports of N items beside a generated corpus, for the
trackers' benchmark (scripts/bench-trackers.sh).

usage: gen_exports.py N DIR [--objectives K] [--seed S]

Half the items go to DIR/work/github-issues.json, shaped as
`gh issue list --json number,title,state,stateReason,labels,assignees,milestone,url,createdAt,closedAt,body`
writes it; half to DIR/work/jira.csv, shaped as Jira's Export -> CSV (all
fields) writes it (a BOM, CRLF, repeated Labels and Sprint columns, quoted
newlines). About 70% name an objective `obj-0` .. `obj-(K-1)` (the ids
gen_corpus.py makes: K is N_DOCS / 4) by a `tl:` label or `[[id]]`, 10%
are labelled unplanned. The entries are appended to DIR/throughline.yaml.
The same N and seed always give the same files.
"""
import argparse, csv, io, json, os, random

p = argparse.ArgumentParser()
p.add_argument("n", type=int)
p.add_argument("dir")
p.add_argument("--objectives", type=int, default=2500)
p.add_argument("--seed", type=int, default=7)
a = p.parse_args()
r = random.Random(a.seed)
os.makedirs(os.path.join(a.dir, "work"), exist_ok=True)
words = "ledger payout retry webhook latency merchant rail refund export report alert queue".split()

def title():
    return " ".join(r.choice(words) for _ in range(r.randint(3, 7))).capitalize()

half = a.n // 2
issues = []
for i in range(half):
    labels = []
    body = "Steps:\r\n1. " + title()
    x = r.random()
    if x < 0.4:
        labels.append({"id": f"LA_{i}", "name": f"tl:obj-{r.randrange(a.objectives)}", "description": "", "color": "ededed"})
    elif x < 0.7:
        body += f"\r\nServes [[obj-{r.randrange(a.objectives)}]]."
    if r.random() < 0.1:
        labels.append({"id": f"LU_{i}", "name": "unplanned", "description": "", "color": "d93f0b"})
    closed = r.random() < 0.6
    month = r.randint(1, 12)
    issues.append({
        "assignees": [{"id": f"U_{i % 97}", "login": f"dev{i % 97}", "name": ""}] if r.random() < 0.8 else [],
        "body": body,
        "closedAt": f"2026-{month:02d}-20T10:00:00Z" if closed else None,
        "createdAt": f"2026-{month:02d}-02T10:00:00Z",
        "labels": labels,
        "milestone": None,
        "number": i + 1,
        "state": "CLOSED" if closed else "OPEN",
        "stateReason": "COMPLETED" if closed else "",
        "title": title(),
        "url": f"https://github.com/acme/app/issues/{i + 1}",
    })
with open(os.path.join(a.dir, "work", "github-issues.json"), "w") as f:
    json.dump(issues, f, indent=2)

header = ["Summary", "Issue key", "Issue id", "Issue Type", "Status", "Status Category", "Assignee",
          "Created", "Resolved", "Labels", "Labels", "Sprint", "Sprint", "Description", "Parent",
          "Custom field (Epic Link)", "Custom field (Story Points)"]
buf = io.StringIO()
w = csv.writer(buf, lineterminator="\r\n")
w.writerow(header)
statuses = [("To Do", "To Do"), ("In Progress", "In Progress"), ("Done", "Done")]
for i in range(a.n - half):
    status, category = r.choice(statuses)
    labels = ["", ""]
    description = title() + "\n" + title()
    x = r.random()
    if x < 0.4:
        labels[0] = f"tl:obj-{r.randrange(a.objectives)}"
    elif x < 0.7:
        description += f" [[obj-{r.randrange(a.objectives)}]]"
    if r.random() < 0.1:
        labels[1] = "interrupt"
    month = r.choice(["Jan", "Apr", "Jul", "Oct"])
    w.writerow([title(), f"PAY-{i + 1}", str(100000 + i), "Story", status, category,
                f"Dev {i % 53}" if r.random() < 0.8 else "", f"03/{month}/26 9:05 AM",
                f"20/{month}/26 4:30 PM" if status == "Done" else "", labels[0], labels[1],
                f"PAY Sprint 2026-Q{r.randint(1, 4)} 1", "", description, "", "", str(r.choice([1, 2, 3, 5, 8]))])
with open(os.path.join(a.dir, "work", "jira.csv"), "wb") as f:
    f.write(b"\xef\xbb\xbf" + buf.getvalue().encode("utf-8"))

with open(os.path.join(a.dir, "throughline.yaml"), "a") as f:
    f.write("\ntrackers:\n  - file: work/github-issues.json\n    format: github\n"
            "  - file: work/jira.csv\n    format: jira\n    url: https://acme.atlassian.net/browse/\n")
