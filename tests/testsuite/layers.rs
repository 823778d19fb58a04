//! The layer rules of ARCHITECTURE.md ("Layers"), held against the code:
//! every top-level module of `src/` may use only modules of a lower layer,
//! so no two of them import each other, directly or round a loop. Read from
//! the `crate::` paths of the sources (test modules aside), as a reviewer
//! would read them.

use std::collections::BTreeSet;
use std::path::Path;

/// The layers, lowest first. A module may use modules of lower layers only.
/// The crate root (`lib.rs`) declares modules and re-exports; it is no layer,
/// and no module may reach back into it.
const LAYERS: &[&[&str]] = &[
    // Leaves: no `crate::` path at all.
    &["text", "hash", "escape", "date"],
    // What a finding is, and the YAML surface.
    &["diagnostics", "yaml"],
    // The site's settings and its typed documents.
    &["config", "model"],
    // Stages 1 and 2: reading files and parsing them.
    &["source"],
    // Writing into documents; what is kept between runs.
    &["edit", "kept", "tracker"],
    // Stage 3, the repository's dates, and the output folder.
    &["graph", "git", "output"],
    // Stage 4, and the strategy's history read from git.
    &["analysis", "history"],
    // Stage 5.
    &["rules"],
    // The pipeline: load, parse, graph, analysis, rules, into one `Site`.
    &["site"],
    // Stage 6: pages.
    &["render"],
    // Stage 7: `build` writes the pages and static files to the output.
    &["build"],
    // Commands over a loaded site: writing into documents, starting a site,
    // comparing two revisions.
    &["review", "checkin", "confidence", "scaffold", "diff"],
    // Front ends: the long-running servers, and the digest over `diff`.
    &["serve", "lsp", "digest"],
];

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|layer| layer.contains(&module))
}

/// The top-level modules `text` names through `crate::` paths, groups
/// (`crate::{a, b::c}`) included; `None` stands for an item of the crate
/// root itself (`crate::Site`).
fn used_modules(text: &str, modules: &BTreeSet<String>) -> BTreeSet<Option<String>> {
    let mut used = BTreeSet::new();
    let mut rest = text;
    while let Some(at) = rest.find("crate::") {
        rest = &rest[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let mut depth = 0usize;
            let mut item_start = true;
            for (i, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => {
                        rest = &group[i..];
                        break;
                    }
                    '}' => depth -= 1,
                    ',' if depth == 0 => item_start = true,
                    c if item_start && (c.is_alphanumeric() || c == '_') => {
                        item_start = false;
                        let name: String = group[i..]
                            .chars()
                            .take_while(|c| c.is_alphanumeric() || *c == '_')
                            .collect();
                        used.insert(modules.contains(&name).then_some(name));
                    }
                    _ => {}
                }
            }
        } else {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            used.insert(modules.contains(&name).then_some(name));
        }
    }
    used
}

/// A source file without its comments and its test modules (the first
/// `#[cfg(test)]` module on: they come last).
fn code_of(text: &str) -> String {
    let test_module = text.match_indices("#[cfg(test)]\n").find(|(at, _)| {
        let next = text[at + "#[cfg(test)]\n".len()..]
            .lines()
            .next()
            .unwrap_or("");
        next.contains("mod ")
    });
    let code = match test_module {
        Some((at, _)) => &text[..at],
        None => text,
    };
    code.lines()
        .filter(|line| !line.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn every_module_uses_only_lower_layers() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let modules: BTreeSet<String> = std::fs::read_dir(&src)
        .unwrap()
        .filter_map(Result::ok)
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let stem = name.strip_suffix(".rs").unwrap_or(&name).to_string();
            (!["lib", "main", "cli"].contains(&stem.as_str())).then_some(stem)
        })
        .collect();
    for module in &modules {
        assert!(
            layer_of(module).is_some(),
            "`src/{module}` is in no layer: add it to LAYERS and to ARCHITECTURE.md"
        );
    }
    let mut broken = Vec::new();
    for entry in walkdir::WalkDir::new(&src) {
        let entry = entry.unwrap();
        let path = entry.path();
        let rel = path.strip_prefix(&src).unwrap();
        if path.extension().is_none_or(|e| e != "rs") || rel.ends_with("tests.rs") {
            continue;
        }
        let top = rel
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy();
        let module = top.strip_suffix(".rs").unwrap_or(&top).to_string();
        let Some(layer) = layer_of(&module) else {
            continue; // the crate root and the binary
        };
        let text = std::fs::read_to_string(path).unwrap();
        for used in used_modules(&code_of(&text), &modules) {
            match used {
                None => broken.push(format!(
                    "src/{}: uses the crate root; name the module that defines it",
                    rel.display()
                )),
                Some(other) if other == module => {}
                Some(other) => {
                    let theirs = layer_of(&other).unwrap_or(usize::MAX);
                    if theirs >= layer {
                        broken.push(format!(
                            "src/{}: `{module}` (layer {layer}) uses `{other}` (layer {theirs})",
                            rel.display()
                        ));
                    }
                }
            }
        }
    }
    assert!(
        broken.is_empty(),
        "layer rules broken:\n{}",
        broken.join("\n")
    );
}

#[test]
fn the_reader_of_paths_sees_groups_and_the_root() {
    let modules: BTreeSet<String> = ["text", "date", "model"].map(String::from).into();
    let used = used_modules(
        "use crate::{text::{a, b}, date::Date};\nfn f() { crate::model::x(); crate::Site::new(); }",
        &modules,
    );
    let expected: BTreeSet<Option<String>> = [
        Some("text".to_string()),
        Some("date".to_string()),
        Some("model".to_string()),
        None,
    ]
    .into();
    assert_eq!(used, expected);
}

/// Inside a module folder, the files that once imported each other round a
/// loop stay one way: `history/cache.rs` knows the walk's format, not
/// `site.rs`; the LSP's actions and rename share `edits.rs`; the pages name
/// what they use of `render` by its own file, never through `render/mod.rs`,
/// which declares them.
#[test]
fn the_loops_once_inside_folders_stay_open() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let code = |rel: &str| code_of(&std::fs::read_to_string(src.join(rel)).unwrap());
    for (file, other) in [
        ("history/cache.rs", "site::"),
        ("lsp/features/actions.rs", "rename::"),
        ("lsp/features/rename.rs", "actions::"),
    ] {
        assert!(!code(file).contains(other), "src/{file} uses `{other}`");
    }
    let render_files: BTreeSet<String> = std::fs::read_dir(src.join("render"))
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            name.strip_suffix(".rs").unwrap_or(&name).to_string()
        })
        .collect();
    let mut through_mod = Vec::new();
    for entry in std::fs::read_dir(src.join("render/pages")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let text = code(&format!("render/pages/{name}"));
        // From `pages/mod.rs`, `super::` is `render`; from a page, `super::super::`.
        let prefixes: &[&str] = if name == "mod.rs" {
            &["crate::render::", "super::"]
        } else {
            &["crate::render::", "super::super::"]
        };
        for prefix in prefixes {
            for (at, _) in text.match_indices(prefix) {
                let after = &text[at + prefix.len()..];
                let item: String = after
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '{')
                    .collect();
                if !render_files.contains(&item) {
                    through_mod.push(format!("src/render/pages/{name}: {prefix}{item}"));
                }
            }
        }
    }
    assert!(
        through_mod.is_empty(),
        "pages reach into render/mod.rs:\n{}",
        through_mod.join("\n")
    );
}
