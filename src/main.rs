//! The `throughline` command line: parses arguments, calls the library, and
//! maps the outcome to an exit code (0 success, 1 findings, 2 the run failed).

mod cli;

use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::time::Instant;

use clap::Parser;

use cli::{
    BuildArgs, CheckinArgs, Cli, ColorChoice, Command, CommonArgs, DiffArgs, DigestArgs,
    GraphFormat, InitArgs, NewArgs, ReviewArgs, ServeArgs,
};
use throughline::diagnostics::{self, Counts, Format, HumanStyle};
use throughline::escape::for_terminal;
use throughline::text::plural;
use throughline::{LoadOptions, RunError, Site};

// The build allocates many short-lived strings on two threads; mimalloc is
// measurably faster than the system allocator for that (see docs/performance.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const EXIT_FINDINGS: u8 = 1;
const EXIT_RUN_FAILED: u8 = 2;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let color = use_color(cli.color);
    let result = match cli.command {
        Command::Check(args) => check(&args.common, args.format.into(), args.deny_warnings, color),
        Command::Build(args) => build(&args, color),
        Command::Serve(args) => serve(&args, color),
        Command::Graph(args) => graph(&args.common, args.format, color),
        Command::Lsp => Ok(throughline::lsp::run(std::io::stdin(), std::io::stdout().lock()) as u8),
        Command::Init(args) => init(&args),
        Command::New(args) => new_document(&args),
        Command::Review(args) => review(&args),
        Command::Diff(args) => diff(&args),
        Command::Digest(args) => digest(&args),
        Command::Checkin(args) => checkin(&args),
        Command::Completions(args) => {
            let mut command = <Cli as clap::CommandFactory>::command();
            clap_complete::generate(
                args.shell,
                &mut command,
                "throughline",
                &mut std::io::stdout(),
            );
            Ok(0)
        }
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            report_run_error(&err, color);
            ExitCode::from(EXIT_RUN_FAILED)
        }
    }
}

fn use_color(choice: ColorChoice) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::io::stdout().is_terminal()
        }
    }
}

fn load_options(common: &CommonArgs) -> Result<LoadOptions, RunError> {
    let epoch = std::env::var("SOURCE_DATE_EPOCH").ok();
    let as_of = match common.today {
        Some(_) => None,
        None => throughline::config::as_of_in(&common.root, throughline::rules::HEALTH_RULES),
    };
    let today = throughline::date::build_date(common.today.as_deref(), as_of, epoch.as_deref())
        .map_err(|e| RunError::Other(e.0))?;
    Ok(LoadOptions {
        root: common.root.clone(),
        today,
        drafts: common.drafts,
        output_dir: None,
        base_url: None,
    })
}

fn today(flag: Option<&str>) -> Result<throughline::date::Date, RunError> {
    let epoch = std::env::var("SOURCE_DATE_EPOCH").ok();
    throughline::date::build_date(flag, None, epoch.as_deref()).map_err(|e| RunError::Other(e.0))
}

fn init(args: &InitArgs) -> Result<u8, RunError> {
    let written =
        throughline::scaffold::init_site(&args.dir, today(args.today.as_deref())?, args.empty)?;
    if args.empty {
        eprintln!(
            "created an empty site ({} files) in {}",
            written.len(),
            args.dir.display()
        );
    } else {
        eprintln!(
            "created a starter site with {} files in {}",
            written.len(),
            args.dir.display()
        );
        eprintln!(
            "the example documents are yours to rewrite or delete: {}\n(`throughline init --empty` starts without them)",
            throughline::scaffold::STARTER_DOCUMENTS.join(", ")
        );
    }
    eprintln!(
        "next: throughline check {0}   then   throughline build {0}",
        args.dir.display()
    );
    Ok(0)
}

fn new_document(args: &NewArgs) -> Result<u8, RunError> {
    let common = CommonArgs {
        root: args.root.clone(),
        today: args.today.clone(),
        drafts: true,
    };
    let site = load(&common)?;
    let request = throughline::scaffold::NewDocument {
        kind: &args.kind,
        title: &args.title,
        parent: args.parent.as_deref(),
        id: args.id.as_deref(),
        quarter: args.quarter.as_deref(),
        team: args.team.as_deref(),
        owner: args.owner.as_deref(),
        direction: args.direction.as_deref(),
    };
    let written = throughline::scaffold::new_document(&site, &request)?;
    println!("{}", written.path.display());
    for note in throughline::scaffold::notes(&site, &request, &written) {
        eprintln!("{note}");
    }
    Ok(0)
}

