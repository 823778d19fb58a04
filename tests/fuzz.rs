//! Seeded mutation testing (issue #13, "Fuzzing stays"): the documents of
//! `content-example/` are mutated, front matter and bodies, and every case is
//! checked and built in this process through the library functions the
//! `check` and `build` commands call. Each case must not panic, must explain
//! every refused build with an error diagnostic whose position exists, and
//! must finish (within a time limit, when one is set).
//!
//! Its own test binary rather than a module of `tests/testsuite/`, because:
//! - it runs the library in process, where the suite runs the real binary;
//! - it installs a process-wide panic hook to record each case's panic and
//!   stack, which would swallow the panics of the suite's other tests;
//! - cargo runs test binaries one after another, so its CPU-bound seconds do
//!   not compete with the suite's time-limited tests on a 2-core machine;
//! - `scripts/fuzz.sh` builds and runs only this binary in release
//!   (`cargo test --release --test fuzz`), without the command-line binary.
//!
//! `Cargo.toml` declares no `[[test]]` targets, so this file is discovered like
//! `tests/testsuite/main.rs`; the `[lib]`'s `doctest = false` does not concern it.
//!
//! Settings, all optional, from the environment:
//! - `THROUGHLINE_FUZZ_SEED`: base seed (decimal or `0x` hex); fixed by default,
//!   so `cargo test` is deterministic;
//! - `THROUGHLINE_FUZZ_CASES`: how many cases (default [`DEFAULT_CASES`]);
//! - `THROUGHLINE_FUZZ_CASE`: run only this case number (to reproduce one);
//! - `THROUGHLINE_FUZZ_CASE_MS`: a per-case time limit, a failure when
//!   exceeded; none by default, so `cargo test` does not depend on the
//!   machine's speed (`scripts/fuzz.sh` sets 5,000 ms, in release);
//! - `THROUGHLINE_FUZZ_CACHE_CASES`: how many cache mutations the last test
//!   makes (default [`DEFAULT_CACHE_CASES`]).
//!
//! A second test damages the output folder and plants forged staging
//! folders beside it (one case per 25 of `THROUGHLINE_FUZZ_CASES`); see
//! [`a_damaged_output_and_forged_leftovers_never_lead_a_build_astray`].
//!
//! A failing case is written as a whole site to `target/fuzz-failures/`, with
//! a `FAILURE.txt` naming the seed, the case and its mutations, so
//! `throughline check target/fuzz-failures/<case>` reproduces it. A hang
//! cannot be caught: a watchdog saves a case still running ten times past the
//! limit (a minute at least) the same way, names it, and ends the process.

use std::collections::HashSet;
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use throughline::diagnostics::{self, Counts, Diagnostic, HumanStyle, Severity};
use throughline::render::{self, theme::Theme};
use throughline::source::SourceFile;
use throughline::{Inputs, LoadOptions, Site};

/// Cases in a plain `cargo test`: about 20 s in a debug build on 2 cores.
const DEFAULT_CASES: u64 = 300;
/// The base seed of a plain `cargo test` ("throughl").
const DEFAULT_SEED: u64 = 0x7468_726f_7567_686c;
/// Every Nth case, and every case with invalid UTF-8, is also written to a
/// temporary folder and loaded and built from disk (the walk, the reads, the
/// output swap); writing every case would cost more than the analysis itself.
const DISK_EVERY: u64 = 10;
/// Every Nth case is analysed (and, when it builds, rendered) twice, to check
/// that the same input gives the same diagnostics and the same bytes.
const DETERMINISM_EVERY: u64 = 7;
/// How many failing cases are collected before the run stops.
const MAX_FAILURES: usize = 20;
/// The date every case is judged on (content-example is current on it).
const TODAY: &str = "2026-11-24";

#[test]
fn mutated_sites_never_panic_and_explain_every_failure() {
    let settings = Settings::from_env();
    let corpus = Corpus::load();
    let runner = Runner::new(&corpus, &corpus.config_text);
    let watchdog = Watchdog::start(&settings, &corpus.config_text);
    install_panic_recorder();

    let started = Instant::now();
    let mut stats = Stats::default();
    let mut failures: Vec<String> = Vec::new();
    let range = match settings.only {
        Some(n) => n..n + 1,
        None => 0..settings.cases,
    };
    for n in range {
        let case = Case::generate(&corpus, settings.seed, n);
        watchdog.watch(n, &case);
        let case_started = Instant::now();
        PANIC.lock().unwrap_or_else(|e| e.into_inner()).take();
        IN_CASE.store(true, Ordering::SeqCst);
        let outcome = panic::catch_unwind(AssertUnwindSafe(|| runner.run(n, &case)));
        IN_CASE.store(false, Ordering::SeqCst);
        let took = case_started.elapsed();
        watchdog.clear();
        stats.cases += 1;
        let problem = match outcome {
            Ok(Ok(report)) => {
                stats.add(n, &case, took, report);
                let limit = settings.case_limit.filter(|limit| took > *limit);
                limit.map(|limit| {
                    format!(
                        "took {} ms, over the {} ms limit",
                        took.as_millis(),
                        limit.as_millis()
                    )
                })
            }
            Ok(Err(problem)) => Some(problem),
            Err(payload) => Some(panic_report(payload)),
        };
        if let Some(problem) = problem {
            let dir = save_failure(&corpus.config_text, settings.seed, n, &case, &problem);
            failures.push(format!(
                "case {n} (THROUGHLINE_FUZZ_SEED={} THROUGHLINE_FUZZ_CASE={n}): {}\n  mutations: {}\n  input: {}",
                settings.seed,
                first_lines(&problem, 30),
                case.mutations.join("; "),
                dir.display()
            ));
            if failures.len() >= MAX_FAILURES {
                break;
            }
        }
    }
    eprintln!("{}", stats.summary(&settings, started.elapsed()));
    assert!(
        failures.is_empty(),
        "{} failing fuzz case(s), seed {}:\n\n{}",
        failures.len(),
        settings.seed,
        failures.join("\n\n")
    );
}

/// The markup check is only worth something if it sees what the renderer
/// writes when raw HTML is let through on purpose.
#[test]
fn the_markup_check_sees_raw_html_when_the_config_allows_it() {
    let corpus = Corpus::load();
    let mut case = Case {
        files: corpus.files.clone(),
        mutations: vec!["a script in the first body".into()],
        drafts: false,
    };
    case.files[0]
        .1
        .extend_from_slice(b"\n\n<script>alert(1)</script>\n");
    let safe = Runner::new(&corpus, &corpus.config_text);
    assert!(safe.run(1, &case).is_ok());
    let config = format!("{}\nmarkdown:\n  unsafe_html: true\n", corpus.config_text);
    let unsafe_html = Runner::new(&corpus, &config);
    let problem = unsafe_html
        .run(1, &case)
        .expect_err("raw HTML is let through");
    assert!(problem.contains("contains `<script>alert`"), "{problem}");
}

// ---------------------------------------------------------------------------
// Settings, corpus and randomness

struct Settings {
    seed: u64,
    cases: u64,
    only: Option<u64>,
    case_limit: Option<Duration>,
}

impl Settings {
    fn from_env() -> Settings {
        let number = |name: &str| -> Option<u64> {
            let v = std::env::var(name).ok()?;
            let v = v.trim();
            let parsed = match v.strip_prefix("0x") {
                Some(hex) => u64::from_str_radix(hex, 16),
                None => v.parse(),
            };
            Some(parsed.unwrap_or_else(|e| panic!("{name}={v}: {e}")))
        };
        Settings {
            seed: number("THROUGHLINE_FUZZ_SEED").unwrap_or(DEFAULT_SEED),
            cases: number("THROUGHLINE_FUZZ_CASES").unwrap_or(DEFAULT_CASES),
            only: number("THROUGHLINE_FUZZ_CASE"),
            case_limit: number("THROUGHLINE_FUZZ_CASE_MS").map(Duration::from_millis),
        }
    }
}

/// `content-example/` as bytes, the starting point of every case.
struct Corpus {
    root: PathBuf,
    config_text: String,
    files: Vec<(String, Vec<u8>)>,
    ids: Vec<String>,
}

impl Corpus {
    fn load() -> Corpus {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("content-example");
        let options = load_options(&root, false);
        let inputs = throughline::read_inputs(&options).expect("content-example loads");
        let mut files: Vec<(String, Vec<u8>)> = inputs
            .sources
            .iter()
            .map(|s| (s.path.clone(), s.text.clone().into_bytes()))
            .collect();
        // The trackers' exports are mutated like the documents.
        for entry in &inputs.config.trackers {
            let bytes = std::fs::read(root.join(&entry.file)).expect("content-example's export");
            files.push((entry.file.clone(), bytes));
        }
        assert!(files.len() > 40, "content-example has its documents");
        let site = throughline::analyze(inputs, &options);
        let ids = site.docs.iter().map(|d| d.id.clone()).collect();
        Corpus {
            config_text: site
                .config_text
                .clone()
                .expect("content-example has a config"),
            root,
            files,
            ids,
        }
    }
}

fn load_options(root: &Path, drafts: bool) -> LoadOptions {
    LoadOptions {
        root: root.to_path_buf(),
        today: throughline::date::Today::Given(
            throughline::date::parse_date(TODAY).expect("a date"),
        ),
        drafts,
        output_dir: None,
        base_url: None,
    }
}

/// splitmix64: small, fast, and the same sequence on every platform.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn chance(&mut self, one_in: usize) -> bool {
        self.below(one_in) == 0
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

// ---------------------------------------------------------------------------
// The mutator

/// One way of breaking a site; each case stacks one to four of them.
#[derive(Debug, Clone, Copy)]
enum Mutation {
    DeleteLine,
    DuplicateLine,
    SwapLines,
    HostileYamlLine,
    HostileValue,
    DeepYaml,
    AliasExpansion,
    Retarget,
    ParentCycle,
    ChangeKind,
    DuplicateId,
    BreakFence,
    MarkdownHazard,
    DeepMarkdown,
    LongLine,
    Unicode,
    LineEnds,
    Truncate,
    ByteNoise,
    Splice,
    CloneDocument,
    DeleteDocument,
    Draft,
}

