//! What a hostile or careless contributor must not be able to make
//! throughline do: publish files from outside the site, hang on a special
//! file, or crash on a deep graph.

use std::path::Path;

use crate::support::SiteTest;

const COMPANY: &str =
    "---\nid: cs\nkind: company-strategy\nreviewed: 2026-11-01\n---\n# Strategy\n";

/// A document outside every site, holding something that must never be published.
const SECRET: &str = "s3cr3t-deploy-token-7f9c";

fn outside_folder() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join("secret.md"),
        format!("---\nid: leaked\nkind: page\n---\n# Leaked\n{SECRET}\n"),
    )
    .expect("write secret");
    dir
}

/// Every byte of every file under `dir`, as one lossy string.
fn everything_under(dir: &Path) -> String {
    let mut all = String::new();
    for entry in walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
    {
        if entry.file_type().is_file() {
            let bytes = std::fs::read(entry.path()).expect("read output");
            all.push_str(&String::from_utf8_lossy(&bytes));
        }
    }
    all
}

fn symlink(target: &Path, link: &Path) {
    std::os::unix::fs::symlink(target, link).expect("symlink");
}

fn check_json(site: &SiteTest) -> crate::support::Run {
    site.run(&["check", "ROOT", "--format", "json", "--today", "2026-11-24"])
}

#[test]
fn a_link_to_a_file_outside_the_site_is_skipped_with_a_warning_and_never_published() {
    let outside = outside_folder();
    let site = SiteTest::new().file("cs.md", COMPANY);
    symlink(
        &outside.path().join("secret.md"),
        &site.root().join("env.md"),
    );

    let run = check_json(&site);
    assert_eq!(run.code, 0, "a skipped file is a warning: {}", run.stdout);
    let findings = run.json();
    let skipped: Vec<_> = findings
        .iter()
        .filter(|d| d["rule"] == "skipped-file")
        .collect();
    assert_eq!(skipped.len(), 1, "{}", run.stdout);
    assert_eq!(skipped[0]["severity"], "warning");
    assert_eq!(skipped[0]["file"], "env.md");
    let message = skipped[0]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("outside the site") && message.contains("secret.md"),
        "the warning names the link's target: {message}"
    );

    let built = site.build_elsewhere(&[], &[]);
    let (build, out_dir) = (&built.run, &built.out);
    assert_eq!(build.code, 0, "{}{}", build.stdout, build.stderr);
    let published = everything_under(out_dir);
    assert!(!published.contains(SECRET), "the secret was published");
    assert!(!out_dir.join("leaked").exists());
    assert!(
        run_with_deny_warnings_fails(&site),
        "--deny-warnings must not let a skipped file pass"
    );
}

fn run_with_deny_warnings_fails(site: &SiteTest) -> bool {
    site.run(&["check", "ROOT", "--deny-warnings", "--today", "2026-11-24"])
        .code
        == 1
}

#[test]
fn the_process_environment_is_never_published_through_proc() {
    let site = SiteTest::new().file("cs.md", COMPANY);
    symlink(Path::new("/proc/self/environ"), &site.root().join("env.md"));
    let built = site.build_elsewhere(&[], &[("CI_DEPLOY_TOKEN", SECRET)]);
    let (build, out_dir) = (&built.run, &built.out);
    assert_eq!(build.code, 0, "{}{}", build.stdout, build.stderr);
    assert!(build.stdout.contains("skipped-file"), "{}", build.stdout);
    assert!(!everything_under(out_dir).contains(SECRET));
}

