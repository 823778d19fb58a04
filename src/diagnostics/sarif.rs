//! The SARIF 2.1.0 renderer, for GitHub code scanning and other tools that
//! show findings inline: one run, one rule entry per rule id with its help
//! text, one result per diagnostic.

use std::io::{self, Write};

use serde_json::{json, Value};

use super::{Diagnostic, RuleInfo, Severity};

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// Writes a SARIF log. `path_prefix` is prepended to each file (the site root
/// relative to where the tool runs, `/`-separated, empty or ending in `/`).
pub fn render_sarif(
    diagnostics: &[Diagnostic],
    rules: &[RuleInfo],
    path_prefix: &str,
    out: &mut dyn Write,
) -> io::Result<()> {
    let rule_entries: Vec<Value> = rules
        .iter()
        .map(|r| {
            json!({
                "id": r.id,
                "name": r.id,
                "shortDescription": {"text": r.summary},
                "fullDescription": {"text": r.summary},
                "help": {"text": format!("{} See docs/rules.md#{} for examples and how to fix it.", r.summary, r.id)},
                "defaultConfiguration": {"level": level(r.severity)},
            })
        })
        .collect();
    let results: Vec<Value> = diagnostics
        .iter()
        .map(|d| {
            let mut text = d.message.clone();
            if let Some(hint) = &d.hint {
                text.push_str(" (hint: ");
                text.push_str(hint);
                text.push(')');
            }
            let mut result = json!({
                "ruleId": d.rule,
                "level": level(d.severity),
                "message": {"text": text},
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": {"uri": format!("{path_prefix}{}", d.file)},
                        "region": {
                            "startLine": d.span.line.max(1),
                            "startColumn": d.span.column.max(1),
                            "endColumn": d.span.column.max(1) + d.span.len,
                        },
                    },
                }],
            });
            if let Some(index) = rules.iter().position(|r| r.id == d.rule) {
                result["ruleIndex"] = json!(index);
            }
            result
        })
        .collect();
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "throughline",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://crates.io/crates/throughline",
                "rules": rule_entries,
            }},
            "results": results,
        }],
    });
    let text = serde_json::to_string_pretty(&log).map_err(io::Error::other)?;
    writeln!(out, "{}", crate::escape::json_for_terminal(&text))
}
