use super::*;

#[cfg(unix)]
use std::os::unix::fs::{symlink, PermissionsExt};

/// The names in `dir`, sorted: no temporary file may be left behind.
fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("list")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).expect("read")
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    std::fs::symlink_metadata(path)
        .expect("meta")
        .permissions()
        .mode()
        & 0o7777
}

fn replacement<'a>(path: &'a Path, original: &'a str, text: &'a str) -> Replacement<'a> {
    Replacement {
        path,
        original,
        text,
    }
}

#[test]
#[cfg(unix)]
fn a_document_is_replaced_whole_and_keeps_its_mode_and_byte_order_mark() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("a.md");
    std::fs::write(&path, "old").expect("write");
    std::fs::set_permissions(&path, Permissions::from_mode(0o640)).expect("chmod");
    write_document(&path, "old", "new").expect("replace");
    assert_eq!(read(&path), "new");
    assert_eq!(mode(&path), 0o640);
    assert_eq!(names(dir.path()), ["a.md"], "no temporary file left");

    std::fs::write(&path, "\u{feff}---\nid: a\n---\n").expect("write");
    write_document(&path, "---\nid: a\n---\n", "---\nid: b\n---\n").expect("replace");
    assert_eq!(
        read(&path),
        "\u{feff}---\nid: b\n---\n",
        "the byte-order mark is kept"
    );
}

/// Issue #31: the temporary file was `.NAME.throughline-PID`, written with
/// a plain write that followed a link committed at that name, and then
/// given the document's mode through the link too.
#[test]
#[cfg(unix)]
fn a_link_at_the_old_temporary_name_is_left_alone() {
    let dir = tempfile::tempdir().expect("dir");
    let outside = tempfile::tempdir().expect("outside");
    let secret = outside.path().join("secret");
    std::fs::write(&secret, "secret").expect("write");
    std::fs::set_permissions(&secret, Permissions::from_mode(0o600)).expect("chmod");
    let path = dir.path().join("a.md");
    std::fs::write(&path, "old").expect("write");
    std::fs::set_permissions(&path, Permissions::from_mode(0o644)).expect("chmod");
    let planted = dir
        .path()
        .join(format!(".a.md.throughline-{}", std::process::id()));
    symlink(&secret, &planted).expect("link");

    write_document(&path, "old", "new").expect("replace");
    assert_eq!(read(&path), "new");
    assert_eq!(read(&secret), "secret", "the file outside is not written");
    assert_eq!(mode(&secret), 0o600, "nor its mode changed");
    assert!(std::fs::symlink_metadata(&planted)
        .expect("still there")
        .file_type()
        .is_symlink());
}

/// The random name cannot be planted in advance; should it be taken, by a
/// link or anything else, `O_EXCL` refuses it rather than opening it.
#[test]
#[cfg(unix)]
fn the_temporary_file_is_never_opened_through_a_link() {
    let dir = tempfile::tempdir().expect("dir");
    let outside = tempfile::tempdir().expect("outside");
    let secret = outside.path().join("secret");
    std::fs::write(&secret, "secret").expect("write");
    std::fs::set_permissions(&secret, Permissions::from_mode(0o600)).expect("chmod");
    let path = dir.path().join("a.md");
    std::fs::write(&path, "old").expect("write");
    // Without random characters the name is known: plant a link there.
    symlink(&secret, dir.path().join(".a.md..throughline")).expect("link");
    symlink(
        outside.path().join("missing"),
        dir.path().join(".b.md..throughline"),
    )
    .expect("dangling link");

    let refused = prepare(&replacement(&path, "old", "new"), 0).err();
    assert!(
        matches!(&refused, Some(WriteError::Io { error, .. }) if error.kind() == std::io::ErrorKind::AlreadyExists),
        "{refused:?}"
    );
    let dangling = temporary_beside(&dir.path().join("b.md"), 0, Some(0o666)).err();
    assert!(dangling.is_some(), "a dangling link is not followed either");
    assert_eq!(read(&secret), "secret");
    assert_eq!(mode(&secret), 0o600);
    assert_eq!(names(outside.path()), ["secret"], "nothing created outside");
    assert_eq!(read(&path), "old");
}