/// The catalogue with weights: structure-aware mutations are likelier, since
/// random bytes mostly stop at the YAML parser.
const CATALOGUE: &[(Mutation, usize)] = &[
    (Mutation::DeleteLine, 3),
    (Mutation::DuplicateLine, 3),
    (Mutation::SwapLines, 3),
    (Mutation::HostileYamlLine, 6),
    (Mutation::HostileValue, 8),
    (Mutation::DeepYaml, 2),
    (Mutation::AliasExpansion, 2),
    (Mutation::Retarget, 8),
    (Mutation::ParentCycle, 3),
    (Mutation::ChangeKind, 4),
    (Mutation::DuplicateId, 2),
    (Mutation::BreakFence, 2),
    (Mutation::MarkdownHazard, 10),
    (Mutation::DeepMarkdown, 2),
    (Mutation::LongLine, 2),
    (Mutation::Unicode, 5),
    (Mutation::LineEnds, 3),
    (Mutation::Truncate, 2),
    (Mutation::ByteNoise, 3),
    (Mutation::Splice, 3),
    (Mutation::CloneDocument, 2),
    (Mutation::DeleteDocument, 2),
    (Mutation::Draft, 2),
];

/// Whole lines of YAML a front matter should never choke on.
const HOSTILE_YAML: &[&str] = &[
    "x: &a [*a]",
    "y: *nowhere",
    "bin: !!binary aGVsbG8gd29ybGQ=",
    "? [complex, key]\n: value",
    "? {a: 1}\n: b",
    "deep: [[[[[[[[",
    "q: \"unterminated",
    "q: 'unterminated",
    "\tid: tabbed",
    "id:\tx",
    "---",
    "...",
    "%YAML 1.2",
    "nan: .nan",
    "inf: -.inf",
    "big: 1e400",
    "huge: 123456789012345678901234567890",
    "id: duplicate-key",
    "kind: bet",
    "title: twice",
    "parent: [ps-payouts, ps-lending]",
    "parent: {id: ps-payouts}",
    "parent: ~",
    "parent: 42",
    "title: |\n  literal\n  block",
    "title: >-\n  folded\n  block",
    "<<: {title: merged, kind: work}",
    "tags: !custom [a, b]",
    "!!map {a: 1}",
    "reviewed: 2026-02-30",
    "reviewed: 99999-01-01",
    "reviewed: 1970-01-01T00:00:00Z",
    "reviewed: -0001-01-01",
    "quarter: 2026-Q0",
    "quarter: 2026-Q5",
    "quarter: 0-Q1",
    "key_results: [{metric: nowhere, baseline: .nan, target: 1e400, by: 2026-13-40}]",
    "key_results: [{metric: m-same-day-rate, baseline: 5, target: 5, by: 2026-01-01}]",
    "checkins: [{date: 2026-01-01, value: .inf}, {date: 2026-01-01, value: -0}]",
    "checkins: [{date: 2026-01-01}, 7, [], ~]",
    "dhm: {delight: {score: 99}, hard_to_copy: -5, margin: .nan}",
    "dhm: [1, 2, 3]",
    "confidence: {problem: extreme, solution: [], outcome: ~}",
    "draft: true",
    "draft: maybe",
    "lno: 7",
    "size: galactic",
    "status: \"\"",
    "team: [x]",
    "approval: {level: god, approver: ~}",
    "success: {metric: m-same-day-rate, baseline: 1e400, target: -1e400, deadline: 0000-00-00}",
    "success: {outcome: ~, metric: [], deadline: yesterday}",
    "covers: 2026-Q9",
    "supports: [ps-payouts, ps-payouts, nowhere]",
    "related: [\"\", \" \", \"[[x]]\"]",
    "title: \"\\u0000 nul \\x1b[31m red \\u202e rtl\"",
    "title: \"<script>alert(1)</script>{{ site }}{% raw %}\"",
    "owner: \"\\e]0;title\\a\"",
    "id: \"../../etc/passwd\"",
    "id: \"a/b\"",
    "id: \"\"",
    "id: \" \"",
    "id: \"<b>\"",
    "id: search",
    "id: assets",
    "id: index",
    "id: 404",
    "id: Bet-Instant-Payouts",
    "id: [x]",
    "a:\n  b:\n    c:\n      d: [e, {f: g}]",
    "- list at the top",
    ": no key",
    "key with spaces: and: colons",
    "'quoted key': 1",
    "\"\\xff\": escaped",
    "unit: \"%\"",
    "direction: sideways",
    "indicator: [leading, lagging]",
    "date: 2026-11-24\ndate: 2026-11-25",
];

/// Values put in place of a field's own.
const HOSTILE_VALUES: &[&str] = &[
    ".nan",
    "-.inf",
    "1e400",
    "-1e400",
    "18446744073709551616",
    "-9223372036854775809",
    "0x1F",
    "0o17",
    "-0",
    "~",
    "null",
    "yes",
    "[]",
    "{}",
    "\"\"",
    "''",
    "\"unterminated",
    "'",
    "!!binary aGk=",
    "!!str 2026-11-24",
    "!!int x",
    "*nowhere",
    "&anchor",
    "&anchor value",
    "|",
    ">",
    "- a",
    "[[[[",
    "]]]]",
    "{a: [b, {c: d}]}",
    "2026-02-30",
    "2026-11-24T25:61:61Z",
    "2026-Q4",
    "6m",
    "-6m",
    "99999999999m",
    "@reserved",
    "`backtick",
    "%percent",
    "#comment only",
    "\"\\u202eevil\"",
    "\"\\u0000\"",
    "\"\\x1b[2J\"",
    "search",
    "bet-instant-payouts",
    "m-same-day-rate",
    "team-payouts",
];

/// Markdown that renderers and link extractors have got wrong before.
const MARKDOWN_HAZARDS: &[&str] = &[
    "[[",
    "]]",
    "[[]]",
    "[[ ]]",
    "[[|]]",
    "[[#]]",
    "[[bet-instant-payouts|]]",
    "[[nowhere#x]]",
    "[[bet-instant-payouts#no-such-heading]]",
    "[[bet-instant-payouts#why-this-bet|why]]",
    "[[[[bet-instant-payouts]]]]",
    "[[a\nb]]",
    "```",
    "```rust\nfn main() {",
    "~~~\n",
    "```\u{0}\n```",
    "    indented code",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<!-- unclosed comment",
    "<div>",
    "</div></div></body></html>",
    "<style>body{display:none}</style>",
    "[click](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](data:text/html,<script>alert(1)</script>)",
    "![x](javascript:alert(1))",
    "<javascript:alert(1)>",
    "[x]( java\tscript:alert(1))",
    "[x](vbscript:msgbox)",
    "[x](../../../../etc/passwd)",
    "[x](../bets/bet-instant-payouts.md#Why-This-Bet)",
    "[x](%2e%2e/%2e%2e/)",
    "[x](#)",
    "[x](<>)",
    "[x]()",
    "[x](bet-instant-payouts.md#)",
    "[x](./)",
    "[x](/)",
    "[x](?q=1)",
    "[ref]\n\n[ref]: javascript:alert(1)",
    "[^nope]",
    "[^a]: [^a]",
    "| a | b |\n|---|---|\n| 1 |",
    "| [[x]] |\n|-|",
    "#",
    "# ",
    "# #",
    "# [[bet-instant-payouts]]",
    "# <script>x</script>",
    "## Why this bet",
    "## Why this bet",
    "# 🚀",
    "# ---",
    "Setext\n===",
    "---",
    "***",
    "- [ ] task",
    "- [x]",
    "&nbsp; &#0; &#x110000; &bogus; &#xD800;",
    "\\",
    "**unclosed",
    "`unclosed",
    "$$ math $$",
    "{{ site.title }} {% if true %} {# comment",
    "[x]: <> \"title\"",
    "<https://example.com/a_b>",
    "www.example.com",
    "> [!NOTE]\n> callout",
    "1. one\n1) two\n- three",
];

/// Text that tests character boundaries, widths and terminal safety.
const UNICODE: &[&str] = &[
    "🚀",
    "👩\u{200d}👩\u{200d}👧",
    "\u{202e}evil",
    "\u{200b}",
    "e\u{301}\u{301}\u{301}",
    "\u{feff}",
    "\u{0}",
    "\u{1b}[31m",
    "\u{1b}]8;;javascript:x\u{7}",
    "\u{7f}",
    "\u{fffd}",
    "𝕏",
    "\r",
    "\u{2028}",
    "\u{85}",
    "ﷺ",
    "漢字",
    "ا",
    "\t",
];

/// Paths a copied document may take (odd names, reserved stems).
const CLONE_PATHS: &[&str] = &[
    "copies/copy.md",
    "bets/bet-instant-payouts-copy.md",
    "search.md",
    "assets.md",
    "index.md",
    "notes/Ünïcode Ñame.md",
    "notes/a b%20c.md",
    "notes/.md",
    "deep/a/b/c/d/e/f/g.md",
    "UPPER.md",
    "-.md",
];

/// One mutated site: its files as bytes (possibly not UTF-8) and what was done.
#[derive(Clone)]
struct Case {
    files: Vec<(String, Vec<u8>)>,
    mutations: Vec<String>,
    /// Run as with `--drafts`: every fourth case, so drafts reach the graph and the pages.
    drafts: bool,
}

