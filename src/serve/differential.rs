//! Differential test of the incremental engine: random edits on a copy of a
//! site, each followed by [`LiveSite::update`] as the watcher would call it,
//! compared with a [`LiveSite::start`] from scratch of the same folder.
//!
//! What is compared after every step: the problem served over the pages
//! (none, or the same summary and the same error diagnostics), the number of
//! documents and every finding. When neither has a problem, every
//! served path and its bytes are compared too. When both have one, the pages
//! are not: a build with errors keeps serving the last good pages, while a
//! fresh start with errors has none, so there is nothing to compare them
//! with; the step that fixes the errors compares them again. A fresh start
//! of content-example takes a few tens of milliseconds in a debug build, so
//! every step is compared in full.
//!
//! The seed and the step are printed on failure; replay with
//! `THROUGHLINE_DIFF_SEED=<seed> THROUGHLINE_DIFF_EDITS=<n> cargo test --lib
//! serve::differential::long -- --ignored --nocapture`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::session::tests::{assert_same_served, copy_dir, options};
use super::session::{LiveSite, Problem};

/// A small deterministic generator (splitmix64): the same seed gives the same edits everywhere.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n`; `n` must not be 0.
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// True `percent` times in a hundred.
    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}

/// A document file as it is on disk now.
struct DocFile {
    rel: String,
    text: String,
    id: Option<String>,
    kind: Option<String>,
}

impl DocFile {
    fn is(&self, kind: &str) -> bool {
        self.kind.as_deref() == Some(kind)
    }
}

/// The Markdown files of the site, sorted by path (hidden folders, `templates/` and the ignored README left out).
fn documents(root: &Path) -> Vec<DocFile> {
    let mut docs: Vec<DocFile> = walkdir::WalkDir::new(root)
        .into_iter()
        // The temporary root's own name starts with a dot.
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'))
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .filter_map(|e| {
            let rel = e
                .path()
                .strip_prefix(root)
                .ok()?
                .to_string_lossy()
                .into_owned();
            if !rel.ends_with(".md") || rel == "README.md" || rel.starts_with("templates/") {
                return None;
            }
            let text = std::fs::read_to_string(e.path()).ok()?;
            let field = |key: &str| {
                front_matter_lines(&text)?
                    .iter()
                    .find_map(|l| l.strip_prefix(&format!("{key}: ")).map(str::to_string))
            };
            let (id, kind) = (field("id"), field("kind"));
            Some(DocFile {
                rel,
                text,
                id,
                kind,
            })
        })
        .collect();
    docs.sort_by(|a, b| a.rel.cmp(&b.rel));
    docs
}

/// Every file under `root`, by relative path: the site as it was at a step without errors.
fn files(root: &Path) -> BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(root)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .filter_map(|e| {
            let rel = e
                .path()
                .strip_prefix(root)
                .ok()?
                .to_string_lossy()
                .into_owned();
            Some((rel, std::fs::read(e.path()).ok()?))
        })
        .collect()
}

/// The lines between the front matter fences, if the text starts with one.
fn front_matter_lines(text: &str) -> Option<Vec<&str>> {
    let rest = text.strip_prefix("---\n")?;
    let end = rest.find("\n---\n")?;
    Some(rest[..end].lines().collect())
}

/// `lines` with the top-level `key:` (and the indented lines that continue
/// it) replaced by `key: value`, or removed when `value` is `None`; a new key
/// goes at the end.
fn set_key(lines: &[&str], key: &str, value: Option<&str>) -> Vec<String> {
    let prefix = format!("{key}:");
    let mut out: Vec<String> = Vec::new();
    let mut at = None;
    let mut skipping = false;
    for line in lines {
        if skipping && (line.starts_with(' ') || line.starts_with('-')) {
            continue;
        }
        skipping = false;
        if line.starts_with(&prefix) && at.is_none() {
            at = Some(out.len());
            skipping = true;
            continue;
        }
        out.push(line.to_string());
    }
    if let Some(value) = value {
        let line = format!("{key}: {value}");
        out.insert(at.unwrap_or(out.len()), line);
    }
    out
}

/// `text` with a front matter field set or removed; `None` if it has no front matter.
fn set_field(text: &str, key: &str, value: Option<&str>) -> Option<String> {
    let lines = front_matter_lines(text)?;
    let rest = &text[4..];
    let body = &rest[rest.find("\n---\n")? + 5..];
    let mut out = String::from("---\n");
    for line in set_key(&lines, key, value) {
        out.push_str(&line);
        out.push('\n');
    }
    out.push_str("---\n");
    out.push_str(body);
    Some(out)
}

