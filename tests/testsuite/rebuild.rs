//! Rebuilds over a previous output: only the files whose bytes changed are
//! written, the pages of removed documents go, a build that fails leaves the
//! previous site byte-identical, and a build aborted in the middle of its
//! final moves (the test-only hook) is completed by the next build. Kills
//! at other points are in `tests/slow/kills.rs`.

use std::collections::BTreeMap;
use std::os::unix::fs::MetadataExt;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, SystemTime};

use crate::support::{snapshot_dir, spawn_build, teams, wait_within, write_team, SiteTest};

const TODAY: &str = "2026-11-24";

/// The test-only hook of `output.rs`: abort after that many moves or removals.
const ABORT_AFTER_MOVES: &str = "THROUGHLINE_TEST_ABORT_AFTER_MOVES";

/// Inode and modification time of every file under `dir`: a file written
/// again (even with the same bytes) gets a new inode, as the build writes
/// into a staging folder and moves the file in.
fn identities(dir: &Path) -> BTreeMap<String, (u64, SystemTime)> {
    walk(dir)
        .into_iter()
        .map(|(rel, path)| {
            let meta = std::fs::metadata(&path).unwrap();
            (rel, (meta.ino(), meta.modified().unwrap()))
        })
        .collect()
}

fn walk(dir: &Path) -> Vec<(String, std::path::PathBuf)> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(dir).unwrap().to_string_lossy().into_owned();
                files.push((rel, p));
            }
        }
    }
    files
}

/// What `build --clean` writes for the site as it is now, into a folder of its own.
fn from_scratch(site: &SiteTest) -> BTreeMap<String, Vec<u8>> {
    let built = site.build_elsewhere(&["--clean"], &[]);
    assert_eq!(built.run.code, 0, "{}", built.run.stderr);
    snapshot_dir(&built.out)
}

fn build(site: &SiteTest, extra: &[&str]) -> crate::support::Run {
    let mut args = vec!["build", "ROOT", "--today", TODAY];
    args.extend_from_slice(extra);
    let run = site.run(&args);
    assert_eq!(run.code, 0, "{}", run.stderr);
    run
}

/// The names beside the output that a build of `public` leaves behind.
fn leftovers(site: &SiteTest) -> Vec<String> {
    std::fs::read_dir(site.root())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".public."))
        .collect()
}

#[test]
fn an_unchanged_rebuild_writes_nothing() {
    let site = SiteTest::fixture("healthy");
    build(&site, &[]);
    let out = site.root().join("public");
    let before = identities(&out);
    assert!(before.contains_key(".throughline-manifest"));
    let run = build(&site, &[]);
    assert!(
        run.stderr.contains("(0 files changed, 0 removed;"),
        "{}",
        run.stderr
    );
    assert_eq!(identities(&out), before, "no file was written again");
    assert!(leftovers(&site).is_empty());
}

#[test]
fn one_edit_rewrites_only_the_pages_whose_bytes_changed_and_a_removed_page_goes() {
    let site = teams(40);
    build(&site, &[]);
    let out = site.root().join("public");
    let (bytes_before, ids_before) = (snapshot_dir(&out), identities(&out));

    write_team(&site, 7, " A sentence more.");
    let run = build(&site, &[]);
    let (bytes_after, ids_after) = (snapshot_dir(&out), identities(&out));
    assert_eq!(
        bytes_after,
        from_scratch(&site),
        "the same as a fresh build"
    );
    let changed: Vec<&String> = bytes_after
        .keys()
        .filter(|p| bytes_before.get(*p) != bytes_after.get(*p))
        .collect();
    let rewritten: Vec<&String> = ids_after
        .keys()
        .filter(|p| ids_before.get(*p) != ids_after.get(*p))
        .collect();
    assert_eq!(rewritten, changed, "written exactly when the bytes changed");
    assert!(changed.contains(&&"team-7/index.html".to_string()));
    assert!(
        changed.len() < bytes_after.len() / 4,
        "an edit to one body touches a few files: {changed:?}"
    );
    // The manifest itself changes, and is not counted among the site's files.
    let count = format!("({} files changed, 0 removed;", changed.len() - 1);
    assert!(run.stderr.contains(&count), "{count}: {}", run.stderr);

    std::fs::remove_file(site.root().join("teams/team-39.md")).unwrap();
    let before = snapshot_dir(&out);
    let run = build(&site, &[]);
    assert!(
        !out.join("team-39").exists(),
        "its page and folder are gone"
    );
    // Its page, and any file of the search index that held only its words.
    let after = snapshot_dir(&out);
    let removed = before.keys().filter(|p| !after.contains_key(*p)).count();
    assert!(removed >= 1);
    assert!(
        run.stderr.contains(&format!(" {removed} removed;")),
        "{removed} removed: {}",
        run.stderr
    );
    assert_eq!(snapshot_dir(&out), from_scratch(&site));
    assert!(leftovers(&site).is_empty());
}

#[test]
fn clean_writes_every_file_afresh_and_drops_what_the_build_did_not_write() {
    let site = SiteTest::fixture("healthy");
    build(&site, &[]);
    let out = site.root().join("public");
    let before = identities(&out);
    // Not in the manifest: neither an in-place rebuild nor --clean keeps it.
    std::fs::write(out.join("stray.txt"), "put here by hand").unwrap();
    build(&site, &[]);
    assert!(!out.join("stray.txt").exists());
    std::fs::write(out.join("stray.txt"), "put here by hand").unwrap();
    let run = build(&site, &["--clean"]);
    assert!(!run.stderr.contains("changed,"), "{}", run.stderr);
    assert!(!out.join("stray.txt").exists());
    let after = identities(&out);
    assert_eq!(
        after.keys().collect::<Vec<_>>(),
        before.keys().collect::<Vec<_>>()
    );
    assert!(
        after.iter().all(|(p, id)| before[p].0 != id.0),
        "every file is new"
    );
    assert_eq!(snapshot_dir(&out), from_scratch(&site));
}