impl Case {
    /// Case `n` of `seed`: the same site on every run and platform.
    fn generate(corpus: &Corpus, seed: u64, n: u64) -> Case {
        let mut rng = Rng::new(seed ^ n.wrapping_mul(0xd1b5_4a32_d192_ed03));
        rng.next();
        let mut case = Case {
            files: corpus.files.clone(),
            mutations: Vec::new(),
            drafts: false,
        };
        let count = 1 + rng.below(4);
        let total: usize = CATALOGUE.iter().map(|(_, w)| w).sum();
        for _ in 0..count {
            let mut roll = rng.below(total);
            let mutation = CATALOGUE
                .iter()
                .find(|(_, w)| {
                    if roll < *w {
                        true
                    } else {
                        roll -= w;
                        false
                    }
                })
                .map(|(m, _)| *m)
                .expect("the roll is below the total");
            let what = case.apply(mutation, corpus, &mut rng);
            case.mutations.push(format!("{mutation:?}: {what}"));
        }
        case.files.sort_by(|a, b| a.0.cmp(&b.0));
        case.files.dedup_by(|a, b| a.0 == b.0);
        // Taken from the case number, not the generator, so adding it left
        // every earlier seed's mutations as they were.
        if n % 4 == 3 {
            case.drafts = true;
            case.mutations.push("run with --drafts".into());
        }
        case
    }

    fn apply(&mut self, mutation: Mutation, corpus: &Corpus, rng: &mut Rng) -> String {
        let i = rng.below(self.files.len());
        let path = self.files[i].0.clone();
        let bytes = &mut self.files[i].1;
        let described = |what: String| format!("{path}: {what}");
        match mutation {
            Mutation::DeleteLine => edit_lines(bytes, |lines| {
                let at = rng.below(lines.len());
                let gone = lines.remove(at);
                described(format!("line {} `{}`", at + 1, clip(&gone)))
            }),
            Mutation::DuplicateLine => edit_lines(bytes, |lines| {
                let at = rng.below(lines.len());
                let times = *rng.pick(&[1, 1, 2, 50]);
                for _ in 0..times {
                    lines.insert(at, lines[at].clone());
                }
                described(format!("line {} x{times}", at + 1))
            }),
            Mutation::SwapLines => edit_lines(bytes, |lines| {
                let (a, b) = (rng.below(lines.len()), rng.below(lines.len()));
                lines.swap(a, b);
                described(format!("lines {} and {}", a + 1, b + 1))
            }),
            Mutation::HostileYamlLine => {
                let line = *rng.pick(HOSTILE_YAML);
                let at = front_matter_line(bytes, rng);
                insert_line(bytes, at, line.as_bytes());
                described(format!("at line {} `{}`", at + 1, clip(line.as_bytes())))
            }
            Mutation::HostileValue => {
                let value = *rng.pick(HOSTILE_VALUES);
                match replace_some_value(bytes, rng, value) {
                    Some(key) => described(format!("{key}: {value}")),
                    None => described("no field to replace".into()),
                }
            }
            Mutation::DeepYaml => {
                let depth = *rng.pick(&[8, 63, 64, 65, 100, 127, 128, 129, 300]);
                let line = if rng.chance(2) {
                    format!(
                        "deep: {}x{}",
                        "[".repeat(depth),
                        if rng.chance(2) {
                            "]".repeat(depth)
                        } else {
                            String::new()
                        }
                    )
                } else {
                    let mut s = String::from("deep:");
                    for d in 1..depth {
                        s.push('\n');
                        s.push_str(&" ".repeat(d));
                        s.push_str("k:");
                    }
                    s.push_str(" leaf");
                    s
                };
                let at = front_matter_line(bytes, rng);
                insert_line(bytes, at, line.as_bytes());
                described(format!("depth {depth}"))
            }
            Mutation::AliasExpansion => {
                // Each level refers to the one before nine times: 9^levels
                // nodes if nothing limited alias expansion.
                let levels = 2 + rng.below(6);
                let mut s = String::from("l0: &l0 [x, x, x, x, x, x, x, x, x]");
                for l in 1..=levels {
                    let refs = vec![format!("*l{}", l - 1); 9].join(", ");
                    s.push_str(&format!("\nl{l}: &l{l} [{refs}]"));
                }
                let at = front_matter_line(bytes, rng);
                insert_line(bytes, at, s.as_bytes());
                described(format!("{levels} levels"))
            }
            Mutation::Retarget => {
                let field = *rng.pick(&["parent", "supports", "related", "metric", "team"]);
                let id = match rng.below(4) {
                    0 => stem(&path),
                    1 => rng.pick(HOSTILE_VALUES).to_string(),
                    _ => rng.pick(&corpus.ids).clone(),
                };
                let value = if field == "supports" || field == "related" {
                    format!("[{id}, {}]", rng.pick(&corpus.ids))
                } else {
                    id
                };
                set_field(bytes, field, &value);
                described(format!("{field}: {value}"))
            }
            Mutation::ParentCycle => {
                let j = rng.below(self.files.len());
                let (a, b) = (stem(&self.files[i].0), stem(&self.files[j].0));
                set_field(&mut self.files[i].1, "parent", &b);
                set_field(&mut self.files[j].1, "parent", &a);
                format!("{a} and {b} name each other as parent")
            }
            Mutation::ChangeKind => {
                let kind = *rng.pick(&[
                    "company-strategy",
                    "product-strategy",
                    "bet",
                    "objective",
                    "work",
                    "metric",
                    "team",
                    "review",
                    "opportunity",
                    "solution",
                    "experiment",
                    "outcome",
                    "page",
                    "Bet",
                    "no-such-kind",
                    "\"\"",
                    "[bet]",
                ]);
                set_field(bytes, "kind", kind);
                described(format!("kind: {kind}"))
            }
            Mutation::DuplicateId => {
                let id = rng.pick(&corpus.ids).clone();
                set_field(bytes, "id", &id);
                described(format!("id: {id}"))
            }
            Mutation::BreakFence => {
                let fences: Vec<usize> = lines_of(bytes)
                    .iter()
                    .enumerate()
                    .filter(|(_, l)| l.trim_ascii_end() == b"---")
                    .map(|(n, _)| n)
                    .take(2)
                    .collect();
                if fences.is_empty() {
                    return described("no fence".into());
                }
                let at = *rng.pick(&fences);
                let with = rng
                    .pick(&["", "--- ", "----", "+++", "-- -", " ---"])
                    .as_bytes();
                edit_lines(bytes, |lines| {
                    if with.is_empty() {
                        lines.remove(at);
                    } else {
                        lines[at] = with.to_vec();
                    }
                    described(format!("fence at line {} -> `{}`", at + 1, clip(with)))
                })
            }
            Mutation::MarkdownHazard => {
                let hazard = *rng.pick(MARKDOWN_HAZARDS);
                let at = body_line(bytes, rng);
                insert_line(bytes, at, hazard.as_bytes());
                described(format!("at line {} `{}`", at + 1, clip(hazard.as_bytes())))
            }
            Mutation::DeepMarkdown => {
                // Bounded so one case stays well under a second in debug.
                let depth = *rng.pick(&[10, 50, 200]);
                let text = match rng.below(5) {
                    0 => format!("{} quoted", "> ".repeat(depth)),
                    1 => (0..depth)
                        .map(|d| format!("{}- item {d}", "  ".repeat(d)))
                        .collect::<Vec<_>>()
                        .join("\n"),
                    2 => format!("{}x{}", "[".repeat(depth), "]".repeat(depth)),
                    3 => format!("{}x", "[a](".repeat(depth)),
                    _ => "*a **b ".repeat(depth),
                };
                let at = body_line(bytes, rng);
                insert_line(bytes, at, text.as_bytes());
                described(format!("depth {depth} at line {}", at + 1))
            }
            Mutation::LongLine => {
                let unit = *rng.pick(&[
                    "a", "[[", "&amp;", "é", "🚀", "`", "*a", "<", "[x](y) ", "x ",
                ]);
                let len = *rng.pick(&[1_000, 10_000, 40_000]);
                let line = unit.repeat(len / unit.len().max(1));
                let at = if rng.chance(3) {
                    front_matter_line(bytes, rng)
                } else {
                    body_line(bytes, rng)
                };
                let line = if at <= front_matter_end(bytes) {
                    format!("title: {line}")
                } else {
                    line
                };
                insert_line(bytes, at, line.as_bytes());
                described(format!("{len} bytes of `{unit}` at line {}", at + 1))
            }
            Mutation::Unicode => {
                let text = *rng.pick(UNICODE);
                let at = char_boundary(bytes, rng.below(bytes.len() + 1));
                bytes.splice(at..at, text.bytes());
                described(format!("{:?} at byte {at}", text))
            }
            Mutation::LineEnds => {
                let how = rng.below(3);
                let text = String::from_utf8_lossy(bytes).into_owned();
                let text = match how {
                    0 => text.replace('\n', "\r\n"),
                    1 => text.replace('\n', "\r"),
                    _ => text
                        .split('\n')
                        .enumerate()
                        .map(|(n, l)| {
                            if n % 2 == 0 {
                                format!("{l}\r")
                            } else {
                                l.to_string()
                            }
                        })
                        .collect::<Vec<_>>()
                        .join("\n"),
                };
                *bytes = text.into_bytes();
                described(["CRLF", "CR only", "mixed"][how].to_string())
            }
            Mutation::Truncate => {
                let at = char_boundary(bytes, rng.below(bytes.len() + 1));
                bytes.truncate(at);
                described(format!("at byte {at}"))
            }
            Mutation::ByteNoise => {
                let mut done = Vec::new();
                for _ in 0..1 + rng.below(8) {
                    let at = rng.below(bytes.len() + 1);
                    let byte =
                        *rng.pick(&[0x00, 0x0d, 0x1b, 0x22, 0x5b, 0x80, 0xc3, 0xe2, 0xff, b':']);
                    match rng.below(3) {
                        0 if at < bytes.len() => {
                            bytes[at] ^= 1 << rng.below(8);
                            done.push(format!("flip@{at}"));
                        }
                        1 if at < bytes.len() => {
                            bytes.remove(at);
                            done.push(format!("del@{at}"));
                        }
                        _ => {
                            bytes.insert(at, byte);
                            done.push(format!("ins {byte:#04x}@{at}"));
                        }
                    }
                }
                described(done.join(" "))
            }
            Mutation::Splice => {
                let j = rng.below(self.files.len());
                let donor = lines_of(&self.files[j].1);
                let from = rng.below(donor.len());
                let to = (from + 1 + rng.below(10)).min(donor.len());
                let chunk = donor[from..to].join(&b'\n');
                let at = rng.below(lines_of(&self.files[i].1).len() + 1);
                insert_line(&mut self.files[i].1, at, &chunk);
                format!(
                    "{path}: lines {}..{} of {} at line {}",
                    from + 1,
                    to,
                    self.files[j].0,
                    at + 1
                )
            }
            Mutation::CloneDocument => {
                let to = rng.pick(CLONE_PATHS).to_string();
                let copy = self.files[i].1.clone();
                self.files.retain(|(p, _)| *p != to);
                self.files.push((to.clone(), copy));
                described(format!("copied to {to}"))
            }
            Mutation::Draft => {
                // Left out of the site unless the case runs with --drafts;
                // its children then point at a missing document.
                set_field(bytes, "draft", "true");
                described("draft: true".into())
            }
            Mutation::DeleteDocument => {
                if self.files.len() > 1 {
                    self.files.remove(i);
                }
                described("deleted".into())
            }
        }
    }

