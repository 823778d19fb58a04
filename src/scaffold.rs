//! `init` and `new`: writing a starter site and new documents. The starter
//! site is dated on the build date, so it checks with no warnings that day;
//! a new document gets its kind's front-matter skeleton, every field the
//! rules look for present and empty, so that filling it in is the next step.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::config::{ParentRule, RuleLevel, Schema};
use crate::date::{days_between, Cadence, Date, Quarter};
use crate::escape::for_terminal;
use crate::model::{check_id, Direction, IdError, MAX_ID_BYTES, RESERVED_IDS};
use crate::rules::output_phrase;
use crate::site::{RunError, Site};
use crate::text::{slugify, suggest};
use crate::yaml::scalar;

/// Writes a file that must not exist yet: an existing file, or a link
/// committed at its name, is refused rather than overwritten or followed.
fn write_new(path: &Path, text: &str) -> Result<(), RunError> {
    crate::edit::write_new_document(path, text).map_err(|e| RunError::Other(e.to_string()))
}

/// The documents `init` writes as examples, for the message that says which to replace.
pub const STARTER_DOCUMENTS: &[&str] = &[
    "strategy/cs-company.md",
    "products/ps-core.md",
    "bets/bet-first.md",
    "objectives/obj-first.md",
    "work/w-first.md",
    "metrics/m-activation.md",
    "teams/team-core.md",
];

/// What `init` tells once it made `done` in `dir` (for stderr, each line
/// ending with a newline): what it made, what it kept, and what to run next.
pub fn init_report(dir: &Path, done: &Initialized, empty: bool) -> String {
    let files = done.written.len();
    let made = if empty {
        format!(
            "created an empty site ({files} files) in {}\n",
            dir.display()
        )
    } else {
        format!(
            "created a starter site with {files} files in {}\n\
             the example documents are yours to rewrite or delete: {}\n\
             (`throughline init --empty` starts without them)\n",
            dir.display(),
            STARTER_DOCUMENTS.join(", ")
        )
    };
    let kept = if done.kept.is_empty() {
        String::new()
    } else {
        let names: Vec<String> = done
            .kept
            .iter()
            .map(|n| crate::escape::for_terminal(n).into_owned())
            .collect();
        format!("kept as they were: {}\n", names.join(", "))
    };
    format!(
        "{made}{kept}next: throughline check {0}   then   throughline build {0}\n",
        dir.display()
    )
}

/// What a folder may hold already for `init` to start a site in it: what
/// a new repository on a forge holds (`git init`, or a README and a licence
/// made with it). Kept unchanged; anything else makes `init` refuse.
fn may_keep(name: &str) -> bool {
    if name == ".git" {
        return true;
    }
    let lower = name.to_ascii_lowercase();
    let (stem, ext) = lower.split_once('.').unwrap_or((&lower, ""));
    matches!(stem, "readme" | "license" | "licence" | "copying")
        && matches!(ext, "" | "md" | "txt" | "rst" | "markdown")
}

/// What `init` wrote, and what it found in the folder and left as it was.
#[derive(Debug)]
pub struct Initialized {
    /// The files written, in order.
    pub written: Vec<PathBuf>,
    /// The names already in the folder (`.git`, a README, a licence), untouched.
    pub kept: Vec<String>,
}

