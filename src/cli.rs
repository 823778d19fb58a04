//! The command-line interface, declared with clap.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use throughline::diagnostics::Format;

/// Strategy documents in, a living strategy site out.
///
/// throughline reads Markdown files with YAML front matter (company strategy,
/// product strategies, bets, objectives, work, opportunity solution trees),
/// resolves every link between them, checks the strategy's health, and builds
/// a browsable site.
#[derive(Debug, Parser)]
#[command(
    name = "throughline",
    version,
    about,
    long_about,
    propagate_version = true
)]
pub(crate) struct Cli {
    /// When to colour the output.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true)]
    pub(crate) color: ColorChoice,

    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Check the site and report every problem; writes nothing.
    ///
    /// Exit codes: 0 no errors, 1 errors found (or warnings with
    /// --deny-warnings), 2 the check could not run (bad arguments, unreadable
    /// root, invalid throughline.yaml).
    Check(CheckArgs),
    /// Check the site, then write it as a static website.
    ///
    /// Nothing is written when the check finds errors (exit 1). The site is
    /// built into a fresh folder beside the output folder and swapped in, so a
    /// failed build never leaves a half-written site.
    Build(BuildArgs),
    /// Build the site into memory, serve it, and rebuild and reload on every save.
    ///
    /// Listens on 127.0.0.1:1111 unless told otherwise (`--port 0` picks a
    /// free port). Only the pages an edit can change are rendered again; a
    /// change to throughline.yaml, templates/ or static/ re-renders everything.
    /// A build with errors keeps the last good pages served and shows the
    /// errors over them in the browser. Nothing is written to disk, unless
    /// `--edit` adds forms that record check-ins, reviews, status and
    /// confidence into the documents.
    Serve(ServeArgs),
    /// Print the resolved strategy graph as JSON or Graphviz dot.
    Graph(GraphArgs),
    /// Run the editor server: the Language Server Protocol over stdin and stdout.
    ///
    /// Editors start it themselves (see docs/editors.md). The site root is the
    /// workspace the editor opens; diagnostics follow unsaved edits, ids
    /// complete, links navigate and ids rename across the site. It never
    /// writes a file: edits are proposed to the editor, which applies them.
    Lsp,
    /// Create a small starter site that checks with no warnings.
    Init(InitArgs),
    /// Add a document with its kind's front-matter skeleton.
    ///
    /// The id is made from the title with the kind's prefix (`bet-…`, `obj-…`)
    /// unless `--id` is given, the file goes where documents of that kind
    /// already live, and `reviewed:` is set to today. `quarter`, `team` and
    /// `owner` come from the flags, else from the parent (team and quarter
    /// from the nearest ancestor that has them). Judgements (size, direction,
    /// LNO) are left to the author. Refuses an id that exists and a parent of
    /// the wrong kind.
    New(NewArgs),
    /// Record that documents were re-read against what they depend on.
    ///
    /// Sets `reviewed:` to today and stamps the fingerprint of the parent and
    /// each `supports` target into `reviewed_against:`. From then on `drift`
    /// fires exactly when one of them changes, whatever the dates say. Only
    /// those two lines of each file change. `--due` lists every stale or
    /// drifted document (of one owner with `--owner`) and asks before
    /// stamping them; `--yes` stamps without asking, and without a terminal
    /// to ask on and no `--yes` it only lists.
    Review(ReviewArgs),
    /// Report what changed in the strategy between two git revisions.
    ///
    /// Documents added and removed (by id: a moved file is not a removal),
    /// the fields that changed on each (old → new), check-ins added, body
    /// lines added and removed, findings introduced and resolved, and the
    /// documents the change leaves drifted. HEAD defaults to the working
    /// tree. Revisions are read from git objects, with no checkout.
    Diff(DiffArgs),
    /// Write the week's digest: what needs a decision, what is coming up,
    /// what changed and the health, for a chat, an email or a webhook.
    ///
    /// Judged as `check` judges (`--today`, `as_of:`, `SOURCE_DATE_EPOCH`).
    /// The window is `--since`: a duration up to and including today (`7d`,
    /// the default; `2w`), the days after a date (YYYY-MM-DD), or the commits
    /// after a revision. Links go to the published site, so an absolute
    /// `base_url` is needed (the config's, or `--base-url`).
    Digest(DigestArgs),
    /// Record measured values of metrics without editing YAML.
    ///
    /// `checkin METRIC VALUE` adds `{date, value}` to the metric's
    /// `checkins:` (dated today, or `--date`); `checkin --csv FILE` adds every
    /// row of an export with the columns `metric,date,value`. Only the added
    /// lines change. A second value for a date already recorded is refused
    /// unless `--replace` is given; one bad row and nothing is written (exit 2).
    Checkin(CheckinArgs),
    /// Record a change of a bet's or solution's confidence, with why.
    ///
    /// `confidence BET --solution low --note TEXT` sets `confidence:` to
    /// the new levels (those not given stay) and adds `{date, <the levels
    /// that changed>, note}` to `confidence_log:`, the history the bet's page
    /// shows. Only those lines change. Dated today, or `--date`.
    Confidence(ConfidenceArgs),
    /// Print a shell completion script.
    ///
    /// bash: `throughline completions bash > ~/.local/share/bash-completion/completions/throughline`
    /// zsh: `throughline completions zsh > ~/.zfunc/_throughline` (with `fpath+=~/.zfunc`)
    /// fish: `throughline completions fish > ~/.config/fish/completions/throughline.fish`
    Completions(CompletionsArgs),
}