    fn all_utf8(&self) -> bool {
        self.files
            .iter()
            .all(|(_, b)| std::str::from_utf8(b).is_ok())
    }
}

/// The file's lines without their `\n`.
fn lines_of(bytes: &[u8]) -> Vec<Vec<u8>> {
    bytes.split(|&b| b == b'\n').map(<[u8]>::to_vec).collect()
}

fn edit_lines<R>(bytes: &mut Vec<u8>, edit: impl FnOnce(&mut Vec<Vec<u8>>) -> R) -> R {
    let mut lines = lines_of(bytes);
    let result = edit(&mut lines);
    if lines.is_empty() {
        lines.push(Vec::new());
    }
    *bytes = lines.join(&b'\n');
    result
}

fn insert_line(bytes: &mut Vec<u8>, at: usize, line: &[u8]) {
    edit_lines(bytes, |lines| {
        let at = at.min(lines.len());
        lines.insert(at, line.to_vec());
    });
}

/// The index of the closing `---` line (0 when there is no front matter).
fn front_matter_end(bytes: &[u8]) -> usize {
    let lines = lines_of(bytes);
    if lines.first().map(|l| l.trim_ascii_end()) != Some(b"---") {
        return 0;
    }
    lines
        .iter()
        .enumerate()
        .skip(1)
        .find(|(_, l)| l.trim_ascii_end() == b"---")
        .map_or(0, |(n, _)| n)
}

/// A line index inside the front matter, or anywhere when there is none.
fn front_matter_line(bytes: &[u8], rng: &mut Rng) -> usize {
    match front_matter_end(bytes) {
        0 => rng.below(lines_of(bytes).len() + 1),
        end => 1 + rng.below(end),
    }
}

/// A line index after the front matter.
fn body_line(bytes: &[u8], rng: &mut Rng) -> usize {
    let start = front_matter_end(bytes) + 1;
    let len = lines_of(bytes).len();
    start + rng.below(len.saturating_sub(start) + 1)
}

/// Replaces the value of a random top-level `key: value` line of the front matter.
fn replace_some_value(bytes: &mut Vec<u8>, rng: &mut Rng, value: &str) -> Option<String> {
    let end = front_matter_end(bytes);
    let lines = lines_of(bytes);
    let fields: Vec<usize> = (1..end)
        .filter(|&n| {
            let l = &lines[n];
            !l.is_empty() && !l[0].is_ascii_whitespace() && l.contains(&b':')
        })
        .collect();
    if fields.is_empty() {
        return None;
    }
    let n = *rng.pick(&fields);
    let colon = lines[n].iter().position(|&b| b == b':')?;
    let key = String::from_utf8_lossy(&lines[n][..colon]).into_owned();
    edit_lines(bytes, |lines| {
        let mut line = lines[n][..=colon].to_vec();
        line.push(b' ');
        line.extend_from_slice(value.as_bytes());
        lines[n] = line;
    });
    Some(key)
}

/// Sets `field: value`, replacing the field's line or adding it after the opening fence.
fn set_field(bytes: &mut Vec<u8>, field: &str, value: &str) {
    let end = front_matter_end(bytes);
    let prefix = format!("{field}:");
    let line = format!("{field}: {value}").into_bytes();
    edit_lines(bytes, |lines| {
        match (1..end).find(|&n| lines[n].starts_with(prefix.as_bytes())) {
            Some(n) => lines[n] = line,
            None if end > 0 => lines.insert(1, line),
            None => {
                lines.insert(0, b"---".to_vec());
                lines.insert(1, line);
                lines.insert(2, b"---".to_vec());
            }
        }
    });
}

/// The nearest char boundary at or before `at` (any byte when the file is not UTF-8).
fn char_boundary(bytes: &[u8], at: usize) -> usize {
    match std::str::from_utf8(bytes) {
        Ok(text) => (0..=at.min(text.len()))
            .rev()
            .find(|&i| text.is_char_boundary(i))
            .unwrap_or(0),
        Err(_) => at.min(bytes.len()),
    }
}

fn stem(path: &str) -> String {
    let name = path.rsplit('/').next().unwrap_or(path);
    name.strip_suffix(".md").unwrap_or(name).to_string()
}

/// At most 60 characters of `bytes`, for a one-line description.
fn clip(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let short: String = text.chars().take(60).collect();
    let short = short.escape_debug().to_string();
    if text.chars().count() > 60 {
        format!("{short}…")
    } else {
        short
    }
}

// ---------------------------------------------------------------------------
// Running a case

/// What one case did, for the summary.
#[derive(Debug, Default)]
struct Report {
    errors: usize,
    built: bool,
    on_disk: bool,
    twice: bool,
}

struct Runner<'a> {
    corpus: &'a Corpus,
    config_text: String,
    theme: Theme,
    catalog: Vec<diagnostics::RuleInfo>,
}

