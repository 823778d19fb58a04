//! The render cache (`.throughline-cache`): a rebuild renders only the pages
//! whose inputs changed, and its output, cache and manifest included, is
//! byte for byte what a build from scratch writes, after every kind of edit.
//! A cache the output's manifest does not vouch for is not used.

use std::collections::BTreeMap;
use std::path::Path;

use crate::support::{snapshot_dir, SiteTest};

const TODAY: &str = "2026-11-24";
const CACHE: &str = ".throughline-cache";

/// Builds the site into `ROOT/public` with `extra` arguments; returns how
/// many pages the build left unchanged without rendering them (0 when it
/// did not update in place).
fn build(site: &SiteTest, extra: &[&str]) -> usize {
    let mut args = vec!["build", "ROOT", "--today", TODAY];
    args.extend_from_slice(extra);
    let run = site.run(&args);
    assert_eq!(run.code, 0, "{}", run.stderr);
    reused(&run.stderr)
}

/// The count in a build's "(…; N pages unchanged, not rendered)".
fn reused(stderr: &str) -> usize {
    let Some(end) = stderr.find(" unchanged, not rendered)") else {
        return 0;
    };
    let words: Vec<&str> = stderr[..end].split_whitespace().collect();
    // "...; 1 page" or "...; 12 pages"
    words[words.len() - 2]
        .parse()
        .unwrap_or_else(|_| panic!("no count in {stderr}"))
}

/// What `build --clean` writes for the site as it is now, into a folder of its own.
fn from_scratch(site: &SiteTest, extra: &[&str]) -> BTreeMap<String, Vec<u8>> {
    let mut args = vec!["--clean"];
    args.extend_from_slice(extra);
    let built = site.build_elsewhere(&args, &[]);
    assert_eq!(built.run.code, 0, "{}", built.run.stderr);
    snapshot_dir(&built.out)
}

/// Asserts that two outputs hold the same files with the same bytes, naming those that differ.
fn assert_same(
    actual: &BTreeMap<String, Vec<u8>>,
    expected: &BTreeMap<String, Vec<u8>>,
    what: &str,
) {
    let differ: Vec<&String> = actual
        .keys()
        .chain(expected.keys())
        .filter(|p| actual.get(*p) != expected.get(*p))
        .collect();
    assert!(differ.is_empty(), "{what}: these files differ: {differ:?}");
}

fn pages(out: &Path) -> usize {
    snapshot_dir(out)
        .keys()
        .filter(|p| p.ends_with(".html"))
        .count()
}

fn edit(site: &SiteTest, rel: &str, change: impl FnOnce(String) -> String) {
    let path = site.root().join(rel);
    let text = std::fs::read_to_string(&path).unwrap();
    let changed = change(text.clone());
    assert_ne!(changed, text, "the edit to {rel} changes nothing");
    std::fs::write(path, changed).unwrap();
}

fn replace(site: &SiteTest, rel: &str, from: &str, to: &str) {
    edit(site, rel, |text| {
        assert!(text.contains(from), "{rel} has no `{from}`");
        text.replacen(from, to, 1)
    });
}

/// One edit of the differential test: what it does, and whether the pages
/// it cannot touch must come from the cache (an edit every page reads, such
/// as the config or a template, renders every page again).
struct Edit {
    what: &'static str,
    apply: fn(&SiteTest),
    extra: &'static [&'static str],
    reuses: bool,
}