/// Writes a starter site into `dir`, which must not exist, be empty, or
/// hold only what [`may_keep`] accepts: the config, a README (unless the
/// folder has one), a `.gitignore` for the output folder and, unless
/// `empty`, one example document per layer. With `dry_run` it writes
/// nothing and returns what it would write.
pub fn init_site(
    dir: &Path,
    today: Date,
    empty: bool,
    dry_run: bool,
) -> Result<Initialized, RunError> {
    let mut kept = Vec::new();
    if dir.exists() {
        let refuse = |why: String| {
            RunError::Other(format!(
                "refusing to create a site in `{}`: {why}; give a new or empty folder (one holding only `.git`, a README or a licence is fine)",
                dir.display()
            ))
        };
        if !dir.is_dir() {
            return Err(refuse("it is not a folder".into()));
        }
        let entries =
            std::fs::read_dir(dir).map_err(|e| refuse(format!("it cannot be read ({e})")))?;
        for entry in entries {
            let entry = entry.map_err(|e| refuse(format!("it cannot be read ({e})")))?;
            let name = entry.file_name();
            match name.to_str() {
                Some(name) if may_keep(name) => kept.push(name.to_string()),
                _ => {
                    return Err(refuse(format!(
                        "it already holds `{}`",
                        crate::escape::for_terminal(&name.to_string_lossy())
                    )))
                }
            }
        }
        kept.sort();
    }
    let quarter = starter_quarter(today);
    let deadline = Cadence {
        amount: 6,
        unit: crate::date::CadenceUnit::Months,
    }
    .after(today);
    let mut files = starter_files(today, quarter, deadline);
    if empty {
        files.retain(|(rel, _)| !STARTER_DOCUMENTS.contains(rel));
        for (rel, text) in &mut files {
            if *rel == "README.md" {
                *text = format!("# Our strategy\n\nA strategy site for throughline, started on {today}.\n\n`throughline new company-strategy \"Where we play and how we win\"` adds the first document;\n`throughline check` reports problems; `throughline build` writes the site to `public/`.\n");
            }
        }
    }
    // A README or licence already there stays as it is, and one written in
    // Markdown is no strategy document: the config ignores it like ours.
    // `may_keep` admits only letters and dots, so the names need no quoting
    // for YAML or escaping for a glob.
    let kept_readme = kept
        .iter()
        .any(|n| n.to_ascii_lowercase().starts_with("readme"));
    if kept_readme {
        files.retain(|(rel, _)| *rel != "README.md");
    }
    let mut ignored = vec!["README.md".to_string()];
    ignored.extend(
        kept.iter()
            .filter(|n| n.ends_with(".md") && *n != "README.md")
            .cloned(),
    );
    for (rel, text) in &mut files {
        if *rel == "throughline.yaml" {
            let list: Vec<String> = ignored.iter().map(|n| format!("\"{n}\"")).collect();
            *text = text.replace(
                "ignore: [\"README.md\"]",
                &format!("ignore: [{}]", list.join(", ")),
            );
        }
    }
    // The output folder is built, not written: it stays out of version control.
    files.push((".gitignore", "public/\n".to_string()));
    let mut written = Vec::new();
    for (rel, text) in files {
        let path = dir.join(rel);
        if !dry_run {
            write_new(&path, &text)?;
        }
        written.push(path);
    }
    Ok(Initialized { written, kept })
}

