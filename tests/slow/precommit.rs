//! The pre-commit hooks of `.pre-commit-hooks.yaml`, run by the real
//! `pre-commit` (PyPI) with `try-repo` on a site in a fresh git repository:
//! `throughline-check`, which pre-commit builds with cargo, and
//! `throughline-check-system`, which runs the `throughline` on `PATH`.
//! Skipped with a note when pre-commit is not installed, except in CI.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use crate::support::{git, wait_within, SiteTest};

/// pre-commit builds the hook with cargo the first time: minutes on a cold
/// machine. A hang guard, not a measure of speed.
const LIMIT: Duration = Duration::from_secs(900);

fn available() -> bool {
    let found = Command::new("pre-commit")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must have pre-commit installed (.ci/run installs it)"
        );
        eprintln!("note: pre-commit is not installed; skipping the hook test");
    }
    found
}

/// `pre-commit try-repo <this project> HOOK --all-files` in `site`, with
/// `path` first on `PATH`; exit code and output.
fn try_repo(site: &SiteTest, hook: &str, path: Option<&Path>) -> (i32, String) {
    let project = env!("CARGO_MANIFEST_DIR");
    // Kept under target/ so the hook's build is reused between runs.
    let home = Path::new(project).join("target/pre-commit-home");
    let mut search = std::env::var_os("PATH").unwrap_or_default();
    if let Some(first) = path {
        let mut dirs = vec![first.to_path_buf()];
        dirs.extend(std::env::split_paths(&search));
        search = std::env::join_paths(dirs).expect("PATH");
    }
    let mut child = Command::new("pre-commit")
        .current_dir(site.root())
        .args(["try-repo", project, hook, "--all-files", "--color", "never"])
        .env("PATH", search)
        .env("PRE_COMMIT_HOME", &home)
        // pre-commit installs the hook with `cargo install` from a fresh
        // clone, in release, on each of the two runs: minutes a run on a
        // loaded 2-core machine. What this test holds is the hook's wiring,
        // not its speed: the install is unoptimised, and both runs (and
        // later ones) share one target folder, so the dependencies are
        // compiled once.
        .env(
            "CARGO_TARGET_DIR",
            Path::new(project).join("target/pre-commit-build"),
        )
        .env("CARGO_PROFILE_RELEASE_LTO", "off")
        .env("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "256")
        .env("CARGO_PROFILE_RELEASE_OPT_LEVEL", "0")
        .env("CARGO_PROFILE_RELEASE_DEBUG", "false")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("pre-commit runs");
    wait_within(&mut child, LIMIT, "pre-commit");
    let output = child.wait_with_output().expect("output");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.code().unwrap_or(-1), text)
}

#[test]
fn the_hook_passes_a_clean_site_and_stops_a_broken_one() {
    if !available() {
        return;
    }
    passes_a_clean_site_and_stops_a_broken_one("throughline-check", None);
}

/// The `language: system` hook builds nothing: it runs the `throughline` on
/// `PATH` (here this build's), and says so when there is none.
#[test]
fn the_system_hook_runs_the_installed_binary() {
    if !available() {
        return;
    }
    let bin = tempfile::tempdir().expect("temp dir");
    std::os::unix::fs::symlink(
        env!("CARGO_BIN_EXE_throughline"),
        bin.path().join("throughline"),
    )
    .expect("link");
    passes_a_clean_site_and_stops_a_broken_one("throughline-check-system", Some(bin.path()));

    // Without a throughline on PATH the hook fails, naming what is missing.
    let site = SiteTest::example();
    git(site.root(), &["init", "-q"]);
    git(site.root(), &["add", "-A"]);
    let empty = tempfile::tempdir().expect("temp dir");
    let saved = std::env::var_os("PATH").unwrap_or_default();
    let without: Vec<_> = std::env::split_paths(&saved)
        .filter(|d| !d.join("throughline").exists())
        .collect();
    let mut child = Command::new("pre-commit")
        .current_dir(site.root())
        .args([
            "try-repo",
            env!("CARGO_MANIFEST_DIR"),
            "throughline-check-system",
            "--all-files",
            "--color",
            "never",
        ])
        .env("PATH", std::env::join_paths(without).expect("PATH"))
        .env("PRE_COMMIT_HOME", empty.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("pre-commit runs");
    wait_within(&mut child, LIMIT, "pre-commit");
    let output = child.wait_with_output().expect("output");
    let text = String::from_utf8_lossy(&output.stdout);
    assert_ne!(output.status.code(), Some(0), "{text}");
    assert!(
        text.contains("Executable `throughline` not found"),
        "{text}"
    );
}

fn passes_a_clean_site_and_stops_a_broken_one(hook: &str, path: Option<&Path>) {
    let site = SiteTest::example();
    git(site.root(), &["init", "-q"]);
    git(site.root(), &["add", "-A"]);
    git(site.root(), &["commit", "-q", "-m", "site"]);
    let (code, output) = try_repo(&site, hook, path);
    assert_eq!(code, 0, "the example has warnings but no errors:\n{output}");
    assert!(
        output.contains("throughline check") && output.contains("Passed"),
        "{output}"
    );

    let bet = site.root().join("bets/bet-smart-reserves.md");
    let text = std::fs::read_to_string(&bet).expect("read");
    let broken = text.replacen("parent: ", "parent: nowhere-", 1);
    std::fs::write(&bet, broken).expect("write");
    git(site.root(), &["add", "-A"]);
    let (code, output) = try_repo(&site, hook, path);
    assert_eq!(code, 1, "{output}");
    assert!(
        output.contains("broken-link") && output.contains("Failed"),
        "{output}"
    );
}
