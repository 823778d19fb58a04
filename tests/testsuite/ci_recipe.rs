//! The CI recipes in docs/guide.md run as written.
//!
//! The GitHub and GitLab blocks are read out of the guide, and their shell
//! commands run in order with `bash -e`, in a git repository holding a site,
//! the way the runner would run them. Only what a test cannot do is stood in
//! for: GitLab's install lines download a release that the test serves
//! (`THROUGHLINE_RELEASES`, packed by scripts/package-release.sh around this
//! build's binary) and check its SHA-256; GitHub's install is the action
//! (tests/testsuite/release.rs runs it), for which this build's binary is
//! first on `PATH`. A `cargo` that fails stands behind it, so nothing is
//! compiled; other steps that `uses:` an action are GitHub's and are skipped; `${{ ... }}`
//! expressions, `if:` conditions and CI variables come from the tables below,
//! and one they do not know fails the test, so the recipe cannot grow a step
//! that is never run. The runner's clock is `SOURCE_DATE_EPOCH`, set to a day
//! long after the commit, so "judged as of the commit" and "judged as of
//! today" give different findings on `content-example/`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_yaml::Value;

use crate::support::SiteTest;

/// 2026-11-24 12:00 UTC, the date `content-example/README.md` describes: four
/// warnings and no errors.
const COMMIT_DATE: i64 = 1_795_521_600;
/// 2027-06-01 12:00 UTC: the simulated runner's today.
const CLOCK: i64 = 1_811_851_200;
const CLOCK_DAY: &str = "2027-06-01";

/// Longest one step may take before it counts as a hang.
const STEP_TIME_LIMIT: Duration = Duration::from_secs(120);

const GITHUB_PAGES_URL: &str = "https://example.github.io/strategy";
const GITLAB_PAGES_URL: &str = "https://example.gitlab.io/strategy";

/// What triggered the simulated pipeline.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Event {
    /// A pull request (merge request on GitLab) from the same repository.
    PullRequest,
    /// A push to the default branch, `main` (a scheduled run looks the same).
    PushToMain,
}

#[derive(Clone, Copy, PartialEq, Debug)]
enum Ci {
    GitHub,
    GitLab,
}

/// One shell step of a job.
#[derive(Debug)]
struct Step {
    name: String,
    script: String,
    /// The step's `if:`; `None` runs only while the job has not failed.
    condition: Option<String>,
    continue_on_error: bool,
    env: Vec<(String, String)>,
}

#[derive(Debug)]
struct Job {
    name: String,
    /// Jobs that must have passed for this one to run (GitHub's `needs:`,
    /// GitLab's earlier stages).
    needs: Vec<String>,
    /// Any of these must hold for the job to run (GitHub's `if:`, GitLab's
    /// `rules:`); empty means always.
    conditions: Vec<String>,
    steps: Vec<Step>,
}

#[derive(Clone, Copy, PartialEq, Debug)]
enum Outcome {
    Passed,
    Failed,
    Skipped,
}

/// What happened to one step.
#[derive(Debug)]
struct StepRun {
    job: String,
    step: String,
    code: i32,
    stdout: String,
    stderr: String,
}

/// The whole pipeline's result.
#[derive(Debug)]
struct Pipeline {
    jobs: BTreeMap<String, Outcome>,
    steps: Vec<StepRun>,
}

impl Pipeline {
    fn job(&self, name: &str) -> Outcome {
        *self
            .jobs
            .get(name)
            .unwrap_or_else(|| panic!("no job {name} in {:?}", self.jobs))
    }

    fn step(&self, job: &str, step: &str) -> &StepRun {
        self.steps
            .iter()
            .find(|s| s.job == job && s.step == step)
            .unwrap_or_else(|| panic!("step {job}/{step} did not run:\n{}", self.log()))
    }

    /// Every step's commands' output, for failure messages.
    fn log(&self) -> String {
        self.steps
            .iter()
            .map(|s| {
                format!(
                    "--- {} / {} (exit {})\n{}{}",
                    s.job, s.step, s.code, s.stdout, s.stderr
                )
            })
            .collect()
    }
}

/// The YAML block of the guide whose first line is `# FILE`.
fn recipe(file: &str) -> Value {
    crate::support::guide_yaml(file)
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        other => panic!("expected a scalar, found {other:?}"),
    }
}

fn strings(v: Option<&Value>) -> Vec<String> {
    match v {
        None => Vec::new(),
        Some(Value::Sequence(items)) => items.iter().map(text).collect(),
        Some(scalar) => vec![text(scalar)],
    }
}