/// The quarter the starter's bet and objective are planned for: today's,
/// or the next one from the middle of a quarter on, as teams plan the next
/// quarter in the second half of this one. Pace is measured from the
/// quarter's first day, so a goal dated into a half-gone quarter, with
/// only its baseline measured, would be called behind on its first day.
fn starter_quarter(today: Date) -> Quarter {
    let this = Quarter::of(today);
    let gone = days_between(this.first_day(), today);
    let left = days_between(today, this.last_day());
    if gone > left {
        this.next()
    } else {
        this
    }
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
        ("README.md", format!("# Our strategy\n\nA strategy site for throughline, started on {today}.\n\n| folder | layer |\n|---|---|\n| `strategy/` | 1. company strategy: where we play and how we win |\n| `products/` | 2. product strategies: which problems, for whom |\n| `bets/` | 3. the bets of each quarter |\n| `objectives/` | 4. team objectives with key results |\n| `work/` | 5. sprint work |\n| `metrics/`, `teams/` | what we measure, who does the work |\n\n`throughline check` reports problems; `throughline build` writes the site to `public/`;\n`throughline new bet \"Title\" --parent ps-core` adds a document.\n")),
        ("strategy/cs-company.md", format!("---\nid: cs-company\nkind: company-strategy\ntitle: Where we play and how we win\nowner: Chief executive\nstatus: active\nreviewed: {t}\n---\n## Where we play\n\nThe customers and markets we choose, and the ones we leave to others.\n\n## How we win\n\nWhat we do better than anyone for those customers. Product strategies\nsuch as [[ps-core]] translate this into problems to solve.\n")),
        ("products/ps-core.md", format!("---\nid: ps-core\nkind: product-strategy\ntitle: Our core product strategy\nparent: cs-company\nowner: Head of product\nstatus: active\nreviewed: {t}\n---\nThe problems we solve and for whom, in service of [[cs-company]]. Its bets\nfor {quarter}: [[bet-first]].\n")),
        ("bets/bet-first.md", format!("---\nid: bet-first\nkind: bet\ntitle: Our first bet\nparent: ps-core\nquarter: {q}\nstatus: committed\nowner: Product lead\nteam: team-core\nreviewed: {t}\nsize: medium\ndhm: {{ delight: 3, hard_to_copy: 3, margin: 3 }}\nconfidence: {{ problem: medium, solution: medium, outcome: medium }}\nsuccess:\n  outcome: More new customers reach their first success\n  metric: m-activation\n  baseline: 40\n  target: 55\n  deadline: {d}\n---\n## Why this bet\n\nWhat we believe, and what has to be true for it to work.\n\n## How we will know\n\nSuccess is measured by [[m-activation]], from 40% to 55% by {deadline}.\n")),
        ("objectives/obj-first.md", format!("---\nid: obj-first\nkind: objective\ntitle: Increase 7-day activation from 40% to 55%\nparent: bet-first\nquarter: {q}\nstatus: in-progress\nteam: team-core\nowner: Team lead\nreviewed: {t}\nkey_results:\n  - {{metric: m-activation, baseline: 40, target: 55, by: {d}}}\n---\nAn outcome, not an output: the change in customer behaviour we expect.\n")),
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
        "person" => "people".into(),
        "decision" => "decisions".into(),
        "page" => "pages".into(),
        other => other.to_string(),
    }
}

/// The id prefix for a built-in kind, so ids say what they are (`bet-instant-payouts`).
/// The id `new` makes for a document of `kind` titled `title`: the kind's
/// prefix and the title's slug, cut to [`MAX_ID_BYTES`] (at a dash when
/// there is one late enough) so that a long title still makes an id the
/// build can write.
fn id_from_title(kind: &str, title: &str) -> Result<String, RunError> {
    let slug = slugify(title);
    if slug.is_empty() {
        return Err(RunError::Other(
            "the title must contain letters or digits, to make an id from; or give one with --id"
                .into(),
        ));
    }
    let prefix = id_prefix(kind);
    let mut id = if slug.starts_with(prefix) {
        slug
    } else {
        format!("{prefix}{slug}")
    };
    if id.len() > MAX_ID_BYTES {
        let mut cut = MAX_ID_BYTES;
        while !id.is_char_boundary(cut) {
            cut -= 1;
        }
        // A whole word rather than half of one, unless that loses too much.
        if let Some(dash) = id[..cut].rfind('-').filter(|&d| d >= cut / 2) {
            cut = dash;
        }
        id.truncate(cut);
    }
    // A custom kind has no prefix: its title may be the name of a page.
    check_id(&id).map_err(|e| {
        RunError::Other(format!(
            "the title makes the id `{id}`, and {}; give another with --id",
            e.message(&id)
        ))
    })?;
    Ok(id)
}

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
        "decision" => "dec-",
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

/// What a skeleton fills in beyond id, kind and title; every `None` is left
/// empty for the author.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filled {
    /// The parent's id.
    pub parent: Option<String>,
    /// `quarter:`.
    pub quarter: Option<Quarter>,
    /// `team:`, a team's id.
    pub team: Option<String>,
    /// `owner:`.
    pub owner: Option<String>,
    /// `direction:` of a metric; without it the line is a comment, because
    /// baseline → target decides which way is better.
    pub direction: Option<Direction>,
}

