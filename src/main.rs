//! The `throughline` command line: parses arguments, calls the library, and
//! maps the outcome to an exit code (0 success, 1 findings, 2 the run failed).

mod cli;

use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::time::Instant;

use clap::Parser;

use cli::{
    BuildArgs, CheckinArgs, Cli, ColorChoice, Command, CommonArgs, ConfidenceArgs, DiffArgs,
    DigestArgs, GraphFormat, InitArgs, NewArgs, ReviewArgs, ServeArgs,
};
use throughline::date::Today;
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
    // `build` finishes its site whoever stops reading its findings, `serve`
    // outlives its terminal, and for `lsp` a closed stdout is the end of the
    // session: each handles a closed pipe itself. Every other command dies
    // of it quietly, as `git log | head` does, rather than panicking in
    // `println!`; each writes its files before it prints, so that is no
    // half-done change.
    if !matches!(
        cli.command,
        Command::Build(_) | Command::Serve(_) | Command::Lsp
    ) {
        die_on_closed_pipe();
    }
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
        Command::Confidence(args) => confidence(&args),
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

/// Restores SIGPIPE's default action, which Rust's runtime sets to ignore.
#[cfg(unix)]
fn die_on_closed_pipe() {
    // SAFETY: setting a signal's disposition to its default before any
    // other thread exists has no memory effect on this process.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

#[cfg(not(unix))]
fn die_on_closed_pipe() {}

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
    let today =
        Today::new(common.today.as_deref(), epoch.as_deref()).map_err(|e| RunError::Other(e.0))?;
    Ok(LoadOptions {
        root: common.root.clone(),
        today,
        drafts: common.drafts,
        output_dir: None,
        base_url: None,
    })
}

/// The day of `flag`, else of `SOURCE_DATE_EPOCH` or the clock, for the
/// commands that date what they write rather than judge a site.
fn today(flag: Option<&str>) -> Result<throughline::date::Date, RunError> {
    let epoch = std::env::var("SOURCE_DATE_EPOCH").ok();
    Today::new(flag, epoch.as_deref())
        .map(|t| t.with_as_of(None))
        .map_err(|e| RunError::Other(e.0))
}

fn init(args: &InitArgs) -> Result<u8, RunError> {
    let done = throughline::scaffold::init_site(
        &args.dir,
        today(args.today.as_deref())?,
        args.empty,
        args.dry_run,
    )?;
    if args.dry_run {
        for path in &done.written {
            println!("{}", for_terminal(&path.display().to_string()));
        }
        eprintln!(
            "dry run: would create {} in {}; nothing was written",
            plural(done.written.len(), "file"),
            for_terminal(&args.dir.display().to_string())
        );
        return Ok(0);
    }
    eprint!(
        "{}",
        throughline::scaffold::init_report(&args.dir, &done, args.empty)
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
    let written = throughline::scaffold::new_document(&site, &request, args.dry_run)?;
    println!("{}", for_terminal(&written.path.display().to_string()));
    if args.dry_run {
        // The text holds the user's own title and flags; the terminal reads it.
        for line in written.text.lines() {
            println!("{}", for_terminal(line));
        }
        eprintln!("dry run: nothing was written");
        return Ok(0);
    }
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
        // Listed first only when the list is all this run does, or when a
        // person is asked about it: with --yes the stamps are written
        // before anything is printed, so a closed pipe cannot cut them short.
        if !args.yes {
            let listed: Vec<String> = due.iter().map(|id| for_terminal(id).into_owned()).collect();
            println!("due for review: {}", listed.join(", "));
            if args.dry_run {
                eprintln!("dry run: nothing was written");
                return Ok(0);
            }
            if !confirm(&format!(
                "stamp {} as reviewed on {}?",
                plural(due.len(), "document"),
                site.today
            ))? {
                return Ok(0);
            }
        }
        due
    } else {
        args.ids.clone()
    };
    let reviews = throughline::review::plan(&site, &ids, site.today)?;
    if !args.dry_run {
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
    }
    for r in &reviews {
        println!("{}", r.summary(site.today, args.dry_run));
    }
    if args.dry_run {
        eprintln!("dry run: nothing was written");
    }
    Ok(0)
}

/// Asks `question` on the terminal; yes only for an answer that starts with
/// `y`. Without a terminal on standard input nobody can answer, so the
/// answer is no, said on stderr, and the command has only listed: a script
/// or CI job that meant to write says `--yes`.
fn confirm(question: &str) -> Result<bool, RunError> {
    let stdin = std::io::stdin();
    if !stdin.is_terminal() {
        eprintln!("nothing was written: standard input is not a terminal to ask on; run again with --yes to stamp them");
        return Ok(false);
    }
    // The list must be on screen before the question.
    let _ = std::io::stdout().flush();
    eprint!("{question} [y/N] ");
    let mut answer = String::new();
    stdin
        .read_line(&mut answer)
        .map_err(|e| RunError::Other(format!("cannot read the answer: {e}")))?;
    let yes = answer.trim_start().starts_with(['y', 'Y']);
    if !yes {
        eprintln!("nothing was written");
    }
    Ok(yes)
}

