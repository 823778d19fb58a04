//! What both integration-test binaries share (`tests/testsuite/` and
//! `tests/slow/` each declare it with `#[path]`): `SiteTest`, a site in a
//! temporary folder (copied from `tests/fixtures/`, written inline, or
//! generated: `portfolio`, `split_trace`); a
//! runner for the real binary; [`wait_within`] and [`run_limited`], which
//! turn a hang into a failure instead of a stalled CI; [`snapshot_dir`] for
//! byte-for-byte comparisons of outputs. The time limits only catch hangs:
//! no test asserts how fast something ran (deadlines live in the benchmarks
//! and `scripts/worst-cases.sh`).

pub(crate) mod git_spy;
pub(crate) mod listener;
pub(crate) mod smtp;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::time::{Duration, Instant};

/// Longest any single command may take in the suite before it counts as a hang.
const TIME_LIMIT: Duration = Duration::from_secs(30);

pub(crate) struct SiteTest {
    dir: tempfile::TempDir,
}

pub(crate) struct Run {
    pub(crate) code: i32,
    pub(crate) stdout: String,
    pub(crate) stderr: String,
}

impl Run {
    /// The JSON diagnostics as `rule file:line:column` strings.
    pub(crate) fn findings(&self) -> Vec<String> {
        self.json()
            .iter()
            .map(|v| {
                format!(
                    "{} {}:{}:{}",
                    v["rule"].as_str().unwrap(),
                    v["file"].as_str().unwrap(),
                    v["line"],
                    v["column"]
                )
            })
            .collect()
    }

    /// Like [`Run::findings`], without the strategy-health rules.
    pub(crate) fn structural_findings(&self) -> Vec<String> {
        self.findings()
            .into_iter()
            .filter(|f| {
                !throughline::rules::HEALTH_RULES.contains(&f.split(' ').next().unwrap_or(""))
            })
            .collect()
    }

    /// The stdout lines parsed as JSON objects.
    pub(crate) fn json(&self) -> Vec<serde_json::Value> {
        self.stdout
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON: {l}: {e}")))
            .collect()
    }
}

impl SiteTest {
    /// An empty site.
    pub(crate) fn new() -> SiteTest {
        SiteTest {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    /// A copy of `tests/fixtures/<name>`.
    pub(crate) fn fixture(name: &str) -> SiteTest {
        let site = SiteTest::new();
        copy_dir(&fixtures_dir().join(name), site.root());
        site
    }

    /// A copy of the repository's `content-example/`.
    pub(crate) fn example() -> SiteTest {
        let site = SiteTest::new();
        copy_dir(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("content-example"),
            site.root(),
        );
        site
    }

    pub(crate) fn root(&self) -> &Path {
        self.dir.path()
    }

    /// Writes a file (creating folders) and returns the site for chaining.
    pub(crate) fn file(self, rel: &str, contents: impl AsRef<[u8]>) -> SiteTest {
        let path = self.root().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, contents).unwrap();
        self
    }

    /// The absolute path of `rel` under the root, as an argument.
    pub(crate) fn path(&self, rel: &str) -> String {
        self.root().join(rel).to_string_lossy().into_owned()
    }

    /// The text of the file at `rel` under the root.
    pub(crate) fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.root().join(rel)).unwrap_or_else(|e| panic!("read {rel}: {e}"))
    }

    /// Runs `throughline COMMAND --root ROOT ARGS...`: the commands that
    /// write into the site (`checkin`, `review`, `new`).
    pub(crate) fn run_in(&self, command: &str, args: &[&str]) -> Run {
        let mut all = vec![command, "--root", "ROOT"];
        all.extend_from_slice(args);
        self.run(&all)
    }

    /// Runs `throughline ARGS...` with the site root appended where `ROOT` appears.
    pub(crate) fn run(&self, args: &[&str]) -> Run {
        self.run_with_env(args, &[])
    }

    pub(crate) fn run_with_env(&self, args: &[&str], env: &[(&str, &str)]) -> Run {
        let root = self.root().to_string_lossy().into_owned();
        let args: Vec<String> = args
            .iter()
            .map(|a| {
                if *a == "ROOT" {
                    root.clone()
                } else {
                    a.to_string()
                }
            })
            .collect();
        run_binary(&args, env, self.root())
    }
}