#[test]
#[cfg(unix)]
fn a_document_that_is_a_link_is_refused_and_stays_a_link() {
    let dir = tempfile::tempdir().expect("dir");
    let target = dir.path().join("target.md");
    std::fs::write(&target, "old").expect("write");
    let path = dir.path().join("a.md");
    symlink(&target, &path).expect("link");

    let refused = write_document(&path, "old", "new").err();
    assert!(
        matches!(refused, Some(WriteError::Link { .. })),
        "{refused:?}"
    );
    assert!(std::fs::symlink_metadata(&path)
        .expect("meta")
        .file_type()
        .is_symlink());
    assert_eq!(read(&target), "old");
    assert_eq!(names(dir.path()), ["a.md", "target.md"]);
    let message = refused.map(|e| e.to_string()).unwrap_or_default();
    assert!(
        message.contains("is a symbolic link") && message.contains("nothing was written"),
        "{message}"
    );
}

#[test]
#[cfg(unix)]
fn a_read_only_document_or_a_fifo_is_refused() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("a.md");
    std::fs::write(&path, "old").expect("write");
    std::fs::set_permissions(&path, Permissions::from_mode(0o444)).expect("chmod");
    let refused = write_document(&path, "old", "new").err();
    assert!(
        matches!(refused, Some(WriteError::ReadOnly { .. })),
        "{refused:?}"
    );
    assert_eq!(read(&path), "old");
    assert_eq!(mode(&path), 0o444);

    let fifo = dir.path().join("f.md");
    let name = std::ffi::CString::new(fifo.to_string_lossy().into_owned()).expect("name");
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(name.as_ptr(), 0o644) }, 0);
    let refused = write_document(&fifo, "", "new").err();
    assert!(
        matches!(refused, Some(WriteError::NotRegular { .. })),
        "{refused:?}"
    );
    assert_eq!(names(dir.path()), ["a.md", "f.md"]);
}

/// Issue #31: an edit saved between the command's read and its write was
/// silently overwritten.
#[test]
fn an_edit_saved_before_the_write_is_kept_and_nothing_is_written() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("a.md");
    std::fs::write(&path, "old, edited").expect("write");
    // Edited after the command read it, before it prepared the write.
    let refused = write_document(&path, "old", "new").err();
    assert!(
        matches!(refused, Some(WriteError::Changed { .. })),
        "{refused:?}"
    );
    assert_eq!(read(&path), "old, edited");

    // Edited after the write was prepared, before the rename.
    std::fs::write(&path, "old").expect("write");
    let prepared = prepare(&replacement(&path, "old", "new"), RANDOM_CHARS).expect("prepared");
    std::fs::write(&path, "old, saved by an editor").expect("write");
    let refused = write_prepared(vec![prepared]).err();
    let message = refused.as_ref().map(|e| e.to_string()).unwrap_or_default();
    assert!(
        message.ends_with(
            "a.md` changed since throughline read it; nothing was written; run the command again"
        ),
        "{message}"
    );
    assert_eq!(read(&path), "old, saved by an editor");
    assert_eq!(names(dir.path()), ["a.md"], "the temporary file is removed");
}

/// Issue #31: `review A B` whose second write failed left A written.
#[test]
fn a_failed_write_of_one_document_leaves_the_others_as_they_were() {
    let dir = tempfile::tempdir().expect("dir");
    let a = dir.path().join("a.md");
    let b = dir.path().join("b.md");
    std::fs::write(&a, "a").expect("write");
    std::fs::write(&b, "b").expect("write");
    // A changed document is found before any rename.
    let files = [replacement(&a, "a", "A"), replacement(&b, "b", "B")];
    std::fs::write(&b, "b, edited").expect("write");
    assert!(matches!(write_all(&files), Err(WriteError::Changed { .. })));
    assert_eq!((read(&a), read(&b)), ("a".into(), "b, edited".into()));

    // A rename that fails after the first was done puts the first back.
    std::fs::write(&b, "b").expect("write");
    let prepared = files
        .iter()
        .map(|f| prepare(f, RANDOM_CHARS))
        .collect::<Result<Vec<_>, _>>()
        .expect("prepared");
    let failed = replace_all(prepared, |p, temporary| {
        if p.path == b {
            return Err(WriteError::Io {
                path: p.path.clone(),
                doing: "replace",
                error: std::io::Error::other("disk full"),
            });
        }
        temporary
            .persist(&p.path)
            .map(drop)
            .map_err(|e| WriteError::Io {
                path: p.path.clone(),
                doing: "replace",
                error: e.error,
            })
    })
    .err();
    let message = failed.as_ref().map(|e| e.to_string()).unwrap_or_default();
    assert!(
        matches!(&failed, Some(WriteError::PartWay { restored, kept_new, .. }) if restored.as_slice() == std::slice::from_ref(&a) && kept_new.is_empty()),
        "{failed:?}"
    );
    assert!(
        message.contains("b.md`: disk full; `")
            && message
                .contains("a.md`, already replaced, got the text it had back; nothing was written"),
        "{message}"
    );
    assert_eq!((read(&a), read(&b)), ("a".into(), "b".into()));
    assert_eq!(names(dir.path()), ["a.md", "b.md"]);
}

