//! The documentation names everything the code accepts: a field or config key
//! added without documenting it fails here.

use std::path::Path;

fn doc(name: &str) -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("docs")
            .join(name),
    )
    .unwrap_or_else(|e| panic!("docs/{name}: {e}"))
}

fn missing<'a>(text: &str, names: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
    names
        .into_iter()
        .filter(|n| !text.contains(&format!("`{n}`")))
        .collect()
}

#[test]
fn the_guide_documents_every_field_key_kind_and_template() {
    let guide = doc("guide.md");
    assert_eq!(
        missing(&guide, throughline::source::KNOWN_FIELDS.iter().copied()),
        Vec::<&str>::new(),
        "front-matter fields"
    );
    let nested = throughline::source::NESTED_FIELDS
        .iter()
        .flat_map(|(_, fields)| fields.iter().copied());
    assert_eq!(
        missing(&guide, nested),
        Vec::<&str>::new(),
        "fields inside structured fields"
    );
    let keys = throughline::config::CONFIG_KEYS
        .iter()
        .chain(throughline::config::MARKDOWN_KEYS)
        .chain(throughline::config::KIND_KEYS)
        .copied();
    assert_eq!(missing(&guide, keys), Vec::<&str>::new(), "config keys");
    let schema = throughline::config::Schema::builtin();
    assert_eq!(missing(&guide, schema.names()), Vec::<&str>::new(), "kinds");
    let templates = throughline::render::theme::TEMPLATES
        .iter()
        .map(|(name, _)| *name);
    assert_eq!(missing(&guide, templates), Vec::<&str>::new(), "templates");
}

#[test]
fn the_rules_page_has_a_section_per_rule() {
    let rules = doc("rules.md");
    let absent: Vec<&str> = throughline::rules::catalog()
        .iter()
        .map(|r| r.id)
        .filter(|id| !rules.contains(&format!("## {id}\n")))
        .collect();
    assert!(
        absent.is_empty(),
        "docs/rules.md lacks sections for {absent:?}"
    );
}
