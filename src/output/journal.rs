//! The journal of an in-place update: the moves and removals a build is
//! about to make, written before the first, so that a process killed
//! between them is completed by the next build, one name at a time and
//! never through a link.

use super::*;

/// The number of moves after which [`ABORT_AFTER_MOVES_ENV`] asks to abort.
pub(super) fn abort_hook() -> Option<usize> {
    std::env::var(ABORT_AFTER_MOVES_ENV)
        .ok()
        .and_then(|n| n.trim().parse().ok())
}

/// Makes the moves and removals of a journal, in an order that is safe to
/// repeat from the start however far an earlier attempt got: the output's
/// manifest is removed first (so an output left half updated is never
/// trusted as the previous build's), then the removals (a file already gone
/// is fine), then the moves (a file no longer in the staging folder was
/// moved already), and the new manifest moves in last. Every path is
/// walked from the two open folders without following links.
pub(super) fn apply_journal(
    out: &Folder,
    staging: &Folder,
    removals: &[&str],
    moves: &[&str],
    abort_after: Option<usize>,
) -> io::Result<()> {
    out.remove(OsStr::new(MANIFEST))?;
    let mut done = 0;
    let mut step = || {
        done += 1;
        if abort_after == Some(done) {
            std::process::abort();
        }
    };
    for path in removals {
        remove_from_output(out, path)?;
        step();
    }
    for path in moves {
        move_into_output(staging, out, path)?;
        step();
    }
    if !is_regular(staging, MANIFEST) {
        return Err(io::Error::other("the staging folder has no manifest"));
    }
    staging.move_to(OsStr::new(MANIFEST), out, OsStr::new(MANIFEST))
}

/// The folders of a `/`-separated path and its last name.
pub(super) fn split_path(path: &str) -> (Vec<&str>, &str) {
    let mut parts: Vec<&str> = path.split('/').collect();
    let leaf = parts.pop().unwrap_or_default();
    (parts, leaf)
}

/// Removes what the output has at `path` (a folder with its contents) and
/// the folders that leaves empty, deepest first. A folder on the way that
/// is missing, or is not a real folder, holds nothing of the output's.
pub(super) fn remove_from_output(out: &Folder, path: &str) -> io::Result<()> {
    let (parents, leaf) = split_path(path);
    let Ok(parent) = out.descend(&parents) else {
        return Ok(());
    };
    parent.remove(OsStr::new(leaf))?;
    for depth in (0..parents.len()).rev() {
        let emptied = out
            .descend(&parents[..depth])
            .is_ok_and(|above| above.remove_if_empty(OsStr::new(parents[depth])));
        if !emptied {
            break;
        }
    }
    Ok(())
}

/// Moves the staged file at `path` into the output, making its folders
/// there (a file or link in the way is replaced, never written through). A
/// file no longer staged was moved by an earlier attempt; anything staged
/// that is not a regular file is refused, never moved.
pub(super) fn move_into_output(staging: &Folder, out: &Folder, path: &str) -> io::Result<()> {
    let (parents, leaf) = split_path(path);
    let leaf = OsStr::new(leaf);
    let Ok(from) = staging.descend(&parents) else {
        return Ok(());
    };
    match from.kind(leaf)? {
        None => return Ok(()),
        Some(Kind::File(_)) => {}
        Some(_) => {
            return Err(io::Error::other(format!(
                "`{path}` in the staging folder is not a regular file"
            )))
        }
    }
    let to = out.make_path(&parents)?;
    if to.kind(leaf)? == Some(Kind::Folder) {
        // A folder where a file now goes (a page that became a static file).
        to.remove(leaf)?;
    }
    from.move_to(leaf, &to, leaf)
}

/// Reads a journal back: the removals and the moves, or None if it is not one this module wrote.
pub(super) fn parse_journal(text: &str) -> Option<(Vec<String>, Vec<String>)> {
    let mut lines = text.lines();
    if lines.next()? != JOURNAL_HEADER {
        return None;
    }
    let (mut removals, mut moves) = (Vec::new(), Vec::new());
    for line in lines {
        let (verb, path) = line.split_once(' ')?;
        let path = unescape_path(path)?;
        if !is_inside_path(&path) || is_bookkeeping(&path) {
            return None;
        }
        match verb {
            "remove" => removals.push(path),
            "move" => moves.push(path),
            _ => return None,
        }
    }
    Some((removals, moves))
}

/// Completes the in-place update a dead build left in `staging`, a folder
/// this machine's throughline marked. If the journal is unreadable or the
/// update cannot be completed, the output's manifest is removed, so the
/// next build writes the whole site afresh.
pub(super) fn complete_journal(out: &Path, staging: &Folder) -> bool {
    let journal =
        read_limited(staging, JOURNAL, BOOKKEEPING_LIMIT).and_then(|text| parse_journal(&text));
    let completed = journal.is_some_and(|(removals, moves)| {
        let removals: Vec<&str> = removals.iter().map(String::as_str).collect();
        let moves: Vec<&str> = moves.iter().map(String::as_str).collect();
        Folder::open(out).is_ok_and(|out| {
            is_regular(&out, MARKER)
                && apply_journal(&out, staging, &removals, &moves, None).is_ok()
        })
    });
    if !completed {
        let _ = std::fs::remove_file(out.join(MANIFEST));
    }
    completed
}
