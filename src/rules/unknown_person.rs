//! `unknown-person`: once a site has people, a name that matches none of
//! them is a typo or a person nobody added, and either way their work
//! would be missing from their page.

use std::collections::HashMap;

use super::{Context, Rule, RuleMeta, Scope};
use crate::diagnostics::{Diagnostic, Severity};
use crate::text::suggest;
use crate::yaml::Step;

/// See the module docs.
pub(crate) struct UnknownPerson;

/// `unknown-person`: its id, title, summary, severity and scope.
pub(super) const META: RuleMeta = RuleMeta {
    id: "unknown-person",
    title: "Names that match no person",
    summary: "An `owner`, `approval.approver` or review participant names no person, when the site has people.",
    severity: Severity::Warning,
    // Adding or renaming a person changes findings anywhere in the site.
    scope: Scope::Site,
    rule: &UnknownPerson,
};

impl Rule for UnknownPerson {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let people = ctx.facts().people();
        if people.is_empty() {
            return;
        }
        // One scan of every spelling per distinct unknown name.
        let mut hints: HashMap<String, String> = HashMap::new();
        for (id, doc) in ctx.docs() {
            // A tracker's assignee is the tracker's name for someone, not a
            // name typed in the repository: it maps to a person through
            // `handles` when it can, and is no typo to report when not.
            if doc.tracker.is_some() {
                continue;
            }
            let mut names: Vec<(&str, String, Vec<Step<'_>>)> = Vec::new();
            if let Some(owner) = doc.owner.as_deref() {
                if people.owner_of(id).is_none() {
                    names.push((owner, "`owner`".into(), vec![Step::Key("owner")]));
                }
            }
            if let Some(approver) = doc.approval.as_ref().and_then(|a| a.approver.as_deref()) {
                if people.find(approver).is_none() {
                    let path = vec![Step::Key("approval"), Step::Key("approver")];
                    names.push((approver, "`approval.approver`".into(), path));
                }
            }
            for (i, who) in doc.participants.iter().enumerate() {
                if people.find(who).is_none() {
                    let path = vec![Step::Key("participants"), Step::Index(i)];
                    names.push((who, format!("participant {}", i + 1), path));
                }
            }
            for (name, field, path) in names {
                if name.trim().is_empty() {
                    continue;
                }
                let key = crate::analysis::person_key(name);
                let hint = hints
                    .entry(key.clone())
                    .or_insert_with(|| match suggest(&key, people.spellings()) {
                        Some(near) => {
                            let person = people.find(near).map(|p| &ctx.docs[p]);
                            match person {
                                Some(p) => format!("did you mean `{}` ({})?", p.id, p.title),
                                None => format!("did you mean `{near}`?"),
                            }
                        }
                        None => "name a person by id, name or handle, or add them: `throughline new person ID`".to_string(),
                    })
                    .clone();
                out.push(
                    ctx.warning(
                        self.id(),
                        doc,
                        ctx.span(doc, &path),
                        format!("{field} `{}` names no person", name.trim()),
                    )
                    .with_hint(hint),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::findings;

    const ANA: (&str, &str) = (
        "people/ana-lima.md",
        "---\nid: ana-lima\nkind: person\ntitle: Ana Lima\nhandles: ['@analima']\n---\n",
    );

    #[test]
    fn names_that_match_no_person_are_reported_with_the_nearest() {
        let bet = (
            "b.md",
            "---\nid: b\nkind: page\nowner: Ana Lma\napproval: {approver: '@AnaLima'}\n---\n",
        );
        let review = (
            "r.md",
            "---\nid: r\nkind: review\nparticipants: [ana-lima, Zed]\n---\n",
        );
        let site = crate::rules::testing::site("", &[ANA, bet, review], "2026-11-24");
        let ctx = crate::rules::testing::context(&site);
        let mut out = Vec::new();
        UnknownPerson.check(&ctx, &mut out);
        crate::diagnostics::sort(&mut out);
        let got: Vec<(String, Option<String>)> = out
            .iter()
            .map(|d| {
                (
                    format!("{}:{}:{} {}", d.file, d.span.line, d.span.column, d.message),
                    d.hint.clone(),
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                (
                    "b.md:4:8 `owner` `Ana Lma` names no person".to_string(),
                    Some("did you mean `ana-lima` (Ana Lima)?".to_string())
                ),
                (
                    "r.md:4:26 participant 2 `Zed` names no person".to_string(),
                    Some("name a person by id, name or handle, or add them: `throughline new person ID`".to_string())
                ),
            ]
        );
    }

    #[test]
    fn a_site_without_people_keeps_owners_as_free_text() {
        let page = ("a.md", "---\nid: a\nkind: page\nowner: Anyone\n---\n");
        assert!(findings(&UnknownPerson, "", &[page], "2026-11-24").is_empty());
    }
}