/// The fields of `kind`'s skeleton that [`Filled`] can fill: inherited
/// values go only into these, so a `work` item does not get a `quarter:`.
pub fn fillable(kind: &str) -> &'static [&'static str] {
    match kind {
        "bet" | "objective" => &["quarter", "owner", "team"],
        "work" => &["owner", "team"],
        "company-strategy" | "product-strategy" | "metric" | "team" | "opportunity" | "outcome"
        | "page" => &["owner"],
        _ => &[],
    }
}

/// The front matter and body skeleton of a new document. Only what the
/// author chose (or what the parent already says) is filled in; judgements
/// such as a bet's size, a metric's direction or an item's LNO class are
/// left empty, with the choices in a comment.
pub fn skeleton(kind: &str, id: &str, title: &str, filled: &Filled, today: Date) -> String {
    let mut fm = format!(
        "id: {}\nkind: {}\ntitle: {}\n",
        scalar(id),
        scalar(kind),
        scalar(title)
    );
    if let Some(p) = &filled.parent {
        let _ = writeln!(fm, "parent: {}", scalar(p));
    }
    // ` value`, or nothing: the field stays for the author to fill.
    let value = |v: Option<String>| v.map(|v| format!(" {}", scalar(&v))).unwrap_or_default();
    let quarter = match filled.quarter {
        Some(q) => format!(" {}", scalar(&q.to_string())),
        None => "                  # the quarter it is planned for, YYYY-Qn".to_string(),
    };
    let owner = value(filled.owner.clone());
    let team = value(filled.team.clone());
    let direction = match filled.direction {
        Some(d) => format!("direction: {:<15}# up or down is better\n", d.as_str()),
        None => "# direction:              # up or down is better; without it, baseline → target decides\n".to_string(),
    };
    let today = scalar(&today.to_string());
    let extra = match kind {
        "company-strategy" | "product-strategy" => format!("owner:{owner}\nstatus: active\n"),
        "bet" => format!(
            "quarter:{quarter}\nstatus: proposed          # proposed, discovery, committed, in-progress, done, dropped\nowner:{owner}\nteam:{team}\nsize:                     # big, medium or small\ndhm:                      # 1-5 each\n  delight:\n  hard_to_copy:\n  margin:\nconfidence:               # low, medium or high each\n  problem:\n  solution:\n  outcome:\nsuccess:                  # needed once the bet is committed\n  outcome:\n  metric:\n  baseline:\n  target:\n  deadline:\napproval:                 # who decides; needed for big bets\n  level:\n  approver:\n"
        ),
        "objective" => format!("quarter:{quarter}\nstatus: proposed\nowner:{owner}\nteam:{team}\nkey_results:              # a change you can measure, not a thing to ship\n  - metric:\n    baseline:\n    target:\n    by:\n"),
        "work" => format!("status: proposed\nowner:{owner}\nteam:{team}\nlno:                      # leverage, neutral or overhead\nsource: planned           # or stakeholder-request, incident, unplanned\n"),
        "solution" => "dhm:\n  delight:\n  hard_to_copy:\n  margin:\nconfidence:\n  problem:\n  solution:\n  outcome:\n".to_string(),
        "experiment" => "assumption:               # the belief this experiment tests\nresult:                   # validated, invalidated or inconclusive\n".to_string(),
        "metric" => format!("type:                     # input, output, outcome or impact\nindicator:                # leading or lagging\nunit:\n{direction}owner:{owner}\ncheckins: []              # throughline checkin ID VALUE adds {{date: YYYY-MM-DD, value: N}}\n"),
        "review" => format!("date: {today}\ncovers: []               # ids of the documents this review went over\n"),
        "person" => format!("team:{team}\nrole:\nhandles: []               # other names owner: may use: a login, an email\n"),
        "decision" => format!("date: {today}\nstatus: proposed          # accepted once taken; superseded (with superseded_by:) once replaced\nowner:{owner}\ndecides: []               # ids of the strategies, bets or objectives it shapes\noptions: []               # the options weighed\ntradeoffs: []             # what was given up for what\nconstraints: []           # limits the choice was made within\n"),
        _ => format!("owner:{owner}\n"),
    };
    fm.push_str(&extra);
    // A value asked for on a kind whose skeleton has no such line is written all the same.
    let asked = [
        ("quarter", value(filled.quarter.map(|q| q.to_string()))),
        ("owner", owner.clone()),
        ("team", team.clone()),
    ];
    for (key, v) in asked {
        if !v.is_empty() && !fm.lines().any(|l| l.starts_with(&format!("{key}:"))) {
            let _ = writeln!(fm, "{key}:{v}");
        }
    }
    if !matches!(kind, "review" | "page" | "person" | "decision") {
        let _ = writeln!(fm, "reviewed: {today}");
    }
    let body = match kind {
        "company-strategy" => "## Where we play\n\n## How we win\n",
        "product-strategy" => "## The problem we solve\n\n## For whom\n\n## How we will know\n",
        "bet" => "## Why this bet\n\n## What has to be true\n\n## How we will know\n",
        "objective" => "What changes for customers when this objective is met?\n",
        "experiment" => "## How we test it\n\n## What we learned\n",
        "decision" => "## Context\n\n## Why this option\n",
        "review" => "| Item | Finding | Decision |\n|---|---|---|\n",
        _ => "",
    };
    format!("---\n{fm}---\n{body}")
}