fn review(args: &ReviewArgs) -> Result<u8, RunError> {
    let common = CommonArgs {
        root: args.root.clone(),
        today: args.today.clone(),
        drafts: true,
    };
    let options = load_options(&common)?;
    let site = throughline::load(&options)?;
    let ids = if args.due {
        let due = throughline::review::due(&site, args.owner.as_deref());
        if due.is_empty() {
            eprintln!("nothing is stale or drifted");
            return Ok(0);
        }
        println!("due for review: {}", due.join(", "));
        due
    } else {
        args.ids.clone()
    };
    let reviews = throughline::review::plan(&site, &ids, options.today)?;
    let files: Vec<throughline::edit::Replacement<'_>> = reviews
        .iter()
        .map(|r| throughline::edit::Replacement {
            path: &r.path,
            original: &r.original,
            text: &r.text,
        })
        .collect();
    // All or none, as the docs say: nothing is reported before every file is written.
    throughline::edit::write_all(&files).map_err(|e| RunError::Other(e.to_string()))?;
    for r in &reviews {
        let against: Vec<String> = r
            .against
            .iter()
            .map(|(id, fp)| format!("`{id}` ({fp})"))
            .collect();
        match against.as_slice() {
            [] => println!("reviewed `{}` on {}", r.id, options.today),
            _ => println!(
                "reviewed `{}` on {} against {}",
                r.id,
                options.today,
                against.join(", ")
            ),
        }
    }
    Ok(0)
}

fn diff(args: &DiffArgs) -> Result<u8, RunError> {
    use throughline::diff::{analyse_both, Side};
    let common = CommonArgs {
        root: args.root.clone(),
        today: args.today.clone(),
        drafts: false,
    };
    let options = load_options(&common)?;
    let head = args.head.clone().map_or(Side::WorkingTree, Side::Revision);
    let (old, new) = analyse_both(&args.base, &head, &options)?;
    let change = throughline::diff::diff(&old.site, &new.site);
    print!(
        "{}",
        throughline::diff::render(&change, &old, &new, args.format.into())
    );
    Ok(0)
}

fn digest(args: &DigestArgs) -> Result<u8, RunError> {
    use throughline::digest::{DigestOptions, Since};
    let common = CommonArgs {
        root: args.root.clone(),
        today: args.today.clone(),
        drafts: false,
    };
    let options = load_options(&common)?;
    let asked = DigestOptions {
        since: Since::parse(&args.since),
        teams: args.team.clone(),
        owners: args.owner.clone(),
        base_url: args.base_url.clone(),
    };
    let digest = throughline::digest::digest(&options, &asked)?;
    print!(
        "{}",
        throughline::digest::render(&digest, args.format.into())
    );
    Ok(0)
}

fn checkin(args: &CheckinArgs) -> Result<u8, RunError> {
    let rows = match (&args.csv, &args.metric, &args.value) {
        (Some(csv), _, _) => {
            let text = std::fs::read_to_string(csv)
                .map_err(|e| RunError::Other(format!("cannot read {}: {e}", csv.display())))?;
            match throughline::checkin::read_csv(&csv.display().to_string(), &text) {
                Ok(rows) => rows,
                Err(errors) => return Ok(refuse_checkins(&errors)),
            }
        }
        (None, Some(metric), Some(value)) => {
            // Checked here so that the message names --date, not --today.
            if let Some(d) = &args.date {
                if throughline::date::parse_date(d).is_none() {
                    return Err(RunError::Other(format!(
                        "`--date {d}` is not a date; write it as YYYY-MM-DD"
                    )));
                }
            }
            vec![throughline::checkin::Row {
                origin: String::new(),
                metric: metric.clone(),
                date: today(args.date.as_deref())?.to_string(),
                value: value.clone(),
            }]
        }
        _ => {
            return Err(RunError::Other(
                "give a metric and a value, or --csv FILE".into(),
            ))
        }
    };
    let common = CommonArgs {
        root: args.root.clone(),
        today: None,
        drafts: true,
    };
    let site = load(&common)?;
    let plan = match throughline::checkin::plan(&site, &rows, args.replace) {
        Ok(plan) => plan,
        Err(errors) => return Ok(refuse_checkins(&errors)),
    };
    throughline::checkin::write(&site, &plan.files)?;
    let number = throughline::text::format_number;
    for c in &plan.changes {
        // The metric's file name comes from the repository.
        let (metric, file) = (for_terminal(&c.metric), for_terminal(&c.file));
        match c.replaced {
            Some(old) => println!(
                "`{metric}` on {}: {} (was {}) in {file}",
                c.date,
                number(c.value),
                number(old),
            ),
            None => println!("`{metric}` on {}: {} in {file}", c.date, number(c.value)),
        }
    }
    let unchanged = rows.len() - plan.changes.len();
    eprintln!(
        "recorded {} in {}{}",
        plural(plan.changes.len(), "check-in"),
        plural(plan.files.len(), "file"),
        if unchanged > 0 {
            format!("; {unchanged} already recorded with the same value")
        } else {
            String::new()
        }
    );
    Ok(0)
}