/// Replaces each `${{ expression }}` with its value for this simulated run.
fn expand(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(open) = rest.find("${{") {
        out.push_str(&rest[..open]);
        let close = rest[open..].find("}}").expect("unclosed ${{") + open;
        let expression = rest[open + 3..close].trim();
        out.push_str(match expression {
            "steps.pages.outputs.base_url" => GITHUB_PAGES_URL,
            "github.token" => "test-token",
            "github.event.pull_request.number" => "1",
            other => panic!("the recipe test has no value for ${{{{ {other} }}}}"),
        });
        rest = &rest[close + 2..];
    }
    out.push_str(rest);
    out
}

/// Whether an `if:` condition (GitHub) or `rules: - if:` (GitLab) holds.
fn holds(condition: &str, event: Event) -> bool {
    match condition.trim() {
        "always()" => true,
        "github.ref == 'refs/heads/main'" | "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH" => {
            event == Event::PushToMain
        }
        r#"$CI_PIPELINE_SOURCE == "merge_request_event""#
        | "always() && github.event_name == 'pull_request'"
        // The simulated pull request comes from the same repository, not a fork.
        | "always() && github.event_name == 'pull_request' && github.event.pull_request.head.repo.full_name == github.repository" => {
            event == Event::PullRequest
        }
        other => panic!("the recipe test cannot evaluate the condition `{other}`"),
    }
}

/// Whether `uses:` names throughline's action, pinned to a full version
/// tag (`OWNER/throughline@v0.1.0`).
fn is_install(uses: &str) -> bool {
    uses.split_once("/throughline@v")
        .is_some_and(|(_, version)| {
            let parts: Vec<&str> = version.split('.').collect();
            parts.len() == 3
                && parts
                    .iter()
                    .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
        })
}

/// Whether `version` is a full version tag, `v` and three numbers.
fn is_full_tag(version: &str) -> bool {
    is_install(&format!("x/throughline@{version}"))
}

/// The jobs of `.github/workflows/strategy.yml`: every step with `run:`, in order.
fn github_jobs() -> Vec<Job> {
    let workflow = recipe(".github/workflows/strategy.yml");
    let jobs = workflow["jobs"].as_mapping().expect("jobs");
    let mut out = Vec::new();
    for (name, job) in jobs {
        let name = text(name);
        let mut steps = Vec::new();
        let mut installed = false;
        for step in job["steps"].as_sequence().expect("steps") {
            let Some(run) = step.get("run") else {
                let uses = step
                    .get("uses")
                    .map(text)
                    .unwrap_or_else(|| panic!("{name}: a step with neither run nor uses"));
                if uses.contains("/throughline@") {
                    assert!(
                        is_install(&uses),
                        "{name}: pin the action to a full version tag: `{uses}`"
                    );
                    installed = true;
                }
                continue;
            };
            let run = text(run);
            let step_name = step.get("name").map(text).unwrap_or_else(|| run.clone());
            assert!(
                !run.contains("cargo "),
                "{name}: no step compiles throughline: `{run}`"
            );
            assert!(
                installed || !run.contains("throughline "),
                "{name}: `{step_name}` runs throughline before the action installs it"
            );
            let env = step
                .get("env")
                .and_then(Value::as_mapping)
                .map(|m| m.iter().map(|(k, v)| (text(k), expand(&text(v)))).collect())
                .unwrap_or_default();
            steps.push(Step {
                name: step_name,
                script: expand(&run),
                condition: step.get("if").map(text),
                continue_on_error: step
                    .get("continue-on-error")
                    .is_some_and(|v| text(v) == "true"),
                env,
            });
        }
        out.push(Job {
            name,
            needs: strings(job.get("needs")),
            conditions: strings(job.get("if")),
            steps,
        });
    }
    out
}

/// Keys of `.gitlab-ci.yml` that are not jobs.
const GITLAB_GLOBAL_KEYS: &[&str] = &[
    "stages",
    "variables",
    "default",
    "image",
    "services",
    "cache",
    "before_script",
    "after_script",
    "include",
    "workflow",
];

