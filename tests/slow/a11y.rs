//! Accessibility and HTML conformance of the built example site, with the
//! tools people audit sites with: axe-core in headless Chromium over every
//! page kind in light and dark mode (`tests/a11y/check.mjs axe`), and the Nu
//! Html Checker (`vnu-jar`) over every page. Both must find nothing: no axe
//! violation, no Nu error or warning.
//!
//! The tools are npm packages pinned by `tests/a11y/package-lock.json`;
//! `npm ci` installs them when `tests/a11y/node_modules` is missing. They need
//! Node.js, Java and Debian's Chromium: without them the test prints a note
//! and passes, except under CI (`CI` set), where `.ci/run` installs them and a
//! missing tool is a failure.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::Duration;

use crate::support::{run_limited, which, SiteTest};

/// Longer than the suite's limit for one `throughline` run: a browser visits
/// 78 pages, and the machine is shared.
const TOOL_TIME_LIMIT: Duration = Duration::from_secs(240);

/// `tests/a11y`, where the npm packages and the browser script live.
pub(crate) fn tools_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/a11y")
}

/// What the browser checks run with.
pub(crate) struct NodeTools {
    pub(crate) node: PathBuf,
    pub(crate) chromium: PathBuf,
}

/// Node.js, Chromium and the installed npm packages, or `None` (after a
/// printed note) when a tool is missing outside CI. `test` names the caller in
/// the note.
pub(crate) fn node_tools(test: &str) -> Option<NodeTools> {
    let found = (
        which(&["node"]),
        which(&["npm"]),
        crate::browser::chromium(),
    );
    let (Some(node), Some(_npm), Some(chromium)) = found else {
        assert!(
            std::env::var("CI").is_err(),
            "CI must have node, npm and chromium: .ci/run installs them"
        );
        eprintln!("{test}: node, npm or chromium is missing; skipping");
        return None;
    };
    if let Err(e) = npm_ci() {
        panic!("{test}: npm ci in tests/a11y failed: {e}");
    }
    Some(NodeTools { node, chromium })
}

/// Installs the pinned packages once per test run, if they are not there yet.
/// Tests run in parallel, so the first caller installs and the others wait.
fn npm_ci() -> Result<(), String> {
    static DONE: OnceLock<Result<(), String>> = OnceLock::new();
    DONE.get_or_init(|| {
        let dir = tools_dir();
        let installed = ["axe-core", "puppeteer-core", "vnu-jar/build/dist/vnu.jar"]
            .iter()
            .all(|p| dir.join("node_modules").join(p).exists());
        if installed {
            return Ok(());
        }
        let mut cmd = Command::new("npm");
        // No browser download (the checks use Debian's Chromium) and no
        // install scripts (vnu-jar's would fetch a Java runtime; the
        // machine's own runs the checker).
        cmd.args(["ci", "--ignore-scripts", "--no-audit", "--no-fund"])
            .current_dir(&dir)
            .env("PUPPETEER_SKIP_DOWNLOAD", "1");
        let out = run_limited(cmd, TOOL_TIME_LIMIT);
        if out.status.success() {
            Ok(())
        } else {
            Err(format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ))
        }
    })
    .clone()
}