/// A build into an output folder outside the site, which lives as long as this does.
pub(crate) struct Built {
    _dir: tempfile::TempDir,
    /// The output folder (it does not exist if the build wrote nothing).
    pub(crate) out: PathBuf,
    /// The build's run.
    pub(crate) run: Run,
}

impl SiteTest {
    /// Runs `build ROOT -o OUT --today 2026-11-24 EXTRA...` into a fresh temporary folder.
    pub(crate) fn build_elsewhere(&self, extra: &[&str], env: &[(&str, &str)]) -> Built {
        let dir = tempfile::tempdir().expect("out dir");
        let out = dir.path().join("site");
        let out_arg = out.to_string_lossy().into_owned();
        let mut args = vec!["build", "ROOT", "-o", &out_arg, "--today", "2026-11-24"];
        args.extend_from_slice(extra);
        let run = self.run_with_env(&args, env);
        Built {
            _dir: dir,
            out,
            run,
        }
    }
}

pub(crate) fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// The tests' own cache folder: every run of the binary keeps its files
/// there (the history, the marks of the folders a build may leave behind).
/// Fails unless `text` (named `what` in the message) holds every needle.
#[track_caller]
pub(crate) fn assert_contains_all(text: &str, what: &str, needles: &[&str]) {
    for needle in needles {
        assert!(
            text.contains(needle),
            "`{needle}` not in the {what}:\n{text}"
        );
    }
}

/// Fails if `text` (named `what` in the message) holds any needle.
#[track_caller]
pub(crate) fn assert_contains_none(text: &str, what: &str, needles: &[&str]) {
    for needle in needles {
        assert!(!text.contains(needle), "`{needle}` in the {what}:\n{text}");
    }
}

/// The YAML block of docs/guide.md whose first line is `# HEADER` (a CI
/// recipe), parsed: what the recipe tests run.
pub(crate) fn guide_yaml(header: &str) -> serde_yaml::Value {
    let guide =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/guide.md"))
            .expect("docs/guide.md");
    let marker = format!("```yaml\n# {header}\n");
    let start = guide
        .find(&marker)
        .unwrap_or_else(|| panic!("docs/guide.md has no yaml block starting `# {header}`"))
        + "```yaml\n".len();
    let len = guide[start..].find("\n```").expect("unclosed code block");
    serde_yaml::from_str(&guide[start..start + len])
        .unwrap_or_else(|e| panic!("the {header} block in docs/guide.md is not YAML: {e}"))
}

pub(crate) fn cache_dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("throughline-cache")
}

pub(crate) fn run_binary(args: &[String], env: &[(&str, &str)], cwd: &Path) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_throughline"));
    cmd.args(args)
        .current_dir(cwd)
        .env_remove("SOURCE_DATE_EPOCH")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    // What a build keeps between runs goes to the tests' own folder, not
    // the user's cache (a test may name another with its env).
    cmd.env("THROUGHLINE_CACHE_DIR", cache_dir());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("spawn throughline");
    let stdout = child.stdout.take().unwrap();
    let stderr = child.stderr.take().unwrap();
    let out_reader =
        std::thread::spawn(move || std::io::read_to_string(stdout).unwrap_or_default());
    let err_reader =
        std::thread::spawn(move || std::io::read_to_string(stderr).unwrap_or_default());
    let status = wait_within(&mut child, TIME_LIMIT, &format!("throughline {args:?}"));
    Run {
        code: status.code().unwrap_or(-1),
        stdout: out_reader.join().unwrap(),
        stderr: err_reader.join().unwrap(),
    }
}