#[derive(Debug, Args)]
pub(crate) struct InitArgs {
    /// The folder to create the site in; must be empty or not exist.
    #[arg(default_value = ".")]
    pub(crate) dir: PathBuf,

    /// Date the starter documents as of this day (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub(crate) today: Option<String>,

    /// Write only the config, a README and a .gitignore: no example documents.
    #[arg(long)]
    pub(crate) empty: bool,

    /// List the files it would create; write nothing.
    #[arg(long)]
    pub(crate) dry_run: bool,
}

#[derive(Debug, Args)]
pub(crate) struct NewArgs {
    /// The kind: company-strategy, product-strategy, bet, objective, work,
    /// outcome, opportunity, solution, experiment, metric, team, review, page,
    /// or a kind from the config.
    pub(crate) kind: String,

    /// The title; the id is made from it.
    pub(crate) title: String,

    /// The id of the parent document; `quarter`, `team` and `owner` are taken from it.
    #[arg(long, value_name = "ID")]
    pub(crate) parent: Option<String>,

    /// The id, instead of one made from the title.
    #[arg(long, value_name = "ID")]
    pub(crate) id: Option<String>,

    /// `quarter:` (YYYY-Qn), instead of the parent's.
    #[arg(long, value_name = "QUARTER")]
    pub(crate) quarter: Option<String>,

    /// `team:`, the id of a team document, instead of the parent's.
    #[arg(long, value_name = "TEAM")]
    pub(crate) team: Option<String>,

    /// `owner:`, instead of the parent's.
    #[arg(long, value_name = "NAME")]
    pub(crate) owner: Option<String>,

    /// A metric's `direction:` (`up` or `down`); left as a comment otherwise.
    #[arg(long, value_name = "WAY")]
    pub(crate) direction: Option<String>,

    /// The site root.
    #[arg(long, default_value = ".")]
    pub(crate) root: PathBuf,

    /// Set `reviewed:` to this date (YYYY-MM-DD) instead of today.
    #[arg(long, value_name = "DATE")]
    pub(crate) today: Option<String>,

    /// Print the file it would create and its text; write nothing.
    #[arg(long)]
    pub(crate) dry_run: bool,
}