#[test]
fn a_document_edited_again_after_its_rename_is_not_put_back() {
    let dir = tempfile::tempdir().expect("dir");
    let a = dir.path().join("a.md");
    let b = dir.path().join("b.md");
    std::fs::write(&a, "a").expect("write");
    std::fs::write(&b, "b").expect("write");
    let files = [replacement(&a, "a", "A"), replacement(&b, "b", "B")];
    let prepared = files
        .iter()
        .map(|f| prepare(f, RANDOM_CHARS))
        .collect::<Result<Vec<_>, _>>()
        .expect("prepared");
    let failed = replace_all(prepared, |p, temporary| {
        if p.path == b {
            // Someone saves A between its rename and the restore.
            std::fs::write(&a, "A, edited").expect("write");
            return Err(WriteError::Changed {
                path: p.path.clone(),
            });
        }
        temporary
            .persist(&p.path)
            .map(drop)
            .map_err(|e| WriteError::Io {
                path: p.path.clone(),
                doing: "replace",
                error: e.error,
            })
    })
    .err();
    let message = failed.as_ref().map(|e| e.to_string()).unwrap_or_default();
    assert!(
        message
            .contains("a.md` was written and could not be put back (it changed again meanwhile)")
            && !message.contains("nothing was written"),
        "{message}"
    );
    assert_eq!(read(&a), "A, edited", "the later edit is kept");
    assert_eq!(names(dir.path()), ["a.md", "b.md"]);
}

#[test]
fn one_run_never_writes_a_document_twice() {
    let dir = tempfile::tempdir().expect("dir");
    let a = dir.path().join("a.md");
    std::fs::write(&a, "a").expect("write");
    let files = [replacement(&a, "a", "A"), replacement(&a, "a", "B")];
    assert!(matches!(write_all(&files), Err(WriteError::Twice { .. })));
    assert_eq!(read(&a), "a");
}

#[test]
#[cfg(unix)]
fn a_new_document_never_replaces_a_file_or_follows_a_link() {
    let dir = tempfile::tempdir().expect("dir");
    let outside = tempfile::tempdir().expect("outside");
    let path = dir.path().join("bets/new.md");
    write_new_document(&path, "new").expect("written");
    assert_eq!(read(&path), "new");
    let umask_allows = mode(&path);
    assert_eq!(umask_allows & 0o600, 0o600, "the usual mode of a new file");

    let refused = write_new_document(&path, "newer").err();
    assert!(matches!(refused, Some(WriteError::Exists { .. })));
    assert_eq!(read(&path), "new");

    // A dangling link committed where the new document goes.
    let link = dir.path().join("bets/planted.md");
    symlink(outside.path().join("created"), &link).expect("link");
    let refused = write_new_document(&link, "text").err();
    assert!(matches!(refused, Some(WriteError::Exists { .. })));
    assert_eq!(
        names(outside.path()),
        Vec::<String>::new(),
        "nothing created outside"
    );
    assert_eq!(names(&dir.path().join("bets")), ["new.md", "planted.md"]);
}

#[test]
fn a_document_with_a_long_name_is_written_too() {
    let dir = tempfile::tempdir().expect("dir");
    // 250 bytes, with a character of two bytes where the name is cut.
    let name = format!(
        "{}é{}.md",
        "a".repeat(MAX_NAME_IN_TEMPORARY - 1),
        "b".repeat(182)
    );
    assert_eq!(name.len(), 250);
    let path = dir.path().join(&name);
    std::fs::write(&path, "old").expect("write");
    write_document(&path, "old", "new").expect("replace");
    assert_eq!(read(&path), "new");
    assert_eq!(names(dir.path()), [name]);
}
