//! A kind's front-matter fields, as `throughline new` writes them (the
//! skeleton is the one statement of which fields a kind has), and which of
//! them a document already has.

use crate::config::ParentRule;
use crate::scaffold::{skeleton, Filled};
use crate::source::split_front_matter;
use crate::yaml::lines::{top_level_key, Line};

use super::{Ctx, File};

/// The document's kind: as parsed, else as written on a `kind:` line, else
/// `page`. A front matter that does not parse (a field half typed, as when
/// completing one) is read as a page, so its `kind:` line is read instead.
pub fn kind_of(file: &File<'_>) -> String {
    if let Some((_, doc)) = file.doc.filter(|(_, d)| !d.invalid) {
        return doc.kind.clone();
    }
    let yaml = split_front_matter(file.text()).map_or("", |fm| fm.yaml);
    yaml.lines()
        .map(Line::read)
        .find(|l| l.is_top_level() && l.key == Some("kind"))
        .map(|l| l.value().trim_matches(['"', '\'']).to_string())
        .filter(|k| !k.is_empty())
        .unwrap_or_else(|| crate::config::PAGE_KIND.to_string())
}

/// The top-level keys written in a document's front matter.
pub fn present(text: &str) -> Vec<String> {
    let yaml = split_front_matter(text).map_or("", |fm| fm.yaml);
    top_level_blocks(yaml).into_iter().map(|(k, _)| k).collect()
}

/// A YAML text cut into top-level blocks: each key with its line and the indented lines below it.
pub fn top_level_blocks(yaml: &str) -> Vec<(String, String)> {
    let mut blocks: Vec<(String, String)> = Vec::new();
    for line in yaml.split_inclusive('\n') {
        match top_level_key(line) {
            Some(key) => blocks.push((key.to_string(), line.to_string())),
            None => {
                if let Some((_, block)) = blocks.last_mut() {
                    block.push_str(line);
                }
            }
        }
    }
    blocks
}

/// The skeleton blocks of `kind` (key and text), `parent:` included when the kind has one.
pub fn skeleton_blocks(ctx: &Ctx<'_>, kind: &str) -> Vec<(String, String)> {
    let schema = &ctx.site.config.schema;
    let text = skeleton(kind, "x", "x", &Filled::default(), ctx.site.today);
    let yaml = split_front_matter(&text)
        .map_or("", |fm| fm.yaml)
        .to_string();
    let mut blocks = top_level_blocks(&yaml);
    let has_parent = schema
        .get(kind)
        .is_some_and(|k| !matches!(k.parents, ParentRule::None));
    if has_parent {
        // After `title:`, where `new --parent` writes it.
        let at = blocks
            .iter()
            .position(|(k, _)| k == "title")
            .map_or(0, |i| i + 1);
        blocks.insert(at, ("parent".into(), "parent:\n".into()));
    }
    blocks
}

/// The field names of `kind`.
pub fn of_kind(ctx: &Ctx<'_>, kind: &str) -> Vec<String> {
    skeleton_blocks(ctx, kind)
        .into_iter()
        .map(|(k, _)| k)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_keep_their_nested_lines() {
        let blocks = top_level_blocks(
            "id: a\ndhm:\n  delight: 3\n# note\nlist:\n- x\n\"quoted\": 1\nurl: http://x\n",
        );
        let keys: Vec<_> = blocks.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["id", "dhm", "list", "quoted", "url"]);
        assert_eq!(blocks[1].1, "dhm:\n  delight: 3\n# note\n");
        assert_eq!(blocks[2].1, "list:\n- x\n");
    }
}