#[derive(Debug, Args)]
pub(crate) struct ReviewArgs {
    /// The ids of the documents reviewed.
    #[arg(
        value_name = "ID",
        required_unless_present = "due",
        conflicts_with = "due"
    )]
    pub(crate) ids: Vec<String>,

    /// Review every document that is stale or drifted.
    #[arg(long)]
    pub(crate) due: bool,

    /// With --due: only documents with this `owner:`.
    #[arg(long, value_name = "NAME", requires = "due")]
    pub(crate) owner: Option<String>,

    /// The site root.
    #[arg(long, default_value = ".")]
    pub(crate) root: PathBuf,

    /// Record this date (YYYY-MM-DD) instead of today; also the date staleness is judged on.
    #[arg(long, value_name = "DATE")]
    pub(crate) today: Option<String>,

    /// With --due: stamp what is due without asking. Without it, `--due`
    /// asks first on a terminal, and elsewhere only lists.
    #[arg(long, short = 'y', requires = "due")]
    pub(crate) yes: bool,

    /// Say what would be stamped; write nothing.
    #[arg(long)]
    pub(crate) dry_run: bool,
}

#[derive(Debug, Args)]
pub(crate) struct DiffArgs {
    /// The revision to compare from (`main`, `HEAD~1`, a commit id); with
    /// --since or --since-review, the revision to compare to.
    #[arg(required_unless_present_any = ["since", "since_review"])]
    pub(crate) base: Option<String>,

    /// The revision to compare to; the working tree when left out.
    pub(crate) head: Option<String>,

    /// Compare from the branch as this day (YYYY-MM-DD) closed, in UTC: the
    /// last commit on HEAD's first-parent line made by then (never the reflog).
    #[arg(long, value_name = "DATE", conflicts_with = "since_review")]
    pub(crate) since: Option<String>,

    /// Compare from the branch as the day of this review document's `date:` closed.
    #[arg(long, value_name = "ID")]
    pub(crate) since_review: Option<String>,

    /// The site root (inside a git work tree).
    #[arg(long, default_value = ".")]
    pub(crate) root: PathBuf,

    /// How to print the report.
    #[arg(long, value_enum, default_value_t = DiffFormatArg::Human)]
    pub(crate) format: DiffFormatArg,

    /// Judge both revisions as of this date (YYYY-MM-DD) instead of today.
    #[arg(long, value_name = "DATE")]
    pub(crate) today: Option<String>,
}

/// `diff --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum DiffFormatArg {
    /// For a terminal.
    Human,
    /// For a pull-request comment or `$GITHUB_STEP_SUMMARY`.
    Markdown,
    /// One JSON document.
    Json,
}

impl From<DiffFormatArg> for throughline::diff::DiffFormat {
    fn from(f: DiffFormatArg) -> Self {
        match f {
            DiffFormatArg::Human => Self::Human,
            DiffFormatArg::Markdown => Self::Markdown,
            DiffFormatArg::Json => Self::Json,
        }
    }
}

#[derive(Debug, Args)]
pub(crate) struct DigestArgs {
    /// The site root (inside a git work tree, for what changed).
    #[arg(default_value = ".")]
    pub(crate) root: PathBuf,

    /// The window: a duration (`7d`, `2w`), a date (the days after it) or a revision (the commits after it).
    #[arg(long, value_name = "WHEN", default_value = "7d")]
    pub(crate) since: String,

    /// Only what belongs to this team (its id); repeatable.
    #[arg(long, value_name = "ID")]
    pub(crate) team: Vec<String>,

    /// Only what this owner owns; repeatable.
    #[arg(long, value_name = "NAME")]
    pub(crate) owner: Vec<String>,

    /// How to print it.
    #[arg(long, value_enum, default_value_t = DigestFormatArg::Markdown)]
    pub(crate) format: DigestFormatArg,

    /// The published site's absolute address, over the config's `base_url`.
    #[arg(long, value_name = "URL")]
    pub(crate) base_url: Option<String>,

    /// Judge the site as of this date (YYYY-MM-DD) instead of today.
    #[arg(long, value_name = "DATE")]
    pub(crate) today: Option<String>,

    /// The folder `build` writes the site to, when not `ROOT/public`: never
    /// content, and the digest then reads the history that build kept.
    #[arg(short, long, value_name = "DIR")]
    pub(crate) output: Option<PathBuf>,
}