/// Waits for `child`, killing it and failing the test if it runs longer
/// than `limit`: a hang guard, not a measure of speed.
pub(crate) fn wait_within(child: &mut Child, limit: Duration, what: &str) -> ExitStatus {
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            return status;
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{what} did not finish within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// Runs `cmd` to completion with its output captured, killing it (and
/// failing the test) after `limit`.
pub(crate) fn run_limited(mut cmd: Command, limit: Duration) -> Output {
    let shown = format!("{cmd:?}");
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("spawn {shown}: {e}"));
    let (stdout, stderr) = (child.stdout.take().unwrap(), child.stderr.take().unwrap());
    // Read both pipes while waiting, so a chatty tool cannot block on a full pipe.
    let out = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = std::io::Read::read_to_end(&mut { stdout }, &mut buf);
        buf
    });
    let err = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = std::io::Read::read_to_end(&mut { stderr }, &mut buf);
        buf
    });
    let status = wait_within(&mut child, limit, &shown);
    Output {
        status,
        stdout: out.join().unwrap(),
        stderr: err.join().unwrap(),
    }
}

/// The first of `names` found on `PATH`.
pub(crate) fn which(names: &[&str]) -> Option<PathBuf> {
    names.iter().find_map(|name| {
        let found = Command::new("which").arg(name).output().ok()?;
        found
            .status
            .success()
            .then(|| PathBuf::from(String::from_utf8_lossy(&found.stdout).trim()))
    })
}

/// Every file under `dir`, relative path to bytes.
pub(crate) fn snapshot_dir(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                files.insert(
                    p.strip_prefix(dir).unwrap().to_string_lossy().into_owned(),
                    std::fs::read(&p).unwrap(),
                );
            }
        }
    }
    files
}

pub(crate) fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir_entries(from) {
        let rel = entry.strip_prefix(from).unwrap();
        let target = to.join(rel);
        if entry.is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::create_dir_all(target.parent().unwrap()).unwrap();
            std::fs::copy(&entry, &target).unwrap();
        }
    }
}

fn walkdir_entries(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap_or_else(|e| panic!("{}: {e}", d.display())) {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p.clone());
            }
            out.push(p);
        }
    }
    out
}

/// Runs git in `dir` as a fixed author at a fixed date, so scripted histories are the same every run.
pub(crate) fn git(dir: &Path, args: &[&str]) {
    git_at(dir, "2026-11-01", args);
}

/// Writes `text` to `rel` under `root`, making its folders.
pub(crate) fn write_file(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    std::fs::write(path, text).expect("write");
}

/// Commits everything in the work tree at `root` on `date`, as [`git_at`].
pub(crate) fn commit_all_at(root: &Path, date: &str, message: &str) {
    git_at(root, date, &["add", "-A"]);
    git_at(root, date, &["commit", "-q", "-m", message]);
}