impl Runner<'_> {
    /// A runner for cases of `corpus` under `config_text` (the corpus's own in the fuzz test).
    fn new<'a>(corpus: &'a Corpus, config_text: &str) -> Runner<'a> {
        let config =
            throughline::config::Config::parse(config_text, throughline::rules::HEALTH_RULES)
                .expect("config");
        Runner {
            corpus,
            config_text: config_text.to_string(),
            // Only documents are mutated, so the theme is the same for every case.
            theme: Theme::load(&corpus.root, &config).expect("the default theme loads"),
            catalog: throughline::rules::catalog(),
        }
    }

    /// `check` and `build` on case `n`, in memory, and every [`DISK_EVERY`]th case from disk.
    fn run(&self, n: u64, case: &Case) -> Result<Report, String> {
        let site = self.analyze(case);
        let mut report = Report {
            errors: Counts::of(&site.diagnostics).errors,
            ..Report::default()
        };
        self.check(&site, case)?;
        let files = self.build(&site)?;
        report.built = files.is_some();

        if n % DETERMINISM_EVERY == 0 {
            report.twice = true;
            let again = self.analyze(case);
            if again.diagnostics != site.diagnostics {
                return Err(format!(
                    "the same input gave different diagnostics:\n{}\n---- then ----\n{}",
                    describe(&site.diagnostics),
                    describe(&again.diagnostics)
                ));
            }
            if let Some(files) = &files {
                let second = self.build(&again)?.unwrap_or_default();
                if files.len() != second.len() {
                    return Err("the same input rendered a different number of files".into());
                }
                if let Some((a, _)) = files
                    .iter()
                    .zip(&second)
                    .find(|(a, b)| a.path != b.path || a.bytes != b.bytes)
                {
                    return Err(format!("the same input rendered `{}` differently", a.path));
                }
            }
        }
        // Invalid UTF-8 is only seen as such through the reader.
        if n % DISK_EVERY == 0 || !case.all_utf8() {
            report.on_disk = true;
            self.on_disk(case, &site)?;
        }
        Ok(report)
    }

    /// Stages 1b–3 on the case held in memory, as `read_inputs` would hand it over.
    fn analyze(&self, case: &Case) -> Site {
        let config =
            throughline::config::Config::parse(&self.config_text, throughline::rules::HEALTH_RULES)
                .expect("config");
        // The walk skips hidden, ignored and reserved paths; so must we.
        let filter =
            throughline::source::SourceFilter::new(&config, std::path::Path::new("."), None);
        let sources = case
            .files
            .iter()
            .filter(|(path, _)| filter.is_document(path))
            .map(|(path, bytes)| {
                SourceFile::new(
                    path.clone(),
                    self.corpus.root.join(path),
                    source_text(bytes),
                )
            })
            .collect();
        // Each export as `read_inputs` reads it: from the case's bytes, or
        // missing (a mutation deleted it) as from a root without it.
        let nowhere = self.corpus.root.join("no-such-folder");
        let guard = throughline::source::RootGuard::new(&nowhere);
        let exports = config
            .trackers
            .iter()
            .map(
                |entry| match case.files.iter().find(|(path, _)| *path == entry.file) {
                    Some((_, bytes)) => {
                        throughline::tracker::parse(&entry.file, bytes.clone(), entry)
                    }
                    None => throughline::tracker::read(&nowhere, &guard, entry),
                },
            )
            .collect();
        let inputs = Inputs {
            config,
            config_text: Some(self.config_text.clone()),
            sources,
            exports,
            ..Inputs::default()
        };
        throughline::analyze(inputs, &load_options(&self.corpus.root, case.drafts))
    }

    /// What `check` does after loading: every output format, and the graph export.
    fn check(&self, site: &Site, case: &Case) -> Result<(), String> {
        check_positions(site, case, &self.config_text)?;
        human(site)?;
        let mut out = Vec::new();
        diagnostics::render_human(
            &site.diagnostics,
            site,
            HumanStyle { color: true },
            &mut out,
        )
        .map_err(|e| format!("coloured human output: {e}"))?;
        out.clear();
        diagnostics::render_json(&site.diagnostics, &mut out).map_err(|e| format!("json: {e}"))?;
        let json = String::from_utf8(std::mem::take(&mut out)).map_err(|e| format!("json: {e}"))?;
        let lines = json.lines().count();
        for line in json.lines() {
            serde_json::from_str::<serde_json::Value>(line)
                .map_err(|e| format!("json output line is not JSON ({e}): {line}"))?;
        }
        if lines != site.diagnostics.len() {
            return Err(format!(
                "json output has {lines} lines for {} diagnostics",
                site.diagnostics.len()
            ));
        }
        diagnostics::render_github(&site.diagnostics, &mut out)
            .map_err(|e| format!("github output: {e}"))?;
        out.clear();
        diagnostics::render_sarif(&site.diagnostics, &self.catalog, "", &mut out)
            .map_err(|e| format!("sarif output: {e}"))?;
        serde_json::from_slice::<serde_json::Value>(&out)
            .map_err(|e| format!("sarif output is not JSON: {e}"))?;
        let graph = throughline::graph::to_json(&site.docs, &site.graph, &site.config.base_url);
        serde_json::from_str::<serde_json::Value>(&graph)
            .map_err(|e| format!("graph.json is not JSON: {e}"))?;
        throughline::graph::to_dot(&site.docs, &site.graph);
        Ok(())
    }

    /// What `build` does after loading, rendering into memory: `None` when
    /// it refuses (which needs an error diagnostic), the files otherwise.
    fn build(&self, site: &Site) -> Result<Option<Vec<throughline::output::OutputFile>>, String> {
        if Counts::of(&site.diagnostics).errors > 0 {
            // Refused, and an error diagnostic says why.
            return Ok(None);
        }
        let files = render::render(site, &self.theme, &render::all_jobs(site)).map_err(|e| {
            format!(
                "build failed with no error diagnostic: {}\ndiagnostics:\n{}",
                e.0,
                describe(&site.diagnostics)
            )
        })?;
        check_pages(site, &files)?;
        Ok(Some(files))
    }

    /// `load_lean` and `write_site`, as `build` runs them, on the case written to a folder.
    fn on_disk(&self, case: &Case, in_memory: &Site) -> Result<(), String> {
        let dir = tempfile::tempdir().map_err(|e| format!("temp dir: {e}"))?;
        let root = dir.path().join("site");
        write_site_files(&root, &self.config_text, case)
            .map_err(|e| format!("writing the case: {e}"))?;
        let out = dir.path().join("public");
        let mut options = load_options(&root, case.drafts);
        options.output_dir = Some(out.clone());
        let site = throughline::load_lean(&options).map_err(|e| format!("load refused: {e}"))?;
        check_positions(&site, case, &self.config_text)?;
        if case.all_utf8() {
            // Same bytes, same findings, whether read from disk or handed over.
            if site.diagnostics != in_memory.diagnostics {
                return Err(format!(
                    "from disk the diagnostics differ:\n{}\n---- in memory ----\n{}",
                    describe(&site.diagnostics),
                    describe(&in_memory.diagnostics)
                ));
            }
            // Quoted alike, though the texts read from disk were released.
            let (from_disk, held) = (human(&site)?, human(in_memory)?);
            if from_disk != held {
                return Err(format!(
                    "from disk the quoted lines differ:\n{from_disk}\n---- in memory ----\n{held}"
                ));
            }
        } else {
            for (path, bytes) in &case.files {
                let not_utf8 = std::str::from_utf8(bytes).is_err();
                // A document's bytes are an `encoding` error; an export's, its own.
                let named = site.diagnostics.iter().any(|d| {
                    matches!(d.rule, "encoding" | "tracker-export")
                        && d.file == *path
                        && d.severity == Severity::Error
                });
                if not_utf8 && !named {
                    return Err(format!(
                        "`{path}` is not UTF-8 and no encoding error names it"
                    ));
                }
            }
        }
        if Counts::of(&site.diagnostics).errors > 0 {
            return Ok(());
        }
        let built = throughline::write_site(&site, &out).map_err(|e| {
            format!(
                "build failed with no error diagnostic: {e}\ndiagnostics:\n{}",
                describe(&site.diagnostics)
            )
        })?;
        if built.pages < site.docs.len() || !out.join("index.html").is_file() {
            return Err(format!(
                "build wrote {} pages for {} documents",
                built.pages,
                site.docs.len()
            ));
        }
        Ok(())
    }
}

/// The diagnostics of `site` in the human format, without colour.
fn human(site: &Site) -> Result<String, String> {
    let mut out = Vec::new();
    diagnostics::render_human(
        &site.diagnostics,
        site,
        HumanStyle { color: false },
        &mut out,
    )
    .map_err(|e| format!("human output: {e}"))?;
    Ok(String::from_utf8_lossy(&out).into_owned())
}

/// A file's bytes as the reader hands them over (invalid UTF-8 replaced,
/// which the reader reports instead), without a leading byte-order mark.
fn source_text(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    text.strip_prefix('\u{feff}').unwrap_or(&text).to_string()
}

/// Every diagnostic names a file of the case (or the config) and a line and
/// column that exist in it (the line after the last, at column 1, included).
/// A file that could not be read (not UTF-8) is not among the site's
/// sources, so positions are measured in the case's own bytes.
fn check_positions(site: &Site, case: &Case, config_text: &str) -> Result<(), String> {
    for d in &site.diagnostics {
        let text = if d.file == throughline::config::CONFIG_FILE {
            config_text.to_string()
        } else {
            match case.files.iter().find(|(path, _)| *path == d.file) {
                Some((_, bytes)) => source_text(bytes),
                None => {
                    return Err(format!(
                        "diagnostic names a file the site does not have: {d:?}"
                    ))
                }
            }
        };
        let lines: Vec<&str> = text.split('\n').collect();
        let (line, column) = (d.span.line as usize, d.span.column as usize);
        let fits = match lines.get(line.wrapping_sub(1)) {
            _ if line == 0 || column == 0 => false,
            Some(l) => column <= l.chars().count() + 1,
            None => line == lines.len() + 1 && column == 1,
        };
        if !fits {
            return Err(format!(
                "diagnostic at {}:{}:{} is outside the file ({} lines): {d:?}",
                d.file,
                line,
                column,
                lines.len()
            ));
        }
        if d.message.trim().is_empty() {
            return Err(format!("diagnostic without a message: {d:?}"));
        }
    }
    Ok(())
}

/// A build that succeeds has a page for every document and writes no path twice.
fn check_pages(site: &Site, files: &[throughline::output::OutputFile]) -> Result<(), String> {
    let mut seen = HashSet::new();
    for f in files {
        if !seen.insert(f.path.as_str()) {
            return Err(format!("the build writes `{}` twice", f.path));
        }
        if f.path.starts_with('/') || f.path.split('/').any(|p| p == ".." || p.is_empty()) {
            return Err(format!("the build writes outside its folder: `{}`", f.path));
        }
    }
    // A tracker's item has no page: it links to the tracker.
    for doc in site.docs.iter().filter(|d| d.tracker.is_none()) {
        let page = throughline::render::view::doc_path(&doc.id);
        if !seen.contains(page.as_str()) {
            return Err(format!("no page for `{}` ({})", doc.id, doc.file));
        }
    }
    for f in files.iter().filter(|f| f.path.ends_with(".html")) {
        check_html(&f.path, &String::from_utf8_lossy(&f.bytes))?;
    }
    if !seen.contains("index.html") {
        return Err("the build has no index.html".into());
    }
    Ok(())
}

/// Markup the hazards of [`MARKDOWN_HAZARDS`] and [`HOSTILE_YAML`] would
/// leave in a page if raw HTML or a script URL got through
/// (`markdown.unsafe_html` is off in content-example).
const ACTIVE_MARKUP: &[&str] = &[
    "<script>alert",
    "<img src=x onerror",
    "<style>body{display:none}",
    "href=\"javascript:",
    "src=\"javascript:",
    "href=\"vbscript:",
    "href=\"data:",
    "src=\"data:",
    "<div>",
];

/// The one `data:` URL the theme writes: `404.html`'s stylesheet, which must
/// load at any depth. A document could not write a `<link>` if it tried.
const THEME_404_STYLESHEET: &str = "<link rel=\"stylesheet\" href=\"data:text/css;charset=utf-8,";

/// No page carries markup from a document: raw HTML shows as text and script URLs are neutralised.
fn check_html(path: &str, html: &str) -> Result<(), String> {
    let mut lower = html.to_ascii_lowercase();
    if path == "404.html" {
        // Once (a second would not be the theme's), blanked to the same
        // length so positions still point into `html`.
        lower = lower.replacen(
            THEME_404_STYLESHEET,
            &" ".repeat(THEME_404_STYLESHEET.len()),
            1,
        );
    }
    for bad in ACTIVE_MARKUP {
        if let Some(at) = lower.find(bad) {
            let from = char_boundary(html.as_bytes(), at.saturating_sub(80));
            let to = char_boundary(html.as_bytes(), at + 80);
            return Err(format!("`{path}` contains `{bad}`: …{}…", &html[from..to]));
        }
    }
    Ok(())
}

fn write_site_files(root: &Path, config: &str, case: &Case) -> std::io::Result<()> {
    std::fs::create_dir_all(root)?;
    std::fs::write(root.join(throughline::config::CONFIG_FILE), config)?;
    for (path, bytes) in &case.files {
        let file = root.join(path);
        if let Some(parent) = file.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(file, bytes)?;
    }
    Ok(())
}

