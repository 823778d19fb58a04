//! `check` refuses everything `build` would refuse: a site that passes
//! `check` in CI must build. Each case runs both commands on the same site.

use crate::support::SiteTest;

const COMPANY: &str =
    "---\nid: cs\nkind: company-strategy\nreviewed: 2026-11-01\n---\n# Strategy\n";

/// Runs check and build; asserts both stop with exit 2 and name `expected`.
fn both_refuse(site: &SiteTest, expected: &str) {
    let check = site.run(&["check", "ROOT", "--today", "2026-11-24"]);
    let out = tempfile::tempdir().expect("out");
    let out_dir = out.path().join("site");
    let build = site.run(&[
        "build",
        "ROOT",
        "-o",
        out_dir.to_str().expect("utf-8 path"),
        "--today",
        "2026-11-24",
    ]);
    for (name, run) in [("check", &check), ("build", &build)] {
        assert_eq!(run.code, 2, "{name}: {}{}", run.stdout, run.stderr);
        assert!(
            run.stderr.contains(expected),
            "{name} must say `{expected}`: {}",
            run.stderr
        );
    }
    assert!(!out_dir.exists(), "build wrote nothing");
}

#[test]
fn an_unknown_highlight_theme_is_refused_even_without_code_blocks() {
    let site = SiteTest::new().file("cs.md", COMPANY).file(
        "throughline.yaml",
        "title: T\nmarkdown:\n  highlight_theme: no-such-theme\n",
    );
    both_refuse(&site, "unknown highlight theme `no-such-theme`");
}

#[test]
fn a_template_with_a_syntax_error_is_refused() {
    let site = SiteTest::new()
        .file("cs.md", COMPANY)
        .file("templates/page.html", "{% if %}broken{% endif");
    both_refuse(&site, "template error");
}

#[test]
fn a_missing_theme_folder_is_refused() {
    let site = SiteTest::new()
        .file("cs.md", COMPANY)
        .file("throughline.yaml", "title: T\ntheme: themes/nope\n");
    both_refuse(&site, "does not exist");
}

#[test]
fn a_folder_that_is_not_a_theme_is_refused() {
    let site = SiteTest::new()
        .file("cs.md", COMPANY)
        .file("throughline.yaml", "title: T\ntheme: /etc\n");
    both_refuse(&site, "is not a theme folder");
}

#[test]
fn a_valid_theme_folder_and_highlight_theme_pass_both() {
    let site = SiteTest::new()
        .file("cs.md", COMPANY)
        .file(
            "throughline.yaml",
            "title: T\ntheme: themes/corp\nmarkdown:\n  highlight_theme: InspiredGitHub\n",
        )
        .file("themes/corp/assets/extra.css", "body { color: black }\n");
    let check = site.run(&["check", "ROOT", "--today", "2026-11-24"]);
    assert_eq!(check.code, 0, "{}{}", check.stdout, check.stderr);
    let out = tempfile::tempdir().expect("out");
    let out_dir = out.path().join("site");
    let build = site.run(&[
        "build",
        "ROOT",
        "-o",
        out_dir.to_str().expect("utf-8 path"),
        "--today",
        "2026-11-24",
    ]);
    assert_eq!(build.code, 0, "{}{}", build.stdout, build.stderr);
    assert!(out_dir.join("assets/extra.css").exists());
}