/// Every valid `status:`.
const STATUSES: &[&str] = &[
    "proposed",
    "discovery",
    "committed",
    "in-progress",
    "done",
    "dropped",
    "active",
    "archived",
];

/// Kinds a new document can have, with the kinds its parent may have (empty: none).
const NEW_KINDS: &[(&str, &[&str])] = &[
    ("bet", &["product-strategy"]),
    ("objective", &["bet", "product-strategy"]),
    ("work", &["objective", "bet", "experiment"]),
    ("opportunity", &["outcome", "opportunity"]),
    ("team", &[]),
    ("page", &[]),
    ("metric", &[]),
];

/// Health rules whose level a config edit sets (`deny` turns their warnings into errors).
const RULES: &[&str] = &[
    "stale",
    "orphan",
    "too-many-bets",
    "no-dhm",
    "overhead-heavy",
    "drift",
    "missing-instrumentation",
];

/// One step's edits on disk: what each did, and the paths a watcher would report.
struct Step {
    what: Vec<String>,
    changed: Vec<PathBuf>,
}

/// Makes random edits on the site at `root`.
struct Editor {
    rng: Rng,
    root: PathBuf,
    /// The number of documents at the start: deletions stop below two thirds of it.
    initial: usize,
    /// Makes every new name, title and sentence unique.
    serial: usize,
}

impl Editor {
    fn new(root: &Path, seed: u64) -> Editor {
        Editor {
            rng: Rng(seed),
            root: root.to_path_buf(),
            initial: documents(root).len(),
            serial: 0,
        }
    }

    /// Makes one to three edits.
    fn step(&mut self) -> Step {
        let mut step = Step {
            what: Vec::new(),
            changed: Vec::new(),
        };
        let edits = 1 + self.rng.below(3);
        for _ in 0..edits {
            self.serial += 1;
            let docs = documents(&self.root);
            self.edit(&docs, &mut step);
        }
        step
    }

    /// Puts every file back as it is in `good`, as a `git checkout` of many files would.
    fn restore(&mut self, good: &BTreeMap<String, Vec<u8>>) -> Step {
        let mut step = Step {
            what: vec!["every file restored to the last step without errors".into()],
            changed: Vec::new(),
        };
        for rel in files(&self.root)
            .keys()
            .filter(|rel| !good.contains_key(*rel))
        {
            let path = self.root.join(rel);
            std::fs::remove_file(&path).expect("rm");
            step.changed.push(path);
        }
        let now = files(&self.root);
        for (rel, bytes) in good {
            if now.get(rel) != Some(bytes) {
                self.write(rel, bytes, &mut step);
            }
        }
        step
    }

    fn write(&self, rel: &str, text: impl AsRef<[u8]>, step: &mut Step) {
        let path = self.root.join(rel);
        if let Some(folder) = path.parent() {
            if !folder.exists() {
                std::fs::create_dir_all(folder).expect("mkdir");
                step.changed.push(folder.to_path_buf());
            }
        }
        std::fs::write(&path, text).expect("write");
        step.changed.push(path);
    }

