//! What `cargo publish` would upload: the code and the default theme it
//! embeds, and nothing of `tests/`. `cargo package --list` answers offline in
//! a fraction of a second; the full `cargo publish --dry-run`, which builds
//! the packaged crate, is too slow for every test run.

use std::path::Path;
use std::process::Command;

fn packaged_files() -> Vec<String> {
    let out = Command::new(env!("CARGO"))
        .args(["package", "--list", "--allow-dirty", "--offline"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run cargo package --list");
    assert!(
        out.status.success(),
        "cargo package --list: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

/// Every file under `dir`, relative to the manifest directory, with `/`.
fn files_under(dir: &str) -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = Vec::new();
    let mut stack = vec![root.join(dir)];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let rel = path.strip_prefix(root).unwrap();
                out.push(rel.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    out
}

#[test]
fn the_package_holds_the_code_and_theme_and_nothing_of_tests() {
    let listed = packaged_files();
    let missing: Vec<String> = files_under("themes/default")
        .into_iter()
        .chain(files_under("src"))
        .filter(|f| !listed.contains(f))
        .collect();
    assert!(missing.is_empty(), "not packaged: {missing:?}");
    for needed in ["Cargo.toml", "Cargo.lock", "README.md", "build.rs"] {
        assert!(
            listed.iter().any(|f| f == needed),
            "{needed} is not packaged"
        );
    }
    let stray: Vec<&String> = listed
        .iter()
        .filter(|f| {
            ["tests/", "benches/", "content-example/", "scripts/", ".ci/"]
                .iter()
                .any(|dir| f.starts_with(dir))
        })
        .collect();
    assert!(
        stray.is_empty(),
        "packaged but only for this repository: {stray:?}"
    );
}

#[test]
fn no_library_code_embeds_a_file_from_tests() {
    // The package leaves `tests/` out, so a file from it embedded by the
    // library or binary would break the published crate's build.
    let offenders: Vec<String> = files_under("src")
        .into_iter()
        .filter(|f| {
            let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(f))
                .unwrap_or_default();
            text.lines().any(|l| {
                (l.contains("include_str!") || l.contains("include_bytes!")) && l.contains("tests/")
            })
        })
        .collect();
    assert!(
        offenders.is_empty(),
        "embed files from tests/: {offenders:?}"
    );
}