/// Prints the problems with the rows of a check-in (the first few, the
/// rest counted) and says that nothing was written.
fn refuse_checkins(errors: &[String]) -> u8 {
    // Nothing is left to do if stderr is gone; the exit code still says it.
    let _ = throughline::checkin::write_refusal(errors, &mut std::io::stderr().lock());
    EXIT_RUN_FAILED
}

fn load(common: &CommonArgs) -> Result<Site, RunError> {
    throughline::load(&load_options(common)?)
}

fn build(args: &BuildArgs, color: bool) -> Result<u8, RunError> {
    let started = Instant::now();
    clean_up_on_signals();
    let out = args
        .output
        .clone()
        .unwrap_or_else(|| args.common.root.join("public"));
    // Before loading, so that a site lost to a swap cut short is back even
    // if this build stops at its findings; only beside an output folder the
    // build would accept, since one it refuses may not be ours at all. Best
    // effort: the parent may not exist yet, and a leftover that cannot be
    // removed must not stop a build.
    let accepted = throughline::output::check_target(&args.common.root, &out).is_ok();
    if let Some(Ok(swept)) = accepted.then(|| throughline::output::sweep_leftovers(&out)) {
        if let Some(old) = swept.restored {
            eprintln!(
                "note: `{}` was missing after an interrupted build; restored it from `{}`",
                out.display(),
                old.display()
            );
        }
        if swept.completed.is_some() {
            eprintln!(
                "note: completed the update of `{}` that an interrupted build left half done",
                out.display()
            );
        }
    }
    let mut options = load_options(&args.common)?;
    options.output_dir = Some(out.clone());
    options.base_url = args.base_url.clone();
    // The history is read beside the analysis: it mostly waits for git.
    // From the history the last build kept, where it still holds
    // (history::cache); `--clean` reads it all from git.
    let (site, history) = std::thread::scope(|scope| {
        let history = scope.spawn(|| throughline::read_history(&options, !args.clean));
        let site = throughline::load_lean(&options);
        (site, history.join())
    });
    let mut site = site?;
    let counts = Counts::of(&site.diagnostics);
    if exit_code(counts, args.deny_warnings) != 0 {
        print_diagnostics(&site, args.format.into(), color)?;
        eprintln!(
            "build failed: {} documents, {}, {}; nothing was written",
            site.docs.len(),
            plural(counts.errors, "error"),
            plural(counts.warnings, "warning")
        );
        return Ok(EXIT_FINDINGS);
    }
    site.history = std::sync::Arc::new(history.unwrap_or_else(|_| {
        throughline::history::SiteHistory::empty(throughline::history::HistoryState::Unavailable(
            "reading it failed".into(),
        ))
    }));
    // The findings print while the site renders: both only read the site.
    let (built, printed) = std::thread::scope(|scope| {
        let printer = scope.spawn(|| print_diagnostics(&site, args.format.into(), color));
        let built = throughline::write_site_with(&site, &out, args.clean);
        let printed = printer
            .join()
            .unwrap_or_else(|_| Err(RunError::Other("printing the findings failed".into())));
        (built, printed)
    });
    printed?;
    let built = built?;
    // A rebuild in place says how much of the output it touched.
    let touched = if built.committed.in_place {
        format!(
            " ({} changed, {} removed; {} unchanged, not rendered)",
            plural(built.committed.written, "file"),
            built.committed.removed,
            plural(built.reused_pages, "page")
        )
    } else {
        String::new()
    };
    eprintln!(
        "built: {} documents, {} pages, {}, {}, {} in {} ms → {}{touched}",
        site.docs.len(),
        built.pages,
        plural(counts.errors, "error"),
        plural(counts.warnings, "warning"),
        plural(counts.infos, "info"),
        started.elapsed().as_millis(),
        out.display()
    );
    exit_without_freeing(site);
    Ok(0)
}

