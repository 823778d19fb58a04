//! Releases, as far as they run without GitHub: the release workflow's
//! version check and packing (scripts/package-release.sh) for every target
//! it builds, the names `cargo binstall` looks for, and the installers that
//! download a release, scripts/install.sh and action.yml, against a release
//! served from a local HTTP server: a good archive is installed, one that
//! does not match its checksum is refused. The builds themselves (`dist`
//! profile, musl, macOS, Windows) need GitHub's runners.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_yaml::Value;

use crate::support::{fake_release, serve_files};

const VERSION: &str = concat!("v", env!("CARGO_PKG_VERSION"));

/// What the workflow builds; scripts/install.sh picks one of these.
const TARGETS: &[&str] = &[
    "x86_64-unknown-linux-musl",
    "aarch64-unknown-linux-musl",
    "x86_64-apple-darwin",
    "aarch64-apple-darwin",
    "x86_64-pc-windows-msvc",
];

fn project() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn yaml(file: &str) -> Value {
    let text = std::fs::read_to_string(project().join(file)).expect(file);
    serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{file} is not YAML: {e}"))
}

fn text(v: &Value) -> String {
    v.as_str()
        .map(str::to_string)
        .unwrap_or_else(|| panic!("expected a string, found {v:?}"))
}

/// The target scripts/install.sh picks on this machine.
fn this_machine() -> String {
    format!("{}-unknown-linux-musl", std::env::consts::ARCH)
}

fn bash(script: &str, cwd: &Path, env: &[(&str, &str)]) -> Output {
    Command::new("bash")
        .args(["--noprofile", "--norc", "-eo", "pipefail", "-c", script])
        .current_dir(cwd)
        .envs(env.iter().copied())
        .output()
        .expect("bash")
}

