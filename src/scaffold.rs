//! `init` and `new`: writing a starter site and new documents. The starter
//! site is dated on the build date, so it checks with no warnings that day;
//! a new document gets its kind's front-matter skeleton, every field the
//! rules look for present and empty, so that filling it in is the next step.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::config::{ParentRule, Schema};
use crate::date::{Cadence, Date, Quarter};
use crate::text::{slugify, suggest};
use crate::yaml::scalar;
use crate::{RunError, Site};

fn write_new(path: &Path, text: &str) -> Result<(), RunError> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|e| RunError::Other(format!("cannot create `{}`: {e}", dir.display())))?;
    }
    std::fs::write(path, text)
        .map_err(|e| RunError::Other(format!("cannot write `{}`: {e}", path.display())))
}

/// Writes a starter site into `dir`, which must be empty or not exist. Returns the files written.
pub fn init_site(dir: &Path, today: Date) -> Result<Vec<PathBuf>, RunError> {
    if dir.exists() {
        let empty = std::fs::read_dir(dir)
            .map(|mut d| d.next().is_none())
            .unwrap_or(false);
        if !dir.is_dir() || !empty {
            return Err(RunError::Other(format!(
                "refusing to create a site in `{}`: it is not an empty folder",
                dir.display()
            )));
        }
    }
    let quarter = Quarter::of(today);
    let deadline = Cadence {
        amount: 6,
        unit: crate::date::CadenceUnit::Months,
    }
    .after(today);
    let files = starter_files(today, quarter, deadline);
    let mut written = Vec::new();
    for (rel, text) in files {
        let path = dir.join(rel);
        write_new(&path, &text)?;
        written.push(path);
    }
    Ok(written)
}

fn starter_files(today: Date, quarter: Quarter, deadline: Date) -> Vec<(&'static str, String)> {
    // Front matter gets its values through `scalar`, like everything `new` writes.
    let (t, q, d) = (
        scalar(&today.to_string()),
        scalar(&quarter.to_string()),
        scalar(&deadline.to_string()),
    );
    vec![
        ("throughline.yaml", "# Site settings: see docs/guide.md#configuration for every key.\ntitle: Our strategy\nignore: [\"README.md\"]\n".to_string()),
        ("README.md", format!("# Our strategy\n\nA strategy site for [throughline](https://crates.io/crates/throughline), started on {today}.\n\n| folder | layer |\n|---|---|\n| `strategy/` | 1. company strategy: where we play and how we win |\n| `products/` | 2. product strategies: which problems, for whom |\n| `bets/` | 3. the bets of each quarter |\n| `objectives/` | 4. team objectives with key results |\n| `work/` | 5. sprint work |\n| `metrics/`, `teams/` | what we measure, who does the work |\n\n`throughline check` reports problems; `throughline build` writes the site to `public/`;\n`throughline new bet \"Title\" --parent ps-core` adds a document.\n")),
        ("strategy/cs-company.md", format!("---\nid: cs-company\nkind: company-strategy\ntitle: Where we play and how we win\nowner: Chief executive\nstatus: active\nreviewed: {t}\n---\n## Where we play\n\nThe customers and markets we choose, and the ones we leave to others.\n\n## How we win\n\nWhat we do better than anyone for those customers. Product strategies\nsuch as [[ps-core]] translate this into problems to solve.\n")),
        ("products/ps-core.md", format!("---\nid: ps-core\nkind: product-strategy\ntitle: Our core product strategy\nparent: cs-company\nowner: Head of product\nstatus: active\nreviewed: {t}\n---\nThe problems we solve and for whom, in service of [[cs-company]]. Its bets\nfor {quarter}: [[bet-first]].\n")),
        ("bets/bet-first.md", format!("---\nid: bet-first\nkind: bet\ntitle: Our first bet\nparent: ps-core\nquarter: {q}\nstatus: committed\nowner: Product lead\nteam: team-core\nreviewed: {t}\nsize: medium\ndhm: {{ delight: 3, hard_to_copy: 3, margin: 3 }}\nconfidence: {{ problem: medium, solution: medium, outcome: medium }}\nsuccess:\n  outcome: More new customers reach their first success\n  metric: m-activation\n  baseline: 40\n  target: 55\n  deadline: {d}\n---\n## Why this bet\n\nWhat we believe, and what has to be true for it to work.\n\n## How we will know\n\nSuccess is measured by [[m-activation]], from 40% to 55% by {deadline}.\n")),
        ("objectives/obj-first.md", format!("---\nid: obj-first\nkind: objective\ntitle: Increase 7-day activation from 40% to 55%\nparent: bet-first\nquarter: {q}\nstatus: in-progress\nteam: team-core\nowner: Team lead\nlno: leverage\nreviewed: {t}\nkey_results:\n  - {{metric: m-activation, baseline: 40, target: 55, by: {d}}}\n---\nAn outcome, not an output: the change in customer behaviour we expect.\n")),
        ("metrics/m-activation.md", format!("---\nid: m-activation\nkind: metric\ntitle: 7-day activation\ntype: outcome\nindicator: leading\nunit: \"%\"\ndirection: up\nowner: Analytics\ncheckins:\n  - {{date: {t}, value: 40}}\n---\nShare of new customers who reach their first success within 7 days.\nAdd a check-in at least monthly.\n")),
        ("teams/team-core.md", format!("---\nid: team-core\nkind: team\ntitle: Core team\nowner: Team lead\nreviewed: {t}\n---\nThe team that executes [[bet-first]].\n")),
        ("work/w-first.md", format!("---\nid: w-first\nkind: work\ntitle: Shorten the sign-up form\nparent: obj-first\nstatus: in-progress\nteam: team-core\nowner: Engineer\nlno: leverage\nreviewed: {t}\n---\nSprint work that serves [[obj-first]].\n")),
    ]
}