const EDITS: &[Edit] = &[
    Edit {
        what: "a sentence appended to a body",
        apply: |site| {
            edit(site, "bets/bet-payout-status.md", |t| {
                t + "\nA sentence about reconciliation latency.\n"
            })
        },
        extra: &[],
        reuses: true,
    },
    Edit {
        what: "the title of a document other bodies link to by id",
        apply: |site| {
            replace(
                site,
                "products/ps-payouts.md",
                "title: ",
                "title: Renamed payouts strategy, was ",
            )
        },
        extra: &[],
        reuses: true,
    },
    Edit {
        what: "a body link pointed at another document",
        apply: |site| {
            replace(
                site,
                "bets/bet-payout-status.md",
                "(bet-instant-payouts.md)",
                "(bet-cash-forecast.md)",
            )
        },
        extra: &[],
        reuses: true,
    },
    Edit {
        what: "a heading renamed",
        apply: |site| {
            replace(
                site,
                "bets/bet-instant-payouts.md",
                "## Why this bet",
                "## Why we bet on it",
            )
        },
        extra: &[],
        reuses: true,
    },
    Edit {
        what: "a bet's status",
        apply: |site| {
            replace(
                site,
                "bets/bet-payout-status.md",
                "status: committed",
                "status: done",
            )
        },
        extra: &[],
        reuses: true,
    },
    Edit {
        what: "a document added that links to others",
        apply: |site| {
            std::fs::write(
                site.root().join("work/w-added.md"),
                "---\nid: w-added\nkind: work\ntitle: Added work item\nparent: bet-payout-status\n\
                 status: committed\nowner: Lena Brooks\n---\nIt serves [[bet-payout-status]] and \
                 [the forecast](../bets/bet-cash-forecast.md).\n",
            )
            .unwrap()
        },
        extra: &[],
        reuses: true,
    },
    Edit {
        what: "a document removed that another links to",
        apply: |site| std::fs::remove_file(site.root().join("work/w-added.md")).unwrap(),
        extra: &[],
        reuses: true,
    },
    Edit {
        what: "a static file put over a page",
        apply: |site| {
            let dir = site.root().join("static/bet-payout-status");
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(dir.join("index.html"), "<p>static</p>\n").unwrap();
        },
        extra: &[],
        reuses: true,
    },
    Edit {
        what: "that static file taken away",
        apply: |site| std::fs::remove_dir_all(site.root().join("static")).unwrap(),
        extra: &[],
        reuses: true,
    },
    Edit {
        what: "a draft added, which the build leaves out",
        apply: |site| {
            std::fs::write(
                site.root().join("work/w-draft.md"),
                "---\nid: w-draft\nkind: work\ntitle: Draft work item\nparent: bet-payout-status\n\
                 draft: true\n---\nNot ready; see [[bet-cash-forecast]].\n",
            )
            .unwrap()
        },
        extra: &[],
        reuses: true,
    },
    Edit {
        what: "drafts included",
        apply: |_| {},
        extra: &["--drafts"],
        reuses: true,
    },
    Edit {
        what: "drafts left out again",
        apply: |_| {},
        extra: &[],
        reuses: true,
    },
    Edit {
        what: "a template overridden",
        apply: |site| {
            let dir = site.root().join("templates");
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(
                dir.join("page.html"),
                "{% extends \"base.html\" %}{% block content %}<h1>{{ page.title }}</h1>\
                 {{ body | safe }}{% endblock content %}",
            )
            .unwrap();
        },
        extra: &[],
        reuses: false,
    },
    Edit {
        what: "the config's title",
        apply: |site| {
            replace(
                site,
                "throughline.yaml",
                "title: Fernhill strategy",
                "title: Fernhill",
            )
        },
        extra: &[],
        reuses: false,
    },
];

#[test]
fn a_rebuild_after_each_kind_of_edit_writes_what_a_build_from_scratch_writes() {
    let site = SiteTest::example();
    let _ = std::fs::remove_dir_all(site.root().join("public"));
    let out = site.root().join("public");
    build(&site, &[]);
    assert!(out.join(CACHE).is_file(), "a build writes its cache");
    assert_eq!(
        build(&site, &[]),
        pages(&out),
        "with nothing changed, no page is rendered again"
    );
    for edit in EDITS {
        (edit.apply)(&site);
        let reused = build(&site, edit.extra);
        let total = pages(&out);
        assert_same(
            &snapshot_dir(&out),
            &from_scratch(&site, edit.extra),
            &format!(
                "after {}: the output, its manifest and its cache are a fresh build's",
                edit.what
            ),
        );
        if edit.reuses {
            // The example has about 70 pages; an edit touches a handful,
            // and the overviews that list what changed.
            assert!(
                reused > total / 2,
                "after {}: only {reused} of {total} pages came from the cache",
                edit.what
            );
        } else {
            assert_eq!(reused, 0, "after {}: every page reads it", edit.what);
        }
    }
}