/// What `new` should write.
#[derive(Debug, Clone, Default)]
pub struct NewDocument<'a> {
    /// The kind.
    pub kind: &'a str,
    /// The title.
    pub title: &'a str,
    /// The parent's id.
    pub parent: Option<&'a str>,
    /// The id, instead of one made from the title.
    pub id: Option<&'a str>,
    /// `quarter:`, instead of the parent's.
    pub quarter: Option<&'a str>,
    /// `team:`, instead of the parent's.
    pub team: Option<&'a str>,
    /// `owner:`, instead of the parent's.
    pub owner: Option<&'a str>,
    /// A metric's `direction:`.
    pub direction: Option<&'a str>,
}

/// What `new` wrote.
#[derive(Debug, Clone)]
pub struct Written {
    /// The file.
    pub path: PathBuf,
    /// Its text.
    pub text: String,
    /// What was filled in, from the flags and the parent.
    pub filled: Filled,
    /// The fields filled from the parent (or the nearest ancestor that has them).
    pub inherited: Vec<&'static str>,
}

/// What `new` tells the person who ran it, after writing `written`: the
/// fields taken from the parent; an objective's title that names an output,
/// said now, while the title is fresh, by the same test `check` makes
/// (`output-objective`); an empty `quarter:`; a document that does not yet
/// trace to the strategy. One line each for the terminal, repository text
/// escaped.
pub fn notes(site: &Site, request: &NewDocument<'_>, written: &Written) -> Vec<String> {
    let mut notes = Vec::new();
    if !written.inherited.is_empty() {
        let f = &written.filled;
        let values: Vec<String> = written
            .inherited
            .iter()
            .map(|&field| {
                let value = match field {
                    "quarter" => f.quarter.map(|q| q.to_string()),
                    "team" => f.team.clone(),
                    _ => f.owner.clone(),
                };
                format!("{field}: {}", value.unwrap_or_default())
            })
            .collect();
        notes.push(format!(
            "inherited from `{}`: {}",
            for_terminal(request.parent.unwrap_or_default()),
            for_terminal(&values.join(", "))
        ));
    }
    let rule_on = site.config.rules.get("output-objective") != Some(&RuleLevel::Allow);
    if request.kind == "objective" && rule_on {
        if let Some(phrase) = output_phrase(request.title.trim(), &site.config.output_verbs) {
            notes.push(format!(
                "warning: the title describes an output (\"{}\"), not an outcome; `check` reports it as output-objective\n  hint: name the change you expect, e.g. \"Increase 7-day activation from 40% to 55%\"",
                for_terminal(phrase)
            ));
        }
    }
    if fillable(request.kind).contains(&"quarter") && written.filled.quarter.is_none() {
        notes.push(format!(
            "note: `quarter:` is empty; fill it in, or pass --quarter {}",
            Quarter::of(site.today)
        ));
    }
    let must_trace = site
        .config
        .schema
        .get(request.kind)
        .is_some_and(|k| k.must_trace_to_strategy());
    if must_trace && request.parent.is_none() {
        notes.push(format!(
            "note: without a parent this {} does not trace to the strategy; add `parent:` before `check`",
            for_terminal(request.kind)
        ));
    }
    notes
}

