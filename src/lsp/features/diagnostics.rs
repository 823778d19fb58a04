//! `check`'s findings as LSP diagnostics: same rules, messages and hints;
//! `code` is the rule id and `codeDescription` links to its section of docs/rules.md.

use std::str::FromStr;

use lsp_types::{CodeDescription, DiagnosticSeverity, NumberOrString, Uri};
use serde_json::json;

use crate::diagnostics::{Diagnostic, Severity};
use crate::lsp::convert::{Encoding, Lines};

/// Where docs/rules.md is published; each rule's section is `#<rule-id>`.
/// PLACEHOLDER: the project's public repository address is not settled yet;
/// change this one constant when it is.
pub const RULES_DOC_URL: &str =
    "https://github.com/throughline-placeholder/throughline/blob/main/docs/rules.md";

/// What `source` says on every diagnostic.
pub const SOURCE: &str = "throughline";

/// The link to `rule`'s section of docs/rules.md, if the catalog knows the rule.
pub fn rule_link(rule: &str) -> Option<Uri> {
    let known = crate::rules::catalog().iter().any(|r| r.id == rule);
    known
        .then(|| Uri::from_str(&format!("{RULES_DOC_URL}#{rule}")).ok())
        .flatten()
}

/// One finding in a file whose text `lines` indexes, as an LSP diagnostic.
pub fn to_lsp(d: &Diagnostic, lines: &Lines<'_>, encoding: Encoding) -> lsp_types::Diagnostic {
    let severity = match d.severity {
        Severity::Error => DiagnosticSeverity::ERROR,
        Severity::Warning => DiagnosticSeverity::WARNING,
        Severity::Info => DiagnosticSeverity::INFORMATION,
    };
    let message = match &d.hint {
        Some(hint) => format!("{}\nhint: {hint}", d.message),
        None => d.message.clone(),
    };
    lsp_types::Diagnostic {
        range: lines.span_range(d.span, encoding),
        severity: Some(severity),
        code: Some(NumberOrString::String(d.rule.to_string())),
        code_description: rule_link(d.rule).map(|href| CodeDescription { href }),
        source: Some(SOURCE.to_string()),
        message,
        related_information: None,
        tags: None,
        data: d.hint.as_ref().map(|hint| json!({ "hint": hint })),
    }
}

/// Every finding about `rel`, in the order `check` prints them.
pub fn for_file<'d>(
    diagnostics: &'d [Diagnostic],
    rel: &'d str,
) -> impl Iterator<Item = &'d Diagnostic> + 'd {
    diagnostics.iter().filter(move |d| d.file == rel)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::Span;

    #[test]
    fn a_finding_keeps_rule_message_hint_and_links_its_section() {
        let text = "---\nparent: ps-zürich-🚀x\n---\n";
        let d = Diagnostic::error(
            "broken-link",
            "a.md",
            Span::new(2, 9, 12),
            "no document has the id `ps-zürich-🚀x`",
        )
        .with_hint("did you mean `ps-zurich`?");
        let lsp = to_lsp(&d, &Lines::new(text), Encoding::Utf16);
        assert_eq!(lsp.code, Some(NumberOrString::String("broken-link".into())));
        assert_eq!(lsp.source.as_deref(), Some("throughline"));
        assert_eq!(
            lsp.code_description.map(|c| c.href.as_str().to_string()),
            Some(format!("{RULES_DOC_URL}#broken-link"))
        );
        assert!(lsp.message.ends_with("hint: did you mean `ps-zurich`?"));
        // 12 characters, the rocket counting 2 UTF-16 units.
        assert_eq!(
            (lsp.range.start.character, lsp.range.end.character),
            (8, 21)
        );
    }
}
