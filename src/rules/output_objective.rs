//! `output-objective`: output OKRs instead of outcome OKRs. An objective must
//! name a change someone can measure (a key result with metric, baseline and
//! target), not a thing to ship.

use super::{is_closed, Context, Rule, RuleMeta, Scope};
use crate::diagnostics::{Diagnostic, Severity};
use crate::graph::DocId;
use crate::yaml::Step;

/// See the module docs.
pub(crate) struct OutputObjective;

/// `output-objective`: its id, title, summary, severity and scope.
pub(super) const META: RuleMeta = RuleMeta {
    id: "output-objective",
    title: "Objectives that describe outputs",
    summary: "An objective has no key results, a key result lacks its metric, baseline or target, or its title names an output (Launch, Ship, Roll out, Deliver, ...: `output_verbs` in the config).",
    severity: Severity::Warning,
    scope: Scope::Document,
    rule: &OutputObjective,
};

/// `a`, `a or b`, `a, b or c`.
fn or_list(words: &[&str]) -> String {
    match words {
        [] => String::new(),
        [one] => (*one).to_string(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// The words of `title` that name an output, as written ("Rolling out"),
/// when it starts with one of `verbs` (`config.output_verbs`) or a form of
/// one (`launches`, `launched`, `launching`, `shipped`), after a label such
/// as "Q4:" or "Payments:". Both the rule and `new` ask this.
pub fn output_phrase<'t>(title: &'t str, verbs: &[String]) -> Option<&'t str> {
    let words: Vec<(usize, &str)> = title
        .split_whitespace()
        .map(|w| (w.as_ptr() as usize - title.as_ptr() as usize, w))
        .collect();
    // A leading label ("Q4:", "2027-Q1 -") says when or where, not what.
    let is_dash = |i: usize| {
        words
            .get(i)
            .is_some_and(|(_, w)| matches!(*w, "-" | "–" | "—"))
    };
    let mut start = 0;
    while start < words.len().min(2)
        && (words[start].1.ends_with(':') || is_dash(start) || is_dash(start + 1))
    {
        start += 1;
    }
    let clean = |w: &str| w.trim_end_matches([':', ',', '.', ';', '!']).to_lowercase();
    verbs.iter().find_map(|verb| {
        let parts: Vec<&str> = verb.split_whitespace().collect();
        let (first, rest) = parts.split_first()?;
        let candidate = words.get(start..start + parts.len())?;
        let matches = is_form_of(first, &clean(candidate[0].1))
            && rest
                .iter()
                .zip(&candidate[1..])
                .all(|(p, (_, w))| p.eq_ignore_ascii_case(&clean(w)));
        let (from, _) = candidate[0];
        let (last_at, last) = candidate[candidate.len() - 1];
        matches
            .then(|| &title[from..last_at + last.trim_end_matches([':', ',', '.', ';', '!']).len()])
    })
}

/// Whether `word` (lowercase) is `verb` or a regular form of it: `-s`,
/// `-es`, `-ed`, `-d`, `-ing`, a final `e` dropped before `-ing`, a final
/// consonant doubled (`shipped`, `shipping`).
fn is_form_of(verb: &str, word: &str) -> bool {
    let Some(rest) = word.strip_prefix(verb) else {
        let stem = verb.strip_suffix('e');
        return stem.is_some_and(|stem| word.strip_prefix(stem) == Some("ing"));
    };
    if matches!(rest, "" | "s" | "es" | "ed" | "d" | "ing") {
        return true;
    }
    let last = verb.chars().last().unwrap_or('a');
    let doubled = !"aeiouwy".contains(last)
        && rest
            .strip_prefix(last)
            .is_some_and(|r| matches!(r, "ed" | "ing"));
    doubled
}

impl Rule for OutputObjective {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_document(&self, ctx: &Context<'_>, id: DocId, out: &mut Vec<Diagnostic>) {
        let objective = &ctx.docs[id];
        if objective.kind != "objective" {
            return;
        }
        if is_closed(objective) {
            return;
        }
        if objective.key_results.is_empty() {
            out.push(
                ctx.warning(self.id(), objective, ctx.span(objective, &[Step::Key("key_results")]), "objective has no key results")
                    .with_hint("add `key_results: [{metric: …, baseline: …, target: …, by: …}]`: the change you expect, in numbers"),
            );
        }
        // Every incomplete key result, each named by its position (counted from 1).
        for (i, kr) in objective.key_results.iter().enumerate() {
            let missing: Vec<&str> = [
                ("metric", kr.metric.is_none()),
                ("baseline", kr.baseline.is_none()),
                ("target", kr.target.is_none()),
            ]
            .into_iter()
            .filter_map(|(field, absent)| absent.then_some(field))
            .collect();
            if missing.is_empty() {
                continue;
            }
            let message = format!("key result {} has no {}", i + 1, or_list(&missing));
            let example: Vec<String> = missing.iter().map(|f| format!("{f}: …")).collect();
            out.push(
                ctx.warning(
                    self.id(),
                    objective,
                    ctx.span(objective, &[Step::Key("key_results"), Step::Index(i)]),
                    message,
                )
                .with_hint(format!(
                    "add `{}` to it: a key result is a change you can measure, from a baseline to a target",
                    example.join(", ")
                )),
            );
        }
        if let Some(verb) = output_phrase(&objective.title, &ctx.config.output_verbs) {
            out.push(
                ctx.warning(
                    self.id(),
                    objective,
                    ctx.span(objective, &[Step::Key("title")]),
                    format!("the title describes an output (\"{verb} …\"), not an outcome"),
                )
                .with_hint("name the change in customer behaviour or business result, e.g. \"Increase 7-day activation from 40% to 55%\""),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::{findings, COMPANY, PRODUCT};

    const KR: &str =
        "key_results:\n  - {metric: 7-day activation rate, baseline: 40, target: 55}\n";

    fn objective(title: &str, krs: &str) -> String {
        format!("---\nid: obj\nkind: objective\nparent: ps\ntitle: {title}\n{krs}---\n")
    }

    #[test]
    fn outcome_objectives_pass() {
        let o = objective("Increase 7-day activation from 40% to 55%", KR);
        assert!(findings(
            &OutputObjective,
            "",
            &[COMPANY, PRODUCT, ("o.md", &o)],
            "2026-11-24"
        )
        .is_empty());
        let o = objective("Launchpad adoption doubles", KR);
        assert!(findings(
            &OutputObjective,
            "",
            &[COMPANY, PRODUCT, ("o.md", &o)],
            "2026-11-24"
        )
        .is_empty());
    }

    #[test]
    fn output_phrases_are_found_in_their_forms_and_after_a_label() {
        let verbs: Vec<String> = crate::config::DEFAULT_OUTPUT_VERBS
            .iter()
            .map(|v| v.to_string())
            .collect();
        for (title, phrase) in [
            ("Launch the new onboarding", Some("Launch")),
            ("Roll out X", Some("Roll out")),
            ("Rolling out the gate app", Some("Rolling out")),
            ("Deliver X", Some("Deliver")),
            ("Launching X", Some("Launching")),
            ("Q4: Launch X", Some("Launch")),
            ("Payments: shipped, finally", Some("shipped")),
            ("2027-Q1 - Releases", Some("Releases")),
            ("Launchpad adoption doubles", None),
            ("Roll back churn", None),
            ("Increase 7-day activation from 40% to 55%", None),
            ("Builder retention", None),
        ] {
            assert_eq!(output_phrase(title, &verbs), phrase, "{title}");
        }
        assert_eq!(
            output_phrase("Launch X", &[]),
            None,
            "an empty list turns the check off"
        );
    }

    #[test]
    fn output_titles_and_unmeasurable_key_results_are_flagged() {
        let o = objective("Launch the new onboarding", KR);
        assert_eq!(
            findings(
                &OutputObjective,
                "",
                &[COMPANY, PRODUCT, ("o.md", &o)],
                "2026-11-24"
            ),
            vec!["o.md:5:8 warning: the title describes an output (\"Launch …\"), not an outcome"]
        );
        let o = objective(
            "Increase activation",
            "key_results:\n  - {metric: 7-day activation rate, target: 55}\n",
        );
        assert_eq!(
            findings(
                &OutputObjective,
                "",
                &[COMPANY, PRODUCT, ("o.md", &o)],
                "2026-11-24"
            ),
            vec!["o.md:7:5 warning: key result 1 has no baseline"]
        );
    }
}