fn diff(args: &DiffArgs) -> Result<u8, RunError> {
    use throughline::diff::{analyse_from, Base, Side};
    let common = CommonArgs {
        root: args.root.clone(),
        today: args.today.clone(),
        drafts: false,
    };
    let options = load_options(&common)?;
    let anchored = args.since.is_some() || args.since_review.is_some();
    // Anchored, the one revision given is the head.
    let (base, head) =
        match (anchored, &args.base, &args.head) {
            (true, _, Some(_)) => return Err(RunError::Other(
                "with --since or --since-review, give at most one revision: the one to compare to"
                    .into(),
            )),
            (true, head, None) => (None, head.clone()),
            (false, base, head) => (base.clone(), head.clone()),
        };
    let base = match (&args.since, &args.since_review, base) {
        (Some(day), _, _) => Base::Since(throughline::date::parse_date(day).ok_or_else(|| {
            RunError::Other(format!(
                "`--since {day}` is not a date; write it as YYYY-MM-DD"
            ))
        })?),
        (None, Some(review), _) => Base::SinceReview(review.clone()),
        (None, None, Some(rev)) => Base::Revision(rev),
        (None, None, None) => {
            return Err(RunError::Other("give the revision to compare from".into()))
        }
    };
    let head = head.map_or(Side::WorkingTree, Side::Revision);
    let (old, new) = analyse_from(&base, &head, &options)?;
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
    let mut options = load_options(&common)?;
    options.output_dir = args.output.clone();
    let asked = DigestOptions {
        since: Since::parse(&args.since),
        teams: args.team.clone(),
        owners: args.owner.clone(),
        base_url: args.base_url.clone(),
    };
    let digest = throughline::digest::digest(&options, &asked)?;
    if let Some(note) = &digest.kept_note {
        eprintln!("note: {note}");
    }
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
        (None, Some(metric), Some(value)) => vec![throughline::checkin::Row::of_arguments(
            metric,
            value,
            args.date.as_deref(),
            args.note.clone(),
            || today(None),
        )?],
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
    if !args.dry_run {
        throughline::checkin::write(&site, &plan.files)?;
    }
    let (lines, summary) = plan.report(rows.len(), args.dry_run);
    for line in lines {
        println!("{line}");
    }
    eprintln!("{summary}");
    Ok(0)
}

fn confidence(args: &ConfidenceArgs) -> Result<u8, RunError> {
    use throughline::confidence::{parse_levels, plan, Request};
    let refuse = |message: &str| {
        eprintln!("error: {}", for_terminal(message));
        eprintln!("nothing was written");
        Ok(EXIT_RUN_FAILED)
    };
    let levels = match parse_levels([
        args.problem.as_deref(),
        args.solution.as_deref(),
        args.outcome.as_deref(),
    ]) {
        Ok(levels) => levels,
        Err(e) => return refuse(&e.message),
    };
    let date = match args.date.as_deref() {
        Some(d) => throughline::date::parse_date(d).ok_or_else(|| {
            RunError::Other(format!(
                "`--date {d}` is not a date; write it as YYYY-MM-DD"
            ))
        })?,
        None => today(None)?,
    };
    let common = CommonArgs {
        root: args.root.clone(),
        today: None,
        drafts: true,
    };
    let site = load(&common)?;
    let request = Request {
        id: args.id.clone(),
        levels,
        date,
        note: args.note.clone(),
        evidence: args.evidence.clone(),
    };
    let plan = match plan(&site, &request) {
        Ok(plan) => plan,
        Err(e) => return refuse(&e.message),
    };
    let Some(text) = &plan.text else {
        eprintln!(
            "nothing to record: the confidence of `{}` already reads so",
            for_terminal(&plan.id)
        );
        return Ok(0);
    };
    if !args.dry_run {
        let file = throughline::edit::Replacement {
            path: &plan.path,
            original: &plan.original,
            text,
        };
        throughline::edit::write_all(&[file]).map_err(|e| RunError::Other(e.to_string()))?;
    }
    println!("{}", plan.summary(args.dry_run));
    if args.dry_run {
        eprintln!("dry run: nothing was written");
    }
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
            "{}",
            throughline::build_refused_summary(site.docs.len(), counts)
        );
        return Ok(EXIT_FINDINGS);
    }
    site.history = std::sync::Arc::new(history.unwrap_or_else(|_| {
        throughline::history::SiteHistory::empty(throughline::history::HistoryState::Unavailable(
            "reading it failed".into(),
        ))
    }));
    if let Some(note) = site.history.kept.note() {
        eprintln!("note: {note}");
    }
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
    eprintln!(
        "{}",
        built.summary(site.docs.len(), counts, started.elapsed(), &out)
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
        edit: args.edit.then_some(throughline::serve::EditOptions {
            commit: args.commit,
            allow_remote: args.allow_remote_edit,
        }),
    };
    let writes = args.edit;
    let root = args.common.root.display().to_string();
    throughline::serve::serve(options, &mut |report| {
        print_serve_report(&root, writes, report)
    })?;
    Ok(0)
}

/// Prints what the server says of `report`; a closed terminal must not stop the server.
fn print_serve_report(root: &str, writes: bool, report: throughline::serve::Report<'_>) {
    let said = report.describe(root, writes);
    let _ = std::io::stderr().lock().write_all(said.stderr.as_bytes());
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(said.stdout.as_bytes());
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
        "{}",
        throughline::check_summary(site.docs.len(), counts, started.elapsed())
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
                &throughline::source::root_from_working_dir(&site.root),
                &mut out,
            )
        }
    };
    match result.and_then(|()| out.flush()) {
        // Whoever reads the findings stopped reading (`build | head`): the
        // build goes on and its exit code still says what it found.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other.map_err(io_error),
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
