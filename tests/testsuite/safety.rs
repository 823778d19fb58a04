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

/// A PID no process can have: above the kernel's limit.
fn dead_pid() -> u32 {
    let max: u32 = std::fs::read_to_string("/proc/sys/kernel/pid_max")
        .ok()
        .and_then(|t| t.trim().parse().ok())
        .unwrap_or(4_194_304);
    max + 1000
}

/// Whether anything under `dir` is a link.
fn has_a_link(dir: &Path) -> bool {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .any(|e| e.path_is_symlink())
}

/// Plants, in `root`, what a contributor can commit beside the output: a
/// staging folder of a dead build holding `links` (name -> target) and a
/// journal of `journal` lines, and an output marked as throughline's.
fn plant_staging_folder(root: &Path, links: &[(&str, &str)], journal: &str) {
    let staging = root.join(format!(".public.new-{}", dead_pid()));
    std::fs::create_dir_all(&staging).unwrap();
    for (name, target) in links {
        symlink(Path::new(target), &staging.join(name));
    }
    std::fs::write(
        staging.join(".throughline-manifest"),
        "throughline-manifest 1\n",
    )
    .unwrap();
    std::fs::write(
        staging.join(".throughline-journal"),
        format!("throughline-journal 1\n{journal}"),
    )
    .unwrap();
    std::fs::create_dir_all(root.join("public")).unwrap();
    std::fs::write(root.join("public/.throughline-output"), "").unwrap();
}

/// The CI attack of issue #31: a pull request commits a staging folder
/// whose journal moves `g/config`, `g` being a link to `../.git`. In a
/// fresh clone, where the checkout wrote the token into `.git/config`, a
/// build must neither move nor publish it.
#[test]
fn a_committed_staging_folder_never_moves_the_clones_git_config_into_the_output() {
    use crate::support::git;
    let upstream = SiteTest::fixture("healthy");
    plant_staging_folder(upstream.root(), &[("g", "../.git")], "move g/config\n");
    git(upstream.root(), &["init", "-q"]);
    git(upstream.root(), &["add", "-A"]);
    git(
        upstream.root(),
        &["add", "-f", "public/.throughline-output"],
    );
    git(upstream.root(), &["commit", "-q", "-m", "a pull request"]);

    let runner = tempfile::tempdir().unwrap();
    let clone = runner.path().join("clone");
    let from = upstream.root().to_string_lossy().into_owned();
    let to = clone.to_string_lossy().into_owned();
    git(runner.path(), &["clone", "-q", &from, &to]);
    // What actions/checkout leaves in the clone.
    git(
        &clone,
        &[
            "config",
            "http.extraheader",
            &format!("AUTHORIZATION: basic {SECRET}"),
        ],
    );
    let config = std::fs::read_to_string(clone.join(".git/config")).unwrap();
    assert!(clone
        .join(format!(".public.new-{}", dead_pid()))
        .join("g")
        .is_symlink());

    let run = crate::support::run_binary(
        &[
            "build".into(),
            to.clone(),
            "--today".into(),
            "2026-11-24".into(),
        ],
        &[],
        runner.path(),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        std::fs::read_to_string(clone.join(".git/config")).ok(),
        Some(config),
        "the clone's config stays where it was"
    );
    assert!(
        !run.stderr.contains("completed the update"),
        "{}",
        run.stderr
    );
    let out = clone.join("public");
    assert!(
        !everything_under(&out).contains(SECRET),
        "the token was published"
    );
    assert!(!out.join("g").exists() && !has_a_link(&out));
    assert!(
        !clone.join(format!(".public.new-{}", dead_pid())).exists(),
        "the planted folder is removed, not obeyed"
    );
}

/// The same journal with a link out of the root: no folder from outside
/// moves into the output, so a later `--clean` cannot delete it.
#[test]
fn a_committed_staging_folder_never_moves_a_folder_from_outside_the_root() {
    let outside = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(outside.path().join("victim")).unwrap();
    std::fs::write(outside.path().join("victim/data.txt"), "keep me").unwrap();
    let site = SiteTest::fixture("healthy");
    plant_staging_folder(
        site.root(),
        &[("h", &outside.path().to_string_lossy())],
        "move h/victim\nremove h/victim/data.txt\n",
    );
    for extra in [&[][..], &["--clean"][..]] {
        let mut args = vec!["build", "ROOT", "--today", "2026-11-24"];
        args.extend_from_slice(extra);
        let run = site.run(&args);
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert_eq!(
            std::fs::read_to_string(outside.path().join("victim/data.txt")).unwrap(),
            "keep me",
            "after build {extra:?}"
        );
        assert!(!site.root().join("public/h").exists());
    }
}

/// A committed `.public.old-PID` that looks whole (marker, a manifest that
/// lists nothing) and holds links to files outside: it is not put back as
/// the output, and nothing it holds is ever published.
#[test]
fn a_committed_previous_output_with_links_out_is_never_restored() {
    let outside = outside_folder();
    let site = SiteTest::fixture("healthy");
    let old = site.root().join(format!(".public.old-{}", dead_pid()));
    std::fs::create_dir_all(&old).unwrap();
    std::fs::write(old.join(".throughline-output"), "").unwrap();
    std::fs::write(
        old.join(".throughline-manifest"),
        "throughline-manifest 1\n",
    )
    .unwrap();
    symlink(&outside.path().join("secret.md"), &old.join("passwd.txt"));
    symlink(Path::new("/proc/self/environ"), &old.join("env.txt"));
    for _ in 0..2 {
        let run = site.run(&["build", "ROOT", "--today", "2026-11-24"]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert!(!run.stderr.contains("restored"), "{}", run.stderr);
        let out = site.root().join("public");
        assert!(!has_a_link(&out), "the output holds a link");
        assert!(!everything_under(&out).contains(SECRET));
        assert!(!old.exists());
    }
}

/// An output restored from a CI cache of another branch, with links to
/// outside files and a manifest that does not list them: the in-place
/// rebuild keeps none of them.
#[test]
fn an_output_restored_with_links_out_keeps_none_of_them() {
    let outside = outside_folder();
    let site = SiteTest::fixture("healthy");
    let run = site.run(&["build", "ROOT", "--today", "2026-11-24"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let out = site.root().join("public");
    symlink(&outside.path().join("secret.md"), &out.join("passwd.txt"));
    symlink(outside.path(), &out.join("assets/more"));
    std::fs::remove_file(out.join("index.html")).unwrap();
    symlink(&outside.path().join("secret.md"), &out.join("index.html"));
    let run = site.run(&["build", "ROOT", "--today", "2026-11-24"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!has_a_link(&out), "the output holds a link");
    assert!(!everything_under(&out).contains(SECRET));
    assert!(outside.path().join("secret.md").is_file());
    assert!(std::fs::read_to_string(out.join("index.html"))
        .unwrap()
        .contains("<html"));
}
