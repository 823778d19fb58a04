//! `unplanned-work`: urgent requests routinely overriding the plan. When too
//! much of a team's quarter is work nobody planned (requests, incidents,
//! interruptions), the strategy is losing to whatever is loudest.

use super::{Context, Rule, RuleMeta, Scope};
use crate::analysis::work_mix;
use crate::diagnostics::{Diagnostic, Severity};
use crate::text::format_percent as percent;
use crate::yaml::Step;

/// See the module docs.
pub(crate) struct UnplannedWork;

/// `unplanned-work`: its id, title, summary, severity and scope.
pub(super) const META: RuleMeta = RuleMeta {
    id: "unplanned-work",
    title: "Too much unplanned work",
    summary: "More than max_unplanned_share of a team's work items in a quarter were not planned.",
    severity: Severity::Warning,
    scope: Scope::Site,
    rule: &UnplannedWork,
};

impl Rule for UnplannedWork {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let limit = ctx.config.max_unplanned_share;
        for ((team, quarter), mix) in work_mix(ctx.docs, ctx.facts()) {
            if !mix.exceeds(limit) {
                continue;
            }
            let share = mix.unplanned_share();
            let team_doc = &ctx.docs[team];
            let kinds: Vec<String> = [
                (mix.stakeholder_request, "stakeholder-request"),
                (mix.incident, "incident"),
                (mix.unplanned, "unplanned"),
            ]
            .iter()
            .filter(|(n, _)| *n > 0)
            .map(|(n, what)| format!("{n} {what}"))
            .collect();
            out.push(
                ctx.warning(
                    self.id(),
                    team_doc,
                    ctx.span(team_doc, &[Step::Key("kind")]),
                    format!(
                        "in {quarter}, {} of this team's {} work items ({}) were not planned ({}); the limit is {}",
                        mix.not_planned(),
                        mix.total(),
                        percent(share),
                        kinds.join(", "),
                        percent(limit),
                    ),
                )
                .with_hint("at the quarter's review, ask what pushed in and why; protect the plan (say no, batch requests, staff incidents apart) or plan for the load on purpose"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::{findings, COMPANY, PRODUCT};

    /// A team with work in 2026-Q4 under one objective, one item per entry of
    /// `sources` (`-` for no `source:`).
    fn run(config: &str, sources: &[&str]) -> Vec<String> {
        let mut files: Vec<(String, String)> = vec![
            ("t.md".into(), "---\nid: t\nkind: team\n---\n".into()),
            (
                "o.md".into(),
                "---\nid: o\nkind: objective\nparent: ps\nquarter: 2026-Q4\nteam: t\n---\n".into(),
            ),
        ];
        for (i, source) in sources.iter().enumerate() {
            let field = match *source {
                "-" => String::new(),
                s => format!("source: {s}\n"),
            };
            files.push((
                format!("w{i}.md"),
                format!("---\nid: w{i}\nkind: work\nparent: o\n{field}---\n"),
            ));
        }
        let mut all: Vec<(&str, &str)> = vec![COMPANY, PRODUCT];
        all.extend(files.iter().map(|(p, t)| (p.as_str(), t.as_str())));
        findings(&UnplannedWork, config, &all, "2026-11-24")
    }

    #[test]
    fn exactly_the_limit_passes_and_one_more_fires() {
        let mut sources = vec!["-"; 7];
        sources.extend(["incident", "unplanned", "stakeholder-request"]);
        assert!(run("", &sources).is_empty(), "3 of 10 is exactly 30%");
        sources[0] = "incident";
        assert_eq!(
            run("", &sources),
            vec!["t.md:3:7 warning: in 2026-Q4, 4 of this team's 10 work items (40%) were not planned (1 stakeholder-request, 2 incident, 1 unplanned); the limit is 30%"]
        );
        assert!(run("max_unplanned_share: 0.4\n", &sources).is_empty());
    }

    #[test]
    fn planned_items_dilute_the_share() {
        assert!(run("", &["planned", "planned", "-"]).is_empty());
        let mut files: Vec<&str> = vec!["-", "unplanned"];
        assert_eq!(run("", &files).len(), 1, "1 of 2 is 50%");
        files.push("planned");
        files.push("-");
        assert!(run("", &files).is_empty(), "1 of 4 is 25%");
    }

    #[test]
    fn dropped_work_and_work_without_a_quarter_or_team_is_not_counted() {
        let files = [
            COMPANY,
            PRODUCT,
            ("t.md", "---\nid: t\nkind: team\n---\n"),
            ("o.md", "---\nid: o\nkind: objective\nparent: ps\nteam: t\n---\n"),
            ("w.md", "---\nid: w\nkind: work\nparent: o\nsource: incident\n---\n"),
            ("x.md", "---\nid: x\nkind: work\nparent: o\nquarter: 2026-Q4\nsource: incident\nstatus: dropped\n---\n"),
            ("y.md", "---\nid: y\nkind: work\nquarter: 2026-Q4\nsource: incident\n---\n"),
        ];
        assert!(findings(&UnplannedWork, "", &files, "2026-11-24").is_empty());
    }
}