/// [`git`] on `date` (`YYYY-MM-DD`, noon UTC), for histories that span time.
pub(crate) fn git_at(dir: &Path, date: &str, args: &[&str]) {
    let when = format!("{date}T12:00:00Z");
    let status = Command::new("git")
        .current_dir(dir)
        .args([
            "-c",
            "user.name=Test",
            "-c",
            "user.email=test@example.com",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .env("GIT_AUTHOR_DATE", &when)
        .env("GIT_COMMITTER_DATE", &when)
        .status()
        .expect("git runs");
    assert!(status.success(), "git {args:?}");
}

/// A site of `count` teams, each linking to the first.
pub(crate) fn teams(count: usize) -> SiteTest {
    let site = SiteTest::new();
    std::fs::create_dir_all(site.root().join("teams")).unwrap();
    for i in 0..count {
        write_team(&site, i, "");
    }
    site
}

/// Writes team `i` with `extra` appended to its body.
pub(crate) fn write_team(site: &SiteTest, i: usize, extra: &str) {
    let text = format!(
        "---\nid: team-{i}\nkind: team\ntitle: Team {i}\nreviewed: 2026-10-01\n---\n\
         # Team {i}\n\nTeam {i} works with [the first team](team-0).{extra}\n"
    );
    std::fs::write(site.root().join(format!("teams/team-{i}.md")), text).unwrap();
}

/// The names in `dir`, sorted.
pub(crate) fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// The names in `dir` that look like a leftover of a build into `public`.
pub(crate) fn leftovers(dir: &Path) -> Vec<String> {
    names(dir)
        .into_iter()
        .filter(|n| n.starts_with(".public.new-") || n.starts_with(".public.old-"))
        .collect()
}

/// `throughline build ROOT` (judged on 2026-11-24) in the background with `env`, with the three
/// signals at their default action whatever the test runner inherited (a
/// shell ignores SIGINT for a background job, and the build keeps an
/// inherited ignore).
#[cfg(unix)]
pub(crate) fn spawn_build(root: &Path, env: &[(&str, &str)]) -> Child {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_throughline"));
    cmd.args(["build", "--today", "2026-11-24"])
        .arg(root)
        .env("NO_COLOR", "1")
        .env("THROUGHLINE_CACHE_DIR", crate::support::cache_dir())
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    // SAFETY: only async-signal-safe calls between fork and exec.
    unsafe {
        std::os::unix::process::CommandExt::pre_exec(&mut cmd, || {
            for signal in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP] {
                libc::signal(signal, libc::SIG_DFL);
            }
            Ok(())
        });
    }
    cmd.spawn().expect("spawn throughline")
}

/// Serves the files under `dir` over HTTP on 127.0.0.1 (GET only, 404 for
/// anything missing or outside it) from a thread that lives as long as the
/// test process; returns the base URL. A release download site for
/// scripts/install.sh, action.yml and the CI recipes, which take the URL
/// from `THROUGHLINE_DOWNLOAD_URL` or `THROUGHLINE_RELEASES`.
pub(crate) fn serve_files(dir: &Path) -> String {
    use std::io::{BufRead, BufReader, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
    let url = format!("http://{}", listener.local_addr().expect("address"));
    let dir = dir.to_path_buf();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().expect("clone"));
            let mut request = String::new();
            let _ = reader.read_line(&mut request);
            // The rest of the head, unread, would reset the connection.
            let mut line = String::new();
            while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                line.clear();
            }
            let path = request.split(' ').nth(1).unwrap_or("/");
            let file = (!path.contains(".."))
                .then(|| dir.join(path.trim_start_matches('/')))
                .and_then(|p| std::fs::read(p).ok());
            let _ = match file {
                Some(bytes) => stream
                    .write_all(
                        format!(
                            "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                            bytes.len()
                        )
                        .as_bytes(),
                    )
                    .and_then(|()| stream.write_all(&bytes)),
                None => stream.write_all(
                    b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                ),
            };
        }
    });
    url
}

/// Packs a release of `version` for `target` into `dir/<version>/` with
/// scripts/package-release.sh, as the release workflow does, and returns the
/// archive's path. The binary packed is a two-line script that runs this
/// build's `throughline`: what is tested is the packing, the download and the
/// checksum, not the 170 MB debug binary (which would take long to gzip).
pub(crate) fn fake_release(dir: &Path, version: &str, target: &str) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let stand_in = dir.join("throughline-stand-in");
    std::fs::create_dir_all(dir).expect("release folder");
    std::fs::write(
        &stand_in,
        format!(
            "#!/bin/sh\nexec '{}' \"$@\"\n",
            env!("CARGO_BIN_EXE_throughline")
        ),
    )
    .expect("stand-in");
    std::fs::set_permissions(&stand_in, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let out = dir.join(version);
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/package-release.sh");
    let run = Command::new("bash")
        .arg(script)
        .args([version, target])
        .arg(&stand_in)
        .arg(&out)
        .output()
        .expect("bash");
    assert!(
        run.status.success(),
        "package-release.sh failed: {}",
        String::from_utf8_lossy(&run.stderr)
    );
    PathBuf::from(String::from_utf8_lossy(&run.stdout).trim())
}