    fn ids<'a>(&self, docs: &'a [DocFile]) -> Vec<&'a str> {
        docs.iter().filter_map(|d| d.id.as_deref()).collect()
    }

    /// An id to link to: mostly one that exists, sometimes one that does not.
    fn some_id(&mut self, docs: &[DocFile], missing_percent: usize) -> String {
        let ids = self.ids(docs);
        if ids.is_empty() || self.rng.chance(missing_percent) {
            return format!("no-such-{}", self.serial);
        }
        self.rng.pick(&ids).to_string()
    }

    fn edit(&mut self, docs: &[DocFile], step: &mut Step) {
        let roll = self.rng.below(100);
        match roll {
            0..=44 => self.front_matter_edit(docs, step),
            45..=69 => self.body_edit(docs, step),
            70..=77 => self.add_file(docs, step),
            78..=81 => self.remove_file(docs, step),
            82..=88 => self.rename_file(docs, step),
            89..=90 => self.rename_folder(docs, step),
            91..=95 => self.config_edit(step),
            _ => self.template_edit(step),
        }
    }

    fn front_matter_edit(&mut self, docs: &[DocFile], step: &mut Step) {
        let with_fm: Vec<&DocFile> = docs.iter().filter(|d| d.id.is_some()).collect();
        if with_fm.is_empty() {
            return self.add_file(docs, step);
        }
        let doc = *self.rng.pick(&with_fm);
        let n = self.serial;
        let (key, value): (&str, Option<String>) = match self.rng.below(17) {
            15 => ("id", Some(format!("renamed-{n}"))),
            16 => {
                let kinds = [
                    "bet",
                    "objective",
                    "work",
                    "page",
                    "metric",
                    "team",
                    "review",
                ];
                ("kind", Some(self.rng.pick(&kinds).to_string()))
            }
            0 | 1 => ("title", Some(format!("Edited title {n}"))),
            13 => {
                // An experiment's result, which its outcome's opportunity solution tree shows.
                let experiments: Vec<&DocFile> =
                    docs.iter().filter(|d| d.is("experiment")).collect();
                if experiments.is_empty() {
                    return;
                }
                let experiment = *self.rng.pick(&experiments);
                let result = ["validated", "invalidated", "inconclusive"];
                let value = (!self.rng.chance(20)).then(|| self.rng.pick(&result).to_string());
                return self.set(experiment, "result", value.as_deref(), step);
            }
            14 => ("draft", self.rng.chance(50).then(|| "true".to_string())),
            2 => ("status", Some(self.rng.pick(STATUSES).to_string())),
            3 | 4 => {
                // Mostly a kind the schema allows, else any document (an invalid parent or a cycle).
                let allowed = NEW_KINDS
                    .iter()
                    .find(|(k, _)| doc.is(k))
                    .map_or(&[][..], |(_, p)| *p);
                let valid: Vec<&str> = docs
                    .iter()
                    .filter(|d| d.kind.as_deref().is_some_and(|k| allowed.contains(&k)))
                    .filter_map(|d| d.id.as_deref())
                    .collect();
                let parent = if !valid.is_empty() && self.rng.chance(70) {
                    self.rng.pick(&valid).to_string()
                } else if self.rng.chance(20) {
                    return self.set(doc, "parent", None, step);
                } else {
                    self.some_id(docs, 10)
                };
                ("parent", Some(parent))
            }
            5 => {
                let value = (!self.rng.chance(20)).then(|| {
                    format!(
                        "{}-{:02}-{:02}",
                        2025 + self.rng.below(2),
                        1 + self.rng.below(12),
                        1 + self.rng.below(28)
                    )
                });
                ("reviewed", value)
            }
            6 => {
                let value = (!self.rng.chance(25))
                    .then(|| format!("{}-Q{}", 2026 + self.rng.below(2), 1 + self.rng.below(4)));
                ("quarter", value)
            }
            7 => {
                let teams: Vec<&str> = docs
                    .iter()
                    .filter(|d| d.is("team"))
                    .filter_map(|d| d.id.as_deref())
                    .collect();
                let value = if teams.is_empty() || self.rng.chance(25) {
                    None
                } else if self.rng.chance(10) {
                    Some(format!("no-such-team-{n}"))
                } else {
                    Some(self.rng.pick(&teams).to_string())
                };
                ("team", value)
            }
            8 | 9 => {
                let key = *self.rng.pick(&["related", "supports"]);
                let value = (!self.rng.chance(30)).then(|| {
                    let count = 1 + self.rng.below(2);
                    let ids: Vec<String> = (0..count).map(|_| self.some_id(docs, 5)).collect();
                    format!("[{}]", ids.join(", "))
                });
                (key, value)
            }
            10 => {
                // A review's coverage, which moves the covered documents' next review.
                let reviews: Vec<&DocFile> = docs.iter().filter(|d| d.is("review")).collect();
                if reviews.is_empty() || self.rng.chance(20) {
                    return self.add_review(docs, step);
                }
                let review = *self.rng.pick(&reviews);
                if self.rng.chance(40) {
                    let date = format!(
                        "2026-{:02}-{:02}",
                        1 + self.rng.below(11),
                        1 + self.rng.below(28)
                    );
                    return self.set(review, "date", Some(&date), step);
                }
                let count = self.rng.below(4);
                let ids: Vec<String> = (0..count).map(|_| self.some_id(docs, 5)).collect();
                return self.set(
                    review,
                    "covers",
                    Some(&format!("[{}]", ids.join(", "))),
                    step,
                );
            }
            11 => {
                // A metric's check-ins, which the goals that read it show.
                let metrics: Vec<&DocFile> = docs.iter().filter(|d| d.is("metric")).collect();
                if metrics.is_empty() {
                    return;
                }
                let metric = *self.rng.pick(&metrics);
                let value = format!(
                    "\n  - {{date: 2026-09-01, value: {}}}\n  - {{date: 2026-{:02}-01, value: {}}}",
                    self.rng.below(100),
                    10 + self.rng.below(2),
                    self.rng.below(100)
                );
                return self.set(metric, "checkins", Some(&value), step);
            }
            _ => {
                // A bet's success criteria: the metric it reads and the target its chart shows.
                let bets: Vec<&DocFile> = docs.iter().filter(|d| d.is("bet")).collect();
                let metrics: Vec<&str> = docs
                    .iter()
                    .filter(|d| d.is("metric"))
                    .filter_map(|d| d.id.as_deref())
                    .collect();
                if bets.is_empty() || metrics.is_empty() {
                    return;
                }
                let bet = *self.rng.pick(&bets);
                let value = format!(
                    "\n  outcome: Outcome {n}\n  metric: {}\n  baseline: {}\n  target: {}",
                    self.rng.pick(&metrics),
                    self.rng.below(50),
                    50 + self.rng.below(50)
                );
                return self.set(bet, "success", Some(&value), step);
            }
        };
        self.set(doc, key, value.as_deref(), step);
    }

    fn set(&mut self, doc: &DocFile, key: &str, value: Option<&str>, step: &mut Step) {
        if let Some(text) = set_field(&doc.text, key, value) {
            step.what.push(format!("{}: {key} = {value:?}", doc.rel));
            self.write(&doc.rel, &text, step);
        }
    }

    fn add_review(&mut self, docs: &[DocFile], step: &mut Step) {
        let n = self.serial;
        let covers: Vec<String> = (0..1 + self.rng.below(3))
            .map(|_| self.some_id(docs, 0))
            .collect();
        let rel = format!("reviews/review-new-{n}.md");
        let text = format!(
            "---\nid: review-new-{n}\nkind: review\ntitle: Review {n}\ndate: 2026-11-{:02}\ncovers: [{}]\n---\nA review.\n",
            1 + self.rng.below(20),
            covers.join(", ")
        );
        step.what.push(format!("{rel}: new review"));
        self.write(&rel, &text, step);
    }

    fn body_edit(&mut self, docs: &[DocFile], step: &mut Step) {
        if docs.is_empty() {
            return self.add_file(docs, step);
        }
        let doc = self.rng.pick(docs);
        let n = self.serial;
        let (what, addition) = match self.rng.below(7) {
            0 | 1 => ("a sentence", format!("\nA sentence written in edit {n}.\n")),
            2 => ("a heading", format!("\n## Heading {n}\n\nText.\n")),
            3 | 4 => {
                let id = self.some_id(docs, 15);
                ("an id link", format!("\nSee [[{id}]].\n"))
            }
            5 => {
                // A path link from this file to another one (or to one that does not exist).
                let other = self.rng.pick(docs);
                let depth = doc.rel.matches('/').count();
                let target = if self.rng.chance(15) {
                    format!("missing-{n}.md")
                } else {
                    format!("{}{}", "../".repeat(depth), other.rel)
                };
                ("a path link", format!("\nAlso [this]({target}).\n"))
            }
            _ => {
                let block = "\n```rust\nfn main() {}\n```\n";
                if doc.text.contains(block) {
                    let text = doc.text.replacen(block, "\n", 1);
                    step.what.push(format!("{}: code block removed", doc.rel));
                    return self.write(&doc.rel, &text, step);
                }
                ("a code block", block.to_string())
            }
        };
        step.what.push(format!("{}: body gets {what}", doc.rel));
        let text = format!("{}{addition}", doc.text);
        self.write(&doc.rel, &text, step);
    }

    fn add_file(&mut self, docs: &[DocFile], step: &mut Step) {
        let n = self.serial;
        let (kind, parents) = *self.rng.pick(NEW_KINDS);
        let candidates: Vec<&str> = docs
            .iter()
            .filter(|d| d.kind.as_deref().is_some_and(|k| parents.contains(&k)))
            .filter_map(|d| d.id.as_deref())
            .collect();
        let mut fields = format!("id: new-{kind}-{n}\nkind: {kind}\ntitle: New {kind} {n}\n");
        if !candidates.is_empty() {
            fields.push_str(&format!("parent: {}\n", self.rng.pick(&candidates)));
        }
        if self.rng.chance(50) {
            fields.push_str(&format!(
                "reviewed: 2026-11-{:02}\n",
                1 + self.rng.below(20)
            ));
        }
        if self.rng.chance(30) {
            fields.push_str("status: committed\n");
        }
        let folders: Vec<&str> = docs
            .iter()
            .filter_map(|d| d.rel.rsplit_once('/').map(|(f, _)| f))
            .collect();
        let folder = if folders.is_empty() || self.rng.chance(30) {
            format!("new-{n}/deeper")
        } else {
            self.rng.pick(&folders).to_string()
        };
        let link = self.some_id(docs, 5);
        let rel = format!("{folder}/new-{kind}-{n}.md");
        step.what.push(format!("{rel}: new {kind}"));
        let text = format!("---\n{fields}---\nNew, linked to [[{link}]].\n");
        self.write(&rel, &text, step);
    }

    fn remove_file(&mut self, docs: &[DocFile], step: &mut Step) {
        if docs.len() * 3 < self.initial * 2 || docs.is_empty() {
            return self.add_file(docs, step);
        }
        let doc = self.rng.pick(docs);
        step.what.push(format!("{}: removed", doc.rel));
        let path = self.root.join(&doc.rel);
        std::fs::remove_file(&path).expect("rm");
        step.changed.push(path);
    }

    fn rename_file(&mut self, docs: &[DocFile], step: &mut Step) {
        if docs.is_empty() {
            return self.add_file(docs, step);
        }
        let doc = self.rng.pick(docs);
        let n = self.serial;
        let name = doc.rel.rsplit('/').next().unwrap_or(&doc.rel);
        let to = if self.rng.chance(50) {
            format!("moved-{n}/{name}")
        } else {
            match doc.rel.rsplit_once('/') {
                Some((folder, _)) => format!("{folder}/r{n}-{name}"),
                None => format!("r{n}-{name}"),
            }
        };
        step.what.push(format!("{} renamed to {to}", doc.rel));
        let (from, to_path) = (self.root.join(&doc.rel), self.root.join(&to));
        if let Some(folder) = to_path.parent() {
            if !folder.exists() {
                std::fs::create_dir_all(folder).expect("mkdir");
                step.changed.push(folder.to_path_buf());
            }
        }
        std::fs::rename(&from, &to_path).expect("rename");
        step.changed.push(from);
        step.changed.push(to_path);
    }

    fn rename_folder(&mut self, docs: &[DocFile], step: &mut Step) {
        let folders: Vec<&str> = docs
            .iter()
            .filter_map(|d| d.rel.split_once('/').map(|(f, _)| f))
            .collect();
        if folders.is_empty() {
            return self.rename_file(docs, step);
        }
        let from = *self.rng.pick(&folders);
        let to = format!("{from}-r{}", self.serial);
        step.what.push(format!("folder {from}/ renamed to {to}/"));
        std::fs::rename(self.root.join(from), self.root.join(&to)).expect("rename");
        step.changed.push(self.root.join(from));
        step.changed.push(self.root.join(&to));
    }

    fn config_edit(&mut self, step: &mut Step) {
        let rel = "throughline.yaml";
        let text = std::fs::read_to_string(self.root.join(rel)).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        let n = self.serial;
        let (key, value) = match self.rng.below(4) {
            0 => ("title", Some(format!("Site title {n}"))),
            1 => {
                // 0 is refused: the config error stops the whole build.
                let max = if self.rng.chance(10) {
                    0
                } else {
                    1 + self.rng.below(5)
                };
                ("max_bets_per_quarter", Some(max.to_string()))
            }
            _ => {
                let value = (!self.rng.chance(25)).then(|| {
                    let level = self.rng.pick(&["allow", "warn", "deny"]);
                    format!("\n  {}: {level}", self.rng.pick(RULES))
                });
                ("rules", value)
            }
        };
        step.what.push(format!("{rel}: {key} = {value:?}"));
        let mut out = String::new();
        for line in set_key(&lines, key, value.as_deref()) {
            out.push_str(&line);
            out.push('\n');
        }
        self.write(rel, &out, step);
    }

    fn template_edit(&mut self, step: &mut Step) {
        let rel = "templates/page.html";
        let path = self.root.join(rel);
        if path.exists() && self.rng.chance(60) {
            step.what.push(format!("{rel}: removed"));
            std::fs::remove_file(&path).expect("rm");
            step.changed.push(path);
            return;
        }
        let default =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default/templates/page.html");
        let text = std::fs::read_to_string(default).expect("default page template");
        let marker = format!(
            "<p class=\"marker\">override {}</p>\n{{% endblock content %}}",
            self.serial
        );
        let text = text.replacen("{% endblock content %}", &marker, 1);
        step.what.push(format!("{rel}: override with a marker"));
        self.write(rel, &text, step);
    }
}

