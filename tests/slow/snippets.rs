//! Every setup snippet in the docs runs, or is at least parsed: each code
//! block of docs/editors.md and of the guide's "Installing", "A first site"
//! and "Continuous integration" sections is claimed by one check below, and
//! a block no check claims fails the test, so a new snippet cannot go
//! untested. Run here: the Neovim 0.7 setup in Neovim (the 0.8+ one too
//! where Neovim is 0.8 or later; Debian 12 ships 0.7), the release
//! installer against a release served locally, `cargo install --locked
//! --path .` (unoptimised), the first-site commands, and the pre-commit
//! config against a repository tagged `v0.1.0`. Parsed: the Helix TOML
//! (Python's tomllib), the VS Code and Zed JSON, the Emacs Lisp (balanced,
//! naming the command), the 0.8+ Lua on older Neovims, and the command
//! that builds from the repository by tag. The CI recipes are run by
//! tests/testsuite/ci_recipe.rs; here they are only claimed.

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use crate::support::{fake_release, serve_files, wait_within, SiteTest};

const VERSION: &str = concat!("v", env!("CARGO_PKG_VERSION"));

struct Block {
    lang: String,
    code: String,
}

fn project() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The fenced code blocks of `file`, from the heading `from` to the next
/// heading of its level or above (the whole file without `from`).
fn blocks(file: &str, from: Option<&str>) -> Vec<Block> {
    let text = std::fs::read_to_string(project().join(file)).expect(file);
    let section = match from {
        None => text.as_str(),
        Some(heading) => {
            let start = text
                .find(&format!("\n{heading}\n"))
                .unwrap_or_else(|| panic!("{file} has no `{heading}`"));
            let level = heading.split(' ').next().unwrap().len();
            let rest = &text[start + heading.len() + 2..];
            // The next heading of this level or above, outside code blocks
            // (a YAML comment is no heading).
            let mut fenced = false;
            let end = rest
                .lines()
                .scan(0, |at, line| {
                    let here = *at;
                    *at += line.len() + 1;
                    Some((here, line))
                })
                .find(|(_, line)| {
                    if line.starts_with("```") {
                        fenced = !fenced;
                    }
                    let hashes = line.bytes().take_while(|b| *b == b'#').count();
                    !fenced
                        && hashes > 0
                        && hashes <= level
                        && line.as_bytes().get(hashes) == Some(&b' ')
                })
                .map_or(rest.len(), |(at, _)| at);
            &rest[..end]
        }
    };
    let mut out = Vec::new();
    let mut lines = section.lines();
    while let Some(line) = lines.next() {
        if let Some(lang) = line.strip_prefix("```") {
            let code: Vec<&str> = lines.by_ref().take_while(|l| *l != "```").collect();
            out.push(Block {
                lang: lang.to_string(),
                code: code.join("\n") + "\n",
            });
        }
    }
    out
}

fn shown(out: &Output) -> String {
    format!(
        "exit {:?}\n{}{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn found(tool: &str) -> bool {
    let there = Command::new(tool)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !there {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "{tool} is missing; .ci/run installs it"
        );
        eprintln!("note: {tool} not found; its snippets are not run");
    }
    there
}

/// A folder holding `throughline`, this build's, for the front of `PATH`.
fn bin_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(
        env!("CARGO_BIN_EXE_throughline"),
        dir.path().join("throughline"),
    )
    .unwrap();
    dir
}

fn path_with(dir: &Path) -> std::ffi::OsString {
    let mut dirs = vec![dir.to_path_buf()];
    dirs.extend(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    ));
    std::env::join_paths(dirs).unwrap()
}

fn bash(script: &str, cwd: &Path, env: &[(&str, &std::ffi::OsStr)], limit: Duration) -> Output {
    let mut child = Command::new("bash")
        .args(["--noprofile", "--norc", "-eo", "pipefail", "-c", script])
        .current_dir(cwd)
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("bash");
    wait_within(&mut child, limit, "a snippet");
    child.wait_with_output().expect("output")
}

