//! The kinds schema (SPEC §3): the built-in kinds of the strategy stack and
//! the opportunity tree, and the config's `kinds:` overrides applied to them.

use std::collections::HashMap;

use serde::Deserialize;
use serde_json::Value;

use super::{unknown_nested, ConfigError, CONFIG_FILE};
use crate::date::Cadence;
use crate::diagnostics::{Diagnostic, Span};
use crate::text::{suggest, LineIndex};
use crate::yaml::{Locator, Step};
/// Which kinds a kind's `parent` may be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParentRule {
    /// No parent allowed (the top of a tree, or a reference document).
    None,
    /// Any kind (free-form pages).
    Any,
    /// One of these kinds.
    Kinds(Vec<String>),
}

impl ParentRule {
    /// Whether a parent of kind `kind` is allowed.
    pub fn allows(&self, kind: &str) -> bool {
        match self {
            ParentRule::None => false,
            ParentRule::Any => true,
            ParentRule::Kinds(kinds) => kinds.iter().any(|k| k == kind),
        }
    }
}

/// One kind of document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KindDef {
    /// The name used in `kind:`.
    pub name: String,
    /// The label shown in the site.
    pub label: String,
    /// The strategy-stack layer (1 company … 5 sprint work), if the kind is in the stack.
    pub layer: Option<u8>,
    /// Whether the kind is an opportunity-solution-tree node.
    pub ost: bool,
    /// Allowed parent kinds.
    pub parents: ParentRule,
    /// How often it must be reviewed, if ever.
    pub cadence: Option<Cadence>,
}

impl KindDef {
    /// Whether documents of this kind must trace up to a company strategy.
    pub fn must_trace_to_strategy(&self) -> bool {
        self.ost || matches!(self.layer, Some(3..=5))
    }
}

/// The kind every Markdown file without front matter (or without `kind:`) has.
pub const PAGE_KIND: &str = "page";

/// The set of kinds a site uses.
#[derive(Debug, Clone)]
pub struct Schema {
    kinds: Vec<KindDef>,
    // foldhash: every page asks for its documents' kinds, hundreds of
    // thousands of lookups in a build, where SipHash showed in profiles.
    index: HashMap<String, usize, foldhash::fast::RandomState>,
}

impl Schema {
    /// The built-in schema of SPEC §3.
    pub fn builtin() -> Schema {
        let cad = |s: &str| Cadence::parse(s);
        let kinds = |list: &[&str]| ParentRule::Kinds(list.iter().map(|s| s.to_string()).collect());
        let def = |name: &str, label: &str, layer, ost, parents, cadence| KindDef {
            name: name.to_string(),
            label: label.to_string(),
            layer,
            ost,
            parents,
            cadence,
        };
        Schema::from_kinds(vec![
            def(
                "company-strategy",
                "Company strategy",
                Some(1),
                false,
                ParentRule::None,
                cad("1y"),
            ),
            def(
                "product-strategy",
                "Product strategy",
                Some(2),
                false,
                kinds(&["company-strategy"]),
                cad("6m"),
            ),
            def(
                "bet",
                "Bet",
                Some(3),
                false,
                kinds(&["product-strategy"]),
                cad("3m"),
            ),
            def(
                "objective",
                "Objective",
                Some(4),
                false,
                kinds(&["bet", "product-strategy"]),
                cad("3m"),
            ),
            def(
                "work",
                "Work",
                Some(5),
                false,
                kinds(&["objective", "bet", "experiment"]),
                cad("2w"),
            ),
            def(
                "outcome",
                "Outcome",
                None,
                true,
                kinds(&["objective", "bet", "product-strategy"]),
                cad("3m"),
            ),
            def(
                "opportunity",
                "Opportunity",
                None,
                true,
                kinds(&["outcome", "opportunity"]),
                cad("3m"),
            ),
            def(
                "solution",
                "Solution",
                None,
                true,
                kinds(&["opportunity"]),
                cad("3m"),
            ),
            def(
                "experiment",
                "Experiment",
                None,
                true,
                kinds(&["solution"]),
                cad("1m"),
            ),
            def("metric", "Metric", None, false, ParentRule::None, cad("1m")),
            def("team", "Team", None, false, ParentRule::None, cad("1y")),
            def("review", "Review", None, false, ParentRule::None, None),
            // No cadence: a person is not a claim that goes stale.
            def("person", "Person", None, false, ParentRule::None, None),
            def("decision", "Decision", None, false, ParentRule::None, None),
            def(PAGE_KIND, "Page", None, false, ParentRule::Any, None),
        ])
    }

    fn from_kinds(kinds: Vec<KindDef>) -> Schema {
        let index = kinds
            .iter()
            .enumerate()
            .map(|(i, k)| (k.name.clone(), i))
            .collect();
        Schema { kinds, index }
    }

    /// The definition of `name`, if it is a known kind.
    pub fn get(&self, name: &str) -> Option<&KindDef> {
        self.index.get(name).map(|&i| &self.kinds[i])
    }

    /// All kinds, built-in ones first in stack order, then added ones in name order.
    pub fn kinds(&self) -> &[KindDef] {
        &self.kinds
    }

