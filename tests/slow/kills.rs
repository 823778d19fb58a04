//! Builds stopped from outside, at points of progress the test observes
//! rather than at moments it guesses: a signal once the staging folder
//! exists removes it and keeps the previous site; what `kill -9` leaves is
//! removed by the next build; and a build killed at any point (as it
//! starts, while it writes its staging folder, in its final moves) is
//! followed by a build whose output is exactly a from-scratch build's.
//! Their sites have hundreds or thousands of pages, hence this binary.

use std::collections::BTreeSet;
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::{Child, ExitStatus};
use std::time::{Duration, Instant};

use crate::support::{
    leftovers, names, snapshot_dir, spawn_build, teams, wait_within, write_team, SiteTest,
};

/// The test-only hook of `output.rs`: abort after that many moves or removals.
const ABORT_AFTER_MOVES: &str = "THROUGHLINE_TEST_ABORT_AFTER_MOVES";

/// Longest a build here may take before it counts as a hang.
const HANG: Duration = Duration::from_secs(120);

fn wait(child: &mut Child) -> ExitStatus {
    wait_within(child, HANG, "the build")
}

/// `build ROOT` to the end, which must succeed.
fn build(site: &SiteTest) {
    assert!(wait(&mut spawn_build(site.root(), &[])).success());
}

/// How many files are under `dir` now (0 if it is gone); a build may be
/// moving them out while this counts.
fn count_files(dir: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .map(|e| {
            let path = e.path();
            if path.is_dir() {
                count_files(&path)
            } else {
                1
            }
        })
        .sum()
}

/// Starts a build of `site` and waits until its staging folder exists and
/// holds at least `files` files: a point of its progress, reached on every
/// machine. `None` if the build ended first.
fn start_until_staged(site: &SiteTest, files: usize) -> Option<Child> {
    let mut child = spawn_build(site.root(), &[]);
    let staging = site.root().join(format!(".public.new-{}", child.id()));
    let started = Instant::now();
    while !(staging.exists() && count_files(&staging) >= files) {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "the build failed: {status}");
            return None;
        }
        assert!(
            started.elapsed() < HANG,
            "the build did not stage {files} files"
        );
        std::thread::sleep(Duration::from_millis(1));
    }
    Some(child)
}

/// Starts a build of `site` and sends it `signal` once its staging folder
/// exists, that is while it is writing pages; returns how it ended.
fn interrupt_build(site: &SiteTest, signal: i32) -> ExitStatus {
    let mut child = start_until_staged(site, 0).expect("the build ended before it started writing");
    let pid = libc::pid_t::try_from(child.id()).unwrap();
    // SAFETY: a signal to the child this test started and has not yet waited for.
    assert_eq!(unsafe { libc::kill(pid, signal) }, 0);
    wait(&mut child)
}

#[test]
fn a_signal_removes_the_staging_folder_keeps_the_previous_site_and_exits_128_plus_it() {
    let site = teams(3_000);
    // The first build is stopped: there is no output before or after.
    let status = interrupt_build(&site, libc::SIGTERM);
    assert_eq!(status.code(), Some(143), "{status}");
    assert_eq!(names(site.root()), ["teams"]);

    build(&site);
    let out = site.root().join("public");
    let before = snapshot_dir(&out);
    assert!(before.len() > 3_000, "{} files", before.len());
    for (signal, code) in [
        (libc::SIGINT, 130),
        (libc::SIGTERM, 143),
        (libc::SIGHUP, 129),
    ] {
        let status = interrupt_build(&site, signal);
        assert_eq!(status.code(), Some(code), "signal {signal}: {status}");
        assert_eq!(
            names(site.root()),
            ["public", "teams"],
            "signal {signal} left something behind"
        );
        assert!(
            snapshot_dir(&out) == before,
            "signal {signal} changed the site"
        );
    }
}