/// The problem `live` serves over its pages.
fn problem(live: &LiveSite) -> Option<Problem> {
    live.served().read().expect("lock").problem.clone()
}

/// Runs `edits` random steps from `seed` on a copy of `site`, comparing with a fresh start after each.
fn run(site: &str, seed: u64, edits: usize) {
    let dir = copy_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join(site));
    let root = dir.path();
    let (mut live, first) = LiveSite::start(options(root), false);
    assert!(
        first.problem.is_none(),
        "{site} starts clean: {:?}",
        first.problem
    );
    let trace = std::env::var_os("THROUGHLINE_DIFF_TRACE").is_some();
    let mut editor = Editor::new(root, seed);
    let mut history: Vec<String> = Vec::new();
    let mut good = files(root);
    let mut had_problem = false;
    for n in 1..=edits {
        // Errors are sticky (a broken link stays until someone fixes it): most steps after one
        // go back to the last site without errors, the others keep editing the broken site.
        let step = if had_problem && editor.rng.chance(60) {
            editor.restore(&good)
        } else {
            editor.step()
        };
        history.push(format!("step {n}: {}", step.what.join("; ")));
        let context = || {
            let recent: Vec<&str> = history
                .iter()
                .rev()
                .take(8)
                .rev()
                .map(String::as_str)
                .collect();
            format!(
                "{site}, seed {seed}, step {n} of {edits}; the last steps:\n  {}",
                recent.join("\n  ")
            )
        };
        let outcome = live.update(&step.changed);
        let (fresh, fresh_outcome) = LiveSite::start(options(root), false);
        let ours = problem(&live);
        assert_eq!(ours, problem(&fresh), "different problems: {}", context());
        // An update that found nothing to do reports no counts; the site's are unchanged then.
        if !outcome.changed.is_empty() {
            assert_eq!(
                (outcome.documents, outcome.counts),
                (fresh_outcome.documents, fresh_outcome.counts),
                "different documents or findings: {}",
                context()
            );
        }
        // Every finding, not only their counts: the live site keeps the
        // per-document findings of documents its edits cannot reach.
        assert_eq!(
            findings(&live),
            findings(&fresh),
            "different findings: {}",
            context()
        );
        // With errors, the live site keeps its last good pages and a fresh start has none.
        if ours.is_none() {
            assert_same_served(&live, &fresh, &context());
            good = files(root);
        }
        if trace {
            let first_line = ours.as_ref().and_then(|p| p.details.lines().next());
            println!("{} | problem: {first_line:?}", history[n - 1]);
        }
        had_problem = ours.is_some();
    }
}

