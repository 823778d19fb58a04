//! Arguments, help, version and run failures (exit code 2).

use crate::support::{run_binary, SiteTest};

#[test]
fn help_and_version_stand_on_their_own() {
    let dir = std::env::temp_dir();
    let help = run_binary(&["--help".into()], &[], &dir);
    assert_eq!(help.code, 0);
    for command in ["check", "graph"] {
        assert!(help.stdout.contains(command), "{}", help.stdout);
    }
    let check_help = run_binary(&["check".into(), "--help".into()], &[], &dir);
    assert!(check_help.stdout.contains("--deny-warnings"));
    assert!(check_help.stdout.contains("Exit codes"));
    let version = run_binary(&["--version".into()], &[], &dir);
    assert_eq!(
        version.stdout,
        format!("throughline {}\n", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn a_missing_root_or_bad_date_cannot_proceed() {
    let site = SiteTest::new();
    let run = site.run(&["check", "ROOT/nowhere"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.starts_with("error: `"), "{}", run.stderr);
    assert!(run.stderr.contains("is not a folder"));
    let run = site.run(&["check", "ROOT", "--today", "someday"]);
    assert_eq!(run.code, 2);
    assert_eq!(
        run.stderr,
        "error: `--today someday` is not a date; expected YYYY-MM-DD\n"
    );
    let run = site.run_with_env(&["check", "ROOT"], &[("SOURCE_DATE_EPOCH", "soon")]);
    assert_eq!(run.code, 2);
    let run = site.run(&["check", "ROOT", "--format", "xml"]);
    assert_eq!(run.code, 2);
}

#[test]
fn completions_for_bash_zsh_and_fish() {
    let dir = std::env::temp_dir();
    for (shell, marker) in [
        ("bash", "_throughline()"),
        ("zsh", "#compdef throughline"),
        ("fish", "complete -c throughline"),
    ] {
        let run = run_binary(&["completions".into(), shell.into()], &[], &dir);
        assert_eq!(run.code, 0, "{shell}: {}", run.stderr);
        assert!(
            run.stdout.contains(marker),
            "{shell} script lacks `{marker}`"
        );
        for command in ["check", "build", "graph"] {
            assert!(
                run.stdout.contains(command),
                "{shell} script lacks `{command}`"
            );
        }
    }
}

/// `throughline … | head` once `head` has gone: every command ends at once,
/// cleanly or by SIGPIPE, with nothing on stderr (no panic from `println!`),
/// as `git log | head` does; `build` finishes its site whoever stopped
/// reading its findings.
#[cfg(unix)]
#[test]
fn no_command_panics_on_a_closed_pipe() {
    use crate::support::{quiet_on_closed_pipe, run_into_closed_pipe};
    let site = SiteTest::example();
    let root = site.root().to_string_lossy().into_owned();
    let today = ["--today", "2026-11-24"];
    let commands: Vec<Vec<&str>> = vec![
        vec!["check", &root, "--format", "json"],
        vec!["check", &root],
        vec!["graph", &root, "--format", "dot"],
        vec!["new", "bet", "Closed pipe", "--root", &root, "--dry-run"],
        vec!["review", "--due", "--root", &root, "--dry-run"],
        vec!["completions", "bash"],
        vec!["--help"],
    ];
    for mut args in commands {
        args.extend_from_slice(
            &today[..if args[0].starts_with('-') || args[0] == "completions" {
                0
            } else {
                2
            }],
        );
        let (status, stderr) = run_into_closed_pipe(&args, site.root());
        assert!(
            quiet_on_closed_pipe(status),
            "{args:?}: {status:?} {stderr}"
        );
        assert!(
            !stderr.contains("panicked") && !stderr.contains("pipe"),
            "{args:?}: {stderr}"
        );
    }
    let out = tempfile::tempdir().expect("out");
    let out_arg = out.path().join("site").to_string_lossy().into_owned();
    let (status, stderr) = run_into_closed_pipe(
        &["build", &root, "-o", &out_arg, "--today", "2026-11-24"],
        site.root(),
    );
    assert!(status.success(), "{status:?}: {stderr}");
    assert!(stderr.starts_with("built: "), "{stderr}");
    assert!(out.path().join("site/index.html").is_file());
}