/// Where documents of each built-in kind go when the site has none yet.
fn default_folder(kind: &str) -> String {
    match kind {
        "company-strategy" => "strategy".into(),
        "product-strategy" => "products".into(),
        "bet" => "bets".into(),
        "objective" => "objectives".into(),
        "work" => "work".into(),
        "outcome" | "opportunity" | "solution" | "experiment" => "discovery".into(),
        "metric" => "metrics".into(),
        "team" => "teams".into(),
        "review" => "reviews".into(),
        "page" => "pages".into(),
        other => other.to_string(),
    }
}

/// The id prefix for a built-in kind, so ids say what they are (`bet-instant-payouts`).
fn id_prefix(kind: &str) -> &'static str {
    match kind {
        "company-strategy" => "cs-",
        "product-strategy" => "ps-",
        "bet" => "bet-",
        "objective" => "obj-",
        "work" => "w-",
        "outcome" => "out-",
        "opportunity" => "opp-",
        "solution" => "sol-",
        "experiment" => "exp-",
        "metric" => "m-",
        "team" => "team-",
        "review" => "review-",
        _ => "",
    }
}

/// The folder where most existing documents of `kind` live, else the default one.
fn folder_for(site: &Site, kind: &str) -> String {
    let mut counts: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
    for doc in site.docs.iter().filter(|d| d.kind == kind) {
        let dir = doc.file.rsplit_once('/').map_or("", |(d, _)| d);
        *counts.entry(dir).or_default() += 1;
    }
    match counts
        .into_iter()
        .max_by_key(|&(dir, n)| (n, std::cmp::Reverse(dir)))
    {
        Some((dir, _)) => dir.to_string(),
        None => default_folder(kind),
    }
}

/// The front matter and body skeleton of a new document.
pub fn skeleton(kind: &str, id: &str, title: &str, parent: Option<&str>, today: Date) -> String {
    let mut fm = format!(
        "id: {}\nkind: {}\ntitle: {}\n",
        scalar(id),
        scalar(kind),
        scalar(title)
    );
    if let Some(p) = parent {
        let _ = writeln!(fm, "parent: {}", scalar(p));
    }
    let quarter = scalar(&Quarter::of(today).to_string());
    let today = scalar(&today.to_string());
    let extra = match kind {
        "company-strategy" | "product-strategy" => "owner:\nstatus: active\n".to_string(),
        "bet" => format!(
            "quarter: {quarter}\nstatus: proposed          # proposed, discovery, committed, in-progress, done, dropped\nowner:\nteam:\nsize: medium              # big, medium or small\ndhm:                      # 1-5 each\n  delight:\n  hard_to_copy:\n  margin:\nconfidence:               # low, medium or high each\n  problem:\n  solution:\n  outcome:\nsuccess:                  # needed once the bet is committed\n  outcome:\n  metric:\n  baseline:\n  target:\n  deadline:\napproval:                 # who decides; needed for big bets\n  level:\n  approver:\n"
        ),
        "objective" => format!("quarter: {quarter}\nstatus: proposed\nowner:\nteam:\nlno: leverage\nkey_results:              # a change you can measure, not a thing to ship\n  - metric:\n    baseline:\n    target:\n    by:\n"),
        "work" => "status: proposed\nowner:\nteam:\nlno:                      # leverage, neutral or overhead\n".to_string(),
        "solution" => "dhm:\n  delight:\n  hard_to_copy:\n  margin:\nconfidence:\n  problem:\n  solution:\n  outcome:\n".to_string(),
        "experiment" => "assumption:               # the belief this experiment tests\nresult:                   # validated, invalidated or inconclusive\n".to_string(),
        "metric" => "type:                     # input, output, outcome or impact\nindicator:                # leading or lagging\nunit:\ndirection: up             # up or down is better\ncheckins: []              # - {date: YYYY-MM-DD, value: N}\n".to_string(),
        "review" => format!("date: {today}\ncovers: []               # ids of the documents this review went over\n"),
        _ => "owner:\n".to_string(),
    };
    fm.push_str(&extra);
    if kind != "review" && kind != "page" {
        let _ = writeln!(fm, "reviewed: {today}");
    }
    let body = match kind {
        "company-strategy" => "## Where we play\n\n## How we win\n",
        "product-strategy" => "## The problem we solve\n\n## For whom\n\n## How we will know\n",
        "bet" => "## Why this bet\n\n## What has to be true\n\n## How we will know\n",
        "objective" => "What changes for customers when this objective is met?\n",
        "experiment" => "## How we test it\n\n## What we learned\n",
        "review" => "| Item | Finding | Decision |\n|---|---|---|\n",
        _ => "",
    };
    format!("---\n{fm}---\n{body}")
}