/// Removes this build's staging folder on SIGINT, SIGTERM or SIGHUP, then
/// exits with 128 + the signal's number, as a shell reports a process the
/// signal killed. Only `build` installs it: `serve` writes nothing and keeps
/// the default action, dying at once on Ctrl-C.
#[cfg(unix)]
fn clean_up_on_signals() {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    // A signal the build was started with ignored stays ignored: `nohup`
    // ignores SIGHUP, and a shell ignores SIGINT for a job it puts in the
    // background; handling them would stop a build those meant to keep.
    let wanted: Vec<i32> = [SIGINT, SIGTERM, SIGHUP]
        .into_iter()
        .filter(|&signal| !is_ignored(signal))
        .collect();
    // Without the handler a stopped build leaves its staging folder for the
    // next build to sweep, which is no reason to refuse this one.
    let Ok(mut signals) = signal_hook::iterator::Signals::new(wanted) else {
        return;
    };
    std::thread::spawn(move || {
        if let Some(signal) = signals.forever().next() {
            if throughline::output::abandon_all() > 0 {
                eprintln!("interrupted: the unfinished build was removed");
            }
            std::process::exit(128 + signal);
        }
    });
}

/// Whether `signal` is set to be ignored, as it was inherited.
#[cfg(unix)]
fn is_ignored(signal: i32) -> bool {
    // SAFETY: a null new action only reads the current one into `current`,
    // a plain C struct for which all zeroes is a valid value.
    unsafe {
        let mut current: libc::sigaction = std::mem::zeroed();
        libc::sigaction(signal, std::ptr::null(), &mut current) == 0
            && current.sa_sigaction == libc::SIG_IGN
    }
}

#[cfg(not(unix))]
fn clean_up_on_signals() {}

fn serve(args: &ServeArgs, color: bool) -> Result<u8, RunError> {
    let options = throughline::serve::ServeOptions {
        load: load_options(&args.common)?,
        bind: args.bind.clone(),
        port: args.port,
        color,
    };
    let root = args.common.root.display().to_string();
    throughline::serve::serve(options, &mut |report| print_serve_report(&root, report))?;
    Ok(0)
}

/// One line per event on stdout, like Zola's and Hugo's servers; diagnostics on stderr.
fn print_serve_report(root: &str, report: throughline::serve::Report<'_>) {
    use throughline::serve::Report;
    let mut stdout = std::io::stdout().lock();
    // A closed terminal must not stop the server.
    let _ = match report {
        Report::Ready { url, outcome } => {
            eprint!("{}", outcome.report);
            let state = match &outcome.problem {
                Some(problem) => problem.summary.clone(),
                None => format!(
                    "{} documents, {} files, {} in {} ms",
                    outcome.documents,
                    outcome.files_changed,
                    plural(outcome.counts.warnings, "warning"),
                    outcome.took.as_millis()
                ),
            };
            writeln!(
                stdout,
                "serving {root}: {state}
  {url}  (Ctrl-C to stop; nothing is written to disk)
watching {root} for changes"
            )
        }
        Report::Polling(reason) => writeln!(
            stdout,
            "note: native file events are unavailable ({reason}); polling every 0.5 s"
        ),
        Report::WatchError(message) => {
            writeln!(stdout, "watch error: {}", for_terminal(message))
        }
        Report::Exposed(address) => writeln!(
            std::io::stderr(),
            "warning: listening on {address}, beyond loopback: anyone on the network can read this site, under any host name"
        ),
        Report::Rebuilt(outcome) => {
            eprint!("{}", outcome.report);
            // File names come from the disk and may hold terminal controls.
            let what = match outcome.changed.as_slice() {
                [one] => for_terminal(one).into_owned(),
                [first, rest @ ..] => format!("{} and {} more", for_terminal(first), rest.len()),
                [] => String::new(),
            };
            let scope = if outcome.full {
                "full rebuild"
            } else {
                "rebuilt"
            };
            let result = match &outcome.problem {
                Some(problem) => problem.summary.clone(),
                None => format!(
                    "{} rendered, {} changed, {}",
                    plural(outcome.rendered, "file"),
                    outcome.files_changed,
                    plural(outcome.counts.warnings, "warning")
                ),
            };
            writeln!(
                stdout,
                "{what} changed: {scope} in {} ms: {result}",
                outcome.took.as_millis()
            )
        }
    };
    let _ = stdout.flush();
}

