//! What stopped builds leave behind: leftovers of dead builds are removed
//! and those of live ones kept; a swap cut between its renames (the
//! test-only abort hook) gets its previous site back; and a staging folder
//! inside the site root is never read as content. Builds stopped by signals
//! and `kill -9` are in `tests/slow/kills.rs`.

use crate::support::{leftovers, names, snapshot_dir, SiteTest};

const TODAY: &str = "2026-11-24";

/// A PID no process can have: above the kernel's limit.
fn dead_pid() -> u32 {
    let max: u32 = std::fs::read_to_string("/proc/sys/kernel/pid_max")
        .ok()
        .and_then(|t| t.trim().parse().ok())
        .unwrap_or(4_194_304);
    max + 1000
}

#[test]
fn leftovers_of_dead_builds_are_removed_and_those_of_live_ones_kept() {
    let site = SiteTest::fixture("healthy");
    let dead = dead_pid();
    let live = std::process::id();
    for name in [
        format!(".public.new-{dead}"),
        format!(".public.old-{}", dead + 1),
        format!(".public.new-{live}"),
        format!(".public.old-{live}"),
    ] {
        let dir = site.root().join(name);
        std::fs::create_dir_all(dir.join("page")).unwrap();
        std::fs::write(dir.join("page/index.html"), "left behind").unwrap();
    }
    // A link named like a leftover is not a folder a build made: its target stays.
    let elsewhere = tempfile::tempdir().unwrap();
    std::fs::write(elsewhere.path().join("keep.txt"), "mine").unwrap();
    std::os::unix::fs::symlink(
        elsewhere.path(),
        site.root().join(format!(".public.new-{}", dead + 2)),
    )
    .unwrap();

    let run = site.run(&["build", "ROOT", "--today", TODAY]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let mut kept = vec![
        format!(".public.new-{}", dead + 2),
        format!(".public.new-{live}"),
        format!(".public.old-{live}"),
    ];
    kept.sort();
    assert_eq!(leftovers(site.root()), kept);
    assert!(elsewhere.path().join("keep.txt").is_file());
    assert!(site.root().join("public/index.html").is_file());
}

#[test]
fn a_swap_cut_between_its_renames_gets_the_previous_site_back_even_if_the_next_build_fails() {
    let site = SiteTest::fixture("healthy");
    let run = site.run(&["build", "ROOT", "--today", TODAY]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let out = site.root().join("public");
    let before = snapshot_dir(&out);
    // A build killed right after renaming the output away, as `kill -9`
    // would: the output is missing, the previous one is beside it.
    let cut = site.run_with_env(
        &["build", "ROOT", "--today", TODAY, "--clean"],
        &[("THROUGHLINE_TEST_ABORT_AFTER_MOVES", "1")],
    );
    assert_ne!(cut.code, 0, "the build ran to the end: {}", cut.stderr);
    assert!(!out.exists());
    assert_eq!(leftovers(site.root()).len(), 2, "{:?}", names(site.root()));
    // The next build has an error, so it writes nothing of its own...
    let broken = site.root().join("work/broken.md");
    std::fs::write(
        &broken,
        "---\nid: w-broken\nkind: work\ntitle: Broken\nparent: nowhere\n---\n",
    )
    .unwrap();
    let run = site.run(&["build", "ROOT", "--today", TODAY]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    // ...and the user still has the site they had.
    assert!(
        run.stderr.contains("restored it from"),
        "the restore is reported: {}",
        run.stderr
    );
    assert_eq!(
        snapshot_dir(&out),
        before,
        "the previous site is back as it was"
    );
    assert_eq!(leftovers(site.root()), Vec::<String>::new());

    std::fs::remove_file(&broken).unwrap();
    let run = site.run(&["build", "ROOT", "--today", TODAY]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(snapshot_dir(&out), before);
    assert_eq!(leftovers(site.root()), Vec::<String>::new());
}

#[test]
fn a_staging_folder_inside_the_root_is_never_read_as_content() {
    let site = SiteTest::fixture("healthy");
    // A live process's staging folder (this test's), so no build removes it,
    // holding a document whose id every other copy would duplicate.
    let staging = site
        .root()
        .join(format!(".public.new-{}", std::process::id()));
    std::fs::create_dir_all(staging.join("cs")).unwrap();
    std::fs::copy(
        site.root().join("strategy/company.md"),
        staging.join("cs/cs.md"),
    )
    .unwrap();
    std::fs::write(staging.join("cs/index.html"), "<p>a page</p>").unwrap();
    let check = site.run(&["check", "ROOT", "--today", TODAY, "--format", "json"]);
    let build = site.run(&["build", "ROOT", "--today", TODAY, "--format", "json"]);
    for run in [&check, &build] {
        assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
        assert!(
            !run.stdout.contains(".public.new-"),
            "nothing is read from the staging folder: {}",
            run.stdout
        );
    }
    assert!(
        build.stderr.starts_with("built: 16 documents"),
        "{}",
        build.stderr
    );
    assert!(
        staging.join("cs/cs.md").is_file(),
        "a live build's folder is kept"
    );
}

#[test]
fn nothing_is_swept_beside_an_output_folder_the_build_refuses() {
    let site = SiteTest::fixture("healthy");
    let elsewhere = tempfile::tempdir().unwrap();
    let data = elsewhere.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    std::fs::write(data.join("mine.txt"), "not a site").unwrap();
    let lookalike = elsewhere.path().join(format!(".data.new-{}", dead_pid()));
    std::fs::create_dir_all(&lookalike).unwrap();
    let out = data.to_string_lossy().into_owned();
    let run = site.run(&["build", "ROOT", "--today", TODAY, "--output", &out]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("refusing"), "{}", run.stderr);
    assert!(
        lookalike.is_dir(),
        "a refused output's neighbours are not ours"
    );
}