#[test]
fn what_kill_9_leaves_is_removed_by_the_next_build() {
    let site = teams(3_000);
    build(&site);
    let status = interrupt_build(&site, libc::SIGKILL);
    assert_eq!(status.code(), None, "killed, not exited: {status}");
    assert_eq!(
        leftovers(site.root()).len(),
        1,
        "kill -9 leaves its staging folder: {:?}",
        names(site.root())
    );

    build(&site);
    assert_eq!(names(site.root()), ["public", "teams"]);
    assert!(site.root().join("public/team-2999/index.html").is_file());
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

/// Where a build is stopped.
#[derive(Clone, Copy, Debug)]
enum Stop {
    /// `kill -9` as soon as it is started.
    Start,
    /// `kill -9` once its staging folder holds this many files.
    Staged(usize),
    /// Aborted by the test-only hook after this many final moves and removals.
    Moves(usize),
}

/// Runs a build of `site` and stops it at `stop`; false if it ended first.
fn stop_build(site: &SiteTest, stop: Stop) -> bool {
    let mut child = match stop {
        Stop::Start => spawn_build(site.root(), &[]),
        Stop::Staged(files) => match start_until_staged(site, files) {
            Some(child) => child,
            None => return false,
        },
        Stop::Moves(n) => {
            let n = n.to_string();
            let status = wait(&mut spawn_build(site.root(), &[(ABORT_AFTER_MOVES, &n)]));
            assert!(!status.success(), "the build made fewer than {n} moves");
            return true;
        }
    };
    let _ = child.kill();
    let status = wait(&mut child);
    if status.signal() == Some(libc::SIGKILL) {
        true
    } else {
        assert!(status.success(), "{stop:?}: {status}");
        false
    }
}

#[test]
fn a_build_killed_at_any_point_is_followed_by_a_from_scratch_output() {
    const COUNT: usize = 600;
    let site = teams(COUNT);
    let out = site.root().join("public");
    let mut expected = Vec::new();
    for v in 0..2 {
        set_version(&site, COUNT, v);
        let built = site.build_elsewhere(&["--clean"], &[]);
        assert_eq!(built.run.code, 0, "{}", built.run.stderr);
        expected.push(snapshot_dir(&built.out));
    }
    build(&site);
    // The files a switch between the two versions writes or removes.
    let changed = expected[0]
        .keys()
        .chain(expected[1].keys())
        .filter(|p| expected[0].get(*p) != expected[1].get(*p))
        .collect::<BTreeSet<_>>()
        .len();
    assert!(changed > 200, "{changed} files change");
    // The same points on every machine, however fast: the kills are sent at
    // points of progress the test sees, never after a measured time.
    let stops = [
        Stop::Start,
        Stop::Staged(0),
        Stop::Staged(1),
        Stop::Staged(changed / 3),
        Stop::Staged(changed * 2 / 3),
        Stop::Moves(1),
        Stop::Moves(changed / 2),
    ];
    let mut version = 1;
    let mut passed = Vec::new();
    for stop in stops {
        let previous = version;
        version = 1 - version;
        set_version(&site, COUNT, version);
        if !stop_build(&site, stop) {
            passed.push(stop);
        }
        let cut_in_moves = leftovers(site.root()).iter().any(|name| {
            site.root()
                .join(name)
                .join(".throughline-journal")
                .is_file()
        });
        let now = snapshot_dir(&out);
        // Before its journal, a killed build has changed nothing.
        assert!(
            cut_in_moves || now == expected[previous] || now == expected[version],
            "stopped at {stop:?}: the site is neither the old nor the new one"
        );
        build(&site);
        assert_eq!(snapshot_dir(&out), expected[version], "stopped at {stop:?}");
        assert!(leftovers(site.root()).is_empty(), "stopped at {stop:?}");
    }
    // A build that ends before the test sees its point is no failure of the
    // build (the output was checked all the same), only of the observer.
    if !passed.is_empty() {
        eprintln!("note: builds ended before the test saw {passed:?}");
    }
}