/// The jobs of `.gitlab-ci.yml`, each one step: `before_script` then
/// `script`, in stage order. A job needs every job of the earlier stages.
fn gitlab_jobs() -> Vec<Job> {
    let pipeline = recipe(".gitlab-ci.yml");
    let top = pipeline.as_mapping().expect("a mapping");
    let stages = strings(pipeline.get("stages"));
    let default_before = pipeline
        .get("default")
        .and_then(|d| d.get("before_script"))
        .or(pipeline.get("before_script"));
    let variables: Vec<(String, String)> = pipeline
        .get("variables")
        .and_then(Value::as_mapping)
        .map(|m| m.iter().map(|(k, v)| (text(k), text(v))).collect())
        .unwrap_or_default();
    let mut jobs: Vec<(usize, Job)> = Vec::new();
    for (name, job) in top {
        let name = text(name);
        if GITLAB_GLOBAL_KEYS.contains(&name.as_str()) || name.starts_with('.') {
            continue;
        }
        let stage = job.get("stage").map(text).unwrap_or_else(|| "test".into());
        let stage_index = stages
            .iter()
            .position(|s| *s == stage)
            .unwrap_or_else(|| panic!("{name}: stage {stage} is not in `stages`"));
        let before = strings(job.get("before_script").or(default_before));
        let script = strings(job.get("script"));
        assert!(
            before.iter().any(|l| l.contains("sha256sum -c")),
            "{name}: no line installs throughline, checked against its SHA-256"
        );
        let lines: Vec<&String> = before.iter().chain(&script).collect();
        assert!(
            !lines.iter().any(|l| l.contains("cargo ")),
            "{name}: no line compiles throughline"
        );
        let conditions = job
            .get("rules")
            .and_then(Value::as_sequence)
            .map(|rules| rules.iter().map(|r| text(&r["if"])).collect())
            .unwrap_or_default();
        jobs.push((
            stage_index,
            Job {
                name: name.clone(),
                needs: Vec::new(),
                conditions,
                steps: vec![Step {
                    name: "script".into(),
                    script: lines.iter().map(|l| format!("{l}\n")).collect(),
                    condition: None,
                    continue_on_error: false,
                    env: variables.clone(),
                }],
            },
        ));
    }
    jobs.sort_by_key(|(stage, _)| *stage);
    let earlier: Vec<(usize, String)> = jobs.iter().map(|(s, j)| (*s, j.name.clone())).collect();
    jobs.into_iter()
        .map(|(stage, mut job)| {
            job.needs = earlier
                .iter()
                .filter(|(s, _)| *s < stage)
                .map(|(_, n)| n.clone())
                .collect();
            job
        })
        .collect()
}

/// The files a GitHub step writes to set variables and `PATH` for later
/// steps, and the job summary its steps append to.
struct GitHubFiles {
    env: PathBuf,
    path: PathBuf,
    summary: PathBuf,
}

/// A site committed to a fresh git repository on [`COMMIT_DATE`], with
/// `bin/` holding this build's `throughline` and a `cargo` that refuses.
struct Repo {
    site: SiteTest,
    tools: tempfile::TempDir,
    /// The release GitLab's install downloads, served from `tools/releases`.
    releases: String,
    archive: PathBuf,
}

/// The version GitLab's recipe installs, which must be a full tag.
fn gitlab_version() -> String {
    let version = text(&recipe(".gitlab-ci.yml")["variables"]["THROUGHLINE_VERSION"]);
    assert!(is_full_tag(&version), "pin a full version tag: {version}");
    version
}