fn check(
    common: &CommonArgs,
    format: Format,
    deny_warnings: bool,
    color: bool,
) -> Result<u8, RunError> {
    let started = Instant::now();
    let site = throughline::load_lean(&load_options(common)?)?;
    print_diagnostics(&site, format, color)?;
    // The theme is the one input build refuses that the analysis does not read.
    throughline::load_theme(&site)?;
    let counts = Counts::of(&site.diagnostics);
    eprintln!(
        "{}: {} documents, {}, {}, {} in {} ms",
        if counts.errors > 0 {
            "check failed"
        } else {
            "checked"
        },
        site.docs.len(),
        plural(counts.errors, "error"),
        plural(counts.warnings, "warning"),
        plural(counts.infos, "info"),
        started.elapsed().as_millis()
    );
    exit_without_freeing(site);
    Ok(exit_code(counts, deny_warnings))
}

/// Leaves a loaded site for the operating system to reclaim when the process
/// exits, which it does at once: freeing a large site piece by piece takes
/// longer than anything after it (0.2 s of a 100,000-document build).
fn exit_without_freeing(site: Site) {
    std::mem::forget(site);
}

fn graph(common: &CommonArgs, format: GraphFormat, color: bool) -> Result<u8, RunError> {
    let site = load(common)?;
    let errors: Vec<_> = site
        .diagnostics
        .iter()
        .filter(|d| d.severity == diagnostics::Severity::Error)
        .cloned()
        .collect();
    let mut stderr = std::io::stderr().lock();
    diagnostics::render_human(&errors, &site, HumanStyle { color }, &mut stderr)
        .map_err(io_error)?;
    let text = match format {
        GraphFormat::Json => {
            throughline::graph::to_json(&site.docs, &site.graph, &site.config.base_url)
        }
        GraphFormat::Dot => throughline::graph::to_dot(&site.docs, &site.graph),
    };
    std::io::stdout()
        .lock()
        .write_all(text.as_bytes())
        .map_err(io_error)?;
    Ok(if errors.is_empty() { 0 } else { EXIT_FINDINGS })
}

fn print_diagnostics(site: &Site, format: Format, color: bool) -> Result<(), RunError> {
    // Block-buffered: a site with thousands of findings must not make a write call per line.
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let result = match format {
        Format::Human => {
            diagnostics::render_human(&site.diagnostics, site, HumanStyle { color }, &mut out)
        }
        Format::Json => diagnostics::render_json(&site.diagnostics, &mut out),
        Format::Github => diagnostics::render_github(&site.diagnostics, &mut out),
        Format::Sarif => {
            let catalog = throughline::rules::catalog();
            diagnostics::render_sarif(
                &site.diagnostics,
                &catalog,
                &path_prefix(&site.root),
                &mut out,
            )
        }
    };
    result.and_then(|()| out.flush()).map_err(io_error)
}

/// The site root relative to the working directory, `/`-separated with a trailing `/`, so that
/// SARIF paths match the repository a CI job checked out. Empty when the root is elsewhere.
fn path_prefix(root: &std::path::Path) -> String {
    let Ok(cwd) = std::env::current_dir() else {
        return String::new();
    };
    let root = throughline::absolute(root);
    let (Ok(root), Ok(cwd)) = (root.canonicalize(), cwd.canonicalize()) else {
        return String::new();
    };
    match root.strip_prefix(&cwd) {
        Ok(rel) if rel.as_os_str().is_empty() => String::new(),
        Ok(rel) => format!(
            "{}/",
            throughline::source::relative_path(std::path::Path::new(""), rel)
        ),
        Err(_) => String::new(),
    }
}

fn exit_code(counts: Counts, deny_warnings: bool) -> u8 {
    if counts.errors > 0 || (deny_warnings && counts.warnings > 0) {
        EXIT_FINDINGS
    } else {
        0
    }
}

fn io_error(e: std::io::Error) -> RunError {
    RunError::Other(format!("cannot write output: {e}"))
}

fn report_run_error(err: &RunError, color: bool) {
    let mut stderr = std::io::stderr().lock();
    match err {
        RunError::Config { diagnostic, text } => {
            let mut sources = std::collections::HashMap::new();
            if let Some(text) = text {
                sources.insert(diagnostic.file.clone(), text.clone());
            }
            let _ = diagnostics::render_human(
                std::slice::from_ref(diagnostic),
                &sources,
                HumanStyle { color },
                &mut stderr,
            );
        }
        other => {
            let _ = writeln!(stderr, "error: {}", for_terminal(&other.to_string()));
        }
    }
}