#[test]
fn a_template_error_halfway_leaves_the_previous_site_byte_identical() {
    let site = teams(300);
    build(&site, &[]);
    let out = site.root().join("public");
    let before = snapshot_dir(&out);
    // Every page changes, and the 150th fails while the others are written.
    let site = site.file(
        "templates/page.html",
        "{% extends \"base.html\" %}{% block content %}<h1>{{ page.title }}!</h1>\
         {% if page.title == \"Team 150\" %}{{ nope.missing }}{% endif %}{% endblock content %}",
    );
    let run = site.run(&["build", "ROOT", "--today", TODAY]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("nope"), "{}", run.stderr);
    assert_eq!(snapshot_dir(&out), before);
    assert!(leftovers(&site).is_empty(), "{:?}", leftovers(&site));
}

#[test]
fn a_write_that_fails_as_on_a_full_disk_leaves_the_previous_site_byte_identical() {
    let site = teams(50);
    build(&site, &[]);
    let out = site.root().join("public");
    let before = snapshot_dir(&out);
    // A page larger than the process may write: its write fails with EFBIG,
    // as one fails with ENOSPC on a full disk.
    write_team(&site, 3, &" Many words.".repeat(20_000));
    write_team(&site, 4, " A small change.");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_throughline"));
    cmd.args(["build", "--today", TODAY])
        .arg(site.root())
        .env("NO_COLOR", "1")
        .env("THROUGHLINE_CACHE_DIR", crate::support::cache_dir())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    // SAFETY: only async-signal-safe calls between fork and exec.
    unsafe {
        cmd.pre_exec(|| {
            let limit = libc::rlimit {
                rlim_cur: 100_000,
                rlim_max: 100_000,
            };
            libc::setrlimit(libc::RLIMIT_FSIZE, &limit);
            libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
            Ok(())
        });
    }
    let output = cmd.output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("cannot write"), "{stderr}");
    assert_eq!(snapshot_dir(&out), before);
    assert!(leftovers(&site).is_empty(), "{:?}", leftovers(&site));
}

fn wait(child: &mut Child) -> ExitStatus {
    wait_within(child, Duration::from_secs(120), "the build")
}

/// Rewrites the site's documents as version `v`: every third body changes,
/// and the last ten documents exist only in even versions, so each switch
/// writes, adds and removes pages.
fn set_version(site: &SiteTest, count: usize, v: usize) {
    for i in 0..count {
        if i >= count - 10 && v % 2 == 1 {
            let _ = std::fs::remove_file(site.root().join(format!("teams/team-{i}.md")));
        } else if i % 3 == 0 {
            write_team(site, i, &format!(" Version {v}."));
        } else {
            write_team(site, i, "");
        }
    }
}

#[test]
fn an_abort_in_the_middle_of_the_final_moves_is_completed_by_the_next_build() {
    const COUNT: usize = 120;
    let site = teams(COUNT);
    let out = site.root().join("public");
    let mut expected = Vec::new();
    for v in 0..2 {
        set_version(&site, COUNT, v);
        expected.push(from_scratch(&site));
    }
    build(&site, &[]);
    // Version 0 to 1 removes 10 pages and rewrites about 40: cut after the
    // first removal, among the removals, at the first move, and late.
    for (round, after) in [1usize, 5, 11, 30, 45].into_iter().enumerate() {
        set_version(&site, COUNT, 0);
        build(&site, &[]);
        assert_eq!(snapshot_dir(&out), expected[0]);
        set_version(&site, COUNT, 1);
        let n = after.to_string();
        let status = wait(&mut spawn_build(site.root(), &[(ABORT_AFTER_MOVES, &n)]));
        assert!(!status.success(), "round {round}: the build ran to the end");
        assert!(
            !out.join(".throughline-manifest").exists(),
            "a half-updated output has no manifest to trust"
        );
        assert_eq!(leftovers(&site).len(), 1, "the journal's folder is left");
        let run = build(&site, &[]);
        assert!(
            run.stderr.contains("completed the update"),
            "round {round}: {}",
            run.stderr
        );
        assert_eq!(snapshot_dir(&out), expected[1], "after {after} moves");
        assert!(leftovers(&site).is_empty());
    }
}

#[test]
fn a_page_or_the_stylesheet_deleted_from_the_output_is_written_again() {
    let site = teams(20);
    build(&site, &[]);
    let out = site.root().join("public");
    // Gone by hand, shortened, or a link in its place: the manifest still
    // lists each as the previous build wrote it, and the render cache still
    // holds the page as unchanged.
    std::fs::remove_file(out.join("team-3/index.html")).unwrap();
    std::fs::remove_file(out.join("assets/style.css")).unwrap();
    std::fs::write(out.join("team-4/index.html"), "short").unwrap();
    std::fs::remove_file(out.join("team-5/index.html")).unwrap();
    std::os::unix::fs::symlink("../team-6/index.html", out.join("team-5/index.html")).unwrap();
    let run = build(&site, &[]);
    assert!(
        run.stderr.contains("(4 files changed, 0 removed;"),
        "{}",
        run.stderr
    );
    assert_eq!(snapshot_dir(&out), from_scratch(&site));
    assert!(std::fs::symlink_metadata(out.join("team-5/index.html"))
        .unwrap()
        .is_file());
}