impl Repo {
    /// `site`, with this build's binary and the stand-ins on `PATH`.
    fn with_tools(site: SiteTest) -> Repo {
        // A copy of content-example may carry a local build; the recipe makes its own.
        let _ = std::fs::remove_dir_all(site.root().join("public"));
        // A living site, as the recipes are for: the example's `as_of` (an
        // example frozen on its day) would pin every run to that day.
        let config = site.root().join("throughline.yaml");
        if let Ok(text) = std::fs::read_to_string(&config) {
            let living: String = text
                .lines()
                .filter(|line| !line.starts_with("as_of:"))
                .map(|line| format!("{line}\n"))
                .collect();
            std::fs::write(&config, living).unwrap();
        }
        let tools = tempfile::tempdir().expect("temp dir");
        let bin = tools.path().join("bin");
        std::fs::create_dir_all(&bin).unwrap();
        std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_throughline"), bin.join("throughline"))
            .unwrap();
        let cargo = bin.join("cargo");
        std::fs::write(
            &cargo,
            "#!/bin/sh\necho \"recipe test: cargo must not run here: cargo $*\" >&2\nexit 97\n",
        )
        .unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&cargo, std::fs::Permissions::from_mode(0o755)).unwrap();
        // GitHub's `gh`, standing in: it records each call and the body it
        // was given, and `--edit-last` fails as it does before any comment.
        let gh = bin.join("gh");
        std::fs::write(
            &gh,
            format!(
                "#!/bin/sh\necho \"gh $*\" >> '{log}'\ncase \"$*\" in *--edit-last*) exit 1;; esac\nwhile [ $# -gt 0 ]; do [ \"$1\" = --body-file ] && cat \"$2\" >> '{log}'; shift; done\n",
                log = tools.path().join("gh.log").display()
            ),
        )
        .unwrap();
        std::fs::set_permissions(&gh, std::fs::Permissions::from_mode(0o755)).unwrap();
        std::fs::create_dir_all(tools.path().join("home")).unwrap();
        std::fs::create_dir_all(tools.path().join("runner-temp")).unwrap();
        let served = tools.path().join("releases");
        let archive =
            crate::support::fake_release(&served, &gitlab_version(), "x86_64-unknown-linux-musl");
        let releases = crate::support::serve_files(&served);
        Repo {
            site,
            tools,
            releases,
            archive,
        }
    }

    /// A new repository of `site`, committed on the commit date, with
    /// `origin/main` at its one commit.
    fn new(site: SiteTest) -> Repo {
        let repo = Repo::with_tools(site);
        let date = format!("{COMMIT_DATE} +0000");
        for args in [
            &["init", "-q", "-b", "main"][..],
            &["add", "-A"],
            &["commit", "-q", "-m", "strategy"],
            // What `actions/checkout` with `fetch-depth: 0` leaves: the
            // base branch of a pull request as a remote-tracking branch.
            &["update-ref", "refs/remotes/origin/main", "HEAD"],
        ] {
            let out = Command::new("git")
                .args(args)
                .current_dir(repo.root())
                .envs(repo.base_env())
                .env("GIT_AUTHOR_DATE", &date)
                .env("GIT_COMMITTER_DATE", &date)
                .output()
                .expect("git");
            assert!(out.status.success(), "git {args:?}: {out:?}");
        }
        repo
    }

    fn root(&self) -> &Path {
        self.site.root()
    }

    /// Runs git in the repository on the commit date; its standard output.
    fn git(&self, args: &[&str]) -> String {
        let date = format!("{COMMIT_DATE} +0000");
        let out = Command::new("git")
            .args(args)
            .current_dir(self.root())
            .envs(self.base_env())
            .env("GIT_AUTHOR_DATE", &date)
            .env("GIT_COMMITTER_DATE", &date)
            .output()
            .expect("git");
        assert!(out.status.success(), "git {args:?}: {out:?}");
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// What `actions/checkout` with `fetch-depth: 0` leaves for a pull
    /// request: a fresh clone of `origin`, at `commit` (the pull request's
    /// merge commit) detached, with the base branch as `origin/main`.
    fn checkout(origin: &Repo, commit: &str) -> Repo {
        let repo = Repo::with_tools(SiteTest::new());
        let from = origin.root().display().to_string();
        repo.git(&["clone", "-q", "--no-checkout", &from, "."]);
        repo.git(&["checkout", "-q", "--detach", commit]);
        repo
    }

    /// What every step sees: a clean environment, our tools first on `PATH`,
    /// git's identity, and the simulated clock.
    fn base_env(&self) -> Vec<(String, String)> {
        let path = format!(
            "{}:{}",
            self.tools.path().join("bin").display(),
            std::env::var("PATH").unwrap_or_default()
        );
        [
            ("PATH", path),
            ("HOME", self.tools.path().join("home").display().to_string()),
            ("GIT_CONFIG_NOSYSTEM", "1".into()),
            ("GIT_AUTHOR_NAME", "Recipe Test".into()),
            ("GIT_AUTHOR_EMAIL", "recipe@example.com".into()),
            ("GIT_COMMITTER_NAME", "Recipe Test".into()),
            ("GIT_COMMITTER_EMAIL", "recipe@example.com".into()),
            ("NO_COLOR", "1".into()),
            ("CI", "true".into()),
            ("SOURCE_DATE_EPOCH", CLOCK.to_string()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect()
    }

    /// The CI variables of `ci` for `event`.
    fn ci_env(&self, ci: Ci, event: Event, files: &GitHubFiles) -> Vec<(String, String)> {
        let root = self.root().display().to_string();
        let vars: Vec<(&str, String)> = match (ci, event) {
            (Ci::GitHub, _) => vec![
                ("GITHUB_ACTIONS", "true".into()),
                ("GITHUB_WORKSPACE", root),
                ("GITHUB_ENV", files.env.display().to_string()),
                ("GITHUB_PATH", files.path.display().to_string()),
                ("GITHUB_STEP_SUMMARY", files.summary.display().to_string()),
                ("GITHUB_REPOSITORY", "example/strategy".into()),
                ("GITHUB_BASE_REF", "main".into()),
                (
                    "RUNNER_TEMP",
                    self.tools.path().join("runner-temp").display().to_string(),
                ),
                (
                    "GITHUB_EVENT_NAME",
                    match event {
                        Event::PullRequest => "pull_request",
                        Event::PushToMain => "push",
                    }
                    .into(),
                ),
                (
                    "GITHUB_REF",
                    match event {
                        Event::PullRequest => "refs/pull/1/merge",
                        Event::PushToMain => "refs/heads/main",
                    }
                    .into(),
                ),
            ],
            (Ci::GitLab, Event::PullRequest) => vec![
                ("GITLAB_CI", "true".into()),
                ("CI_PROJECT_DIR", root),
                ("CI_PROJECT_NAME", "strategy".into()),
                ("CI_PAGES_URL", GITLAB_PAGES_URL.into()),
                ("CI_DEFAULT_BRANCH", "main".into()),
                ("CI_PIPELINE_SOURCE", "merge_request_event".into()),
            ],
            (Ci::GitLab, Event::PushToMain) => vec![
                ("GITLAB_CI", "true".into()),
                ("CI_PROJECT_DIR", root),
                ("CI_PROJECT_NAME", "strategy".into()),
                ("CI_PAGES_URL", GITLAB_PAGES_URL.into()),
                ("CI_DEFAULT_BRANCH", "main".into()),
                ("CI_PIPELINE_SOURCE", "push".into()),
                ("CI_COMMIT_BRANCH", "main".into()),
            ],
        };
        vars.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
    }

    /// Runs the recipe's jobs in order for `event`.
    fn run(&self, ci: Ci, event: Event) -> Pipeline {
        let jobs = match ci {
            Ci::GitHub => github_jobs(),
            Ci::GitLab => gitlab_jobs(),
        };
        let mut pipeline = Pipeline {
            jobs: BTreeMap::new(),
            steps: Vec::new(),
        };
        for job in &jobs {
            let ready = job
                .needs
                .iter()
                .all(|n| pipeline.jobs.get(n) == Some(&Outcome::Passed));
            let wanted =
                job.conditions.is_empty() || job.conditions.iter().any(|c| holds(c, event));
            // A GitLab job left out by its rules is not part of the pipeline
            // at all, so later stages do not wait for it.
            if !wanted && ci == Ci::GitLab {
                continue;
            }
            if !ready || !wanted {
                pipeline.jobs.insert(job.name.clone(), Outcome::Skipped);
                continue;
            }
            let outcome = self.run_job(ci, event, job, &mut pipeline.steps);
            pipeline.jobs.insert(job.name.clone(), outcome);
        }
        pipeline
    }

    fn run_job(&self, ci: Ci, event: Event, job: &Job, log: &mut Vec<StepRun>) -> Outcome {
        // Each job gets fresh `$GITHUB_ENV` and `$GITHUB_PATH` files, as each
        // runs on a fresh runner.
        let files = GitHubFiles {
            env: self.tools.path().join(format!("github-env-{}", job.name)),
            path: self.tools.path().join(format!("github-path-{}", job.name)),
            summary: self
                .tools
                .path()
                .join(format!("github-summary-{}", job.name)),
        };
        let mut env = self.base_env();
        env.extend(self.ci_env(ci, event, &files));
        let mut failed = false;
        for step in &job.steps {
            let runs = match &step.condition {
                None => !failed,
                Some(c) => holds(c, event),
            };
            if !runs {
                continue;
            }
            std::fs::write(&files.env, "").unwrap();
            std::fs::write(&files.path, "").unwrap();
            let mut step_env = env.clone();
            step_env.extend(step.env.iter().cloned());
            if ci == Ci::GitLab {
                // Set as a project's CI/CD variable would be, which GitLab
                // puts above the file's `variables:`.
                step_env.push(("THROUGHLINE_RELEASES".into(), self.releases.clone()));
            }
            let run = self.run_step(&job.name, step, &step_env);
            if run.code != 0 && !step.continue_on_error {
                failed = true;
            }
            log.push(run);
            // What a step appends to `$GITHUB_ENV` is set for the steps after it.
            let appended = std::fs::read_to_string(&files.env).unwrap();
            for line in appended.lines().filter(|l| !l.is_empty()) {
                assert!(
                    !line.contains("<<"),
                    "multi-line $GITHUB_ENV values are not simulated"
                );
                let (k, v) = line.split_once('=').expect("NAME=value in $GITHUB_ENV");
                env.push((k.to_string(), v.to_string()));
            }
            // A folder appended to `$GITHUB_PATH` goes on `PATH`, behind the
            // test's own tools, so the binary under test is still the one run.
            for dir in std::fs::read_to_string(&files.path).unwrap().lines().rev() {
                let path = &env.iter().rev().find(|(k, _)| k == "PATH").unwrap().1;
                let (tools, rest) = path.split_once(':').unwrap_or((path, ""));
                env.push(("PATH".into(), format!("{tools}:{dir}:{rest}")));
            }
        }
        if failed {
            Outcome::Failed
        } else {
            Outcome::Passed
        }
    }

    fn run_step(&self, job: &str, step: &Step, env: &[(String, String)]) -> StepRun {
        let dir = tempfile::tempdir().unwrap();
        let (stdout_path, stderr_path) = (dir.path().join("out"), dir.path().join("err"));
        let mut child = Command::new("bash")
            .args([
                "--noprofile",
                "--norc",
                "-eo",
                "pipefail",
                "-c",
                &step.script,
            ])
            .current_dir(self.root())
            .env_clear()
            .envs(env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .stdout(std::fs::File::create(&stdout_path).unwrap())
            .stderr(std::fs::File::create(&stderr_path).unwrap())
            .spawn()
            .expect("bash");
        let started = Instant::now();
        let status = loop {
            if let Some(status) = child.try_wait().expect("wait") {
                break status;
            }
            if started.elapsed() > STEP_TIME_LIMIT {
                let _ = child.kill();
                panic!(
                    "{job} / {}: did not finish within {STEP_TIME_LIMIT:?}",
                    step.name
                );
            }
            std::thread::sleep(Duration::from_millis(10));
        };
        StepRun {
            job: job.to_string(),
            step: step.name.clone(),
            code: status.code().unwrap_or(-1),
            stdout: std::fs::read_to_string(&stdout_path).unwrap_or_default(),
            stderr: std::fs::read_to_string(&stderr_path).unwrap_or_default(),
        }
    }

    fn public(&self) -> PathBuf {
        self.root().join("public")
    }

    /// What the `gh` stand-in was asked to do, with the bodies it was given.
    fn gh_log(&self) -> String {
        std::fs::read_to_string(self.tools.path().join("gh.log")).unwrap_or_default()
    }

    /// The job summary `job` wrote.
    fn summary(&self, job: &str) -> String {
        std::fs::read_to_string(self.tools.path().join(format!("github-summary-{job}")))
            .unwrap_or_default()
    }
}

/// A starter site from `throughline init`, dated on the commit's day.
fn init_site() -> SiteTest {
    let site = SiteTest::new();
    let run = site.run(&["init", "ROOT", "--today", "2026-11-24"]);
    assert_eq!(run.code, 0, "init: {}", run.stderr);
    site
}

/// A starter site with one error: a link to a document that does not exist.
fn site_with_an_error() -> SiteTest {
    init_site().file(
        "pages/broken.md",
        "---\ntitle: Broken\n---\nSee [[no-such-document]].\n",
    )
}

/// Findings of the given severity in `--format github` output.
fn annotations(stdout: &str, severity: &str) -> usize {
    stdout
        .lines()
        .filter(|l| l.starts_with(&format!("::{severity} ")))
        .count()
}

fn assert_published(repo: &Repo, pipeline: &Pipeline, publish: &str, pages_url: &str) {
    assert_eq!(pipeline.job(publish), Outcome::Passed, "{}", pipeline.log());
    let public = repo.public();
    assert!(
        public.join("index.html").is_file(),
        "no public/index.html:\n{}",
        pipeline.log()
    );
    let not_found = std::fs::read_to_string(public.join("404.html")).unwrap();
    assert!(
        not_found.contains(&format!("{pages_url}/")),
        "404.html does not use the Pages address {pages_url}/"
    );
}

fn new_site_is_checked_and_published(ci: Ci, check: &str, publish: &str, pages_url: &str) {
    let repo = Repo::new(init_site());
    let pipeline = repo.run(ci, Event::PushToMain);
    assert_eq!(pipeline.job(check), Outcome::Passed, "{}", pipeline.log());
    assert_published(&repo, &pipeline, publish, pages_url);
}

#[test]
fn github_checks_and_publishes_a_new_site() {
    new_site_is_checked_and_published(Ci::GitHub, "check", "publish", GITHUB_PAGES_URL);
}

#[test]
fn gitlab_checks_and_publishes_a_new_site() {
    new_site_is_checked_and_published(Ci::GitLab, "check", "pages", GITLAB_PAGES_URL);
}

#[test]
fn github_judges_a_pull_request_by_its_commit_and_publishes_despite_warnings() {
    let repo = Repo::new(SiteTest::example());

    let pr = repo.run(Ci::GitHub, Event::PullRequest);
    assert_eq!(pr.job("check"), Outcome::Passed, "{}", pr.log());
    assert_eq!(
        pr.job("publish"),
        Outcome::Skipped,
        "a pull request publishes nothing"
    );
    let check = pr.step("check", "Check");
    // As of the commit's day the example has exactly its seven planted warnings.
    assert_eq!(annotations(&check.stdout, "warning"), 7, "{}", pr.log());
    assert_eq!(annotations(&check.stdout, "error"), 0, "{}", pr.log());
    let sarif: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(repo.root().join("throughline.sarif")).unwrap(),
    )
    .expect("SARIF is JSON");
    assert_eq!(sarif["runs"][0]["results"].as_array().unwrap().len(), 7);
    assert!(!repo.public().exists(), "a pull request built the site");

    let main = repo.run(Ci::GitHub, Event::PushToMain);
    let check = main.step("check", "Check");
    // As of today, more has become stale: still warnings, and still published.
    assert!(annotations(&check.stdout, "warning") > 5, "{}", main.log());
    assert_eq!(annotations(&check.stdout, "error"), 0, "{}", main.log());
    assert_eq!(main.job("check"), Outcome::Passed, "{}", main.log());
    assert_published(&repo, &main, "publish", GITHUB_PAGES_URL);
    let home = std::fs::read_to_string(repo.public().join("index.html")).unwrap();
    assert!(
        home.contains(CLOCK_DAY),
        "the published site is not judged as of today"
    );
}

#[test]
fn gitlab_judges_a_merge_request_by_its_commit_and_publishes_despite_warnings() {
    let repo = Repo::new(SiteTest::example());

    let mr = repo.run(Ci::GitLab, Event::PullRequest);
    assert_eq!(mr.job("check"), Outcome::Passed, "{}", mr.log());
    assert!(
        !mr.jobs.contains_key("pages"),
        "a merge request runs no pages job"
    );
    let check = mr.step("check", "script");
    assert_eq!(check.stdout.matches("warning[").count(), 7, "{}", mr.log());
    assert!(!repo.public().exists(), "a merge request built the site");

    let main = repo.run(Ci::GitLab, Event::PushToMain);
    let check = main.step("check", "script");
    assert!(
        check.stdout.matches("warning[").count() > 5,
        "{}",
        main.log()
    );
    assert_eq!(main.job("check"), Outcome::Passed, "{}", main.log());
    assert_published(&repo, &main, "pages", GITLAB_PAGES_URL);
    let home = std::fs::read_to_string(repo.public().join("index.html")).unwrap();
    assert!(
        home.contains(CLOCK_DAY),
        "the published site is not judged as of today"
    );
}

#[test]
fn github_holds_back_the_deploy_on_an_error() {
    let repo = Repo::new(site_with_an_error());
    let pipeline = repo.run(Ci::GitHub, Event::PushToMain);
    assert_eq!(pipeline.job("check"), Outcome::Failed, "{}", pipeline.log());
    let check = pipeline.step("check", "Check");
    assert_eq!(check.code, 1, "{}", pipeline.log());
    assert!(check.stdout.contains("::error "), "{}", pipeline.log());
    // The SARIF step still runs and succeeds, so code scanning shows the error.
    let sarif = pipeline.step("check", "Findings for code scanning");
    assert_eq!(sarif.code, 0, "{}", pipeline.log());
    assert!(repo.root().join("throughline.sarif").is_file());
    assert_eq!(pipeline.job("publish"), Outcome::Skipped);
    assert!(!repo.public().exists(), "a site with an error was built");
}

#[test]
fn gitlab_holds_back_the_deploy_on_an_error() {
    let repo = Repo::new(site_with_an_error());
    let pipeline = repo.run(Ci::GitLab, Event::PushToMain);
    assert_eq!(pipeline.job("check"), Outcome::Failed, "{}", pipeline.log());
    assert!(pipeline.step("check", "script").stdout.contains("error["));
    assert_eq!(pipeline.job("pages"), Outcome::Skipped);
    assert!(!repo.public().exists(), "a site with an error was built");
}

#[test]
fn github_reports_a_pull_requests_strategy_changes_as_summary_and_comment() {
    let origin = Repo::new(SiteTest::example());
    // The pull request commits a bet that was proposed, on its own branch.
    let bet = origin.root().join("bets/bet-multi-currency.md");
    let text = std::fs::read_to_string(&bet).expect("the example's bet");
    assert!(
        text.contains("status: proposed"),
        "the example changed: {text}"
    );
    origin.git(&["checkout", "-q", "-b", "pr"]);
    std::fs::write(&bet, text.replace("status: proposed", "status: committed")).unwrap();
    origin.git(&["commit", "-qam", "commit the bet"]);
    // Meanwhile main moves on with a change of its own, which the pull
    // request's report must not claim.
    origin.git(&["checkout", "-q", "main"]);
    let readme = origin.root().join("README.md");
    let mut notes = std::fs::read_to_string(&readme).expect("README");
    notes.push_str("\nA note on main.\n");
    std::fs::write(&readme, notes).unwrap();
    let main_page = origin.root().join("main-only.md");
    std::fs::write(
        &main_page,
        "---\nid: main-only\nkind: page\ntitle: Main only\n---\n",
    )
    .unwrap();
    origin.git(&["add", "-A"]);
    origin.git(&["commit", "-qm", "main moves on"]);
    // GitHub's refs/pull/1/merge: the pull request merged into main.
    origin.git(&["merge", "-q", "--no-ff", "-m", "merge pr", "pr"]);
    let merge = origin.git(&["rev-parse", "HEAD"]);
    origin.git(&["reset", "-q", "--hard", "HEAD^1"]);

    let repo = Repo::checkout(&origin, &merge);
    let pr = repo.run(Ci::GitHub, Event::PullRequest);
    assert_eq!(pr.job("check"), Outcome::Passed, "{}", pr.log());
    let summary = repo.summary("check");
    assert!(
        summary.starts_with("## Strategy changes from origin/main"),
        "{summary}\n{}",
        pr.log()
    );
    assert!(
        summary.contains("  - status: proposed → committed\n"),
        "{summary}"
    );
    // Only the pull request's changes: not main's page, not the report itself.
    for stranger in ["main-only", "strategy-changes", "Added"] {
        assert!(!summary.contains(stranger), "{stranger} in {summary}");
    }
    assert_eq!(
        repo.git(&[
            "status",
            "--porcelain",
            "--untracked-files=all",
            "--",
            "*.md"
        ]),
        "",
        "the report is written outside the checkout"
    );
    // `--edit-last` finds no comment on a new pull request, so one is created with the same report.
    let gh = repo.gh_log();
    let report = repo.tools.path().join("runner-temp/strategy-changes.md");
    assert!(
        gh.contains(&format!(
            "gh pr comment 1 --edit-last --body-file {}\n",
            report.display()
        )),
        "{gh}"
    );
    assert!(
        gh.contains(&format!(
            "gh pr comment 1 --body-file {}\n",
            report.display()
        )),
        "{gh}"
    );
    assert!(gh.ends_with(&summary), "the comment is the summary: {gh}");

    // A push to main reports nothing and comments nothing.
    let main = repo.run(Ci::GitHub, Event::PushToMain);
    assert_eq!(main.job("check"), Outcome::Passed, "{}", main.log());
    assert!(repo.summary("check") == summary, "a push wrote a summary");
    assert_eq!(repo.gh_log(), gh, "a push commented");
}

#[test]
fn gitlab_installs_nothing_from_a_release_that_fails_its_checksum() {
    let repo = Repo::new(init_site());
    let sums = PathBuf::from(format!("{}.sha256", repo.archive.display()));
    let good = std::fs::read_to_string(&sums).unwrap();
    std::fs::write(&sums, format!("{}{}", "0".repeat(64), &good[64..])).unwrap();
    let pipeline = repo.run(Ci::GitLab, Event::PushToMain);
    assert_eq!(pipeline.job("check"), Outcome::Failed, "{}", pipeline.log());
    let check = pipeline.step("check", "script");
    assert!(
        check.stdout.contains(": FAILED") && check.stderr.contains("did NOT match"),
        "{}",
        pipeline.log()
    );
    assert!(
        !repo.root().join(".throughline/bin/throughline").exists(),
        "a binary was installed"
    );
    assert_eq!(pipeline.job("pages"), Outcome::Skipped);
    assert!(!repo.public().exists());
}