// ---- docs/editors.md --------------------------------------------------

/// Neovim's version as (major, minor).
fn nvim_version() -> Option<(u32, u32)> {
    let out = Command::new("nvim").arg("--version").output().ok()?;
    let first = String::from_utf8_lossy(&out.stdout)
        .lines()
        .next()?
        .to_string();
    let mut parts = first.strip_prefix("NVIM v")?.split('.');
    Some((parts.next()?.parse().ok()?, parts.next()?.parse().ok()?))
}

/// Lua that Neovim can load: `loadstring` compiles without running it.
fn lua_parses(code: &str) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("snippet.lua");
    std::fs::write(&file, code).unwrap();
    let check = format!(
        "lua local f = io.open('{}'):read('*a'); local ok, err = loadstring(f); if not ok then io.stderr:write(err) vim.cmd('cquit 1') end",
        file.display()
    );
    let out = Command::new("nvim")
        .args([
            "--headless",
            "--clean",
            "-n",
            "-i",
            "NONE",
            "-c",
            &check,
            "-c",
            "qall!",
        ])
        .env("XDG_STATE_HOME", dir.path())
        .env("XDG_DATA_HOME", dir.path())
        .stdin(Stdio::null())
        .output()
        .expect("nvim");
    assert!(
        out.status.success(),
        "the Lua does not parse: {}",
        shown(&out)
    );
}

/// Runs `init` (a snippet) as Neovim's init.lua with this build's
/// throughline on PATH, opens two documents in different folders of a
/// site with a broken link, and requires: one throughline client, rooted
/// at the site, attached to both, and the broken link among the first
/// buffer's diagnostics.
fn neovim_runs(init: &str) {
    let site = SiteTest::new()
        .file("throughline.yaml", "title: Snippet\n")
        .file(
            "bets/bet-a.md",
            "---\nid: bet-a\nkind: page\ntitle: A\n---\nSee [[no-such-id]].\n",
        )
        .file("pages/b.md", "---\nid: b\ntitle: B\n---\nB.\n");
    let state = tempfile::tempdir().unwrap();
    let init_file = state.path().join("init.lua");
    std::fs::write(&init_file, init).unwrap();
    let harness = state.path().join("harness.lua");
    std::fs::write(
        &harness,
        r#"
local root = vim.loop.fs_realpath(os.getenv("SITE_ROOT"))
local function done(ok, message)
  io.stderr:write((ok and "snippet: ok " or "snippet: FAIL ") .. message .. "\n")
  vim.cmd(ok and "qall!" or "cquit 1")
end
local function clients()
  local all = {}
  for _, c in pairs(vim.lsp.get_active_clients()) do
    if c.name == "throughline" then table.insert(all, c) end
  end
  return all
end
vim.cmd("edit " .. vim.fn.fnameescape(root .. "/bets/bet-a.md"))
local first = vim.api.nvim_get_current_buf()
local got = vim.wait(20000, function()
  for _, d in ipairs(vim.diagnostic.get(first)) do
    local code = d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code)
    if code == "broken-link" then return true end
  end
  return false
end, 50)
if not got then return done(false, "no broken-link diagnostic: " .. vim.inspect(vim.diagnostic.get(first))) end
vim.cmd("edit " .. vim.fn.fnameescape(root .. "/pages/b.md"))
local second = vim.api.nvim_get_current_buf()
vim.wait(5000, function() return #vim.lsp.buf_get_clients(second) > 0 end, 50)
local all = clients()
if #all ~= 1 then return done(false, #all .. " throughline clients") end
if vim.loop.fs_realpath(all[1].config.root_dir) ~= root then
  return done(false, "rooted at " .. tostring(all[1].config.root_dir))
end
if #vim.lsp.buf_get_clients(second) ~= 1 then return done(false, "not attached to the second buffer") end
done(true, "one client at the site root, diagnostics shown")
"#,
    )
    .unwrap();
    let bin = bin_dir();
    let mut child = Command::new("nvim")
        .args(["--headless", "-n", "-i", "NONE", "-u"])
        .arg(&init_file)
        .arg("-c")
        .arg(format!("luafile {}", harness.display()))
        .current_dir(state.path())
        .env("PATH", path_with(bin.path()))
        .env("SITE_ROOT", site.root())
        .env("XDG_CONFIG_HOME", state.path())
        .env("XDG_STATE_HOME", state.path())
        .env("XDG_CACHE_HOME", state.path())
        .env("XDG_DATA_HOME", state.path())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("nvim");
    let status = wait_within(&mut child, Duration::from_secs(60), "nvim");
    let log = std::io::read_to_string(child.stderr.take().unwrap()).unwrap_or_default();
    assert!(
        status.success() && log.contains("snippet: ok"),
        "{status}: {log}"
    );
}