/// The diagnostics of the site `live` last analysed, if one loaded.
fn findings(live: &LiveSite) -> Option<Vec<crate::diagnostics::Diagnostic>> {
    live.site().map(|site| site.diagnostics.clone())
}

fn env_number(name: &str) -> Option<u64> {
    std::env::var(name).ok().and_then(|v| v.trim().parse().ok())
}

#[test]
fn random_edits_to_the_example_serve_what_a_fresh_start_would() {
    run("content-example", 0x7468_726f_7567_6801, 300);
}

#[test]
fn random_edits_to_the_healthy_fixture_serve_what_a_fresh_start_would() {
    run("tests/fixtures/healthy", 0x7468_726f_7567_6802, 200);
}

/// The long run: `THROUGHLINE_DIFF_EDITS` steps (default 2,000) from `THROUGHLINE_DIFF_SEED`
/// (default: from the clock, printed) on `THROUGHLINE_DIFF_SITE` (default `content-example`).
#[test]
#[ignore = "minutes long; run with --ignored"]
fn long() {
    let seed = env_number("THROUGHLINE_DIFF_SEED").unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(1, |d| d.as_nanos() as u64)
    });
    let edits = env_number("THROUGHLINE_DIFF_EDITS").unwrap_or(2_000) as usize;
    let site = std::env::var("THROUGHLINE_DIFF_SITE").unwrap_or_else(|_| "content-example".into());
    println!("differential run on {site}: seed {seed}, {edits} edits");
    run(&site, seed, edits);
}