#[test]
fn a_cache_the_manifest_does_not_vouch_for_is_not_used() {
    let site = SiteTest::fixture("healthy");
    let out = site.root().join("public");
    build(&site, &[]);
    let expected = from_scratch(&site, &[]);
    let cache = std::fs::read(out.join(CACHE)).unwrap();

    // Changed behind the build's back: the manifest lists other bytes.
    let mut altered = cache.clone();
    let last = altered.len() - 1;
    altered[last] ^= 1;
    std::fs::write(out.join(CACHE), &altered).unwrap();
    assert_eq!(build(&site, &[]), 0, "an altered cache is not read");
    assert_same(&snapshot_dir(&out), &expected, "rebuilt without the cache");

    // A link in its place, even to the very bytes: only a plain file counts.
    let elsewhere = site.root().join("elsewhere");
    std::fs::write(&elsewhere, &cache).unwrap();
    std::fs::remove_file(out.join(CACHE)).unwrap();
    std::os::unix::fs::symlink(&elsewhere, out.join(CACHE)).unwrap();
    assert_eq!(build(&site, &[]), 0, "a link is not read");
    assert_same(&snapshot_dir(&out), &expected, "rebuilt without the cache");

    // Gone: the next build renders everything and writes it again.
    std::fs::remove_file(out.join(CACHE)).unwrap();
    assert_eq!(build(&site, &[]), 0);
    assert_same(&snapshot_dir(&out), &expected, "rebuilt without the cache");
    assert!(build(&site, &[]) > 0, "and the build after uses it");
}