/// TOML, parsed by Python's tomllib (3.11+), as JSON.
fn toml_as_json(code: &str) -> Option<serde_json::Value> {
    let out = Command::new("python3")
        .args([
            "-c",
            "import json, sys, tomllib; print(json.dumps(tomllib.loads(sys.stdin.read())))",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write;
            child.stdin.take().unwrap().write_all(code.as_bytes())?;
            child.wait_with_output()
        })
        .ok()?;
    let err = String::from_utf8_lossy(&out.stderr);
    if err.contains("No module named 'tomllib'") {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CI needs Python 3.11 or later (tomllib) for the Helix snippet"
        );
        eprintln!("note: Python has no tomllib (3.11+); the Helix TOML is not parsed");
        return None;
    }
    assert!(
        out.status.success(),
        "the TOML does not parse: {}",
        shown(&out)
    );
    Some(serde_json::from_slice(&out.stdout).expect("JSON"))
}

/// Emacs Lisp with balanced brackets outside strings and comments.
fn elisp_balanced(code: &str) -> bool {
    let (mut depth, mut in_string, mut escaped, mut comment) = (0i32, false, false, false);
    for c in code.chars() {
        if comment {
            comment = c != '\n';
        } else if in_string {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
        } else {
            match c {
                ';' => comment = true,
                '"' => in_string = true,
                '(' | '[' => depth += 1,
                ')' | ']' => depth -= 1,
                _ => {}
            }
            if depth < 0 {
                return false;
            }
        }
    }
    depth == 0 && !in_string
}

