//! `overhead-heavy` (info): overhead crowding out leverage. When over half of
//! a team's open work is overhead, the vital few leverage tasks are not
//! getting done.

use std::collections::BTreeMap;

use super::{is_closed, Context, Rule, RuleMeta, Scope};
use crate::diagnostics::{Diagnostic, Severity};
use crate::graph::DocId;
use crate::model::Lno;
use crate::yaml::Step;

/// See the module docs.
pub(crate) struct OverheadHeavy;

/// `overhead-heavy`: its id, title, summary, severity and scope.
pub(super) const META: RuleMeta = RuleMeta {
    id: "overhead-heavy",
    title: "Teams heavy on overhead",
    summary: "Over half of a team's open work is `lno: overhead`.",
    severity: Severity::Info,
    scope: Scope::Site,
    rule: &OverheadHeavy,
};

impl Rule for OverheadHeavy {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let mut per_team: BTreeMap<DocId, (usize, usize)> = BTreeMap::new();
        for (id, work) in ctx.of_kind("work") {
            if is_closed(work) {
                continue;
            }
            let Some(team) = ctx.facts().team_of(id) else {
                continue;
            };
            let entry = per_team.entry(team).or_default();
            entry.0 += 1;
            if work.lno == Some(Lno::Overhead) {
                entry.1 += 1;
            }
        }
        for (team, (open, overhead)) in per_team {
            if overhead * 2 <= open {
                continue;
            }
            let doc = &ctx.docs[team];
            let mut d = ctx
                .warning(
                    self.id(),
                    doc,
                    ctx.span(doc, &[Step::Key("kind")]),
                    format!("{overhead} of this team's {open} open work items are overhead"),
                )
                .with_hint("protect time for leverage work: drop, automate or batch the overhead");
            d.severity = self.default_severity();
            out.push(d);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::{findings, COMPANY, PRODUCT};

    fn run(lnos: &[(&str, &str)]) -> Vec<String> {
        let mut files: Vec<(String, String)> = vec![
            ("team.md".into(), "---\nid: t\nkind: team\n---\n".into()),
            (
                "b.md".into(),
                "---\nid: b\nkind: bet\nparent: ps\nteam: t\n---\n".into(),
            ),
        ];
        for (i, (lno, status)) in lnos.iter().enumerate() {
            files.push((
                format!("w{i}.md"),
                format!(
                    "---\nid: w{i}\nkind: work\nparent: b\nlno: {lno}\nstatus: {status}\n---\n"
                ),
            ));
        }
        let mut all: Vec<(&str, &str)> = vec![COMPANY, PRODUCT];
        all.extend(files.iter().map(|(p, t)| (p.as_str(), t.as_str())));
        findings(&OverheadHeavy, "", &all, "2026-11-24")
    }

    #[test]
    fn over_half_overhead_of_open_work_inherits_the_team() {
        assert_eq!(
            run(&[
                ("overhead", "in-progress"),
                ("overhead", "committed"),
                ("leverage", "in-progress")
            ]),
            vec!["team.md:3:7 info: 2 of this team's 3 open work items are overhead"]
        );
        assert!(run(&[("overhead", "in-progress"), ("leverage", "in-progress")]).is_empty());
        assert!(run(&[
            ("overhead", "done"),
            ("overhead", "done"),
            ("leverage", "in-progress")
        ])
        .is_empty());
    }
}