/// `digest --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum DigestFormatArg {
    /// For a chat or a pull request: HTML escaped, mentions neutralised.
    Markdown,
    /// An email: inline styles only, no script, no external resource.
    Html,
    /// One JSON document, for other tools.
    Json,
    /// A Slack Block Kit payload, ready for an incoming webhook.
    Slack,
}

impl From<DigestFormatArg> for throughline::digest::DigestFormat {
    fn from(f: DigestFormatArg) -> Self {
        match f {
            DigestFormatArg::Markdown => Self::Markdown,
            DigestFormatArg::Html => Self::Html,
            DigestFormatArg::Json => Self::Json,
            DigestFormatArg::Slack => Self::Slack,
        }
    }
}

#[derive(Debug, Args)]
pub(crate) struct ConfidenceArgs {
    /// The bet's or solution's id.
    #[arg(value_name = "ID")]
    pub(crate) id: String,

    /// How sure we are of the problem: low, medium or high.
    #[arg(long, value_name = "LEVEL")]
    pub(crate) problem: Option<String>,

    /// How sure we are that the solution solves it: low, medium or high.
    #[arg(long, value_name = "LEVEL")]
    pub(crate) solution: Option<String>,

    /// How sure we are that solving it moves the goal: low, medium or high.
    #[arg(long, value_name = "LEVEL")]
    pub(crate) outcome: Option<String>,

    /// Why it changed (the evidence, what was learned); written as the entry's `note:`.
    #[arg(long, value_name = "TEXT")]
    pub(crate) note: Option<String>,

    /// Where the evidence is (an experiment's id, a link); written as the entry's `evidence:`.
    #[arg(long, value_name = "TEXT")]
    pub(crate) evidence: Option<String>,

    /// The day of the change (YYYY-MM-DD) [default: SOURCE_DATE_EPOCH's day, else today in UTC].
    #[arg(long, value_name = "DATE")]
    pub(crate) date: Option<String>,

    /// Say what would be recorded; write nothing.
    #[arg(long)]
    pub(crate) dry_run: bool,

    /// The site root.
    #[arg(long, default_value = ".")]
    pub(crate) root: PathBuf,
}

#[derive(Debug, Args)]
pub(crate) struct CheckinArgs {
    /// The metric's id.
    #[arg(
        value_name = "METRIC",
        required_unless_present = "csv",
        conflicts_with = "csv",
        requires = "value"
    )]
    pub(crate) metric: Option<String>,

    /// The measured value, a number (`42`, `-3.5`).
    #[arg(value_name = "VALUE", allow_negative_numbers = true)]
    pub(crate) value: Option<String>,

    /// The day it was measured (YYYY-MM-DD) [default: SOURCE_DATE_EPOCH's day, else today in UTC].
    #[arg(long, value_name = "DATE", conflicts_with = "csv")]
    pub(crate) date: Option<String>,

    /// Why it moved, or what was learned; written as the check-in's `note:` and shown beside it on the metric's page.
    #[arg(long, value_name = "TEXT", conflicts_with = "csv")]
    pub(crate) note: Option<String>,

    /// Add every row of this CSV file (header row `metric,date,value`, and optionally `note`).
    #[arg(long, value_name = "FILE")]
    pub(crate) csv: Option<PathBuf>,

    /// Change the value already recorded for a date instead of refusing.
    #[arg(long)]
    pub(crate) replace: bool,

    /// Say what would be recorded; write nothing.
    #[arg(long)]
    pub(crate) dry_run: bool,

    /// The site root.
    #[arg(long, default_value = ".")]
    pub(crate) root: PathBuf,
}

#[derive(Debug, Args)]
pub(crate) struct ServeArgs {
    #[command(flatten)]
    pub(crate) common: CommonArgs,

    /// The address to listen on; anything but loopback exposes the site to the network
    /// and answers any host name (on loopback, only localhost and loopback addresses).
    #[arg(long, default_value = "127.0.0.1", value_name = "ADDRESS")]
    pub(crate) bind: String,