fn shown(out: &Output) -> String {
    format!(
        "exit {:?}\n{}{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// A build step of the release workflow, by name, with the matrix's values
/// for `target` put in.
fn release_step(name: &str, target: &str) -> String {
    let workflow = yaml(".github/workflows/release.yml");
    let steps = workflow["jobs"]["build"]["steps"]
        .as_sequence()
        .expect("build steps");
    let step = steps
        .iter()
        .find(|s| s.get("name").map(text).as_deref() == Some(name))
        .unwrap_or_else(|| panic!("the release workflow has no step `{name}`"));
    let exe = if target.contains("windows") {
        ".exe"
    } else {
        ""
    };
    text(&step["run"])
        .replace("${{ matrix.target }}", target)
        .replace(
            "${{ contains(matrix.target, 'windows') && '.exe' || '' }}",
            exe,
        )
}

#[test]
fn the_release_workflow_builds_every_target_with_the_dist_profile_on_a_full_tag() {
    let workflow = yaml(".github/workflows/release.yml");
    let tags: Vec<String> = workflow["on"]["push"]["tags"]
        .as_sequence()
        .expect("tags")
        .iter()
        .map(text)
        .collect();
    assert_eq!(tags, ["v[0-9]+.[0-9]+.[0-9]+"]);
    let targets: Vec<String> = workflow["jobs"]["build"]["strategy"]["matrix"]["include"]
        .as_sequence()
        .expect("matrix")
        .iter()
        .map(|row| text(&row["target"]))
        .collect();
    assert_eq!(targets, TARGETS);
    assert!(
        release_step("Build", "T").contains("cargo build --locked --profile dist --target \"T\""),
        "{}",
        release_step("Build", "T")
    );
    let install = std::fs::read_to_string(project().join("scripts/install.sh")).unwrap();
    for target in TARGETS {
        let (arch, rest) = target.split_once('-').unwrap();
        let picked = format!("$arch-{rest}");
        assert!(
            install.contains(&picked) || install.contains(&format!("target={arch}-{rest}")),
            "scripts/install.sh never picks {target}"
        );
    }
    let toml = std::fs::read_to_string(project().join("Cargo.toml")).unwrap();
    let profile = toml.split("[profile.dist]").nth(1).expect("a dist profile");
    assert!(profile.contains("lto = \"fat\"") && profile.contains("codegen-units = 1"));

    // The version check: the tag must be Cargo.toml's version.
    let check = release_step("The tag is the crate's version", "T");
    let ok = bash(&check, project(), &[("GITHUB_REF_NAME", VERSION)]);
    assert!(ok.status.success(), "{}", shown(&ok));
    let wrong = bash(&check, project(), &[("GITHUB_REF_NAME", "v99.0.0")]);
    assert!(!wrong.status.success(), "{}", shown(&wrong));
    assert!(String::from_utf8_lossy(&wrong.stdout).contains("::error::the tag v99.0.0"));
}

/// The package step packs each target's binary where binstall looks for it,
/// with a checksum `sha256sum -c` accepts.
#[test]
fn the_package_step_packs_each_target_as_binstall_and_the_installer_expect() {
    let workspace = tempfile::tempdir().unwrap();
    let ws = workspace.path();
    std::fs::create_dir(ws.join("scripts")).unwrap();
    std::fs::copy(
        project().join("scripts/package-release.sh"),
        ws.join("scripts/package-release.sh"),
    )
    .unwrap();
    std::fs::copy(project().join("README.md"), ws.join("README.md")).unwrap();
    let toml = std::fs::read_to_string(project().join("Cargo.toml")).unwrap();
    let binstall = |key: &str, windows: bool| -> String {
        let section = if windows {
            "[package.metadata.binstall.overrides.x86_64-pc-windows-msvc]"
        } else {
            "[package.metadata.binstall]"
        };
        let body = toml.split(section).nth(1).expect(section);
        let line = body
            .lines()
            .take_while(|l| !l.starts_with('['))
            .find(|l| l.starts_with(&format!("{key} = ")))
            .unwrap_or_else(|| panic!("{section} has no {key}"));
        line.split('"').nth(1).unwrap().to_string()
    };
    for target in TARGETS {
        let windows = target.contains("windows");
        let exe = if windows {
            "throughline.exe"
        } else {
            "throughline"
        };
        let binary = ws.join(format!("target/{target}/dist/{exe}"));
        std::fs::create_dir_all(binary.parent().unwrap()).unwrap();
        std::fs::write(&binary, format!("binary for {target}")).unwrap();
        let run = bash(
            &release_step("Package", target),
            ws,
            &[("GITHUB_REF_NAME", VERSION)],
        );
        assert!(run.status.success(), "{target}: {}", shown(&run));

        let fill = |template: &str| {
            template
                .replace("{ repo }", "https://example.com/x")
                .replace("{ name }", "throughline")
                .replace("{ version }", env!("CARGO_PKG_VERSION"))
                .replace("{ target }", target)
                .replace("{ bin }", "throughline")
                .replace("{ binary-ext }", if windows { ".exe" } else { "" })
        };
        let url = fill(&binstall("pkg-url", windows));
        let archive = url
            .strip_prefix(&format!(
                "https://example.com/x/releases/download/{VERSION}/"
            ))
            .unwrap_or_else(|| panic!("{url}"));
        assert!(
            ws.join("dist").join(archive).is_file(),
            "{target}: no {archive}"
        );
        let inside = fill(&binstall("bin-dir", false));
        let listing = if windows {
            Command::new("unzip")
                .arg("-Z1")
                .arg(ws.join("dist").join(archive))
                .output()
        } else {
            Command::new("tar")
                .arg("-tzf")
                .arg(ws.join("dist").join(archive))
                .output()
        }
        .expect("list the archive");
        let listing = String::from_utf8_lossy(&listing.stdout);
        assert!(
            listing.lines().any(|l| l == inside),
            "{target}: {inside} not in\n{listing}"
        );
        assert!(
            listing.lines().any(|l| l.ends_with("/README.md")),
            "{listing}"
        );
        let sums = bash(
            &format!("sha256sum -c {archive}.sha256"),
            &ws.join("dist"),
            &[],
        );
        assert!(sums.status.success(), "{target}: {}", shown(&sums));
    }
    // The same binary packs to the same bytes.
    let first = std::fs::read(ws.join(format!("dist/throughline-{VERSION}-{}.tar.gz", TARGETS[0])))
        .unwrap();
    let again = bash(
        &release_step("Package", TARGETS[0]),
        ws,
        &[("GITHUB_REF_NAME", VERSION)],
    );
    assert!(again.status.success(), "{}", shown(&again));
    assert_eq!(
        first,
        std::fs::read(ws.join(format!("dist/throughline-{VERSION}-{}.tar.gz", TARGETS[0])))
            .unwrap()
    );
    // A version that is not a full tag is refused.
    let short = bash(
        &release_step("Package", TARGETS[0]),
        ws,
        &[("GITHUB_REF_NAME", "v1")],
    );
    assert_eq!(short.status.code(), Some(2), "{}", shown(&short));
}

/// A release of this version for this machine, served over HTTP; the folder
/// it is served from and the URL.
fn served_release() -> (tempfile::TempDir, PathBuf, String) {
    let site = tempfile::tempdir().unwrap();
    let archive = fake_release(site.path(), VERSION, &this_machine());
    let url = serve_files(site.path());
    (site, archive, url)
}

fn install(url: &str, dir: &Path, args: &[&str]) -> Output {
    Command::new("bash")
        .arg(project().join("scripts/install.sh"))
        .args(args)
        .env("THROUGHLINE_DOWNLOAD_URL", url)
        .env("HOME", dir)
        .output()
        .expect("bash")
}

#[test]
fn install_sh_installs_a_good_release_and_refuses_a_wrong_checksum() {
    let (_site, archive, url) = served_release();
    let home = tempfile::tempdir().unwrap();
    // No version: the one in Cargo.toml; no folder: ~/.throughline.
    let out = install(&url, home.path(), &[]);
    assert!(out.status.success(), "{}", shown(&out));
    let bin = home.path().join(".throughline/bin/throughline");
    let version = Command::new(&bin)
        .arg("--version")
        .output()
        .expect("installed");
    assert_eq!(
        String::from_utf8_lossy(&version.stdout).trim(),
        concat!("throughline ", env!("CARGO_PKG_VERSION"))
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("installed throughline"));

    // A checksum file that names another hash: refused, nothing installed.
    let sums = PathBuf::from(format!("{}.sha256", archive.display()));
    let good = std::fs::read_to_string(&sums).unwrap();
    let other = format!("{}{}", "0".repeat(64), &good[64..]);
    std::fs::write(&sums, &other).unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    let chosen = elsewhere.path().join("chosen");
    let out = install(&url, elsewhere.path(), &[VERSION, chosen.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", shown(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("nothing installed"),
        "{}",
        shown(&out)
    );
    assert!(!elsewhere.path().join(".throughline").exists());
    assert!(!chosen.exists());

    // The archive changed under its checksum: refused too.
    std::fs::write(&sums, &good).unwrap();
    let mut bytes = std::fs::read(&archive).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    std::fs::write(&archive, bytes).unwrap();
    let out = install(&url, elsewhere.path(), &[]);
    assert_eq!(out.status.code(), Some(1), "{}", shown(&out));
    assert!(!elsewhere.path().join(".throughline").exists());

    // Piped into bash without a version: no Cargo.toml to read it from.
    let piped = Command::new("bash")
        .arg("-c")
        .arg(format!(
            "bash < '{}'",
            project().join("scripts/install.sh").display()
        ))
        .current_dir(project().join("src"))
        .env("THROUGHLINE_DOWNLOAD_URL", &url)
        .env("HOME", elsewhere.path())
        .output()
        .expect("bash");
    assert_eq!(piped.status.code(), Some(2), "{}", shown(&piped));
    assert!(String::from_utf8_lossy(&piped.stderr).contains("give the version"));

    // A version that is not a full tag, and one that is not released.
    let out = install(&url, elsewhere.path(), &["v0"]);
    assert_eq!(out.status.code(), Some(2), "{}", shown(&out));
    let out = install(&url, elsewhere.path(), &["v9.9.9"]);
    assert!(!out.status.success(), "{}", shown(&out));
    assert!(!elsewhere.path().join(".throughline").exists());
}

/// action.yml's step, as the runner runs it (`bash -e`, the action checked
/// out at `_actions/OWNER/REPOSITORY/REF`), installs the release and puts it
/// on `PATH`, and fails on a wrong checksum.
#[test]
fn the_action_installs_the_release_it_is_pinned_to() {
    let action = yaml("action.yml");
    assert_eq!(text(&action["runs"]["using"]), "composite");
    let steps = action["runs"]["steps"].as_sequence().expect("steps");
    assert_eq!(steps.len(), 1, "the test runs one step");
    let step = &steps[0];
    assert_eq!(text(&step["shell"]), "bash");
    let script = text(&step["run"]);
    let (_site, archive, url) = served_release();
    let runner = tempfile::tempdir().unwrap();
    // The action checked out as GitHub does: a copy of this repository's
    // action and scripts under _actions/OWNER/throughline/REF.
    let checkout = runner
        .path()
        .join("_actions/example/throughline")
        .join(VERSION);
    std::fs::create_dir_all(checkout.join("scripts")).unwrap();
    for file in ["action.yml", "Cargo.toml", "scripts/install.sh"] {
        std::fs::copy(project().join(file), checkout.join(file)).unwrap();
    }
    let github_path = runner.path().join("github-path");
    let run = |version: &str| {
        std::fs::write(&github_path, "").unwrap();
        let temp = runner.path().join("temp");
        bash(
            &script,
            runner.path(),
            &[
                ("THROUGHLINE_VERSION", version),
                ("THROUGHLINE_ACTION_REPOSITORY", ""),
                ("THROUGHLINE_DOWNLOAD_URL", &url),
                ("GITHUB_ACTION_PATH", checkout.to_str().unwrap()),
                ("GITHUB_PATH", github_path.to_str().unwrap()),
                ("GITHUB_REPOSITORY", "someone/strategy"),
                ("RUNNER_TEMP", temp.to_str().unwrap()),
            ],
        )
    };
    let out = run("");
    assert!(out.status.success(), "{}", shown(&out));
    let added = std::fs::read_to_string(&github_path).unwrap();
    let bin = PathBuf::from(added.trim()).join("throughline");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains(&format!("{url}/{VERSION}/")),
        "{}",
        shown(&out)
    );
    let version = Command::new(&bin)
        .arg("--version")
        .output()
        .expect("installed");
    assert!(version.status.success());
    std::fs::remove_dir_all(runner.path().join("temp")).unwrap();

    let sums = PathBuf::from(format!("{}.sha256", archive.display()));
    let good = std::fs::read_to_string(&sums).unwrap();
    std::fs::write(&sums, format!("{}{}", "f".repeat(64), &good[64..])).unwrap();
    let out = run(VERSION);
    assert!(!out.status.success(), "{}", shown(&out));
    assert_eq!(std::fs::read_to_string(&github_path).unwrap(), "");
    assert!(!bin.exists());
}