fn describe(diagnostics: &[Diagnostic]) -> String {
    diagnostics
        .iter()
        .map(|d| {
            format!(
                "  {} {} {}:{}:{} {}",
                d.severity, d.rule, d.file, d.span.line, d.span.column, d.message
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

// ---------------------------------------------------------------------------
// Panics, hangs, failures and the summary

/// Set while a case runs: the panic hook records instead of printing.
/// (The binary's other test is quick and passes; if it panicked meanwhile, its
/// message would still reach libtest as the panic's payload.)
static IN_CASE: AtomicBool = AtomicBool::new(false);
/// The first panic of the current case, with where it happened and the stack.
static PANIC: Mutex<Option<String>> = Mutex::new(None);

/// Records a case's panic (from any thread: rayon's workers too) with its
/// stack, so the failure report shows it; panics outside a case print as usual.
fn install_panic_recorder() {
    let default = panic::take_hook();
    panic::set_hook(Box::new(move |info| {
        if !IN_CASE.load(Ordering::SeqCst) {
            return default(info);
        }
        let mut slot = PANIC.lock().unwrap_or_else(|e| e.into_inner());
        if slot.is_none() {
            let backtrace = std::backtrace::Backtrace::force_capture();
            *slot = Some(format!(
                "panicked at {}: {info}\n{backtrace}",
                info.location().map_or("?".to_string(), |l| l.to_string())
            ));
        }
    }));
}

fn panic_report(payload: Box<dyn std::any::Any + Send>) -> String {
    let recorded = PANIC.lock().unwrap_or_else(|e| e.into_inner()).take();
    recorded.unwrap_or_else(|| {
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        format!("panicked: {message}")
    })
}

/// Writes case `n` as a site under `target/fuzz-failures/`, with `FAILURE.txt`.
fn save_failure(config_text: &str, seed: u64, n: u64, case: &Case, problem: &str) -> PathBuf {
    // CARGO_TARGET_TMPDIR is `<target>/tmp`; failures go beside it.
    let target = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .map_or_else(|| PathBuf::from("target"), Path::to_path_buf);
    let dir = target
        .join("fuzz-failures")
        .join(format!("seed-{seed}-case-{n}"));
    let _ = std::fs::remove_dir_all(&dir);
    let note = format!(
        "THROUGHLINE_FUZZ_SEED={} THROUGHLINE_FUZZ_CASE={n} cargo test --test fuzz -- --nocapture\n\nmutations:\n  {}\n\n{problem}\n",
        seed,
        case.mutations.join("\n  ")
    );
    let written = write_site_files(&dir, config_text, case)
        .and_then(|()| std::fs::write(dir.join("FAILURE.txt"), note));
    if let Err(e) = written {
        eprintln!("fuzz: could not save case {n} to {}: {e}", dir.display());
    }
    dir
}

fn first_lines(text: &str, n: usize) -> String {
    let mut lines: Vec<&str> = text.lines().take(n + 1).collect();
    if lines.len() > n {
        lines[n] = "  … (the rest is in FAILURE.txt)";
    }
    lines.join("\n")
}

/// Ends the process when a case runs far past its limit: a hang cannot be
/// caught, so the case is saved first and named on stderr.
struct Watchdog {
    current: Arc<Mutex<Option<(Instant, u64, Case)>>>,
}

impl Watchdog {
    fn start(settings: &Settings, config_text: &str) -> Watchdog {
        let current: Arc<Mutex<Option<(Instant, u64, Case)>>> = Arc::default();
        let watched = Arc::clone(&current);
        let hang = settings
            .case_limit
            .map_or(Duration::ZERO, |limit| limit * 10)
            .max(Duration::from_secs(60));
        let (seed, config_text) = (settings.seed, config_text.to_string());
        std::thread::spawn(move || loop {
            std::thread::sleep(Duration::from_millis(500));
            let guard = watched.lock().unwrap_or_else(|e| e.into_inner());
            if let Some((since, n, case)) = guard.as_ref() {
                if since.elapsed() > hang {
                    let problem = format!("hung: still running after {} s", hang.as_secs());
                    let dir = save_failure(&config_text, seed, *n, case, &problem);
                    eprintln!(
                        "fuzz: case {n} of seed {seed} {problem}; mutations: {}; input saved in {}",
                        case.mutations.join("; "),
                        dir.display()
                    );
                    std::process::exit(101);
                }
            }
        });
        Watchdog { current }
    }

    fn watch(&self, n: u64, case: &Case) {
        *self.current.lock().unwrap_or_else(|e| e.into_inner()) =
            Some((Instant::now(), n, case.clone()));
    }

    fn clear(&self) {
        *self.current.lock().unwrap_or_else(|e| e.into_inner()) = None;
    }
}

#[derive(Default)]
struct Stats {
    cases: u64,
    with_errors: u64,
    built: u64,
    on_disk: u64,
    twice: u64,
    slowest: Option<(Duration, u64, String)>,
}

impl Stats {
    fn add(&mut self, n: u64, case: &Case, took: Duration, report: Report) {
        self.with_errors += u64::from(report.errors > 0);
        self.built += u64::from(report.built);
        self.on_disk += u64::from(report.on_disk);
        self.twice += u64::from(report.twice);
        if self.slowest.as_ref().is_none_or(|(t, _, _)| took > *t) {
            self.slowest = Some((took, n, case.mutations.join("; ")));
        }
    }

    fn summary(&self, settings: &Settings, total: Duration) -> String {
        let slowest = self
            .slowest
            .as_ref()
            .map_or("none".to_string(), |(t, n, m)| {
                format!("case {n} at {} ms ({})", t.as_millis(), clip(m.as_bytes()))
            });
        format!(
            "fuzz: {} cases, seed {} ({:#x}), {:.1} s: {} with errors, {} built in memory, {} also from disk, {} run twice; slowest {slowest}",
            self.cases,
            settings.seed,
            settings.seed,
            total.as_secs_f64(),
            self.with_errors,
            self.built,
            self.on_disk,
            self.twice,
        )
    }
}

/// Cache mutations in a plain `cargo test` (`THROUGHLINE_FUZZ_CACHE_CASES`
/// sets another count): a few seconds in a debug build.
const DEFAULT_CACHE_CASES: u64 = 24;

/// The caches a build reads back are hints, never authority (issue #31):
/// the kept history walk (the user's cache folder) and the render cache
/// (`.throughline-cache`, vouched for by the output's manifest), cut,
/// bit-flipped, forged with counts and indices out of range, or replaced by
/// garbage. Every build succeeds, leaves no staging folder, and writes what
/// a build without the caches writes.
///
/// Damage (a flipped bit) is left as it is; forgeries are sealed as the
/// format seals a file (the check that ends it, the manifest's line), as
/// someone who knows the format would, so that they reach the parsers.
#[test]
fn mutated_caches_are_ignored_and_the_build_is_the_one_without_them() {
    let settings = Settings::from_env();
    let cases = std::env::var("THROUGHLINE_FUZZ_CACHE_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(DEFAULT_CACHE_CASES);
    let work = tempfile::tempdir().expect("work");
    let root = work.path().join("site");
    copy_tree(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("content-example"),
        &root,
    );
    // The example turns history off (its pages would show this
    // repository's commits); here it is the point.
    let config = root.join(throughline::config::CONFIG_FILE);
    let text = std::fs::read_to_string(&config).expect("config");
    std::fs::write(&config, text.replace("history: false", "history: true")).expect("config");
    scripted_commits(&root);
    // Read by the library, in this process: set once, never unset. The
    // other tests of this binary keep nothing (their sites are not in git).
    std::env::set_var("THROUGHLINE_CACHE_DIR", work.path().join("cache"));

    let reference = work.path().join("reference");
    build_with_caches(&root, &reference, false).expect("a build without caches");
    let expected = snapshot(&reference);
    let out = work.path().join("out");
    build_with_caches(&root, &out, true).expect("the first build");
    let history_file = kept_history(&work.path().join("cache"));
    let good_history = std::fs::read(&history_file).expect("kept history");
    let good_cache = std::fs::read(out.join(render::cache::CACHE_FILE)).expect("render cache");
    let good_manifest = std::fs::read(out.join(throughline::output::MANIFEST)).expect("manifest");

    let mut failures = Vec::new();
    for n in 0..cases {
        let mut rng = Rng::new(settings.seed ^ 0xcac4e ^ n.wrapping_mul(0x9e37_79b9));
        std::fs::write(&history_file, &good_history).expect("restore");
        std::fs::write(out.join(render::cache::CACHE_FILE), &good_cache).expect("restore");
        std::fs::write(out.join(throughline::output::MANIFEST), &good_manifest).expect("restore");
        let what = if rng.below(2) == 0 {
            let (what, bytes) = mutate_kept(&good_history, &mut rng);
            std::fs::write(&history_file, bytes).expect("mutate");
            format!("history: {what}")
        } else {
            let (what, bytes) = mutate_render_cache(&good_cache, &mut rng);
            std::fs::write(out.join(render::cache::CACHE_FILE), &bytes).expect("mutate");
            vouch_in_manifest(&out, render::cache::CACHE_FILE, &bytes);
            format!("render cache: {what}")
        };
        let built = panic::catch_unwind(AssertUnwindSafe(|| build_with_caches(&root, &out, true)));
        let problem = match built {
            Err(payload) => Some(format!("panicked: {}", panic_report(payload))),
            Ok(Err(e)) => Some(format!("failed: {e}")),
            Ok(Ok(())) if snapshot(&out) != expected => Some("wrote another output".into()),
            Ok(Ok(())) => staging_left(&out).map(|name| format!("left {name}")),
        };
        if let Some(problem) = problem {
            failures.push(format!("cache case {n} ({what}): {problem}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Copies the files under `from` to `to`.
fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.expect("walk");
        let target = to.join(entry.path().strip_prefix(from).expect("inside"));
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).expect("mkdir");
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

/// Commits the site at `root` as it is, then a change of status, with
/// fixed authors and dates: a history with subjects, authors and events.
fn scripted_commits(root: &Path) {
    let git = |date: &str, args: &[&str]| {
        let status = std::process::Command::new("git")
            .current_dir(root)
            .args(["-c", "user.name=Fuzz", "-c", "user.email=fuzz@example.com"])
            .args(["-c", "commit.gpgsign=false"])
            .args(args)
            .env("GIT_AUTHOR_DATE", format!("{date}T12:00:00Z"))
            .env("GIT_COMMITTER_DATE", format!("{date}T12:00:00Z"))
            .status()
            .expect("git runs");
        assert!(status.success(), "git {args:?}");
    };
    git("2026-10-01", &["init", "-q", "-b", "main"]);
    git("2026-10-01", &["add", "-A"]);
    git("2026-10-01", &["commit", "-q", "-m", "Set up the strategy"]);
    let bet = walkdir::WalkDir::new(root.join("bets"))
        .into_iter()
        .filter_map(Result::ok)
        .map(|e| e.into_path())
        .find(|p| std::fs::read_to_string(p).is_ok_and(|t| t.contains("\nstatus: ")))
        .expect("a bet with a status");
    let text = std::fs::read_to_string(&bet).expect("bet");
    std::fs::write(
        &bet,
        text.replacen("\nstatus: ", "\nstatus: dropped\nold_status: ", 1),
    )
    .expect("edit");
    git("2026-11-02", &["commit", "-q", "-a", "-m", "Drop a bet"]);
}

/// Builds the site at `root` into `out` as `build` does: with the kept
/// history and the render cache when `with_caches`, else from scratch.
fn build_with_caches(root: &Path, out: &Path, with_caches: bool) -> Result<(), String> {
    let mut options = load_options(root, false);
    options.output_dir = Some(out.to_path_buf());
    let history = throughline::read_history(&options, with_caches);
    let mut site = throughline::load_lean(&options).map_err(|e| format!("{e:?}"))?;
    site.history = Arc::new(history);
    throughline::write_site_with(&site, out, !with_caches)
        .map(|_| ())
        .map_err(|e| format!("{e:?}"))
}

/// Every file under `dir`, by path, with its bytes.
fn snapshot(dir: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e.path().strip_prefix(dir).expect("inside");
            let bytes = std::fs::read(e.path()).expect("read");
            (rel.to_string_lossy().into_owned(), bytes)
        })
        .collect()
}

/// The history file kept in the cache folder `cache`.
fn kept_history(cache: &Path) -> PathBuf {
    std::fs::read_dir(cache)
        .expect("cache folder")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("history-"))
        })
        .expect("a kept history")
}

/// A staging or old folder a build left beside `out`.
fn staging_left(out: &Path) -> Option<String> {
    let name = out.file_name()?.to_string_lossy().into_owned();
    std::fs::read_dir(out.parent()?)
        .ok()?
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .find(|n| n.starts_with(&format!(".{name}.")))
}

/// The hash the output manifest and the caches' checks take.
fn fold_hash(bytes: &[u8]) -> u64 {
    use std::hash::BuildHasher;
    foldhash::quality::FixedState::with_seed(0).hash_one(bytes)
}

/// `body` with the check a cache file ends with.
fn sealed(body: &[u8]) -> Vec<u8> {
    let mut bytes = body.to_vec();
    bytes.extend_from_slice(&fold_hash(body).to_le_bytes());
    bytes
}

/// A cache file's bytes without its check.
fn unsealed(bytes: &[u8]) -> &[u8] {
    &bytes[..bytes.len().saturating_sub(8)]
}

/// Flips 1 to 3 random bits of `bytes`.
fn flip_bits(bytes: &[u8], rng: &mut Rng) -> Vec<u8> {
    let mut flipped = bytes.to_vec();
    for _ in 0..=rng.below(3) {
        let at = rng.below(flipped.len());
        flipped[at] ^= 1 << rng.below(8);
    }
    flipped
}

/// Random bytes, as long as `len`.
fn garbage(len: usize, rng: &mut Rng) -> Vec<u8> {
    (0..len).map(|_| rng.next() as u8).collect()
}

/// The kept history file `good` damaged or forged: what was done, and the bytes.
fn mutate_kept(good: &[u8], rng: &mut Rng) -> (String, Vec<u8>) {
    let json = String::from_utf8_lossy(unsealed(good)).into_owned();
    match rng.below(5) {
        0 => {
            let cut = rng.below(good.len());
            (format!("cut at {cut}"), good[..cut].to_vec())
        }
        1 => {
            // Cut JSON never parses, whatever its seal.
            let cut = rng.below(json.len());
            (
                format!("cut at {cut}, sealed"),
                sealed(&json.as_bytes()[..cut]),
            )
        }
        2 => ("bits flipped".into(), flip_bits(good, rng)),
        3 => {
            let forged = [
                ("\"commit\":0", "\"commit\":18446744073709551615"),
                ("\"head\":\"", "\"head\":\"--output=/tmp/x"),
                ("\"commits\":[0", "\"commits\":[4000000000"),
                ("Drop a bet", "Invented by the cache"),
                ("\"author\":\"Fuzz\"", "\"author\":\"Someone else\""),
            ];
            let (from, to) = forged[rng.below(forged.len())];
            let text = json.replacen(from, to, 1);
            assert_ne!(text, json, "the history holds `{from}`");
            (format!("forged `{to}`, sealed"), sealed(text.as_bytes()))
        }
        _ => ("garbage".into(), garbage(good.len(), rng)),
    }
}

/// The render cache `good` damaged or forged: what was done, and the bytes.
fn mutate_render_cache(good: &[u8], rng: &mut Rng) -> (String, Vec<u8>) {
    let body = unsealed(good);
    let header = body.iter().position(|&b| b == b'\n').map_or(0, |at| at + 1) + 8;
    match rng.below(5) {
        0 => {
            let cut = rng.below(body.len());
            (format!("cut at {cut}, sealed"), sealed(&body[..cut]))
        }
        1 => ("bits flipped".into(), flip_bits(good, rng)),
        2 => {
            // A count of pages (2^28 to 2^62) in place of the real one.
            let count = 1u64 << (28 + rng.below(35));
            let mut forged = body[..header.min(body.len())].to_vec();
            let mut value = count;
            while value >= 0x80 {
                forged.push((value as u8) | 0x80);
                value >>= 7;
            }
            forged.push(value as u8);
            forged.extend_from_slice(&body[header.min(body.len())..]);
            (format!("a count of {count}, sealed"), sealed(&forged))
        }
        3 => {
            // The same cache, sealed and vouched for with more bytes after it.
            let mut longer = body.to_vec();
            longer.extend(garbage(1 + rng.below(64), rng));
            ("bytes after the end, sealed".into(), sealed(&longer))
        }
        _ => ("garbage".into(), garbage(good.len(), rng)),
    }
}

/// Rewrites the output manifest's line for `path` to vouch for `bytes`,
/// as whoever forges a restored output folder would.
fn vouch_in_manifest(out: &Path, path: &str, bytes: &[u8]) {
    let manifest = out.join(throughline::output::MANIFEST);
    let text = std::fs::read_to_string(&manifest).expect("manifest");
    let line = format!("{:016x} {} {path}", fold_hash(bytes), bytes.len());
    let text: Vec<String> = text
        .lines()
        .map(|l| match l.ends_with(&format!(" {path}")) {
            true => line.clone(),
            false => l.to_string(),
        })
        .collect();
    std::fs::write(&manifest, text.join("\n") + "\n").expect("manifest");
}

// ---------------------------------------------------------------------------
// The output folder and its leftovers (issue #31)

#[cfg(unix)]
/// Builds of `content-example/` into `public/`, each after random damage to
/// what a commit or a restored CI cache can put in or beside the output:
/// links in place of pages and folders, links added, pages deleted or
/// resized, a manifest and render cache truncated or garbled, the marker
/// replaced by a link, and forged staging (`.public.new-PID`) and previous
/// (`.public.old-PID`) folders holding links out and journals that move and
/// remove through them. After each build: nothing outside the output
/// changed, nothing in the output is a link, no leftover is left, and the
/// output is exactly what a fresh build writes.
///
/// One case per 25 of `THROUGHLINE_FUZZ_CASES` (12 by default, a few
/// seconds), from `THROUGHLINE_FUZZ_SEED`.
#[test]
fn a_damaged_output_and_forged_leftovers_never_lead_a_build_astray() {
    let settings = Settings::from_env();
    // Marks of the build's own leftovers go to the tests' cache folder, as
    // in tests/testsuite, not the user's. Set once; std's environment
    // functions lock, and nothing in this process reads it from C.
    std::env::set_var(
        "THROUGHLINE_CACHE_DIR",
        Path::new(env!("CARGO_TARGET_TMPDIR")).join("throughline-cache"),
    );
    let corpus = Corpus::load();
    let tmp = tempfile::tempdir().expect("temp dir");
    let root = tmp.path().join("site");
    let whole = Case {
        files: corpus.files.clone(),
        mutations: Vec::new(),
        drafts: false,
    };
    write_site_files(&root, &corpus.config_text, &whole).expect("the site is written");
    let outside = tmp.path().join("outside");
    for (path, text) in [
        ("outside/secret.txt", "s3cr3t"),
        ("outside/dir/file.txt", "mine"),
        (
            "site/.git/config",
            "[http]\n\textraheader = AUTHORIZATION: basic s3cr3t\n",
        ),
    ] {
        let file = tmp.path().join(path);
        std::fs::create_dir_all(file.parent().expect("a folder")).expect("folder");
        std::fs::write(file, text).expect("canary");
    }
    let out = root.join("public");
    let mut options = load_options(&root, false);
    options.output_dir = Some(out.clone());
    let site = throughline::load_lean(&options).expect("content-example loads");
    let fresh = tmp.path().join("fresh");
    throughline::write_site_with(&site, &fresh, true).expect("a fresh build");
    let expected = tree(&fresh);
    let around = || -> Tree {
        let mut all = tree(&outside);
        all.extend(tree(&root).into_iter().filter(|(path, _)| {
            path != "public" && !path.starts_with("public/") && !path.starts_with(".public.")
        }));
        all
    };
    let before = around();
    throughline::write_site(&site, &out).expect("the first build");

    let cases = (settings.cases / 25).max(1);
    let mut failures = Vec::new();
    for n in 0..cases {
        let mut rng = Rng::new(settings.seed ^ 0x6f75_7470_7574 ^ n.wrapping_mul(0x9e37));
        let mut done = Vec::new();
        for _ in 0..1 + rng.below(4) {
            done.push(damage(&mut rng, &root, &outside));
        }
        let problem = build_after_damage(&site, &root, &out).and_then(|()| {
            let now = around();
            if now != before {
                return Err(format!(
                    "outside the output changed: {}",
                    differences(&before, &now)
                ));
            }
            let built = tree(&out);
            if let Some((path, _)) = built
                .iter()
                .find(|(_, entry)| matches!(entry, Entry::Link(_)))
            {
                return Err(format!("the output holds a link: {path}"));
            }
            if built != expected {
                return Err(format!(
                    "the output is not a fresh build's: {}",
                    differences(&expected, &built)
                ));
            }
            let left: Vec<String> = names_in(&root)
                .into_iter()
                .filter(|n| n.starts_with(".public."))
                .collect();
            if !left.is_empty() {
                return Err(format!("leftovers stay: {left:?}"));
            }
            Ok(())
        });
        if let Err(problem) = problem {
            failures.push(format!(
                "case {n} (THROUGHLINE_FUZZ_SEED={}): {problem}\n  damage: {}",
                settings.seed,
                done.join("; ")
            ));
            // The next case starts from a fresh output.
            let _ = std::fs::remove_dir_all(&out);
            let _ = throughline::write_site(&site, &out);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[cfg(unix)]
/// What `build` does: sweep beside an output it accepts, then write. A
/// refused output (its marker removed) must be left alone; the next case
/// then starts without it.
fn build_after_damage(site: &Site, root: &Path, out: &Path) -> Result<(), String> {
    if throughline::output::check_target(root, out).is_err() {
        let before = tree(out);
        if throughline::write_site(site, out).is_ok() {
            return Err("a build wrote into an output it should refuse".into());
        }
        if tree(out) != before {
            return Err("a refused output was changed".into());
        }
        std::fs::remove_dir_all(out).map_err(|e| format!("removing it: {e}"))?;
        for name in names_in(root) {
            if name.starts_with(".public.") {
                let path = root.join(&name);
                let _ = std::fs::remove_dir_all(&path).or_else(|_| std::fs::remove_file(&path));
            }
        }
    } else {
        let _ = throughline::output::sweep_leftovers(out);
    }
    throughline::write_site(site, out)
        .map(|_| ())
        .map_err(|e| format!("the build failed: {e}"))
}

#[cfg(unix)]
/// One random piece of damage to the output or beside it; says what it did.
fn damage(rng: &mut Rng, root: &Path, outside: &Path) -> String {
    use std::os::unix::fs::symlink;
    let out = root.join("public");
    let files: Vec<String> = tree(&out)
        .into_iter()
        .filter(|(_, entry)| matches!(entry, Entry::File(_)))
        .map(|(path, _)| path)
        .collect();
    let folders: Vec<String> = tree(&out)
        .into_iter()
        .filter(|(_, entry)| matches!(entry, Entry::Folder))
        .map(|(path, _)| path)
        .collect();
    let dead = 4_194_304 + 1_000 + rng.below(50) as u32;
    let secret = outside.join("secret.txt");
    // Best effort: damage that does not apply (no output yet) is just less damage.
    let result: std::io::Result<String> = (|| match rng.below(10) {
        0 if !files.is_empty() => {
            let path = rng.pick(&files);
            std::fs::remove_file(out.join(path))?;
            symlink(&secret, out.join(path))?;
            Ok(format!("{path} is a link out"))
        }
        1 if !folders.is_empty() => {
            let folder = rng.pick(&folders);
            let (name, target) = if rng.chance(2) {
                ("planted.html", secret.clone())
            } else {
                ("planted", outside.to_path_buf())
            };
            symlink(&target, out.join(folder).join(name))?;
            Ok(format!("a link {folder}/{name} out"))
        }
        2 if !files.is_empty() => {
            let path = rng.pick(&files);
            std::fs::remove_file(out.join(path))?;
            Ok(format!("{path} deleted"))
        }
        3 if !files.is_empty() => {
            let path = rng.pick(&files);
            let mut bytes = std::fs::read(out.join(path))?;
            let keep = rng.below(bytes.len() + 1);
            bytes.truncate(keep);
            if rng.chance(2) {
                bytes.extend_from_slice(b"<script>planted</script>");
            }
            std::fs::write(out.join(path), &bytes)?;
            Ok(format!("{path} resized"))
        }
        4 => {
            let manifest = out.join(".throughline-manifest");
            let text = std::fs::read(&manifest).unwrap_or_default();
            let (what, bytes): (&str, Vec<u8>) = match rng.below(5) {
                0 => ("truncated", text[..rng.below(text.len() + 1)].to_vec()),
                1 => (
                    "garbage",
                    (0..rng.below(300)).map(|_| rng.below(256) as u8).collect(),
                ),
                2 => ("header only", b"throughline-manifest 1\n".to_vec()),
                3 => {
                    let mut bytes = text.clone();
                    bytes.extend_from_slice(b"0 6 ../../outside/secret.txt\n");
                    ("naming a path out", bytes)
                }
                _ => (
                    "huge lengths",
                    String::from_utf8_lossy(&text)
                        .replace(" 1", " 18446744073709551615")
                        .into_bytes(),
                ),
            };
            std::fs::write(&manifest, bytes)?;
            Ok(format!("manifest {what}"))
        }
        5 => {
            let cache = out.join(".throughline-cache");
            let bytes = std::fs::read(&cache)?;
            let cut = rng.below(bytes.len() + 1);
            let mut damaged = bytes[..cut].to_vec();
            damaged.extend((0..rng.below(64)).map(|_| rng.below(256) as u8));
            std::fs::write(&cache, damaged)?;
            Ok("render cache garbled".into())
        }
        6 => {
            let marker = out.join(".throughline-output");
            std::fs::remove_file(&marker)?;
            if rng.chance(2) {
                symlink(&secret, &marker)?;
                return Ok("marker is a link".into());
            }
            Ok("marker removed".into())
        }
        7 => {
            let staging = root.join(format!(".public.new-{dead}"));
            std::fs::create_dir_all(&staging)?;
            let _ = symlink("../.git", staging.join("g"));
            let _ = symlink(outside, staging.join("h"));
            let mut journal = String::from("throughline-journal 1\n");
            for _ in 0..1 + rng.below(4) {
                journal.push_str(rng.pick::<&str>(&[
                    "move g/config\n",
                    "move h/secret.txt\n",
                    "move h/dir\n",
                    "remove h/secret.txt\n",
                    "remove h/dir/file.txt\n",
                    "move index.html\n",
                    "remove index.html\n",
                ]));
            }
            std::fs::write(staging.join(".throughline-journal"), journal)?;
            std::fs::write(
                staging.join(".throughline-manifest"),
                "throughline-manifest 1\n",
            )?;
            if rng.chance(2) {
                std::fs::write(staging.join(".throughline-token"), "00".repeat(16))?;
            }
            Ok(format!("a forged .public.new-{dead}"))
        }
        8 => {
            let old = root.join(format!(".public.old-{dead}"));
            let what = if rng.chance(2) && out.is_dir() {
                // The output itself, as if a swap had been cut: links added.
                std::fs::rename(&out, &old)?;
                "the output moved to"
            } else {
                std::fs::create_dir_all(&old)?;
                std::fs::write(old.join(".throughline-output"), "")?;
                std::fs::write(
                    old.join(".throughline-manifest"),
                    "throughline-manifest 1\n",
                )?;
                "a forged"
            };
            let _ = symlink(&secret, old.join("passwd.txt"));
            let _ = symlink("/proc/self/environ", old.join("env.txt"));
            Ok(format!("{what} .public.old-{dead} with links out"))
        }
        _ if !folders.is_empty() => {
            let folder = rng.pick(&folders);
            std::fs::remove_dir_all(out.join(folder))?;
            symlink(outside, out.join(folder))?;
            Ok(format!("folder {folder} is a link out"))
        }
        _ => Ok("nothing".into()),
    })();
    result.unwrap_or_else(|e| format!("(damage failed: {e})"))
}

#[cfg(unix)]
/// What is at a path: a folder, a file's bytes, or a link's target.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Entry {
    Folder,
    File(Vec<u8>),
    Link(PathBuf),
}

#[cfg(unix)]
/// Everything under `dir` by relative path, links not followed.
type Tree = std::collections::BTreeMap<String, Entry>;

#[cfg(unix)]
fn tree(dir: &Path) -> Tree {
    walkdir::WalkDir::new(dir)
        .min_depth(1)
        .into_iter()
        .filter_map(Result::ok)
        .map(|e| {
            let path = e
                .path()
                .strip_prefix(dir)
                .unwrap_or(e.path())
                .to_string_lossy()
                .into_owned();
            let entry = if e.path_is_symlink() {
                Entry::Link(std::fs::read_link(e.path()).unwrap_or_default())
            } else if e.file_type().is_dir() {
                Entry::Folder
            } else {
                Entry::File(std::fs::read(e.path()).unwrap_or_default())
            };
            (path, entry)
        })
        .collect()
}

#[cfg(unix)]
/// The first few paths where two trees differ.
fn differences(a: &Tree, b: &Tree) -> String {
    let paths: std::collections::BTreeSet<&String> = a.keys().chain(b.keys()).collect();
    let differ: Vec<&str> = paths
        .into_iter()
        .filter(|p| a.get(*p) != b.get(*p))
        .map(String::as_str)
        .take(5)
        .collect();
    differ.join(", ")
}

#[cfg(unix)]
/// The names in `dir`.
fn names_in(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default()
}