/// Writes a new document into the loaded `site`; returns its path and what
/// was filled in. With `dry_run`, every check is made and nothing written.
pub fn new_document(
    site: &Site,
    request: &NewDocument<'_>,
    dry_run: bool,
) -> Result<Written, RunError> {
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
    let id = match request.id {
        Some(id) => {
            check_id(id).map_err(|e| {
                RunError::Other(match e {
                    IdError::NotSlug => format!(
                        "`--id {id}` is not a valid id: use lowercase letters, digits, `-` and `_`, not starting with `-`{}",
                        Some(slugify(id)).filter(|s| !s.is_empty()).map(|s| format!(" (such as `{s}`)")).unwrap_or_default()
                    ),
                    IdError::Reserved => format!(
                        "`{id}` is the name of a page of the site; choose another id (reserved: {})",
                        RESERVED_IDS.join(", ")
                    ),
                    e => format!("`--id`: {}; {}", e.message(id), e.hint(id)),
                })
            })?;
            id.to_string()
        }
        None => id_from_title(request.kind, title)?,
    };
    if let Some(existing) = site.graph.lookup(&id) {
        return Err(RunError::Other(format!(
            "a document with the id `{id}` already exists: {}",
            site.docs[existing].file
        )));
    }
    let mut filled = given_fields(site, request)?;
    let mut inherited = Vec::new();
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
    if let Some(parent) = request.parent.and_then(|p| site.graph.lookup(p)) {
        // The nearest ancestor's team and quarter, as pages and rules read
        // them; the owner is the parent's own.
        let takes = fillable(request.kind);
        if filled.quarter.is_none() && takes.contains(&"quarter") {
            filled.quarter = site.facts.quarter_of(parent);
            if filled.quarter.is_some() {
                inherited.push("quarter");
            }
        }
        if filled.team.is_none() && takes.contains(&"team") {
            filled.team = site.facts.team_of(parent).map(|t| site.docs[t].id.clone());
            if filled.team.is_some() {
                inherited.push("team");
            }
        }
        if filled.owner.is_none() && takes.contains(&"owner") {
            filled.owner = site.docs[parent].owner.clone();
            if filled.owner.is_some() {
                inherited.push("owner");
            }
        }
    }
    filled.parent = request.parent.map(str::to_string);
    let rel = format!("{}/{id}.md", folder_for(site, request.kind));
    let path = site.root.join(&rel);
    if path.exists() {
        return Err(RunError::Other(format!(
            "`{}` already exists",
            path.display()
        )));
    }
    let text = skeleton(request.kind, &id, title, &filled, site.today);
    if !dry_run {
        write_new(&path, &text)?;
    }
    Ok(Written {
        path,
        text,
        filled,
        inherited,
    })
}