#[test]
fn a_link_to_a_folder_outside_the_site_is_skipped_with_one_warning() {
    let outside = outside_folder();
    let site = SiteTest::new().file("cs.md", COMPANY);
    symlink(outside.path(), &site.root().join("vendor"));
    let run = check_json(&site);
    let skipped: Vec<String> = run
        .json()
        .iter()
        .filter(|d| d["rule"] == "skipped-file")
        .map(|d| d["file"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(skipped, vec!["vendor"], "{}", run.stdout);
    let graph = site.run(&["graph", "ROOT"]);
    assert!(!graph.stdout.contains("leaked"), "{}", graph.stdout);
    assert!(!graph.stdout.contains(SECRET));
}

#[test]
fn links_that_stay_inside_the_site_are_still_followed() {
    let site = SiteTest::new().file("cs.md", COMPANY).file(
        "shared/page.md",
        "---\nid: shared-page\nkind: page\n---\n# Shared\n",
    );
    symlink(&site.root().join("shared"), &site.root().join("alias"));
    let run = check_json(&site);
    assert!(
        !run.stdout.contains("skipped-file"),
        "an inside link is not skipped: {}",
        run.stdout
    );
    // Both paths reach the same document, so its id is seen twice.
    assert!(run.stdout.contains("duplicate-id"), "{}", run.stdout);
}

#[test]
fn a_link_out_inside_a_linked_folder_is_skipped_on_both_paths() {
    let outside = outside_folder();
    let site = SiteTest::new().file("cs.md", COMPANY);
    std::fs::create_dir(site.root().join("shared")).expect("mkdir");
    symlink(
        &outside.path().join("secret.md"),
        &site.root().join("shared/leak.md"),
    );
    symlink(&site.root().join("shared"), &site.root().join("alias"));
    let run = check_json(&site);
    let mut skipped: Vec<String> = run
        .json()
        .iter()
        .filter(|d| d["rule"] == "skipped-file")
        .map(|d| d["file"].as_str().unwrap_or_default().to_string())
        .collect();
    skipped.sort();
    assert_eq!(
        skipped,
        vec!["alias/leak.md", "shared/leak.md"],
        "{}",
        run.stdout
    );
    let built = site.build_elsewhere(&[], &[]);
    assert_eq!(
        built.run.code, 0,
        "{}{}",
        built.run.stdout, built.run.stderr
    );
    assert!(!everything_under(&built.out).contains(SECRET));
}

#[test]
fn a_fifo_named_like_a_document_is_skipped_without_blocking() {
    let site = SiteTest::new().file("cs.md", COMPANY);
    let fifo = site.root().join("pipe.md");
    let path = std::ffi::CString::new(fifo.to_str().expect("utf-8 path")).expect("no NUL");
    // SAFETY: a valid NUL-terminated path; mkfifo touches nothing else.
    let made = unsafe { libc::mkfifo(path.as_ptr(), 0o644) };
    assert_eq!(made, 0, "mkfifo failed");
    // A read would block forever with no writer; the runner's time limit catches that.
    let run = check_json(&site);
    let skipped: Vec<_> = run
        .json()
        .into_iter()
        .filter(|d| d["rule"] == "skipped-file")
        .collect();
    assert_eq!(skipped.len(), 1, "{}", run.stdout);
    assert!(
        skipped[0]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("named pipe"),
        "{}",
        run.stdout
    );
}

/// An outcome with a chain of `depth` opportunities below it, and a solution under the last.
fn deep_opportunity_tree(depth: usize) -> SiteTest {
    let mut site = SiteTest::new().file("cs.md", COMPANY).file(
        "discovery/out.md",
        "---\nid: out\nkind: outcome\nreviewed: 2026-11-01\n---\n# Outcome\n",
    );
    let mut parent = "out".to_string();
    for i in 0..depth {
        site = site.file(
            &format!("discovery/o{i:05}.md"),
            format!(
                "---\nid: o{i}\nkind: opportunity\nparent: {parent}\nreviewed: 2026-11-01\n---\n# Opportunity {i}\n"
            ),
        );
        parent = format!("o{i}");
    }
    site.file(
        "discovery/sol.md",
        format!("---\nid: sol\nkind: solution\nparent: {parent}\nreviewed: 2026-11-01\n---\n# Solution\n"),
    )
}

#[test]
fn a_chain_thousands_deep_is_refused_with_a_clear_error_not_a_crash() {
    let site = deep_opportunity_tree(4_000);
    let built = site.build_elsewhere(&["--format", "json"], &[]);
    let (build, out_dir) = (&built.run, &built.out);
    assert_eq!(build.code, 1, "refused, not aborted: {}", build.stderr);
    let deep: Vec<_> = build
        .json()
        .into_iter()
        .filter(|d| d["rule"] == "deep-chain")
        .collect();
    assert_eq!(deep.len(), 4_000 / 65, "one cut every 65 levels");
    // The outcome is level 0, so o64 is the first document 65 levels down.
    assert_eq!(deep[0]["file"], "discovery/o00064.md");
    let parent = out_dir.parent().expect("the output folder has a parent");
    let left: Vec<String> = std::fs::read_dir(parent)
        .expect("list")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert!(left.is_empty(), "nothing written, nothing left: {left:?}");
}

#[test]
fn a_tree_as_deep_as_allowed_builds_with_its_diagram() {
    // out, 63 opportunities and the solution: the solution sits 64 levels down.
    let site = deep_opportunity_tree(63);
    let built = site.build_elsewhere(&[], &[]);
    let (build, out_dir) = (&built.run, &built.out);
    assert_eq!(build.code, 0, "{}{}", build.stdout, build.stderr);
    let outcome = std::fs::read_to_string(out_dir.join("out/index.html")).expect("outcome page");
    assert!(outcome.contains("<svg"), "the outcome page has its diagram");
    let solution = std::fs::read_to_string(out_dir.join("sol/index.html")).expect("solution page");
    assert!(
        solution.contains("Opportunity 0"),
        "the trail reaches the top"
    );
}

#[test]
fn a_file_over_the_size_limit_is_refused_unread() {
    let limit = throughline::source::MAX_FILE_BYTES as usize;
    let body = "x".repeat(limit + 1);
    let site = SiteTest::new()
        .file("cs.md", COMPANY)
        .file("huge.md", format!("---\nid: huge\nkind: page\n---\n{body}"));
    let run = check_json(&site);
    let io: Vec<_> = run
        .json()
        .into_iter()
        .filter(|d| d["rule"] == "io")
        .collect();
    assert_eq!(io.len(), 1, "{}", run.stdout);
    assert_eq!(io[0]["file"], "huge.md");
    assert_eq!(
        io[0]["message"],
        "file is 4.0 MiB; documents may be at most 4 MiB"
    );
}