/// Runs `throughline ARGS...` in `cwd` with its standard output a pipe
/// whose reading end is closed before it starts (`… | head` once `head`
/// has gone), so that its first write fails: the exit status and stderr.
#[cfg(unix)]
pub(crate) fn run_into_closed_pipe(args: &[&str], cwd: &Path) -> (ExitStatus, String) {
    use std::os::fd::{FromRawFd, OwnedFd};
    let mut fds = [0; 2];
    // SAFETY: `pipe` fills the two descriptors it is given.
    assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0, "pipe");
    // SAFETY: both descriptors were just made and nothing else owns them.
    let (reader, writer) = unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
    drop(reader);
    let mut child = Command::new(env!("CARGO_BIN_EXE_throughline"))
        .args(args)
        .current_dir(cwd)
        .env_remove("SOURCE_DATE_EPOCH")
        .env("NO_COLOR", "1")
        .env("THROUGHLINE_CACHE_DIR", cache_dir())
        .stdin(Stdio::null())
        .stdout(Stdio::from(writer))
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn throughline");
    let stderr = child.stderr.take().expect("stderr");
    let err_reader =
        std::thread::spawn(move || std::io::read_to_string(stderr).unwrap_or_default());
    let status = wait_within(&mut child, TIME_LIMIT, &format!("throughline {args:?}"));
    (status, err_reader.join().unwrap_or_default())
}

/// Whether `status` is a clean exit or death by SIGPIPE, as `git log | head` ends.
#[cfg(unix)]
pub(crate) fn quiet_on_closed_pipe(status: ExitStatus) -> bool {
    use std::os::unix::process::ExitStatusExt;
    status.success() || status.signal() == Some(libc::SIGPIPE)
}

impl SiteTest {
    /// A generated site big enough to page its roadmap and quarter review:
    /// a company strategy; product strategies holding `bets` bets (a bet
    /// under none, without a parent, for each 0); even bets of 2026-Q4, odd ones of 2027-Q1
    /// and 2026-Q3 in turn; under each 2026-Q4 bet an objective. Goals
    /// stand at every outcome: met, behind, missed, unmeasured, without
    /// target or metric; one review covers three items with a table row each.
    pub(crate) fn portfolio(bets: &[usize]) -> SiteTest {
        let mut site = SiteTest::new()
            .file("throughline.yaml", "title: Portfolio\nhistory: false\n")
            .file(
                "strategy/cs.md",
                "---\nid: cs\nkind: company-strategy\ntitle: Company\nowner: Ana\nreviewed: 2026-11-01\n---\nWhy we exist.\n",
            )
            .file(
                "metrics/m-rate.md",
                "---\nid: m-rate\nkind: metric\ntitle: Rate\nunit: \"%\"\nowner: Ana\ncheckins:\n  - {date: 2026-09-20, value: 10}\n  - {date: 2026-11-15, value: 30}\n---\n",
            );
        let mut n = 0;
        for (s, &count) in bets.iter().enumerate() {
            let parent = if count == 0 {
                continue;
            } else {
                format!("ps-{s}")
            };
            site = site.file(
                &format!("strategy/ps-{s}.md"),
                format!("---\nid: ps-{s}\nkind: product-strategy\nparent: cs\ntitle: Strategy {s}\nowner: Ana\nreviewed: 2026-11-01\n---\nHow.\n"),
            );
            for _ in 0..count {
                site = site.portfolio_bet(n, &parent);
                n += 1;
            }
        }
        for _ in bets.iter().filter(|&&c| c == 0) {
            site = site.portfolio_bet(n, "");
            n += 1;
        }
        site.file(
            "reviews/review-mid.md",
            "---\nid: review-mid\nkind: review\ntitle: Mid-quarter check\ndate: 2026-11-18\nowner: Ana\ncovers: [bet-0, obj-0, bet-2]\n---\nThe rate moved because of the new rail.\n\n| Item | Finding | Decision |\n|---|---|---|\n| [[bet-0]] | Rate up to 30% | Keep |\n| [[obj-0]] | On pace | Keep |\n| [[bet-2]] | Flat | Stop |\n",
        )
    }