#[test]
fn every_editor_snippet_runs_or_parses() {
    let nvim = found("nvim").then(nvim_version).flatten();
    let mut claimed = 0;
    let all = blocks("docs/editors.md", None);
    for block in &all {
        let code = &block.code;
        match block.lang.as_str() {
            "lua" if code.contains("vim.lsp.start(") => {
                assert!(code.contains("vim.fs.find"), "{code}");
                if let Some(version) = nvim {
                    if version >= (0, 8) {
                        neovim_runs(code);
                    } else {
                        eprintln!("note: Neovim {version:?} here; the 0.8+ snippet is parsed only");
                        lua_parses(code);
                    }
                }
            }
            "lua" if code.contains("vim.lsp.start_client(") => {
                assert!(
                    !code.contains("vim.fs."),
                    "the 0.7 snippet uses vim.fs: {code}"
                );
                if nvim.is_some() {
                    neovim_runs(code);
                }
            }
            "toml" => {
                if let Some(helix) = toml_as_json(code) {
                    let server = &helix["language-server"]["throughline"];
                    assert_eq!(server["command"], "throughline", "{helix}");
                    assert_eq!(server["args"], serde_json::json!(["lsp"]), "{helix}");
                    let markdown = &helix["language"][0];
                    assert_eq!(markdown["name"], "markdown");
                    assert_eq!(markdown["roots"], serde_json::json!(["throughline.yaml"]));
                }
            }
            "json" => {
                let json: serde_json::Value =
                    serde_json::from_str(code).unwrap_or_else(|e| panic!("not JSON: {e}\n{code}"));
                if let Some(command) = json.get("glspc.server.command") {
                    assert_eq!(command, "throughline");
                    assert_eq!(
                        json["glspc.server.commandArguments"],
                        serde_json::json!(["lsp"])
                    );
                } else {
                    let binary = &json["lsp"]["throughline"]["binary"];
                    assert_eq!(binary["path"], "throughline", "{json}");
                    assert_eq!(binary["arguments"], serde_json::json!(["lsp"]));
                }
            }
            "elisp" => {
                assert!(elisp_balanced(code), "unbalanced Emacs Lisp:\n{code}");
                assert!(code.contains(r#"("throughline" "lsp")"#), "{code}");
            }
            other => panic!("docs/editors.md: no check claims a `{other}` block:\n{code}"),
        }
        claimed += 1;
    }
    assert_eq!(
        claimed, 6,
        "the editors page's snippets changed: claim each"
    );
}

// ---- docs/guide.md: installing, a first site, CI ----------------------

#[test]
fn every_install_and_ci_snippet_of_the_guide_runs() {
    let installing = blocks("docs/guide.md", Some("### Installing"));
    assert_eq!(
        installing.len(),
        2,
        "the install snippets changed: claim each"
    );

    // The release installer, its script and release served from here.
    let served = tempfile::tempdir().unwrap();
    let raw = served.path().join("raw").join(VERSION);
    std::fs::create_dir_all(raw.join("scripts")).unwrap();
    for file in ["scripts/install.sh", "Cargo.toml"] {
        std::fs::copy(project().join(file), raw.join(file)).unwrap();
    }
    let releases = served.path().join("releases");
    let machine = format!("{}-unknown-linux-musl", std::env::consts::ARCH);
    fake_release(&releases, VERSION, &machine);
    let url = serve_files(served.path());
    let installer = &installing[0].code;
    let raw_prefix = format!("https://raw.githubusercontent.com/OWNER/throughline/{VERSION}/");
    assert!(installer.contains(&raw_prefix), "{installer}");
    assert!(
        installer.contains(&format!("bash -s -- {VERSION}")),
        "pin the version: {installer}"
    );
    let home = tempfile::tempdir().unwrap();
    let script = installer.replace(&raw_prefix, &format!("{url}/raw/{VERSION}/"))
        + "throughline --version\n";
    let out = bash(
        &script,
        home.path(),
        &[
            ("HOME", home.path().as_os_str()),
            ("PATH", &std::env::var_os("PATH").unwrap_or_default()),
            (
                "THROUGHLINE_DOWNLOAD_URL",
                format!("{url}/releases").as_ref(),
            ),
        ],
        Duration::from_secs(60),
    );
    assert!(out.status.success(), "{}", shown(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout)
            .contains(concat!("throughline ", env!("CARGO_PKG_VERSION"))),
        "{}",
        shown(&out)
    );

    // Building it: every line with --locked; the checkout's line is run
    // (unoptimised, into a folder of the test's), the tag's is not: it
    // needs the repository's host.
    let builds: Vec<&str> = installing[1].code.lines().collect();
    assert_eq!(builds.len(), 2, "{}", installing[1].code);
    for line in &builds {
        assert!(line.starts_with("cargo install --locked "), "{line}");
    }
    assert!(builds[0].contains(&format!(
        "--git https://github.com/OWNER/throughline --tag {VERSION} throughline"
    )));
    assert_eq!(builds[1], "cargo install --locked --path .");
    let root = tempfile::tempdir().unwrap();
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(format!("{} --debug --root \"$1\"", builds[1]))
        .arg("sh")
        .arg(root.path())
        .current_dir(project())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("cargo");
    // Compiles when the test build's artefacts do not fit: a hang guard.
    wait_within(&mut child, Duration::from_secs(1800), "cargo install");
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", shown(&out));
    let installed = Command::new(root.path().join("bin/throughline"))
        .arg("--version")
        .output()
        .unwrap();
    assert!(installed.status.success());

    // A first site: every command, with this build's throughline.
    let first = blocks("docs/guide.md", Some("### A first site"));
    assert_eq!(first.len(), 1);
    let bin = bin_dir();
    let dir = tempfile::tempdir().unwrap();
    let out = bash(
        &first[0].code,
        dir.path(),
        &[("PATH", path_with(bin.path()).as_os_str())],
        Duration::from_secs(60),
    );
    assert!(out.status.success(), "{}", shown(&out));
    assert!(dir.path().join("my-strategy/public/index.html").is_file());
    assert!(dir
        .path()
        .join("my-strategy/bets/bet-instant-payouts.md")
        .is_file());

    // CI: the two recipes (run by ci_recipe.rs), the three weekly digest
    // recipes (GitHub's, GitLab's Slack and email jobs, run by
    // digest_recipe.rs) and the pre-commit config.
    let ci = blocks("docs/guide.md", Some("## Continuous integration"));
    let mut recipes = 0;
    let mut digests = 0;
    let mut precommit = None;
    for block in &ci {
        assert_eq!(block.lang, "yaml", "{}", block.code);
        let first_line = block.code.lines().next().unwrap_or_default();
        match first_line {
            "# .github/workflows/strategy.yml" | "# .gitlab-ci.yml" => recipes += 1,
            "# .github/workflows/digest.yml"
            | "# .gitlab-ci.yml (digest job)"
            | "# .gitlab-ci.yml (digest email job)" => digests += 1,
            "# .pre-commit-config.yaml" => precommit = Some(block.code.clone()),
            other => panic!(
                "the guide's CI section: no check claims the block `{other}`:\n{}",
                block.code
            ),
        }
    }
    assert_eq!(recipes, 2);
    assert_eq!(digests, 3);
    precommit_config_runs(&precommit.expect("a pre-commit config"));
}

/// The pre-commit config, with its repository swapped for a local one
/// holding this `.pre-commit-hooks.yaml` at the tag it pins, runs the
/// system hook on a site, without pre-commit's warning about a mutable
/// `rev`.
fn precommit_config_runs(config: &str) {
    let parsed: serde_yaml::Value = serde_yaml::from_str(config).expect("YAML");
    let repo = &parsed["repos"][0];
    assert_eq!(repo["rev"].as_str(), Some(VERSION), "pin rev to {VERSION}");
    let hooks = std::fs::read_to_string(project().join(".pre-commit-hooks.yaml")).unwrap();
    let hook = repo["hooks"][0]["id"].as_str().expect("a hook id");
    assert!(hooks.contains(&format!("- id: {hook}\n")), "no hook {hook}");
    if !found("pre-commit") {
        return;
    }
    let hosted = tempfile::tempdir().unwrap();
    std::fs::write(hosted.path().join(".pre-commit-hooks.yaml"), &hooks).unwrap();
    let site = SiteTest::example();
    for (dir, args) in [
        (hosted.path(), &["init", "-q"][..]),
        (hosted.path(), &["add", "-A"]),
        (hosted.path(), &["commit", "-qm", "hooks"]),
        (hosted.path(), &["tag", VERSION]),
        (site.root(), &["init", "-q"]),
    ] {
        crate::support::git(dir, args);
    }
    let remote = repo["repo"].as_str().unwrap();
    let local = config.replace(remote, hosted.path().to_str().unwrap());
    std::fs::write(site.root().join(".pre-commit-config.yaml"), local).unwrap();
    crate::support::git(site.root(), &["add", "-A"]);
    let bin = bin_dir();
    let home = tempfile::tempdir().unwrap();
    let mut child = Command::new("pre-commit")
        .args(["run", "--all-files", "--color", "never"])
        .current_dir(site.root())
        .env("PATH", path_with(bin.path()))
        .env("PRE_COMMIT_HOME", home.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("pre-commit");
    wait_within(&mut child, Duration::from_secs(300), "pre-commit");
    let out = child.wait_with_output().unwrap();
    let text = shown(&out);
    assert!(out.status.success(), "{text}");
    assert!(
        text.contains("throughline check") && text.contains("Passed"),
        "{text}"
    );
    assert!(!text.contains("mutable reference"), "{text}");
}