/// What `new` should write.
#[derive(Debug, Clone)]
pub struct NewDocument<'a> {
    /// The kind.
    pub kind: &'a str,
    /// The title.
    pub title: &'a str,
    /// The parent's id.
    pub parent: Option<&'a str>,
}

/// Writes a new document into the loaded `site`; returns its path.
pub fn new_document(site: &Site, request: &NewDocument<'_>) -> Result<PathBuf, RunError> {
    let schema: &Schema = &site.config.schema;
    let Some(def) = schema.get(request.kind) else {
        let hint = suggest(request.kind, schema.names())
            .map(|s| format!("; did you mean `{s}`?"))
            .unwrap_or_default();
        return Err(RunError::Other(format!(
            "unknown kind `{}`{hint} (the kinds are: {})",
            request.kind,
            schema.names().collect::<Vec<_>>().join(", ")
        )));
    };
    // The checker trims titles, so the file holds the title as it will be read.
    let title = request.title.trim();
    let slug = slugify(title);
    if slug.is_empty() {
        return Err(RunError::Other(
            "the title must contain letters or digits, to make an id from".into(),
        ));
    }
    let prefix = id_prefix(request.kind);
    let id = if slug.starts_with(prefix) {
        slug
    } else {
        format!("{prefix}{slug}")
    };
    if let Some(existing) = site.graph.lookup(&id) {
        return Err(RunError::Other(format!(
            "a document with the id `{id}` already exists: {}",
            site.docs[existing].file
        )));
    }
    if let Some(parent_id) = request.parent {
        let Some(parent) = site.graph.lookup(parent_id) else {
            let hint = suggest(parent_id, site.docs.iter().map(|d| d.id.as_str()))
                .map(|s| format!("; did you mean `{s}`?"))
                .unwrap_or_default();
            return Err(RunError::Other(format!(
                "no document has the id `{parent_id}`{hint}"
            )));
        };
        let parent_kind = &site.docs[parent].kind;
        if !def.parents.allows(parent_kind) {
            let allowed = match &def.parents {
                ParentRule::Kinds(kinds) => format!(
                    "the parent of a `{}` must be a {}",
                    request.kind,
                    kinds
                        .iter()
                        .map(|k| format!("`{k}`"))
                        .collect::<Vec<_>>()
                        .join(" or ")
                ),
                _ => format!("a `{}` has no parent", request.kind),
            };
            return Err(RunError::Other(format!(
                "`{parent_id}` is a `{parent_kind}`: {allowed}"
            )));
        }
    }
    let rel = format!("{}/{id}.md", folder_for(site, request.kind));
    let path = site.root.join(&rel);
    if path.exists() {
        return Err(RunError::Other(format!(
            "`{}` already exists",
            path.display()
        )));
    }
    write_new(
        &path,
        &skeleton(request.kind, &id, title, request.parent, site.today),
    )?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_value_of_a_skeleton_is_written_to_read_back() {
        let today = crate::date::parse_date("2026-11-24").unwrap();
        let text = skeleton("page", "0x1f", "0x1F", Some("1e3"), today);
        assert!(
            text.starts_with("---\nid: \"0x1f\"\nkind: page\ntitle: \"0x1F\"\nparent: \"1e3\"\n"),
            "{text}"
        );
    }
}