    /// A generated site whose trace is split over pages: company strategy
    /// `cs-0`; product strategies `ps-0` to `ps-2`; under each, bets
    /// `bet-P-0` to `bet-P-9` (of status `bet_status`, without a success
    /// metric); under each bet, objectives `obj-P-B-0` to `obj-P-B-79`
    /// (`active`, without key results): 2,434 documents, all reviewed
    /// 2026-11-01 and owned by `Owner N` (N the id's length mod 3), and
    /// metric `m`, 0 on 2026-10-01 and 10 on 2026-11-15. `planted` adds front
    /// matter to the documents it names: the facts a test asserts.
    pub(crate) fn split_trace(bet_status: &str, planted: &[(&str, &str)]) -> SiteTest {
        let mut site = SiteTest::new()
            .file("throughline.yaml", "title: A large tree\n")
            .file(
                "m.md",
                "---\nid: m\nkind: metric\ntitle: Activations\ncheckins:\n  - {date: 2026-10-01, value: 0}\n  - {date: 2026-11-15, value: 10}\n---\n",
            );
        let mut unplanted: Vec<&str> = planted.iter().map(|(id, _)| *id).collect();
        let mut doc = |id: &str, kind: &str, parent: Option<&str>, status: &str| {
            let parent = parent.map(|p| format!("parent: {p}\n")).unwrap_or_default();
            let extra = planted
                .iter()
                .find(|(planted, _)| *planted == id)
                .map_or("", |(_, extra)| extra);
            unplanted.retain(|planted| *planted != id);
            format!("---\nid: {id}\nkind: {kind}\ntitle: Title of {id}\n{parent}status: {status}\nowner: Owner {}\nreviewed: 2026-11-01\n{extra}---\nBody.\n", id.len() % 3)
        };
        site = site.file("s/cs-0.md", doc("cs-0", "company-strategy", None, "active"));
        for p in 0..3 {
            let ps = format!("ps-{p}");
            site = site.file(
                &format!("s/{ps}.md"),
                doc(&ps, "product-strategy", Some("cs-0"), "active"),
            );
            for b in 0..10 {
                let bet = format!("bet-{p}-{b}");
                site = site.file(
                    &format!("b/{bet}.md"),
                    doc(&bet, "bet", Some(&ps), bet_status),
                );
                for o in 0..80 {
                    let obj = format!("obj-{p}-{b}-{o}");
                    site = site.file(
                        &format!("o/{obj}.md"),
                        doc(&obj, "objective", Some(&bet), "active"),
                    );
                }
            }
        }
        assert!(unplanted.is_empty(), "no such document: {unplanted:?}");
        site
    }

    fn portfolio_bet(self, n: usize, parent: &str) -> SiteTest {
        let quarter = match n % 4 {
            0 | 2 => "2026-Q4",
            1 => "2027-Q1",
            _ => "2026-Q3",
        };
        // Success on the rate (10% → 30% of a 40% target: behind by
        // 2026-11-24), met (target 20%), or none.
        let success = match n % 3 {
            0 => "success: {metric: m-rate, baseline: 10, target: 40, deadline: 2026-12-31}\n",
            1 => "success: {metric: m-rate, baseline: 10, target: 20, deadline: 2026-12-31}\n",
            _ => "",
        };
        let parent = if parent.is_empty() {
            String::new()
        } else {
            format!("parent: {parent}\n")
        };
        let site = self.file(
            &format!("bets/bet-{n}.md"),
            format!("---\nid: bet-{n}\nkind: bet\n{parent}title: Bet {n}\nstatus: in-progress\nquarter: {quarter}\nsize: small\nowner: Ana\nreviewed: 2026-11-01\n{success}---\nWhat.\n"),
        );
        if quarter != "2026-Q4" {
            return site;
        }
        site.file(
            &format!("objectives/obj-{n}.md"),
            format!("---\nid: obj-{n}\nkind: objective\nparent: bet-{n}\ntitle: Objective {n}\nstatus: in-progress\nowner: Ana\nreviewed: 2026-11-01\nkey_results:\n  - {{metric: m-rate, baseline: 10, target: 25, by: 2026-12-31}}\n  - {{metric: m-rate, baseline: 10, target: 90, by: 2026-11-01}}\n  - {{metric: m-rate, target: 50}}\n---\nWhy.\n"),
        )
    }
}