/// The example site, built into a temporary folder, with a short scripted
/// git history (its copy in a repository of its own, `history: false`
/// dropped), so the history sections, the changes page and the dashboard's
/// latest changes are checked with content in them.
pub(crate) fn built_example() -> crate::support::Built {
    let site = SiteTest::example();
    let root = site.root();
    let config = root.join("throughline.yaml");
    let text = std::fs::read_to_string(&config).expect("the example's config");
    let text: String = text
        .lines()
        .filter(|l| !l.starts_with("history:"))
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(
        &config,
        text + "repo_url: https://git.example.com/fernhill/strategy\nedit_url: https://git.example.com/fernhill/strategy/_edit/main/{path}\n",
    )
    .expect("config");
    crate::support::git(root, &["init", "-q", "-b", "main"]);
    crate::support::git(root, &["add", "-A"]);
    crate::support::git(root, &["commit", "-q", "-m", "The strategy as it stands"]);
    let bet = root.join("bets/bet-multi-currency.md");
    let text = std::fs::read_to_string(&bet).expect("the example's bet");
    // Committed, and a confidence change in git: a row of its confidence over time.
    let committed = text
        .replace("status: proposed", "status: committed")
        .replace(
            "confidence: { problem: medium, solution: low, outcome: medium }",
            "confidence: { problem: high, solution: low, outcome: medium }",
        );
    std::fs::write(&bet, committed).expect("bet");
    crate::support::git_at(
        root,
        "2026-11-10",
        &["commit", "-q", "-am", "Commit multi-currency"],
    );
    // A retitling and a section's text edited: the changes written in words.
    let text = std::fs::read_to_string(&bet).expect("the example's bet");
    let edited = text
        .replace(
            "title: Pay EU suppliers in euros",
            "title: Pay EU suppliers in their currency",
        )
        .replace("partner bank to use", "partner bank or banks to use");
    std::fs::write(&bet, edited).expect("bet");
    crate::support::git_at(
        root,
        "2026-11-12",
        &["commit", "-q", "-am", "Retitle multi-currency"],
    );
    let built = site.build_elsewhere(&[], &[]);
    assert_eq!(
        built.run.code, 0,
        "{}{}",
        built.run.stdout, built.run.stderr
    );
    // The checks below see the history sections with content, not their notes.
    let changes = std::fs::read_to_string(built.out.join("changes/index.html")).expect("changes");
    assert!(changes.contains("Commit multi-currency"), "{changes}");
    assert!(changes.contains("retitled from"), "{changes}");
    assert!(changes.contains("text changed in"), "{changes}");
    assert!(changes.contains("<ins>"), "the words changed: {changes}");
    let bet =
        std::fs::read_to_string(built.out.join("bet-multi-currency/index.html")).expect("bet");
    assert!(bet.contains("id=\"confidence-log-h\""), "{bet}");
    built
}