/// The values the flags of `new` give, each checked: a quarter is `YYYY-Qn`,
/// a team is a `team` document, a direction is `up` or `down` and only for metrics.
fn given_fields(site: &Site, request: &NewDocument<'_>) -> Result<Filled, RunError> {
    let mut filled = Filled::default();
    if let Some(q) = request.quarter {
        filled.quarter = Some(Quarter::parse(q.trim()).ok_or_else(|| {
            RunError::Other(format!(
                "`--quarter {q}` is not a quarter; write it as YYYY-Qn, such as {}",
                Quarter::of(site.today)
            ))
        })?);
    }
    if let Some(team) = request.team {
        let teams = || {
            site.docs
                .iter()
                .filter(|d| d.kind == "team")
                .map(|d| d.id.as_str())
        };
        match site.graph.lookup(team) {
            Some(t) if site.docs[t].kind == "team" => {}
            found => {
                let what = match found {
                    Some(t) => format!("`{team}` is a {}, not a team", site.docs[t].kind),
                    None => format!("no team has the id `{team}`"),
                };
                let hint = match suggest(team, teams()) {
                    Some(s) => format!("; did you mean `{s}`?"),
                    None => match teams().collect::<Vec<_>>() {
                        t if t.is_empty() => {
                            "; add one with `throughline new team NAME`".to_string()
                        }
                        t => format!(" (the teams are: {})", t.join(", ")),
                    },
                };
                return Err(RunError::Other(format!("{what}{hint}")));
            }
        }
        filled.team = Some(team.to_string());
    }
    if let Some(owner) = request.owner.map(str::trim).filter(|o| !o.is_empty()) {
        filled.owner = Some(owner.to_string());
    }
    if let Some(d) = request.direction {
        if request.kind != "metric" {
            return Err(RunError::Other(format!(
                "only a metric has a direction, not a `{}`",
                request.kind
            )));
        }
        filled.direction =
            Some(Direction::parse(d.trim()).ok_or_else(|| {
                RunError::Other(format!("`--direction {d}` must be `up` or `down`"))
            })?);
    }
    Ok(filled)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// README promises a starter site that checks with no warnings: on
    /// every day of two years, a leap year among them, not just the day a
    /// test happens to run.
    #[test]
    fn the_starter_site_checks_clean_on_every_day_of_the_year() {
        let dir = tempfile::tempdir().unwrap();
        let mut day = crate::date::parse_date("2027-01-01").unwrap();
        let last = crate::date::parse_date("2028-12-31").unwrap();
        let mut checked = 0;
        while day <= last {
            let root = dir.path().join(day.to_string());
            init_site(&root, day, false, false).unwrap();
            let site = crate::site::load(&crate::site::LoadOptions {
                root: root.clone(),
                today: crate::date::Today::Given(day),
                drafts: false,
                output_dir: None,
                base_url: None,
            })
            .unwrap();
            let found: Vec<String> = site
                .diagnostics
                .iter()
                .map(|d| format!("{}: {}", d.rule, d.message))
                .collect();
            assert!(found.is_empty(), "on {day}: {found:#?}");
            std::fs::remove_dir_all(&root).unwrap();
            day = day.tomorrow().unwrap();
            checked += 1;
        }
        assert_eq!(checked, 731);
    }

    #[test]
    fn a_site_started_in_a_quarters_second_half_plans_the_next() {
        let date = |s| crate::date::parse_date(s).unwrap();
        assert_eq!(starter_quarter(date("2026-10-01")).to_string(), "2026-Q4");
        assert_eq!(starter_quarter(date("2026-11-15")).to_string(), "2026-Q4");
        assert_eq!(starter_quarter(date("2026-11-16")).to_string(), "2027-Q1");
        assert_eq!(starter_quarter(date("2026-12-31")).to_string(), "2027-Q1");
    }

    #[test]
    fn every_value_of_a_skeleton_is_written_to_read_back() {
        let today = crate::date::parse_date("2026-11-24").unwrap();
        let filled = Filled {
            parent: Some("1e3".into()),
            ..Filled::default()
        };
        let text = skeleton("page", "0x1f", "0x1F", &filled, today);
        assert!(
            text.starts_with("---\nid: \"0x1f\"\nkind: page\ntitle: \"0x1F\"\nparent: \"1e3\"\n"),
            "{text}"
        );
    }
}