    /// All kind names.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.kinds.iter().map(|k| k.name.as_str())
    }
}

/// The keys of each entry under `kinds:`.
pub const KIND_KEYS: &[&str] = &["label", "layer", "parents", "cadence"];

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawKind {
    label: Option<String>,
    layer: Option<u8>,
    parents: Option<RawParents>,
    cadence: Option<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawParents {
    Word(String),
    List(Vec<String>),
}

pub(super) fn apply_kind_overrides(
    overrides: &serde_json::Map<String, Value>,
    locator: &Locator<'_>,
    lines: &LineIndex,
    text: &str,
) -> Result<Schema, ConfigError> {
    let span_of = |path: &[Step<'_>]| {
        locator
            .value(path)
            .map_or(Span::file_start(), |l| lines.span(text, l.offset, l.len))
    };
    let mut kinds = Schema::builtin().kinds;
    for (name, raw) in overrides {
        let at =
            |field: &'static str| span_of(&[Step::Key("kinds"), Step::Key(name), Step::Key(field)]);
        if !crate::text::is_slug(name) {
            return Err(Box::new(Diagnostic::error(
                "config",
                CONFIG_FILE,
                span_of(&[Step::Key("kinds"), Step::Key(name)]),
                format!("kind name `{name}` must be lowercase letters, digits and dashes"),
            )));
        }
        if let Some(obj) = raw.as_object() {
            for key in obj.keys() {
                if !KIND_KEYS.contains(&key.as_str()) {
                    return Err(unknown_nested(
                        locator,
                        lines,
                        text,
                        &[Step::Key("kinds"), Step::Key(name), Step::Key(key)],
                        &format!("kinds.{name}"),
                        KIND_KEYS,
                    ));
                }
            }
        }
        let raw: RawKind = match raw {
            Value::Null => RawKind {
                label: None,
                layer: None,
                parents: None,
                cadence: None,
            },
            other => serde_json::from_value(other.clone()).map_err(|e| {
                Box::new(Diagnostic::error(
                    "config",
                    CONFIG_FILE,
                    span_of(&[Step::Key("kinds"), Step::Key(name)]),
                    format!("kind `{name}` is invalid: {e}"),
                ))
            })?,
        };
        let position = kinds.iter().position(|k| &k.name == name);
        let mut def = match position {
            Some(i) => kinds[i].clone(),
            None => KindDef {
                name: name.clone(),
                label: title_case(name),
                layer: None,
                ost: false,
                parents: ParentRule::None,
                cadence: None,
            },
        };
        if let Some(label) = raw.label {
            def.label = label;
        }
        if let Some(layer) = raw.layer {
            if !(1..=5).contains(&layer) {
                return Err(Box::new(Diagnostic::error(
                    "config",
                    CONFIG_FILE,
                    at("layer"),
                    format!("layer {layer} of kind `{name}` must be 1 to 5"),
                )));
            }
            def.layer = Some(layer);
        }
        if let Some(parents) = raw.parents {
            def.parents = match parents {
                RawParents::Word(w) if w == "any" => ParentRule::Any,
                RawParents::Word(w) if w == "none" => ParentRule::None,
                RawParents::Word(w) => ParentRule::Kinds(vec![w]),
                RawParents::List(list) if list.is_empty() => ParentRule::None,
                RawParents::List(list) => ParentRule::Kinds(list),
            };
        }
        if let Some(cadence) = raw.cadence {
            def.cadence = if cadence == "none" {
                None
            } else {
                Some(Cadence::parse(&cadence).ok_or_else(|| {
                    Box::new(
                        Diagnostic::error(
                            "config",
                            CONFIG_FILE,
                            at("cadence"),
                            format!("cadence `{cadence}` of kind `{name}` is not a duration"),
                        )
                        .with_hint("use `30d`, `12w`, `6m`, `1y`, or `none`"),
                    )
                })?)
            };
        }
        match position {
            Some(i) => kinds[i] = def,
            None => kinds.push(def),
        }
    }
    let names: Vec<String> = kinds.iter().map(|k| k.name.clone()).collect();
    for kind in &kinds {
        if let ParentRule::Kinds(parents) = &kind.parents {
            for parent in parents {
                if !names.contains(parent) {
                    let hint = suggest(parent, names.iter().map(String::as_str))
                        .map(|s| format!("did you mean `{s}`?"));
                    let d = Diagnostic::error(
                        "config",
                        CONFIG_FILE,
                        span_of(&[
                            Step::Key("kinds"),
                            Step::Key(&kind.name),
                            Step::Key("parents"),
                        ]),
                        format!(
                            "kind `{}` names an unknown parent kind `{parent}`",
                            kind.name
                        ),
                    );
                    return Err(Box::new(match hint {
                        Some(h) => d.with_hint(h),
                        None => d,
                    }));
                }
            }
        }
    }
    Ok(Schema::from_kinds(kinds))
}

fn title_case(name: &str) -> String {
    let spaced = name.replace(['-', '_'], " ");
    let mut chars = spaced.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