#[test]
fn axe_finds_no_violation_on_any_page_kind_in_light_or_dark_mode() {
    let Some(tools) = node_tools("axe") else {
        return;
    };
    let built = built_example();
    let mut cmd = Command::new(&tools.node);
    cmd.arg(tools_dir().join("check.mjs"))
        .arg("axe")
        .arg(&built.out)
        .env("CHROMIUM", &tools.chromium);
    let out = run_limited(cmd, TOOL_TIME_LIMIT);
    let stdout = String::from_utf8_lossy(&out.stdout);
    // The summary line goes to the test's output even when it passes.
    eprintln!("{}", stdout.lines().next().unwrap_or(""));
    assert!(
        out.status.success(),
        "axe found violations (or could not run):\n{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn the_nu_html_checker_finds_no_error_or_warning_on_any_page() {
    let java = which(&["java"]);
    let (Some(java), Some(_)) = (java, node_tools("vnu")) else {
        assert!(
            std::env::var("CI").is_err(),
            "CI must have java: .ci/run installs it"
        );
        eprintln!("vnu: java or the npm packages are missing; skipping");
        return;
    };
    let built = built_example();
    let jar = tools_dir().join("node_modules/vnu-jar/build/dist/vnu.jar");
    // Every page by name, in one run: each start of the JVM costs seconds.
    // Not the stylesheet: vnu's CSS checker predates container queries, which
    // the opportunity solution tree needs.
    let files = files_with(&built.out, &["html"]);
    let pages = files.len();
    let mut cmd = Command::new(java);
    cmd.arg("-jar")
        .arg(&jar)
        .args(["--format", "json"])
        .args(&files);
    let out = run_limited(cmd, TOOL_TIME_LIMIT);
    // vnu writes its JSON report to stderr.
    let report: serde_json::Value = serde_json::from_slice(&out.stderr).unwrap_or_else(|e| {
        panic!(
            "vnu did not write a JSON report ({e}):\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    let messages = report["messages"].as_array().cloned().unwrap_or_default();
    // Errors and warnings count; plain "info" (such as the trailing slash
    // pulldown-cmark writes on a task list's `<input/>`) is advice only.
    let problems: Vec<String> = messages
        .iter()
        .filter(|m| m["type"] != "info" || m["subType"] == "warning")
        .map(|m| {
            let file = m["url"].as_str().unwrap_or("?");
            let file = file
                .rsplit_once(&*built.out.to_string_lossy())
                .map_or(file, |(_, rel)| rel);
            let kind = if m["subType"] == "warning" {
                "warning"
            } else {
                m["type"].as_str().unwrap_or("?")
            };
            format!(
                "{file}:{}: {kind}: {}",
                m["lastLine"],
                m["message"].as_str().unwrap_or("?")
            )
        })
        .collect();
    eprintln!(
        "vnu: {pages} pages, {} errors and warnings, {} info",
        problems.len(),
        messages.len() - problems.len()
    );
    assert!(
        problems.is_empty(),
        "the Nu Html Checker found {} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
    assert!(pages > 40, "only {pages} pages were checked");
}

/// The pages a site of more than 50 bets splits its roadmap and quarter
/// reviews into (a page per product strategy, paged by 50): axe (light and
/// dark) and the Nu checker find nothing on any of them.
#[test]
fn the_roadmap_and_quarter_review_pages_per_product_strategy_pass_axe_and_the_nu_checker() {
    let Some(tools) = node_tools("axe on pages per strategy") else {
        return;
    };
    let site = SiteTest::portfolio(&[70, 30, 15, 0]);
    let built = site.build_elsewhere(&[], &[]);
    assert_eq!(built.run.code, 0, "{}", built.run.stderr);
    let mut files = files_with(&built.out.join("roadmap"), &["html"]);
    files.extend(files_with(&built.out.join("quarters"), &["html"]));
    let pages: Vec<String> = files
        .iter()
        .map(|f| {
            let rel = f.strip_prefix(&built.out).expect("under the output");
            rel.to_string_lossy().replace('\\', "/")
        })
        .collect();
    assert!(pages.iter().any(|p| p == "roadmap/ps-0/page/2/index.html"));
    assert!(pages
        .iter()
        .any(|p| p == "quarters/2026-Q4/ps-0/page/2/index.html"));
    let mut cmd = Command::new(&tools.node);
    cmd.arg(tools_dir().join("check.mjs"))
        .arg("axe")
        .arg(&built.out)
        .arg(pages.join(","))
        .env("CHROMIUM", &tools.chromium);
    let out = run_limited(cmd, TOOL_TIME_LIMIT);
    let stdout = String::from_utf8_lossy(&out.stdout);
    eprintln!("{}", stdout.lines().next().unwrap_or(""));
    assert!(
        out.status.success(),
        "axe found violations (or could not run):\n{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let Some(java) = which(&["java"]) else {
        assert!(std::env::var("CI").is_err(), "CI must have java");
        return;
    };
    let jar = tools_dir().join("node_modules/vnu-jar/build/dist/vnu.jar");
    let mut cmd = Command::new(java);
    cmd.arg("-jar")
        .arg(&jar)
        .args(["--format", "gnu"])
        .args(&files);
    let out = run_limited(cmd, TOOL_TIME_LIMIT);
    let report = String::from_utf8_lossy(&out.stderr);
    let problems: Vec<&str> = report
        .lines()
        .filter(|l| l.contains("error") || l.contains("warning"))
        .collect();
    assert!(
        problems.is_empty() && out.status.success(),
        "the Nu Html Checker on {} pages:\n{report}",
        files.len()
    );
}

/// The files under `dir` whose extension is one of `extensions`, sorted.
fn files_with(dir: &Path, extensions: &[&str]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p
                .extension()
                .is_some_and(|x| extensions.iter().any(|e| x == *e))
            {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}