#[test]
fn another_date_renders_every_page_again() {
    let site = SiteTest::fixture("healthy");
    build(&site, &[]);
    let run = site.run(&["build", "ROOT", "--today", "2026-11-25"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(reused(&run.stderr), 0, "{}", run.stderr);
    let fresh = {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("site");
        let out_arg = out.to_string_lossy().into_owned();
        let run = site.run(&["build", "ROOT", "-o", &out_arg, "--today", "2026-11-25"]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        snapshot_dir(&out)
    };
    assert_same(
        &snapshot_dir(&site.root().join("public")),
        &fresh,
        "after another date",
    );
}

#[test]
fn a_document_added_first_rewrites_one_search_fragment_not_every_one_after_it() {
    let site = SiteTest::example();
    let _ = std::fs::remove_dir_all(site.root().join("public"));
    let out = site.root().join("public");
    build(&site, &[]);
    let fragments = |all: &BTreeMap<String, Vec<u8>>| -> BTreeMap<String, Vec<u8>> {
        all.iter()
            .filter(|(path, _)| path.starts_with("search/docs/"))
            .map(|(path, bytes)| (path.clone(), bytes.clone()))
            .collect()
    };
    let before = fragments(&snapshot_dir(&out));
    assert!(
        before.len() >= 4,
        "the example has a few fragments: {before:?}"
    );
    // First in the index's order (by path), so that every fragment comes after it.
    std::fs::write(
        site.root().join("a-first.md"),
        "---\nid: a-first\nkind: work\ntitle: First of all\nparent: bet-payout-status\n\
         status: in-progress\n---\nA document sorted before every other.\n",
    )
    .unwrap();
    build(&site, &[]);
    let after = fragments(&snapshot_dir(&out));
    let differ: Vec<&String> = before
        .keys()
        .chain(after.keys())
        .filter(|path| before.get(*path) != after.get(*path))
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    // The fragment it joins (renamed if it leads it), and at most one more
    // where its id moved a cut.
    assert!(
        differ.len() <= 3,
        "{} of {} fragments changed: {differ:?}",
        differ.len(),
        before.len()
    );
    assert_same(
        &snapshot_dir(&out),
        &from_scratch(&site, &[]),
        "after a document added first",
    );
}

/// A hash as the output manifest and the cache's own check take it.
fn fold_hash(bytes: &[u8]) -> u64 {
    use std::hash::BuildHasher;
    foldhash::quality::FixedState::with_seed(0).hash_one(bytes)
}

/// Rewrites the output's manifest to vouch for the cache as it is now on
/// disk, as whoever restores a forged output folder would.
fn vouch_for_cache(out: &Path) {
    let manifest = out.join(".throughline-manifest");
    let text = std::fs::read_to_string(&manifest).unwrap();
    let cache = std::fs::read(out.join(CACHE)).unwrap();
    let line = format!("{:016x} {} {CACHE}", fold_hash(&cache), cache.len());
    let lines: Vec<String> = text
        .lines()
        .map(|l| match l.ends_with(&format!(" {CACHE}")) {
            true => line.clone(),
            false => l.to_string(),
        })
        .collect();
    assert!(lines.contains(&line), "the manifest lists the cache");
    std::fs::write(&manifest, lines.join("\n") + "\n").unwrap();
}

/// `forged`, sealed with the check a cache ends with when `real` ends with
/// one: a forger knows the format.
fn sealed_like(real: &[u8], mut forged: Vec<u8>) -> Vec<u8> {
    let Some((body, check)) = real.split_last_chunk::<8>() else {
        return forged;
    };
    if fold_hash(body).to_le_bytes() == *check {
        forged.truncate(forged.len() - 8);
        let check = fold_hash(&forged).to_le_bytes();
        forged.extend_from_slice(&check);
    }
    forged
}

/// Reads one LEB128 number at `*at`, moving past it.
fn leb128(bytes: &[u8], at: &mut usize) -> u64 {
    let mut value = 0;
    for shift in (0..64).step_by(7) {
        let byte = bytes[*at];
        *at += 1;
        value |= u64::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            break;
        }
    }
    value
}

/// `cache` with the first word code of its first document that has one
/// replaced by `code`, written as the format writes it.
fn with_first_code(cache: &[u8], code: u64) -> Vec<u8> {
    let mut at = cache.iter().position(|&b| b == b'\n').unwrap() + 1 + 8;
    let skip_str = |at: &mut usize| {
        let len = leb128(cache, at) as usize;
        *at += len;
    };
    for _ in 0..leb128(cache, &mut at) {
        skip_str(&mut at);
        at += 8;
    }
    for _ in 0..leb128(cache, &mut at) {
        skip_str(&mut at);
        skip_str(&mut at);
        at += 8;
        let codes = leb128(cache, &mut at);
        if codes > 0 {
            let start = at;
            leb128(cache, &mut at);
            let mut forged = cache[..start].to_vec();
            let mut value = code;
            loop {
                let byte = (value & 0x7f) as u8;
                value >>= 7;
                forged.push(if value == 0 { byte } else { byte | 0x80 });
                if value == 0 {
                    break;
                }
            }
            forged.extend_from_slice(&cache[at..]);
            return sealed_like(cache, forged);
        }
        for _ in 0..codes {
            leb128(cache, &mut at);
        }
    }
    panic!("no document has a word");
}

/// Staging and old folders left beside `out`.
fn left_beside(out: &Path) -> Vec<String> {
    std::fs::read_dir(out.parent().unwrap())
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".public."))
        .collect()
}

#[test]
fn a_forged_cache_the_manifest_vouches_for_is_ignored_not_obeyed() {
    // A restored output folder whose manifest vouches for a cache it
    // forged: a word number of 2^32 / 3 (the index allocated 34 GB for it and
    // the build aborted, leaving its staging folder), a cut cache, and
    // bytes that are no cache. Each build succeeds, renders every page,
    // and writes what a build from scratch writes.
    let site = SiteTest::fixture("healthy");
    let out = site.root().join("public");
    build(&site, &[]);
    let expected = from_scratch(&site, &[]);
    let real = std::fs::read(out.join(CACHE)).unwrap();
    let forgeries = [
        (
            "a word number past any dictionary",
            with_first_code(&real, 0xffff_fffc),
        ),
        (
            "cut in half",
            sealed_like(&real, real[..real.len() / 2].to_vec()),
        ),
        ("garbage", vec![0xa5; 4096]),
    ];
    for (what, forged) in forgeries {
        std::fs::write(out.join(CACHE), &forged).unwrap();
        vouch_for_cache(&out);
        assert_eq!(build(&site, &[]), 0, "{what}: not used");
        assert_eq!(left_beside(&out), Vec::<String>::new(), "{what}");
        assert_same(&snapshot_dir(&out), &expected, what);
    }
    assert!(build(&site, &[]) > 0, "the cache written since is used");
}