    /// The port to listen on; 0 picks a free port.
    #[arg(long, default_value_t = 1111)]
    pub(crate) port: u16,

    /// Add forms to the pages that record check-ins, reviews, status and confidence
    /// into the documents, as `checkin` and `review` write them (loopback only).
    #[arg(long)]
    pub(crate) edit: bool,

    /// With --edit: commit each change with a message naming the document and the
    /// change, as the git user. Never pushes.
    #[arg(long, requires = "edit")]
    pub(crate) commit: bool,

    /// With --edit: take forms on an address beyond loopback too (--bind); anyone who
    /// can reach it can then change the documents.
    #[arg(long, requires = "edit")]
    pub(crate) allow_remote_edit: bool,
}

#[derive(Debug, Args)]
pub(crate) struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub(crate) shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub(crate) struct BuildArgs {
    #[command(flatten)]
    pub(crate) common: CommonArgs,

    /// Where to write the site [default: ROOT/public].
    #[arg(short = 'o', long = "output", value_name = "OUT")]
    pub(crate) output: Option<PathBuf>,

    /// URL or path prefix the site is hosted under (overrides `base_url`).
    #[arg(long, value_name = "URL")]
    pub(crate) base_url: Option<String>,

    /// How to print diagnostics.
    #[arg(long, value_enum, default_value_t = DiagnosticFormat::Human)]
    pub(crate) format: DiagnosticFormat,

    /// Treat warnings as errors: write nothing if there are any.
    #[arg(long)]
    pub(crate) deny_warnings: bool,

    /// Write the whole site afresh and swap it in, instead of writing only
    /// the files that changed since the previous build.
    #[arg(long)]
    pub(crate) clean: bool,
}

/// Arguments every command that reads a site takes.
#[derive(Debug, Args)]
pub(crate) struct CommonArgs {
    /// The site root.
    #[arg(default_value = ".")]
    pub(crate) root: PathBuf,

    /// Judge the strategy as of this date (YYYY-MM-DD) instead of today.
    /// SOURCE_DATE_EPOCH is used when this is not given.
    #[arg(long, value_name = "DATE")]
    pub(crate) today: Option<String>,

    /// Include documents marked `draft: true`.
    #[arg(long)]
    pub(crate) drafts: bool,
}

#[derive(Debug, Args)]
pub(crate) struct CheckArgs {
    #[command(flatten)]
    pub(crate) common: CommonArgs,

    /// How to print diagnostics.
    #[arg(long, value_enum, default_value_t = DiagnosticFormat::Human)]
    pub(crate) format: DiagnosticFormat,

    /// Fail (exit 1) on warnings too.
    #[arg(long)]
    pub(crate) deny_warnings: bool,
}

#[derive(Debug, Args)]
pub(crate) struct GraphArgs {
    #[command(flatten)]
    pub(crate) common: CommonArgs,

    /// Output format.
    #[arg(long, value_enum, default_value_t = GraphFormat::Json)]
    pub(crate) format: GraphFormat,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub(crate) enum ColorChoice {
    /// Colour on a terminal, unless NO_COLOR is set.
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub(crate) enum DiagnosticFormat {
    /// rustc-style, with the source line and a caret.
    Human,
    /// One JSON object per line.
    Json,
    /// GitHub Actions annotations.
    Github,
    /// SARIF 2.1.0, for GitHub code scanning.
    Sarif,
}

impl From<DiagnosticFormat> for Format {
    fn from(f: DiagnosticFormat) -> Format {
        match f {
            DiagnosticFormat::Human => Format::Human,
            DiagnosticFormat::Json => Format::Json,
            DiagnosticFormat::Github => Format::Github,
            DiagnosticFormat::Sarif => Format::Sarif,
        }
    }
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub(crate) enum GraphFormat {
    /// `{"nodes": [...], "edges": [...]}`.
    Json,
    /// Graphviz dot.
    Dot,
}
